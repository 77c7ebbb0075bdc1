/* fit-rmse.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-mean-error-private.h"

/**
 * FitRmse:
 *
 * The root of the mean squared error over every update (not a mean of batch roots); named `rmse`.
 *
 * Predictions and labels have the same number of elements. The sums run over every
 * element of every update, so each sample weighs the same however the batches are cut.
 *
 * Since: 1.0
 */

/* FitMeanError begins with the FitMetric parent instance (fit-mean-error-private.h). */
struct _FitRmse
{
  FitMeanError parent_instance;
};

G_DEFINE_FINAL_TYPE (FitRmse, fit_rmse, FIT_TYPE_METRIC)

static void
fit_rmse_class_init (FitRmseClass *klass)
{
  fit_mean_error_class_init (FIT_METRIC_CLASS (klass));
}

static void
fit_rmse_init (FitRmse *self)
{
  fit_mean_error_init (&self->parent_instance, FIT_MEAN_ERROR_ROOT_SQUARED, "rmse");
}

/**
 * fit_rmse_new:
 *
 * Creates the metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_rmse_new (void)
{
  return g_object_new (FIT_TYPE_RMSE, NULL);
}
