"""Helpers shared by the nn tests that compare fit-glib modules with PyTorch ones.

Weights travel through the modules' state: a torch state_dict() becomes a
Fit.Safetensors whose names must match the fit module's exactly (set_state refuses
anything else), which checks the parameter naming as a side effect.

Tolerances. float32 results are held to rtol 1e-5 plus an absolute tolerance of
`scale` times the largest magnitude of the reference: an element near zero is a sum
whose terms cancel (a dot product of a linear or convolution layer, a gradient summed
over a batch), so it carries the rounding error of its large partial sums, not of its
own small value. Both libraries sum in float32 in different orders.
"""

import numpy as np

from fit_testing import Fit, assert_close, numpy, tensor

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the tests skip themselves
    torch = None


def close(test, actual, expected, what, rtol=1e-5, scale=1e-6):
    expected = np.asarray(expected, dtype=np.float64)
    atol = scale * max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1.0)
    assert_close(test, actual, expected, rtol=rtol, atol=atol, what=what)


def to_fit(array):
    """Like fit_testing.tensor(), keeping 0-D arrays 0-D (np.ascontiguousarray makes
    them 1-D)."""
    array = np.asarray(array)
    t = tensor(array.reshape(-1))
    return t.reshape(list(array.shape)) if array.ndim != 1 else t


def state_from_torch(module):
    """A Fit.Safetensors holding a copy of module.state_dict()."""
    state = Fit.Safetensors.new()
    for name, value in module.state_dict().items():
        state.add(name, to_fit(value.detach().cpu().numpy()))
    return state


def copy_weights(test, fit_module, torch_module):
    fit_module.set_state(state_from_torch(torch_module))
    test.assertEqual(list(fit_module.get_parameter_names()),
                     [n for n, _ in torch_module.named_parameters()])


def compare(test, fit_module, torch_module, x, what, seed=0, scale=1e-6, rtol=1e-5,
            input_grad=True):
    """Runs both modules on x (torch_module may be a plain function, whose parameters the
    caller then checks), backpropagates the same random output gradient and
    compares outputs, the input gradient and every parameter gradient."""
    fx = tensor(x, requires_grad=input_grad and x.dtype.kind == "f")
    out = fit_module.forward(fx)
    tx = torch.tensor(x, requires_grad=input_grad and x.dtype.kind == "f")
    tout = torch_module(tx)
    close(test, numpy(out), tout.detach().numpy(), what + ": output", rtol, scale)

    g = np.random.default_rng(seed).standard_normal(tout.shape).astype(np.float32)
    fit_module.zero_grad()
    if hasattr(torch_module, "zero_grad"):
        torch_module.zero_grad()
    out.backward_full(to_fit(g), False)
    tout.backward(torch.tensor(g))
    if input_grad and x.dtype.kind == "f":
        close(test, numpy(fx.get_grad()), tx.grad.numpy(), what + ": input gradient", rtol,
              scale)
    for name, p in getattr(torch_module, "named_parameters", lambda: [])():
        fp = fit_module.get_parameter(name)
        test.assertIsNotNone(fp, f"{what}: no parameter {name}")
        close(test, numpy(fp.get_grad()), p.grad.numpy(), f"{what}: gradient of {name}", rtol,
              scale)
    return out, tout


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
