/* fit-metrics-testing.h: tensors, updates and the batches the metric tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

static inline FitTensor *
floats (const float *v,
        gsize        n,
        gint64       rows,
        gint64       cols)
{
  gint64 shape[2] = { rows, cols };

  return fit_tensor_new_from_floats (v, n, shape, cols > 0 ? 2 : 1, NULL);
}

static inline FitTensor *
labels (const gint64 *v,
        gint64        n)
{
  gint64 shape[1] = { n };

  return fit_tensor_new_from_int64s (v, n, shape, 1, NULL);
}

static inline void
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

static inline double
value_of (FitMetric *m)
{
  g_autoptr(GError) error = NULL;
  double v = fit_metric_get (m, &error);

  g_assert_no_error (error);
  return v;
}

static inline void
reset (FitMetric *m)
{
  g_autoptr(GError) error = NULL;

  fit_metric_reset (m, &error);
  g_assert_no_error (error);
}

/* ---- precision, recall and F1: three classes, seven samples ----
 *
 * truth 0 0 1 1 2 2 2, predicted 0 1 1 1 2 0 2:
 * class 0: tp 1 fp 1 fn 1; class 1: tp 2 fp 1 fn 0; class 2: tp 2 fp 0 fn 1. */
#define P0 0.5
#define P1 (2.0 / 3)
#define P2 1.0
#define R0 0.5
#define R1 1.0
#define R2 (2.0 / 3)

/* Updates @m with the seven samples in two uneven batches: counts, not batch scores,
 * are accumulated. */
static inline void
update_three_classes (FitMetric *m)
{
  const gint64 truth[] = { 0, 0, 1, 1, 2, 2, 2 };
  const gint64 pred[] = { 0, 1, 1, 1, 2, 0, 2 };
  float p[7 * 3] = { 0 };

  for (guint i = 0; i < 7; i++)
    p[i * 3 + pred[i]] = 1;
  update (m, floats (p, 5 * 3, 5, 3), labels (truth, 5));
  update (m, floats (p + 15, 2 * 3, 2, 3), labels (truth + 5, 2));
}

/* Binary probabilities thresholded at 0.5, predicting 1 1 0 1 0 against labels
 * 1 0 1 1 0: tp 2, fp 1, fn 1. */
static inline void
update_binary (FitMetric *m)
{
  const float probs[] = { 0.9f, 0.8f, 0.2f, 0.7f, 0.1f };
  const gint64 y[] = { 1, 0, 1, 1, 0 };

  update (m, floats (probs, 5, 5, 0), labels (y, 5));
}

/* ---- MAE, MSE and RMSE: errors 0, 2, −1 in a first batch and 3 in a second ---- */

static inline void
update_regression (FitMetric *m)
{
  const float p1[] = { 1, 2, 3 }, y1[] = { 1, 0, 4 };    /* errors 0, 2, -1 */
  const float p2[] = { 5 }, y2[] = { 2 };                /* error 3 */

  update (m, floats (p1, 3, 3, 1), floats (y1, 3, 3, 0));
  update (m, floats (p2, 1, 1, 1), floats (y2, 1, 1, 0));
}
