/* fit-estimator-state.c: what a running fit exposes to handlers, and the stop requests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The counters (epoch, batch, step), the current batch's tensors and loss, which handlers
 * read and may replace; the requests handlers make of the loop: stop a batch, an epoch
 * or the training, validate at the next validation point.
 */

#include "config.h"

#include <math.h>

#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/nn/fit-nn-private.h"
#include "fit-estimator-private.h"

/**
 * fit_estimator_is_running:
 * @self: an estimator
 *
 * Gets whether a fit or an evaluation is running.
 *
 * Returns: whether a fit or an evaluation is running
 *
 * Since: 1.0
 */
gboolean
fit_estimator_is_running (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  return self->running;
}

/**
 * fit_estimator_get_phase:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:phase].
 *
 * Returns: [property@Fit.Estimator:phase]
 *
 * Since: 1.0
 */
FitPhase
fit_estimator_get_phase (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FIT_PHASE_IDLE);
  return self->phase;
}

/**
 * fit_estimator_get_event:
 * @self: an estimator
 *
 * Gets the event being delivered, or the latest one.
 *
 * Returns: the event being delivered, or the latest one
 *
 * Since: 1.0
 */
FitEvent
fit_estimator_get_event (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FIT_EVENT_TRAIN_BEGIN);
  return self->event;
}

/**
 * fit_estimator_get_epoch:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:epoch].
 *
 * Returns: [property@Fit.Estimator:epoch]
 *
 * Since: 1.0
 */
guint
fit_estimator_get_epoch (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->epoch;
}

/**
 * fit_estimator_get_epochs:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:epochs].
 *
 * Returns: [property@Fit.Estimator:epochs]
 *
 * Since: 1.0
 */
guint
fit_estimator_get_epochs (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->epochs;
}

/**
 * fit_estimator_get_batch_index:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:batch-index].
 *
 * Returns: [property@Fit.Estimator:batch-index]
 *
 * Since: 1.0
 */
guint64
fit_estimator_get_batch_index (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->batch_index;
}

/**
 * fit_estimator_get_n_batches:
 * @self: an estimator
 *
 * Gets the number of batches in the current epoch's training (or validation) pass.
 *
 * Returns: the number of batches in the current epoch's training (or validation) pass
 *
 * Since: 1.0
 */
guint64
fit_estimator_get_n_batches (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->n_batches;
}

/**
 * fit_estimator_get_global_step:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:global-step].
 *
 * Returns: [property@Fit.Estimator:global-step]
 *
 * Since: 1.0
 */
guint64
fit_estimator_get_global_step (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->global_step;
}

/**
 * fit_estimator_get_max_batches:
 * @self: an estimator
 *
 * Gets the current fit's limit on training batches, 0 for none.
 *
 * Returns: the current fit's limit on training batches, 0 for none
 *
 * Since: 1.0
 */
guint64
fit_estimator_get_max_batches (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->max_batches;
}

/**
 * fit_estimator_get_batch_size:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:batch-size].
 *
 * Returns: [property@Fit.Estimator:batch-size]
 *
 * Since: 1.0
 */
guint64
fit_estimator_get_batch_size (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 0);
  return self->batch_size;
}

/**
 * fit_estimator_get_train_data:
 * @self: an estimator
 *
 * Gets the current fit's training loader.
 *
 * Returns: (transfer none) (nullable): the current fit's training loader
 *
 * Since: 1.0
 */
FitDataLoader *
fit_estimator_get_train_data (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->train_data;
}

/**
 * fit_estimator_get_val_data:
 * @self: an estimator
 *
 * Gets the current fit's validation loader (or the evaluation's loader).
 *
 * Returns: (transfer none) (nullable): the current fit's validation loader (or the
 *   evaluation's loader)
 *
 * Since: 1.0
 */
FitDataLoader *
fit_estimator_get_val_data (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->val_data;
}

/**
 * fit_estimator_get_inputs:
 * @self: an estimator
 *
 * Gets the current batch's inputs, from `batch-begin` (or `validate-batch-begin`) to
 * `batch-end` (or `validate-batch-end`); %NULL between batches, when the estimator
 * has let go of the batch so that its memory is reused for the next one.
 *
 * Returns: (transfer none) (nullable): the current batch's inputs; %NULL between
 *   batches
 *
 * Since: 1.0
 */
FitTensor *
fit_estimator_get_inputs (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->inputs;
}

/**
 * fit_estimator_get_labels:
 * @self: an estimator
 *
 * Gets the current batch's labels, during a batch as
 * [method@Fit.Estimator.get_inputs]; %NULL between batches and for unlabelled data.
 *
 * Returns: (transfer none) (nullable): the current batch's labels; %NULL between
 *   batches
 *
 * Since: 1.0
 */
FitTensor *
fit_estimator_get_labels (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->labels;
}

static gint64
batch_samples (FitTensor *t)
{
  return t == NULL ? 0 : fit_tensor_get_n_dims (t) == 0 ? 1 : fit_tensor_get_dim (t, 0);
}

/**
 * fit_estimator_set_batch:
 * @self: an estimator
 * @inputs: the inputs the batch should use
 * @labels: (nullable): the labels the batch should use
 *
 * Replaces the current batch, for example from `batch-begin` to move it to a device or
 * to augment it; the batch processor reads it after `batch-begin`.
 *
 * Since: 1.0
 */
void
fit_estimator_set_batch (FitEstimator *self,
                         FitTensor    *inputs,
                         FitTensor    *labels)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (FIT_IS_TENSOR (inputs));
  g_return_if_fail (labels == NULL || FIT_IS_TENSOR (labels));

  g_set_object (&self->inputs, inputs);
  g_set_object (&self->labels, labels);
  self->batch_size = batch_samples (inputs);
}

/**
 * fit_estimator_get_outputs:
 * @self: an estimator
 *
 * Gets the current batch's outputs, from the forward pass to the batch's last event;
 * %NULL before the forward pass and between batches.
 *
 * Returns: (transfer none) (nullable): the current batch's outputs; %NULL before the
 *   forward pass and between batches
 *
 * Since: 1.0
 */
FitTensor *
fit_estimator_get_outputs (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->outputs;
}

/**
 * fit_estimator_set_outputs:
 * @self: an estimator
 * @outputs: (nullable): the outputs metrics should see
 *
 * Sets the current batch's outputs; batch processors call it after the forward pass.
 *
 * Since: 1.0
 */
void
fit_estimator_set_outputs (FitEstimator *self,
                           FitTensor    *outputs)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (outputs == NULL || FIT_IS_TENSOR (outputs));

  g_set_object (&self->outputs, outputs);
}

/**
 * fit_estimator_get_loss_tensor:
 * @self: an estimator
 *
 * Gets the current batch's loss, with its graph during a training batch; %NULL before
 * it is computed and between batches ([method@Fit.Estimator.get_loss_value] keeps the
 * last batch's value).
 *
 * Returns: (transfer none) (nullable): the current batch's loss, with its graph during a
 *   training batch; %NULL before it is computed and between batches
 *
 * Since: 1.0
 */
FitTensor *
fit_estimator_get_loss_tensor (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->loss_tensor;
}

static double
mean_of (FitTensor *t)
{
  g_autoptr(FitTensor) host = NULL;
  g_autofree double *values = NULL;
  gsize n;
  double sum = 0;

  if (fit_tensor_get_numel (t) == 1 && fit_tensor_get_device_type (t) == FIT_DEVICE_TYPE_CPU)
    return fit_tensor_item (t, &sum, NULL) ? sum : NAN;
  host = fit_tensor_to_device (t, fit_device_get_cpu (), NULL);
  if (host == NULL || fit_tensor_get_numel (host) == 0)
    return NAN;
  values = fit_tensor_to_doubles (host, &n);
  for (gsize i = 0; i < n; i++)
    sum += values[i];
  return sum / (double) n;
}

/**
 * fit_estimator_set_loss_tensor:
 * @self: an estimator
 * @loss: (nullable): the batch's loss
 *
 * Sets the current batch's loss; batch processors call it after computing the loss.
 * [method@Fit.Estimator.get_loss_value] becomes its value (the mean of its elements when
 * it is not reduced).
 *
 * Since: 1.0
 */
void
fit_estimator_set_loss_tensor (FitEstimator *self,
                               FitTensor    *loss)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (loss == NULL || FIT_IS_TENSOR (loss));

  g_set_object (&self->loss_tensor, loss);
  self->loss_value = loss != NULL ? mean_of (loss) : NAN;
}

/**
 * fit_estimator_get_loss_value:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:loss-value]; NaN until the current batch's loss is
 * computed, so a skipped batch never reports the previous batch's loss.
 *
 * Returns: [property@Fit.Estimator:loss-value]; NaN until the current batch's loss is
 *   computed, so a skipped batch never reports the previous batch's loss
 *
 * Since: 1.0
 */
double
fit_estimator_get_loss_value (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NAN);
  return self->loss_value;
}

/**
 * fit_estimator_scale_loss:
 * @self: an estimator
 * @factor: a factor
 *
 * Multiplies the factor the loss is scaled by for the backward pass of the current
 * batch (reset to 1 when each batch begins); call it at `loss-end`. Gradient
 * accumulation uses it. The reported loss value is not scaled.
 *
 * Since: 1.0
 */
void
fit_estimator_scale_loss (FitEstimator *self,
                          double        factor)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  self->loss_scale *= factor;
}

/**
 * fit_estimator_get_loss_scale:
 * @self: an estimator
 *
 * Gets the factor the current batch's loss is scaled by for the backward pass.
 *
 * Returns: the factor the current batch's loss is scaled by for the backward pass
 *
 * Since: 1.0
 */
double
fit_estimator_get_loss_scale (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), 1.0);
  return self->loss_scale;
}

/**
 * fit_estimator_get_learning_rate:
 * @self: an estimator
 *
 * Gets the optimizer's learning rate, NaN without an optimizer.
 *
 * Returns: the optimizer's learning rate, NaN without an optimizer
 *
 * Since: 1.0
 */
double
fit_estimator_get_learning_rate (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NAN);
  return self->optimizer != NULL ? fit_optimizer_get_learning_rate (self->optimizer) : NAN;
}

/**
 * fit_estimator_get_stop_reason:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:stop-reason].
 *
 * Returns: [property@Fit.Estimator:stop-reason]
 *
 * Since: 1.0
 */
FitStopReason
fit_estimator_get_stop_reason (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FIT_STOP_REASON_NONE);
  return self->stop_reason;
}

/* ------------------------------------------------------------------------------------ */
/* Control                                                                               */

/**
 * fit_estimator_request_stop:
 * @self: an estimator
 * @scope: how much of the loop to end
 *
 * Asks the estimator to skip the rest of the batch, end the epoch, or end the training;
 * see the class documentation for which events still fire. The request takes effect
 * once the current event has reached every handler; a wider pending request is not
 * narrowed. Safe to call from any thread.
 *
 * Since: 1.0
 */
void
fit_estimator_request_stop (FitEstimator *self,
                            FitStopScope  scope)
{
  int current;

  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (scope <= FIT_STOP_SCOPE_TRAINING);

  do
    current = g_atomic_int_get (&self->stop_request);
  while (current < (int) scope &&
         !g_atomic_int_compare_and_exchange (&self->stop_request, current, (int) scope));
}

/**
 * fit_estimator_get_stop_request:
 * @self: an estimator
 *
 * Gets the widest pending stop request; a batch processor returns early when it is not
 * %FIT_STOP_SCOPE_NONE.
 *
 * Returns: the widest pending stop request; a batch processor returns early when it is
 *   not %FIT_STOP_SCOPE_NONE
 *
 * Since: 1.0
 */
FitStopScope
fit_estimator_get_stop_request (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FIT_STOP_SCOPE_NONE);
  return (FitStopScope) g_atomic_int_get (&self->stop_request);
}

/**
 * fit_estimator_request_validation:
 * @self: an estimator that is fitting with a validation loader
 *
 * Asks for a validation pass at the next validation point: right after the current
 * training batch when called during one (`batch-begin` to `batch-end`), otherwise after
 * the epoch's last training batch. Several requests before the same point make one
 * pass. [class@Fit.ValidationHandler] calls it.
 *
 * Since: 1.0
 */
void
fit_estimator_request_validation (FitEstimator *self)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));

  if (self->in_batch)
    self->validate_after_batch = TRUE;
  else
    self->validate_at_epoch_end = TRUE;
}

gboolean
fit_estimator_validated_this_epoch (FitEstimator *self)
{
  return self->validated_this_epoch;
}

GPtrArray *
fit_estimator_peek_parameters (FitEstimator *self)
{
  guint serial = fit_module_structure_serial ();

  if (self->params == NULL || self->params_serial != serial)
    {
      g_clear_pointer (&self->params, g_ptr_array_unref);
      self->params = fit_module_get_parameters (self->net);
      self->params_serial = serial;
    }
  return self->params;
}
