/* fit-stopping-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-handlers.h"

/**
 * FitStoppingHandler:
 *
 * Ends the training after [property@Fit.StoppingHandler:max-epochs] epochs or
 * [property@Fit.StoppingHandler:max-batches] training batches (counted from the start of
 * the fit, across epochs), whichever comes first; 0 turns a limit off.
 *
 * It requests %FIT_STOP_SCOPE_TRAINING: at the `batch-end` of the last batch (the epoch
 * then ends without validation) or at the `epoch-end` of the last epoch, and the fit
 * ends with %FIT_STOP_REASON_STOPPED. The limits of [method@Fit.Estimator.fit_full]
 * themselves end a fit as completed; this handler is for limits added on top, from a
 * configuration or another handler. Its priority is %FIT_PRIORITY_STOPPING.
 *
 * Since: 1.0
 */
struct _FitStoppingHandler
{
  FitEventHandler parent_instance;
  guint           max_epochs;
  guint64         max_batches;
};

enum { PROP_0, PROP_MAX_EPOCHS, PROP_MAX_BATCHES, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitStoppingHandler, fit_stopping_handler, FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_stopping_handler_batch_end (FitEventHandler  *handler,
                                FitEstimator     *estimator,
                                GError          **error)
{
  FitStoppingHandler *self = FIT_STOPPING_HANDLER (handler);

  if (self->max_batches > 0 && fit_estimator_get_global_step (estimator) + 1 >= self->max_batches)
    fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_TRAINING);
  return TRUE;
}

static gboolean
fit_stopping_handler_epoch_end (FitEventHandler  *handler,
                                FitEstimator     *estimator,
                                GError          **error)
{
  FitStoppingHandler *self = FIT_STOPPING_HANDLER (handler);

  if (self->max_epochs > 0 && fit_estimator_get_epoch (estimator) + 1 >= self->max_epochs)
    fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_TRAINING);
  return TRUE;
}

static void
fit_stopping_handler_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  FitStoppingHandler *self = FIT_STOPPING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MAX_EPOCHS:
      g_value_set_uint (value, self->max_epochs);
      break;
    case PROP_MAX_BATCHES:
      g_value_set_uint64 (value, self->max_batches);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_stopping_handler_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  FitStoppingHandler *self = FIT_STOPPING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MAX_EPOCHS:
      if (self->max_epochs != g_value_get_uint (value))
        {
          self->max_epochs = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_BATCHES:
      if (self->max_batches != g_value_get_uint64 (value))
        {
          self->max_batches = g_value_get_uint64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_stopping_handler_class_init (FitStoppingHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->get_property = fit_stopping_handler_get_property;
  object_class->set_property = fit_stopping_handler_set_property;
  handler_class->batch_end = fit_stopping_handler_batch_end;
  handler_class->epoch_end = fit_stopping_handler_epoch_end;

  /**
   * FitStoppingHandler:max-epochs:
   *
   * The number of epochs after which training ends; 0 for no limit.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_EPOCHS] =
    g_param_spec_uint ("max-epochs", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * FitStoppingHandler:max-batches:
   *
   * The number of training batches after which training ends; 0 for no limit.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_BATCHES] =
    g_param_spec_uint64 ("max-batches", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_stopping_handler_init (FitStoppingHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_STOPPING);
}

/**
 * fit_stopping_handler_new:
 * @max_epochs: the number of epochs after which training ends; 0 for no limit
 * @max_batches: the number of training batches after which training ends; 0 for no limit
 *
 * Creates a stopping handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_stopping_handler_new (guint   max_epochs,
                          guint64 max_batches)
{
  return g_object_new (FIT_TYPE_STOPPING_HANDLER, "max-epochs", max_epochs,
                       "max-batches", max_batches, NULL);
}
