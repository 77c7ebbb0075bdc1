#!/usr/bin/python3
"""Reductions, softmax, matmul and linear through Fit (via GObject introspection)
and through PyTorch on the same inputs: outputs and gradients must match.

Tolerances are rtol 1e-5 for float32 (1e-10 for float64). Long sums are the one
exception, and only in the absolute part: two correct float32 implementations of a
sum of K terms differ by rounding that scales with the magnitude of the terms, not of
the result (which may cancel to nearly zero). So for sums, matrix products and their
gradients the absolute tolerance is 1e-5 (float32) times the sum of the absolute
values of the terms of each output element, e.g. |A| @ |B| for A @ B.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from fit_testing import Fit, GLib, assert_close, have_torch, main, numpy, tensor  # noqa: E402,F401

if have_torch():
    import torch
    torch.set_num_threads(1)


def rtol_for(dtype):
    return 1e-5 if dtype == np.float32 else 1e-10


def make_tensor(a, requires_grad=False):
    # fit_testing.tensor() goes through np.ascontiguousarray, which turns a 0-d array
    # into shape [1]; scalars are built directly.
    if a.ndim == 0:
        dtype = Fit.DType.FLOAT32 if a.dtype == np.float32 else Fit.DType.FLOAT64
        t = Fit.Tensor.new_scalar(dtype, float(a))
        if requires_grad:
            t.set_requires_grad(True)
        return t
    return tensor(a, requires_grad)


def run_both(fit_fn, torch_fn, arrays, seed=0, grads=None):
    """Runs fit_fn on Fit tensors and torch_fn on torch tensors of the same arrays,
    back-propagating the same random upstream gradient. grads[i] says whether array i
    requires a gradient (default: floating arrays do)."""
    if grads is None:
        grads = [a.dtype.kind == "f" for a in arrays]
    tt = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    tout = torch_fn(*tt)
    ft = [tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    fout = fit_fn(*ft)
    fo = numpy(fout)
    upstream = None
    if tout.requires_grad:
        rng = np.random.default_rng(seed)
        upstream = rng.uniform(-1, 1, size=tout.shape).astype(arrays[0].dtype)
        tout.backward(torch.from_numpy(upstream))
        fout.backward_full(make_tensor(upstream), False)
    tg = [t.grad.numpy() if g and t.grad is not None else None for t, g in zip(tt, grads)]
    fg = [numpy(t.get_grad()) if g else None for t, g in zip(ft, grads)]
    return fo, tout.detach().numpy(), fg, tg, upstream


@unittest.skipUnless(have_torch(), "PyTorch is not installed")
class Reductions(unittest.TestCase):
    SHAPE = (3, 4, 5, 6)
    DIMS = [(), (0,), (1,), (-1,), (-2,), (0, 2), (1, 3), (3, 0, 1), (0, 1, 2, 3)]

    def check(self, kind, dtype, dims, keep, correction=1):
        rng = np.random.default_rng(len(dims) * 7 + keep)
        x = rng.normal(1.0, 2.0, size=self.SHAPE).astype(dtype)
        tdims = dims if dims else tuple(range(x.ndim))

        def fit_fn(t):
            if kind == "sum":
                return t.sum(list(dims), keep)
            if kind == "mean":
                return t.mean(list(dims), keep)
            return t.var(list(dims), keep, correction)

        def torch_fn(t):
            if kind == "sum":
                return t.sum(dim=tdims, keepdim=keep)
            if kind == "mean":
                return t.mean(dim=tdims, keepdim=keep)
            return t.var(dim=tdims, unbiased=bool(correction), keepdim=keep)

        fo, to, fg, tg, self.last_upstream = run_both(fit_fn, torch_fn, [x])
        rtol = rtol_for(dtype)
        # Sums: absolute error relative to the sum of the magnitudes (see the module doc).
        scale = np.abs(x).sum(axis=tdims, keepdims=keep)
        if kind == "mean":
            scale = scale / (x.size / max(scale.size, 1))
        atol = rtol * scale if kind != "var" else rtol * np.abs(to)
        what = f"{kind} {dtype.__name__} dims={dims} keep={keep}"
        assert_close(self, fo, to, rtol=rtol, atol=atol, what=what)
        if kind == "var":
            # 2 g (x - mean) / (N - c): x - mean cancels, so scale by |x| + |mean|.
            n = x.size // to.size
            mean = x.mean(axis=tdims, keepdims=True)
            up = np.abs(self.last_upstream).reshape(mean.shape)
            gatol = rtol * 2 / max(n - correction, 1) * up * (np.abs(x) + np.abs(mean))
        else:
            gatol = rtol * 1e-3
        assert_close(self, fg[0], tg[0], rtol=rtol, atol=gatol, what=what + " grad")

    def test_sum_mean_var(self):
        for dtype in (np.float32, np.float64):
            for dims in self.DIMS:
                for keep in (False, True):
                    self.check("sum", dtype, dims, keep)
                    self.check("mean", dtype, dims, keep)
                    self.check("var", dtype, dims, keep, 1)
                    self.check("var", dtype, dims, keep, 0)

    def test_long_sums(self):
        rng = np.random.default_rng(1)
        x = rng.uniform(-1, 1, size=(200, 3000)).astype(np.float32)
        for dims in ((), (0,), (1,)):
            tdims = dims if dims else (0, 1)
            fo, to, fg, tg, _ = run_both(lambda t: t.sum(list(dims), False),
                                         lambda t: t.sum(dim=tdims), [x])
            atol = 1e-5 * np.abs(x).sum(axis=tdims)
            assert_close(self, fo, to, rtol=1e-5, atol=atol, what=f"long sum {dims}")
            assert_close(self, fg[0], tg[0], rtol=1e-5, atol=0, what=f"long sum {dims} grad")
        # Accuracy of our own: 2^22 float32 values of 0.1 sum to 419430.4 (a naive
        # float32 loop ends up near 524288).
        ones = np.full(1 << 22, 0.1, dtype=np.float32)
        total = numpy(tensor(ones).sum([], False))
        self.assertLess(abs(float(total) / (float(np.float32(0.1)) * (1 << 22)) - 1), 3e-7)

    def test_integer_sum(self):
        x = np.arange(12, dtype=np.int64).reshape(3, 4)
        out = tensor(x).sum([1], False)
        self.assertEqual(out.get_dtype(), Fit.DType.INT64)
        np.testing.assert_array_equal(numpy(out), x.sum(axis=1))

    def test_errors(self):
        t = tensor(np.zeros((2, 3), np.float32))
        with self.assertRaises(GLib.Error) as cm:
            t.sum([2], False)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT))
        with self.assertRaises(GLib.Error) as cm:
            t.var([0, -2], False, 1)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT))


@unittest.skipUnless(have_torch(), "PyTorch is not installed")
class OneDimension(unittest.TestCase):
    def test_max_min_argmax(self):
        rng = np.random.default_rng(2)
        for dtype in (np.float32, np.float64):
            x = rng.normal(size=(4, 5, 6)).astype(dtype)
            for dim in (-3, -2, -1, 0, 1, 2):
                for keep in (False, True):
                    for name in ("max", "min"):
                        fo, to, fg, tg, _ = run_both(
                            lambda t: getattr(t, name)(dim, keep),
                            lambda t: getattr(torch, name)(t, dim=dim, keepdim=keep).values, [x])
                        what = f"{name} dim={dim} keep={keep}"
                        assert_close(self, fo, to, rtol=0, atol=0, what=what)
                        assert_close(self, fg[0], tg[0], rtol=0, atol=0, what=what + " grad")
                    am = numpy(tensor(x).argmax(dim, keep))
                    np.testing.assert_array_equal(am, torch.argmax(torch.tensor(x), dim=dim,
                                                                   keepdim=keep).numpy())

    def test_max_ties(self):
        # The gradient goes to the first maximum only, as with torch.max(dim).
        x = np.array([[1, 3, 3, 2], [5, 5, 5, 5]], dtype=np.float32)
        fo, to, fg, tg, _ = run_both(lambda t: t.max(1, False),
                                     lambda t: torch.max(t, dim=1).values, [x])
        np.testing.assert_array_equal(fg[0], tg[0])
        np.testing.assert_array_equal(fg[0], [[0, tg[0][0, 1], 0, 0], [tg[0][1, 0], 0, 0, 0]])

    def check_softmaxes(self, x, what):
        rtol = rtol_for(x.dtype.type)
        for dim in range(-x.ndim, x.ndim):
            for name, tfn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
                fo, to, fg, tg, up = run_both(lambda t: getattr(t, name)(dim),
                                              lambda t: tfn(t, dim=dim), [x])
                w = f"{what} {name} dim={dim}"
                self.assertTrue(np.all(np.isfinite(fo)), w)
                # log_softmax is x - logsumexp: its rounding scales with |logsumexp|.
                atol = rtol * (np.abs(to).max() if name == "log_softmax" else 1e-2)
                assert_close(self, fo, to, rtol=rtol, atol=atol, what=w)
                # The backwards subtract a sum (g - Σ g·y, or g - e^y Σ g) that may cancel:
                # scale by the magnitudes of the terms.
                g = np.abs(up)
                if name == "softmax":
                    y = np.abs(to)
                    mag = y * (g + (g * y).sum(axis=dim, keepdims=True))
                else:
                    mag = g + np.exp(to) * g.sum(axis=dim, keepdims=True)
                assert_close(self, fg[0], tg[0], rtol=rtol, atol=rtol * mag, what=w + " grad")
            for keep in (False, True):
                fo, to, fg, tg, _ = run_both(lambda t: t.logsumexp(dim, keep),
                                             lambda t: torch.logsumexp(t, dim=dim, keepdim=keep),
                                             [x])
                w = f"{what} logsumexp dim={dim} keep={keep}"
                self.assertTrue(np.all(np.isfinite(fo)), w)
                assert_close(self, fo, to, rtol=rtol, atol=rtol * 1e-2, what=w)
                assert_close(self, fg[0], tg[0], rtol=rtol, atol=rtol * 1e-2, what=w + " grad")

    def test_softmax_family(self):
        rng = np.random.default_rng(3)
        for dtype in (np.float32, np.float64):
            self.check_softmaxes(rng.normal(size=(3, 4, 5)).astype(dtype), dtype.__name__)

    def test_softmax_large_logits(self):
        # exp(1e4) overflows any float: only a shifted computation stays finite.
        rng = np.random.default_rng(4)
        x = (rng.normal(size=(8, 10)) * 1e4).astype(np.float32)
        self.check_softmaxes(x, "large logits")
        x = np.array([[1e4, 1e4 - 1, -1e4], [-1e4, -1e4 + 2, -1e4]], dtype=np.float32)
        self.check_softmaxes(x, "near-ties at 1e4")

    def test_classifier_shapes(self):
        # What cross-entropy sees in the MLP: [64, 10] logits over the last dimension.
        rng = np.random.default_rng(5)
        x = (rng.normal(size=(64, 10)) * 5).astype(np.float32)
        self.check_softmaxes(x, "classifier")


def magnitudes(torch_fn, arrays, upstream, grads):
    """The same computation on |inputs| with |upstream| in float64: each output and
    gradient element becomes the sum of the magnitudes of its terms, the scale of
    its rounding error (see the module doc)."""
    tt = [torch.tensor(np.abs(a).astype(np.float64), requires_grad=g)
          for a, g in zip(arrays, grads)]
    out = torch_fn(*tt)
    out.backward(torch.tensor(np.abs(upstream).astype(np.float64)))
    return out.detach().numpy(), [t.grad.numpy() if g else None for t, g in zip(tt, grads)]


@unittest.skipUnless(have_torch(), "PyTorch is not installed")
class Products(unittest.TestCase):
    CASES = [((5,), (5,)), ((4,), (4, 3)), ((2, 4), (4,)), ((2, 3), (3, 5)),
             ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 6)),
             ((4,), (3, 4, 2)), ((3, 2, 4), (4,)), ((2, 3, 4), (2, 4, 3)),
             ((64, 8, 16), (64, 16, 8)), ((64, 784), (784, 512))]

    def test_matmul(self):
        rng = np.random.default_rng(6)
        for dtype in (np.float32, np.float64):
            rtol = rtol_for(dtype)
            for sa, sb in self.CASES:
                a = rng.normal(size=sa).astype(dtype)
                b = rng.normal(size=sb).astype(dtype)
                fo, to, fg, tg, up = run_both(lambda x, y: x.matmul(y), torch.matmul, [a, b])
                mo, mg = magnitudes(torch.matmul, [a, b], up, [True, True])
                w = f"matmul {sa} x {sb} {dtype.__name__}"
                assert_close(self, fo, to, rtol=rtol, atol=rtol * mo, what=w)
                assert_close(self, fg[0], tg[0], rtol=rtol, atol=rtol * mg[0], what=w + " grad a")
                assert_close(self, fg[1], tg[1], rtol=rtol, atol=rtol * mg[1], what=w + " grad b")

    def test_matmul_shape_error(self):
        a = tensor(np.zeros((2, 3), np.float32))
        b = tensor(np.zeros((4, 5), np.float32))
        with self.assertRaises(GLib.Error) as cm:
            a.matmul(b)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        for part in ("matmul", "[2, 3]", "[4, 5]"):
            self.assertIn(part, cm.exception.message)

    def check_linear(self, rows, n_in, n_out, with_bias, input_grad=True, dtype=np.float32):
        rng = np.random.default_rng(rows + n_in + n_out)
        x = rng.normal(size=(rows, n_in)).astype(dtype)
        w = (rng.normal(size=(n_out, n_in)) / np.sqrt(n_in)).astype(dtype)
        b = rng.normal(size=(n_out,)).astype(dtype)
        arrays = [x, w, b] if with_bias else [x, w]
        grads = [input_grad, True, True][:len(arrays)]
        fo, to, fg, tg, up = run_both(
            lambda *t: t[0].linear(t[1], t[2] if with_bias else None),
            lambda *t: torch.nn.functional.linear(*t), arrays, grads=grads)
        rtol = rtol_for(dtype)
        mo, mg = magnitudes(torch.nn.functional.linear, arrays, up, grads)
        what = f"linear [{rows}, {n_in}] -> {n_out} bias={with_bias}"
        assert_close(self, fo, to, rtol=rtol, atol=rtol * mo, what=what)
        names = ["dX", "dW", "db"]
        for i in range(len(arrays)):
            if grads[i]:
                assert_close(self, fg[i], tg[i], rtol=rtol, atol=rtol * mg[i],
                             what=f"{what} {names[i]}")
            else:
                self.assertIsNone(fg[i], f"{what}: {names[i]} was computed but not needed")

    def test_linear_mlp_shapes(self):
        # The MLP 784-512-256-10 at batch 64; fc1's input needs no gradient.
        self.check_linear(64, 784, 512, True, input_grad=False)
        self.check_linear(64, 512, 256, True)
        self.check_linear(64, 256, 10, True)
        self.check_linear(64, 784, 512, False)
        self.check_linear(3, 7, 5, True, dtype=np.float64)

    def test_linear_batched_input(self):
        rng = np.random.default_rng(7)
        x = rng.normal(size=(2, 3, 7)).astype(np.float32)
        w = rng.normal(size=(5, 7)).astype(np.float32)
        b = rng.normal(size=(5,)).astype(np.float32)
        fo, to, fg, tg, up = run_both(lambda *t: t[0].linear(t[1], t[2]),
                                      torch.nn.functional.linear, [x, w, b])
        mo, mg = magnitudes(torch.nn.functional.linear, [x, w, b], up, [True] * 3)
        assert_close(self, fo, to, rtol=1e-5, atol=1e-5 * mo, what="linear 3-D")
        for i in range(3):
            assert_close(self, fg[i], tg[i], rtol=1e-5, atol=1e-5 * mg[i],
                         what=f"linear 3-D grad {i}")


if __name__ == "__main__":
    main()
