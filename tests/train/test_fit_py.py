"""The fit API from Python: handlers, callbacks, stops, errors, cancellation, checkpoints,
early stopping, accumulation, the learning-rate finder, a batch processor subclass, and
metrics and learning-rate schedules written in Python."""

import math
import os
import shutil
import tempfile
import threading
import unittest

import numpy as np

from fit_testing import Fit, GLib, main, tensor
from fit_testing import numpy as to_numpy

Gio = None
try:
    import gi
    gi.require_version("Gio", "2.0")
    from gi.repository import Gio  # noqa: F811
except (ImportError, ValueError):
    pass


def classification_loader(n, batch_size, seed, shuffle=False):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 3).astype(np.int64)
    x = rng.normal(scale=0.5, size=(n, 4)).astype(np.float32)
    x[np.arange(n), y] += 2.0
    loader = Fit.DataLoader.new(Fit.TensorDataset.new(tensor(x), tensor(y)), batch_size)
    if shuffle:
        loader.set_shuffle(True)
        loader.set_seed(11)
    return loader


def regression_loader(n, batch_size, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.5).reshape(n, 1).astype(np.float32)
    return Fit.DataLoader.new(Fit.TensorDataset.new(tensor(x), tensor(y)), batch_size)


def classifier(seed, lr=0.1, momentum=0.0):
    net = Fit.Linear.new(4, 3, True, Fit.Rng.new(seed))
    sgd = Fit.SGD.new(net.get_parameters(), lr, momentum)
    return Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), sgd)


def params(est):
    return np.concatenate([to_numpy(p).ravel() for p in est.get_net().get_parameters()])


class Recorder(Fit.EventHandler):
    """Logs every event; optionally stops or fails at the n-th occurrence of one."""

    def __init__(self, name, log, priority=0, stop=None, fail=None):
        super().__init__(priority=priority)
        self.name, self.log, self.stop, self.fail = name, log, stop, fail
        self.counts = {}
        self.reason = None
        self.losses = []

    def _event(self, est, event):
        self.log.append(f"{self.name}:{event}")
        self.counts[event] = self.counts.get(event, 0) + 1
        if event == "batch-end":
            self.losses.append(est.get_loss_value())
        if self.stop and self.stop[0] == event and self.counts[event] == self.stop[1]:
            est.request_stop(self.stop[2])
        if self.fail and self.fail[0] == event and self.counts[event] == self.fail[1]:
            self.fail[2]()
        return True

    def do_train_begin(self, est): return self._event(est, "train-begin")
    def do_epoch_begin(self, est): return self._event(est, "epoch-begin")
    def do_batch_begin(self, est): return self._event(est, "batch-begin")
    def do_forward_end(self, est): return self._event(est, "forward-end")
    def do_loss_end(self, est): return self._event(est, "loss-end")
    def do_backward_end(self, est): return self._event(est, "backward-end")
    def do_step_end(self, est): return self._event(est, "step-end")
    def do_batch_end(self, est): return self._event(est, "batch-end")
    def do_validate_begin(self, est): return self._event(est, "validate-begin")
    def do_validate_batch_end(self, est): return self._event(est, "validate-batch-end")
    def do_validate_end(self, est): return self._event(est, "validate-end")
    def do_epoch_end(self, est): return self._event(est, "epoch-end")

    def do_train_end(self, est, reason):
        self.reason = reason
        return self._event(est, "train-end")


BATCH = ["batch-begin", "forward-end", "loss-end", "backward-end", "step-end", "batch-end"]
VALIDATION = ["validate-begin", "validate-batch-end", "validate-end"]


def names(log, prefix="r:"):
    return [e[len(prefix):] for e in log if e.startswith(prefix)]


class Events(unittest.TestCase):
    def test_order_mixed_languages(self):
        est = classifier(1)
        log = []
        late = Recorder("late", log, priority=10)
        early = Recorder("early", log, priority=-5)
        tie = Recorder("tie", log, priority=10)
        stopper = Fit.StoppingHandler.new(0, 100)       # a C handler at -400
        for h in (late, early, tie, stopper):
            est.add_handler(h)
        est.connect("train-begin", lambda e: log.append("connect"))
        est.connect_after("train-begin", lambda e: log.append("connect_after"))
        order = est.get_handlers_for_event(Fit.Event.BATCH_END)
        self.assertEqual([type(h).__name__ for h in order],
                         ["MetricHandler", "ValidationHandler", "StoppingHandler", "Recorder",
                          "Recorder", "Recorder"])
        self.assertEqual([h for h in order[3:]], [early, late, tie])
        self.assertTrue(est.fit(classification_loader(6, 3, 2), None, 1, None))
        self.assertEqual(log[:5], ["connect", "early:train-begin", "late:train-begin",
                                   "tie:train-begin", "connect_after"])
        self.assertIn("FitStoppingHandler (priority -400)", est.describe())

    def test_full_order(self):
        est = classifier(1)
        log = []
        rec = Recorder("r", log)
        self.assertTrue(est.fit_full(classification_loader(6, 3, 2),
                                     classification_loader(3, 3, 3), 1, 0, [rec], None))
        self.assertEqual(names(log), ["train-begin", "epoch-begin"] + BATCH * 2 + VALIDATION +
                         ["epoch-end", "train-end"])
        self.assertEqual(rec.reason, Fit.StopReason.COMPLETED)
        # A handler for one fit is removed afterwards.
        with self.assertRaises(GLib.Error):
            est.remove_handler(rec)

    def test_state(self):
        est = classifier(1)
        seen = []

        def on_batch_end(e):
            seen.append((e.props.epoch, e.props.batch_index, e.props.global_step,
                         e.props.batch_size, e.get_inputs().get_shape(),
                         e.get_outputs().get_shape(), e.get_labels().get_shape()))
            self.assertTrue(math.isfinite(e.props.loss_value))
            self.assertEqual(e.get_phase(), Fit.Phase.TRAIN)
            ok, value = e.get_metric_value("train_loss")
            self.assertTrue(ok)

        def on_epoch_end(e):
            # The estimator lets go of a batch after its last event, so that the next
            # batch reuses its memory; the last loss value stays.
            between.append((e.get_inputs(), e.get_labels(), e.get_outputs(),
                            e.get_loss_tensor(), math.isfinite(e.props.loss_value)))

        between = []
        est.connect("batch-end", on_batch_end)
        est.connect("epoch-end", on_epoch_end)
        self.assertTrue(est.fit(classification_loader(7, 3, 2), None, 2, None))
        self.assertEqual(between, [(None, None, None, None, True)] * 2)
        self.assertEqual(seen[2], (0, 2, 2, 1, [1, 4], [1, 3], [1]))
        self.assertEqual(seen[3][:4], (1, 0, 3, 3))
        with self.assertRaises(GLib.Error) as cm:
            est.get_metric_value("val_acc")
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.NOT_FOUND))
        self.assertIn("val_accuracy", cm.exception.message)


class Stops(unittest.TestCase):
    def run_stop(self, event, scope, epochs=1):
        est = classifier(1)
        log = []
        rec = Recorder("r", log, stop=(event, 1, scope))
        before = params(est)
        self.assertTrue(est.fit_full(classification_loader(6, 3, 2),
                                     classification_loader(3, 3, 3), epochs, 0, [rec], None))
        return names(log), rec, before, params(est)

    def test_batch(self):
        log, rec, _, _ = self.run_stop("batch-begin", Fit.StopScope.BATCH)
        self.assertEqual(log[2:4], ["batch-begin", "batch-end"])
        self.assertTrue(math.isnan(rec.losses[0]))      # no stale loss
        log, rec, _, _ = self.run_stop("backward-end", Fit.StopScope.BATCH)
        self.assertEqual(log[2:7], ["batch-begin", "forward-end", "loss-end", "backward-end",
                                    "batch-end"])
        self.assertFalse(math.isnan(rec.losses[0]))

    def test_epoch(self):
        log, rec, _, _ = self.run_stop("forward-end", Fit.StopScope.EPOCH, epochs=2)
        self.assertEqual(log, ["train-begin", "epoch-begin", "batch-begin", "forward-end",
                               "batch-end"] + VALIDATION + ["epoch-end", "epoch-begin"] +
                         BATCH * 2 + VALIDATION + ["epoch-end", "train-end"])
        self.assertEqual(rec.reason, Fit.StopReason.COMPLETED)

    def test_training(self):
        log, rec, _, _ = self.run_stop("batch-end", Fit.StopScope.TRAINING, epochs=3)
        self.assertEqual(log, ["train-begin", "epoch-begin"] + BATCH +
                         ["epoch-end", "train-end"])
        self.assertEqual(rec.reason, Fit.StopReason.STOPPED)
        log, rec, before, after = self.run_stop("train-begin", Fit.StopScope.TRAINING)
        self.assertEqual(log, ["train-begin", "train-end"])
        np.testing.assert_array_equal(before, after)


class Errors(unittest.TestCase):
    def fit_failing(self, raiser, event="loss-end"):
        est = classifier(1)
        log = []
        rec = Recorder("r", log, fail=(event, 2, raiser))
        other = Recorder("o", log, priority=5)
        with self.assertRaises(GLib.Error) as cm:
            est.fit_full(classification_loader(9, 3, 2), None, 2, 0, [rec, other], None)
        self.assertEqual(rec.reason, Fit.StopReason.ERROR)
        self.assertEqual(other.reason, Fit.StopReason.ERROR)
        self.assertEqual(names(log, "o:")[-2:], ["forward-end", "train-end"])
        return cm.exception

    def test_glib_error_keeps_domain_and_code(self):
        def raiser():
            raise GLib.Error.new_literal(Fit.error_quark(), "diverged", int(Fit.Error.NOT_FINITE))
        error = self.fit_failing(raiser)
        self.assertTrue(error.matches(Fit.error_quark(), Fit.Error.NOT_FINITE))
        self.assertEqual(error.message, "diverged")

    def test_plain_exception_fails_the_fit(self):
        def raiser():
            raise ValueError("not a GLib.Error")
        error = self.fit_failing(raiser)
        self.assertTrue(error.matches(Fit.error_quark(), Fit.Error.FAILED))
        # The override turns the exception into the fit's error, naming the method.
        self.assertEqual(error.message, "Recorder.do_loss_end: ValueError: not a GLib.Error")

    def test_returning_none(self):
        class Forgetful(Fit.EventHandler):
            def do_batch_end(self, est):
                pass
        # Bare PyGObject reads None as FALSE without an error, which would fail the fit;
        # the override module wraps do_* methods so that None means success.
        self.assertTrue(Fit.EventHandler.__module__.startswith("gi.overrides"))
        self.assertTrue(classifier(1).fit_full(classification_loader(3, 3, 2), None, 1, 0,
                                               [Forgetful()], None))

    def test_callback_fails_with_estimator_fail(self):
        est = classifier(1)
        log = []
        rec = Recorder("r", log)
        est.add_handler(rec)

        def on_batch_begin(e):
            if e.props.global_step == 1:
                e.fail(GLib.Error.new_literal(Fit.error_quark(), "from a callback",
                                              int(Fit.Error.INVALID_ARGUMENT)))
        est.connect("batch-begin", on_batch_begin)
        with self.assertRaises(GLib.Error) as cm:
            est.fit(classification_loader(9, 3, 2), None, 1, None)
        self.assertEqual(cm.exception.message, "from a callback")
        # The failing event reached no handler object.
        self.assertEqual(names(log).count("batch-begin"), 1)
        self.assertEqual(rec.reason, Fit.StopReason.ERROR)

    def test_exception_in_callback_fails_the_fit(self):
        # Bare PyGObject prints the exception and the fit goes on; the override's connect()
        # hands it to Estimator.fail(), so the fit ends with it and train-end still runs.
        est = classifier(1)
        log = []
        rec = Recorder("r", log)
        est.add_handler(rec)

        def on_epoch_end(e):
            raise RuntimeError("seen by the estimator")
        est.connect("epoch-end", on_epoch_end)
        with self.assertRaises(GLib.Error) as cm:
            est.fit(classification_loader(3, 3, 2), None, 2, None)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.FAILED))
        self.assertIn("RuntimeError: seen by the estimator", cm.exception.message)
        self.assertEqual(rec.reason, Fit.StopReason.ERROR)
        self.assertEqual(names(log, "r:").count("epoch-begin"), 1)


class Cancel(unittest.TestCase):
    def test_from_another_thread(self):
        est = classifier(1)
        rec = Recorder("r", [])
        est.add_handler(rec)
        cancellable = Gio.Cancellable()
        timer = threading.Timer(0.05, cancellable.cancel)
        timer.start()
        with self.assertRaises(GLib.Error) as cm:
            est.fit(classification_loader(30, 3, 2), None, 100000, cancellable)
        timer.join()
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.CANCELLED))
        self.assertEqual(rec.reason, Fit.StopReason.CANCELLED)

    def test_fit_async(self):
        est = classifier(1)
        rec = Recorder("r", [])
        loop = GLib.MainLoop()
        results = []

        def done(source, result):
            try:
                results.append(source.fit_finish(result))
            except GLib.Error as e:
                results.append(e)
            loop.quit()

        est.fit_async(classification_loader(12, 3, 2), None, 2, 0, [rec], None, done)
        loop.run()
        self.assertEqual(results, [True])
        self.assertEqual(est.get_history().get_n_items(), 2)
        self.assertEqual(rec.reason, Fit.StopReason.COMPLETED)

        cancellable = Gio.Cancellable()
        GLib.timeout_add(50, lambda: cancellable.cancel() or False)
        est.fit_async(classification_loader(30, 3, 2), None, 100000, 0, [rec], cancellable, done)
        loop.run()
        self.assertTrue(results[1].matches(Fit.error_quark(), Fit.Error.CANCELLED))
        self.assertEqual(rec.reason, Fit.StopReason.CANCELLED)


class BuiltIns(unittest.TestCase):
    def test_checkpoint_resume_bit_identical(self):
        tmp = tempfile.mkdtemp()
        try:
            train, val = classification_loader(40, 6, 7, shuffle=True), classification_loader(12, 6, 8)
            reference = classifier(1, 0.05, 0.9)
            self.assertTrue(reference.fit(train, val, 4, None))

            first = classifier(1, 0.05, 0.9)
            ckpt = Fit.CheckpointHandler.new(tmp, "run")
            ckpt.props.every_n_batches = 3
            self.assertTrue(first.fit_full(train, val, 4, 11, [ckpt], None))

            second = classifier(42, 0.05, 0.9)
            resume = Fit.CheckpointHandler.new(tmp, "run")
            resume.props.resume = True
            self.assertTrue(second.fit_full(train, val, 4, 0, [resume], None))
            np.testing.assert_array_equal(params(reference), params(second))
            self.assertEqual(second.get_history().get_n_items(), 4)
        finally:
            shutil.rmtree(tmp)

    def test_early_stopping_restores_best(self):
        est = classifier(1)
        es = Fit.EarlyStoppingHandler.new("val_loss", 0.0, 2)
        es.props.restore_best_weights = True
        snapshots = []

        class Snap(Fit.EventHandler):
            def do_epoch_end(self, e):
                snapshots.append(params(e))
                return True

        rng = np.random.default_rng(5)
        y = (np.arange(24) % 3).astype(np.int64)
        x = rng.normal(scale=0.5, size=(24, 4)).astype(np.float32)
        x[np.arange(24), y] += 2.0
        wrong = ((y + np.arange(24) % 2) % 3).astype(np.int64)
        val = Fit.DataLoader.new(Fit.TensorDataset.new(tensor(x), tensor(wrong)), 8)
        self.assertTrue(est.fit_full(classification_loader(60, 10, 7), val, 30, 0,
                                     [es, Snap(priority=500)], None))
        ok, losses = True, est.get_history().get_values("val_loss")
        best = int(np.argmin(losses))
        self.assertEqual(es.get_best_epoch(), best)
        self.assertEqual(len(losses), best + 3)
        np.testing.assert_array_equal(params(est), snapshots[best])

    def test_accumulation_equals_larger_batch(self):
        def regressor():
            net = Fit.Linear.new(3, 1, True, Fit.Rng.new(3))
            return Fit.Estimator.new(net, Fit.MSELoss.new(Fit.Reduction.MEAN),
                                     Fit.SGD.new(net.get_parameters(), 0.1, 0.0))
        small, large = regressor(), regressor()
        self.assertTrue(small.fit_full(regression_loader(14, 2, 4), None, 3, 0,
                                       [Fit.GradientAccumulationHandler.new(3)], None))
        self.assertTrue(large.fit(regression_loader(14, 6, 4), None, 3, None))
        np.testing.assert_allclose(params(small), params(large), rtol=1e-5, atol=1e-6)

    def test_lr_finder_leaves_model_untouched(self):
        est = classifier(1, 0.1, 0.9)
        train = classification_loader(40, 4, 7, shuffle=True)
        self.assertTrue(est.fit(train, None, 1, None))
        before = params(est)
        finder = est.find_lr(train, 1e-5, 10.0, 30, None)
        lrs, losses = finder.get_learning_rates(), finder.get_losses()
        self.assertEqual(len(lrs), len(losses))
        self.assertTrue(all(b > a for a, b in zip(lrs, lrs[1:])))
        self.assertTrue(1e-5 <= finder.get_suggested_learning_rate() <= 10.0)
        np.testing.assert_array_equal(params(est), before)
        self.assertEqual(est.get_learning_rate(), 0.1)

    def test_history_list_model(self):
        est = classifier(1)
        changes = []
        est.get_history().connect("items-changed", lambda m, p, r, a: changes.append((p, r, a)))
        self.assertTrue(est.fit(classification_loader(6, 3, 2), classification_loader(3, 3, 3),
                                3, None))
        history = est.get_history()
        self.assertEqual(history.get_n_items(), 3)
        record = history.get_item(2)
        self.assertEqual(record.props.epoch, 2)
        self.assertIn("val_accuracy", record.get_names())
        values = record.props.values.unpack()
        self.assertEqual(values["train_loss"], record.get_value("train_loss"))
        self.assertEqual(list(values), list(record.get_names()))
        self.assertEqual(changes, [(0, 0, 1), (1, 0, 1), (2, 0, 1)])


class Processor(unittest.TestCase):
    def test_two_optimizers(self):
        """A processor that steps two parts of the network with their own optimizers."""
        l1 = Fit.Linear.new(4, 6, True, Fit.Rng.new(1))
        l2 = Fit.Linear.new(6, 3, True, Fit.Rng.new(2))
        net = Fit.Sequential.new_from_modules([l1, Fit.ReLU.new(), l2])
        opt1 = Fit.SGD.new(l1.get_parameters(), 0.05, 0.0)
        opt2 = Fit.SGD.new(l2.get_parameters(), 0.2, 0.0)

        class TwoSteps(Fit.BatchProcessor):
            def do_fit_batch(self, est, inputs, labels):
                outputs = est.get_net().forward(inputs)
                est.set_outputs(outputs)
                est.emit(Fit.Event.FORWARD_END)
                loss = est.get_loss().compute(outputs, labels)
                est.set_loss_tensor(loss)
                est.emit(Fit.Event.LOSS_END)
                loss.backward()
                est.emit(Fit.Event.BACKWARD_END)
                opt1.step()
                opt2.step()
                est.get_net().zero_grad()
                est.emit(Fit.Event.STEP_END)
                return True

        est = Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), opt1)
        est.set_batch_processor(TwoSteps())
        log = []
        w1, w2 = to_numpy(l1.get_parameters()[0]), to_numpy(l2.get_parameters()[0])
        self.assertTrue(est.fit_full(classification_loader(12, 4, 2), None, 3, 0,
                                     [Recorder("r", log)], None))
        self.assertEqual(names(log)[2:8], BATCH)
        self.assertFalse(np.array_equal(w1, to_numpy(l1.get_parameters()[0])))
        self.assertFalse(np.array_equal(w2, to_numpy(l2.get_parameters()[0])))
        first, last = est.get_history().get_item(0), est.get_history().get_item(2)
        self.assertLess(last.get_value("train_loss"), first.get_value("train_loss"))

    def test_processor_error(self):
        class Broken(Fit.BatchProcessor):
            def do_fit_batch(self, est, inputs, labels):
                raise GLib.Error.new_literal(Fit.error_quark(), "broken", int(Fit.Error.STATE))

        est = classifier(1)
        est.set_batch_processor(Broken())
        rec = Recorder("r", [])
        with self.assertRaises(GLib.Error) as cm:
            est.fit_full(classification_loader(3, 3, 2), None, 1, 0, [rec], None)
        self.assertEqual(cm.exception.message, "broken")
        self.assertEqual(rec.reason, Fit.StopReason.ERROR)

    def test_python_metric_in_a_fit(self):
        class Seen(Fit.Metric):
            def __init__(self):
                super().__init__(name="seen")
                self.n = 0

            def do_reset(self):
                self.n = 0

            def do_update(self, prediction, label):
                self.n += prediction.get_dim(0)
                return True

            def do_compute(self):
                return float(self.n)

        est = classifier(1)
        est.set_train_metrics([Seen()])
        self.assertTrue(est.fit(classification_loader(7, 3, 2), None, 1, None))
        self.assertEqual(est.get_history().get_item(0).get_value("train_seen"), 7.0)
        self.assertEqual(list(est.get_metric_names()), ["train_loss", "train_seen",
                                                        "val_loss", "val_seen"])



class Scripted(Fit.Metric):
    """Its value at epoch e is script[e] (NaN before its first update); its reset or compute
    raises at the epoch given in fail."""

    def __init__(self, script=(math.nan,), fail=None, **props):
        super().__init__(name="scripted", mode=Fit.MonitorMode.MIN, **props)
        self.script, self.fail = script, fail or {}
        self.epoch, self.updated = -1, False

    def do_reset(self):
        self.epoch += 1
        self.updated = False
        if self.fail.get("reset") == self.epoch:
            raise GLib.Error.new_literal(GLib.file_error_quark(),
                                         f"reset failed at epoch {self.epoch}",
                                         int(GLib.FileError.AGAIN))

    def do_update(self, prediction, label):
        self.updated = True
        return True

    def do_compute(self):
        if self.fail.get("compute") == self.epoch:
            raise GLib.Error.new_literal(Fit.error_quark(), f"compute failed at epoch {self.epoch}",
                                         int(Fit.Error.STATE))
        if self.fail.get("plain") == self.epoch:
            raise KeyError("plain")
        return self.script[min(self.epoch, len(self.script) - 1)] if self.updated else math.nan


class Hyperbolic(Fit.LrSchedule):
    """base / (step + 1.5), with a failure, or a given bad rate, at a given step."""

    def __init__(self, fail_at=-1, bad_at=-1, bad=math.nan):
        super().__init__()
        self.fail_at, self.bad_at, self.bad = fail_at, bad_at, bad

    def do_compute(self, base_lr, step):
        if step == self.fail_at:
            raise GLib.Error.new_literal(Fit.error_quark(), f"schedule failed at step {step}",
                                         int(Fit.Error.INVALID_ARGUMENT))
        return self.bad if step == self.bad_at else base_lr / (step + 1.5)


class LrWatch(Fit.EventHandler):
    def __init__(self):
        super().__init__()
        self.seen = []

    def do_batch_begin(self, est):
        self.seen.append((est.get_global_step(), est.get_learning_rate()))


def rate(step):
    return 0.1 / (step + 1.5)


class MetricsAndSchedules(unittest.TestCase):
    """Values from Python metrics and schedules reach the fit exactly; failures fail it."""

    def test_values_reach_history_monitors_and_optimizer(self):
        metric = Scripted([0.7, 0.35, 0.6, 0.5])
        est = classifier(1)
        est.set_train_metrics([metric])
        watch = LrWatch()
        es = Fit.EarlyStoppingHandler.new("train_scripted", 0, 1)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        ckpt = Fit.CheckpointHandler.new(tmp, "best")
        ckpt.props.monitor = "train_scripted"
        ckpt.props.save_best_only = True
        self.assertTrue(est.fit_full(classification_loader(6, 3, 2), None, 4, 0,
                                     [Fit.LrSchedulerHandler.new(Hyperbolic(), True), watch, es,
                                      ckpt], None))
        history = est.get_history()
        self.assertEqual([history.get_item(e).get_value("train_scripted") for e in range(3)],
                         [0.7, 0.35, 0.6])
        self.assertEqual(history.get_n_items(), 3)
        self.assertEqual((es.get_best_value(), es.get_best_epoch(), es.get_stopped_epoch()),
                         (0.35, 1, 2))
        saved = Fit.Safetensors.new_from_file(ckpt.get_best_path(), None)
        self.assertEqual(float(saved.get_metadata("handler.FitCheckpointHandler.0.best")), 0.35)
        self.assertEqual(watch.seen, [(i, rate(i)) for i in range(6)])
        self.assertEqual([history.get_item(e).get_learning_rate() for e in range(3)],
                         [rate(1), rate(3), rate(5)])

    def test_nan_is_a_value(self):
        est = classifier(1)
        est.set_train_metrics([Scripted([math.nan, 0.25])])
        self.assertTrue(est.fit(classification_loader(6, 3, 2), None, 2, None))
        self.assertTrue(math.isnan(est.get_history().get_item(0).get_value("train_scripted")))
        self.assertEqual(est.get_history().get_item(1).get_value("train_scripted"), 0.25)

    def failing_fit(self, metric_fail=None, schedule=None):
        est = classifier(1)
        est.set_train_metrics([Scripted([0.5], metric_fail)])
        rec = Recorder("r", [])
        handlers = [rec] + ([Fit.LrSchedulerHandler.new(schedule, True)] if schedule else [])
        with self.assertRaises(GLib.Error) as cm:
            est.fit_full(classification_loader(6, 3, 2), None, 3, 0, handlers, None)
        self.assertEqual(rec.reason, Fit.StopReason.ERROR)
        self.assertEqual(rec.counts["train-end"], 1)
        return cm.exception

    def test_failing_metric(self):
        e = self.failing_fit({"compute": 1})
        self.assertTrue(e.matches(Fit.error_quark(), Fit.Error.STATE), e)
        self.assertEqual(e.message, "compute failed at epoch 1")
        e = self.failing_fit({"plain": 0})
        self.assertTrue(e.matches(Fit.error_quark(), Fit.Error.FAILED), e)
        self.assertEqual(e.message, "Scripted.do_compute: KeyError: 'plain'")
        e = self.failing_fit({"reset": 1})
        self.assertTrue(e.matches(GLib.file_error_quark(), GLib.FileError.AGAIN), e)
        self.assertEqual(e.message, "reset failed at epoch 1")

    def test_failing_schedule(self):
        e = self.failing_fit(schedule=Hyperbolic(fail_at=2))
        self.assertTrue(e.matches(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT), e)
        self.assertEqual(e.message, "schedule failed at step 2")
        name = Hyperbolic.__gtype__.name
        for bad, code, text in ((math.nan, Fit.Error.NOT_FINITE, "nan"),
                                (math.inf, Fit.Error.NOT_FINITE, "inf"),
                                (-0.5, Fit.Error.INVALID_ARGUMENT, "-0.5")):
            e = self.failing_fit(schedule=Hyperbolic(bad_at=1, bad=bad))
            self.assertTrue(e.matches(Fit.error_quark(), code), e)
            self.assertIn(f"{name} gave the rate {text} at step 1", e.message)

    def test_evaluate_raises_a_failing_metric(self):
        est = classifier(1)
        est.set_val_metrics([Scripted(fail={"compute": 0})])
        with self.assertRaises(GLib.Error) as cm:
            est.evaluate(classification_loader(6, 3, 4), None)
        self.assertTrue(cm.exception.matches(Fit.error_quark(), Fit.Error.STATE))

if __name__ == "__main__":
    main()
