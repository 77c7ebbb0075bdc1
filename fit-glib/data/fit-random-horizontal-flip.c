/* fit-random-horizontal-flip.c: images mirrored left to right at random
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-random-horizontal-flip.h"

/**
 * FitRandomHorizontalFlip:
 *
 * A [class@Fit.Transform] for augmentation: mirrors each image of a batch along its last
 * dimension (left to right) with probability [property@Fit.RandomHorizontalFlip:probability],
 * drawn once per image. The batch is `[N, …, W]`, commonly `[N, C, H, W]`; any element
 * type.
 *
 * Since: 1.0
 */
struct _FitRandomHorizontalFlip
{
  FitTransform  parent_instance;
  double        probability;
};

enum { PROP_0, PROP_PROBABILITY, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitRandomHorizontalFlip, fit_random_horizontal_flip, FIT_TYPE_TRANSFORM)

static FitTensor *
fit_random_horizontal_flip_apply_batch (FitTransform  *transform,
                                        FitTensor     *batch,
                                        FitRng        *rng,
                                        GError       **error)
{
  FitRandomHorizontalFlip *self = FIT_RANDOM_HORIZONTAL_FLIP (transform);
  gsize elem = fit_dtype_get_size (fit_tensor_get_dtype (batch));
  gint64 n, W, rows_per_item;
  const gint64 *bs;
  guint nd;
  const guint8 *src;
  guint8 *dst;
  FitTensor *out;

  if (!fit_check_cpu ("FitRandomHorizontalFlip", batch, error))
    return NULL;
  bs = fit_tensor_get_shape (batch, &nd);
  if (nd < 2)
    {
      g_autofree char *s = fit_shape_to_string (bs, nd);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("FitRandomHorizontalFlip: a batch of shape %s has no image width; it "
                     "needs shape [N, …, W]"), s);
      return NULL;
    }

  n = bs[0];
  W = bs[nd - 1];
  rows_per_item = n > 0 && W > 0 ? fit_tensor_get_numel (batch) / (n * W) : 0;
  out = fit_tensor_new_empty_like (batch);
  src = fit_tensor_get_data (batch);
  dst = fit_tensor_get_data_mutable (out);

  for (gint64 i = 0; i < n; i++)
    {
      gsize item_bytes = (gsize) rows_per_item * W * elem;
      const guint8 *s = src + i * item_bytes;
      guint8 *d = dst + i * item_bytes;

      if (fit_rng_next_double (rng) >= self->probability)
        {
          memcpy (d, s, item_bytes);
          continue;
        }
      for (gint64 r = 0; r < rows_per_item; r++)
        for (gint64 x = 0; x < W; x++)
          memcpy (d + (r * W + x) * elem, s + (r * W + (W - 1 - x)) * elem, elem);
    }
  return out;
}

static void
fit_random_horizontal_flip_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_PROBABILITY:
      g_value_set_double (value, FIT_RANDOM_HORIZONTAL_FLIP (object)->probability);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_random_horizontal_flip_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_PROBABILITY:
      FIT_RANDOM_HORIZONTAL_FLIP (object)->probability = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_random_horizontal_flip_class_init (FitRandomHorizontalFlipClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_random_horizontal_flip_get_property;
  object_class->set_property = fit_random_horizontal_flip_set_property;
  FIT_TRANSFORM_CLASS (klass)->apply_batch = fit_random_horizontal_flip_apply_batch;

  /**
   * FitRandomHorizontalFlip:probability:
   *
   * The probability that an image is mirrored.
   *
   * Since: 1.0
   */
  properties[PROP_PROBABILITY] =
    g_param_spec_double ("probability", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_random_horizontal_flip_init (FitRandomHorizontalFlip *self)
{
  self->probability = 0.5;
}

/**
 * fit_random_horizontal_flip_new:
 * @probability: the probability of mirroring each image, from 0 to 1
 *
 * Creates a random horizontal flip.
 *
 * Returns: (transfer full): a new transform
 *
 * Since: 1.0
 */
FitTransform *
fit_random_horizontal_flip_new (double probability)
{
  g_return_val_if_fail (probability >= 0.0 && probability <= 1.0, NULL);
  return g_object_new (FIT_TYPE_RANDOM_HORIZONTAL_FLIP, "probability", probability, NULL);
}
