# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pythonic conveniences for the Fit namespace.

Nothing here is needed to use fit-glib from Python: every line below calls the public
API, which works the same without it. It adds what Python users expect:

- NumPy interop, copying in bulk (never per element). NumPy is optional: without it
  these raise ImportError and everything else works.

  - ``Fit.Tensor.from_numpy(array, requires_grad=False)``: float32, float64, int32 and
    int64 arrays keep their type, other numbers (bool, uint8, …) become float32. Any
    layout works: transposed, strided, reversed, broadcast or big-endian arrays are
    made contiguous and native first. Lists and Python numbers are accepted too.
  - ``tensor.numpy()``: a new array (a copy, not a view) with the tensor's shape and type;
    ``numpy.asarray(tensor)`` does the same through ``__array__``. NumPy ufuncs do not
    take tensors (``numpy.exp(tensor)`` raises TypeError): use the methods, or convert.

- Operators, with tensors or Python/NumPy numbers on either side: ``a + b``, ``a - b``,
  ``a * b``, ``a / b``, ``a @ b``, ``-a``, ``abs(a)``, ``a ** b``. They call ``add``,
  ``sub``, ``mul``, ``div``, ``matmul``, ``neg``, ``abs``, ``pow`` / ``pow_scalar``, so
  broadcasting, autograd and errors (``GLib.Error`` in the Fit domain) are those of the
  methods. A number becomes a 0-d tensor of the other operand's element type.
- ``tensor.shape`` (a tuple), ``len(tensor)`` (size of the first dimension; TypeError for
  a 0-d tensor), ``float(tensor)`` and ``tensor.item()`` (the value of a one-element
  tensor), ``tensor.grad`` (``get_grad()``), ``repr(tensor)`` (``to_string()``). A tensor
  is always true in a boolean context, like any GObject, so ``if tensor:`` tests for
  ``None`` only, never the values.
- Exceptions in overridden virtual methods fail the operation instead of being printed
  and ignored. PyGObject only prints an exception raised in a ``do_*`` method, and the C
  caller carries on. For subclasses of ``Fit.EventHandler``, ``Fit.BatchProcessor``,
  ``Fit.Module``, ``Fit.Loss``, ``Fit.Metric``, ``Fit.LrSchedule``, ``Fit.Optimizer``,
  ``Fit.Transform`` and classes implementing ``Fit.Dataset``, every ``do_*`` override of
  a method that can fail is wrapped: an exception becomes a ``GLib.Error`` in the Fit
  domain (``Fit.Error.FAILED``, or the original error if it already was a ``GLib.Error``)
  naming the class, the method and the exception, so ``fit()`` returns it. Event
  handler methods may also return ``None``, which counts as success. ``do_compute`` of
  a metric or a learning-rate schedule must return a number: anything else (``None``
  included) fails the same way, where PyGObject would hand C a 0. Likewise a plain
  signal callback connected to a ``Fit.Estimator`` with ``connect``/``connect_after``
  that raises fails the running fit through ``Fit.Estimator.fail()`` with that error.
- ``Fit.no_grad()``: a context manager (and decorator) that turns off gradient
  recording on the calling thread, restoring the previous setting on exit, also when
  the block raises.
"""

import contextlib
import functools
import numbers

from ..module import get_introspection_module
from ..overrides import override

Fit = get_introspection_module("Fit")
from gi.repository import GLib  # noqa: E402 - the Python GLib.Error class lives in its override

__all__ = []

_NUMPY_DTYPES = {
    "float32": Fit.DType.FLOAT32,
    "float64": Fit.DType.FLOAT64,
    "int32": Fit.DType.INT32,
    "int64": Fit.DType.INT64,
}
_NUMPY_NAMES = {v: k for k, v in _NUMPY_DTYPES.items()}


def _numpy():
    import numpy  # noqa: PLC0415 - optional dependency, imported on first use
    return numpy


def _as_tensor(value, like):
    """Wraps a Python or NumPy number as a 0-d tensor of @like's element type."""
    if isinstance(value, Fit.Tensor):
        return value
    if isinstance(value, numbers.Real):
        return Fit.Tensor.new_scalar(like.get_dtype(), float(value))
    return NotImplemented


def _binary(name, reflected=False):
    # Looked up on each call: an operation missing from this build fails only when used.
    def op(self, other):
        other = _as_tensor(other, self)
        if other is NotImplemented:
            return NotImplemented
        return getattr(other, name)(self) if reflected else getattr(self, name)(other)
    return op


class Tensor(Fit.Tensor):
    @classmethod
    def from_numpy(cls, array, requires_grad=False):
        """Creates a tensor holding a copy of @array (any NumPy array, list or number).

        float32, float64, int32 and int64 keep their type; other types become float32."""
        np = _numpy()
        a = np.asarray(array)
        name = a.dtype.name if a.dtype.name in _NUMPY_DTYPES else "float32"
        # One pass makes the data contiguous, native-endian and of a supported type
        # (ascontiguousarray would turn a 0-d array into a 1-d one).
        a = np.asarray(a, dtype=np.dtype(name), order="C")
        t = Fit.Tensor.new_from_data(_NUMPY_DTYPES[name], list(a.shape), a.tobytes())
        if requires_grad:
            t.set_requires_grad(True)
        return t

    def numpy(self):
        """Returns a NumPy copy of the tensor's data, with its shape and dtype."""
        np = _numpy()
        data = self.to_bytes().get_data()
        return np.frombuffer(data, dtype=_NUMPY_NAMES[self.get_dtype()]).reshape(
            tuple(self.get_shape())).copy()

    # NumPy numbers and arrays on the left leave the operator to the tensor instead of
    # turning it into an array; numpy.asarray (tensor) still works through __array__.
    __array_ufunc__ = None

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    @property
    def shape(self):
        return tuple(self.get_shape())

    @property
    def grad(self):
        return self.get_grad()

    def __len__(self):
        shape = self.get_shape()
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __bool__(self):
        return True

    def __float__(self):
        return self.item()

    def __repr__(self):
        return self.to_string()

    __add__ = _binary("add")
    __radd__ = _binary("add", reflected=True)
    __sub__ = _binary("sub")
    __rsub__ = _binary("sub", reflected=True)
    __mul__ = _binary("mul")
    __rmul__ = _binary("mul", reflected=True)
    __truediv__ = _binary("div")
    __rtruediv__ = _binary("div", reflected=True)

    def __matmul__(self, other):
        return self.matmul(other) if isinstance(other, Fit.Tensor) else NotImplemented

    def __neg__(self):
        return self.neg()

    def __abs__(self):
        return self.abs()

    def __pow__(self, exponent):
        if isinstance(exponent, numbers.Real):
            return self.pow_scalar(float(exponent))
        if isinstance(exponent, Fit.Tensor):
            return self.pow(exponent)
        return NotImplemented

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


# Virtual methods that take a GError, per class; EventHandler's return a plain gboolean.
_EVENT_VFUNCS = ("train_begin", "epoch_begin", "batch_begin", "forward_end", "loss_end",
                 "backward_end", "step_end", "batch_end", "validate_begin",
                 "validate_batch_end", "validate_end", "epoch_end", "train_end", "load_state")
_FAILING_VFUNCS = {
    "EventHandler": _EVENT_VFUNCS,
    "BatchProcessor": ("fit_batch", "evaluate_batch", "predict_batch"),
    "Module": ("forward",),
    "Loss": ("compute",),
    "Metric": ("reset", "update", "compute"),
    "LrSchedule": ("compute",),
    "Optimizer": ("update",),
    "Transform": ("apply_batch",),
    "Dataset": ("get_item", "get_batch"),
}
# Virtual methods that hand back a number (through an out parameter in C, see the
# Fit.Metric docs). PyGObject would pass 0 to C for a result that is not a number.
_NUMBER_VFUNCS = {"Metric": ("compute",), "LrSchedule": ("compute",)}


def _failure(self, func, what):
    message = f"{type(self).__name__}.{func.__name__}: {what}"
    return GLib.Error.new_literal(Fit.error_quark(), message, int(Fit.Error.FAILED))


def _wrap_vfunc(func, none_is_success, returns_number):
    @functools.wraps(func)
    def vfunc(self, *args):
        try:
            result = func(self, *args)
        except GLib.Error:
            raise
        except Exception as e:
            raise _failure(self, func, f"{type(e).__name__}: {e}") from e
        if none_is_success and result is None:
            return True
        if returns_number:
            if not isinstance(result, numbers.Real):
                raise _failure(self, func, f"returned {type(result).__name__}, not a number")
            return float(result)
        return result
    vfunc._fit_wrapped = True
    return vfunc


def _wrap_failing_vfuncs(cls, names, none_is_success, number_names):
    for name in names:
        func = cls.__dict__.get("do_" + name)
        if callable(func) and not getattr(func, "_fit_wrapped", False):
            setattr(cls, "do_" + name, _wrap_vfunc(func, none_is_success, name in number_names))


def _failing_vfuncs_override(name):
    base = getattr(Fit, name)
    names = _FAILING_VFUNCS[name]
    number_names = _NUMBER_VFUNCS.get(name, ())
    none_is_success = name == "EventHandler"

    # __init_subclass__ runs while the class is created, before PyGObject's metaclass
    # registers its do_* methods as the GType's virtual methods.
    def __init_subclass__(cls, **kwargs):
        super(wrapped, cls).__init_subclass__(**kwargs)
        _wrap_failing_vfuncs(cls, names, none_is_success, number_names)

    wrapped = type(base)(name, (base,), {"__init_subclass__": classmethod(__init_subclass__),
                                         "__module__": __name__})
    return override(wrapped)


for _name in _FAILING_VFUNCS:
    globals()[_name] = _failing_vfuncs_override(_name)
    __all__.append(_name)


def _failing_callback(callback):
    @functools.wraps(callback)
    def wrapper(estimator, *args):
        try:
            return callback(estimator, *args)
        except GLib.Error as e:
            estimator.fail(e)
        except Exception as e:
            name = getattr(callback, "__qualname__", repr(callback))
            estimator.fail(GLib.Error.new_literal(
                Fit.error_quark(), f"{name}: {type(e).__name__}: {e}", int(Fit.Error.FAILED)))
        return None
    return wrapper


class Estimator(Fit.Estimator):
    # Signal callbacks cannot return an error; an exception would only be printed. The
    # wrapper hands it to fail(), which skips the rest of the event and ends the fit.
    def connect(self, signal, callback, *args):
        return super().connect(signal, _failing_callback(callback), *args)

    def connect_after(self, signal, callback, *args):
        return super().connect_after(signal, _failing_callback(callback), *args)


Estimator = override(Estimator)
__all__.append("Estimator")
