/* test-top-k-accuracy.c: FitTopKAccuracy against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/TopKAccuracy/values", test_top_k);
  g_test_add_func ("/Fit/TopKAccuracy/errors", test_top_k_errors);

  return g_test_run ();
}
