/* fit-event-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fit-estimator-handlers-private.h"

/**
 * FitEventHandler:
 *
 * An object that hooks into [class@Fit.Estimator]'s training loop, with one virtual
 * method per [enum@Fit.Event].
 *
 * ## Order
 *
 * The estimator runs handler objects in ascending [property@Fit.EventHandler:priority]
 * (lower first), and handlers of equal priority in the order they were added. Built-in
 * handlers use documented priorities: metrics and validation early, history, logging and
 * progress last, so `epoch-end` handlers of the default priority (0) see final validation
 * metrics. Plain signal callbacks have a fixed place around the handler objects: handlers
 * run in the class closure of each signal (`G_SIGNAL_RUN_LAST`), so callbacks connected
 * with `connect()` run before every handler object and those connected with
 * `connect_after()` run after them.
 *
 * ## Stopping and failing
 *
 * A handler asks the estimator to skip the rest of a batch, end an epoch or end the
 * training with [method@Fit.Estimator.request_stop]; the request takes effect once the
 * current event has reached every handler. A handler fails the fit by returning %FALSE
 * with @error set (in Python by raising `GLib.Error`, in JavaScript by throwing, in Vala
 * by throwing an error): the rest of that event is skipped, `train-end` fires with
 * %FIT_STOP_REASON_ERROR and the fit returns the error. A method that returns %FALSE
 * without an error also fails the fit: that is what PyGObject makes of a Python exception
 * that is not a `GLib.Error`, and of an override that returns `None`, so Python and
 * JavaScript overrides return `True`.
 *
 * ## Cost
 *
 * Methods a subclass does not override are never called: the estimator keeps, per
 * event, the list of handlers that override it, so a handler that only watches
 * `epoch-end` costs nothing per batch.
 *
 * ## Checkpoints
 *
 * Handlers with state that matters for resuming (early stopping's best value, the
 * history) implement `save_state` and `load_state`; [class@Fit.CheckpointHandler] stores
 * it in its checkpoints. A checkpoint is a file that may be damaged or hostile, so
 * `load_state` should check every value it reads (range, type, whole number) before it
 * changes anything, and fail with a #GError naming the key; the built-in handlers do.
 * [method@Fit.Estimator.load_state] loads such handlers before anything else and, when
 * one fails, gives those loaded before it back what their `save_state` wrote just before.
 *
 * Since: 1.0
 */

typedef struct
{
  int priority;
} FitEventHandlerPrivate;

enum { PROP_0, PROP_PRIORITY, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (FitEventHandler, fit_event_handler, G_TYPE_OBJECT)

static gboolean
default_event (FitEventHandler  *self,
               FitEstimator     *estimator,
               GError          **error)
{
  return TRUE;
}

static gboolean
default_train_end (FitEventHandler  *self,
                   FitEstimator     *estimator,
                   FitStopReason     reason,
                   GError          **error)
{
  return TRUE;
}

static void
default_save_state (FitEventHandler *self,
                    FitSafetensors  *into,
                    const char      *prefix)
{
}

static gboolean
default_load_state (FitEventHandler  *self,
                    FitSafetensors   *from,
                    const char       *prefix,
                    GError          **error)
{
  return TRUE;
}

typedef gboolean (*EventFunc) (FitEventHandler *, FitEstimator *, GError **);

static inline EventFunc *
event_slot (FitEventHandlerClass *klass,
            FitEvent              event)
{
  switch (event)
    {
    case FIT_EVENT_TRAIN_BEGIN:
      return &klass->train_begin;
    case FIT_EVENT_EPOCH_BEGIN:
      return &klass->epoch_begin;
    case FIT_EVENT_BATCH_BEGIN:
      return &klass->batch_begin;
    case FIT_EVENT_FORWARD_END:
      return &klass->forward_end;
    case FIT_EVENT_LOSS_END:
      return &klass->loss_end;
    case FIT_EVENT_BACKWARD_END:
      return &klass->backward_end;
    case FIT_EVENT_STEP_END:
      return &klass->step_end;
    case FIT_EVENT_BATCH_END:
      return &klass->batch_end;
    case FIT_EVENT_VALIDATE_BEGIN:
      return &klass->validate_begin;
    case FIT_EVENT_VALIDATE_BATCH_END:
      return &klass->validate_batch_end;
    case FIT_EVENT_VALIDATE_END:
      return &klass->validate_end;
    case FIT_EVENT_EPOCH_END:
      return &klass->epoch_end;
    case FIT_EVENT_TRAIN_END:
    default:
      return NULL;
    }
}

static void
fit_event_handler_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  FitEventHandler *self = FIT_EVENT_HANDLER (object);

  switch (prop_id)
    {
    case PROP_PRIORITY:
      g_value_set_int (value, fit_event_handler_get_priority (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_event_handler_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  FitEventHandler *self = FIT_EVENT_HANDLER (object);

  switch (prop_id)
    {
    case PROP_PRIORITY:
      fit_event_handler_set_priority (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_event_handler_class_init (FitEventHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_event_handler_get_property;
  object_class->set_property = fit_event_handler_set_property;

  for (guint e = 0; e < FIT_EVENT_TRAIN_END; e++)
    *event_slot (klass, e) = default_event;
  klass->train_end = default_train_end;
  klass->save_state = default_save_state;
  klass->load_state = default_load_state;

  /**
   * FitEventHandler:priority:
   *
   * Where the handler runs among the estimator's handlers: lower first, equal priorities
   * in the order the handlers were added. Built-in handlers set their documented
   * priority (see %FIT_PRIORITY_METRIC and the other `FIT_PRIORITY_` constants); others
   * start at %FIT_PRIORITY_DEFAULT. Changing it during a fit takes effect at the next
   * event.
   *
   * Since: 1.0
   */
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL, G_MININT, G_MAXINT, FIT_PRIORITY_DEFAULT,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_event_handler_init (FitEventHandler *self)
{
}

/**
 * fit_event_handler_get_priority:
 * @self: a handler
 *
 * Gets [property@Fit.EventHandler:priority].
 *
 * Returns: [property@Fit.EventHandler:priority]
 *
 * Since: 1.0
 */
int
fit_event_handler_get_priority (FitEventHandler *self)
{
  FitEventHandlerPrivate *priv;

  g_return_val_if_fail (FIT_IS_EVENT_HANDLER (self), 0);
  priv = fit_event_handler_get_instance_private (self);
  return priv->priority;
}

/**
 * fit_event_handler_set_priority:
 * @self: a handler
 * @priority: the new priority; lower runs first
 *
 * Sets [property@Fit.EventHandler:priority].
 *
 * Since: 1.0
 */
void
fit_event_handler_set_priority (FitEventHandler *self,
                                int              priority)
{
  FitEventHandlerPrivate *priv;

  g_return_if_fail (FIT_IS_EVENT_HANDLER (self));
  priv = fit_event_handler_get_instance_private (self);
  if (priv->priority == priority)
    return;
  priv->priority = priority;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
}

/**
 * fit_event_handler_handles_event:
 * @self: a handler
 * @event: an event
 *
 * Whether the handler's class overrides the method of @event; the estimator only calls
 * handlers that do.
 *
 * Returns: %TRUE when the class implements @event
 *
 * Since: 1.0
 */
gboolean
fit_event_handler_handles_event (FitEventHandler *self,
                                 FitEvent         event)
{
  FitEventHandlerClass *klass;

  g_return_val_if_fail (FIT_IS_EVENT_HANDLER (self), FALSE);
  g_return_val_if_fail ((guint) event < FIT_N_EVENTS, FALSE);

  klass = FIT_EVENT_HANDLER_GET_CLASS (self);
  if (event == FIT_EVENT_TRAIN_END)
    return klass->train_end != NULL && klass->train_end != default_train_end;
  return *event_slot (klass, event) != NULL && *event_slot (klass, event) != default_event;
}

/**
 * fit_event_handler_run_event:
 * @self: a handler
 * @estimator: the estimator whose event it is
 * @event: the event
 * @reason: for %FIT_EVENT_TRAIN_END, why the fit ended; ignored otherwise
 * @error: return location for a #GError
 *
 * Calls the handler's method for @event. The estimator does this; call it yourself only
 * to drive a handler outside a fit, as tests do. A method that returns %FALSE without
 * setting @error fails with a %FIT_ERROR_FAILED error that names the handler and the
 * event.
 *
 * Returns: %TRUE when the handler succeeded
 *
 * Since: 1.0
 */
gboolean
fit_event_handler_run_event (FitEventHandler  *self,
                             FitEstimator     *estimator,
                             FitEvent          event,
                             FitStopReason     reason,
                             GError          **error)
{
  FitEventHandlerClass *klass;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (FIT_IS_EVENT_HANDLER (self), FALSE);
  g_return_val_if_fail ((guint) event < FIT_N_EVENTS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = FIT_EVENT_HANDLER_GET_CLASS (self);
  if (event == FIT_EVENT_TRAIN_END)
    ok = klass->train_end == NULL || klass->train_end (self, estimator, reason, &local_error);
  else
    {
      EventFunc func = *event_slot (klass, event);

      ok = func == NULL || func (self, estimator, &local_error);
    }
  if (G_LIKELY (ok && local_error == NULL))
    return TRUE;

  if (local_error == NULL)
    local_error = g_error_new (FIT_ERROR, FIT_ERROR_FAILED,
                               _("Handler %s failed in “%s” without giving a reason (in "
                                 "Python, an exception that is not a GLib.Error, or a "
                                 "method that does not return True; see the message "
                                 "printed above)"),
                               G_OBJECT_TYPE_NAME (self), fit_event_get_name (event));
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * fit_event_handler_save_state:
 * @self: a handler
 * @into: the checkpoint being written
 * @prefix: the prefix of every tensor name and metadata key the handler adds, such as
 *   `handler.FitEarlyStoppingHandler.0.`
 *
 * Adds what the handler needs to resume to a checkpoint. Most handlers have nothing to
 * add.
 *
 * Since: 1.0
 */
void
fit_event_handler_save_state (FitEventHandler *self,
                              FitSafetensors  *into,
                              const char      *prefix)
{
  g_return_if_fail (FIT_IS_EVENT_HANDLER (self));
  g_return_if_fail (FIT_IS_SAFETENSORS (into));
  g_return_if_fail (prefix != NULL);

  if (FIT_EVENT_HANDLER_GET_CLASS (self)->save_state != NULL)
    FIT_EVENT_HANDLER_GET_CLASS (self)->save_state (self, into, prefix);
}

/**
 * fit_event_handler_load_state:
 * @self: a handler
 * @from: a checkpoint
 * @prefix: the prefix [method@Fit.EventHandler.save_state] used
 * @error: return location for a #GError
 *
 * Restores what [method@Fit.EventHandler.save_state] wrote. Missing keys are not an error
 * (a checkpoint from a run without this handler); malformed values are. The built-in
 * handlers check every value before they change anything: on error the handler is as it
 * was.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
fit_event_handler_load_state (FitEventHandler  *self,
                              FitSafetensors   *from,
                              const char       *prefix,
                              GError          **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (FIT_IS_EVENT_HANDLER (self), FALSE);
  g_return_val_if_fail (FIT_IS_SAFETENSORS (from), FALSE);
  g_return_val_if_fail (prefix != NULL, FALSE);

  if (FIT_EVENT_HANDLER_GET_CLASS (self)->load_state == NULL ||
      FIT_EVENT_HANDLER_GET_CLASS (self)->load_state (self, from, prefix, &local_error))
    {
      if (local_error == NULL)
        return TRUE;
    }
  if (local_error == NULL)
    local_error = g_error_new (FIT_ERROR, FIT_ERROR_FAILED,
                               _("Handler %s could not restore its state"),
                               G_OBJECT_TYPE_NAME (self));
  g_propagate_error (error, local_error);
  return FALSE;
}

static G_DEFINE_QUARK (fit-event-handler-check-state, check_state)

void
fit_event_handler_class_set_check_state (FitEventHandlerClass *klass,
                                         FitStateCheckFunc     check)
{
  g_type_set_qdata (G_TYPE_FROM_CLASS (klass), check_state_quark (), (gpointer) check);
}

/* Only the exact type's: a subclass may read its state differently. */
FitStateCheckFunc
fit_event_handler_get_check_state (FitEventHandler *self)
{
  return (FitStateCheckFunc) g_type_get_qdata (G_OBJECT_TYPE (self), check_state_quark ());
}
