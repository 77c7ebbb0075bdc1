/* fit-core-private.h: what the layers above core may use that is not public
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * nn/, optim/, metrics/, data/, io/ and train/ work on tensors through the public API
 * and this header only: they never see a tensor's fields (core/fit-tensor-private.h,
 * for core/ and backends/ alone) and never call a kernel. What is here is private
 * because it is not a promise to users, not because it is dangerous.
 */

#pragma once

#include "fit-glib/core/fit-core.h"

G_BEGIN_DECLS

/* Where a tensor's memory is: the one device check of the layers above core. */
FitDeviceType  fit_tensor_get_device_type   (FitTensor  *t);
guint          fit_tensor_get_device_index  (FitTensor  *t);

G_END_DECLS
