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

    def test_wrapping_is_once_per_method(self):
        class Sub(Raising):
            pass
        self.assertIs(Sub.do_forward, Raising.do_forward)


if __name__ == "__main__":
    main()
