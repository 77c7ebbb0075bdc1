/* fit-runtime.c: the library's process-wide settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages are translated from the moment the library is loaded. The thread policy for
 * OpenMP and OpenBLAS is the CPU backend's (backends/cpu/fit-cpu-runtime.c); the
 * functions here are its public face.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fit-runtime.h"
#include "fit-glib/backends/fit-backend-private.h"

/* Runs once when the library is loaded, so that messages are translated before the
 * first one is made. */
__attribute__((constructor)) static void
fit_runtime_constructor (void)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

/**
 * fit_get_num_threads:
 *
 * Returns the number of threads that fit-glib's kernels and BLAS use.
 *
 * Returns: the thread count
 *
 * Since: 1.0
 */
guint
fit_get_num_threads (void)
{
  return fit_backend_get (FIT_DEVICE_TYPE_CPU)->get_num_threads ();
}

/**
 * fit_set_num_threads:
 * @n_threads: the number of threads, at least 1 (0 means the number of processors)
 *
 * Sets the number of threads for fit-glib's own kernels and for OpenBLAS together,
 * so that the two never compete for the same cores. Call it before training, not
 * from several threads at once.
 *
 * Since: 1.0
 */
void
fit_set_num_threads (guint n)
{
  fit_backend_get (FIT_DEVICE_TYPE_CPU)->set_num_threads (n);
}

/**
 * fit_get_blas_info:
 *
 * Describes the BLAS that fit-glib runs on: its kernel core, its threading and the
 * thread count, as in "OpenBLAS Haswell (OpenMP) x2".
 *
 * Returns: (transfer full): a description for logs and benchmark reports
 *
 * Since: 1.0
 */
char *
fit_get_blas_info (void)
{
  return fit_backend_get (FIT_DEVICE_TYPE_CPU)->describe ();
}
