/* fit-data-private.h: what the data layer's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fit-glib/core/fit-core-private.h"
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
  gint64          *order;             /* the items of the epoch, in visiting order; NULL
                                       when n_order indices do not fit in memory */
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
 * the gzip magic. Every error names the file (its display name, valid UTF-8); reads past
 * the end are reported to the caller, which knows what the header promised. */
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
/* An upper bound of the (decompressed) size: the file size, for gzip the most that
 * deflate can expand the compressed size to, G_MAXUINT64 for a pipe or a device. Only
 * a plain file's bound is close enough to allocate by. */
guint64         fit_data_file_get_max_size (FitDataFile  *file);
/* Reads up to @n bytes; *n_read < @n only at the end of the data. */
gboolean        fit_data_file_read       (FitDataFile    *file,
                                          gpointer        buffer,
                                          gsize           n,
                                          gsize          *n_read,
                                          GCancellable   *cancellable,
                                          GError        **error);
/* Reads exactly @n bytes, or fails with FIT_ERROR_PARSE saying where the file ended
 * inside @what. */
gboolean        fit_data_file_read_exact (FitDataFile    *file,
                                          gpointer        buffer,
                                          gsize           n,
                                          const char     *what,
                                          GCancellable   *cancellable,
                                          GError        **error);
/* Reads exactly @n bytes into a new NUL-terminated buffer, allocated as the bytes
 * arrive (@n comes from a header), or fails as fit_data_file_read_exact() does. */
char           *fit_data_file_read_text  (FitDataFile    *file,
                                          gsize           n,
                                          const char     *what,
                                          GCancellable   *cancellable,
                                          GError        **error);

/* Converts @n elements of a file's element type at @src into @n elements of the tensor's
 * element type at @dst. Returns @n, or the index of the first element that the tensor's
 * type cannot hold (a NaN, an infinity or an out-of-range value read into an integer
 * type), with that value in *bad_value. */
typedef gsize (*FitDataConvertFunc) (const guint8  *src,
                                     gsize          n,
                                     gpointer       dst,
                                     double        *bad_value,
                                     gconstpointer  user_data);

/* Stores @v as element @i of @dst, an array of @dtype; FALSE, storing nothing, when
 * @dtype is an integer type that cannot hold @v. For FitDataConvertFunc's. */
static inline gboolean
fit_data_store (gpointer dst,
                gsize    i,
                FitDType dtype,
                double   v)
{
  switch (dtype)
    {
    case FIT_DTYPE_FLOAT32:
      ((float *) dst)[i] = (float) v;
      return TRUE;
    case FIT_DTYPE_FLOAT64:
      ((double *) dst)[i] = v;
      return TRUE;
    case FIT_DTYPE_INT32:
      if (!fit_double_fits_int (v, dtype))
        return FALSE;
      ((gint32 *) dst)[i] = (gint32) v;
      return TRUE;
    case FIT_DTYPE_INT64:
      if (!fit_double_fits_int (v, dtype))
        return FALSE;
      ((gint64 *) dst)[i] = (gint64) v;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* Reads the elements of a @dtype tensor of @shape, which the file stores from the
 * current offset as @elem_size bytes each; @convert NULL means the bytes are the
 * elements. @shape comes from the file's header and is checked here: FIT_ERROR_PARSE
 * when it promises more than the file can hold, FIT_ERROR_SHAPE when no tensor can have
 * it. Then FIT_ERROR_PARSE when the data ends early, FIT_ERROR_INVALID_ARGUMENT naming
 * the first element that @convert refuses. Unless the file is plain (its size vouches
 * for the data), the data is staged in a buffer that grows as it arrives, never to more
 * than twice what was read, and the tensor is allocated once it is all there. */
FitTensor      *fit_data_file_read_tensor (FitDataFile        *file,
                                           FitDType            dtype,
                                           const gint64       *shape,
                                           guint               n_dims,
                                           gsize               elem_size,
                                           FitDataConvertFunc  convert,
                                           gconstpointer       user_data,
                                           GCancellable       *cancellable,
                                           GError            **error);
/* Reads to the end (which verifies a gzip trailer) and fails if any data is left. */
gboolean        fit_data_file_expect_end (FitDataFile    *file,
                                          const char     *what,
                                          GCancellable   *cancellable,
                                          GError        **error);
/* The rest of the data, NUL-terminated (the NUL is not counted in the size). */
GBytes         *fit_data_file_read_all   (FitDataFile    *file,
                                          GCancellable   *cancellable,
                                          GError        **error);

/* @len bytes of text from a file, fit to quote in a message: valid UTF-8 whatever the
 * bytes, with bytes that are not UTF-8, NULs, control characters and backslashes
 * escaped (\xNN, \n, \\), and cut to a few dozen characters (then "…"). */
char           *fit_data_quote           (const char     *text,
                                          gsize           len);

G_END_DECLS
