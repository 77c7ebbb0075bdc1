/* fit-recall.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitRecall:
 *
 * The fraction of a class's samples that are found, tp / (tp + fn).
 *
 * Predictions hold class scores in their last dimension and labels are class indices (or
 * one-hot rows); predictions without a class dimension are binary probabilities,
 * thresholded at [property@Fit.Recall:threshold]. Counts accumulate over every update, so
 * the score of an epoch is the score of all its samples, not a mean of batch scores.
 * [property@Fit.Recall:average] combines the classes: the default name is `recall` for
 * %FIT_AVERAGE_MACRO, `micro_recall` for %FIT_AVERAGE_MICRO and `binary_recall` for
 * %FIT_AVERAGE_BINARY. A class with an empty denominator scores 0, as scikit-learn's
 * `zero_division=0` does; macro averages skip classes that neither occur nor are
 * predicted.
 *
 * Since: 1.0
 */
struct _FitRecall
{
  FitMetric     parent_instance;
  FitAverage    average;
  double        threshold;
  FitConfusion  counts;
};

enum { PROP_0, PROP_AVERAGE, PROP_THRESHOLD, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitRecall, fit_recall, FIT_TYPE_METRIC)

static void
fit_recall_finalize (GObject *object)
{
  fit_confusion_clear (&FIT_RECALL (object)->counts);
  G_OBJECT_CLASS (fit_recall_parent_class)->finalize (object);
}

static void
fit_recall_reset (FitMetric  *metric,
                  GError    **error)
{
  fit_confusion_clear (&FIT_RECALL (metric)->counts);
}

static gboolean
fit_recall_update (FitMetric  *metric,
                   FitTensor  *prediction,
                   FitTensor  *label,
                   GError    **error)
{
  FitRecall *self = FIT_RECALL (metric);

  return fit_confusion_update (&self->counts, metric, prediction, label, self->threshold, error);
}

static void
fit_recall_compute (FitMetric  *metric,
                    double     *value,
                    GError    **error)
{
  FitRecall *self = FIT_RECALL (metric);

  *value = fit_confusion_score (&self->counts, self->average, 1);
}

static void
fit_recall_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FitRecall *self = FIT_RECALL (object);

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
fit_recall_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FitRecall *self = FIT_RECALL (object);

  switch (prop_id)
    {
    case PROP_AVERAGE:
      {
        static const char * const names[] = { "recall", "micro_recall", "binary_recall" };

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
fit_recall_class_init (FitRecallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  object_class->finalize = fit_recall_finalize;
  object_class->get_property = fit_recall_get_property;
  object_class->set_property = fit_recall_set_property;
  metric_class->reset = fit_recall_reset;
  metric_class->update = fit_recall_update;
  metric_class->compute = fit_recall_compute;

  /**
   * FitRecall:average:
   *
   * How the per-class scores are combined. Setting it also sets the default name.
   *
   * Since: 1.0
   */
  properties[PROP_AVERAGE] =
    g_param_spec_enum ("average", NULL, NULL, FIT_TYPE_AVERAGE, FIT_AVERAGE_MACRO,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitRecall:threshold:
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
fit_recall_init (FitRecall *self)
{
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}

/**
 * fit_recall_new:
 * @average: how the classes are combined
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_recall_new (FitAverage average)
{
  return g_object_new (FIT_TYPE_RECALL, "average", average, NULL);
}

/**
 * fit_recall_get_average:
 * @self: the metric
 *
 * Gets [property@Fit.Recall:average].
 *
 * Returns: [property@Fit.Recall:average]
 *
 * Since: 1.0
 */
FitAverage
fit_recall_get_average (FitRecall *self)
{
  g_return_val_if_fail (FIT_IS_RECALL (self), FIT_AVERAGE_MACRO);
  return self->average;
}
