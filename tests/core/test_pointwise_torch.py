#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Element-wise ops against PyTorch: values and gradients, float32 and float64, with
broadcasting, called through GObject introspection.

Each output element comes from one or two rounded operations, so float32 results must
match to the default rtol 1e-5. The broadcast gradients are sums over at most a few
hundred elements (fit-glib sums in double, PyTorch in float), well inside that
tolerance too."""

import unittest

import numpy as np

from fit_testing import Fit, GLib, assert_close, have_torch, main, numpy

_FIT_DTYPES = {np.dtype("float32"): Fit.DType.FLOAT32, np.dtype("float64"): Fit.DType.FLOAT64,
               np.dtype("int32"): Fit.DType.INT32, np.dtype("int64"): Fit.DType.INT64}


def tensor(array, requires_grad=False):
    """fit_testing.tensor(), except that 0-d arrays stay 0-d (np.ascontiguousarray,
    which that helper uses, returns at least one dimension)."""
    a = np.array(array, order="C")
    t = Fit.Tensor.new_from_data(_FIT_DTYPES[a.dtype], list(a.shape), a.tobytes())
    if requires_grad:
        t.set_requires_grad(True)
    return t

if have_torch():
    import torch
    import torch.nn.functional as F

DTYPES = [np.float32, np.float64]

# Same shape, bias-like, trailing 1, both sides broadcast, 0-d against 2-d (both ways),
# 0-d against 1-d, and 4-d against 3-d with dimensions that cannot be merged.
SHAPE_PAIRS = [
    ((3, 4), (3, 4)),
    ((4, 3), (3,)),
    ((4, 3), (4, 1)),
    ((3, 1, 4), (2, 4)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((1,), ()),
    ((2, 1, 3, 4), (5, 1, 4)),
    ((1, 4), (3, 1)),
]


@unittest.skipUnless(have_torch(), "PyTorch is not installed")
class PointwiseVsTorch(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(20240612)

    def randn(self, *shape, dtype=np.float32):
        return np.asarray(self.rng.standard_normal(shape)).astype(dtype)

    def uniform(self, low, high, shape, dtype=np.float32):
        return np.asarray(self.rng.uniform(low, high, shape)).astype(dtype)

    def check(self, fit_op, torch_op, *arrays, grads=None, atol=1e-6, what=""):
        """Runs both ops on copies of @arrays, compares the outputs, then
        back-propagates one random output gradient through both and compares the
        gradients of the inputs flagged in @grads (all by default)."""
        grads = grads or [True] * len(arrays)
        xs = [tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
        ts = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
        out = fit_op(*xs)
        ref = torch_op(*ts)
        self.assertEqual(tuple(out.get_shape()), tuple(ref.shape), f"{what}: shape")
        assert_close(self, numpy(out), ref.detach().numpy(), what=f"{what}: value")
        if not any(grads):
            return
        seed = self.randn(*ref.shape, dtype=arrays[0].dtype)
        out.backward_full(tensor(seed), False)
        ref.backward(torch.tensor(seed))
        for k, (x, t, g) in enumerate(zip(xs, ts, grads)):
            if g:
                assert_close(self, numpy(x.get_grad()), t.grad.numpy(), atol=atol,
                             what=f"{what}: gradient of input {k}")

    def assert_error(self, code, func, *args, mentions=()):
        with self.assertRaises(GLib.Error) as cm:
            func(*args)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), code),
                        f"expected {code}, got {cm.exception.domain} {cm.exception.code}: "
                        f"{cm.exception.message}")
        for text in mentions:
            self.assertIn(text, cm.exception.message)

    # ---- binary ----

    def check_binary(self, name, fit_op, torch_op, make_a, make_b):
        for dt in DTYPES:
            for sa, sb in SHAPE_PAIRS:
                for grads in ([True, True], [True, False], [False, True]):
                    self.check(fit_op, torch_op, make_a(sa, dt), make_b(sb, dt), grads=grads,
                               what=f"{name} {dt.__name__} {sa} {sb} grads={grads}")

    def test_add_sub_mul(self):
        def rand(s, dt):
            return self.randn(*s, dtype=dt)
        self.check_binary("add", lambda a, b: a.add(b), torch.add, rand, rand)
        self.check_binary("sub", lambda a, b: a.sub(b), torch.sub, rand, rand)
        self.check_binary("mul", lambda a, b: a.mul(b), torch.mul, rand, rand)

    def test_div(self):
        def divisor(s, dt):
            return (self.uniform(0.5, 2, s, dt) * self.rng.choice([-1, 1], s)).astype(dt)
        self.check_binary("div", lambda a, b: a.div(b), torch.div,
                          lambda s, dt: self.randn(*s, dtype=dt), divisor)

    def test_pow(self):
        self.check_binary("pow", lambda a, b: a.pow(b), torch.pow,
                          lambda s, dt: self.uniform(0.2, 2, s, dt),
                          lambda s, dt: self.uniform(-2, 2, s, dt))

    def test_pow_special_bases(self):
        # Zero bases and zero exponents follow PyTorch's gradient conventions.
        a = np.array([0.0, 0.0, 2.0, 0.0, 3.0], dtype=np.float64)
        b = np.array([2.0, 0.0, 0.0, 1.0, 1.5], dtype=np.float64)
        self.check(lambda x, y: x.pow(y), torch.pow, a, b, what="pow at 0")

    def test_maximum_minimum_with_ties(self):
        # Rounded values give many ties, where the gradient is split in halves.
        def rounded(s, dt):
            return np.round(self.randn(*s, dtype=dt)).astype(dt)
        self.check_binary("maximum", lambda a, b: a.maximum(b), torch.maximum, rounded, rounded)
        self.check_binary("minimum", lambda a, b: a.minimum(b), torch.minimum, rounded, rounded)

    def test_maximum_nan(self):
        a = np.array([np.nan, 1.0, 2.0], dtype=np.float32)
        b = np.array([0.0, np.nan, 1.0], dtype=np.float32)
        fit = numpy(tensor(a).maximum(tensor(b)))
        ref = torch.maximum(torch.tensor(a), torch.tensor(b)).numpy()
        np.testing.assert_array_equal(fit, ref)

    def test_comparisons(self):
        for dt in [np.float32, np.float64, np.int32, np.int64]:
            for sa, sb in SHAPE_PAIRS:
                a = np.round(self.randn(*sa, dtype=np.float64) * 2).astype(dt)
                b = np.round(self.randn(*sb, dtype=np.float64) * 2).astype(dt)
                for name, torch_op in (("gt", torch.gt), ("lt", torch.lt), ("eq", torch.eq)):
                    out = getattr(tensor(a), name)(tensor(b))
                    self.assertEqual(out.get_dtype(), tensor(a).get_dtype())
                    self.assertFalse(out.get_requires_grad())
                    ref = torch_op(torch.tensor(a), torch.tensor(b)).numpy().astype(dt)
                    np.testing.assert_array_equal(numpy(out), ref,
                                                  f"{name} {dt.__name__} {sa} {sb}")

    def test_integer_arithmetic(self):
        for dt in [np.int32, np.int64]:
            for sa, sb in SHAPE_PAIRS:
                a = self.rng.integers(-100, 100, sa).astype(dt)
                b = self.rng.integers(-100, 100, sb).astype(dt)
                for name in ("add", "sub", "mul", "maximum", "minimum"):
                    out = getattr(tensor(a), name)(tensor(b))
                    ref = getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy()
                    self.assertEqual(numpy(out).dtype, dt)
                    np.testing.assert_array_equal(numpy(out), ref, f"{name} {sa} {sb}")

    def test_large_broadcast(self):
        # Big enough for the threaded paths: rows, blocks of one long row, reductions.
        # The gradient of the broadcast operand sums 300 to 70001 float32 products, and
        # PyTorch accumulates them in float32: against a float64 reference its error
        # reaches ~1e-5 where the sum nearly cancels (fit-glib, summing in double, stays
        # ~3x closer). Hence an absolute tolerance of 5e-5 for those gradients; the
        # relative tolerance stays 1e-5.
        for sa, sb in (((300, 211), (211,)), ((300, 211), (300, 1)), ((2, 50001), (2, 1)),
                       ((70001,), ())):
            a = self.randn(*sa)
            b = self.randn(*sb)
            self.check(lambda x, y: x.mul(y), torch.mul, a, b, atol=5e-5,
                       what=f"large mul {sa} {sb}")
            self.check(lambda x, y: x.add(y), torch.add, a, b, atol=5e-5,
                       what=f"large add {sa} {sb}")

    # ---- unary ----

    def check_unary(self, name, fit_op, torch_op, make):
        for dt in DTYPES:
            for shape in ((), (7,), (3, 5), (2, 3, 4)):
                self.check(fit_op, torch_op, make(shape, dt), what=f"{name} {dt.__name__} {shape}")

    def test_unary(self):
        def normal(s, dt):
            return (self.randn(*s, dtype=dt) * 2).astype(dt)

        def positive(s, dt):
            return self.uniform(0.05, 4, s, dt)

        def with_zeros(s, dt):
            x = np.round(self.randn(*s, dtype=dt) * 2).astype(dt)
            return x  # many exact zeros: relu'(0), abs'(0)

        cases = [
            ("neg", lambda x: x.neg(), torch.neg, normal),
            ("exp", lambda x: x.exp(), torch.exp, normal),
            ("log", lambda x: x.log(), torch.log, positive),
            ("sqrt", lambda x: x.sqrt(), torch.sqrt, positive),
            ("abs", lambda x: x.abs(), torch.abs, with_zeros),
            ("relu", lambda x: x.relu(), torch.relu, with_zeros),
            ("leaky_relu", lambda x: x.leaky_relu(0.1), lambda x: F.leaky_relu(x, 0.1),
             with_zeros),
            ("gelu", lambda x: x.gelu(), F.gelu, normal),
            ("sigmoid", lambda x: x.sigmoid(), torch.sigmoid, normal),
            ("tanh", lambda x: x.tanh(), torch.tanh, normal),
            ("clamp", lambda x: x.clamp(-1, 1), lambda x: torch.clamp(x, -1, 1), with_zeros),
            ("clamp above", lambda x: x.clamp(float("-inf"), 0.5),
             lambda x: torch.clamp(x, max=0.5), normal),
            ("add_scalar", lambda x: x.add_scalar(2.5), lambda x: x + 2.5, normal),
            ("mul_scalar", lambda x: x.mul_scalar(-0.3), lambda x: x * -0.3, normal),
        ]
        for exponent, make in ((2, normal), (3, normal), (0, normal), (1, normal),
                               (0.5, positive), (-0.5, positive), (-1, positive),
                               (2.5, positive), (-1.7, positive)):
            cases.append((f"pow_scalar {exponent}",
                          lambda x, e=exponent: x.pow_scalar(e),
                          lambda x, e=exponent: torch.pow(x, e), make))
        for name, fit_op, torch_op, make in cases:
            self.check_unary(name, fit_op, torch_op, make)

    def test_activation_tails(self):
        x = np.array([-100, -30, -1e-6, 0, 1e-6, 30, 100], dtype=np.float32)
        for name, fit_op, torch_op in (("sigmoid", lambda t: t.sigmoid(), torch.sigmoid),
                                       ("tanh", lambda t: t.tanh(), torch.tanh),
                                       ("gelu", lambda t: t.gelu(), F.gelu)):
            self.check(fit_op, torch_op, x, what=f"{name} tails")

    def test_integer_promotion(self):
        x = np.array([-2, 0, 3], dtype=np.int64)
        self.assertEqual(tensor(x).neg().get_dtype(), Fit.DType.INT64)
        self.assertEqual(tensor(x).relu().get_dtype(), Fit.DType.INT64)
        out = tensor(x).exp()
        self.assertEqual(out.get_dtype(), Fit.DType.FLOAT32)
        assert_close(self, numpy(out), torch.exp(torch.tensor(x)).numpy(), what="exp of int64")

    # ---- selections ----

    def test_where(self):
        for dt in DTYPES:
            for sc, sa, sb in (((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (2, 1, 1)),
                               ((), (2, 3), (3,)), ((2, 3), (), ())):
                cond = (self.randn(*sc) > 0).astype(np.int64)
                a = self.randn(*sa, dtype=dt)
                b = self.randn(*sb, dtype=dt)
                self.check(lambda x, y, c=cond: tensor(c).where(x, y),
                           lambda x, y, c=cond: torch.where(torch.tensor(c).bool(), x, y),
                           a, b, what=f"where {dt.__name__} {sc} {sa} {sb}")
        # A floating-point condition: nonzero (NaN included) is true.
        cond = np.array([0.0, 0.5, -2.0, np.nan], dtype=np.float32)
        a = self.randn(4)
        b = self.randn(4)
        self.check(lambda x, y: tensor(cond).where(x, y),
                   lambda x, y: torch.where(torch.tensor(cond) != 0, x, y), a, b,
                   what="where float condition")

    def test_masked_fill(self):
        for dt in DTYPES:
            for sx, sm in (((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), (3, 1)), ((4,), (2, 4))):
                mask = (self.randn(*sm) > 0).astype(np.int64)
                x = self.randn(*sx, dtype=dt)
                self.check(lambda t, m=mask: t.masked_fill(tensor(m), -1e9),
                           lambda t, m=mask: t.masked_fill(torch.tensor(m).bool(), -1e9),
                           x, what=f"masked_fill {dt.__name__} {sx} {sm}")

    # ---- errors ----

    def test_errors(self):
        a = tensor(self.randn(2, 3))
        b = tensor(self.randn(4))
        for name in ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "gt", "lt", "eq"):
            self.assert_error(Fit.Error.SHAPE, getattr(a, name), b,
                              mentions=(f"fit_tensor_{name}", "[2, 3]", "[4]"))
            self.assert_error(Fit.Error.DTYPE, getattr(a, name),
                              tensor(self.randn(2, 3, dtype=np.float64)),
                              mentions=("float32", "float64"))
        ints = tensor(np.arange(6, dtype=np.int64).reshape(2, 3))
        self.assert_error(Fit.Error.DTYPE, ints.div, ints, mentions=("fit_tensor_div", "int64"))
        self.assert_error(Fit.Error.SHAPE, tensor(np.ones(4, dtype=np.int64)).where, a, a,
                          mentions=("[4]", "[2, 3]"))
        self.assert_error(Fit.Error.SHAPE, a.masked_fill, tensor(np.ones(4, dtype=np.int64)),
                          0.0, mentions=("fit_tensor_masked_fill",))


if __name__ == "__main__":
    main()
