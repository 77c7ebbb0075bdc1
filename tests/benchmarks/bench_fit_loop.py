"""What a Python handler costs in the fit loop: µs per batch of a fit with no Python code,
with a Python Fit.EventHandler subclass overriding batch-end, and with a Python callback
connected to the batch-end signal. Tiny MLP, so the per-batch costs show.

    meson test -C build --benchmark fit-loop-python -v
"""

import time

import numpy as np

from fit_testing import Fit, tensor

N_BATCHES, BATCH, REPEATS = 200, 16, 5


def setup():
    rng = np.random.default_rng(1)
    n = N_BATCHES * BATCH
    x = rng.normal(size=(n, 16)).astype(np.float32)
    y = (np.arange(n) % 4).astype(np.int64)
    loader = Fit.DataLoader.new(Fit.TensorDataset.new(tensor(x), tensor(y)), BATCH)
    r = Fit.Rng.new(2)
    net = Fit.Sequential.new_from_modules([Fit.Linear.new(16, 32, True, r), Fit.ReLU.new(),
                                           Fit.Linear.new(32, 4, True, r)])
    sgd = Fit.SGD.new(net.get_parameters(), 0.01, 0.0)
    return loader, net, sgd


class Counting(Fit.EventHandler):
    def __init__(self):
        super().__init__()
        self.n = 0

    def do_batch_end(self, est):
        self.n += 1
        return True


def best_of(loader, net, sgd, kind):
    best = float("inf")
    for _ in range(REPEATS):
        est = Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), sgd)
        handlers = []
        if kind == "handler":
            handlers = [Counting()]
        elif kind == "callback":
            count = [0]
            est.connect("batch-end", lambda e: count.__setitem__(0, count[0] + 1))
        t0 = time.perf_counter()
        est.fit_full(loader, None, 1, 0, handlers, None)
        best = min(best, (time.perf_counter() - t0) / N_BATCHES * 1e6)
    return best


def main():
    loader, net, sgd = setup()
    best_of(loader, net, sgd, "plain")
    plain = best_of(loader, net, sgd, "plain")
    handler = best_of(loader, net, sgd, "handler")
    callback = best_of(loader, net, sgd, "callback")
    print(f"# Python in the fit loop, µs per batch (best of {REPEATS}), tiny MLP batch {BATCH}")
    print(f"  fit, C handlers only    {plain:9.2f}")
    print(f"  + Python handler        {handler:9.2f}  ({handler - plain:+.2f} µs/batch)")
    print(f"  + Python callback       {callback:9.2f}  ({callback - plain:+.2f} µs/batch)")


if __name__ == "__main__":
    main()
