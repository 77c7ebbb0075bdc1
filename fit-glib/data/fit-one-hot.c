/* fit-one-hot.c: class indices to one-hot rows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-one-hot.h"

/**
 * FitOneHot:
 *
 * A [class@Fit.Transform] that turns integer class indices of shape `[N, …]` into float32
 * one-hot rows of shape `[N, …, n_classes]`: 1 at the class, 0 elsewhere. Use it as a
 * loader's [property@Fit.DataLoader:label-transform] for losses that want
 * probabilities.
 *
 * It is [method@Fit.Tensor.one_hot] as a transform: indices must be int32 or int64
 * (%FIT_ERROR_DTYPE otherwise) and within [0, n_classes) (%FIT_ERROR_INVALID_ARGUMENT
 * naming the first that is not), and a batch whose one-hot rows would not fit in a
 * tensor is %FIT_ERROR_SHAPE.
 *
 * Since: 1.0
 */
struct _FitOneHot
{
  FitTransform  parent_instance;
  guint         n_classes;
};

enum { PROP_0, PROP_N_CLASSES, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitOneHot, fit_one_hot, FIT_TYPE_TRANSFORM)

static FitTensor *
fit_one_hot_apply_batch (FitTransform  *transform,
                         FitTensor     *batch,
                         FitRng        *rng,
                         GError       **error)
{
  return fit_one_hot_encode ("FitOneHot", batch, FIT_ONE_HOT (transform)->n_classes, error);
}

static void
fit_one_hot_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_CLASSES:
      g_value_set_uint (value, FIT_ONE_HOT (object)->n_classes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_one_hot_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_N_CLASSES:
      FIT_ONE_HOT (object)->n_classes = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_one_hot_class_init (FitOneHotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_one_hot_get_property;
  object_class->set_property = fit_one_hot_set_property;
  FIT_TRANSFORM_CLASS (klass)->apply_batch = fit_one_hot_apply_batch;

  /**
   * FitOneHot:n-classes:
   *
   * The number of classes, the length of each one-hot row.
   *
   * Since: 1.0
   */
  properties[PROP_N_CLASSES] =
    g_param_spec_uint ("n-classes", NULL, NULL, 1, G_MAXINT32, 2,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_one_hot_init (FitOneHot *self)
{
  self->n_classes = 2;
}

/**
 * fit_one_hot_new:
 * @n_classes: the number of classes, at least 1
 *
 * Creates a one-hot encoding of class indices.
 *
 * Returns: (transfer full): a new transform
 *
 * Since: 1.0
 */
FitTransform *
fit_one_hot_new (guint n_classes)
{
  g_return_val_if_fail (n_classes >= 1 && n_classes <= G_MAXINT32, NULL);
  return g_object_new (FIT_TYPE_ONE_HOT, "n-classes", n_classes, NULL);
}

/**
 * fit_one_hot_get_n_classes:
 * @self: a one-hot encoding
 *
 * Gets the number of classes.
 *
 * Returns: the number of classes
 *
 * Since: 1.0
 */
guint
fit_one_hot_get_n_classes (FitOneHot *self)
{
  g_return_val_if_fail (FIT_IS_ONE_HOT (self), 0);
  return self->n_classes;
}
