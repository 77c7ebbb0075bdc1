/* fit-event-handler.h: objects that hook into the training loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/io/fit-safetensors.h"
#include "fit-glib/train/fit-train-types.h"

G_BEGIN_DECLS

/**
 * FIT_PRIORITY_LR_SCHEDULER:
 *
 * The priority of [class@Fit.LrSchedulerHandler]: first, so every other handler sees the
 * batch's learning rate.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_LR_SCHEDULER (-2000)
/**
 * FIT_PRIORITY_TIME_LIMIT:
 *
 * The priority of [class@Fit.TimeLimitHandler].
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_TIME_LIMIT (-1500)
/**
 * FIT_PRIORITY_METRIC:
 *
 * The priority of [class@Fit.MetricHandler]: early, so later handlers read this batch's
 * metrics.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_METRIC (-1000)
/**
 * FIT_PRIORITY_GRADIENT_ACCUMULATION:
 *
 * The priority of [class@Fit.GradientAccumulationHandler]: it decides at `backward-end`
 * whether the optimizer steps, before gradient clipping looks.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_GRADIENT_ACCUMULATION (-900)
/**
 * FIT_PRIORITY_GRADIENT_CLIPPING:
 *
 * The priority of [class@Fit.GradientClippingHandler].
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_GRADIENT_CLIPPING (-800)
/**
 * FIT_PRIORITY_TERMINATE_ON_NAN:
 *
 * The priority of [class@Fit.TerminateOnNanHandler].
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_TERMINATE_ON_NAN (-700)
/**
 * FIT_PRIORITY_VALIDATION:
 *
 * The priority of [class@Fit.ValidationHandler].
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_VALIDATION (-500)
/**
 * FIT_PRIORITY_STOPPING:
 *
 * The priority of [class@Fit.StoppingHandler].
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_STOPPING (-400)
/**
 * FIT_PRIORITY_DEFAULT:
 *
 * The priority of a handler that does not set one.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_DEFAULT 0
/**
 * FIT_PRIORITY_EARLY_STOPPING:
 *
 * The priority of [class@Fit.EarlyStoppingHandler] and
 * [class@Fit.ReduceLrOnPlateauHandler]: after the metrics of the epoch are final.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_EARLY_STOPPING 100
/**
 * FIT_PRIORITY_CHECKPOINT:
 *
 * The priority of [class@Fit.CheckpointHandler]: after early stopping and the history, so
 * a checkpoint holds their state at the end of the epoch.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_CHECKPOINT 200
/**
 * FIT_PRIORITY_HISTORY:
 *
 * The priority of [class@Fit.HistoryHandler] and [class@Fit.CsvLoggerHandler]: after
 * handlers that change the learning rate at `epoch-end`, before checkpoints.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_HISTORY 150
/**
 * FIT_PRIORITY_LOGGING:
 *
 * The priority of [class@Fit.LoggingHandler] and [class@Fit.ProgressHandler]: last, so
 * they report what every other handler did.
 *
 * Since: 1.0
 */
#define FIT_PRIORITY_LOGGING 1000

#define FIT_TYPE_EVENT_HANDLER (fit_event_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitEventHandler, fit_event_handler, FIT, EVENT_HANDLER, GObject)

/**
 * FitEventHandlerClass:
 * @parent_class: the parent class
 * @train_begin: the `train-begin` event
 * @epoch_begin: the `epoch-begin` event
 * @batch_begin: the `batch-begin` event
 * @forward_end: the `forward-end` event
 * @loss_end: the `loss-end` event
 * @backward_end: the `backward-end` event
 * @step_end: the `step-end` event
 * @batch_end: the `batch-end` event
 * @validate_begin: the `validate-begin` event
 * @validate_batch_end: the `validate-batch-end` event
 * @validate_end: the `validate-end` event
 * @epoch_end: the `epoch-end` event
 * @train_end: the `train-end` event, with the reason the fit ended
 * @save_state: adds what the handler needs to resume to a checkpoint: tensors named and
 *   metadata keys starting with @prefix
 * @load_state: restores what @save_state wrote under @prefix, checking every value before
 *   it changes anything (the checkpoint is a file)
 *
 * The virtual methods of [class@Fit.EventHandler]. Each event method returns %TRUE to let
 * the fit go on, or %FALSE with @error set to fail it. Override only the events the
 * handler needs: the estimator does not call methods a class leaves alone.
 *
 * Since: 1.0
 */
struct _FitEventHandlerClass
{
  GObjectClass parent_class;

  gboolean (*train_begin)        (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*epoch_begin)        (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*batch_begin)        (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*forward_end)        (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*loss_end)           (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*backward_end)       (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*step_end)           (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*batch_end)          (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*validate_begin)     (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*validate_batch_end) (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*validate_end)       (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*epoch_end)          (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  GError          **error);
  gboolean (*train_end)          (FitEventHandler  *self,
                                  FitEstimator     *estimator,
                                  FitStopReason     reason,
                                  GError          **error);

  void     (*save_state)         (FitEventHandler  *self,
                                  FitSafetensors   *into,
                                  const char       *prefix);
  gboolean (*load_state)         (FitEventHandler  *self,
                                  FitSafetensors   *from,
                                  const char       *prefix,
                                  GError          **error);

  /*< private >*/
  gpointer padding[12];
};

FIT_AVAILABLE_IN_1_0
int       fit_event_handler_get_priority     (FitEventHandler  *self);
FIT_AVAILABLE_IN_1_0
void      fit_event_handler_set_priority     (FitEventHandler  *self,
                                              int               priority);
FIT_AVAILABLE_IN_1_0
gboolean  fit_event_handler_handles_event    (FitEventHandler  *self,
                                              FitEvent          event);
FIT_AVAILABLE_IN_1_0
gboolean  fit_event_handler_run_event        (FitEventHandler  *self,
                                              FitEstimator     *estimator,
                                              FitEvent          event,
                                              FitStopReason     reason,
                                              GError          **error);
FIT_AVAILABLE_IN_1_0
void      fit_event_handler_save_state       (FitEventHandler  *self,
                                              FitSafetensors   *into,
                                              const char       *prefix);
FIT_AVAILABLE_IN_1_0
gboolean  fit_event_handler_load_state       (FitEventHandler  *self,
                                              FitSafetensors   *from,
                                              const char       *prefix,
                                              GError          **error);

G_END_DECLS
