/* module-subclass.vala: a Fit.Module subclass in Vala trains a few steps of plain SGD
 * and its loss goes down.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

class Mlp : Fit.Module {
    private Fit.Linear hidden;
    private Fit.Linear out_layer;

    public Mlp (Fit.Rng rng) {
        hidden = new Fit.Linear (2, 8, true, rng);
        out_layer = new Fit.Linear (8, 1, true, rng);
        add_child ("hidden", hidden);
        add_child ("out", out_layer);
    }

    public override Fit.Tensor forward (Fit.Tensor x) throws GLib.Error {
        return out_layer.forward (hidden.forward (x).tanh ());
    }
}

static int main () {
    try {
        var net = new Mlp (new Fit.Rng (7));
        var names = string.joinv (",", net.get_parameter_names ());
        if (names != "hidden.weight,hidden.bias,out.weight,out.bias") {
            printerr ("unexpected names %s\n", names);
            return 1;
        }

        float[] xs = {}, ys = {};
        for (int i = 0; i < 16; i++) {
            float a = (i % 4) / 2.0f - 0.75f, b = (i / 4) / 2.0f - 0.75f;
            xs += a;
            xs += b;
            ys += a * b;
        }
        var x = new Fit.Tensor.from_floats (xs, { 16, 2 });
        var y = new Fit.Tensor.from_floats (ys, { 16, 1 });
        var mse = new Fit.MSELoss (Fit.Reduction.MEAN);
        double first = 0, last = 0;
        for (int step = 0; step < 40; step++) {
            net.zero_grad ();
            var loss = mse.compute (net.forward (x), y);
            loss.backward ();
            var was = Fit.grad_set_enabled (false);
            var params = net.get_parameters ();
            for (uint i = 0; i < params.length; i++)
                params[i].add_inplace (params[i].get_grad (), -0.5);
            Fit.grad_set_enabled (was);
            double value;
            loss.item (out value);
            if (step == 0)
                first = value;
            last = value;
        }
        print ("loss %g -> %g\n", first, last);
        if (!(last < 0.5 * first))
            return 1;
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
    return 0;
}
