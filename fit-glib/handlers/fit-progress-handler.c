/* fit-progress-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fit-handlers-private.h"

/**
 * FitProgressHandler:
 *
 * Shows the progress of each epoch: the batch out of the epoch's batches, a bar, the
 * running training metrics, the throughput in samples per second and the time left.
 *
 * On a terminal ([property@Fit.ProgressHandler:live]) it keeps one line up to date,
 * redrawn at most ten times a second, and ends it at `epoch-end` with the epoch's final
 * metrics, validation included:
 *
 * ```
 * Epoch 2/10  37/100 [=======>             ] train_loss=0.4123 train_accuracy=0.8812  1234 samples/s  ETA 0:12
 * ```
 *
 * Otherwise (a pipe, a log file, a CI job) it writes a line every
 * [property@Fit.ProgressHandler:percent-step] percent of the epoch and one at its end.
 * It writes to [property@Fit.ProgressHandler:stream], or standard error when that is
 * %NULL, in which case [property@Fit.ProgressHandler:live] starts as whether standard
 * error is a terminal. Its priority is %FIT_PRIORITY_LOGGING.
 *
 * Since: 1.0
 */
struct _FitProgressHandler
{
  FitEventHandler  parent_instance;
  GOutputStream   *stream;
  gboolean         live;
  guint            percent_step;

  gint64           epoch_start;
  gint64           last_draw;
  guint64          samples;
  guint            last_bucket;
  gboolean         drawn;
};

enum { PROP_0, PROP_STREAM, PROP_LIVE, PROP_PERCENT_STEP, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitProgressHandler, fit_progress_handler, FIT_TYPE_EVENT_HANDLER)

#define BAR_WIDTH 20

static void
emit_text (FitProgressHandler *self,
           const char         *text)
{
  /* Progress output is best effort: a closed pipe must not fail the training. */
  if (self->stream != NULL)
    g_output_stream_write_all (self->stream, text, strlen (text), NULL, NULL, NULL);
  else
    {
      fputs (text, stderr);
      fflush (stderr);
    }
}

static void
append_duration (GString *s,
                 double   seconds)
{
  guint64 t = (guint64) MAX (seconds, 0);

  if (t >= 3600)
    g_string_append_printf (s, "%" PRIu64 ":%02u:%02u", t / 3600,
                            (guint) (t / 60 % 60), (guint) (t % 60));
  else
    g_string_append_printf (s, "%u:%02u", (guint) (t / 60), (guint) (t % 60));
}

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
append_head (GString      *line,
             FitEstimator *estimator)
{
  if (fit_estimator_get_epochs (estimator) > 0)
    g_string_append_printf (line, _("Epoch %u/%u"), fit_estimator_get_epoch (estimator) + 1,
                            fit_estimator_get_epochs (estimator));
  else
    g_string_append_printf (line, _("Epoch %u"), fit_estimator_get_epoch (estimator) + 1);
}

static void
draw (FitProgressHandler *self,
      FitEstimator       *estimator,
      guint64             done,
      guint64             total)
{
  g_autoptr(GString) line = g_string_new (self->live ? "\r\033[K" : NULL);
  double elapsed = (g_get_monotonic_time () - self->epoch_start) / 1e6;
  guint filled = total > 0 ? (guint) (BAR_WIDTH * done / total) : 0;

  append_head (line, estimator);
  g_string_append_printf (line, "  %" PRIu64 "/%" PRIu64 " [", done, total);
  for (guint i = 0; i < BAR_WIDTH; i++)
    g_string_append_c (line, i < filled ? '=' : i == filled ? '>' : ' ');
  g_string_append_c (line, ']');
  append_metrics (line, estimator, FALSE);
  if (elapsed > 0)
    g_string_append_printf (line, _("  %.0f samples/s"), self->samples / elapsed);
  if (done > 0 && done < total)
    {
      g_string_append (line, _("  ETA "));
      append_duration (line, elapsed / done * (total - done));
    }
  if (!self->live)
    g_string_append_c (line, '\n');
  emit_text (self, line->str);
  self->drawn = TRUE;
}

static gboolean
fit_progress_handler_epoch_begin (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  GError          **error)
{
  FitProgressHandler *self = FIT_PROGRESS_HANDLER (handler);

  self->epoch_start = g_get_monotonic_time ();
  self->last_draw = 0;
  self->samples = 0;
  self->last_bucket = 0;
  self->drawn = FALSE;
  return TRUE;
}

static gboolean
fit_progress_handler_batch_end (FitEventHandler  *handler,
                                FitEstimator     *estimator,
                                GError          **error)
{
  FitProgressHandler *self = FIT_PROGRESS_HANDLER (handler);
  guint64 done = fit_estimator_get_batch_index (estimator) + 1;
  guint64 total = fit_estimator_get_n_batches (estimator);
  gint64 now;

  self->samples += fit_estimator_get_batch_size (estimator);
  if (self->live)
    {
      now = g_get_monotonic_time ();
      if (now - self->last_draw < G_USEC_PER_SEC / 10 && done < total)
        return TRUE;
      self->last_draw = now;
      draw (self, estimator, done, total);
    }
  else if (total > 0 && self->percent_step > 0)
    {
      guint bucket = (guint) (100 * done / total / self->percent_step);

      if (bucket > self->last_bucket && done < total)
        {
          self->last_bucket = bucket;
          draw (self, estimator, done, total);
        }
    }
  return TRUE;
}

static gboolean
fit_progress_handler_epoch_end (FitEventHandler  *handler,
                                FitEstimator     *estimator,
                                GError          **error)
{
  FitProgressHandler *self = FIT_PROGRESS_HANDLER (handler);
  g_autoptr(GString) line = g_string_new (self->live ? "\r\033[K" : NULL);
  double elapsed = (g_get_monotonic_time () - self->epoch_start) / 1e6;

  append_head (line, estimator);
  g_string_append_printf (line, "  %" PRIu64 "/%" PRIu64,
                          fit_estimator_get_batch_index (estimator) + 1,
                          fit_estimator_get_n_batches (estimator));
  append_metrics (line, estimator, fit_estimator_validated_this_epoch (estimator));
  g_string_append (line, "  ");
  append_duration (line, elapsed);
  if (elapsed > 0)
    g_string_append_printf (line, _("  %.0f samples/s"), self->samples / elapsed);
  g_string_append_c (line, '\n');
  emit_text (self, line->str);
  return TRUE;
}

static gboolean
fit_progress_handler_train_end (FitEventHandler  *handler,
                                FitEstimator     *estimator,
                                FitStopReason     reason,
                                GError          **error)
{
  FitProgressHandler *self = FIT_PROGRESS_HANDLER (handler);

  /* An epoch cut short by an error leaves the live line open. */
  if (self->live && reason == FIT_STOP_REASON_ERROR && self->drawn)
    emit_text (self, "\n");
  return TRUE;
}

static void
fit_progress_handler_finalize (GObject *object)
{
  g_clear_object (&FIT_PROGRESS_HANDLER (object)->stream);
  G_OBJECT_CLASS (fit_progress_handler_parent_class)->finalize (object);
}

static void
fit_progress_handler_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  FitProgressHandler *self = FIT_PROGRESS_HANDLER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_PERCENT_STEP:
      g_value_set_uint (value, self->percent_step);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_progress_handler_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  FitProgressHandler *self = FIT_PROGRESS_HANDLER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_set_object (&self->stream, g_value_get_object (value));
      if (self->stream != NULL)
        self->live = FALSE;
      break;
    case PROP_LIVE:
      self->live = g_value_get_boolean (value);
      break;
    case PROP_PERCENT_STEP:
      self->percent_step = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_progress_handler_class_init (FitProgressHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = fit_progress_handler_finalize;
  object_class->get_property = fit_progress_handler_get_property;
  object_class->set_property = fit_progress_handler_set_property;
  handler_class->epoch_begin = fit_progress_handler_epoch_begin;
  handler_class->batch_end = fit_progress_handler_batch_end;
  handler_class->epoch_end = fit_progress_handler_epoch_end;
  handler_class->train_end = fit_progress_handler_train_end;

  /**
   * FitProgressHandler:stream:
   *
   * Where progress goes; %NULL for standard error. Setting a stream turns
   * [property@Fit.ProgressHandler:live] off; turn it back on after for a terminal stream.
   *
   * Since: 1.0
   */
  properties[PROP_STREAM] = g_param_spec_object ("stream", NULL, NULL, G_TYPE_OUTPUT_STREAM,
                                                 flags);
  /**
   * FitProgressHandler:live:
   *
   * Whether one line is redrawn in place (a terminal) rather than lines appended.
   *
   * Since: 1.0
   */
  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE, flags);
  /**
   * FitProgressHandler:percent-step:
   *
   * Without [property@Fit.ProgressHandler:live], a line is written every this many
   * percent of an epoch; 0 writes only at epoch ends.
   *
   * Since: 1.0
   */
  properties[PROP_PERCENT_STEP] = g_param_spec_uint ("percent-step", NULL, NULL, 0, 100, 10,
                                                     flags | G_PARAM_CONSTRUCT);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_progress_handler_init (FitProgressHandler *self)
{
  self->live = isatty (STDERR_FILENO);
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_LOGGING);
}

/**
 * fit_progress_handler_new:
 *
 * Creates a progress handler writing to standard error.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_progress_handler_new (void)
{
  return g_object_new (FIT_TYPE_PROGRESS_HANDLER, NULL);
}
