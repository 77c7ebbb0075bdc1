/* test-mae.c: FitMae against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_mae (void)
{
  g_autoptr(FitMetric) mae = fit_mae_new ();

  update_regression (mae);
  g_assert_cmpfloat_with_epsilon (value_of (mae), 6.0 / 4, 1e-12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Mae/values", test_mae);

  return g_test_run ();
}
