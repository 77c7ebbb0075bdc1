// The data layer from GJS: a dataset implemented in JavaScript feeding a DataLoader.
// GJS runs JavaScript on its own thread only, so the loader keeps n-workers at 0.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Fit from 'gi://Fit?version=1.0';
import System from 'system';

function assert(cond, what) {
    if (!cond)
        throw new Error(`assertion failed: ${what}`);
}

function assertArrayEqual(a, b, what) {
    assert(a.length === b.length && a.every((v, i) => v === b[i]),
        `${what}: [${a}] != [${b}]`);
}

const Squares = GObject.registerClass({
    Implements: [Fit.Dataset],
}, class Squares extends GObject.Object {
    _init(n, failAt = -1) {
        super._init();
        this._n = n;
        this._failAt = failAt;
    }

    vfunc_get_n_items() {
        return this._n;
    }

    vfunc_get_item(index) {
        if (index === this._failAt)
            throw new Error('broken item');
        const x = Fit.Tensor.new_from_floats([index, index * index], [2]);
        const y = Fit.Tensor.new_scalar(Fit.DType.INT64, index);
        return [true, x, y];
    }
});

function runEpoch(loader, epoch, firstBatch = 0) {
    const it = loader.iterate(epoch, firstBatch);
    const batches = [];
    for (;;) {
        const [ok, x, y] = it.next(null);
        if (!ok) {
            assert(x === null, 'no inputs at the end');
            break;
        }
        batches.push([Array.from(x.to_floats()), Array.from(y.to_int64s()), x.get_shape()]);
    }
    return batches;
}

function testLoader() {
    const ds = new Squares(10);
    assert(ds.get_n_items() === 10, 'n items');
    const loader = Fit.DataLoader.new(ds, 4);
    loader.shuffle = true;
    loader.seed = 17;
    assert(loader.get_n_batches() === 3, 'n batches');

    const batches = runEpoch(loader, 1);
    assert(batches.length === 3, 'three batches');
    assertArrayEqual(batches.map(b => b[1].length), [4, 4, 2], 'batch sizes');
    const labels = batches.flatMap(b => b[1]);
    assertArrayEqual([...labels].sort((a, b) => a - b), [...Array(10).keys()], 'coverage');
    for (const [x, y] of batches) {
        y.forEach((v, i) => {
            assert(x[2 * i] === v && x[2 * i + 1] === v * v, `row ${i} of item ${v}`);
        });
    }

    // Same seed and epoch, same order; another epoch, another order.
    assertArrayEqual(runEpoch(loader, 1).flatMap(b => b[1]), labels, 'repeatable');
    const other = runEpoch(loader, 2).flatMap(b => b[1]);
    assert(other.some((v, i) => v !== labels[i]), 'epochs differ');

    // Resume at batch 1.
    assertArrayEqual(runEpoch(loader, 1, 1).flatMap(b => b[1]), labels.slice(4), 'resume');
}

function testException() {
    const ds = new Squares(6, 4);
    const loader = Fit.DataLoader.new(ds, 3);
    const it = loader.iterate(0, 0);
    const [ok] = it.next(null);
    assert(ok, 'first batch');
    let threw = false;
    try {
        it.next(null);
    } catch (e) {
        // GJS turns the exception into the vfunc's GError and back into the original
        // exception; older versions gave a GLib.Error from the library's wrapper.
        threw = true;
        assert(e instanceof GLib.Error || String(e).includes('broken item'), `${e}`);
    }
    assert(threw, 'a JavaScript exception in get_item fails the batch');
    it.stop();
}

function testTensorDatasetAndSplit() {
    const x = Fit.Tensor.new_from_floats([0, 1, 2, 3, 4, 5], [3, 2]);
    const y = Fit.Tensor.new_from_int64s([7, 8, 9], [3]);
    const ds = Fit.TensorDataset.new(x, y);
    const parts = ds.random_split([2, 1], 5);
    assert(parts.get_n_items() === 2, 'two parts');
    assert(parts.get_item(0).get_n_items() === 2 && parts.get_item(1).get_n_items() === 1,
        'part sizes');
    const loader = Fit.DataLoader.new(ds, 2);
    loader.drop_last = true;
    const batches = runEpoch(loader, 0);
    assert(batches.length === 1, 'drop-last');
    assertArrayEqual(batches[0][1], [7, 8], 'labels');
}

testLoader();
testException();
testTensorDatasetAndSplit();
print('ok');
System.exit(0);
