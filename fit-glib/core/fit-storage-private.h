/* fit-storage-private.h: the memory behind tensors, on any device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A storage is a reference-counted buffer on one device. Views share it at an offset;
 * a GBytes can back it without a copy. Its memory comes from the device's backend
 * table (backends/fit-backend-private.h), so the core never calls an allocator itself.
 */

#pragma once

#include <glib.h>

#include "fit-glib/core/fit-types.h"

G_BEGIN_DECLS

typedef struct _FitStorage FitStorage;

struct _FitStorage
{
  gatomicrefcount  ref_count;
  FitDeviceType    device_type;
  guint            device_index;
  gpointer         data;
  gsize            n_bytes;
  GBytes          *bytes;      /* set when the storage wraps a GBytes without copying */
};

/* Returns NULL when the device is out of memory (the CPU aborts instead, as g_malloc()
 * does). */
FitStorage *fit_storage_new        (FitDeviceType  device_type,
                                    guint          device_index,
                                    gsize          n_bytes,
                                    gboolean       zero);
FitStorage *fit_storage_new_bytes  (GBytes        *bytes);
FitStorage *fit_storage_ref        (FitStorage    *storage);
void        fit_storage_unref      (FitStorage    *storage);

G_END_DECLS
