"""Helpers shared by the Python tests: loading Fit, tensors to and from NumPy,
finite-difference gradient checks and comparisons with PyTorch."""

import os
import sys
import unittest

import gi

gi.require_version("Fit", "1.0")
from gi.repository import Fit, GLib  # noqa: E402

import numpy as np  # noqa: E402

SKIP = 77


def have_torch():
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def tensor(array, requires_grad=False):
    """A Fit.Tensor holding a copy of a NumPy array (float32, float64 or int64)."""
    a = np.ascontiguousarray(array).reshape(np.shape(array))
    dtype = {np.dtype("float32"): Fit.DType.FLOAT32, np.dtype("float64"): Fit.DType.FLOAT64,
             np.dtype("int32"): Fit.DType.INT32, np.dtype("int64"): Fit.DType.INT64}[a.dtype]
    t = Fit.Tensor.new_from_data(dtype, list(a.shape), a.tobytes())
    if requires_grad:
        t.set_requires_grad(True)
    return t


def numpy(t):
    """A NumPy copy of a Fit.Tensor."""
    if t is None:
        return None
    dtype = {Fit.DType.FLOAT32: np.float32, Fit.DType.FLOAT64: np.float64,
             Fit.DType.INT32: np.int32, Fit.DType.INT64: np.int64}[t.get_dtype()]
    return np.frombuffer(t.to_bytes().get_data(), dtype=dtype).reshape(t.get_shape()).copy()


def assert_close(test, actual, expected, rtol=1e-5, atol=1e-6, what=""):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    test.assertEqual(actual.shape, expected.shape, f"{what}: shapes differ")
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        err = np.max(np.abs(actual - expected) / (atol + rtol * np.abs(expected)))
        test.fail(f"{what}: not close (worst error {err:.3g} x tolerance)\n"
                  f"actual={actual.ravel()[:8]}\nexpected={expected.ravel()[:8]}")


def main():
    """Runs the module's tests; exit status 77 (skipped) when a requirement is absent."""
    result = unittest.main(exit=False, verbosity=2).result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun == len(result.skipped) and result.testsRun > 0:
        sys.exit(SKIP)
    sys.exit(0)
