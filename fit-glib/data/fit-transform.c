/* fit-transform.c: a derivable change of inputs or labels, per item or per batch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-transform.h"

/**
 * FitTransform:
 *
 * A change applied to data before it reaches the model: scaling, normalisation, one-hot
 * labels, random crops and flips for augmentation. Transforms are composed in order with
 * [class@Fit.Compose].
 *
 * A transform works on batches: [vfunc@Fit.Transform.apply_batch] receives a tensor
 * whose first dimension indexes the items (`[N, C, H, W]` images, `[N, F]` features,
 * `[N]` labels) and returns a new tensor. [method@Fit.Transform.apply] applies it to a
 * single item by adding and removing that first dimension, so the same object serves a
 * dataset that transforms item by item and a [class@Fit.DataLoader] that transforms
 * whole batches ([property@Fit.DataLoader:transform]).
 *
 * Random transforms draw every random number from the [class@Fit.Rng] they are given.
 * The data loader passes a generator seeded from its seed, the epoch and the batch
 * index, so augmentation repeats exactly across runs, across resumes and whatever the
 * number of worker threads. When called with no generator, a transform uses its own,
 * seeded from [property@Fit.Transform:seed].
 *
 * A transform may be called from several loader threads at once: implementations keep
 * no state that changes while applying.
 *
 * Since: 1.0
 */
typedef struct
{
  guint64  seed;
  GMutex   lock;     /* guards rng for callers that pass no generator */
  FitRng  *rng;
} FitTransformPrivate;

enum { PROP_0, PROP_SEED, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (FitTransform, fit_transform, G_TYPE_OBJECT)

static void
fit_transform_finalize (GObject *object)
{
  FitTransformPrivate *priv = fit_transform_get_instance_private (FIT_TRANSFORM (object));

  g_clear_object (&priv->rng);
  g_mutex_clear (&priv->lock);
  G_OBJECT_CLASS (fit_transform_parent_class)->finalize (object);
}

static void
fit_transform_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitTransform *self = FIT_TRANSFORM (object);

  switch (prop_id)
    {
    case PROP_SEED:
      g_value_set_uint64 (value, fit_transform_get_seed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_transform_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitTransform *self = FIT_TRANSFORM (object);

  switch (prop_id)
    {
    case PROP_SEED:
      fit_transform_set_seed (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_transform_class_init (FitTransformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_transform_finalize;
  object_class->get_property = fit_transform_get_property;
  object_class->set_property = fit_transform_set_property;

  /**
   * FitTransform:seed:
   *
   * The seed of the transform's own generator, used only when it is applied without a
   * [class@Fit.Rng]. Setting it restarts that generator.
   *
   * Since: 1.0
   */
  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_transform_init (FitTransform *self)
{
  FitTransformPrivate *priv = fit_transform_get_instance_private (self);

  g_mutex_init (&priv->lock);
}

/**
 * fit_transform_apply_batch: (virtual apply_batch)
 * @self: a transform
 * @batch: a batch: the first dimension indexes the items
 * @rng: (nullable): the generator random transforms draw from, or %NULL for the
 *   transform's own (seeded by [property@Fit.Transform:seed])
 * @error: return location for a #GError
 *
 * Transforms a batch.
 *
 * Returns: (transfer full): the transformed batch, or %NULL with @error set when the
 *   batch does not suit the transform (%FIT_ERROR_SHAPE, %FIT_ERROR_DTYPE,
 *   %FIT_ERROR_INVALID_ARGUMENT)
 *
 * Since: 1.0
 */
FitTensor *
fit_transform_apply_batch (FitTransform  *self,
                           FitTensor     *batch,
                           FitRng        *rng,
                           GError       **error)
{
  FitTransformClass *klass;
  FitTransformPrivate *priv;
  GError *local_error = NULL;
  FitTensor *out;

  g_return_val_if_fail (FIT_IS_TRANSFORM (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (batch), NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = FIT_TRANSFORM_GET_CLASS (self);
  g_return_val_if_fail (klass->apply_batch != NULL, NULL);

  if (rng != NULL)
    out = klass->apply_batch (self, batch, rng, &local_error);
  else
    {
      priv = fit_transform_get_instance_private (self);
      g_mutex_lock (&priv->lock);
      if (priv->rng == NULL)
        priv->rng = fit_rng_new (priv->seed);
      out = klass->apply_batch (self, batch, priv->rng, &local_error);
      g_mutex_unlock (&priv->lock);
    }

  if (out == NULL && local_error == NULL)
    g_set_error (&local_error, FIT_ERROR, FIT_ERROR_FAILED,
                 _("Transform %s failed without saying why"), G_OBJECT_TYPE_NAME (self));
  if (local_error != NULL)
    {
      g_clear_object (&out);
      g_propagate_error (error, local_error);
      return NULL;
    }
  return out;
}

/**
 * fit_transform_apply:
 * @self: a transform
 * @item: one item (no batch dimension)
 * @rng: (nullable): the generator random transforms draw from, or %NULL for the
 *   transform's own
 * @error: return location for a #GError
 *
 * Transforms a single item, as a batch of one.
 *
 * Returns: (transfer full): the transformed item, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_transform_apply (FitTransform  *self,
                     FitTensor     *item,
                     FitRng        *rng,
                     GError       **error)
{
  g_autoptr(FitTensor) batch = NULL;
  g_autoptr(FitTensor) out = NULL;
  gint64 shape[FIT_MAX_DIMS];
  const gint64 *out_shape;
  guint n_dims;

  g_return_val_if_fail (FIT_IS_TRANSFORM (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (item), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_check_cpu ("fit_transform_apply", item, error))
    return NULL;
  n_dims = fit_tensor_get_n_dims (item);
  if (n_dims >= FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_transform_apply: an item of %u dimensions cannot get a batch "
                     "dimension"), n_dims);
      return NULL;
    }
  shape[0] = 1;
  memcpy (shape + 1, fit_tensor_get_shape (item, NULL), n_dims * sizeof (gint64));
  batch = fit_tensor_new_view (item, 0, shape, n_dims + 1);

  out = fit_transform_apply_batch (self, batch, rng, error);
  if (out == NULL)
    return NULL;
  out_shape = fit_tensor_get_shape (out, &n_dims);
  if (n_dims == 0 || out_shape[0] != 1)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Transform %s did not return a batch of one item"),
                   G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return fit_tensor_new_view (out, 0, out_shape + 1, n_dims - 1);
}

/**
 * fit_transform_get_seed:
 * @self: a transform
 *
 * Gets the seed of the transform's own generator.
 *
 * Returns: the seed of the transform's own generator
 *
 * Since: 1.0
 */
guint64
fit_transform_get_seed (FitTransform *self)
{
  FitTransformPrivate *priv;

  g_return_val_if_fail (FIT_IS_TRANSFORM (self), 0);
  priv = fit_transform_get_instance_private (self);
  return priv->seed;
}

/**
 * fit_transform_set_seed:
 * @self: a transform
 * @seed: the seed
 *
 * Sets the seed of the generator that the transform uses when applied without one, and
 * restarts it.
 *
 * Since: 1.0
 */
void
fit_transform_set_seed (FitTransform *self,
                        guint64       seed)
{
  FitTransformPrivate *priv;
  gboolean changed;

  g_return_if_fail (FIT_IS_TRANSFORM (self));
  priv = fit_transform_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  changed = priv->seed != seed;
  priv->seed = seed;
  g_clear_object (&priv->rng);
  g_mutex_unlock (&priv->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
}
