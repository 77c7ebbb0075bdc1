/* fuzz-npy.c: .npy files, plain or gzip-compressed, read into each element type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first byte chooses how the rest is read: bit 0 compresses it with gzip first;
 * bits 1-3 choose fit_npy_load() (0) or fit_npy_load_as() into float32, float64, int32
 * or int64 (1-4). Everything else is the file.
 */

#include "fuzz-common.h"

static const FitDType dtypes[] = {
  FIT_DTYPE_FLOAT32, FIT_DTYPE_FLOAT64, FIT_DTYPE_INT32, FIT_DTYPE_INT64,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = NULL;
  char path[64];
  guint8 flags;
  guint target;
  int fd;

  fuzz_init ();
  if (size == 0)
    return 0;
  flags = data[0];
  target = (flags >> 1) % (G_N_ELEMENTS (dtypes) + 1);
  fd = fuzz_file (data + 1, size - 1, flags & 1, path, sizeof path);
  if (target == 0)
    t = fit_npy_load (path, NULL, &error);
  else
    t = fit_npy_load_as (path, dtypes[target - 1], NULL, &error);
  close (fd);

  if (t == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  if (target > 0 && fit_tensor_get_dtype (t) != dtypes[target - 1])
    abort ();
  fuzz_touch_tensor (t);
  return 0;
}
