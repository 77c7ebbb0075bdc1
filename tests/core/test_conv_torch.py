#!/usr/bin/python3
"""Convolution, pooling and dropout against PyTorch: outputs and gradients.

Every case builds its inputs in NumPy, runs fit-glib through gi and torch on the same
values, backpropagates the same random output gradient through both and compares the
output and every input gradient.

Tolerances. float64 results agree to rounding (rtol 1e-10). float32 results are held to
rtol 1e-5, plus an absolute tolerance of 1e-5 times the largest magnitude in the
reference: each element is a dot product (up to N·H·W terms long for a weight or bias
gradient) whose terms cancel, so an element near zero carries the rounding error of its
large partial sums, not of its own small value. Both libraries sum in float32 in
different orders; neither is exact.
"""

import itertools
import unittest

import numpy as np

from fit_testing import Fit, GLib, assert_close, have_torch, main, numpy, tensor

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)

TOL = {np.float32: dict(rtol=1e-5, scale=1e-5), np.float64: dict(rtol=1e-10, scale=1e-12)}


def close(test, actual, expected, dtype, what):
    tol = TOL[dtype]
    expected = np.asarray(expected, dtype=np.float64)
    atol = tol["scale"] * max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1.0)
    assert_close(test, actual, expected, rtol=tol["rtol"], atol=atol, what=what)


def fit_run(fn, arrays, grad_out):
    """Runs fn on fit tensors made from arrays (None stays None); returns the output
    and the gradient of sum(out * grad_out) for each input."""
    ts = [None if a is None else tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    g = tensor(grad_out.astype(numpy(out).dtype))
    out.backward_full(g, False)
    return numpy(out), [None if t is None else numpy(t.get_grad()) for t in ts]


def torch_run(fn, arrays, grad_out):
    ts = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    out.backward(torch.tensor(grad_out.astype(arrays[0].dtype)))
    return out.detach().numpy(), [None if t is None else t.grad.numpy() for t in ts]


def output_shape(fn, arrays):
    with torch.no_grad():
        return tuple(fn(*[None if a is None else torch.tensor(a) for a in arrays]).shape)


@unittest.skipUnless(HAVE_TORCH, "needs PyTorch")
class ConvTorchTest(unittest.TestCase):
    def compare(self, fit_fn, torch_fn, arrays, what, dtypes=(np.float32, np.float64)):
        rng = np.random.default_rng(len(what))
        grad = rng.uniform(-1, 1, output_shape(torch_fn, [a.astype(np.float64) if a is not None
                                                          else None for a in arrays]))
        for dtype in dtypes:
            typed = [None if a is None else a.astype(dtype) for a in arrays]
            out, grads = fit_run(fit_fn, typed, grad)
            ref, ref_grads = torch_run(torch_fn, typed, grad)
            self.assertEqual(out.dtype, dtype)
            close(self, out, ref, dtype, f"{what} {dtype.__name__} output")
            for i, (g, r) in enumerate(zip(grads, ref_grads)):
                if r is not None:
                    close(self, g, r, dtype, f"{what} {dtype.__name__} grad {i}")

    def test_conv2d_grid(self):
        rng = np.random.default_rng(0)
        for stride, padding, dilation, groups in itertools.product(
                [(1, 1), (2, 1), (3, 2)], [(0, 0), (1, 2)], [(1, 1), (2, 1)], [1, 2]):
            x = rng.uniform(-1, 1, (2, 4, 9, 8))
            w = rng.uniform(-1, 1, (6, 4 // groups, 3, 2))
            b = rng.uniform(-1, 1, 6)
            what = f"conv2d s={stride} p={padding} d={dilation} g={groups}"
            self.compare(
                lambda x, w, b: x.conv2d(w, b, *stride, *padding, *dilation, groups),
                lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups),
                [x, w, b], what)

    def test_conv2d_shapes(self):
        rng = np.random.default_rng(1)
        cases = [
            # (input shape, weight shape, bias?, stride, padding, dilation, groups)
            ((3, 5, 6, 7), (4, 5, 1, 1), True, 1, 0, 1, 1),       # 1x1: no im2col
            ((2, 6, 7, 7), (6, 1, 3, 3), True, 1, 1, 1, 6),       # depthwise
            ((2, 3, 6, 6), (4, 3, 3, 3), False, 1, 1, 1, 1),      # no bias
            ((3, 6, 6), (5, 3, 2, 2), True, 2, 1, 1, 1),          # unbatched
            ((5, 2, 4, 5), (3, 2, 4, 5), True, 1, 0, 1, 1),       # kernel == image
            ((2, 3, 5, 5), (4, 3, 3, 3), True, 2, 1, 2, 1),       # everything at once
            ((2, 3, 60, 57), (4, 3, 5, 5), True, 2, 2, 1, 1),     # large: bands of rows
            ((1, 4, 70, 64), (6, 2, 3, 3), True, 1, 1, 2, 2),     # bands, dilated, grouped
        ]
        for xs, ws, has_b, s, p, d, g in cases:
            x = rng.uniform(-1, 1, xs)
            w = rng.uniform(-1, 1, ws)
            b = rng.uniform(-1, 1, ws[0]) if has_b else None
            self.compare(lambda x, w, b: x.conv2d(w, b, s, s, p, p, d, d, g),
                         lambda x, w, b: F.conv2d(x, w, b, s, p, d, g),
                         [x, w, b], f"conv2d {xs} {ws}")

    def test_conv2d_benchmark_layers(self):
        # The benchmark CNN's layers at batch 64: chunked patch matrices, OpenMP threads.
        rng = np.random.default_rng(2)
        for cin, cout, size in [(1, 8, 28), (8, 16, 26), (16, 32, 24)]:
            x = rng.uniform(-1, 1, (64, cin, size, size))
            w = rng.uniform(-0.5, 0.5, (cout, cin, 3, 3))
            b = rng.uniform(-1, 1, cout)
            self.compare(lambda x, w, b: x.conv2d(w, b, 1, 1, 0, 0, 1, 1, 1),
                         lambda x, w, b: F.conv2d(x, w, b),
                         [x, w, b], f"conv2d {cin}->{cout} batch 64", dtypes=(np.float32,))

    def test_stride1_gradients_without_patch_matrices(self):
        # Stride-1 gradients with at least 8 input channels per group run as GEMMs on
        # shifted views of dY and X (no im2col/col2im): padding, dilation, groups,
        # rectangular kernels, no bias, unbatched, threads (batch 64), and the
        # transposed convolution, whose forward pass is that input gradient.
        rng = np.random.default_rng(5)
        cases = [
            # (input shape, weight shape, bias?, padding (h, w), dilation (h, w), groups)
            # (3×3 kernels without dilation take the Winograd path: see below.)
            ((3, 8, 9, 11), (5, 8, 2, 3), True, (0, 0), (1, 1), 1),
            ((2, 12, 10, 9), (7, 12, 3, 2), True, (1, 2), (1, 1), 1),
            ((2, 16, 11, 12), (6, 8, 3, 3), False, (1, 1), (2, 3), 2),
            ((10, 7, 8), (9, 10, 2, 3), True, (2, 0), (1, 1), 1),
            ((64, 16, 12, 12), (32, 16, 3, 3), True, (2, 2), (2, 2), 1),
            ((2, 64, 6, 7), (64, 64, 3, 2), True, (1, 1), (1, 1), 1),
        ]
        for xs, ws, has_b, (ph, pw), (dh, dw), g in cases:
            x = rng.uniform(-1, 1, xs)
            w = rng.uniform(-1, 1, ws)
            b = rng.uniform(-1, 1, ws[0]) if has_b else None
            self.compare(lambda x, w, b: x.conv2d(w, b, 1, 1, ph, pw, dh, dw, g),
                         lambda x, w, b: F.conv2d(x, w, b, 1, (ph, pw), (dh, dw), g),
                         [x, w, b], f"conv2d shifted {xs} {ws} p=({ph},{pw}) d=({dh},{dw})")
        for xs, ws, (ph, pw), (dh, dw), g in [
                ((2, 6, 5, 7), (6, 8, 3, 2), (0, 0), (1, 1), 1),
                ((3, 4, 6, 6), (4, 9, 2, 3), (1, 1), (2, 1), 2),
        ]:
            x = rng.uniform(-1, 1, xs)
            w = rng.uniform(-1, 1, ws)
            b = rng.uniform(-1, 1, ws[1] * g)
            self.compare(
                lambda x, w, b: x.conv_transpose2d(w, b, 1, 1, ph, pw, 0, 0, dh, dw, g),
                lambda x, w, b: F.conv_transpose2d(x, w, b, 1, (ph, pw), 0, g, (dh, dw)),
                [x, w, b], f"conv_transpose2d shifted {xs} {ws}")

    def test_winograd_3x3(self):
        # 3×3 kernels with stride 1 and no dilation, at least 4 channels per group on
        # each side, run by Winograd's F(2×2, 3×3): odd outputs (tiles past the edge),
        # padding (a bordered copy) and none with an even output (in place), groups,
        # no bias, unbatched, batch 64 (threads), an image split into bands of tile
        # rows with a shorter last band, over 64 × 64 channel pairs (the weight
        # gradient elsewhere), and the transposed convolution, whose forward pass is
        # the input gradient.
        rng = np.random.default_rng(6)
        cases = [
            # (input shape, weight shape, bias?, padding (h, w), groups)
            ((3, 8, 9, 11), (5, 8, 3, 3), True, (0, 0), 1),
            ((2, 4, 8, 8), (6, 4, 3, 3), True, (0, 0), 1),
            ((2, 6, 10, 10), (4, 6, 3, 3), False, (1, 1), 1),
            ((2, 8, 7, 6), (8, 4, 3, 3), True, (2, 0), 2),
            ((5, 9, 9), (4, 5, 3, 3), True, (1, 1), 1),
            ((64, 16, 12, 12), (32, 16, 3, 3), True, (1, 1), 1),
            ((1, 16, 70, 64), (8, 16, 3, 3), True, (1, 1), 1),
            ((2, 72, 6, 7), (64, 72, 3, 3), True, (1, 1), 1),
            ((1, 4, 3, 3), (4, 4, 3, 3), True, (0, 0), 1),     # one output pixel
            ((1, 4, 2, 2), (4, 4, 3, 3), True, (1, 1), 1),     # more padding than image
            ((3, 4, 1, 1), (5, 4, 3, 3), False, (1, 1), 1),
            ((2, 12, 5, 4), (12, 4, 3, 3), True, (1, 1), 3),   # groups of exactly 4
            # Rows of at least a vector of tiles (8 float32, 4 float64) run in whole
            # vectors, the last overlapping the one before: the benchmark's second
            # layer (12 tiles a row, in place), an odd output width (11 tiles, the
            # output's own loops), an odd output height (a last tile row of one row).
            ((3, 8, 26, 26), (16, 8, 3, 3), True, (0, 0), 1),
            ((2, 16, 24, 23), (8, 16, 3, 3), True, (0, 0), 1),
            ((2, 6, 21, 20), (5, 6, 3, 3), False, (1, 1), 1),
        ]
        for xs, ws, has_b, (ph, pw), g in cases:
            x = rng.uniform(-1, 1, xs)
            w = rng.uniform(-1, 1, ws)
            b = rng.uniform(-1, 1, ws[0]) if has_b else None
            self.compare(lambda x, w, b: x.conv2d(w, b, 1, 1, ph, pw, 1, 1, g),
                         lambda x, w, b: F.conv2d(x, w, b, 1, (ph, pw), 1, g),
                         [x, w, b], f"conv2d winograd {xs} {ws} p=({ph},{pw}) g={g}")
        for xs, ws, (ph, pw), g in [
                ((2, 6, 5, 7), (6, 8, 3, 3), (0, 0), 1),
                ((3, 8, 6, 6), (8, 5, 3, 3), (1, 1), 2),
        ]:
            x = rng.uniform(-1, 1, xs)
            w = rng.uniform(-1, 1, ws)
            b = rng.uniform(-1, 1, ws[1] * g)
            self.compare(
                lambda x, w, b: x.conv_transpose2d(w, b, 1, 1, ph, pw, 0, 0, 1, 1, g),
                lambda x, w, b: F.conv_transpose2d(x, w, b, 1, (ph, pw), 0, g, 1),
                [x, w, b], f"conv_transpose2d winograd {xs} {ws}")

    def test_conv_transpose2d_grid(self):
        rng = np.random.default_rng(3)
        for stride, padding, out_pad, dilation, groups in [
                ((1, 1), (0, 0), (0, 0), (1, 1), 1),
                ((2, 2), (0, 0), (1, 1), (1, 1), 1),
                ((2, 3), (1, 0), (1, 2), (1, 1), 2),
                ((3, 1), (1, 1), (2, 0), (1, 2), 1),
                ((1, 1), (1, 1), (1, 0), (2, 2), 2),    # output padding below the dilation
                ((2, 2), (2, 1), (0, 1), (2, 1), 1),
        ]:
            x = rng.uniform(-1, 1, (2, 4, 5, 6))
            w = rng.uniform(-1, 1, (4, 6 // groups, 3, 2))
            b = rng.uniform(-1, 1, 6)
            what = f"conv_transpose2d s={stride} p={padding} op={out_pad} d={dilation} g={groups}"
            self.compare(
                lambda x, w, b: x.conv_transpose2d(w, b, *stride, *padding, *out_pad,
                                                   *dilation, groups),
                lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding, out_pad,
                                                   groups, dilation),
                [x, w, b], what)

    def test_conv_transpose2d_shapes(self):
        rng = np.random.default_rng(4)
        x = rng.uniform(-1, 1, (3, 5, 4))    # unbatched, no bias
        w = rng.uniform(-1, 1, (3, 2, 3, 3))
        self.compare(lambda x, w: x.conv_transpose2d(w, None, 2, 2, 1, 1, 1, 1, 1, 1, 1),
                     lambda x, w: F.conv_transpose2d(x, w, None, 2, 1, 1),
                     [x, w], "conv_transpose2d unbatched")
        x = rng.uniform(-1, 1, (2, 4, 40, 40))  # large input: bands of rows
        w = rng.uniform(-1, 1, (4, 3, 4, 4))
        self.compare(lambda x, w: x.conv_transpose2d(w, None, 2, 2, 1, 1, 1, 0, 1, 1, 1),
                     lambda x, w: F.conv_transpose2d(x, w, None, 2, 1, (1, 0)),
                     [x, w], "conv_transpose2d large")
        x = rng.uniform(-1, 1, (16, 8, 6, 6))  # a decoder layer: threads and chunks
        w = rng.uniform(-1, 1, (8, 4, 4, 4))
        b = rng.uniform(-1, 1, 4)
        self.compare(lambda x, w, b: x.conv_transpose2d(w, b, 2, 2, 1, 1, 0, 0, 1, 1, 1),
                     lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1),
                     [x, w, b], "conv_transpose2d decoder")

    def test_max_pool2d(self):
        rng = np.random.default_rng(5)
        for k, s, p in [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)),
                        ((3, 2), (1, 2), (1, 0)), ((2, 3), (0, 0), (0, 1))]:
            x = rng.uniform(-1, 1, (2, 3, 9, 8))
            ts = tuple(s[i] or k[i] for i in range(2))
            self.compare(lambda x: x.max_pool2d(*k, *s, *p),
                         lambda x: F.max_pool2d(x, k, ts, p),
                         [x], f"max_pool2d k={k} s={s} p={p}")
        # Ties: the first maximum in the window takes the gradient.
        x = np.zeros((1, 1, 4, 4))
        self.compare(lambda x: x.max_pool2d(2, 2, 1, 1, 0, 0),
                     lambda x: F.max_pool2d(x, 2, 1), [x], "max_pool2d ties")
        x = rng.uniform(-1, 1, (3, 6, 6))
        self.compare(lambda x: x.max_pool2d(3, 3, 2, 2, 1, 1),
                     lambda x: F.max_pool2d(x, 3, 2, 1), [x], "max_pool2d unbatched")

    def test_avg_pool2d(self):
        rng = np.random.default_rng(6)
        for (k, s, p), include in itertools.product(
                [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)),
                 ((3, 2), (1, 2), (1, 1)), ((5, 4), (3, 0), (2, 2))], [True, False]):
            x = rng.uniform(-1, 1, (2, 3, 9, 8))
            ts = tuple(s[i] or k[i] for i in range(2))
            self.compare(lambda x: x.avg_pool2d(*k, *s, *p, include),
                         lambda x: F.avg_pool2d(x, k, ts, p, count_include_pad=include),
                         [x], f"avg_pool2d k={k} s={s} p={p} include_pad={include}")
        # One output position whose window leaves part of the image out (unlike a
        # global pool, which spreads the gradient over all of it).
        for size, k, s, p, include in [((5, 4), 3, 3, 0, True), ((3, 3), 3, 4, 1, False)]:
            x = rng.uniform(-1, 1, (2, 3) + size)
            self.compare(lambda x: x.avg_pool2d(k, k, s, s, p, p, include),
                         lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=include),
                         [x], f"avg_pool2d {size} k={k} s={s} p={p} to one position")

    def test_adaptive_avg_pool2d(self):
        rng = np.random.default_rng(7)
        for size, out in [((9, 8), (1, 1)), ((9, 8), (4, 3)), ((7, 10), (3, 4)),
                          ((5, 5), (5, 5)), ((4, 3), (6, 7)), ((22, 22), (1, 1)),
                          ((7, 5), (3, 1))]:    # bins as wide as the image, overlapping
            x = rng.uniform(-1, 1, (2, 3) + size)
            self.compare(lambda x: x.adaptive_avg_pool2d(*out),
                         lambda x: F.adaptive_avg_pool2d(x, out),
                         [x], f"adaptive_avg_pool2d {size}->{out}")

    def test_dropout_statistics(self):
        # Different generators than torch's, so compare the law, not the draws.
        x = np.ones((200, 500), dtype=np.float32)
        for p in [0.1, 0.5, 0.9]:
            rng = Fit.Rng.new(11)
            t = tensor(x, requires_grad=True)
            out = t.dropout(p, rng, True)
            y = numpy(out)
            kept = y != 0
            np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
            frac = kept.mean()
            self.assertLess(abs(frac - (1 - p)), 5 * np.sqrt(p * (1 - p) / x.size))
            g = np.random.default_rng(8).uniform(-1, 1, x.shape).astype(np.float32)
            out.backward_full(tensor(g), False)
            np.testing.assert_allclose(numpy(t.get_grad()), g * y, rtol=1e-6)

    def test_errors(self):
        x = tensor(np.zeros((1, 4, 5, 5), dtype=np.float32))
        w = tensor(np.zeros((6, 3, 3, 3), dtype=np.float32))
        with self.assertRaises(GLib.Error) as ctx:
            x.conv2d(w, None, 1, 1, 0, 0, 1, 1, 1)
        self.assertTrue(ctx.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        self.assertIn("[6, 3, 3, 3]", ctx.exception.message)
        with self.assertRaises(GLib.Error) as ctx:
            x.dropout(1.0, Fit.Rng.new(1), True)
        self.assertTrue(ctx.exception.matches(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT))


if __name__ == "__main__":
    main()
