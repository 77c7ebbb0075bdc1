/* test-data.vala: a dataset implemented in Vala feeding a DataLoader
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Item i: input [i, i*i], label i. get_batch is left to the interface's default, which
 * stacks items (introspection/Fit-1.0.metadata tells Vala it is virtual). */
class Squares : Object, Fit.Dataset {
  public uint64 n;

  public Squares (uint64 n) {
    this.n = n;
  }

  public uint64 get_n_items () {
    return n;
  }

  public bool get_item (uint64 index, out Fit.Tensor? input, out Fit.Tensor? label) throws Error {
    input = new Fit.Tensor.from_floats ({ (float) index, (float) (index * index) }, { 2 });
    label = new Fit.Tensor.from_int64s ({ (int64) index }, {});
    return true;
  }
}

void test_vala_dataset () {
  var ds = new Squares (9);
  var loader = new Fit.DataLoader (ds, 4);
  loader.shuffle = true;
  loader.seed = 5;
  var seen = new bool[9];
  int n_batches = 0;

  try {
    Fit.Tensor? x, y;
    var it = loader.iterate (0, 0);

    while (it.next (out x, out y)) {
      var xs = x.to_floats ();
      var ys = y.to_int64s ();

      n_batches++;
      for (int i = 0; i < ys.length; i++) {
        assert (!seen[ys[i]]);
        seen[ys[i]] = true;
        assert (xs[2 * i] == (float) ys[i]);
        assert (xs[2 * i + 1] == (float) (ys[i] * ys[i]));
      }
    }
    assert (x == null);

    /* The item path works through the C wrapper too. */
    Fit.Tensor? item, label;
    assert (ds.get_item (3, out item, out label));
    assert (item.to_floats ()[1] == 9.0f);
  } catch (Error e) {
    error ("%s", e.message);
  }
  assert (n_batches == 3);
  foreach (var s in seen)
    assert (s);
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/Fit/Dataset/vala", test_vala_dataset);
  return Test.run ();
}
