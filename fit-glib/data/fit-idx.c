/* fit-idx.c: the IDX format of MNIST and Fashion-MNIST
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An IDX file is a 4-byte magic number (0, 0, an element type code, the number of
 * dimensions), one big-endian 32-bit size per dimension, then the elements, big-endian,
 * row-major. The data is converted chunk by chunk straight into the tensor, so reading
 * never holds a second copy of the file.
 */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-idx.h"

#define CHUNK_BYTES (1024 * 1024)

typedef enum
{
  IDX_UBYTE = 0x08,
  IDX_SBYTE = 0x09,
  IDX_SHORT = 0x0b,
  IDX_INT = 0x0c,
  IDX_FLOAT = 0x0d,
  IDX_DOUBLE = 0x0e,
} IdxType;

static gsize
idx_type_size (guint code)
{
  switch (code)
    {
    case IDX_UBYTE:
    case IDX_SBYTE:
      return 1;
    case IDX_SHORT:
      return 2;
    case IDX_INT:
    case IDX_FLOAT:
      return 4;
    case IDX_DOUBLE:
      return 8;
    default:
      return 0;
    }
}

static inline double
idx_element (guint         code,
             const guint8 *p)
{
  switch (code)
    {
    case IDX_UBYTE:
      return p[0];
    case IDX_SBYTE:
      return (gint8) p[0];
    case IDX_SHORT:
      return (gint16) (((guint16) p[0] << 8) | p[1]);
    case IDX_INT:
      return (gint32) (((guint32) p[0] << 24) | ((guint32) p[1] << 16) |
                       ((guint32) p[2] << 8) | p[3]);
    case IDX_FLOAT:
      {
        guint32 u = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
        float f;

        memcpy (&f, &u, sizeof f);
        return f;
      }
    case IDX_DOUBLE:
      {
        guint64 u = 0;
        double d;

        for (int i = 0; i < 8; i++)
          u = (u << 8) | p[i];
        memcpy (&d, &u, sizeof d);
        return d;
      }
    default:
      return 0;
    }
}

/* Converts @n elements; the unsigned-byte case, all of MNIST, gets its own tight loops. */
static void
convert_chunk (guint         code,
               const guint8 *src,
               gsize         n,
               FitDType      dtype,
               gpointer      dst,
               double        scale)
{
  gsize size = idx_type_size (code);

  if (code == IDX_UBYTE && dtype == FIT_DTYPE_FLOAT32)
    {
      float *d = dst;
      float s = (float) scale;

      for (gsize i = 0; i < n; i++)
        d[i] = src[i] * s;
      return;
    }
  if (code == IDX_UBYTE && dtype == FIT_DTYPE_INT64)
    {
      gint64 *d = dst;

      for (gsize i = 0; i < n; i++)
        d[i] = src[i];
      return;
    }

  switch (dtype)
    {
    case FIT_DTYPE_FLOAT32:
      for (gsize i = 0; i < n; i++)
        ((float *) dst)[i] = (float) (idx_element (code, src + i * size) * scale);
      break;
    case FIT_DTYPE_FLOAT64:
      for (gsize i = 0; i < n; i++)
        ((double *) dst)[i] = idx_element (code, src + i * size) * scale;
      break;
    case FIT_DTYPE_INT32:
      for (gsize i = 0; i < n; i++)
        ((gint32 *) dst)[i] = (gint32) idx_element (code, src + i * size);
      break;
    case FIT_DTYPE_INT64:
      for (gsize i = 0; i < n; i++)
        ((gint64 *) dst)[i] = (gint64) idx_element (code, src + i * size);
      break;
    default:
      g_assert_not_reached ();
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
idx_read (const char    *path,
          FitDType       dtype,
          double         scale,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(FitDataFile) file = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autofree guint8 *chunk = NULL;
  guint8 magic[4];
  guint8 dims_be[4 * 255];
  gint64 shape[FIT_MAX_DIMS];
  guint n_dims, code;
  gsize elem_size, out_size;
  guint64 numel = 1, n_bytes, header_bytes, max_size, done = 0;
  guint8 *dst;

  file = fit_data_file_open (path, cancellable, error);
  if (file == NULL)
    return NULL;

  if (!read_exact (file, magic, 4, _("IDX magic number"), cancellable, error))
    return NULL;
  code = magic[2];
  n_dims = magic[3];
  elem_size = idx_type_size (code);
  if (magic[0] != 0 || magic[1] != 0 || elem_size == 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: wrong magic number 0x%02x%02x%02x%02x at byte 0; an IDX file starts "
                     "with 00 00, an element type (08, 09, 0b, 0c, 0d or 0e) and the number "
                     "of dimensions"),
                   path, magic[0], magic[1], magic[2], magic[3]);
      return NULL;
    }
  if (n_dims == 0 || n_dims > FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the magic number at byte 0 gives %u dimensions; fit-glib reads "
                     "IDX files of 1 to %d dimensions"), path, n_dims, FIT_MAX_DIMS);
      return NULL;
    }
  if (!read_exact (file, dims_be, 4 * n_dims, _("IDX dimension sizes"), cancellable, error))
    return NULL;
  for (guint i = 0; i < n_dims; i++)
    {
      shape[i] = ((guint32) dims_be[4 * i] << 24) | ((guint32) dims_be[4 * i + 1] << 16) |
                 ((guint32) dims_be[4 * i + 2] << 8) | dims_be[4 * i + 3];
      /* Each size is below 2^32, so the product of up to 8 overflows only past 2^63. */
      if (shape[i] != 0 && numel > G_MAXUINT64 / 16 / (guint64) shape[i])
        numel = G_MAXUINT64 / 16;
      else
        numel *= shape[i];
    }

  header_bytes = 4 + 4 * (guint64) n_dims;
  max_size = fit_data_file_get_max_size (file);
  n_bytes = numel * elem_size;
  if (numel >= G_MAXUINT64 / 16 || n_bytes > max_size - MIN (max_size, header_bytes))
    {
      g_autofree char *s = fit_shape_to_string (shape, n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the header promises a %s array of %" PRIu64 " bytes, more "
                     "than the file can hold (%" PRIu64 " bytes%s)"),
                   path, s, numel < G_MAXUINT64 / 16 ? n_bytes : G_MAXUINT64, max_size,
                   fit_data_file_is_gzip (file) ? _(" once uncompressed") : "");
      return NULL;
    }

  out = fit_tensor_new_empty (dtype, shape, n_dims);
  dst = fit_tensor_ptr (out);
  out_size = fit_dtype_get_size (dtype);
  chunk = g_malloc (MIN (n_bytes, CHUNK_BYTES) + 1);
  while (done < numel)
    {
      gsize n = (gsize) MIN (numel - done, CHUNK_BYTES / elem_size);
      gsize got;

      if (!fit_data_file_read (file, chunk, n * elem_size, &got, cancellable, error))
        return NULL;
      if (got < n * elem_size)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("%s: the header promises %" PRIu64 " bytes of data from byte "
                         "%" PRIu64 ", but the data ends at byte %" PRIu64),
                       path, n_bytes, header_bytes, fit_data_file_get_offset (file));
          return NULL;
        }
      convert_chunk (code, chunk, n, dtype, dst + done * out_size, scale);
      done += n;
    }

  if (!fit_data_file_expect_end (file, _("IDX data"), cancellable, error))
    return NULL;
  return g_steal_pointer (&out);
}

/**
 * fit_idx_read:
 * @path: (type filename): the IDX file, plain or gzip-compressed (recognised by its
 *   content, not its name)
 * @dtype: the element type of the tensor to return; values are converted, not scaled
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads an IDX file (the format of MNIST and Fashion-MNIST) into a tensor of the shape
 * the file declares. Unsigned bytes, signed bytes, 16- and 32-bit integers, floats and
 * doubles are read; integers become floating-point values unchanged, or truncate when
 * @dtype is an integer type.
 *
 * A malformed file gives %FIT_ERROR_PARSE with the file name and the byte offset: a
 * wrong magic number, a header that promises more data than the file holds (checked
 * before allocating), data that ends early, a truncated or corrupt gzip stream, or bytes
 * after the data. A file that cannot be opened gives %FIT_ERROR_IO.
 *
 * Returns: (transfer full): the tensor, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_idx_read (const char    *path,
              FitDType       dtype,
              GCancellable  *cancellable,
              GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return idx_read (path, dtype, 1.0, cancellable, error);
}

/**
 * fit_idx_dataset_new:
 * @images_path: (type filename): the IDX file of the images (`*-images-idx3-ubyte`,
 *   optionally `.gz`)
 * @labels_path: (type filename) (nullable): the IDX file of the labels
 *   (`*-labels-idx1-ubyte`), or %NULL for an unlabelled dataset
 * @scale: the factor applied to each pixel as it is read: `1.0 / 255` gives values in
 *   [0, 1], 1.0 keeps 0…255
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads an MNIST-style pair of IDX files into a [class@Fit.TensorDataset]. The images
 * become float32; images of shape `[N, H, W]` get a channel dimension, `[N, 1, H, W]`,
 * the layout convolutions expect. The labels become int64 of shape `[N]`. Further
 * changes (normalisation, augmentation) belong in a [class@Fit.Transform].
 *
 * Reading the 60000 training images of Fashion-MNIST takes a fraction of a second.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set as for
 *   [func@Fit.idx_read], or %FIT_ERROR_SHAPE naming both files when the labels are not
 *   one per image
 *
 * Since: 1.0
 */
FitTensorDataset *
fit_idx_dataset_new (const char    *images_path,
                     const char    *labels_path,
                     double         scale,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(FitTensor) images = NULL;
  g_autoptr(FitTensor) labels = NULL;

  g_return_val_if_fail (images_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  images = idx_read (images_path, FIT_DTYPE_FLOAT32, scale, cancellable, error);
  if (images == NULL)
    return NULL;
  if (images->n_dims == 3)
    {
      gint64 shape[4] = { images->shape[0], 1, images->shape[1], images->shape[2] };
      FitTensor *view = fit_tensor_new_view (images, 0, shape, 4);

      g_object_unref (images);
      images = view;
    }

  if (labels_path != NULL)
    {
      labels = idx_read (labels_path, FIT_DTYPE_INT64, 1.0, cancellable, error);
      if (labels == NULL)
        return NULL;
      if (labels->n_dims != 1 || labels->shape[0] != images->shape[0])
        {
          g_autofree char *si = fit_shape_to_string (images->shape, images->n_dims);
          g_autofree char *sl = fit_shape_to_string (labels->shape, labels->n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("The labels in %s (shape %s) are not one per image of %s (shape %s)"),
                       labels_path, sl, images_path, si);
          return NULL;
        }
    }

  return fit_tensor_dataset_new (images, labels, error);
}
