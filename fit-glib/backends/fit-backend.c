/* fit-backend.c: which table serves which device type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-glib/backends/fit-backend-private.h"
#include "fit-glib/backends/cpu/fit-cpu-private.h"
#if HAVE_CUDA
# include "fit-glib/backends/cuda/fit-cuda-private.h"
#endif

const FitBackend *
fit_backend_get (FitDeviceType type)
{
  switch (type)
    {
    case FIT_DEVICE_TYPE_CPU:
      return &fit_cpu_backend;
    case FIT_DEVICE_TYPE_CUDA:
#if HAVE_CUDA
      return &fit_cuda_backend;
#else
      return NULL;
#endif
    default:
      return NULL;
    }
}
