/* fit-csv-reader.c: comma-separated values into a tensor dataset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
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
 * The file is text in UTF-8 (ASCII is UTF-8; a leading byte-order mark is skipped), so
 * that column and class names are strings every language binding can take. A file in
 * another encoding is refused rather than read with its names changed: convert it first
 * (`iconv -f LATIN1 -t UTF-8`).
 *
 * Errors name the file and the line: a row with a different number of fields than the
 * first (%FIT_ERROR_PARSE), a feature that is not a number (%FIT_ERROR_PARSE, with the
 * column), a label column that does not exist (%FIT_ERROR_NOT_FOUND), a file with no
 * rows (%FIT_ERROR_PARSE), bytes that are not UTF-8 or a NUL byte (%FIT_ERROR_PARSE, with
 * the byte offset). Text quoted from the file in a message is cut short, with control
 * characters escaped.
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

/* Tables past these sizes are refused rather than indexed with overflowing integers. */
#define MAX_FIELDS G_MAXINT
#define MAX_CLASSES G_MAXINT32
/* The header's names listed in a message. */
#define MAX_LISTED_COLUMNS 12

/* A growing array of bytes with a 64-bit length (GArray's is 32 bits). */
typedef struct
{
  guint8  *data;
  gsize    len;
  gsize    cap;
} Buffer;

static gpointer
buffer_append (Buffer        *b,
               gconstpointer  data,
               gsize          n)
{
  gpointer p;

  if (b->cap - b->len < n)
    {
      b->cap = MAX (b->len + n, 2 * b->cap);
      b->data = g_realloc (b->data, b->cap);
    }
  p = b->data + b->len;
  memcpy (p, data, n);
  b->len += n;
  return p;
}

typedef struct
{
  const char *name;
  const char *p;
  const char *end;
  char        delim;
  guint64     line;         /* the line of p, from 1 */
  guint64     row_line;     /* the line where the current row starts */
  GString    *row;          /* the fields of the current row, each one NUL-terminated */
  GArray     *starts;       /* gsize: where each field starts in row */
} Splitter;

static inline char *
field_at (Splitter *s,
          guint     i)
{
  return s->row->str + g_array_index (s->starts, gsize, i);
}

static gboolean
field_error (Splitter    *s,
             GError     **error,
             const char  *message)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE, "%s:%" PRIu64 ": %s", s->name, s->row_line,
               message);
  return FALSE;
}

/* Reads a double-quoted field; p is just past the opening quote. */
static gboolean
read_quoted (Splitter  *s,
             GError   **error)
{
  for (;;)
    {
      if (s->p >= s->end)
        return field_error (s, error, _("a quoted field is not closed before the end of "
                                        "the file"));
      if (*s->p == '"' && s->p + 1 < s->end && s->p[1] == '"')
        {
          g_string_append_c (s->row, '"');
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
          g_string_append_c (s->row, *s->p++);
        }
    }
}

/* Splits the next non-blank row into fields; FALSE at the end of the data or on error. */
static gboolean
next_row (Splitter  *s,
          GError   **error)
{
  g_string_truncate (s->row, 0);
  g_array_set_size (s->starts, 0);
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
      gsize start = s->row->len;
      const char *text;

      if (s->starts->len == MAX_FIELDS)
        return field_error (s, error, _("the row has more fields than a table can have"));
      g_array_append_val (s->starts, start);
      if (quoted)
        {
          s->p++;
          if (!read_quoted (s, error))
            return FALSE;
        }
      for (text = s->p; s->p < s->end && *s->p != s->delim && *s->p != '\n'; s->p++)
        if (quoted && *s->p != '\r' && *s->p != ' ')
          return field_error (s, error, _("text follows the closing quote of a field"));
      if (!quoted)
        {
          /* The '\r' of a Windows line end is not part of the field. */
          gsize len = s->p - text;

          if (len > 0 && text[len - 1] == '\r')
            len--;
          g_string_append_len (s->row, text, len);
        }
      g_string_append_c (s->row, '\0');
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

/* The reader takes text in UTF-8 (of which ASCII is a part), so that class names and
 * column names are strings every binding can take; a byte-order mark is skipped. */
static gboolean
check_text (const char   *name,
            const char  **text,
            gsize        *size,
            GError      **error)
{
  const char *start = *text, *bad;
  guint64 line = 1;

  if (*size >= 3 && memcmp (*text, "\xef\xbb\xbf", 3) == 0)
    {
      *text += 3;
      *size -= 3;
    }
  if (g_utf8_validate_len (*text, *size, &bad))
    return TRUE;
  for (const char *p = *text; p < bad; p++)
    line += *p == '\n';
  if (*bad == '\0')
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("%s:%" PRIu64 ": byte %" PRIu64 " is a NUL byte, which a CSV file does "
                   "not hold"), name, line, (guint64) (bad - start));
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("%s:%" PRIu64 ": byte %" PRIu64 " is not UTF-8 text; CSV files are read "
                   "as UTF-8 (convert the file, e.g. with iconv -f LATIN1 -t UTF-8)"),
                 name, line, (guint64) (bad - start));
  return FALSE;
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

/* An integer that fits in an int64: a larger one is a number, not a class index. */
static gboolean
parse_integer (const char *text,
               gint64     *value)
{
  char *end;

  while (*text == ' ')
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  *value = g_ascii_strtoll (text, &end, 10);
  if (errno == ERANGE)
    return FALSE;
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

/* The label texts of the rows: NUL-terminated strings one after the other, and where
 * each one starts. */
typedef struct
{
  Buffer  chars;
  Buffer  starts;     /* gsize */
  gsize   n;
} Labels;

static const char *
label_at (Labels *l,
          gsize   i)
{
  gsize start;

  memcpy (&start, l->starts.data + i * sizeof start, sizeof start);
  return (const char *) l->chars.data + start;
}

static void
labels_add (Labels     *l,
            const char *text)
{
  gsize start = l->chars.len;

  buffer_append (&l->chars, text, strlen (text) + 1);
  buffer_append (&l->starts, &start, sizeof start);
  l->n++;
}

/* Turns the label strings into a tensor: integers, numbers, or class names. */
static FitTensor *
labels_to_tensor (FitCsvReader  *self,
                  const char    *name,
                  Labels        *texts,
                  char        ***class_names,
                  GError       **error)
{
  gsize n = texts->n;
  gboolean all_int = TRUE, all_num = TRUE;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GPtrArray) names = NULL;
  FitTensor *out;
  gint64 shape[1] = { n };

  for (gsize i = 0; i < n && all_num; i++)
    {
      double d;
      gint64 v;

      if (all_int && !parse_integer (label_at (texts, i), &v))
        all_int = FALSE;
      if (!all_int && !parse_number (label_at (texts, i), &d))
        all_num = FALSE;
    }

  if (all_int)
    {
      gint64 *d;

      out = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, 1);
      d = fit_tensor_get_data_mutable (out);
      for (gsize i = 0; i < n; i++)
        parse_integer (label_at (texts, i), &d[i]);
      return out;
    }
  if (all_num)
    {
      float *d;

      out = fit_tensor_new_empty (FIT_DTYPE_FLOAT32, shape, 1);
      d = fit_tensor_get_data_mutable (out);
      for (gsize i = 0; i < n; i++)
        {
          double v = 0;

          parse_number (label_at (texts, i), &v);
          d[i] = (float) v;
        }
      return out;
    }

  /* Class names: first-seen order, then optionally sorted. */
  index = g_hash_table_new (g_str_hash, g_str_equal);
  names = g_ptr_array_new ();
  for (gsize i = 0; i < n; i++)
    {
      const char *text = label_at (texts, i);

      if (g_hash_table_contains (index, text))
        continue;
      if (names->len == MAX_CLASSES)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("%s: the labels name more than %d classes"), name, MAX_CLASSES);
          return NULL;
        }
      g_hash_table_insert (index, (gpointer) text, GUINT_TO_POINTER (names->len));
      g_ptr_array_add (names, (gpointer) text);
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
    d = fit_tensor_get_data_mutable (out);
    for (gsize i = 0; i < n; i++)
      d[i] = GPOINTER_TO_UINT (g_hash_table_lookup (index, label_at (texts, i)));
  }
  *class_names = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    (*class_names)[i] = g_strdup (names->pdata[i]);
  return out;
}

/* The header's names, quoted, for a message; the first few of a wide table. */
static char *
describe_columns (GPtrArray *header)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < header->len; i++)
    {
      const char *column = header->pdata[i];
      g_autofree char *quoted = NULL;

      if (i == MAX_LISTED_COLUMNS)
        {
          g_string_append_printf (list, _(", and %u more"), header->len - i);
          break;
        }
      quoted = fit_data_quote (column, strlen (column));
      g_string_append_printf (list, i > 0 ? ", %s" : "%s", quoted);
    }
  return g_string_free (list, FALSE);
}

static int
find_label_column (FitCsvReader  *self,
                   const char    *name,
                   GPtrArray     *header,
                   guint          n_columns,
                   GError       **error)
{
  gint64 column;

  if (self->label_column_name != NULL)
    {
      g_autofree char *list = NULL;
      g_autofree char *wanted = fit_data_quote (self->label_column_name,
                                                strlen (self->label_column_name));

      if (header != NULL)
        for (guint i = 0; i < header->len; i++)
          if (g_str_equal (header->pdata[i], self->label_column_name))
            return i;
      if (header == NULL)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                       _("%s: the label column is chosen by name (“%s”) but the reader "
                         "expects no header; set has-header or choose the column by index"),
                       name, wanted);
          return -1;
        }
      list = describe_columns (header);
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                   _("%s:1: there is no column “%s” for the labels; the columns are %s"),
                   name, wanted, list);
      return -1;
    }

  column = self->label_column < 0 ? (gint64) n_columns + self->label_column
                                  : self->label_column;
  if (column < 0 || column >= n_columns)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
                   _("%s: there is no column %d for the labels; the file has %u columns"),
                   name, self->label_column, n_columns);
      return -1;
    }
  return (int) column;
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
 * The file is untrusted input. Every error names the file (by its display name, so the
 * message is valid UTF-8 whatever the file name's encoding) and, where there is one,
 * the line: %FIT_ERROR_IO when it cannot be opened or read; %FIT_ERROR_PARSE for a
 * truncated or corrupt gzip stream, malformed rows, cells that are not numbers, bytes
 * that are not UTF-8 and NUL bytes; %FIT_ERROR_NOT_FOUND for a missing label column. Memory stays a small multiple of the (uncompressed) text. Class names are
 * returned exactly as the file spells them, which is valid UTF-8.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
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
  g_autoptr(FitTensor) inputs = NULL;
  g_autoptr(FitTensor) labels = NULL;
  g_auto(GStrv) class_names = NULL;
  Splitter s = { 0, };
  Buffer features = { 0, };
  Labels label_texts = { { 0, }, };
  FitTensorDataset *dataset = NULL;
  const char *name;
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
  name = fit_data_file_get_name (file);
  bytes = fit_data_file_read_all (file, cancellable, error);
  if (bytes == NULL)
    return NULL;

  s.name = name;
  s.p = g_bytes_get_data (bytes, &size);
  if (!check_text (name, &s.p, &size, error))
    return NULL;
  s.end = s.p + size;
  s.delim = (char) self->delimiter;
  s.line = 1;
  s.row = g_string_new (NULL);
  s.starts = g_array_new (FALSE, FALSE, sizeof (gsize));

  if (self->has_header)
    {
      if (!next_row (&s, error))
        goto fail_empty;
      header = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < s.starts->len; i++)
        g_ptr_array_add (header, g_strdup (g_strstrip (field_at (&s, i))));
      n_columns = header->len;
      label = find_label_column (self, name, header, n_columns, error);
      if (label < 0)
        goto out;
    }

  for (;;)
    {
      GError *local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          g_clear_error (&local_error);
          g_set_error (error, FIT_ERROR, FIT_ERROR_CANCELLED, _("Reading %s was cancelled"),
                       name);
          goto out;
        }
      if (!next_row (&s, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              goto out;
            }
          break;
        }
      if (n_columns == 0)
        {
          n_columns = s.starts->len;
          label = find_label_column (self, name, NULL, n_columns, error);
          if (label < 0)
            goto out;
        }
      if (s.starts->len != n_columns)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("%s:%" PRIu64 ": the row has %u fields but %s has %u"),
                       name, s.row_line, s.starts->len,
                       self->has_header ? _("the header") : _("the first row"), n_columns);
          goto out;
        }
      for (guint c = 0; c < n_columns; c++)
        {
          char *text = field_at (&s, c);
          double v;
          float f;

          if ((int) c == label)
            {
              labels_add (&label_texts, g_strstrip (text));
              continue;
            }
          if (!parse_number (text, &v))
            {
              g_autofree char *quoted = fit_data_quote (text, strlen (text));
              g_autofree char *column = NULL;
              g_autofree char *col = NULL;

              if (header != NULL)
                column = fit_data_quote (header->pdata[c], strlen (header->pdata[c]));
              col = column ? g_strdup_printf ("%u (“%s”)", c + 1, column)
                           : g_strdup_printf ("%u", c + 1);
              g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                           _("%s:%" PRIu64 ": column %s holds “%s”, which is not a number"),
                           name, s.row_line, col, quoted);
              goto out;
            }
          f = (float) v;
          buffer_append (&features, &f, sizeof f);
        }
      n_rows++;
    }

  if (n_rows == 0)
    goto fail_empty;

  shape[0] = n_rows;
  shape[1] = n_columns - 1;
  inputs = fit_tensor_new_from_data (FIT_DTYPE_FLOAT32, shape, 2, features.data, features.len,
                                     error);
  if (inputs == NULL)
    goto out;
  labels = labels_to_tensor (self, name, &label_texts, &class_names, error);
  if (labels == NULL)
    goto out;
  dataset = fit_tensor_dataset_new (inputs, labels, error);
  if (dataset != NULL && class_names != NULL)
    fit_tensor_dataset_set_class_names (dataset, (const char * const *) class_names);
  goto out;

fail_empty:
  if (error == NULL || *error == NULL)
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE, _("%s holds no rows of data"), name);
out:
  g_string_free (s.row, TRUE);
  g_array_unref (s.starts);
  g_free (features.data);
  g_free (label_texts.chars.data);
  g_free (label_texts.starts.data);
  return dataset;
}
