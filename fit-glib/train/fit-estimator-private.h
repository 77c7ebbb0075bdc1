/* fit-estimator-private.h: what the files of the estimator share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The estimator's structure, and the few functions one of its files calls in another
 * (fit-estimator.c says which file holds what). Only those files include this header:
 * the built-in handlers see the estimator through its public API and
 * fit-estimator-handlers-private.h.
 *
 * These files call one another both ways (fit-estimator.c defines the type every other
 * one checks its arguments against, and asks fit-estimator-dispatch.c for the signals)
 * because they are one object split by concern, not layers.
 */

#pragma once

#include "fit-glib/train/fit-estimator-handlers-private.h"

G_BEGIN_DECLS

/* A handler added to the estimator (fit-estimator-dispatch.c). */
typedef struct
{
  FitEventHandler *handler;
  guint64          seq;
  gulong           notify_id;
  gboolean         temporary;
} HandlerEntry;

struct _FitEstimator
{
  GObject            parent_instance;

  FitModule         *net;
  GPtrArray         *params;          /* net's parameters, listed at params_serial */
  guint              params_serial;
  FitLoss           *loss;
  FitOptimizer      *optimizer;
  FitDevice         *device;
  FitBatchProcessor *processor;
  FitRng            *rng;
  GPtrArray         *train_metrics;
  GPtrArray         *val_metrics;
  FitHistory        *history;

  GArray            *entries;          /* HandlerEntry, in the order added */
  guint64            next_seq;
  FitEventHandler   *default_handlers[3];
  GPtrArray         *dispatch[FIT_N_EVENTS];
  gboolean           dirty;

  /* A running fit */
  gboolean           running;
  FitPhase           phase;
  FitEvent           event;
  guint              epoch;
  guint              epochs;
  guint64            batch_index;
  guint64            n_batches;
  guint64            global_step;
  guint64            max_batches;
  guint64            batch_size;
  FitDataLoader     *train_data;
  FitDataLoader     *val_data;
  FitTensor         *inputs;
  FitTensor         *labels;
  FitTensor         *outputs;
  FitTensor         *loss_tensor;
  double             loss_value;
  double             loss_scale;
  int                stop_request;     /* FitStopScope; atomic */
  FitStopReason      stop_reason;
  gboolean           in_batch;
  gboolean           validate_after_batch;
  gboolean           validate_at_epoch_end;
  gboolean           validated_this_epoch;
  gboolean           limit_reached;
  guint              in_emission;
  GError            *error;
  GCancellable      *cancellable;
  GMainContext      *caller_context;
  gint64             last_notify;

  /* Where the next batch starts: what a checkpoint stores and a resume restores. */
  guint              next_epoch;
  guint64            next_batch;
  guint64            next_global_step;
  gboolean           resume_pending;

  /* A fit with only its own handlers and the metric handler (the learning-rate finder). */
  gboolean           isolated;
};

/* The defaults in default_handlers[]: each is used unless a handler of its type is added. */
enum { DEFAULT_METRIC, DEFAULT_VALIDATION, DEFAULT_HISTORY };

/* ---- fit-estimator.c ---- */

/* The SGD a fit without an optimizer trains with, or NULL with an error. */
FitOptimizer *fit_estimator_default_optimizer         (FitEstimator     *self,
                                                       GError          **error);
/* Makes @sgd the optimizer, and says so. */
void          fit_estimator_install_default_optimizer (FitEstimator     *self,
                                                       FitOptimizer     *sgd);
/* Installs the default optimizer when there is none. */
gboolean      fit_estimator_ensure_optimizer          (FitEstimator     *self,
                                                       GError          **error);
/* Notifies the progress counters (@data is the estimator): a GSourceFunc for the
 * caller's main context during fit_async. */
gboolean      fit_estimator_notify_progress           (gpointer          data);

/* ---- fit-estimator-metrics.c ---- */

/* Adds the default metrics and checks the names: what every fit and evaluation does. */
gboolean      fit_estimator_ensure_metrics            (FitEstimator     *self,
                                                       GError          **error);

/* ---- fit-estimator-dispatch.c ---- */

/* One signal per event, for class_init. */
void          fit_estimator_class_add_signals         (FitEstimatorClass *klass);
/* Every handler a fit uses, sorted: the added ones and the defaults they do not replace. */
GPtrArray    *fit_estimator_active_handlers           (FitEstimator     *self,
                                                       gboolean          with_validation);
/* Adds @handler, for every fit or (@temporary) until the current one ends. */
gboolean      fit_estimator_add_entry                 (FitEstimator     *self,
                                                       FitEventHandler  *handler,
                                                       gboolean          temporary,
                                                       GError          **error);
void          fit_estimator_remove_temporary_handlers (FitEstimator     *self);
/* FIT_ERROR_STATE saying what cannot be done (@what) during a fit. */
gboolean      fit_estimator_check_not_running         (FitEstimator     *self,
                                                       const char       *what,
                                                       GError          **error);
/* Keeps @error (taken) as the fit's, unless it already failed. */
void          fit_estimator_record_error              (FitEstimator     *self,
                                                       GError           *error);
/* Fails the running fit with @error (taken): the rest of the event is skipped. */
void          fit_estimator_fail_running              (FitEstimator     *self,
                                                       GError           *error);

G_END_DECLS
