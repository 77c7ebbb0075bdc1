# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pythonic conveniences for the Fit namespace.

Nothing here is needed to use fit-glib from Python; it adds what Python users expect:

- NumPy interop: ``Fit.Tensor.from_numpy(array)`` and ``tensor.numpy()`` copy in bulk
  (one memcpy each way, never per element). NumPy is optional: without it these two
  raise ImportError and everything else works.
- Operators: ``a + b``, ``a - b``, ``a * b``, ``a / b``, ``a @ b``, ``-a``, ``a ** 2``,
  with Python numbers on either side; errors raise GLib.Error as usual.
- ``tensor.shape`` (a tuple), ``len(tensor)``, ``float(scalar)``, ``repr(tensor)``.
- ``Fit.no_grad()``: a context manager that turns off gradient recording.
"""

import contextlib

from ..module import get_introspection_module
from ..overrides import override

Fit = get_introspection_module("Fit")

__all__ = []

_NUMPY_DTYPES = {
    "float32": Fit.DType.FLOAT32,
    "float64": Fit.DType.FLOAT64,
    "int32": Fit.DType.INT32,
    "int64": Fit.DType.INT64,
}


def _numpy():
    import numpy  # noqa: PLC0415 - optional dependency, imported on first use
    return numpy


def _as_tensor(value, like):
    """Wraps a Python number as a 0-d tensor of @like's element type."""
    if isinstance(value, Fit.Tensor):
        return value
    if isinstance(value, (int, float)):
        return Fit.Tensor.new_scalar(like.get_dtype(), float(value))
    return NotImplemented


class Tensor(Fit.Tensor):
    @classmethod
    def from_numpy(cls, array, requires_grad=False):
        """Creates a tensor holding a copy of a NumPy array.

        float32, float64, int32 and int64 arrays keep their type; other numeric
        types are converted to float32. The array may be non-contiguous."""
        np = _numpy()
        a = np.asarray(array)
        if a.dtype.name not in _NUMPY_DTYPES:
            a = a.astype(np.float32)
        a = np.ascontiguousarray(a)
        t = Fit.Tensor.new_from_data(_NUMPY_DTYPES[a.dtype.name], list(a.shape),
                                     a.tobytes())
        if requires_grad:
            t.set_requires_grad(True)
        return t

    def numpy(self):
        """Returns a NumPy copy of the tensor's data, with its shape and dtype."""
        np = _numpy()
        dtype = {v: k for k, v in _NUMPY_DTYPES.items()}[self.get_dtype()]
        data = self.to_bytes().get_data()
        return np.frombuffer(data, dtype=dtype).reshape(tuple(self.get_shape())).copy()

    @property
    def shape(self):
        return tuple(self.get_shape())

    def __len__(self):
        shape = self.get_shape()
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __float__(self):
        return self.item()

    def __repr__(self):
        return self.to_string()

    def __add__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else self.add(other)

    def __radd__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else other.add(self)

    def __sub__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else self.sub(other)

    def __rsub__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else other.sub(self)

    def __mul__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else self.mul(other)

    def __rmul__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else other.mul(self)

    def __truediv__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else self.div(other)

    def __rtruediv__(self, other):
        other = _as_tensor(other, self)
        return NotImplemented if other is NotImplemented else other.div(self)

    def __matmul__(self, other):
        return self.matmul(other)

    def __neg__(self):
        return Fit.Tensor.neg(self)

    def __pow__(self, exponent):
        if isinstance(exponent, (int, float)):
            return self.pow_scalar(float(exponent))
        return Fit.Tensor.pow(self, exponent)

    def item(self):
        """The value of a one-element tensor, as a Python float."""
        ok, value = Fit.Tensor.item(self)
        return value


Tensor = override(Tensor)
__all__.append("Tensor")


@contextlib.contextmanager
def no_grad():
    """Runs the block with gradient recording turned off on this thread."""
    was = Fit.grad_set_enabled(False)
    try:
        yield
    finally:
        Fit.grad_set_enabled(was)


__all__.append("no_grad")
