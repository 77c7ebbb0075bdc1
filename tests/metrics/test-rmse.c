/* test-rmse.c: FitRmse against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_rmse (void)
{
  g_autoptr(FitMetric) rmse = fit_rmse_new ();

  update_regression (rmse);
  g_assert_cmpfloat_with_epsilon (value_of (rmse), sqrt (14.0 / 4), 1e-12);
  g_assert_cmpint (fit_metric_get_mode (rmse), ==, FIT_MONITOR_MODE_MIN);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Rmse/values", test_rmse);

  return g_test_run ();
}
