/* fit-estimator-private.h: what the built-in handlers know about the estimator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fit-glib/train/fit-train.h"

G_BEGIN_DECLS

/* Runs @func in the main context of the thread that started the fit (fit_async), or
 * right away when the fit runs on that thread. */
void      fit_estimator_invoke_in_caller      (FitEstimator   *self,
                                               GSourceFunc     func,
                                               gpointer        data,
                                               GDestroyNotify  notify);

/* A fit with only @handler and the metric handler, without validation, that leaves the
 * history alone: the learning-rate finder's sweep. */
gboolean  fit_estimator_fit_isolated          (FitEstimator     *self,
                                               FitDataLoader    *train_data,
                                               guint64           batches,
                                               FitEventHandler  *handler,
                                               GCancellable     *cancellable,
                                               GError          **error);

/* Whether validation ran since the last epoch-begin. */
gboolean  fit_estimator_validated_this_epoch  (FitEstimator   *self);

/* The metric arrays themselves, for per-batch use without copies. */
GPtrArray *fit_estimator_peek_train_metrics   (FitEstimator   *self);
GPtrArray *fit_estimator_peek_val_metrics     (FitEstimator   *self);

/* The net's parameters, listed once and again only after a module gained a parameter
 * or a child (fit_module_structure_serial()): for the per-batch gradient reset. */
GPtrArray *fit_estimator_peek_parameters      (FitEstimator   *self);

/* Sets @prefix + name to the value of each of @metrics in @record; stops at the first
 * metric that fails to compute, with its error. */
gboolean  fit_history_record_add_metrics      (FitHistoryRecord  *record,
                                               GPtrArray         *metrics,
                                               const char        *prefix,
                                               GError           **error);

/* Replaces the estimator's history (in the caller's context) with the handler's. */
void      fit_history_handler_publish         (FitHistoryHandler *self,
                                               FitEstimator      *estimator);

/* A deep copy of @state (cloned tensors, copied metadata). */
FitSafetensors *fit_safetensors_deep_copy     (FitSafetensors *state);

G_END_DECLS
