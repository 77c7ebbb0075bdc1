/* fuzz-common.h: what every fuzz harness shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each harness defines LLVMFuzzerTestOneInput(). Built with -Dfuzzing=true (clang) it is
 * a libFuzzer target; otherwise fuzz-main.c turns it into a program that runs it on the
 * files of its corpus, so that every seed and every input that once failed is a
 * regression test in the ordinary build and in the sanitizer build.
 */

#pragma once

#ifndef _GNU_SOURCE
# define _GNU_SOURCE  /* memfd_create() */
#endif

#include <fit-glib/fit-glib.h>

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A warning or critical from the library is a bug the input found: make it fatal so
 * the fuzzer reports it. Other output is silenced: the harnesses run millions of times. */
static inline void
fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (g_log_writer_default, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  g_setenv ("OMP_NUM_THREADS", "1", TRUE);
}

/* The readers that take a path read the input from an anonymous file; its path is
 * /proc/self/fd/N. Returns -1 if the file cannot be made (never for lack of input). */
static inline int
fuzz_memfd (const uint8_t *data,
            size_t         size,
            char          *path,
            size_t         path_size)
{
  int fd = memfd_create ("fuzz-input", MFD_CLOEXEC);
  size_t done = 0;

  if (fd < 0)
    abort ();
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);

      if (n <= 0)
        abort ();
      done += (size_t) n;
    }
  g_snprintf (path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

/* An error must say something, in valid UTF-8: bindings convert the message. */
static inline void
fuzz_check_error (const GError *error)
{
  if (error == NULL || error->message == NULL || error->message[0] == '\0' ||
      !g_utf8_validate (error->message, -1, NULL))
    abort ();
}

/* @data compressed with gzip, so that a harness reaches a reader's gunzipping path with
 * inputs the fuzzer mutates as plain bytes. */
static inline GBytes *
fuzz_gzip (const uint8_t *data,
           size_t         size)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (z));
  gsize written;

  if (!g_output_stream_write_all (out, data, size, &written, NULL, NULL) ||
      !g_output_stream_close (out, NULL, NULL))
    abort ();
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

/* The input as a file: gzip-compressed first when @gzip is set. */
static inline int
fuzz_file (const uint8_t *data,
           size_t         size,
           gboolean       gzip,
           char          *path,
           size_t         path_size)
{
  g_autoptr(GBytes) z = NULL;
  gsize z_size;
  const uint8_t *z_data;

  if (!gzip)
    return fuzz_memfd (data, size, path, path_size);
  z = fuzz_gzip (data, size);
  z_data = g_bytes_get_data (z, &z_size);
  return fuzz_memfd (z_data, z_size, path, path_size);
}

/* Reads every byte of a tensor that a reader returned, so that AddressSanitizer catches
 * a tensor larger than its memory, and checks that its size is its shape's. */
static inline void
fuzz_touch_tensor (FitTensor *t)
{
  const guint8 *bytes = fit_tensor_get_data (t);
  gsize n = fit_tensor_get_n_bytes (t);
  guint n_dims;
  const gint64 *shape = fit_tensor_get_shape (t, &n_dims);
  guint64 numel = 1;
  volatile guint8 sink = 0;

  for (guint i = 0; i < n_dims; i++)
    {
      if (shape[i] < 0)
        abort ();
      numel *= (guint64) shape[i];
    }
  if (numel != (guint64) fit_tensor_get_numel (t) ||
      n != numel * fit_dtype_get_size (fit_tensor_get_dtype (t)))
    abort ();
  for (gsize j = 0; j < n; j++)
    sink ^= bytes[j];
  (void) sink;
}
