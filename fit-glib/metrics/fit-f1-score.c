/* fit-f1-score.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitF1Score:
 *
 * The harmonic mean of precision and recall, 2 tp / (2 tp + fp + fn).
 *
 * Predictions hold class scores in their last dimension and labels are class indices (or
 * one-hot rows); predictions without a class dimension are binary probabilities,
 * thresholded at [property@Fit.F1Score:threshold]. Counts accumulate over every update, so
 * the score of an epoch is the score of all its samples, not a mean of batch scores.
 * [property@Fit.F1Score:average] combines the classes: the default name is `f1` for
 * %FIT_AVERAGE_MACRO, `micro_f1` for %FIT_AVERAGE_MICRO and `binary_f1` for
 * %FIT_AVERAGE_BINARY. A class with an empty denominator scores 0, as scikit-learn's
 * `zero_division=0` does; macro averages skip classes that neither occur nor are
 * predicted.
 *
 * Since: 1.0
 */
struct _FitF1Score
{
  FitMetric     parent_instance;
  FitAverage    average;
  double        threshold;
  FitConfusion  counts;
};

enum { PROP_0, PROP_AVERAGE, PROP_THRESHOLD, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitF1Score, fit_f1_score, FIT_TYPE_METRIC)

static void
fit_f1_score_finalize (GObject *object)
{
  fit_confusion_clear (&FIT_F1_SCORE (object)->counts);
  G_OBJECT_CLASS (fit_f1_score_parent_class)->finalize (object);
}

static void
fit_f1_score_reset (FitMetric  *metric,
                    GError    **error)
{
  fit_confusion_clear (&FIT_F1_SCORE (metric)->counts);
}

static gboolean
fit_f1_score_update (FitMetric  *metric,
                     FitTensor  *prediction,
                     FitTensor  *label,
                     GError    **error)
{
  FitF1Score *self = FIT_F1_SCORE (metric);

  return fit_confusion_update (&self->counts, metric, prediction, label, self->threshold, error);
}

static void
fit_f1_score_compute (FitMetric  *metric,
                      double     *value,
                      GError    **error)
{
  FitF1Score *self = FIT_F1_SCORE (metric);

  *value = fit_confusion_score (&self->counts, self->average, 2);
}

static void
fit_f1_score_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FitF1Score *self = FIT_F1_SCORE (object);

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
fit_f1_score_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FitF1Score *self = FIT_F1_SCORE (object);

  switch (prop_id)
    {
    case PROP_AVERAGE:
      {
        static const char * const names[] = { "f1", "micro_f1", "binary_f1" };

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
fit_f1_score_class_init (FitF1ScoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  object_class->finalize = fit_f1_score_finalize;
  object_class->get_property = fit_f1_score_get_property;
  object_class->set_property = fit_f1_score_set_property;
  metric_class->reset = fit_f1_score_reset;
  metric_class->update = fit_f1_score_update;
  metric_class->compute = fit_f1_score_compute;

  /**
   * FitF1Score:average:
   *
   * How the per-class scores are combined. Setting it also sets the default name.
   *
   * Since: 1.0
   */
  properties[PROP_AVERAGE] =
    g_param_spec_enum ("average", NULL, NULL, FIT_TYPE_AVERAGE, FIT_AVERAGE_MACRO,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitF1Score:threshold:
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
fit_f1_score_init (FitF1Score *self)
{
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}

/**
 * fit_f1_score_new:
 * @average: how the classes are combined
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_f1_score_new (FitAverage average)
{
  return g_object_new (FIT_TYPE_F1_SCORE, "average", average, NULL);
}

/**
 * fit_f1_score_get_average:
 * @self: the metric
 *
 * Gets [property@Fit.F1Score:average].
 *
 * Returns: [property@Fit.F1Score:average]
 *
 * Since: 1.0
 */
FitAverage
fit_f1_score_get_average (FitF1Score *self)
{
  g_return_val_if_fail (FIT_IS_F1_SCORE (self), FIT_AVERAGE_MACRO);
  return self->average;
}
