/* fit-scale.c: multiply by a factor and add an offset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-glib/data/fit-data-private.h"
#include "fit-glib/data/fit-scale.h"

/**
 * FitScale:
 *
 * A [class@Fit.Transform] computing `x × factor + offset` element by element, for
 * example `fit_scale_new (1.0 / 255, 0)` to bring bytes into [0, 1]. Works on float32
 * and float64; other element types give %FIT_ERROR_DTYPE.
 *
 * Since: 1.0
 */
struct _FitScale
{
  FitTransform  parent_instance;
  double        factor;
  double        offset;
};

enum { PROP_0, PROP_FACTOR, PROP_OFFSET, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitScale, fit_scale, FIT_TYPE_TRANSFORM)

static FitTensor *
fit_scale_apply_batch (FitTransform  *transform,
                       FitTensor     *batch,
                       FitRng        *rng,
                       GError       **error)
{
  FitScale *self = FIT_SCALE (transform);
  FitTensor *out;
  gint64 n = fit_tensor_get_numel (batch);

  if (!fit_check_cpu ("FitScale", batch, error) || !fit_check_floating ("FitScale", batch, error))
    return NULL;
  out = fit_tensor_new_empty_like (batch);
  if (fit_tensor_get_dtype (batch) == FIT_DTYPE_FLOAT32)
    {
      const float *x = fit_tensor_get_data (batch);
      float *y = fit_tensor_get_data_mutable (out);
      float a = (float) self->factor, b = (float) self->offset;

      for (gint64 i = 0; i < n; i++)
        y[i] = x[i] * a + b;
    }
  else
    {
      const double *x = fit_tensor_get_data (batch);
      double *y = fit_tensor_get_data_mutable (out);

      for (gint64 i = 0; i < n; i++)
        y[i] = x[i] * self->factor + self->offset;
    }
  return out;
}

static void
fit_scale_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FitScale *self = FIT_SCALE (object);

  switch (prop_id)
    {
    case PROP_FACTOR:
      g_value_set_double (value, self->factor);
      break;
    case PROP_OFFSET:
      g_value_set_double (value, self->offset);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_scale_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FitScale *self = FIT_SCALE (object);

  switch (prop_id)
    {
    case PROP_FACTOR:
      self->factor = g_value_get_double (value);
      break;
    case PROP_OFFSET:
      self->offset = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_scale_class_init (FitScaleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_scale_get_property;
  object_class->set_property = fit_scale_set_property;
  FIT_TRANSFORM_CLASS (klass)->apply_batch = fit_scale_apply_batch;

  /**
   * FitScale:factor:
   *
   * The factor each element is multiplied by.
   *
   * Since: 1.0
   */
  properties[PROP_FACTOR] =
    g_param_spec_double ("factor", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitScale:offset:
   *
   * The value added after multiplying.
   *
   * Since: 1.0
   */
  properties[PROP_OFFSET] =
    g_param_spec_double ("offset", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_scale_init (FitScale *self)
{
  self->factor = 1.0;
}

/**
 * fit_scale_new:
 * @factor: the factor
 * @offset: the offset added after multiplying
 *
 * Creates a transform computing `x × factor + offset`.
 *
 * Returns: (transfer full): a new transform
 *
 * Since: 1.0
 */
FitTransform *
fit_scale_new (double factor,
               double offset)
{
  return g_object_new (FIT_TYPE_SCALE, "factor", factor, "offset", offset, NULL);
}

/**
 * fit_scale_get_factor:
 * @self: a scale transform
 *
 * Gets the factor.
 *
 * Returns: the factor
 *
 * Since: 1.0
 */
double
fit_scale_get_factor (FitScale *self)
{
  g_return_val_if_fail (FIT_IS_SCALE (self), 0.0);
  return self->factor;
}

/**
 * fit_scale_get_offset:
 * @self: a scale transform
 *
 * Gets the offset.
 *
 * Returns: the offset
 *
 * Since: 1.0
 */
double
fit_scale_get_offset (FitScale *self)
{
  g_return_val_if_fail (FIT_IS_SCALE (self), 0.0);
  return self->offset;
}
