#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python override turns exceptions in do_* overrides into GLib.Error, so that the
C caller sees a failure with the exception's message instead of a printed traceback."""
import unittest

from fit_testing import Fit, GLib, main
from gi.repository import GObject


class Raising(Fit.Module):
    def do_forward(self, x):
        raise KeyError("no such input")


class RaisingLoss(Fit.Loss):
    def do_compute(self, prediction, target):
        raise ZeroDivisionError("division by zero")


class RaisingDataset(GObject.Object, Fit.Dataset):
    def do_get_n_items(self):
        return 4

    def do_get_item(self, index):
        raise IndexError(f"item {index} is missing")


class PassingThrough(Fit.Module):
    def do_forward(self, x):
        raise GLib.Error.new_literal(Fit.error_quark(), "kept as is", int(Fit.Error.SHAPE))


class RaisingMetric(Fit.Metric):
    def do_reset(self):
        raise RuntimeError("cannot reset")

    def do_compute(self):
        raise ValueError("no value")


class ForgetfulMetric(Fit.Metric):
    def do_compute(self):
        pass


class NumpyMetric(Fit.Metric):
    def do_compute(self):
        import numpy  # noqa: PLC0415 - only this test needs it
        return numpy.float32(0.75)


class WordySchedule(Fit.LrSchedule):
    def do_compute(self, base_lr, step):
        return "fast"


class RaisingSchedule(Fit.LrSchedule):
    def do_compute(self, base_lr, step):
        return 1 / step


class OverrideErrors(unittest.TestCase):
    def scalar(self):
        return Fit.Tensor.new_scalar(Fit.DType.FLOAT32, 1.0)

    def assertFailed(self, cm, message, code=Fit.Error.FAILED):
        self.assertTrue(cm.exception.matches(Fit.error_quark(), code), cm.exception)
        self.assertEqual(cm.exception.message, message)

    def test_module_forward(self):
        with self.assertRaises(GLib.Error) as cm:
            Raising().forward(self.scalar())
        self.assertFailed(cm, "Raising.do_forward: KeyError: 'no such input'")

    def test_loss_compute(self):
        with self.assertRaises(GLib.Error) as cm:
            RaisingLoss().compute(self.scalar(), self.scalar())
        self.assertFailed(cm, "RaisingLoss.do_compute: ZeroDivisionError: division by zero")

    def test_dataset_item_through_the_loader(self):
        it = Fit.DataLoader.new(RaisingDataset(), 2).iterate(0, 0)
        with self.assertRaises(GLib.Error) as cm:
            it.next(None)
        self.assertFailed(cm, "RaisingDataset.do_get_item: IndexError: item 0 is missing")

    def test_glib_error_keeps_its_code(self):
        with self.assertRaises(GLib.Error) as cm:
            PassingThrough().forward(self.scalar())
        self.assertFailed(cm, "kept as is", Fit.Error.SHAPE)

    def test_metric_reset_and_compute(self):
        with self.assertRaises(GLib.Error) as cm:
            RaisingMetric().reset()
        self.assertFailed(cm, "RaisingMetric.do_reset: RuntimeError: cannot reset")
        with self.assertRaises(GLib.Error) as cm:
            RaisingMetric().get()
        self.assertFailed(cm, "RaisingMetric.do_compute: ValueError: no value")

    def test_compute_must_return_a_number(self):
        # Bare PyGObject would hand C a 0 for None, silently.
        with self.assertRaises(GLib.Error) as cm:
            ForgetfulMetric().get()
        self.assertFailed(cm, "ForgetfulMetric.do_compute: returned NoneType, not a number")
        with self.assertRaises(GLib.Error) as cm:
            WordySchedule().get_learning_rate(1.0, 0)
        self.assertFailed(cm, "WordySchedule.do_compute: returned str, not a number")
        self.assertEqual(NumpyMetric().get(), 0.75)

    def test_schedule_compute(self):
        self.assertEqual(RaisingSchedule().get_learning_rate(1.0, 4), 0.25)
        with self.assertRaises(GLib.Error) as cm:
            RaisingSchedule().get_learning_rate(1.0, 0)
        self.assertFailed(cm, "RaisingSchedule.do_compute: ZeroDivisionError: division by zero")

    def test_wrapping_is_once_per_method(self):
        class Sub(Raising):
            pass
        self.assertIs(Sub.do_forward, Raising.do_forward)


if __name__ == "__main__":
    main()
