#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Train an MLP or a small CNN on Fashion-MNIST with fit-glib's fit API, from Python.

The same program as examples/c/fit-fashion-mnist.c (see there for the models and
settings). Run from a build tree with `meson devenv -C _build`, or after installing.

  /usr/bin/python3 examples/python/fashion_mnist.py --epochs 5 --model mlp
"""
import argparse
import json
import os
import sys
import time

import gi

gi.require_version("Fit", "1.0")
from gi.repository import Fit, GLib  # noqa: E402

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def make_mlp(rng):
    return Fit.Sequential.new_from_modules([
        Fit.Flatten.new(1, -1),
        Fit.Linear.new(784, 512, True, rng), Fit.ReLU.new(),
        Fit.Linear.new(512, 256, True, rng), Fit.ReLU.new(),
        Fit.Linear.new(256, 10, True, rng),
    ])


def make_cnn(rng):
    return Fit.Sequential.new_from_modules([
        Fit.Conv2d.new(1, 8, 3, 1, 0, rng), Fit.ReLU.new(),
        Fit.Conv2d.new(8, 16, 3, 1, 0, rng), Fit.ReLU.new(),
        Fit.Conv2d.new(16, 32, 3, 1, 0, rng), Fit.ReLU.new(),
        Fit.AdaptiveAvgPool2d.new(1, 1),
        Fit.Flatten.new(1, -1),
        Fit.Linear.new(32, 10, True, rng),
    ])


def load_split(data_dir, split, limit):
    dataset = Fit.idx_dataset_new(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"),
                                  os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"),
                                  1.0 / 255, None)
    if 0 < limit < dataset.get_n_items():
        dataset = Fit.Subset.new(dataset, list(range(limit)))
    return dataset


def make_loader(dataset, batch_size, shuffle, seed):
    # (x - 0.5) / 0.5 on [0, 1] pixels: inputs in [-1, 1], like the PyTorch baseline.
    loader = Fit.DataLoader.new(dataset, batch_size)
    loader.set_transform(Fit.Normalize.new([0.5], [0.5]))
    loader.set_shuffle(shuffle)
    loader.set_seed(seed)
    loader.set_n_workers(1)
    return loader


def summary(args, estimator, n_train, n_test, accuracy, seconds):
    epochs = []
    for record in estimator.get_history():
        entry = {"epoch": record.get_epoch()}
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            found, value = record.lookup(key)
            if found:
                entry[key] = value
        entry["seconds"] = record.get_time()
        epochs.append(entry)
    print(json.dumps({"program": "fit-fashion-mnist", "language": "python",
                      "model": args.model, "n_train": n_train, "n_test": n_test,
                      "epochs": epochs, "test_accuracy": accuracy, "seconds": seconds}))
    print(f"Test accuracy {100 * (accuracy or float('nan')):.2f} % after {len(epochs)} "
          f"epochs in {seconds:.1f} s")


def main():
    p = argparse.ArgumentParser(description="Trains a classifier of Fashion-MNIST clothing "
                                "images with fit-glib's fit API.")
    p.add_argument("-e", "--epochs", type=int, default=5, help="train for at most N epochs")
    p.add_argument("-b", "--batch-size", type=int, default=64, help="images per training batch")
    p.add_argument("-m", "--model", choices=["mlp", "cnn"], default="mlp",
                   help="mlp (784-512-256-10) or cnn (three 3x3 convolutions)")
    p.add_argument("-d", "--data-dir", default=DEFAULT_DATA_DIR,
                   help="folder with the Fashion-MNIST *-ubyte.gz files")
    p.add_argument("-c", "--checkpoint-dir",
                   default=os.path.join(GLib.get_user_cache_dir(), "fit-glib", "fashion-mnist"),
                   help="where checkpoints are written")
    p.add_argument("-r", "--resume", action="store_true",
                   help="continue from the latest checkpoint in the checkpoint folder")
    p.add_argument("-l", "--limit", type=int, default=0,
                   help="use only the first N training images (0: all)")
    p.add_argument("--test-limit", type=int, default=0,
                   help="validate on only the first N test images (0: all)")
    p.add_argument("-t", "--threads", type=int, default=0,
                   help="worker threads (0: OMP_NUM_THREADS or all cores)")
    p.add_argument("-p", "--patience", type=int, default=3,
                   help="stop after N epochs without a better validation accuracy")
    p.add_argument("--learning-rate", type=float, default=0.0,
                   help="SGD learning rate (default 0.05 for mlp, 0.1 for cnn)")
    p.add_argument("--lr-schedule", choices=["cosine", "constant"], default="cosine",
                   help="cosine: decay the learning rate to 0 over the epochs; constant: keep it")
    p.add_argument("-s", "--seed", type=int, default=0,
                   help="seed for the initial weights and the shuffling")
    args = p.parse_args()

    for name in FILES:
        path = os.path.join(args.data_dir, name)
        if not os.path.isfile(path):
            sys.exit(f"fashion_mnist.py: Fashion-MNIST was not found: {path} does not exist. "
                     "Install it with “sudo apt install dataset-fashion-mnist” or pass "
                     "--data-dir with the folder holding the four *-ubyte.gz files.")
    if args.threads > 0:
        Fit.set_num_threads(args.threads)

    train = load_split(args.data_dir, "train", args.limit)
    test = load_split(args.data_dir, "t10k", args.test_limit)
    train_loader = make_loader(train, args.batch_size, True, args.seed)
    test_loader = make_loader(test, 1000, False, 0)

    rng = Fit.Rng.new(args.seed)
    net = make_mlp(rng) if args.model == "mlp" else make_cnn(rng)
    lr = args.learning_rate or (0.05 if args.model == "mlp" else 0.1)
    optimizer = Fit.SGD.new(net.get_parameters(), lr, 0.9)
    estimator = Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), optimizer)
    print(f"Model {args.model} ({net.count_parameters()} parameters), "
          f"{train.get_n_items()} training and {test.get_n_items()} test images, "
          f"batch {args.batch_size}, lr {lr:g} ({args.lr_schedule}), "
          f"{Fit.get_num_threads()} threads")

    if args.lr_schedule == "cosine":
        # Per batch over the whole run; see the C example for why.
        cosine = Fit.CosineLR.new(args.epochs * train_loader.get_n_batches(), 0.0)
        estimator.add_handler(Fit.LrSchedulerHandler.new(cosine, True))

    early_stopping = Fit.EarlyStoppingHandler.new("val_accuracy", 0.0, args.patience)
    early_stopping.props.restore_best_weights = True
    # One file per epoch (the last two kept) plus the best one; with resume, the handler
    # loads the latest at train-begin and the fit continues with the next batch.
    checkpoint = Fit.CheckpointHandler.new(args.checkpoint_dir, args.model)
    checkpoint.set_properties(monitor="val_accuracy", max_to_keep=2, resume=args.resume)
    for handler in (Fit.ProgressHandler.new(), early_stopping, checkpoint):
        estimator.add_handler(handler)
    if args.resume:
        latest = checkpoint.get_latest_path()
        if latest is None:
            sys.exit(f"fashion_mnist.py: --resume: no checkpoint of model {args.model} "
                     f"in {args.checkpoint_dir}")
        print(f"Resuming from {latest}")
    print(f"Checkpoints go to {args.checkpoint_dir}")

    start = time.perf_counter()
    estimator.fit(train_loader, test_loader, args.epochs, None)
    # Early stopping put back the best epoch's weights: measure those.
    result = estimator.evaluate(test_loader, None)
    summary(args, estimator, train.get_n_items(), test.get_n_items(),
            result.get_value("val_accuracy"), time.perf_counter() - start)


if __name__ == "__main__":
    try:
        main()
    except GLib.Error as e:
        sys.exit(f"fashion_mnist.py: {e.message}")
