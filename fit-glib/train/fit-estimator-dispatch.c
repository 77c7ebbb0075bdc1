/* fit-estimator-dispatch.c: the estimator's handlers, its signals and how events reach them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The handler objects a fit runs (those added, for every fit or for one, and the defaults
 * they do not replace), sorted by priority into one list per event; the signals; the
 * emission of an event to callbacks and handlers, and what a failure in one of them
 * stops; and the dry run that describes it all.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fit-estimator-private.h"
#include "fit-train-marshal.h"

static guint signals[FIT_N_EVENTS];

/* ------------------------------------------------------------------------------------ */
/* Handler lists                                                                          */

static int
compare_handlers (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  FitEstimator *self = user_data;
  FitEventHandler *ha = *(FitEventHandler **) a;
  FitEventHandler *hb = *(FitEventHandler **) b;
  int pa = fit_event_handler_get_priority (ha);
  int pb = fit_event_handler_get_priority (hb);
  guint64 sa = 0, sb = 0;

  if (pa != pb)
    return pa < pb ? -1 : 1;
  /* Defaults count as added first; they are not in the entries. */
  for (guint i = 0; i < self->entries->len; i++)
    {
      HandlerEntry *e = &g_array_index (self->entries, HandlerEntry, i);

      if (e->handler == ha)
        sa = e->seq;
      if (e->handler == hb)
        sb = e->seq;
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->default_handlers); i++)
    {
      if (self->default_handlers[i] == ha)
        sa = i;
      if (self->default_handlers[i] == hb)
        sb = i;
    }
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/* An added handler of a default's type replaces that default. */
static gboolean
is_replaced (FitEstimator *self,
             guint         which)
{
  GType type = G_OBJECT_TYPE (self->default_handlers[which]);

  for (guint i = 0; i < self->entries->len; i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (g_array_index (self->entries, HandlerEntry, i).handler, type))
      return TRUE;
  return FALSE;
}

/* Every handler a fit uses, sorted: the added ones and the defaults they do not replace. */
GPtrArray *
fit_estimator_active_handlers (FitEstimator *self,
                               gboolean      with_validation)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->entries->len; i++)
    g_ptr_array_add (list, g_object_ref (g_array_index (self->entries, HandlerEntry, i).handler));
  if (!is_replaced (self, DEFAULT_METRIC))
    g_ptr_array_add (list, g_object_ref (self->default_handlers[DEFAULT_METRIC]));
  if (with_validation && !self->isolated && !is_replaced (self, DEFAULT_VALIDATION))
    g_ptr_array_add (list, g_object_ref (self->default_handlers[DEFAULT_VALIDATION]));
  if (!self->isolated && !is_replaced (self, DEFAULT_HISTORY))
    g_ptr_array_add (list, g_object_ref (self->default_handlers[DEFAULT_HISTORY]));
  g_ptr_array_sort_with_data (list, compare_handlers, self);
  return list;
}

static void
rebuild_dispatch (FitEstimator *self)
{
  g_autoptr(GPtrArray) active = fit_estimator_active_handlers (self, self->val_data != NULL);

  for (guint e = 0; e < FIT_N_EVENTS; e++)
    {
      GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < active->len; i++)
        if (fit_event_handler_handles_event (g_ptr_array_index (active, i), e))
          g_ptr_array_add (list, g_object_ref (g_ptr_array_index (active, i)));
      g_clear_pointer (&self->dispatch[e], g_ptr_array_unref);
      self->dispatch[e] = list;
    }
  self->dirty = FALSE;
}

static void
on_priority_changed (FitEventHandler *handler,
                     GParamSpec      *pspec,
                     FitEstimator    *self)
{
  self->dirty = TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* Errors and events                                                                     */

void
fit_estimator_record_error (FitEstimator *self,
                            GError       *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    {
      /* Only the first failure is returned; later ones (in train-end) are only logged. */
      g_message ("%s", error->message);
      g_error_free (error);
    }
}

/* Fails the running fit with @error (taken): the rest of the event is skipped. */
void
fit_estimator_fail_running (FitEstimator *self,
                            GError       *error)
{
  fit_estimator_record_error (self, error);
  if (self->in_emission > 0 && self->event != FIT_EVENT_TRAIN_END)
    g_signal_stop_emission (self, signals[self->event], 0);
}

static gboolean
run_handlers (FitEstimator *self,
              FitEvent      event)
{
  GPtrArray *list;

  if (G_UNLIKELY (self->dirty))
    rebuild_dispatch (self);
  if (self->dispatch[event]->len == 0)
    return self->error == NULL || event == FIT_EVENT_TRAIN_END;
  /* Kept alive across the calls: a priority change may rebuild the lists meanwhile. */
  list = g_ptr_array_ref (self->dispatch[event]);
  for (guint i = 0; i < list->len; i++)
    {
      GError *local_error = NULL;

      if (G_UNLIKELY (!fit_event_handler_run_event (g_ptr_array_index (list, i), self, event,
                                                    self->stop_reason, &local_error)))
        fit_estimator_record_error (self, local_error);
      if (G_UNLIKELY (self->error != NULL) && event != FIT_EVENT_TRAIN_END)
        break;
    }
  g_ptr_array_unref (list);
  return self->error == NULL || event == FIT_EVENT_TRAIN_END;
}

static FitEvent
event_of_signal (guint signal_id)
{
  for (guint e = 0; e < FIT_N_EVENTS; e++)
    if (signals[e] == signal_id)
      return e;
  g_return_val_if_reached (FIT_EVENT_TRAIN_BEGIN);
}

static void
class_handler (FitEstimator *self,
               gpointer      user_data)
{
  GSignalInvocationHint *hint = g_signal_get_invocation_hint (self);

  if (!run_handlers (self, event_of_signal (hint->signal_id)))
    g_signal_stop_emission (self, hint->signal_id, 0);
}

static void
class_handler_train_end (FitEstimator  *self,
                         FitStopReason  reason,
                         gpointer       user_data)
{
  run_handlers (self, FIT_EVENT_TRAIN_END);
}

/**
 * fit_estimator_emit:
 * @self: an estimator that is running
 * @event: the event
 * @error: return location for a #GError
 *
 * Delivers @event to the connected callbacks and the handlers. The estimator emits every
 * event itself except the fine-grained ones of a training batch (`forward-end`,
 * `loss-end`, `backward-end`, `step-end`), which the [class@Fit.BatchProcessor] emits; a
 * processor subclass calls this for the steps it has.
 *
 * Returns: %TRUE when every handler succeeded; %FALSE with @error set (a copy of the
 *   fit's error) when one failed or the fit had already failed
 *
 * Since: 1.0
 */
gboolean
fit_estimator_emit (FitEstimator  *self,
                    FitEvent       event,
                    GError       **error)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail ((guint) event < FIT_N_EVENTS, FALSE);
  g_return_val_if_fail (self->running, FALSE);

  if (G_UNLIKELY (self->error != NULL) && event != FIT_EVENT_TRAIN_END)
    goto failed;

  self->event = event;
  if (g_signal_has_handler_pending (self, signals[event], 0, FALSE))
    {
      self->in_emission++;
      if (event == FIT_EVENT_TRAIN_END)
        g_signal_emit (self, signals[event], 0, self->stop_reason);
      else
        g_signal_emit (self, signals[event], 0);
      self->in_emission--;
    }
  else
    run_handlers (self, event);

  if (G_LIKELY (self->error == NULL) || event == FIT_EVENT_TRAIN_END)
    return TRUE;

failed:
  if (error != NULL)
    *error = g_error_copy (self->error);
  return FALSE;
}

/**
 * fit_estimator_fail:
 * @self: an estimator that is running
 * @error: the error the fit should return
 *
 * Fails the fit with a copy of @error, for signal callbacks, which cannot return one:
 * the rest of the current event is skipped (the remaining callbacks and handler
 * objects), `train-end` fires with %FIT_STOP_REASON_ERROR and the fit returns the error.
 * Only the first failure counts. Call it from the thread running the fit.
 *
 * Since: 1.0
 */
void
fit_estimator_fail (FitEstimator *self,
                    const GError *error)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (error != NULL);
  g_return_if_fail (self->running);

  fit_estimator_fail_running (self, g_error_copy (error));
}

/* ------------------------------------------------------------------------------------ */
/* Signals                                                                               */

/* One signal per event; the class closure of each runs the handler objects, so that
 * callbacks connected with connect() run before them and connect_after() after. */
void
fit_estimator_class_add_signals (FitEstimatorClass *klass)
{
  for (guint e = 0; e < FIT_N_EVENTS; e++)
    {
      if (e == FIT_EVENT_TRAIN_END)
        {
          signals[e] = g_signal_new_class_handler (fit_event_get_name (e),
                                                   G_TYPE_FROM_CLASS (klass),
                                                   G_SIGNAL_RUN_LAST,
                                                   G_CALLBACK (class_handler_train_end),
                                                   NULL, NULL,
                                                   _fit_train_marshal_VOID__ENUM,
                                                   G_TYPE_NONE, 1, FIT_TYPE_STOP_REASON);
          g_signal_set_va_marshaller (signals[e], G_TYPE_FROM_CLASS (klass),
                                      _fit_train_marshal_VOID__ENUMv);
        }
      else
        {
          signals[e] = g_signal_new_class_handler (fit_event_get_name (e),
                                                   G_TYPE_FROM_CLASS (klass),
                                                   G_SIGNAL_RUN_LAST,
                                                   G_CALLBACK (class_handler),
                                                   NULL, NULL,
                                                   _fit_train_marshal_VOID__VOID,
                                                   G_TYPE_NONE, 0);
          g_signal_set_va_marshaller (signals[e], G_TYPE_FROM_CLASS (klass),
                                      _fit_train_marshal_VOID__VOIDv);
        }
    }

  /**
   * FitEstimator::train-begin:
   * @self: the estimator
   *
   * Before the first epoch of a fit. Handler objects run after `connect()` callbacks
   * and before `connect_after()` callbacks, as for every event.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::epoch-begin:
   * @self: the estimator
   *
   * Before an epoch's first training batch.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::batch-begin:
   * @self: the estimator
   *
   * Before a training batch's forward pass; the inputs and labels are set.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::forward-end:
   * @self: the estimator
   *
   * After a training batch's forward pass; the outputs are set.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::loss-end:
   * @self: the estimator
   *
   * After a training batch's loss; [method@Fit.Estimator.scale_loss] scales the backward
   * pass from here.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::backward-end:
   * @self: the estimator
   *
   * After the backward pass, before the optimizer step: gradients are there to clip.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::step-end:
   * @self: the estimator
   *
   * After the optimizer step; gradients are already zeroed.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::batch-end:
   * @self: the estimator
   *
   * After every training batch that began, whether or not a stop request cut it short.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::validate-begin:
   * @self: the estimator
   *
   * Before a validation pass, or an evaluation.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::validate-batch-end:
   * @self: the estimator
   *
   * After each validation (or evaluation) batch; outputs and loss are set.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::validate-end:
   * @self: the estimator
   *
   * After a validation pass or an evaluation; validation metrics are final.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::epoch-end:
   * @self: the estimator
   *
   * After an epoch and its validation.
   *
   * Since: 1.0
   */
  /**
   * FitEstimator::train-end:
   * @self: the estimator
   * @reason: why the fit ended
   *
   * After a fit, however it ended: completion, a stop request, cancellation or an
   * error. Every handler's `train_end` runs even when one fails.
   *
   * Since: 1.0
   */
}

/* ------------------------------------------------------------------------------------ */
/* Adding and listing handlers                                                           */

static gboolean
find_entry (FitEstimator    *self,
            FitEventHandler *handler,
            guint           *index)
{
  for (guint i = 0; i < self->entries->len; i++)
    if (g_array_index (self->entries, HandlerEntry, i).handler == handler)
      {
        if (index != NULL)
          *index = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
fit_estimator_add_entry (FitEstimator     *self,
                         FitEventHandler  *handler,
                         gboolean          temporary,
                         GError          **error)
{
  HandlerEntry entry = { 0 };

  if (find_entry (self, handler, NULL))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("Handler %s (%p) is already added to this estimator"),
                   G_OBJECT_TYPE_NAME (handler), handler);
      return FALSE;
    }
  entry.handler = g_object_ref (handler);
  entry.seq = self->next_seq++;
  entry.temporary = temporary;
  entry.notify_id = g_signal_connect (handler, "notify::priority",
                                      G_CALLBACK (on_priority_changed), self);
  g_array_append_val (self->entries, entry);
  self->dirty = TRUE;
  return TRUE;
}

static void
remove_entry (FitEstimator *self,
              guint         index)
{
  HandlerEntry *e = &g_array_index (self->entries, HandlerEntry, index);

  g_clear_signal_handler (&e->notify_id, e->handler);
  g_clear_object (&e->handler);
  g_array_remove_index (self->entries, index);
  self->dirty = TRUE;
}

void
fit_estimator_remove_temporary_handlers (FitEstimator *self)
{
  for (guint i = self->entries->len; i > 0; i--)
    if (g_array_index (self->entries, HandlerEntry, i - 1).temporary)
      remove_entry (self, i - 1);
}

gboolean
fit_estimator_check_not_running (FitEstimator  *self,
                                 const char    *what,
                                 GError       **error)
{
  if (!self->running)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_STATE,
               _("Cannot %s while the estimator is running; pass handlers for one fit to "
                 "fit_estimator_fit_full() or change them between fits"), what);
  return FALSE;
}

/**
 * fit_estimator_add_handler:
 * @self: an estimator
 * @handler: the handler
 * @error: return location for a #GError
 *
 * Adds a handler for every later fit. Handlers run in ascending priority, ties in the
 * order added.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_STATE during a fit, or
 *   %FIT_ERROR_INVALID_ARGUMENT when @handler is already added
 *
 * Since: 1.0
 */
gboolean
fit_estimator_add_handler (FitEstimator     *self,
                           FitEventHandler  *handler,
                           GError          **error)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_EVENT_HANDLER (handler), FALSE);

  if (!fit_estimator_check_not_running (self, _("add a handler"), error))
    return FALSE;
  return fit_estimator_add_entry (self, handler, FALSE, error);
}

/**
 * fit_estimator_remove_handler:
 * @self: an estimator
 * @handler: a handler added with [method@Fit.Estimator.add_handler]
 * @error: return location for a #GError
 *
 * Removes a handler.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_STATE during a fit, or
 *   %FIT_ERROR_NOT_FOUND when @handler is not added
 *
 * Since: 1.0
 */
gboolean
fit_estimator_remove_handler (FitEstimator     *self,
                              FitEventHandler  *handler,
                              GError          **error)
{
  guint index;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_EVENT_HANDLER (handler), FALSE);

  if (!fit_estimator_check_not_running (self, _("remove a handler"), error))
    return FALSE;
  if (!find_entry (self, handler, &index))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                   _("Handler %s (%p) is not added to this estimator"),
                   G_OBJECT_TYPE_NAME (handler), handler);
      return FALSE;
    }
  remove_entry (self, index);
  return TRUE;
}

/**
 * fit_estimator_get_handlers:
 * @self: an estimator
 *
 * Lists the handlers in the order they run: the added ones and the defaults a fit with a
 * validation loader would add (a metric handler, a validation handler and a history
 * handler, each unless one of its type is added).
 *
 * Returns: (transfer container) (element-type FitEventHandler): the handlers
 *
 * Since: 1.0
 */
GPtrArray *
fit_estimator_get_handlers (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return fit_estimator_active_handlers (self, TRUE);
}

/**
 * fit_estimator_get_handlers_for_event:
 * @self: an estimator
 * @event: an event
 *
 * Lists, in order, the handler objects a fit with a validation loader would call for
 * the event: those of [method@Fit.Estimator.get_handlers] whose class implements it.
 *
 * Returns: (transfer container) (element-type FitEventHandler): the handlers
 *
 * Since: 1.0
 */
GPtrArray *
fit_estimator_get_handlers_for_event (FitEstimator *self,
                                      FitEvent      event)
{
  GPtrArray *all;
  GPtrArray *list;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  g_return_val_if_fail ((guint) event < FIT_N_EVENTS, NULL);

  all = fit_estimator_active_handlers (self, TRUE);
  list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < all->len; i++)
    if (fit_event_handler_handles_event (g_ptr_array_index (all, i), event))
      g_ptr_array_add (list, g_object_ref (g_ptr_array_index (all, i)));
  g_ptr_array_unref (all);
  return list;
}

/* ------------------------------------------------------------------------------------ */
/* Dry run                                                                               */

static gboolean
is_default (FitEstimator    *self,
            FitEventHandler *handler)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->default_handlers); i++)
    if (self->default_handlers[i] == handler)
      return TRUE;
  return FALSE;
}

/**
 * fit_estimator_describe:
 * @self: an estimator
 *
 * A dry run: describes, for each event in the order the events fire, who would run, in
 * order: the signal callbacks connected with `connect()`, the handler objects with their
 * priorities, the callbacks connected with `connect_after()`. Nothing is trained.
 *
 * Returns: (transfer full): the description, one event per paragraph
 *
 * Since: 1.0
 */
char *
fit_estimator_describe (FitEstimator *self)
{
  GString *s;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);

  s = g_string_new (NULL);
  for (guint e = 0; e < FIT_N_EVENTS; e++)
    {
      g_autoptr(GPtrArray) list = fit_estimator_get_handlers_for_event (self, e);
      gboolean callbacks = g_signal_has_handler_pending (self, signals[e], 0, FALSE);

      g_string_append_printf (s, "%s:\n", fit_event_get_name (e));
      if (callbacks)
        g_string_append (s, _("  signal callbacks connected with connect()\n"));
      for (guint i = 0; i < list->len; i++)
        {
          FitEventHandler *h = g_ptr_array_index (list, i);

          g_string_append_printf (s, "  %s (priority %d)%s\n", G_OBJECT_TYPE_NAME (h),
                                  fit_event_handler_get_priority (h),
                                  !is_default (self, h) ? "" :
                                  h == self->default_handlers[DEFAULT_VALIDATION] ?
                                  _(" [default, with a validation loader]") : _(" [default]"));
        }
      if (callbacks)
        g_string_append (s, _("  signal callbacks connected with connect_after()\n"));
      if (!callbacks && list->len == 0)
        g_string_append (s, _("  nothing\n"));
    }
  return g_string_free (s, FALSE);
}
