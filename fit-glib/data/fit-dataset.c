/* fit-dataset.c: the interface of everything a data loader can draw items from
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "fit-glib/data/fit-dataset.h"
#include "fit-glib/data/fit-data-private.h"

/**
 * FitDataset:
 *
 * A collection of items, each an input tensor and a label tensor, addressed by index.
 *
 * [class@Fit.DataLoader] draws batches from a dataset. An implementation provides
 * [vfunc@Fit.Dataset.get_n_items] and [vfunc@Fit.Dataset.get_item]; it may also provide
 * [vfunc@Fit.Dataset.get_batch] when it can gather many items at once faster than one by
 * one (a [class@Fit.TensorDataset] copies rows with `memcpy`). The default
 * `get_batch` calls `get_item` for each index and stacks the results along a new first
 * dimension, so every item must have the same shape and element type.
 *
 * Python, JavaScript and Vala classes can implement the interface:
 *
 * ```python
 * class Squares(GObject.Object, Fit.Dataset):
 *     def do_get_n_items(self):
 *         return 100
 *
 *     def do_get_item(self, index):
 *         x = Fit.Tensor.new_from_floats([float(index)], [1])
 *         y = Fit.Tensor.new_from_floats([float(index * index)], [1])
 *         return True, x, y
 * ```
 *
 * A loader with [property@Fit.DataLoader:n-workers] above 0 calls the dataset from
 * worker threads. C and Python implementations may be called from any thread (Python
 * takes the interpreter lock); a JavaScript implementation must be used with
 * `n-workers` 0, since GJS can only run on its own thread.
 *
 * Items may be labelled or not: an unlabelled dataset returns %NULL labels for every
 * item.
 *
 * Since: 1.0
 */

G_DEFINE_INTERFACE (FitDataset, fit_dataset, G_TYPE_OBJECT)

static gboolean
check_item_tensor (FitDataset  *self,
                   gint64       index,
                   const char  *what,
                   FitTensor   *t,
                   FitTensor   *first,
                   GError     **error)
{
  const gint64 *shape, *first_shape;
  guint n_dims, first_n_dims;

  if (!FIT_IS_TENSOR (t))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("Dataset %s returned no %s tensor for item %" PRId64),
                   G_OBJECT_TYPE_NAME (self), what, index);
      return FALSE;
    }
  if (fit_tensor_get_device_type (t) != FIT_DEVICE_TYPE_CPU)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
                   _("Dataset %s returned a %s tensor for item %" PRId64
                     " that is not on the CPU; datasets hand out CPU tensors"),
                   G_OBJECT_TYPE_NAME (self), what, index);
      return FALSE;
    }
  shape = fit_tensor_get_shape (t, &n_dims);
  if (first == NULL)
    {
      if (n_dims >= FIT_MAX_DIMS)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("Dataset %s: the %s of item %" PRId64 " has %u dimensions; "
                         "a batch of them would have more than %d"),
                       G_OBJECT_TYPE_NAME (self), what, index, n_dims, FIT_MAX_DIMS);
          return FALSE;
        }
      return TRUE;
    }
  first_shape = fit_tensor_get_shape (first, &first_n_dims);
  if (fit_tensor_get_dtype (t) != fit_tensor_get_dtype (first) ||
      !fit_shape_equal (shape, n_dims, first_shape + 1, first_n_dims - 1))
    {
      g_autofree char *s = fit_shape_to_string (shape, n_dims);
      g_autofree char *s0 = fit_shape_to_string (first_shape + 1, first_n_dims - 1);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Dataset %s: the %s of item %" PRId64 " is %s %s, but the first "
                     "item of the batch is %s %s; items of one batch must match"),
                   G_OBJECT_TYPE_NAME (self), what, index,
                   fit_dtype_get_name (fit_tensor_get_dtype (t)), s,
                   fit_dtype_get_name (fit_tensor_get_dtype (first)), s0);
      return FALSE;
    }
  return TRUE;
}

/* A batch of @n items like @item, or NULL with @error set when no tensor can be that
 * large: items are any size a dataset chooses, and @n of them can overflow. */
static FitTensor *
new_batch_like (FitDataset  *self,
                FitTensor   *item,
                guint        n,
                GError     **error)
{
  g_autofree char *what = g_strdup_printf (_("Dataset %s: a batch of %u items"),
                                           G_OBJECT_TYPE_NAME (self), n);
  gint64 shape[FIT_MAX_DIMS];
  guint n_dims;
  const gint64 *item_shape = fit_tensor_get_shape (item, &n_dims);

  shape[0] = n;
  memcpy (shape + 1, item_shape, n_dims * sizeof (gint64));
  if (!fit_shape_check (what, shape, n_dims + 1, error))
    return NULL;
  return fit_tensor_new_empty (fit_tensor_get_dtype (item), shape, n_dims + 1);
}

static void
copy_row (FitTensor *batch,
          guint      row,
          FitTensor *item)
{
  gsize row_bytes = fit_tensor_get_n_bytes (item);

  if (row_bytes > 0)
    memcpy ((guint8 *) fit_tensor_get_data_mutable (batch) + row * row_bytes,
            fit_tensor_get_data (item), row_bytes);
}

/* Stacks items one by one into pooled batch tensors; every item must match the first. */
static gboolean
fit_dataset_real_get_batch (FitDataset    *self,
                            const gint64  *indices,
                            guint          n_indices,
                            FitTensor    **inputs,
                            FitTensor    **labels,
                            GError       **error)
{
  g_autoptr(FitTensor) batch_x = NULL;
  g_autoptr(FitTensor) batch_y = NULL;

  for (guint i = 0; i < n_indices; i++)
    {
      g_autoptr(FitTensor) x = NULL;
      g_autoptr(FitTensor) y = NULL;

      if (!fit_dataset_get_item (self, indices[i], &x, &y, error))
        return FALSE;
      if (!check_item_tensor (self, indices[i], _("input"), x, batch_x, error))
        return FALSE;
      if (i > 0 && (y == NULL) != (batch_y == NULL))
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                       _("Dataset %s: item %" PRId64 " %s a label but item %"
                         PRId64 " %s; a dataset labels all its items or none"),
                       G_OBJECT_TYPE_NAME (self), indices[i], y ? _("has") : _("has no"),
                       indices[0], y ? _("has none") : _("has one"));
          return FALSE;
        }
      if (y != NULL && !check_item_tensor (self, indices[i], _("label"), y, batch_y, error))
        return FALSE;
      if (i == 0)
        {
          batch_x = new_batch_like (self, x, n_indices, error);
          if (batch_x == NULL)
            return FALSE;
          if (y != NULL && (batch_y = new_batch_like (self, y, n_indices, error)) == NULL)
            return FALSE;
        }
      copy_row (batch_x, i, x);
      if (y != NULL)
        copy_row (batch_y, i, y);
    }

  *inputs = g_steal_pointer (&batch_x);
  *labels = g_steal_pointer (&batch_y);
  return TRUE;
}

static void
fit_dataset_default_init (FitDatasetInterface *iface)
{
  iface->get_batch = fit_dataset_real_get_batch;
}

/**
 * fit_dataset_get_n_items: (virtual get_n_items)
 * @self: a dataset
 *
 * Gets the number of items in @self.
 *
 * Returns: the number of items in @self
 *
 * Since: 1.0
 */
guint64
fit_dataset_get_n_items (FitDataset *self)
{
  FitDatasetInterface *iface;

  g_return_val_if_fail (FIT_IS_DATASET (self), 0);

  iface = FIT_DATASET_GET_IFACE (self);
  g_return_val_if_fail (iface->get_n_items != NULL, 0);
  return iface->get_n_items (self);
}

/**
 * fit_dataset_get_item: (virtual get_item)
 * @self: a dataset
 * @index: the item's index, below [method@Fit.Dataset.get_n_items]
 * @input: (out) (transfer full) (optional) (nullable): the item's input
 * @label: (out) (transfer full) (optional) (nullable): the item's label, or %NULL in an
 *   unlabelled dataset
 * @error: return location for a #GError
 *
 * Fetches one item. An index out of range gives %FIT_ERROR_INVALID_ARGUMENT; an
 * implementation that fails without saying why (a Python exception, for example) gives
 * %FIT_ERROR_FAILED naming the dataset and the index.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 *
 * Since: 1.0
 */
gboolean
fit_dataset_get_item (FitDataset  *self,
                      guint64      index,
                      FitTensor  **input,
                      FitTensor  **label,
                      GError     **error)
{
  FitDatasetInterface *iface;
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(FitTensor) y = NULL;
  GError *local_error = NULL;
  guint64 n;

  g_return_val_if_fail (FIT_IS_DATASET (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = FIT_DATASET_GET_IFACE (self);
  g_return_val_if_fail (iface->get_item != NULL, FALSE);

  n = fit_dataset_get_n_items (self);
  if (index >= n)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("Item %" PRIu64 " is out of range for dataset %s of %"
                     PRIu64 " items"), index, G_OBJECT_TYPE_NAME (self), n);
      return FALSE;
    }

  if (!iface->get_item (self, index, &x, &y, &local_error) || x == NULL)
    {
      if (local_error == NULL)
        g_set_error (&local_error, FIT_ERROR, FIT_ERROR_FAILED,
                     _("Dataset %s failed to return item %" PRIu64
                       " without saying why"), G_OBJECT_TYPE_NAME (self), index);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_clear_error (&local_error);

  if (input != NULL)
    *input = g_steal_pointer (&x);
  if (label != NULL)
    *label = g_steal_pointer (&y);
  return TRUE;
}

/**
 * fit_dataset_get_batch: (virtual get_batch)
 * @self: a dataset
 * @indices: (array length=n_indices): the indices of the items, each below
 *   [method@Fit.Dataset.get_n_items]
 * @n_indices: the number of items, at least 1
 * @inputs: (out) (transfer full) (optional) (nullable): the inputs stacked along a new
 *   first dimension of size @n_indices
 * @labels: (out) (transfer full) (optional) (nullable): the labels stacked the same way,
 *   or %NULL in an unlabelled dataset
 * @error: return location for a #GError
 *
 * Fetches several items as one batch. Items whose shapes or element types differ give
 * %FIT_ERROR_SHAPE naming both items.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 *
 * Since: 1.0
 */
gboolean
fit_dataset_get_batch (FitDataset    *self,
                       const gint64  *indices,
                       guint          n_indices,
                       FitTensor    **inputs,
                       FitTensor    **labels,
                       GError       **error)
{
  FitDatasetInterface *iface;
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(FitTensor) y = NULL;
  GError *local_error = NULL;
  guint64 n;

  g_return_val_if_fail (FIT_IS_DATASET (self), FALSE);
  g_return_val_if_fail (indices != NULL || n_indices == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = FIT_DATASET_GET_IFACE (self);
  if (n_indices == 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("Dataset %s: a batch needs at least one item"), G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  n = fit_dataset_get_n_items (self);
  for (guint i = 0; i < n_indices; i++)
    if (indices[i] < 0 || (guint64) indices[i] >= n)
      {
        g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                     _("Item %" PRId64 " is out of range for dataset %s of %"
                       PRIu64 " items"), indices[i], G_OBJECT_TYPE_NAME (self), n);
        return FALSE;
      }

  if (!(iface->get_batch ? iface->get_batch : fit_dataset_real_get_batch)
        (self, indices, n_indices, &x, &y, &local_error) || x == NULL)
    {
      if (local_error == NULL)
        g_set_error (&local_error, FIT_ERROR, FIT_ERROR_FAILED,
                     _("Dataset %s failed to return a batch of %u items without saying why"),
                     G_OBJECT_TYPE_NAME (self), n_indices);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_clear_error (&local_error);

  if (fit_tensor_get_n_dims (x) == 0 || fit_tensor_get_dim (x, 0) != n_indices ||
      (y != NULL && (fit_tensor_get_n_dims (y) == 0 || fit_tensor_get_dim (y, 0) != n_indices)))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Dataset %s returned a batch whose first dimension is not the %u items "
                     "asked for"), G_OBJECT_TYPE_NAME (self), n_indices);
      return FALSE;
    }

  if (inputs != NULL)
    *inputs = g_steal_pointer (&x);
  if (labels != NULL)
    *labels = g_steal_pointer (&y);
  return TRUE;
}
