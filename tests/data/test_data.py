"""The data layer from Python: a dataset implemented in Python feeding a DataLoader,
readers checked against NumPy's own writers, splits and transforms."""

import gzip
import io
import os
import struct
import tempfile
import unittest

from fit_testing import Fit, GLib, np, numpy, tensor, main
from gi.repository import GObject


def fit_error(code):
    return lambda e: e.matches(Fit.error_quark(), code)


class SquaresDataset(GObject.Object, Fit.Dataset):
    """Item i: input [i, i*i] (float32), label i (int64)."""

    def __init__(self, n, fail_at=None):
        super().__init__()
        self.n = n
        self.fail_at = fail_at

    def do_get_n_items(self):
        return self.n

    def do_get_item(self, index):
        if index == self.fail_at:
            raise ValueError("broken item")
        x = tensor(np.array([index, index * index], dtype=np.float32))
        y = Fit.Tensor.new_scalar(Fit.DType.INT64, index)
        return True, x, y


def run_epoch(loader, epoch=0, first_batch=0):
    it = loader.iterate(epoch, first_batch)
    batches = []
    while True:
        ok, x, y = it.next(None)
        if not ok:
            assert x is None
            break
        batches.append((numpy(x), numpy(y)))
    return batches


class PythonDatasetTest(unittest.TestCase):
    def test_loader_from_python(self):
        ds = SquaresDataset(11)
        loader = Fit.DataLoader.new(ds, 4)
        loader.props.shuffle = True
        loader.props.seed = 3
        self.assertEqual(loader.get_n_batches(), 3)
        batches = run_epoch(loader, 2)
        self.assertEqual([b[0].shape for b in batches], [(4, 2), (4, 2), (3, 2)])
        labels = np.concatenate([b[1] for b in batches])
        self.assertEqual(sorted(labels.tolist()), list(range(11)))
        for x, y in batches:
            np.testing.assert_array_equal(x[:, 0], y)
            np.testing.assert_array_equal(x[:, 1], y * y)
        order, = [loader.get_order(2)]
        self.assertEqual(list(order), labels.tolist())

        # Worker threads call into Python (taking the GIL) and give the same batches.
        loader.props.n_workers = 2
        prefetched = run_epoch(loader, 2)
        for (x1, y1), (x2, y2) in zip(batches, prefetched):
            np.testing.assert_array_equal(x1, x2)
            np.testing.assert_array_equal(y1, y2)

        # Resuming at batch 1 gives the remaining batches.
        rest = run_epoch(loader, 2, 1)
        self.assertEqual(len(rest), 2)
        np.testing.assert_array_equal(rest[0][1], batches[1][1])

    def test_python_exception_becomes_error(self):
        ds = SquaresDataset(6, fail_at=4)
        for workers in (0, 1):
            loader = Fit.DataLoader.new(ds, 3)
            loader.props.n_workers = workers
            it = loader.iterate(0, 0)
            ok, x, y = it.next(None)
            self.assertTrue(ok)
            with self.assertRaises(GLib.Error) as cm:
                it.next(None)
            self.assertTrue(fit_error(Fit.Error.FAILED)(cm.exception), cm.exception.message)
            self.assertIn("SquaresDataset", cm.exception.message)
            it.stop()

    def test_get_batch_default(self):
        ds = SquaresDataset(5)
        ok, x, y = ds.get_batch([4, 0, 2])
        self.assertTrue(ok)
        np.testing.assert_array_equal(numpy(x), [[4, 16], [0, 0], [2, 4]])
        np.testing.assert_array_equal(numpy(y), [4, 0, 2])

    def test_random_split(self):
        ds = SquaresDataset(10)
        parts = ds.random_split([7, 3], 42)
        self.assertEqual([p.get_n_items() for p in parts], [7, 3])
        idx = sorted(list(parts[0].get_indices()) + list(parts[1].get_indices()))
        self.assertEqual(idx, list(range(10)))
        ok, train, val = ds.random_split_fraction(0.5, 1)
        self.assertEqual(train.get_n_items(), 5)
        with self.assertRaises(GLib.Error) as cm:
            ds.random_split([7, 4], 42)
        self.assertTrue(fit_error(Fit.Error.INVALID_ARGUMENT)(cm.exception))


class ReaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def save_npy(self, name, array, version=None):
        p = self.path(name)
        with open(p, "wb") as f:
            if version is None:
                np.save(f, array)
            else:
                np.lib.format.write_array(f, array, version=version)
        return p

    def test_npy_against_numpy(self):
        rng = np.random.default_rng(0)
        cases = [
            (rng.standard_normal((3, 4, 5)).astype("<f4"), Fit.DType.FLOAT32, None),
            (rng.standard_normal((7,)).astype("<f8"), Fit.DType.FLOAT64, (2, 0)),
            (rng.integers(-2**31, 2**31, (2, 3), dtype="<i4"), Fit.DType.INT32, (3, 0)),
            (rng.integers(-2**62, 2**62, (4, 1), dtype="<i8"), Fit.DType.INT64, None),
            (rng.integers(0, 256, (2, 8, 8), dtype="u1"), Fit.DType.FLOAT32, None),
            (np.zeros((0, 3), dtype="<f4"), Fit.DType.FLOAT32, None),
        ]
        for i, (a, dtype, version) in enumerate(cases):
            p = self.save_npy(f"a{i}.npy", a, version)
            t = Fit.npy_load(p, None)
            self.assertEqual(t.get_dtype(), dtype)
            self.assertEqual(tuple(t.get_shape()), a.shape)
            np.testing.assert_array_equal(numpy(t), a.astype(numpy(t).dtype))
            # And through gzip.
            gz = p + ".gz"
            with open(p, "rb") as f, gzip.open(gz, "wb") as g:
                g.write(f.read())
            np.testing.assert_array_equal(numpy(Fit.npy_load(gz, None)), numpy(t))

        labels = np.array([3, 1, 255], dtype="u1")
        t = Fit.npy_load_as(self.save_npy("labels.npy", labels), Fit.DType.INT64, None)
        np.testing.assert_array_equal(numpy(t), [3, 1, 255])

    def test_npy_errors(self):
        fortran = np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3))
        for name, array, code in [
            ("fortran.npy", fortran, Fit.Error.SHAPE),
            ("be.npy", np.arange(3, dtype=">f4"), Fit.Error.DTYPE),
            ("bool.npy", np.array([True, False]), Fit.Error.DTYPE),
            ("u2.npy", np.arange(3, dtype="<u2"), Fit.Error.DTYPE),
            ("rec.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]), Fit.Error.DTYPE),
        ]:
            p = self.save_npy(name, array)
            with self.assertRaises(GLib.Error) as cm:
                Fit.npy_load(p, None)
            self.assertTrue(fit_error(code)(cm.exception), cm.exception.message)
            self.assertIn(p, cm.exception.message)

        good = self.save_npy("good.npy", np.arange(100, dtype="<f8"))
        with open(good, "rb") as f:
            data = f.read()
        with open(self.path("cut.npy"), "wb") as f:
            f.write(data[:-8])
        with self.assertRaises(GLib.Error) as cm:
            Fit.npy_load(self.path("cut.npy"), None)
        self.assertTrue(fit_error(Fit.Error.PARSE)(cm.exception))

    def test_idx_against_numpy(self):
        rng = np.random.default_rng(1)
        images = rng.integers(0, 256, (9, 6, 5), dtype=np.uint8)
        labels = rng.integers(0, 10, 9, dtype=np.uint8)
        ip, lp = self.path("img-idx3-ubyte.gz"), self.path("lab-idx1-ubyte")
        with gzip.open(ip, "wb") as f:
            f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, 9, 6, 5) + images.tobytes())
        with open(lp, "wb") as f:
            f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 9) + labels.tobytes())
        ds = Fit.idx_dataset_new(ip, lp, 1.0 / 255, None)
        x = numpy(ds.get_inputs())
        self.assertEqual(x.shape, (9, 1, 6, 5))
        np.testing.assert_allclose(x[:, 0], images / 255.0, rtol=1e-6)
        np.testing.assert_array_equal(numpy(ds.get_labels()), labels)

    def test_csv_against_numpy(self):
        rng = np.random.default_rng(2)
        x = rng.standard_normal((20, 3)).astype(np.float32)
        names = ["cat", "dog", "bird"]
        y = rng.integers(0, 3, 20)
        p = self.path("data.csv")
        with open(p, "w") as f:
            f.write("f0,species,f1,f2\n")
            for row, label in zip(x, y):
                f.write(f"{row[0]!r},{names[label]},{row[1]!r},{row[2]!r}\n")
        reader = Fit.CsvReader.new()
        reader.props.label_column_name = "species"
        reader.props.class_order = Fit.ClassOrder.SORTED
        ds = reader.read(p, None)
        np.testing.assert_array_equal(numpy(ds.get_inputs()), x)
        classes = sorted(set(names[i] for i in y))
        self.assertEqual(list(ds.get_class_names()), classes)
        np.testing.assert_array_equal(numpy(ds.get_labels()),
                                      [classes.index(names[i]) for i in y])

        reader.props.label_column_name = None
        reader.set_label_column(1)
        reader.set_delimiter(";")
        self.assertEqual(reader.get_delimiter(), ";")
        with open(self.path("bad.csv"), "w") as f:
            f.write("a;b;c\n1;0;2\n1;0;x2\n")
        with self.assertRaises(GLib.Error) as cm:
            reader.read(self.path("bad.csv"), None)
        self.assertTrue(fit_error(Fit.Error.PARSE)(cm.exception))
        self.assertIn("bad.csv:3:", cm.exception.message)


    def test_untrusted_bytes_reach_python_as_errors(self):
        # Once: "Converting the GError failed" for the dtype, and for Latin-1 class
        # names a UnicodeDecodeError, then an abort in free().
        header = b"{'descr': '\xff\xfe<f4', 'fortran_order': False, 'shape': (2,), }"
        header += b" " * (118 - len(header)) + b"\n"
        p = self.path("latin1-descr.npy")
        with open(p, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header +
                    np.zeros(2, "<f4").tobytes())
        with self.assertRaises(GLib.Error) as cm:
            Fit.npy_load(p, None)
        self.assertTrue(fit_error(Fit.Error.DTYPE)(cm.exception))
        self.assertIn("\\xff\\xfe<f4", cm.exception.message)

        p = self.path("latin1.csv")
        with open(p, "wb") as f:
            f.write("a,label\n1,café\n2,thé\n".encode("latin-1"))
        with self.assertRaises(GLib.Error) as cm:
            Fit.CsvReader.new().read(p, None)
        self.assertTrue(fit_error(Fit.Error.PARSE)(cm.exception))
        self.assertIn("latin1.csv:2: byte 13 is not UTF-8", cm.exception.message)

        with open(p, "wb") as f:
            f.write("a,label\n1,café\n2,thé\n".encode("utf-8"))
        ds = Fit.CsvReader.new().read(p, None)
        self.assertEqual(list(ds.get_class_names()), ["café", "thé"])


class TransformTest(unittest.TestCase):
    def test_normalize_matches_numpy(self):
        rng = np.random.default_rng(3)
        x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
        mean, std = [0.1, -0.2, 0.3], [1.5, 0.5, 2.0]
        n = Fit.Normalize.new(mean, std)
        out = numpy(n.apply_batch(tensor(x), None))
        ref = (x - np.array(mean, np.float32)[None, :, None, None]) / \
            np.array(std, np.float32)[None, :, None, None]
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)

    def test_python_transform_in_loader(self):
        class AddOne(Fit.Transform):
            def do_apply_batch(self, batch, rng):
                return tensor(numpy(batch) + 1)

        ds = SquaresDataset(6)
        loader = Fit.DataLoader.new(ds, 3)
        add_one, one_hot = AddOne(), Fit.OneHot.new(6)
        loader.set_transform(add_one)
        loader.set_label_transform(one_hot)
        (x, y), _ = run_epoch(loader)
        np.testing.assert_array_equal(x, [[1, 1], [2, 2], [3, 5]])
        np.testing.assert_array_equal(y, np.eye(6, dtype=np.float32)[:3])

    def test_augmentation_reproducible(self):
        x = np.arange(2 * 3 * 8 * 8, dtype=np.float32).reshape(2, 3, 8, 8)
        ds = Fit.TensorDataset.new(tensor(x), None)
        steps = [Fit.RandomCrop.new(8, 8, 2), Fit.RandomHorizontalFlip.new(0.5)]
        loader = Fit.DataLoader.new(ds, 2)
        augment = Fit.Compose.new(steps)
        loader.set_transform(augment)
        loader.props.seed = 9
        a = run_epoch(loader, 0)
        b = run_epoch(loader, 0)
        c = run_epoch(loader, 1)
        np.testing.assert_array_equal(a[0][0], b[0][0])
        self.assertFalse(np.array_equal(a[0][0], c[0][0]))
        self.assertIsNone(a[0][1])


if __name__ == "__main__":
    main()
