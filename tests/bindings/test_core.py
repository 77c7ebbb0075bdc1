#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The core API (Fit.Tensor, Fit.Rng, Fit.Device, Fit.DType, runtime functions, Fit.Error)
through PyGObject: values against NumPy, errors by domain and code, and the Fit override
(NumPy interop, operators, no_grad)."""
import math
import unittest

import numpy as np

from fit_testing import Fit, GLib, main

F32, F64, I32, I64 = Fit.DType.FLOAT32, Fit.DType.FLOAT64, Fit.DType.INT32, Fit.DType.INT64


def T(array, dtype=None):
    """A tensor from a NumPy array (float32 unless the array says otherwise)."""
    a = np.asarray(array, dtype=dtype if dtype is not None else
                   (np.float32 if np.asarray(array).dtype.kind == "f" else None))
    return Fit.Tensor.from_numpy(a)


def leaf(array, dtype=np.float64):
    t = Fit.Tensor.from_numpy(np.asarray(array, dtype=dtype))
    t.set_requires_grad(True)
    return t


class Case(unittest.TestCase):
    def assertError(self, code, fn, *args):
        """Runs fn(*args), which must raise a GLib.Error in the Fit domain with @code."""
        with self.assertRaises(GLib.Error) as cm:
            fn(*args)
        e = cm.exception
        self.assertTrue(e.matches(Fit.error_quark(), code),
                        "expected %s, got %s %d: %s" % (code, e.domain, e.code, e.message))
        self.assertEqual(e.domain, "fit-error-quark")
        self.assertTrue(e.message)
        return e

    def assertClose(self, tensor, expected, rtol=1e-5, atol=1e-6, dtype=None):
        got = tensor.numpy()
        expected = np.asarray(expected)
        self.assertEqual(got.shape, expected.shape)
        if dtype is not None:
            self.assertEqual(got.dtype, np.dtype(dtype))
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


class Creation(Case):
    def test_zeros_full_scalar(self):
        z = Fit.Tensor.new_zeros(F64, [2, 3])
        self.assertClose(z, np.zeros((2, 3)), dtype=np.float64)
        f = Fit.Tensor.new_full(I32, [4], 7)
        self.assertClose(f, np.full(4, 7), dtype=np.int32)
        s = Fit.Tensor.new_scalar(F32, 2.5)
        self.assertEqual(s.get_n_dims(), 0)
        self.assertEqual(s.get_shape(), [])
        self.assertEqual(s.numpy().shape, ())
        self.assertEqual(float(s), 2.5)
        like = f.zeros_like()
        self.assertEqual(like.get_dtype(), I32)
        self.assertClose(like, np.zeros(4), dtype=np.int32)

    def test_from_data_and_bytes(self):
        a = np.arange(6, dtype=np.float64).reshape(2, 3)
        t = Fit.Tensor.new_from_data(F64, [2, 3], a.tobytes())
        self.assertClose(t, a, dtype=np.float64)
        b = Fit.Tensor.new_from_bytes(I64, [3], GLib.Bytes.new(np.array([5, -1, 2**40]).tobytes()))
        self.assertEqual(b.to_int64s(), [5, -1, 2**40])
        e = self.assertError(Fit.Error.SHAPE, Fit.Tensor.new_from_data, F32, [2, 3], b"\0" * 20)
        self.assertIn("[2, 3]", e.message)
        self.assertError(Fit.Error.SHAPE, Fit.Tensor.new_from_bytes, F32, [2],
                         GLib.Bytes.new(b"\0" * 12))

    def test_from_typed_lists(self):
        f = Fit.Tensor.new_from_floats([0.5, 1.5, -2.0, 4.0], [2, 2])
        self.assertEqual(f.get_dtype(), F32)
        self.assertEqual(f.to_floats(), [0.5, 1.5, -2.0, 4.0])
        d = Fit.Tensor.new_from_doubles([0.1, 0.2], [2])
        self.assertEqual(d.get_dtype(), F64)
        self.assertEqual(d.to_doubles(), [0.1, 0.2])        # no float32 rounding on the way
        i = Fit.Tensor.new_from_int64s([2**62 + 1, -3], [2, 1])
        self.assertEqual(i.get_dtype(), I64)
        self.assertEqual(i.to_int64s(), [2**62 + 1, -3])      # no double rounding either
        self.assertError(Fit.Error.SHAPE, Fit.Tensor.new_from_floats, [1.0, 2.0, 3.0], [2, 2])
        self.assertError(Fit.Error.SHAPE, Fit.Tensor.new_from_doubles, [1.0], [3])
        self.assertError(Fit.Error.SHAPE, Fit.Tensor.new_from_int64s, [1, 2], [])

    def test_random(self):
        u = Fit.Tensor.new_uniform(Fit.Rng.new(3), F64, [4000], -2.0, 3.0).numpy()
        self.assertTrue((u >= -2.0).all() and (u < 3.0).all())
        self.assertAlmostEqual(u.mean(), 0.5, delta=0.15)
        n = Fit.Tensor.new_normal(Fit.Rng.new(3), F32, [100, 40], 1.0, 2.0)
        self.assertEqual(n.get_shape(), [100, 40])
        v = n.numpy()
        self.assertAlmostEqual(v.mean(), 1.0, delta=0.15)
        self.assertAlmostEqual(v.std(), 2.0, delta=0.15)
        again = Fit.Tensor.new_normal(Fit.Rng.new(3), F32, [100, 40], 1.0, 2.0)
        self.assertTrue(n.allclose(again, 0, 0))

    def test_arange(self):
        self.assertClose(Fit.Tensor.new_arange(F64, 1, 2, 0.25), np.arange(1, 2, 0.25))
        self.assertClose(Fit.Tensor.new_arange(I64, 5, 0, -2), [5, 3, 1], dtype=np.int64)
        self.assertError(Fit.Error.INVALID_ARGUMENT, Fit.Tensor.new_arange, F32, 0, 1, 0)


class Metadata(Case):
    def test_shape_and_sizes(self):
        t = Fit.Tensor.new_zeros(F32, [2, 3, 4])
        self.assertEqual(t.get_n_dims(), 3)
        self.assertEqual(t.get_shape(), [2, 3, 4])
        self.assertEqual([t.get_dim(0), t.get_dim(-1)], [2, 4])
        self.assertEqual(t.get_dim(3), -1)
        self.assertEqual(t.get_numel(), 24)
        self.assertEqual(t.get_n_bytes(), 96)
        self.assertEqual(t.get_shape_string(), "[2, 3, 4]")
        self.assertEqual(t.get_dtype(), F32)
        self.assertEqual(t.props.dtype, F32)
        self.assertTrue(t.get_device().equal(Fit.Device.get_cpu()))

    def test_name(self):
        t = Fit.Tensor.new_zeros(F32, [1])
        self.assertIsNone(t.get_name())
        notified = []
        t.connect("notify::name", lambda *a: notified.append(t.props.name))
        t.set_name("fc1.weight")
        self.assertEqual(t.get_name(), "fc1.weight")
        t.props.name = "w"
        self.assertEqual(notified, ["fc1.weight", "w"])
        t.set_name(None)
        self.assertIsNone(t.get_name())

    def test_data_out(self):
        a = np.array([[1.75, -2.5], [3.0, 0.0]], dtype=np.float32)
        t = T(a)
        self.assertEqual(t.to_bytes().get_data(), a.tobytes())
        self.assertEqual(t.to_floats(), [1.75, -2.5, 3.0, 0.0])
        self.assertEqual(t.to_doubles(), [1.75, -2.5, 3.0, 0.0])
        self.assertEqual(t.to_int64s(), [1, -2, 3, 0])    # truncated towards zero
        self.assertEqual(Fit.Tensor.new_scalar(F64, 0.125).item(), 0.125)
        e = self.assertError(Fit.Error.SHAPE, Fit.Tensor.item, t)
        self.assertIn("[2, 2]", e.message)
        text = t.to_string()
        self.assertIn("shape=[2, 2]", text)
        self.assertIn("float32", text)

    def test_allclose(self):
        a = Fit.Tensor.new_from_doubles([1.0, 2.0], [2])
        self.assertTrue(a.allclose(Fit.Tensor.new_from_doubles([1.0, 2.001], [2]), 1e-3, 0))
        self.assertFalse(a.allclose(Fit.Tensor.new_from_doubles([1.0, 2.01], [2]), 1e-3, 0))
        self.assertFalse(a.allclose(Fit.Tensor.new_from_doubles([1.0, 2.0], [1, 2]), 1, 1))


class Conversion(Case):
    def test_to_dtype(self):
        t = T([[1.9, -1.9]])
        i = t.to_dtype(I32)
        self.assertClose(i, [[1, -1]], dtype=np.int32)
        self.assertClose(t.to_dtype(F64), np.float32([[1.9, -1.9]]), dtype=np.float64)
        self.assertEqual(t.to_dtype(F32), t)   # same object when nothing changes

    def test_to_device(self):
        t = T([1.0, 2.0])
        self.assertEqual(t.to_device(Fit.Device.get_cpu()), t)
        if Fit.Device.get_cuda_count() == 0:
            self.assertError(Fit.Error.DEVICE, Fit.Device.new_for_name, "cuda:0")
            return
        gpu = Fit.Device.new_for_name("cuda:0")
        g = t.to_device(gpu)
        self.assertTrue(g.get_device().equal(gpu))
        self.assertEqual(g.to_device(Fit.Device.get_cpu()).to_floats(), [1.0, 2.0])

    def test_clone_detach(self):
        x = leaf([1.0, 2.0])
        c = x.clone()
        self.assertEqual(c.get_grad_fn_name(), "clone")
        self.assertTrue(c.get_requires_grad())
        d = x.detach()
        self.assertFalse(d.get_requires_grad())
        self.assertTrue(d.is_leaf())
        x.fill(5)                                # detach shares, clone copies
        self.assertEqual(d.to_doubles(), [5.0, 5.0])
        self.assertEqual(c.to_doubles(), [1.0, 2.0])

    def test_in_place(self):
        t = Fit.Tensor.new_zeros(F32, [2, 2])
        t.fill(1.5)
        self.assertClose(t, np.full((2, 2), 1.5))
        t.assign(Fit.Tensor.new_from_doubles([1, 2, 3, 4], [2, 2]))   # converts the type
        self.assertEqual(t.get_dtype(), F32)
        self.assertClose(t, [[1, 2], [3, 4]])
        self.assertError(Fit.Error.SHAPE, t.assign, Fit.Tensor.new_zeros(F32, [4]))
        t.add_inplace(Fit.Tensor.new_full(F32, [2, 2], 1.0), -2.0)
        self.assertClose(t, [[-1, 0], [1, 2]])
        t.scale_inplace(0.5)
        self.assertClose(t, [[-0.5, 0], [0.5, 1]])
        with self.assertRaises(GLib.Error) as cm:
            t.add_inplace(Fit.Tensor.new_zeros(F32, [3]), 1.0)
        self.assertEqual(cm.exception.domain, "fit-error-quark")


class Autograd(Case):
    def test_requires_grad(self):
        x = Fit.Tensor.new_zeros(F32, [2])
        self.assertFalse(x.get_requires_grad())
        self.assertFalse(x.props.requires_grad)
        x.props.requires_grad = True
        self.assertTrue(x.get_requires_grad())
        self.assertTrue(x.is_leaf())
        self.assertIsNone(x.get_grad_fn_name())
        self.assertIsNone(x.get_grad())
        y = x.expand([3, 2])
        self.assertFalse(y.is_leaf())
        self.assertEqual(y.get_grad_fn_name(), "expand")

    def test_backward_accumulates(self):
        x = leaf([1.0, 2.0])
        g = Fit.Tensor.from_numpy(np.array([[1, 10], [100, 1000], [1e4, 1e5]], dtype=np.float64))
        x.expand([3, 2]).backward_full(g, False)
        np.testing.assert_array_equal(x.get_grad().numpy(), [10101, 101010])
        x.expand([3, 2]).backward_full(g, False)     # gradients add up until zeroed
        np.testing.assert_array_equal(x.get_grad().numpy(), [20202, 202020])
        x.zero_grad()
        np.testing.assert_array_equal(x.get_grad().numpy(), [0, 0])
        x.set_grad(Fit.Tensor.new_from_doubles([3.0, 4.0], [2]))
        self.assertEqual(x.get_grad().to_doubles(), [3.0, 4.0])
        x.set_grad(None)
        self.assertIsNone(x.get_grad())

    def test_retain_graph(self):
        x = leaf([1.0, 2.0])
        y = x.expand([2, 2])
        g = Fit.Tensor.new_full(F64, [2, 2], 1.0)
        y.backward_full(g, True)
        y.backward_full(g, False)
        self.assertEqual(x.get_grad().to_doubles(), [4.0, 4.0])
        self.assertError(Fit.Error.AUTOGRAD, y.backward_full, g, False)   # graph freed

    def test_backward_errors(self):
        self.assertError(Fit.Error.AUTOGRAD, Fit.Tensor.new_scalar(F32, 1).backward)
        x = leaf([1.0, 2.0])
        self.assertError(Fit.Error.AUTOGRAD, x.clone().backward)          # two elements

    def test_backward_scalar(self):
        x = leaf([1.0, -2.0, 3.0])
        loss = x.mul(x).sum(None, False)
        self.assertEqual(loss.get_grad_fn_name(), "sum")
        loss.backward()
        self.assertEqual(x.get_grad().to_doubles(), [2.0, -4.0, 6.0])
        x.mul(x).sum([], False).backward()
        self.assertEqual(x.get_grad().to_doubles(), [4.0, -8.0, 12.0])

    def test_grad_enabled(self):
        self.assertTrue(Fit.grad_is_enabled())
        was = Fit.grad_set_enabled(False)
        try:
            self.assertTrue(was)
            self.assertFalse(Fit.grad_is_enabled())
            self.assertFalse(leaf([1.0]).expand([2]).get_requires_grad())
        finally:
            self.assertFalse(Fit.grad_set_enabled(was))
        self.assertTrue(Fit.grad_is_enabled())


class Pointwise(Case):
    a = np.array([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]], dtype=np.float32)
    b = np.array([1.5, 2.0, -4.0], dtype=np.float32)

    def test_binary_broadcast(self):
        a, b = T(self.a), T(self.b)
        self.assertClose(a.add(b), self.a + self.b)
        self.assertClose(a.sub(b), self.a - self.b)
        self.assertClose(a.mul(b), self.a * self.b)
        self.assertClose(a.div(b), self.a / self.b)
        self.assertClose(T(np.abs(self.a)).pow(b), np.abs(self.a) ** self.b, rtol=1e-5)
        self.assertClose(a.maximum(b), np.maximum(self.a, self.b))
        self.assertClose(a.minimum(b), np.minimum(self.a, self.b))
        self.assertClose(T([1, 2], np.int64).add(T([[10], [20]], np.int64)),
                         [[11, 12], [21, 22]], dtype=np.int64)
        e = self.assertError(Fit.Error.SHAPE, a.add, T([1.0, 2.0]))
        self.assertIn("[2, 3]", e.message)
        self.assertError(Fit.Error.DTYPE, a.mul, T(self.b, np.float64))
        self.assertError(Fit.Error.DTYPE, T([1], np.int64).div, T([2], np.int64))

    def test_scalar(self):
        a = T(self.a)
        self.assertClose(a.add_scalar(0.5), self.a + 0.5)
        self.assertClose(a.mul_scalar(-3), self.a * -3)
        self.assertClose(T(np.abs(self.a)).pow_scalar(1.5), np.abs(self.a) ** 1.5)
        self.assertClose(T([1, 2], np.int64).mul_scalar(0.5), [0.5, 1.0], dtype=np.float32)

    def test_unary(self):
        a, x = T(self.a), self.a.astype(np.float64)
        pos = T(np.abs(self.a))
        erf = np.vectorize(math.erf)
        self.assertClose(a.neg(), -x)
        self.assertClose(a.exp(), np.exp(x))
        self.assertClose(pos.log(), np.log(np.abs(x)))
        self.assertClose(pos.sqrt(), np.sqrt(np.abs(x)))
        self.assertClose(a.abs(), np.abs(x))
        self.assertClose(a.clamp(-1, 1.5), np.clip(x, -1, 1.5))
        self.assertClose(a.clamp(-math.inf, 0), np.minimum(x, 0))
        self.assertClose(a.relu(), np.maximum(x, 0))
        self.assertClose(a.leaky_relu(0.1), np.where(x > 0, x, 0.1 * x))
        self.assertClose(a.gelu(), x * 0.5 * (1 + erf(x / math.sqrt(2))))
        self.assertClose(a.sigmoid(), 1 / (1 + np.exp(-x)))
        self.assertClose(a.tanh(), np.tanh(x))
        self.assertClose(T([-3, 4], np.int32).abs(), [3, 4], dtype=np.int32)

    def test_compare_select(self):
        a, b = T(self.a), T(self.b)
        self.assertClose(a.gt(b), (self.a > self.b).astype(np.float32), dtype=np.float32)
        self.assertClose(a.lt(b), (self.a < self.b).astype(np.float32))
        self.assertClose(T([1, 2, 3], np.int64).eq(T([1, 0, 3], np.int64)), [1, 0, 1],
                         dtype=np.int64)
        cond = T([[1, 0, 1], [0, 0, 1]], np.int32)
        self.assertClose(cond.where(a, b), np.where(cond.numpy() != 0, self.a, self.b))
        self.assertClose(a.masked_fill(T([True, False, True]), -1e9),
                         np.where([True, False, True], np.float32(-1e9), self.a))
        self.assertError(Fit.Error.DTYPE, Fit.Tensor.where, cond, a, T(self.b, np.float64))

    def test_gradients(self):
        x0 = np.array([0.5, -1.25, 2.0])
        y0 = np.array([1.5, 0.75, -3.0])
        cases = [
            (lambda x, y: x.mul(y), lambda x, y: (y, x)),
            (lambda x, y: x.div(y), lambda x, y: (1 / y, -x / y**2)),
            (lambda x, y: x.exp().mul(y), lambda x, y: (np.exp(x) * y, np.exp(x))),
            (lambda x, y: x.tanh().add(y.sigmoid()),
             lambda x, y: (1 - np.tanh(x) ** 2, np.exp(-y) / (1 + np.exp(-y)) ** 2)),
        ]
        for i, (f, df) in enumerate(cases):
            with self.subTest(case=i):
                x, y = leaf(x0), leaf(y0)
                f(x, y).sum(None, False).backward()
                gx, gy = df(x0, y0)
                np.testing.assert_allclose(x.get_grad().numpy(), gx, rtol=1e-12)
                np.testing.assert_allclose(y.get_grad().numpy(), gy, rtol=1e-12)


class Reduce(Case):
    x = np.array([[[1.0, -2.0, 3.5], [0.5, 4.0, -1.0]],
                  [[2.0, 2.0, -3.0], [7.0, 0.25, 1.5]]], dtype=np.float32)

    def test_sum_mean_var(self):
        t, x = T(self.x), self.x.astype(np.float64)
        self.assertClose(t.sum(None, False), x.sum())
        self.assertClose(t.sum([0, -1], False), x.sum(axis=(0, 2)))
        self.assertClose(t.sum([1], True), x.sum(axis=1, keepdims=True))
        self.assertClose(T([[1, 2], [3, 4]], np.int32).sum([0], False), [4, 6], dtype=np.int64)
        self.assertClose(t.mean([2], False), x.mean(axis=2))
        self.assertClose(t.mean(None, True), x.mean(keepdims=True))
        self.assertClose(t.var([2], False, 1), x.var(axis=2, ddof=1), rtol=1e-5)
        self.assertClose(t.var([0, 1], True, 0), x.var(axis=(0, 1), keepdims=True))
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.sum, [3], False)
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.sum, [1, 1], False)
        self.assertError(Fit.Error.DTYPE, T([1, 2], np.int64).mean, None, False)

    def test_max_softmax(self):
        t, x = T(self.x), self.x.astype(np.float64)
        self.assertClose(t.max(1, False), x.max(axis=1))
        self.assertClose(t.min(-1, True), x.min(axis=-1, keepdims=True))
        self.assertClose(t.argmax(2, False), x.argmax(axis=2), dtype=np.int64)
        lse = np.log(np.exp(x).sum(axis=-1))
        self.assertClose(t.logsumexp(-1, False), lse)
        self.assertClose(t.softmax(-1), np.exp(x - lse[..., None]))
        self.assertClose(t.log_softmax(-1), x - lse[..., None])
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.max, 3, False)
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.softmax, -4)

    def test_matmul_linear(self):
        rng = np.random.default_rng(1)
        a = rng.standard_normal((2, 3, 4)).astype(np.float32)
        b = rng.standard_normal((4, 5)).astype(np.float32)
        v = rng.standard_normal(4).astype(np.float32)
        self.assertClose(T(a).matmul(T(b)), a @ b, rtol=1e-5, atol=1e-5)
        self.assertClose(T(v).matmul(T(v)), v @ v, rtol=1e-5)
        self.assertClose(T(a).matmul(T(v)), a @ v, rtol=1e-5, atol=1e-5)
        e = self.assertError(Fit.Error.SHAPE, T(b).matmul, T(a))
        self.assertIn("[4, 5]", e.message)
        w = rng.standard_normal((6, 4)).astype(np.float32)
        bias = rng.standard_normal(6).astype(np.float32)
        self.assertClose(T(a).linear(T(w), T(bias)), a @ w.T + bias, rtol=1e-5, atol=1e-5)
        self.assertClose(T(a).linear(T(w), None), a @ w.T, rtol=1e-5, atol=1e-5)
        self.assertError(Fit.Error.SHAPE, T(a).linear, T(b), None)

    def test_matmul_gradient(self):
        a0 = np.arange(6.0).reshape(2, 3)
        b0 = np.arange(12.0).reshape(3, 4) - 5
        a, b = leaf(a0), leaf(b0)
        a.matmul(b).sum(None, False).backward()
        np.testing.assert_allclose(a.get_grad().numpy(), np.ones((2, 4)) @ b0.T)
        np.testing.assert_allclose(b.get_grad().numpy(), a0.T @ np.ones((2, 4)))


class Shape(Case):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)

    def test_views(self):
        t = T(self.x)
        self.assertClose(t.reshape([4, -1]), self.x.reshape(4, -1))
        self.assertError(Fit.Error.SHAPE, t.reshape, [5, 5])
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.reshape, [-1, -1])
        self.assertClose(t.flatten(1, -1), self.x.reshape(2, 12))
        self.assertClose(t.unsqueeze(1), self.x[:, None])
        self.assertClose(t.unsqueeze(1).squeeze(1), self.x)
        self.assertEqual(t.squeeze(0).get_shape(), [2, 3, 4])      # size 2 stays
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.squeeze, 3)

    def test_copies(self):
        t = T(self.x)
        self.assertClose(t.transpose(0, 2), self.x.transpose(2, 1, 0))
        self.assertClose(t.permute([1, 2, 0]), self.x.transpose(1, 2, 0))
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.permute, [0, 0, 1])
        self.assertClose(T([[1.0], [2.0]]).expand([2, 2, 3]),
                         np.broadcast_to([[1.0], [2.0]], (2, 2, 3)))
        self.assertError(Fit.Error.SHAPE, t.expand, [2, 5, 4])

    def test_join(self):
        a, b = self.x[:, :1], self.x[:, 1:]
        self.assertClose(Fit.Tensor.concat([T(a), T(b)], 1), self.x)
        e = self.assertError(Fit.Error.SHAPE, Fit.Tensor.concat, [T(a), T(b)], 0)
        self.assertIn("1", e.message)
        self.assertClose(Fit.Tensor.stack([T(a), T(a)], -1), np.stack([a, a], -1))
        self.assertError(Fit.Error.SHAPE, Fit.Tensor.stack, [T(a), T(b)], 0)
        self.assertError(Fit.Error.INVALID_ARGUMENT, Fit.Tensor.stack, [], 0)

    def test_indexing(self):
        t = T(self.x)
        for dim, start, end, step in [(0, 1, 2, 1), (1, 0, 3, 2), (2, -3, 2**63 - 1, 1),
                                      (-1, 3, 1, 1)]:
            index = [slice(None)] * 3
            index[dim] = slice(start, end, step)
            self.assertClose(t.slice(dim, start, end, step), self.x[tuple(index)])
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.slice, 0, 0, 1, 0)
        idx = np.array([2, 0, 2])
        self.assertClose(t.index_select(1, T(idx)), self.x[:, idx])
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.index_select, 1, T([3]))
        self.assertError(Fit.Error.DTYPE, t.index_select, 1, T([1.0]))
        g = np.array([[[0, 3], [1, 1], [2, 0]]] * 2)
        self.assertClose(t.gather(2, T(g)), np.take_along_axis(self.x, g, 2))
        labels = np.array([[0, 2], [1, 0]], dtype=np.int32)
        self.assertClose(Fit.Tensor.one_hot(T(labels), 3), np.eye(3, dtype=np.float32)[labels],
                         dtype=np.float32)
        self.assertError(Fit.Error.INVALID_ARGUMENT, Fit.Tensor.one_hot, T(labels), 2)
        table = self.x.reshape(6, 4)
        self.assertClose(T(table).embedding(T(labels)), table[labels])
        self.assertError(Fit.Error.INVALID_ARGUMENT, T(table).embedding, T([6]))

    def test_gradient_through_copies(self):
        x = leaf(self.x)
        y = x.transpose(0, 1).reshape([6, 4]).index_select(0, T([5, 0, 5]))
        g = np.arange(12.0).reshape(3, 4)
        y.backward_full(Fit.Tensor.from_numpy(g), False)
        want = np.zeros((3, 2, 4))
        want.reshape(6, 4)[5] += g[0] + g[2]
        want.reshape(6, 4)[0] += g[1]
        np.testing.assert_allclose(x.get_grad().numpy(), want.transpose(1, 0, 2))


def np_conv2d(x, w, b, stride, pad, dil, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    ho = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                win = xp[:, g * cg:(g + 1) * cg,
                         i * dil[0]:i * dil[0] + stride[0] * (ho - 1) + 1:stride[0],
                         j * dil[1]:j * dil[1] + stride[1] * (wo - 1) + 1:stride[1]]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", win,
                                                         w[g * og:(g + 1) * og, :, i, j])
    return out if b is None else out + b[None, :, None, None]


def np_conv_transpose2d(x, w, b, stride, pad, out_pad, dil):
    n, c, h, wd = x.shape
    _, o, kh, kw = w.shape
    full = np.zeros((n, o, (h - 1) * stride[0] + dil[0] * (kh - 1) + 1 + out_pad[0],
                     (wd - 1) * stride[1] + dil[1] * (kw - 1) + 1 + out_pad[1]))
    for i in range(kh):
        for j in range(kw):
            full[:, :, i * dil[0]:i * dil[0] + stride[0] * (h - 1) + 1:stride[0],
                 j * dil[1]:j * dil[1] + stride[1] * (wd - 1) + 1:stride[1]] += \
                np.einsum("nchw,co->nohw", x, w[:, :, i, j])
    out = full[:, :, pad[0]:full.shape[2] - pad[0], pad[1]:full.shape[3] - pad[1]]
    return out + b[None, :, None, None]


def np_pool(x, k, s, p, reduce, pad_value):
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=pad_value)
    ho = (x.shape[2] + 2 * p[0] - k[0]) // s[0] + 1
    wo = (x.shape[3] + 2 * p[1] - k[1]) // s[1] + 1
    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = reduce(xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]])
    return out


class Conv(Case):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 7, 6))

    def test_conv2d(self):
        w = self.rng.standard_normal((6, 2, 3, 2))
        b = self.rng.standard_normal(6)
        got = T(self.x, np.float64).conv2d(T(w, np.float64), T(b, np.float64), 2, 1, 1, 0, 1, 2, 2)
        self.assertClose(got, np_conv2d(self.x, w, b, (2, 1), (1, 0), (1, 2), 2), rtol=1e-10)
        got32 = T(self.x).conv2d(T(w[:, :, :2]), None, 1, 1, 0, 0, 1, 1, 2)
        self.assertClose(got32, np_conv2d(self.x, w[:, :, :2], None, (1, 1), (0, 0), (1, 1), 2),
                         rtol=1e-4, atol=1e-5)
        self.assertError(Fit.Error.SHAPE, T(self.x).conv2d, T(w), None, 1, 1, 0, 0, 1, 1, 1)
        self.assertError(Fit.Error.INVALID_ARGUMENT, T(self.x).conv2d, T(w), None,
                         0, 1, 0, 0, 1, 1, 2)

    def test_conv2d_weight_gradient(self):
        w0 = self.rng.standard_normal((3, 4, 2, 2))
        x, w = T(self.x, np.float64), leaf(w0)
        x.conv2d(w, None, 1, 1, 0, 0, 1, 1, 1).sum(None, False).backward()
        # d sum / d w[o, c, i, j] is the sum of the input window that tap (i, j) sees.
        want = np.zeros_like(w0)
        for i in range(2):
            for j in range(2):
                want[:, :, i, j] = self.x[:, :, i:i + 6, j:j + 5].sum(axis=(0, 2, 3))
        np.testing.assert_allclose(w.get_grad().numpy(), want, rtol=1e-10)

    def test_conv_transpose2d(self):
        w = self.rng.standard_normal((4, 3, 3, 3))
        b = self.rng.standard_normal(3)
        got = T(self.x, np.float64).conv_transpose2d(T(w, np.float64), T(b, np.float64),
                                                     2, 2, 1, 0, 1, 0, 1, 1, 1)
        self.assertClose(got, np_conv_transpose2d(self.x, w, b, (2, 2), (1, 0), (1, 0), (1, 1)),
                         rtol=1e-10)
        self.assertError(Fit.Error.SHAPE, T(self.x).conv_transpose2d, T(w[:3]), None,
                         1, 1, 0, 0, 0, 0, 1, 1, 1)

    def test_pools(self):
        t = T(self.x, np.float64)
        self.assertClose(t.max_pool2d(3, 2, 2, 0, 1, 1),
                         np_pool(self.x, (3, 2), (2, 2), (1, 1), lambda v: v.max((2, 3)), -np.inf))
        self.assertClose(t.max_pool2d(2, 2, 0, 0, 0, 0),     # stride 0 means the kernel size
                         np_pool(self.x, (2, 2), (2, 2), (0, 0), lambda v: v.max((2, 3)), 0))
        self.assertClose(t.avg_pool2d(3, 3, 2, 2, 1, 1, True),
                         np_pool(self.x, (3, 3), (2, 2), (1, 1), lambda v: v.mean((2, 3)), 0))
        ones = np_pool(np.ones_like(self.x), (3, 3), (2, 2), (1, 1), lambda v: v.sum((2, 3)), 0)
        self.assertClose(t.avg_pool2d(3, 3, 2, 2, 1, 1, False),
                         np_pool(self.x, (3, 3), (2, 2), (1, 1), lambda v: v.sum((2, 3)), 0) / ones)
        want = np.empty((2, 4, 3, 4))
        for i in range(3):
            for j in range(4):
                r0, r1 = i * 7 // 3, -(-(i + 1) * 7 // 3)
                c0, c1 = j * 6 // 4, -(-(j + 1) * 6 // 4)
                want[:, :, i, j] = self.x[:, :, r0:r1, c0:c1].mean((2, 3))
        self.assertClose(t.adaptive_avg_pool2d(3, 4), want, rtol=1e-12)
        self.assertError(Fit.Error.SHAPE, T(self.x[0, 0]).max_pool2d, 2, 2, 0, 0, 0, 0)
        self.assertError(Fit.Error.INVALID_ARGUMENT, t.adaptive_avg_pool2d, 0, 1)

    def test_dropout(self):
        x = T(np.ones((50, 40)))
        y = x.dropout(0.25, Fit.Rng.new(11), True).numpy()
        self.assertTrue(np.isin(y, [0.0, np.float32(1 / 0.75)]).all())
        self.assertAlmostEqual((y == 0).mean(), 0.25, delta=0.04)
        again = x.dropout(0.25, Fit.Rng.new(11), True).numpy()
        np.testing.assert_array_equal(y, again)                  # a function of the seed
        self.assertClose(x.dropout(0.5, None, False), np.ones((50, 40)))
        self.assertError(Fit.Error.INVALID_ARGUMENT, x.dropout, 1.0, Fit.Rng.new(1), True)


class Rng(Case):
    def test_sequence(self):
        a, b = Fit.Rng.new(42), Fit.Rng(seed=42)
        self.assertEqual(a.get_seed(), 42)
        self.assertEqual(b.props.seed, 42)
        first = [a.next_uint64() for _ in range(3)]
        self.assertEqual(first, [b.next_uint64() for _ in range(3)])
        self.assertTrue(all(0 <= v < 2**64 for v in first))
        a.set_seed(42)
        self.assertEqual(a.next_uint64(), first[0])
        a.props.seed = 7
        self.assertEqual(a.get_seed(), 7)

    def test_distributions(self):
        r = Fit.Rng.new(1)
        below = [r.next_below(6) for _ in range(600)]
        self.assertEqual(set(below), set(range(6)))
        self.assertEqual(r.next_below(0), 0)
        d = np.array([r.next_double() for _ in range(2000)])
        self.assertTrue(((d >= 0) & (d < 1)).all())
        self.assertAlmostEqual(d.mean(), 0.5, delta=0.05)
        n = np.array([r.next_normal() for _ in range(2000)])
        self.assertAlmostEqual(n.mean(), 0, delta=0.1)
        self.assertAlmostEqual(n.std(), 1, delta=0.1)

    def test_shuffle_indices(self):
        # PyGObject passes a copy of the list, so the call is safe but the permutation is
        # not seen here (see the method's documentation); it must still advance the state.
        r, ref = Fit.Rng.new(5), Fit.Rng.new(5)
        values = [1, 2, 3, 4]
        self.assertIsNone(r.shuffle_indices(values))
        self.assertEqual(values, [1, 2, 3, 4])
        self.assertNotEqual(r.next_uint64(), ref.next_uint64())

    def test_permutation(self):
        # The binding-friendly twin of shuffle_indices: every index exactly once, and
        # the same generator state gives the same order.
        p = Fit.Tensor.new_permutation(Fit.Rng.new(3), 50)
        q = Fit.Tensor.new_permutation(Fit.Rng.new(3), 50)
        self.assertEqual(p.get_dtype(), Fit.DType.INT64)
        self.assertEqual(sorted(p.to_int64s()), list(range(50)))
        self.assertEqual(list(p.to_int64s()), list(q.to_int64s()))
        self.assertNotEqual(list(p.to_int64s()), list(range(50)))
        self.assertEqual(Fit.Tensor.new_permutation(Fit.Rng.new(3), 0).get_shape(), [0])

    def test_fork_and_state(self):
        r = Fit.Rng.new(9)
        child = r.fork()
        self.assertNotEqual(child.next_uint64(), r.next_uint64())
        r.next_normal()                           # leaves a cached deviate in the state
        state = r.save_state()
        self.assertEqual(state.get_size(), 56)
        after = [r.next_normal(), r.next_uint64()]
        other = Fit.Rng.new(0)
        other.restore_state(state)
        self.assertEqual([other.next_normal(), other.next_uint64()], after)
        e = self.assertError(Fit.Error.PARSE, other.restore_state, GLib.Bytes.new(b"abc"))
        self.assertIn("3 bytes", e.message)


class Device(Case):
    def test_cpu(self):
        cpu = Fit.Device.get_cpu()
        self.assertEqual(cpu.get_name(), "cpu")
        self.assertEqual(cpu.get_device_type(), Fit.DeviceType.CPU)
        self.assertEqual(cpu.get_index(), 0)
        named = Fit.Device.new_for_name("cpu")
        self.assertTrue(named.equal(cpu))
        self.assertGreaterEqual(Fit.Device.get_cuda_count(), 0)
        self.assertError(Fit.Error.INVALID_ARGUMENT, Fit.Device.new_for_name, "tpu")

    def test_cuda(self):
        n = Fit.Device.get_cuda_count()
        e = self.assertError(Fit.Error.DEVICE, Fit.Device.new_for_name, "cuda:%d" % n)
        self.assertIn(str(n), e.message)
        if n:
            gpu = Fit.Device.new_for_name("cuda")
            self.assertEqual((gpu.get_device_type(), gpu.get_index(), gpu.get_name()),
                             (Fit.DeviceType.CUDA, 0, "cuda:0"))
            self.assertFalse(gpu.equal(Fit.Device.get_cpu()))


class TypesAndRuntime(Case):
    def test_dtype(self):
        self.assertEqual([Fit.DType.get_size(d) for d in (F32, F64, I32, I64)], [4, 8, 4, 8])
        self.assertEqual(Fit.dtype_get_name(F64), "float64")
        self.assertEqual(Fit.DType.get_name(I32), "int32")
        self.assertTrue(Fit.DType.is_floating(F32))
        self.assertFalse(Fit.DType.is_floating(I64))

    def test_threads(self):
        n = Fit.get_num_threads()
        self.assertGreaterEqual(n, 1)
        try:
            Fit.set_num_threads(1)
            self.assertEqual(Fit.get_num_threads(), 1)
            self.assertIn("x1", Fit.get_blas_info())
        finally:
            Fit.set_num_threads(n)
        self.assertIn("OpenBLAS", Fit.get_blas_info())

    def test_error_domain(self):
        self.assertEqual(GLib.quark_to_string(Fit.error_quark()), "fit-error-quark")
        self.assertEqual(Fit.Error.quark(), Fit.error_quark())
        codes = [Fit.Error.FAILED, Fit.Error.SHAPE, Fit.Error.DTYPE, Fit.Error.DEVICE,
                 Fit.Error.INVALID_ARGUMENT, Fit.Error.AUTOGRAD, Fit.Error.IO, Fit.Error.PARSE,
                 Fit.Error.MISMATCH, Fit.Error.NOT_FOUND, Fit.Error.STATE,
                 Fit.Error.NOT_FINITE, Fit.Error.CANCELLED]
        self.assertEqual([int(c) for c in codes], list(range(13)))


class Override(Case):
    def test_from_numpy_types(self):
        for dtype, fit in [(np.float32, F32), (np.float64, F64), (np.int32, I32),
                           (np.int64, I64)]:
            a = (np.arange(6).reshape(2, 3) - 2).astype(dtype)
            t = Fit.Tensor.from_numpy(a)
            self.assertEqual(t.get_dtype(), fit)
            back = t.numpy()
            self.assertEqual(back.dtype, np.dtype(dtype))
            np.testing.assert_array_equal(back, a)
        big = np.array([2**62 + 3, -(2**61)], dtype=np.int64)
        self.assertEqual(Fit.Tensor.from_numpy(big).to_int64s(), big.tolist())
        self.assertEqual(Fit.Tensor.from_numpy(np.array([True, False])).get_dtype(), F32)
        self.assertEqual(Fit.Tensor.from_numpy(np.uint8([200])).to_floats(), [200.0])
        self.assertEqual(Fit.Tensor.from_numpy([[1.5, 2.5]]).get_shape(), [1, 2])

    def test_from_numpy_layouts(self):
        a = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
        for view in (a.T, a[:, ::2, 1::2], a[::-1], a[..., 3], np.broadcast_to(a[:1], (2, 4, 5)),
                     a.astype(">f8"), np.float64(4.5)):
            with self.subTest(strides=np.asarray(view).strides):
                t = Fit.Tensor.from_numpy(view)
                np.testing.assert_array_equal(t.numpy(), view)
                self.assertEqual(t.shape, np.shape(view))
        t = Fit.Tensor.from_numpy(a, requires_grad=True)
        self.assertTrue(t.get_requires_grad())
        self.assertEqual(np.asarray(t).shape, (3, 4, 5))
        c = t.numpy()
        c[0, 0, 0] = 99                         # a copy, not a view
        self.assertEqual(t.numpy()[0, 0, 0], 0)

    def test_python_protocols(self):
        t = Fit.Tensor.from_numpy(np.zeros((3, 2), np.float32))
        self.assertEqual(t.shape, (3, 2))
        self.assertEqual(len(t), 3)
        self.assertTrue(t)
        s = Fit.Tensor.new_scalar(F64, -1.5)
        self.assertTrue(s)
        self.assertEqual(float(s), -1.5)
        self.assertEqual(s.item(), -1.5)
        with self.assertRaises(TypeError):
            len(s)
        self.assertIn("shape=[3, 2]", repr(t))

    def test_operators(self):
        a = np.array([[1.0, -2.0], [3.0, 4.0]], dtype=np.float32)
        b = np.array([0.5, 4.0], dtype=np.float32)
        ta, tb = Fit.Tensor.from_numpy(a), Fit.Tensor.from_numpy(b)
        for got, want in [(ta + tb, a + b), (ta - tb, a - b), (ta * tb, a * b),
                          (ta / tb, a / b), (ta @ ta, a @ a), (-ta, -a), (ta ** 2, a ** 2),
                          (tb ** tb, b ** b), (abs(ta), abs(a)),
                          (2 + ta, 2 + a), (1 - ta, 1 - a), (ta * 3, a * 3), (3 / tb, 3 / b),
                          (ta + np.float32(0.5), a + 0.5), (np.float64(2) * ta, 2 * a)]:
            self.assertIsInstance(got, Fit.Tensor)
            self.assertClose(got, want)
        with self.assertRaises(TypeError):
            ta + "x"
        self.assertError(Fit.Error.SHAPE, lambda: ta + Fit.Tensor.from_numpy(np.zeros(3, np.float32)))

    def test_no_grad(self):
        x = leaf([1.0, 2.0])
        with Fit.no_grad():
            self.assertFalse(Fit.grad_is_enabled())
            with Fit.no_grad():
                pass
            self.assertFalse(Fit.grad_is_enabled())
            self.assertFalse(x.expand([2, 2]).get_requires_grad())
        self.assertTrue(Fit.grad_is_enabled())
        with self.assertRaises(KeyError):
            with Fit.no_grad():
                raise KeyError
        self.assertTrue(Fit.grad_is_enabled())

        @Fit.no_grad()
        def infer():
            return Fit.grad_is_enabled()
        self.assertFalse(infer())
        self.assertTrue(Fit.grad_is_enabled())
        self.assertTrue(x.expand([2, 2]).get_requires_grad())

    def test_grad_accessor(self):
        x = Fit.Tensor.from_numpy(np.array([1.0, 2.0]), requires_grad=True)
        self.assertIsNone(x.grad)
        x.expand([3, 2]).backward_full(Fit.Tensor.from_numpy(np.ones((3, 2))), False)
        np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


if __name__ == "__main__":
    main()
