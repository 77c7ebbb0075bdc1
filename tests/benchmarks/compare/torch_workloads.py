#!/usr/bin/python3
"""PyTorch's side of the fit-glib comparison on Fashion-MNIST (reads the IDX .gz files).

  /usr/bin/python3 torch_workloads.py --model mlp --epochs 3 --threads 1
  /usr/bin/python3 torch_workloads.py --model tiny          # batch 16, lr 0.01
  /usr/bin/python3 torch_workloads.py --model cnn           # lr 0.1
  /usr/bin/python3 torch_workloads.py --model wide --limit 15360   # batch 256
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 torch_workloads.py --threads 2

Models (the same as tests/benchmarks/fmnist-bench.c builds):
  mlp   784-512-256-10 ReLU, batch 64, SGD lr 0.05 momentum 0.9
  tiny  784-32-10 ReLU, batch 16, lr 0.01 (per-step overhead)
  cnn   conv3x3 1->8->16->32 ReLU, global average pool, linear 32->10, batch 64, lr 0.1
  wide  784-2048-2048-10 ReLU, batch 256, lr 0.05 (the GEMMs dominate)

A plain PyTorch loop: per epoch a seeded randperm, batch gather by index, forward,
cross-entropy, backward, SGD step, zero_grad(set_to_none=True), loss.item(). Timed per
epoch: that loop only; the test accuracy after each epoch is computed outside it.

Threads: torch's intra-op (OpenMP) pool and Debian's OpenBLAS (a separate pthread pool,
which torch.set_num_threads does not resize and which reads its size from the
environment when the library loads) are both set to --threads before numpy or torch is
imported. On a 2-core machine, run 2 threads with OMP_WAIT_POLICY=PASSIVE: libgomp's
default spin-waiting fights OpenBLAS's threads and makes the MLP several times slower
(see doc/performance.md).

Per epoch it prints the train loss, training time, samples/s, us/step and test
accuracy; the last line is one JSON object, with the same keys as fmnist-bench prints.
"""
import argparse
import ctypes
import gzip
import json
import os
import resource
import time

MODELS = {"mlp": (64, 0.05), "tiny": (16, 0.01), "cnn": (64, 0.1), "wide": (256, 0.05)}

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--model", choices=sorted(MODELS), default="mlp")
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--batch-size", type=int, default=None, help="default: 64; tiny 16, wide 256")
p.add_argument("--threads", type=int, default=1, help="torch intra-op (OpenMP) threads")
p.add_argument("--blas-threads", type=int, default=None, help="OpenBLAS threads (default: --threads)")
p.add_argument("--limit", type=int, default=0, help="use only the first N training images (0 = all)")
p.add_argument("--test-limit", type=int, default=0, help="use only the first N test images (0 = all)")
p.add_argument("--lr", type=float, default=None, help="default: 0.05; cnn 0.1, tiny 0.01")
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffle")
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = p.parse_args()

os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads or args.threads)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
try:  # the OpenBLAS that numpy/torch already loaded (same soname -> same handle)
    _ob = ctypes.CDLL("libopenblas.so.0")
    _ob.openblas_get_corename.restype = ctypes.c_char_p
    _threading = {0: "sequential", 1: "pthreads", 2: "OpenMP"}.get(_ob.openblas_get_parallel(), "?")
    BLAS = f"OpenBLAS {_ob.openblas_get_corename().decode()} ({_threading}) x{_ob.openblas_get_num_threads()}"
except (OSError, AttributeError):
    BLAS = "unknown"


def load_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split, limit):
    x = load_idx(os.path.join(args.data, f"{split}-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(args.data, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.astype(np.float32) / 255.0)  # [0,1]
    x = ((x - 0.5) / 0.5).unsqueeze(1)                   # [-1,1], N x 1 x 28 x 28
    y = torch.from_numpy(y.astype(np.int64))
    if limit:
        x, y = x[:limit], y[:limit]
    return x.contiguous(), y


def make_model(name):
    def mlp(*widths):
        layers = [nn.Flatten()]
        for i in range(len(widths) - 1):
            if i:
                layers.append(nn.ReLU())
            layers.append(nn.Linear(widths[i], widths[i + 1]))
        return nn.Sequential(*layers)
    if name == "mlp":
        return mlp(784, 512, 256, 10)
    if name == "tiny":
        return mlp(784, 32, 10)
    if name == "wide":
        return mlp(784, 2048, 2048, 10)
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(8, 16, 3), nn.ReLU(),
                         nn.Conv2d(16, 32, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(32, 10))


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
                  for i in range(0, len(x), 1000))
    model.train()
    return correct / len(x)


def main():
    if not os.path.exists(os.path.join(args.data, "train-images-idx3-ubyte.gz")):
        print(f"Fashion-MNIST not found in {args.data}: install dataset-fashion-mnist or pass --data")
        raise SystemExit(77)
    xtr, ytr = load("train", args.limit)
    xte, yte = load("t10k", args.test_limit)
    n = len(xtr)
    bs = args.batch_size or MODELS[args.model][0]
    lr = args.lr if args.lr is not None else MODELS[args.model][1]

    model = make_model(args.model)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=args.momentum)
    gen = torch.Generator().manual_seed(args.seed)
    steps = (n + bs - 1) // bs
    params = sum(q.numel() for q in model.parameters())
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} blas={BLAS} "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '-')} model={args.model} "
          f"params={params} n_train={n} batch={bs} lr={lr} steps/epoch={steps}", flush=True)

    epochs = []
    for ep in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        loss_sum = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
        dt = time.perf_counter() - t0
        acc = accuracy(model, xte, yte)
        e = {"epoch": ep, "loss": loss_sum / n, "train_s": dt, "samples_per_s": n / dt,
             "us_per_step": dt / steps * 1e6, "test_acc": acc}
        epochs.append(e)
        print(f"epoch {ep}: loss {e['loss']:.4f}  train {dt:.2f} s  {e['samples_per_s']:.0f} samples/s  "
              f"{e['us_per_step']:.0f} us/step  test acc {acc:.4f}", flush=True)

    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "language": "python",
                      "loop": "hand", "model": args.model, "threads": args.threads, "blas": BLAS,
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "batch_size": bs,
                      "lr": lr, "n_train": n, "params": params,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "epochs": epochs, "total_train_s": sum(e["train_s"] for e in epochs),
                      "final_test_acc": epochs[-1]["test_acc"] if epochs else None}))


main()
