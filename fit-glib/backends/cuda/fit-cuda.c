/* fit-cuda.c: device memory and copies through the CUDA runtime API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only the runtime API is used: -lcuda links against a stub on machines without a
 * driver and fails at run time. With no device, cudaGetDeviceCount() returns an error
 * and the device count is 0, so FitDevice refuses "cuda" with a GError. The table
 * fills memory and copies; every kernel entry is still empty, so operations on a
 * CUDA tensor answer with the one "not available" error (core/fit-dispatch.c).
 */

#include "config.h"

#include <cuda_runtime.h>
#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-error.h"
#include "fit-glib/backends/cuda/fit-cuda-private.h"

static guint
cuda_device_count (void)
{
  int count = 0;

  if (cudaGetDeviceCount (&count) != cudaSuccess)
    {
      cudaGetLastError ();
      return 0;
    }
  return (guint) MAX (count, 0);
}

static gpointer
cuda_alloc (guint    device,
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

static void
cuda_free (guint    device,
           gpointer mem,
           gsize    n_bytes)
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

static gboolean
cuda_download (guint         device,
               gpointer      host,
               gconstpointer device_mem,
               gsize         n_bytes,
               GError      **error)
{
  cudaSetDevice ((int) device);
  return check (cudaMemcpy (host, device_mem, n_bytes, cudaMemcpyDeviceToHost),
                "cudaMemcpy (device to host)", device, error);
}

static gboolean
cuda_upload (guint         device,
             gpointer      device_mem,
             gconstpointer host,
             gsize         n_bytes,
             GError      **error)
{
  cudaSetDevice ((int) device);
  return check (cudaMemcpy (device_mem, host, n_bytes, cudaMemcpyHostToDevice),
                "cudaMemcpy (host to device)", device, error);
}

const FitBackend fit_cuda_backend = {
  .name = "cuda",

  .device_count = cuda_device_count,
  .alloc = cuda_alloc,
  .free = cuda_free,
  .upload = cuda_upload,
  .download = cuda_download,
};
