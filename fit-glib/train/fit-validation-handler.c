/* fit-validation-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-train.h"

/**
 * FitValidationHandler:
 *
 * Decides when the estimator validates: after every
 * [property@Fit.ValidationHandler:every-n-epochs] epochs (at the end of the epoch,
 * before `epoch-end`) and after every [property@Fit.ValidationHandler:every-n-batches]
 * training batches (right after the batch's `batch-end`). Either may be 0 to turn it
 * off. It requests validation with [method@Fit.Estimator.request_validation]; without a
 * validation loader nothing happens.
 *
 * When a fit has a validation loader and no validation handler is added, the estimator
 * uses a default one that validates after every epoch. Its priority is
 * %FIT_PRIORITY_VALIDATION.
 *
 * Since: 1.0
 */
struct _FitValidationHandler
{
  FitEventHandler parent_instance;
  guint           every_n_epochs;
  guint64         every_n_batches;
};

enum { PROP_0, PROP_EVERY_N_EPOCHS, PROP_EVERY_N_BATCHES, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitValidationHandler, fit_validation_handler, FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_validation_handler_epoch_begin (FitEventHandler  *handler,
                                    FitEstimator     *estimator,
                                    GError          **error)
{
  FitValidationHandler *self = FIT_VALIDATION_HANDLER (handler);

  if (self->every_n_epochs > 0 && (fit_estimator_get_epoch (estimator) + 1) % self->every_n_epochs == 0)
    fit_estimator_request_validation (estimator);
  return TRUE;
}

static gboolean
fit_validation_handler_batch_end (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  GError          **error)
{
  FitValidationHandler *self = FIT_VALIDATION_HANDLER (handler);

  if (self->every_n_batches > 0 &&
      (fit_estimator_get_global_step (estimator) + 1) % self->every_n_batches == 0)
    fit_estimator_request_validation (estimator);
  return TRUE;
}

static void
fit_validation_handler_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  FitValidationHandler *self = FIT_VALIDATION_HANDLER (object);

  switch (prop_id)
    {
    case PROP_EVERY_N_EPOCHS:
      g_value_set_uint (value, self->every_n_epochs);
      break;
    case PROP_EVERY_N_BATCHES:
      g_value_set_uint64 (value, self->every_n_batches);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_validation_handler_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  FitValidationHandler *self = FIT_VALIDATION_HANDLER (object);

  switch (prop_id)
    {
    case PROP_EVERY_N_EPOCHS:
      if (self->every_n_epochs != g_value_get_uint (value))
        {
          self->every_n_epochs = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_EVERY_N_BATCHES:
      if (self->every_n_batches != g_value_get_uint64 (value))
        {
          self->every_n_batches = g_value_get_uint64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_validation_handler_class_init (FitValidationHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->get_property = fit_validation_handler_get_property;
  object_class->set_property = fit_validation_handler_set_property;
  handler_class->epoch_begin = fit_validation_handler_epoch_begin;
  handler_class->batch_end = fit_validation_handler_batch_end;

  /**
   * FitValidationHandler:every-n-epochs:
   *
   * Validate after every this many epochs; 0 never at epoch ends.
   *
   * Since: 1.0
   */
  properties[PROP_EVERY_N_EPOCHS] =
    g_param_spec_uint ("every-n-epochs", NULL, NULL, 0, G_MAXUINT, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * FitValidationHandler:every-n-batches:
   *
   * Validate after every this many training batches (counted across epochs); 0 never
   * within epochs.
   *
   * Since: 1.0
   */
  properties[PROP_EVERY_N_BATCHES] =
    g_param_spec_uint64 ("every-n-batches", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_validation_handler_init (FitValidationHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_VALIDATION);
}

/**
 * fit_validation_handler_new:
 * @every_n_epochs: validate after every this many epochs; 0 for never at epoch ends
 * @every_n_batches: validate after every this many training batches; 0 for never
 *   within epochs
 *
 * Creates a validation handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_validation_handler_new (guint   every_n_epochs,
                            guint64 every_n_batches)
{
  return g_object_new (FIT_TYPE_VALIDATION_HANDLER,
                       "every-n-epochs", every_n_epochs,
                       "every-n-batches", every_n_batches,
                       NULL);
}
