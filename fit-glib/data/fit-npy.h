/* fit-npy.h: NumPy .npy files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

FIT_AVAILABLE_IN_1_0
FitTensor  *fit_npy_load     (const char     *path,
                              GCancellable   *cancellable,
                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor  *fit_npy_load_as  (const char     *path,
                              FitDType        dtype,
                              GCancellable   *cancellable,
                              GError        **error);

G_END_DECLS
