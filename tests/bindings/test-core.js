// SPDX-License-Identifier: LGPL-2.1-or-later
// The core API through GJS: tensors in and out of JS arrays and typed arrays, autograd,
// random generators, devices, element types, runtime settings, and errors as GLib.Error
// with the Fit domain and code.
import Fit from 'gi://Fit?version=1.0';
import GLib from 'gi://GLib';
import System from 'system';

const {FLOAT32, FLOAT64, INT32, INT64} = Fit.DType;
let failures = 0, passed = 0;

class AssertionError extends Error {}

function assert(condition, message) {
    if (!condition)
        throw new AssertionError(message);
}

function assertEqual(actual, expected, what = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    assert(a === e, `${what}: expected ${e}, got ${a}`);
}

function assertClose(actual, expected, what = '', rtol = 1e-5, atol = 1e-6) {
    actual = Array.from(actual);
    assertEqual(actual.length, expected.length, `${what} (length)`);
    actual.forEach((v, i) => assert(Math.abs(v - expected[i]) <= atol + rtol * Math.abs(expected[i]),
        `${what}: element ${i} is ${v}, expected ${expected[i]}`));
}

// Runs fn, which must throw a GLib.Error in the Fit domain with the given code.
function assertError(code, fn, what = '') {
    try {
        fn();
    } catch (e) {
        assert(e instanceof GLib.Error, `${what}: threw ${e}, not a GLib.Error`);
        assert(e.matches(Fit.error_quark(), code),
            `${what}: expected code ${code}, got ${GLib.quark_to_string(e.domain)} ${e.code}: ${e.message}`);
        assert(e.message.length > 0, `${what}: empty message`);
        return e;
    }
    throw new AssertionError(`${what}: no error thrown`);
}

function test(name, fn) {
    try {
        fn();
        print(`ok - ${name}`);
        passed++;
    } catch (e) {
        print(`not ok - ${name}: ${e.message}\n${e.stack}`);
        failures++;
    }
}

const range = n => Array.from({length: n}, (_, i) => i);

test('creation', () => {
    const z = Fit.Tensor.new_zeros(FLOAT64, [2, 3]);
    assertEqual(z.to_doubles(), [0, 0, 0, 0, 0, 0], 'zeros');
    assertEqual(Fit.Tensor.new_full(INT32, [3], 7).to_int64s(), [7, 7, 7], 'full');
    const s = Fit.Tensor.new_scalar(FLOAT32, 2.5);
    assertEqual(s.get_n_dims(), 0, 'scalar dims');
    const [, value] = s.item();
    assertEqual(value, 2.5, 'item');
    assertEqual(z.zeros_like().get_dtype(), FLOAT64, 'zeros_like');
    assertClose(Fit.Tensor.new_arange(FLOAT64, 1, 2, 0.25).to_doubles(), [1, 1.25, 1.5, 1.75], 'arange');
    assertError(Fit.Error.INVALID_ARGUMENT, () => Fit.Tensor.new_arange(FLOAT32, 0, 1, 0), 'arange step 0');
});

test('typed arrays in and out', () => {
    const f = Fit.Tensor.new_from_floats(new Float32Array([0.5, 1.5, -2, 4]), [2, 2]);
    assertEqual(f.get_dtype(), FLOAT32, 'from_floats dtype');
    const floats = f.to_floats();
    assert(Array.isArray(floats) || floats instanceof Float32Array, 'to_floats gives an array');
    assertEqual(Array.from(floats), [0.5, 1.5, -2, 4], 'to_floats');
    const d = Fit.Tensor.new_from_doubles([0.1, 0.2], [2]);
    assertEqual(d.to_doubles(), [0.1, 0.2], 'from_doubles keeps doubles');
    const i = Fit.Tensor.new_from_int64s([-3, 2 ** 40], [2, 1]);
    assertEqual(i.get_dtype(), INT64, 'from_int64s dtype');
    assertEqual(i.to_int64s(), [-3, 2 ** 40], 'to_int64s');
    assertEqual(f.to_int64s(), [0, 1, -2, 4], 'to_int64s truncates');
    const raw = new Uint8Array(new Float64Array([1.25, -8]).buffer);
    const fromData = Fit.Tensor.new_from_data(FLOAT64, [2], raw);
    assertEqual(fromData.to_doubles(), [1.25, -8], 'from_data');
    const out = fromData.to_bytes().toArray();
    assert(out instanceof Uint8Array, 'to_bytes gives a Uint8Array');
    assertEqual(Array.from(new Float64Array(out.buffer, out.byteOffset, 2)), [1.25, -8], 'to_bytes');
    const fromBytes = Fit.Tensor.new_from_bytes(FLOAT64, [1, 2], new GLib.Bytes(raw));
    assertEqual(fromBytes.get_shape(), [1, 2], 'from_bytes shape');
    let e = assertError(Fit.Error.SHAPE, () => Fit.Tensor.new_from_floats([1, 2, 3], [2, 2]), 'from_floats');
    assert(e.message.includes('[2, 2]'), `message names the shape: ${e.message}`);
    assertError(Fit.Error.SHAPE, () => Fit.Tensor.new_from_doubles([1], [3]), 'from_doubles');
    assertError(Fit.Error.SHAPE, () => Fit.Tensor.new_from_int64s([1, 2], []), 'from_int64s');
    assertError(Fit.Error.SHAPE, () => Fit.Tensor.new_from_data(FLOAT32, [3], raw), 'from_data');
    assertError(Fit.Error.SHAPE, () => Fit.Tensor.new_from_bytes(FLOAT32, [3], new GLib.Bytes(raw)), 'from_bytes');
    e = assertError(Fit.Error.SHAPE, () => f.item(), 'item of 4 elements');
    assertEqual(e.code, Fit.Error.SHAPE, 'code');
});

test('metadata and properties', () => {
    const t = Fit.Tensor.new_zeros(FLOAT32, [2, 3, 4]);
    assertEqual(t.get_shape(), [2, 3, 4], 'get_shape');
    assertEqual([t.get_dim(0), t.get_dim(-1), t.get_dim(3)], [2, 4, -1], 'get_dim');
    assertEqual([t.get_numel(), t.get_n_bytes(), t.get_n_dims()], [24, 96, 3], 'sizes');
    assertEqual(t.get_shape_string(), '[2, 3, 4]', 'shape string');
    assert(t.get_device().equal(Fit.Device.get_cpu()), 'on the CPU');
    assertEqual(t.dtype, FLOAT32, 'dtype property');
    assertEqual(t.name, null, 'no name');
    let notified = 0;
    t.connect('notify::name', () => notified++);
    t.set_name('fc.weight');
    assertEqual(t.get_name(), 'fc.weight', 'get_name');
    t.name = 'w';
    assertEqual([t.get_name(), notified], ['w', 2], 'name property');
    assertEqual(t.requiresGrad, false, 'requiresGrad');
    t.requires_grad = true;
    assert(t.get_requires_grad(), 'requires_grad property sets it');
    assert(t.to_string().includes('shape=[2, 3, 4]'), t.to_string());
    const a = Fit.Tensor.new_from_doubles([1, 2], [2]);
    assert(a.allclose(Fit.Tensor.new_from_doubles([1, 2.001], [2]), 1e-3, 0), 'allclose');
    assert(!a.allclose(Fit.Tensor.new_from_doubles([1, 2.1], [2]), 1e-3, 0), 'not allclose');
});

test('conversion and in-place updates', () => {
    const t = Fit.Tensor.new_from_floats([1.9, -1.9], [2]);
    assertEqual(t.to_dtype(INT32).to_int64s(), [1, -1], 'to_dtype');
    assert(t.to_device(Fit.Device.get_cpu()) === t, 'to_device to the same device');
    const c = t.clone();
    const d = t.detach();
    t.fill(3);
    assertEqual([c.to_doubles()[0] !== 3, d.to_doubles()[0]], [true, 3], 'clone copies, detach shares');
    t.assign(Fit.Tensor.new_from_doubles([1, 2], [2]));
    t.add_inplace(Fit.Tensor.new_from_floats([1, 1], [2]), -2);
    t.scale_inplace(0.5);
    assertEqual(t.to_floats(), [-0.5, 0], 'assign, add_inplace, scale_inplace');
    assertError(Fit.Error.SHAPE, () => t.assign(Fit.Tensor.new_zeros(FLOAT32, [3])), 'assign');
});

test('autograd', () => {
    const x = Fit.Tensor.new_from_doubles([1, 2], [2]);
    x.set_requires_grad(true);
    assert(x.is_leaf() && x.get_grad() === null && x.get_grad_fn_name() === null, 'fresh leaf');
    const y = x.expand([3, 2]);
    assertEqual([y.is_leaf(), y.get_grad_fn_name()], [false, 'expand'], 'recorded');
    const g = Fit.Tensor.new_from_doubles([1, 10, 100, 1000, 1e4, 1e5], [3, 2]);
    y.backward_full(g, true);
    y.backward_full(g, false);
    assertEqual(x.get_grad().to_doubles(), [20202, 202020], 'accumulated gradient');
    assertError(Fit.Error.AUTOGRAD, () => y.backward_full(g, false), 'graph freed');
    x.zero_grad();
    assertEqual(x.get_grad().to_doubles(), [0, 0], 'zero_grad');
    x.set_grad(null);
    assertEqual(x.get_grad(), null, 'set_grad(null)');
    assertError(Fit.Error.AUTOGRAD, () => Fit.Tensor.new_scalar(FLOAT32, 1).backward(), 'no grad');
    const was = Fit.grad_set_enabled(false);
    try {
        assert(!Fit.grad_is_enabled() && !x.expand([2, 2]).get_requires_grad(), 'no recording');
    } finally {
        Fit.grad_set_enabled(was);
    }
    assert(Fit.grad_is_enabled(), 'restored');
});

test('backward through arithmetic', () => {
    const x = Fit.Tensor.new_from_doubles([1, -2, 3], [3]);
    x.set_requires_grad(true);
    x.mul(x).sum(null, false).backward();
    assertEqual(x.get_grad().to_doubles(), [2, -4, 6], 'd/dx sum x²');
});

test('pointwise', () => {
    const a = Fit.Tensor.new_from_floats([0.5, -1.5, 2, 3, -0.25, 1], [2, 3]);
    const b = Fit.Tensor.new_from_floats([1.5, 2, -4], [3]);
    const av = [0.5, -1.5, 2, 3, -0.25, 1], bv = [1.5, 2, -4];
    const bb = av.map((_, i) => bv[i % 3]);
    assertClose(a.add(b).to_floats(), av.map((v, i) => v + bb[i]), 'add');
    assertClose(a.sub(b).to_floats(), av.map((v, i) => v - bb[i]), 'sub');
    assertClose(a.mul(b).to_floats(), av.map((v, i) => v * bb[i]), 'mul');
    assertClose(a.div(b).to_floats(), av.map((v, i) => v / bb[i]), 'div');
    assertClose(a.abs().pow(b).to_floats(), av.map((v, i) => Math.abs(v) ** bb[i]), 'pow');
    assertClose(a.maximum(b).to_floats(), av.map((v, i) => Math.max(v, bb[i])), 'maximum');
    assertClose(a.minimum(b).to_floats(), av.map((v, i) => Math.min(v, bb[i])), 'minimum');
    assertClose(a.add_scalar(1).mul_scalar(2).pow_scalar(2).to_floats(), av.map(v => (2 * (v + 1)) ** 2), 'scalars');
    assertClose(a.neg().to_floats(), av.map(v => -v), 'neg');
    assertClose(a.exp().to_floats(), av.map(Math.exp), 'exp');
    assertClose(a.abs().log().to_floats(), av.map(v => Math.log(Math.abs(v))), 'log');
    assertClose(a.abs().sqrt().to_floats(), av.map(v => Math.sqrt(Math.abs(v))), 'sqrt');
    assertClose(a.clamp(-1, 1.5).to_floats(), av.map(v => Math.min(Math.max(v, -1), 1.5)), 'clamp');
    assertClose(a.relu().to_floats(), av.map(v => Math.max(v, 0)), 'relu');
    assertClose(a.leaky_relu(0.1).to_floats(), av.map(v => v > 0 ? v : 0.1 * v), 'leaky_relu');
    assertClose(a.sigmoid().to_floats(), av.map(v => 1 / (1 + Math.exp(-v))), 'sigmoid');
    assertClose(a.tanh().to_floats(), av.map(Math.tanh), 'tanh');
    // gelu(x) = x Φ(x); Φ(1) and Φ(-1.5) from tables
    assertClose(Fit.Tensor.new_from_doubles([1, -1.5], [2]).gelu().to_doubles(),
        [0.8413447460685429, -1.5 * 0.06680720126885807], 'gelu', 1e-12);
    assertEqual(a.gt(b).to_floats(), av.map((v, i) => v > bb[i] ? 1 : 0), 'gt');
    assertEqual(a.lt(b).to_floats(), av.map((v, i) => v < bb[i] ? 1 : 0), 'lt');
    assertEqual(a.eq(a).to_floats(), av.map(() => 1), 'eq');
    const cond = Fit.Tensor.new_from_int64s([1, 0, 1], [3]);
    assertClose(cond.where(b, b.neg()).to_floats(), [1.5, -2, -4], 'where');
    assertClose(a.masked_fill(cond, 9).to_floats(), [9, -1.5, 9, 9, -0.25, 9], 'masked_fill');
    assertError(Fit.Error.SHAPE, () => a.add(Fit.Tensor.new_zeros(FLOAT32, [2])), 'broadcast');
    assertError(Fit.Error.DTYPE, () => a.mul(Fit.Tensor.new_zeros(FLOAT64, [3])), 'dtype');
});

test('reductions and products', () => {
    const v = [1, -2, 3.5, 0.5, 4, -1];
    const t = Fit.Tensor.new_from_doubles(v, [2, 3]);
    assertClose(t.sum(null, false).to_doubles(), [6], 'sum');
    assertClose(t.sum([1], true).to_doubles(), [2.5, 3.5], 'sum rows');
    assertEqual(t.sum([1], true).get_shape(), [2, 1], 'keep dims');
    assertClose(t.mean([0], false).to_doubles(), [0.75, 1, 1.25], 'mean');
    assertClose(t.var([], false, 0).to_doubles(), [v.reduce((s, x) => s + (x - 1) ** 2, 0) / 6], 'var');
    assertClose(t.max(1, false).to_doubles(), [3.5, 4], 'max');
    assertClose(t.min(0, false).to_doubles(), [0.5, -2, -1], 'min');
    assertEqual(t.argmax(1, false).to_int64s(), [2, 1], 'argmax');
    const lse = [Math.log(Math.exp(1) + Math.exp(-2) + Math.exp(3.5)),
        Math.log(Math.exp(0.5) + Math.exp(4) + Math.exp(-1))];
    assertClose(t.logsumexp(-1, false).to_doubles(), lse, 'logsumexp');
    assertClose(t.softmax(-1).to_doubles(), v.map((x, i) => Math.exp(x - lse[i / 3 | 0])), 'softmax');
    assertClose(t.log_softmax(-1).to_doubles(), v.map((x, i) => x - lse[i / 3 | 0]), 'log_softmax');
    const w = Fit.Tensor.new_from_doubles([1, 0, 2, 1, 0, -1], [3, 2]);
    assertClose(t.matmul(w).to_doubles(), [-3, -5.5, 8.5, 5], 'matmul');
    assertClose(t.linear(w.transpose(0, 1), Fit.Tensor.new_from_doubles([1, 2], [2])).to_doubles(),
        [-2, -3.5, 9.5, 7], 'linear');
    assertError(Fit.Error.SHAPE, () => t.matmul(t), 'matmul shapes');
    assertError(Fit.Error.INVALID_ARGUMENT, () => t.sum([2], false), 'sum dim');
});

test('shapes, joins and indexing', () => {
    const t = Fit.Tensor.new_arange(FLOAT32, 0, 6, 1);
    const m = t.reshape([2, -1]);
    assertEqual(m.get_shape(), [2, 3], 'reshape');
    assertError(Fit.Error.SHAPE, () => t.reshape([4]), 'reshape size');
    assertEqual(m.transpose(0, 1).to_floats(), [0, 3, 1, 4, 2, 5], 'transpose');
    assertEqual(m.permute([1, 0]).to_floats(), [0, 3, 1, 4, 2, 5], 'permute');
    assertEqual(m.unsqueeze(0).get_shape(), [1, 2, 3], 'unsqueeze');
    assertEqual(m.unsqueeze(0).squeeze(0).get_shape(), [2, 3], 'squeeze');
    assertEqual(m.unsqueeze(2).flatten(1, 2).get_shape(), [2, 3], 'flatten');
    assertEqual(m.slice(1, 0, 3, 2).to_floats(), [0, 2, 3, 5], 'slice');
    assertEqual(Fit.Tensor.new_from_floats([1, 2], [2, 1]).expand([2, 2]).to_floats(), [1, 1, 2, 2], 'expand');
    assertEqual(Fit.Tensor.concat([m, m], 0).get_shape(), [4, 3], 'concat');
    assertEqual(Fit.Tensor.stack([m, m, m], 0).get_shape(), [3, 2, 3], 'stack');
    assertError(Fit.Error.SHAPE, () => Fit.Tensor.concat([m, t], 0), 'concat shapes');
    const idx = Fit.Tensor.new_from_int64s([2, 0], [2]);
    assertEqual(m.index_select(1, idx).to_floats(), [2, 0, 5, 3], 'index_select');
    assertEqual(m.gather(1, Fit.Tensor.new_from_int64s([1, 2], [2, 1])).to_floats(), [1, 5], 'gather');
    assertEqual(idx.one_hot(3).to_floats(), [0, 0, 1, 1, 0, 0], 'one_hot');
    assertEqual(m.transpose(0, 1).embedding(idx).to_floats(), [2, 5, 0, 3], 'embedding');
    assertError(Fit.Error.INVALID_ARGUMENT, () => idx.one_hot(2), 'one_hot label');
});

test('convolution, pooling, dropout', () => {
    const x = Fit.Tensor.new_arange(FLOAT64, 0, 16, 1).reshape([1, 1, 4, 4]);
    const w = Fit.Tensor.new_from_doubles([1, 0, 0, -1], [1, 1, 2, 2]);
    // x[i][j] - x[i+1][j+1] is -5 everywhere
    assertEqual(x.conv2d(w, null, 1, 1, 0, 0, 1, 1, 1).to_doubles(), range(9).map(() => -5), 'conv2d');
    const one = Fit.Tensor.new_from_doubles([1], [1, 1, 1, 1]);
    assertEqual(x.conv_transpose2d(one, null, 1, 1, 0, 0, 0, 0, 1, 1, 1).to_doubles(), range(16), 'conv_transpose2d');
    assertEqual(x.max_pool2d(2, 2, 2, 2, 0, 0).to_doubles(), [5, 7, 13, 15], 'max_pool2d');
    assertEqual(x.avg_pool2d(2, 2, 0, 0, 0, 0, true).to_doubles(), [2.5, 4.5, 10.5, 12.5], 'avg_pool2d');
    assertEqual(x.adaptive_avg_pool2d(1, 1).to_doubles(), [7.5], 'adaptive_avg_pool2d');
    const kept = x.add_scalar(1).dropout(0.5, Fit.Rng.new(3), true).to_doubles().filter(v => v !== 0);
    assert(kept.length > 0 && kept.length < 16, `dropout keeps some: ${kept.length}`);
    assertError(Fit.Error.INVALID_ARGUMENT, () => x.dropout(1, Fit.Rng.new(3), true), 'dropout p');
    assertError(Fit.Error.SHAPE, () => x.conv2d(Fit.Tensor.new_zeros(FLOAT64, [1, 2, 2, 2]), null,
        1, 1, 0, 0, 1, 1, 1), 'conv2d channels');
});

test('random generators', () => {
    const a = Fit.Rng.new(42), b = new Fit.Rng({seed: 42});
    assertEqual([a.get_seed(), b.seed], [42, 42], 'seed');
    const first = a.next_uint64();
    assertEqual(b.next_uint64(), first, 'same sequence');
    a.set_seed(42);
    assertEqual(a.next_uint64(), first, 'set_seed restarts');
    b.seed = 5;
    assertEqual(b.get_seed(), 5, 'seed property');
    const below = range(300).map(() => a.next_below(3));
    assertEqual([...new Set(below)].sort(), [0, 1, 2], 'next_below');
    const d = a.next_double();
    assert(d >= 0 && d < 1, `next_double ${d}`);
    assert(Number.isFinite(a.next_normal()), 'next_normal');
    const state = a.save_state();
    assertEqual(state.get_size(), 56, 'state size');
    const next = [a.next_double(), a.next_normal()];
    const c = a.fork();
    c.restore_state(state);
    assertEqual([c.next_double(), c.next_normal()], next, 'restore_state');
    assertError(Fit.Error.PARSE, () => c.restore_state(new GLib.Bytes(new Uint8Array(3))), 'bad state');
    // GJS passes a copy of the array: the call must be safe and advance the generator.
    const values = [1, 2, 3, 4];
    const r = Fit.Rng.new(1), ref = Fit.Rng.new(1);
    r.shuffle_indices(values);
    assertEqual(values, [1, 2, 3, 4], 'caller array unchanged');
    assert(r.next_double() !== ref.next_double(), 'shuffle_indices draws');
    const u = Fit.Tensor.new_uniform(Fit.Rng.new(2), FLOAT32, [1000], -1, 1).to_floats();
    assert(u.every(v => v >= -1 && v < 1), 'uniform range');
    const n = Fit.Tensor.new_normal(Fit.Rng.new(2), FLOAT64, [2000], 3, 0.5).to_doubles();
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    assert(Math.abs(mean - 3) < 0.05, `normal mean ${mean}`);
});

test('devices, element types, runtime, error domain', () => {
    const cpu = Fit.Device.get_cpu();
    assertEqual([cpu.get_name(), cpu.get_device_type(), cpu.get_index()], ['cpu', Fit.DeviceType.CPU, 0], 'cpu');
    assert(Fit.Device.new_for_name('cpu').equal(cpu), 'new_for_name');
    const n = Fit.Device.get_cuda_count();
    assertError(Fit.Error.DEVICE, () => Fit.Device.new_for_name(`cuda:${n}`), 'missing GPU');
    assertError(Fit.Error.INVALID_ARGUMENT, () => Fit.Device.new_for_name('tpu'), 'unknown device');
    assertEqual([FLOAT32, FLOAT64, INT32, INT64].map(t => Fit.DType.get_size(t)), [4, 8, 4, 8], 'sizes');
    assertEqual(Fit.DType.get_name(INT64), 'int64', 'name');
    assertEqual([Fit.DType.is_floating(FLOAT64), Fit.DType.is_floating(INT32)], [true, false], 'floating');
    const threads = Fit.get_num_threads();
    Fit.set_num_threads(1);
    assertEqual(Fit.get_num_threads(), 1, 'set_num_threads');
    Fit.set_num_threads(threads);
    assert(Fit.get_blas_info().includes('OpenBLAS'), Fit.get_blas_info());
    assertEqual(GLib.quark_to_string(Fit.error_quark()), 'fit-error-quark', 'domain');
    assertEqual(Fit.Error.quark(), Fit.error_quark(), 'Fit.Error.quark');
    assertEqual([Fit.Error.FAILED, Fit.Error.SHAPE, Fit.Error.CANCELLED], [0, 1, 12], 'codes');
});

print(`# ${passed} passed, ${failures} failed`);
System.exit(failures > 0 ? 1 : 0);
