/* test-mean-loss.c: FitMeanLoss against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_mean_loss (void)
{
  g_autoptr(FitMetric) loss = fit_mean_loss_new ();
  const float per_sample[] = { 1, 2, 3 };
  g_autoptr(FitTensor) t = floats (per_sample, 3, 3, 0);
  g_autoptr(GError) error = NULL;

  fit_mean_loss_update_value (FIT_MEAN_LOSS (loss), 2.0, 3);
  fit_mean_loss_update_value (FIT_MEAN_LOSS (loss), 6.0, 1);
  g_assert_cmpfloat (value_of (loss), ==, 3.0);
  g_assert_true (fit_metric_update (loss, t, NULL, &error));
  g_assert_cmpfloat (value_of (loss), ==, (12.0 + 6.0) / 7);
  g_assert_cmpstr (fit_metric_get_name (loss), ==, "loss");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/MeanLoss/values", test_mean_loss);

  return g_test_run ();
}
