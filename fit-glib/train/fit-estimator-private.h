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

/* ---- checkpoint state (fit-checkpoint-state.c) ----
 *
 * Numbers in a checkpoint's metadata, under PREFIX KEY. The readers leave *value as it is
 * and return TRUE when the key is missing (unless @required: a checkpoint from a run
 * without that handler), and fail with FIT_ERROR_PARSE naming the key and what was
 * expected when the text is not exactly a number in [@min, @max]: what a file holds is
 * checked before it is cast or used. */
void      fit_state_set_double    (FitSafetensors  *state,
                                   const char      *prefix,
                                   const char      *key,
                                   double           value);
void      fit_state_set_integer   (FitSafetensors  *state,
                                   const char      *prefix,
                                   const char      *key,
                                   gint64           value);
gboolean  fit_state_read_integer  (FitSafetensors  *state,
                                   const char      *prefix,
                                   const char      *key,
                                   gboolean         required,
                                   gint64           min,
                                   gint64           max,
                                   gint64          *value,
                                   GError         **error);
gboolean  fit_state_read_double   (FitSafetensors  *state,
                                   const char      *prefix,
                                   const char      *key,
                                   double           min,
                                   double           max,
                                   gboolean         nan_allowed,
                                   double          *value,
                                   GError         **error);

/* A built-in handler checks its part of a checkpoint whole, against @estimator, and
 * changes nothing; fit_estimator_load_state() runs every check before it changes anything,
 * so that a checkpoint is restored completely or not at all. The handler's load_state
 * then cannot fail. Handlers without a check (those of bindings and programs) are loaded
 * first and put back as they were when a later one fails. */
typedef gboolean (*FitStateCheckFunc) (FitEventHandler  *handler,
                                       FitEstimator     *estimator,
                                       FitSafetensors   *from,
                                       const char       *prefix,
                                       GError          **error);

void              fit_event_handler_class_set_check_state (FitEventHandlerClass *klass,
                                                           FitStateCheckFunc     check);
FitStateCheckFunc fit_event_handler_get_check_state       (FitEventHandler      *self);

G_END_DECLS
