#!/usr/bin/python3
"""LSTM and GRU against PyTorch: one and two layers, one and two directions, time- and
batch-major, with and without initial states; the output sequence, the final states
and every gradient must agree.

Tolerances: see nn_testing.py; rtol 1e-5 with an absolute scale of 1e-5 of the largest
reference value, because the gradients of the weights sum over every time step and
batch element (a few hundred float32 terms that cancel).
"""

import itertools
import unittest

import numpy as np

from fit_testing import Fit, GLib, have_torch, main, numpy, tensor
from nn_testing import close, compare, copy_weights, randn, to_fit, torch

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch.nn as tnn


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TestRnn(unittest.TestCase):
    def test_sequences(self):
        for kind, layers, bidi, batch_first in itertools.product(
                ("LSTM", "GRU"), (1, 2), (False, True), (False, True)):
            what = f"{kind} layers={layers} bidirectional={bidi} batch_first={batch_first}"
            torch.manual_seed(layers * 4 + bidi * 2 + batch_first)
            tm = getattr(tnn, kind)(3, 4, num_layers=layers, bidirectional=bidi,
                                    batch_first=batch_first)
            fm = getattr(Fit, kind).new(3, 4, layers, bidi, batch_first, None)
            copy_weights(self, fm, tm)
            shape = (2, 5, 3) if batch_first else (5, 2, 3)
            compare(self, fm, lambda x: tm(x)[0], randn(*shape), what, scale=1e-5)
            for name, p in tm.named_parameters():
                close(self, numpy(fm.get_parameter(name).get_grad()), p.grad.numpy(),
                      f"{what}: gradient of {name}", scale=1e-5)

    def test_unbatched(self):
        torch.manual_seed(1)
        tm = tnn.GRU(3, 4)
        fm = Fit.GRU.new(3, 4, 1, False, False, None)
        copy_weights(self, fm, tm)
        compare(self, fm, lambda x: tm(x)[0], randn(6, 3), "GRU [T, F]", scale=1e-5)

    def test_parameter_names(self):
        tm = tnn.LSTM(3, 4, num_layers=2, bidirectional=True)
        fm = Fit.LSTM.new(3, 4, 2, True, False, None)
        self.assertEqual(list(fm.get_parameter_names()), [n for n, _ in tm.named_parameters()])
        for name, p in tm.named_parameters():
            self.assertEqual(list(fm.get_parameter(name).get_shape()), list(p.shape), name)
        bound = 1 / 2.0
        for p in fm.get_parameters():
            v = numpy(p)
            self.assertTrue(np.all(np.abs(v) <= bound), "U(-1/sqrt(H), 1/sqrt(H))")

    def test_states(self):
        torch.manual_seed(2)
        tm = tnn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
        fm = Fit.LSTM.new(3, 4, 2, True, True, None)
        copy_weights(self, fm, tm)
        x, h0, c0 = randn(2, 5, 3), randn(4, 2, 4, seed=1), randn(4, 2, 4, seed=2)
        out, hn, cn = fm.forward_full(tensor(x), tensor(h0), tensor(c0))
        tout, (thn, tcn) = tm(torch.tensor(x), (torch.tensor(h0), torch.tensor(c0)))
        close(self, numpy(out), tout.detach().numpy(), "LSTM output from states")
        close(self, numpy(hn), thn.detach().numpy(), "LSTM h_n")
        close(self, numpy(cn), tcn.detach().numpy(), "LSTM c_n")

        tg = tnn.GRU(3, 4, num_layers=2)
        fg = Fit.GRU.new(3, 4, 2, False, False, None)
        copy_weights(self, fg, tg)
        fh0 = tensor(randn(2, 2, 4, seed=3), requires_grad=True)
        th0 = torch.tensor(randn(2, 2, 4, seed=3), requires_grad=True)
        out, hn = fg.forward_full(tensor(randn(5, 2, 3)), fh0)
        tout, thn = tg(torch.tensor(randn(5, 2, 3)), th0)
        close(self, numpy(out), tout.detach().numpy(), "GRU output from h0")
        close(self, numpy(hn), thn.detach().numpy(), "GRU h_n")
        g = randn(*tout.shape, seed=4)
        out.backward_full(tensor(g), False)
        tout.backward(torch.tensor(g))
        close(self, numpy(fh0.get_grad()), th0.grad.numpy(), "GRU gradient of h0")

        with self.assertRaises(GLib.Error) as cm:
            fg.forward_full(tensor(randn(5, 2, 3)), tensor(randn(1, 2, 4)))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        self.assertIn("[2, 2, 4]", cm.exception.message)

    def test_wrong_input(self):
        fm = Fit.LSTM.new(3, 4, 1, False, False, None)
        with self.assertRaises(GLib.Error) as cm:
            fm.forward(tensor(randn(5, 2, 7)))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        self.assertIn("[5, 2, 7]", cm.exception.message)


if __name__ == "__main__":
    main()
