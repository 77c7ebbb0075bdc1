/* fit-normalize.c: subtract a mean and divide by a standard deviation per channel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-normalize.h"

/**
 * FitNormalize:
 *
 * A [class@Fit.Transform] computing `(x - mean[c]) / std[c]`, where `c` indexes the
 * second dimension of the batch: the channels of `[N, C, H, W]` images, or the features
 * of `[N, F]` rows. With a single mean and deviation every element uses them.
 *
 * Works on float32 and float64; other element types give %FIT_ERROR_DTYPE, and a batch
 * whose second dimension is not the number of channels gives %FIT_ERROR_SHAPE. Create
 * it with [ctor@Fit.Normalize.new]: one made without its statistics (by
 * g_object_new(), or `Fit.Normalize()` in Python) gives %FIT_ERROR_STATE.
 *
 * Since: 1.0
 */
struct _FitNormalize
{
  FitTransform  parent_instance;
  double       *mean;
  double       *std;
  guint         n_channels;
};

G_DEFINE_FINAL_TYPE (FitNormalize, fit_normalize, FIT_TYPE_TRANSFORM)

static FitTensor *
fit_normalize_apply_batch (FitTransform  *transform,
                           FitTensor     *batch,
                           FitRng        *rng,
                           GError       **error)
{
  FitNormalize *self = FIT_NORMALIZE (transform);
  gint64 n_items, n_channels, inner;
  const gint64 *shape;
  guint n_dims;
  gconstpointer src;
  gpointer dst;
  FitTensor *out;

  if (self->mean == NULL)
    {
      /* Made with g_object_new() (Fit.Normalize() in Python), which sets no statistics. */
      g_set_error (error, FIT_ERROR, FIT_ERROR_STATE,
                   _("FitNormalize has no means and deviations; create it with "
                     "fit_normalize_new()"));
      return NULL;
    }
  if (!fit_check_cpu ("FitNormalize", batch, error) ||
      !fit_check_floating ("FitNormalize", batch, error))
    return NULL;
  shape = fit_tensor_get_shape (batch, &n_dims);
  if (self->n_channels > 1 && (n_dims < 2 || shape[1] != self->n_channels))
    {
      g_autofree char *s = fit_shape_to_string (shape, n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("FitNormalize: a batch of shape %s does not have %u channels in its "
                     "second dimension"), s, self->n_channels);
      return NULL;
    }

  n_items = n_dims > 0 ? shape[0] : 1;
  n_channels = self->n_channels > 1 ? self->n_channels : 1;
  inner = n_items > 0 ? fit_tensor_get_numel (batch) / n_items / n_channels : 0;
  out = fit_tensor_new_empty_like (batch);
  src = fit_tensor_get_data (batch);
  dst = fit_tensor_get_data_mutable (out);

  for (gint64 i = 0; i < n_items; i++)
    for (gint64 c = 0; c < n_channels; c++)
      {
        gint64 base = (i * n_channels + c) * inner;
        double m = self->mean[c], s = 1.0 / self->std[c];

        if (fit_tensor_get_dtype (batch) == FIT_DTYPE_FLOAT32)
          {
            const float *x = (const float *) src + base;
            float *y = (float *) dst + base;
            float mf = (float) m, sf = (float) s;

            for (gint64 k = 0; k < inner; k++)
              y[k] = (x[k] - mf) * sf;
          }
        else
          {
            const double *x = (const double *) src + base;
            double *y = (double *) dst + base;

            for (gint64 k = 0; k < inner; k++)
              y[k] = (x[k] - m) * s;
          }
      }
  return out;
}

static void
fit_normalize_finalize (GObject *object)
{
  FitNormalize *self = FIT_NORMALIZE (object);

  g_free (self->mean);
  g_free (self->std);
  G_OBJECT_CLASS (fit_normalize_parent_class)->finalize (object);
}

static void
fit_normalize_class_init (FitNormalizeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fit_normalize_finalize;
  FIT_TRANSFORM_CLASS (klass)->apply_batch = fit_normalize_apply_batch;
}

static void
fit_normalize_init (FitNormalize *self)
{
}

/**
 * fit_normalize_new:
 * @mean: (array length=n_channels): the mean of each channel
 * @std: (array length=n_channels): the standard deviation of each channel, none zero
 * @n_channels: the number of channels, at least 1
 *
 * Creates a per-channel normalisation, `(x - mean) / std`.
 *
 * Returns: (transfer full): a new transform
 *
 * Since: 1.0
 */
FitTransform *
fit_normalize_new (const double *mean,
                   const double *std,
                   guint         n_channels)
{
  FitNormalize *self;

  g_return_val_if_fail (mean != NULL && std != NULL, NULL);
  g_return_val_if_fail (n_channels > 0, NULL);
  for (guint c = 0; c < n_channels; c++)
    g_return_val_if_fail (std[c] != 0.0 && isfinite (std[c]) && isfinite (mean[c]), NULL);

  self = g_object_new (FIT_TYPE_NORMALIZE, NULL);
  self->mean = g_memdup2 (mean, n_channels * sizeof (double));
  self->std = g_memdup2 (std, n_channels * sizeof (double));
  self->n_channels = n_channels;
  return FIT_TRANSFORM (self);
}

/**
 * fit_normalize_get_mean:
 * @self: a normalisation
 * @n_channels: (out): the number of channels
 *
 * Gets the means.
 *
 * Returns: (transfer none) (array length=n_channels): the means
 *
 * Since: 1.0
 */
const double *
fit_normalize_get_mean (FitNormalize *self,
                        guint        *n_channels)
{
  g_return_val_if_fail (FIT_IS_NORMALIZE (self), NULL);
  g_return_val_if_fail (n_channels != NULL, NULL);

  *n_channels = self->n_channels;
  return self->mean;
}

/**
 * fit_normalize_get_std:
 * @self: a normalisation
 * @n_channels: (out): the number of channels
 *
 * Gets the standard deviations.
 *
 * Returns: (transfer none) (array length=n_channels): the standard deviations
 *
 * Since: 1.0
 */
const double *
fit_normalize_get_std (FitNormalize *self,
                       guint        *n_channels)
{
  g_return_val_if_fail (FIT_IS_NORMALIZE (self), NULL);
  g_return_val_if_fail (n_channels != NULL, NULL);

  *n_channels = self->n_channels;
  return self->std;
}
