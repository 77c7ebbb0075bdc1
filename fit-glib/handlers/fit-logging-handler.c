/* fit-logging-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "fit-handlers-private.h"

/**
 * FitLoggingHandler:
 *
 * Reports training through GLib's log, in the `Fit` domain: the plan at `train-begin`,
 * every [property@Fit.LoggingHandler:every-n-batches] training batches the epoch, batch
 * and running training metrics, at each `epoch-end` every metric with the learning rate,
 * the epoch's time and its throughput, and at `train-end` how the fit ended. Messages are
 * translated.
 *
 * Messages are logged at [property@Fit.LoggingHandler:level], %G_LOG_LEVEL_MESSAGE by
 * default (shown unless a log writer hides them); use %G_LOG_LEVEL_INFO to show them only
 * with `G_MESSAGES_DEBUG=Fit`. Its priority is %FIT_PRIORITY_LOGGING, so it reports what
 * the other handlers did.
 *
 * Since: 1.0
 */
struct _FitLoggingHandler
{
  FitEventHandler  parent_instance;
  guint64          every_n_batches;
  int              level;
  gint64           epoch_start;
  guint64          epoch_samples;
};

enum { PROP_0, PROP_EVERY_N_BATCHES, PROP_LEVEL, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitLoggingHandler, fit_logging_handler, FIT_TYPE_EVENT_HANDLER)

static void
append_metrics (GString      *line,
                FitEstimator *estimator,
                gboolean      with_val)
{
  g_auto(GStrv) names = fit_estimator_get_metric_names (estimator);

  for (guint i = 0; names[i] != NULL; i++)
    {
      double v;

      if (g_str_has_prefix (names[i], "val_") && !with_val)
        continue;
      if (fit_estimator_get_metric_value (estimator, names[i], &v, NULL) && !isnan (v))
        g_string_append_printf (line, " %s=%.4f", names[i], v);
    }
}

static void
log_line (FitLoggingHandler *self,
          const char        *text)
{
  g_log (G_LOG_DOMAIN, (GLogLevelFlags) self->level, "%s", text);
}

static gboolean
fit_logging_handler_train_begin (FitEventHandler  *handler,
                                 FitEstimator     *estimator,
                                 GError          **error)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (handler);
  FitDataLoader *train = fit_estimator_get_train_data (estimator);
  g_autofree char *text = NULL;

  if (fit_estimator_get_epochs (estimator) > 0)
    text = g_strdup_printf (_("Training %s for %u epochs of %" PRIu64 " batches "
                              "(%" PRIu64 " samples), %" PRId64
                              " parameters"),
                            G_OBJECT_TYPE_NAME (fit_estimator_get_net (estimator)),
                            fit_estimator_get_epochs (estimator),
                            fit_data_loader_get_n_batches (train),
                            fit_data_loader_get_n_samples (train),
                            fit_module_count_parameters (fit_estimator_get_net (estimator)));
  else
    text = g_strdup_printf (_("Training %s for %" PRIu64 " batches, %" PRId64
                              " parameters"),
                            G_OBJECT_TYPE_NAME (fit_estimator_get_net (estimator)),
                            fit_estimator_get_max_batches (estimator),
                            fit_module_count_parameters (fit_estimator_get_net (estimator)));
  log_line (self, text);
  return TRUE;
}

static gboolean
fit_logging_handler_epoch_begin (FitEventHandler  *handler,
                                 FitEstimator     *estimator,
                                 GError          **error)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (handler);

  self->epoch_start = g_get_monotonic_time ();
  self->epoch_samples = 0;
  return TRUE;
}

static gboolean
fit_logging_handler_batch_end (FitEventHandler  *handler,
                               FitEstimator     *estimator,
                               GError          **error)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (handler);
  g_autoptr(GString) line = NULL;

  self->epoch_samples += fit_estimator_get_batch_size (estimator);
  if (self->every_n_batches == 0 ||
      (fit_estimator_get_batch_index (estimator) + 1) % self->every_n_batches != 0)
    return TRUE;
  line = g_string_new (NULL);
  g_string_printf (line, _("Epoch %u, batch %" PRIu64 "/%" PRIu64 ":"),
                   fit_estimator_get_epoch (estimator),
                   fit_estimator_get_batch_index (estimator) + 1,
                   fit_estimator_get_n_batches (estimator));
  append_metrics (line, estimator, FALSE);
  log_line (self, line->str);
  return TRUE;
}

static gboolean
fit_logging_handler_epoch_end (FitEventHandler  *handler,
                               FitEstimator     *estimator,
                               GError          **error)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (handler);
  g_autoptr(GString) line = g_string_new (NULL);
  double seconds = (g_get_monotonic_time () - self->epoch_start) / 1e6;

  if (fit_estimator_get_epochs (estimator) > 0)
    g_string_printf (line, _("Epoch %u/%u:"), fit_estimator_get_epoch (estimator) + 1,
                     fit_estimator_get_epochs (estimator));
  else
    g_string_printf (line, _("Epoch %u:"), fit_estimator_get_epoch (estimator) + 1);
  append_metrics (line, estimator, fit_estimator_validated_this_epoch (estimator));
  g_string_append_printf (line, _(" learning_rate=%.4g, %.2f s, %.0f samples/s"),
                          fit_estimator_get_learning_rate (estimator), seconds,
                          seconds > 0 ? self->epoch_samples / seconds : 0.0);
  log_line (self, line->str);
  return TRUE;
}

static gboolean
fit_logging_handler_train_end (FitEventHandler  *handler,
                               FitEstimator     *estimator,
                               FitStopReason     reason,
                               GError          **error)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (handler);
  const char *text;

  switch (reason)
    {
    case FIT_STOP_REASON_COMPLETED:
      text = _("Training completed");
      break;
    case FIT_STOP_REASON_STOPPED:
      text = _("Training stopped by a handler");
      break;
    case FIT_STOP_REASON_CANCELLED:
      text = _("Training cancelled");
      break;
    case FIT_STOP_REASON_ERROR:
      text = _("Training failed");
      break;
    case FIT_STOP_REASON_NONE:
    default:
      text = _("Training ended");
      break;
    }
  log_line (self, text);
  return TRUE;
}

static void
fit_logging_handler_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_EVERY_N_BATCHES:
      g_value_set_uint64 (value, self->every_n_batches);
      break;
    case PROP_LEVEL:
      g_value_set_int (value, self->level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_logging_handler_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  FitLoggingHandler *self = FIT_LOGGING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_EVERY_N_BATCHES:
      self->every_n_batches = g_value_get_uint64 (value);
      break;
    case PROP_LEVEL:
      self->level = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_logging_handler_class_init (FitLoggingHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->get_property = fit_logging_handler_get_property;
  object_class->set_property = fit_logging_handler_set_property;
  handler_class->train_begin = fit_logging_handler_train_begin;
  handler_class->epoch_begin = fit_logging_handler_epoch_begin;
  handler_class->batch_end = fit_logging_handler_batch_end;
  handler_class->epoch_end = fit_logging_handler_epoch_end;
  handler_class->train_end = fit_logging_handler_train_end;

  /**
   * FitLoggingHandler:every-n-batches:
   *
   * Log every this many training batches of an epoch; 0 logs only at epoch ends.
   *
   * Since: 1.0
   */
  properties[PROP_EVERY_N_BATCHES] = g_param_spec_uint64 ("every-n-batches", NULL, NULL, 0,
                                                          G_MAXUINT64, 0, flags);
  /**
   * FitLoggingHandler:level:
   *
   * The #GLogLevelFlags value messages are logged at, from %G_LOG_LEVEL_CRITICAL to
   * %G_LOG_LEVEL_DEBUG.
   *
   * Since: 1.0
   */
  properties[PROP_LEVEL] = g_param_spec_int ("level", NULL, NULL, G_LOG_LEVEL_CRITICAL,
                                             G_LOG_LEVEL_DEBUG, G_LOG_LEVEL_MESSAGE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_logging_handler_init (FitLoggingHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_LOGGING);
}

/**
 * fit_logging_handler_new:
 * @every_n_batches: log every this many training batches; 0 for epoch ends only
 *
 * Creates a logging handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_logging_handler_new (guint64 every_n_batches)
{
  return g_object_new (FIT_TYPE_LOGGING_HANDLER, "every-n-batches", every_n_batches, NULL);
}
