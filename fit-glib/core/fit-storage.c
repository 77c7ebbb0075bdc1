/* fit-storage.c: the memory behind tensors, on any device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-glib/core/fit-storage-private.h"
#include "fit-glib/backends/fit-backend-private.h"

FitStorage *
fit_storage_new (FitDeviceType device_type,
                 guint         device_index,
                 gsize         n_bytes,
                 gboolean      zero)
{
  const FitBackend *backend = fit_backend_get (device_type);
  FitStorage *storage;
  gpointer data;

  g_return_val_if_fail (backend != NULL, NULL);

  data = backend->alloc (device_index, n_bytes, zero);
  if (data == NULL)
    return NULL;
  storage = g_new0 (FitStorage, 1);
  g_atomic_ref_count_init (&storage->ref_count);
  storage->device_type = device_type;
  storage->device_index = device_index;
  storage->n_bytes = n_bytes;
  storage->data = data;
  return storage;
}

FitStorage *
fit_storage_new_bytes (GBytes *bytes)
{
  FitStorage *storage = g_new0 (FitStorage, 1);
  gsize size = 0;

  g_atomic_ref_count_init (&storage->ref_count);
  storage->device_type = FIT_DEVICE_TYPE_CPU;
  storage->bytes = g_bytes_ref (bytes);
  storage->data = (gpointer) g_bytes_get_data (bytes, &size);
  storage->n_bytes = size;
  return storage;
}

FitStorage *
fit_storage_ref (FitStorage *storage)
{
  g_atomic_ref_count_inc (&storage->ref_count);
  return storage;
}

void
fit_storage_unref (FitStorage *storage)
{
  if (!g_atomic_ref_count_dec (&storage->ref_count))
    return;

  if (storage->bytes != NULL)
    g_bytes_unref (storage->bytes);
  else
    fit_backend_get (storage->device_type)->free (storage->device_index, storage->data,
                                                   storage->n_bytes);
  g_free (storage);
}
