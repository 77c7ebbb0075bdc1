"""A Fit.Optimizer written in Python through the update vfunc: plain SGD, and an
optimizer with its own state buffer and hyper-parameter."""

import unittest

from fit_testing import Fit, GLib, assert_close, main, numpy, tensor
import numpy as np


class PlainSGD(Fit.Optimizer):
    def do_update(self, group, param, grad, state):
        param.add_inplace(grad, -group.get_learning_rate())
        return True


class PythonMomentum(Fit.Optimizer):
    """Heavy-ball momentum with a Python-declared hyper-parameter "beta"."""

    def __init__(self):
        super().__init__()
        self.set_hyper("beta", 0.5)

    def do_update(self, group, param, grad, state):
        buf = state.ensure_buffer("velocity", param, 0.0)
        buf.scale_inplace(group.get_hyper("beta"))
        buf.add_inplace(grad, 1.0)
        param.add_inplace(buf, -group.get_learning_rate())
        return True


class Broken(Fit.Optimizer):
    def do_update(self, group, param, grad, state):
        return None


class OptimizerSubclass(unittest.TestCase):

    def setUp(self):
        rng = np.random.default_rng(1)
        self.p0 = rng.standard_normal((4, 3)).astype(np.float32)
        self.grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(4)]

    def test_plain_sgd(self):
        opt = PlainSGD()
        p = tensor(self.p0)
        p.set_requires_grad(True)
        opt.add_param_group([p], 0.1, 0.0)
        expected = self.p0.copy()
        for g in self.grads:
            p.set_grad(tensor(g))
            self.assertTrue(opt.step())
            expected = expected - np.float32(0.1) * g
            assert_close(self, numpy(p), expected)
        self.assertEqual(opt.get_param_state(p).get_step(), len(self.grads))

    def test_plain_sgd_matches_builtin(self):
        a, b = tensor(self.p0), tensor(self.p0)
        mine = PlainSGD(learning_rate=0.05)
        mine.add_param_group([a], 0.05, 0.0)
        builtin = Fit.SGD.new([b], 0.05, 0.0)
        for g in self.grads:
            a.set_grad(tensor(g))
            b.set_grad(tensor(g))
            mine.step()
            builtin.step()
        assert_close(self, numpy(a), numpy(b), rtol=1e-6)

    def test_state_and_hyper(self):
        opt = PythonMomentum()
        p = tensor(self.p0)
        group = opt.add_param_group([p], 0.1, 0.0)
        self.assertEqual(group.get_hyper("beta"), 0.5)
        velocity = np.zeros_like(self.p0)
        expected = self.p0.copy()
        for g in self.grads:
            p.set_grad(tensor(g))
            opt.step()
            velocity = np.float32(0.5) * velocity + g
            expected = expected - np.float32(0.1) * velocity
        assert_close(self, numpy(p), expected)
        buf = opt.get_param_state(p).get_buffer("velocity")
        assert_close(self, numpy(buf), velocity)

        # The Python optimizer's state saves and restores like a built-in's.
        saved = Fit.Safetensors.new()
        opt.save_state(saved, "opt.")
        again = PythonMomentum()
        again.add_param_group([tensor(self.p0)], 0.1, 0.0)
        self.assertTrue(again.load_state(saved, "opt."))
        state = again.get_param_state(again.get_params()[0])
        self.assertEqual(state.get_step(), len(self.grads))
        assert_close(self, numpy(state.get_buffer("velocity")), velocity, rtol=0, atol=0)

    def test_update_returning_none_fails_the_step(self):
        opt = Broken()
        p = tensor(self.p0)
        opt.add_param_group([p], 0.1, 0.0)
        p.set_grad(tensor(self.grads[0]))
        with self.assertRaises(GLib.Error) as ctx:
            opt.step()
        self.assertTrue(ctx.exception.matches(Fit.error_quark(), Fit.Error.FAILED))


if __name__ == "__main__":
    main()
