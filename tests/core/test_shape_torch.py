#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shape, join and indexing ops against PyTorch: values and gradients, float32 and
float64, called through GObject introspection.

Every op here only moves or sums a handful of elements, so float32 results must match
to the default rtol 1e-5 (most are bit-exact copies)."""

import unittest

import numpy as np

from fit_testing import Fit, GLib, assert_close, have_torch, main, numpy, tensor

if have_torch():
    import torch

MAXINT64 = GLib.MAXINT64
DTYPES = [np.float32, np.float64]


@unittest.skipUnless(have_torch(), "PyTorch is not installed")
class ShapeVsTorch(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(20240611)

    def randn(self, *shape, dtype=np.float32):
        return self.rng.standard_normal(shape).astype(dtype)

    def check(self, fit_op, torch_op, *arrays, what=""):
        """Runs both ops on copies of @arrays (all requiring gradients), compares the
        outputs, then back-propagates one random output gradient through both and
        compares the input gradients."""
        xs = [tensor(a, requires_grad=True) for a in arrays]
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = fit_op(*xs)
        ref = torch_op(*ts)
        self.assertEqual(tuple(out.get_shape()), tuple(ref.shape), f"{what}: shape")
        assert_close(self, numpy(out), ref.detach().numpy(), what=f"{what}: value")
        seed = self.randn(*ref.shape, dtype=arrays[0].dtype)
        out.backward_full(tensor(seed), False)
        ref.backward(torch.tensor(seed))
        for k, (x, t) in enumerate(zip(xs, ts)):
            assert_close(self, numpy(x.get_grad()), t.grad.numpy(),
                         what=f"{what}: gradient of input {k}")

    def assert_error(self, code, func, *args, mentions=()):
        with self.assertRaises(GLib.Error) as cm:
            func(*args)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), code),
                        f"expected {code}, got {cm.exception.domain} {cm.exception.code}: "
                        f"{cm.exception.message}")
        for text in mentions:
            self.assertIn(text, cm.exception.message)

    # ---- views ----

    def test_reshape(self):
        for dt in DTYPES:
            a = self.randn(2, 3, 4, dtype=dt)
            self.check(lambda x: x.reshape([4, -1]), lambda x: x.reshape(4, -1), a,
                       what=f"reshape {dt.__name__}")
            b = self.randn(2, 3, 1, 2, 2, 3, dtype=dt)
            self.check(lambda x: x.reshape([3, 2, 2, -1, 1, 6]),
                       lambda x: x.reshape(3, 2, 2, -1, 1, 6), b, what="reshape 6-D")

    def test_flatten_squeeze_unsqueeze(self):
        a = self.randn(2, 3, 4, 5)
        self.check(lambda x: x.flatten(1, -1), lambda x: x.flatten(1, -1), a, what="flatten")
        self.check(lambda x: x.flatten(1, 2), lambda x: x.flatten(1, 2), a, what="flatten mid")
        b = self.randn(3, 1, 4)
        self.check(lambda x: x.squeeze(1), lambda x: x.squeeze(1), b, what="squeeze")
        self.check(lambda x: x.squeeze(0), lambda x: x.squeeze(0), b, what="squeeze no-op")
        self.check(lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), b, what="unsqueeze")
        self.check(lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0), b, what="unsqueeze 0")

    def test_reshape_shares_data(self):
        x = tensor(np.arange(12, dtype=np.float32))
        y = x.reshape([3, 4])
        x.fill(5.0)
        self.assertTrue((numpy(y) == 5.0).all())

    # ---- copies ----

    def test_transpose_permute(self):
        for dt in DTYPES:
            a = self.randn(70, 45, dtype=dt)
            self.check(lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1), a,
                       what=f"transpose {dt.__name__}")
        b = self.randn(3, 37, 50)
        self.check(lambda x: x.transpose(-1, -2), lambda x: x.transpose(-1, -2), b,
                   what="batched transpose")
        c = self.randn(2, 3, 1, 4, 2, 3)
        perm = [5, 2, 0, 3, 1, 4]
        self.check(lambda x: x.permute(perm), lambda x: x.permute(*perm), c, what="permute 6-D")
        d = self.randn(300, 257)
        self.check(lambda x: x.transpose(0, 1), lambda x: x.t(), d, what="large transpose")

    def test_integer_moves(self):
        a = self.rng.integers(-1000, 1000, size=(4, 5, 6)).astype(np.int64)
        x, t = tensor(a), torch.tensor(a)
        np.testing.assert_array_equal(numpy(x.transpose(0, 2)), t.transpose(0, 2).numpy())
        np.testing.assert_array_equal(numpy(x.reshape([-1, 6])), t.reshape(-1, 6).numpy())
        np.testing.assert_array_equal(numpy(x.slice(1, 1, 5, 2)), t[:, 1:5:2].numpy())
        np.testing.assert_array_equal(numpy(Fit.Tensor.concat([x, x], 2)),
                                      torch.cat([t, t], 2).numpy())
        idx = np.array([3, 0, 3], dtype=np.int32)
        np.testing.assert_array_equal(numpy(x.index_select(1, tensor(idx))),
                                      t.index_select(1, torch.tensor(idx).long()).numpy())

    def test_expand(self):
        a = self.randn(3, 1, 2)
        self.check(lambda x: x.expand([2, 3, 4, 2]), lambda x: x.expand(2, 3, 4, 2), a,
                   what="expand")
        self.check(lambda x: x.expand([-1, 5, -1]), lambda x: x.expand(-1, 5, -1), a,
                   what="expand -1")

    def test_concat_stack(self):
        for dt in DTYPES:
            a, b, c = (self.randn(2, n, 3, dtype=dt) for n in (1, 3, 2))
            self.check(lambda *x: Fit.Tensor.concat(list(x), 1), lambda *x: torch.cat(x, 1),
                       a, b, c, what=f"concat {dt.__name__}")
        p, q, r = (self.randn(2, 3, 4) for _ in range(3))
        for dim in (0, 1, -1, 3):
            self.check(lambda *x: Fit.Tensor.stack(list(x), dim),
                       lambda *x: torch.stack(x, dim), p, q, r, what=f"stack {dim}")

    def test_slice(self):
        a = self.randn(3, 10, 2)
        cases = [(0, 10, 1), (2, 7, 1), (1, 9, 3), (-4, -1, 1), (-100, 100, 2), (7, 3, 1),
                 (-3, MAXINT64, 2), (0, 1, 5)]
        for start, end, step in cases:
            stop = None if end == MAXINT64 else end
            self.check(lambda x: x.slice(1, start, end, step),
                       lambda x: x[:, start:stop:step], a, what=f"slice {start}:{end}:{step}")
        self.check(lambda x: x.slice(0, 1, 3, 1), lambda x: x[1:3], a, what="slice rows (view)")
        self.check(lambda x: x.slice(-1, 1, 2, 1), lambda x: x[..., 1:2], a, what="slice last")

    # ---- indexing ----

    def test_index_select(self):
        for dt in DTYPES:
            a = self.randn(3, 5, 4, dtype=dt)
            for idt in (np.int32, np.int64):
                idx = np.array([4, 0, 4, 2, 4], dtype=idt)
                self.check(lambda x: x.index_select(1, tensor(idx)),
                           lambda x: x.index_select(1, torch.tensor(idx).long()), a,
                           what=f"index_select {dt.__name__} {idt.__name__}")

    def test_gather(self):
        a = self.randn(4, 5, 3)
        idx = self.rng.integers(0, 5, size=(3, 7, 2)).astype(np.int64)
        self.check(lambda x: x.gather(1, tensor(idx)),
                   lambda x: x.gather(1, torch.tensor(idx)), a, what="gather dim 1")
        idx = self.rng.integers(0, 3, size=(4, 5, 6)).astype(np.int64)
        self.check(lambda x: x.gather(-1, tensor(idx)),
                   lambda x: x.gather(-1, torch.tensor(idx)), a, what="gather last")

    def test_embedding(self):
        for dt in DTYPES:
            w = self.randn(6, 4, dtype=dt)
            idx = self.rng.integers(0, 6, size=(3, 5)).astype(np.int64)
            self.check(lambda x: Fit.Tensor.embedding(x, tensor(idx)),
                       lambda x: torch.nn.functional.embedding(torch.tensor(idx), x), w,
                       what=f"embedding {dt.__name__}")

    def test_one_hot(self):
        labels = self.rng.integers(0, 7, size=(4, 3)).astype(np.int64)
        out = Fit.Tensor.one_hot(tensor(labels), 7)
        self.assertEqual(out.get_dtype(), Fit.DType.FLOAT32)
        ref = torch.nn.functional.one_hot(torch.tensor(labels), 7).float().numpy()
        np.testing.assert_array_equal(numpy(out), ref)

    # ---- errors ----

    def test_errors(self):
        x = tensor(self.randn(3, 4))
        E = Fit.Error
        self.assert_error(E.SHAPE, x.reshape, [5, 5], mentions=["[3, 4]", "[5, 5]"])
        self.assert_error(E.INVALID_ARGUMENT, x.reshape, [-1, -1])
        self.assert_error(E.INVALID_ARGUMENT, x.transpose, 0, 2)
        self.assert_error(E.INVALID_ARGUMENT, x.permute, [0, 0])
        self.assert_error(E.SHAPE, x.expand, [2, 5])
        self.assert_error(E.INVALID_ARGUMENT, x.slice, 0, 0, 2, 0)
        y = tensor(self.randn(3, 5))
        self.assert_error(E.SHAPE, Fit.Tensor.concat, [x, x, tensor(self.randn(2, 5))], 1,
                          mentions=["tensor 2", "[2, 5]", "[3, 4]"])
        self.assert_error(E.SHAPE, Fit.Tensor.stack, [x, y], 0, mentions=["tensor 1", "[3, 5]"])
        x64 = tensor(self.randn(3, 4, dtype=np.float64))
        self.assert_error(E.DTYPE, Fit.Tensor.concat, [x, x64], 0, mentions=["tensor 1"])
        idx = tensor(np.array([0, 7], dtype=np.int64))
        self.assert_error(E.INVALID_ARGUMENT, x.index_select, 1, idx,
                          mentions=["index 7", "size 4"])
        self.assert_error(E.INVALID_ARGUMENT, Fit.Tensor.embedding, x, idx,
                          mentions=["index 7", "size 3"])
        self.assert_error(E.INVALID_ARGUMENT, Fit.Tensor.one_hot, idx, 5,
                          mentions=["label 7", "5 classes"])
        self.assert_error(E.DTYPE, x.index_select, 0, tensor(np.zeros(2, np.float32)))


if __name__ == "__main__":
    main()
