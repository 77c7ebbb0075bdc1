/* fit-cuda-none.c: the CUDA backend's entry points in a build without CUDA
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * FitDevice never hands out a CUDA device in such a build (the device count is 0),
 * so no tensor can reach the allocation functions; the copies still answer honestly.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-error.h"
#include "fit-glib/backends/fit-backend-private.h"

gboolean
fit_cuda_is_built (void)
{
  return FALSE;
}

guint
fit_cuda_device_count (void)
{
  return 0;
}

gpointer
fit_cuda_alloc (guint    device,
                gsize    n_bytes,
                gboolean zero)
{
  g_return_val_if_reached (NULL);
}

void
fit_cuda_free (guint    device,
               gpointer mem)
{
  g_return_if_reached ();
}

static gboolean
not_built (GError **error)
{
  g_set_error_literal (error, FIT_ERROR, FIT_ERROR_DEVICE,
                       _("fit-glib was built without CUDA; rebuild with -Dcuda=enabled "
                         "on a machine with the CUDA Toolkit"));
  return FALSE;
}

gboolean
fit_cuda_copy_to_host (guint         device,
                       gpointer      host,
                       gconstpointer device_mem,
                       gsize         n_bytes,
                       GError      **error)
{
  return not_built (error);
}

gboolean
fit_cuda_copy_to_device (guint         device,
                         gpointer      device_mem,
                         gconstpointer host,
                         gsize         n_bytes,
                         GError      **error)
{
  return not_built (error);
}
