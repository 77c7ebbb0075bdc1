/* test-f1-score.c: FitF1Score against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_f1_score_averages (void)
{
  g_autoptr(FitMetric) fm = fit_f1_score_new (FIT_AVERAGE_MACRO);
  g_autoptr(FitMetric) fmi = fit_f1_score_new (FIT_AVERAGE_MICRO);

  update_three_classes (fm);
  update_three_classes (fmi);
  g_assert_cmpfloat_with_epsilon (value_of (fm),
                                  (2 * P0 * R0 / (P0 + R0) + 2 * P1 * R1 / (P1 + R1) +
                                   2 * P2 * R2 / (P2 + R2)) / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (fmi), 5.0 / 7.0, 1e-12);
  g_assert_cmpstr (fit_metric_get_name (fm), ==, "f1");
  g_assert_cmpstr (fit_metric_get_name (fmi), ==, "micro_f1");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/F1Score/averages", test_f1_score_averages);

  return g_test_run ();
}
