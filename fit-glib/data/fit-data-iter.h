/* fit-data-iter.h: one pass of a data loader over its dataset
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

#define FIT_TYPE_DATA_ITER (fit_data_iter_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitDataIter, fit_data_iter, FIT, DATA_ITER, GObject)

FIT_AVAILABLE_IN_1_0
gboolean  fit_data_iter_next           (FitDataIter    *self,
                                        FitTensor     **inputs,
                                        FitTensor     **labels,
                                        GCancellable   *cancellable,
                                        GError        **error);
FIT_AVAILABLE_IN_1_0
void      fit_data_iter_stop           (FitDataIter    *self);
FIT_AVAILABLE_IN_1_0
guint     fit_data_iter_get_epoch      (FitDataIter    *self);
FIT_AVAILABLE_IN_1_0
guint64   fit_data_iter_get_position   (FitDataIter    *self);
FIT_AVAILABLE_IN_1_0
guint64   fit_data_iter_get_n_batches  (FitDataIter    *self);

G_END_DECLS
