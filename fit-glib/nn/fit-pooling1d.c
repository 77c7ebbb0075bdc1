/* fit-pooling1d.c: 1-D pooling layers through the 2-D pooling ops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

typedef struct
{
  FitModule parent_instance;

  int       kernel_size;
  int       stride;       /* 0 until constructed: then the kernel size */
  int       padding;
  gboolean  count_include_pad;
} Pool1dLayer;

/**
 * FitMaxPool1d:
 *
 * 1-D max pooling over inputs of shape `[N, C, L]` (or `[C, L]`), as PyTorch's
 * `nn.MaxPool1d`; padding counts as minus infinity. The stride defaults to the kernel
 * size.
 *
 * Since: 1.0
 */
struct _FitMaxPool1d
{
  Pool1dLayer pool;
};

/**
 * FitAvgPool1d:
 *
 * 1-D average pooling over inputs of shape `[N, C, L]` (or `[C, L]`), as PyTorch's
 * `nn.AvgPool1d`. With [property@Fit.AvgPool1d:count-include-pad] the zeros of the
 * padding count in the average. The stride defaults to the kernel size.
 *
 * Since: 1.0
 */
struct _FitAvgPool1d
{
  Pool1dLayer pool;
};

/**
 * FitAdaptiveAvgPool1d:
 *
 * Average pooling to a fixed output length whatever the input length, as PyTorch's
 * `nn.AdaptiveAvgPool1d`: output cell i averages input positions
 * `⌊i L / output-size⌋ … ⌈(i + 1) L / output-size⌉ - 1`. With an output size of 1 it
 * averages over time.
 *
 * Since: 1.0
 */
struct _FitAdaptiveAvgPool1d
{
  FitModule parent_instance;

  int       output_size;
};

enum {
  PROP_0,
  PROP_KERNEL_SIZE,
  PROP_STRIDE,
  PROP_PADDING,
  PROP_COUNT_INCLUDE_PAD,   /* average pooling only */
  N_PROPS
};

static GParamSpec *max_properties[N_PROPS];
static GParamSpec *avg_properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitMaxPool1d, fit_max_pool1d, FIT_TYPE_MODULE)
G_DEFINE_FINAL_TYPE (FitAvgPool1d, fit_avg_pool1d, FIT_TYPE_MODULE)
G_DEFINE_FINAL_TYPE (FitAdaptiveAvgPool1d, fit_adaptive_avg_pool1d, FIT_TYPE_MODULE)

static void
pool_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  Pool1dLayer *p = (Pool1dLayer *) object;

  switch (prop_id)
    {
    case PROP_KERNEL_SIZE: g_value_set_int (value, p->kernel_size); break;
    case PROP_STRIDE: g_value_set_int (value, p->stride); break;
    case PROP_PADDING: g_value_set_int (value, p->padding); break;
    case PROP_COUNT_INCLUDE_PAD: g_value_set_boolean (value, p->count_include_pad); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pool_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  Pool1dLayer *p = (Pool1dLayer *) object;

  switch (prop_id)
    {
    case PROP_KERNEL_SIZE: p->kernel_size = g_value_get_int (value); break;
    case PROP_STRIDE: p->stride = g_value_get_int (value); break;
    case PROP_PADDING: p->padding = g_value_get_int (value); break;
    case PROP_COUNT_INCLUDE_PAD: p->count_include_pad = g_value_get_boolean (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pool_install_properties (GObjectClass *object_class,
                         GParamSpec  **props,
                         gboolean      average)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  props[PROP_KERNEL_SIZE] =
    g_param_spec_int ("kernel-size", NULL, NULL, 1, G_MAXINT32, 2, flags);
  props[PROP_STRIDE] = g_param_spec_int ("stride", NULL, NULL, 0, G_MAXINT32, 0, flags);
  props[PROP_PADDING] = g_param_spec_int ("padding", NULL, NULL, 0, G_MAXINT32, 0, flags);
  if (average)
    props[PROP_COUNT_INCLUDE_PAD] =
      g_param_spec_boolean ("count-include-pad", NULL, NULL, TRUE, flags);
  g_object_class_install_properties (object_class, average ? N_PROPS : PROP_COUNT_INCLUDE_PAD,
                                     props);
}

/* Runs a 2-D pooling op on the [N, C, 1, L] (or [C, 1, L]) view of @input and drops
 * the unit dimension again: views both ways, so the 2-D op's kernels and backward do
 * all the work. */
typedef FitTensor *(*Pool2dFunc) (gpointer self, FitTensor *image, GError **error);

static FitTensor *
pool1d_forward (gpointer     self,
                const char  *layer,
                FitTensor   *input,
                Pool2dFunc   pool,
                GError     **error)
{
  g_autoptr(FitTensor) image = NULL;
  g_autoptr(FitTensor) out = NULL;

  if (!fit_nn_check_input (layer, input, 3, 2, -1, 0, error))
    return NULL;
  image = fit_tensor_unsqueeze (input, -2, error);
  if (image == NULL)
    return NULL;
  out = pool (self, image, error);
  if (out == NULL)
    return NULL;
  return fit_tensor_squeeze (out, -2, error);
}

/* ---- FitMaxPool1d ---- */

static void
fit_max_pool1d_constructed (GObject *object)
{
  Pool1dLayer *p = (Pool1dLayer *) object;

  G_OBJECT_CLASS (fit_max_pool1d_parent_class)->constructed (object);
  if (p->stride == 0)
    p->stride = p->kernel_size;
}

static FitTensor *
max_pool (gpointer    self,
          FitTensor  *image,
          GError    **error)
{
  Pool1dLayer *p = self;

  return fit_tensor_max_pool2d (image, 1, p->kernel_size, 1, p->stride, 0, p->padding, error);
}

static FitTensor *
fit_max_pool1d_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  return pool1d_forward (module, "FitMaxPool1d", input, max_pool, error);
}

static void
fit_max_pool1d_class_init (FitMaxPool1dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = fit_max_pool1d_constructed;
  object_class->get_property = pool_get_property;
  object_class->set_property = pool_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_max_pool1d_forward;

  /**
   * FitMaxPool1d:kernel-size:
   *
   * The window's length.
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool1d:stride:
   *
   * The step between windows (0 at construction: the kernel size).
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool1d:padding:
   *
   * The padding at both ends (at most half the kernel size).
   *
   * Since: 1.0
   */
  pool_install_properties (object_class, max_properties, FALSE);
}

static void
fit_max_pool1d_init (FitMaxPool1d *self)
{
}

/**
 * fit_max_pool1d_new:
 * @kernel_size: the window's length
 * @stride: the step between windows, or 0 for the kernel size
 * @padding: the padding at both ends
 *
 * Creates 1-D max pooling.
 *
 * Returns: (transfer full): a new #FitMaxPool1d
 *
 * Since: 1.0
 */
FitMaxPool1d *
fit_max_pool1d_new (int kernel_size,
                    int stride,
                    int padding)
{
  g_return_val_if_fail (kernel_size >= 1, NULL);
  g_return_val_if_fail (stride >= 0, NULL);
  g_return_val_if_fail (padding >= 0, NULL);

  return g_object_new (FIT_TYPE_MAX_POOL1D, "kernel-size", kernel_size, "stride", stride,
                       "padding", padding, NULL);
}

/* ---- FitAvgPool1d ---- */

static void
fit_avg_pool1d_constructed (GObject *object)
{
  Pool1dLayer *p = (Pool1dLayer *) object;

  G_OBJECT_CLASS (fit_avg_pool1d_parent_class)->constructed (object);
  if (p->stride == 0)
    p->stride = p->kernel_size;
}

static FitTensor *
avg_pool (gpointer    self,
          FitTensor  *image,
          GError    **error)
{
  Pool1dLayer *p = self;

  return fit_tensor_avg_pool2d (image, 1, p->kernel_size, 1, p->stride, 0, p->padding,
                                p->count_include_pad, error);
}

static FitTensor *
fit_avg_pool1d_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  return pool1d_forward (module, "FitAvgPool1d", input, avg_pool, error);
}

static void
fit_avg_pool1d_class_init (FitAvgPool1dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = fit_avg_pool1d_constructed;
  object_class->get_property = pool_get_property;
  object_class->set_property = pool_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_avg_pool1d_forward;

  /**
   * FitAvgPool1d:kernel-size:
   *
   * The window's length.
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool1d:stride:
   *
   * The step between windows (0 at construction: the kernel size).
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool1d:padding:
   *
   * The zero padding at both ends.
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool1d:count-include-pad:
   *
   * Whether padding zeros count in the average (PyTorch's default, %TRUE).
   *
   * Since: 1.0
   */
  pool_install_properties (object_class, avg_properties, TRUE);
}

static void
fit_avg_pool1d_init (FitAvgPool1d *self)
{
}

/**
 * fit_avg_pool1d_new:
 * @kernel_size: the window's length
 * @stride: the step between windows, or 0 for the kernel size
 * @padding: the zero padding at both ends
 *
 * Creates 1-D average pooling that counts padding in the average.
 *
 * Returns: (transfer full): a new #FitAvgPool1d
 *
 * Since: 1.0
 */
FitAvgPool1d *
fit_avg_pool1d_new (int kernel_size,
                    int stride,
                    int padding)
{
  return fit_avg_pool1d_new_full (kernel_size, stride, padding, TRUE);
}

/**
 * fit_avg_pool1d_new_full:
 * @kernel_size: the window's length
 * @stride: the step between windows, or 0 for the kernel size
 * @padding: the zero padding at both ends
 * @count_include_pad: whether padding zeros count in the average
 *
 * Creates 1-D average pooling with every option.
 *
 * Returns: (transfer full): a new #FitAvgPool1d
 *
 * Since: 1.0
 */
FitAvgPool1d *
fit_avg_pool1d_new_full (int      kernel_size,
                         int      stride,
                         int      padding,
                         gboolean count_include_pad)
{
  g_return_val_if_fail (kernel_size >= 1, NULL);
  g_return_val_if_fail (stride >= 0, NULL);
  g_return_val_if_fail (padding >= 0, NULL);

  return g_object_new (FIT_TYPE_AVG_POOL1D, "kernel-size", kernel_size, "stride", stride,
                       "padding", padding, "count-include-pad", count_include_pad, NULL);
}

/* ---- FitAdaptiveAvgPool1d ---- */

enum {
  ADAPTIVE_PROP_0,
  ADAPTIVE_PROP_OUTPUT_SIZE,
  ADAPTIVE_N_PROPS
};

static GParamSpec *adaptive_properties[ADAPTIVE_N_PROPS];

static void
fit_adaptive_avg_pool1d_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  FitAdaptiveAvgPool1d *self = FIT_ADAPTIVE_AVG_POOL1D (object);

  if (prop_id == ADAPTIVE_PROP_OUTPUT_SIZE)
    g_value_set_int (value, self->output_size);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_adaptive_avg_pool1d_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  FitAdaptiveAvgPool1d *self = FIT_ADAPTIVE_AVG_POOL1D (object);

  if (prop_id == ADAPTIVE_PROP_OUTPUT_SIZE)
    self->output_size = g_value_get_int (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static FitTensor *
adaptive_avg_pool (gpointer    self,
                   FitTensor  *image,
                   GError    **error)
{
  return fit_tensor_adaptive_avg_pool2d (image, 1, FIT_ADAPTIVE_AVG_POOL1D (self)->output_size,
                                         error);
}

static FitTensor *
fit_adaptive_avg_pool1d_forward (FitModule  *module,
                                 FitTensor  *input,
                                 GError    **error)
{
  return pool1d_forward (module, "FitAdaptiveAvgPool1d", input, adaptive_avg_pool, error);
}

static void
fit_adaptive_avg_pool1d_class_init (FitAdaptiveAvgPool1dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_adaptive_avg_pool1d_get_property;
  object_class->set_property = fit_adaptive_avg_pool1d_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_adaptive_avg_pool1d_forward;

  /**
   * FitAdaptiveAvgPool1d:output-size:
   *
   * The output's length.
   *
   * Since: 1.0
   */
  adaptive_properties[ADAPTIVE_PROP_OUTPUT_SIZE] =
    g_param_spec_int ("output-size", NULL, NULL, 1, G_MAXINT32, 1,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ADAPTIVE_N_PROPS, adaptive_properties);
}

static void
fit_adaptive_avg_pool1d_init (FitAdaptiveAvgPool1d *self)
{
}

/**
 * fit_adaptive_avg_pool1d_new:
 * @output_size: the output's length
 *
 * Creates adaptive average pooling to an output of @output_size positions.
 *
 * Returns: (transfer full): a new #FitAdaptiveAvgPool1d
 *
 * Since: 1.0
 */
FitAdaptiveAvgPool1d *
fit_adaptive_avg_pool1d_new (int output_size)
{
  g_return_val_if_fail (output_size >= 1, NULL);
  return g_object_new (FIT_TYPE_ADAPTIVE_AVG_POOL1D, "output-size", output_size, NULL);
}
