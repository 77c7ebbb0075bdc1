/* fit-precision.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitPrecision:
 *
 * The fraction of predictions of a class that are right, tp / (tp + fp).
 *
 * Predictions hold class scores in their last dimension and labels are class indices (or
 * one-hot rows); predictions without a class dimension are binary probabilities,
 * thresholded at [property@Fit.Precision:threshold]. Counts accumulate over every update, so
 * the score of an epoch is the score of all its samples, not a mean of batch scores.
 * [property@Fit.Precision:average] combines the classes: the default name is `precision` for
 * %FIT_AVERAGE_MACRO, `micro_precision` for %FIT_AVERAGE_MICRO and `binary_precision` for
 * %FIT_AVERAGE_BINARY. A class with an empty denominator scores 0, as scikit-learn's
 * `zero_division=0` does; macro averages skip classes that neither occur nor are
 * predicted.
 *
 * Since: 1.0
 */
struct _FitPrecision
{
  FitMetric     parent_instance;
  FitAverage    average;
  double        threshold;
  FitConfusion  counts;
};

enum { PROP_0, PROP_AVERAGE, PROP_THRESHOLD, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitPrecision, fit_precision, FIT_TYPE_METRIC)

static void
fit_precision_finalize (GObject *object)
{
  fit_confusion_clear (&FIT_PRECISION (object)->counts);
  G_OBJECT_CLASS (fit_precision_parent_class)->finalize (object);
}

static void
fit_precision_reset (FitMetric  *metric,
                     GError    **error)
{
  fit_confusion_clear (&FIT_PRECISION (metric)->counts);
}

static gboolean
fit_precision_update (FitMetric  *metric,
                      FitTensor  *prediction,
                      FitTensor  *label,
                      GError    **error)
{
  FitPrecision *self = FIT_PRECISION (metric);

  return fit_confusion_update (&self->counts, metric, prediction, label, self->threshold, error);
}

static void
fit_precision_compute (FitMetric  *metric,
                       double     *value,
                       GError    **error)
{
  FitPrecision *self = FIT_PRECISION (metric);

  *value = fit_confusion_score (&self->counts, self->average, 0);
}

static void
fit_precision_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitPrecision *self = FIT_PRECISION (object);

  switch (prop_id)
    {
    case PROP_AVERAGE:
      g_value_set_enum (value, self->average);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_precision_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitPrecision *self = FIT_PRECISION (object);

  switch (prop_id)
    {
    case PROP_AVERAGE:
      {
        static const char * const names[] = { "precision", "micro_precision", "binary_precision" };

        self->average = g_value_get_enum (value);
        fit_metric_set_name (FIT_METRIC (self), names[self->average]);
      }
      break;
    case PROP_THRESHOLD:
      if (self->threshold != g_value_get_double (value))
        {
          self->threshold = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_precision_class_init (FitPrecisionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  object_class->finalize = fit_precision_finalize;
  object_class->get_property = fit_precision_get_property;
  object_class->set_property = fit_precision_set_property;
  metric_class->reset = fit_precision_reset;
  metric_class->update = fit_precision_update;
  metric_class->compute = fit_precision_compute;

  /**
   * FitPrecision:average:
   *
   * How the per-class scores are combined. Setting it also sets the default name.
   *
   * Since: 1.0
   */
  properties[PROP_AVERAGE] =
    g_param_spec_enum ("average", NULL, NULL, FIT_TYPE_AVERAGE, FIT_AVERAGE_MACRO,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitPrecision:threshold:
   *
   * For binary predictions (no class dimension): values greater than the threshold
   * predict class 1.
   *
   * Since: 1.0
   */
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.5,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_precision_init (FitPrecision *self)
{
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}

/**
 * fit_precision_new:
 * @average: how the classes are combined
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_precision_new (FitAverage average)
{
  return g_object_new (FIT_TYPE_PRECISION, "average", average, NULL);
}

/**
 * fit_precision_get_average:
 * @self: the metric
 *
 * Gets [property@Fit.Precision:average].
 *
 * Returns: [property@Fit.Precision:average]
 *
 * Since: 1.0
 */
FitAverage
fit_precision_get_average (FitPrecision *self)
{
  g_return_val_if_fail (FIT_IS_PRECISION (self), FIT_AVERAGE_MACRO);
  return self->average;
}
