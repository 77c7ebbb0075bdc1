/* fit-backend-private.h: the boundary between the core and the device backends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing here is public: no backend type appears in an installed header or the GIR.
 * The core asks a backend for memory and copies; kernels for a device live beside it.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* cpu/fit-cpu-alloc.c */
gpointer  fit_cpu_alloc          (gsize     n_bytes,
                                  gboolean  zero);
void      fit_cpu_free           (gpointer  mem,
                                  gsize     n_bytes);
void      fit_cpu_pool_stats     (guint64  *hits,
                                  guint64  *misses,
                                  gsize    *cached_bytes);
void      fit_cpu_pool_trim      (void);

/* cuda/fit-cuda.c (or cuda/fit-cuda-none.c when built without CUDA); fit_cuda_alloc()
 * returns NULL when the device is out of memory. */
gboolean  fit_cuda_is_built      (void);
guint     fit_cuda_device_count  (void);
gpointer  fit_cuda_alloc         (guint     device,
                                  gsize     n_bytes,
                                  gboolean  zero);
void      fit_cuda_free          (guint     device,
                                  gpointer  mem);
gboolean  fit_cuda_copy_to_host  (guint     device,
                                  gpointer  host,
                                  gconstpointer device_mem,
                                  gsize     n_bytes,
                                  GError  **error);
gboolean  fit_cuda_copy_to_device (guint    device,
                                  gpointer  device_mem,
                                  gconstpointer host,
                                  gsize     n_bytes,
                                  GError  **error);

G_END_DECLS
