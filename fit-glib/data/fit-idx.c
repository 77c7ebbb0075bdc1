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

typedef struct
{
  guint     code;
  FitDType  dtype;
  double    scale;
} IdxConvert;

/* A FitDataConvertFunc; the unsigned-byte case, all of MNIST, gets its own tight loops.
 * Integer dtypes are not scaled. */
static gsize
idx_convert (const guint8  *src,
             gsize          n,
             gpointer       dst,
             double        *bad_value,
             gconstpointer  user_data)
{
  const IdxConvert *c = user_data;
  gsize size = idx_type_size (c->code);
  double scale = fit_dtype_is_floating (c->dtype) ? c->scale : 1.0;

  if (c->code == IDX_UBYTE && c->dtype == FIT_DTYPE_FLOAT32)
    {
      float *d = dst;
      float s = (float) scale;

      for (gsize i = 0; i < n; i++)
        d[i] = src[i] * s;
      return n;
    }
  if (c->code == IDX_UBYTE && c->dtype == FIT_DTYPE_INT64)
    {
      gint64 *d = dst;

      for (gsize i = 0; i < n; i++)
        d[i] = src[i];
      return n;
    }

  for (gsize i = 0; i < n; i++)
    {
      double v = idx_element (c->code, src + i * size) * scale;

      if (!fit_data_store (dst, i, c->dtype, v))
        {
          *bad_value = v;
          return i;
        }
    }
  return n;
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
  guint8 magic[4];
  guint8 dims_be[4 * FIT_MAX_DIMS];
  gint64 shape[FIT_MAX_DIMS];
  guint n_dims, code;
  gsize elem_size;
  IdxConvert convert;

  file = fit_data_file_open (path, cancellable, error);
  if (file == NULL)
    return NULL;

  if (!fit_data_file_read_exact (file, magic, 4, _("IDX magic number"), cancellable, error))
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
                   fit_data_file_get_name (file), magic[0], magic[1], magic[2], magic[3]);
      return NULL;
    }
  if (n_dims == 0 || n_dims > FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("%s: the magic number at byte 0 gives %u dimensions; fit-glib reads "
                     "IDX files of 1 to %d dimensions"),
                   fit_data_file_get_name (file), n_dims, FIT_MAX_DIMS);
      return NULL;
    }
  if (!fit_data_file_read_exact (file, dims_be, 4 * n_dims, _("IDX dimension sizes"),
                                 cancellable, error))
    return NULL;
  for (guint i = 0; i < n_dims; i++)
    shape[i] = ((guint32) dims_be[4 * i] << 24) | ((guint32) dims_be[4 * i + 1] << 16) |
               ((guint32) dims_be[4 * i + 2] << 8) | dims_be[4 * i + 3];

  convert.code = code;
  convert.dtype = dtype;
  convert.scale = scale;
  out = fit_data_file_read_tensor (file, dtype, shape, n_dims, elem_size, idx_convert, &convert,
                                   cancellable, error);
  if (out == NULL || !fit_data_file_expect_end (file, _("IDX data"), cancellable, error))
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
 * doubles are read; integers become floating-point values unchanged, and floating-point
 * values truncate towards zero when @dtype is an integer type.
 *
 * The file is untrusted input. Every error names the file (by its display name, so the
 * message is valid UTF-8 whatever the file name's encoding):
 *
 * - %FIT_ERROR_IO when the file cannot be opened or read;
 * - %FIT_ERROR_PARSE, with the byte offset, for a malformed file: a wrong magic number,
 *   a header that promises more data than the file holds (checked against the file's
 *   size, or for gzip against the most it can hold once uncompressed), data that ends
 *   early, a truncated or corrupt gzip stream, or bytes after the data;
 * - %FIT_ERROR_SHAPE when the sizes are beyond any tensor, even an empty one (say
 *   `[2^32 - 1, 2^32 - 1, 2^32 - 1, 0]`);
 * - %FIT_ERROR_INVALID_ARGUMENT, naming the first such element, when @dtype is an integer
 *   type and an element is a NaN, an infinity or out of its range.
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
fit_idx_read (const char    *path,
              FitDType       dtype,
              GCancellable  *cancellable,
              GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail ((guint) dtype <= FIT_DTYPE_INT64, NULL);
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
 * Both files are untrusted input, read as [func@Fit.idx_read] reads them, with the
 * same errors. Labels are integers, so a float or double labels file holding a NaN, an
 * infinity or a value beyond int64 gives %FIT_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set as for
 *   [func@Fit.idx_read], or %FIT_ERROR_SHAPE naming the files when the labels are not
 *   one per image, or when images of no pixels come without labels (a file of a few
 *   bytes could otherwise make a dataset of four billion items)
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
  /* The number of items is the one size that costs memory downstream (a loader's order
   * of visit) even when the items are empty; labels vouch for it with their data. */
  if (labels_path == NULL && fit_tensor_get_numel (images) == 0 &&
      fit_tensor_get_dim (images, 0) > 0)
    {
      g_autofree char *name = g_filename_display_name (images_path);
      g_autofree char *s = fit_tensor_get_shape_string (images);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the images (shape %s) hold no pixels; give their labels, or a "
                     "file of images"), name, s);
      return NULL;
    }
  if (fit_tensor_get_n_dims (images) == 3)
    {
      const gint64 *hw = fit_tensor_get_shape (images, NULL);
      gint64 shape[4] = { hw[0], 1, hw[1], hw[2] };
      FitTensor *view = fit_tensor_new_view (images, 0, shape, 4);

      g_object_unref (images);
      images = view;
    }

  if (labels_path != NULL)
    {
      labels = idx_read (labels_path, FIT_DTYPE_INT64, 1.0, cancellable, error);
      if (labels == NULL)
        return NULL;
      if (fit_tensor_get_n_dims (labels) != 1 ||
          fit_tensor_get_dim (labels, 0) != fit_tensor_get_dim (images, 0))
        {
          g_autofree char *si = fit_tensor_get_shape_string (images);
          g_autofree char *sl = fit_tensor_get_shape_string (labels);
          g_autofree char *li = g_filename_display_name (images_path);
          g_autofree char *ll = g_filename_display_name (labels_path);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("The labels in %s (shape %s) are not one per image of %s (shape %s)"),
                       ll, sl, li, si);
          return NULL;
        }
    }

  return fit_tensor_dataset_new (images, labels, error);
}
