/* fit-dispatch.c: from a tensor to its device's backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every front door finds the backend entry it needs here, so that an operation a device
 * does not have is reported in one place, with one message.
 */

#include "config.h"

#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/core/fit-tensor-private.h"

static void
set_not_available (const char       *op,
                   const FitBackend *backend,
                   FitTensor        *t,
                   GError          **error)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
               _("%s is not available on %s:%u yet; move the tensor to the CPU with "
                 "fit_tensor_to_device()"),
               op, backend != NULL ? backend->name : "cuda", t->storage->device_index);
}

const FitBackend *
fit_backend_lookup (FitTensor   *t,
                    gsize        entry,
                    const char  *op,
                    GError     **error)
{
  const FitBackend *backend = fit_backend_get (t->storage->device_type);

  if (G_LIKELY (backend != NULL && G_STRUCT_MEMBER (gpointer, backend, entry) != NULL))
    return backend;
  set_not_available (op, backend, t, error);
  return NULL;
}

const FitBackend *
fit_backend_require (FitTensor  *t,
                     gsize       entry,
                     const char *op)
{
  g_autoptr(GError) error = NULL;
  const FitBackend *backend = fit_backend_lookup (t, entry, op, &error);

  if (backend == NULL)
    g_critical ("%s", error->message);
  return backend;
}

/* For what only the host can do (printing, comparing): the same message. */
gboolean
fit_check_cpu (const char  *op,
               FitTensor   *t,
               GError     **error)
{
  if (t->storage->device_type == FIT_DEVICE_TYPE_CPU)
    return TRUE;
  set_not_available (op, fit_backend_get (t->storage->device_type), t, error);
  return FALSE;
}

FitDeviceType
fit_tensor_get_device_type (FitTensor *t)
{
  return t->storage->device_type;
}

guint
fit_tensor_get_device_index (FitTensor *t)
{
  return t->storage->device_index;
}
