/* fit-activations.c: activation functions and other parameter-free layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each layer is a thin wrapper around one core tensor operation, so the kernels and
 * their backward passes live in one place (fit-glib/core).
 */

#include "config.h"

#include "fit-nn-private.h"

/* The boilerplate of a final module type without properties. */
#define DEFINE_SIMPLE_MODULE(Type, type)                                                \
  struct _##Type { FitModule parent_instance; };                                       \
  G_DEFINE_FINAL_TYPE (Type, type, FIT_TYPE_MODULE)                                     \
  static FitTensor *type##_forward (FitModule *module, FitTensor *input, GError **error); \
  static void type##_class_init (Type##Class *klass)                                   \
  {                                                                                     \
    FIT_MODULE_CLASS (klass)->forward = type##_forward;                                 \
  }                                                                                     \
  static void type##_init (Type *self) { }                                              \
  Type *type##_new (void) { return g_object_new (type##_get_type (), NULL); }

/**
 * FitIdentity:
 *
 * A module that returns its input unchanged: a placeholder, for example the shortcut of a
 * [class@Fit.Residual] or a classifier head that was removed.
 *
 * Since: 1.0
 */

/**
 * fit_identity_new:
 *
 * Creates an identity layer.
 *
 * Returns: (transfer full): a new #FitIdentity
 *
 * Since: 1.0
 */
DEFINE_SIMPLE_MODULE (FitIdentity, fit_identity)

static FitTensor *
fit_identity_forward (FitModule  *module,
                      FitTensor  *input,
                      GError    **error)
{
  return g_object_ref (input);
}

/**
 * FitReLU:
 *
 * The rectified linear unit, `max(x, 0)`, element-wise ([method@Fit.Tensor.relu]).
 *
 * Since: 1.0
 */

/**
 * fit_relu_new:
 *
 * Creates a ReLU activation.
 *
 * Returns: (transfer full): a new #FitReLU
 *
 * Since: 1.0
 */
DEFINE_SIMPLE_MODULE (FitReLU, fit_relu)

static FitTensor *
fit_relu_forward (FitModule  *module,
                  FitTensor  *input,
                  GError    **error)
{
  return fit_tensor_relu (input);
}

/**
 * FitGELU:
 *
 * The Gaussian error linear unit, `x Φ(x)`, element-wise ([method@Fit.Tensor.gelu]).
 *
 * Since: 1.0
 */

/**
 * fit_gelu_new:
 *
 * Creates a GELU activation.
 *
 * Returns: (transfer full): a new #FitGELU
 *
 * Since: 1.0
 */
DEFINE_SIMPLE_MODULE (FitGELU, fit_gelu)

static FitTensor *
fit_gelu_forward (FitModule  *module,
                  FitTensor  *input,
                  GError    **error)
{
  return fit_tensor_gelu (input);
}

/**
 * FitSigmoid:
 *
 * The logistic sigmoid, `1 / (1 + e⁻ˣ)`, element-wise ([method@Fit.Tensor.sigmoid]).
 *
 * Since: 1.0
 */

/**
 * fit_sigmoid_new:
 *
 * Creates a sigmoid activation.
 *
 * Returns: (transfer full): a new #FitSigmoid
 *
 * Since: 1.0
 */
DEFINE_SIMPLE_MODULE (FitSigmoid, fit_sigmoid)

static FitTensor *
fit_sigmoid_forward (FitModule  *module,
                     FitTensor  *input,
                     GError    **error)
{
  return fit_tensor_sigmoid (input);
}

/**
 * FitTanh:
 *
 * The hyperbolic tangent, element-wise ([method@Fit.Tensor.tanh]).
 *
 * Since: 1.0
 */

/**
 * fit_tanh_new:
 *
 * Creates a tanh activation.
 *
 * Returns: (transfer full): a new #FitTanh
 *
 * Since: 1.0
 */
DEFINE_SIMPLE_MODULE (FitTanh, fit_tanh)

static FitTensor *
fit_tanh_forward (FitModule  *module,
                  FitTensor  *input,
                  GError    **error)
{
  return fit_tensor_tanh (input);
}

/* ---- layers with one numeric property ---- */

/**
 * FitLeakyReLU:
 *
 * The leaky rectified linear unit: `x` for positive `x`, `negative-slope × x`
 * otherwise ([method@Fit.Tensor.leaky_relu]).
 *
 * Since: 1.0
 */
struct _FitLeakyReLU
{
  FitModule parent_instance;
  double    negative_slope;
};

enum {
  LEAKY_PROP_0,
  LEAKY_PROP_NEGATIVE_SLOPE,
  LEAKY_N_PROPS
};

static GParamSpec *leaky_properties[LEAKY_N_PROPS];

G_DEFINE_FINAL_TYPE (FitLeakyReLU, fit_leaky_relu, FIT_TYPE_MODULE)

static FitTensor *
fit_leaky_relu_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  return fit_tensor_leaky_relu (input, FIT_LEAKY_RELU (module)->negative_slope);
}

static void
fit_leaky_relu_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case LEAKY_PROP_NEGATIVE_SLOPE:
      g_value_set_double (value, FIT_LEAKY_RELU (object)->negative_slope);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_leaky_relu_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FitLeakyReLU *self = FIT_LEAKY_RELU (object);

  switch (prop_id)
    {
    case LEAKY_PROP_NEGATIVE_SLOPE:
      if (self->negative_slope != g_value_get_double (value))
        {
          self->negative_slope = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_leaky_relu_class_init (FitLeakyReLUClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_leaky_relu_get_property;
  object_class->set_property = fit_leaky_relu_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_leaky_relu_forward;

  /**
   * FitLeakyReLU:negative-slope:
   *
   * The factor applied to negative inputs.
   *
   * Since: 1.0
   */
  leaky_properties[LEAKY_PROP_NEGATIVE_SLOPE] =
    g_param_spec_double ("negative-slope", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.01,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, LEAKY_N_PROPS, leaky_properties);
}

static void
fit_leaky_relu_init (FitLeakyReLU *self)
{
}

/**
 * fit_leaky_relu_new:
 * @negative_slope: the factor for negative inputs (PyTorch's default is 0.01)
 *
 * Creates a leaky ReLU activation.
 *
 * Returns: (transfer full): a new #FitLeakyReLU
 *
 * Since: 1.0
 */
FitLeakyReLU *
fit_leaky_relu_new (double negative_slope)
{
  return g_object_new (FIT_TYPE_LEAKY_RELU, "negative-slope", negative_slope, NULL);
}

/* Softmax and LogSoftmax share a "dim" property. */

static int *dim_field (GObject *object);

enum {
  DIM_PROP_0,
  DIM_PROP_DIM,
  DIM_N_PROPS
};

static GParamSpec *
dim_pspec (void)
{
  return g_param_spec_int ("dim", NULL, NULL, -FIT_MAX_DIMS, FIT_MAX_DIMS - 1, -1,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS);
}

static void
dim_get_property (GObject    *object,
                  guint       prop_id,
                  GValue     *value,
                  GParamSpec *pspec)
{
  int *dim = dim_field (object);

  if (prop_id == DIM_PROP_DIM)
    g_value_set_int (value, *dim);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
dim_set_property (GObject      *object,
                  guint         prop_id,
                  const GValue *value,
                  GParamSpec   *pspec)
{
  int *dim = dim_field (object);

  if (prop_id != DIM_PROP_DIM)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else if (*dim != g_value_get_int (value))
    {
      *dim = g_value_get_int (value);
      g_object_notify_by_pspec (object, pspec);
    }
}

/**
 * FitSoftmax:
 *
 * Softmax along one dimension ([method@Fit.Tensor.softmax]): the outputs along
 * [property@Fit.Softmax:dim] are positive and sum to 1. For training a classifier, feed
 * the raw scores to [class@Fit.CrossEntropyLoss] instead, which is faster and stabler.
 *
 * Since: 1.0
 */
struct _FitSoftmax
{
  FitModule parent_instance;
  int       dim;
};

G_DEFINE_FINAL_TYPE (FitSoftmax, fit_softmax, FIT_TYPE_MODULE)

static FitTensor *
fit_softmax_forward (FitModule  *module,
                     FitTensor  *input,
                     GError    **error)
{
  return fit_tensor_softmax (input, FIT_SOFTMAX (module)->dim, error);
}

static void
fit_softmax_class_init (FitSoftmaxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dim_get_property;
  object_class->set_property = dim_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_softmax_forward;

  /**
   * FitSoftmax:dim:
   *
   * The dimension to normalise along; negative values count from the end.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, DIM_PROP_DIM, dim_pspec ());
}

static void
fit_softmax_init (FitSoftmax *self)
{
}

/**
 * fit_softmax_new:
 * @dim: the dimension to normalise along (-1 for the last)
 *
 * Creates a softmax layer along @dim.
 *
 * Returns: (transfer full): a new #FitSoftmax
 *
 * Since: 1.0
 */
FitSoftmax *
fit_softmax_new (int dim)
{
  return g_object_new (FIT_TYPE_SOFTMAX, "dim", dim, NULL);
}

/**
 * FitLogSoftmax:
 *
 * The logarithm of the softmax along one dimension, computed stably
 * ([method@Fit.Tensor.log_softmax]); pair it with [class@Fit.NLLLoss].
 *
 * Since: 1.0
 */
struct _FitLogSoftmax
{
  FitModule parent_instance;
  int       dim;
};

G_DEFINE_FINAL_TYPE (FitLogSoftmax, fit_log_softmax, FIT_TYPE_MODULE)

static FitTensor *
fit_log_softmax_forward (FitModule  *module,
                         FitTensor  *input,
                         GError    **error)
{
  return fit_tensor_log_softmax (input, FIT_LOG_SOFTMAX (module)->dim, error);
}

static void
fit_log_softmax_class_init (FitLogSoftmaxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dim_get_property;
  object_class->set_property = dim_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_log_softmax_forward;

  /**
   * FitLogSoftmax:dim:
   *
   * The dimension to normalise along; negative values count from the end.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, DIM_PROP_DIM, dim_pspec ());
}

static void
fit_log_softmax_init (FitLogSoftmax *self)
{
}

/**
 * fit_log_softmax_new:
 * @dim: the dimension to normalise along (-1 for the last)
 *
 * Creates a log-softmax layer along @dim.
 *
 * Returns: (transfer full): a new #FitLogSoftmax
 *
 * Since: 1.0
 */
FitLogSoftmax *
fit_log_softmax_new (int dim)
{
  return g_object_new (FIT_TYPE_LOG_SOFTMAX, "dim", dim, NULL);
}

/**
 * FitFlatten:
 *
 * Merges the dimensions from [property@Fit.Flatten:start-dim] to
 * [property@Fit.Flatten:end-dim] into one; by default everything but the batch
 * dimension, which turns `[N, C, H, W]` into `[N, C×H×W]` between convolutions and
 * fully connected layers. The result shares the input's data.
 *
 * Since: 1.0
 */
struct _FitFlatten
{
  FitModule parent_instance;
  int       start_dim;
  int       end_dim;
};

enum {
  FLATTEN_PROP_0,
  FLATTEN_PROP_START_DIM,
  FLATTEN_PROP_END_DIM,
  FLATTEN_N_PROPS
};

static GParamSpec *flatten_properties[FLATTEN_N_PROPS];

G_DEFINE_FINAL_TYPE (FitFlatten, fit_flatten, FIT_TYPE_MODULE)

static FitTensor *
fit_flatten_forward (FitModule  *module,
                     FitTensor  *input,
                     GError    **error)
{
  FitFlatten *self = FIT_FLATTEN (module);

  return fit_tensor_flatten (input, self->start_dim, self->end_dim, error);
}

static void
fit_flatten_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FitFlatten *self = FIT_FLATTEN (object);

  switch (prop_id)
    {
    case FLATTEN_PROP_START_DIM:
      g_value_set_int (value, self->start_dim);
      break;
    case FLATTEN_PROP_END_DIM:
      g_value_set_int (value, self->end_dim);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_flatten_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FitFlatten *self = FIT_FLATTEN (object);
  int *field;

  switch (prop_id)
    {
    case FLATTEN_PROP_START_DIM:
      field = &self->start_dim;
      break;
    case FLATTEN_PROP_END_DIM:
      field = &self->end_dim;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*field != g_value_get_int (value))
    {
      *field = g_value_get_int (value);
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
fit_flatten_class_init (FitFlattenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_flatten_get_property;
  object_class->set_property = fit_flatten_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_flatten_forward;

  /**
   * FitFlatten:start-dim:
   *
   * The first dimension to merge; negative values count from the end.
   *
   * Since: 1.0
   */
  flatten_properties[FLATTEN_PROP_START_DIM] =
    g_param_spec_int ("start-dim", NULL, NULL, -FIT_MAX_DIMS, FIT_MAX_DIMS - 1, 1,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS);

  /**
   * FitFlatten:end-dim:
   *
   * The last dimension to merge; negative values count from the end.
   *
   * Since: 1.0
   */
  flatten_properties[FLATTEN_PROP_END_DIM] =
    g_param_spec_int ("end-dim", NULL, NULL, -FIT_MAX_DIMS, FIT_MAX_DIMS - 1, -1,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, FLATTEN_N_PROPS, flatten_properties);
}

static void
fit_flatten_init (FitFlatten *self)
{
}

/**
 * fit_flatten_new:
 * @start_dim: the first dimension to merge (1 keeps the batch dimension)
 * @end_dim: the last dimension to merge (-1 for the last)
 *
 * Creates a layer that merges dimensions @start_dim to @end_dim.
 *
 * Returns: (transfer full): a new #FitFlatten
 *
 * Since: 1.0
 */
FitFlatten *
fit_flatten_new (int start_dim,
                 int end_dim)
{
  return g_object_new (FIT_TYPE_FLATTEN, "start-dim", start_dim, "end-dim", end_dim, NULL);
}

static int *
dim_field (GObject *object)
{
  return FIT_IS_SOFTMAX (object) ? &FIT_SOFTMAX (object)->dim : &FIT_LOG_SOFTMAX (object)->dim;
}
