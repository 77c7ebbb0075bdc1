/* fit-mean-loss.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitMeanLoss:
 *
 * The sample-weighted mean of a loss over the batches of an epoch; named `loss`.
 *
 * The estimator feeds it each batch's loss with the batch's number of samples as the
 * weight ([method@Fit.MeanLoss.update_value]), so a short last batch counts for what it
 * holds. [method@Fit.Metric.update] takes the loss tensor as the prediction and no label:
 * a scalar (a mean-reduced loss) weighs as many samples as its batch, which is unknown
 * there, so it counts as one; a tensor of per-sample losses weighs each element once.
 *
 * Since: 1.0
 */
struct _FitMeanLoss
{
  FitMetric parent_instance;
  double    sum;
  double    weight;
};

G_DEFINE_FINAL_TYPE (FitMeanLoss, fit_mean_loss, FIT_TYPE_METRIC)

static void
fit_mean_loss_reset (FitMetric  *metric,
                     GError    **error)
{
  FitMeanLoss *self = FIT_MEAN_LOSS (metric);

  self->sum = 0;
  self->weight = 0;
}

static gboolean
fit_mean_loss_update (FitMetric  *metric,
                      FitTensor  *prediction,
                      FitTensor  *label,
                      GError    **error)
{
  FitMeanLoss *self = FIT_MEAN_LOSS (metric);
  g_autoptr(FitTensor) loss = fit_metric_host_tensor (prediction, error);
  FitMetricValues values;
  double sum = 0;
  gint64 n;

  if (loss == NULL)
    return FALSE;
  values = fit_metric_values (loss);
  n = fit_tensor_get_numel (loss);
  for (gint64 i = 0; i < n; i++)
    sum += fit_metric_value (values, i);
  self->sum += sum;
  self->weight += (double) n;
  return TRUE;
}

static void
fit_mean_loss_compute (FitMetric  *metric,
                       double     *value,
                       GError    **error)
{
  FitMeanLoss *self = FIT_MEAN_LOSS (metric);

  *value = self->weight > 0 ? self->sum / self->weight : NAN;
}

static void
fit_mean_loss_class_init (FitMeanLossClass *klass)
{
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  metric_class->reset = fit_mean_loss_reset;
  metric_class->update = fit_mean_loss_update;
  metric_class->compute = fit_mean_loss_compute;
}

static void
fit_mean_loss_init (FitMeanLoss *self)
{
  fit_metric_set_name (FIT_METRIC (self), "loss");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MIN);
}

/**
 * fit_mean_loss_new:
 *
 * Creates a mean-loss metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_mean_loss_new (void)
{
  return g_object_new (FIT_TYPE_MEAN_LOSS, NULL);
}

/**
 * fit_mean_loss_update_value:
 * @self: a mean-loss metric
 * @value: a batch's mean loss
 * @weight: how many samples the value stands for (the batch size); not negative
 *
 * Adds one batch's loss with its weight.
 *
 * Since: 1.0
 */
void
fit_mean_loss_update_value (FitMeanLoss *self,
                            double       value,
                            double       weight)
{
  g_return_if_fail (FIT_IS_MEAN_LOSS (self));
  g_return_if_fail (weight >= 0);

  if (weight == 0)
    return;
  self->sum += value * weight;
  self->weight += weight;
}
