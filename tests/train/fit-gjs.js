// SPDX-License-Identifier: LGPL-2.1-or-later
// The fit API from GJS: handler subclasses and callbacks in order among C handlers, every
// stop scope, errors thrown by handlers, train-end in every case, cancellation, early
// stopping and a batch processor subclass.
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

print(`1..${n}`);
System.exit(failures > 0 ? 1 : 0);
