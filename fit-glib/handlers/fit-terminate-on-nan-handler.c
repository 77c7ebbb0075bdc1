/* fit-terminate-on-nan-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>

#include "fit-handlers.h"

/**
 * FitTerminateOnNanHandler:
 *
 * Ends the training when a batch's loss is NaN or infinite.
 *
 * It checks at `loss-end`, before the backward pass, so the optimizer never steps with
 * the gradients of a non-finite loss and the parameters stay as they were after the
 * last good batch. With [property@Fit.TerminateOnNanHandler:fail] (the default) the fit
 * fails with a %FIT_ERROR_NOT_FINITE error naming the epoch and the batch; otherwise it
 * requests %FIT_STOP_SCOPE_TRAINING and ends with %FIT_STOP_REASON_STOPPED. Its priority
 * is %FIT_PRIORITY_TERMINATE_ON_NAN.
 *
 * Since: 1.0
 */
struct _FitTerminateOnNanHandler
{
  FitEventHandler parent_instance;
  gboolean        fail;
};

enum { PROP_0, PROP_FAIL, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitTerminateOnNanHandler, fit_terminate_on_nan_handler,
                     FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_terminate_on_nan_handler_loss_end (FitEventHandler  *handler,
                                       FitEstimator     *estimator,
                                       GError          **error)
{
  FitTerminateOnNanHandler *self = FIT_TERMINATE_ON_NAN_HANDLER (handler);
  double loss = fit_estimator_get_loss_value (estimator);

  if (isfinite (loss))
    return TRUE;
  if (self->fail)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE,
                   _("The loss of batch %" PRIu64 " of epoch %u is %g; lower the "
                     "learning rate, clip gradients or check the data"),
                   fit_estimator_get_batch_index (estimator), fit_estimator_get_epoch (estimator),
                   loss);
      return FALSE;
    }
  fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_TRAINING);
  return TRUE;
}

static void
fit_terminate_on_nan_handler_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_FAIL:
      g_value_set_boolean (value, FIT_TERMINATE_ON_NAN_HANDLER (object)->fail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_terminate_on_nan_handler_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  FitTerminateOnNanHandler *self = FIT_TERMINATE_ON_NAN_HANDLER (object);

  switch (prop_id)
    {
    case PROP_FAIL:
      if (self->fail != g_value_get_boolean (value))
        {
          self->fail = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_terminate_on_nan_handler_class_init (FitTerminateOnNanHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->get_property = fit_terminate_on_nan_handler_get_property;
  object_class->set_property = fit_terminate_on_nan_handler_set_property;
  handler_class->loss_end = fit_terminate_on_nan_handler_loss_end;

  /**
   * FitTerminateOnNanHandler:fail:
   *
   * Whether a non-finite loss fails the fit (%TRUE) or only ends it.
   *
   * Since: 1.0
   */
  properties[PROP_FAIL] =
    g_param_spec_boolean ("fail", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_terminate_on_nan_handler_init (FitTerminateOnNanHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_TERMINATE_ON_NAN);
}

/**
 * fit_terminate_on_nan_handler_new:
 *
 * Creates a handler that fails the fit on a non-finite loss.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_terminate_on_nan_handler_new (void)
{
  return g_object_new (FIT_TYPE_TERMINATE_ON_NAN_HANDLER, NULL);
}
