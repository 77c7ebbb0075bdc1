/* fit-idx.h: the IDX format of MNIST and Fashion-MNIST
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/data/fit-tensor-dataset.h"

G_BEGIN_DECLS

FIT_AVAILABLE_IN_1_0
FitTensor         *fit_idx_read          (const char     *path,
                                          FitDType        dtype,
                                          GCancellable   *cancellable,
                                          GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensorDataset  *fit_idx_dataset_new   (const char     *images_path,
                                          const char     *labels_path,
                                          double          scale,
                                          GCancellable   *cancellable,
                                          GError        **error);

G_END_DECLS
