#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the optim and io layers' own tests leave out, through PyGObject: schedule
properties, optimizer and parameter-group setters, parameter state buffers, and the
FitSafetensors container's bookkeeping."""
import unittest

import numpy as np

from fit_testing import Fit, main


def param(values):
    t = Fit.Tensor.from_numpy(np.asarray(values, dtype=np.float64), requires_grad=True)
    t.set_grad(Fit.Tensor.from_numpy(np.zeros(len(values))))
    return t


class Schedules(unittest.TestCase):
    def test_step_properties(self):
        s = Fit.StepLR.new(3, 0.5)
        self.assertEqual((s.props.step_size, s.props.gamma), (3, 0.5))
        self.assertEqual(s.get_learning_rate(1.0, 3), 0.5)
        s.props.step_size = 2
        s.props.gamma = 0.1
        self.assertAlmostEqual(s.get_learning_rate(1.0, 4), 0.01)

    def test_multi_step_and_exponential(self):
        m = Fit.MultiStepLR.new([2, 4], 0.5)
        m.props.gamma = 0.2
        self.assertAlmostEqual(m.get_learning_rate(1.0, 4), 0.04)
        e = Fit.ExponentialLR.new(0.9)
        self.assertEqual(e.props.gamma, 0.9)
        e.props.gamma = 0.5
        self.assertAlmostEqual(e.get_learning_rate(2.0, 3), 0.25)

    def test_cosine_and_warmup(self):
        c = Fit.CosineLR.new(10, 0.01)
        self.assertEqual((c.props.total_steps, c.props.min_lr), (10, 0.01))
        c.props.total_steps = 4
        c.props.min_lr = 0.0
        self.assertAlmostEqual(c.get_learning_rate(1.0, 2), 0.5)
        self.assertAlmostEqual(c.get_learning_rate(1.0, 4), 0.0)
        w = Fit.LinearWarmupLR.new(4, 0.25)
        self.assertEqual(w.props.start_factor, 0.25)
        w.props.start_factor = 0.5
        self.assertAlmostEqual(w.get_learning_rate(1.0, 0), 0.5)
        self.assertAlmostEqual(w.get_learning_rate(1.0, 4), 1.0)


class Optimizer(unittest.TestCase):
    def test_groups_and_setters(self):
        a, b = param([1.0, 2.0]), param([3.0])
        opt = Fit.SGD.new([a], 0.1, 0.0)
        group = opt.add_param_group([b], 0.5, 0.0)
        self.assertEqual(opt.get_n_param_groups(), 2)
        self.assertEqual([opt.get_param_group(i).get_n_params() for i in range(2)], [1, 1])
        names = group.get_hyper_names()
        self.assertIn("momentum", names)
        self.assertTrue(group.has_hyper("momentum"))
        self.assertFalse(group.has_hyper("beta1"))

        group.set_learning_rate(1.0)
        group.set_weight_decay(0.5)
        self.assertEqual((group.get_learning_rate(), group.get_weight_decay()), (1.0, 0.5))
        opt.step()
        # Zero gradients: only the decay moves b, by lr * wd * b; a has no decay.
        self.assertEqual(b.to_doubles(), [3.0 - 1.0 * 0.5 * 3.0])
        self.assertEqual(a.to_doubles(), [1.0, 2.0])

        opt.set_learning_rate(0.25)
        opt.set_weight_decay(0.1)
        self.assertEqual((opt.get_learning_rate(), opt.get_weight_decay()), (0.25, 0.1))
        self.assertEqual([opt.get_param_group(i).get_weight_decay() for i in range(2)],
                         [0.1, 0.1])
        opt.step()
        np.testing.assert_allclose(a.to_doubles(), [1.0 - 0.025, 2.0 - 0.05])

    def test_param_state(self):
        p = param([1.0, -1.0])
        opt = Fit.SGD.new([p], 0.1, 0.9)
        p.set_grad(Fit.Tensor.from_numpy(np.array([1.0, 1.0])))
        opt.step()
        state = opt.get_param_state(p)
        self.assertEqual(state.get_buffer_names(), ["momentum_buffer"])
        self.assertEqual(state.get_step(), 1)
        state.set_step(7)
        self.assertEqual(state.get_step(), 7)
        # A replaced momentum buffer is what the next step continues from.
        state.set_buffer("momentum_buffer", Fit.Tensor.from_numpy(np.array([10.0, 0.0])))
        before = np.array(p.to_doubles())
        opt.step()
        np.testing.assert_allclose(p.to_doubles(), before - 0.1 * (0.9 * np.array([10, 0]) + 1))
        self.assertEqual(state.get_step(), 8)


class Safetensors(unittest.TestCase):
    def test_bookkeeping(self):
        st = Fit.Safetensors.new()
        st.add("a", Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [2]))
        st.add("b", Fit.Tensor.new_zeros(Fit.DType.INT64, [1]))
        st.set_metadata("epoch", "3")
        st.set_metadata("format", "pt")
        self.assertEqual(st.get_n_tensors(), 2)
        self.assertTrue(st.contains("a"))
        self.assertEqual(st.get_metadata_keys(), ["epoch", "format"])
        self.assertTrue(st.remove("a"))
        self.assertFalse(st.remove("a"))
        self.assertFalse(st.contains("a"))
        self.assertEqual((st.get_n_tensors(), st.get_names()), (1, ["b"]))


if __name__ == "__main__":
    main()
