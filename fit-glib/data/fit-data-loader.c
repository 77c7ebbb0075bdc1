/* fit-data-loader.c: batches from a dataset, shuffled and prefetched
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include "fit-glib/data/fit-data-loader.h"
#include "fit-glib/data/fit-data-private.h"

/**
 * FitDataLoader:
 *
 * Cuts a [iface@Fit.Dataset] into batches, one epoch at a time.
 *
 * Each epoch visits every item once (the last, smaller batch is dropped when
 * [property@Fit.DataLoader:drop-last] is set). With [property@Fit.DataLoader:shuffle]
 * the order is a permutation that depends only on [property@Fit.DataLoader:seed] and the
 * epoch number: the same seed and epoch give the same batches on every run, different
 * epochs give different orders, and [method@Fit.DataLoader.iterate] can start at any
 * batch so that a training run resumed from a checkpoint sees exactly the batches it
 * would have seen.
 *
 * Batches are collated by the dataset ([method@Fit.Dataset.get_batch]): the inputs of a
 * batch are one tensor `[B, …]`, the labels another. The optional
 * [property@Fit.DataLoader:transform] and [property@Fit.DataLoader:label-transform] then
 * apply to whole batches, with a generator seeded from the seed, the epoch and the batch
 * index.
 *
 * With [property@Fit.DataLoader:n-workers] above 0, worker threads prepare the next
 * batches while the model trains on the current one, up to
 * [property@Fit.DataLoader:prefetch-factor] batches per worker ahead. The batches and
 * their order are the same as without workers. Dropping the iterator (or calling
 * [method@Fit.DataIter.stop]) stops and joins the workers. Datasets implemented in
 * JavaScript must use 0 workers.
 *
 * ```c
 * g_autoptr(FitDataLoader) loader = fit_data_loader_new (dataset, 64);
 * fit_data_loader_set_shuffle (loader, TRUE);
 * for (guint epoch = 0; epoch < n_epochs; epoch++)
 *   {
 *     g_autoptr(FitDataIter) iter = fit_data_loader_iterate (loader, epoch, 0);
 *     FitTensor *x, *y;
 *
 *     while (fit_data_iter_next (iter, &x, &y, cancellable, &error))
 *       {
 *         train_step (x, y);
 *         g_object_unref (x);
 *         g_clear_object (&y);
 *       }
 *     if (error != NULL)
 *       break;
 *   }
 * ```
 *
 * Since: 1.0
 */
struct _FitDataLoader
{
  GObject        parent_instance;
  FitDataset    *dataset;
  FitTransform  *transform;
  FitTransform  *label_transform;
  guint          batch_size;
  guint          n_workers;
  guint          prefetch_factor;
  guint64        seed;
  guint          shuffle : 1;
  guint          drop_last : 1;
};

enum {
  PROP_0,
  PROP_DATASET,
  PROP_BATCH_SIZE,
  PROP_SHUFFLE,
  PROP_SEED,
  PROP_DROP_LAST,
  PROP_N_WORKERS,
  PROP_PREFETCH_FACTOR,
  PROP_TRANSFORM,
  PROP_LABEL_TRANSFORM,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitDataLoader, fit_data_loader, G_TYPE_OBJECT)

/* ---- plans: what one pass needs ---- */

guint64
fit_data_mix_seed (guint64 seed,
                   guint64 a,
                   guint64 b)
{
  guint64 z = seed;

  /* Two rounds of the splitmix64 finaliser: distinct (seed, a, b) give unrelated seeds. */
  z ^= (a + 1) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  z ^= z >> 31;
  z ^= (b + 1) * G_GUINT64_CONSTANT (0xd1b54a32d192ed03);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

FitLoaderPlan *
fit_loader_plan_ref (FitLoaderPlan *plan)
{
  g_atomic_ref_count_inc (&plan->ref_count);
  return plan;
}

void
fit_loader_plan_unref (FitLoaderPlan *plan)
{
  if (!g_atomic_ref_count_dec (&plan->ref_count))
    return;
  g_clear_object (&plan->dataset);
  g_clear_object (&plan->transform);
  g_clear_object (&plan->label_transform);
  g_free (plan->order);
  g_free (plan);
}

gboolean
fit_loader_plan_produce (FitLoaderPlan  *plan,
                         guint64         index,
                         FitTensor     **inputs,
                         FitTensor     **labels,
                         GError        **error)
{
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitRng) rng = NULL;
  guint64 start = index * plan->batch_size;
  guint n = (guint) MIN ((guint64) plan->batch_size, plan->n_order - start);

  if (plan->order == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("The dataset has %" PRIu64 " items, too many to hold their "
                     "visiting order in memory; check where its size comes from, or load "
                     "it in parts"), (guint64) plan->n_order);
      return FALSE;
    }
  if (!fit_dataset_get_batch (plan->dataset, plan->order + start, n, &x, &y, error))
    return FALSE;

  if (plan->transform != NULL || plan->label_transform != NULL)
    rng = fit_rng_new (fit_data_mix_seed (plan->seed, plan->epoch, index));
  if (plan->transform != NULL)
    {
      FitTensor *t = fit_transform_apply_batch (plan->transform, x, rng, error);

      if (t == NULL)
        return FALSE;
      g_object_unref (x);
      x = t;
    }
  if (plan->label_transform != NULL && y != NULL)
    {
      FitTensor *t = fit_transform_apply_batch (plan->label_transform, y, rng, error);

      if (t == NULL)
        return FALSE;
      g_object_unref (y);
      y = t;
    }

  *inputs = g_steal_pointer (&x);
  *labels = g_steal_pointer (&y);
  return TRUE;
}

static guint64
count_batches (guint64  n_items,
               guint    batch_size,
               gboolean drop_last)
{
  return drop_last ? n_items / batch_size : (n_items + batch_size - 1) / batch_size;
}

/* ---- the object ---- */

static void
fit_data_loader_dispose (GObject *object)
{
  FitDataLoader *self = FIT_DATA_LOADER (object);

  g_clear_object (&self->dataset);
  g_clear_object (&self->transform);
  g_clear_object (&self->label_transform);
  G_OBJECT_CLASS (fit_data_loader_parent_class)->dispose (object);
}

static void
fit_data_loader_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FitDataLoader *self = FIT_DATA_LOADER (object);

  switch (prop_id)
    {
    case PROP_DATASET:
      g_value_set_object (value, self->dataset);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_SHUFFLE:
      g_value_set_boolean (value, self->shuffle);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_DROP_LAST:
      g_value_set_boolean (value, self->drop_last);
      break;
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;
    case PROP_PREFETCH_FACTOR:
      g_value_set_uint (value, self->prefetch_factor);
      break;
    case PROP_TRANSFORM:
      g_value_set_object (value, self->transform);
      break;
    case PROP_LABEL_TRANSFORM:
      g_value_set_object (value, self->label_transform);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_data_loader_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FitDataLoader *self = FIT_DATA_LOADER (object);

  switch (prop_id)
    {
    case PROP_DATASET:
      self->dataset = g_value_dup_object (value);
      break;
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_uint (value);
      break;
    case PROP_SHUFFLE:
      fit_data_loader_set_shuffle (self, g_value_get_boolean (value));
      break;
    case PROP_SEED:
      fit_data_loader_set_seed (self, g_value_get_uint64 (value));
      break;
    case PROP_DROP_LAST:
      fit_data_loader_set_drop_last (self, g_value_get_boolean (value));
      break;
    case PROP_N_WORKERS:
      fit_data_loader_set_n_workers (self, g_value_get_uint (value));
      break;
    case PROP_PREFETCH_FACTOR:
      fit_data_loader_set_prefetch_factor (self, g_value_get_uint (value));
      break;
    case PROP_TRANSFORM:
      fit_data_loader_set_transform (self, g_value_get_object (value));
      break;
    case PROP_LABEL_TRANSFORM:
      fit_data_loader_set_label_transform (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_data_loader_class_init (FitDataLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_data_loader_dispose;
  object_class->get_property = fit_data_loader_get_property;
  object_class->set_property = fit_data_loader_set_property;

  /**
   * FitDataLoader:dataset:
   *
   * The dataset the batches come from.
   *
   * Since: 1.0
   */
  properties[PROP_DATASET] =
    g_param_spec_object ("dataset", NULL, NULL, FIT_TYPE_DATASET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitDataLoader:batch-size:
   *
   * The number of items per batch (the last batch of an epoch may hold fewer).
   *
   * Since: 1.0
   */
  properties[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 1, G_MAXUINT, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitDataLoader:shuffle:
   *
   * Whether each epoch visits the items in a random order (a function of
   * [property@Fit.DataLoader:seed] and the epoch) instead of in index order.
   *
   * Since: 1.0
   */
  properties[PROP_SHUFFLE] =
    g_param_spec_boolean ("shuffle", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitDataLoader:seed:
   *
   * The seed of the shuffling and of the random transforms.
   *
   * Since: 1.0
   */
  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitDataLoader:drop-last:
   *
   * Whether to leave out the last batch of an epoch when it would be smaller than
   * [property@Fit.DataLoader:batch-size].
   *
   * Since: 1.0
   */
  properties[PROP_DROP_LAST] =
    g_param_spec_boolean ("drop-last", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitDataLoader:n-workers:
   *
   * The number of threads that prepare batches ahead of the consumer; 0 prepares each
   * batch in [method@Fit.DataIter.next]. Takes effect at the next
   * [method@Fit.DataLoader.iterate].
   *
   * Since: 1.0
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL, 0, 64, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitDataLoader:prefetch-factor:
   *
   * How many batches each worker may prepare ahead of the consumer; the bound of the
   * prefetch queue is this times [property@Fit.DataLoader:n-workers].
   *
   * Since: 1.0
   */
  properties[PROP_PREFETCH_FACTOR] =
    g_param_spec_uint ("prefetch-factor", NULL, NULL, 1, 64, 2,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitDataLoader:transform:
   *
   * A transform applied to the inputs of each batch, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_TRANSFORM] =
    g_param_spec_object ("transform", NULL, NULL, FIT_TYPE_TRANSFORM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * FitDataLoader:label-transform:
   *
   * A transform applied to the labels of each batch (a [class@Fit.OneHot], say), or
   * %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_LABEL_TRANSFORM] =
    g_param_spec_object ("label-transform", NULL, NULL, FIT_TYPE_TRANSFORM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_data_loader_init (FitDataLoader *self)
{
  self->batch_size = 1;
  self->prefetch_factor = 2;
}

/**
 * fit_data_loader_new:
 * @dataset: the dataset
 * @batch_size: the number of items per batch, at least 1
 *
 * Creates a loader that visits @dataset in index order, without workers; set
 * [property@Fit.DataLoader:shuffle] for training.
 *
 * Returns: (transfer full): a new loader
 *
 * Since: 1.0
 */
FitDataLoader *
fit_data_loader_new (FitDataset *dataset,
                     guint       batch_size)
{
  g_return_val_if_fail (FIT_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (batch_size > 0, NULL);

  return g_object_new (FIT_TYPE_DATA_LOADER,
                       "dataset", dataset,
                       "batch-size", batch_size,
                       NULL);
}

/**
 * fit_data_loader_get_dataset:
 * @self: a loader
 *
 * Gets the dataset.
 *
 * Returns: (transfer none): the dataset
 *
 * Since: 1.0
 */
FitDataset *
fit_data_loader_get_dataset (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), NULL);
  return self->dataset;
}

/**
 * fit_data_loader_get_batch_size:
 * @self: a loader
 *
 * Gets the number of items per batch.
 *
 * Returns: the number of items per batch
 *
 * Since: 1.0
 */
guint
fit_data_loader_get_batch_size (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), 0);
  return self->batch_size;
}

/**
 * fit_data_loader_get_shuffle:
 * @self: a loader
 *
 * Gets whether epochs visit the items in a seeded random order.
 *
 * Returns: whether epochs visit the items in a seeded random order
 *
 * Since: 1.0
 */
gboolean
fit_data_loader_get_shuffle (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), FALSE);
  return self->shuffle;
}

/**
 * fit_data_loader_set_shuffle:
 * @self: a loader
 * @shuffle: whether to shuffle
 *
 * Sets [property@Fit.DataLoader:shuffle].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_shuffle (FitDataLoader *self,
                             gboolean       shuffle)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));

  shuffle = !!shuffle;
  if (self->shuffle == (guint) shuffle)
    return;
  self->shuffle = shuffle;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHUFFLE]);
}

/**
 * fit_data_loader_get_seed:
 * @self: a loader
 *
 * Gets the seed of the shuffling and the random transforms.
 *
 * Returns: the seed of the shuffling and the random transforms
 *
 * Since: 1.0
 */
guint64
fit_data_loader_get_seed (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), 0);
  return self->seed;
}

/**
 * fit_data_loader_set_seed:
 * @self: a loader
 * @seed: the seed
 *
 * Sets [property@Fit.DataLoader:seed].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_seed (FitDataLoader *self,
                          guint64        seed)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));

  if (self->seed == seed)
    return;
  self->seed = seed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
}

/**
 * fit_data_loader_get_drop_last:
 * @self: a loader
 *
 * Gets whether a smaller last batch is left out.
 *
 * Returns: whether a smaller last batch is left out
 *
 * Since: 1.0
 */
gboolean
fit_data_loader_get_drop_last (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), FALSE);
  return self->drop_last;
}

/**
 * fit_data_loader_set_drop_last:
 * @self: a loader
 * @drop_last: whether to leave out a smaller last batch
 *
 * Sets [property@Fit.DataLoader:drop-last].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_drop_last (FitDataLoader *self,
                               gboolean       drop_last)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));

  drop_last = !!drop_last;
  if (self->drop_last == (guint) drop_last)
    return;
  self->drop_last = drop_last;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROP_LAST]);
}

/**
 * fit_data_loader_get_n_workers:
 * @self: a loader
 *
 * Gets the number of prefetch threads (0: none).
 *
 * Returns: the number of prefetch threads (0: none)
 *
 * Since: 1.0
 */
guint
fit_data_loader_get_n_workers (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), 0);
  return self->n_workers;
}

/**
 * fit_data_loader_set_n_workers:
 * @self: a loader
 * @n_workers: the number of prefetch threads, at most 64 (0: prepare batches on demand)
 *
 * Sets [property@Fit.DataLoader:n-workers].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_n_workers (FitDataLoader *self,
                               guint          n_workers)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));
  g_return_if_fail (n_workers <= 64);

  if (self->n_workers == n_workers)
    return;
  self->n_workers = n_workers;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WORKERS]);
}

/**
 * fit_data_loader_get_prefetch_factor:
 * @self: a loader
 *
 * Gets how many batches each worker may prepare ahead.
 *
 * Returns: how many batches each worker may prepare ahead
 *
 * Since: 1.0
 */
guint
fit_data_loader_get_prefetch_factor (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), 0);
  return self->prefetch_factor;
}

/**
 * fit_data_loader_set_prefetch_factor:
 * @self: a loader
 * @prefetch_factor: batches per worker, 1 to 64
 *
 * Sets [property@Fit.DataLoader:prefetch-factor].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_prefetch_factor (FitDataLoader *self,
                                     guint          prefetch_factor)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));
  g_return_if_fail (prefetch_factor >= 1 && prefetch_factor <= 64);

  if (self->prefetch_factor == prefetch_factor)
    return;
  self->prefetch_factor = prefetch_factor;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFETCH_FACTOR]);
}

/**
 * fit_data_loader_get_transform:
 * @self: a loader
 *
 * Gets the transform of the inputs.
 *
 * Returns: (transfer none) (nullable): the transform of the inputs
 *
 * Since: 1.0
 */
FitTransform *
fit_data_loader_get_transform (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), NULL);
  return self->transform;
}

/**
 * fit_data_loader_set_transform:
 * @self: a loader
 * @transform: (nullable): the transform of each batch's inputs
 *
 * Sets [property@Fit.DataLoader:transform].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_transform (FitDataLoader *self,
                               FitTransform  *transform)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));
  g_return_if_fail (transform == NULL || FIT_IS_TRANSFORM (transform));

  if (g_set_object (&self->transform, transform))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSFORM]);
}

/**
 * fit_data_loader_get_label_transform:
 * @self: a loader
 *
 * Gets the transform of the labels.
 *
 * Returns: (transfer none) (nullable): the transform of the labels
 *
 * Since: 1.0
 */
FitTransform *
fit_data_loader_get_label_transform (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), NULL);
  return self->label_transform;
}

/**
 * fit_data_loader_set_label_transform:
 * @self: a loader
 * @transform: (nullable): the transform of each batch's labels
 *
 * Sets [property@Fit.DataLoader:label-transform].
 *
 * Since: 1.0
 */
void
fit_data_loader_set_label_transform (FitDataLoader *self,
                                     FitTransform  *transform)
{
  g_return_if_fail (FIT_IS_DATA_LOADER (self));
  g_return_if_fail (transform == NULL || FIT_IS_TRANSFORM (transform));

  if (g_set_object (&self->label_transform, transform))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL_TRANSFORM]);
}

/**
 * fit_data_loader_get_n_batches:
 * @self: a loader
 *
 * Gets the number of batches in one epoch.
 *
 * Returns: the number of batches in one epoch
 *
 * Since: 1.0
 */
guint64
fit_data_loader_get_n_batches (FitDataLoader *self)
{
  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), 0);
  return count_batches (fit_dataset_get_n_items (self->dataset), self->batch_size,
                        self->drop_last);
}

/**
 * fit_data_loader_get_n_samples:
 * @self: a loader
 *
 * Gets the number of items one epoch yields: all of them, or with
 * [property@Fit.DataLoader:drop-last] those in full batches.
 *
 * Returns: the number of items one epoch yields: all of them, or with
 *   [property@Fit.DataLoader:drop-last] those in full batches
 *
 * Since: 1.0
 */
guint64
fit_data_loader_get_n_samples (FitDataLoader *self)
{
  guint64 n;

  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), 0);
  n = fit_dataset_get_n_items (self->dataset);
  return self->drop_last ? n - n % self->batch_size : n;
}

/* Beyond this, an order (8 bytes an item, 8 TiB here) is not worth asking the system
 * for: the dataset's size is wrong, not the machine too small. */
#define MAX_ORDER_ITEMS (G_GUINT64_CONSTANT (1) << 40)

/* The visiting order of @epoch for @n items, or NULL when @n indices do not fit in
 * memory (a dataset can claim any number of items: an empty tensor's first size is not
 * bounded by its data). */
static gint64 *
order_new (FitDataLoader *self,
           guint          epoch,
           guint64        n)
{
  gint64 *order;

  if (n > MAX_ORDER_ITEMS)
    return NULL;
  order = g_try_new (gint64, MAX (n, 1));
  if (order == NULL)
    return NULL;
  for (gsize i = 0; i < n; i++)
    order[i] = i;
  if (self->shuffle)
    {
      g_autoptr(FitRng) rng = fit_rng_new (fit_data_mix_seed (self->seed, epoch,
                                                              G_MAXUINT64));

      fit_rng_shuffle_indices (rng, order, n);
    }
  return order;
}

/**
 * fit_data_loader_get_order:
 * @self: a loader
 * @epoch: the epoch
 * @n_indices: (out): the number of indices, the number of items in the dataset
 *
 * Gives the order in which @epoch visits the items: batch `b` holds items
 * `order[b * batch_size]` onwards. With drop-last, the items after the last full batch
 * are left out of that epoch.
 *
 * Returns: (transfer full) (array length=n_indices): the item indices in visiting order
 *
 * Since: 1.0
 */
gint64 *
fit_data_loader_get_order (FitDataLoader *self,
                           guint          epoch,
                           gsize         *n_indices)
{
  guint64 n;
  gint64 *order;

  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), NULL);
  g_return_val_if_fail (n_indices != NULL, NULL);

  n = fit_dataset_get_n_items (self->dataset);
  order = order_new (self, epoch, n);
  if (order == NULL)
    g_error ("fit-glib: out of memory: the order of %" G_GUINT64_FORMAT " items", n);
  *n_indices = n;
  return order;
}

/**
 * fit_data_loader_iterate:
 * @self: a loader
 * @epoch: the epoch, which with the seed decides the order
 * @first_batch: the batch to start at, to resume an interrupted epoch (0 for all)
 *
 * Starts a pass over one epoch. The iterator holds the loader's settings as they are
 * now; later changes apply to the next pass. With workers, prefetching starts at once.
 *
 * Returns: (transfer full): an iterator; drop it (or call [method@Fit.DataIter.stop]) to
 *   stop its workers
 *
 * Since: 1.0
 */
FitDataIter *
fit_data_loader_iterate (FitDataLoader *self,
                         guint          epoch,
                         guint64        first_batch)
{
  FitLoaderPlan *plan;
  FitDataIter *iter;

  g_return_val_if_fail (FIT_IS_DATA_LOADER (self), NULL);

  plan = g_new0 (FitLoaderPlan, 1);
  g_atomic_ref_count_init (&plan->ref_count);
  plan->dataset = g_object_ref (self->dataset);
  plan->transform = self->transform ? g_object_ref (self->transform) : NULL;
  plan->label_transform = self->label_transform ? g_object_ref (self->label_transform) : NULL;
  plan->batch_size = self->batch_size;
  plan->epoch = epoch;
  plan->seed = self->seed;
  plan->n_order = fit_dataset_get_n_items (self->dataset);
  plan->order = order_new (self, epoch, plan->n_order);
  plan->n_batches = count_batches (plan->n_order, self->batch_size, self->drop_last);

  iter = fit_data_iter_new (plan, first_batch, self->n_workers, self->prefetch_factor);
  fit_loader_plan_unref (plan);
  return iter;
}
