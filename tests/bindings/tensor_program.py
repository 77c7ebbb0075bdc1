#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reference tensor program (tensor-program.c) through PyGObject."""
import gi

gi.require_version("Fit", "1.0")
from gi.repository import Fit  # noqa: E402

x = Fit.Tensor.new_arange(Fit.DType.FLOAT32, 0, 12, 1).reshape([3, 4]).mul_scalar(0.1)
w = Fit.Tensor.new_arange(Fit.DType.FLOAT32, 0, 8, 1).reshape([4, 2]).mul_scalar(-0.05).add_scalar(0.2)
b = Fit.Tensor.new_from_floats([0.1, -0.2], [2])
w.set_requires_grad(True)
b.set_requires_grad(True)

h = x.matmul(w).add(b).tanh()
loss = h.sigmoid().mul(h).mean([], False)
loss.backward()


def show(name, values):
    print(name + "".join(" %.9g" % v for v in values))


print("loss %.9g" % loss.item())
show("w.grad", w.get_grad().to_doubles())
show("b.grad", b.get_grad().to_doubles())
