"""fit-glib's optimizers against torch.optim 1.13: the same initial parameters and the
same sequence of gradients must give the same parameters after every step."""

import unittest

from fit_testing import Fit, assert_close, have_torch, main, numpy, tensor
import numpy as np

if have_torch():
    import torch

N_STEPS = 6


def make_problem(seed, dtype=np.float32, shapes=((3, 4), (5,), (2, 2, 3))):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(N_STEPS)]
    return params, grads


@unittest.skipUnless(have_torch(), "needs torch")
class OptimizerVsTorch(unittest.TestCase):

    def run_both(self, make_fit, make_torch, seed=0, dtype=np.float32, missing=None,
                 rtol=1e-5, atol=1e-6):
        """make_fit(fit_params) -> Fit.Optimizer, make_torch(torch_params) -> torch
        optimizer; missing(step, i) says whether parameter i has no gradient at a step."""
        params, grads = make_problem(seed, dtype)
        fit_params = [tensor(p) for p in params]
        torch_params = [torch.tensor(p, requires_grad=True) for p in params]
        opt = make_fit(fit_params)
        topt = make_torch(torch_params)
        for step in range(N_STEPS):
            for i, g in enumerate(grads[step]):
                none = missing is not None and missing(step, i)
                fit_params[i].set_grad(None if none else tensor(g))
                torch_params[i].grad = None if none else torch.tensor(g)
            self.assertTrue(opt.step())
            topt.step()
            for i in range(len(params)):
                assert_close(self, numpy(fit_params[i]), torch_params[i].detach().numpy(),
                             rtol=rtol, atol=atol, what=f"step {step}, parameter {i}")
        return opt, fit_params

    # ---- SGD ----

    def test_sgd_plain(self):
        self.run_both(lambda p: Fit.SGD.new(p, 0.1, 0.0),
                      lambda p: torch.optim.SGD(p, lr=0.1))

    def test_sgd_momentum_dampening_weight_decay(self):
        def fit(p):
            opt = Fit.SGD.new(p, 0.05, 0.9)
            opt.props.dampening = 0.1
            opt.props.weight_decay = 0.01
            return opt
        self.run_both(fit, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1,
                                                     weight_decay=0.01))

    def test_sgd_nesterov(self):
        def fit(p):
            opt = Fit.SGD.new(p, 0.05, 0.8)
            opt.props.nesterov = True
            opt.props.weight_decay = 0.001
            return opt
        self.run_both(fit, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True,
                                                     weight_decay=0.001))

    def test_sgd_float64(self):
        self.run_both(lambda p: Fit.SGD.new(p, 0.1, 0.9),
                      lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                      dtype=np.float64, rtol=1e-12, atol=1e-12)

    def test_sgd_skips_missing_gradients(self):
        # Parameter 1 has no gradient on steps 0 and 3: no update, no momentum change.
        opt, params = self.run_both(
            lambda p: Fit.SGD.new(p, 0.1, 0.9),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
            missing=lambda step, i: i == 1 and step in (0, 3))
        self.assertEqual(opt.get_param_state(params[1]).get_step(), N_STEPS - 2)

    def test_sgd_param_groups(self):
        def fit(p):
            opt = Fit.SGD.new(p[:1], 0.1, 0.9)
            group = opt.add_param_group(p[1:], 0.01, 0.001)
            group.set_hyper("momentum", 0.5)
            return opt

        def ref(p):
            return torch.optim.SGD([{"params": p[:1]},
                                    {"params": p[1:], "lr": 0.01, "weight_decay": 0.001,
                                     "momentum": 0.5}], lr=0.1, momentum=0.9)
        self.run_both(fit, ref)

    # ---- Adam and AdamW ----

    def test_adam(self):
        self.run_both(lambda p: Fit.Adam.new(p, 0.01),
                      lambda p: torch.optim.Adam(p, lr=0.01))

    def test_adam_weight_decay_betas(self):
        def fit(p):
            opt = Fit.Adam.new(p, 0.02)
            opt.props.beta1 = 0.8
            opt.props.beta2 = 0.99
            opt.props.epsilon = 1e-6
            opt.props.weight_decay = 0.05
            return opt
        self.run_both(fit, lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                                      weight_decay=0.05))

    def test_adam_amsgrad(self):
        def fit(p):
            opt = Fit.Adam.new(p, 0.01)
            opt.props.amsgrad = True
            return opt
        self.run_both(fit, lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True), seed=3)

    def test_adam_param_groups_and_missing(self):
        def fit(p):
            opt = Fit.Adam.new(p[:2], 0.01)
            opt.add_param_group(p[2:], 0.003, 0.1)
            return opt

        def ref(p):
            return torch.optim.Adam([{"params": p[:2]},
                                     {"params": p[2:], "lr": 0.003, "weight_decay": 0.1}],
                                    lr=0.01)
        self.run_both(fit, ref, missing=lambda step, i: i == 0 and step == 2)

    def test_adamw(self):
        self.run_both(lambda p: Fit.AdamW.new(p, 0.01, 0.1),
                      lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1))

    def test_adamw_default_decay(self):
        opt = Fit.AdamW.new([], 0.001, 0.01)
        self.assertAlmostEqual(opt.props.weight_decay, 0.01)
        self.run_both(lambda p: Fit.AdamW.new(p, 0.001, 0.01),
                      lambda p: torch.optim.AdamW(p))

    # ---- RMSprop ----

    def test_rmsprop(self):
        self.run_both(lambda p: Fit.RMSprop.new(p, 0.01),
                      lambda p: torch.optim.RMSprop(p, lr=0.01))

    def test_rmsprop_centered_momentum_weight_decay(self):
        def fit(p):
            opt = Fit.RMSprop.new(p, 0.01)
            opt.props.alpha = 0.9
            opt.props.momentum = 0.7
            opt.props.centered = True
            opt.props.weight_decay = 0.02
            opt.props.epsilon = 1e-5
            return opt
        self.run_both(fit, lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.7,
                                                         centered=True, weight_decay=0.02,
                                                         eps=1e-5))

    # ---- Adagrad ----

    def test_adagrad(self):
        self.run_both(lambda p: Fit.Adagrad.new(p, 0.1),
                      lambda p: torch.optim.Adagrad(p, lr=0.1))

    def test_adagrad_decay_accumulator_weight_decay(self):
        def fit(p):
            opt = Fit.Adagrad.new(p, 0.1)
            opt.props.lr_decay = 0.05
            opt.props.initial_accumulator_value = 0.3
            opt.props.weight_decay = 0.01
            return opt
        self.run_both(fit, lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05,
                                                         initial_accumulator_value=0.3,
                                                         weight_decay=0.01))

    # ---- the learning-rate property between steps ----

    def test_learning_rate_changed_between_steps(self):
        params, grads = make_problem(5)
        fit_params = [tensor(p) for p in params]
        torch_params = [torch.tensor(p, requires_grad=True) for p in params]
        opt = Fit.SGD.new(fit_params[:1], 0.1, 0.9)
        opt.add_param_group(fit_params[1:], 0.2, 0.0)
        topt = torch.optim.SGD([{"params": torch_params[:1]},
                                {"params": torch_params[1:], "lr": 0.2}], lr=0.1, momentum=0.9)
        notified = []
        opt.connect("notify::learning-rate", lambda *a: notified.append(opt.props.learning_rate))
        for step in range(N_STEPS):
            lr = 0.1 * 0.5 ** step
            opt.props.learning_rate = lr
            for group in topt.param_groups:
                group["lr"] = lr
            for i, g in enumerate(grads[step]):
                fit_params[i].set_grad(tensor(g))
                torch_params[i].grad = torch.tensor(g)
            opt.step()
            topt.step()
            for i in range(len(params)):
                assert_close(self, numpy(fit_params[i]), torch_params[i].detach().numpy(),
                             what=f"step {step}, parameter {i}")
        self.assertEqual(opt.get_param_group(1).props.learning_rate, 0.1 * 0.5 ** 5)
        self.assertEqual(len(notified), N_STEPS - 1)


@unittest.skipUnless(have_torch(), "needs torch")
class ClippingVsTorch(unittest.TestCase):

    def grads(self, scale):
        params, grads = make_problem(7)
        fit_params = [tensor(p) for p in params]
        torch_params = [torch.tensor(p, requires_grad=True) for p in params]
        for i, g in enumerate(grads[0]):
            fit_params[i].set_grad(tensor(g * scale))
            torch_params[i].grad = torch.tensor(g * scale)
        return fit_params, torch_params

    def test_clip_grad_norm(self):
        for max_norm in (0.5, 3.0, 100.0):
            fit_params, torch_params = self.grads(1.0)
            ok, total = Fit.clip_grad_norm(fit_params, max_norm)
            self.assertTrue(ok)
            expected = torch.nn.utils.clip_grad_norm_(torch_params, max_norm)
            self.assertAlmostEqual(total, float(expected), places=4)
            for f, t in zip(fit_params, torch_params):
                assert_close(self, numpy(f.get_grad()), t.grad.numpy(), what=f"max {max_norm}")

    def test_clip_grad_value(self):
        fit_params, torch_params = self.grads(2.0)
        Fit.clip_grad_value(fit_params, 1.5)
        torch.nn.utils.clip_grad_value_(torch_params, 1.5)
        for f, t in zip(fit_params, torch_params):
            assert_close(self, numpy(f.get_grad()), t.grad.numpy(), rtol=0, atol=0)


if __name__ == "__main__":
    main()
