/* fit-cuda.c: device memory and copies through the CUDA runtime API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only the runtime API is used: -lcuda links against a stub on machines without a
 * driver and fails at run time. With no device, cudaGetDeviceCount() returns an error
 * and the device count is 0, so FitDevice refuses "cuda" with a GError.
 */

#include "config.h"

#include <cuda_runtime.h>
#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-error.h"
#include "fit-glib/backends/fit-backend-private.h"

gboolean
fit_cuda_is_built (void)
{
  return TRUE;
}

guint
fit_cuda_device_count (void)
{
  int count = 0;

  if (cudaGetDeviceCount (&count) != cudaSuccess)
    {
      cudaGetLastError ();
      return 0;
    }
  return (guint) MAX (count, 0);
}

gpointer
fit_cuda_alloc (guint    device,
                gsize    n_bytes,
                gboolean zero)
{
  void *mem = NULL;

  cudaSetDevice ((int) device);
  if (cudaMalloc (&mem, MAX (n_bytes, 1)) != cudaSuccess)
    {
      /* GPU memory is small enough to run out of in normal use: the caller reports it. */
      cudaGetLastError ();
      return NULL;
    }
  if (zero)
    cudaMemset (mem, 0, n_bytes);
  return mem;
}

void
fit_cuda_free (guint    device,
               gpointer mem)
{
  cudaSetDevice ((int) device);
  cudaFree (mem);
}

static gboolean
check (cudaError_t  status,
       const char  *what,
       guint        device,
       GError     **error)
{
  if (status == cudaSuccess)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
               _("%s on cuda:%u failed: %s"), what, device, cudaGetErrorString (status));
  return FALSE;
}

gboolean
fit_cuda_copy_to_host (guint         device,
                       gpointer      host,
                       gconstpointer device_mem,
                       gsize         n_bytes,
                       GError      **error)
{
  cudaSetDevice ((int) device);
  return check (cudaMemcpy (host, device_mem, n_bytes, cudaMemcpyDeviceToHost),
                "cudaMemcpy (device to host)", device, error);
}

gboolean
fit_cuda_copy_to_device (guint         device,
                         gpointer      device_mem,
                         gconstpointer host,
                         gsize         n_bytes,
                         GError      **error)
{
  cudaSetDevice ((int) device);
  return check (cudaMemcpy (device_mem, host, n_bytes, cudaMemcpyHostToDevice),
                "cudaMemcpy (host to device)", device, error);
}
