/* test-gradient-accumulation-handler.c: FitGradientAccumulationHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static void
test_gradient_accumulation (void)
{
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) small = regressor (loss);
  g_autoptr(FitEstimator) large = regressor (loss);
  /* 14 samples: batches of 2 in groups of 3 (6, 6, 2 samples) against batches of 6. */
  g_autoptr(FitDataLoader) by2 = fit_test_regression_loader (14, 2, 4);
  g_autoptr(FitDataLoader) by6 = fit_test_regression_loader (14, 6, 4);
  g_autoptr(FitEventHandler) acc = fit_gradient_accumulation_handler_new (3);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);
  FitEventHandler *handlers[] = { acc, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GError) error = NULL;
  guint steps = 0;

  g_assert_true (fit_estimator_fit_full (small, by2, NULL, 3, 0, handlers, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (fit_estimator_fit (large, by6, NULL, 3, NULL, &error));
  g_assert_no_error (error);
  a = fit_test_params (small);
  b = fit_test_params (large);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (a, float, i), g_array_index (b, float, i), 1e-5);
  /* 3 steps per epoch: after batches 3, 6 and 7. */
  for (const char *p = strstr (log->str, "r:step-end"); p != NULL; p = strstr (p + 1, "r:step-end"))
    steps++;
  g_assert_cmpuint (steps, ==, 9);
  /* Reported losses are not scaled: the mean loss matches the big-batch run closely. */
  g_assert_cmpfloat (fabs (fit_history_record_get_value (fit_history_get_record (fit_estimator_get_history (small), 0), "train_loss") -
                           fit_history_record_get_value (fit_history_get_record (fit_estimator_get_history (large), 0), "train_loss")),
                     <, 0.5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/gradient-accumulation", test_gradient_accumulation);

  return g_test_run ();
}
