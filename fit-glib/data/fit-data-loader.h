/* fit-data-loader.h: batches from a dataset, shuffled and prefetched
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/data/fit-data-iter.h"
#include "fit-glib/data/fit-dataset.h"
#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_DATA_LOADER (fit_data_loader_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitDataLoader, fit_data_loader, FIT, DATA_LOADER, GObject)

FIT_AVAILABLE_IN_1_0
FitDataLoader *fit_data_loader_new                  (FitDataset     *dataset,
                                                     guint           batch_size);
FIT_AVAILABLE_IN_1_0
FitDataset    *fit_data_loader_get_dataset          (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
guint          fit_data_loader_get_batch_size       (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
gboolean       fit_data_loader_get_shuffle          (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_shuffle          (FitDataLoader  *self,
                                                     gboolean        shuffle);
FIT_AVAILABLE_IN_1_0
guint64        fit_data_loader_get_seed             (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_seed             (FitDataLoader  *self,
                                                     guint64         seed);
FIT_AVAILABLE_IN_1_0
gboolean       fit_data_loader_get_drop_last        (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_drop_last        (FitDataLoader  *self,
                                                     gboolean        drop_last);
FIT_AVAILABLE_IN_1_0
guint          fit_data_loader_get_n_workers        (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_n_workers        (FitDataLoader  *self,
                                                     guint           n_workers);
FIT_AVAILABLE_IN_1_0
guint          fit_data_loader_get_prefetch_factor  (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_prefetch_factor  (FitDataLoader  *self,
                                                     guint           prefetch_factor);
FIT_AVAILABLE_IN_1_0
FitTransform  *fit_data_loader_get_transform        (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_transform        (FitDataLoader  *self,
                                                     FitTransform   *transform);
FIT_AVAILABLE_IN_1_0
FitTransform  *fit_data_loader_get_label_transform  (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
void           fit_data_loader_set_label_transform  (FitDataLoader  *self,
                                                     FitTransform   *transform);
FIT_AVAILABLE_IN_1_0
guint64        fit_data_loader_get_n_batches        (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
guint64        fit_data_loader_get_n_samples        (FitDataLoader  *self);
FIT_AVAILABLE_IN_1_0
gint64        *fit_data_loader_get_order            (FitDataLoader  *self,
                                                     guint           epoch,
                                                     gsize          *n_indices);
FIT_AVAILABLE_IN_1_0
FitDataIter   *fit_data_loader_iterate              (FitDataLoader  *self,
                                                     guint           epoch,
                                                     guint64         first_batch);

G_END_DECLS
