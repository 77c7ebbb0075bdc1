/* fit-subset.h: a view of some items of another dataset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/data/fit-dataset.h"

G_BEGIN_DECLS

#define FIT_TYPE_SUBSET (fit_subset_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitSubset, fit_subset, FIT, SUBSET, GObject)

FIT_AVAILABLE_IN_1_0
FitSubset     *fit_subset_new                     (FitDataset     *dataset,
                                                   const gint64   *indices,
                                                   gsize           n_indices,
                                                   GError        **error);
FIT_AVAILABLE_IN_1_0
FitDataset    *fit_subset_get_dataset             (FitSubset      *self);
FIT_AVAILABLE_IN_1_0
const gint64  *fit_subset_get_indices             (FitSubset      *self,
                                                   gsize          *n_indices);

FIT_AVAILABLE_IN_1_0
GListModel    *fit_dataset_random_split           (FitDataset     *dataset,
                                                   const guint64  *sizes,
                                                   guint           n_sizes,
                                                   guint64         seed,
                                                   GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean       fit_dataset_random_split_fraction  (FitDataset     *dataset,
                                                   double          fraction,
                                                   guint64         seed,
                                                   FitSubset     **first,
                                                   FitSubset     **second,
                                                   GError        **error);

G_END_DECLS
