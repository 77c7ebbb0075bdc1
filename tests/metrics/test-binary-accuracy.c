/* test-binary-accuracy.c: FitBinaryAccuracy against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_binary_accuracy (void)
{
  g_autoptr(FitMetric) acc = fit_binary_accuracy_new (0.0);
  const float logits[] = { 2.0f, -1.0f, 0.5f, -0.5f, 3.0f, -2.0f };
  const float y[] = { 1, 0, 0, 0, 1, 1 };

  /* Multi-label [3, 2]: every element is scored. */
  update (acc, floats (logits, 6, 3, 2), floats (y, 6, 3, 2));
  g_assert_cmpfloat_with_epsilon (value_of (acc), 4.0 / 6.0, 1e-12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/BinaryAccuracy/multi-label", test_binary_accuracy);

  return g_test_run ();
}
