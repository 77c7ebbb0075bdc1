#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs one of the Fashion-MNIST examples on a small slice of the data and checks it learns.

  run-example.py COMMAND [ARG…]

COMMAND is the example (with its interpreter). The driver adds --limit, --test-limit,
--epochs, --threads and a temporary --checkpoint-dir, reads the JSON summary line the
example prints, and checks that the loss falls, that the accuracy is well above chance
and that checkpoints were written. A missing data folder must give a clear error, not a
crash. Exits 77 (skip) when Debian's dataset-fashion-mnist is not installed.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

DATA_DIR = "/usr/share/datasets/fashion-mnist"
FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

failures = 0
n_test = 0


def check(ok, what, detail=""):
    global failures, n_test
    n_test += 1
    print(f"{'ok' if ok else 'not ok'} {n_test} {what}")
    if not ok:
        failures += 1
        for line in detail.splitlines():
            print(f"# {line}")


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


def describe(r):
    return f"exit status {r.returncode}\nstdout: {r.stdout[-3000:]}\nstderr: {r.stderr[-3000:]}"


def summary_of(stdout):
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def main():
    command = sys.argv[1:]
    if not command:
        sys.exit(__doc__)

    with tempfile.TemporaryDirectory() as empty:
        r = run(command + ["--data-dir", os.path.join(empty, "missing")])
        check(r.returncode not in (0, 77) and r.returncode > 0
              and "dataset-fashion-mnist" in r.stderr and "--data-dir" in r.stderr,
              "a missing data folder is a clear error, not a crash",
              f"exit status {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")

    if not all(os.path.isfile(os.path.join(DATA_DIR, f)) for f in FILES):
        print(f"# SKIP Fashion-MNIST is not installed in {DATA_DIR} "
              "(Debian package dataset-fashion-mnist)")
        print(f"1..{n_test}")
        sys.exit(77 if failures == 0 else 1)

    with tempfile.TemporaryDirectory() as checkpoints:
        r = run(command + ["--limit", "2000", "--test-limit", "1000", "--epochs", "2",
                           "--threads", "1", "--checkpoint-dir", checkpoints])
        detail = describe(r)
        check(r.returncode == 0, "the example trains on 2000 images for 2 epochs", detail)
        summary = summary_of(r.stdout) if r.returncode == 0 else None
        check(summary is not None, "it prints a JSON summary line", detail)
        if summary is not None:
            epochs = summary["epochs"]
            check(summary["n_train"] == 2000 and summary["n_test"] == 1000,
                  "--limit and --test-limit take effect", json.dumps(summary))
            check(len(epochs) == 2, "two epochs ran", json.dumps(summary))
            if len(epochs) == 2:
                losses = [e.get("train_loss", math.nan) for e in epochs]
                val_losses = [e.get("val_loss", math.nan) for e in epochs]
                check(losses[1] < losses[0], f"the training loss falls: {losses}")
                check(val_losses[1] < val_losses[0], f"the validation loss falls: {val_losses}")
            accuracy = summary.get("test_accuracy") or 0.0
            check(accuracy > 0.6, f"test accuracy {accuracy} is well above chance (0.1)")
            check(r.stdout.rstrip().splitlines()[-1].startswith("Test accuracy"),
                  "the last line gives the test accuracy and the time", r.stdout[-500:])
        check(len(os.listdir(checkpoints)) > 0, "checkpoints were written",
              f"{checkpoints} holds {os.listdir(checkpoints)}")

        r = run(command + ["--limit", "2000", "--test-limit", "1000", "--epochs", "3",
                           "--threads", "1", "--checkpoint-dir", checkpoints, "--resume"])
        detail = describe(r)
        check(r.returncode == 0 and "Resuming from" in r.stdout,
              "--resume continues from the latest checkpoint", detail)
        resumed = summary_of(r.stdout) if r.returncode == 0 else None
        if summary is not None and resumed is not None:
            before = [e.get("train_loss") for e in summary["epochs"]]
            after = [e.get("train_loss") for e in resumed["epochs"]]
            check(len(after) == 3 and after[:2] == before,
                  "the resumed run keeps the first two epochs and trains only the third",
                  f"before: {before}\nafter: {after}")

    print(f"1..{n_test}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
