/* fit-estimator.h: the training loop (fit, evaluate, predict)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/core/fit-core.h"
#include "fit-glib/data/fit-data-loader.h"
#include "fit-glib/io/fit-safetensors.h"
#include "fit-glib/metrics/fit-metric.h"
#include "fit-glib/nn/fit-loss.h"
#include "fit-glib/nn/fit-module.h"
#include "fit-glib/optim/fit-optimizer.h"
#include "fit-glib/train/fit-batch-processor.h"
#include "fit-glib/train/fit-event-handler.h"
#include "fit-glib/train/fit-history.h"
#include "fit-glib/train/fit-train-types.h"

G_BEGIN_DECLS

#define FIT_TYPE_ESTIMATOR (fit_estimator_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitEstimator, fit_estimator, FIT, ESTIMATOR, GObject)

FIT_AVAILABLE_IN_1_0
FitEstimator      *fit_estimator_new                    (FitModule          *net,
                                                         FitLoss            *loss,
                                                         FitOptimizer       *optimizer);

/* Configuration */
FIT_AVAILABLE_IN_1_0
FitModule         *fit_estimator_get_net                (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitLoss           *fit_estimator_get_loss               (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitOptimizer      *fit_estimator_get_optimizer          (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_optimizer          (FitEstimator       *self,
                                                         FitOptimizer       *optimizer);
FIT_AVAILABLE_IN_1_0
FitDevice         *fit_estimator_get_device             (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_device             (FitEstimator       *self,
                                                         FitDevice          *device);
FIT_AVAILABLE_IN_1_0
FitBatchProcessor *fit_estimator_get_batch_processor    (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_batch_processor    (FitEstimator       *self,
                                                         FitBatchProcessor  *processor);
FIT_AVAILABLE_IN_1_0
FitRng            *fit_estimator_get_rng                (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_rng                (FitEstimator       *self,
                                                         FitRng             *rng);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_train_metrics      (FitEstimator       *self,
                                                         FitMetric         **metrics,
                                                         guint               n_metrics);
FIT_AVAILABLE_IN_1_0
GPtrArray         *fit_estimator_get_train_metrics      (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_val_metrics        (FitEstimator       *self,
                                                         FitMetric         **metrics,
                                                         guint               n_metrics);
FIT_AVAILABLE_IN_1_0
GPtrArray         *fit_estimator_get_val_metrics        (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitHistory        *fit_estimator_get_history            (FitEstimator       *self);

/* Handlers */
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_add_handler            (FitEstimator       *self,
                                                         FitEventHandler    *handler,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_remove_handler         (FitEstimator       *self,
                                                         FitEventHandler    *handler,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
GPtrArray         *fit_estimator_get_handlers           (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
GPtrArray         *fit_estimator_get_handlers_for_event (FitEstimator       *self,
                                                         FitEvent            event);
FIT_AVAILABLE_IN_1_0
char              *fit_estimator_describe               (FitEstimator       *self);

/* Running */
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_fit                    (FitEstimator       *self,
                                                         FitDataLoader      *train_data,
                                                         FitDataLoader      *val_data,
                                                         guint               epochs,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_fit_full               (FitEstimator       *self,
                                                         FitDataLoader      *train_data,
                                                         FitDataLoader      *val_data,
                                                         guint               epochs,
                                                         guint64             batches,
                                                         FitEventHandler   **handlers,
                                                         guint               n_handlers,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_fit_async              (FitEstimator       *self,
                                                         FitDataLoader      *train_data,
                                                         FitDataLoader      *val_data,
                                                         guint               epochs,
                                                         guint64             batches,
                                                         FitEventHandler   **handlers,
                                                         guint               n_handlers,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_fit_finish             (FitEstimator       *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
FitHistoryRecord  *fit_estimator_evaluate               (FitEstimator       *self,
                                                         FitDataLoader      *data,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
FitTensor         *fit_estimator_predict                (FitEstimator       *self,
                                                         FitDataLoader      *data,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

/* State that handlers read (valid during a fit; see the class documentation) */
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_is_running             (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitPhase           fit_estimator_get_phase              (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitEvent           fit_estimator_get_event              (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint              fit_estimator_get_epoch              (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint              fit_estimator_get_epochs             (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint64            fit_estimator_get_batch_index        (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint64            fit_estimator_get_n_batches          (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint64            fit_estimator_get_global_step        (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint64            fit_estimator_get_max_batches        (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
guint64            fit_estimator_get_batch_size         (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitDataLoader     *fit_estimator_get_train_data         (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitDataLoader     *fit_estimator_get_val_data           (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitTensor         *fit_estimator_get_inputs             (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
FitTensor         *fit_estimator_get_labels             (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_batch              (FitEstimator       *self,
                                                         FitTensor          *inputs,
                                                         FitTensor          *labels);
FIT_AVAILABLE_IN_1_0
FitTensor         *fit_estimator_get_outputs            (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_outputs            (FitEstimator       *self,
                                                         FitTensor          *outputs);
FIT_AVAILABLE_IN_1_0
FitTensor         *fit_estimator_get_loss_tensor        (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_set_loss_tensor        (FitEstimator       *self,
                                                         FitTensor          *loss);
FIT_AVAILABLE_IN_1_0
double             fit_estimator_get_loss_value         (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_scale_loss             (FitEstimator       *self,
                                                         double              factor);
FIT_AVAILABLE_IN_1_0
double             fit_estimator_get_loss_scale         (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
double             fit_estimator_get_learning_rate      (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_get_metric_value       (FitEstimator       *self,
                                                         const char         *name,
                                                         double             *value,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
char             **fit_estimator_get_metric_names       (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_check_metric_name      (FitEstimator       *self,
                                                         const char         *name,
                                                         GError            **error);
FIT_AVAILABLE_IN_1_0
FitMonitorMode     fit_estimator_get_metric_mode        (FitEstimator       *self,
                                                         const char         *name);
FIT_AVAILABLE_IN_1_0
FitStopReason      fit_estimator_get_stop_reason        (FitEstimator       *self);

/* Control from handlers and callbacks */
FIT_AVAILABLE_IN_1_0
void               fit_estimator_request_stop           (FitEstimator       *self,
                                                         FitStopScope        scope);
FIT_AVAILABLE_IN_1_0
FitStopScope       fit_estimator_get_stop_request       (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_request_validation     (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
void               fit_estimator_fail                   (FitEstimator       *self,
                                                         const GError       *error);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_emit                   (FitEstimator       *self,
                                                         FitEvent            event,
                                                         GError            **error);

/* Checkpoints */
FIT_AVAILABLE_IN_1_0
FitSafetensors    *fit_estimator_save_state             (FitEstimator       *self);
FIT_AVAILABLE_IN_1_0
gboolean           fit_estimator_load_state             (FitEstimator       *self,
                                                         FitSafetensors     *state,
                                                         GError            **error);

G_END_DECLS
