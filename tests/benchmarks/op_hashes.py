#!/usr/bin/python3
"""Prints a SHA-256 of the outputs and gradients of every kernel family, for checking that
a change which should not change any arithmetic (moving kernels, splitting files,
restructuring dispatch) changes no bit.

    op_hashes.py [--threads 1,2] [--filter WORD] > before.txt
    ... rebuild with the change ...
    op_hashes.py > after.txt && diff before.txt after.txt

Run it inside `meson devenv -C _build` (or with GI_TYPELIB_PATH, LD_LIBRARY_PATH and
PYTHONPATH=introspection set, as the tests do). Every case runs in float32 and float64 and
on each thread count given; inputs come from a seeded NumPy generator, and each case
backpropagates a seeded random output gradient, so every backward kernel is hashed too.
The hashes depend on the processor (AVX2 and AVX-512 kernels differ) and on OpenBLAS:
compare runs from one machine and one build configuration only. This is a tool, not a
test: nothing here knows what the right bits are, only whether they changed.
"""

import argparse
import hashlib
import sys

import gi

gi.require_version("Fit", "1.0")
from gi.repository import Fit  # noqa: E402

import numpy as np  # noqa: E402

DTYPES = {"f32": (np.float32, Fit.DType.FLOAT32), "f64": (np.float64, Fit.DType.FLOAT64)}


class Case:
    """One run: makes tensors from a seeded generator and hashes what comes out."""

    def __init__(self, np_dtype, fit_dtype, seed):
        self.np_dtype = np_dtype
        self.fit_dtype = fit_dtype
        self.gen = np.random.default_rng(seed)
        self.leaves = []
        self.modules = []
        self.digest = hashlib.sha256()

    def t(self, *shape, grad=True, scale=1.0, positive=False):
        a = self.gen.standard_normal(shape) * scale
        if positive:
            a = np.abs(a) + 0.1
        t = Fit.Tensor.from_numpy(a.astype(self.np_dtype))
        if grad:
            t.set_requires_grad(True)
            self.leaves.append(t)
        return t

    def labels(self, n, classes, *extra):
        return Fit.Tensor.from_numpy(self.gen.integers(0, classes, (n,) + extra).astype(np.int64))

    def module(self, m):
        if self.fit_dtype == Fit.DType.FLOAT64:
            m.to_dtype(Fit.DType.FLOAT64)
        self.modules.append(m)
        return m

    def rng(self):
        return Fit.Rng.new(1234)

    def add(self, t):
        if t is not None:
            self.digest.update(t.numpy().tobytes())

    def backward(self, out):
        """Hashes @out, backpropagates a random gradient, hashes every gradient."""
        self.add(out)
        g = self.gen.standard_normal(out.get_shape()).astype(self.np_dtype)
        if out.get_requires_grad():
            out.backward_full(Fit.Tensor.from_numpy(g), False)
        for leaf in self.leaves:
            self.add(leaf.get_grad())
        for m in self.modules:
            for p in m.get_parameters():
                self.add(p.get_grad())


def conv_cases():
    shapes = {  # (N, C, H, W), (O, kh, kw), stride, padding, dilation, groups
        "3x3-pad1": ((4, 16, 14, 14), (32, 3, 3), 1, 1, 1, 1),
        "3x3-valid": ((2, 8, 28, 28), (16, 3, 3), 1, 0, 1, 1),
        "3x3-wide": ((2, 64, 20, 20), (64, 3, 3), 1, 1, 1, 1),
        "5x5": ((3, 6, 17, 17), (8, 5, 5), 1, 2, 1, 1),
        "11x11-s4": ((2, 3, 63, 63), (8, 11, 11), 4, 2, 1, 1),
        "7x7-s2": ((2, 3, 32, 32), (8, 7, 7), 2, 3, 1, 1),
        "1x1": ((2, 32, 9, 9), (16, 1, 1), 1, 0, 1, 1),
        "1x1-s2": ((2, 32, 9, 9), (16, 1, 1), 2, 0, 1, 1),
        "dilated": ((2, 4, 16, 16), (6, 3, 3), 1, 2, 2, 1),
        "grouped": ((2, 8, 10, 10), (8, 3, 3), 1, 1, 1, 4),
        "depthwise": ((2, 8, 10, 10), (8, 3, 3), 2, 1, 1, 8),
    }
    out = {}
    for name, (x, (o, kh, kw), s, p, d, g) in shapes.items():
        def run(c, x=x, o=o, kh=kh, kw=kw, s=s, p=p, d=d, g=g):
            inp = c.t(*x)
            w = c.t(o, x[1] // g, kh, kw, scale=0.2)
            b = c.t(o)
            c.backward(Fit.Tensor.conv2d(inp, w, b, s, s, p, p, d, d, g))
        out["conv2d/" + name] = run

    def conv_relu(c):
        # A Sequential fuses a convolution with the ReLU after it.
        net = c.module(Fit.Sequential.new_from_modules([
            Fit.Conv2d.new(3, 8, 3, 1, 0, c.rng()), Fit.ReLU.new(),
            Fit.Conv2d.new(8, 16, 3, 1, 1, c.rng()), Fit.ReLU.new(),
            Fit.Conv2d.new(16, 8, 5, 2, 2, c.rng()), Fit.ReLU.new()]))
        c.backward(net.forward(c.t(4, 3, 28, 28)))
    out["conv2d/fused-relu"] = conv_relu

    def conv_transpose(c):
        inp, w, b = c.t(2, 6, 7, 7), c.t(6, 4, 3, 3, scale=0.3), c.t(4)
        c.backward(Fit.Tensor.conv_transpose2d(inp, w, b, 2, 2, 1, 1, 1, 1, 1, 1, 1))
    out["conv-transpose2d"] = conv_transpose

    def conv1d(c):
        m = c.module(Fit.Conv1d.new_full(8, 12, 5, 1, 2, 1, 1, True, c.rng()))
        c.backward(m.forward(c.t(3, 8, 40)))
    out["conv1d"] = conv1d
    return out


def pool_cases():
    def pools(c):
        x = c.t(3, 4, 13, 13)
        c.backward(Fit.Tensor.max_pool2d(x, 3, 3, 2, 2, 1, 1))
        c.backward(Fit.Tensor.avg_pool2d(x, 2, 2, 2, 2, 0, 0, True))
        c.backward(Fit.Tensor.avg_pool2d(x, 3, 3, 2, 2, 1, 1, False))
        c.backward(Fit.Tensor.adaptive_avg_pool2d(x, 5, 3))
        c.backward(Fit.Tensor.adaptive_avg_pool2d(x, 1, 1))
        c.backward(c.module(Fit.AdaptiveMaxPool2d.new(4, 6)).forward(x))
    def pools1d(c):
        x = c.t(3, 5, 31)
        c.backward(c.module(Fit.MaxPool1d.new(3, 2, 1)).forward(x))
        c.backward(c.module(Fit.AvgPool1d.new_full(4, 3, 1, False)).forward(x))
        c.backward(c.module(Fit.AdaptiveAvgPool1d.new(7)).forward(x))
    return {"pool2d": pools, "pool1d": pools1d}


def pointwise_cases():
    def binary(c):
        a, b, row = c.t(6, 5, 4), c.t(6, 5, 4, positive=True), c.t(1, 5, 1)
        for op in (Fit.Tensor.add, Fit.Tensor.sub, Fit.Tensor.mul, Fit.Tensor.div,
                   Fit.Tensor.maximum, Fit.Tensor.minimum):
            c.backward(op(a, b))
            c.backward(op(a, row))
        c.backward(Fit.Tensor.pow(b, a))
        for op in (Fit.Tensor.gt, Fit.Tensor.lt, Fit.Tensor.eq):
            c.add(op(a, row))

    def unary(c):
        x, pos = c.t(7, 33), c.t(7, 33, positive=True)
        for op in ("neg", "exp", "abs", "relu", "gelu", "sigmoid", "tanh"):
            c.backward(getattr(x, op)())
        for op in ("log", "sqrt"):
            c.backward(getattr(pos, op)())
        c.backward(x.clamp(-0.5, 0.7))
        c.backward(x.leaky_relu(0.1))
        c.backward(x.add_scalar(1.5))
        c.backward(x.mul_scalar(-2.5))
        for e in (0, 1, 2, 3, 0.5, -0.5, -1, 1.7):
            c.backward(pos.pow_scalar(e))
        mask = Fit.Tensor.gt(x, c.t(7, 33, grad=False))
        c.backward(Fit.Tensor.where(mask, x, pos))
        c.backward(x.masked_fill(mask, -3.0))

    def large(c):  # above the parallel grain
        a, b = c.t(300, 1000), c.t(1, 1000)
        c.backward(Fit.Tensor.mul(a, b).tanh())
    return {"pointwise/binary": binary, "pointwise/unary": unary, "pointwise/large": large}


def reduce_cases():
    def reductions(c):
        x = c.t(5, 6, 7)
        for dims in ([], [0], [1], [2], [0, 2], [-1]):
            c.backward(x.sum(dims, False))
            c.backward(x.mean(dims, True))
        c.backward(x.var([1], False, 1))
        for d in (0, 1, 2):
            c.backward(x.max(d, False))
            c.backward(x.min(d, True))
            c.add(x.argmax(d, False))
            c.backward(x.logsumexp(d, False))
            c.backward(x.softmax(d))
            c.backward(x.log_softmax(d))
        big = c.t(64, 4096)
        c.backward(big.sum([1], False))
        c.backward(big.log_softmax(1))
    return {"reduce": reductions}


def matmul_cases():
    def matmul(c):
        c.backward(Fit.Tensor.matmul(c.t(17, 33), c.t(33, 9)))
        c.backward(Fit.Tensor.matmul(c.t(3, 5, 17, 8), c.t(8, 6)))
        c.backward(Fit.Tensor.matmul(c.t(2, 1, 7, 8), c.t(4, 8, 3)))
        c.backward(Fit.Tensor.matmul(c.t(8), c.t(8, 3)))
        c.backward(Fit.Tensor.linear(c.t(64, 300), c.t(200, 300, scale=0.05), c.t(200)))
        c.backward(Fit.Tensor.linear(c.t(5, 7, 30), c.t(20, 30), None))
    return {"matmul": matmul}


def shape_cases():
    def shapes(c):
        x = c.t(4, 3, 5)
        c.backward(x.reshape([12, 5]))
        c.backward(x.permute([2, 0, 1]))
        c.backward(x.transpose(0, 2))
        c.backward(x.unsqueeze(1).expand([4, 6, 3, 5]))
        c.backward(Fit.Tensor.concat([x, c.t(4, 2, 5)], 1))
        c.backward(Fit.Tensor.stack([x, c.t(4, 3, 5)], 2))
        c.backward(x.slice(1, 1, 3, 1))
        c.backward(x.slice(2, 0, 5, 2))
        idx = Fit.Tensor.from_numpy(np.array([2, 0, 2, 1], np.int64))
        c.backward(x.index_select(0, idx))
        gi_ = Fit.Tensor.from_numpy(c.gen.integers(0, 3, (4, 2, 5)).astype(np.int64))
        c.backward(x.gather(1, gi_))
        w = c.t(10, 6)
        c.backward(Fit.Tensor.embedding(w, Fit.Tensor.from_numpy(
            c.gen.integers(0, 10, (3, 7)).astype(np.int64))))
        c.add(Fit.Tensor.one_hot(c.labels(9, 4), 4))
    return {"shape": shapes}


def module_cases():
    def norms(c):
        bn2 = c.module(Fit.BatchNorm2d.new(6, 1e-5, 0.1, True))
        x = c.t(4, 6, 5, 5)
        c.backward(bn2.forward(x))
        state = bn2.get_state()
        for n in state.get_names():
            c.add(state.get(n))
        bn2.set_training(False)
        c.backward(bn2.forward(x))
        bn1 = c.module(Fit.BatchNorm1d.new(7, 1e-5, 0.1, True))
        c.backward(bn1.forward(c.t(9, 7)))
        c.backward(bn1.forward(c.t(9, 7, 4)))
        ln = c.module(Fit.LayerNorm.new([4, 5], 1e-5, True))
        c.backward(ln.forward(c.t(3, 6, 4, 5)))

    def rnns(c):
        for cls in (Fit.LSTM, Fit.GRU):
            for layers, bi, batch_first in ((1, False, True), (2, True, False)):
                m = c.module(cls.new(6, 9, layers, bi, batch_first, c.rng()))
                c.backward(m.forward(c.t(4, 5, 6)))

    def embedding_dropout(c):
        e = c.module(Fit.Embedding.new(20, 8, c.rng()))
        c.backward(e.forward(Fit.Tensor.from_numpy(c.gen.integers(0, 20, (4, 6)).astype(np.int64))))
        x = c.t(40, 50)
        c.backward(Fit.Tensor.dropout(x, 0.3, Fit.Rng.new(7), True))
        d = c.module(Fit.Dropout.new(0.5, Fit.Rng.new(9)))
        c.backward(d.forward(x))
    return {"norm": norms, "rnn": rnns, "embedding-dropout": embedding_dropout}


def loss_cases():
    def classification(c):
        logits = c.t(12, 5)
        labels = c.labels(12, 5)
        weight = Fit.Tensor.from_numpy(np.linspace(0.5, 2, 5).astype(c.np_dtype))
        for loss in (Fit.CrossEntropyLoss.new(),
                     Fit.CrossEntropyLoss.new_full(Fit.Reduction.SUM, weight, 2, 0.1),
                     Fit.CrossEntropyLoss.new_full(Fit.Reduction.NONE, None, -100, 0.0),
                     Fit.NLLLoss.new_full(Fit.Reduction.MEAN, weight, 1)):
            c.backward(loss.compute(logits, labels))
        spatial = c.t(3, 4, 5, 6)
        c.backward(Fit.CrossEntropyLoss.new().compute(spatial, c.labels(3, 4, 5, 6)))
        soft = c.t(12, 5, grad=False).softmax(1)
        c.backward(Fit.CrossEntropyLoss.new().compute(logits, soft))

    def elementwise(c):
        p, y = c.t(8, 6), c.t(8, 6, grad=False)
        prob = c.t(8, 6, grad=False).sigmoid().detach()
        prob.set_requires_grad(True)
        c.leaves.append(prob)
        target01 = Fit.Tensor.from_numpy(c.gen.integers(0, 2, (8, 6)).astype(c.np_dtype))
        for r in (Fit.Reduction.MEAN, Fit.Reduction.SUM, Fit.Reduction.NONE):
            c.backward(Fit.MSELoss.new(r).compute(p, y))
            c.backward(Fit.L1Loss.new(r).compute(p, y))
            c.backward(Fit.SmoothL1Loss.new(r, 0.5).compute(p, y))
            c.backward(Fit.HuberLoss.new(r, 0.7).compute(p, y))
            c.backward(Fit.KLDivLoss.new(r, False).compute(p.log_softmax(1), prob.softmax(1)))
        c.backward(Fit.BCELoss.new().compute(prob, target01))
        c.backward(Fit.BCEWithLogitsLoss.new_full(Fit.Reduction.MEAN, None, c.t(6, grad=False,
                                                                        positive=True)).compute(p, target01))
    return {"loss/classification": classification, "loss/elementwise": elementwise}


def optim_cases():
    def make(name):
        def run(c):
            params = [c.t(30, 20), c.t(20), c.t(5, 7)]
            opt = {
                "sgd": lambda: Fit.SGD.new(params, 0.1, 0.9),
                "adam": lambda: Fit.Adam.new(params, 1e-2),
                "adamw": lambda: Fit.AdamW.new(params, 1e-2, 0.05),
                "rmsprop": lambda: Fit.RMSprop.new(params, 1e-2),
                "adagrad": lambda: Fit.Adagrad.new(params, 0.1),
            }[name]()
            if name == "sgd":
                opt.set_property("nesterov", True)
                opt.set_property("weight-decay", 1e-3)
            for step in range(4):
                opt.zero_grad()
                loss = None
                for p in params:
                    term = Fit.Tensor.mul(p, p).sum([], False)
                    loss = term if loss is None else Fit.Tensor.add(loss, term)
                loss.backward()
                if step == 2:
                    Fit.clip_grad_norm(params, 0.5)
                if step == 3:
                    Fit.clip_grad_value(params, 0.01)
                opt.step()
            for p in params:
                c.add(p)
            ok, norm = Fit.clip_grad_norm(params, 1e9)
            c.digest.update(repr(norm).encode())
        return run
    return {"optim/" + n: make(n) for n in ("sgd", "adam", "adamw", "rmsprop", "adagrad")}


def fit_cases():
    def fit(c, model):
        gen = c.gen
        if model == "mlp":
            net = Fit.Sequential.new_from_modules([
                Fit.Flatten.new(1, -1), Fit.Linear.new(64, 32, True, c.rng()), Fit.ReLU.new(),
                Fit.Linear.new(32, 10, True, c.rng())])
            x = gen.standard_normal((96, 1, 8, 8))
        else:
            net = Fit.Sequential.new_from_modules([
                Fit.Conv2d.new(1, 8, 3, 1, 0, c.rng()), Fit.ReLU.new(),
                Fit.MaxPool2d.new(2, 2, 0),
                Fit.Conv2d.new(8, 16, 3, 1, 1, c.rng()), Fit.BatchNorm2d.new(16, 1e-5, 0.1, True),
                Fit.ReLU.new(), Fit.AdaptiveAvgPool2d.new(1, 1), Fit.Flatten.new(1, -1),
                Fit.Dropout.new(0.2, c.rng()), Fit.Linear.new(16, 10, True, c.rng())])
            x = gen.standard_normal((96, 1, 12, 12))
        if c.fit_dtype == Fit.DType.FLOAT64:
            net.to_dtype(Fit.DType.FLOAT64)
        y = gen.integers(0, 10, (96,)).astype(np.int64)
        data = Fit.TensorDataset.new(Fit.Tensor.from_numpy(x.astype(c.np_dtype)),
                                     Fit.Tensor.from_numpy(y))
        loader = Fit.DataLoader.new(data, 16)
        loader.set_shuffle(True)
        loader.set_seed(5)
        opt = Fit.Adam.new(net.get_parameters(), 1e-3) if model == "cnn" else \
            Fit.SGD.new(net.get_parameters(), 0.05, 0.9)
        est = Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), opt)
        est.fit(loader, loader, 2, None)
        for p in net.get_parameters():
            c.add(p)
        for n in net.get_state().get_names():
            c.add(net.get_state().get(n))
        history = est.get_history()
        for i in range(history.get_n_items()):
            c.digest.update(repr(history.get_item(i).get_value("train_loss")).encode())
    return {"fit/mlp": lambda c: fit(c, "mlp"), "fit/cnn": lambda c: fit(c, "cnn")}


def all_cases():
    cases = {}
    for group in (pointwise_cases, reduce_cases, matmul_cases, shape_cases, conv_cases,
                  pool_cases, module_cases, loss_cases, optim_cases, fit_cases):
        cases.update(group())
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    parser.add_argument("--filter", default="", help="only cases whose name contains this")
    args = parser.parse_args()
    for threads in [int(t) for t in args.threads.split(",")]:
        Fit.set_num_threads(threads)
        for name, run in sorted(all_cases().items()):
            if args.filter not in name:
                continue
            for dname, (np_dtype, fit_dtype) in DTYPES.items():
                case = Case(np_dtype, fit_dtype, seed=17)
                run(case)
                print(f"{name:28} {dname} t{threads} {case.digest.hexdigest()[:32]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
