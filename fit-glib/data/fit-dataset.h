/* fit-dataset.h: the interface of everything a data loader can draw items from
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

#define FIT_TYPE_DATASET (fit_dataset_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_INTERFACE (FitDataset, fit_dataset, FIT, DATASET, GObject)

/**
 * FitDatasetInterface:
 * @g_iface: the parent interface
 * @get_n_items: returns the number of items
 * @get_item: returns item @index as an input tensor and a label tensor
 * @get_batch: optional fast path: returns the items at @indices stacked along a new first
 *   dimension; the default calls @get_item for each index and copies the rows
 *
 * The virtual functions of [iface@Fit.Dataset].
 *
 * Since: 1.0
 */
struct _FitDatasetInterface
{
  GTypeInterface g_iface;

  guint64   (*get_n_items) (FitDataset    *self);
  gboolean  (*get_item)    (FitDataset    *self,
                            guint64        index,
                            FitTensor    **input,
                            FitTensor    **label,
                            GError       **error);
  gboolean  (*get_batch)   (FitDataset    *self,
                            const gint64  *indices,
                            guint          n_indices,
                            FitTensor    **inputs,
                            FitTensor    **labels,
                            GError       **error);

  /*< private >*/
  gpointer padding[8];
};

FIT_AVAILABLE_IN_1_0
guint64   fit_dataset_get_n_items  (FitDataset    *self);
FIT_AVAILABLE_IN_1_0
gboolean  fit_dataset_get_item     (FitDataset    *self,
                                    guint64        index,
                                    FitTensor    **input,
                                    FitTensor    **label,
                                    GError       **error);
FIT_AVAILABLE_IN_1_0
gboolean  fit_dataset_get_batch    (FitDataset    *self,
                                    const gint64  *indices,
                                    guint          n_indices,
                                    FitTensor    **inputs,
                                    FitTensor    **labels,
                                    GError       **error);

G_END_DECLS
