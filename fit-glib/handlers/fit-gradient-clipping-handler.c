/* fit-gradient-clipping-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-handlers.h"

/**
 * FitGradientClippingHandler:
 *
 * Clips the gradients of the optimizer's parameters after the backward pass, before the
 * step: by their global L2 norm ([func@Fit.clip_grad_norm], the default) or element by
 * element ([func@Fit.clip_grad_value]).
 *
 * It runs at `backward-end` with priority %FIT_PRIORITY_GRADIENT_CLIPPING, after
 * [class@Fit.GradientAccumulationHandler], and does nothing in a batch whose step is
 * skipped, so accumulated gradients are clipped once, when they are complete.
 *
 * Since: 1.0
 */
struct _FitGradientClippingHandler
{
  FitEventHandler parent_instance;
  double          max_norm;
  double          clip_value;
  double          last_norm;
};

enum { PROP_0, PROP_MAX_NORM, PROP_CLIP_VALUE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitGradientClippingHandler, fit_gradient_clipping_handler,
                     FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_gradient_clipping_handler_backward_end (FitEventHandler  *handler,
                                            FitEstimator     *estimator,
                                            GError          **error)
{
  FitGradientClippingHandler *self = FIT_GRADIENT_CLIPPING_HANDLER (handler);
  g_autoptr(GPtrArray) params = NULL;

  if (fit_estimator_get_stop_request (estimator) != FIT_STOP_SCOPE_NONE)
    return TRUE;
  params = fit_optimizer_get_params (fit_estimator_get_optimizer (estimator));
  if (self->max_norm > 0)
    return fit_clip_grad_norm ((FitTensor **) params->pdata, params->len, self->max_norm,
                               &self->last_norm, error);
  if (self->clip_value > 0)
    fit_clip_grad_value ((FitTensor **) params->pdata, params->len, self->clip_value);
  return TRUE;
}

static void
fit_gradient_clipping_handler_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  FitGradientClippingHandler *self = FIT_GRADIENT_CLIPPING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MAX_NORM:
      g_value_set_double (value, self->max_norm);
      break;
    case PROP_CLIP_VALUE:
      g_value_set_double (value, self->clip_value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_gradient_clipping_handler_set_property (GObject      *object,
                                            guint         prop_id,
                                            const GValue *value,
                                            GParamSpec   *pspec)
{
  FitGradientClippingHandler *self = FIT_GRADIENT_CLIPPING_HANDLER (object);
  double v = g_value_get_double (value);

  switch (prop_id)
    {
    case PROP_MAX_NORM:
      if (self->max_norm != v)
        {
          self->max_norm = v;
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_CLIP_VALUE:
      if (self->clip_value != v)
        {
          self->clip_value = v;
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_gradient_clipping_handler_class_init (FitGradientClippingHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->get_property = fit_gradient_clipping_handler_get_property;
  object_class->set_property = fit_gradient_clipping_handler_set_property;
  handler_class->backward_end = fit_gradient_clipping_handler_backward_end;

  /**
   * FitGradientClippingHandler:max-norm:
   *
   * The largest global L2 norm of the gradients; 0 to clip by value instead.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_NORM] =
    g_param_spec_double ("max-norm", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * FitGradientClippingHandler:clip-value:
   *
   * When [property@Fit.GradientClippingHandler:max-norm] is 0: gradient elements are
   * clamped to ±clip-value.
   *
   * Since: 1.0
   */
  properties[PROP_CLIP_VALUE] =
    g_param_spec_double ("clip-value", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_gradient_clipping_handler_init (FitGradientClippingHandler *self)
{
  self->last_norm = NAN;
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_GRADIENT_CLIPPING);
}

/**
 * fit_gradient_clipping_handler_new:
 * @max_norm: the largest global L2 norm of the gradients (positive)
 *
 * Creates a handler that clips the gradients' global norm.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_gradient_clipping_handler_new (double max_norm)
{
  g_return_val_if_fail (max_norm > 0, NULL);
  return g_object_new (FIT_TYPE_GRADIENT_CLIPPING_HANDLER, "max-norm", max_norm, NULL);
}

/**
 * fit_gradient_clipping_handler_new_value:
 * @clip_value: the largest magnitude of a gradient element (positive)
 *
 * Creates a handler that clamps each gradient element.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_gradient_clipping_handler_new_value (double clip_value)
{
  g_return_val_if_fail (clip_value > 0, NULL);
  return g_object_new (FIT_TYPE_GRADIENT_CLIPPING_HANDLER, "clip-value", clip_value, NULL);
}

/**
 * fit_gradient_clipping_handler_get_last_norm:
 * @self: a handler
 *
 * Gets the global norm of the gradients before the latest clipping by norm, NaN before
 * the first.
 *
 * Returns: the global norm of the gradients before the latest clipping by norm, NaN
 *   before the first
 *
 * Since: 1.0
 */
double
fit_gradient_clipping_handler_get_last_norm (FitGradientClippingHandler *self)
{
  g_return_val_if_fail (FIT_IS_GRADIENT_CLIPPING_HANDLER (self), NAN);
  return self->last_norm;
}
