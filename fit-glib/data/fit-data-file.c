/* fit-data-file.c: sequential reading of data files, gunzipped on the fly
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The readers learn sizes from headers they cannot trust. They check each promised size
 * against what the file can hold (fit_data_file_get_max_size) before allocating, and
 * report a short read with the number of bytes that were there. A gzip file is
 * recognised by its magic number, not its name, and read to its end so that zlib checks
 * the trailer's CRC and length.
 */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "fit-glib/data/fit-data-private.h"

/* deflate cannot expand data by more than about 1032:1. */
#define GZIP_MAX_RATIO 1032
#define READ_BUFFER_SIZE (256 * 1024)

struct _FitDataFile
{
  char          *name;
  GInputStream  *raw;
  GInputStream  *stream;
  guint64        file_size;
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
  file->name = g_strdup (path);
  gfile = g_file_new_for_path (path);
  in = g_file_read (gfile, cancellable, &local_error);
  if (in != NULL)
    info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
                                           &local_error);
  if (info == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_IO, _("Could not read %s: %s"), path,
                   local_error->message);
      return NULL;
    }
  file->file_size = g_file_info_get_size (info);

  file->raw = g_buffered_input_stream_new_sized (G_INPUT_STREAM (in), READ_BUFFER_SIZE);
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (file->raw), 2, cancellable,
                                    &local_error) < 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_IO, _("Could not read %s: %s"), path,
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
  if (!file->gzip)
    return file->file_size;
  if (file->file_size > G_MAXUINT64 / GZIP_MAX_RATIO)
    return G_MAXUINT64;
  return file->file_size * GZIP_MAX_RATIO;
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
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) whole = NULL;
  gsize chunk = file->gzip ? READ_BUFFER_SIZE : (gsize) MIN (file->file_size + 1, G_MAXSIZE / 2);
  gsize n, size;

  chunk = MAX (chunk, 4096);
  for (;;)
    {
      gsize len = data->len;

      g_byte_array_set_size (data, len + chunk);
      if (!fit_data_file_read (file, data->data + len, chunk, &n, cancellable, error))
        return NULL;
      g_byte_array_set_size (data, len + n);
      if (n < chunk)
        break;
      chunk = MAX (chunk, data->len / 2);   /* grow geometrically */
    }

  size = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  whole = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return g_bytes_new_from_bytes (whole, 0, size);
}
