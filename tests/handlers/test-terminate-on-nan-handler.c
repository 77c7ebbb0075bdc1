/* test-terminate-on-nan-handler.c: FitTerminateOnNanHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static void
test_terminate_on_nan (void)
{
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) est = regressor (loss);
  g_autoptr(FitDataLoader) train = fit_test_regression_loader (40, 4, 4);
  g_autoptr(FitEventHandler) nan = fit_terminate_on_nan_handler_new ();
  g_autoptr(GArray) params = NULL;
  g_autoptr(GError) error = NULL;

  /* A learning rate that makes the loss explode within a few batches. */
  fit_optimizer_set_learning_rate (fit_estimator_get_optimizer (est), 50.0);
  g_assert_false (fit_estimator_fit_full (est, train, NULL, 50, 0, &nan, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE);
  params = fit_test_params (est);
  for (guint i = 0; i < params->len; i++)
    g_assert_true (isfinite (g_array_index (params, float, i)));
  g_clear_error (&error);

  /* Or only stop. */
  g_object_set (nan, "fail", FALSE, NULL);
  g_assert_true (fit_estimator_fit_full (est, train, NULL, 50, 0, &nan, 1, NULL, &error));
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_STOPPED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/terminate-on-nan", test_terminate_on_nan);

  return g_test_run ();
}
