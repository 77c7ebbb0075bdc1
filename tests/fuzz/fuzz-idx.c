/* fuzz-idx.c: IDX files, plain or gzip-compressed, as tensors and as datasets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first byte chooses how the rest is read: bit 0 compresses it with gzip first;
 * bits 1-3 choose fit_idx_read() into float32, float64, int32 or int64 (0-3), or
 * fit_idx_dataset_new() with the file as the images and no labels (4), the file as both
 * images and labels (5), or the rest cut in two, images then labels, where the second
 * byte says where (6, 7). Everything else is the file.
 */

#include "fuzz-common.h"

static const FitDType dtypes[] = {
  FIT_DTYPE_FLOAT32, FIT_DTYPE_FLOAT64, FIT_DTYPE_INT32, FIT_DTYPE_INT64,
};

/* A dataset that a program would go on to use: every tensor read, the first items and
 * a batch of them fetched. */
static void
touch_dataset (FitTensorDataset *ds)
{
  FitDataset *dataset = FIT_DATASET (ds);
  guint64 n = fit_dataset_get_n_items (dataset);
  gint64 indices[8];
  guint n_batch = (guint) MIN (n, G_N_ELEMENTS (indices));

  fuzz_touch_tensor (fit_tensor_dataset_get_inputs (ds));
  if (fit_tensor_dataset_get_labels (ds) != NULL)
    fuzz_touch_tensor (fit_tensor_dataset_get_labels (ds));
  for (guint i = 0; i < n_batch; i++)
    {
      g_autoptr(FitTensor) x = NULL;
      g_autoptr(FitTensor) y = NULL;
      g_autoptr(GError) error = NULL;

      indices[i] = n_batch - 1 - i;
      if (!fit_dataset_get_item (dataset, i, &x, &y, &error))
        abort ();
      fuzz_touch_tensor (x);
    }
  if (n_batch > 0)
    {
      g_autoptr(FitTensor) x = NULL;
      g_autoptr(FitTensor) y = NULL;
      g_autoptr(GError) error = NULL;

      if (!fit_dataset_get_batch (dataset, indices, n_batch, &x, &y, &error))
        abort ();
      fuzz_touch_tensor (x);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  char images[64], labels[64];
  guint8 flags;
  guint mode;
  int fd, fd2 = -1;

  fuzz_init ();
  if (size == 0)
    return 0;
  flags = data[0];
  mode = (flags >> 1) & 7;
  data++;
  size--;

  if (mode < G_N_ELEMENTS (dtypes))
    {
      g_autoptr(FitTensor) t = NULL;

      fd = fuzz_file (data, size, flags & 1, images, sizeof images);
      t = fit_idx_read (images, dtypes[mode], NULL, &error);
      close (fd);
      if (t == NULL)
        fuzz_check_error (error);
      else if (fit_tensor_get_dtype (t) != dtypes[mode])
        abort ();
      else
        fuzz_touch_tensor (t);
      return 0;
    }

  if (mode < 6)
    {
      fd = fuzz_file (data, size, flags & 1, images, sizeof images);
      if (mode == 5)
        g_strlcpy (labels, images, sizeof labels);
    }
  else
    {
      gsize cut = size > 0 ? (gsize) data[0] * (size - 1) / 255 + 1 : 0;

      fd = fuzz_file (data + MIN (size, 1), cut - MIN (cut, 1), flags & 1, images,
                      sizeof images);
      fd2 = fuzz_file (data + cut, size - cut, mode == 7, labels, sizeof labels);
    }
  {
    g_autoptr(FitTensorDataset) ds =
      fit_idx_dataset_new (images, mode == 4 ? NULL : labels, 1.0 / 255, NULL, &error);

    close (fd);
    if (fd2 >= 0)
      close (fd2);
    if (ds == NULL)
      fuzz_check_error (error);
    else
      touch_dataset (ds);
  }
  return 0;
}
