"""Safetensors interoperability: files fit-glib writes are read by a small independent
parser (json + struct + numpy, written from the format's description), and files that
parser's writer makes are read by fit-glib."""

import json
import os
import struct
import tempfile
import unittest

from fit_testing import Fit, GLib, main, numpy, tensor
import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
CODES = {v: k for k, v in DTYPES.items()}


def read_safetensors(data):
    """An independent reader: returns ({name: array}, metadata) and checks the layout."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    arrays, spans = {}, []
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")
        arrays[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(info["shape"])
        spans.append((begin, end))
    spans.sort()
    position = 0
    for begin, end in spans:
        assert begin == position, "holes or overlaps in the data"
        position = end
    assert position == len(body), "data not fully covered"
    return arrays, metadata


def write_safetensors(arrays, metadata=None, reverse=True):
    """An independent writer that lays the data out in the reverse of the header's order
    and pads the header with spaces, as other writers may."""
    names = list(arrays)
    order = list(reversed(names)) if reverse else names
    offsets, position = {}, 0
    for name in order:
        size = arrays[name].nbytes
        offsets[name] = (position, position + size)
        position += size
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    for name in names:
        a = arrays[name]
        header[name] = {"dtype": CODES[a.dtype.type], "shape": list(a.shape),
                        "data_offsets": list(offsets[name])}
    text = json.dumps(header, ensure_ascii=True).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    body = b"".join(np.ascontiguousarray(arrays[n]).astype(arrays[n].dtype.newbyteorder("<"))
                    .tobytes() for n in order)
    return struct.pack("<Q", len(text)) + text + body


def sample_arrays():
    rng = np.random.default_rng(4)
    return {
        "encoder.fc1.weight": rng.standard_normal((4, 3)).astype(np.float32),
        "encoder.fc1.bias": rng.standard_normal(3).astype(np.float64),
        "labels": np.arange(-3, 5, dtype=np.int32),
        "counts": np.array([1 << 40, -7], dtype=np.int64),
        "scalar": np.array(1.5, dtype=np.float32),
        "empty": np.zeros((0, 2), dtype=np.float32),
        "naïve \"name\"\n": np.ones((1, 2, 1), dtype=np.float64),
    }


def scalar_tensor(a):
    # Fit.Tensor from a 0-d array, built through the C API so that its shape is [].
    return Fit.Tensor.new_scalar({np.float32: Fit.DType.FLOAT32,
                                  np.float64: Fit.DType.FLOAT64}[a.dtype.type], float(a))


class SafetensorsInterop(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def fit_collection(self, arrays, metadata):
        st = Fit.Safetensors.new()
        for name, a in arrays.items():
            st.add(name, scalar_tensor(a) if a.ndim == 0 else tensor(a))
        for k, v in metadata.items():
            st.set_metadata(k, v)
        return st

    def test_fit_writes_python_reads(self):
        arrays = sample_arrays()
        metadata = {"format": "pt", "epoch": "3", "ünïcode": "“quoted”\t\\"}
        st = self.fit_collection(arrays, metadata)
        path = os.path.join(self.dir.name, "w.safetensors")
        self.assertTrue(st.save(path, None))
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(data, bytes(st.to_bytes().get_data()))
        got, got_meta = read_safetensors(data)
        self.assertEqual(got_meta, metadata)
        self.assertEqual(list(got), list(arrays))
        for name, a in arrays.items():
            self.assertEqual(got[name].dtype, a.dtype, name)
            self.assertEqual(got[name].shape, a.shape, name)
            np.testing.assert_array_equal(got[name], a, name)

    def test_python_writes_fit_reads(self):
        arrays = sample_arrays()
        metadata = {"source": "numpy", "\u00e9": "\u2603"}
        path = os.path.join(self.dir.name, "p.safetensors")
        with open(path, "wb") as f:
            f.write(write_safetensors(arrays, metadata))
        st = Fit.Safetensors.new_from_file(path, None)
        self.assertEqual(sorted(st.get_names()), sorted(arrays))
        # Tensors come in the order of their data, which the writer reversed.
        self.assertEqual(st.get_names(), list(reversed(list(arrays))))
        for k, v in metadata.items():
            self.assertEqual(st.get_metadata(k), v)
        for name, a in arrays.items():
            t = st.get(name)
            self.assertEqual(list(t.get_shape()), list(a.shape), name)
            np.testing.assert_array_equal(numpy(t).reshape(a.shape), a, name)

    def test_unpadded_header_unaligned_data(self):
        # A header whose length leaves the data unaligned: fit copies instead of sharing.
        arrays = {"x": np.arange(5, dtype=np.float64)}
        data = bytearray(write_safetensors(arrays, reverse=False))
        (n,) = struct.unpack("<Q", data[:8])
        text = data[8:8 + n].rstrip(b" ") + b" "
        data = struct.pack("<Q", len(text)) + text + data[8 + n:]
        st = Fit.Safetensors.new_from_bytes(GLib.Bytes.new(bytes(data)))
        np.testing.assert_array_equal(numpy(st.get("x")), arrays["x"])

    def test_malformed_from_python(self):
        data = write_safetensors({"x": np.arange(4, dtype=np.float32)})
        with self.assertRaises(GLib.Error) as ctx:
            Fit.Safetensors.new_from_bytes(GLib.Bytes.new(data[:-1]))
        self.assertTrue(ctx.exception.matches(Fit.error_quark(), Fit.Error.PARSE))


if __name__ == "__main__":
    main()
