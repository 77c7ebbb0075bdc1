/* test-core.vala: the core API from Vala, through the generated VAPI: constructors,
 * arrays in and out, properties, autograd, generators, devices, element types, runtime
 * settings, and Fit.Error codes caught by name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

using Fit;

static void assert_doubles (double[] actual, double[] expected, double tol = 1e-6) {
    assert_cmpint (actual.length, CompareOperator.EQ, expected.length);
    for (var i = 0; i < actual.length; i++)
        assert_cmpfloat_with_epsilon (actual[i], expected[i], tol + tol * expected[i].abs ());
}

static void assert_shape (Tensor t, int64[] expected) {
    unowned int64[] shape = t.get_shape ();
    assert_cmpint (shape.length, CompareOperator.EQ, expected.length);
    for (var i = 0; i < shape.length; i++)
        assert_cmpint ((int) shape[i], CompareOperator.EQ, (int) expected[i]);
}

static void test_create () {
    try {
        var z = new Tensor.zeros (DType.FLOAT64, { 2, 3 });
        assert_doubles (z.to_doubles (), { 0, 0, 0, 0, 0, 0 });
        var f = new Tensor.full (DType.INT32, { 3 }, 7);
        assert (f.get_dtype () == DType.INT32);
        assert (f.to_int64s ()[2] == 7);
        var s = new Tensor.scalar (DType.FLOAT32, 2.5);
        double v;
        s.item (out v);
        assert_cmpfloat (v, CompareOperator.EQ, 2.5);
        assert_cmpuint (s.get_n_dims (), CompareOperator.EQ, 0);
        assert (z.zeros_like ().get_dtype () == DType.FLOAT64);
        var fl = new Tensor.from_floats ({ 0.5f, -1.5f, 2f, 4f }, { 2, 2 });
        float[] floats = fl.to_floats ();
        assert (floats.length == 4 && floats[1] == -1.5f);
        var d = new Tensor.from_doubles ({ 0.1, 0.2 }, { 2 });
        assert (d.to_doubles ()[0] == 0.1);
        var i = new Tensor.from_int64s ({ int64.MAX, -3 }, { 2 });
        assert (i.to_int64s ()[0] == int64.MAX);
        double[] raw = { 1.25, -8 };
        unowned uint8[] bytes = (uint8[]) raw;
        bytes.length = 16;
        assert_doubles (new Tensor.from_data (DType.FLOAT64, { 2 }, bytes).to_doubles (), raw);
        var from_bytes = new Tensor.from_bytes (DType.FLOAT64, { 1, 2 }, new Bytes (bytes));
        assert_shape (from_bytes, { 1, 2 });
        assert (from_bytes.to_bytes ().compare (new Bytes (bytes)) == 0);
        assert_doubles (new Tensor.arange (DType.FLOAT64, 1, 2, 0.25).to_doubles (),
                        { 1, 1.25, 1.5, 1.75 });
        var u = new Tensor.uniform (new Rng (1), DType.FLOAT32, { 100 }, -1, 1);
        foreach (var x in u.to_floats ())
            assert (x >= -1 && x < 1);
        var n = new Tensor.normal (new Rng (1), DType.FLOAT64, { 4, 5 }, 0, 1);
        assert (n.allclose (new Tensor.normal (new Rng (1), DType.FLOAT64, { 4, 5 }, 0, 1), 0, 0));
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_errors () {
    try {
        new Tensor.from_floats ({ 1f, 2f, 3f }, { 2, 2 });
        assert_not_reached ();
    } catch (Fit.Error.SHAPE e) {
        assert (e.domain == Fit.Error.quark ());
        assert ("[2, 2]" in e.message);
    } catch (GLib.Error e) {
        error ("wrong error: %s", e.message);
    }
    try {
        new Tensor.arange (DType.FLOAT32, 0, 1, 0);
        assert_not_reached ();
    } catch (GLib.Error e) {
        assert_error (e, Fit.Error.quark (), Fit.Error.INVALID_ARGUMENT);
    }
    try {
        double v;
        new Tensor.zeros (DType.FLOAT32, { 2 }).item (out v);
        assert_not_reached ();
    } catch (Fit.Error.SHAPE e) {
    } catch (GLib.Error e) {
        error ("wrong error: %s", e.message);
    }
    try {
        new Device.for_name ("tpu");
        assert_not_reached ();
    } catch (Fit.Error.INVALID_ARGUMENT e) {
    } catch (GLib.Error e) {
        error ("wrong error: %s", e.message);
    }
    assert (Fit.Error.quark ().to_string () == "fit-error-quark");
}

static void test_metadata () {
    var t = new Tensor.zeros (DType.FLOAT32, { 2, 3, 4 });
    assert_shape (t, { 2, 3, 4 });
    assert (t.get_dim (-1) == 4 && t.get_dim (3) == -1);
    assert (t.get_numel () == 24 && t.get_n_bytes () == 96);
    assert (t.get_shape_string () == "[2, 3, 4]");
    assert (t.dtype == DType.FLOAT32);
    assert (t.get_device ().equal (Device.get_cpu ()));
    assert (t.name == null);
    var notified = 0;
    t.notify["name"].connect (() => notified++);
    t.set_name ("fc.weight");
    assert (t.get_name () == "fc.weight");
    t.name = "w";
    assert (notified == 2);
    assert ("shape=[2, 3, 4]" in t.to_string ());
}

static void test_conversion () {
    try {
        var t = new Tensor.from_floats ({ 1.9f, -1.9f }, { 2 });
        var ints = t.to_dtype (DType.INT32).to_int64s ();
        assert (ints[0] == 1 && ints[1] == -1);
        assert (t.to_device (Device.get_cpu ()) == t);
        var c = t.clone ();
        var d = t.detach ();
        t.fill (3);
        assert (d.to_doubles ()[0] == 3 && c.to_doubles ()[0] != 3);
        t.assign (new Tensor.from_doubles ({ 1, 2 }, { 2 }));
        t.add_inplace (new Tensor.full (DType.FLOAT32, { 2 }, 1), -2);
        t.scale_inplace (0.5);
        assert_doubles (t.to_doubles (), { -0.5, 0 });
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_autograd () {
    try {
        var x = new Tensor.from_doubles ({ 1, 2 }, { 2 });
        x.requires_grad = true;
        assert (x.get_requires_grad () && x.is_leaf ());
        assert (x.get_grad () == null && x.get_grad_fn_name () == null);
        var y = x.expand ({ 3, 2 });
        assert (!y.is_leaf () && y.get_grad_fn_name () == "expand");
        var g = new Tensor.from_doubles ({ 1, 10, 100, 1000, 1e4, 1e5 }, { 3, 2 });
        y.backward_full (g, true);
        y.backward_full (g, false);
        assert_doubles (x.get_grad ().to_doubles (), { 20202, 202020 });
        try {
            y.backward_full (g, false);
            assert_not_reached ();
        } catch (Fit.Error.AUTOGRAD e) {
        }
        x.zero_grad ();
        assert_doubles (x.get_grad ().to_doubles (), { 0, 0 });
        x.set_grad (null);
        assert (x.get_grad () == null);
        try {
            new Tensor.scalar (DType.FLOAT32, 1).backward ();
            assert_not_reached ();
        } catch (Fit.Error.AUTOGRAD e) {
        }
        var was = Fit.grad_set_enabled (false);
        assert (!Fit.grad_is_enabled ());
        assert (!x.expand ({ 2, 2 }).get_requires_grad ());
        Fit.grad_set_enabled (was);
        assert (Fit.grad_is_enabled ());
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_shape_ops () {
    try {
        var m = new Tensor.arange (DType.FLOAT64, 0, 6, 1).reshape ({ 2, -1 });
        assert_shape (m, { 2, 3 });
        assert_doubles (m.transpose (0, 1).to_doubles (), { 0, 3, 1, 4, 2, 5 });
        assert_doubles (m.permute ({ 1, 0 }).to_doubles (), { 0, 3, 1, 4, 2, 5 });
        assert_shape (m.unsqueeze (0).squeeze (0).unsqueeze (2).flatten (1, 2), { 2, 3 });
        assert_doubles (m.slice (1, 0, 3, 2).to_doubles (), { 0, 2, 3, 5 });
        assert_shape (Tensor.concat ({ m, m }, 0), { 4, 3 });
        assert_shape (Tensor.stack ({ m, m, m }, 1), { 2, 3, 3 });
        var idx = new Tensor.from_int64s ({ 2, 0 }, { 2 });
        assert_doubles (m.index_select (1, idx).to_doubles (), { 2, 0, 5, 3 });
        assert_doubles (m.gather (1, new Tensor.from_int64s ({ 1, 2 }, { 2, 1 })).to_doubles (),
                        { 1, 5 });
        assert_doubles (idx.one_hot (3).to_doubles (), { 0, 0, 1, 1, 0, 0 });
        assert_doubles (m.transpose (0, 1).embedding (idx).to_doubles (), { 2, 5, 0, 3 });
        try {
            Tensor.concat ({ m, m.reshape ({ 3, 2 }) }, 0);
            assert_not_reached ();
        } catch (Fit.Error.SHAPE e) {
        }
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_pointwise () {
    try {
        var a = new Tensor.from_doubles ({ 0.5, -1.5, 2, 3 }, { 2, 2 });
        var b = new Tensor.from_doubles ({ 2, -4 }, { 2 });
        assert_doubles (a.add (b).to_doubles (), { 2.5, -5.5, 4, -1 });
        assert_doubles (a.sub (b).mul (b).div (b).to_doubles (), { -1.5, 2.5, 0, 7 });
        assert_doubles (a.abs ().pow (b).to_doubles (), { 0.25, Math.pow (1.5, -4), 4, 1.0 / 81 });
        assert_doubles (a.maximum (b).minimum (b.neg ()).to_doubles (), { -2, -1.5, -2, 3 });
        assert_doubles (a.add_scalar (1).mul_scalar (2).pow_scalar (2).to_doubles (),
                        { 9, 1, 36, 64 });
        assert_doubles (a.exp ().log ().abs ().sqrt ().to_doubles (),
                        { Math.sqrt (0.5), Math.sqrt (1.5), Math.sqrt (2), Math.sqrt (3) });
        assert_doubles (a.clamp (-1, 2.5).relu ().to_doubles (), { 0.5, 0, 2, 2.5 });
        assert_doubles (a.leaky_relu (0.1).to_doubles (), { 0.5, -0.15, 2, 3 });
        assert_doubles (a.sigmoid ().to_doubles (),
                        { 1 / (1 + Math.exp (-0.5)), 1 / (1 + Math.exp (1.5)),
                          1 / (1 + Math.exp (-2)), 1 / (1 + Math.exp (-3)) });
        assert_doubles (a.tanh ().to_doubles (),
                        { Math.tanh (0.5), Math.tanh (-1.5), Math.tanh (2), Math.tanh (3) });
        assert_doubles (new Tensor.from_doubles ({ 1 }, { 1 }).gelu ().to_doubles (),
                        { 0.8413447460685429 });
        assert_doubles (a.gt (b).to_doubles (), { 0, 1, 0, 1 });
        assert_doubles (a.lt (b).to_doubles (), { 1, 0, 0, 0 });
        assert_doubles (a.eq (a).to_doubles (), { 1, 1, 1, 1 });
        var mask = new Tensor.from_int64s ({ 1, 0 }, { 2 });
        assert_doubles (mask.where (a, a.neg ()).to_doubles (), { 0.5, 1.5, 2, -3 });
        assert_doubles (a.masked_fill (mask, 9).to_doubles (), { 9, -1.5, 9, 3 });
        try {
            a.add (new Tensor.zeros (DType.FLOAT64, { 3 }));
            assert_not_reached ();
        } catch (Fit.Error.SHAPE e) {
        }
        try {
            a.mul (new Tensor.zeros (DType.FLOAT32, { 2 }));
            assert_not_reached ();
        } catch (Fit.Error.DTYPE e) {
        }
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_reduce () {
    try {
        var t = new Tensor.from_doubles ({ 1, -2, 3.5, 0.5, 4, -1 }, { 2, 3 });
        assert_doubles (t.sum (null, false).to_doubles (), { 6 });
        assert_doubles (t.sum ({ 1 }, true).to_doubles (), { 2.5, 3.5 });
        assert_doubles (t.mean ({ 0 }, false).to_doubles (), { 0.75, 1, 1.25 });
        assert_doubles (t.var ({ 0 }, false, 0).to_doubles (), { 0.0625, 9, 5.0625 });
        assert_doubles (t.max (1, false).to_doubles (), { 3.5, 4 });
        assert_doubles (t.min (0, false).to_doubles (), { 0.5, -2, -1 });
        assert (t.argmax (1, false).to_int64s ()[1] == 1);
        var lse = Math.log (Math.exp (1) + Math.exp (-2) + Math.exp (3.5));
        assert_doubles (t.logsumexp (1, false).to_doubles ()[0:1], { lse });
        assert_doubles (t.log_softmax (1).to_doubles ()[0:1], { 1 - lse });
        assert_doubles (t.softmax (1).to_doubles ()[0:1], { Math.exp (1 - lse) });
        var w = new Tensor.from_doubles ({ 1, 0, 2, 1, 0, -1 }, { 3, 2 });
        assert_doubles (t.matmul (w).to_doubles (), { -3, -5.5, 8.5, 5 });
        assert_doubles (t.linear (w.transpose (0, 1), null).to_doubles (), { -3, -5.5, 8.5, 5 });
        var x = new Tensor.from_doubles ({ 1, -2 }, { 2 });
        x.requires_grad = true;
        x.mul_scalar (3).sum (null, false).backward ();
        assert_doubles (x.get_grad ().to_doubles (), { 3, 3 });
        try {
            t.matmul (t);
            assert_not_reached ();
        } catch (Fit.Error.SHAPE e) {
        }
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_conv () {
    try {
        var x = new Tensor.arange (DType.FLOAT64, 0, 16, 1).reshape ({ 1, 1, 4, 4 });
        var w = new Tensor.from_doubles ({ 1, 0, 0, -1 }, { 1, 1, 2, 2 });
        assert_doubles (x.conv2d (w, null, 1, 1, 0, 0, 1, 1, 1).to_doubles (),
                        { -5, -5, -5, -5, -5, -5, -5, -5, -5 });
        var one = new Tensor.from_doubles ({ 2 }, { 1, 1, 1, 1 });
        assert_doubles (x.conv_transpose2d (one, null, 1, 1, 0, 0, 0, 0, 1, 1, 1)
                        .to_doubles ()[0:3], { 0, 2, 4 });
        assert_doubles (x.max_pool2d (2, 2, 2, 2, 0, 0).to_doubles (), { 5, 7, 13, 15 });
        assert_doubles (x.avg_pool2d (2, 2, 0, 0, 0, 0, true).to_doubles (),
                        { 2.5, 4.5, 10.5, 12.5 });
        assert_doubles (x.adaptive_avg_pool2d (1, 1).to_doubles (), { 7.5 });
        assert_doubles (x.dropout (0.5, null, false).to_doubles (), x.to_doubles ());
        try {
            x.dropout (1.0, new Rng (1), true);
            assert_not_reached ();
        } catch (Fit.Error.INVALID_ARGUMENT e) {
        }
    } catch (GLib.Error e) {
        error ("%s", e.message);
    }
}

static void test_rng () {
    var a = new Rng (42);
    var b = (Rng) Object.new (typeof (Rng), "seed", (uint64) 42);
    assert (a.get_seed () == 42 && b.seed == 42);
    var first = a.next_uint64 ();
    assert (b.next_uint64 () == first);
    a.set_seed (42);
    assert (a.next_uint64 () == first);
    b.seed = 5;
    assert (b.get_seed () == 5);
    for (var i = 0; i < 100; i++)
        assert (a.next_below (3) < 3);
    var d = a.next_double ();
    assert (d >= 0 && d < 1);
    assert (a.next_normal ().is_finite ());
    var state = a.save_state ();
    assert (state.get_size () == 56);
    var next = a.next_normal ();
    var c = a.fork ();
    try {
        c.restore_state (state);
        assert (c.next_normal () == next);
        c.restore_state (new Bytes ({ 1, 2, 3 }));
        assert_not_reached ();
    } catch (Fit.Error.PARSE e) {
    } catch (GLib.Error e) {
        error ("wrong error: %s", e.message);
    }
    // Vala passes its own array, so the permutation shows here.
    int64[] values = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    new Rng (3).shuffle_indices (values);
    int64 sum = 0;
    var moved = 0;
    for (var i = 0; i < values.length; i++) {
        sum += values[i];
        if (values[i] != i)
            moved++;
    }
    assert (sum == 45 && moved > 0);
}

static void test_device_types_runtime () {
    var cpu = Device.get_cpu ();
    assert (cpu.get_name () == "cpu" && cpu.get_device_type () == DeviceType.CPU);
    assert (cpu.get_index () == 0);
    try {
        assert (new Device.for_name ("cpu").equal (cpu));
        new Device.for_name ("cuda:%u".printf (Device.get_cuda_count ()));
        assert_not_reached ();
    } catch (Fit.Error.DEVICE e) {
    } catch (GLib.Error e) {
        error ("wrong error: %s", e.message);
    }
    assert (DType.FLOAT32.get_size () == 4 && DType.INT64.get_size () == 8);
    assert (DType.FLOAT64.get_name () == "float64");
    assert (DType.FLOAT64.is_floating () && !DType.INT32.is_floating ());
    var threads = Fit.get_num_threads ();
    Fit.set_num_threads (1);
    assert (Fit.get_num_threads () == 1);
    Fit.set_num_threads (threads);
    assert ("OpenBLAS" in Fit.get_blas_info ());
}

static int main (string[] args) {
    Test.init (ref args);
    Test.add_func ("/Fit/Vala/core/create", test_create);
    Test.add_func ("/Fit/Vala/core/errors", test_errors);
    Test.add_func ("/Fit/Vala/core/metadata", test_metadata);
    Test.add_func ("/Fit/Vala/core/conversion", test_conversion);
    Test.add_func ("/Fit/Vala/core/autograd", test_autograd);
    Test.add_func ("/Fit/Vala/core/shape", test_shape_ops);
    Test.add_func ("/Fit/Vala/core/pointwise", test_pointwise);
    Test.add_func ("/Fit/Vala/core/reduce", test_reduce);
    Test.add_func ("/Fit/Vala/core/conv", test_conv);
    Test.add_func ("/Fit/Vala/core/rng", test_rng);
    Test.add_func ("/Fit/Vala/core/device-types-runtime", test_device_types_runtime);
    return Test.run ();
}
