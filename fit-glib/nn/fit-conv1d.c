/* fit-conv1d.c: 1-D convolution through the 2-D convolution op
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitConv1d:
 *
 * A 1-D convolution over inputs of shape `[N, in-channels, L]` (or `[in-channels, L]`),
 * as PyTorch's `nn.Conv1d`, with stride, zero padding, dilation and groups. The weight
 * has shape `[out-channels, in-channels / groups, kernel-size]` and the bias
 * `[out-channels]`; both start from U(-1/√fan_in, 1/√fan_in) with fan_in =
 * in-channels / groups × kernel-size, as in PyTorch. Text CNNs run it over embedded
 * sequences laid out as `[N, embedding, T]`.
 *
 * Since: 1.0
 */
struct _FitConv1d
{
  FitModule  parent_instance;

  gint64     in_channels;
  gint64     out_channels;
  int        kernel_size;
  int        stride;
  int        padding;
  int        dilation;
  int        groups;
  gboolean   has_bias;
  FitRng    *rng;         /* construction only */
  FitTensor *weight;
  FitTensor *bias;
};

enum {
  PROP_0,
  PROP_IN_CHANNELS,
  PROP_OUT_CHANNELS,
  PROP_KERNEL_SIZE,
  PROP_STRIDE,
  PROP_PADDING,
  PROP_DILATION,
  PROP_GROUPS,
  PROP_BIAS,
  PROP_RNG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitConv1d, fit_conv1d, FIT_TYPE_MODULE)

static int *
int_field (FitConv1d *self,
           guint      prop_id)
{
  switch (prop_id)
    {
    case PROP_KERNEL_SIZE: return &self->kernel_size;
    case PROP_STRIDE: return &self->stride;
    case PROP_PADDING: return &self->padding;
    case PROP_DILATION: return &self->dilation;
    case PROP_GROUPS: return &self->groups;
    default: return NULL;
    }
}

static void
fit_conv1d_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FitConv1d *self = FIT_CONV1D (object);
  int *field = int_field (self, prop_id);

  if (field != NULL)
    g_value_set_int (value, *field);
  else if (prop_id == PROP_IN_CHANNELS)
    g_value_set_int64 (value, self->in_channels);
  else if (prop_id == PROP_OUT_CHANNELS)
    g_value_set_int64 (value, self->out_channels);
  else if (prop_id == PROP_BIAS)
    g_value_set_boolean (value, self->has_bias);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_conv1d_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FitConv1d *self = FIT_CONV1D (object);
  int *field = int_field (self, prop_id);

  if (field != NULL)
    *field = g_value_get_int (value);
  else if (prop_id == PROP_IN_CHANNELS)
    self->in_channels = g_value_get_int64 (value);
  else if (prop_id == PROP_OUT_CHANNELS)
    self->out_channels = g_value_get_int64 (value);
  else if (prop_id == PROP_BIAS)
    self->has_bias = g_value_get_boolean (value);
  else if (prop_id == PROP_RNG)
    g_set_object (&self->rng, g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_conv1d_dispose (GObject *object)
{
  FitConv1d *self = FIT_CONV1D (object);

  g_clear_object (&self->weight);
  g_clear_object (&self->bias);
  g_clear_object (&self->rng);
  G_OBJECT_CLASS (fit_conv1d_parent_class)->dispose (object);
}

static void
fit_conv1d_constructed (GObject *object)
{
  FitConv1d *self = FIT_CONV1D (object);
  g_autoptr(FitRng) rng = NULL;
  gint64 shape[3];

  G_OBJECT_CLASS (fit_conv1d_parent_class)->constructed (object);

  if (self->groups < 1 || self->in_channels % self->groups != 0 ||
      self->out_channels % self->groups != 0)
    {
      g_critical ("FitConv1d: in-channels (%" G_GINT64_FORMAT ") and out-channels (%"
                  G_GINT64_FORMAT ") must be multiples of groups (%d)",
                  self->in_channels, self->out_channels, self->groups);
      self->groups = 1;
    }
  rng = fit_nn_resolve_rng (self->rng);
  shape[0] = self->out_channels;
  shape[1] = self->in_channels / self->groups;
  shape[2] = self->kernel_size;
  self->weight = fit_nn_new_param ("FitConv1d", shape, 3);
  if (self->has_bias)
    self->bias = fit_nn_new_param ("FitConv1d", &self->out_channels, 1);
  fit_nn_init_linear_like (self->weight, self->bias, (double) shape[1] * (double) shape[2], rng);
  fit_module_add_parameter (FIT_MODULE (self), "weight", self->weight);
  if (self->bias != NULL)
    fit_module_add_parameter (FIT_MODULE (self), "bias", self->bias);
  g_clear_object (&self->rng);
}

/* The convolution is conv2d over a [N, C, 1, L] view with a [O, C/g, 1, k] view of the
 * weight: both are reshapes of contiguous tensors, so nothing is copied here, and the
 * views' backward hands conv2d's gradients back in the 1-D shapes. */
static FitTensor *
fit_conv1d_forward (FitModule  *module,
                    FitTensor  *input,
                    GError    **error)
{
  FitConv1d *self = FIT_CONV1D (module);
  g_autoptr(FitTensor) image = NULL;
  g_autoptr(FitTensor) kernel = NULL;
  g_autoptr(FitTensor) out = NULL;

  if (!fit_nn_check_input ("FitConv1d", input, 3, 2, input->n_dims - 2, self->in_channels,
                           error))
    return NULL;
  image = fit_tensor_unsqueeze (input, -2, error);
  if (image == NULL)
    return NULL;
  kernel = fit_tensor_unsqueeze (self->weight, 2, error);
  if (kernel == NULL)
    return NULL;
  out = fit_tensor_conv2d (image, kernel, self->bias, 1, self->stride, 0, self->padding, 1,
                           self->dilation, self->groups, error);
  if (out == NULL)
    return NULL;
  return fit_tensor_squeeze (out, -2, error);
}

static void
fit_conv1d_class_init (FitConv1dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fit_conv1d_dispose;
  object_class->constructed = fit_conv1d_constructed;
  object_class->get_property = fit_conv1d_get_property;
  object_class->set_property = fit_conv1d_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_conv1d_forward;

  /**
   * FitConv1d:in-channels:
   *
   * The number of input channels (the dimension before the length).
   *
   * Since: 1.0
   */
  properties[PROP_IN_CHANNELS] =
    g_param_spec_int64 ("in-channels", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitConv1d:out-channels:
   *
   * The number of output channels.
   *
   * Since: 1.0
   */
  properties[PROP_OUT_CHANNELS] =
    g_param_spec_int64 ("out-channels", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitConv1d:kernel-size:
   *
   * The kernel's length.
   *
   * Since: 1.0
   */
  properties[PROP_KERNEL_SIZE] =
    g_param_spec_int ("kernel-size", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitConv1d:stride:
   *
   * The step between output positions.
   *
   * Since: 1.0
   */
  properties[PROP_STRIDE] = g_param_spec_int ("stride", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitConv1d:padding:
   *
   * The zeros added at both ends of the input.
   *
   * Since: 1.0
   */
  properties[PROP_PADDING] = g_param_spec_int ("padding", NULL, NULL, 0, G_MAXINT32, 0, flags);

  /**
   * FitConv1d:dilation:
   *
   * The spacing of the kernel's taps.
   *
   * Since: 1.0
   */
  properties[PROP_DILATION] =
    g_param_spec_int ("dilation", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitConv1d:groups:
   *
   * The number of groups that channels are split into; each group of output channels
   * sees only its group of input channels.
   *
   * Since: 1.0
   */
  properties[PROP_GROUPS] = g_param_spec_int ("groups", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitConv1d:bias:
   *
   * Whether the layer adds a learned bias per output channel.
   *
   * Since: 1.0
   */
  properties[PROP_BIAS] = g_param_spec_boolean ("bias", NULL, NULL, TRUE, flags);

  /**
   * FitConv1d:rng:
   *
   * The generator for the initial weights, or %NULL for one forked from
   * [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  properties[PROP_RNG] =
    g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_conv1d_init (FitConv1d *self)
{
}

/**
 * fit_conv1d_new:
 * @in_channels: the number of input channels
 * @out_channels: the number of output channels
 * @kernel_size: the kernel's length
 * @stride: the step between output positions
 * @padding: the zeros added at both ends
 * @rng: (nullable): the generator for the initial weights, or %NULL for one forked
 *   from [func@Fit.init_get_default_rng]
 *
 * Creates a 1-D convolution with no dilation, one group and a bias.
 *
 * Returns: (transfer full): a new #FitConv1d
 *
 * Since: 1.0
 */
FitConv1d *
fit_conv1d_new (gint64  in_channels,
                gint64  out_channels,
                int     kernel_size,
                int     stride,
                int     padding,
                FitRng *rng)
{
  return fit_conv1d_new_full (in_channels, out_channels, kernel_size, stride, padding, 1, 1,
                              TRUE, rng);
}

/**
 * fit_conv1d_new_full:
 * @in_channels: the number of input channels
 * @out_channels: the number of output channels
 * @kernel_size: the kernel's length
 * @stride: the step between output positions
 * @padding: the zeros added at both ends
 * @dilation: the spacing of the kernel's taps
 * @groups: the number of channel groups (dividing both channel counts)
 * @bias: whether to add a learned bias
 * @rng: (nullable): the generator for the initial weights, or %NULL
 *
 * Creates a 1-D convolution with every option.
 *
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
 *
 * Returns: (transfer full): a new #FitConv1d
 *
 * Since: 1.0
 */
FitConv1d *
fit_conv1d_new_full (gint64    in_channels,
                     gint64    out_channels,
                     int       kernel_size,
                     int       stride,
                     int       padding,
                     int       dilation,
                     int       groups,
                     gboolean  bias,
                     FitRng   *rng)
{
  g_return_val_if_fail (groups >= 1, NULL);
  g_return_val_if_fail (in_channels >= 1 && in_channels % groups == 0, NULL);
  g_return_val_if_fail (out_channels >= 1 && out_channels % groups == 0, NULL);
  g_return_val_if_fail (kernel_size >= 1, NULL);
  g_return_val_if_fail (stride >= 1, NULL);
  g_return_val_if_fail (padding >= 0, NULL);
  g_return_val_if_fail (dilation >= 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);

  return g_object_new (FIT_TYPE_CONV1D,
                       "in-channels", in_channels, "out-channels", out_channels,
                       "kernel-size", kernel_size, "stride", stride, "padding", padding,
                       "dilation", dilation, "groups", groups, "bias", bias, "rng", rng,
                       NULL);
}

/**
 * fit_conv1d_get_weight:
 * @self: a #FitConv1d
 *
 * Gets the weight.
 *
 * Returns: (transfer none): the weight, `[out-channels, in-channels / groups,
 *   kernel-size]`
 *
 * Since: 1.0
 */
FitTensor *
fit_conv1d_get_weight (FitConv1d *self)
{
  g_return_val_if_fail (FIT_IS_CONV1D (self), NULL);
  return self->weight;
}

/**
 * fit_conv1d_get_bias:
 * @self: a #FitConv1d
 *
 * Gets the bias.
 *
 * Returns: (transfer none) (nullable): the bias, `[out-channels]`, or %NULL
 *
 * Since: 1.0
 */
FitTensor *
fit_conv1d_get_bias (FitConv1d *self)
{
  g_return_val_if_fail (FIT_IS_CONV1D (self), NULL);
  return self->bias;
}
