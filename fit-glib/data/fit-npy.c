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
#define CHUNK_ELEMENTS (256 * 1024)

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
 * *too_many when there are more than FIT_MAX_DIMS. */
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
      if (h->n_dims == FIT_MAX_DIMS)
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

static inline double
npy_element (NpyType       type,
             const guint8 *p)
{
  switch (type)
    {
    case NPY_F4:
      {
        float v;
        memcpy (&v, p, 4);
        return v;
      }
    case NPY_F8:
      {
        double v;
        memcpy (&v, p, 8);
        return v;
      }
    case NPY_I4:
      {
        gint32 v;
        memcpy (&v, p, 4);
        return v;
      }
    case NPY_I8:
      {
        gint64 v;
        memcpy (&v, p, 8);
        return (double) v;
      }
    case NPY_U1:
      return p[0];
    default:
      return 0;
    }
}

static void
convert (NpyType       type,
         gsize         size,
         const guint8 *src,
         gsize         n,
         FitDType      dtype,
         guint8       *dst)
{
  /* Integer to integer goes through gint64 so that large int64 values stay exact. */
  if (type == NPY_I8 && dtype == FIT_DTYPE_INT32)
    {
      for (gsize i = 0; i < n; i++)
        {
          gint64 v;
          memcpy (&v, src + i * 8, 8);
          ((gint32 *) dst)[i] = (gint32) v;
        }
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      double v = npy_element (type, src + i * size);

      switch (dtype)
        {
        case FIT_DTYPE_FLOAT32:
          ((float *) dst)[i] = (float) v;
          break;
        case FIT_DTYPE_FLOAT64:
          ((double *) dst)[i] = v;
          break;
        case FIT_DTYPE_INT32:
          ((gint32 *) dst)[i] = (gint32) v;
          break;
        case FIT_DTYPE_INT64:
          ((gint64 *) dst)[i] = (gint64) v;
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static gboolean
read_exact (FitDataFile   *file,
            gpointer       buffer,
            gsize          n,
            const char    *what,
            GCancellable  *cancellable,
            GError       **error)
{
  guint64 start = fit_data_file_get_offset (file);
  gsize got;

  if (!fit_data_file_read (file, buffer, n, &got, cancellable, error))
    return FALSE;
  if (got < n)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the file ends at byte %" PRIu64 ", inside the %s, which "
                     "needs %zu bytes from byte %" PRIu64),
                   fit_data_file_get_name (file), start + got, what, n, start);
      return FALSE;
    }
  return TRUE;
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
  guint8 prelude[12];
  guint major, header_len, len_size;
  Header h = { 0, };
  NpyType type;
  gsize size, out_size;
  guint64 numel = 1, n_bytes, max_size, data_offset;
  gboolean ok;

  file = fit_data_file_open (path, cancellable, error);
  if (file == NULL)
    return NULL;

  if (!read_exact (file, prelude, 8, _("NPY magic string"), cancellable, error))
    return NULL;
  if (memcmp (prelude, "\x93NUMPY", 6) != 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: wrong magic string at byte 0; a .npy file starts with "
                     "\\x93NUMPY"), path);
      return NULL;
    }
  major = prelude[6];
  if (major < 1 || major > 3)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: NPY format version %u.%u at byte 6 is not one of 1.0, 2.0 and 3.0"),
                   path, prelude[6], prelude[7]);
      return NULL;
    }
  len_size = major == 1 ? 2 : 4;
  if (!read_exact (file, prelude + 8, len_size, _("NPY header length"), cancellable, error))
    return NULL;
  header_len = major == 1 ? (guint) prelude[8] | ((guint) prelude[9] << 8)
                          : (guint) prelude[8] | ((guint) prelude[9] << 8) |
                            ((guint) prelude[10] << 16) | ((guint) prelude[11] << 24);
  /* Past this bound, a short file is reported by the read below. */
  if (header_len > MAX_HEADER_BYTES)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the header length %u at byte 8 is larger than any sensible header "
                     "(at most %u bytes)"), path, header_len, MAX_HEADER_BYTES);
      return NULL;
    }
  header_text = g_malloc (header_len + 1);
  if (!read_exact (file, header_text, header_len, _("NPY header"), cancellable, error))
    return NULL;
  header_text[header_len] = '\0';
  data_offset = 8 + len_size;

  h.p = h.start = header_text;
  ok = parse_header (&h, path, data_offset, error);
  descr = h.descr;
  if (!ok)
    return NULL;
  if (!lookup_type (descr, &type, &size))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                   _("%s: cannot use dtype '%s'; fit-glib reads '<f4', '<f8', '<i4', '<i8' "
                     "and '|u1' (convert with numpy's astype)"), path, descr);
      return NULL;
    }
  if (h.fortran && h.n_dims > 1)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the array is stored in Fortran order; save it in C order "
                     "(numpy.ascontiguousarray) to read it"), path);
      return NULL;
    }

  for (guint i = 0; i < h.n_dims; i++)
    {
      if (h.shape[i] != 0 && numel > G_MAXUINT64 / 16 / (guint64) h.shape[i])
        numel = G_MAXUINT64 / 16;
      else
        numel *= h.shape[i];
    }
  n_bytes = numel * size;
  data_offset += header_len;
  max_size = fit_data_file_get_max_size (file);
  if (numel >= G_MAXUINT64 / 16 || n_bytes > max_size - MIN (max_size, data_offset))
    {
      g_autofree char *s = fit_shape_to_string (h.shape, h.n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the header promises a %s array of %s, more data than the file "
                     "can hold (%" PRIu64 " bytes%s)"),
                   path, s, descr, max_size,
                   fit_data_file_is_gzip (file) ? _(" once uncompressed") : "");
      return NULL;
    }

  if (natural)
    dtype = natural_dtype (type);
  out = fit_tensor_new_empty (dtype, h.shape, h.n_dims);
  out_size = fit_dtype_get_size (dtype);

  if (natural_dtype (type) == dtype && type != NPY_U1 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    {
      gsize got;

      if (!fit_data_file_read (file, fit_tensor_ptr (out), n_bytes, &got, cancellable, error))
        return NULL;
      if (got < n_bytes)
        goto short_data;
    }
  else
    {
      g_autofree guint8 *chunk = g_malloc (MIN (numel, CHUNK_ELEMENTS) * size + 1);
      guint8 *dst = fit_tensor_ptr (out);
      guint64 done = 0;

      while (done < numel)
        {
          gsize n = (gsize) MIN (numel - done, CHUNK_ELEMENTS);
          gsize got;

          if (!fit_data_file_read (file, chunk, n * size, &got, cancellable, error))
            return NULL;
          if (got < n * size)
            goto short_data;
          convert (type, size, chunk, n, dtype, dst + done * out_size);
          done += n;
        }
    }

  if (!fit_data_file_expect_end (file, _("array data"), cancellable, error))
    return NULL;
  return g_steal_pointer (&out);

short_data:
  g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
               _("%s: the header promises %" PRIu64 " bytes of data from byte %"
                 PRIu64 ", but the data ends at byte %" PRIu64),
               path, n_bytes, data_offset, fit_data_file_get_offset (file));
  return NULL;
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
 * Only arrays in C order can be read: a multi-dimensional array in Fortran order gives
 * %FIT_ERROR_SHAPE, as does one of more than %FIT_MAX_DIMS dimensions. Another element
 * type (big-endian, unsigned wider than a byte, booleans, objects, structured) gives
 * %FIT_ERROR_DTYPE. A malformed file gives %FIT_ERROR_PARSE naming the file and the byte
 * offset: a wrong magic string or version, a malformed header, a header that promises
 * more data than the file holds (checked before allocating), short data or trailing
 * bytes.
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
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return npy_load (path, FALSE, dtype, cancellable, error);
}
