/* fit-linear.c: fully connected layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include "fit-nn-private.h"

/**
 * FitLinear:
 *
 * A fully connected layer: `y = x Wᵀ + b`, with a weight W of shape
 * `[out-features, in-features]` and a bias b of `[out-features]`, named `weight` and
 * `bias` as in PyTorch's `nn.Linear`. The input has shape `[…, in-features]`.
 *
 * Both are initialised as PyTorch does, from U(-1/√in, 1/√in), drawn from the
 * [property@Fit.Linear:rng] generator (or one forked from
 * [func@Fit.init_get_default_rng]).
 *
 * The forward pass is one fused [method@Fit.Tensor.linear]; its backward computes
 * only the gradients that are needed (none for an input that does not require one).
 *
 * Since: 1.0
 */

struct _FitLinear
{
  FitModule  parent_instance;

  gint64     in_features;
  gint64     out_features;
  gboolean   has_bias;
  FitRng    *rng;          /* construction only */
  FitTensor *weight;
  FitTensor *bias;
};

enum {
  PROP_0,
  PROP_IN_FEATURES,
  PROP_OUT_FEATURES,
  PROP_BIAS,
  PROP_RNG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitLinear, fit_linear, FIT_TYPE_MODULE)

static void
fit_linear_dispose (GObject *object)
{
  FitLinear *self = FIT_LINEAR (object);

  g_clear_object (&self->weight);
  g_clear_object (&self->bias);
  g_clear_object (&self->rng);
  G_OBJECT_CLASS (fit_linear_parent_class)->dispose (object);
}

static void
fit_linear_constructed (GObject *object)
{
  FitLinear *self = FIT_LINEAR (object);
  g_autoptr(FitRng) rng = fit_nn_resolve_rng (self->rng);
  gint64 wshape[2] = { self->out_features, self->in_features };

  G_OBJECT_CLASS (fit_linear_parent_class)->constructed (object);

  self->weight = fit_nn_new_param ("FitLinear", wshape, 2);
  if (self->has_bias)
    self->bias = fit_nn_new_param ("FitLinear", &self->out_features, 1);
  fit_nn_init_linear_like (self->weight, self->bias, (double) self->in_features, rng);
  fit_module_add_parameter (FIT_MODULE (self), "weight", self->weight);
  if (self->bias != NULL)
    fit_module_add_parameter (FIT_MODULE (self), "bias", self->bias);
  g_clear_object (&self->rng);
}

static void
fit_linear_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FitLinear *self = FIT_LINEAR (object);

  switch (prop_id)
    {
    case PROP_IN_FEATURES:
      g_value_set_int64 (value, self->in_features);
      break;
    case PROP_OUT_FEATURES:
      g_value_set_int64 (value, self->out_features);
      break;
    case PROP_BIAS:
      g_value_set_boolean (value, self->has_bias);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_linear_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FitLinear *self = FIT_LINEAR (object);

  switch (prop_id)
    {
    case PROP_IN_FEATURES:
      self->in_features = g_value_get_int64 (value);
      break;
    case PROP_OUT_FEATURES:
      self->out_features = g_value_get_int64 (value);
      break;
    case PROP_BIAS:
      self->has_bias = g_value_get_boolean (value);
      break;
    case PROP_RNG:
      g_set_object (&self->rng, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_linear_forward (FitModule  *module,
                    FitTensor  *input,
                    GError    **error)
{
  FitLinear *self = FIT_LINEAR (module);

  if (input->n_dims == 0 || input->shape[input->n_dims - 1] != self->in_features)
    {
      g_autofree char *shape = fit_shape_to_string (input->shape, input->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("FitLinear expects inputs of shape […, %" PRId64 "] "
                     "(in-features), got %s"), self->in_features, shape);
      return NULL;
    }
  return fit_tensor_linear (input, self->weight, self->bias, error);
}

static void
fit_linear_class_init (FitLinearClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitModuleClass *module_class = FIT_MODULE_CLASS (klass);

  object_class->dispose = fit_linear_dispose;
  object_class->constructed = fit_linear_constructed;
  object_class->get_property = fit_linear_get_property;
  object_class->set_property = fit_linear_set_property;
  module_class->forward = fit_linear_forward;

  /**
   * FitLinear:in-features:
   *
   * The size of the last dimension of the input.
   *
   * Since: 1.0
   */
  properties[PROP_IN_FEATURES] =
    g_param_spec_int64 ("in-features", NULL, NULL, 0, G_MAXINT32, 1,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLinear:out-features:
   *
   * The size of the last dimension of the output.
   *
   * Since: 1.0
   */
  properties[PROP_OUT_FEATURES] =
    g_param_spec_int64 ("out-features", NULL, NULL, 0, G_MAXINT32, 1,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLinear:bias:
   *
   * Whether the layer adds a learned bias.
   *
   * Since: 1.0
   */
  properties[PROP_BIAS] =
    g_param_spec_boolean ("bias", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLinear:rng:
   *
   * The generator that the initial weights are drawn from, or %NULL for one forked
   * from [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  properties[PROP_RNG] =
    g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_linear_init (FitLinear *self)
{
}

/**
 * fit_linear_new:
 * @in_features: the size of each input's last dimension
 * @out_features: the size of each output's last dimension
 * @bias: whether to add a learned bias
 * @rng: (nullable): the generator for the initial weights, or %NULL for one forked
 *   from [func@Fit.init_get_default_rng]
 *
 * Creates a fully connected layer.
 *
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
 *
 * Returns: (transfer full): a new #FitLinear
 *
 * Since: 1.0
 */
FitLinear *
fit_linear_new (gint64    in_features,
                gint64    out_features,
                gboolean  bias,
                FitRng   *rng)
{
  g_return_val_if_fail (in_features >= 0 && in_features <= G_MAXINT32, NULL);
  g_return_val_if_fail (out_features >= 0 && out_features <= G_MAXINT32, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);

  return g_object_new (FIT_TYPE_LINEAR,
                       "in-features", in_features,
                       "out-features", out_features,
                       "bias", bias,
                       "rng", rng,
                       NULL);
}

/**
 * fit_linear_get_in_features:
 * @self: a #FitLinear
 *
 * Gets [property@Fit.Linear:in-features].
 *
 * Returns: the size of the input's last dimension
 *
 * Since: 1.0
 */
gint64
fit_linear_get_in_features (FitLinear *self)
{
  g_return_val_if_fail (FIT_IS_LINEAR (self), 0);
  return self->in_features;
}

/**
 * fit_linear_get_out_features:
 * @self: a #FitLinear
 *
 * Gets [property@Fit.Linear:out-features].
 *
 * Returns: the size of the output's last dimension
 *
 * Since: 1.0
 */
gint64
fit_linear_get_out_features (FitLinear *self)
{
  g_return_val_if_fail (FIT_IS_LINEAR (self), 0);
  return self->out_features;
}

/**
 * fit_linear_get_weight:
 * @self: a #FitLinear
 *
 * Gets the weight.
 *
 * Returns: (transfer none): the weight, of shape `[out-features, in-features]`
 *
 * Since: 1.0
 */
FitTensor *
fit_linear_get_weight (FitLinear *self)
{
  g_return_val_if_fail (FIT_IS_LINEAR (self), NULL);
  return self->weight;
}

/**
 * fit_linear_get_bias:
 * @self: a #FitLinear
 *
 * Gets the bias.
 *
 * Returns: (transfer none) (nullable): the bias, of shape `[out-features]`, or %NULL
 *   when the layer has none
 *
 * Since: 1.0
 */
FitTensor *
fit_linear_get_bias (FitLinear *self)
{
  g_return_val_if_fail (FIT_IS_LINEAR (self), NULL);
  return self->bias;
}
