/* fit-top-k-accuracy.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitTopKAccuracy:
 *
 * The fraction of samples whose label is among the @k highest-scoring classes; named
 * `top_K_accuracy` (`top_5_accuracy` for k = 5).
 *
 * Predictions hold class scores in their last dimension, labels are class indices with
 * the predictions' leading shape. A class tied with the k-th score counts as in the top k
 * only if fewer than k classes score strictly higher, so ties never lower the score.
 *
 * Since: 1.0
 */
struct _FitTopKAccuracy
{
  FitMetric parent_instance;
  guint     k;
  gint64    correct;
  gint64    total;
};

enum { PROP_0, PROP_K, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitTopKAccuracy, fit_top_k_accuracy, FIT_TYPE_METRIC)

static void
fit_top_k_accuracy_reset (FitMetric  *metric,
                          GError    **error)
{
  FitTopKAccuracy *self = FIT_TOP_K_ACCURACY (metric);

  self->correct = 0;
  self->total = 0;
}

static gboolean
fit_top_k_accuracy_update (FitMetric  *metric,
                           FitTensor  *prediction,
                           FitTensor  *label,
                           GError    **error)
{
  FitTopKAccuracy *self = FIT_TOP_K_ACCURACY (metric);
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  FitMetricValues pv, lv;
  gint64 n, c, correct = 0;

  if (!fit_metric_class_scores (metric, prediction, label, &pred, &lab, &n, &c, error))
    return FALSE;
  pv = fit_metric_values (pred);
  lv = fit_metric_values (lab);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 y, higher = 0;
      double score;

      if (!fit_metric_class_label (metric, lv, i, c, &y, error))
        return FALSE;
      score = fit_metric_value (pv, i * c + y);
      for (gint64 j = 0; j < c; j++)
        higher += fit_metric_value (pv, i * c + j) > score;
      correct += higher < self->k && !isnan (score);
    }
  /* Only once every label checked out: a failed update changes nothing. */
  self->correct += correct;
  self->total += n;
  return TRUE;
}

static void
fit_top_k_accuracy_compute (FitMetric  *metric,
                            double     *value,
                            GError    **error)
{
  FitTopKAccuracy *self = FIT_TOP_K_ACCURACY (metric);

  *value = self->total > 0 ? (double) self->correct / (double) self->total : NAN;
}

static void
fit_top_k_accuracy_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  FitTopKAccuracy *self = FIT_TOP_K_ACCURACY (object);

  switch (prop_id)
    {
    case PROP_K:
      g_value_set_uint (value, self->k);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_top_k_accuracy_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  FitTopKAccuracy *self = FIT_TOP_K_ACCURACY (object);

  switch (prop_id)
    {
    case PROP_K:
      {
        g_autofree char *name = NULL;

        self->k = g_value_get_uint (value);
        name = g_strdup_printf ("top_%u_accuracy", self->k);
        fit_metric_set_name (FIT_METRIC (self), name);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_top_k_accuracy_class_init (FitTopKAccuracyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  object_class->get_property = fit_top_k_accuracy_get_property;
  object_class->set_property = fit_top_k_accuracy_set_property;
  metric_class->reset = fit_top_k_accuracy_reset;
  metric_class->update = fit_top_k_accuracy_update;
  metric_class->compute = fit_top_k_accuracy_compute;

  /**
   * FitTopKAccuracy:k:
   *
   * How many of the best-scoring classes count as a hit. Setting it also sets the
   * metric's name to `top_K_accuracy`.
   *
   * Since: 1.0
   */
  properties[PROP_K] =
    g_param_spec_uint ("k", NULL, NULL, 1, G_MAXUINT, 5,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_top_k_accuracy_init (FitTopKAccuracy *self)
{
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}

/**
 * fit_top_k_accuracy_new:
 * @k: how many of the best-scoring classes count as a hit (at least 1)
 *
 * Creates a top-k accuracy metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_top_k_accuracy_new (guint k)
{
  g_return_val_if_fail (k >= 1, NULL);
  return g_object_new (FIT_TYPE_TOP_K_ACCURACY, "k", k, NULL);
}

/**
 * fit_top_k_accuracy_get_k:
 * @self: a top-k accuracy metric
 *
 * Gets [property@Fit.TopKAccuracy:k].
 *
 * Returns: [property@Fit.TopKAccuracy:k]
 *
 * Since: 1.0
 */
guint
fit_top_k_accuracy_get_k (FitTopKAccuracy *self)
{
  g_return_val_if_fail (FIT_IS_TOP_K_ACCURACY (self), 0);
  return self->k;
}
