/* fit-f1-score.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-confusion-metric-private.h"

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

/* FitConfusionMetric begins with the FitMetric parent instance
 * (fit-confusion-metric-private.h). */
struct _FitF1Score
{
  FitConfusionMetric parent_instance;
};

G_DEFINE_FINAL_TYPE (FitF1Score, fit_f1_score, FIT_TYPE_METRIC)

static void
fit_f1_score_class_init (FitF1ScoreClass *klass)
{
  /**
   * FitF1Score:average:
   *
   * How the per-class scores are combined. Setting it also sets the default name.
   *
   * Since: 1.0
   */
  /**
   * FitF1Score:threshold:
   *
   * For binary predictions (no class dimension): values greater than the threshold
   * predict class 1.
   *
   * Since: 1.0
   */
  fit_confusion_metric_class_init (G_OBJECT_CLASS (klass));
}

static void
fit_f1_score_init (FitF1Score *self)
{
  fit_confusion_metric_init (&self->parent_instance, FIT_CONFUSION_F1);
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
  return self->parent_instance.average;
}
