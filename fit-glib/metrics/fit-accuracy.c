/* fit-accuracy.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitAccuracy:
 *
 * The fraction of samples whose highest-scoring class is the labelled one; named
 * `accuracy`.
 *
 * Predictions hold class scores (logits or probabilities) in their last dimension; labels
 * are class indices with the predictions' leading shape, or one-hot rows. Predictions
 * without a class dimension are read as binary probabilities, thresholded at 0.5 (use
 * [class@Fit.BinaryAccuracy] to choose the threshold).
 *
 * Since: 1.0
 */
struct _FitAccuracy
{
  FitMetric parent_instance;
  gint64    correct;
  gint64    total;
};

G_DEFINE_FINAL_TYPE (FitAccuracy, fit_accuracy, FIT_TYPE_METRIC)

static void
fit_accuracy_reset (FitMetric  *metric,
                    GError    **error)
{
  FitAccuracy *self = FIT_ACCURACY (metric);

  self->correct = 0;
  self->total = 0;
}

static gboolean
fit_accuracy_update (FitMetric  *metric,
                     FitTensor  *prediction,
                     FitTensor  *label,
                     GError    **error)
{
  FitAccuracy *self = FIT_ACCURACY (metric);
  g_autofree gint64 *predicted = NULL;
  g_autofree gint64 *truth = NULL;
  gint64 n, k;

  if (!fit_metric_classify (metric, prediction, label, 0.5, &predicted, &truth, &n, &k, error))
    return FALSE;
  for (gint64 i = 0; i < n; i++)
    self->correct += predicted[i] == truth[i];
  self->total += n;
  return TRUE;
}

static void
fit_accuracy_compute (FitMetric  *metric,
                      double     *value,
                      GError    **error)
{
  FitAccuracy *self = FIT_ACCURACY (metric);

  *value = self->total > 0 ? (double) self->correct / (double) self->total : NAN;
}

static void
fit_accuracy_class_init (FitAccuracyClass *klass)
{
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  metric_class->reset = fit_accuracy_reset;
  metric_class->update = fit_accuracy_update;
  metric_class->compute = fit_accuracy_compute;
}

static void
fit_accuracy_init (FitAccuracy *self)
{
  fit_metric_set_name (FIT_METRIC (self), "accuracy");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}

/**
 * fit_accuracy_new:
 *
 * Creates an accuracy metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_accuracy_new (void)
{
  return g_object_new (FIT_TYPE_ACCURACY, NULL);
}
