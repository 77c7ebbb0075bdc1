/* fit-metric-helpers.c: shape checks and class extraction shared by the built-in metrics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "fit-metric-private.h"

FitTensor *
fit_metric_host_tensor (FitTensor  *t,
                        GError    **error)
{
  if (fit_tensor_get_device_type (t) == FIT_DEVICE_TYPE_CPU)
    return g_object_ref (t);
  return fit_tensor_to_device (t, fit_device_get_cpu (), error);
}

gint64
fit_metric_batch_samples (FitTensor *t)
{
  return fit_tensor_get_n_dims (t) == 0 ? 1 : fit_tensor_get_dim (t, 0);
}

static void
argmax_rows (FitTensor *t,
             gint64     n_rows,
             gint64     n_cols,
             gint64    *out)
{
  FitMetricValues values = fit_metric_values (t);

  for (gint64 r = 0; r < n_rows; r++)
    {
      gint64 best = 0;
      double best_v = fit_metric_value (values, r * n_cols);

      /* NaN never wins, so a row of NaNs predicts class 0: the metric degrades instead
       * of reading out of range. */
      for (gint64 c = 1; c < n_cols; c++)
        {
          double v = fit_metric_value (values, r * n_cols + c);

          if (v > best_v || (isnan (best_v) && !isnan (v)))
            {
              best_v = v;
              best = c;
            }
        }
      out[r] = best;
    }
}

static char *
shapes_string (FitTensor *prediction,
               FitTensor *label)
{
  g_autofree char *p = fit_tensor_get_shape_string (prediction);
  g_autofree char *l = label != NULL ? fit_tensor_get_shape_string (label) : g_strdup ("none");

  return g_strdup_printf (_("predictions %s, labels %s"), p, l);
}

gboolean
fit_metric_classify (FitMetric  *metric,
                     FitTensor  *prediction,
                     FitTensor  *label,
                     double      threshold,
                     gint64    **predicted,
                     gint64    **truth,
                     gint64     *n_samples,
                     gint64     *n_classes,
                     GError    **error)
{
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  g_autofree gint64 *p_out = NULL;
  g_autofree gint64 *t_out = NULL;
  const gint64 *ps, *ls;
  guint pn, ln;
  gboolean binary, one_hot;
  gint64 n, c;

  if (label == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("Metric “%s” needs labels, but the batch has none"),
                   fit_metric_get_name (metric));
      return FALSE;
    }
  ps = fit_tensor_get_shape (prediction, &pn);
  ls = fit_tensor_get_shape (label, &ln);
  if (!fit_dtype_is_floating (fit_tensor_get_dtype (prediction)))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                   _("Metric “%s” needs floating-point predictions (scores or "
                     "probabilities), got %s"),
                   fit_metric_get_name (metric), fit_dtype_get_name (fit_tensor_get_dtype (prediction)));
      return FALSE;
    }

  /* Binary: the prediction has the labels' shape, or the labels' shape plus a trailing 1. */
  binary = fit_shape_equal (ps, pn, ls, ln) ||
           (pn == ln + 1 && ps[pn - 1] == 1 && fit_shape_equal (ps, ln, ls, ln));
  one_hot = !binary && pn >= 1 && fit_dtype_is_floating (fit_tensor_get_dtype (label)) &&
            fit_shape_equal (ps, pn, ls, ln);
  if (!binary && !one_hot && !(pn == ln + 1 && fit_shape_equal (ps, ln, ls, ln)))
    {
      g_autofree char *shapes = shapes_string (prediction, label);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Metric “%s” cannot compare %s: the predictions need the labels' "
                     "shape plus a last dimension of class scores (or the labels' shape "
                     "for binary predictions)"),
                   fit_metric_get_name (metric), shapes);
      return FALSE;
    }

  pred = fit_metric_host_tensor (prediction, error);
  if (pred == NULL)
    return FALSE;
  lab = fit_metric_host_tensor (label, error);
  if (lab == NULL)
    return FALSE;

  if (binary)
    {
      FitMetricValues pv = fit_metric_values (pred);
      FitMetricValues lv = fit_metric_values (lab);

      n = fit_tensor_get_numel (lab);
      c = 2;
      p_out = g_new (gint64, MAX (n, 1));
      t_out = g_new (gint64, MAX (n, 1));
      for (gint64 i = 0; i < n; i++)
        {
          double y = fit_metric_value (lv, i);

          p_out[i] = fit_metric_value (pv, i) > threshold ? 1 : 0;
          if (y != 0.0 && y != 1.0)
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                           _("Metric “%s” got label %g at position %" PRId64
                             " of a binary problem; labels must be 0 or 1"),
                           fit_metric_get_name (metric), y, i);
              return FALSE;
            }
          t_out[i] = (gint64) y;
        }
    }
  else
    {
      c = ps[pn - 1];
      n = c > 0 ? fit_tensor_get_numel (pred) / c : 0;
      p_out = g_new (gint64, MAX (n, 1));
      t_out = g_new (gint64, MAX (n, 1));
      argmax_rows (pred, n, c, p_out);
      if (one_hot)
        argmax_rows (lab, n, c, t_out);
      else
        {
          FitMetricValues lv = fit_metric_values (lab);

          for (gint64 i = 0; i < n; i++)
            {
              double y = fit_metric_value (lv, i);

              if (!(y >= 0 && y < c) || y != floor (y))
                {
                  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                               _("Metric “%s” got label %g at position %" PRId64
                                 ", outside the %" PRId64 " predicted classes "
                                 "(0 to %" PRId64 ")"),
                               fit_metric_get_name (metric), y, i, c, c - 1);
                  return FALSE;
                }
              t_out[i] = (gint64) y;
            }
        }
    }

  *predicted = g_steal_pointer (&p_out);
  *truth = g_steal_pointer (&t_out);
  *n_samples = n;
  *n_classes = c;
  return TRUE;
}

gboolean
fit_metric_check_pair (FitMetric   *metric,
                       FitTensor   *prediction,
                       FitTensor   *label,
                       FitTensor  **pred_host,
                       FitTensor  **label_host,
                       GError     **error)
{
  g_autoptr(FitTensor) p = NULL;
  g_autoptr(FitTensor) l = NULL;

  if (label == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("Metric “%s” needs labels, but the batch has none"),
                   fit_metric_get_name (metric));
      return FALSE;
    }
  if (fit_tensor_get_numel (prediction) != fit_tensor_get_numel (label))
    {
      g_autofree char *shapes = shapes_string (prediction, label);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Metric “%s” compares predictions and labels element by element, "
                     "but got %s with different numbers of elements"),
                   fit_metric_get_name (metric), shapes);
      return FALSE;
    }
  p = fit_metric_host_tensor (prediction, error);
  if (p == NULL)
    return FALSE;
  l = fit_metric_host_tensor (label, error);
  if (l == NULL)
    return FALSE;
  *pred_host = g_steal_pointer (&p);
  *label_host = g_steal_pointer (&l);
  return TRUE;
}

/* Checks a batch of class scores against class indices and returns host references to
 * both, with the number of classes and of scored positions. */
gboolean
fit_metric_class_scores (FitMetric   *metric,
                         FitTensor   *prediction,
                         FitTensor   *label,
                         FitTensor  **pred_host,
                         FitTensor  **label_host,
                         gint64      *n_positions,
                         gint64      *n_classes,
                         GError     **error)
{
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  const gint64 *ps, *ls = NULL;
  guint pn, ln = 0;
  gint64 c;

  ps = fit_tensor_get_shape (prediction, &pn);
  if (label != NULL)
    ls = fit_tensor_get_shape (label, &ln);
  if (label == NULL || pn != ln + 1 || !fit_shape_equal (ps, ln, ls, ln) ||
      !fit_dtype_is_floating (fit_tensor_get_dtype (prediction)))
    {
      g_autofree char *p = fit_tensor_get_shape_string (prediction);
      g_autofree char *l = label != NULL ? fit_tensor_get_shape_string (label) : g_strdup ("none");

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Metric “%s” needs floating-point class scores of the labels' shape "
                     "plus a class dimension and integer class labels; got predictions %s "
                     "(%s) and labels %s"),
                   fit_metric_get_name (metric), p,
                   fit_dtype_get_name (fit_tensor_get_dtype (prediction)), l);
      return FALSE;
    }
  pred = fit_metric_host_tensor (prediction, error);
  if (pred == NULL)
    return FALSE;
  lab = fit_metric_host_tensor (label, error);
  if (lab == NULL)
    return FALSE;

  c = ps[pn - 1];
  *n_classes = c;
  *n_positions = c > 0 ? fit_tensor_get_numel (pred) / c : 0;
  *pred_host = g_steal_pointer (&pred);
  *label_host = g_steal_pointer (&lab);
  return TRUE;
}

/* Class index @i of a host label tensor, checked against @n_classes. */
gboolean
fit_metric_class_label (FitMetric        *metric,
                        FitMetricValues   labels,
                        gint64            i,
                        gint64            n_classes,
                        gint64           *index,
                        GError          **error)
{
  double y = fit_metric_value (labels, i);

  if (!(y >= 0 && y < n_classes) || y != floor (y))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("Metric “%s” got label %g at position %" PRId64
                     ", outside the %" PRId64 " predicted classes"),
                   fit_metric_get_name (metric), y, i, n_classes);
      return FALSE;
    }
  *index = (gint64) y;
  return TRUE;
}

/* The summed cross-entropy of a batch of class scores against class indices, and the
 * number of positions it covers: the shared core of the cross-entropy and perplexity
 * metrics. */
gboolean
fit_metric_cross_entropy_sum (FitMetric  *metric,
                              FitTensor  *prediction,
                              FitTensor  *label,
                              gboolean    from_logits,
                              double     *total,
                              gint64     *count,
                              GError    **error)
{
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  FitMetricValues pv, lv;
  double sum = 0;
  gint64 n, c;

  if (!fit_metric_class_scores (metric, prediction, label, &pred, &lab, &n, &c, error))
    return FALSE;
  pv = fit_metric_values (pred);
  lv = fit_metric_values (lab);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 y;
      double target;

      if (!fit_metric_class_label (metric, lv, i, c, &y, error))
        return FALSE;
      target = fit_metric_value (pv, i * c + y);
      if (from_logits)
        {
          double max = -INFINITY, z = 0;

          /* log-sum-exp around the row maximum, so large logits do not overflow. */
          for (gint64 j = 0; j < c; j++)
            max = MAX (max, fit_metric_value (pv, i * c + j));
          for (gint64 j = 0; j < c; j++)
            z += exp (fit_metric_value (pv, i * c + j) - max);
          sum += max + log (z) - target;
        }
      else
        {
          /* Clamped as Keras does, so one confident mistake is large but finite. */
          sum -= log (CLAMP (target, 1e-7, 1.0));
        }
    }
  *total += sum;
  *count += n;
  return TRUE;
}
