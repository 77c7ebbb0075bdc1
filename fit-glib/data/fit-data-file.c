/* fit-data-file.c: sequential reading of data files, gunzipped on the fly
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The readers learn sizes from headers they cannot trust. A promised size is checked
 * against what the file can hold (fit_data_file_get_max_size), and memory is only ever
 * committed to data that is there: the size of a plain file bounds an allocation made
 * before reading, while the data of a gzip file (whose header could promise a thousand
 * times its size) is staged in a buffer that grows as the decompressed bytes arrive, and
 * its tensor allocated once they all have, so no file makes a reader allocate more than
 * a small multiple of what it read. A short read is reported
 * with the number of bytes that were there. A gzip file is recognised by its magic
 * number, not its name, and read to its end so that zlib checks the trailer's CRC and
 * length.
 *
 * Messages name the file by its display name (a file name need not be UTF-8), and text
 * quoted from a file goes through fit_data_quote(), so every message is valid UTF-8.
 */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "fit-glib/data/fit-data-private.h"

/* deflate cannot expand data by more than about 1032:1. */
#define GZIP_MAX_RATIO 1032
#define READ_BUFFER_SIZE (256 * 1024)
/* The bytes converted at a time from a plain file, and the first allocation for data
 * whose size the file cannot vouch for; it doubles as the data arrives. */
#define CHUNK_BYTES (1024 * 1024)
#define GROW_FIRST_BYTES (64 * 1024)
/* The characters of file text quoted in a message. */
#define QUOTE_MAX_CHARS 40

struct _FitDataFile
{
  char          *name;        /* for messages: valid UTF-8 */
  GInputStream  *raw;
  GInputStream  *stream;
  guint64        file_size;
  gboolean       size_known;  /* a regular file, whose size bounds its data */
  guint64        offset;
  gboolean       gzip;
};

void
fit_data_file_free (FitDataFile *file)
{
  if (file == NULL)
    return;
  g_clear_object (&file->stream);
  g_clear_object (&file->raw);
  g_free (file->name);
  g_free (file);
}

FitDataFile *
fit_data_file_open (const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GFile) gfile = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(FitDataFile) file = NULL;
  const guint8 *peek;
  gsize n_peek = 0;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_new0 (FitDataFile, 1);
  file->name = g_filename_display_name (path);
  gfile = g_file_new_for_path (path);
  in = g_file_read (gfile, cancellable, &local_error);
  if (in != NULL)
    info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                           G_FILE_ATTRIBUTE_STANDARD_TYPE, cancellable,
                                           &local_error);
  if (info == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_IO, _("Could not read %s: %s"), file->name,
                   local_error->message);
      return NULL;
    }
  /* A pipe or a device has no size, and some regular files (in /proc) claim 0. */
  file->file_size = g_file_info_get_size (info);
  file->size_known = g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
                     file->file_size > 0;

  file->raw = g_buffered_input_stream_new_sized (G_INPUT_STREAM (in), READ_BUFFER_SIZE);
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (file->raw), 2, cancellable,
                                    &local_error) < 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_IO, _("Could not read %s: %s"), file->name,
                   local_error->message);
      return NULL;
    }
  peek = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (file->raw), &n_peek);
  file->gzip = n_peek >= 2 && peek[0] == 0x1f && peek[1] == 0x8b;
  if (file->gzip)
    {
      g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

      file->stream = g_converter_input_stream_new (file->raw, G_CONVERTER (z));
    }
  else
    file->stream = g_object_ref (file->raw);

  return g_steal_pointer (&file);
}

const char *
fit_data_file_get_name (FitDataFile *file)
{
  return file->name;
}

gboolean
fit_data_file_is_gzip (FitDataFile *file)
{
  return file->gzip;
}

guint64
fit_data_file_get_offset (FitDataFile *file)
{
  return file->offset;
}

guint64
fit_data_file_get_max_size (FitDataFile *file)
{
  if (!file->size_known || file->file_size > G_MAXUINT64 / GZIP_MAX_RATIO)
    return G_MAXUINT64;
  return file->gzip ? file->file_size * GZIP_MAX_RATIO : file->file_size;
}

static void
translate_error (FitDataFile  *file,
                 GError       *io_error,
                 GError      **error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, FIT_ERROR, FIT_ERROR_CANCELLED, _("Reading %s was cancelled"),
                 file->name);
  else if (file->gzip && (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
                          g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)))
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("%s: the gzip data is truncated or corrupt after %" PRIu64
                   " uncompressed bytes (%s)"), file->name, file->offset, io_error->message);
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_IO, _("Could not read %s: %s"), file->name,
                 io_error->message);
}

gboolean
fit_data_file_read (FitDataFile   *file,
                    gpointer       buffer,
                    gsize          n,
                    gsize         *n_read,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gsize done = 0;

  while (done < n)
    {
      g_autoptr(GError) local_error = NULL;
      gssize r = g_input_stream_read (file->stream, (guint8 *) buffer + done,
                                      MIN (n - done, (gsize) G_MAXSSIZE), cancellable,
                                      &local_error);

      if (r < 0)
        {
          translate_error (file, local_error, error);
          *n_read = done;
          return FALSE;
        }
      if (r == 0)
        break;
      done += r;
      file->offset += r;
    }
  *n_read = done;
  return TRUE;
}

static void
set_ends_inside (FitDataFile  *file,
                 guint64       start,
                 gsize         n,
                 const char   *what,
                 GError      **error)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
               _("%s: the file ends at byte %" PRIu64 ", inside the %s, which "
                 "needs %zu bytes from byte %" PRIu64),
               file->name, file->offset, what, n, start);
}

gboolean
fit_data_file_read_exact (FitDataFile   *file,
                          gpointer       buffer,
                          gsize          n,
                          const char    *what,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint64 start = file->offset;
  gsize got;

  if (!fit_data_file_read (file, buffer, n, &got, cancellable, error))
    return FALSE;
  if (got < n)
    {
      set_ends_inside (file, start, n, what, error);
      return FALSE;
    }
  return TRUE;
}

/* Reads exactly @n bytes into a new buffer (one byte longer, for a NUL) that grows as
 * they arrive; NULL with *n_read < @n when the data ends first. */
static guint8 *
read_growing (FitDataFile   *file,
              gsize          n,
              gsize         *n_read,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree guint8 *data = NULL;
  gsize cap = 0;

  *n_read = 0;
  do
    {
      gsize got, want;

      /* glibc grows large blocks with mremap(): doubling copies nothing. */
      cap = MIN (n, MAX (2 * cap, GROW_FIRST_BYTES));
      data = g_realloc (data, cap + 1);
      want = cap - *n_read;
      if (!fit_data_file_read (file, data + *n_read, want, &got, cancellable, error))
        return NULL;
      *n_read += got;
      if (got < want)
        return NULL;
    }
  while (*n_read < n);
  return g_steal_pointer (&data);
}

char *
fit_data_file_read_text (FitDataFile   *file,
                         gsize          n,
                         const char    *what,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GError *local_error = NULL;
  guint64 start = file->offset;
  gsize got;
  char *text = (char *) read_growing (file, n, &got, cancellable, &local_error);

  if (text == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        set_ends_inside (file, start, n, what, error);
      return NULL;
    }
  text[n] = '\0';
  return text;
}

/* Checks a header's shape against what the file can hold and what a tensor can be. */
static gboolean
check_promise (FitDataFile   *file,
               const gint64  *shape,
               guint          n_dims,
               gsize          elem_size,
               GError       **error)
{
  guint64 max_size = fit_data_file_get_max_size (file);
  guint64 n_bytes;

  if (!g_uint64_checked_mul (&n_bytes, (guint64) fit_shape_numel (shape, n_dims), elem_size) ||
      n_bytes > max_size - MIN (max_size, file->offset))
    {
      g_autofree char *s = fit_shape_to_string (shape, n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the header promises an array of shape %s from byte %" PRIu64
                     ", more than the file can hold (%" PRIu64 " bytes%s)"),
                   file->name, s, file->offset, max_size,
                   file->gzip ? _(" once uncompressed") : "");
      return FALSE;
    }
  /* An empty shape passes the test above whatever its other sizes. */
  return fit_shape_check (file->name, shape, n_dims, error);
}

static gboolean
convert_or_fail (FitDataFile         *file,
                 const guint8        *src,
                 gsize                n,
                 gpointer             dst,
                 guint64              first,
                 FitDType             dtype,
                 FitDataConvertFunc   convert,
                 gconstpointer        user_data,
                 GError             **error)
{
  double bad = 0;
  gsize n_done = convert (src, n, dst, &bad, user_data);
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (n_done == n)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("%s: element %" PRIu64 " of the data is %s, which is not a value of %s; "
                 "read the file as a floating-point type, or replace the value"),
               file->name, first + n_done, g_ascii_dtostr (buffer, sizeof buffer, bad),
               fit_dtype_get_name (dtype));
  return FALSE;
}

FitTensor *
fit_data_file_read_tensor (FitDataFile         *file,
                           FitDType             dtype,
                           const gint64        *shape,
                           guint                n_dims,
                           gsize                elem_size,
                           FitDataConvertFunc   convert,
                           gconstpointer        user_data,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_autoptr(FitTensor) out = NULL;
  g_autofree guint8 *chunk = NULL;
  GError *local_error = NULL;
  gsize out_size = fit_dtype_get_size (dtype);
  gsize chunk_elements = CHUNK_BYTES / elem_size;
  guint64 start = file->offset, numel, done = 0;
  gsize got = 0;

  g_return_val_if_fail (convert != NULL || elem_size == out_size, NULL);

  if (!check_promise (file, shape, n_dims, elem_size, error))
    return NULL;
  numel = fit_shape_numel (shape, n_dims);

  if (!file->size_known || file->gzip)
    {
      /* Nothing vouches for the header until the data is there: the data is staged in a
       * buffer that grows as it arrives, and the tensor allocated once it is complete. */
      chunk = read_growing (file, numel * elem_size, &got, cancellable, &local_error);
      if (chunk == NULL)
        goto short_data;
      out = fit_tensor_new_empty (dtype, shape, n_dims);
      if (convert == NULL)
        memcpy (fit_tensor_get_data_mutable (out), chunk, numel * elem_size);
      else if (!convert_or_fail (file, chunk, numel, fit_tensor_get_data_mutable (out), 0, dtype,
                                 convert, user_data, error))
        return NULL;
      return g_steal_pointer (&out);
    }

  /* A plain file holds what its size says: the tensor is allocated at once, and the data
   * read into it, converted a chunk at a time. */
  out = fit_tensor_new_empty (dtype, shape, n_dims);
  if (convert != NULL)
    chunk = g_malloc (MIN (numel, chunk_elements) * elem_size + 1);
  while (done < numel)
    {
      gsize n = (gsize) MIN (numel - done, chunk_elements);
      guint8 *dst = (guint8 *) fit_tensor_get_data_mutable (out) + done * out_size;

      if (!fit_data_file_read (file, convert ? chunk : dst, n * elem_size, &got, cancellable,
                               &local_error) ||
          got < n * elem_size)
        goto short_data;
      if (convert != NULL &&
          !convert_or_fail (file, chunk, n, dst, done, dtype, convert, user_data, error))
        return NULL;
      done += n;
    }
  return g_steal_pointer (&out);

short_data:
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("%s: the header promises %" PRIu64 " bytes of data from byte %" PRIu64
                   ", but the data ends at byte %" PRIu64),
                 file->name, numel * elem_size, start, file->offset);
  return NULL;
}

char *
fit_data_quote (const char *text,
                gsize       len)
{
  GString *s = g_string_sized_new (MIN (len, QUOTE_MAX_CHARS) + 8);
  const char *p = text, *end = text + len;

  for (guint n = 0; p < end; n++)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;

      if (n == QUOTE_MAX_CHARS)
        {
          g_string_append (s, "…");
          break;
        }
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8 (or a NUL byte): the byte in hex. */
          g_string_append_printf (s, "\\x%02x", (guchar) *p++);
          continue;
        }
      next = g_utf8_next_char (p);
      if (c == '\\')
        g_string_append (s, "\\\\");
      else if (c == '\n')
        g_string_append (s, "\\n");
      else if (c == '\r')
        g_string_append (s, "\\r");
      else if (c == '\t')
        g_string_append (s, "\\t");
      else if (!g_unichar_isprint (c))
        g_string_append_printf (s, c < 0x100 ? "\\x%02x" : "\\u%04x", c);
      else
        g_string_append_len (s, p, next - p);
      p = next;
    }
  return g_string_free (s, FALSE);
}

gboolean
fit_data_file_expect_end (FitDataFile   *file,
                          const char    *what,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint8 buf[4096];
  guint64 end = file->offset;
  guint64 extra = 0;
  gsize n;

  do
    {
      if (!fit_data_file_read (file, buf, sizeof buf, &n, cancellable, error))
        return FALSE;
      extra += n;
    }
  while (n == sizeof buf);

  if (extra > 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: %" PRIu64 " bytes follow the end of the %s at byte %"
                     PRIu64 "; the header does not describe this file"),
                   file->name, extra, what, end);
      return FALSE;
    }
  return TRUE;
}

GBytes *
fit_data_file_read_all (FitDataFile   *file,
                        GCancellable  *cancellable,
                        GError       **error)
{
  /* Not a GByteArray: its 32-bit length wraps past 4 GiB, and the text can be longer. */
  g_autofree guint8 *data = NULL;
  g_autoptr(GBytes) whole = NULL;
  gsize chunk = file->size_known && !file->gzip ? (gsize) MIN (file->file_size + 1, G_MAXSIZE / 4)
                                                : READ_BUFFER_SIZE;
  gsize len = 0, n;

  chunk = MAX (chunk, 4096);
  for (;;)
    {
      data = g_realloc (data, len + chunk + 1);
      if (!fit_data_file_read (file, data + len, chunk, &n, cancellable, error))
        return NULL;
      len += n;
      if (n < chunk)
        break;
      chunk = MAX (chunk, len / 2);   /* grow geometrically */
    }

  data = g_realloc (data, len + 1);
  data[len] = '\0';
  whole = g_bytes_new_take (g_steal_pointer (&data), len + 1);
  return g_bytes_new_from_bytes (whole, 0, len);
}
