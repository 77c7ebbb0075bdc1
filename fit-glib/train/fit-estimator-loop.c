/* fit-estimator-loop.c: the training loop, evaluation and prediction
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fit_estimator_fit() and its variants (fit_full, fit_async, the learning-rate finder's
 * isolated fit), fit_estimator_evaluate() and fit_estimator_predict(): epochs, batches,
 * validation points and the events between them, and what ends a fit. What happens
 * inside a batch is the batch processor's; what an event runs is handler dispatch's
 * (fit-estimator-dispatch.c).
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "fit-estimator-private.h"

/* The loop's own emissions: the error stays in self->error. */
static inline gboolean
emit (FitEstimator *self,
      FitEvent      event)
{
  return fit_estimator_emit (self, event, NULL);
}

static gboolean
check_cancelled (FitEstimator *self)
{
  if (self->cancellable == NULL || !g_cancellable_is_cancelled (self->cancellable))
    return FALSE;
  if (self->error == NULL)
    self->error = g_error_new_literal (FIT_ERROR, FIT_ERROR_CANCELLED,
                                       _("The fit was cancelled"));
  return TRUE;
}

/* An error from the loop's own work. Once a handler failed, what comes back through the
 * batch processor is a copy of that failure and is dropped. */
static void
take_error (FitEstimator *self,
            GError       *error)
{
  if (self->error != NULL)
    {
      g_error_free (error);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_error_new_literal (FIT_ERROR, FIT_ERROR_CANCELLED, _("The fit was cancelled"));
    }
  fit_estimator_record_error (self, error);
}

/* The loop drops a request once the scope it asked to end is over. */
static void
clear_stop (FitEstimator *self,
            FitStopScope  up_to)
{
  int current;

  do
    current = g_atomic_int_get (&self->stop_request);
  while (current != FIT_STOP_SCOPE_NONE && current <= (int) up_to &&
         !g_atomic_int_compare_and_exchange (&self->stop_request, current,
                                             FIT_STOP_SCOPE_NONE));
}

/* Drops the batch's tensors once its last event has run, so that their buffers go back
 * to the allocator before the next batch is made and are reused while still in cache
 * (holding them until the next batch replaced them made every step's buffers alternate
 * between two sets: the tiny MLP's step 2–3 % slower than a hand-written loop's). */
static void
release_batch (FitEstimator *self)
{
  g_clear_object (&self->inputs);
  g_clear_object (&self->labels);
  g_clear_object (&self->outputs);
  g_clear_object (&self->loss_tensor);
}

static gboolean
set_batch_on_device (FitEstimator *self,
                     FitTensor    *inputs,
                     FitTensor    *labels)
{
  g_autoptr(FitTensor) moved_inputs = NULL;
  g_autoptr(FitTensor) moved_labels = NULL;
  GError *local_error = NULL;

  if (self->device != NULL && !fit_device_equal (fit_tensor_get_device (inputs), self->device))
    {
      moved_inputs = fit_tensor_to_device (inputs, self->device, &local_error);
      if (moved_inputs == NULL)
        goto failed;
      inputs = moved_inputs;
    }
  if (self->device != NULL && labels != NULL &&
      !fit_device_equal (fit_tensor_get_device (labels), self->device))
    {
      moved_labels = fit_tensor_to_device (labels, self->device, &local_error);
      if (moved_labels == NULL)
        goto failed;
      labels = moved_labels;
    }
  fit_estimator_set_batch (self, inputs, labels);
  g_clear_object (&self->outputs);
  g_clear_object (&self->loss_tensor);
  self->loss_value = NAN;
  self->loss_scale = 1.0;
  return TRUE;

failed:
  take_error (self, local_error);
  return FALSE;
}

static gboolean
run_validation (FitEstimator  *self,
                FitDataLoader *loader,
                guint          epoch,
                FitPhase       phase)
{
  g_autoptr(FitDataIter) iter = NULL;
  guint64 saved_index = self->batch_index, saved_n = self->n_batches;
  gboolean was_training = fit_module_get_training (self->net);
  gboolean ok = FALSE;

  self->phase = phase;
  self->validate_after_batch = FALSE;
  self->validate_at_epoch_end = FALSE;
  self->validated_this_epoch = TRUE;
  self->batch_index = 0;
  self->n_batches = fit_data_loader_get_n_batches (loader);
  fit_module_set_training (self->net, FALSE);

  if (!emit (self, FIT_EVENT_VALIDATE_BEGIN))
    goto out;
  if (fit_estimator_get_stop_request (self) < FIT_STOP_SCOPE_EPOCH)
    {
      iter = fit_data_loader_iterate (loader, epoch, 0);
      for (;;)
        {
          g_autoptr(FitTensor) x = NULL;
          g_autoptr(FitTensor) y = NULL;
          GError *local_error = NULL;

          if (check_cancelled (self))
            goto out;
          if (!fit_data_iter_next (iter, &x, &y, self->cancellable, &local_error))
            {
              if (local_error != NULL)
                {
                  take_error (self, local_error);
                  goto out;
                }
              break;
            }
          if (!set_batch_on_device (self, x, y))
            goto out;
          if (!fit_batch_processor_evaluate_batch (self->processor, self, self->inputs,
                                                   self->labels, &local_error))
            {
              take_error (self, local_error);
              goto out;
            }
          if (!emit (self, FIT_EVENT_VALIDATE_BATCH_END))
            goto out;
          release_batch (self);
          self->batch_index++;
          if (fit_estimator_get_stop_request (self) >= FIT_STOP_SCOPE_EPOCH)
            break;
        }
    }
  ok = emit (self, FIT_EVENT_VALIDATE_END);

out:
  fit_module_set_training (self->net, was_training);
  self->batch_index = saved_index;
  self->n_batches = saved_n;
  if (phase == FIT_PHASE_VALIDATE)
    self->phase = FIT_PHASE_TRAIN;
  return ok;
}

/* During fit_async, tells the caller's main context about progress, ten times a second
 * at most, so a window can bind to the counters. */
static void
maybe_notify_progress (FitEstimator *self,
                       gboolean      force)
{
  gint64 now;

  if (self->caller_context == NULL)
    return;
  now = g_get_monotonic_time ();
  if (!force && now - self->last_notify < G_USEC_PER_SEC / 10)
    return;
  self->last_notify = now;
  fit_estimator_invoke_in_caller (self, fit_estimator_notify_progress, g_object_ref (self), g_object_unref);
}

static gboolean
run_train_batch (FitEstimator *self,
                 FitTensor    *x,
                 FitTensor    *y)
{
  GError *local_error = NULL;

  clear_stop (self, FIT_STOP_SCOPE_BATCH);
  if (!set_batch_on_device (self, x, y))
    return FALSE;
  self->in_batch = TRUE;
  if (!emit (self, FIT_EVENT_BATCH_BEGIN))
    return FALSE;
  if (fit_estimator_get_stop_request (self) == FIT_STOP_SCOPE_NONE &&
      !fit_batch_processor_fit_batch (self->processor, self, self->inputs, self->labels,
                                      &local_error))
    {
      /* A handler's failure is already recorded; the copy that came back is dropped. */
      take_error (self, local_error);
      return FALSE;
    }
  self->next_batch = self->batch_index + 1;
  self->next_global_step = self->global_step + 1;
  if (!emit (self, FIT_EVENT_BATCH_END))
    return FALSE;
  release_batch (self);
  self->in_batch = FALSE;
  clear_stop (self, FIT_STOP_SCOPE_BATCH);
  maybe_notify_progress (self, FALSE);
  return TRUE;
}

static gboolean
run_epoch (FitEstimator *self,
           guint64       first_batch)
{
  g_autoptr(FitDataIter) iter = NULL;
  gboolean unfinished;

  self->phase = FIT_PHASE_TRAIN;
  self->batch_index = first_batch;
  self->n_batches = fit_data_loader_get_n_batches (self->train_data);
  self->validated_this_epoch = FALSE;
  self->validate_after_batch = FALSE;
  self->validate_at_epoch_end = FALSE;
  fit_module_set_training (self->net, TRUE);

  if (!emit (self, FIT_EVENT_EPOCH_BEGIN))
    return FALSE;

  if (fit_estimator_get_stop_request (self) < FIT_STOP_SCOPE_EPOCH &&
      first_batch < self->n_batches)
    {
      iter = fit_data_loader_iterate (self->train_data, self->epoch, first_batch);
      for (;;)
        {
          g_autoptr(FitTensor) x = NULL;
          g_autoptr(FitTensor) y = NULL;
          GError *local_error = NULL;

          if (self->max_batches > 0 && self->global_step >= self->max_batches)
            {
              self->limit_reached = TRUE;
              break;
            }
          if (check_cancelled (self))
            return FALSE;
          if (!fit_data_iter_next (iter, &x, &y, self->cancellable, &local_error))
            {
              if (local_error != NULL)
                {
                  take_error (self, local_error);
                  return FALSE;
                }
              break;
            }
          if (!run_train_batch (self, x, y))
            return FALSE;
          self->global_step++;
          self->batch_index++;
          if (self->validate_after_batch && self->val_data != NULL &&
              fit_estimator_get_stop_request (self) < FIT_STOP_SCOPE_TRAINING)
            {
              self->batch_index--;
              if (!run_validation (self, self->val_data, self->epoch, FIT_PHASE_VALIDATE))
                return FALSE;
              self->batch_index++;
            }
          if (fit_estimator_get_stop_request (self) >= FIT_STOP_SCOPE_EPOCH)
            break;
          if (self->max_batches > 0 && self->global_step >= self->max_batches)
            {
              self->limit_reached = TRUE;
              break;
            }
        }
      g_clear_object (&iter);
    }
  /* An epoch cut short by the batch limit or a training stop is unfinished: a checkpoint
   * taken at its epoch-end resumes inside it. An epoch stop finishes the epoch. */
  unfinished = self->limit_reached ||
               fit_estimator_get_stop_request (self) >= FIT_STOP_SCOPE_TRAINING;
  if (unfinished && self->next_batch >= self->n_batches)
    unfinished = FALSE;
  self->batch_index = self->batch_index > 0 ? self->batch_index - 1 : 0;
  /* An epoch stop ended the training batches; the validation that is due still runs. */
  clear_stop (self, FIT_STOP_SCOPE_EPOCH);

  if (self->validate_at_epoch_end && self->val_data != NULL &&
      fit_estimator_get_stop_request (self) < FIT_STOP_SCOPE_TRAINING &&
      !run_validation (self, self->val_data, self->epoch, FIT_PHASE_VALIDATE))
    return FALSE;

  if (!unfinished)
    {
      self->next_epoch = self->epoch + 1;
      self->next_batch = 0;
    }
  if (!emit (self, FIT_EVENT_EPOCH_END))
    return FALSE;
  clear_stop (self, FIT_STOP_SCOPE_EPOCH);
  maybe_notify_progress (self, TRUE);
  return TRUE;
}

static gboolean
check_loader (const char     *what,
              FitDataLoader  *loader,
              GError        **error)
{
  if (fit_data_loader_get_n_batches (loader) > 0)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("The %s loader yields no batches (%" PRIu64 " samples, batch size "
                 "%u%s); give it data, or a smaller batch size"),
               what, fit_dataset_get_n_items (fit_data_loader_get_dataset (loader)),
               fit_data_loader_get_batch_size (loader),
               fit_data_loader_get_drop_last (loader) ? _(", dropping the last partial batch") : "");
  return FALSE;
}

static gboolean
clear_history (gpointer data)
{
  fit_history_clear (data);
  return G_SOURCE_REMOVE;
}

/**
 * fit_estimator_fit:
 * @self: an estimator
 * @train_data: the training batches
 * @val_data: (nullable): the validation batches; with them the estimator validates after
 *   every epoch unless a [class@Fit.ValidationHandler] says otherwise
 * @epochs: how many epochs to train (at least 1)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Trains the network; [method@Fit.Estimator.fit_full] with no batch limit and no extra
 * handlers.
 *
 * Returns: %TRUE when the fit completed or a handler stopped it; %FALSE with @error set
 *   when it failed or was cancelled
 *
 * Since: 1.0
 */
gboolean
fit_estimator_fit (FitEstimator   *self,
                   FitDataLoader  *train_data,
                   FitDataLoader  *val_data,
                   guint           epochs,
                   GCancellable   *cancellable,
                   GError        **error)
{
  return fit_estimator_fit_full (self, train_data, val_data, epochs, 0, NULL, 0, cancellable,
                                 error);
}

/**
 * fit_estimator_fit_full:
 * @self: an estimator
 * @train_data: the training batches
 * @val_data: (nullable): the validation batches
 * @epochs: how many epochs to train; 0 for no limit but @batches
 * @batches: how many training batches to train in all, across epochs; 0 for no limit
 *   but @epochs
 * @handlers: (array length=n_handlers) (nullable): handlers for this fit only, removed
 *   when it ends, whatever happened
 * @n_handlers: the number of @handlers
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Trains the network for @epochs epochs or @batches batches, whichever comes first. The
 * epoch counter starts at 0, or where a checkpoint restored at `train-begin` says
 * ([method@Fit.Estimator.load_state]), and @epochs and @batches count from 0 in either
 * case, so a resumed fit ends where the interrupted one would have.
 *
 * Errors: %FIT_ERROR_INVALID_ARGUMENT for zero epochs and batches, a loader without
 * batches or duplicate metric names; %FIT_ERROR_STATE when the estimator is already
 * running; %FIT_ERROR_CANCELLED after cancellation; whatever a handler, the model, the
 * loss or the data fail with.
 *
 * Returns: %TRUE when the fit completed or a handler stopped it; %FALSE with @error set
 *   when it failed or was cancelled
 *
 * Since: 1.0
 */
gboolean
fit_estimator_fit_full (FitEstimator     *self,
                        FitDataLoader    *train_data,
                        FitDataLoader    *val_data,
                        guint             epochs,
                        guint64           batches,
                        FitEventHandler **handlers,
                        guint             n_handlers,
                        GCancellable     *cancellable,
                        GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_DATA_LOADER (train_data), FALSE);
  g_return_val_if_fail (val_data == NULL || FIT_IS_DATA_LOADER (val_data), FALSE);
  g_return_val_if_fail (handlers != NULL || n_handlers == 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!fit_estimator_check_not_running (self, _("start a fit"), error))
    return FALSE;
  if (epochs == 0 && batches == 0)
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                           _("A fit needs at least one epoch or one batch; both limits are 0"));
      return FALSE;
    }
  if (!check_loader (_("training"), train_data, error) ||
      (val_data != NULL && !check_loader (_("validation"), val_data, error)) ||
      !fit_estimator_ensure_optimizer (self, error) ||
      !fit_estimator_ensure_metrics (self, error))
    return FALSE;
  for (guint i = 0; i < n_handlers; i++)
    {
      g_return_val_if_fail (FIT_IS_EVENT_HANDLER (handlers[i]), FALSE);
      if (!fit_estimator_add_entry (self, handlers[i], TRUE, error))
        {
          fit_estimator_remove_temporary_handlers (self);
          return FALSE;
        }
    }

  self->running = TRUE;
  g_set_object (&self->train_data, train_data);
  g_set_object (&self->val_data, val_data);
  g_set_object (&self->cancellable, cancellable);
  g_clear_error (&self->error);
  self->dirty = TRUE;
  self->epochs = epochs;
  self->max_batches = batches;
  self->stop_reason = FIT_STOP_REASON_NONE;
  self->limit_reached = FALSE;
  self->in_batch = FALSE;
  g_atomic_int_set (&self->stop_request, FIT_STOP_SCOPE_NONE);
  if (!self->resume_pending)
    {
      self->next_epoch = 0;
      self->next_batch = 0;
      self->next_global_step = 0;
    }
  if (!self->resume_pending && !self->isolated)
    {
      fit_estimator_invoke_in_caller (self, clear_history, g_object_ref (self->history),
                                      g_object_unref);
    }
  self->resume_pending = FALSE;
  self->epoch = self->next_epoch;
  self->global_step = self->next_global_step;
  self->batch_index = 0;
  self->phase = FIT_PHASE_TRAIN;
  fit_module_zero_grad (self->net);

  if (!check_cancelled (self) && emit (self, FIT_EVENT_TRAIN_BEGIN))
    {
      /* A checkpoint restored at train-begin moved the start. */
      guint64 first_batch = self->next_batch;

      self->epoch = self->next_epoch;
      self->global_step = self->next_global_step;
      while ((epochs == 0 || self->epoch < epochs) &&
             (self->max_batches == 0 || self->global_step < self->max_batches) &&
             fit_estimator_get_stop_request (self) < FIT_STOP_SCOPE_TRAINING &&
             !self->limit_reached)
        {
          /* The history and the handlers count epochs in an int; only a checkpoint that
           * resumes at the last one gets here. */
          if (self->epoch > G_MAXINT)
            {
              take_error (self, g_error_new (FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                                             _("Epoch %u is past the last one a fit can "
                                               "count, %d"), self->epoch, G_MAXINT));
              break;
            }
          if (!run_epoch (self, first_batch))
            break;
          first_batch = 0;
          if (fit_estimator_get_stop_request (self) >= FIT_STOP_SCOPE_TRAINING ||
              self->limit_reached)
            break;
          self->epoch++;
        }
    }

  if (self->error != NULL)
    self->stop_reason = g_error_matches (self->error, FIT_ERROR, FIT_ERROR_CANCELLED) ?
                        FIT_STOP_REASON_CANCELLED : FIT_STOP_REASON_ERROR;
  else if (fit_estimator_get_stop_request (self) >= FIT_STOP_SCOPE_TRAINING)
    self->stop_reason = FIT_STOP_REASON_STOPPED;
  else
    self->stop_reason = FIT_STOP_REASON_COMPLETED;
  self->in_batch = FALSE;
  self->phase = FIT_PHASE_TRAIN;
  emit (self, FIT_EVENT_TRAIN_END);

  self->running = FALSE;
  self->phase = FIT_PHASE_IDLE;
  release_batch (self);
  g_clear_pointer (&self->params, g_ptr_array_unref);
  fit_estimator_remove_temporary_handlers (self);
  g_clear_object (&self->cancellable);
  ok = self->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&self->error));
  return ok;
}

typedef struct
{
  FitDataLoader    *train_data;
  FitDataLoader    *val_data;
  guint             epochs;
  guint64           batches;
  GPtrArray        *handlers;
} FitTaskData;

static void
fit_task_data_free (FitTaskData *data)
{
  g_clear_object (&data->train_data);
  g_clear_object (&data->val_data);
  g_clear_pointer (&data->handlers, g_ptr_array_unref);
  g_free (data);
}

static void
fit_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  FitEstimator *self = source_object;
  FitTaskData *data = task_data;
  GError *error = NULL;
  gboolean ok;

  ok = fit_estimator_fit_full (self, data->train_data, data->val_data, data->epochs,
                               data->batches, (FitEventHandler **) data->handlers->pdata,
                               data->handlers->len, cancellable, &error);
  /* Before returning: the callback may start the next fit_async. */
  g_clear_pointer (&self->caller_context, g_main_context_unref);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * fit_estimator_fit_async:
 * @self: an estimator
 * @train_data: the training batches
 * @val_data: (nullable): the validation batches
 * @epochs: how many epochs to train; 0 for no limit but @batches
 * @batches: how many training batches to train in all; 0 for no limit but @epochs
 * @handlers: (array length=n_handlers) (nullable): handlers for this fit only
 * @n_handlers: the number of @handlers
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called in the caller's main context when the fit ends
 * @user_data: data for @callback
 *
 * Runs [method@Fit.Estimator.fit_full] on a worker thread. Handlers and signal callbacks
 * run on the worker; [class@Fit.History] records are appended in the thread-default main
 * context of the caller, before @callback runs. Do not touch the network, the optimizer
 * or the estimator's configuration until the fit ends. Cancel with @cancellable.
 *
 * Since: 1.0
 */
void
fit_estimator_fit_async (FitEstimator        *self,
                         FitDataLoader       *train_data,
                         FitDataLoader       *val_data,
                         guint                epochs,
                         guint64              batches,
                         FitEventHandler    **handlers,
                         guint                n_handlers,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FitTaskData *data;
  GError *error = NULL;

  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (FIT_IS_DATA_LOADER (train_data));
  g_return_if_fail (val_data == NULL || FIT_IS_DATA_LOADER (val_data));
  g_return_if_fail (handlers != NULL || n_handlers == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fit_estimator_fit_async);
  /* The fit's own result says whether cancelling was in time, with %FIT_ERROR_CANCELLED
   * as in the synchronous call. */
  g_task_set_check_cancellable (task, FALSE);
  if (!fit_estimator_check_not_running (self, _("start a fit"), &error) ||
      self->caller_context != NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, FIT_ERROR, FIT_ERROR_STATE,
                             _("Cannot start a fit while another one is starting"));
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (FitTaskData, 1);
  data->train_data = g_object_ref (train_data);
  data->val_data = val_data != NULL ? g_object_ref (val_data) : NULL;
  data->epochs = epochs;
  data->batches = batches;
  data->handlers = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_handlers; i++)
    g_ptr_array_add (data->handlers, g_object_ref (handlers[i]));
  g_task_set_task_data (task, data, (GDestroyNotify) fit_task_data_free);
  self->caller_context = g_main_context_ref_thread_default ();
  g_task_run_in_thread (task, fit_thread);
}

/**
 * fit_estimator_fit_finish:
 * @self: an estimator
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Fit.Estimator.fit_async].
 *
 * Returns: %TRUE when the fit completed or a handler stopped it
 *
 * Since: 1.0
 */
gboolean
fit_estimator_fit_finish (FitEstimator  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
fit_estimator_invoke_in_caller (FitEstimator   *self,
                                GSourceFunc     func,
                                gpointer        data,
                                GDestroyNotify  notify)
{
  g_autoptr(GSource) source = NULL;

  if (self->caller_context == NULL)
    {
      func (data);
      if (notify != NULL)
        notify (data);
      return;
    }
  /* Always an idle source: g_main_context_invoke() would run @func on the worker when the
   * caller's context happens to be free, as it is before the caller's loop starts. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[fit] estimator update");
  g_source_attach (source, self->caller_context);
}

gboolean
fit_estimator_fit_isolated (FitEstimator     *self,
                            FitDataLoader    *train_data,
                            guint64           batches,
                            FitEventHandler  *handler,
                            GCancellable     *cancellable,
                            GError          **error)
{
  GArray *saved;
  gboolean ok;

  if (!fit_estimator_check_not_running (self, _("start a fit"), error))
    return FALSE;
  saved = self->entries;
  self->entries = g_array_new (FALSE, TRUE, sizeof (HandlerEntry));
  self->isolated = TRUE;
  ok = fit_estimator_fit_full (self, train_data, NULL, 0, batches, &handler, 1, cancellable,
                               error);
  g_array_unref (self->entries);
  self->entries = saved;
  self->isolated = FALSE;
  self->dirty = TRUE;
  return ok;
}

/* The validation metrics after an evaluation pass, or NULL with the first metric's
 * failure in self->error. */
static FitHistoryRecord *
evaluation_record (FitEstimator *self)
{
  g_autoptr(FitHistoryRecord) record = fit_history_record_new (-1);
  GError *local_error = NULL;

  if (!fit_history_record_add_metrics (record, self->val_metrics, "val_", &local_error))
    {
      fit_estimator_record_error (self, local_error);
      return NULL;
    }
  fit_history_record_set_learning_rate (record, fit_estimator_get_learning_rate (self));
  return g_steal_pointer (&record);
}

/**
 * fit_estimator_evaluate:
 * @self: an estimator that is not running
 * @data: the batches to evaluate on
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Computes the loss and the validation metrics over @data without training. Emits
 * `validate-begin`, `validate-batch-end` for each batch and `validate-end` (with phase
 * %FIT_PHASE_EVALUATE), so the metric handler and other handlers take part, but no
 * training event.
 *
 * Returns: (transfer full): a record with epoch -1 holding `val_<name>` for every
 *   validation metric, or %NULL with @error set
 *
 * Since: 1.0
 */
FitHistoryRecord *
fit_estimator_evaluate (FitEstimator   *self,
                        FitDataLoader  *data,
                        GCancellable   *cancellable,
                        GError        **error)
{
  FitHistoryRecord *record = NULL;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  g_return_val_if_fail (FIT_IS_DATA_LOADER (data), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_estimator_check_not_running (self, _("evaluate"), error) ||
      !check_loader (_("evaluation"), data, error) ||
      !fit_estimator_ensure_metrics (self, error))
    return NULL;

  self->running = TRUE;
  g_set_object (&self->val_data, data);
  g_set_object (&self->cancellable, cancellable);
  g_clear_error (&self->error);
  self->dirty = TRUE;
  self->in_batch = FALSE;
  g_atomic_int_set (&self->stop_request, FIT_STOP_SCOPE_NONE);

  if (run_validation (self, data, 0, FIT_PHASE_EVALUATE))
    record = evaluation_record (self);

  self->running = FALSE;
  self->phase = FIT_PHASE_IDLE;
  release_batch (self);
  g_clear_object (&self->val_data);
  g_clear_object (&self->cancellable);
  self->dirty = TRUE;
  if (record == NULL)
    g_propagate_error (error, g_steal_pointer (&self->error));
  return record;
}

/* Whether two batches' outputs stack: the same element type and shape after the first
 * dimension. */
static gboolean
same_sample_shape (FitTensor *a,
                   FitTensor *b)
{
  guint na, nb;
  const gint64 *sa = fit_tensor_get_shape (a, &na);
  const gint64 *sb = fit_tensor_get_shape (b, &nb);

  return na == nb && fit_tensor_get_dtype (a) == fit_tensor_get_dtype (b) &&
         memcmp (sa + 1, sb + 1, (na - 1) * sizeof (gint64)) == 0;
}

static FitTensor *
concat_outputs (GPtrArray  *outputs,
                GError    **error)
{
  FitTensor *first = g_ptr_array_index (outputs, 0);
  guint n_dims;
  const gint64 *first_shape = fit_tensor_get_shape (first, &n_dims);
  gint64 shape[FIT_MAX_DIMS];
  gint64 rows = 0;
  FitTensor *result;
  guint8 *dst;

  if (n_dims == 0)
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_SHAPE,
                           _("predict: the network returned a scalar; it needs outputs with "
                             "a first dimension of samples to stack"));
      return NULL;
    }
  for (guint i = 0; i < outputs->len; i++)
    {
      FitTensor *t = g_ptr_array_index (outputs, i);

      if (!same_sample_shape (t, first))
        {
          g_autofree char *a = fit_tensor_get_shape_string (first);
          g_autofree char *b = fit_tensor_get_shape_string (t);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("predict: batch %u's outputs %s (%s) do not stack with the first "
                         "batch's %s (%s); every batch must have the same shape after the "
                         "first dimension"),
                       i, b, fit_dtype_get_name (fit_tensor_get_dtype (t)), a,
                       fit_dtype_get_name (fit_tensor_get_dtype (first)));
          return NULL;
        }
      rows += fit_tensor_get_dim (t, 0);
    }
  memcpy (shape, first_shape, n_dims * sizeof (gint64));
  shape[0] = rows;
  result = fit_tensor_new_zeros (fit_tensor_get_dtype (first), shape, n_dims);
  dst = fit_tensor_get_data_mutable (result);
  for (guint i = 0; i < outputs->len; i++)
    {
      gsize n = fit_tensor_get_n_bytes (g_ptr_array_index (outputs, i));

      memcpy (dst, fit_tensor_get_data (g_ptr_array_index (outputs, i)), n);
      dst += n;
    }
  return result;
}

/**
 * fit_estimator_predict:
 * @self: an estimator that is not running
 * @data: the batches to predict for; their labels are ignored
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs the network in evaluation mode, without recording gradients, over every batch of
 * @data, in the loader's order, and stacks the outputs along the first dimension. No
 * event fires.
 *
 * Returns: (transfer full): the outputs of every sample, on the CPU, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_estimator_predict (FitEstimator   *self,
                       FitDataLoader  *data,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(FitDataIter) iter = NULL;
  gboolean was_training;
  FitTensor *result = NULL;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  g_return_val_if_fail (FIT_IS_DATA_LOADER (data), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_estimator_check_not_running (self, _("predict"), error) ||
      !check_loader (_("prediction"), data, error))
    return NULL;

  self->running = TRUE;
  self->phase = FIT_PHASE_PREDICT;
  was_training = fit_module_get_training (self->net);
  fit_module_set_training (self->net, FALSE);
  outputs = g_ptr_array_new_with_free_func (g_object_unref);
  iter = fit_data_loader_iterate (data, 0, 0);
  for (;;)
    {
      g_autoptr(FitTensor) x = NULL;
      g_autoptr(FitTensor) y = NULL;
      g_autoptr(FitTensor) inputs = NULL;
      g_autoptr(FitTensor) out = NULL;
      FitTensor *host;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!fit_data_iter_next (iter, &x, &y, cancellable, error))
        {
          if (error != NULL && *error != NULL)
            goto out;
          break;
        }
      inputs = self->device != NULL ? fit_tensor_to_device (x, self->device, error)
                                    : g_object_ref (x);
      if (inputs == NULL)
        goto out;
      out = fit_batch_processor_predict_batch (self->processor, self, inputs, error);
      if (out == NULL)
        goto out;
      host = fit_tensor_to_device (out, fit_device_get_cpu (), error);
      if (host == NULL)
        goto out;
      g_ptr_array_add (outputs, host);
    }
  result = outputs->len > 0 ? concat_outputs (outputs, error) : NULL;

out:
  if (error != NULL && *error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_CANCELLED, _("The prediction was cancelled"));
    }
  fit_module_set_training (self->net, was_training);
  self->running = FALSE;
  self->phase = FIT_PHASE_IDLE;
  return result;
}
