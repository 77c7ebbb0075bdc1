/* fit-mae.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitMae:
 *
 * The mean absolute error between predictions and labels; named `mae`.
 *
 * Predictions and labels have the same number of elements. The sums run over every
 * element of every update, so each sample weighs the same however the batches are cut.
 *
 * Since: 1.0
 */
struct _FitMae
{
  FitMetric parent_instance;
  double    sum;
  gint64    count;
};

G_DEFINE_FINAL_TYPE (FitMae, fit_mae, FIT_TYPE_METRIC)

static void
fit_mae_reset (FitMetric  *metric,
               GError    **error)
{
  FitMae *self = FIT_MAE (metric);

  self->sum = 0;
  self->count = 0;
}

static gboolean
fit_mae_update (FitMetric  *metric,
                FitTensor  *prediction,
                FitTensor  *label,
                GError    **error)
{
  FitMae *self = FIT_MAE (metric);
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

      sum += fabs (d);
    }
  self->sum += sum;
  self->count += n;
  return TRUE;
}

static void
fit_mae_compute (FitMetric  *metric,
                 double     *value,
                 GError    **error)
{
  FitMae *self = FIT_MAE (metric);

  *value = self->count > 0 ? self->sum / (double) self->count : NAN;
}

static void
fit_mae_class_init (FitMaeClass *klass)
{
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  metric_class->reset = fit_mae_reset;
  metric_class->update = fit_mae_update;
  metric_class->compute = fit_mae_compute;
}

static void
fit_mae_init (FitMae *self)
{
  fit_metric_set_name (FIT_METRIC (self), "mae");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MIN);
}

/**
 * fit_mae_new:
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_mae_new (void)
{
  return g_object_new (FIT_TYPE_MAE, NULL);
}
