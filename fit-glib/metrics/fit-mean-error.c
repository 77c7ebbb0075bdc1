/* fit-mean-error.c: the mean element-wise errors (MAE, MSE, RMSE)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See fit-mean-error-private.h for why this is shared code and not a parent type.
 */

#include "config.h"

#include <math.h>

#include "fit-mean-error-private.h"

static void
fit_mean_error_reset (FitMetric  *metric,
                      GError    **error)
{
  FitMeanError *self = (FitMeanError *) metric;

  self->sum = 0;
  self->count = 0;
}

static gboolean
fit_mean_error_update (FitMetric  *metric,
                       FitTensor  *prediction,
                       FitTensor  *label,
                       GError    **error)
{
  FitMeanError *self = (FitMeanError *) metric;
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  gboolean absolute = self->kind == FIT_MEAN_ERROR_ABSOLUTE;
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

      sum += absolute ? fabs (d) : d * d;
    }
  self->sum += sum;
  self->count += n;
  return TRUE;
}

static void
fit_mean_error_compute (FitMetric  *metric,
                        double     *value,
                        GError    **error)
{
  FitMeanError *self = (FitMeanError *) metric;
  double mean;

  if (self->count == 0)
    {
      *value = NAN;
      return;
    }
  mean = self->sum / (double) self->count;
  *value = self->kind == FIT_MEAN_ERROR_ROOT_SQUARED ? sqrt (mean) : mean;
}

void
fit_mean_error_class_init (FitMetricClass *metric_class)
{
  metric_class->reset = fit_mean_error_reset;
  metric_class->update = fit_mean_error_update;
  metric_class->compute = fit_mean_error_compute;
}

void
fit_mean_error_init (FitMeanError     *self,
                     FitMeanErrorKind  kind,
                     const char       *name)
{
  self->kind = kind;
  fit_metric_set_name (FIT_METRIC (self), name);
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MIN);
}
