#!/usr/bin/python3
"""fit-glib driven from Python (PyGObject): the workloads of fmnist-bench, same flags and JSON.

  meson devenv -C build /usr/bin/python3 tests/benchmarks/compare/fit_workloads.py --model mlp
  ... fit_workloads.py --model tiny --hand-loop     # the step loop itself in Python

This is what a Python user of fit-glib pays over the C program (tests/benchmarks/
fmnist-bench.c): with the default, Fit.Estimator.fit(), Python only sets up and the loop
runs in C; with --hand-loop every step makes its calls (next batch, forward, loss,
backward, step, zero-grad) through PyGObject. Same models, data, seeds and timing as
the C program: per epoch the training batches only; the test accuracy after each epoch
is computed outside the timed part.

It needs the build tree's typelib and library (meson devenv sets GI_TYPELIB_PATH and
LD_LIBRARY_PATH; run.py sets them from --build-dir), and no NumPy.
"""
import argparse
import json
import os
import resource
import time

MODELS = {"mlp": (64, 0.05), "tiny": (16, 0.01), "cnn": (64, 0.1), "wide": (256, 0.05)}

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--model", choices=sorted(MODELS), default="mlp")
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--batch-size", type=int, default=None, help="default: 64; tiny 16, wide 256")
p.add_argument("--threads", type=int, default=1, help="threads for kernels and BLAS (one pool)")
p.add_argument("--blas-threads", type=int, default=None, help="accepted; fit-glib has one pool")
p.add_argument("--limit", type=int, default=0, help="use only the first N training images (0 = all)")
p.add_argument("--test-limit", type=int, default=0, help="use only the first N test images (0 = all)")
p.add_argument("--workers", type=int, default=0, help="loader prefetch threads")
p.add_argument("--lr", type=float, default=None, help="default: 0.05; cnn 0.1, tiny 0.01")
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffle")
p.add_argument("--hand-loop", action="store_true", help="a Python loop instead of Estimator.fit")
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = p.parse_args()

# As for the C program: the thread count is in place before the library loads.
os.environ["OMP_NUM_THREADS"] = str(args.threads)
import gi  # noqa: E402

gi.require_version("Fit", "1.0")
from gi.repository import Fit  # noqa: E402


def shift_in_place(x, value):
    """x += value, 1000 rows at a time (first-dimension slices are views)."""
    n = x.get_dim(0)
    block = x.slice(0, 0, min(1000, n), 1)
    shift = Fit.Tensor.zeros_like(block)
    shift.fill(value)
    for start in range(0, n, 1000):
        view = x.slice(0, start, min(start + 1000, n), 1)
        by = shift if view.get_dim(0) == 1000 else shift.slice(0, 0, view.get_dim(0), 1)
        view.add_inplace(by, 1.0)


def load(split, limit):
    """Images scaled to [-1, 1] once, 2x / 255 - 1, as fmnist-bench does."""
    ds = Fit.idx_dataset_new(os.path.join(args.data, f"{split}-images-idx3-ubyte.gz"),
                             os.path.join(args.data, f"{split}-labels-idx1-ubyte.gz"),
                             2.0 / 255, None)
    x, y = ds.get_inputs(), ds.get_labels()
    shift_in_place(x, -1.0)
    if limit and limit < x.get_dim(0):
        x, y = x.slice(0, 0, limit, 1), y.slice(0, 0, limit, 1)
    return x, y


def sequential(*modules):
    seq = Fit.Sequential.new()
    for m in modules:
        seq.append(m)
    return seq


def make_model(name, rng):
    def mlp(*widths):
        layers = [Fit.Flatten.new(1, -1)]
        for i in range(len(widths) - 1):
            if i:
                layers.append(Fit.ReLU.new())
            layers.append(Fit.Linear.new(widths[i], widths[i + 1], True, rng))
        return sequential(*layers)
    if name == "mlp":
        return mlp(784, 512, 256, 10)
    if name == "tiny":
        return mlp(784, 32, 10)
    if name == "wide":
        return mlp(784, 2048, 2048, 10)
    return sequential(Fit.Conv2d.new(1, 8, 3, 1, 0, rng), Fit.ReLU.new(),
                      Fit.Conv2d.new(8, 16, 3, 1, 0, rng), Fit.ReLU.new(),
                      Fit.Conv2d.new(16, 32, 3, 1, 0, rng), Fit.ReLU.new(),
                      Fit.AdaptiveAvgPool2d.new(1, 1), Fit.Flatten.new(1, -1),
                      Fit.Linear.new(32, 10, True, rng))


def accuracy(net, x, y):
    labels = y.to_int64s()
    n, correct = x.get_dim(0), 0
    was_enabled = Fit.grad_set_enabled(False)
    net.set_training(False)
    for start in range(0, n, 1000):
        end = min(start + 1000, n)
        pred = net.forward(x.slice(0, start, end, 1)).argmax(1, False).to_int64s()
        correct += sum(1 for i, p in enumerate(pred) if p == labels[start + i])
    net.set_training(True)
    Fit.grad_set_enabled(was_enabled)
    return correct / n


def main():
    if not os.path.exists(os.path.join(args.data, "train-images-idx3-ubyte.gz")):
        print(f"Fashion-MNIST not found in {args.data}: install dataset-fashion-mnist or pass --data")
        raise SystemExit(77)
    Fit.set_num_threads(args.threads)
    xtr, ytr = load("train", args.limit)
    xte, yte = load("t10k", args.test_limit)
    bs = args.batch_size or MODELS[args.model][0]
    lr = args.lr if args.lr is not None else MODELS[args.model][1]

    train = Fit.TensorDataset.new(xtr, ytr)
    loader = Fit.DataLoader.new(train, bs)
    loader.set_shuffle(True)
    loader.set_seed(args.seed)
    loader.set_n_workers(args.workers)
    net = make_model(args.model, Fit.Rng.new(args.seed))
    params = net.get_parameters()
    opt = Fit.SGD.new(params, lr, args.momentum)
    n, steps = loader.get_n_samples(), loader.get_n_batches()
    blas = Fit.get_blas_info()
    print(f"fit-glib (Python) threads={Fit.get_num_threads()} blas={blas} "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '-')} model={args.model} "
          f"loop={'hand' if args.hand_loop else 'fit'} params={net.count_parameters()} "
          f"n_train={n} batch={bs} lr={lr} steps/epoch={steps}", flush=True)

    epochs = []

    def end_epoch(dt, loss):
        acc = accuracy(net, xte, yte)
        e = {"epoch": len(epochs) + 1, "loss": loss, "train_s": dt, "samples_per_s": n / dt,
             "us_per_step": dt / steps * 1e6, "test_acc": acc}
        epochs.append(e)
        print(f"epoch {e['epoch']}: loss {loss:.4f}  train {dt:.2f} s  {n / dt:.0f} samples/s  "
              f"{e['us_per_step']:.0f} us/step  test acc {acc:.4f}", flush=True)

    if args.hand_loop:
        criterion = Fit.CrossEntropyLoss.new()
        net.set_training(True)
        for epoch in range(args.epochs):
            t0 = time.perf_counter()
            it = loader.iterate(epoch, 0)
            loss_sum = 0.0
            while True:
                ok, x, y = it.next(None)
                if not ok:
                    break
                loss = criterion.compute(net.forward(x), y)
                loss.backward()
                opt.step()
                for q in params:
                    q.set_grad(None)
                loss_sum += loss.item() * x.get_dim(0)
            end_epoch(time.perf_counter() - t0, loss_sum / n)
    else:
        estimator = Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), opt)
        started = [0.0]

        def on_begin(est):
            started[0] = time.perf_counter()

        def on_end(est):
            dt = time.perf_counter() - started[0]
            end_epoch(dt, est.get_metric_value("train_loss")[1])

        estimator.connect("epoch-begin", on_begin)
        estimator.connect("epoch-end", on_end)
        estimator.fit(loader, None, args.epochs, None)

    print(json.dumps({"framework": "fit-glib", "version": Fit.VERSION_S,
                      "language": "python", "loop": "hand" if args.hand_loop else "fit",
                      "model": args.model, "threads": Fit.get_num_threads(), "blas": blas,
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "batch_size": bs,
                      "lr": lr, "n_train": n, "params": net.count_parameters(),
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "epochs": epochs, "total_train_s": sum(e["train_s"] for e in epochs),
                      "final_test_acc": epochs[-1]["test_acc"] if epochs else None}))


main()
