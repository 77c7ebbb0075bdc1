#!/usr/bin/python3
"""Every loss against torch.nn.functional: values and gradients for each reduction and
option, in float32 (rtol 1e-5, absolute 1e-6 of the largest value: a mean or sum over
a batch cancels terms) and float64 (rtol 1e-10), and the errors for shapes and labels.
"""

import unittest

import numpy as np

from fit_testing import Fit, GLib, have_torch, main, numpy, tensor
from nn_testing import close, to_fit, torch

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch.nn.functional as F

REDUCTIONS = {"mean": Fit.Reduction.MEAN, "sum": Fit.Reduction.SUM, "none": Fit.Reduction.NONE}


def rng(seed=0):
    return np.random.default_rng(seed)


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TestLosses(unittest.TestCase):
    def check(self, fit_loss, torch_fn, pred, target, what, target_grad=False, dtype=np.float32):
        """Compares value and gradients of fit_loss(pred, target) with torch_fn."""
        pred = pred.astype(dtype)
        if target.dtype.kind == "f":
            target = target.astype(dtype)
        tol = dict(rtol=1e-5, scale=1e-6) if dtype == np.float32 else dict(rtol=1e-10, scale=1e-12)
        want_tgrad = target_grad and target.dtype.kind == "f"

        fp = tensor(pred, requires_grad=True)
        ft = tensor(target, requires_grad=want_tgrad)
        out = fit_loss.compute(fp, ft)
        tp = torch.tensor(pred, requires_grad=True)
        tt = torch.tensor(target, requires_grad=want_tgrad)
        tout = torch_fn(tp, tt)
        close(self, numpy(out), tout.detach().numpy(), what + ": value", **tol)

        g = rng(9).standard_normal(tout.shape).astype(dtype)
        out.backward_full(to_fit(g), False)
        tout.backward(torch.tensor(g))
        close(self, numpy(fp.get_grad()), tp.grad.numpy(), what + ": prediction gradient", **tol)
        if want_tgrad:
            close(self, numpy(ft.get_grad()), tt.grad.numpy(), what + ": target gradient", **tol)

    def test_cross_entropy_indices(self):
        logits = rng(1).standard_normal((6, 5)) * 3
        labels = np.array([0, 4, 2, -100, 1, 3], dtype=np.int64)
        weight = rng(2).uniform(0.5, 2, 5).astype(np.float32)
        for red, fr in REDUCTIONS.items():
            for ls in (0.0, 0.2):
                for w in (None, weight):
                    for dtype in (np.float32, np.float64):
                        what = f"CE {red} ls={ls} w={w is not None} {dtype.__name__}"
                        fl = Fit.CrossEntropyLoss.new_full(
                            fr, None if w is None else tensor(w.astype(dtype)), -100, ls)
                        tw = None if w is None else torch.tensor(w.astype(dtype))
                        self.check(fl, lambda p, t: F.cross_entropy(
                            p, t, weight=tw, reduction=red, label_smoothing=ls),
                            logits, labels, what, dtype=dtype)

    def test_cross_entropy_spatial_and_int32(self):
        logits = rng(3).standard_normal((2, 4, 3, 5))
        labels = rng(4).integers(0, 4, (2, 3, 5))
        for red, fr in REDUCTIONS.items():
            fl = Fit.CrossEntropyLoss.new_full(fr, None, -100, 0.1)
            self.check(fl, lambda p, t: F.cross_entropy(p, t, reduction=red, label_smoothing=0.1),
                       logits, labels.astype(np.int64), f"CE [N,C,H,W] {red}")
        fl = Fit.CrossEntropyLoss.new()
        self.check(fl, lambda p, t: F.cross_entropy(p, t.long()), logits,
                   labels.astype(np.int32), "CE int32 labels")
        self.check(fl, lambda p, t: F.cross_entropy(p, t.long()), logits,
                   labels.astype(np.float32), "CE float labels holding integers")

    def test_cross_entropy_probabilities(self):
        logits = rng(5).standard_normal((4, 6))
        probs = rng(6).dirichlet(np.ones(6), 4)
        weight = rng(7).uniform(0.5, 2, 6).astype(np.float32)
        for red, fr in REDUCTIONS.items():
            for ls in (0.0, 0.3):
                for w in (None, weight):
                    fl = Fit.CrossEntropyLoss.new_full(
                        fr, None if w is None else tensor(w), -100, ls)
                    tw = None if w is None else torch.tensor(w)
                    self.check(fl, lambda p, t: F.cross_entropy(
                        p, t, weight=tw, reduction=red, label_smoothing=ls),
                        logits, probs, f"CE probabilities {red} ls={ls} w={w is not None}",
                        target_grad=True)

    def test_nll(self):
        logp = np.log(rng(8).dirichlet(np.ones(5), 6))
        labels = np.array([0, 4, 2, 7, 1, 3], dtype=np.int64)
        weight = rng(2).uniform(0.5, 2, 5).astype(np.float32)
        for red, fr in REDUCTIONS.items():
            for w in (None, weight):
                fl = Fit.NLLLoss.new_full(fr, None if w is None else tensor(w), 7)
                tw = None if w is None else torch.tensor(w)
                self.check(fl, lambda p, t: F.nll_loss(p, t, weight=tw, reduction=red,
                                                       ignore_index=7),
                           logp, labels, f"NLL {red} w={w is not None}")

    def test_regression(self):
        pred = rng(10).standard_normal((5, 4)) * 2
        target = rng(11).standard_normal((5, 4)) * 2
        for red, fr in REDUCTIONS.items():
            for dtype in (np.float32, np.float64):
                self.check(Fit.MSELoss.new(fr), lambda p, t: F.mse_loss(p, t, reduction=red),
                           pred, target, f"MSE {red}", True, dtype)
                self.check(Fit.L1Loss.new(fr), lambda p, t: F.l1_loss(p, t, reduction=red),
                           pred, target, f"L1 {red}", True, dtype)
                for beta in (0.0, 0.5, 2.0):
                    self.check(Fit.SmoothL1Loss.new(fr, beta),
                               lambda p, t: F.smooth_l1_loss(p, t, reduction=red, beta=beta),
                               pred, target, f"SmoothL1 {red} beta={beta}", True, dtype)
                for delta in (0.5, 1.0, 3.0):
                    self.check(Fit.HuberLoss.new(fr, delta),
                               lambda p, t: F.huber_loss(p, t, reduction=red, delta=delta),
                               pred, target, f"Huber {red} delta={delta}", True, dtype)

    def test_bce(self):
        probs = rng(12).uniform(0.02, 0.98, (6, 3))
        target = (rng(13).uniform(size=(6, 3)) > 0.5).astype(np.float64)
        soft = rng(14).uniform(size=(6, 3))
        weight = rng(15).uniform(0.5, 2, 3).astype(np.float32)
        for red, fr in REDUCTIONS.items():
            for w in (None, weight):
                tw = None if w is None else torch.tensor(w)
                fl = Fit.BCELoss.new_full(fr, None if w is None else tensor(w))
                for t in (target, soft):
                    self.check(fl, lambda p, tt: F.binary_cross_entropy(p, tt, weight=tw,
                                                                        reduction=red),
                               probs, t, f"BCE {red} w={w is not None}", True)

    def test_bce_with_logits(self):
        logits = rng(16).standard_normal((6, 3)) * 4
        logits[0, 0] = 60.0     # far in the tails: stable where log(sigmoid) is not
        logits[1, 1] = -60.0
        target = rng(17).uniform(size=(6, 3))
        weight = rng(18).uniform(0.5, 2, 3).astype(np.float32)
        pos_weight = rng(19).uniform(0.5, 3, 3).astype(np.float32)
        for red, fr in REDUCTIONS.items():
            for w in (None, weight):
                for pw in (None, pos_weight):
                    tw = None if w is None else torch.tensor(w)
                    tpw = None if pw is None else torch.tensor(pw)
                    fl = Fit.BCEWithLogitsLoss.new_full(fr, None if w is None else tensor(w),
                                                        None if pw is None else tensor(pw))
                    self.check(fl, lambda p, t: F.binary_cross_entropy_with_logits(
                        p, t, weight=tw, pos_weight=tpw, reduction=red),
                        logits, target, f"BCEWithLogits {red} w={w is not None} "
                        f"pw={pw is not None}", True)

    def test_kl_div(self):
        logq = np.log(rng(20).dirichlet(np.ones(5), 4))
        p = rng(21).dirichlet(np.ones(5), 4)
        p[0, 2] = 0.0   # a zero target probability contributes nothing
        for red, fr in REDUCTIONS.items():
            self.check(Fit.KLDivLoss.new(fr, False),
                       lambda x, t: F.kl_div(x, t, reduction=red), logq, p, f"KL {red}")
            self.check(Fit.KLDivLoss.new(fr, True),
                       lambda x, t: F.kl_div(x, t, reduction=red, log_target=True),
                       logq, np.log(rng(22).dirichlet(np.ones(5), 4)), f"KL log-target {red}",
                       True)
        fl = Fit.KLDivLoss.new(Fit.Reduction.MEAN, False)
        fl.props.batch_mean = True
        self.check(fl, lambda x, t: F.kl_div(x, t, reduction="batchmean"), logq, p,
                   "KL batchmean")

    def test_classification_flags(self):
        self.assertTrue(Fit.CrossEntropyLoss.new().is_classification())
        self.assertTrue(Fit.NLLLoss.new().is_classification())
        self.assertTrue(Fit.BCELoss.new().is_classification())
        self.assertTrue(Fit.BCEWithLogitsLoss.new().is_classification())
        self.assertFalse(Fit.MSELoss.new(Fit.Reduction.MEAN).is_classification())
        self.assertFalse(Fit.KLDivLoss.new(Fit.Reduction.MEAN, False).is_classification())

    def assert_error(self, code, fn, *words):
        with self.assertRaises(GLib.Error) as cm:
            fn()
        self.assertTrue(cm.exception.matches(Fit.error_quark(), code), cm.exception.message)
        for w in words:
            self.assertIn(w, cm.exception.message)

    def test_errors(self):
        logits = tensor(np.zeros((4, 3), np.float32))
        ce = Fit.CrossEntropyLoss.new()
        self.assert_error(Fit.Error.INVALID_ARGUMENT,
                          lambda: ce.compute(logits, tensor(np.array([0, 1, 3, 2]))),
                          "label 3", "position 2", "3 classes")
        self.assert_error(Fit.Error.INVALID_ARGUMENT,
                          lambda: ce.compute(logits, tensor(np.array([0, -1, 1, 2]))), "label -1")
        self.assert_error(Fit.Error.INVALID_ARGUMENT,
                          lambda: ce.compute(logits, tensor(np.array([0, 0.5, 1, 2], np.float32))),
                          "0.5")
        self.assert_error(Fit.Error.SHAPE,
                          lambda: ce.compute(logits, tensor(np.array([0, 1, 2]))),
                          "[4, 3]", "[3]", "[4]")
        wrong_w = Fit.CrossEntropyLoss.new_full(Fit.Reduction.MEAN,
                                                tensor(np.ones(4, np.float32)), -100, 0)
        self.assert_error(Fit.Error.SHAPE,
                          lambda: wrong_w.compute(logits, tensor(np.array([0, 1, 2, 0]))), "[4]")
        mse = Fit.MSELoss.new(Fit.Reduction.MEAN)
        self.assert_error(Fit.Error.SHAPE,
                          lambda: mse.compute(tensor(np.zeros((4, 1), np.float32)),
                                              tensor(np.zeros(4, np.float32))), "[4, 1]", "[4]")
        bce = Fit.BCELoss.new()
        self.assert_error(Fit.Error.INVALID_ARGUMENT,
                          lambda: bce.compute(tensor(np.array([0.5, 1.5], np.float32)),
                                              tensor(np.array([0, 1], np.float32))), "1.5")


if __name__ == "__main__":
    main()
