// SPDX-License-Identifier: LGPL-2.1-or-later
// The reference tensor program (tensor-program.c) through GJS.
import Fit from 'gi://Fit?version=1.0';

const x = Fit.Tensor.new_arange(Fit.DType.FLOAT32, 0, 12, 1).reshape([3, 4]).mul_scalar(0.1);
const w = Fit.Tensor.new_arange(Fit.DType.FLOAT32, 0, 8, 1).reshape([4, 2])
    .mul_scalar(-0.05).add_scalar(0.2);
const b = Fit.Tensor.new_from_floats([0.1, -0.2], [2]);
w.set_requires_grad(true);
b.set_requires_grad(true);

const h = x.matmul(w).add(b).tanh();
const loss = h.sigmoid().mul(h).mean([], false);
loss.backward();

// %.9g, as C's printf formats it
const fmt = v => {
    if (v === 0)
        return '0';
    let s = v.toPrecision(9);
    if (s.includes('e')) {
        let [m, e] = s.split('e');
        if (m.includes('.'))
            m = m.replace(/0+$/, '').replace(/\.$/, '');
        const n = parseInt(e, 10);
        return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
    }
    if (s.includes('.'))
        s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s;
};
const show = (name, values) => print(`${name}${Array.from(values).map(v => ` ${fmt(v)}`).join('')}`);

const [, value] = loss.item();
print(`loss ${fmt(value)}`);
show('w.grad', w.get_grad().to_doubles());
show('b.grad', b.get_grad().to_doubles());
