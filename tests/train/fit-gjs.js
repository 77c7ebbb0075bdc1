// SPDX-License-Identifier: LGPL-2.1-or-later
// The fit API from GJS: handler subclasses and callbacks in order among C handlers, every
// stop scope, errors thrown by handlers, train-end in every case, cancellation, early
// stopping, a batch processor subclass, and metrics and learning-rate schedules written
// in JavaScript.
import GIRepository from 'gi://GIRepository?version=2.0';
import GObject from 'gi://GObject';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Fit from 'gi://Fit?version=1.0';
import System from 'system';

let n = 0, failures = 0;
function check(ok, what) {
    n++;
    print(`${ok ? 'ok' : 'not ok'} ${n} - ${what}`);
    if (!ok)
        failures++;
}

function loader(count, batchSize, seed) {
    const rng = Fit.Rng.new(seed);
    const xs = [], ys = [];
    for (let i = 0; i < count; i++) {
        const c = i % 3;
        for (let j = 0; j < 4; j++)
            xs.push(rng.next_normal() * 0.5 + (j === c ? 2 : 0));
        ys.push(c);
    }
    const x = Fit.Tensor.new_from_floats(xs, [count, 4]);
    const y = Fit.Tensor.new_from_int64s(ys, [count]);
    return Fit.DataLoader.new(Fit.TensorDataset.new(x, y), batchSize);
}

function classifier(seed) {
    const net = Fit.Linear.new(4, 3, true, Fit.Rng.new(seed));
    const sgd = Fit.SGD.new(net.get_parameters(), 0.1, 0);
    return Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), sgd);
}

function params(est) {
    let all = [];
    for (const p of est.get_net().get_parameters())
        all = all.concat(Array.from(p.to_floats()));
    return all;
}

const EVENTS = ['train_begin', 'epoch_begin', 'batch_begin', 'forward_end', 'loss_end',
    'backward_end', 'step_end', 'batch_end', 'validate_begin', 'validate_batch_end',
    'validate_end', 'epoch_end'];

const Recorder = GObject.registerClass(
class Recorder extends Fit.EventHandler {
    _init(name, log, priority = 0) {
        super._init({priority});
        this.name = name;
        this.log = log;
        this.counts = {};
        this.stop = null;
        this.fail = null;
        this.reason = null;
    }

    _event(est, event) {
        this.log.push(`${this.name}:${event}`);
        this.counts[event] = (this.counts[event] || 0) + 1;
        if (this.stop && this.stop[0] === event && this.counts[event] === this.stop[1])
            est.request_stop(this.stop[2]);
        if (this.fail && this.fail[0] === event && this.counts[event] === this.fail[1])
            this.fail[2]();
        return true;
    }

    vfunc_train_begin(est) { return this._event(est, 'train-begin'); }
    vfunc_epoch_begin(est) { return this._event(est, 'epoch-begin'); }
    vfunc_batch_begin(est) { return this._event(est, 'batch-begin'); }
    vfunc_forward_end(est) { return this._event(est, 'forward-end'); }
    vfunc_loss_end(est) { return this._event(est, 'loss-end'); }
    vfunc_backward_end(est) { return this._event(est, 'backward-end'); }
    vfunc_step_end(est) { return this._event(est, 'step-end'); }
    vfunc_batch_end(est) { return this._event(est, 'batch-end'); }
    vfunc_validate_begin(est) { return this._event(est, 'validate-begin'); }
    vfunc_validate_batch_end(est) { return this._event(est, 'validate-batch-end'); }
    vfunc_validate_end(est) { return this._event(est, 'validate-end'); }
    vfunc_epoch_end(est) { return this._event(est, 'epoch-end'); }
    vfunc_train_end(est, reason) {
        this.reason = reason;
        return this._event(est, 'train-end');
    }
});

const BATCH = 'batch-begin forward-end loss-end backward-end step-end batch-end';
const VALIDATION = 'validate-begin validate-batch-end validate-end';
const names = (log, prefix = 'r:') =>
    log.filter(e => e.startsWith(prefix)).map(e => e.slice(prefix.length)).join(' ');

// Order: connect() callbacks, handler objects by priority (ties in order added, C and JS
// mixed), connect_after() callbacks.
{
    const est = classifier(1);
    const log = [];
    const late = new Recorder('late', log, 10);
    const early = new Recorder('early', log, -5);
    const tie = new Recorder('tie', log, 10);
    for (const h of [late, early, tie, Fit.StoppingHandler.new(0, 100)])
        est.add_handler(h);
    est.connect('train-begin', () => log.push('connect'));
    est.connect_after('train-begin', () => log.push('connect_after'));
    const order = est.get_handlers_for_event(Fit.Event.BATCH_END);
    check(order.length === 6 && order[2] instanceof Fit.StoppingHandler &&
        order[3] === early && order[4] === late && order[5] === tie,
    'handlers for batch-end in priority order, C and JavaScript mixed');
    check(est.fit(loader(6, 3, 2), null, 1, null), 'fit succeeds');
    check(log.slice(0, 5).join(' ') ===
        'connect early:train-begin late:train-begin tie:train-begin connect_after',
    'connect, handler objects, connect_after');
}

// Every stop scope.
function runStop(event, scope, epochs) {
    const est = classifier(1);
    const log = [];
    const rec = new Recorder('r', log);
    rec.stop = [event, 1, scope];
    est.fit_full(loader(6, 3, 2), loader(3, 3, 3), epochs, 0, [rec], null);
    return [names(log), rec];
}
{
    let [log, rec] = runStop('batch-begin', Fit.StopScope.BATCH, 1);
    check(log === `train-begin epoch-begin batch-begin batch-end ${BATCH} ${VALIDATION} ` +
        'epoch-end train-end', 'batch stop at batch-begin skips to batch-end');
    [log, rec] = runStop('forward-end', Fit.StopScope.EPOCH, 2);
    check(log === 'train-begin epoch-begin batch-begin forward-end batch-end ' +
        `${VALIDATION} epoch-end epoch-begin ${BATCH} ${BATCH} ${VALIDATION} epoch-end ` +
        'train-end', 'epoch stop ends the epoch, validation still runs');
    [log, rec] = runStop('batch-end', Fit.StopScope.TRAINING, 3);
    check(log === `train-begin epoch-begin ${BATCH} epoch-end train-end` &&
        rec.reason === Fit.StopReason.STOPPED, 'training stop: epoch-end, train-end STOPPED');
}

// Errors thrown in JavaScript handlers fail the fit with that error; train-end still fires.
{
    const est = classifier(1);
    const log = [];
    const rec = new Recorder('r', log);
    rec.fail = ['loss-end', 2, () => {
        throw new GLib.Error(Fit.error_quark(), Fit.Error.NOT_FINITE, 'diverged in JS');
    }];
    let error = null;
    try {
        est.fit_full(loader(9, 3, 2), null, 2, 0, [rec], null);
    } catch (e) {
        error = e;
    }
    check(error !== null && error.matches(Fit.error_quark(), Fit.Error.NOT_FINITE) &&
        error.message === 'diverged in JS', 'a thrown GLib.Error fails the fit');
    check(rec.reason === Fit.StopReason.ERROR && log[log.length - 1] === 'r:train-end',
        'train-end fires with ERROR');

    const plain = new Recorder('p', []);
    plain.fail = ['batch-end', 1, () => {
        throw new Error('a plain JavaScript error');
    }];
    error = null;
    try {
        classifier(1).fit_full(loader(3, 3, 2), null, 1, 0, [plain], null);
    } catch (e) {
        error = e;
    }
    check(error !== null && `${error}`.includes('a plain JavaScript error'),
        'a plain exception fails the fit with its message');

    const Forgetful = GObject.registerClass(class Forgetful extends Fit.EventHandler {
        vfunc_batch_end(_est) {}
    });
    error = null;
    try {
        classifier(1).fit_full(loader(3, 3, 2), null, 1, 0, [new Forgetful()], null);
    } catch (e) {
        error = e;
    }
    check(error !== null && error.matches(Fit.error_quark(), Fit.Error.FAILED),
        'a vfunc returning undefined fails the fit (return true)');

    // Callbacks fail through estimator.fail(); exceptions in callbacks are only logged.
    const est2 = classifier(1);
    est2.connect('batch-begin', e => {
        if (e.global_step === 1)
            e.fail(new GLib.Error(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT, 'from callback'));
    });
    error = null;
    try {
        est2.fit(loader(9, 3, 2), null, 1, null);
    } catch (e) {
        error = e;
    }
    check(error !== null && error.message === 'from callback', 'estimator.fail from a callback');

    // What GJS does with an exception in a signal callback, documented: it logs it and
    // the emission goes on, so the fit does not see it.
    const est3 = classifier(1);
    est3.connect('epoch-end', () => {
        throw new Error('logged by GJS, not seen by the estimator');
    });
    check(est3.fit(loader(3, 3, 2), null, 1, null), 'an exception in a callback is only logged');
}

// Cancellation: train-end with CANCELLED; completion: COMPLETED.
{
    const est = classifier(1);
    const rec = new Recorder('r', []);
    est.add_handler(rec);
    check(est.fit(loader(6, 3, 2), null, 1, null) && rec.reason === Fit.StopReason.COMPLETED,
        'train-end with COMPLETED');
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    let error = null;
    try {
        est.fit(loader(6, 3, 2), null, 1, cancellable);
    } catch (e) {
        error = e;
    }
    check(error !== null && error.matches(Fit.error_quark(), Fit.Error.CANCELLED) &&
        rec.reason === Fit.StopReason.CANCELLED, 'train-end with CANCELLED');

    // fit_async with C handlers only (JavaScript cannot run on the worker thread).
    const est3 = classifier(1);
    const loop = new GLib.MainLoop(null, false);
    const async = new Gio.Cancellable();
    let result = null;
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 50, () => {
        async.cancel();
        return GLib.SOURCE_REMOVE;
    });
    est3.fit_async(loader(30, 3, 2), null, 100000, 0, [Fit.TerminateOnNanHandler.new()], async,
        (source, res) => {
            try {
                result = source.fit_finish(res);
            } catch (e) {
                result = e;
            }
            loop.quit();
        });
    loop.run();
    check(result instanceof GLib.Error && result.matches(Fit.error_quark(), Fit.Error.CANCELLED),
        'fit_async cancelled through its GCancellable');
}

// Early stopping restores the weights of the best epoch.
{
    const est = classifier(1);
    const es = Fit.EarlyStoppingHandler.new('val_loss', 0, 1);
    es.restore_best_weights = true;
    const snapshots = [];
    const Snap = GObject.registerClass(class Snap extends Fit.EventHandler {
        vfunc_epoch_end(e) {
            snapshots.push(params(e));
            return true;
        }
    });
    // Validation labels that disagree with the training labels.
    const rng = Fit.Rng.new(5);
    const xs = [], ys = [];
    for (let i = 0; i < 24; i++) {
        const c = i % 3;
        for (let j = 0; j < 4; j++)
            xs.push(rng.next_normal() * 0.5 + (j === c ? 2 : 0));
        ys.push((c + i % 2) % 3);
    }
    const val = Fit.DataLoader.new(Fit.TensorDataset.new(
        Fit.Tensor.new_from_floats(xs, [24, 4]), Fit.Tensor.new_from_int64s(ys, [24])), 8);
    est.fit_full(loader(60, 10, 7), val, 30, 0, [es, new Snap({priority: 500})], null);
    const best = es.get_best_epoch();
    check(best >= 0 && params(est).join() === snapshots[best].join(),
        'early stopping restored the best weights');
}

// A batch processor subclass replaces the step.
{
    const Halving = GObject.registerClass(class Halving extends Fit.BatchProcessor {
        vfunc_fit_batch(est, inputs, labels) {
            const outputs = est.get_net().forward(inputs);
            est.set_outputs(outputs);
            est.emit(Fit.Event.FORWARD_END);
            const loss = est.get_loss().compute(outputs, labels).mul_scalar(0.5);
            est.set_loss_tensor(loss);
            est.emit(Fit.Event.LOSS_END);
            loss.backward();
            est.get_optimizer().step();
            est.get_net().zero_grad();
            return true;
        }
    });
    const est = classifier(1);
    est.set_batch_processor(new Halving());
    const log = [];
    est.fit_full(loader(6, 3, 2), null, 2, 0, [new Recorder('r', log)], null);
    check(names(log).startsWith('train-begin epoch-begin batch-begin forward-end loss-end ' +
        'batch-end'), 'a JavaScript batch processor emits the events it has');
}

// Checkpoint and resume: bit-identical to an uninterrupted run; the LR finder leaves the
// model untouched; accumulation equals a larger batch.
{
    const shuffled = () => {
        const l = loader(30, 6, 7);
        l.set_shuffle(true);
        l.set_seed(11);
        return l;
    };
    const momentum = seed => {
        const net = Fit.Linear.new(4, 3, true, Fit.Rng.new(seed));
        return Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(),
            Fit.SGD.new(net.get_parameters(), 0.05, 0.9));
    };
    const dir = GLib.dir_make_tmp('fit-gjs-XXXXXX');
    const reference = momentum(1);
    reference.fit(shuffled(), null, 3, null);
    const ckpt = Fit.CheckpointHandler.new(dir, 'run');
    ckpt.every_n_batches = 2;
    momentum(1).fit_full(shuffled(), null, 3, 7, [ckpt], null);
    const resume = Fit.CheckpointHandler.new(dir, 'run');
    resume.resume = true;
    const resumed = momentum(9);
    resumed.fit_full(shuffled(), null, 3, 0, [resume], null);
    check(params(resumed).join() === params(reference).join(),
        'resuming from a checkpoint is bit-identical');
    for (const path of ckpt.list_checkpoints())
        GLib.unlink(path);
    GLib.rmdir(dir);

    const est = momentum(1);
    est.fit(shuffled(), null, 1, null);
    const before = params(est).join();
    const finder = est.find_lr(shuffled(), 1e-5, 10, 20, null);
    const lrs = finder.get_learning_rates();
    check(lrs.length > 2 && lrs[0] < lrs[lrs.length - 1] && params(est).join() === before &&
        est.get_learning_rate() === 0.05, 'the LR finder leaves the model untouched');

    const regressor = () => {
        const net = Fit.Linear.new(4, 1, true, Fit.Rng.new(3));
        return Fit.Estimator.new(net, Fit.MSELoss.new(Fit.Reduction.MEAN),
            Fit.SGD.new(net.get_parameters(), 0.1, 0));
    };
    const targets = (count, bs) => {
        const rng = Fit.Rng.new(4);
        const xs = [], ys = [];
        for (let i = 0; i < count; i++) {
            let t = 0.5;
            for (let j = 0; j < 4; j++) {
                const v = rng.next_normal();
                xs.push(v);
                t += v * (j - 1.5);
            }
            ys.push(t);
        }
        return Fit.DataLoader.new(Fit.TensorDataset.new(Fit.Tensor.new_from_floats(xs, [count, 4]),
            Fit.Tensor.new_from_floats(ys, [count, 1])), bs);
    };
    const small = regressor(), large = regressor();
    small.fit_full(targets(14, 2), null, 2, 0, [Fit.GradientAccumulationHandler.new(3)], null);
    large.fit(targets(14, 6), null, 2, null);
    const a = params(small), b = params(large);
    check(a.every((v, i) => Math.abs(v - b[i]) < 1e-5),
        'accumulating 3 batches of 2 equals batches of 6');
}

// Numbers from JavaScript metrics and schedules. GJS 1.74 hands C a garbage value for a
// double *returned* by a JavaScript virtual method (7.9 arrives as 3.5e-323, 0.75 as 0);
// double out parameters arrive intact. So no virtual method, signal or callback of Fit
// may return a floating-point number: metrics and schedules hand theirs back through an
// out parameter, which JavaScript returns. This is the guard against a new one.
{
    const repo = GIRepository.Repository.get_default();
    const floats = [GIRepository.TypeTag.FLOAT, GIRepository.TypeTag.DOUBLE];
    const returnsFloat = c => floats.includes(
        GIRepository.type_info_get_tag(GIRepository.callable_info_get_return_type(c)));
    const offenders = [];
    const each = (count, get, owner) => {
        for (let j = 0; j < count; j++) {
            const c = get(j);
            if (returnsFloat(c))
                offenders.push(`${owner}.${c.get_name()}`);
        }
    };
    const kinds = {
        [GIRepository.InfoType.OBJECT]: 'object',
        [GIRepository.InfoType.INTERFACE]: 'interface',
    };
    let vfuncs = 0;
    for (let i = 0; i < repo.get_n_infos('Fit'); i++) {
        const info = repo.get_info('Fit', i);
        const kind = kinds[info.get_type()];
        if (info.get_type() === GIRepository.InfoType.CALLBACK)
            each(1, () => info, 'Fit');
        for (const what of kind ? ['vfunc', 'signal'] : []) {
            const count = GIRepository[`${kind}_info_get_n_${what}s`](info);
            vfuncs += what === 'vfunc' ? count : 0;
            each(count, j => GIRepository[`${kind}_info_get_${what}`](info, j), info.get_name());
        }
    }
    check(vfuncs > 20 && offenders.length === 0,
        `no virtual method, signal or callback returns a float or double (${offenders})`);
}

// A metric whose value at epoch e is script[e] (NaN before its first update); its reset or
// compute throws at the epoch given in fail.
const Scripted = GObject.registerClass(
class Scripted extends Fit.Metric {
    _init(props = {}) {
        super._init({name: 'scripted', mode: Fit.MonitorMode.MIN, ...props});
        this.script = [NaN];
        this.fail = {};
        this.epoch = -1;
        this.updated = false;
    }

    vfunc_reset() {
        this.epoch++;
        this.updated = false;
        if (this.fail.reset === this.epoch) {
            throw new GLib.Error(Gio.io_error_quark(), Gio.IOErrorEnum.BUSY,
                `reset failed at epoch ${this.epoch}`);
        }
    }

    vfunc_update(_prediction, _label) {
        this.updated = true;
        return true;
    }

    vfunc_compute() {
        if (this.fail.compute === this.epoch) {
            throw new GLib.Error(Fit.error_quark(), Fit.Error.STATE,
                `compute failed at epoch ${this.epoch}`);
        }
        if (this.fail.plain === this.epoch)
            throw new Error('a plain error in compute');
        return this.updated ? this.script[Math.min(this.epoch, this.script.length - 1)] : NaN;
    }
});

// base / (step + 1.5), with a failure, or a given bad rate, at a given step.
const Hyperbolic = GObject.registerClass(
class Hyperbolic extends Fit.LrSchedule {
    _init(props = {}) {
        super._init(props);
        this.failAt = -1;
        this.badAt = -1;
        this.bad = NaN;
    }

    vfunc_compute(baseLr, step) {
        if (step === this.failAt) {
            throw new GLib.Error(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT,
                `schedule failed at step ${step}`);
        }
        return step === this.badAt ? this.bad : baseLr / (step + 1.5);
    }
});

const LrWatch = GObject.registerClass(
class LrWatch extends Fit.EventHandler {
    _init() {
        super._init();
        this.seen = [];
    }

    vfunc_batch_begin(est) {
        this.seen.push([est.get_global_step(), est.get_learning_rate()]);
        return true;
    }
});

const rate = step => 0.1 / (step + 1.5);

{
    // The values of the report: with a double return value they arrived as 3.5e-323 and 0.
    const direct = new Scripted();
    direct.script = [7.9];
    direct.reset();
    direct.update(Fit.Tensor.new_scalar(Fit.DType.FLOAT32, 0), null);
    check(direct.get() === 7.9 && new Hyperbolic().get_learning_rate(1.125, 0) === 0.75,
        'a JavaScript metric and schedule hand back 7.9 and 0.75 through get() and ' +
        'get_learning_rate()');

    const metric = new Scripted();
    metric.script = [0.7, 0.35, 0.6, 0.5];
    const est = classifier(1);
    est.set_train_metrics([metric]);
    const watch = new LrWatch();
    const es = Fit.EarlyStoppingHandler.new('train_scripted', 0, 1);
    const dir = GLib.dir_make_tmp('fit-gjs-XXXXXX');
    const ckpt = Fit.CheckpointHandler.new(dir, 'best');
    ckpt.monitor = 'train_scripted';
    ckpt.save_best_only = true;
    const ok = est.fit_full(loader(6, 3, 2), null, 4, 0,
        [Fit.LrSchedulerHandler.new(new Hyperbolic(), true), watch, es, ckpt], null);
    const history = est.get_history();
    const values = [0, 1, 2].map(e => history.get_record(e).get_value('train_scripted'));
    check(ok && history.get_n_items() === 3 && values.join() === '0.7,0.35,0.6',
        `a JavaScript metric's values reach the history exactly (${values})`);
    check(es.get_best_value() === 0.35 && es.get_best_epoch() === 1 &&
        es.get_stopped_epoch() === 2, 'and early stopping, which stops on them');
    const saved = Fit.Safetensors.new_from_file(ckpt.get_best_path(), null);
    check(Number(saved.get_metadata('handler.FitCheckpointHandler.0.best')) === 0.35,
        'and the checkpoint monitor, which saved the best epoch with its value');
    GLib.unlink(ckpt.get_best_path());
    GLib.rmdir(dir);
    check(watch.seen.length === 6 &&
        watch.seen.every(([step, lr], i) => step === i && lr === rate(i)),
        `the optimizer runs every step at the JavaScript schedule's rate exactly (${watch.seen})`);
    check([0, 1, 2].every(e => history.get_record(e).get_learning_rate() === rate(2 * e + 1)),
        "the history records each epoch's last rate");

    const idle = new Scripted();
    idle.script = [NaN, 0.25];
    const est2 = classifier(1);
    est2.set_train_metrics([idle]);
    check(est2.fit(loader(6, 3, 2), null, 2, null) &&
        Number.isNaN(est2.get_history().get_record(0).get_value('train_scripted')) &&
        est2.get_history().get_record(1).get_value('train_scripted') === 0.25,
    'a NaN metric value is recorded as NaN and fails nothing');
}

// A metric or schedule that throws fails the fit with its error; train-end still runs.
function failingFit(metricFail, schedule = null) {
    const metric = new Scripted();
    metric.script = [0.5];
    metric.fail = metricFail;
    const est = classifier(1);
    est.set_train_metrics([metric]);
    const rec = new Recorder('r', []);
    const handlers = [rec];
    if (schedule)
        handlers.push(Fit.LrSchedulerHandler.new(schedule, true));
    let error = null;
    try {
        est.fit_full(loader(6, 3, 2), null, 3, 0, handlers, null);
    } catch (e) {
        error = e;
    }
    return [error, rec.reason === Fit.StopReason.ERROR && rec.counts['train-end'] === 1];
}
{
    let [error, ended] = failingFit({compute: 1});
    check(error !== null && error.matches(Fit.error_quark(), Fit.Error.STATE) &&
        error.message === 'compute failed at epoch 1' && ended,
    'a metric whose compute throws fails the fit with that error, train-end with ERROR');
    [error, ended] = failingFit({plain: 0});
    check(error !== null && `${error}`.includes('a plain error in compute') && ended,
        'a plain exception in compute fails the fit with its message');
    [error, ended] = failingFit({reset: 1});
    check(error !== null && error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.BUSY) &&
        error.message === 'reset failed at epoch 1' && ended,
    'a metric whose reset throws fails the fit with that error, train-end with ERROR');

    const throwing = new Hyperbolic();
    throwing.failAt = 2;
    [error, ended] = failingFit({}, throwing);
    check(error !== null && error.matches(Fit.error_quark(), Fit.Error.INVALID_ARGUMENT) &&
        error.message === 'schedule failed at step 2' && ended,
    'a schedule that throws fails the fit with that error, train-end with ERROR');
    const typeName = GObject.type_name(Hyperbolic.$gtype);
    for (const [bad, code, text] of [[NaN, Fit.Error.NOT_FINITE, 'nan'],
        [Infinity, Fit.Error.NOT_FINITE, 'inf'], [-0.5, Fit.Error.INVALID_ARGUMENT, '-0.5']]) {
        const schedule = new Hyperbolic();
        schedule.badAt = 1;
        schedule.bad = bad;
        [error, ended] = failingFit({}, schedule);
        check(error !== null && error.matches(Fit.error_quark(), code) &&
            error.message.includes(`${typeName} gave the rate ${text} at step 1`) && ended,
        `a schedule giving the rate ${bad} fails the fit naming it (${error})`);
    }

    const val = new Scripted();
    val.fail = {compute: 0};
    const est = classifier(1);
    est.set_val_metrics([val]);
    let thrown = null;
    try {
        est.evaluate(loader(6, 3, 4), null);
    } catch (e) {
        thrown = e;
    }
    check(thrown !== null && thrown.matches(Fit.error_quark(), Fit.Error.STATE),
        'evaluate() throws a validation metric\'s failure');
}

print(`1..${n}`);
System.exit(failures > 0 ? 1 : 0);
