/* test-metrics.c: the built-in metrics against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

static FitTensor *
floats (const float *v,
        gsize        n,
        gint64       rows,
        gint64       cols)
{
  gint64 shape[2] = { rows, cols };

  return fit_tensor_new_from_floats (v, n, shape, cols > 0 ? 2 : 1, NULL);
}

static FitTensor *
labels (const gint64 *v,
        gint64        n)
{
  gint64 shape[1] = { n };

  return fit_tensor_new_from_int64s (v, n, shape, 1, NULL);
}

static void
update (FitMetric *m,
        FitTensor *p,
        FitTensor *l)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fit_metric_update (m, p, l, &error));
  g_assert_no_error (error);
  g_object_unref (p);
  g_object_unref (l);
}

static double
value_of (FitMetric *m)
{
  g_autoptr(GError) error = NULL;
  double v = fit_metric_get (m, &error);

  g_assert_no_error (error);
  return v;
}

static void
reset (FitMetric *m)
{
  g_autoptr(GError) error = NULL;

  fit_metric_reset (m, &error);
  g_assert_no_error (error);
}

static void
test_accuracy_weighted (void)
{
  g_autoptr(FitMetric) acc = fit_accuracy_new ();
  const float p1[] = { 0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f };   /* predicts 0, 1, 0 */
  const gint64 l1[] = { 0, 1, 1 };
  const float p2[] = { 0.3f, 0.7f };                            /* predicts 1 */
  const gint64 l2[] = { 0 };

  g_assert_true (isnan (value_of (acc)));
  update (acc, floats (p1, 6, 3, 2), labels (l1, 3));
  update (acc, floats (p2, 2, 1, 2), labels (l2, 1));
  /* 2 right out of 4, not the mean of the batch accuracies (2/3 and 0). */
  g_assert_cmpfloat (value_of (acc), ==, 0.5);
  g_assert_cmpstr (fit_metric_get_name (acc), ==, "accuracy");
  g_assert_cmpint (fit_metric_get_mode (acc), ==, FIT_MONITOR_MODE_MAX);

  reset (acc);
  g_assert_true (isnan (value_of (acc)));
}

static void
test_accuracy_forms (void)
{
  g_autoptr(FitMetric) acc = fit_accuracy_new ();
  const float p[] = { 0.9f, 0.1f, 0.2f, 0.8f };
  const float onehot[] = { 0, 1, 0, 1 };
  const float probs[] = { 0.7f, 0.2f, 0.6f };
  const float binary[] = { 1, 0, 0 };

  update (acc, floats (p, 4, 2, 2), floats (onehot, 4, 2, 2));
  g_assert_cmpfloat (value_of (acc), ==, 0.5);
  reset (acc);
  /* No class dimension: binary probabilities at 0.5. */
  update (acc, floats (probs, 3, 3, 0), floats (binary, 3, 3, 0));
  g_assert_cmpfloat_with_epsilon (value_of (acc), 2.0 / 3.0, 1e-12);
}

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
test_top_k (void)
{
  g_autoptr(FitMetric) top2 = fit_top_k_accuracy_new (2);
  const float p[] = { 0.1f, 0.5f, 0.4f,      /* label 2: second best, hit */
                      0.1f, 0.5f, 0.4f,      /* label 0: third, miss */
                      0.3f, 0.3f, 0.3f,      /* label 1: tied for first, hit */
                      0.6f, 0.3f, 0.1f };    /* label 0: first, hit */
  const gint64 l[] = { 2, 0, 1, 0 };

  update (top2, floats (p, 12, 4, 3), labels (l, 4));
  g_assert_cmpfloat (value_of (top2), ==, 0.75);
  g_assert_cmpstr (fit_metric_get_name (top2), ==, "top_2_accuracy");
  g_assert_cmpuint (fit_top_k_accuracy_get_k (FIT_TOP_K_ACCURACY (top2)), ==, 2);
}

static void
test_top_k_errors (void)
{
  g_autoptr(FitMetric) top2 = fit_top_k_accuracy_new (2);
  const float p[] = { 0.1f, 0.5f, 0.4f, 0.6f, 0.3f, 0.1f };
  const gint64 bad[] = { 1, 3 };
  const gint64 three[] = { 0, 1, 1 };
  const gint64 misses[] = { 0, 2 };
  g_autoptr(FitTensor) pt = floats (p, 6, 2, 3);
  g_autoptr(FitTensor) lb = labels (bad, 2);
  g_autoptr(FitTensor) l3 = labels (three, 3);
  g_autoptr(GError) error = NULL;

  g_assert_false (fit_metric_update (top2, pt, lb, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "label 3 at position 1"));
  g_clear_error (&error);
  g_assert_false (fit_metric_update (top2, pt, l3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[2, 3]"));
  /* The first label was fine, but a failed update changes nothing: two misses next
   * score 0, not the earlier hit. */
  g_assert_true (isnan (value_of (top2)));
  update (top2, floats (p, 6, 2, 3), labels (misses, 2));
  g_assert_cmpfloat (value_of (top2), ==, 0.0);
}

static void
test_binary_accuracy (void)
{
  g_autoptr(FitMetric) acc = fit_binary_accuracy_new (0.0);
  const float logits[] = { 2.0f, -1.0f, 0.5f, -0.5f, 3.0f, -2.0f };
  const float y[] = { 1, 0, 0, 0, 1, 1 };

  /* Multi-label [3, 2]: every element is scored. */
  update (acc, floats (logits, 6, 3, 2), floats (y, 6, 3, 2));
  g_assert_cmpfloat_with_epsilon (value_of (acc), 4.0 / 6.0, 1e-12);
}

static void
test_precision_recall_f1 (void)
{
  /* truth 0 0 1 1 2 2 2, predicted 0 1 1 1 2 0 2:
   * class 0: tp 1 fp 1 fn 1; class 1: tp 2 fp 1 fn 0; class 2: tp 2 fp 0 fn 1. */
  const gint64 truth[] = { 0, 0, 1, 1, 2, 2, 2 };
  const gint64 pred[] = { 0, 1, 1, 1, 2, 0, 2 };
  float p[7 * 3] = { 0 };
  g_autoptr(FitMetric) pm = fit_precision_new (FIT_AVERAGE_MACRO);
  g_autoptr(FitMetric) rm = fit_recall_new (FIT_AVERAGE_MACRO);
  g_autoptr(FitMetric) fm = fit_f1_score_new (FIT_AVERAGE_MACRO);
  g_autoptr(FitMetric) fmi = fit_f1_score_new (FIT_AVERAGE_MICRO);
  double p0 = 0.5, p1 = 2.0 / 3, p2 = 1.0, r0 = 0.5, r1 = 1.0, r2 = 2.0 / 3;

  for (guint i = 0; i < 7; i++)
    p[i * 3 + pred[i]] = 1;
  /* In two uneven batches: counts, not batch scores, are accumulated. */
  for (FitMetric **m = (FitMetric *[]) { pm, rm, fm, fmi, NULL }; *m != NULL; m++)
    {
      update (*m, floats (p, 5 * 3, 5, 3), labels (truth, 5));
      update (*m, floats (p + 15, 2 * 3, 2, 3), labels (truth + 5, 2));
    }
  g_assert_cmpfloat_with_epsilon (value_of (pm), (p0 + p1 + p2) / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (rm), (r0 + r1 + r2) / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (fm),
                                  (2 * p0 * r0 / (p0 + r0) + 2 * p1 * r1 / (p1 + r1) +
                                   2 * p2 * r2 / (p2 + r2)) / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (fmi), 5.0 / 7.0, 1e-12);
  g_assert_cmpstr (fit_metric_get_name (fm), ==, "f1");
  g_assert_cmpstr (fit_metric_get_name (fmi), ==, "micro_f1");
}

static void
test_binary_precision (void)
{
  g_autoptr(FitMetric) prec = fit_precision_new (FIT_AVERAGE_BINARY);
  g_autoptr(FitMetric) rec = fit_recall_new (FIT_AVERAGE_BINARY);
  const float probs[] = { 0.9f, 0.8f, 0.2f, 0.7f, 0.1f };
  const gint64 y[] = { 1, 0, 1, 1, 0 };

  /* Predicted 1 1 0 1 0: tp 2, fp 1, fn 1. */
  update (prec, floats (probs, 5, 5, 0), labels (y, 5));
  update (rec, floats (probs, 5, 5, 0), labels (y, 5));
  g_assert_cmpfloat_with_epsilon (value_of (prec), 2.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (rec), 2.0 / 3, 1e-12);
  g_assert_cmpstr (fit_metric_get_name (prec), ==, "binary_precision");
}

static void
test_regression (void)
{
  g_autoptr(FitMetric) mae = fit_mae_new ();
  g_autoptr(FitMetric) mse = fit_mse_new ();
  g_autoptr(FitMetric) rmse = fit_rmse_new ();
  const float p1[] = { 1, 2, 3 }, y1[] = { 1, 0, 4 };    /* errors 0, 2, -1 */
  const float p2[] = { 5 }, y2[] = { 2 };                /* error 3 */

  for (FitMetric **m = (FitMetric *[]) { mae, mse, rmse, NULL }; *m != NULL; m++)
    {
      update (*m, floats (p1, 3, 3, 1), floats (y1, 3, 3, 0));
      update (*m, floats (p2, 1, 1, 1), floats (y2, 1, 1, 0));
    }
  g_assert_cmpfloat_with_epsilon (value_of (mae), 6.0 / 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (mse), 14.0 / 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (value_of (rmse), sqrt (14.0 / 4), 1e-12);
  g_assert_cmpint (fit_metric_get_mode (rmse), ==, FIT_MONITOR_MODE_MIN);
}

static void
test_cross_entropy (void)
{
  g_autoptr(FitMetric) ce = fit_cross_entropy_metric_new (TRUE);
  g_autoptr(FitMetric) ppl = fit_perplexity_new (TRUE);
  g_autoptr(FitMetric) ce_p = fit_cross_entropy_metric_new (FALSE);
  const float logits[] = { 1000, 0, 0, 0 };   /* large: must not overflow */
  const gint64 y[] = { 0, 1 };
  const float probs[] = { 0.25f, 0.75f };
  const gint64 yp[] = { 1 };
  double expected = (0 + log (2.0)) / 2;

  update (ce, floats (logits, 4, 2, 2), labels (y, 2));
  update (ppl, floats (logits, 4, 2, 2), labels (y, 2));
  g_assert_cmpfloat_with_epsilon (value_of (ce), expected, 1e-9);
  g_assert_cmpfloat_with_epsilon (value_of (ppl), exp (expected), 1e-9);
  update (ce_p, floats (probs, 2, 1, 2), labels (yp, 1));
  g_assert_cmpfloat_with_epsilon (value_of (ce_p), -log (0.75), 1e-6);
}

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

  g_test_add_func ("/Fit/Metric/accuracy/weighted", test_accuracy_weighted);
  g_test_add_func ("/Fit/Metric/accuracy/forms", test_accuracy_forms);
  g_test_add_func ("/Fit/Metric/errors", test_errors);
  g_test_add_func ("/Fit/Metric/top-k", test_top_k);
  g_test_add_func ("/Fit/Metric/top-k-errors", test_top_k_errors);
  g_test_add_func ("/Fit/Metric/binary-accuracy", test_binary_accuracy);
  g_test_add_func ("/Fit/Metric/precision-recall-f1", test_precision_recall_f1);
  g_test_add_func ("/Fit/Metric/binary-precision", test_binary_precision);
  g_test_add_func ("/Fit/Metric/regression", test_regression);
  g_test_add_func ("/Fit/Metric/cross-entropy", test_cross_entropy);
  g_test_add_func ("/Fit/Metric/mean-loss", test_mean_loss);
  g_test_add_func ("/Fit/Metric/copy-and-modes", test_copy_and_modes);
  g_test_add_func ("/Fit/Metric/unimplemented", test_unimplemented);

  return g_test_run ();
}
