/* fit-subset.c: a view of some items of another dataset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-subset.h"

/**
 * FitSubset:
 *
 * A [iface@Fit.Dataset] made of chosen items of another dataset: item `i` of the subset
 * is item `indices[i]` of the parent. Batches go through the parent's
 * [method@Fit.Dataset.get_batch], so a subset of a [class@Fit.TensorDataset] keeps its
 * fast gathering.
 *
 * [method@Fit.Dataset.random_split] and [method@Fit.Dataset.random_split_fraction] cut a
 * dataset into disjoint random subsets, for a validation set.
 *
 * Since: 1.0
 */
struct _FitSubset
{
  GObject      parent_instance;
  FitDataset  *dataset;
  gint64      *indices;
  gsize        n_indices;
};

static void fit_subset_iface_init (FitDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FitSubset, fit_subset, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FIT_TYPE_DATASET, fit_subset_iface_init))

static guint64
fit_subset_get_n_items (FitDataset *dataset)
{
  return FIT_SUBSET (dataset)->n_indices;
}

static gboolean
fit_subset_get_item (FitDataset  *dataset,
                     guint64      index,
                     FitTensor  **input,
                     FitTensor  **label,
                     GError     **error)
{
  FitSubset *self = FIT_SUBSET (dataset);

  return fit_dataset_get_item (self->dataset, self->indices[index], input, label, error);
}

static gboolean
fit_subset_get_batch (FitDataset    *dataset,
                      const gint64  *indices,
                      guint          n_indices,
                      FitTensor    **inputs,
                      FitTensor    **labels,
                      GError       **error)
{
  FitSubset *self = FIT_SUBSET (dataset);
  gint64 stack_buf[256];
  g_autofree gint64 *heap_buf = NULL;
  gint64 *mapped = stack_buf;

  if (n_indices > G_N_ELEMENTS (stack_buf))
    mapped = heap_buf = g_new (gint64, n_indices);
  for (guint i = 0; i < n_indices; i++)
    mapped[i] = self->indices[indices[i]];
  return fit_dataset_get_batch (self->dataset, mapped, n_indices, inputs, labels, error);
}

static void
fit_subset_iface_init (FitDatasetInterface *iface)
{
  iface->get_n_items = fit_subset_get_n_items;
  iface->get_item = fit_subset_get_item;
  iface->get_batch = fit_subset_get_batch;
}

static void
fit_subset_finalize (GObject *object)
{
  FitSubset *self = FIT_SUBSET (object);

  g_clear_object (&self->dataset);
  g_free (self->indices);
  G_OBJECT_CLASS (fit_subset_parent_class)->finalize (object);
}

static void
fit_subset_class_init (FitSubsetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fit_subset_finalize;
}

static void
fit_subset_init (FitSubset *self)
{
}

static FitSubset *
subset_take (FitDataset *dataset,
             gint64     *indices,
             gsize       n_indices)
{
  FitSubset *self = g_object_new (FIT_TYPE_SUBSET, NULL);

  self->dataset = g_object_ref (dataset);
  self->indices = indices;
  self->n_indices = n_indices;
  return self;
}

/**
 * fit_subset_new:
 * @dataset: the parent dataset
 * @indices: (array length=n_indices): the parent's items that make up the subset, in
 *   order; an item may appear more than once
 * @n_indices: the number of items
 * @error: return location for a #GError
 *
 * Creates a subset of @dataset. The parent's size must not shrink while the subset is
 * in use.
 *
 * Returns: (transfer full): a new subset, or %NULL with %FIT_ERROR_INVALID_ARGUMENT when
 *   an index is out of range
 *
 * Since: 1.0
 */
FitSubset *
fit_subset_new (FitDataset    *dataset,
                const gint64  *indices,
                gsize          n_indices,
                GError       **error)
{
  guint64 n;

  g_return_val_if_fail (FIT_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (indices != NULL || n_indices == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = fit_dataset_get_n_items (dataset);
  for (gsize i = 0; i < n_indices; i++)
    if (indices[i] < 0 || (guint64) indices[i] >= n)
      {
        g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                     _("fit_subset_new: index %" PRId64 " (position %zu) is out of range for dataset %s of %" PRIu64 " items"),
                     indices[i], i, G_OBJECT_TYPE_NAME (dataset), n);
        return NULL;
      }
  return subset_take (dataset, g_memdup2 (indices, MAX (n_indices, 1) * sizeof (gint64)),
                      n_indices);
}

/**
 * fit_subset_get_dataset:
 * @self: a subset
 *
 * Gets the parent dataset.
 *
 * Returns: (transfer none): the parent dataset
 *
 * Since: 1.0
 */
FitDataset *
fit_subset_get_dataset (FitSubset *self)
{
  g_return_val_if_fail (FIT_IS_SUBSET (self), NULL);
  return self->dataset;
}

/**
 * fit_subset_get_indices:
 * @self: a subset
 * @n_indices: (out): the number of indices
 *
 * Gets the parent's items that make up the subset.
 *
 * Returns: (transfer none) (array length=n_indices): the parent's items that make up the
 *   subset
 *
 * Since: 1.0
 */
const gint64 *
fit_subset_get_indices (FitSubset *self,
                        gsize     *n_indices)
{
  g_return_val_if_fail (FIT_IS_SUBSET (self), NULL);
  g_return_val_if_fail (n_indices != NULL, NULL);

  *n_indices = self->n_indices;
  return self->indices;
}

/**
 * fit_dataset_random_split:
 * @dataset: the dataset to split
 * @sizes: (array length=n_sizes): the size of each part; they must add up to the number
 *   of items
 * @n_sizes: the number of parts, at least 1
 * @seed: the seed of the permutation; the same seed gives the same parts
 * @error: return location for a #GError
 *
 * Splits @dataset into disjoint subsets of the given sizes, drawing the items of each
 * part at random (a seeded permutation, cut into consecutive pieces). Every item lands
 * in exactly one part.
 *
 * Returns: (transfer full): a list of @n_sizes [class@Fit.Subset]s, or %NULL with
 *   %FIT_ERROR_INVALID_ARGUMENT when the sizes do not add up to the number of items
 *
 * Since: 1.0
 */
GListModel *
fit_dataset_random_split (FitDataset     *dataset,
                          const guint64  *sizes,
                          guint           n_sizes,
                          guint64         seed,
                          GError        **error)
{
  g_autoptr(FitRng) rng = NULL;
  g_autofree gint64 *order = NULL;
  GListStore *parts;
  guint64 n, total = 0, start = 0;

  g_return_val_if_fail (FIT_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (sizes != NULL && n_sizes > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = fit_dataset_get_n_items (dataset);
  for (guint i = 0; i < n_sizes; i++)
    {
      if (sizes[i] > n || total > n - sizes[i])
        {
          total = n + 1;
          break;
        }
      total += sizes[i];
    }
  if (total != n)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_dataset_random_split: the sizes of the parts do not add up to the "
                     "%" PRIu64 " items of the dataset"), n);
      return NULL;
    }

  order = g_new (gint64, MAX (n, 1));
  for (guint64 i = 0; i < n; i++)
    order[i] = i;
  rng = fit_rng_new (fit_data_mix_seed (seed, 0x5b117, 0));
  fit_rng_shuffle_indices (rng, order, n);

  parts = g_list_store_new (FIT_TYPE_SUBSET);
  for (guint i = 0; i < n_sizes; i++)
    {
      g_autoptr(FitSubset) part =
        subset_take (dataset, g_memdup2 (order + start, MAX (sizes[i], 1) * sizeof (gint64)),
                     sizes[i]);

      g_list_store_append (parts, part);
      start += sizes[i];
    }
  return G_LIST_MODEL (parts);
}

/**
 * fit_dataset_random_split_fraction:
 * @dataset: the dataset to split
 * @fraction: the share of the items in the first part, from 0 to 1
 * @seed: the seed of the permutation
 * @first: (out) (transfer full) (optional): the first part, `round (fraction × N)` items
 * @second: (out) (transfer full) (optional): the rest
 * @error: return location for a #GError
 *
 * Splits @dataset into two disjoint random parts, as [method@Fit.Dataset.random_split]
 * does: `fit_dataset_random_split_fraction (data, 0.9, seed, &train, &validation, &error)`
 * keeps a tenth of the items for validation.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_INVALID_ARGUMENT when @fraction is
 *   not within [0, 1]
 *
 * Since: 1.0
 */
gboolean
fit_dataset_random_split_fraction (FitDataset  *dataset,
                                   double       fraction,
                                   guint64      seed,
                                   FitSubset  **first,
                                   FitSubset  **second,
                                   GError     **error)
{
  g_autoptr(GListModel) parts = NULL;
  guint64 n, sizes[2];

  g_return_val_if_fail (FIT_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(fraction >= 0.0 && fraction <= 1.0))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_dataset_random_split_fraction: the fraction %g is not between 0 "
                     "and 1"), fraction);
      return FALSE;
    }
  n = fit_dataset_get_n_items (dataset);
  sizes[0] = MIN ((guint64) llround (fraction * (double) n), n);
  sizes[1] = n - sizes[0];
  parts = fit_dataset_random_split (dataset, sizes, 2, seed, error);
  if (parts == NULL)
    return FALSE;
  if (first != NULL)
    *first = g_list_model_get_item (parts, 0);
  if (second != NULL)
    *second = g_list_model_get_item (parts, 1);
  return TRUE;
}
