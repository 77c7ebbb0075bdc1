#!/usr/bin/python3
"""The Gluon fit-API design's model list (seeds/001, appendix B) built from fit-glib
layers through GObject introspection, each next to the same model in PyTorch: an MLP,
AlexNet, ResNet-18, a fully-convolutional net (FCN), a text CNN, a bidirectional RNN and
an encoder-decoder with attention. Models that are not a plain chain are Python
Fit.Module subclasses with do_forward, like their torch twins.

For every model: the torch weights travel into fit-glib through the module state (which
checks that both models name every parameter alike), then the outputs, the loss, the
gradient of the loss with respect to every parameter, and the parameters and batch-norm
statistics after one SGD step (momentum and weight decay) must agree. Finally a tiny
ResNet-18 trains through Fit.Estimator and its loss falls.

Sizes are scaled down so the file runs in seconds: ResNet-18 has its real depth and
widths (11.2 M parameters) on two 3x64x64 images, AlexNet its real layer sequence with an
eighth of the channels on 3x64x64 images.

Tolerances. The reference is the torch model run in float64 (a copy of the same
weights), so an error in fit-glib cannot hide behind one in torch's float32. Shallow
models (MLP, text CNN, RNNs) use rtol 1e-5 with an absolute part of 1e-5 of the largest
reference value, as nn_testing does. Deep models (AlexNet, ResNet-18, FCN) use rtol 1e-4
and 1e-4 of the largest value: their outputs and gradients pass through 8 to 20 layers
of float32 dot products with thousands of terms (a 3x3 convolution over 512 channels sums
4608 products), and every training-mode batch norm divides by a batch standard
deviation, which scales rounding errors up layer after layer. Measured, fit-glib stays
below a tenth of these tolerances (ResNet-18: 0.08). Both also allow three times the
worst error of torch's own float32 result, so an ill-conditioned case (see test_resnet18)
asks no more of fit-glib than float32 can give; here that term is at most 6e-6 of the
largest value. A single weight off by 1e-3 of the largest fails every model's check.
"""

import copy
import math
import unittest

import numpy as np

from fit_testing import Fit, assert_close, have_torch, main, numpy
from nn_testing import randn, to_fit, torch

HAVE_TORCH = have_torch()
if HAVE_TORCH:
    import torch.nn as tnn
    import torch.nn.functional as F

    class TorchResidual(tnn.Module):
        """Fit.Residual's twin: body(x) + shortcut(x), or body(x) + x."""

        def __init__(self, body, shortcut=None):
            super().__init__()
            self.body = body
            if shortcut is not None:
                self.shortcut = shortcut

        def forward(self, x):
            return self.body(x) + (self.shortcut(x) if hasattr(self, "shortcut") else x)

DEEP = dict(rtol=1e-4, scale=1e-4)
SHALLOW = dict(rtol=1e-5, scale=1e-5)
TORCH_ERROR_FACTOR = 3


def fit_seq(*modules):
    return Fit.Sequential.new_from_modules(list(modules))


# ---------------------------------------------------------------------------------------
# Builders: each returns (fit model, torch model) with the same structure and names.

def mlp():
    f = fit_seq(Fit.Flatten.new(1, -1), Fit.Linear.new(64, 32, True, None), Fit.ReLU.new(),
                Fit.Dropout.new(0.0, None), Fit.Linear.new(32, 16, True, None), Fit.ReLU.new(),
                Fit.Linear.new(16, 10, True, None))
    t = tnn.Sequential(tnn.Flatten(), tnn.Linear(64, 32), tnn.ReLU(), tnn.Dropout(0.0),
                       tnn.Linear(32, 16), tnn.ReLU(), tnn.Linear(16, 10))
    return f, t


def alexnet():
    """d2l's AlexNet with an eighth of the channels and hidden units, 64x64 input."""
    c = [3, 12, 32, 48, 48, 32]
    f = fit_seq(
        Fit.Conv2d.new(c[0], c[1], 11, 4, 2, None), Fit.ReLU.new(), Fit.MaxPool2d.new(3, 2, 0),
        Fit.Conv2d.new(c[1], c[2], 5, 1, 2, None), Fit.ReLU.new(), Fit.MaxPool2d.new(3, 2, 0),
        Fit.Conv2d.new(c[2], c[3], 3, 1, 1, None), Fit.ReLU.new(),
        Fit.Conv2d.new(c[3], c[4], 3, 1, 1, None), Fit.ReLU.new(),
        Fit.Conv2d.new(c[4], c[5], 3, 1, 1, None), Fit.ReLU.new(), Fit.MaxPool2d.new(3, 2, 0),
        Fit.Flatten.new(1, -1),
        Fit.Linear.new(c[5], 512, True, None), Fit.ReLU.new(), Fit.Dropout.new(0.5, None),
        Fit.Linear.new(512, 512, True, None), Fit.ReLU.new(), Fit.Dropout.new(0.5, None),
        Fit.Linear.new(512, 10, True, None))
    t = tnn.Sequential(
        tnn.Conv2d(c[0], c[1], 11, 4, 2), tnn.ReLU(), tnn.MaxPool2d(3, 2),
        tnn.Conv2d(c[1], c[2], 5, 1, 2), tnn.ReLU(), tnn.MaxPool2d(3, 2),
        tnn.Conv2d(c[2], c[3], 3, 1, 1), tnn.ReLU(),
        tnn.Conv2d(c[3], c[4], 3, 1, 1), tnn.ReLU(),
        tnn.Conv2d(c[4], c[5], 3, 1, 1), tnn.ReLU(), tnn.MaxPool2d(3, 2),
        tnn.Flatten(),
        tnn.Linear(c[5], 512), tnn.ReLU(), tnn.Dropout(0.5),
        tnn.Linear(512, 512), tnn.ReLU(), tnn.Dropout(0.5),
        tnn.Linear(512, 10))
    # He initialisation keeps the signal alive through eight ReLU layers; with torch's
    # default the logits barely depend on the first layers and the check would be weak.
    for m in t:
        if isinstance(m, (tnn.Conv2d, tnn.Linear)):
            tnn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            tnn.init.uniform_(m.bias, -0.1, 0.1)
    return f, t


def conv_bn(cin, cout, k, stride, pad):
    """A bias-free convolution and its batch norm, both libraries."""
    f = [Fit.Conv2d.new_full(cin, cout, k, k, stride, stride, pad, pad, 1, 1, 1, False, None),
         Fit.BatchNorm2d.new(cout, 1e-5, 0.1, True)]
    t = [tnn.Conv2d(cin, cout, k, stride, pad, bias=False), tnn.BatchNorm2d(cout)]
    return f, t


def basic_block(cin, cout, stride):
    """ResNet's basic block: relu(bn(conv(relu(bn(conv x)))) + shortcut(x))."""
    f1, t1 = conv_bn(cin, cout, 3, stride, 1)
    f2, t2 = conv_bn(cout, cout, 3, 1, 1)
    fbody = fit_seq(*f1, Fit.ReLU.new(), *f2)
    tbody = tnn.Sequential(*t1, tnn.ReLU(), *t2)
    fshort = tshort = None
    if stride != 1 or cin != cout:
        fs, ts = conv_bn(cin, cout, 1, stride, 0)
        fshort, tshort = fit_seq(*fs), tnn.Sequential(*ts)
    return (fit_seq(Fit.Residual.new(fbody, fshort), Fit.ReLU.new()),
            tnn.Sequential(TorchResidual(tbody, tshort), tnn.ReLU()))


def resnet18_features(width):
    """The stem and the four stages of two basic blocks each (downsampling by 32)."""
    fs, ts = conv_bn(3, width, 7, 2, 3)
    fl = [fit_seq(*fs, Fit.ReLU.new(), Fit.MaxPool2d.new(3, 2, 1))]
    tl = [tnn.Sequential(*ts, tnn.ReLU(), tnn.MaxPool2d(3, 2, 1))]
    cin = width
    for stage in range(4):
        cout = width * 2 ** stage
        fb1, tb1 = basic_block(cin, cout, 1 if stage == 0 else 2)
        fb2, tb2 = basic_block(cout, cout, 1)
        fl.append(fit_seq(fb1, fb2))
        tl.append(tnn.Sequential(tb1, tb2))
        cin = cout
    return fl, tl, cin


def resnet18(width=64, classes=10):
    fl, tl, c = resnet18_features(width)
    f = fit_seq(*fl, Fit.AdaptiveAvgPool2d.new(1, 1), Fit.Flatten.new(1, -1),
                Fit.Linear.new(c, classes, True, None))
    t = tnn.Sequential(*tl, tnn.AdaptiveAvgPool2d(1), tnn.Flatten(), tnn.Linear(c, classes))
    return f, t


def bilinear_kernel(channels, k):
    """d2l's bilinear up-sampling initialisation of a transposed convolution."""
    factor = (k + 1) // 2
    center = factor - 1 if k % 2 == 1 else factor - 0.5
    og = np.ogrid[:k, :k]
    filt = (1 - np.abs(og[0] - center) / factor) * (1 - np.abs(og[1] - center) / factor)
    weight = np.zeros((channels, channels, k, k), dtype=np.float32)
    weight[range(channels), range(channels)] = filt
    return torch.tensor(weight)


def fcn(classes=3, width=8):
    """d2l's FCN: a ResNet-18 without its pooling and classifier, a 1x1 convolution to
    the classes and a stride-32 transposed convolution back to the input size."""
    fl, tl, c = resnet18_features(width)
    f = fit_seq(*fl, Fit.Conv2d.new(c, classes, 1, 1, 0, None),
                Fit.ConvTranspose2d.new(classes, classes, 64, 32, 16, None))
    up = tnn.ConvTranspose2d(classes, classes, 64, 32, 16)
    with torch.no_grad():
        up.weight.copy_(bilinear_kernel(classes, 64))
    t = tnn.Sequential(*tl, tnn.Conv2d(c, classes, 1), up)
    return f, t


class FitTextCNN(Fit.Module):
    """Kim's text CNN as in d2l: a trained and a frozen embedding side by side, parallel
    1-D convolutions of several widths in a ModuleList, global max pooling over time,
    concatenation, dropout and a classifier."""

    def __init__(self, vocab, embed, kernels, channels):
        super().__init__()
        self.add_child("embedding", Fit.Embedding.new(vocab, embed, None))
        self.add_child("constant_embedding", Fit.Embedding.new(vocab, embed, None))
        self.get_parameter("constant_embedding.weight").set_requires_grad(False)
        self.convs = Fit.ModuleList.new_from_modules(
            [Fit.Conv1d.new(2 * embed, c, k, 1, 0, None) for k, c in zip(kernels, channels)])
        self.add_child("convs", self.convs)
        self.pool = Fit.AdaptiveMaxPool2d.new(1, 1)
        self.add_child("dropout", Fit.Dropout.new(0.0, None))
        self.add_child("decoder", Fit.Linear.new(sum(channels), 2, True, None))

    def do_forward(self, tokens):
        e = Fit.Tensor.concat([self.get_child("embedding").forward(tokens),
                               self.get_child("constant_embedding").forward(tokens)], 2)
        n = e.get_shape()[0]
        x = e.permute([0, 2, 1])
        # [N, C, T] seen as [N, C, 1, T]: the max over time is a 1x1 adaptive max pool.
        pooled = [self.pool.forward(conv.forward(x).unsqueeze(2)).reshape([n, -1]).relu()
                  for conv in self.convs]
        h = self.get_child("dropout").forward(Fit.Tensor.concat(pooled, 1))
        return self.get_child("decoder").forward(h)


if HAVE_TORCH:
    class TorchTextCNN(tnn.Module):
        def __init__(self, vocab, embed, kernels, channels):
            super().__init__()
            self.embedding = tnn.Embedding(vocab, embed)
            self.constant_embedding = tnn.Embedding(vocab, embed)
            self.constant_embedding.weight.requires_grad_(False)
            self.convs = tnn.ModuleList(tnn.Conv1d(2 * embed, c, k)
                                        for k, c in zip(kernels, channels))
            self.dropout = tnn.Dropout(0.0)
            self.decoder = tnn.Linear(sum(channels), 2)

        def forward(self, tokens):
            e = torch.cat((self.embedding(tokens), self.constant_embedding(tokens)), dim=2)
            x = e.permute(0, 2, 1)
            pooled = [torch.relu(conv(x).max(dim=2).values) for conv in self.convs]
            return self.decoder(self.dropout(torch.cat(pooled, dim=1)))

    class TorchBiRNN(tnn.Module):
        def __init__(self, vocab, embed, hidden, layers):
            super().__init__()
            self.embedding = tnn.Embedding(vocab, embed)
            self.encoder = tnn.LSTM(embed, hidden, num_layers=layers, bidirectional=True)
            self.decoder = tnn.Linear(4 * hidden, 2)

        def forward(self, tokens):
            outputs, _ = self.encoder(self.embedding(tokens.T))
            return self.decoder(torch.cat((outputs[0], outputs[-1]), dim=1))

    class TorchSeq2Seq(tnn.Module):
        def __init__(self, vocab, embed, hidden, layers, src_len):
            super().__init__()
            self.src_len = src_len
            self.enc_embedding = tnn.Embedding(vocab, embed)
            self.encoder = tnn.GRU(embed, hidden, layers, batch_first=True)
            self.dec_embedding = tnn.Embedding(vocab, embed)
            self.decoder = tnn.GRU(embed + hidden, hidden, layers, batch_first=True)
            self.dense = tnn.Linear(2 * hidden, vocab)

        def forward(self, pair):
            src, tgt = pair[:, :self.src_len], pair[:, self.src_len:]
            enc_out, state = self.encoder(self.enc_embedding(src))
            y = self.dec_embedding(tgt)
            context = state[-1].unsqueeze(1).expand(-1, y.shape[1], -1)
            dec_out, _ = self.decoder(torch.cat((y, context), dim=2), state)
            weights = torch.softmax(dec_out @ enc_out.transpose(1, 2), dim=2)
            return self.dense(torch.cat((dec_out, weights @ enc_out), dim=2))


class FitBiRNN(Fit.Module):
    """d2l's sentiment BiRNN: embedding, a two-layer bidirectional LSTM over time-major
    steps, the first and last steps' outputs concatenated into a classifier."""

    def __init__(self, vocab, embed, hidden, layers):
        super().__init__()
        self.add_child("embedding", Fit.Embedding.new(vocab, embed, None))
        self.add_child("encoder", Fit.LSTM.new(embed, hidden, layers, True, False, None))
        self.add_child("decoder", Fit.Linear.new(4 * hidden, 2, True, None))

    def do_forward(self, tokens):
        x = self.get_child("embedding").forward(tokens.transpose(0, 1))
        out = self.get_child("encoder").forward(x)
        t, n, h = out.get_shape()
        first = out.slice(0, 0, 1, 1).reshape([n, h])
        last = out.slice(0, t - 1, t, 1).reshape([n, h])
        return self.get_child("decoder").forward(Fit.Tensor.concat([first, last], 1))


class FitSeq2Seq(Fit.Module):
    """d2l's GRU encoder-decoder (the encoder's last state initialises the decoder and,
    as a context vector, joins every decoder input) with dot-product attention over the
    encoder outputs. The input packs source and target tokens side by side, [N, S + T],
    since a module takes one tensor."""

    def __init__(self, vocab, embed, hidden, layers, src_len):
        super().__init__()
        self.src_len = src_len
        self.add_child("enc_embedding", Fit.Embedding.new(vocab, embed, None))
        self.add_child("encoder", Fit.GRU.new(embed, hidden, layers, False, True, None))
        self.add_child("dec_embedding", Fit.Embedding.new(vocab, embed, None))
        self.add_child("decoder", Fit.GRU.new(embed + hidden, hidden, layers, False, True,
                                              None))
        self.add_child("dense", Fit.Linear.new(2 * hidden, vocab, True, None))

    def do_forward(self, pair):
        n, total = pair.get_shape()
        src = pair.slice(1, 0, self.src_len, 1)
        tgt = pair.slice(1, self.src_len, total, 1)
        enc_out, state = self.get_child("encoder").forward_full(
            self.get_child("enc_embedding").forward(src), None)
        y = self.get_child("dec_embedding").forward(tgt)
        layers, _, hidden = state.get_shape()
        t = y.get_shape()[1]
        context = state.slice(0, layers - 1, layers, 1).reshape([n, 1, hidden]) \
            .expand([n, t, hidden])
        dec_out, _ = self.get_child("decoder").forward_full(
            Fit.Tensor.concat([y, context], 2), state)
        weights = dec_out.matmul(enc_out.transpose(1, 2)).softmax(2)
        attended = weights.matmul(enc_out)
        return self.get_child("dense").forward(Fit.Tensor.concat([dec_out, attended], 2))


# ---------------------------------------------------------------------------------------

def transfer(test, fm, tm):
    """Copies the torch state into fm; names and shapes must match exactly."""
    state = Fit.Safetensors.new()
    for name, value in tm.state_dict().items():
        state.add(name, to_fit(value.detach().numpy()))
    fm.set_state(state)
    test.assertEqual(list(fm.get_parameter_names()), [n for n, _ in tm.named_parameters()])


def agree(test, actual, t32, t64, what, tol):
    """fit-glib's float32 result against torch's float64 one, allowing rtol and scale as
    in nn_testing.close plus TORCH_ERROR_FACTOR times the worst error of torch's own
    float32 result: where a model is ill-conditioned, float32 cannot do better."""
    t32 = np.asarray(t32, dtype=np.float64)
    t64 = np.asarray(t64, dtype=np.float64)
    own = float(np.max(np.abs(t32 - t64))) if t64.size else 0.0
    atol = tol["scale"] * max(float(np.max(np.abs(t64))) if t64.size else 0.0, 1.0)
    assert_close(test, np.asarray(actual).reshape(t64.shape), t64, rtol=tol["rtol"],
                 atol=atol + TORCH_ERROR_FACTOR * own, what=what)


def check_model(test, what, fm, tm, x, y, tol, lr=0.05, seq=False, eval_mode=False):
    transfer(test, fm, tm)
    td = copy.deepcopy(tm).double()
    fm.set_training(not eval_mode)
    tm.train(not eval_mode)
    td.train(not eval_mode)

    fout = fm.forward(to_fit(x))
    tout = tm(torch.tensor(x))
    dout = td(torch.tensor(x.astype(np.float64) if x.dtype.kind == "f" else x))
    agree(test, numpy(fout), tout.detach().numpy(), dout.detach().numpy(), f"{what}: output",
          tol)

    # Sequence models predict [N, T, V]; the loss wants the classes in dimension 1.
    if seq:
        n, t, v = fout.get_shape()
        fout = fout.reshape([n * t, v])
        tout, dout = tout.reshape(n * t, v), dout.reshape(n * t, v)
        y = y.reshape(-1)
    floss = Fit.CrossEntropyLoss.new().compute(fout, to_fit(y))
    tloss = F.cross_entropy(tout, torch.tensor(y))
    dloss = F.cross_entropy(dout, torch.tensor(y))
    agree(test, numpy(floss), tloss.item(), dloss.item(), f"{what}: loss", tol)

    fm.zero_grad()
    floss.backward()
    tloss.backward()
    dloss.backward()
    for (name, p), (_, d) in zip(tm.named_parameters(), td.named_parameters()):
        fp = fm.get_parameter(name)
        if not p.requires_grad:
            test.assertIsNone(fp.get_grad(), f"{what}: frozen {name} got a gradient")
            continue
        agree(test, numpy(fp.get_grad()), p.grad.numpy(), d.grad.numpy(),
              f"{what}: gradient of {name}", tol)

    fsgd = Fit.SGD.new(fm.get_parameters(), lr, 0.9)
    fsgd.set_weight_decay(1e-4)
    test.assertTrue(fsgd.step())
    for m in (tm, td):
        torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=lr, momentum=0.9,
                        weight_decay=1e-4).step()
    fstate = fm.get_state()
    dstate = td.state_dict()
    for name, value in tm.state_dict().items():
        agree(test, numpy(fstate.get(name)), value.numpy(), dstate[name].numpy(),
              f"{what}: {name} after one SGD step", tol)


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed")
class TestModelZoo(unittest.TestCase):
    def test_mlp(self):
        torch.manual_seed(1)
        f, t = mlp()
        x = randn(8, 1, 8, 8, seed=1)
        y = np.arange(8, dtype=np.int64) % 10
        check_model(self, "MLP", f, t, x, y, SHALLOW)

    def test_alexnet(self):
        torch.manual_seed(2)
        f, t = alexnet()
        x = randn(4, 3, 64, 64, seed=2)
        y = np.array([0, 3, 5, 9], dtype=np.int64)
        # Evaluation mode: dropout p=0.5 is the identity in both libraries.
        check_model(self, "AlexNet", f, t, x, y, DEEP, eval_mode=True)

    def test_resnet18(self):
        torch.manual_seed(3)
        f, t = resnet18()
        self.assertEqual(f.count_parameters(), sum(p.numel() for p in t.parameters()))
        self.assertEqual(f.count_parameters(), 11181642)   # torchvision's on 10 classes
        # 64x64, not 32x32: at 32x32 the last stage is 1x1, so its batch norms see two
        # values per channel, the normalised output is +-1 up to rounding, and the
        # gradients are ill-conditioned: PyTorch's own float32 gradients then differ from
        # its float64 ones by 6e-3 of their largest value. At 64x64 (2x2, eight values)
        # that is 1e-5.
        x = randn(2, 3, 64, 64, seed=3)
        y = np.array([1, 7], dtype=np.int64)
        # Training mode: batch statistics, running statistics updated by the forward.
        check_model(self, "ResNet-18", f, t, x, y, DEEP)

    def test_fcn(self):
        torch.manual_seed(4)
        f, t = fcn()
        x = randn(2, 3, 64, 64, seed=4)
        y = np.random.default_rng(4).integers(0, 3, (2, 64, 64)).astype(np.int64)
        check_model(self, "FCN", f, t, x, y, DEEP)

    def test_text_cnn(self):
        torch.manual_seed(5)
        args = (50, 8, (3, 4, 5), (6, 6, 6))
        x = np.random.default_rng(5).integers(0, 50, (4, 12)).astype(np.int64)
        y = np.array([0, 1, 1, 0], dtype=np.int64)
        check_model(self, "TextCNN", FitTextCNN(*args), TorchTextCNN(*args), x, y, SHALLOW)

    def test_birnn(self):
        torch.manual_seed(6)
        args = (50, 8, 6, 2)
        x = np.random.default_rng(6).integers(0, 50, (4, 9)).astype(np.int64)
        y = np.array([1, 0, 1, 0], dtype=np.int64)
        check_model(self, "BiRNN", FitBiRNN(*args), TorchBiRNN(*args), x, y, SHALLOW)

    def test_seq2seq(self):
        torch.manual_seed(7)
        args = (30, 8, 10, 2, 7)
        pair = np.random.default_rng(7).integers(0, 30, (3, 7 + 5)).astype(np.int64)
        y = np.random.default_rng(8).integers(0, 30, (3, 5)).astype(np.int64)
        check_model(self, "Seq2Seq", FitSeq2Seq(*args), TorchSeq2Seq(*args), pair, y, SHALLOW,
                    seq=True)

    def test_resnet18_trains_with_estimator(self):
        """A narrow ResNet-18 (width 8) learns where a bright patch is. (Not which channel
        is brightest: training-mode batch norm subtracts each channel's batch mean, so
        that signal would depend on the mix of classes in a shuffled batch.)"""
        Fit.init_set_default_seed(12)   # the same initial weights whatever ran before
        f, _ = resnet18(width=8, classes=3)
        gen = np.random.default_rng(9)
        n = 48
        y = (np.arange(n) % 3).astype(np.int64)
        x = gen.standard_normal((n, 3, 32, 32)).astype(np.float32)
        for i, label in enumerate(y):
            x[i, :, 4:12, 4 + 10 * label:12 + 10 * label] += 1.5
        loader = Fit.DataLoader.new(Fit.TensorDataset.new(to_fit(x), to_fit(y)), 8)
        loader.set_shuffle(True)
        loader.set_seed(1)
        sgd = Fit.SGD.new(f.get_parameters(), 0.02, 0.9)
        est = Fit.Estimator.new(f, Fit.CrossEntropyLoss.new(), sgd)
        losses = []
        est.connect("batch-end", lambda e: losses.append(e.props.loss_value))
        self.assertTrue(est.fit(loader, None, 3, None))
        self.assertEqual(len(losses), 18)
        self.assertTrue(all(math.isfinite(v) for v in losses), losses)
        first, last = np.mean(losses[:6]), np.mean(losses[-6:])
        self.assertLess(last, 0.5 * first, losses)


if __name__ == "__main__":
    main()
