"""The built-in handlers, the history, the batch processor and the estimator's remaining
API from Python: every constructor, property and method, each with an effect checked."""

import math
import os
import shutil
import tempfile
import unittest

import numpy as np

import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio  # noqa: E402

from fit_testing import Fit, GLib, main, tensor  # noqa: E402
from fit_testing import numpy as to_numpy  # noqa: E402


def classification_loader(n, batch_size, seed):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 3).astype(np.int64)
    x = rng.normal(scale=0.5, size=(n, 4)).astype(np.float32)
    x[np.arange(n), y] += 2.0
    return Fit.DataLoader.new(Fit.TensorDataset.new(tensor(x), tensor(y)), batch_size)


def classifier(seed=1, lr=0.1):
    net = Fit.Linear.new(4, 3, True, Fit.Rng.new(seed))
    return Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(),
                             Fit.SGD.new(net.get_parameters(), lr, 0.0))


def params(est):
    return np.concatenate([to_numpy(p).ravel() for p in est.get_net().get_parameters()])


class Handlers(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.train = classification_loader(24, 6, 2)
        self.val = classification_loader(12, 6, 3)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_stopping_and_time_limit(self):
        stop = Fit.StoppingHandler.new(2, 0)
        self.assertEqual((stop.props.max_epochs, stop.props.max_batches), (2, 0))
        stop.props.max_batches = 6
        est = classifier()
        self.assertTrue(est.fit_full(self.train, None, 10, 0, [stop], None))
        self.assertEqual(est.get_stop_reason(), Fit.StopReason.STOPPED)
        self.assertEqual(est.props.stop_reason, Fit.StopReason.STOPPED)
        self.assertEqual(est.get_history().props.n_items, 2)     # 4 batches, then 2

        limit = Fit.TimeLimitHandler.new(3600)
        limit.props.seconds = 0.0
        self.assertTrue(est.fit_full(self.train, None, 10, 0, [limit], None))
        self.assertEqual(est.get_history().get_n_items(), 1)

    def test_checkpoint_properties_and_best(self):
        ckpt = Fit.CheckpointHandler.new(self.tmp, None)
        self.assertEqual(ckpt.props.directory, self.tmp)
        self.assertEqual(ckpt.props.prefix, "checkpoint")
        ckpt.props.prefix = "m"
        ckpt.props.monitor = "val_loss"
        ckpt.props.mode = Fit.MonitorMode.MIN
        ckpt.props.every_n_epochs = 2
        ckpt.props.max_to_keep = 1
        self.assertIsNone(ckpt.get_best_path())
        self.assertIsNone(ckpt.get_latest_path())
        est = classifier()
        self.assertTrue(est.fit_full(self.train, self.val, 4, 0, [ckpt], None))
        self.assertTrue(ckpt.get_best_path().endswith("m-best.safetensors"))
        self.assertTrue(ckpt.get_latest_path().endswith("m-epoch0003-step0000000016.safetensors"))
        self.assertEqual(len(ckpt.list_checkpoints()), 1)
        # The best checkpoint restores into a fresh estimator.
        state = Fit.Safetensors.new_from_file(ckpt.get_best_path(), None)
        other = classifier(seed=7)
        self.assertTrue(other.load_state(state))

        only_best = Fit.CheckpointHandler.new(os.path.join(self.tmp, "best"), "b")
        only_best.props.monitor = "val_accuracy"
        only_best.props.save_best_only = True
        self.assertTrue(classifier().fit_full(self.train, self.val, 2, 0, [only_best], None))
        self.assertEqual(len(only_best.list_checkpoints()), 0)
        self.assertIsNotNone(only_best.get_best_path())

    def test_early_stopping_properties(self):
        es = Fit.EarlyStoppingHandler.new(None, 0.5, 1)
        self.assertEqual(es.props.monitor, "val_loss")
        self.assertEqual((es.props.min_delta, es.props.patience), (0.5, 1))
        self.assertTrue(math.isnan(es.props.baseline))
        es.props.monitor = "train_loss"
        es.props.mode = Fit.MonitorMode.MAX          # a falling loss never improves
        es.props.min_delta = 0.0
        es.props.patience = 2
        es.props.start_epoch = 1
        es.props.baseline = float("inf")     # not finite: no baseline
        est = classifier()
        self.assertTrue(est.fit_full(self.train, None, 20, 0, [es], None))
        # Epoch 1 is the first watched (its value becomes the best); 2 and 3 do not improve.
        self.assertEqual(es.get_best_epoch(), 1)
        self.assertEqual(es.get_stopped_epoch(), 3)
        self.assertEqual(es.get_best_value(),
                         est.get_history().get_record(1).get_value("train_loss"))

    def test_reduce_lr_on_plateau_properties(self):
        plateau = Fit.ReduceLrOnPlateauHandler.new("train_loss", 0.5, 0)
        plateau.props.monitor = "train_loss"
        plateau.props.mode = Fit.MonitorMode.MAX
        plateau.props.patience = 1
        plateau.props.cooldown = 2
        plateau.props.min_delta = 0.0
        plateau.props.min_lr = 0.03
        est = classifier(lr=0.1)
        self.assertTrue(est.fit_full(self.train, None, 5, 0, [plateau], None))
        lrs = est.get_history().get_values("learning_rate")
        # Epoch 0 sets the best; 1 reduces (0.05); 2 cools down; 3 reduces to the floor
        # (Keras counts the epoch whose decrement ends the cooldown).
        np.testing.assert_allclose(lrs, [0.1, 0.05, 0.05, 0.03, 0.03])

    def test_schedule_clipping_accumulation_properties(self):
        schedule = Fit.StepLR.new(2, 0.1)
        sched = Fit.LrSchedulerHandler.new(schedule, False)
        self.assertEqual(sched.props.schedule, schedule)
        self.assertFalse(sched.props.per_batch)
        sched.props.base_lr = 1.0
        clip = Fit.GradientClippingHandler.new(1.0)
        self.assertEqual(clip.props.max_norm, 1.0)
        by_value = Fit.GradientClippingHandler.new_value(0.01)
        self.assertEqual((by_value.props.max_norm, by_value.props.clip_value), (0.0, 0.01))
        clip.props.max_norm = 0.5
        clip.props.clip_value = 0.0
        acc = Fit.GradientAccumulationHandler.new(2)
        acc.props.n_batches = 2
        nan = Fit.TerminateOnNanHandler.new()
        nan.props.fail = True
        est = classifier()
        self.assertTrue(est.fit_full(self.train, None, 3, 0, [sched, clip, by_value, acc, nan],
                                     None))
        np.testing.assert_allclose(est.get_history().get_values("learning_rate"),
                                   [1.0, 1.0, 0.1])
        self.assertTrue(clip.get_last_norm() > 0)

    def test_loggers_and_finder_properties(self):
        path = os.path.join(self.tmp, "log.csv")
        csv = Fit.CsvLoggerHandler.new(path, False)
        csv.props.path = path
        csv.props.append = False
        csv.props.separator = ord(";")
        logging = Fit.LoggingHandler.new(0)
        logging.props.level = int(GLib.LogLevelFlags.LEVEL_DEBUG)
        out = Gio.MemoryOutputStream.new_resizable()
        progress = Fit.ProgressHandler.new()
        progress.props.stream = out
        progress.props.live = True
        progress.props.percent_step = 50
        est = classifier()
        self.assertTrue(est.fit_full(self.train, self.val, 2, 0, [csv, logging, progress], None))
        with open(path) as f:
            header = f.readline().strip()
        self.assertEqual(header, "epoch;train_loss;train_accuracy;val_loss;val_accuracy;"
                                 "learning_rate;time")
        out.close()
        text = bytes(out.steal_as_bytes().get_data()).decode()
        self.assertIn("\r\x1b[K", text)

        finder = Fit.LrFinder.new(1e-4, 1.0, 10)
        finder.props.start_lr = 1e-3
        finder.props.end_lr = 1.0
        finder.props.n_steps = 8
        finder.props.diverge_factor = 10.0
        finder.props.smoothing = 0.5
        self.assertTrue(est.fit_full(self.train, None, 0, 8, [finder], None))
        lrs = finder.get_learning_rates()
        self.assertAlmostEqual(lrs[0], 1e-3)
        self.assertAlmostEqual(lrs[-1], 1.0)


class StatefulHandler(Fit.EventHandler):
    """Counts epochs across checkpoints through save_state and load_state."""

    def __init__(self):
        super().__init__()
        self.epochs = 0

    def do_epoch_end(self, est):
        self.epochs += 1
        return True

    def do_save_state(self, into, prefix):
        into.set_metadata(prefix + "epochs", str(self.epochs))

    def do_load_state(self, source, prefix):
        value = source.get_metadata(prefix + "epochs")
        if value is not None:
            self.epochs = int(value)
        return True


class EstimatorApi(unittest.TestCase):
    def test_state_and_configuration(self):
        est = classifier()
        train, val = classification_loader(12, 6, 2), classification_loader(6, 6, 3)
        self.assertFalse(est.is_running())
        self.assertFalse(est.props.running)
        self.assertEqual(est.get_phase(), Fit.Phase.IDLE)
        self.assertEqual(est.props.phase, Fit.Phase.IDLE)
        self.assertIs(est.props.net, est.get_net())
        self.assertIs(est.props.loss, est.get_loss())
        self.assertIs(est.props.optimizer, est.get_optimizer())
        self.assertIs(est.props.history, est.get_history())
        est.set_optimizer(Fit.SGD.new(est.get_net().get_parameters(), 0.2, 0.0))
        self.assertEqual(est.get_learning_rate(), 0.2)
        est.set_device(Fit.Device.get_cpu())
        self.assertEqual(est.props.device.get_name(), "cpu")
        rng = Fit.Rng.new(3)
        est.set_rng(rng)
        self.assertIs(est.props.rng, rng)
        processor = Fit.BatchProcessor.new()
        est.set_batch_processor(processor)
        self.assertIs(est.get_batch_processor(), processor)
        self.assertIs(est.props.batch_processor, processor)
        est.set_val_metrics([Fit.Accuracy.new()])
        defaults = est.get_handlers()
        self.assertEqual([type(h).__name__ for h in defaults],
                         ["MetricHandler", "ValidationHandler", "HistoryHandler"])
        self.assertEqual(Fit.event_get_name(Fit.Event.VALIDATE_BATCH_END), "validate-batch-end")

        seen = {}

        def on_batch_end(e):
            seen.update(step=e.get_global_step(), index=e.get_batch_index(),
                        epochs=e.get_epochs(), props_epochs=e.props.epochs,
                        max=e.get_max_batches(), event=e.get_event(),
                        scale=e.get_loss_scale(), stop=e.get_stop_request(),
                        train=e.get_train_data(), val=e.get_val_data(),
                        loss=e.get_loss_tensor().get_shape(),
                        mode=e.get_metric_mode("val_accuracy"),
                        n_train=len(e.get_train_metrics()), n_val=len(e.get_val_metrics()))

        def on_loss_end(e):
            e.scale_loss(0.5)
            self.assertEqual(e.get_loss_scale(), 0.5)

        def on_batch_begin(e):
            # Replace the batch with itself doubled: the processor trains on this one.
            x = e.get_inputs()
            e.set_batch(x.mul_scalar(2.0), e.get_labels())

        def on_epoch_begin(e):
            e.request_validation()
            self.assertTrue(e.check_metric_name("train_loss"))

        est.connect("batch-end", on_batch_end)
        est.connect("loss-end", on_loss_end)
        est.connect("batch-begin", on_batch_begin)
        est.connect("epoch-begin", on_epoch_begin)
        self.assertTrue(est.fit_full(train, val, 2, 0, None, None))
        self.assertEqual(seen["step"], 3)
        self.assertEqual(seen["index"], 1)
        self.assertEqual((seen["epochs"], seen["props_epochs"], seen["max"]), (2, 2, 0))
        self.assertEqual(seen["event"], Fit.Event.BATCH_END)
        self.assertEqual(seen["stop"], Fit.StopScope.NONE)
        self.assertIs(seen["train"], train)
        self.assertIs(seen["val"], val)
        self.assertEqual(seen["loss"], [])
        self.assertEqual(seen["mode"], Fit.MonitorMode.MAX)
        self.assertEqual((seen["n_train"], seen["n_val"]), (2, 2))
        with self.assertRaises(GLib.Error):
            est.check_metric_name("val_f1")

    def test_evaluate_predict_and_processor(self):
        est = classifier()
        data = classification_loader(9, 4, 2)
        self.assertTrue(est.fit(data, None, 2, None))
        record = est.evaluate(data, None)
        self.assertEqual(record.props.epoch, -1)
        self.assertEqual(record.get_epoch(), -1)
        ok, acc = record.lookup("val_accuracy")
        self.assertTrue(ok)
        out = est.predict(data, None)
        self.assertEqual(out.get_shape(), [9, 3])

        # The default processor's steps called directly, then a Python processor.
        x = tensor(np.ones((2, 4), np.float32))
        y = tensor(np.array([0, 1], np.int64))
        processor = est.get_batch_processor()
        self.assertEqual(processor.predict_batch(est, x).get_shape(), [2, 3])

        class Scaled(Fit.BatchProcessor):
            def do_fit_batch(self, e, inputs, labels):
                return Fit.BatchProcessor.do_fit_batch(self, e, inputs, labels)

            def do_evaluate_batch(self, e, inputs, labels):
                outputs = e.get_net().forward(inputs)
                e.set_outputs(outputs.mul_scalar(10.0))
                e.set_loss_tensor(e.get_loss().compute(outputs, labels))
                return True

            def do_predict_batch(self, e, inputs):
                return e.get_net().forward(inputs).mul_scalar(10.0)

        est.set_batch_processor(Scaled())
        np.testing.assert_allclose(to_numpy(est.predict(data, None)), 10 * to_numpy(out),
                                   rtol=1e-6)
        self.assertEqual(est.evaluate(data, None).get_value("val_accuracy"), acc)
        self.assertTrue(est.fit(data, None, 1, None))
        self.assertTrue(math.isfinite(est.get_batch_processor().evaluate_batch is not None))

    def test_processor_methods_in_a_fit(self):
        # fit_batch and evaluate_batch need a running estimator: call them from a processor
        # that delegates to the default one.
        default = Fit.BatchProcessor.new()

        class Delegating(Fit.BatchProcessor):
            calls = []

            def do_fit_batch(self, e, inputs, labels):
                self.calls.append("fit")
                return default.fit_batch(e, inputs, labels)

            def do_evaluate_batch(self, e, inputs, labels):
                self.calls.append("evaluate")
                return default.evaluate_batch(e, inputs, labels)

        est = classifier()
        est.set_batch_processor(Delegating())
        self.assertTrue(est.fit(classification_loader(6, 3, 2), classification_loader(3, 3, 3), 1,
                                None))
        self.assertEqual(Delegating.calls, ["fit", "fit", "evaluate"])

    def test_handler_api(self):
        handler = StatefulHandler()
        handler.set_priority(7)
        self.assertEqual(handler.get_priority(), 7)
        self.assertEqual(handler.props.priority, 7)
        self.assertTrue(handler.handles_event(Fit.Event.EPOCH_END))
        self.assertFalse(handler.handles_event(Fit.Event.BATCH_END))
        est = classifier()
        self.assertTrue(handler.run_event(est, Fit.Event.EPOCH_END, Fit.StopReason.NONE))
        self.assertEqual(handler.epochs, 1)

        metrics = Fit.MetricHandler.new()
        validation = Fit.ValidationHandler.new(0, 2)
        self.assertEqual(validation.props.every_n_epochs, 0)
        validation.props.every_n_epochs = 1
        history = Fit.HistoryHandler.new()
        for h in (metrics, validation, history, handler):
            est.add_handler(h)
        self.assertEqual(est.get_handlers(), [metrics, validation, handler, history])

        # Handler state travels in checkpoints.
        state = est.save_state()
        self.assertEqual(state.get_metadata("handler.__main__+StatefulHandler.0.epochs"), "1")
        handler.epochs = 0
        self.assertTrue(est.load_state(state))
        self.assertEqual(handler.epochs, 1)


class HistoryApi(unittest.TestCase):
    def test_history(self):
        history = Fit.History.new()
        record = Fit.HistoryRecord.new(0)
        record.set_value("train_loss", 0.5)
        record.set_time(2.0)
        self.assertEqual(record.get_time(), 2.0)
        self.assertEqual(record.props.time, 2.0)
        history.append(record)
        self.assertIs(history.get_last(), record)
        self.assertIs(history.get_record(0), record)
        self.assertIsNone(history.get_record(1))
        text = history.to_json()
        copy = Fit.History.new()
        self.assertTrue(copy.load_json(text))
        self.assertEqual(copy.get_record(0).get_value("train_loss"), 0.5)
        history.clear()
        self.assertEqual(history.props.n_items, 0)
        with self.assertRaises(GLib.Error):
            copy.load_json("{}")


class MetricsApi(unittest.TestCase):
    def test_constructors_and_properties(self):
        acc = Fit.BinaryAccuracy.new(0.0)
        self.assertEqual(acc.get_threshold(), 0.0)
        acc.props.threshold = 0.5
        self.assertEqual(acc.props.threshold, 0.5)
        ce = Fit.CrossEntropyMetric.new(False)
        self.assertFalse(ce.props.from_logits)
        ppl = Fit.Perplexity.new(True)
        ppl.props.from_logits = True
        for m, name in ((Fit.Precision.new(Fit.Average.BINARY), "precision"),
                        (Fit.Recall.new(Fit.Average.BINARY), "recall"),
                        (Fit.F1Score.new(Fit.Average.BINARY), "f1")):
            self.assertEqual(m.get_average(), Fit.Average.BINARY)
            self.assertEqual(m.props.average, Fit.Average.BINARY)
            self.assertEqual(m.props.name, "binary_" + name)
            m.props.threshold = 0.25
            self.assertTrue(m.update(tensor(np.array([0.3, 0.1], np.float32)),
                                     tensor(np.array([1, 0], np.int64))))
            self.assertEqual(m.get(), 1.0)
        top = Fit.TopKAccuracy.new(4)
        self.assertEqual((top.get_k(), top.props.k), (4, 4))
        for m in (Fit.Mae.new(), Fit.Mse.new(), Fit.Rmse.new()):
            self.assertEqual(m.get_mode(), Fit.MonitorMode.MIN)
        mean = Fit.MeanLoss.new()
        mean.update_value(1.0, 3.0)
        mean.update_value(5.0, 1.0)
        self.assertEqual(mean.get(), 2.0)
        mean.set_mode(Fit.MonitorMode.MAX)
        self.assertEqual(mean.props.mode, Fit.MonitorMode.MAX)
        mean.props.mode = Fit.MonitorMode.AUTO
        self.assertEqual(Fit.monitor_mode_for_name("val_auc"), Fit.MonitorMode.MAX)


if __name__ == "__main__":
    main()
