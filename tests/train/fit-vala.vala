/* fit-vala.vala: the fit API from Vala: a handler subclass among C handlers, stop scopes,
 * errors thrown by handlers, train-end in every case, a batch processor subclass, and a
 * metric and a learning-rate schedule written in Vala.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

class Recorder : Fit.EventHandler {
    public string tag;
    public GenericArray<string> log;
    public string? stop_event = null;
    public Fit.StopScope stop_scope = Fit.StopScope.NONE;
    public string? fail_event = null;
    public Fit.StopReason reason = Fit.StopReason.NONE;

    public Recorder (string tag, GenericArray<string> log, int priority) {
        Object (priority: priority);
        this.tag = tag;
        this.log = log;
    }

    bool event (Fit.Estimator est, string name) throws Error {
        log.add ("%s:%s".printf (tag, name));
        if (stop_event == name) {
            est.request_stop (stop_scope);
            stop_event = null;
        }
        if (fail_event == name)
            throw new Fit.Error.NOT_FINITE ("%s failed in Vala at %s", tag, name);
        return true;
    }

    public override bool train_begin (Fit.Estimator e) throws Error { return event (e, "train-begin"); }
    public override bool epoch_begin (Fit.Estimator e) throws Error { return event (e, "epoch-begin"); }
    public override bool batch_begin (Fit.Estimator e) throws Error { return event (e, "batch-begin"); }
    public override bool forward_end (Fit.Estimator e) throws Error { return event (e, "forward-end"); }
    public override bool loss_end (Fit.Estimator e) throws Error { return event (e, "loss-end"); }
    public override bool backward_end (Fit.Estimator e) throws Error { return event (e, "backward-end"); }
    public override bool step_end (Fit.Estimator e) throws Error { return event (e, "step-end"); }
    public override bool batch_end (Fit.Estimator e) throws Error { return event (e, "batch-end"); }
    public override bool validate_begin (Fit.Estimator e) throws Error { return event (e, "validate-begin"); }
    public override bool validate_batch_end (Fit.Estimator e) throws Error { return event (e, "validate-batch-end"); }
    public override bool validate_end (Fit.Estimator e) throws Error { return event (e, "validate-end"); }
    public override bool epoch_end (Fit.Estimator e) throws Error { return event (e, "epoch-end"); }
    public override bool train_end (Fit.Estimator e, Fit.StopReason r) throws Error {
        reason = r;
        return event (e, "train-end");
    }
}

class Doubling : Fit.BatchProcessor {
    public int steps = 0;

    public override bool fit_batch (Fit.Estimator est, Fit.Tensor inputs, Fit.Tensor? labels) throws Error {
        var outputs = est.get_net ().forward (inputs);
        est.set_outputs (outputs);
        est.emit (Fit.Event.FORWARD_END);
        var loss = est.get_loss ().compute (outputs, labels);
        est.set_loss_tensor (loss);
        loss.backward ();
        est.get_optimizer ().step ();
        est.get_net ().zero_grad ();
        steps++;
        return true;
    }
}

/* Its value at epoch e is script[e] (NaN before its first update); its reset or compute
 * throws at a given epoch. */
class Scripted : Fit.Metric {
    public double[] script = { double.NAN };
    public int fail_reset = -1;
    public int fail_compute = -1;
    int epoch = -1;
    bool updated = false;

    public Scripted () {
        Object (name: "scripted", mode: Fit.MonitorMode.MIN);
    }

    public override void reset () throws Error {
        epoch++;
        updated = false;
        if (epoch == fail_reset)
            throw new IOError.BUSY ("reset failed at epoch %d", epoch);
    }

    public override bool update (Fit.Tensor prediction, Fit.Tensor? label) throws Error {
        updated = true;
        return true;
    }

    public override void compute (out double value) throws Error {
        if (epoch == fail_compute)
            throw new Fit.Error.STATE ("compute failed at epoch %d", epoch);
        value = updated ? script[int.min (epoch, script.length - 1)] : double.NAN;
    }
}

/* base / (step + 1.5), with a failure, or a given bad rate, at a given step. */
class Hyperbolic : Fit.LrSchedule {
    public int64 fail_at = -1;
    public int64 bad_at = -1;
    public double bad = double.NAN;

    public override void compute (double base_lr, int64 step, out double learning_rate)
        throws Error {
        if (step == fail_at)
            throw new Fit.Error.INVALID_ARGUMENT ("schedule failed at step %d", (int) step);
        learning_rate = step == bad_at ? bad : base_lr / (step + 1.5);
    }
}

class LrWatch : Fit.EventHandler {
    public double[] rates = {};
    public uint64[] steps = {};

    public override bool batch_begin (Fit.Estimator est) throws Error {
        steps += est.get_global_step ();
        rates += est.get_learning_rate ();
        return true;
    }
}

static double rate (uint64 step) {
    return 0.1 / (step + 1.5);
}

static Fit.DataLoader loader (int n, uint batch_size, uint64 seed) throws Error {
    var rng = new Fit.Rng (seed);
    float[] xs = {};
    int64[] ys = {};
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < 4; j++)
            xs += (float) (rng.next_normal () * 0.5 + (j == i % 3 ? 2.0 : 0.0));
        ys += i % 3;
    }
    var x = new Fit.Tensor.from_floats (xs, { n, 4 });
    var y = new Fit.Tensor.from_int64s (ys, { n });
    return new Fit.DataLoader (new Fit.TensorDataset (x, y), batch_size);
}

static Fit.Estimator classifier () {
    var net = new Fit.Linear (4, 3, true, new Fit.Rng (1));
    var sgd = new Fit.SGD (net.get_parameters ().data, 0.1, 0.0);
    return new Fit.Estimator (net, new Fit.CrossEntropyLoss (), sgd);
}

static Fit.DataLoader shuffled () throws Error {
    var l = loader (30, 6, 7);
    l.set_shuffle (true);
    l.set_seed (11);
    return l;
}

static Fit.Estimator momentum_classifier (uint64 seed) {
    var net = new Fit.Linear (4, 3, true, new Fit.Rng (seed));
    var sgd = new Fit.SGD (net.get_parameters ().data, 0.05, 0.9);
    return new Fit.Estimator (net, new Fit.CrossEntropyLoss (), sgd);
}

static string params (Fit.Estimator est) {
    var sb = new StringBuilder ();
    var all = est.get_net ().get_parameters ();
    foreach (var p in all.data)
        foreach (var v in p.to_floats ())
            sb.append_printf ("%a,", v);
    return sb.str;
}

static string tagged (GenericArray<string> log, string prefix) {
    string[] parts = {};
    foreach (var e in log.data)
        if (e.has_prefix (prefix))
            parts += e.substring (prefix.length);
    return string.joinv (" ", parts);
}

static int failures = 0;

static void check (bool ok, string what) {
    print ("%s - %s\n", ok ? "ok" : "not ok", what);
    if (!ok)
        failures++;
}

/* Values from a Vala metric and schedule reach the history, the monitors and the optimizer
 * exactly; NaN is recorded as a value. */
static void metric_and_schedule_values () throws Error {
    var direct = new Scripted ();
    direct.script = { 7.9 };
    direct.reset ();
    direct.update (new Fit.Tensor.scalar (Fit.DType.FLOAT32, 0), null);
    check (direct.get () == 7.9 && new Hyperbolic ().get_learning_rate (1.125, 0) == 0.75,
           "a Vala metric and schedule hand back 7.9 and 0.75");

    var metric = new Scripted ();
    metric.script = { 0.7, 0.35, 0.6, 0.5 };
    var est = classifier ();
    est.set_train_metrics ({ metric });
    var watch = new LrWatch ();
    var es = new Fit.EarlyStoppingHandler ("train_scripted", 0, 1);
    var dir = DirUtils.make_tmp ("fit-vala-XXXXXX");
    var ckpt = new Fit.CheckpointHandler (dir, "best");
    ckpt.monitor = "train_scripted";
    ckpt.save_best_only = true;
    check (est.fit_full (loader (6, 3, 2), null, 4, 0,
                         { new Fit.LrSchedulerHandler (new Hyperbolic (), true), watch, es, ckpt },
                         null), "a fit with a Vala metric and schedule");
    var history = est.get_history ();
    check (history.get_n_items () == 3 &&
           history.get_record (0).get_value ("train_scripted") == 0.7 &&
           history.get_record (1).get_value ("train_scripted") == 0.35 &&
           history.get_record (2).get_value ("train_scripted") == 0.6,
           "a Vala metric's values reach the history exactly");
    var stopper = (Fit.EarlyStoppingHandler) es;
    check (stopper.get_best_value () == 0.35 && stopper.get_best_epoch () == 1 &&
           stopper.get_stopped_epoch () == 2, "and early stopping, which stops on them");
    var best = ((Fit.CheckpointHandler) ckpt).get_best_path ();
    var saved = new Fit.Safetensors.from_file (best, null);
    check (double.parse (saved.get_metadata ("handler.FitCheckpointHandler.0.best")) == 0.35,
           "and the checkpoint monitor, which saved the best epoch with its value");
    FileUtils.unlink (best);
    DirUtils.remove (dir);
    bool exact = watch.rates.length == 6;
    for (int i = 0; exact && i < 6; i++)
        exact = watch.steps[i] == i && watch.rates[i] == rate (i);
    check (exact, "the optimizer runs every step at the Vala schedule's rate exactly");
    check (history.get_record (2).get_learning_rate () == rate (5),
           "the history records the epoch's last rate");

    var idle = new Scripted ();
    idle.script = { double.NAN, 0.25 };
    var est2 = classifier ();
    est2.set_train_metrics ({ idle });
    check (est2.fit (loader (6, 3, 2), null, 2, null) &&
           est2.get_history ().get_record (0).get_value ("train_scripted").is_nan () &&
           est2.get_history ().get_record (1).get_value ("train_scripted") == 0.25,
           "a NaN metric value is recorded as NaN and fails nothing");
}

/* A metric or schedule that throws fails the fit with its error; train-end still runs. */
static Error? failing_fit (Scripted metric, Hyperbolic? schedule, out bool ended) {
    var est = classifier ();
    est.set_train_metrics ({ metric });
    var rec = new Recorder ("r", new GenericArray<string> (), 0);
    Fit.EventHandler[] handlers = { rec };
    if (schedule != null)
        handlers += new Fit.LrSchedulerHandler (schedule, true);
    Error? error = null;
    try {
        est.fit_full (loader (6, 3, 2), null, 3, 0, handlers, null);
    } catch (Error e) {
        error = e;
    }
    ended = rec.reason == Fit.StopReason.ERROR && rec.log[rec.log.length - 1] == "r:train-end";
    return error;
}

static void metric_and_schedule_failures () throws Error {
    bool ended;
    var compute = new Scripted ();
    compute.fail_compute = 1;
    var e = failing_fit (compute, null, out ended);
    check (e is Fit.Error.STATE && e.message == "compute failed at epoch 1" && ended,
           "a metric whose compute throws fails the fit with that error, train-end with ERROR");
    var reset = new Scripted ();
    reset.fail_reset = 1;
    e = failing_fit (reset, null, out ended);
    check (e is IOError.BUSY && e.message == "reset failed at epoch 1" && ended,
           "a metric whose reset throws fails the fit with that error, train-end with ERROR");
    var throwing = new Hyperbolic ();
    throwing.fail_at = 2;
    e = failing_fit (new Scripted (), throwing, out ended);
    check (e is Fit.Error.INVALID_ARGUMENT && e.message == "schedule failed at step 2" && ended,
           "a schedule that throws fails the fit with that error, train-end with ERROR");
    var nan = new Hyperbolic ();
    nan.bad_at = 1;
    e = failing_fit (new Scripted (), nan, out ended);
    check (e is Fit.Error.NOT_FINITE && "Hyperbolic gave the rate nan at step 1" in e.message &&
           ended, "a schedule giving the rate NaN fails the fit naming it");
    var negative = new Hyperbolic ();
    negative.bad_at = 1;
    negative.bad = -0.5;
    e = failing_fit (new Scripted (), negative, out ended);
    check (e is Fit.Error.INVALID_ARGUMENT && "gave the rate -0.5 at step 1" in e.message && ended,
           "a schedule giving a negative rate fails the fit naming it");

    var val = new Scripted ();
    val.fail_compute = 0;
    var est = classifier ();
    est.set_val_metrics ({ val });
    try {
        est.evaluate (loader (6, 3, 4), null);
        check (false, "evaluate() throws a validation metric's failure");
    } catch (Fit.Error.STATE err) {
        check (true, "evaluate() throws a validation metric's failure");
    }
}

static int main () {
    try {
        var batch = "batch-begin forward-end loss-end backward-end step-end batch-end";

        /* Order among C handlers and callbacks. */
        var est = classifier ();
        var log = new GenericArray<string> ();
        est.add_handler (new Recorder ("late", log, 10));
        est.add_handler (new Recorder ("early", log, -5));
        est.add_handler (new Fit.StoppingHandler (0, 100));
        est.train_begin.connect (() => log.add ("connect"));
        est.train_begin.connect_after (() => log.add ("connect_after"));
        check (est.fit (loader (6, 3, 2), null, 1, null), "fit succeeds");
        check (log[0] == "connect" && log[1] == "early:train-begin" &&
               log[2] == "late:train-begin" && log[3] == "connect_after",
               "connect, handlers by priority, connect_after");

        /* Stop scopes. */
        var scopes = new Fit.StopScope[] { Fit.StopScope.BATCH, Fit.StopScope.EPOCH,
                                           Fit.StopScope.TRAINING };
        var expected = new string[] {
            "train-begin epoch-begin batch-begin forward-end loss-end backward-end batch-end " +
                batch + " epoch-end epoch-begin " + batch + " " + batch + " epoch-end train-end",
            "train-begin epoch-begin batch-begin forward-end loss-end backward-end batch-end " +
                "epoch-end epoch-begin " + batch + " " + batch + " epoch-end train-end",
            "train-begin epoch-begin batch-begin forward-end loss-end backward-end batch-end " +
                "epoch-end train-end"
        };
        for (int i = 0; i < 3; i++) {
            var l = new GenericArray<string> ();
            var rec = new Recorder ("r", l, 0);
            rec.stop_event = "backward-end";
            rec.stop_scope = scopes[i];
            classifier ().fit_full (loader (6, 3, 2), null, 2, 0, { rec }, null);
            check (tagged (l, "r:") == expected[i], "stop scope %s".printf (scopes[i].to_string ()));
            check (rec.reason == (scopes[i] == Fit.StopScope.TRAINING ? Fit.StopReason.STOPPED
                                                                       : Fit.StopReason.COMPLETED),
                   "train-end reason after stop scope %s".printf (scopes[i].to_string ()));
        }

        /* An error thrown in Vala fails the fit with that error; train-end fires. */
        var l2 = new GenericArray<string> ();
        var bad = new Recorder ("bad", l2, 0);
        bad.fail_event = "loss-end";
        try {
            classifier ().fit_full (loader (6, 3, 2), null, 1, 0, { bad }, null);
            check (false, "a thrown error fails the fit");
        } catch (Fit.Error.NOT_FINITE e) {
            check (e.message == "bad failed in Vala at loss-end", "a thrown error fails the fit");
        }
        check (bad.reason == Fit.StopReason.ERROR && l2[l2.length - 1] == "bad:train-end",
               "train-end with ERROR");

        /* Cancelled and completed. */
        var rec2 = new Recorder ("c", new GenericArray<string> (), 0);
        var est2 = classifier ();
        est2.add_handler (rec2);
        est2.fit (loader (6, 3, 2), null, 1, null);
        check (rec2.reason == Fit.StopReason.COMPLETED, "train-end with COMPLETED");
        var cancellable = new Cancellable ();
        cancellable.cancel ();
        try {
            est2.fit (loader (6, 3, 2), null, 1, cancellable);
            check (false, "cancelled fit fails");
        } catch (Fit.Error.CANCELLED e) {
            check (rec2.reason == Fit.StopReason.CANCELLED, "train-end with CANCELLED");
        }

        /* A processor subclass. */
        var est3 = classifier ();
        var proc = new Doubling ();
        est3.set_batch_processor (proc);
        var l3 = new GenericArray<string> ();
        est3.fit_full (loader (6, 3, 2), null, 2, 0, { new Recorder ("p", l3, 0) }, null);
        check (proc.steps == 4 && tagged (l3, "p:").has_prefix (
                   "train-begin epoch-begin batch-begin forward-end batch-end"),
               "a Vala batch processor replaces the step");
        check (est3.get_history ().get_n_items () == 2, "history has two epochs");

        /* Checkpoint and resume are bit-identical; the LR finder leaves the model alone. */
        var dir = DirUtils.make_tmp ("fit-vala-XXXXXX");
        var reference = momentum_classifier (1);
        reference.fit (shuffled (), null, 3, null);
        var ckpt = new Fit.CheckpointHandler (dir, "run");
        ckpt.every_n_batches = 2;
        momentum_classifier (1).fit_full (shuffled (), null, 3, 7, { ckpt }, null);
        var resume = new Fit.CheckpointHandler (dir, "run");
        resume.resume = true;
        var resumed = momentum_classifier (9);
        resumed.fit_full (shuffled (), null, 3, 0, { resume }, null);
        check (params (resumed) == params (reference), "resuming is bit-identical");
        foreach (var path in ckpt.list_checkpoints ())
            FileUtils.unlink (path);
        DirUtils.remove (dir);

        var before = params (resumed);
        var finder = resumed.find_lr (shuffled (), 1e-5, 10.0, 20, null);
        var lrs = finder.get_learning_rates ();
        check (lrs.length > 2 && params (resumed) == before, "the LR finder leaves the model untouched");

        metric_and_schedule_values ();
        metric_and_schedule_failures ();
    } catch (Error e) {
        printerr ("unexpected error: %s\n", e.message);
        return 1;
    }
    return failures > 0 ? 1 : 0;
}
