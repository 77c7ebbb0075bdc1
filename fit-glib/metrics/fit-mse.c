/* fit-mse.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-mean-error-private.h"

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

/* FitMeanError begins with the FitMetric parent instance (fit-mean-error-private.h). */
struct _FitMse
{
  FitMeanError parent_instance;
};

G_DEFINE_FINAL_TYPE (FitMse, fit_mse, FIT_TYPE_METRIC)

static void
fit_mse_class_init (FitMseClass *klass)
{
  fit_mean_error_class_init (FIT_METRIC_CLASS (klass));
}

static void
fit_mse_init (FitMse *self)
{
  fit_mean_error_init (&self->parent_instance, FIT_MEAN_ERROR_SQUARED, "mse");
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
