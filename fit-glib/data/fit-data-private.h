/* fit-data-private.h: what the data layer's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fit-glib/core/fit-tensor-private.h"
#include "fit-glib/data/fit-data-iter.h"
#include "fit-glib/data/fit-dataset.h"
#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

/* Everything one pass of a loader needs, fixed when the pass starts, so that changing the
 * loader's properties never disturbs a running iterator or its workers. */
typedef struct
{
  gatomicrefcount  ref_count;
  FitDataset      *dataset;
  FitTransform    *transform;         /* nullable */
  FitTransform    *label_transform;   /* nullable */
  guint            batch_size;
  guint            epoch;
  guint64          seed;
  gint64          *order;             /* the items of the epoch, in visiting order */
  gsize            n_order;
  guint64          n_batches;
} FitLoaderPlan;

FitLoaderPlan  *fit_loader_plan_ref      (FitLoaderPlan  *plan);
void            fit_loader_plan_unref    (FitLoaderPlan  *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FitLoaderPlan, fit_loader_plan_unref)

/* Builds batch @index of @plan: gathers the rows, then applies the transforms with a
 * generator seeded from (seed, epoch, index) so that prefetching changes nothing. */
gboolean        fit_loader_plan_produce  (FitLoaderPlan  *plan,
                                          guint64         index,
                                          FitTensor     **inputs,
                                          FitTensor     **labels,
                                          GError        **error);

FitDataIter    *fit_data_iter_new        (FitLoaderPlan  *plan,
                                          guint64         first_batch,
                                          guint           n_workers,
                                          guint           prefetch_factor);

/* A well-mixed 64-bit seed from a seed and two counters (splitmix64 finaliser). */
guint64         fit_data_mix_seed        (guint64         seed,
                                          guint64         a,
                                          guint64         b);

/* A data file opened for sequential reading, gunzipped on the fly when it starts with
 * the gzip magic. Every error names the file; reads past the end are reported to the
 * caller, which knows what the header promised. */
typedef struct _FitDataFile FitDataFile;

FitDataFile    *fit_data_file_open       (const char     *path,
                                          GCancellable   *cancellable,
                                          GError        **error);
void            fit_data_file_free       (FitDataFile    *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FitDataFile, fit_data_file_free)
const char     *fit_data_file_get_name   (FitDataFile    *file);
gboolean        fit_data_file_is_gzip    (FitDataFile    *file);
/* Bytes of (decompressed) data consumed so far. */
guint64         fit_data_file_get_offset (FitDataFile    *file);
/* An upper bound of the (decompressed) size: the file size, or for gzip the most that
 * deflate can expand the compressed size to. Checked before any large allocation. */
guint64         fit_data_file_get_max_size (FitDataFile  *file);
/* Reads up to @n bytes; *n_read < @n only at the end of the data. */
gboolean        fit_data_file_read       (FitDataFile    *file,
                                          gpointer        buffer,
                                          gsize           n,
                                          gsize          *n_read,
                                          GCancellable   *cancellable,
                                          GError        **error);
/* Reads to the end (which verifies a gzip trailer) and fails if any data is left. */
gboolean        fit_data_file_expect_end (FitDataFile    *file,
                                          const char     *what,
                                          GCancellable   *cancellable,
                                          GError        **error);
/* The rest of the data, NUL-terminated (the NUL is not counted in the size). */
GBytes         *fit_data_file_read_all   (FitDataFile    *file,
                                          GCancellable   *cancellable,
                                          GError        **error);

G_END_DECLS
