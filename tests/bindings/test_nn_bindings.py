#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the nn layer's own tests leave out, through PyGObject: every layer's and loss's
settings as properties, the rng construct property, containers, a Python module's
parameters, buffers and children, and the initialisers against their formulas."""
import math
import unittest

import numpy as np

from fit_testing import Fit, main

MEAN, SUM = Fit.Reduction.MEAN, Fit.Reduction.SUM


class LayerProperties(unittest.TestCase):
    def test_convolutions(self):
        c = Fit.Conv2d.new_full(4, 6, 3, 2, 1, 2, 1, 0, 2, 1, 2, True, None)
        self.assertEqual([c.props.in_channels, c.props.out_channels, c.props.kernel_h,
                          c.props.kernel_w, c.props.stride_w, c.props.padding_h,
                          c.props.padding_w, c.props.dilation_h, c.props.dilation_w],
                         [4, 6, 3, 2, 2, 1, 0, 2, 1])
        self.assertEqual(c.get_bias().get_shape(), [6])
        self.assertIsNone(Fit.Conv2d.new_full(4, 6, 3, 3, 1, 1, 0, 0, 1, 1, 1, False,
                                              None).get_bias())
        t = Fit.ConvTranspose2d.new_full(4, 6, 3, 2, 2, 1, 1, 0, 1, 0, 2, 1, 2, True, None)
        self.assertEqual([t.props.in_channels, t.props.out_channels, t.props.kernel_h,
                          t.props.kernel_w, t.props.stride_w, t.props.padding_h,
                          t.props.padding_w, t.props.output_padding_h,
                          t.props.output_padding_w, t.props.dilation_h, t.props.dilation_w],
                         [4, 6, 3, 2, 1, 1, 0, 1, 0, 2, 1])
        self.assertEqual(t.get_bias().get_shape(), [6])
        small = Fit.ConvTranspose2d.new(2, 3, 2, 2, 0, Fit.Rng.new(1))
        y = small.forward(Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [1, 2, 3, 3]))
        self.assertEqual(y.get_shape(), [1, 3, 6, 6])

    def test_pools_and_shapes(self):
        m = Fit.MaxPool2d.new_full(3, 2, 1, 2, 1, 0)
        self.assertEqual([m.props.kernel_h, m.props.kernel_w, m.props.stride_w,
                          m.props.padding_h, m.props.padding_w], [3, 2, 2, 1, 0])
        a = Fit.AvgPool2d.new_full(3, 2, 1, 2, 1, 0, False)
        self.assertEqual([a.props.kernel_h, a.props.kernel_w, a.props.stride_w,
                          a.props.padding_h, a.props.padding_w], [3, 2, 2, 1, 0])
        ad = Fit.AdaptiveAvgPool2d.new(3, 4)
        self.assertEqual((ad.props.output_h, ad.props.output_w), (3, 4))
        f = Fit.Flatten.new(1, -2)
        self.assertEqual((f.props.start_dim, f.props.end_dim), (1, -2))
        self.assertEqual((Fit.Softmax.new(-1).props.dim, Fit.LogSoftmax.new(0).props.dim), (-1, 0))

    def test_normalisation_and_embedding(self):
        for cls in (Fit.BatchNorm1d, Fit.BatchNorm2d):
            b = cls.new(8, 1e-3, 0.2, False)
            self.assertEqual((b.props.num_features, b.props.eps, b.props.affine), (8, 1e-3, False))
        ln = Fit.LayerNorm.new([3, 4], 1e-5, True)
        self.assertEqual(ln.props.normalized_shape.unpack(), [3, 4])
        e = Fit.Embedding.new(10, 4, None)
        self.assertEqual((e.props.num_embeddings, e.props.embedding_dim), (10, 4))

    def test_linear_and_dropout(self):
        lin = Fit.Linear.new(3, 2, True, None)
        self.assertEqual((lin.get_in_features(), lin.get_out_features()), (3, 2))
        self.assertEqual(lin.get_bias().get_shape(), [2])
        self.assertIsNone(Fit.Linear.new(3, 2, False, None).get_bias())
        d = Fit.Dropout.new(0.3, None)
        self.assertEqual((d.get_p(), d.props.p), (0.3, 0.3))
        self.assertIsInstance(d.get_rng(), Fit.Rng)

    def test_recurrent(self):
        g = Fit.GRU.new(3, 5, 2, True, True, None)
        self.assertEqual([g.props.input_size, g.props.hidden_size, g.props.bidirectional,
                          g.props.batch_first, g.props.dropout], [3, 5, True, True, 0.0])
        lstm = Fit.LSTM.new(3, 5, 1, False, False, None)
        self.assertEqual([lstm.props.input_size, lstm.props.hidden_size, lstm.props.dropout],
                         [3, 5, 0.0])

    def test_rng_construct_property(self):
        # The same seed through the rng property gives the same initial parameters.
        cases = [
            lambda rng: Fit.Conv2d(in_channels=2, out_channels=3, kernel_h=2, kernel_w=2, rng=rng),
            lambda rng: Fit.ConvTranspose2d(in_channels=2, out_channels=3, kernel_h=2,
                                            kernel_w=2, rng=rng),
            lambda rng: Fit.Embedding(num_embeddings=4, embedding_dim=3, rng=rng),
            lambda rng: Fit.Linear(in_features=3, out_features=2, rng=rng),
            lambda rng: Fit.GRU(input_size=2, hidden_size=3, rng=rng),
            lambda rng: Fit.LSTM(input_size=2, hidden_size=3, rng=rng),
        ]
        for i, make in enumerate(cases):
            with self.subTest(case=i):
                a, b, c = make(Fit.Rng.new(5)), make(Fit.Rng.new(5)), make(Fit.Rng.new(6))
                pa, pb, pc = a.get_parameters(), b.get_parameters(), c.get_parameters()
                self.assertTrue(pa)
                self.assertTrue(all(p.allclose(q, 0, 0) for p, q in zip(pa, pb)))
                self.assertFalse(pa[0].allclose(pc[0], 0, 0))
        x = Fit.Tensor.new_full(Fit.DType.FLOAT32, [200], 1.0)
        drop = [Fit.Dropout(p=0.5, rng=Fit.Rng.new(9)) for _ in range(2)]
        self.assertTrue(drop[0].forward(x).allclose(drop[1].forward(x), 0, 0))


class Containers(unittest.TestCase):
    def test_sequential_and_residual(self):
        s = Fit.Sequential.new()
        self.assertEqual(s.get_n_modules(), 0)
        self.assertIsNone(s.get_module(0))
        first = Fit.Linear.new(2, 2, True, None)
        s2 = Fit.Sequential.new_from_modules([first, Fit.Flatten.new(0, -1)])
        self.assertEqual(s2.get_n_modules(), 2)
        self.assertIs(s2.get_module(0), first)
        body = Fit.Linear.new(2, 2, True, None)
        r = Fit.Residual.new(body, None)
        self.assertIs(r.get_body(), body)
        self.assertIs(r.props.body, body)
        self.assertIsNone(r.get_shortcut())
        self.assertIsNone(r.props.shortcut)
        x = Fit.Tensor.new_from_floats([1.0, -2.0], [1, 2])
        want = body.forward(x).numpy() + x.numpy()
        np.testing.assert_allclose(r.forward(x).numpy(), want, rtol=1e-6)

    def test_python_module(self):
        class Scaled(Fit.Module):
            def __init__(self):
                super().__init__()
                self.add_parameter("scale", Fit.Tensor.new_from_floats([2.0], [1]))
                self.add_buffer("calls", Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [1]))
                self.add_child("inner", Fit.Linear.new(3, 3, False, Fit.Rng.new(1)))

            def do_forward(self, x):
                return self.get_child("inner").forward(x).mul(self.get_parameter("scale"))

        m = Scaled()
        self.assertEqual([b.get_shape() for b in m.get_buffers()], [[1]])
        self.assertEqual(len(m.get_children()), 1)
        self.assertIsInstance(m.get_children()[0], Fit.Linear)
        self.assertEqual(m.count_parameters(), 1 + 9)
        text = m.summary_for_input(Fit.Tensor.new_zeros(Fit.DType.FLOAT32, [4, 3]))
        self.assertIn("[4, 3]", text)
        self.assertIn("10", text)


class Losses(unittest.TestCase):
    def test_settings(self):
        ce = Fit.CrossEntropyLoss.new_full(SUM, None, -100, 0.1)
        self.assertEqual((ce.props.ignore_index, ce.props.label_smoothing), (-100, 0.1))
        self.assertEqual(ce.get_reduction(), SUM)
        ce.set_reduction(MEAN)
        self.assertEqual(ce.props.reduction, MEAN)
        self.assertEqual(Fit.NLLLoss.new_full(MEAN, None, 3).props.ignore_index, 3)
        pos = Fit.Tensor.new_from_floats([2.0], [1])
        self.assertIs(Fit.BCEWithLogitsLoss.new_full(MEAN, None, pos).props.pos_weight, pos)
        self.assertTrue(Fit.KLDivLoss.new(MEAN, True).props.log_target)
        self.assertEqual(Fit.SmoothL1Loss.new(MEAN, 0.5).props.beta, 0.5)
        huber = Fit.HuberLoss.new(SUM, 2.0)
        self.assertEqual(huber.props.delta, 2.0)
        p, t = np.array([0.0, 1.0, 5.0]), np.array([0.5, 4.0, -1.0])
        err = np.abs(p - t)
        want = np.where(err <= 2, 0.5 * err ** 2, 2 * (err - 1)).sum()
        got = huber.compute(Fit.Tensor.from_numpy(p), Fit.Tensor.from_numpy(t))
        self.assertAlmostEqual(got.item(), want)


class Init(unittest.TestCase):
    def test_constant_fills(self):
        t = Fit.Tensor.new_full(Fit.DType.FLOAT32, [3], 7.0)
        Fit.init_zeros(t)
        self.assertEqual(t.to_floats(), [0, 0, 0])
        Fit.init_ones(t)
        self.assertEqual(t.to_floats(), [1, 1, 1])
        Fit.init_constant(t, 2.5)
        self.assertEqual(t.to_floats(), [2.5, 2.5, 2.5])

    def test_distributions(self):
        t = Fit.Tensor.new_zeros(Fit.DType.FLOAT64, [64, 32, 3, 3])
        ok, fan_in, fan_out = Fit.init_calculate_fans(t)
        self.assertTrue(ok)
        self.assertEqual((fan_in, fan_out), (32 * 9, 64 * 9))
        gain = Fit.init_calculate_gain(Fit.Nonlinearity.RELU, 0)
        self.assertAlmostEqual(gain, math.sqrt(2))
        self.assertAlmostEqual(Fit.init_calculate_gain(Fit.Nonlinearity.TANH, 0), 5 / 3)
        rng = Fit.Rng.new(4)
        Fit.init_uniform(t, rng, -0.5, 0.25)
        v = t.numpy()
        self.assertTrue(v.min() >= -0.5 and v.max() < 0.25)
        Fit.init_normal(t, rng, 1.0, 0.5)
        self.assertAlmostEqual(t.numpy().std(), 0.5, delta=0.02)
        Fit.init_xavier_uniform(t, rng, 1.0)
        bound = math.sqrt(6 / (fan_in + fan_out))
        self.assertTrue(np.abs(t.numpy()).max() <= bound)
        self.assertGreater(np.abs(t.numpy()).max(), 0.9 * bound)
        Fit.init_xavier_normal(t, rng, 1.0)
        self.assertAlmostEqual(t.numpy().std(), math.sqrt(2 / (fan_in + fan_out)), delta=0.003)
        Fit.init_kaiming_uniform(t, rng, 0, Fit.FanMode.IN, Fit.Nonlinearity.RELU)
        self.assertTrue(np.abs(t.numpy()).max() <= gain * math.sqrt(3 / fan_in))
        Fit.init_kaiming_normal(t, rng, 0, Fit.FanMode.OUT, Fit.Nonlinearity.RELU)
        self.assertAlmostEqual(t.numpy().std(), gain / math.sqrt(fan_out), delta=0.003)

    def test_default_rng(self):
        self.assertIsInstance(Fit.init_get_default_rng(), Fit.Rng)
        Fit.init_set_default_seed(11)
        a = Fit.Linear.new(4, 3, True, None).get_weight()
        Fit.init_set_default_seed(11)
        b = Fit.Linear.new(4, 3, True, None).get_weight()
        self.assertTrue(a.allclose(b, 0, 0))


if __name__ == "__main__":
    main()
