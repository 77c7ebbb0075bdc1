/* test-cross-entropy-metric.c: FitCrossEntropyMetric against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_cross_entropy (void)
{
  g_autoptr(FitMetric) ce = fit_cross_entropy_metric_new (TRUE);
  g_autoptr(FitMetric) ce_p = fit_cross_entropy_metric_new (FALSE);
  const float logits[] = { 1000, 0, 0, 0 };   /* large: must not overflow */
  const gint64 y[] = { 0, 1 };
  const float probs[] = { 0.25f, 0.75f };
  const gint64 yp[] = { 1 };
  double expected = (0 + log (2.0)) / 2;

  update (ce, floats (logits, 4, 2, 2), labels (y, 2));
  g_assert_cmpfloat_with_epsilon (value_of (ce), expected, 1e-9);
  update (ce_p, floats (probs, 2, 1, 2), labels (yp, 1));
  g_assert_cmpfloat_with_epsilon (value_of (ce_p), -log (0.75), 1e-6);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/CrossEntropyMetric/values", test_cross_entropy);

  return g_test_run ();
}
