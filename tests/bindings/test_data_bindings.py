#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the data layer's own tests leave out, through PyGObject: a Python dataset's
get_batch override feeding a loader, the loader's and the readers' settings as methods
and properties, transforms' parameters, subsets and the IDX reader."""
import os
import struct
import tempfile
import unittest

import numpy as np

from gi.repository import GObject

from fit_testing import Fit, GLib, main


class BatchedSquares(GObject.Object, Fit.Dataset):
    """Item i is [i, i*i]; get_batch marks its rows with +1000, so a test can tell
    whether the loader used it."""

    def do_get_n_items(self):
        return 6

    def do_get_item(self, index):
        x = Fit.Tensor.from_numpy(np.float32([index, index * index]))
        return True, x, Fit.Tensor.new_scalar(Fit.DType.INT64, index)

    # PyGObject passes the array's length too.
    def do_get_batch(self, indices, n_indices):
        assert n_indices == len(indices)
        x = np.float32([[1000 + i, i * i] for i in indices])
        return True, Fit.Tensor.from_numpy(x), Fit.Tensor.from_numpy(np.int64(indices))


class Loader(unittest.TestCase):
    def test_get_batch_override(self):
        ds = BatchedSquares()
        ok, x, y = ds.get_batch([3, 1])
        self.assertTrue(ok)
        np.testing.assert_array_equal(x.numpy(), [[1003, 9], [1001, 1]])
        loader = Fit.DataLoader.new(ds, 4)
        it = loader.iterate(2, 0)
        self.assertEqual((it.get_epoch(), it.get_position()), (2, 0))
        ok, x, y = it.next(None)
        self.assertTrue(ok)
        np.testing.assert_array_equal(x.numpy()[:, 0], [1000, 1001, 1002, 1003])
        self.assertEqual(it.get_position(), 1)

    def test_settings(self):
        ds = BatchedSquares()
        loader = Fit.DataLoader.new(ds, 4)
        self.assertIs(loader.get_dataset(), ds)
        self.assertIs(loader.props.dataset, ds)
        self.assertEqual((loader.get_batch_size(), loader.props.batch_size), (4, 4))
        self.assertEqual(loader.get_n_samples(), 6)
        self.assertFalse(loader.get_shuffle())
        loader.set_shuffle(True)
        self.assertTrue(loader.get_shuffle())
        loader.set_drop_last(True)
        self.assertTrue(loader.get_drop_last())
        self.assertEqual(loader.get_n_samples(), 4)            # the last, short batch is dropped
        loader.set_n_workers(1)
        loader.set_prefetch_factor(3)
        self.assertEqual((loader.get_n_workers(), loader.get_prefetch_factor(),
                          loader.props.prefetch_factor), (1, 3, 3))
        self.assertIsNone(loader.get_transform())
        scale = Fit.Scale.new(0.5, 0.0)
        loader.props.transform = scale
        self.assertIs(loader.get_transform(), scale)
        # Hold the transform in a variable: PyGObject warns when a property is set from an
        # object that only the argument list holds.
        one_hot = Fit.OneHot.new(6)
        loader.props.label_transform = one_hot
        self.assertEqual(loader.get_label_transform().get_n_classes(), 6)
        ok, x, y = loader.iterate(0, 0).next(None)
        self.assertEqual(x.get_shape(), [4, 2])
        self.assertEqual(y.get_shape(), [4, 6])
        self.assertTrue(np.all(x.numpy()[:, 0] >= 500))      # batches went through get_batch


class Transforms(unittest.TestCase):
    def test_parameters(self):
        s = Fit.Scale.new(2.0, 1.0)
        self.assertEqual((s.get_factor(), s.get_offset()), (2.0, 1.0))
        self.assertEqual((s.props.factor, s.props.offset), (2.0, 1.0))
        self.assertEqual(s.apply(Fit.Tensor.new_from_floats([1, 2], [2]), None).to_floats(),
                         [3.0, 5.0])
        c = Fit.Compose.new([s, Fit.Scale.new(1.0, -1.0)])
        self.assertEqual(c.get_n_transforms(), 2)
        self.assertEqual(c.get_transform(1).get_offset(), -1.0)
        self.assertEqual(c.apply(Fit.Tensor.new_from_floats([1], [1]), None).to_floats(), [2.0])
        n = Fit.Normalize.new([0.5, 0.25], [2.0, 4.0])
        self.assertEqual((n.get_mean(), n.get_std()), ([0.5, 0.25], [2.0, 4.0]))
        o = Fit.OneHot.new(3)
        self.assertEqual((o.get_n_classes(), o.props.n_classes), (3, 3))
        crop = Fit.RandomCrop.new(4, 5, 2)
        self.assertEqual((crop.props.height, crop.props.width, crop.props.padding), (4, 5, 2))
        flip = Fit.RandomHorizontalFlip.new(0.25)
        self.assertEqual(flip.props.probability, 0.25)


class Datasets(unittest.TestCase):
    def test_tensor_dataset_and_subset(self):
        inputs = Fit.Tensor.from_numpy(np.arange(6, dtype=np.float32).reshape(3, 2))
        td = Fit.TensorDataset.new(inputs, Fit.Tensor.new_from_int64s([0, 1, 0], [3]))
        self.assertIs(td.props.inputs, inputs)
        td.set_class_names(["cat", "dog"])
        self.assertEqual(td.props.class_names, ["cat", "dog"])
        sub = Fit.Subset.new(td, [2, 0])
        self.assertIs(sub.get_dataset(), td)
        ok, x, y = sub.get_item(0)
        self.assertEqual(x.to_floats(), [4.0, 5.0])
        with self.assertRaises(GLib.Error) as cm:
            Fit.Subset.new(td, [3])
        self.assertEqual(cm.exception.domain, "fit-error-quark")

    def test_csv_reader_settings(self):
        r = Fit.CsvReader.new()
        self.assertTrue(r.get_has_header())
        self.assertEqual((r.get_delimiter(), r.props.delimiter), (",", ord(",")))
        self.assertEqual((r.get_label_column(), r.props.label_column), (-1, -1))
        self.assertIsNone(r.get_label_column_name())
        r.set_has_header(False)
        self.assertFalse(r.props.has_header)
        r.set_label_column_name("species")
        self.assertEqual(r.get_label_column_name(), "species")
        r.set_class_order(Fit.ClassOrder.SORTED)
        self.assertEqual(r.get_class_order(), Fit.ClassOrder.SORTED)

    def test_idx_read(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x-idx2-ubyte")
            with open(path, "wb") as f:
                f.write(struct.pack(">BBBBII", 0, 0, 8, 2, 2, 3) + bytes([1, 2, 3, 4, 5, 255]))
            t = Fit.idx_read(path, Fit.DType.FLOAT32, None)
            np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [4, 5, 255]])
            with open(path, "wb") as f:
                f.write(b"\0\0\x08")
            with self.assertRaises(GLib.Error) as cm:
                Fit.idx_read(path, Fit.DType.FLOAT32, None)
            self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.PARSE))


if __name__ == "__main__":
    main()
