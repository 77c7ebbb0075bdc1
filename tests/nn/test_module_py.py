#!/usr/bin/python3
"""Fit.Module from Python: a subclass with its own do_forward trains with plain SGD,
names nest, modes propagate, and weights travel both ways between PyTorch and fit-glib
as safetensors files (written and read here with a few lines of Python, since the
safetensors package is not needed for the format: a little-endian u64 header length, a
JSON header and the raw data)."""

import json
import os
import struct
import tempfile
import unittest

import numpy as np

from fit_testing import Fit, GLib, have_torch, main, numpy, tensor
from nn_testing import close, randn, to_fit, torch

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch.nn as tnn

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def write_safetensors(path, arrays):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    codes = {v: k for k, v in DTYPES.items()}
    for name, a in arrays.items():
        a = np.asarray(a)   # not ascontiguousarray, which makes 0-D arrays 1-D
        data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[a.dtype.type], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=DTYPES[info["dtype"]]) \
            .reshape(info["shape"]).copy()
    return header, out


class Encoder(Fit.Module):
    def __init__(self, rng):
        super().__init__()
        self.fc1 = Fit.Linear.new(4, 16, True, rng)
        self.add_child("fc1", self.fc1)

    def do_forward(self, x):
        return self.fc1.forward(x).tanh()


class Net(Fit.Module):
    """A two-level model in Python: encoder.fc1 then head."""

    def __init__(self, seed=0):
        super().__init__()
        rng = Fit.Rng.new(seed)
        self.encoder = Encoder(rng)
        self.head = Fit.Linear.new(16, 3, True, rng)
        self.add_child("encoder", self.encoder)
        self.add_child("head", self.head)
        self.calls = 0

    def do_forward(self, x):
        self.calls += 1
        return self.head.forward(self.encoder.forward(x))


class MeanAbs(Fit.Loss):
    """A loss written in Python: mean |prediction - target|."""

    def do_compute(self, prediction, target):
        return prediction.sub(target).abs().mean([], False)


class Failing(Fit.Module):
    def do_forward(self, x):
        raise ValueError("broken on purpose")


def sgd_step(module, lr):
    was = Fit.grad_set_enabled(False)
    for p in module.get_parameters():
        p.add_inplace(p.get_grad(), -lr)
    Fit.grad_set_enabled(was)


class TestPythonModule(unittest.TestCase):
    def test_subclass_trains(self):
        net = Net()
        self.assertEqual(list(net.get_parameter_names()),
                         ["encoder.fc1.weight", "encoder.fc1.bias", "head.weight", "head.bias"])
        self.assertEqual(net.count_parameters(), 4 * 16 + 16 + 16 * 3 + 3)
        gen = np.random.default_rng(0)
        x = gen.standard_normal((64, 4)).astype(np.float32)
        y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0).astype(np.int64)
        loss_fn = Fit.CrossEntropyLoss.new()
        losses = []
        for _ in range(30):
            net.zero_grad()
            loss = loss_fn.compute(net.forward(tensor(x)), tensor(y))
            loss.backward()
            sgd_step(net, 0.5)
            losses.append(float(numpy(loss)))
        self.assertEqual(net.calls, 30)
        self.assertLess(losses[-1], 0.6 * losses[0], losses)

    def test_python_loss(self):
        net = Net()
        loss_fn = MeanAbs()
        self.assertFalse(loss_fn.is_classification())
        self.assertEqual(loss_fn.props.reduction, Fit.Reduction.MEAN)
        x = tensor(randn(16, 4))
        y = tensor(randn(16, 3, seed=1))
        first = None
        for _ in range(20):
            net.zero_grad()
            loss = loss_fn.compute(net.forward(x), y)
            loss.backward()
            sgd_step(net, 0.1)
            first = first if first is not None else float(numpy(loss))
        self.assertLess(float(numpy(loss)), first)

    def test_training_mode_reaches_children(self):
        net = Net()
        inner = Fit.Dropout.new(0.5, None)
        net.encoder.add_child("drop", inner)
        notified = []
        inner.connect("notify::training", lambda *a: notified.append(True))
        net.set_training(False)
        self.assertFalse(net.encoder.fc1.get_training())
        self.assertFalse(inner.props.training)
        self.assertEqual(len(notified), 1)
        net.props.training = True
        self.assertTrue(inner.get_training())
        self.assertIs(net.get_child("encoder.drop"), inner)
        self.assertEqual(list(net.get_child_names()), ["encoder", "head"])

    def test_exception_becomes_error(self):
        with self.assertRaises(GLib.Error) as cm:
            Failing().forward(tensor(randn(2, 2)))
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.FAILED))

    def test_summary(self):
        text = Net().summary([8, 4])
        self.assertIn("encoder.fc1 (FitLinear)", text)
        self.assertIn("head (FitLinear)", text)
        self.assertIn("[8, 16]", text)
        self.assertIn("[8, 3]", text)
        self.assertIn("Total params: 131", text)
        with self.assertRaises(GLib.Error) as cm:
            Net().summary([8, 5])
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.SHAPE))

    def test_state_round_trip(self):
        a, b = Net(1), Net(2)
        x = tensor(randn(3, 4))
        self.assertFalse(np.allclose(numpy(a.forward(x)), numpy(b.forward(x))))
        b.set_state(a.get_state())
        np.testing.assert_array_equal(numpy(a.forward(x)), numpy(b.forward(x)))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "net.safetensors")
            Net(3).save(path)
            a.load(path)
            header, arrays = read_safetensors(path)
            self.assertEqual(list(arrays), list(a.get_parameter_names()))
        np.testing.assert_array_equal(numpy(a.get_parameter("head.bias")), arrays["head.bias"])
        # A state from another architecture says what differs.
        other = Fit.Sequential.new_from_modules([Fit.Linear.new(4, 16, True, None)])
        with self.assertRaises(GLib.Error) as cm:
            a.set_state(other.get_state())
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.MISMATCH))
        for word in ("missing", "encoder.fc1.weight", "unexpected", "0.weight"):
            self.assertIn(word, cm.exception.message)


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TestTorchWeights(unittest.TestCase):
    def cnn_pair(self):
        torch.manual_seed(0)
        tm = tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(),
                            tnn.MaxPool2d(2), tnn.Flatten(), tnn.Dropout(0.5), tnn.Linear(64, 10))
        fm = Fit.Sequential.new_from_modules([
            Fit.Conv2d.new(1, 4, 3, 1, 1, None), Fit.BatchNorm2d.new(4, 1e-5, 0.1, True),
            Fit.ReLU.new(), Fit.MaxPool2d.new(2, 0, 0), Fit.Flatten.new(1, -1),
            Fit.Dropout.new(0.5, None), Fit.Linear.new(64, 10, True, None)])
        return tm, fm

    def test_torch_file_into_fit(self):
        tm, fm = self.cnn_pair()
        # A few training steps give the batch norm real running statistics.
        opt = torch.optim.SGD(tm.parameters(), lr=0.1)
        for i in range(3):
            opt.zero_grad()
            tm(torch.tensor(randn(8, 1, 8, 8, seed=i))).square().mean().backward()
            opt.step()
        tm.eval()
        fm.set_training(False)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "torch.safetensors")
            write_safetensors(path, {k: v.numpy() for k, v in tm.state_dict().items()})
            fm.load(path)
        x = randn(5, 1, 8, 8, seed=9)
        close(self, numpy(fm.forward(tensor(x))), tm(torch.tensor(x)).detach().numpy(),
              "CNN from a PyTorch file", scale=1e-5)
        self.assertEqual(int(numpy(fm.get_buffer("1.num_batches_tracked"))), 3)

    def test_fit_file_into_torch(self):
        tm, fm = self.cnn_pair()
        fm.forward(tensor(randn(8, 1, 8, 8)))   # training mode: running statistics move
        fm.set_training(False)
        tm.eval()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "fit.safetensors")
            fm.save(path)
            _, arrays = read_safetensors(path)
        tm.load_state_dict({k: torch.tensor(v) for k, v in arrays.items()})
        x = randn(5, 1, 8, 8, seed=4)
        close(self, numpy(fm.forward(tensor(x))), tm(torch.tensor(x)).detach().numpy(),
              "CNN from a fit-glib file", scale=1e-5)

    def test_text_model(self):
        """A Python Fit.Module subclass with named children loads a PyTorch model with
        the same attribute names."""

        class TorchText(tnn.Module):
            def __init__(self):
                super().__init__()
                self.embed = tnn.Embedding(20, 8)
                self.rnn = tnn.LSTM(8, 6, num_layers=2, batch_first=True, bidirectional=True)
                self.head = tnn.Linear(12, 3)

            def forward(self, x):
                return self.head(self.rnn(self.embed(x))[0][:, -1])

        class FitText(Fit.Module):
            def __init__(self):
                super().__init__()
                for name, m in (("embed", Fit.Embedding.new(20, 8, None)),
                                ("rnn", Fit.LSTM.new(8, 6, 2, True, True, None)),
                                ("head", Fit.Linear.new(12, 3, True, None))):
                    self.add_child(name, m)

            def do_forward(self, x):
                h = self.get_child("rnn").forward(self.get_child("embed").forward(x))
                last = h.slice(1, h.get_dim(1) - 1, h.get_dim(1), 1).reshape([h.get_dim(0), 12])
                return self.get_child("head").forward(last)

        torch.manual_seed(3)
        tm, fm = TorchText(), FitText()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "text.safetensors")
            write_safetensors(path, {k: v.numpy() for k, v in tm.state_dict().items()})
            fm.load(path)
        x = np.random.default_rng(1).integers(0, 20, (4, 7)).astype(np.int64)
        close(self, numpy(fm.forward(tensor(x))), tm(torch.tensor(x)).detach().numpy(),
              "Embedding-LSTM-Linear from a PyTorch file", scale=1e-5)


if __name__ == "__main__":
    main()
