#!/usr/bin/python3
"""Every layer against its PyTorch twin: the same weights (copied through the module's
state, which also checks the parameter names), the same input, the same output
gradient; outputs, input gradients and parameter gradients must agree.

Tolerances: see nn_testing.py. Linear and convolution layers use an absolute scale of
1e-5 of the largest reference value (their elements are dot products of up to a few
hundred float32 terms that cancel); element-wise layers 1e-6.
"""

import unittest

import numpy as np

from fit_testing import Fit, GLib, have_torch, main, numpy, tensor
from nn_testing import close, compare, copy_weights, randn, torch

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch.nn as tnn


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TestLayers(unittest.TestCase):
    def test_linear(self):
        for bias in (True, False):
            for shape in ((7, 5), (2, 3, 5)):
                tm = tnn.Linear(5, 4, bias=bias)
                fm = Fit.Linear.new(5, 4, bias, Fit.Rng.new(3))
                copy_weights(self, fm, tm)
                compare(self, fm, tm, randn(*shape), f"Linear bias={bias} {shape}", scale=1e-5)
        self.assertEqual(fm.props.in_features, 5)
        self.assertEqual(fm.props.out_features, 4)

    def test_linear_from_properties(self):
        fm = Fit.Linear(in_features=3, out_features=2)
        self.assertEqual(list(fm.get_parameter_names()), ["weight", "bias"])
        self.assertEqual(list(fm.get_weight().get_shape()), [2, 3])

    def test_conv2d(self):
        cases = [
            dict(k=(3, 3), s=(1, 1), p=(1, 1), d=(1, 1), g=1, bias=True),
            dict(k=(3, 2), s=(2, 1), p=(0, 1), d=(1, 1), g=1, bias=False),
            dict(k=(3, 3), s=(1, 2), p=(2, 2), d=(2, 2), g=1, bias=True),
            dict(k=(3, 3), s=(1, 1), p=(1, 1), d=(1, 1), g=2, bias=True),
            dict(k=(1, 1), s=(1, 1), p=(0, 0), d=(1, 1), g=4, bias=True),  # depth-wise
        ]
        for i, c in enumerate(cases):
            tm = tnn.Conv2d(4, 8, c["k"], stride=c["s"], padding=c["p"], dilation=c["d"],
                            groups=c["g"], bias=c["bias"])
            fm = Fit.Conv2d.new_full(4, 8, *c["k"], *c["s"], *c["p"], *c["d"], c["g"], c["bias"],
                                     None)
            copy_weights(self, fm, tm)
            compare(self, fm, tm, randn(2, 4, 9, 8, seed=i), f"Conv2d {c}", scale=1e-5)

    def test_conv2d_unbatched(self):
        tm = tnn.Conv2d(3, 2, 3, padding=1)
        fm = Fit.Conv2d.new(3, 2, 3, 1, 1, None)
        copy_weights(self, fm, tm)
        compare(self, fm, tm, randn(3, 5, 5), "Conv2d [C, H, W]", scale=1e-5)

    def test_conv_transpose2d(self):
        cases = [
            dict(k=(3, 3), s=(2, 2), p=(1, 1), op=(1, 1), d=(1, 1), g=1, bias=True),
            dict(k=(2, 3), s=(1, 2), p=(0, 1), op=(0, 1), d=(1, 1), g=2, bias=False),
            dict(k=(3, 3), s=(1, 1), p=(0, 0), op=(0, 0), d=(2, 1), g=1, bias=True),
        ]
        for i, c in enumerate(cases):
            tm = tnn.ConvTranspose2d(4, 6, c["k"], stride=c["s"], padding=c["p"],
                                     output_padding=c["op"], dilation=c["d"], groups=c["g"],
                                     bias=c["bias"])
            fm = Fit.ConvTranspose2d.new_full(4, 6, *c["k"], *c["s"], *c["p"], *c["op"], *c["d"],
                                              c["g"], c["bias"], None)
            copy_weights(self, fm, tm)
            compare(self, fm, tm, randn(2, 4, 5, 6, seed=i), f"ConvTranspose2d {c}", scale=1e-5)

    def test_pooling(self):
        x = randn(2, 3, 9, 8)
        compare(self, Fit.MaxPool2d.new(2, 0, 0), tnn.MaxPool2d(2), x, "MaxPool2d(2)")
        compare(self, Fit.MaxPool2d.new_full(3, 2, 2, 1, 1, 1), tnn.MaxPool2d((3, 2), (2, 1), 1),
                x, "MaxPool2d((3,2),(2,1),1)")
        compare(self, Fit.AvgPool2d.new(3, 2, 1), tnn.AvgPool2d(3, 2, 1), x, "AvgPool2d pad")
        compare(self, Fit.AvgPool2d.new_full(3, 3, 2, 2, 1, 1, False),
                tnn.AvgPool2d(3, 2, 1, count_include_pad=False), x, "AvgPool2d exclude pad")
        for out in ((1, 1), (4, 3), (5, 5)):
            compare(self, Fit.AdaptiveAvgPool2d.new(*out), tnn.AdaptiveAvgPool2d(out), x,
                    f"AdaptiveAvgPool2d{out}")
        self.assertEqual(Fit.MaxPool2d.new(2, 0, 0).props.stride_h, 2)

    def test_batch_norm(self):
        cases = [(Fit.BatchNorm1d, tnn.BatchNorm1d, (8, 5)),
                 (Fit.BatchNorm1d, tnn.BatchNorm1d, (4, 5, 6)),
                 (Fit.BatchNorm2d, tnn.BatchNorm2d, (4, 5, 3, 3))]
        for fcls, tcls, shape in cases:
            for affine in (True, False):
                what = f"{tcls.__name__} {shape} affine={affine}"
                tm = tcls(5, eps=1e-3, momentum=0.2, affine=affine)
                if affine:
                    with torch.no_grad():
                        tm.weight.uniform_(0.5, 1.5)
                        tm.bias.uniform_(-0.5, 0.5)
                fm = fcls.new(5, 1e-3, 0.2, affine)
                copy_weights(self, fm, tm)
                # Two training steps update the running statistics, then evaluation.
                for step in range(2):
                    x = randn(*shape, seed=step) * 2 + 1
                    compare(self, fm, tm, x, f"{what} training step {step}")
                for name in ("running_mean", "running_var"):
                    close(self, numpy(fm.get_buffer(name)), getattr(tm, name).numpy(),
                          f"{what}: {name}")
                self.assertEqual(numpy(fm.get_buffer("num_batches_tracked")), 2)
                fm.set_training(False)
                tm.eval()
                compare(self, fm, tm, randn(*shape, seed=7), f"{what} evaluation")

    def test_batch_norm_names(self):
        fm = Fit.BatchNorm2d.new(3, 1e-5, 0.1, True)
        tm = tnn.BatchNorm2d(3)
        self.assertEqual(list(fm.get_buffer_names()), [n for n, _ in tm.named_buffers()])
        state = fm.get_state()
        self.assertEqual(list(state.get_names()), list(tm.state_dict().keys()))
        self.assertEqual(state.get("num_batches_tracked").get_dtype(), Fit.DType.INT64)

    def test_batch_norm_one_value_per_channel(self):
        fm = Fit.BatchNorm1d.new(3, 1e-5, 0.1, True)
        with self.assertRaises(GLib.Error) as cm:
            fm.forward(tensor(randn(1, 3)))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        fm.set_training(False)
        fm.forward(tensor(randn(1, 3)))

    def test_layer_norm(self):
        for shape, norm in (((4, 6), [6]), ((2, 3, 4, 5), [4, 5])):
            for affine in (True, False):
                tm = tnn.LayerNorm(norm, eps=1e-4, elementwise_affine=affine)
                if affine:
                    with torch.no_grad():
                        tm.weight.uniform_(0.5, 1.5)
                        tm.bias.uniform_(-0.5, 0.5)
                fm = Fit.LayerNorm.new(norm, 1e-4, affine)
                copy_weights(self, fm, tm)
                compare(self, fm, tm, randn(*shape) * 3, f"LayerNorm {shape} {norm}")
        with self.assertRaises(GLib.Error) as cm:
            fm.forward(tensor(randn(2, 3)))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))

    def test_embedding(self):
        tm = tnn.Embedding(10, 4)
        fm = Fit.Embedding.new(10, 4, None)
        copy_weights(self, fm, tm)
        idx = np.array([[1, 2, 9], [2, 0, 2]], dtype=np.int64)
        compare(self, fm, tm, idx, "Embedding", input_grad=False)

    def test_activations(self):
        x = randn(4, 6) * 3
        pairs = [
            (Fit.ReLU.new(), tnn.ReLU()),
            (Fit.LeakyReLU.new(0.2), tnn.LeakyReLU(0.2)),
            (Fit.GELU.new(), tnn.GELU()),
            (Fit.Sigmoid.new(), tnn.Sigmoid()),
            (Fit.Tanh.new(), tnn.Tanh()),
            (Fit.Softmax.new(1), tnn.Softmax(1)),
            (Fit.Softmax.new(0), tnn.Softmax(0)),
            (Fit.LogSoftmax.new(-1), tnn.LogSoftmax(-1)),
            (Fit.Identity.new(), tnn.Identity()),
        ]
        for fm, tm in pairs:
            compare(self, fm, tm, x, type(tm).__name__)
        compare(self, Fit.Flatten.new(1, -1), tnn.Flatten(), randn(2, 3, 4, 5), "Flatten")
        compare(self, Fit.Flatten.new(0, 1), tnn.Flatten(0, 1), randn(2, 3, 4), "Flatten(0, 1)")
        self.assertEqual(Fit.LeakyReLU.new(0.2).props.negative_slope, 0.2)

    def test_residual(self):
        torch.manual_seed(0)

        class TorchBlock(tnn.Module):
            def __init__(self):
                super().__init__()
                self.body = tnn.Sequential(tnn.Linear(4, 4), tnn.ReLU(), tnn.Linear(4, 4))

            def forward(self, x):
                return self.body(x) + x

        class TorchProjected(tnn.Module):
            def __init__(self):
                super().__init__()
                self.body = tnn.Sequential(tnn.Linear(4, 3), tnn.Tanh())
                self.shortcut = tnn.Linear(4, 3, bias=False)

            def forward(self, x):
                return self.body(x) + self.shortcut(x)

        rng = Fit.Rng.new(1)
        fb = Fit.Residual.new(Fit.Sequential.new_from_modules(
            [Fit.Linear.new(4, 4, True, rng), Fit.ReLU.new(), Fit.Linear.new(4, 4, True, rng)]),
            None)
        tb = TorchBlock()
        copy_weights(self, fb, tb)
        compare(self, fb, tb, randn(3, 4), "Residual(identity)", scale=1e-5)

        fp = Fit.Residual.new(Fit.Sequential.new_from_modules(
            [Fit.Linear.new(4, 3, True, rng), Fit.Tanh.new()]), Fit.Linear.new(4, 3, False, rng))
        tp = TorchProjected()
        copy_weights(self, fp, tp)
        compare(self, fp, tp, randn(3, 4), "Residual(projection)", scale=1e-5)

        bad = Fit.Residual.new(Fit.Linear.new(4, 3, True, rng), None)
        with self.assertRaises(GLib.Error) as cm:
            bad.forward(tensor(randn(2, 4)))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))
        self.assertIn("[2, 3]", cm.exception.message)

    def test_dropout(self):
        x = np.ones((200, 50), dtype=np.float32)
        fm = Fit.Dropout.new(0.3, Fit.Rng.new(5))
        fx = tensor(x, requires_grad=True)
        out = numpy(fm.forward(fx))
        kept = out != 0
        self.assertAlmostEqual(kept.mean(), 0.7, delta=0.02)
        close(self, out[kept], np.full(kept.sum(), 1 / 0.7), "dropout scale")
        # The same seed drops the same elements.
        again = numpy(Fit.Dropout.new(0.3, Fit.Rng.new(5)).forward(tensor(x)))
        np.testing.assert_array_equal(out, again)
        # Evaluation is the identity.
        fm.set_training(False)
        np.testing.assert_array_equal(numpy(fm.forward(tensor(x))), x)


if __name__ == "__main__":
    main()
