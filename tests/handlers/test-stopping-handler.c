/* test-stopping-handler.c: FitStoppingHandler, and FitTimeLimitHandler in the same test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static void
test_stopping_and_time_limit (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 7);
  g_autoptr(FitEventHandler) stop = fit_stopping_handler_new (0, 5);
  g_autoptr(FitEventHandler) time = fit_time_limit_handler_new (0);
  g_autoptr(FitEventHandler) epochs = fit_stopping_handler_new (2, 0);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);
  FitEventHandler *h1[] = { stop, FIT_EVENT_HANDLER (rec) };
  FitEventHandler *h2[] = { time, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;

  g_assert_true (fit_estimator_fit_full (est, train, NULL, 10, 0, h1, 2, NULL, &error));
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_assert_cmpstr (strstr (log->str, "r:epoch-begin r:batch-begin") != NULL ? "ok" : "no", ==, "ok");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (est))), ==, 2);

  g_string_truncate (log, 0);
  g_assert_true (fit_estimator_fit_full (est, train, NULL, 10, 0, h2, 2, NULL, &error));
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_assert_cmpstr (log->str, ==, "r:train-begin r:epoch-begin r:batch-begin r:forward-end "
                                 "r:loss-end r:backward-end r:step-end r:batch-end r:epoch-end "
                                 "r:train-end ");

  g_assert_true (fit_estimator_fit_full (est, train, NULL, 10, 0, &epochs, 1, NULL, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (est))), ==, 2);
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_STOPPED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/stopping-and-time-limit", test_stopping_and_time_limit);

  return g_test_run ();
}
