/* fit-csv-reader.c: comma-separated values into a tensor dataset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fit-glib/data/fit-csv-reader.h"
#include "fit-glib/data/fit-data-enums.h"
#include "fit-glib/data/fit-data-private.h"

/**
 * FitCsvReader:
 *
 * Reads a table of numbers from a CSV file into a [class@Fit.TensorDataset]: one column
 * is the label, every other column a float32 feature, so the inputs have shape `[N, F]`.
 *
 * The first line is a header of column names unless [property@Fit.CsvReader:has-header]
 * is unset. The label column is chosen by name ([property@Fit.CsvReader:label-column-name])
 * or by index ([property@Fit.CsvReader:label-column], negative counting from the end;
 * the default, -1, is the last column).
 *
 * The labels' type follows their content:
 *
 * - when every label is an integer, the labels are those integers as int64 class
 *   indices;
 * - when every label is a number, the labels are float32 values of shape `[N]`, for
 *   regression;
 * - otherwise the labels are class names, mapped to int64 indices in the order chosen
 *   by [property@Fit.CsvReader:class-order]: by default the order in which the names
 *   first appear in the file, or sorted by name. The dataset's
 *   [property@Fit.TensorDataset:class-names] then holds the names, indexed by label.
 *
 * Fields may be quoted with double quotes (`""` inside stands for one quote). Blank
 * lines are skipped; `\r\n` line ends are accepted; the file may be gzip-compressed.
 *
 * Errors name the file and the line: a row with a different number of fields than the
 * first (%FIT_ERROR_PARSE), a feature that is not a number (%FIT_ERROR_PARSE, with the
 * column), a label column that does not exist (%FIT_ERROR_NOT_FOUND), a file with no
 * rows (%FIT_ERROR_PARSE).
 *
 * Since: 1.0
 */
struct _FitCsvReader
{
  GObject        parent_instance;
  char          *label_column_name;
  int            label_column;
  gunichar       delimiter;
  FitClassOrder  class_order;
  gboolean       has_header;
};

enum {
  PROP_0,
  PROP_HAS_HEADER,
  PROP_DELIMITER,
  PROP_LABEL_COLUMN,
  PROP_LABEL_COLUMN_NAME,
  PROP_CLASS_ORDER,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitCsvReader, fit_csv_reader, G_TYPE_OBJECT)

static void
fit_csv_reader_finalize (GObject *object)
{
  FitCsvReader *self = FIT_CSV_READER (object);

  g_free (self->label_column_name);
  G_OBJECT_CLASS (fit_csv_reader_parent_class)->finalize (object);
}

static void
fit_csv_reader_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FitCsvReader *self = FIT_CSV_READER (object);

  switch (prop_id)
    {
    case PROP_HAS_HEADER:
      g_value_set_boolean (value, self->has_header);
      break;
    case PROP_DELIMITER:
      g_value_set_uint (value, self->delimiter);
      break;
    case PROP_LABEL_COLUMN:
      g_value_set_int (value, self->label_column);
      break;
    case PROP_LABEL_COLUMN_NAME:
      g_value_set_string (value, self->label_column_name);
      break;
    case PROP_CLASS_ORDER:
      g_value_set_enum (value, self->class_order);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_csv_reader_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FitCsvReader *self = FIT_CSV_READER (object);

  switch (prop_id)
    {
    case PROP_HAS_HEADER:
      fit_csv_reader_set_has_header (self, g_value_get_boolean (value));
      break;
    case PROP_DELIMITER:
      fit_csv_reader_set_delimiter (self, g_value_get_uint (value));
      break;
    case PROP_LABEL_COLUMN:
      fit_csv_reader_set_label_column (self, g_value_get_int (value));
      break;
    case PROP_LABEL_COLUMN_NAME:
      fit_csv_reader_set_label_column_name (self, g_value_get_string (value));
      break;
    case PROP_CLASS_ORDER:
      fit_csv_reader_set_class_order (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_csv_reader_class_init (FitCsvReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_csv_reader_finalize;
  object_class->get_property = fit_csv_reader_get_property;
  object_class->set_property = fit_csv_reader_set_property;

  /**
   * FitCsvReader:has-header:
   *
   * Whether the first line holds the column names.
   *
   * Since: 1.0
   */
  properties[PROP_HAS_HEADER] =
    g_param_spec_boolean ("has-header", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitCsvReader:delimiter:
   *
   * The ASCII character between fields, `,` by default (`;` and tab are common too).
   *
   * Since: 1.0
   */
  properties[PROP_DELIMITER] =
    g_param_spec_uint ("delimiter", NULL, NULL, 1, 127, ',',
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitCsvReader:label-column:
   *
   * The index of the label column, counting from 0, or from the end when negative (-1 is
   * the last column). Ignored when [property@Fit.CsvReader:label-column-name] is set.
   *
   * Since: 1.0
   */
  properties[PROP_LABEL_COLUMN] =
    g_param_spec_int ("label-column", NULL, NULL, G_MININT, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitCsvReader:label-column-name:
   *
   * The name of the label column in the header, or %NULL to choose it by index.
   *
   * Since: 1.0
   */
  properties[PROP_LABEL_COLUMN_NAME] =
    g_param_spec_string ("label-column-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitCsvReader:class-order:
   *
   * How class names in the label column map to indices.
   *
   * Since: 1.0
   */
  properties[PROP_CLASS_ORDER] =
    g_param_spec_enum ("class-order", NULL, NULL, FIT_TYPE_CLASS_ORDER,
                       FIT_CLASS_ORDER_FIRST_SEEN,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_csv_reader_init (FitCsvReader *self)
{
  self->has_header = TRUE;
  self->delimiter = ',';
  self->label_column = -1;
  self->class_order = FIT_CLASS_ORDER_FIRST_SEEN;
}

/**
 * fit_csv_reader_new:
 *
 * Creates a reader for comma-separated files with a header and the label in the last
 * column.
 *
 * Returns: (transfer full): a new reader
 *
 * Since: 1.0
 */
FitCsvReader *
fit_csv_reader_new (void)
{
  return g_object_new (FIT_TYPE_CSV_READER, NULL);
}

/**
 * fit_csv_reader_get_has_header:
 * @self: a reader
 *
 * Gets whether the first line holds column names.
 *
 * Returns: whether the first line holds column names
 *
 * Since: 1.0
 */
gboolean
fit_csv_reader_get_has_header (FitCsvReader *self)
{
  g_return_val_if_fail (FIT_IS_CSV_READER (self), FALSE);
  return self->has_header;
}

/**
 * fit_csv_reader_set_has_header:
 * @self: a reader
 * @has_header: whether the first line holds column names
 *
 * Sets [property@Fit.CsvReader:has-header].
 *
 * Since: 1.0
 */
void
fit_csv_reader_set_has_header (FitCsvReader *self,
                               gboolean      has_header)
{
  g_return_if_fail (FIT_IS_CSV_READER (self));

  has_header = !!has_header;
  if (self->has_header == has_header)
    return;
  self->has_header = has_header;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_HEADER]);
}

/**
 * fit_csv_reader_get_delimiter:
 * @self: a reader
 *
 * Gets the field delimiter.
 *
 * Returns: the field delimiter
 *
 * Since: 1.0
 */
gunichar
fit_csv_reader_get_delimiter (FitCsvReader *self)
{
  g_return_val_if_fail (FIT_IS_CSV_READER (self), ',');
  return self->delimiter;
}

/**
 * fit_csv_reader_set_delimiter:
 * @self: a reader
 * @delimiter: an ASCII character other than a quote or a line end
 *
 * Sets [property@Fit.CsvReader:delimiter].
 *
 * Since: 1.0
 */
void
fit_csv_reader_set_delimiter (FitCsvReader *self,
                              gunichar      delimiter)
{
  g_return_if_fail (FIT_IS_CSV_READER (self));
  g_return_if_fail (delimiter > 0 && delimiter < 128 && delimiter != '"' &&
                    delimiter != '\n' && delimiter != '\r');

  if (self->delimiter == delimiter)
    return;
  self->delimiter = delimiter;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIMITER]);
}

/**
 * fit_csv_reader_get_label_column:
 * @self: a reader
 *
 * Gets the index of the label column (negative: from the end).
 *
 * Returns: the index of the label column (negative: from the end)
 *
 * Since: 1.0
 */
int
fit_csv_reader_get_label_column (FitCsvReader *self)
{
  g_return_val_if_fail (FIT_IS_CSV_READER (self), -1);
  return self->label_column;
}

/**
 * fit_csv_reader_set_label_column:
 * @self: a reader
 * @column: the index of the label column, from 0, or negative from the end
 *
 * Sets [property@Fit.CsvReader:label-column].
 *
 * Since: 1.0
 */
void
fit_csv_reader_set_label_column (FitCsvReader *self,
                                 int           column)
{
  g_return_if_fail (FIT_IS_CSV_READER (self));

  if (self->label_column == column)
    return;
  self->label_column = column;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL_COLUMN]);
}

/**
 * fit_csv_reader_get_label_column_name:
 * @self: a reader
 *
 * Gets the name of the label column.
 *
 * Returns: (nullable): the name of the label column, or %NULL when chosen by index
 *
 * Since: 1.0
 */
const char *
fit_csv_reader_get_label_column_name (FitCsvReader *self)
{
  g_return_val_if_fail (FIT_IS_CSV_READER (self), NULL);
  return self->label_column_name;
}

/**
 * fit_csv_reader_set_label_column_name:
 * @self: a reader
 * @name: (nullable): the name of the label column in the header, or %NULL
 *
 * Sets [property@Fit.CsvReader:label-column-name].
 *
 * Since: 1.0
 */
void
fit_csv_reader_set_label_column_name (FitCsvReader *self,
                                      const char   *name)
{
  g_return_if_fail (FIT_IS_CSV_READER (self));

  if (g_strcmp0 (self->label_column_name, name) == 0)
    return;
  g_free (self->label_column_name);
  self->label_column_name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL_COLUMN_NAME]);
}

/**
 * fit_csv_reader_get_class_order:
 * @self: a reader
 *
 * Gets how class names map to indices.
 *
 * Returns: how class names map to indices
 *
 * Since: 1.0
 */
FitClassOrder
fit_csv_reader_get_class_order (FitCsvReader *self)
{
  g_return_val_if_fail (FIT_IS_CSV_READER (self), FIT_CLASS_ORDER_FIRST_SEEN);
  return self->class_order;
}

/**
 * fit_csv_reader_set_class_order:
 * @self: a reader
 * @order: how class names map to indices
 *
 * Sets [property@Fit.CsvReader:class-order].
 *
 * Since: 1.0
 */
void
fit_csv_reader_set_class_order (FitCsvReader  *self,
                                FitClassOrder  order)
{
  g_return_if_fail (FIT_IS_CSV_READER (self));

  if (self->class_order == order)
    return;
  self->class_order = order;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLASS_ORDER]);
}

/* ---- parsing ---- */

typedef struct
{
  const char *name;
  const char *p;
  const char *end;
  char        delim;
  guint       line;         /* the line of p, from 1 */
  guint       row_line;     /* the line where the current row starts */
  GPtrArray  *fields;       /* char*, owned */
} Splitter;

static gboolean
field_error (Splitter    *s,
             GError     **error,
             const char  *message)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE, "%s:%u: %s", s->name, s->row_line, message);
  return FALSE;
}

/* Reads a double-quoted field; p is just past the opening quote. */
static gboolean
read_quoted (Splitter  *s,
             GString   *field,
             GError   **error)
{
  for (;;)
    {
      if (s->p >= s->end)
        return field_error (s, error, _("a quoted field is not closed before the end of "
                                        "the file"));
      if (*s->p == '"' && s->p + 1 < s->end && s->p[1] == '"')
        {
          g_string_append_c (field, '"');
          s->p += 2;
        }
      else if (*s->p == '"')
        {
          s->p++;
          return TRUE;
        }
      else
        {
          if (*s->p == '\n')
            s->line++;
          g_string_append_c (field, *s->p++);
        }
    }
}

/* Splits the next non-blank row into fields; FALSE at the end of the data or on error. */
static gboolean
next_row (Splitter  *s,
          GError   **error)
{
  g_autoptr(GString) field = g_string_new (NULL);

  g_ptr_array_set_size (s->fields, 0);
  while (s->p < s->end && (*s->p == '\n' || *s->p == '\r'))
    {
      if (*s->p == '\n')
        s->line++;
      s->p++;
    }
  if (s->p >= s->end)
    return FALSE;
  s->row_line = s->line;

  for (;;)
    {
      gboolean quoted = s->p < s->end && *s->p == '"';

      g_string_truncate (field, 0);
      if (quoted)
        {
          s->p++;
          if (!read_quoted (s, field, error))
            return FALSE;
        }
      for (; s->p < s->end && *s->p != s->delim && *s->p != '\n'; s->p++)
        {
          if (!quoted)
            g_string_append_c (field, *s->p);
          else if (*s->p != '\r' && *s->p != ' ')
            return field_error (s, error, _("text follows the closing quote of a field"));
        }
      /* The '\r' of a Windows line end is not part of the field. */
      if (!quoted && field->len > 0 && field->str[field->len - 1] == '\r')
        g_string_truncate (field, field->len - 1);
      g_ptr_array_add (s->fields, g_strdup (field->str));
      if (s->p < s->end && *s->p == s->delim)
        {
          s->p++;
          continue;
        }
      if (s->p < s->end)
        {
          s->p++;
          s->line++;
        }
      return TRUE;
    }
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end;

  while (*text == ' ')
    text++;
  if (*text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  while (*end == ' ')
    end++;
  return end != text && *end == '\0';
}

static gboolean
parse_integer (const char *text,
               gint64     *value)
{
  char *end;

  while (*text == ' ')
    text++;
  if (*text == '\0')
    return FALSE;
  *value = g_ascii_strtoll (text, &end, 10);
  while (*end == ' ')
    end++;
  return end != text && *end == '\0';
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Turns the label strings into a tensor: integers, numbers, or class names. */
static FitTensor *
labels_to_tensor (FitCsvReader  *self,
                  GPtrArray     *texts,
                  char        ***class_names)
{
  gsize n = texts->len;
  gboolean all_int = TRUE, all_num = TRUE;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GPtrArray) names = NULL;
  FitTensor *out;
  gint64 shape[1] = { n };

  for (gsize i = 0; i < n && all_num; i++)
    {
      double d;
      gint64 v;

      if (all_int && !parse_integer (texts->pdata[i], &v))
        all_int = FALSE;
      if (!all_int && !parse_number (texts->pdata[i], &d))
        all_num = FALSE;
    }

  if (all_int)
    {
      gint64 *d;

      out = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, 1);
      d = fit_tensor_ptr (out);
      for (gsize i = 0; i < n; i++)
        parse_integer (texts->pdata[i], &d[i]);
      return out;
    }
  if (all_num)
    {
      float *d;

      out = fit_tensor_new_empty (FIT_DTYPE_FLOAT32, shape, 1);
      d = fit_tensor_ptr (out);
      for (gsize i = 0; i < n; i++)
        {
          double v = 0;

          parse_number (texts->pdata[i], &v);
          d[i] = (float) v;
        }
      return out;
    }

  /* Class names: first-seen order, then optionally sorted. */
  index = g_hash_table_new (g_str_hash, g_str_equal);
  names = g_ptr_array_new ();
  for (gsize i = 0; i < n; i++)
    if (!g_hash_table_contains (index, texts->pdata[i]))
      {
        g_hash_table_insert (index, texts->pdata[i], GUINT_TO_POINTER (names->len));
        g_ptr_array_add (names, texts->pdata[i]);
      }
  if (self->class_order == FIT_CLASS_ORDER_SORTED)
    {
      g_ptr_array_sort (names, compare_strings);
      for (guint i = 0; i < names->len; i++)
        g_hash_table_insert (index, names->pdata[i], GUINT_TO_POINTER (i));
    }

  {
    gint64 *d;

    out = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, 1);
    d = fit_tensor_ptr (out);
    for (gsize i = 0; i < n; i++)
      d[i] = GPOINTER_TO_UINT (g_hash_table_lookup (index, texts->pdata[i]));
  }
  *class_names = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    (*class_names)[i] = g_strdup (names->pdata[i]);
  return out;
}

static int
find_label_column (FitCsvReader  *self,
                   const char    *name,
                   GPtrArray     *header,
                   guint          n_columns,
                   GError       **error)
{
  int column;

  if (self->label_column_name != NULL)
    {
      g_autofree char *list = NULL;

      if (header != NULL)
        for (guint i = 0; i < header->len; i++)
          if (g_str_equal (header->pdata[i], self->label_column_name))
            return i;
      if (header == NULL)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                       _("%s: the label column is chosen by name (“%s”) but the reader "
                         "expects no header; set has-header or choose the column by index"),
                       name, self->label_column_name);
          return -1;
        }
      g_ptr_array_add (header, NULL);
      list = g_strjoinv (", ", (char **) header->pdata);
      g_ptr_array_remove_index (header, header->len - 1);
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                   _("%s:1: there is no column “%s” for the labels; the columns are %s"),
                   name, self->label_column_name, list);
      return -1;
    }

  column = self->label_column < 0 ? (int) n_columns + self->label_column : self->label_column;
  if (column < 0 || column >= (int) n_columns)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                   _("%s: there is no column %d for the labels; the file has %u columns"),
                   name, self->label_column, n_columns);
      return -1;
    }
  return column;
}

/**
 * fit_csv_reader_read:
 * @self: a reader
 * @path: (type filename): the CSV file, plain or gzip-compressed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a CSV file into a dataset of float32 features `[N, F]` and labels `[N]`, as
 * described in [class@Fit.CsvReader].
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set (%FIT_ERROR_IO,
 *   %FIT_ERROR_PARSE with the line, %FIT_ERROR_NOT_FOUND for a missing label column)
 *
 * Since: 1.0
 */
FitTensorDataset *
fit_csv_reader_read (FitCsvReader  *self,
                     const char    *path,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(FitDataFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GPtrArray) label_texts = NULL;
  g_autoptr(GArray) features = NULL;
  g_autoptr(FitTensor) inputs = NULL;
  g_autoptr(FitTensor) labels = NULL;
  g_auto(GStrv) class_names = NULL;
  Splitter s = { 0, };
  FitTensorDataset *dataset;
  guint n_columns = 0;
  int label = -1;
  gsize size;
  guint64 n_rows = 0;
  gint64 shape[2];

  g_return_val_if_fail (FIT_IS_CSV_READER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = fit_data_file_open (path, cancellable, error);
  if (file == NULL)
    return NULL;
  bytes = fit_data_file_read_all (file, cancellable, error);
  if (bytes == NULL)
    return NULL;

  s.name = path;
  s.p = g_bytes_get_data (bytes, &size);
  s.end = s.p + size;
  s.delim = (char) self->delimiter;
  s.line = 1;
  s.fields = g_ptr_array_new_with_free_func (g_free);
  features = g_array_new (FALSE, FALSE, sizeof (float));
  label_texts = g_ptr_array_new_with_free_func (g_free);

  if (self->has_header)
    {
      if (!next_row (&s, error))
        goto fail_empty;
      header = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < s.fields->len; i++)
        g_ptr_array_add (header, g_strdup (g_strstrip ((char *) s.fields->pdata[i])));
      n_columns = header->len;
      label = find_label_column (self, path, header, n_columns, error);
      if (label < 0)
        goto fail;
    }

  for (;;)
    {
      GError *local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          g_clear_error (&local_error);
          g_set_error (error, FIT_ERROR, FIT_ERROR_CANCELLED, _("Reading %s was cancelled"),
                       path);
          goto fail;
        }
      if (!next_row (&s, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              goto fail;
            }
          break;
        }
      if (n_columns == 0)
        {
          n_columns = s.fields->len;
          label = find_label_column (self, path, NULL, n_columns, error);
          if (label < 0)
            goto fail;
        }
      if (s.fields->len != n_columns)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("%s:%u: the row has %u fields but %s has %u"),
                       path, s.row_line, s.fields->len,
                       self->has_header ? _("the header") : _("the first row"), n_columns);
          goto fail;
        }
      for (guint c = 0; c < n_columns; c++)
        {
          const char *text = s.fields->pdata[c];
          double v;
          float f;

          if ((int) c == label)
            {
              g_ptr_array_add (label_texts, g_strstrip (g_strdup (text)));
              continue;
            }
          if (!parse_number (text, &v))
            {
              g_autofree char *col = header ? g_strdup_printf ("%u (“%s”)", c + 1,
                                                               (char *) header->pdata[c])
                                            : g_strdup_printf ("%u", c + 1);

              g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                           _("%s:%u: column %s holds “%s”, which is not a number"),
                           path, s.row_line, col, text);
              goto fail;
            }
          f = (float) v;
          g_array_append_val (features, f);
        }
      n_rows++;
    }

  if (n_rows == 0)
    goto fail_empty;

  shape[0] = n_rows;
  shape[1] = n_columns - 1;
  inputs = fit_tensor_new_from_data (FIT_DTYPE_FLOAT32, shape, 2, (const guint8 *) features->data,
                                     features->len * sizeof (float), error);
  if (inputs == NULL)
    goto fail;
  labels = labels_to_tensor (self, label_texts, &class_names);
  dataset = fit_tensor_dataset_new (inputs, labels, error);
  if (dataset != NULL && class_names != NULL)
    fit_tensor_dataset_set_class_names (dataset, (const char * const *) class_names);
  g_ptr_array_unref (s.fields);
  return dataset;

fail_empty:
  if (error == NULL || *error == NULL)
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE, _("%s holds no rows of data"), path);
fail:
  g_ptr_array_unref (s.fields);
  return NULL;
}
