/* fit-recall.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-confusion-metric-private.h"

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

/* FitConfusionMetric begins with the FitMetric parent instance
 * (fit-confusion-metric-private.h). */
struct _FitRecall
{
  FitConfusionMetric parent_instance;
};

G_DEFINE_FINAL_TYPE (FitRecall, fit_recall, FIT_TYPE_METRIC)

static void
fit_recall_class_init (FitRecallClass *klass)
{
  /**
   * FitRecall:average:
   *
   * How the per-class scores are combined. Setting it also sets the default name.
   *
   * Since: 1.0
   */
  /**
   * FitRecall:threshold:
   *
   * For binary predictions (no class dimension): values greater than the threshold
   * predict class 1.
   *
   * Since: 1.0
   */
  fit_confusion_metric_class_init (G_OBJECT_CLASS (klass));
}

static void
fit_recall_init (FitRecall *self)
{
  fit_confusion_metric_init (&self->parent_instance, FIT_CONFUSION_RECALL);
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
  return self->parent_instance.average;
}
