/* fit-random-crop.c: random crops of zero-padded images
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-random-crop.h"

/**
 * FitRandomCrop:
 *
 * A [class@Fit.Transform] for augmentation: pads each image with
 * [property@Fit.RandomCrop:padding] zeros on every side, then cuts a
 * [property@Fit.RandomCrop:height] × [property@Fit.RandomCrop:width] window at a random
 * position, the same for all channels of one image and drawn afresh for each image of
 * the batch. The batch is `[N, …, H, W]` (commonly `[N, C, H, W]`); any element type.
 *
 * `fit_random_crop_new (32, 32, 4)` is the usual CIFAR augmentation. A window larger
 * than the padded image gives %FIT_ERROR_SHAPE, as does an empty batch whose cropped
 * shape no tensor can have.
 *
 * Since: 1.0
 */
struct _FitRandomCrop
{
  FitTransform  parent_instance;
  guint         height;
  guint         width;
  guint         padding;
};

enum { PROP_0, PROP_HEIGHT, PROP_WIDTH, PROP_PADDING, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitRandomCrop, fit_random_crop, FIT_TYPE_TRANSFORM)

/* Copies one h×w window of one plane; rows and columns outside the source are zero. */
static void
crop_plane (const guint8 *src,
            gint64        src_h,
            gint64        src_w,
            guint8       *dst,
            gint64        h,
            gint64        w,
            gint64        top,
            gint64        left,
            gsize         elem)
{
  gint64 x0 = MAX (0, -left), x1 = MIN (w, src_w - left);

  for (gint64 y = 0; y < h; y++)
    {
      gint64 sy = top + y;
      guint8 *row = dst + y * w * elem;

      if (sy < 0 || sy >= src_h || x1 <= x0)
        {
          memset (row, 0, w * elem);
          continue;
        }
      if (x0 > 0)
        memset (row, 0, x0 * elem);
      memcpy (row + x0 * elem, src + (sy * src_w + left + x0) * elem, (x1 - x0) * elem);
      if (x1 < w)
        memset (row + x1 * elem, 0, (w - x1) * elem);
    }
}

static FitTensor *
fit_random_crop_apply_batch (FitTransform  *transform,
                             FitTensor     *batch,
                             FitRng        *rng,
                             GError       **error)
{
  FitRandomCrop *self = FIT_RANDOM_CROP (transform);
  gint64 shape[FIT_MAX_DIMS];
  gint64 n, H, W, planes, p = self->padding;
  gsize elem = fit_dtype_get_size (fit_tensor_get_dtype (batch));
  const gint64 *bs;
  guint nd;
  const guint8 *src;
  guint8 *dst;
  FitTensor *out;

  if (!fit_check_cpu ("FitRandomCrop", batch, error))
    return NULL;
  bs = fit_tensor_get_shape (batch, &nd);
  if (nd < 3 || bs[nd - 2] + 2 * p < self->height || bs[nd - 1] + 2 * p < self->width)
    {
      g_autofree char *s = fit_shape_to_string (bs, nd);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("FitRandomCrop: cannot cut %u×%u windows from a batch of shape %s padded "
                     "by %u; it needs shape [N, …, H, W] with images at least as large as "
                     "the window once padded"), self->height, self->width, s, self->padding);
      return NULL;
    }

  n = bs[0];
  H = bs[nd - 2];
  W = bs[nd - 1];
  planes = H * W > 0 && n > 0 ? fit_tensor_get_numel (batch) / (n * H * W) : 0;
  memcpy (shape, bs, nd * sizeof (gint64));
  shape[nd - 2] = self->height;
  shape[nd - 1] = self->width;
  /* An empty batch keeps its other sizes, which windows larger than its images can
   * multiply past what a tensor holds. */
  if (!fit_shape_check_result ("FitRandomCrop", shape, nd, error))
    return NULL;
  out = fit_tensor_new_empty (fit_tensor_get_dtype (batch), shape, nd);
  src = fit_tensor_get_data (batch);
  dst = fit_tensor_get_data_mutable (out);

  for (gint64 i = 0; i < n; i++)
    {
      /* The window's corner in padded coordinates, then shifted back by the padding. */
      gint64 top = (gint64) fit_rng_next_below (rng, H + 2 * p - self->height + 1) - p;
      gint64 left = (gint64) fit_rng_next_below (rng, W + 2 * p - self->width + 1) - p;

      for (gint64 c = 0; c < planes; c++)
        {
          gint64 plane = i * planes + c;

          crop_plane (src + plane * H * W * elem, H, W,
                      dst + plane * self->height * self->width * elem,
                      self->height, self->width, top, left, elem);
        }
    }
  return out;
}

static void
fit_random_crop_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FitRandomCrop *self = FIT_RANDOM_CROP (object);

  switch (prop_id)
    {
    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_PADDING:
      g_value_set_uint (value, self->padding);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_random_crop_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FitRandomCrop *self = FIT_RANDOM_CROP (object);

  switch (prop_id)
    {
    case PROP_HEIGHT:
      self->height = g_value_get_uint (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_uint (value);
      break;
    case PROP_PADDING:
      self->padding = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_random_crop_class_init (FitRandomCropClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_random_crop_get_property;
  object_class->set_property = fit_random_crop_set_property;
  FIT_TRANSFORM_CLASS (klass)->apply_batch = fit_random_crop_apply_batch;

  /**
   * FitRandomCrop:height:
   *
   * The height of the window.
   *
   * Since: 1.0
   */
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL, 1, 1 << 20, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitRandomCrop:width:
   *
   * The width of the window.
   *
   * Since: 1.0
   */
  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL, 1, 1 << 20, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitRandomCrop:padding:
   *
   * The zeros added on each side before cropping.
   *
   * Since: 1.0
   */
  properties[PROP_PADDING] =
    g_param_spec_uint ("padding", NULL, NULL, 0, 1 << 20, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_random_crop_init (FitRandomCrop *self)
{
  self->height = 1;
  self->width = 1;
}

/**
 * fit_random_crop_new:
 * @height: the height of the window, at least 1
 * @width: the width of the window, at least 1
 * @padding: the zeros added on each side of the image first
 *
 * Creates a random crop.
 *
 * Returns: (transfer full): a new transform
 *
 * Since: 1.0
 */
FitTransform *
fit_random_crop_new (guint height,
                     guint width,
                     guint padding)
{
  g_return_val_if_fail (height >= 1 && height <= (1 << 20), NULL);
  g_return_val_if_fail (width >= 1 && width <= (1 << 20), NULL);
  g_return_val_if_fail (padding <= (1 << 20), NULL);

  return g_object_new (FIT_TYPE_RANDOM_CROP,
                       "height", height, "width", width, "padding", padding, NULL);
}
