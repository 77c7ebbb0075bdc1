/* fit-time-limit-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-handlers.h"

/**
 * FitTimeLimitHandler:
 *
 * Ends the training once it has run for [property@Fit.TimeLimitHandler:seconds]
 * (monotonic time from `train-begin`). It checks after every training batch and every
 * epoch, requests %FIT_STOP_SCOPE_TRAINING (so no further validation runs) and the fit
 * ends with %FIT_STOP_REASON_STOPPED. A batch in progress is not interrupted. Its
 * priority is %FIT_PRIORITY_TIME_LIMIT.
 *
 * Since: 1.0
 */
struct _FitTimeLimitHandler
{
  FitEventHandler parent_instance;
  double          seconds;
  gint64          start;
};

enum { PROP_0, PROP_SECONDS, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitTimeLimitHandler, fit_time_limit_handler, FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_time_limit_handler_train_begin (FitEventHandler  *handler,
                                    FitEstimator     *estimator,
                                    GError          **error)
{
  FIT_TIME_LIMIT_HANDLER (handler)->start = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
check (FitEventHandler  *handler,
       FitEstimator     *estimator,
       GError          **error)
{
  FitTimeLimitHandler *self = FIT_TIME_LIMIT_HANDLER (handler);

  if ((g_get_monotonic_time () - self->start) / 1e6 >= self->seconds)
    fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_TRAINING);
  return TRUE;
}

static void
fit_time_limit_handler_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SECONDS:
      g_value_set_double (value, FIT_TIME_LIMIT_HANDLER (object)->seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_time_limit_handler_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  FitTimeLimitHandler *self = FIT_TIME_LIMIT_HANDLER (object);

  switch (prop_id)
    {
    case PROP_SECONDS:
      if (self->seconds != g_value_get_double (value))
        {
          self->seconds = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_time_limit_handler_class_init (FitTimeLimitHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->get_property = fit_time_limit_handler_get_property;
  object_class->set_property = fit_time_limit_handler_set_property;
  handler_class->train_begin = fit_time_limit_handler_train_begin;
  handler_class->batch_end = check;
  handler_class->epoch_end = check;

  /**
   * FitTimeLimitHandler:seconds:
   *
   * How long the training may run, in seconds.
   *
   * Since: 1.0
   */
  properties[PROP_SECONDS] =
    g_param_spec_double ("seconds", NULL, NULL, 0, G_MAXDOUBLE, 3600,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_time_limit_handler_init (FitTimeLimitHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_TIME_LIMIT);
}

/**
 * fit_time_limit_handler_new:
 * @seconds: how long the training may run
 *
 * Creates a time-limit handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_time_limit_handler_new (double seconds)
{
  g_return_val_if_fail (seconds >= 0, NULL);
  return g_object_new (FIT_TYPE_TIME_LIMIT_HANDLER, "seconds", seconds, NULL);
}
