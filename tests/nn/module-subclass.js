// SPDX-License-Identifier: LGPL-2.1-or-later
// A Fit.Module subclass in GJS (vfunc_forward) trains a few steps of plain SGD and its
// loss goes down; a subclass that throws fails the forward.
import GObject from 'gi://GObject';
import Fit from 'gi://Fit?version=1.0';
import System from 'system';

const Mlp = GObject.registerClass(
class Mlp extends Fit.Module {
    _init(rng) {
        super._init();
        this._hidden = Fit.Linear.new(2, 8, true, rng);
        this._out = Fit.Linear.new(8, 1, true, rng);
        this.add_child('hidden', this._hidden);
        this.add_child('out', this._out);
    }

    vfunc_forward(x) {
        return this._out.forward(this._hidden.forward(x).tanh());
    }
});

const Broken = GObject.registerClass(
class Broken extends Fit.Module {
    vfunc_forward(_x) {
        throw new Error('broken on purpose');
    }
});

let failures = 0;
function check(ok, what) {
    print(`${ok ? 'ok' : 'not ok'} - ${what}`);
    if (!ok)
        failures++;
}

print('1..4');
const net = new Mlp(Fit.Rng.new(7));
check(net.get_parameter_names().join(',') === 'hidden.weight,hidden.bias,out.weight,out.bias',
    'hierarchical parameter names');

// y = x0 * x1 on a grid
const xs = [], ys = [];
for (let i = 0; i < 16; i++) {
    const a = (i % 4) / 2 - 0.75, b = Math.floor(i / 4) / 2 - 0.75;
    xs.push(a, b);
    ys.push(a * b);
}
const x = Fit.Tensor.new_from_floats(xs, [16, 2]);
const y = Fit.Tensor.new_from_floats(ys, [16, 1]);
const mse = Fit.MSELoss.new(Fit.Reduction.MEAN);
const losses = [];
for (let step = 0; step < 40; step++) {
    net.zero_grad();
    const loss = mse.compute(net.forward(x), y);
    loss.backward();
    const was = Fit.grad_set_enabled(false);
    for (const p of net.get_parameters())
        p.add_inplace(p.get_grad(), -0.5);
    Fit.grad_set_enabled(was);
    losses.push(loss.to_doubles()[0]);
}
check(losses[39] < 0.5 * losses[0], `loss goes down (${losses[0]} -> ${losses[39]})`);
check(net.count_parameters() === 2 * 8 + 8 + 8 + 1, 'parameter count');

try {
    new Broken().forward(x);
    check(false, 'a throwing vfunc_forward fails the forward');
} catch (e) {
    // GJS turns the exception into the GError of the C call and back into it here.
    check(String(e.message).includes('broken on purpose'), 'a throwing vfunc_forward fails the forward');
}
System.exit(failures ? 1 : 0);
