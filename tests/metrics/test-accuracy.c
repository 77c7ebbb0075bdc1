/* test-accuracy.c: FitAccuracy against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_accuracy_weighted (void)
{
  g_autoptr(FitMetric) acc = fit_accuracy_new ();
  const float p1[] = { 0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f };   /* predicts 0, 1, 0 */
  const gint64 l1[] = { 0, 1, 1 };
  const float p2[] = { 0.3f, 0.7f };                            /* predicts 1 */
  const gint64 l2[] = { 0 };

  g_assert_true (isnan (value_of (acc)));
  update (acc, floats (p1, 6, 3, 2), labels (l1, 3));
  update (acc, floats (p2, 2, 1, 2), labels (l2, 1));
  /* 2 right out of 4, not the mean of the batch accuracies (2/3 and 0). */
  g_assert_cmpfloat (value_of (acc), ==, 0.5);
  g_assert_cmpstr (fit_metric_get_name (acc), ==, "accuracy");
  g_assert_cmpint (fit_metric_get_mode (acc), ==, FIT_MONITOR_MODE_MAX);

  reset (acc);
  g_assert_true (isnan (value_of (acc)));
}

static void
test_accuracy_forms (void)
{
  g_autoptr(FitMetric) acc = fit_accuracy_new ();
  const float p[] = { 0.9f, 0.1f, 0.2f, 0.8f };
  const float onehot[] = { 0, 1, 0, 1 };
  const float probs[] = { 0.7f, 0.2f, 0.6f };
  const float binary[] = { 1, 0, 0 };

  update (acc, floats (p, 4, 2, 2), floats (onehot, 4, 2, 2));
  g_assert_cmpfloat (value_of (acc), ==, 0.5);
  reset (acc);
  /* No class dimension: binary probabilities at 0.5. */
  update (acc, floats (probs, 3, 3, 0), floats (binary, 3, 3, 0));
  g_assert_cmpfloat_with_epsilon (value_of (acc), 2.0 / 3.0, 1e-12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Accuracy/weighted", test_accuracy_weighted);
  g_test_add_func ("/Fit/Accuracy/forms", test_accuracy_forms);

  return g_test_run ();
}
