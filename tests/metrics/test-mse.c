/* test-mse.c: FitMse against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_mse (void)
{
  g_autoptr(FitMetric) mse = fit_mse_new ();

  update_regression (mse);
  g_assert_cmpfloat_with_epsilon (value_of (mse), 14.0 / 4, 1e-12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Mse/values", test_mse);

  return g_test_run ();
}
