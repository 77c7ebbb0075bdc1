/* fit-estimator.c: the estimator object, its properties and its configuration
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The estimator is one object in several files, one concern each (the class
 * documentation below is for the whole):
 *
 *   fit-estimator.c             the object: properties, construction, configuration
 *                               (network, loss, optimizer and its default, device,
 *                               batch processor, generator, history)
 *   fit-estimator-metrics.c     the metric lists and the values by name
 *   fit-estimator-state.c       what a running fit exposes, and the stop requests
 *   fit-estimator-dispatch.c    handler lists, signals, the emission of events, the dry run
 *   fit-estimator-loop.c        fit, evaluate, predict and the async variants
 *   fit-estimator-checkpoint.c  save_state, load_state and the checks before applying
 *
 * fit-estimator-private.h has the structure and what these files share.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "fit-glib/optim/fit-sgd.h"
#include "fit-estimator-private.h"

/**
 * FitEstimator:
 *
 * The training loop: holds a network, a loss, an optimizer, training and validation
 * metrics, a device and [class@Fit.EventHandler]s, and runs [method@Fit.Estimator.fit],
 * [method@Fit.Estimator.evaluate] and [method@Fit.Estimator.predict].
 *
 * ## Defaults
 *
 * Without an optimizer the estimator uses SGD with a learning rate of 0.01 over the
 * network's parameters, and says so with a log message. Without training metrics it
 * reports the mean loss, plus accuracy when the loss is a classification loss
 * ([method@Fit.Loss.is_classification]); a mean loss is always added when missing.
 * Without validation metrics it validates with copies of the training metrics
 * ([method@Fit.Metric.copy]). Unless the handlers already include one, each fit uses a
 * [class@Fit.MetricHandler], a [class@Fit.HistoryHandler] and, when a validation loader
 * is given, a [class@Fit.ValidationHandler] that validates after every epoch.
 *
 * ## Events
 *
 * Each [enum@Fit.Event] is a signal, emitted in this order:
 *
 * ```
 * train-begin
 *   epoch-begin
 *     batch-begin forward-end loss-end backward-end step-end batch-end   (each batch)
 *     validate-begin validate-batch-end… validate-end                    (when due)
 *   epoch-end                                                            (after validation)
 * train-end                                                              (always)
 * ```
 *
 * Handler objects run in the class closure of each signal (`G_SIGNAL_RUN_LAST`), in
 * ascending priority, ties in the order added. So a callback connected with `connect()`
 * runs before every handler object, and one connected with `connect_after()` after them
 * all. Signals are only emitted when a callback is connected; otherwise the handlers are
 * called directly, which keeps an event without callbacks at the cost of the handler
 * calls themselves.
 *
 * Validation runs at a validation point after it is requested
 * ([method@Fit.Estimator.request_validation]): a request made during a training batch
 * runs right after that batch's `batch-end`, any other request after the epoch's last
 * training batch, before `epoch-end`. A validation pass inside an epoch is nested
 * between two training batches.
 *
 * ## Stopping
 *
 * [method@Fit.Estimator.request_stop] takes effect once the current event has reached
 * every handler and callback. Every `*-begin` event that fired gets its `*-end`:
 *
 * - %FIT_STOP_SCOPE_BATCH skips the rest of the training batch. Requested at
 *   `batch-begin`, no forward pass runs; at `forward-end`, no loss; at `loss-end`, no
 *   backward pass; at `backward-end`, no optimizer step (and the gradients are kept, as
 *   gradient accumulation wants). `batch-end` fires in every case. The estimator clears
 *   the outputs and the loss when a batch begins, so `batch-end` never sees the previous
 *   batch's loss: [method@Fit.Estimator.get_loss_value] is NaN and the metric handler
 *   skips the batch when no loss was computed.
 * - %FIT_STOP_SCOPE_EPOCH also ends the epoch's training batches after the current
 *   batch's `batch-end` (or the current validation pass, after its `validate-end`);
 *   validation that is due still runs, `epoch-end` fires, training goes on.
 * - %FIT_STOP_SCOPE_TRAINING ends like %FIT_STOP_SCOPE_EPOCH, skips validation that is
 *   due, fires `epoch-end` and then `train-end` with %FIT_STOP_REASON_STOPPED.
 *
 * A batch-scope request outside a training batch is dropped; an epoch-scope request made
 * at `train-begin` or `epoch-begin` ends the coming epoch before its first batch.
 *
 * ## Failing and cleaning up
 *
 * When a handler fails (or a callback calls [method@Fit.Estimator.fail], or a metric's
 * [vfunc@Fit.Metric.reset] or [vfunc@Fit.Metric.compute] fails while the fit resets or
 * reads it, or a learning-rate schedule fails), the rest of the event is skipped, no
 * further event fires except `train-end`, and the fit returns the first error.
 * Cancellation through the #GCancellable (checked before every batch and in the data
 * loader) ends the same way with a %FIT_ERROR_CANCELLED error. `train-end` fires after
 * completion, a stop, a cancellation and an error, with the [enum@Fit.StopReason]; every
 * handler's `train_end` runs even when one of them fails, and the first error is
 * returned. Handlers passed to one [method@Fit.Estimator.fit_full] call are removed
 * afterwards, whatever happened.
 *
 * Exceptions in bindings: a Python or JavaScript handler *object* fails the fit by
 * raising (Python: `GLib.Error` keeps its domain and code; another exception becomes a
 * %FIT_ERROR_FAILED error, since PyGObject only prints it) or throwing (JavaScript: the
 * exception becomes the error). A plain signal callback cannot fail the fit by raising:
 * PyGObject and GJS print such exceptions and carry on, and nothing reaches the
 * estimator. Callbacks call [method@Fit.Estimator.fail] instead.
 *
 * ## State for handlers
 *
 * During a fit the estimator exposes the current epoch, the batch index in the epoch,
 * the global step, the batch size, the last batch's inputs, labels, outputs and loss,
 * the current metric values by name ([method@Fit.Estimator.get_metric_value]) and the
 * pending stop request. Metric values are named `train_<name>` and `val_<name>`; asking
 * for a name that does not exist is a %FIT_ERROR_NOT_FOUND error that lists the names
 * that do. A metric is NaN before its first update; that is a value, not a failure.
 *
 * ## Threads
 *
 * [method@Fit.Estimator.fit_async] runs the loop, handlers and signals included, on a
 * worker thread; the history is updated in the caller's main context, and so are
 * notifications of [property@Fit.Estimator:epoch], [property@Fit.Estimator:batch-index],
 * [property@Fit.Estimator:global-step] and [property@Fit.Estimator:loss-value], at most
 * ten times a second and after every epoch, so a window can bind to them. (A synchronous
 * fit does not notify these properties: nothing could draw them meanwhile.) GJS cannot run
 * JavaScript on another thread, so JavaScript handlers and callbacks need the
 * synchronous [method@Fit.Estimator.fit].
 *
 * Since: 1.0
 */

enum {
  PROP_0,
  PROP_NET,
  PROP_LOSS,
  PROP_OPTIMIZER,
  PROP_DEVICE,
  PROP_BATCH_PROCESSOR,
  PROP_RNG,
  PROP_HISTORY,
  PROP_RUNNING,
  PROP_PHASE,
  PROP_EPOCH,
  PROP_EPOCHS,
  PROP_BATCH_INDEX,
  PROP_GLOBAL_STEP,
  PROP_BATCH_SIZE,
  PROP_LOSS_VALUE,
  PROP_STOP_REASON,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitEstimator, fit_estimator, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------ */
/* GObject                                                                               */

static void
fit_estimator_dispose (GObject *object)
{
  FitEstimator *self = FIT_ESTIMATOR (object);

  for (guint i = 0; i < self->entries->len; i++)
    {
      HandlerEntry *e = &g_array_index (self->entries, HandlerEntry, i);

      g_clear_signal_handler (&e->notify_id, e->handler);
      g_clear_object (&e->handler);
    }
  g_array_set_size (self->entries, 0);
  for (guint e = 0; e < FIT_N_EVENTS; e++)
    g_clear_pointer (&self->dispatch[e], g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->default_handlers); i++)
    g_clear_object (&self->default_handlers[i]);
  g_clear_object (&self->net);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_object (&self->loss);
  g_clear_object (&self->optimizer);
  g_clear_object (&self->device);
  g_clear_object (&self->processor);
  g_clear_object (&self->rng);
  g_clear_object (&self->history);
  g_clear_object (&self->inputs);
  g_clear_object (&self->labels);
  g_clear_object (&self->outputs);
  g_clear_object (&self->loss_tensor);
  g_clear_object (&self->train_data);
  g_clear_object (&self->val_data);
  g_ptr_array_set_size (self->train_metrics, 0);
  g_ptr_array_set_size (self->val_metrics, 0);

  G_OBJECT_CLASS (fit_estimator_parent_class)->dispose (object);
}

static void
fit_estimator_finalize (GObject *object)
{
  FitEstimator *self = FIT_ESTIMATOR (object);

  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_pointer (&self->train_metrics, g_ptr_array_unref);
  g_clear_pointer (&self->val_metrics, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (fit_estimator_parent_class)->finalize (object);
}

static void
fit_estimator_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitEstimator *self = FIT_ESTIMATOR (object);

  switch (prop_id)
    {
    case PROP_NET:
      g_value_set_object (value, self->net);
      break;
    case PROP_LOSS:
      g_value_set_object (value, self->loss);
      break;
    case PROP_OPTIMIZER:
      g_value_set_object (value, self->optimizer);
      break;
    case PROP_DEVICE:
      g_value_set_object (value, self->device);
      break;
    case PROP_BATCH_PROCESSOR:
      g_value_set_object (value, self->processor);
      break;
    case PROP_RNG:
      g_value_set_object (value, self->rng);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_EPOCH:
      g_value_set_uint (value, self->epoch);
      break;
    case PROP_EPOCHS:
      g_value_set_uint (value, self->epochs);
      break;
    case PROP_BATCH_INDEX:
      g_value_set_uint64 (value, self->batch_index);
      break;
    case PROP_GLOBAL_STEP:
      g_value_set_uint64 (value, self->global_step);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint64 (value, self->batch_size);
      break;
    case PROP_LOSS_VALUE:
      g_value_set_double (value, self->loss_value);
      break;
    case PROP_STOP_REASON:
      g_value_set_enum (value, self->stop_reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_estimator_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitEstimator *self = FIT_ESTIMATOR (object);

  switch (prop_id)
    {
    case PROP_NET:
      self->net = g_value_dup_object (value);
      break;
    case PROP_LOSS:
      self->loss = g_value_dup_object (value);
      break;
    case PROP_OPTIMIZER:
      fit_estimator_set_optimizer (self, g_value_get_object (value));
      break;
    case PROP_DEVICE:
      fit_estimator_set_device (self, g_value_get_object (value));
      break;
    case PROP_BATCH_PROCESSOR:
      fit_estimator_set_batch_processor (self, g_value_get_object (value));
      break;
    case PROP_RNG:
      fit_estimator_set_rng (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_estimator_class_init (FitEstimatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fit_estimator_dispose;
  object_class->finalize = fit_estimator_finalize;
  object_class->get_property = fit_estimator_get_property;
  object_class->set_property = fit_estimator_set_property;

  /**
   * FitEstimator:net:
   *
   * The network being trained.
   *
   * Since: 1.0
   */
  properties[PROP_NET] =
    g_param_spec_object ("net", NULL, NULL, FIT_TYPE_MODULE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * FitEstimator:loss:
   *
   * The loss the network is trained to minimise.
   *
   * Since: 1.0
   */
  properties[PROP_LOSS] =
    g_param_spec_object ("loss", NULL, NULL, FIT_TYPE_LOSS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * FitEstimator:optimizer:
   *
   * The optimizer; %NULL until a fit chooses the default SGD.
   *
   * Since: 1.0
   */
  properties[PROP_OPTIMIZER] = g_param_spec_object ("optimizer", NULL, NULL,
                                                    FIT_TYPE_OPTIMIZER, rw);
  /**
   * FitEstimator:device:
   *
   * Where batches are moved before the forward pass; %NULL leaves them where the loader
   * puts them.
   *
   * Since: 1.0
   */
  properties[PROP_DEVICE] = g_param_spec_object ("device", NULL, NULL, FIT_TYPE_DEVICE, rw);
  /**
   * FitEstimator:batch-processor:
   *
   * What the estimator does with each batch; never %NULL (setting %NULL restores the
   * default supervised step).
   *
   * Since: 1.0
   */
  properties[PROP_BATCH_PROCESSOR] = g_param_spec_object ("batch-processor", NULL, NULL,
                                                          FIT_TYPE_BATCH_PROCESSOR, rw);
  /**
   * FitEstimator:rng:
   *
   * A random number generator whose state checkpoints save and restore: give it to the
   * modules and transforms that draw random numbers (dropout, augmentation) so a resumed
   * fit draws the same numbers as an uninterrupted one.
   *
   * Since: 1.0
   */
  properties[PROP_RNG] = g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG, rw);
  /**
   * FitEstimator:history:
   *
   * The per-epoch records of the latest fit.
   *
   * Since: 1.0
   */
  properties[PROP_HISTORY] = g_param_spec_object ("history", NULL, NULL, FIT_TYPE_HISTORY, ro);
  /**
   * FitEstimator:running:
   *
   * Whether a fit or an evaluation is running. Read it; it is not notified.
   *
   * Since: 1.0
   */
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  /**
   * FitEstimator:phase:
   *
   * What the estimator is doing. Read it; it is not notified.
   *
   * Since: 1.0
   */
  properties[PROP_PHASE] = g_param_spec_enum ("phase", NULL, NULL, FIT_TYPE_PHASE,
                                              FIT_PHASE_IDLE, ro);
  /**
   * FitEstimator:epoch:
   *
   * The current epoch, counted from 0. Notified only during
   * [method@Fit.Estimator.fit_async], in the caller's main context.
   *
   * Since: 1.0
   */
  properties[PROP_EPOCH] = g_param_spec_uint ("epoch", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * FitEstimator:epochs:
   *
   * How many epochs the current fit runs (0: no limit but the batch count).
   *
   * Since: 1.0
   */
  properties[PROP_EPOCHS] = g_param_spec_uint ("epochs", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * FitEstimator:batch-index:
   *
   * The current batch's index in its epoch (or in the validation pass), from 0.
   *
   * Since: 1.0
   */
  properties[PROP_BATCH_INDEX] = g_param_spec_uint64 ("batch-index", NULL, NULL, 0,
                                                      G_MAXUINT64, 0, ro);
  /**
   * FitEstimator:global-step:
   *
   * During a training batch (`batch-begin` to `batch-end`), the batch's index since the
   * run began (across epochs, and across a resume), from 0; between batches (at
   * `epoch-end`, during validation), the number of training batches done.
   *
   * Since: 1.0
   */
  properties[PROP_GLOBAL_STEP] = g_param_spec_uint64 ("global-step", NULL, NULL, 0,
                                                      G_MAXUINT64, 0, ro);
  /**
   * FitEstimator:batch-size:
   *
   * The number of samples in the current batch.
   *
   * Since: 1.0
   */
  properties[PROP_BATCH_SIZE] = g_param_spec_uint64 ("batch-size", NULL, NULL, 0,
                                                     G_MAXUINT64, 0, ro);
  /**
   * FitEstimator:loss-value:
   *
   * The current batch's loss, NaN before it is computed.
   *
   * Since: 1.0
   */
  properties[PROP_LOSS_VALUE] = g_param_spec_double ("loss-value", NULL, NULL, -G_MAXDOUBLE,
                                                     G_MAXDOUBLE, 0, ro);
  /**
   * FitEstimator:stop-reason:
   *
   * Why the latest fit ended, from `train-end` on.
   *
   * Since: 1.0
   */
  properties[PROP_STOP_REASON] = g_param_spec_enum ("stop-reason", NULL, NULL,
                                                    FIT_TYPE_STOP_REASON,
                                                    FIT_STOP_REASON_NONE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  fit_estimator_class_add_signals (klass);
}

static void
fit_estimator_init (FitEstimator *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (HandlerEntry));
  self->next_seq = 100;
  self->train_metrics = g_ptr_array_new_with_free_func (g_object_unref);
  self->val_metrics = g_ptr_array_new_with_free_func (g_object_unref);
  self->history = fit_history_new ();
  self->processor = fit_batch_processor_new ();
  self->default_handlers[DEFAULT_METRIC] = fit_metric_handler_new ();
  self->default_handlers[DEFAULT_VALIDATION] = fit_validation_handler_new (1, 0);
  self->default_handlers[DEFAULT_HISTORY] = fit_history_handler_new ();
  self->loss_value = NAN;
  self->loss_scale = 1.0;
  self->dirty = TRUE;
}

/**
 * fit_estimator_new:
 * @net: the network to train
 * @loss: the loss to minimise
 * @optimizer: (nullable): the optimizer; %NULL for SGD with a learning rate of 0.01
 *
 * Creates an estimator.
 *
 * Returns: (transfer full): the new estimator
 *
 * Since: 1.0
 */
FitEstimator *
fit_estimator_new (FitModule    *net,
                   FitLoss      *loss,
                   FitOptimizer *optimizer)
{
  g_return_val_if_fail (FIT_IS_MODULE (net), NULL);
  g_return_val_if_fail (FIT_IS_LOSS (loss), NULL);
  g_return_val_if_fail (optimizer == NULL || FIT_IS_OPTIMIZER (optimizer), NULL);

  return g_object_new (FIT_TYPE_ESTIMATOR, "net", net, "loss", loss, "optimizer", optimizer,
                       NULL);
}

gboolean
fit_estimator_notify_progress (gpointer data)
{
  GObject *object = data;

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_EPOCH]);
  g_object_notify_by_pspec (object, properties[PROP_BATCH_INDEX]);
  g_object_notify_by_pspec (object, properties[PROP_GLOBAL_STEP]);
  g_object_notify_by_pspec (object, properties[PROP_LOSS_VALUE]);
  g_object_thaw_notify (object);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------------------ */
/* Configuration                                                                          */

/**
 * fit_estimator_get_net:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:net].
 *
 * Returns: (transfer none): [property@Fit.Estimator:net]
 *
 * Since: 1.0
 */
FitModule *
fit_estimator_get_net (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->net;
}

/**
 * fit_estimator_get_loss:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:loss].
 *
 * Returns: (transfer none): [property@Fit.Estimator:loss]
 *
 * Since: 1.0
 */
FitLoss *
fit_estimator_get_loss (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->loss;
}

/**
 * fit_estimator_get_optimizer:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:optimizer].
 *
 * Returns: (transfer none) (nullable): [property@Fit.Estimator:optimizer]
 *
 * Since: 1.0
 */
FitOptimizer *
fit_estimator_get_optimizer (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->optimizer;
}

/**
 * fit_estimator_set_optimizer:
 * @self: an estimator
 * @optimizer: (nullable): the optimizer
 *
 * Sets [property@Fit.Estimator:optimizer].
 *
 * Since: 1.0
 */
void
fit_estimator_set_optimizer (FitEstimator *self,
                             FitOptimizer *optimizer)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (optimizer == NULL || FIT_IS_OPTIMIZER (optimizer));

  if (g_set_object (&self->optimizer, optimizer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTIMIZER]);
}

/**
 * fit_estimator_get_device:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:device].
 *
 * Returns: (transfer none) (nullable): [property@Fit.Estimator:device]
 *
 * Since: 1.0
 */
FitDevice *
fit_estimator_get_device (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->device;
}

/**
 * fit_estimator_set_device:
 * @self: an estimator
 * @device: (nullable): where batches go
 *
 * Sets [property@Fit.Estimator:device].
 *
 * Since: 1.0
 */
void
fit_estimator_set_device (FitEstimator *self,
                          FitDevice    *device)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (device == NULL || FIT_IS_DEVICE (device));

  if (g_set_object (&self->device, device))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

/**
 * fit_estimator_get_batch_processor:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:batch-processor].
 *
 * Returns: (transfer none): [property@Fit.Estimator:batch-processor]
 *
 * Since: 1.0
 */
FitBatchProcessor *
fit_estimator_get_batch_processor (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->processor;
}

/**
 * fit_estimator_set_batch_processor:
 * @self: an estimator
 * @processor: (nullable): the processor; %NULL for the default
 *
 * Sets [property@Fit.Estimator:batch-processor].
 *
 * Since: 1.0
 */
void
fit_estimator_set_batch_processor (FitEstimator      *self,
                                   FitBatchProcessor *processor)
{
  g_autoptr(FitBatchProcessor) fallback = NULL;

  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (processor == NULL || FIT_IS_BATCH_PROCESSOR (processor));

  if (processor == NULL)
    processor = fallback = fit_batch_processor_new ();
  if (g_set_object (&self->processor, processor))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH_PROCESSOR]);
}

/**
 * fit_estimator_get_rng:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:rng].
 *
 * Returns: (transfer none) (nullable): [property@Fit.Estimator:rng]
 *
 * Since: 1.0
 */
FitRng *
fit_estimator_get_rng (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->rng;
}

/**
 * fit_estimator_set_rng:
 * @self: an estimator
 * @rng: (nullable): the generator checkpoints save
 *
 * Sets [property@Fit.Estimator:rng].
 *
 * Since: 1.0
 */
void
fit_estimator_set_rng (FitEstimator *self,
                       FitRng       *rng)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (rng == NULL || FIT_IS_RNG (rng));

  if (g_set_object (&self->rng, rng))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RNG]);
}

/**
 * fit_estimator_get_history:
 * @self: an estimator
 *
 * Gets [property@Fit.Estimator:history].
 *
 * Returns: (transfer none): [property@Fit.Estimator:history]
 *
 * Since: 1.0
 */
FitHistory *
fit_estimator_get_history (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return self->history;
}

/* ------------------------------------------------------------------------------------ */
/* The default optimizer                                                               */

/* The SGD a fit without an optimizer trains with, or NULL with an error. */
FitOptimizer *
fit_estimator_default_optimizer (FitEstimator  *self,
                                 GError       **error)
{
  g_autoptr(GPtrArray) params = fit_module_get_parameters (self->net);

  if (params->len == 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("The network %s has no parameters to train; give the estimator an "
                     "optimizer or a network with parameters"), G_OBJECT_TYPE_NAME (self->net));
      return NULL;
    }
  return fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.01, 0.0);
}

void
fit_estimator_install_default_optimizer (FitEstimator *self,
                                         FitOptimizer *sgd)
{
  g_message (_("No optimizer given: training with SGD, learning rate 0.01, no momentum"));
  fit_estimator_set_optimizer (self, sgd);
}

gboolean
fit_estimator_ensure_optimizer (FitEstimator  *self,
                                GError       **error)
{
  g_autoptr(FitOptimizer) sgd = NULL;

  if (self->optimizer != NULL)
    return TRUE;
  sgd = fit_estimator_default_optimizer (self, error);
  if (sgd == NULL)
    return FALSE;
  fit_estimator_install_default_optimizer (self, sgd);
  return TRUE;
}
