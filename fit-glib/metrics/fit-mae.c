/* fit-mae.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-mean-error-private.h"

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

/* FitMeanError begins with the FitMetric parent instance (fit-mean-error-private.h). */
struct _FitMae
{
  FitMeanError parent_instance;
};

G_DEFINE_FINAL_TYPE (FitMae, fit_mae, FIT_TYPE_METRIC)

static void
fit_mae_class_init (FitMaeClass *klass)
{
  fit_mean_error_class_init (FIT_METRIC_CLASS (klass));
}

static void
fit_mae_init (FitMae *self)
{
  fit_mean_error_init (&self->parent_instance, FIT_MEAN_ERROR_ABSOLUTE, "mae");
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
