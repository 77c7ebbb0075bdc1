/* fit-mse.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitMse:
 *
 * The mean squared error between predictions and labels; named `mse`.
 *
 * Predictions and labels have the same number of elements. The sums run over every
 * element of every update, so each sample weighs the same however the batches are cut.
 *
 * Since: 1.0
 */
struct _FitMse
{
  FitMetric parent_instance;
  double    sum;
  gint64    count;
};

G_DEFINE_FINAL_TYPE (FitMse, fit_mse, FIT_TYPE_METRIC)

static void
fit_mse_reset (FitMetric  *metric,
               GError    **error)
{
  FitMse *self = FIT_MSE (metric);

  self->sum = 0;
  self->count = 0;
}

static gboolean
fit_mse_update (FitMetric  *metric,
                FitTensor  *prediction,
                FitTensor  *label,
                GError    **error)
{
  FitMse *self = FIT_MSE (metric);
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  FitMetricValues pv, lv;
  double sum = 0;
  gint64 n;

  if (!fit_metric_check_pair (metric, prediction, label, &pred, &lab, error))
    return FALSE;
  pv = fit_metric_values (pred);
  lv = fit_metric_values (lab);
  n = fit_tensor_get_numel (pred);
  for (gint64 i = 0; i < n; i++)
    {
      double d = fit_metric_value (pv, i) - fit_metric_value (lv, i);

      sum += d * d;
    }
  self->sum += sum;
  self->count += n;
  return TRUE;
}

static void
fit_mse_compute (FitMetric  *metric,
                 double     *value,
                 GError    **error)
{
  FitMse *self = FIT_MSE (metric);

  *value = self->count > 0 ? self->sum / (double) self->count : NAN;
}

static void
fit_mse_class_init (FitMseClass *klass)
{
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  metric_class->reset = fit_mse_reset;
  metric_class->update = fit_mse_update;
  metric_class->compute = fit_mse_compute;
}

static void
fit_mse_init (FitMse *self)
{
  fit_metric_set_name (FIT_METRIC (self), "mse");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MIN);
}

/**
 * fit_mse_new:
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_mse_new (void)
{
  return g_object_new (FIT_TYPE_MSE, NULL);
}
