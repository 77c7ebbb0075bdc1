/* fit-batch-processor.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fit-estimator-handlers-private.h"

/**
 * FitBatchProcessor:
 *
 * What [class@Fit.Estimator] does with one batch: the supervised step by default,
 * anything a subclass wants instead.
 *
 * The default `fit_batch` runs
 *
 * 1. the forward pass ([method@Fit.Module.forward]), stores the outputs
 *    ([method@Fit.Estimator.set_outputs]) and emits `forward-end`;
 * 2. the loss ([method@Fit.Loss.compute]), stores it
 *    ([method@Fit.Estimator.set_loss_tensor]) and emits `loss-end`;
 * 3. the backward pass of the loss times [method@Fit.Estimator.get_loss_scale] (the mean
 *    of the elements when the loss is not reduced) and emits `backward-end`;
 * 4. the optimizer step, clears the gradients and emits `step-end`.
 *
 * Each step reads what the previous event left in the estimator, so handlers may
 * replace the outputs or the loss. After each event it returns early when a stop is
 * requested ([method@Fit.Estimator.get_stop_request]); the estimator then still emits
 * `batch-end`. Gradients are cleared right after the step, so that a batch whose step is
 * skipped (gradient accumulation) keeps its gradients and a stop request at `step-end`
 * cannot leak them into the next batch. Clearing sets each parameter's gradient to
 * %NULL, as PyTorch's `zero_grad(set_to_none=True)`: the next backward pass then takes
 * its fresh gradient over instead of adding it to a buffer of zeros.
 *
 * A subclass replaces the step for models the default does not fit: two optimizers (a
 * GAN), several outputs and losses. It emits the fine-grained events it has, with
 * [method@Fit.Estimator.emit], sets the outputs and the loss the metrics should see, and
 * returns %FALSE with an error to fail the fit. The default `evaluate_batch` runs the
 * forward pass and the loss without recording gradients; `predict_batch` returns the
 * forward pass's outputs.
 *
 * Since: 1.0
 */

G_DEFINE_TYPE (FitBatchProcessor, fit_batch_processor, G_TYPE_OBJECT)

static gboolean
stop_requested (FitEstimator *estimator)
{
  return fit_estimator_get_stop_request (estimator) != FIT_STOP_SCOPE_NONE;
}

/* Dropping the gradients rather than zeroing them saves two passes over every
 * parameter per step (the memset, then the add into zeros), a fifth of the tiny MLP's
 * step; the backward pass hands its own gradient tensors over without a copy. */
static void
clear_grads (FitEstimator *estimator)
{
  GPtrArray *params = fit_estimator_peek_parameters (estimator);

  for (guint i = 0; i < params->len; i++)
    fit_tensor_set_grad (g_ptr_array_index (params, i), NULL);
}

static gboolean
compute_loss (FitEstimator  *estimator,
              FitTensor     *labels,
              GError       **error)
{
  g_autoptr(FitTensor) loss = NULL;
  FitTensor *outputs = fit_estimator_get_outputs (estimator);

  if (outputs == NULL)
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_STATE,
                           _("The batch has no outputs to compute a loss from; a handler at "
                             "forward-end removed them"));
      return FALSE;
    }
  loss = fit_loss_compute (fit_estimator_get_loss (estimator), outputs, labels, error);
  if (loss == NULL)
    return FALSE;
  fit_estimator_set_loss_tensor (estimator, loss);
  return TRUE;
}

static gboolean
fit_batch_processor_real_fit_batch (FitBatchProcessor  *self,
                                    FitEstimator       *estimator,
                                    FitTensor          *inputs,
                                    FitTensor          *labels,
                                    GError            **error)
{
  g_autoptr(FitTensor) outputs = NULL;
  g_autoptr(FitTensor) seed = NULL;
  FitTensor *loss;
  guint n_dims;
  const gint64 *shape;

  outputs = fit_module_forward (fit_estimator_get_net (estimator), inputs, error);
  if (outputs == NULL)
    return FALSE;
  fit_estimator_set_outputs (estimator, outputs);
  if (!fit_estimator_emit (estimator, FIT_EVENT_FORWARD_END, error))
    return FALSE;
  if (stop_requested (estimator))
    return TRUE;

  if (!compute_loss (estimator, labels, error))
    return FALSE;
  if (!fit_estimator_emit (estimator, FIT_EVENT_LOSS_END, error))
    return FALSE;
  if (stop_requested (estimator))
    return TRUE;

  loss = fit_estimator_get_loss_tensor (estimator);
  if (loss == NULL)
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_STATE,
                           _("The batch has no loss to differentiate; a handler at loss-end "
                             "removed it"));
      return FALSE;
    }
  /* The seed carries the loss scale and, for unreduced losses, the mean over elements. */
  shape = fit_tensor_get_shape (loss, &n_dims);
  seed = fit_tensor_new_full (fit_tensor_get_dtype (loss), shape, n_dims,
                              fit_estimator_get_loss_scale (estimator) /
                              (double) MAX (fit_tensor_get_numel (loss), 1));
  if (!fit_tensor_backward_full (loss, seed, FALSE, error))
    return FALSE;
  if (!fit_estimator_emit (estimator, FIT_EVENT_BACKWARD_END, error))
    return FALSE;
  if (stop_requested (estimator))
    return TRUE;

  if (!fit_optimizer_step (fit_estimator_get_optimizer (estimator), error))
    return FALSE;
  clear_grads (estimator);
  return fit_estimator_emit (estimator, FIT_EVENT_STEP_END, error);
}

static gboolean
fit_batch_processor_real_evaluate_batch (FitBatchProcessor  *self,
                                         FitEstimator       *estimator,
                                         FitTensor          *inputs,
                                         FitTensor          *labels,
                                         GError            **error)
{
  g_autoptr(FitTensor) outputs = NULL;
  gboolean was_enabled = fit_grad_set_enabled (FALSE);
  gboolean ok;

  outputs = fit_module_forward (fit_estimator_get_net (estimator), inputs, error);
  ok = outputs != NULL;
  if (ok)
    {
      fit_estimator_set_outputs (estimator, outputs);
      ok = labels == NULL || compute_loss (estimator, labels, error);
    }
  fit_grad_set_enabled (was_enabled);
  return ok;
}

static FitTensor *
fit_batch_processor_real_predict_batch (FitBatchProcessor  *self,
                                        FitEstimator       *estimator,
                                        FitTensor          *inputs,
                                        GError            **error)
{
  gboolean was_enabled = fit_grad_set_enabled (FALSE);
  FitTensor *outputs = fit_module_forward (fit_estimator_get_net (estimator), inputs, error);

  fit_grad_set_enabled (was_enabled);
  return outputs;
}

static void
fit_batch_processor_class_init (FitBatchProcessorClass *klass)
{
  klass->fit_batch = fit_batch_processor_real_fit_batch;
  klass->evaluate_batch = fit_batch_processor_real_evaluate_batch;
  klass->predict_batch = fit_batch_processor_real_predict_batch;
}

static void
fit_batch_processor_init (FitBatchProcessor *self)
{
}

/**
 * fit_batch_processor_new:
 *
 * Creates the default processor, which does the supervised step.
 *
 * Returns: (transfer full): a new processor
 *
 * Since: 1.0
 */
FitBatchProcessor *
fit_batch_processor_new (void)
{
  return g_object_new (FIT_TYPE_BATCH_PROCESSOR, NULL);
}

static gboolean
check_result (FitBatchProcessor  *self,
              const char         *what,
              gboolean            ok,
              GError             *local_error,
              GError            **error)
{
  if (ok && local_error == NULL)
    return TRUE;
  if (local_error == NULL)
    local_error = g_error_new (FIT_ERROR, FIT_ERROR_FAILED,
                               _("Batch processor %s failed in %s without giving a reason "
                                 "(in Python, an exception that is not a GLib.Error, or a "
                                 "method that does not return True)"),
                               G_OBJECT_TYPE_NAME (self), what);
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * fit_batch_processor_fit_batch:
 * @self: a processor
 * @estimator: the estimator that is fitting
 * @inputs: the batch's inputs
 * @labels: (nullable): the batch's labels
 * @error: return location for a #GError
 *
 * Trains on one batch; see the class documentation for what the default does.
 *
 * Returns: %TRUE on success, including a batch cut short by a stop request
 *
 * Since: 1.0
 */
gboolean
fit_batch_processor_fit_batch (FitBatchProcessor  *self,
                               FitEstimator       *estimator,
                               FitTensor          *inputs,
                               FitTensor          *labels,
                               GError            **error)
{
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (FIT_IS_BATCH_PROCESSOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_ESTIMATOR (estimator), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (inputs), FALSE);

  ok = FIT_BATCH_PROCESSOR_GET_CLASS (self)->fit_batch (self, estimator, inputs, labels,
                                                        &local_error);
  return check_result (self, "fit_batch", ok, local_error, error);
}

/**
 * fit_batch_processor_evaluate_batch:
 * @self: a processor
 * @estimator: the estimator that is validating or evaluating
 * @inputs: the batch's inputs
 * @labels: (nullable): the batch's labels
 * @error: return location for a #GError
 *
 * Evaluates one batch: sets the estimator's outputs and loss without training.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
fit_batch_processor_evaluate_batch (FitBatchProcessor  *self,
                                    FitEstimator       *estimator,
                                    FitTensor          *inputs,
                                    FitTensor          *labels,
                                    GError            **error)
{
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (FIT_IS_BATCH_PROCESSOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_ESTIMATOR (estimator), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (inputs), FALSE);

  ok = FIT_BATCH_PROCESSOR_GET_CLASS (self)->evaluate_batch (self, estimator, inputs, labels,
                                                             &local_error);
  return check_result (self, "evaluate_batch", ok, local_error, error);
}

/**
 * fit_batch_processor_predict_batch:
 * @self: a processor
 * @estimator: the estimator that is predicting
 * @inputs: the batch's inputs
 * @error: return location for a #GError
 *
 * Computes the outputs for one batch of inputs.
 *
 * Returns: (transfer full): the outputs, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_batch_processor_predict_batch (FitBatchProcessor  *self,
                                   FitEstimator       *estimator,
                                   FitTensor          *inputs,
                                   GError            **error)
{
  GError *local_error = NULL;
  FitTensor *outputs;

  g_return_val_if_fail (FIT_IS_BATCH_PROCESSOR (self), NULL);
  g_return_val_if_fail (FIT_IS_ESTIMATOR (estimator), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (inputs), NULL);

  outputs = FIT_BATCH_PROCESSOR_GET_CLASS (self)->predict_batch (self, estimator, inputs,
                                                                 &local_error);
  if (!check_result (self, "predict_batch", outputs != NULL, local_error, error))
    {
      g_clear_object (&outputs);
      return NULL;
    }
  return outputs;
}
