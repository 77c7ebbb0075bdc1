/* fit-metric-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-estimator-handlers-private.h"

/**
 * FitMetricHandler:
 *
 * Keeps the estimator's metrics up to date: resets the training metrics at
 * `epoch-begin` and updates them at `batch-end`; resets the validation metrics at
 * `validate-begin` and updates them at `validate-batch-end`.
 *
 * Each [class@Fit.MeanLoss] gets the batch's loss weighted by its number of samples;
 * every other metric gets the outputs and the labels. A training batch whose loss was
 * not computed (skipped at `batch-begin` or `forward-end`) updates nothing, so a skipped
 * batch never counts the previous batch's loss again.
 *
 * A metric whose reset or update fails fails the fit with its error.
 *
 * Every fit uses one: the estimator adds a default unless one is added. Its priority is
 * %FIT_PRIORITY_METRIC, so handlers of higher priority read this batch's values.
 *
 * Since: 1.0
 */
struct _FitMetricHandler
{
  FitEventHandler parent_instance;
};

G_DEFINE_FINAL_TYPE (FitMetricHandler, fit_metric_handler, FIT_TYPE_EVENT_HANDLER)

static gboolean
reset_all (GPtrArray  *metrics,
           GError    **error)
{
  for (guint i = 0; i < metrics->len; i++)
    {
      GError *local_error = NULL;

      fit_metric_reset (g_ptr_array_index (metrics, i), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
update_all (FitEstimator  *estimator,
            GPtrArray     *metrics,
            GError       **error)
{
  FitTensor *loss = fit_estimator_get_loss_tensor (estimator);
  FitTensor *outputs = fit_estimator_get_outputs (estimator);
  FitTensor *labels = fit_estimator_get_labels (estimator);

  if (loss == NULL)
    return TRUE;
  for (guint i = 0; i < metrics->len; i++)
    {
      FitMetric *metric = g_ptr_array_index (metrics, i);

      if (FIT_IS_MEAN_LOSS (metric))
        fit_mean_loss_update_value (FIT_MEAN_LOSS (metric),
                                    fit_estimator_get_loss_value (estimator),
                                    (double) fit_estimator_get_batch_size (estimator));
      else if (outputs != NULL && !fit_metric_update (metric, outputs, labels, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fit_metric_handler_epoch_begin (FitEventHandler  *handler,
                                FitEstimator     *estimator,
                                GError          **error)
{
  return reset_all (fit_estimator_peek_train_metrics (estimator), error);
}

static gboolean
fit_metric_handler_batch_end (FitEventHandler  *handler,
                              FitEstimator     *estimator,
                              GError          **error)
{
  return update_all (estimator, fit_estimator_peek_train_metrics (estimator), error);
}

static gboolean
fit_metric_handler_validate_begin (FitEventHandler  *handler,
                                   FitEstimator     *estimator,
                                   GError          **error)
{
  return reset_all (fit_estimator_peek_val_metrics (estimator), error);
}

static gboolean
fit_metric_handler_validate_batch_end (FitEventHandler  *handler,
                                       FitEstimator     *estimator,
                                       GError          **error)
{
  return update_all (estimator, fit_estimator_peek_val_metrics (estimator), error);
}

static void
fit_metric_handler_class_init (FitMetricHandlerClass *klass)
{
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  handler_class->epoch_begin = fit_metric_handler_epoch_begin;
  handler_class->batch_end = fit_metric_handler_batch_end;
  handler_class->validate_begin = fit_metric_handler_validate_begin;
  handler_class->validate_batch_end = fit_metric_handler_validate_batch_end;
}

static void
fit_metric_handler_init (FitMetricHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_METRIC);
}

/**
 * fit_metric_handler_new:
 *
 * Creates a metric handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_metric_handler_new (void)
{
  return g_object_new (FIT_TYPE_METRIC_HANDLER, NULL);
}
