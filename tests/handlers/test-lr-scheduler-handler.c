/* test-lr-scheduler-handler.c: FitLrSchedulerHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static gboolean record_lr (FitEventHandler *h, FitEstimator *est, GError **error);
PROBE_TYPE (LrProbe, lr_probe, batch_end, record_lr, 0)

static gboolean
record_lr (FitEventHandler  *h,
           FitEstimator     *est,
           GError          **error)
{
  double lr = fit_estimator_get_learning_rate (est);

  g_array_append_val (((LrProbe *) h)->values, lr);
  return TRUE;
}

static void
test_lr_schedules (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (6, 3, 8);
  g_autoptr(FitLrSchedule) step = fit_step_lr_new (3, 0.5);
  g_autoptr(FitEventHandler) sched = fit_lr_scheduler_handler_new (step, TRUE);
  g_autoptr(FitEventHandler) plateau = fit_reduce_lr_on_plateau_handler_new ("train_loss", 0.5, 1);
  g_autoptr(LrProbe) rec = g_object_new (lr_probe_get_type (), NULL);
  FitEventHandler *h1[] = { sched, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;
  g_autofree double *lrs = NULL;
  guint n;

  g_assert_true (fit_estimator_fit_full (est, train, val, 2, 0, h1, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec->values->len, ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (rec->values, double, i),
                                    0.1 * pow (0.5, i / 3), 1e-12);

  /* Maximising a falling loss never improves: the rate halves after every epoch. */
  fit_optimizer_set_learning_rate (fit_estimator_get_optimizer (est), 0.1);
  g_object_set (plateau, "mode", FIT_MONITOR_MODE_MAX, NULL);
  g_assert_true (fit_estimator_fit_full (est, train, val, 4, 0, &plateau, 1, NULL, &error));
  g_assert_no_error (error);
  lrs = fit_history_get_values (fit_estimator_get_history (est), "learning_rate", &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat_with_epsilon (lrs[0], 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (lrs[1], 0.05, 1e-12);
  g_assert_cmpfloat_with_epsilon (lrs[2], 0.025, 1e-12);

  /* A base rate the optimizer cannot take fails the fit (it was a critical at every
   * batch). */
  g_object_set (sched, "base-lr", -1.0, NULL);
  g_assert_false (fit_estimator_fit_full (est, train, val, 1, 0, &sched, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "base-lr"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/lr-schedules", test_lr_schedules);

  return g_test_run ();
}
