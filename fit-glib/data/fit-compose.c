/* fit-compose.c: transforms applied one after another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-glib/data/fit-compose.h"
#include "fit-glib/data/fit-data-private.h"

/**
 * FitCompose:
 *
 * A [class@Fit.Transform] that applies a list of transforms in order, each to the
 * result of the one before, all drawing from the same generator:
 *
 * ```c
 * FitTransform *steps[] = { fit_random_crop_new (28, 28, 4),
 *                           fit_random_horizontal_flip_new (0.5),
 *                           fit_normalize_new (mean, std, 1) };
 * g_autoptr(FitTransform) augment = fit_compose_new (steps, G_N_ELEMENTS (steps));
 * ```
 *
 * Since: 1.0
 */
struct _FitCompose
{
  FitTransform  parent_instance;
  GPtrArray    *transforms;
};

G_DEFINE_FINAL_TYPE (FitCompose, fit_compose, FIT_TYPE_TRANSFORM)

static FitTensor *
fit_compose_apply_batch (FitTransform  *transform,
                         FitTensor     *batch,
                         FitRng        *rng,
                         GError       **error)
{
  FitCompose *self = FIT_COMPOSE (transform);
  g_autoptr(FitTensor) current = g_object_ref (batch);

  for (guint i = 0; i < self->transforms->len; i++)
    {
      FitTensor *next = fit_transform_apply_batch (self->transforms->pdata[i], current, rng,
                                                   error);

      if (next == NULL)
        return NULL;
      g_object_unref (current);
      current = next;
    }
  return g_steal_pointer (&current);
}

static void
fit_compose_dispose (GObject *object)
{
  FitCompose *self = FIT_COMPOSE (object);

  g_ptr_array_set_size (self->transforms, 0);
  G_OBJECT_CLASS (fit_compose_parent_class)->dispose (object);
}

static void
fit_compose_finalize (GObject *object)
{
  g_ptr_array_unref (FIT_COMPOSE (object)->transforms);
  G_OBJECT_CLASS (fit_compose_parent_class)->finalize (object);
}

static void
fit_compose_class_init (FitComposeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_compose_dispose;
  object_class->finalize = fit_compose_finalize;
  FIT_TRANSFORM_CLASS (klass)->apply_batch = fit_compose_apply_batch;
}

static void
fit_compose_init (FitCompose *self)
{
  self->transforms = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * fit_compose_new:
 * @transforms: (array length=n_transforms) (transfer none): the transforms, in the order
 *   they apply
 * @n_transforms: the number of transforms
 *
 * Creates a composition of transforms; it keeps references to them.
 *
 * Returns: (transfer full): a new transform
 *
 * Since: 1.0
 */
FitTransform *
fit_compose_new (FitTransform **transforms,
                 guint          n_transforms)
{
  FitCompose *self;

  g_return_val_if_fail (transforms != NULL || n_transforms == 0, NULL);

  self = g_object_new (FIT_TYPE_COMPOSE, NULL);
  for (guint i = 0; i < n_transforms; i++)
    fit_compose_append (self, transforms[i]);
  return FIT_TRANSFORM (self);
}

/* Whether @transform is @self or holds it, at any depth: a composition holding itself
 * would recurse without end when applied (and never be freed). */
static gboolean
contains (FitTransform *transform,
          FitCompose   *self)
{
  FitCompose *compose;

  if ((gpointer) transform == (gpointer) self)
    return TRUE;
  if (!FIT_IS_COMPOSE (transform))
    return FALSE;
  compose = FIT_COMPOSE (transform);
  for (guint i = 0; i < compose->transforms->len; i++)
    if (contains (compose->transforms->pdata[i], self))
      return TRUE;
  return FALSE;
}

/**
 * fit_compose_append:
 * @self: a composition
 * @transform: the transform to apply after the others; not @self, nor a composition
 *   that holds @self
 *
 * Adds a transform at the end. Do not change a composition that a loader is using.
 *
 * Since: 1.0
 */
void
fit_compose_append (FitCompose   *self,
                    FitTransform *transform)
{
  g_return_if_fail (FIT_IS_COMPOSE (self));
  g_return_if_fail (FIT_IS_TRANSFORM (transform));
  g_return_if_fail (!contains (transform, self));

  g_ptr_array_add (self->transforms, g_object_ref (transform));
}

/**
 * fit_compose_get_n_transforms:
 * @self: a composition
 *
 * Gets the number of transforms.
 *
 * Returns: the number of transforms
 *
 * Since: 1.0
 */
guint
fit_compose_get_n_transforms (FitCompose *self)
{
  g_return_val_if_fail (FIT_IS_COMPOSE (self), 0);
  return self->transforms->len;
}

/**
 * fit_compose_get_transform:
 * @self: a composition
 * @index: the position, below [method@Fit.Compose.get_n_transforms]
 *
 * Gets the transform at @index.
 *
 * Returns: (transfer none): the transform at @index
 *
 * Since: 1.0
 */
FitTransform *
fit_compose_get_transform (FitCompose *self,
                           guint       index)
{
  g_return_val_if_fail (FIT_IS_COMPOSE (self), NULL);
  g_return_val_if_fail (index < self->transforms->len, NULL);
  return self->transforms->pdata[index];
}
