"""The metrics against NumPy and PyTorch references over uneven batches."""

import math
import unittest

import numpy as np

from fit_testing import Fit, GLib, assert_close, have_torch, main, tensor


def batches(n, sizes):
    start = 0
    for size in sizes:
        yield slice(start, start + size)
        start += size
    assert start == n


def confusion_scores(truth, pred, n_classes):
    tp = np.array([np.sum((pred == c) & (truth == c)) for c in range(n_classes)], float)
    fp = np.array([np.sum((pred == c) & (truth != c)) for c in range(n_classes)], float)
    fn = np.array([np.sum((pred != c) & (truth == c)) for c in range(n_classes)], float)
    present = (tp + fp + fn) > 0

    def safe(a, b):
        return np.where(b > 0, a / np.where(b > 0, b, 1), 0.0)

    p, r = safe(tp, tp + fp), safe(tp, tp + fn)
    f = safe(2 * tp, 2 * tp + fp + fn)
    micro = (safe(tp.sum(), tp.sum() + fp.sum()), safe(tp.sum(), tp.sum() + fn.sum()),
             safe(2 * tp.sum(), 2 * tp.sum() + fp.sum() + fn.sum()))
    return (p[present].mean(), r[present].mean(), f[present].mean()), micro


class MetricReference(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(3)
        self.n, self.c = 53, 5
        self.sizes = [16, 16, 16, 5]
        self.logits = rng.normal(size=(self.n, self.c)).astype(np.float32)
        self.labels = rng.integers(0, self.c, size=self.n).astype(np.int64)
        # Make the predictions right more often than chance.
        self.logits[np.arange(self.n), self.labels] += 0.8

    def feed(self, metric, preds, labels):
        metric.reset()
        for s in batches(self.n, self.sizes):
            self.assertTrue(metric.update(tensor(preds[s]), tensor(labels[s])))
        return metric.get()

    def test_accuracy(self):
        expected = np.mean(self.logits.argmax(1) == self.labels)
        self.assertAlmostEqual(self.feed(Fit.Accuracy.new(), self.logits, self.labels),
                               expected, places=12)

    def test_top_k(self):
        for k in (1, 2, 3):
            if have_torch():
                import torch
                top = torch.topk(torch.from_numpy(self.logits), k, dim=1).indices.numpy()
            else:
                top = np.argsort(-self.logits, axis=1)[:, :k]
            expected = np.mean([self.labels[i] in top[i] for i in range(self.n)])
            self.assertAlmostEqual(self.feed(Fit.TopKAccuracy.new(k), self.logits, self.labels),
                                   expected, places=12)

    def test_precision_recall_f1(self):
        macro, micro = confusion_scores(self.labels, self.logits.argmax(1), self.c)
        for i, cls in enumerate((Fit.Precision, Fit.Recall, Fit.F1Score)):
            self.assertAlmostEqual(self.feed(cls.new(Fit.Average.MACRO), self.logits, self.labels),
                                   macro[i], places=12)
            self.assertAlmostEqual(self.feed(cls.new(Fit.Average.MICRO), self.logits, self.labels),
                                   micro[i], places=12)

    def test_regression(self):
        rng = np.random.default_rng(4)
        pred = rng.normal(size=(self.n, 2)).astype(np.float32)
        target = rng.normal(size=(self.n, 2)).astype(np.float32)
        d = pred.astype(np.float64) - target
        for cls, expected in ((Fit.Mae, np.abs(d).mean()), (Fit.Mse, (d * d).mean()),
                              (Fit.Rmse, math.sqrt((d * d).mean()))):
            assert_close(self, self.feed(cls.new(), pred, target), expected, rtol=1e-12,
                         what=cls.__name__)

    def test_cross_entropy_perplexity(self):
        if not have_torch():
            self.skipTest("PyTorch is not installed")
        import torch
        ce = torch.nn.functional.cross_entropy(torch.from_numpy(self.logits).double(),
                                               torch.from_numpy(self.labels)).item()
        assert_close(self, self.feed(Fit.CrossEntropyMetric.new(True), self.logits, self.labels),
                     ce, rtol=1e-9, what="cross-entropy")
        assert_close(self, self.feed(Fit.Perplexity.new(True), self.logits, self.labels),
                     math.exp(ce), rtol=1e-9, what="perplexity")
        # Sequence outputs [batch, time, classes]: every token counts.
        seq = self.logits[:50].reshape(10, 5, self.c)
        lab = self.labels[:50].reshape(10, 5)
        m = Fit.CrossEntropyMetric.new(True)
        self.assertTrue(m.update(tensor(seq), tensor(lab)))
        ce50 = torch.nn.functional.cross_entropy(torch.from_numpy(self.logits[:50]).double(),
                                                 torch.from_numpy(self.labels[:50])).item()
        assert_close(self, m.get(), ce50, rtol=1e-9, what="sequence cross-entropy")

    def test_errors_are_gerrors(self):
        with self.assertRaises(GLib.Error) as cm:
            Fit.Accuracy.new().update(tensor(self.logits), tensor(self.labels[:3]))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))


class PythonMetric(unittest.TestCase):
    def test_subclass(self):
        class MaxError(Fit.Metric):
            def __init__(self):
                super().__init__(name="max_error", mode=Fit.MonitorMode.MIN)
                self.worst = float("nan")

            def do_reset(self):
                self.worst = float("nan")

            def do_update(self, prediction, label):
                from fit_testing import numpy as to_numpy
                err = float(np.max(np.abs(to_numpy(prediction) - to_numpy(label))))
                self.worst = err if math.isnan(self.worst) else max(self.worst, err)
                return True

            def do_compute(self):
                return self.worst

        m = MaxError()
        self.assertTrue(m.update(tensor(np.array([1.0, 2.0], np.float32)),
                                 tensor(np.array([1.5, 0.0], np.float32))))
        self.assertEqual(m.get(), 2.0)
        self.assertEqual(m.props.name, "max_error")
        copy = m.copy()
        self.assertEqual(copy.props.name, "max_error")


if __name__ == "__main__":
    main()
