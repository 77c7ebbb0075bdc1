/* fit-estimator-handlers-private.h: what the built-in handlers use beyond the public API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The built-in handlers (handlers/, and in train/ the metric, validation and history
 * handlers and the batch processor) are written as a program's handler would be, against
 * the public API. What they use besides is declared or named here, each with a "Why:"
 * that says in one sentence why no public function does. Nothing else of the estimator
 * is theirs: its structure and what its files share are in fit-estimator-private.h, for
 * those files alone.
 *
 * The header is in train/ and not in handlers/ (whose fit-handlers-private.h includes it)
 * because train/'s own built-ins use it too, and train/ does not look up at handlers/.
 */

#pragma once

#include "fit-glib/train/fit-train.h"

G_BEGIN_DECLS

/* ---- the estimator's privileges ---- */

/* Runs @func in the main context of the thread that started the fit (fit_async), or
 * right away when the fit runs on that thread.
 * Why (history handler): the history a window binds to must change in the caller's main
 * context, which only the estimator knows. */
void       fit_estimator_invoke_in_caller      (FitEstimator     *self,
                                                GSourceFunc       func,
                                                gpointer          data,
                                                GDestroyNotify    notify);

/* A fit with only @handler and the metric handler, without validation, that leaves the
 * history alone.
 * Why (learning-rate finder): its sweep trains the program's estimator without the
 * program's handlers and history, and every public fit runs those. */
gboolean   fit_estimator_fit_isolated          (FitEstimator     *self,
                                                FitDataLoader    *train_data,
                                                guint64           batches,
                                                FitEventHandler  *handler,
                                                GCancellable     *cancellable,
                                                GError          **error);

/* Whether validation ran since the last epoch-begin.
 * Why (monitors, loggers, history handler): a val_ value is stale in an epoch that did
 * not validate, and a public handler can only tell by watching validate-begin itself,
 * which would put each of these on one more event. */
gboolean   fit_estimator_validated_this_epoch  (FitEstimator     *self);

/* The metric arrays themselves.
 * Why (metric and history handlers): they go through every metric per batch or per
 * epoch, and fit_estimator_get_train_metrics() copies the list at each call. */
GPtrArray *fit_estimator_peek_train_metrics    (FitEstimator     *self);
GPtrArray *fit_estimator_peek_val_metrics      (FitEstimator     *self);

/* The net's parameters, listed once and again only after a module gained a parameter or
 * a child (fit_module_structure_serial()).
 * Why (batch processor): it clears the gradients at every step, and
 * fit_module_get_parameters() walks the whole network at each call. */
GPtrArray *fit_estimator_peek_parameters       (FitEstimator     *self);

/* A built-in handler checks its part of a checkpoint whole, against @estimator, and
 * changes nothing; fit_estimator_load_state() runs every check before it changes anything,
 * so that a checkpoint is restored completely or not at all. The handler's load_state
 * then cannot fail. Handlers without a check (those of bindings and programs) are loaded
 * first and put back as they were when a later one fails.
 * Why (handlers with state): the public load_state vfunc checks and applies in one call,
 * so only a separate check lets every part be checked before any is applied. */
typedef gboolean (*FitStateCheckFunc) (FitEventHandler  *handler,
                                       FitEstimator     *estimator,
                                       FitSafetensors   *from,
                                       const char       *prefix,
                                       GError          **error);

void              fit_event_handler_class_set_check_state (FitEventHandlerClass *klass,
                                                           FitStateCheckFunc     check);
FitStateCheckFunc fit_event_handler_get_check_state       (FitEventHandler      *self);

/* ---- helpers the built-in handlers share, on public API only ----
 *
 * Not privileges: a program's handler could write them from the public API.
 * Why: one copy, so that every built-in writes and checks values the same way. */

/* Numbers in a checkpoint's metadata, under PREFIX KEY (fit-checkpoint-state.c). The
 * readers leave *value as it is and return TRUE when the key is missing (unless
 * @required: a checkpoint from a run without that handler), and fail with
 * FIT_ERROR_PARSE naming the key and what was expected when the text is not exactly a
 * number in [@min, @max]: what a file holds is checked before it is cast or used. */
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

/* Sets @prefix + name to the value of each of @metrics in @record; stops at the first
 * metric that fails to compute, with its error (fit-history-record.c): the history
 * handler's epoch records and the estimator's evaluation record. */
gboolean  fit_history_record_add_metrics      (FitHistoryRecord  *record,
                                               GPtrArray         *metrics,
                                               const char        *prefix,
                                               GError           **error);

/* ---- what built-in handlers use of other layers' private headers ----
 *
 * Included by the handler that uses it, not here, so that the others do not see it:
 *
 * fit_module_check_state() (nn/fit-nn-private.h), for early stopping.
 *   Why: the best weights a checkpoint holds are checked against the network before
 *   anything is applied, and the public fit_module_set_state() checks and applies at once.
 * fit_safetensors_deep_copy() (io/fit-safetensors-private.h), for early stopping and the
 *   learning-rate finder.
 *   Why: not a privilege (it clones through the public API), one copy function rather
 *   than one per handler.
 * fit_safetensors_remove_stale_temporaries() (io/fit-safetensors-private.h), for the
 *   checkpoint handler.
 *   Why: what killed saves leave behind is named by fit_safetensors_save(), and only io/
 *   knows those temporary names.
 */

/* ---- the estimator and its built-ins call each other ----
 *
 * 1. The estimator creates its default metric, validation and history handlers and batch
 *    processor (fit-estimator.c) and they act on the estimator that runs them, as every
 *    handler does: that circle is the fit API itself, closed only because these few are
 *    built in.
 * 2. fit_history_handler_publish(), the one call from the estimator into a built-in's
 *    privates (fit-estimator-checkpoint.c): after a restore the records are the history
 *    handler's while the history a window binds to is the estimator's, so the estimator
 *    asks the handler to hand them over. */

/* Replaces the estimator's history (in the caller's context) with the handler's. */
void      fit_history_handler_publish         (FitHistoryHandler *self,
                                               FitEstimator      *estimator);

G_END_DECLS
