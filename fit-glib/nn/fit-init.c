/* fit-init.c: parameter initialisers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The formulas are PyTorch's (torch.nn.init), so that a layer initialised here from a
 * given distribution has the same statistics as its PyTorch twin. The draws themselves
 * come from a FitRng and differ from PyTorch's generator.
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "fit-nn-private.h"

static GMutex default_lock;
static FitRng *default_rng;

/* Callers hold default_lock. */
static FitRng *
default_rng_locked (void)
{
  if (default_rng == NULL)
    default_rng = fit_rng_new (FIT_INIT_DEFAULT_SEED);
  return default_rng;
}

/**
 * fit_init_get_default_rng:
 *
 * Returns the generator that layers draw their initial weights from when their
 * constructor is given no [class@Fit.Rng]. It starts from %FIT_INIT_DEFAULT_SEED, so a
 * program that builds the same model in the same order gets the same weights on every
 * run; each such layer forks its own generator from this one.
 *
 * The generator is shared by the whole process. Pass your own generator to the layer
 * constructors when models are built on several threads at once.
 *
 * Returns: (transfer none): the default generator
 *
 * Since: 1.0
 */
FitRng *
fit_init_get_default_rng (void)
{
  FitRng *rng;

  g_mutex_lock (&default_lock);
  rng = default_rng_locked ();
  g_mutex_unlock (&default_lock);
  return rng;
}

/**
 * fit_init_set_default_seed:
 * @seed: the new seed
 *
 * Restarts the default generator (see [func@Fit.init_get_default_rng]) from @seed,
 * like `torch.manual_seed()`.
 *
 * Since: 1.0
 */
void
fit_init_set_default_seed (guint64 seed)
{
  g_mutex_lock (&default_lock);
  fit_rng_set_seed (default_rng_locked (), seed);
  g_mutex_unlock (&default_lock);
}

FitRng *
fit_nn_resolve_rng (FitRng *rng)
{
  FitRng *out;

  if (rng != NULL)
    return g_object_ref (rng);
  g_mutex_lock (&default_lock);
  out = fit_rng_fork (default_rng_locked ());
  g_mutex_unlock (&default_lock);
  return out;
}

/**
 * fit_init_calculate_gain:
 * @nonlinearity: the nonlinearity that follows the layer
 * @param: the negative slope for %FIT_NONLINEARITY_LEAKY_RELU (ignored otherwise)
 *
 * The recommended gain for an initialiser followed by @nonlinearity, as PyTorch's
 * `calculate_gain()`: 1 for linear and sigmoid, 5/3 for tanh, √2 for ReLU,
 * √(2 / (1 + @param²)) for leaky ReLU and 3/4 for SELU.
 *
 * Returns: the gain
 *
 * Since: 1.0
 */
double
fit_init_calculate_gain (FitNonlinearity nonlinearity,
                         double          param)
{
  switch (nonlinearity)
    {
    case FIT_NONLINEARITY_LINEAR:
    case FIT_NONLINEARITY_SIGMOID:
      return 1.0;
    case FIT_NONLINEARITY_TANH:
      return 5.0 / 3.0;
    case FIT_NONLINEARITY_RELU:
      return sqrt (2.0);
    case FIT_NONLINEARITY_LEAKY_RELU:
      return sqrt (2.0 / (1.0 + param * param));
    case FIT_NONLINEARITY_SELU:
      return 3.0 / 4.0;
    default:
      g_return_val_if_reached (1.0);
    }
}

/**
 * fit_init_calculate_fans:
 * @tensor: a weight with at least two dimensions
 * @fan_in: (out) (optional): the number of inputs of one output unit
 * @fan_out: (out) (optional): the number of outputs of one input unit
 * @error: return location for a #GError
 *
 * Computes the fans of a weight laid out as PyTorch lays out its layers' weights:
 * `[out, in]` for a linear layer, `[out, in / groups, kh, kw]` for a convolution, where
 * fan-in is `in × kh × kw` and fan-out `out × kh × kw`.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE when @tensor has fewer than
 *   two dimensions
 *
 * Since: 1.0
 */
gboolean
fit_init_calculate_fans (FitTensor  *tensor,
                         gint64     *fan_in,
                         gint64     *fan_out,
                         GError    **error)
{
  gint64 receptive = 1;

  g_return_val_if_fail (FIT_IS_TENSOR (tensor), FALSE);

  if (tensor->n_dims < 2)
    {
      g_autofree char *shape = fit_shape_to_string (tensor->shape, tensor->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fan in and fan out need a tensor of at least 2 dimensions, not one of "
                     "shape %s"), shape);
      return FALSE;
    }
  for (guint d = 2; d < tensor->n_dims; d++)
    receptive *= tensor->shape[d];
  if (fan_in != NULL)
    *fan_in = tensor->shape[1] * receptive;
  if (fan_out != NULL)
    *fan_out = tensor->shape[0] * receptive;
  return TRUE;
}

static void
fill_from (FitTensor *tensor,
           FitTensor *values)
{
  g_autoptr(FitTensor) converted = fit_tensor_to_dtype (values, tensor->dtype, NULL);

  memcpy (fit_tensor_get_data_mutable (tensor), fit_tensor_ptr (converted),
          fit_tensor_get_n_bytes (tensor));
}

/**
 * fit_init_zeros:
 * @tensor: the tensor to overwrite
 *
 * Sets every element to 0, in place and outside autograd (parameters that require a
 * gradient can be initialised without disabling recording).
 *
 * Since: 1.0
 */
void
fit_init_zeros (FitTensor *tensor)
{
  fit_init_constant (tensor, 0.0);
}

/**
 * fit_init_ones:
 * @tensor: the tensor to overwrite
 *
 * Sets every element to 1, in place and outside autograd.
 *
 * Since: 1.0
 */
void
fit_init_ones (FitTensor *tensor)
{
  fit_init_constant (tensor, 1.0);
}

/**
 * fit_init_constant:
 * @tensor: the tensor to overwrite
 * @value: the value of every element
 *
 * Sets every element to @value, in place and outside autograd.
 *
 * Since: 1.0
 */
void
fit_init_constant (FitTensor *tensor,
                   double     value)
{
  g_return_if_fail (FIT_IS_TENSOR (tensor));
  fit_tensor_fill (tensor, value);
}

/**
 * fit_init_uniform:
 * @tensor: a floating-point tensor to overwrite
 * @rng: the generator to draw from
 * @low: the lower bound
 * @high: the upper bound
 *
 * Fills @tensor with values drawn from U(@low, @high), in place and outside autograd.
 *
 * Since: 1.0
 */
void
fit_init_uniform (FitTensor *tensor,
                  FitRng    *rng,
                  double     low,
                  double     high)
{
  g_autoptr(FitTensor) values = NULL;

  g_return_if_fail (FIT_IS_TENSOR (tensor));
  g_return_if_fail (FIT_IS_RNG (rng));
  g_return_if_fail (fit_dtype_is_floating (tensor->dtype));

  values = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, tensor->shape, tensor->n_dims,
                                   low, high);
  fill_from (tensor, values);
}

/**
 * fit_init_normal:
 * @tensor: a floating-point tensor to overwrite
 * @rng: the generator to draw from
 * @mean: the mean
 * @std: the standard deviation
 *
 * Fills @tensor with values drawn from N(@mean, @std²), in place and outside autograd.
 *
 * Since: 1.0
 */
void
fit_init_normal (FitTensor *tensor,
                 FitRng    *rng,
                 double     mean,
                 double     std)
{
  g_autoptr(FitTensor) values = NULL;

  g_return_if_fail (FIT_IS_TENSOR (tensor));
  g_return_if_fail (FIT_IS_RNG (rng));
  g_return_if_fail (fit_dtype_is_floating (tensor->dtype));

  values = fit_tensor_new_normal (rng, FIT_DTYPE_FLOAT64, tensor->shape, tensor->n_dims,
                                  mean, std);
  fill_from (tensor, values);
}

/**
 * fit_init_xavier_uniform:
 * @tensor: a weight of at least two dimensions
 * @rng: the generator to draw from
 * @gain: a scale, see [func@Fit.init_calculate_gain]
 * @error: return location for a #GError
 *
 * Glorot initialisation: U(-a, a) with a = @gain × √(6 / (fan_in + fan_out)).
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE for a tensor of fewer than
 *   two dimensions
 *
 * Since: 1.0
 */
gboolean
fit_init_xavier_uniform (FitTensor  *tensor,
                         FitRng     *rng,
                         double      gain,
                         GError    **error)
{
  gint64 fan_in, fan_out;
  double a;

  g_return_val_if_fail (FIT_IS_TENSOR (tensor), FALSE);
  g_return_val_if_fail (FIT_IS_RNG (rng), FALSE);

  if (!fit_init_calculate_fans (tensor, &fan_in, &fan_out, error))
    return FALSE;
  a = gain * sqrt (6.0 / (double) (fan_in + fan_out));
  fit_init_uniform (tensor, rng, -a, a);
  return TRUE;
}

/**
 * fit_init_xavier_normal:
 * @tensor: a weight of at least two dimensions
 * @rng: the generator to draw from
 * @gain: a scale, see [func@Fit.init_calculate_gain]
 * @error: return location for a #GError
 *
 * Glorot initialisation: N(0, std²) with std = @gain × √(2 / (fan_in + fan_out)).
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE for a tensor of fewer than
 *   two dimensions
 *
 * Since: 1.0
 */
gboolean
fit_init_xavier_normal (FitTensor  *tensor,
                        FitRng     *rng,
                        double      gain,
                        GError    **error)
{
  gint64 fan_in, fan_out;

  g_return_val_if_fail (FIT_IS_TENSOR (tensor), FALSE);
  g_return_val_if_fail (FIT_IS_RNG (rng), FALSE);

  if (!fit_init_calculate_fans (tensor, &fan_in, &fan_out, error))
    return FALSE;
  fit_init_normal (tensor, rng, 0.0, gain * sqrt (2.0 / (double) (fan_in + fan_out)));
  return TRUE;
}

static gboolean
kaiming_std (FitTensor        *tensor,
             double            a,
             FitFanMode        mode,
             FitNonlinearity   nonlinearity,
             double           *std,
             GError          **error)
{
  gint64 fan_in, fan_out, fan;

  if (!fit_init_calculate_fans (tensor, &fan_in, &fan_out, error))
    return FALSE;
  fan = mode == FIT_FAN_MODE_FAN_OUT ? fan_out : fan_in;
  if (fan <= 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Kaiming initialisation of a tensor with an empty fan (%" PRId64
                     ")"), fan);
      return FALSE;
    }
  *std = fit_init_calculate_gain (nonlinearity, a) / sqrt ((double) fan);
  return TRUE;
}

/**
 * fit_init_kaiming_uniform:
 * @tensor: a weight of at least two dimensions
 * @rng: the generator to draw from
 * @a: the negative slope of the leaky ReLU that follows (used with
 *   %FIT_NONLINEARITY_LEAKY_RELU)
 * @mode: whether to scale by the fan-in or the fan-out
 * @nonlinearity: the nonlinearity that follows
 * @error: return location for a #GError
 *
 * He initialisation: U(-b, b) with b = gain × √(3 / fan). PyTorch's default for linear
 * and convolution weights is @a = √5, %FIT_FAN_MODE_FAN_IN,
 * %FIT_NONLINEARITY_LEAKY_RELU, which gives b = 1 / √fan_in.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE for a tensor of fewer than
 *   two dimensions
 *
 * Since: 1.0
 */
gboolean
fit_init_kaiming_uniform (FitTensor        *tensor,
                          FitRng           *rng,
                          double            a,
                          FitFanMode        mode,
                          FitNonlinearity   nonlinearity,
                          GError          **error)
{
  double std, bound;

  g_return_val_if_fail (FIT_IS_TENSOR (tensor), FALSE);
  g_return_val_if_fail (FIT_IS_RNG (rng), FALSE);

  if (!kaiming_std (tensor, a, mode, nonlinearity, &std, error))
    return FALSE;
  bound = sqrt (3.0) * std;
  fit_init_uniform (tensor, rng, -bound, bound);
  return TRUE;
}

/**
 * fit_init_kaiming_normal:
 * @tensor: a weight of at least two dimensions
 * @rng: the generator to draw from
 * @a: the negative slope of the leaky ReLU that follows (used with
 *   %FIT_NONLINEARITY_LEAKY_RELU)
 * @mode: whether to scale by the fan-in or the fan-out
 * @nonlinearity: the nonlinearity that follows
 * @error: return location for a #GError
 *
 * He initialisation: N(0, std²) with std = gain / √fan.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE for a tensor of fewer than
 *   two dimensions
 *
 * Since: 1.0
 */
gboolean
fit_init_kaiming_normal (FitTensor        *tensor,
                         FitRng           *rng,
                         double            a,
                         FitFanMode        mode,
                         FitNonlinearity   nonlinearity,
                         GError          **error)
{
  double std;

  g_return_val_if_fail (FIT_IS_TENSOR (tensor), FALSE);
  g_return_val_if_fail (FIT_IS_RNG (rng), FALSE);

  if (!kaiming_std (tensor, a, mode, nonlinearity, &std, error))
    return FALSE;
  fit_init_normal (tensor, rng, 0.0, std);
  return TRUE;
}

/* ---- helpers for the layers ---- */

void
fit_nn_init_linear_like (FitTensor *weight,
                         FitTensor *bias,
                         double     fan_in,
                         FitRng    *rng)
{
  double bound = fan_in > 0 ? 1.0 / sqrt (fan_in) : 0.0;

  /* kaiming_uniform(a=√5) reduces to this bound; computing it directly also covers an
   * empty fan, which PyTorch allows for weights. */
  fit_init_uniform (weight, rng, -bound, bound);
  if (bias != NULL)
    fit_init_uniform (bias, rng, -bound, bound);
}

FitTensor *
fit_nn_new_param (const char   *layer,
                  const gint64 *shape,
                  guint         n_dims)
{
  static const gint64 empty[FIT_MAX_DIMS] = { 0 };
  g_autofree char *s = NULL;

  if (fit_shape_is_valid (shape, n_dims))
    return fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, n_dims);
  s = fit_shape_to_string (shape, n_dims);
  g_critical ("%s: a parameter of shape %s would have 2^60 elements or more; the layer gets "
              "an empty one instead, and its forward fails. Use smaller sizes.", layer, s);
  return fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, empty, n_dims);
}

gboolean
fit_nn_check_input (const char  *layer,
                    FitTensor   *input,
                    guint        n_dims_a,
                    guint        n_dims_b,
                    int          dim,
                    gint64       size,
                    GError     **error)
{
  g_autofree char *shape = NULL;

  if (input->n_dims != n_dims_a && input->n_dims != n_dims_b)
    {
      shape = fit_shape_to_string (input->shape, input->n_dims);
      if (n_dims_a == n_dims_b)
        g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                     _("%s expects a %u-dimensional input, got shape %s"),
                     layer, n_dims_a, shape);
      else
        g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                     _("%s expects a %u- or %u-dimensional input, got shape %s"),
                     layer, n_dims_a, n_dims_b, shape);
      return FALSE;
    }
  if (dim >= 0 && input->shape[dim] != size)
    {
      shape = fit_shape_to_string (input->shape, input->n_dims);
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s expects %" PRId64 " features in dimension %d of its input, "
                     "got shape %s"), layer, size, dim, shape);
      return FALSE;
    }
  return TRUE;
}
