/* fit-csv-logger-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-handlers-private.h"

/**
 * FitCsvLoggerHandler:
 *
 * Writes one CSV row per epoch: `epoch`, every reported metric (`train_loss`,
 * `val_accuracy`, …), `learning_rate` and `time` (the epoch's seconds), with a header
 * row first. Validation columns are empty in epochs that did not validate.
 *
 * The file is opened at `train-begin` (truncated, or appended to with
 * [property@Fit.CsvLoggerHandler:append], which is what a resumed fit wants; the header
 * is only written to an empty file), each row is flushed when written, and the file is
 * closed at `train-end` however the fit ended. Its priority is %FIT_PRIORITY_HISTORY.
 *
 * Since: 1.0
 */
struct _FitCsvLoggerHandler
{
  FitEventHandler  parent_instance;
  char            *path;
  gboolean         append;
  char             separator;
  GOutputStream   *stream;
  GStrv            columns;
  gint64           epoch_start;
};

enum { PROP_0, PROP_PATH, PROP_APPEND, PROP_SEPARATOR, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitCsvLoggerHandler, fit_csv_logger_handler, FIT_TYPE_EVENT_HANDLER)

static gboolean
write_line (FitCsvLoggerHandler  *self,
            GString              *line,
            GError              **error)
{
  g_string_append_c (line, '\n');
  if (!g_output_stream_write_all (self->stream, line->str, line->len, NULL, NULL, error) ||
      !g_output_stream_flush (self->stream, NULL, error))
    {
      g_prefix_error (error, _("Writing the training log “%s”: "), self->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
fit_csv_logger_handler_train_begin (FitEventHandler  *handler,
                                    FitEstimator     *estimator,
                                    GError          **error)
{
  FitCsvLoggerHandler *self = FIT_CSV_LOGGER_HANDLER (handler);
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  gboolean empty = TRUE;

  g_clear_object (&self->stream);
  g_clear_pointer (&self->columns, g_strfreev);
  if (self->append)
    {
      stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error);
      info = stream != NULL ? g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL) : NULL;
      empty = info == NULL || g_file_info_get_size (info) == 0;
    }
  else
    stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (stream == NULL)
    {
      g_prefix_error (error, _("Opening the training log “%s”: "), self->path);
      return FALSE;
    }
  self->stream = G_OUTPUT_STREAM (g_steal_pointer (&stream));

  /* The columns are fixed for the whole file: the metrics as the fit starts. */
  self->columns = fit_estimator_get_metric_names (estimator);
  if (empty)
    {
      g_autoptr(GString) line = g_string_new ("epoch");

      for (guint i = 0; self->columns[i] != NULL; i++)
        g_string_append_printf (line, "%c%s", self->separator, self->columns[i]);
      g_string_append_printf (line, "%clearning_rate%ctime", self->separator, self->separator);
      return write_line (self, line, error);
    }
  return TRUE;
}

static gboolean
fit_csv_logger_handler_epoch_begin (FitEventHandler  *handler,
                                    FitEstimator     *estimator,
                                    GError          **error)
{
  FIT_CSV_LOGGER_HANDLER (handler)->epoch_start = g_get_monotonic_time ();
  return TRUE;
}

static void
append_number (GString *line,
               double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isnan (v))
    g_string_append (line, g_ascii_formatd (buf, sizeof buf, "%.8g", v));
}

static gboolean
fit_csv_logger_handler_epoch_end (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  GError          **error)
{
  FitCsvLoggerHandler *self = FIT_CSV_LOGGER_HANDLER (handler);
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean validated = fit_estimator_validated_this_epoch (estimator);

  if (self->stream == NULL)
    return TRUE;
  g_string_append_printf (line, "%u", fit_estimator_get_epoch (estimator));
  for (guint i = 0; self->columns[i] != NULL; i++)
    {
      double v = NAN;

      g_string_append_c (line, self->separator);
      if (validated || !g_str_has_prefix (self->columns[i], "val_"))
        fit_estimator_get_metric_value (estimator, self->columns[i], &v, NULL);
      append_number (line, v);
    }
  g_string_append_c (line, self->separator);
  append_number (line, fit_estimator_get_learning_rate (estimator));
  g_string_append_c (line, self->separator);
  append_number (line, (g_get_monotonic_time () - self->epoch_start) / 1e6);
  return write_line (self, line, error);
}

static gboolean
fit_csv_logger_handler_train_end (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  FitStopReason     reason,
                                  GError          **error)
{
  FitCsvLoggerHandler *self = FIT_CSV_LOGGER_HANDLER (handler);
  gboolean ok = TRUE;

  if (self->stream != NULL)
    ok = g_output_stream_close (self->stream, NULL, error);
  g_clear_object (&self->stream);
  return ok;
}

static void
fit_csv_logger_handler_finalize (GObject *object)
{
  FitCsvLoggerHandler *self = FIT_CSV_LOGGER_HANDLER (object);

  g_free (self->path);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->columns, g_strfreev);
  G_OBJECT_CLASS (fit_csv_logger_handler_parent_class)->finalize (object);
}

static void
fit_csv_logger_handler_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  FitCsvLoggerHandler *self = FIT_CSV_LOGGER_HANDLER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_APPEND:
      g_value_set_boolean (value, self->append);
      break;
    case PROP_SEPARATOR:
      g_value_set_schar (value, self->separator);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_csv_logger_handler_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  FitCsvLoggerHandler *self = FIT_CSV_LOGGER_HANDLER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_APPEND:
      self->append = g_value_get_boolean (value);
      break;
    case PROP_SEPARATOR:
      self->separator = g_value_get_schar (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_csv_logger_handler_class_init (FitCsvLoggerHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = fit_csv_logger_handler_finalize;
  object_class->get_property = fit_csv_logger_handler_get_property;
  object_class->set_property = fit_csv_logger_handler_set_property;
  handler_class->train_begin = fit_csv_logger_handler_train_begin;
  handler_class->epoch_begin = fit_csv_logger_handler_epoch_begin;
  handler_class->epoch_end = fit_csv_logger_handler_epoch_end;
  handler_class->train_end = fit_csv_logger_handler_train_end;

  /**
   * FitCsvLoggerHandler:path:
   *
   * The CSV file.
   *
   * Since: 1.0
   */
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, "training.csv", flags);
  /**
   * FitCsvLoggerHandler:append:
   *
   * Whether rows are added to an existing file rather than replacing it.
   *
   * Since: 1.0
   */
  properties[PROP_APPEND] = g_param_spec_boolean ("append", NULL, NULL, FALSE, flags);
  /**
   * FitCsvLoggerHandler:separator:
   *
   * The field separator.
   *
   * Since: 1.0
   */
  properties[PROP_SEPARATOR] = g_param_spec_char ("separator", NULL, NULL, 1, 127, ',', flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_csv_logger_handler_init (FitCsvLoggerHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_HISTORY);
}

/**
 * fit_csv_logger_handler_new:
 * @path: the CSV file
 * @append: whether to add to an existing file
 *
 * Creates a CSV logger.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_csv_logger_handler_new (const char *path,
                            gboolean    append)
{
  g_return_val_if_fail (path != NULL, NULL);
  return g_object_new (FIT_TYPE_CSV_LOGGER_HANDLER, "path", path, "append", append, NULL);
}
