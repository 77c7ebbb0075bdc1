/* tensor-program.vala: the reference tensor program (tensor-program.c) in Vala.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

static void show (string name, double[] values) {
    var s = new StringBuilder (name);
    foreach (var v in values)
        s.append_printf (" %.9g", v);
    print ("%s\n", s.str);
}

static int main () {
    try {
        var x = new Fit.Tensor.arange (Fit.DType.FLOAT32, 0, 12, 1).reshape ({ 3, 4 }).mul_scalar (0.1);
        var w = new Fit.Tensor.arange (Fit.DType.FLOAT32, 0, 8, 1).reshape ({ 4, 2 })
            .mul_scalar (-0.05).add_scalar (0.2);
        var b = new Fit.Tensor.from_floats ({ 0.1f, -0.2f }, { 2 });
        w.set_requires_grad (true);
        b.set_requires_grad (true);

        var h = x.matmul (w).add (b).tanh ();
        var loss = h.sigmoid ().mul (h).mean ({}, false);
        loss.backward ();

        double value;
        loss.item (out value);
        print ("loss %.9g\n", value);
        show ("w.grad", w.get_grad ().to_doubles ());
        show ("b.grad", b.get_grad ().to_doubles ());
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
    return 0;
}
