#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Forward and backward of the benchmark models' layers, fit-glib beside PyTorch.

The Linear layers of the MLP (784-512-256-10) and the Conv2d layers of the CNN
(3x3 convolutions 1->8->16->32 on 28x28 images) at batch 64, as in
../shared/bench/torch_fmnist.py. Both frameworks run in this one process on the same
OpenBLAS (fit-glib loads its OpenMP build first, and torch then resolves to the same
library), with the same thread count, alternating sample by sample; the table gives
median GFLOP/s and the ratio. The first layer of each model computes no input
gradient, as in training.

  /usr/bin/python3 tests/benchmarks/layers_vs_torch.py --threads 1
"""
import argparse
import os
import statistics
import sys
import time

parser = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--samples", type=int, default=15)
parser.add_argument("--batch-size", type=int, default=64)
args = parser.parse_args()

# Thread counts must be set before any BLAS or OpenMP runtime is loaded.
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import gi  # noqa: E402

gi.require_version("Fit", "1.0")
from gi.repository import Fit  # noqa: E402

try:
    import numpy as np  # noqa: E402
    import torch  # noqa: E402
except ImportError:
    print("python3-torch and python3-numpy are needed for this comparison")
    sys.exit(77)

torch.set_num_threads(args.threads)
Fit.set_num_threads(args.threads)
B = args.batch_size


def fit_tensor(a, requires_grad=False):
    t = Fit.Tensor.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    if requires_grad:
        t.set_requires_grad(True)
    return t


class Case:
    def __init__(self, name, in_shape, flops_fwd, make_fit, make_torch, input_grad):
        self.name, self.in_shape, self.flops_fwd = name, in_shape, flops_fwd
        self.input_grad = input_grad
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal(in_shape).astype(np.float32)
        self.fit_layer, self.torch_layer = make_fit(), make_torch()
        # The same weights on both sides.
        with torch.no_grad():
            for p, q in zip(self.fit_layer.get_parameters(), self.torch_layer.parameters()):
                q.copy_(torch.from_numpy(p.numpy()))
        out = self.torch_layer(torch.from_numpy(self.x))
        self.gy = rng.standard_normal(tuple(out.shape)).astype(np.float32)

    @property
    def flops_bwd(self):
        # dW always, dX unless this is the model's first layer.
        return self.flops_fwd * (2 if self.input_grad else 1)

    def fit_step(self, backward):
        x = fit_tensor(self.x, self.input_grad)
        gy = fit_tensor(self.gy)
        for p in self.fit_layer.get_parameters():
            p.set_grad(None)
        t0 = time.perf_counter()
        y = self.fit_layer.forward(x)
        if backward:
            y.backward_full(gy, False)
        return time.perf_counter() - t0

    def torch_step(self, backward):
        x = torch.from_numpy(self.x).requires_grad_(self.input_grad)
        gy = torch.from_numpy(self.gy)
        self.torch_layer.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        if backward:
            y = self.torch_layer(x)
            y.backward(gy)
        else:
            with torch.no_grad():
                y = self.torch_layer(x)
        return time.perf_counter() - t0


def linear(name, n_in, n_out, first):
    return Case(name, (B, n_in), 2.0 * B * n_in * n_out,
                lambda: Fit.Linear.new(n_in, n_out, True, Fit.Rng.new(1)),
                lambda: torch.nn.Linear(n_in, n_out), not first)


def conv(name, c_in, c_out, size, first):
    out = size - 2
    return Case(name, (B, c_in, size, size), 2.0 * B * c_out * out * out * c_in * 9,
                lambda: Fit.Conv2d.new(c_in, c_out, 3, 1, 0, Fit.Rng.new(1)),
                lambda: torch.nn.Conv2d(c_in, c_out, 3), not first)



def main():
    cases = [
        linear("mlp fc1 784->512", 784, 512, True),
        linear("mlp fc2 512->256", 512, 256, False),
        linear("mlp fc3 256->10", 256, 10, False),
        conv("cnn conv1 1->8 28x28", 1, 8, 28, True),
        conv("cnn conv2 8->16 26x26", 8, 16, 26, False),
        conv("cnn conv3 16->32 24x24", 16, 32, 24, False),
    ]
    print(f"# fit-glib {Fit.MAJOR_VERSION}.{Fit.MINOR_VERSION} vs torch {torch.__version__}, "
          f"batch {B}, {args.threads} thread(s), {Fit.get_blas_info()}, "
          f"median of {args.samples} alternating samples")
    print(f"| layer | pass | fit-glib GFLOP/s | PyTorch GFLOP/s | fit/torch time |")
    print(f"|---|---|---|---|---|")
    for case in cases:
        for backward in (False, True):
            case.fit_step(backward)
            case.torch_step(backward)
            fit_t, torch_t = [], []
            for _ in range(args.samples):
                fit_t.append(case.fit_step(backward))
                torch_t.append(case.torch_step(backward))
            flops = case.flops_fwd + (case.flops_bwd if backward else 0)
            f, t = statistics.median(fit_t), statistics.median(torch_t)
            print(f"| {case.name} | {'fwd+bwd' if backward else 'fwd'} | "
                  f"{flops / f / 1e9:.1f} | {flops / t / 1e9:.1f} | {f / t:.2f} |")


if __name__ == "__main__":
    main()
