/* fit-conv2d.c: 2-D convolution and transposed convolution layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/* What both layers share; the instance structs start with it. */
typedef struct
{
  FitModule  parent_instance;

  gint64     in_channels;
  gint64     out_channels;
  int        kernel[2];
  int        stride[2];
  int        padding[2];
  int        output_padding[2];   /* transposed only */
  int        dilation[2];
  int        groups;
  gboolean   has_bias;
  FitRng    *rng;                 /* construction only */
  FitTensor *weight;
  FitTensor *bias;
} ConvLayer;

/**
 * FitConv2d:
 *
 * A 2-D convolution over inputs of shape `[N, in-channels, H, W]` (or `[in-channels, H,
 * W]`), as PyTorch's `nn.Conv2d`, with stride, zero padding, dilation and groups
 * (groups = in-channels = out-channels gives a depth-wise convolution). The weight has
 * shape `[out-channels, in-channels / groups, kernel-h, kernel-w]` and the bias
 * `[out-channels]`; both start from U(-1/√fan_in, 1/√fan_in) with fan_in =
 * in-channels / groups × kernel-h × kernel-w, as in PyTorch.
 *
 * How the convolution is computed is described at [method@Fit.Tensor.conv2d]. In a
 * [class@Fit.Sequential], a convolution directly followed by a [class@Fit.ReLU] runs
 * with it as one operation, with the same results.
 *
 * Since: 1.0
 */
struct _FitConv2d
{
  ConvLayer conv;
};

/**
 * FitConvTranspose2d:
 *
 * A 2-D transposed convolution (the gradient of a convolution with respect to its
 * input, used to upsample), as PyTorch's `nn.ConvTranspose2d`. The weight has shape
 * `[in-channels, out-channels / groups, kernel-h, kernel-w]`; the output size is
 * `(H - 1) × stride - 2 × padding + dilation × (kernel - 1) + output-padding + 1`.
 *
 * Since: 1.0
 */
struct _FitConvTranspose2d
{
  ConvLayer conv;
};

enum {
  PROP_0,
  PROP_IN_CHANNELS,
  PROP_OUT_CHANNELS,
  PROP_KERNEL_H,
  PROP_KERNEL_W,
  PROP_STRIDE_H,
  PROP_STRIDE_W,
  PROP_PADDING_H,
  PROP_PADDING_W,
  PROP_DILATION_H,
  PROP_DILATION_W,
  PROP_GROUPS,
  PROP_BIAS,
  PROP_RNG,
  PROP_OUTPUT_PADDING_H,   /* transposed only */
  PROP_OUTPUT_PADDING_W,
  N_PROPS
};

static GParamSpec *conv_properties[N_PROPS];
static GParamSpec *transpose_properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitConv2d, fit_conv2d, FIT_TYPE_MODULE)
G_DEFINE_FINAL_TYPE (FitConvTranspose2d, fit_conv_transpose2d, FIT_TYPE_MODULE)

static int *
int_field (ConvLayer *c,
           guint      prop_id)
{
  switch (prop_id)
    {
    case PROP_KERNEL_H: return &c->kernel[0];
    case PROP_KERNEL_W: return &c->kernel[1];
    case PROP_STRIDE_H: return &c->stride[0];
    case PROP_STRIDE_W: return &c->stride[1];
    case PROP_PADDING_H: return &c->padding[0];
    case PROP_PADDING_W: return &c->padding[1];
    case PROP_DILATION_H: return &c->dilation[0];
    case PROP_DILATION_W: return &c->dilation[1];
    case PROP_GROUPS: return &c->groups;
    case PROP_OUTPUT_PADDING_H: return &c->output_padding[0];
    case PROP_OUTPUT_PADDING_W: return &c->output_padding[1];
    default: return NULL;
    }
}

static void
conv_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  ConvLayer *c = (ConvLayer *) object;
  int *field = int_field (c, prop_id);

  if (field != NULL)
    g_value_set_int (value, *field);
  else if (prop_id == PROP_IN_CHANNELS)
    g_value_set_int64 (value, c->in_channels);
  else if (prop_id == PROP_OUT_CHANNELS)
    g_value_set_int64 (value, c->out_channels);
  else if (prop_id == PROP_BIAS)
    g_value_set_boolean (value, c->has_bias);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
conv_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  ConvLayer *c = (ConvLayer *) object;
  int *field = int_field (c, prop_id);

  if (field != NULL)
    *field = g_value_get_int (value);
  else if (prop_id == PROP_IN_CHANNELS)
    c->in_channels = g_value_get_int64 (value);
  else if (prop_id == PROP_OUT_CHANNELS)
    c->out_channels = g_value_get_int64 (value);
  else if (prop_id == PROP_BIAS)
    c->has_bias = g_value_get_boolean (value);
  else if (prop_id == PROP_RNG)
    g_set_object (&c->rng, g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
conv_dispose (ConvLayer *c)
{
  g_clear_object (&c->weight);
  g_clear_object (&c->bias);
  g_clear_object (&c->rng);
}

static void
conv_create_params (ConvLayer *c,
                    gboolean   transposed)
{
  g_autoptr(FitRng) rng = fit_nn_resolve_rng (c->rng);
  gint64 shape[4];
  const char *layer = transposed ? "FitConvTranspose2d" : "FitConv2d";
  double fan_in;

  if (c->groups < 1 || c->in_channels % c->groups != 0 || c->out_channels % c->groups != 0)
    {
      g_critical ("%s: in-channels (%" G_GINT64_FORMAT ") and out-channels (%" G_GINT64_FORMAT
                  ") must be multiples of groups (%d)",
                  layer, c->in_channels, c->out_channels, c->groups);
      c->groups = 1;
    }
  shape[0] = transposed ? c->in_channels : c->out_channels;
  shape[1] = (transposed ? c->out_channels : c->in_channels) / c->groups;
  shape[2] = c->kernel[0];
  shape[3] = c->kernel[1];
  /* In double: the sizes may multiply past an int64 (fit_nn_new_param() then refuses the
   * weight). */
  fan_in = (double) shape[1] * (double) shape[2] * (double) shape[3];

  c->weight = fit_nn_new_param (layer, shape, 4);
  if (c->has_bias)
    c->bias = fit_nn_new_param (layer, &c->out_channels, 1);
  fit_nn_init_linear_like (c->weight, c->bias, fan_in, rng);
  fit_module_add_parameter (FIT_MODULE (c), "weight", c->weight);
  if (c->bias != NULL)
    fit_module_add_parameter (FIT_MODULE (c), "bias", c->bias);
  g_clear_object (&c->rng);
}

/* Runs @c's convolution on a 4-D input, or on a 3-D one seen as a batch of one. */
static FitTensor *
conv_forward (ConvLayer   *c,
              const char  *layer,
              FitTensor   *input,
              gboolean     transposed,
              gboolean     relu,
              GError     **error)
{
  g_autoptr(FitTensor) batched = NULL;
  FitTensor *out;

  if (!fit_nn_check_input (layer, input, 4, 3, input->n_dims - 3, c->in_channels, error))
    return NULL;
  if (input->n_dims == 3)
    {
      gint64 shape[4] = { 1, input->shape[0], input->shape[1], input->shape[2] };

      batched = fit_tensor_reshape (input, shape, 4, error);
      if (batched == NULL)
        return NULL;
    }
  else
    batched = g_object_ref (input);

  if (transposed)
    out = fit_tensor_conv_transpose2d (batched, c->weight, c->bias, c->stride[0], c->stride[1],
                                       c->padding[0], c->padding[1], c->output_padding[0],
                                       c->output_padding[1], c->dilation[0], c->dilation[1],
                                       c->groups, error);
  else
    out = fit_tensor_conv2d_relu (batched, c->weight, c->bias, c->stride[0], c->stride[1],
                                  c->padding[0], c->padding[1], c->dilation[0],
                                  c->dilation[1], c->groups, relu, error);
  if (out != NULL && input->n_dims == 3)
    {
      FitTensor *unbatched = fit_tensor_reshape (out, out->shape + 1, 3, error);

      g_object_unref (out);
      out = unbatched;
    }
  return out;
}

static void
install_properties (GObjectClass *object_class,
                    GParamSpec  **props,
                    gboolean      transposed)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  struct { guint id; const char *name; int min, def; } ints[] = {
    { PROP_KERNEL_H, "kernel-h", 1, 1 },
    { PROP_KERNEL_W, "kernel-w", 1, 1 },
    { PROP_STRIDE_H, "stride-h", 1, 1 },
    { PROP_STRIDE_W, "stride-w", 1, 1 },
    { PROP_PADDING_H, "padding-h", 0, 0 },
    { PROP_PADDING_W, "padding-w", 0, 0 },
    { PROP_DILATION_H, "dilation-h", 1, 1 },
    { PROP_DILATION_W, "dilation-w", 1, 1 },
    { PROP_GROUPS, "groups", 1, 1 },
    { PROP_OUTPUT_PADDING_H, "output-padding-h", 0, 0 },
    { PROP_OUTPUT_PADDING_W, "output-padding-w", 0, 0 },
  };

  props[PROP_IN_CHANNELS] =
    g_param_spec_int64 ("in-channels", NULL, NULL, 1, G_MAXINT32, 1, flags);
  props[PROP_OUT_CHANNELS] =
    g_param_spec_int64 ("out-channels", NULL, NULL, 1, G_MAXINT32, 1, flags);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    if (transposed || ints[i].id < PROP_OUTPUT_PADDING_H)
      props[ints[i].id] = g_param_spec_int (ints[i].name, NULL, NULL, ints[i].min, G_MAXINT32,
                                            ints[i].def, flags);
  props[PROP_BIAS] = g_param_spec_boolean ("bias", NULL, NULL, TRUE, flags);
  props[PROP_RNG] =
    g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, transposed ? N_PROPS : PROP_OUTPUT_PADDING_H,
                                     props);
}

/* ---- FitConv2d ---- */

static void
fit_conv2d_dispose (GObject *object)
{
  conv_dispose ((ConvLayer *) object);
  G_OBJECT_CLASS (fit_conv2d_parent_class)->dispose (object);
}

static void
fit_conv2d_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_conv2d_parent_class)->constructed (object);
  conv_create_params ((ConvLayer *) object, FALSE);
}

static FitTensor *
fit_conv2d_forward (FitModule  *module,
                    FitTensor  *input,
                    GError    **error)
{
  return conv_forward ((ConvLayer *) module, "FitConv2d", input, FALSE, FALSE, error);
}

FitTensor *
fit_conv2d_forward_relu (FitConv2d  *self,
                         FitTensor  *input,
                         GError    **error)
{
  return conv_forward ((ConvLayer *) self, "FitConv2d", input, FALSE, TRUE, error);
}

static void
fit_conv2d_class_init (FitConv2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_conv2d_dispose;
  object_class->constructed = fit_conv2d_constructed;
  object_class->get_property = conv_get_property;
  object_class->set_property = conv_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_conv2d_forward;

  /**
   * FitConv2d:in-channels:
   *
   * The number of input channels (dimension 1 of the input).
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:out-channels:
   *
   * The number of output channels.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:kernel-h:
   *
   * The kernel's height.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:kernel-w:
   *
   * The kernel's width.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:stride-h:
   *
   * The vertical step between output positions.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:stride-w:
   *
   * The horizontal step between output positions.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:padding-h:
   *
   * The zeros added above and below the input.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:padding-w:
   *
   * The zeros added left and right of the input.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:dilation-h:
   *
   * The vertical spacing of the kernel's taps.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:dilation-w:
   *
   * The horizontal spacing of the kernel's taps.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:groups:
   *
   * The number of groups that channels are split into; each group of output channels
   * sees only its group of input channels.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:bias:
   *
   * Whether the layer adds a learned bias per output channel.
   *
   * Since: 1.0
   */
  /**
   * FitConv2d:rng:
   *
   * The generator for the initial weights, or %NULL for one forked from
   * [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  install_properties (object_class, conv_properties, FALSE);
}

static void
fit_conv2d_init (FitConv2d *self)
{
}

/**
 * fit_conv2d_new:
 * @in_channels: the number of input channels
 * @out_channels: the number of output channels
 * @kernel_size: the kernel's height and width
 * @stride: the step between output positions in both directions
 * @padding: the zeros added on every side
 * @rng: (nullable): the generator for the initial weights, or %NULL for one forked
 *   from [func@Fit.init_get_default_rng]
 *
 * Creates a convolution with a square kernel, no dilation, one group and a bias.
 *
 * Returns: (transfer full): a new #FitConv2d
 *
 * Since: 1.0
 */
FitConv2d *
fit_conv2d_new (gint64  in_channels,
                gint64  out_channels,
                int     kernel_size,
                int     stride,
                int     padding,
                FitRng *rng)
{
  return fit_conv2d_new_full (in_channels, out_channels, kernel_size, kernel_size, stride,
                              stride, padding, padding, 1, 1, 1, TRUE, rng);
}

/**
 * fit_conv2d_new_full:
 * @in_channels: the number of input channels
 * @out_channels: the number of output channels
 * @kernel_h: the kernel's height
 * @kernel_w: the kernel's width
 * @stride_h: the vertical step
 * @stride_w: the horizontal step
 * @padding_h: the zeros added above and below
 * @padding_w: the zeros added left and right
 * @dilation_h: the vertical spacing of the kernel's taps
 * @dilation_w: the horizontal spacing of the kernel's taps
 * @groups: the number of channel groups (dividing both channel counts)
 * @bias: whether to add a learned bias
 * @rng: (nullable): the generator for the initial weights, or %NULL
 *
 * Creates a convolution with every option.
 *
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
 *
 * Returns: (transfer full): a new #FitConv2d
 *
 * Since: 1.0
 */
FitConv2d *
fit_conv2d_new_full (gint64    in_channels,
                     gint64    out_channels,
                     int       kernel_h,
                     int       kernel_w,
                     int       stride_h,
                     int       stride_w,
                     int       padding_h,
                     int       padding_w,
                     int       dilation_h,
                     int       dilation_w,
                     int       groups,
                     gboolean  bias,
                     FitRng   *rng)
{
  g_return_val_if_fail (groups >= 1, NULL);
  g_return_val_if_fail (in_channels >= 1 && in_channels % groups == 0, NULL);
  g_return_val_if_fail (out_channels >= 1 && out_channels % groups == 0, NULL);
  g_return_val_if_fail (kernel_h >= 1 && kernel_w >= 1, NULL);
  g_return_val_if_fail (stride_h >= 1 && stride_w >= 1, NULL);
  g_return_val_if_fail (padding_h >= 0 && padding_w >= 0, NULL);
  g_return_val_if_fail (dilation_h >= 1 && dilation_w >= 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);

  return g_object_new (FIT_TYPE_CONV2D,
                       "in-channels", in_channels, "out-channels", out_channels,
                       "kernel-h", kernel_h, "kernel-w", kernel_w,
                       "stride-h", stride_h, "stride-w", stride_w,
                       "padding-h", padding_h, "padding-w", padding_w,
                       "dilation-h", dilation_h, "dilation-w", dilation_w,
                       "groups", groups, "bias", bias, "rng", rng,
                       NULL);
}

/**
 * fit_conv2d_get_weight:
 * @self: a #FitConv2d
 *
 * Gets the weight.
 *
 * Returns: (transfer none): the weight, `[out-channels, in-channels / groups, kernel-h,
 *   kernel-w]`
 *
 * Since: 1.0
 */
FitTensor *
fit_conv2d_get_weight (FitConv2d *self)
{
  g_return_val_if_fail (FIT_IS_CONV2D (self), NULL);
  return self->conv.weight;
}

/**
 * fit_conv2d_get_bias:
 * @self: a #FitConv2d
 *
 * Gets the bias.
 *
 * Returns: (transfer none) (nullable): the bias, `[out-channels]`, or %NULL
 *
 * Since: 1.0
 */
FitTensor *
fit_conv2d_get_bias (FitConv2d *self)
{
  g_return_val_if_fail (FIT_IS_CONV2D (self), NULL);
  return self->conv.bias;
}

/* ---- FitConvTranspose2d ---- */

static void
fit_conv_transpose2d_dispose (GObject *object)
{
  conv_dispose ((ConvLayer *) object);
  G_OBJECT_CLASS (fit_conv_transpose2d_parent_class)->dispose (object);
}

static void
fit_conv_transpose2d_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_conv_transpose2d_parent_class)->constructed (object);
  conv_create_params ((ConvLayer *) object, TRUE);
}

static FitTensor *
fit_conv_transpose2d_forward (FitModule  *module,
                              FitTensor  *input,
                              GError    **error)
{
  return conv_forward ((ConvLayer *) module, "FitConvTranspose2d", input, TRUE, FALSE,
                       error);
}

static void
fit_conv_transpose2d_class_init (FitConvTranspose2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_conv_transpose2d_dispose;
  object_class->constructed = fit_conv_transpose2d_constructed;
  object_class->get_property = conv_get_property;
  object_class->set_property = conv_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_conv_transpose2d_forward;

  /**
   * FitConvTranspose2d:in-channels:
   *
   * The number of input channels.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:out-channels:
   *
   * The number of output channels.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:kernel-h:
   *
   * The kernel's height.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:kernel-w:
   *
   * The kernel's width.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:stride-h:
   *
   * The vertical upsampling factor.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:stride-w:
   *
   * The horizontal upsampling factor.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:padding-h:
   *
   * The rows removed from the top and bottom of the full output.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:padding-w:
   *
   * The columns removed from the left and right of the full output.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:output-padding-h:
   *
   * Rows added at the bottom of the output, to pick one of the output sizes that a
   * strided convolution maps to the same input size.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:output-padding-w:
   *
   * Columns added at the right of the output.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:dilation-h:
   *
   * The vertical spacing of the kernel's taps.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:dilation-w:
   *
   * The horizontal spacing of the kernel's taps.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:groups:
   *
   * The number of channel groups.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:bias:
   *
   * Whether the layer adds a learned bias per output channel.
   *
   * Since: 1.0
   */
  /**
   * FitConvTranspose2d:rng:
   *
   * The generator for the initial weights, or %NULL for one forked from
   * [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  install_properties (object_class, transpose_properties, TRUE);
}

static void
fit_conv_transpose2d_init (FitConvTranspose2d *self)
{
}

/**
 * fit_conv_transpose2d_new:
 * @in_channels: the number of input channels
 * @out_channels: the number of output channels
 * @kernel_size: the kernel's height and width
 * @stride: the upsampling factor in both directions
 * @padding: the rows and columns removed from each side of the full output
 * @rng: (nullable): the generator for the initial weights, or %NULL
 *
 * Creates a transposed convolution with a square kernel, no output padding, no
 * dilation, one group and a bias.
 *
 * Returns: (transfer full): a new #FitConvTranspose2d
 *
 * Since: 1.0
 */
FitConvTranspose2d *
fit_conv_transpose2d_new (gint64  in_channels,
                          gint64  out_channels,
                          int     kernel_size,
                          int     stride,
                          int     padding,
                          FitRng *rng)
{
  return fit_conv_transpose2d_new_full (in_channels, out_channels, kernel_size, kernel_size,
                                        stride, stride, padding, padding, 0, 0, 1, 1, 1, TRUE,
                                        rng);
}

/**
 * fit_conv_transpose2d_new_full:
 * @in_channels: the number of input channels
 * @out_channels: the number of output channels
 * @kernel_h: the kernel's height
 * @kernel_w: the kernel's width
 * @stride_h: the vertical upsampling factor
 * @stride_w: the horizontal upsampling factor
 * @padding_h: rows removed from the top and bottom of the full output
 * @padding_w: columns removed from the left and right
 * @output_padding_h: rows added at the bottom (less than the stride or the dilation)
 * @output_padding_w: columns added at the right
 * @dilation_h: the vertical spacing of the kernel's taps
 * @dilation_w: the horizontal spacing of the kernel's taps
 * @groups: the number of channel groups (dividing both channel counts)
 * @bias: whether to add a learned bias
 * @rng: (nullable): the generator for the initial weights, or %NULL
 *
 * Creates a transposed convolution with every option.
 *
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
 *
 * Returns: (transfer full): a new #FitConvTranspose2d
 *
 * Since: 1.0
 */
FitConvTranspose2d *
fit_conv_transpose2d_new_full (gint64    in_channels,
                               gint64    out_channels,
                               int       kernel_h,
                               int       kernel_w,
                               int       stride_h,
                               int       stride_w,
                               int       padding_h,
                               int       padding_w,
                               int       output_padding_h,
                               int       output_padding_w,
                               int       dilation_h,
                               int       dilation_w,
                               int       groups,
                               gboolean  bias,
                               FitRng   *rng)
{
  g_return_val_if_fail (groups >= 1, NULL);
  g_return_val_if_fail (in_channels >= 1 && in_channels % groups == 0, NULL);
  g_return_val_if_fail (out_channels >= 1 && out_channels % groups == 0, NULL);
  g_return_val_if_fail (kernel_h >= 1 && kernel_w >= 1, NULL);
  g_return_val_if_fail (stride_h >= 1 && stride_w >= 1, NULL);
  g_return_val_if_fail (padding_h >= 0 && padding_w >= 0, NULL);
  g_return_val_if_fail (output_padding_h >= 0 && output_padding_w >= 0, NULL);
  g_return_val_if_fail (dilation_h >= 1 && dilation_w >= 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);

  return g_object_new (FIT_TYPE_CONV_TRANSPOSE2D,
                       "in-channels", in_channels, "out-channels", out_channels,
                       "kernel-h", kernel_h, "kernel-w", kernel_w,
                       "stride-h", stride_h, "stride-w", stride_w,
                       "padding-h", padding_h, "padding-w", padding_w,
                       "output-padding-h", output_padding_h,
                       "output-padding-w", output_padding_w,
                       "dilation-h", dilation_h, "dilation-w", dilation_w,
                       "groups", groups, "bias", bias, "rng", rng,
                       NULL);
}

/**
 * fit_conv_transpose2d_get_weight:
 * @self: a #FitConvTranspose2d
 *
 * Gets the weight.
 *
 * Returns: (transfer none): the weight, `[in-channels, out-channels / groups, kernel-h,
 *   kernel-w]`
 *
 * Since: 1.0
 */
FitTensor *
fit_conv_transpose2d_get_weight (FitConvTranspose2d *self)
{
  g_return_val_if_fail (FIT_IS_CONV_TRANSPOSE2D (self), NULL);
  return self->conv.weight;
}

/**
 * fit_conv_transpose2d_get_bias:
 * @self: a #FitConvTranspose2d
 *
 * Gets the bias.
 *
 * Returns: (transfer none) (nullable): the bias, `[out-channels]`, or %NULL
 *
 * Since: 1.0
 */
FitTensor *
fit_conv_transpose2d_get_bias (FitConvTranspose2d *self)
{
  g_return_val_if_fail (FIT_IS_CONV_TRANSPOSE2D (self), NULL);
  return self->conv.bias;
}
