/* fit-train-types.h: enumerations of the fit API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/fit-version-macros.h"

G_BEGIN_DECLS

/* The estimator and its handlers refer to each other; a repeated identical typedef is
 * valid C11. */
typedef struct _FitEstimator FitEstimator;
typedef struct _FitEventHandler FitEventHandler;

/**
 * FitEvent:
 * @FIT_EVENT_TRAIN_BEGIN: before the first epoch of a fit (`train-begin`)
 * @FIT_EVENT_EPOCH_BEGIN: before an epoch's first training batch (`epoch-begin`)
 * @FIT_EVENT_BATCH_BEGIN: before a training batch's forward pass (`batch-begin`)
 * @FIT_EVENT_FORWARD_END: after the forward pass; the outputs are set (`forward-end`)
 * @FIT_EVENT_LOSS_END: after the loss; handlers may scale it for the backward pass
 *   (`loss-end`)
 * @FIT_EVENT_BACKWARD_END: after the backward pass, before the optimizer step; gradients
 *   are there to clip (`backward-end`)
 * @FIT_EVENT_STEP_END: after the optimizer step, before gradients are zeroed (`step-end`)
 * @FIT_EVENT_BATCH_END: after every training batch that began, skipped or not
 *   (`batch-end`)
 * @FIT_EVENT_VALIDATE_BEGIN: before a validation pass (`validate-begin`)
 * @FIT_EVENT_VALIDATE_BATCH_END: after each validation batch (`validate-batch-end`)
 * @FIT_EVENT_VALIDATE_END: after a validation pass; validation metrics are final
 *   (`validate-end`)
 * @FIT_EVENT_EPOCH_END: after an epoch, and after its validation (`epoch-end`)
 * @FIT_EVENT_TRAIN_END: after a fit, however it ended (`train-end`)
 *
 * The events of a fit, in the order they happen; each is a signal of
 * [class@Fit.Estimator] and a virtual method of [class@Fit.EventHandler].
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_EVENT_TRAIN_BEGIN,
  FIT_EVENT_EPOCH_BEGIN,
  FIT_EVENT_BATCH_BEGIN,
  FIT_EVENT_FORWARD_END,
  FIT_EVENT_LOSS_END,
  FIT_EVENT_BACKWARD_END,
  FIT_EVENT_STEP_END,
  FIT_EVENT_BATCH_END,
  FIT_EVENT_VALIDATE_BEGIN,
  FIT_EVENT_VALIDATE_BATCH_END,
  FIT_EVENT_VALIDATE_END,
  FIT_EVENT_EPOCH_END,
  FIT_EVENT_TRAIN_END,
} FitEvent;

/**
 * FIT_N_EVENTS:
 *
 * The number of values of [enum@Fit.Event].
 *
 * Since: 1.0
 */
#define FIT_N_EVENTS (FIT_EVENT_TRAIN_END + 1)

/**
 * FitStopScope:
 * @FIT_STOP_SCOPE_NONE: no stop is requested
 * @FIT_STOP_SCOPE_BATCH: skip the rest of the current training batch (its remaining
 *   steps, such as the optimizer step); `batch-end` still fires
 * @FIT_STOP_SCOPE_EPOCH: end the current epoch's training batches (after the current
 *   batch's `batch-end`) or its validation pass; validation that is due still runs,
 *   `epoch-end` fires, and training goes on with the next epoch
 * @FIT_STOP_SCOPE_TRAINING: end the fit: the current batch and validation pass end as for
 *   %FIT_STOP_SCOPE_EPOCH, validation that is due is skipped, `epoch-end` and `train-end`
 *   fire
 *
 * How much of the training loop a stop request ends. A wider scope includes the narrower
 * ones. See [method@Fit.Estimator.request_stop].
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_STOP_SCOPE_NONE,
  FIT_STOP_SCOPE_BATCH,
  FIT_STOP_SCOPE_EPOCH,
  FIT_STOP_SCOPE_TRAINING,
} FitStopScope;

/**
 * FitStopReason:
 * @FIT_STOP_REASON_NONE: the fit has not ended (or never ran)
 * @FIT_STOP_REASON_COMPLETED: every requested epoch (or batch) ran
 * @FIT_STOP_REASON_STOPPED: a handler or callback requested %FIT_STOP_SCOPE_TRAINING
 * @FIT_STOP_REASON_CANCELLED: the #GCancellable was cancelled
 * @FIT_STOP_REASON_ERROR: a handler, callback, the data or the model failed
 *
 * Why a fit ended; `train-end` carries it.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_STOP_REASON_NONE,
  FIT_STOP_REASON_COMPLETED,
  FIT_STOP_REASON_STOPPED,
  FIT_STOP_REASON_CANCELLED,
  FIT_STOP_REASON_ERROR,
} FitStopReason;

/**
 * FitPhase:
 * @FIT_PHASE_IDLE: the estimator is not running
 * @FIT_PHASE_TRAIN: a training batch is running, or a fit is between batches
 * @FIT_PHASE_VALIDATE: a fit's validation pass is running
 * @FIT_PHASE_EVALUATE: [method@Fit.Estimator.evaluate] is running
 * @FIT_PHASE_PREDICT: [method@Fit.Estimator.predict] is running
 *
 * What the estimator is doing.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_PHASE_IDLE,
  FIT_PHASE_TRAIN,
  FIT_PHASE_VALIDATE,
  FIT_PHASE_EVALUATE,
  FIT_PHASE_PREDICT,
} FitPhase;

FIT_AVAILABLE_IN_1_0
const char *fit_event_get_name (FitEvent event);

G_END_DECLS
