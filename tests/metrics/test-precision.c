/* test-precision.c: FitPrecision against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_precision_macro (void)
{
  g_autoptr(FitMetric) pm = fit_precision_new (FIT_AVERAGE_MACRO);

  update_three_classes (pm);
  g_assert_cmpfloat_with_epsilon (value_of (pm), (P0 + P1 + P2) / 3, 1e-12);
}

static void
test_precision_binary (void)
{
  g_autoptr(FitMetric) prec = fit_precision_new (FIT_AVERAGE_BINARY);

  update_binary (prec);
  g_assert_cmpfloat_with_epsilon (value_of (prec), 2.0 / 3, 1e-12);
  g_assert_cmpstr (fit_metric_get_name (prec), ==, "binary_precision");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Precision/macro", test_precision_macro);
  g_test_add_func ("/Fit/Precision/binary", test_precision_binary);

  return g_test_run ();
}
