/* test-metric.c: FitMetric: what every built-in metric shares, copies, modes, and a
 * subclass's missing compute()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_errors (void)
{
  g_autoptr(FitMetric) acc = fit_accuracy_new ();
  g_autoptr(FitMetric) mse = fit_mse_new ();
  const float p[] = { 0.9f, 0.1f, 0.2f, 0.8f };
  const gint64 bad[] = { 0, 2 };
  const gint64 three[] = { 0, 1, 1 };
  g_autoptr(FitTensor) pt = floats (p, 4, 2, 2);
  g_autoptr(FitTensor) lb = labels (bad, 2);
  g_autoptr(FitTensor) l3 = labels (three, 3);
  g_autoptr(GError) error = NULL;

  g_assert_false (fit_metric_update (acc, pt, lb, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "label 2 at position 1"));
  g_clear_error (&error);
  g_assert_false (fit_metric_update (acc, pt, l3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[2, 2]"));
  g_clear_error (&error);
  g_assert_false (fit_metric_update (acc, pt, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (fit_metric_update (mse, pt, l3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  /* A failed update changes nothing. */
  g_assert_true (isnan (value_of (acc)));
}

static void
test_copy_and_modes (void)
{
  g_autoptr(FitMetric) top = fit_top_k_accuracy_new (3);
  g_autoptr(FitMetric) copy = NULL;
  g_autoptr(FitMetric) f1 = fit_f1_score_new (FIT_AVERAGE_MICRO);
  g_autoptr(FitMetric) f1_copy = NULL;

  fit_metric_set_name (top, "top3");
  copy = fit_metric_copy (top);
  g_assert_true (FIT_IS_TOP_K_ACCURACY (copy));
  g_assert_cmpuint (fit_top_k_accuracy_get_k (FIT_TOP_K_ACCURACY (copy)), ==, 3);
  g_assert_cmpstr (fit_metric_get_name (copy), ==, "top3");
  f1_copy = fit_metric_copy (f1);
  g_assert_cmpint (fit_f1_score_get_average (FIT_F1_SCORE (f1_copy)), ==, FIT_AVERAGE_MICRO);

  g_assert_cmpint (fit_monitor_mode_for_name ("val_accuracy"), ==, FIT_MONITOR_MODE_MAX);
  g_assert_cmpint (fit_monitor_mode_for_name ("train_f1"), ==, FIT_MONITOR_MODE_MAX);
  g_assert_cmpint (fit_monitor_mode_for_name ("val_loss"), ==, FIT_MONITOR_MODE_MIN);
  g_assert_cmpint (fit_monitor_mode_for_name ("val_perplexity"), ==, FIT_MONITOR_MODE_MIN);
  g_assert_cmpint (fit_monitor_mode_for_name ("val_mae"), ==, FIT_MONITOR_MODE_MIN);
}

/* A subclass that implements only update(): computing it is an error naming it, not a
 * made-up value, and its reset (the base class's) does nothing. */
#define TEST_TYPE_UPDATE_ONLY (test_update_only_get_type ())
G_DECLARE_FINAL_TYPE (TestUpdateOnly, test_update_only, TEST, UPDATE_ONLY, FitMetric)

struct _TestUpdateOnly
{
  FitMetric parent_instance;
};

G_DEFINE_FINAL_TYPE (TestUpdateOnly, test_update_only, FIT_TYPE_METRIC)

static gboolean
test_update_only_update (FitMetric  *metric,
                         FitTensor  *prediction,
                         FitTensor  *label,
                         GError    **error)
{
  return TRUE;
}

static void
test_update_only_class_init (TestUpdateOnlyClass *klass)
{
  FIT_METRIC_CLASS (klass)->update = test_update_only_update;
}

static void
test_update_only_init (TestUpdateOnly *self)
{
}

static void
test_unimplemented (void)
{
  g_autoptr(FitMetric) m = g_object_new (TEST_TYPE_UPDATE_ONLY, "name", "partial", NULL);
  g_autoptr(GError) error = NULL;

  fit_metric_reset (m, &error);
  g_assert_no_error (error);
  g_assert_true (isnan (fit_metric_get (m, &error)));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Metric “partial” (TestUpdateOnly) does not implement compute()");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Metric/errors", test_errors);
  g_test_add_func ("/Fit/Metric/copy-and-modes", test_copy_and_modes);
  g_test_add_func ("/Fit/Metric/unimplemented", test_unimplemented);

  return g_test_run ();
}
