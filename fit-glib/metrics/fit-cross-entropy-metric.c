/* fit-cross-entropy-metric.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitCrossEntropyMetric:
 *
 * The mean negative log-likelihood of the labelled classes, in nats; named `cross_entropy`.
 *
 * Predictions hold class scores in their last dimension, as logits (the default) or as
 * probabilities ([property@Fit.CrossEntropyMetric:from-logits] %FALSE); labels are class indices with
 * the predictions' leading shape. Every position counts as one sample, so a sequence
 * model's `[batch, time, classes]` outputs score each token.
 *
 * Since: 1.0
 */
struct _FitCrossEntropyMetric
{
  FitMetric parent_instance;
  gboolean  from_logits;
  double    sum;
  gint64    count;
};

enum { PROP_0, PROP_FROM_LOGITS, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitCrossEntropyMetric, fit_cross_entropy_metric, FIT_TYPE_METRIC)

static void
fit_cross_entropy_metric_reset (FitMetric  *metric,
                                GError    **error)
{
  FitCrossEntropyMetric *self = FIT_CROSS_ENTROPY_METRIC (metric);

  self->sum = 0;
  self->count = 0;
}

static gboolean
fit_cross_entropy_metric_update (FitMetric  *metric,
                                 FitTensor  *prediction,
                                 FitTensor  *label,
                                 GError    **error)
{
  FitCrossEntropyMetric *self = FIT_CROSS_ENTROPY_METRIC (metric);

  return fit_metric_cross_entropy_sum (metric, prediction, label, self->from_logits,
                                       &self->sum, &self->count, error);
}

static void
fit_cross_entropy_metric_compute (FitMetric  *metric,
                                  double     *value,
                                  GError    **error)
{
  FitCrossEntropyMetric *self = FIT_CROSS_ENTROPY_METRIC (metric);

  *value = self->count > 0 ? self->sum / (double) self->count : NAN;
}

static void
fit_cross_entropy_metric_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  FitCrossEntropyMetric *self = FIT_CROSS_ENTROPY_METRIC (object);

  switch (prop_id)
    {
    case PROP_FROM_LOGITS:
      g_value_set_boolean (value, self->from_logits);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_cross_entropy_metric_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  FitCrossEntropyMetric *self = FIT_CROSS_ENTROPY_METRIC (object);

  switch (prop_id)
    {
    case PROP_FROM_LOGITS:
      if (self->from_logits != g_value_get_boolean (value))
        {
          self->from_logits = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_cross_entropy_metric_class_init (FitCrossEntropyMetricClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  object_class->get_property = fit_cross_entropy_metric_get_property;
  object_class->set_property = fit_cross_entropy_metric_set_property;
  metric_class->reset = fit_cross_entropy_metric_reset;
  metric_class->update = fit_cross_entropy_metric_update;
  metric_class->compute = fit_cross_entropy_metric_compute;

  /**
   * FitCrossEntropyMetric:from-logits:
   *
   * Whether predictions are unnormalised scores (a softmax is applied) rather than
   * probabilities.
   *
   * Since: 1.0
   */
  properties[PROP_FROM_LOGITS] =
    g_param_spec_boolean ("from-logits", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_cross_entropy_metric_init (FitCrossEntropyMetric *self)
{
  fit_metric_set_name (FIT_METRIC (self), "cross_entropy");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MIN);
}

/**
 * fit_cross_entropy_metric_new:
 * @from_logits: whether predictions are logits rather than probabilities
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_cross_entropy_metric_new (gboolean from_logits)
{
  return g_object_new (FIT_TYPE_CROSS_ENTROPY_METRIC, "from-logits", from_logits, NULL);
}
