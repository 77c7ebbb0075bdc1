/* fit-npy.c: NumPy .npy files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Format versions 1.0, 2.0 and 3.0: the magic "\x93NUMPY", two version bytes, a
 * little-endian header length (2 bytes in 1.0, 4 after), and a Python dict literal with
 * 'descr', 'fortran_order' and 'shape'. The header is parsed as a tiny grammar, not
 * searched for substrings, so a malformed one is an error with its offset.
 */

#include "config.h"

#include <inttypes.h>

#include <stdlib.h>
#include <string.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-npy.h"

#define MAX_HEADER_BYTES (1024 * 1024)

typedef enum
{
  NPY_F4,
  NPY_F8,
  NPY_I4,
  NPY_I8,
  NPY_U1,
} NpyType;

typedef struct
{
  const char *p;
  const char *start;
  const char *end;
  char       *descr;
  gboolean    fortran;
  gboolean    have_descr, have_fortran, have_shape;
  gint64      shape[FIT_MAX_DIMS];
  guint       n_dims;
} Header;

static void
skip_space (Header *h)
{
  while (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')
    h->p++;
}

static gboolean
expect (Header *h,
        char    c)
{
  skip_space (h);
  if (*h->p != c)
    return FALSE;
  h->p++;
  return TRUE;
}

static char *
parse_string (Header *h)
{
  char quote;
  const char *end;

  skip_space (h);
  quote = *h->p;
  if (quote != '\'' && quote != '"')
    return NULL;
  end = strchr (h->p + 1, quote);
  if (end == NULL)
    return NULL;
  {
    char *s = g_strndup (h->p + 1, end - h->p - 1);

    h->p = end + 1;
    return s;
  }
}

/* A tuple of non-negative integers: "()", "(5,)", "(3, 4)". Returns FALSE on bad syntax;
 * *too_many when there are more than FIT_MAX_DIMS, of which the first FIT_MAX_DIMS are
 * kept (n_dims still counts them all). */
static gboolean
parse_shape (Header   *h,
             gboolean *too_many)
{
  if (!expect (h, '('))
    return FALSE;
  h->n_dims = 0;
  for (;;)
    {
      char *end;
      guint64 v;

      skip_space (h);
      if (*h->p == ')')
        {
          h->p++;
          return TRUE;
        }
      if (!g_ascii_isdigit (*h->p))
        return FALSE;
      v = g_ascii_strtoull (h->p, &end, 10);
      if (end == h->p || v > G_MAXINT64)
        return FALSE;
      h->p = end;
      /* Python 2's NumPy wrote long integers as "3L". */
      if (*h->p == 'L')
        h->p++;
      if (h->n_dims >= FIT_MAX_DIMS)
        *too_many = TRUE;
      else
        h->shape[h->n_dims] = (gint64) v;
      h->n_dims++;
      skip_space (h);
      if (*h->p == ',')
        h->p++;
      else if (*h->p != ')')
        return FALSE;
    }
}

static gboolean
parse_header (Header      *h,
              const char  *name,
              guint64      data_offset,
              GError     **error)
{
  gboolean too_many = FALSE;

  if (!expect (h, '{'))
    goto syntax;
  for (;;)
    {
      g_autofree char *key = NULL;

      skip_space (h);
      if (*h->p == '}')
        break;
      key = parse_string (h);
      if (key == NULL || !expect (h, ':'))
        goto syntax;
      skip_space (h);
      if (g_str_equal (key, "descr"))
        {
          g_free (h->descr);
          h->descr = parse_string (h);
          if (h->descr == NULL)
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                           _("%s: the dtype at byte %" PRIu64 " is not a simple type "
                             "string; fit-glib reads '<f4', '<f8', '<i4', '<i8' and '|u1'"),
                           name, data_offset + (h->p - h->start));
              return FALSE;
            }
          h->have_descr = TRUE;
        }
      else if (g_str_equal (key, "fortran_order"))
        {
          h->fortran = g_str_has_prefix (h->p, "True");
          if (h->fortran)
            h->p += 4;
          else if (g_str_has_prefix (h->p, "False"))
            h->p += 5;
          else
            goto syntax;
          h->have_fortran = TRUE;
        }
      else if (g_str_equal (key, "shape"))
        {
          if (!parse_shape (h, &too_many))
            goto syntax;
          h->have_shape = TRUE;
        }
      else
        goto syntax;
      skip_space (h);
      if (*h->p == ',')
        h->p++;
      else if (*h->p != '}')
        goto syntax;
    }

  /* NumPy pads the dictionary with spaces and ends it with a newline; anything else
   * (a NUL byte included) is not a header NumPy would read. */
  h->p++;
  skip_space (h);
  if (h->p != h->end)
    goto syntax;

  if (!h->have_descr || !h->have_fortran || !h->have_shape)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the header at byte %" PRIu64 " lacks one of 'descr', "
                     "'fortran_order' and 'shape'"), name, data_offset);
      return FALSE;
    }
  if (too_many)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the array has %u dimensions; a tensor has at most %d"),
                   name, h->n_dims, FIT_MAX_DIMS);
      return FALSE;
    }
  return TRUE;

syntax:
  g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
               _("%s: the header dictionary is malformed at byte %" PRIu64),
               name, data_offset + (h->p - h->start));
  return FALSE;
}

static gboolean
lookup_type (const char *descr,
             NpyType    *type,
             gsize      *size)
{
  static const struct { const char *descr; NpyType type; gsize size; } types[] = {
    { "<f4", NPY_F4, 4 }, { "<f8", NPY_F8, 8 }, { "<i4", NPY_I4, 4 }, { "<i8", NPY_I8, 8 },
    { "|u1", NPY_U1, 1 }, { "<u1", NPY_U1, 1 }, { "u1", NPY_U1, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (descr, types[i].descr))
      {
        *type = types[i].type;
        *size = types[i].size;
        return TRUE;
      }
  return FALSE;
}

static FitDType
natural_dtype (NpyType type)
{
  switch (type)
    {
    case NPY_F4:
    case NPY_U1:
      return FIT_DTYPE_FLOAT32;
    case NPY_F8:
      return FIT_DTYPE_FLOAT64;
    case NPY_I4:
      return FIT_DTYPE_INT32;
    case NPY_I8:
      return FIT_DTYPE_INT64;
    default:
      g_assert_not_reached ();
    }
}

/* An element of a little-endian type, whatever the machine's byte order. */
static inline double
npy_element (NpyType       type,
             const guint8 *p)
{
  switch (type)
    {
    case NPY_F4:
      {
        guint32 u;
        float v;

        memcpy (&u, p, 4);
        u = GUINT32_FROM_LE (u);
        memcpy (&v, &u, 4);
        return v;
      }
    case NPY_F8:
      {
        guint64 u;
        double v;

        memcpy (&u, p, 8);
        u = GUINT64_FROM_LE (u);
        memcpy (&v, &u, 8);
        return v;
      }
    case NPY_I4:
      {
        guint32 u;

        memcpy (&u, p, 4);
        return (gint32) GUINT32_FROM_LE (u);
      }
    case NPY_I8:
      {
        guint64 u;

        memcpy (&u, p, 8);
        return (double) (gint64) GUINT64_FROM_LE (u);
      }
    case NPY_U1:
      return p[0];
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  NpyType   type;
  gsize     size;
  FitDType  dtype;
} NpyConvert;

/* A FitDataConvertFunc. Every value of the file's types that fits in an int32 or int64
 * is exact as a double (int64 values beyond 2^53 do not fit in an int32 either), so
 * one path through double converts, and checks, them all. */
static gsize
npy_convert (const guint8  *src,
             gsize          n,
             gpointer       dst,
             double        *bad_value,
             gconstpointer  user_data)
{
  const NpyConvert *c = user_data;

  if (c->type == NPY_U1 && c->dtype == FIT_DTYPE_FLOAT32)
    {
      float *d = dst;

      for (gsize i = 0; i < n; i++)
        d[i] = src[i];
      return n;
    }
  for (gsize i = 0; i < n; i++)
    {
      double v = npy_element (c->type, src + i * c->size);

      if (!fit_data_store (dst, i, c->dtype, v))
        {
          *bad_value = v;
          return i;
        }
    }
  return n;
}

static FitTensor *
npy_load (const char    *path,
          gboolean       natural,
          FitDType       dtype,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(FitDataFile) file = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autofree char *header_text = NULL;
  g_autofree char *descr = NULL;
  const char *name;
  guint8 prelude[12];
  guint major, header_len, len_size;
  Header h = { 0, };
  NpyConvert convert;
  gboolean ok;

  file = fit_data_file_open (path, cancellable, error);
  if (file == NULL)
    return NULL;
  name = fit_data_file_get_name (file);

  if (!fit_data_file_read_exact (file, prelude, 8, _("NPY magic string"), cancellable, error))
    return NULL;
  if (memcmp (prelude, "\x93NUMPY", 6) != 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: wrong magic string at byte 0; a .npy file starts with "
                     "\\x93NUMPY"), name);
      return NULL;
    }
  major = prelude[6];
  if (major < 1 || major > 3)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: NPY format version %u.%u at byte 6 is not one of 1.0, 2.0 and 3.0"),
                   name, prelude[6], prelude[7]);
      return NULL;
    }
  len_size = major == 1 ? 2 : 4;
  if (!fit_data_file_read_exact (file, prelude + 8, len_size, _("NPY header length"),
                                 cancellable, error))
    return NULL;
  header_len = major == 1 ? (guint) prelude[8] | ((guint) prelude[9] << 8)
                          : (guint) prelude[8] | ((guint) prelude[9] << 8) |
                            ((guint) prelude[10] << 16) | ((guint) prelude[11] << 24);
  if (header_len > MAX_HEADER_BYTES)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the header length %u at byte 8 is larger than any sensible header "
                     "(at most %u bytes)"), name, header_len, MAX_HEADER_BYTES);
      return NULL;
    }
  header_text = fit_data_file_read_text (file, header_len, _("NPY header"), cancellable, error);
  if (header_text == NULL)
    return NULL;

  h.p = h.start = header_text;
  h.end = header_text + header_len;
  ok = parse_header (&h, name, 8 + len_size, error);
  descr = h.descr;
  if (!ok)
    return NULL;
  if (!lookup_type (descr, &convert.type, &convert.size))
    {
      g_autofree char *quoted = fit_data_quote (descr, strlen (descr));

      g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                   _("%s: cannot use dtype '%s'; fit-glib reads '<f4', '<f8', '<i4', '<i8' "
                     "and '|u1' (convert with numpy's astype)"), name, quoted);
      return NULL;
    }
  if (h.fortran && h.n_dims > 1)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the array is stored in Fortran order; save it in C order "
                     "(numpy.ascontiguousarray) to read it"), name);
      return NULL;
    }

  convert.dtype = natural ? natural_dtype (convert.type) : dtype;
  /* The data is the tensor's bytes when the types match on a little-endian machine. */
  if (natural_dtype (convert.type) == convert.dtype && convert.type != NPY_U1 &&
      G_BYTE_ORDER == G_LITTLE_ENDIAN)
    out = fit_data_file_read_tensor (file, convert.dtype, h.shape, h.n_dims, convert.size,
                                     NULL, NULL, cancellable, error);
  else
    out = fit_data_file_read_tensor (file, convert.dtype, h.shape, h.n_dims, convert.size,
                                     npy_convert, &convert, cancellable, error);
  if (out == NULL || !fit_data_file_expect_end (file, _("array data"), cancellable, error))
    return NULL;
  return g_steal_pointer (&out);
}

/**
 * fit_npy_load:
 * @path: (type filename): the .npy file (format version 1.0, 2.0 or 3.0), plain or
 *   gzip-compressed
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a NumPy array into a tensor of the same shape. The element types map as
 * follows: `'<f4'` to float32, `'<f8'` to float64, `'<i4'` to int32, `'<i8'` to int64, and
 * `'|u1'` (unsigned bytes, usually pixels) to float32 holding the same values 0…255. Use
 * [func@Fit.npy_load_as] for another element type (int64 labels stored as bytes, for
 * instance).
 *
 * Only arrays in C order can be read. The file is untrusted input; every error names
 * the file (by its display name, so the message is valid UTF-8 whatever the file name's
 * encoding):
 *
 * - %FIT_ERROR_IO when the file cannot be opened or read;
 * - %FIT_ERROR_PARSE, with the byte offset, for a malformed file: a wrong magic string or
 *   version, a malformed header (anything but a dictionary of 'descr', 'fortran_order'
 *   and 'shape', padded with spaces), a header that promises more data than the file
 *   holds (checked against the file's size, or for gzip against the most it can hold
 *   once uncompressed), data that ends early, a truncated or corrupt gzip stream, or
 *   trailing bytes;
 * - %FIT_ERROR_SHAPE for a multi-dimensional array in Fortran order, more than
 *   %FIT_MAX_DIMS dimensions, or sizes beyond any tensor, even an empty one (say
 *   `(2**40, 2**40, 0)`);
 * - %FIT_ERROR_DTYPE for another element type (big-endian, unsigned wider than a byte,
 *   booleans, objects, structured); the message quotes the file's type string with
 *   bytes that are not UTF-8 escaped (`\xff`) and long strings cut short.
 *
 * Memory follows the data, never the header: a plain file's size bounds what is
 * allocated before reading, and a gzip file (or a pipe) is read into a buffer that grows
 * as the uncompressed bytes arrive, its tensor allocated only once they have, so a file
 * cannot make the reader allocate more than a small multiple of what it holds.
 *
 * Returns: (transfer full): the tensor, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_npy_load (const char    *path,
              GCancellable  *cancellable,
              GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return npy_load (path, TRUE, FIT_DTYPE_FLOAT32, cancellable, error);
}

/**
 * fit_npy_load_as:
 * @path: (type filename): the .npy file, plain or gzip-compressed
 * @dtype: the element type of the tensor to return
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a NumPy array like [func@Fit.npy_load] and converts its values to @dtype as
 * they are read (floating-point values truncate towards zero when @dtype is an integer
 * type).
 *
 * The errors are those of [func@Fit.npy_load], and one more: when @dtype is an integer
 * type and an element is a NaN, an infinity or beyond @dtype's range (an int64 past
 * 2^31 read as int32, say), %FIT_ERROR_INVALID_ARGUMENT naming the file and the first
 * such element.
 *
 * Returns: (transfer full): the tensor, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_npy_load_as (const char    *path,
                 FitDType       dtype,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail ((guint) dtype <= FIT_DTYPE_INT64, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return npy_load (path, FALSE, dtype, cancellable, error);
}
