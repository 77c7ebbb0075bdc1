#!/usr/bin/python3
"""Conv1d, the 1-D pooling layers, adaptive max pooling and ModuleList against PyTorch:
the same weights (copied through the module's state, which also checks the parameter
names), the same input and output gradient; outputs, input gradients and parameter
gradients must agree.

Tolerances: see nn_testing.py. Conv1d uses an absolute scale of 1e-5 of the largest
reference value (its elements are dot products of a few dozen float32 terms that
cancel); pooling only picks or averages a handful of elements, so it uses 1e-6.
"""

import unittest

import numpy as np

from fit_testing import Fit, GLib, have_torch, main, numpy, tensor
from nn_testing import compare, copy_weights, randn, torch

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch.nn as tnn


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TestLayersExtra(unittest.TestCase):
    def test_conv1d(self):
        cases = [
            dict(k=3, s=1, p=1, d=1, g=1, bias=True),
            dict(k=2, s=2, p=0, d=1, g=1, bias=False),
            dict(k=3, s=1, p=2, d=2, g=1, bias=True),
            dict(k=3, s=2, p=1, d=1, g=2, bias=True),
            dict(k=1, s=1, p=0, d=1, g=4, bias=True),   # depth-wise
        ]
        for i, c in enumerate(cases):
            tm = tnn.Conv1d(4, 8, c["k"], stride=c["s"], padding=c["p"], dilation=c["d"],
                            groups=c["g"], bias=c["bias"])
            fm = Fit.Conv1d.new_full(4, 8, c["k"], c["s"], c["p"], c["d"], c["g"], c["bias"],
                                     None)
            self.assertEqual(list(fm.get_weight().get_shape()), list(tm.weight.shape))
            self.assertEqual(fm.get_bias() is not None, c["bias"])
            copy_weights(self, fm, tm)
            compare(self, fm, tm, randn(2, 4, 11, seed=i), f"Conv1d {c}", scale=1e-5)
            compare(self, fm, tm, randn(4, 9, seed=10 + i), f"Conv1d unbatched {c}", scale=1e-5)
        self.assertEqual((fm.props.in_channels, fm.props.out_channels), (4, 8))
        self.assertEqual((fm.props.kernel_size, fm.props.stride, fm.props.padding), (1, 1, 0))
        self.assertEqual((fm.props.dilation, fm.props.groups, fm.props.bias), (1, 4, True))

    def test_conv1d_default_init(self):
        fm = Fit.Conv1d.new(6, 5, 3, 1, 0, Fit.Rng.new(1))
        self.assertEqual(list(fm.get_parameter_names()), ["weight", "bias"])
        bound = 1 / np.sqrt(6 * 3)    # torch: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        for p in (fm.get_weight(), fm.get_bias()):
            self.assertLessEqual(float(np.max(np.abs(numpy(p)))), bound)
        # 90 weights fill the interval: the largest is within a tenth of the bound
        self.assertGreater(float(np.max(np.abs(numpy(fm.get_weight())))), 0.9 * bound)
        fm2 = Fit.Conv1d(in_channels=2, out_channels=3, kernel_size=4, rng=Fit.Rng.new(2))
        self.assertEqual(list(fm2.get_weight().get_shape()), [3, 2, 4])

    def test_conv1d_errors(self):
        fm = Fit.Conv1d.new(4, 2, 3, 1, 0, None)
        for shape in ((2, 3, 8), (2, 4, 8, 1), (8,)):
            with self.assertRaises(GLib.Error) as cm:
                fm.forward(Fit.Tensor.new_zeros(Fit.DType.FLOAT32, shape))
            self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        with self.assertRaises(GLib.Error) as cm:   # the kernel is longer than the input
            fm.forward(Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [1, 4, 2]))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))

    def test_pool1d(self):
        for i, (k, s, p) in enumerate(((2, 0, 0), (3, 2, 1), (3, 1, 1), (4, 3, 2))):
            tstride = s if s else None
            fm = Fit.MaxPool1d.new(k, s, p)
            tm = tnn.MaxPool1d(k, tstride, p)
            compare(self, fm, tm, randn(2, 3, 10, seed=i), f"MaxPool1d {k} {s} {p}")
            compare(self, fm, tm, randn(3, 9, seed=i), f"MaxPool1d unbatched {k} {s} {p}")
            self.assertEqual((fm.props.kernel_size, fm.props.stride, fm.props.padding),
                             (k, s or k, p))
            for include in (True, False):
                fm = Fit.AvgPool1d.new_full(k, s, p, include)
                tm = tnn.AvgPool1d(k, tstride, p, count_include_pad=include)
                compare(self, fm, tm, randn(2, 3, 10, seed=i),
                        f"AvgPool1d {k} {s} {p} {include}")
                self.assertEqual(fm.props.count_include_pad, include)
            compare(self, Fit.AvgPool1d.new(k, s, p), tnn.AvgPool1d(k, tstride, p),
                    randn(3, 10, seed=i), f"AvgPool1d unbatched {k} {s} {p}")
        with self.assertRaises(GLib.Error) as cm:
            Fit.MaxPool1d.new(2, 0, 0).forward(
                Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [2, 3, 4, 4]))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))

    def test_adaptive_avg_pool1d(self):
        for out in (1, 3, 4, 7):
            fm = Fit.AdaptiveAvgPool1d.new(out)
            tm = tnn.AdaptiveAvgPool1d(out)
            compare(self, fm, tm, randn(2, 3, 7, seed=out), f"AdaptiveAvgPool1d {out}")
            compare(self, fm, tm, randn(3, 10, seed=out), f"AdaptiveAvgPool1d unbatched {out}")
            self.assertEqual(fm.props.output_size, out)

    def test_adaptive_max_pool2d(self):
        for i, (oh, ow) in enumerate(((1, 1), (2, 3), (3, 3), (5, 7), (1, 4))):
            fm = Fit.AdaptiveMaxPool2d.new(oh, ow)
            tm = tnn.AdaptiveMaxPool2d((oh, ow))
            compare(self, fm, tm, randn(2, 3, 5, 7, seed=i), f"AdaptiveMaxPool2d {oh}x{ow}")
            compare(self, fm, tm, randn(3, 6, 9, seed=i),
                    f"AdaptiveMaxPool2d unbatched {oh}x{ow}")
            self.assertEqual((fm.props.output_h, fm.props.output_w), (oh, ow))
        # float64 runs through the same node
        x = torch.tensor(randn(2, 2, 4, 6, seed=9).astype(np.float64))
        fx = tensor(x.numpy())
        out = Fit.AdaptiveMaxPool2d.new(3, 4).forward(fx)
        np.testing.assert_array_equal(numpy(out), tnn.AdaptiveMaxPool2d((3, 4))(x).numpy())
        with self.assertRaises(GLib.Error) as cm:
            fm.forward(Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [4, 4]))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        with self.assertRaises(GLib.Error) as cm:
            fm.forward(Fit.Tensor.new_zeros(Fit.DType.INT64, [1, 2, 4, 4]))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.DTYPE))

    def test_module_list(self):
        convs = Fit.ModuleList.new()
        seen = []
        convs.connect("items-changed", lambda m, pos, removed, added: seen.append(pos))
        for k in (3, 4):
            convs.append(Fit.Conv1d.new(4, 2, k, 1, 0, None))
        self.assertEqual(seen, [0, 1])
        self.assertEqual(convs.get_n_items(), 2)
        self.assertEqual(len(convs), 2)
        self.assertEqual([m.props.kernel_size for m in convs], [3, 4])
        self.assertEqual(convs.get(1).props.kernel_size, 4)
        self.assertIsNone(convs.get(2))
        self.assertEqual(convs.get_item_type(), Fit.Module.__gtype__)

        class Net(Fit.Module):
            pass

        net = Net()
        net.add_child("convs", convs)
        self.assertEqual(list(net.get_parameter_names()),
                         ["convs.0.weight", "convs.0.bias", "convs.1.weight", "convs.1.bias"])
        tm = tnn.Module()
        tm.convs = tnn.ModuleList([tnn.Conv1d(4, 2, 3), tnn.Conv1d(4, 2, 4)])
        copy_weights(self, net, tm)
        x = randn(2, 4, 9, seed=3)
        for i, m in enumerate(convs):
            compare(self, m, tm.convs[i], x, f"ModuleList[{i}]", scale=1e-5)

        with self.assertRaises(GLib.Error) as cm:
            convs.forward(Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [2, 4, 9]))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.STATE))
        self.assertIn("iterate its modules", cm.exception.message)

        pools = Fit.ModuleList.new_from_modules([Fit.MaxPool1d.new(2, 0, 0),
                                                 Fit.AvgPool1d.new(2, 0, 0)])
        self.assertEqual(list(pools.get_child_names()), ["0", "1"])
        self.assertEqual(pools.get_n_items(), 2)


if __name__ == "__main__":
    main()
