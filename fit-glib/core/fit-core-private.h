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

/* ---- operations nn/ builds on: normalization (fit-tensor-norm.c) ---- */

/* ---- operations nn/ builds on: losses (fit-tensor-loss.c) ---- */

/* ---- operations nn/ builds on: recurrent cells (fit-tensor-rnn.c) ---- */

/* ---- operations nn/ builds on: pooling (fit-tensor-pool.c) ---- */

/* ---- operations optim/ builds on: updates and clipping (fit-tensor-optim.c) ---- */

G_END_DECLS
