/* fit-pooling.c: pooling layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

typedef struct
{
  FitModule parent_instance;

  int       kernel[2];
  int       stride[2];    /* 0 until constructed: then the kernel size */
  int       padding[2];
  gboolean  count_include_pad;
} PoolLayer;

/**
 * FitMaxPool2d:
 *
 * 2-D max pooling over inputs of shape `[N, C, H, W]` (or `[C, H, W]`), as PyTorch's
 * `nn.MaxPool2d`; padding counts as minus infinity. The stride defaults to the kernel
 * size.
 *
 * Since: 1.0
 */
struct _FitMaxPool2d
{
  PoolLayer pool;
};

/**
 * FitAvgPool2d:
 *
 * 2-D average pooling over inputs of shape `[N, C, H, W]` (or `[C, H, W]`), as
 * PyTorch's `nn.AvgPool2d`. With [property@Fit.AvgPool2d:count-include-pad] the zeros
 * of the padding count in the average. The stride defaults to the kernel size.
 *
 * Since: 1.0
 */
struct _FitAvgPool2d
{
  PoolLayer pool;
};

enum {
  PROP_0,
  PROP_KERNEL_H,
  PROP_KERNEL_W,
  PROP_STRIDE_H,
  PROP_STRIDE_W,
  PROP_PADDING_H,
  PROP_PADDING_W,
  PROP_COUNT_INCLUDE_PAD,   /* average pooling only */
  N_PROPS
};

static GParamSpec *max_properties[N_PROPS];
static GParamSpec *avg_properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitMaxPool2d, fit_max_pool2d, FIT_TYPE_MODULE)
G_DEFINE_FINAL_TYPE (FitAvgPool2d, fit_avg_pool2d, FIT_TYPE_MODULE)

static int *
pool_field (PoolLayer *p,
            guint      prop_id)
{
  switch (prop_id)
    {
    case PROP_KERNEL_H: return &p->kernel[0];
    case PROP_KERNEL_W: return &p->kernel[1];
    case PROP_STRIDE_H: return &p->stride[0];
    case PROP_STRIDE_W: return &p->stride[1];
    case PROP_PADDING_H: return &p->padding[0];
    case PROP_PADDING_W: return &p->padding[1];
    default: return NULL;
    }
}

static void
pool_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  PoolLayer *p = (PoolLayer *) object;
  int *field = pool_field (p, prop_id);

  if (field != NULL)
    g_value_set_int (value, *field);
  else if (prop_id == PROP_COUNT_INCLUDE_PAD)
    g_value_set_boolean (value, p->count_include_pad);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pool_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  PoolLayer *p = (PoolLayer *) object;
  int *field = pool_field (p, prop_id);

  if (field != NULL)
    *field = g_value_get_int (value);
  else if (prop_id == PROP_COUNT_INCLUDE_PAD)
    p->count_include_pad = g_value_get_boolean (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pool_constructed (PoolLayer *p)
{
  for (guint i = 0; i < 2; i++)
    if (p->stride[i] == 0)
      p->stride[i] = p->kernel[i];
}

static void
pool_install_properties (GObjectClass *object_class,
                         GParamSpec  **props,
                         gboolean      average)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  props[PROP_KERNEL_H] = g_param_spec_int ("kernel-h", NULL, NULL, 1, G_MAXINT32, 2, flags);
  props[PROP_KERNEL_W] = g_param_spec_int ("kernel-w", NULL, NULL, 1, G_MAXINT32, 2, flags);
  props[PROP_STRIDE_H] = g_param_spec_int ("stride-h", NULL, NULL, 0, G_MAXINT32, 0, flags);
  props[PROP_STRIDE_W] = g_param_spec_int ("stride-w", NULL, NULL, 0, G_MAXINT32, 0, flags);
  props[PROP_PADDING_H] = g_param_spec_int ("padding-h", NULL, NULL, 0, G_MAXINT32, 0, flags);
  props[PROP_PADDING_W] = g_param_spec_int ("padding-w", NULL, NULL, 0, G_MAXINT32, 0, flags);
  if (average)
    props[PROP_COUNT_INCLUDE_PAD] =
      g_param_spec_boolean ("count-include-pad", NULL, NULL, TRUE, flags);
  g_object_class_install_properties (object_class, average ? N_PROPS : PROP_COUNT_INCLUDE_PAD,
                                     props);
}

/* Runs @pool on a 4-D input, or on a 3-D one seen as a batch of one. */
static FitTensor *
pool_forward (PoolLayer   *p,
              const char  *layer,
              FitTensor   *input,
              gboolean     average,
              GError     **error)
{
  g_autoptr(FitTensor) batched = NULL;
  FitTensor *out;

  if (!fit_nn_check_input (layer, input, 4, 3, -1, 0, error))
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

  if (average)
    out = fit_tensor_avg_pool2d (batched, p->kernel[0], p->kernel[1], p->stride[0], p->stride[1],
                                 p->padding[0], p->padding[1], p->count_include_pad, error);
  else
    out = fit_tensor_max_pool2d (batched, p->kernel[0], p->kernel[1], p->stride[0], p->stride[1],
                                 p->padding[0], p->padding[1], error);
  if (out != NULL && input->n_dims == 3)
    {
      FitTensor *unbatched = fit_tensor_reshape (out, out->shape + 1, 3, error);

      g_object_unref (out);
      out = unbatched;
    }
  return out;
}

/* ---- FitMaxPool2d ---- */

static void
fit_max_pool2d_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_max_pool2d_parent_class)->constructed (object);
  pool_constructed ((PoolLayer *) object);
}

static FitTensor *
fit_max_pool2d_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  return pool_forward ((PoolLayer *) module, "FitMaxPool2d", input, FALSE, error);
}

static void
fit_max_pool2d_class_init (FitMaxPool2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = fit_max_pool2d_constructed;
  object_class->get_property = pool_get_property;
  object_class->set_property = pool_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_max_pool2d_forward;

  /**
   * FitMaxPool2d:kernel-h:
   *
   * The window's height.
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool2d:kernel-w:
   *
   * The window's width.
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool2d:stride-h:
   *
   * The vertical step between windows (0 at construction: the kernel height).
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool2d:stride-w:
   *
   * The horizontal step between windows (0 at construction: the kernel width).
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool2d:padding-h:
   *
   * The padding above and below (at most half the kernel height).
   *
   * Since: 1.0
   */
  /**
   * FitMaxPool2d:padding-w:
   *
   * The padding left and right (at most half the kernel width).
   *
   * Since: 1.0
   */
  pool_install_properties (object_class, max_properties, FALSE);
}

static void
fit_max_pool2d_init (FitMaxPool2d *self)
{
}

/**
 * fit_max_pool2d_new:
 * @kernel_size: the window's height and width
 * @stride: the step between windows, or 0 for the kernel size
 * @padding: the padding on every side
 *
 * Creates max pooling with a square window.
 *
 * Returns: (transfer full): a new #FitMaxPool2d
 *
 * Since: 1.0
 */
FitMaxPool2d *
fit_max_pool2d_new (int kernel_size,
                    int stride,
                    int padding)
{
  return fit_max_pool2d_new_full (kernel_size, kernel_size, stride, stride, padding, padding);
}

/**
 * fit_max_pool2d_new_full:
 * @kernel_h: the window's height
 * @kernel_w: the window's width
 * @stride_h: the vertical step, or 0 for the kernel height
 * @stride_w: the horizontal step, or 0 for the kernel width
 * @padding_h: the padding above and below
 * @padding_w: the padding left and right
 *
 * Creates max pooling with every option.
 *
 * Returns: (transfer full): a new #FitMaxPool2d
 *
 * Since: 1.0
 */
FitMaxPool2d *
fit_max_pool2d_new_full (int kernel_h,
                         int kernel_w,
                         int stride_h,
                         int stride_w,
                         int padding_h,
                         int padding_w)
{
  g_return_val_if_fail (kernel_h >= 1 && kernel_w >= 1, NULL);
  g_return_val_if_fail (stride_h >= 0 && stride_w >= 0, NULL);
  g_return_val_if_fail (padding_h >= 0 && padding_w >= 0, NULL);

  return g_object_new (FIT_TYPE_MAX_POOL2D,
                       "kernel-h", kernel_h, "kernel-w", kernel_w,
                       "stride-h", stride_h, "stride-w", stride_w,
                       "padding-h", padding_h, "padding-w", padding_w,
                       NULL);
}

/* ---- FitAvgPool2d ---- */

static void
fit_avg_pool2d_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_avg_pool2d_parent_class)->constructed (object);
  pool_constructed ((PoolLayer *) object);
}

static FitTensor *
fit_avg_pool2d_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  return pool_forward ((PoolLayer *) module, "FitAvgPool2d", input, TRUE, error);
}

static void
fit_avg_pool2d_class_init (FitAvgPool2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = fit_avg_pool2d_constructed;
  object_class->get_property = pool_get_property;
  object_class->set_property = pool_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_avg_pool2d_forward;

  /**
   * FitAvgPool2d:kernel-h:
   *
   * The window's height.
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool2d:kernel-w:
   *
   * The window's width.
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool2d:stride-h:
   *
   * The vertical step between windows (0 at construction: the kernel height).
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool2d:stride-w:
   *
   * The horizontal step between windows (0 at construction: the kernel width).
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool2d:padding-h:
   *
   * The zero padding above and below.
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool2d:padding-w:
   *
   * The zero padding left and right.
   *
   * Since: 1.0
   */
  /**
   * FitAvgPool2d:count-include-pad:
   *
   * Whether padding zeros count in the average (PyTorch's default, %TRUE).
   *
   * Since: 1.0
   */
  pool_install_properties (object_class, avg_properties, TRUE);
}

static void
fit_avg_pool2d_init (FitAvgPool2d *self)
{
}

/**
 * fit_avg_pool2d_new:
 * @kernel_size: the window's height and width
 * @stride: the step between windows, or 0 for the kernel size
 * @padding: the zero padding on every side
 *
 * Creates average pooling that counts padding in the average.
 *
 * Returns: (transfer full): a new #FitAvgPool2d
 *
 * Since: 1.0
 */
FitAvgPool2d *
fit_avg_pool2d_new (int kernel_size,
                    int stride,
                    int padding)
{
  return fit_avg_pool2d_new_full (kernel_size, kernel_size, stride, stride, padding, padding,
                                  TRUE);
}

/**
 * fit_avg_pool2d_new_full:
 * @kernel_h: the window's height
 * @kernel_w: the window's width
 * @stride_h: the vertical step, or 0 for the kernel height
 * @stride_w: the horizontal step, or 0 for the kernel width
 * @padding_h: the zero padding above and below
 * @padding_w: the zero padding left and right
 * @count_include_pad: whether padding zeros count in the average
 *
 * Creates average pooling with every option.
 *
 * Returns: (transfer full): a new #FitAvgPool2d
 *
 * Since: 1.0
 */
FitAvgPool2d *
fit_avg_pool2d_new_full (int      kernel_h,
                         int      kernel_w,
                         int      stride_h,
                         int      stride_w,
                         int      padding_h,
                         int      padding_w,
                         gboolean count_include_pad)
{
  g_return_val_if_fail (kernel_h >= 1 && kernel_w >= 1, NULL);
  g_return_val_if_fail (stride_h >= 0 && stride_w >= 0, NULL);
  g_return_val_if_fail (padding_h >= 0 && padding_w >= 0, NULL);

  return g_object_new (FIT_TYPE_AVG_POOL2D,
                       "kernel-h", kernel_h, "kernel-w", kernel_w,
                       "stride-h", stride_h, "stride-w", stride_w,
                       "padding-h", padding_h, "padding-w", padding_w,
                       "count-include-pad", count_include_pad,
                       NULL);
}

/* ---- FitAdaptiveAvgPool2d ---- */

/**
 * FitAdaptiveAvgPool2d:
 *
 * Average pooling to a fixed output size whatever the input size, as PyTorch's
 * `nn.AdaptiveAvgPool2d`: output cell (i, j) averages input rows
 * `⌊i H / out-h⌋ … ⌈(i + 1) H / out-h⌉ - 1` and the matching columns. With an output of
 * 1 × 1 it is global average pooling, the head of ResNets.
 *
 * Since: 1.0
 */
struct _FitAdaptiveAvgPool2d
{
  FitModule parent_instance;

  int       output[2];
};

enum {
  ADAPTIVE_PROP_0,
  ADAPTIVE_PROP_OUTPUT_H,
  ADAPTIVE_PROP_OUTPUT_W,
  ADAPTIVE_N_PROPS
};

static GParamSpec *adaptive_properties[ADAPTIVE_N_PROPS];

G_DEFINE_FINAL_TYPE (FitAdaptiveAvgPool2d, fit_adaptive_avg_pool2d, FIT_TYPE_MODULE)

static void
fit_adaptive_avg_pool2d_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  FitAdaptiveAvgPool2d *self = FIT_ADAPTIVE_AVG_POOL2D (object);

  if (prop_id == ADAPTIVE_PROP_OUTPUT_H || prop_id == ADAPTIVE_PROP_OUTPUT_W)
    g_value_set_int (value, self->output[prop_id - ADAPTIVE_PROP_OUTPUT_H]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_adaptive_avg_pool2d_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  FitAdaptiveAvgPool2d *self = FIT_ADAPTIVE_AVG_POOL2D (object);

  if (prop_id == ADAPTIVE_PROP_OUTPUT_H || prop_id == ADAPTIVE_PROP_OUTPUT_W)
    self->output[prop_id - ADAPTIVE_PROP_OUTPUT_H] = g_value_get_int (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static FitTensor *
fit_adaptive_avg_pool2d_forward (FitModule  *module,
                                 FitTensor  *input,
                                 GError    **error)
{
  FitAdaptiveAvgPool2d *self = FIT_ADAPTIVE_AVG_POOL2D (module);
  g_autoptr(FitTensor) batched = NULL;
  FitTensor *out;

  if (!fit_nn_check_input ("FitAdaptiveAvgPool2d", input, 4, 3, -1, 0, error))
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

  out = fit_tensor_adaptive_avg_pool2d (batched, self->output[0], self->output[1], error);
  if (out != NULL && input->n_dims == 3)
    {
      FitTensor *unbatched = fit_tensor_reshape (out, out->shape + 1, 3, error);

      g_object_unref (out);
      out = unbatched;
    }
  return out;
}

static void
fit_adaptive_avg_pool2d_class_init (FitAdaptiveAvgPool2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = fit_adaptive_avg_pool2d_get_property;
  object_class->set_property = fit_adaptive_avg_pool2d_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_adaptive_avg_pool2d_forward;

  /**
   * FitAdaptiveAvgPool2d:output-h:
   *
   * The output's height.
   *
   * Since: 1.0
   */
  adaptive_properties[ADAPTIVE_PROP_OUTPUT_H] =
    g_param_spec_int ("output-h", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitAdaptiveAvgPool2d:output-w:
   *
   * The output's width.
   *
   * Since: 1.0
   */
  adaptive_properties[ADAPTIVE_PROP_OUTPUT_W] =
    g_param_spec_int ("output-w", NULL, NULL, 1, G_MAXINT32, 1, flags);

  g_object_class_install_properties (object_class, ADAPTIVE_N_PROPS, adaptive_properties);
}

static void
fit_adaptive_avg_pool2d_init (FitAdaptiveAvgPool2d *self)
{
}

/**
 * fit_adaptive_avg_pool2d_new:
 * @output_h: the output's height
 * @output_w: the output's width
 *
 * Creates adaptive average pooling to an output of @output_h × @output_w.
 *
 * Returns: (transfer full): a new #FitAdaptiveAvgPool2d
 *
 * Since: 1.0
 */
FitAdaptiveAvgPool2d *
fit_adaptive_avg_pool2d_new (int output_h,
                             int output_w)
{
  g_return_val_if_fail (output_h >= 1 && output_w >= 1, NULL);
  return g_object_new (FIT_TYPE_ADAPTIVE_AVG_POOL2D, "output-h", output_h, "output-w", output_w,
                       NULL);
}

/* ---- FitAdaptiveMaxPool2d ---- */

/**
 * FitAdaptiveMaxPool2d:
 *
 * Max pooling to a fixed output size whatever the input size, as PyTorch's
 * `nn.AdaptiveMaxPool2d`: output cell (i, j) is the maximum of input rows
 * `⌊i H / out-h⌋ … ⌈(i + 1) H / out-h⌉ - 1` and the matching columns; a NaN in a window
 * propagates, and of equal maxima the first in row-major order takes the gradient.
 * With an output of 1 × 1 it is global max pooling, as a text CNN's max over time.
 *
 * Since: 1.0
 */
struct _FitAdaptiveMaxPool2d
{
  FitModule parent_instance;

  int       output[2];
};

static GParamSpec *adaptive_max_properties[ADAPTIVE_N_PROPS];

G_DEFINE_FINAL_TYPE (FitAdaptiveMaxPool2d, fit_adaptive_max_pool2d, FIT_TYPE_MODULE)

/* Geometry of one call: planes = N × C, each h × w, pooled to oh × ow. */
typedef struct
{
  gint64 planes, h, w, oh, ow;
} AdaptiveGeom;

#define WINDOW_START(i, in, out) (((i) * (in)) / (out))
#define WINDOW_END(i, in, out) ((((i) + 1) * (in) + (out) - 1) / (out))

/* Writes each window's maximum to @y and, when @argmax is not NULL, its offset in the
 * plane; NaN wins as in PyTorch so that a NaN never hides. */
#define DEFINE_ADAPTIVE_MAX(T, suffix)                                                      \
static void                                                                                 \
adaptive_max_forward_##suffix (const AdaptiveGeom *g,                                       \
                               const T            *x,                                       \
                               T                  *y,                                       \
                               gint64             *argmax)                                  \
{                                                                                           \
  gboolean par = g->planes * g->h * g->w > FIT_PARALLEL_GRAIN && fit_parallel_enabled ();   \
                                                                                            \
  _Pragma ("omp parallel for if (par)")                                                     \
  for (gint64 p = 0; p < g->planes; p++)                                                    \
    {                                                                                       \
      const T *xp = x + p * g->h * g->w;                                                    \
      gint64 o = p * g->oh * g->ow;                                                         \
                                                                                            \
      for (gint64 i = 0; i < g->oh; i++)                                                    \
        for (gint64 j = 0; j < g->ow; j++, o++)                                             \
          {                                                                                 \
            gint64 r0 = WINDOW_START (i, g->h, g->oh), r1 = WINDOW_END (i, g->h, g->oh);    \
            gint64 c0 = WINDOW_START (j, g->w, g->ow), c1 = WINDOW_END (j, g->w, g->ow);    \
            gint64 best = r0 * g->w + c0;                                                   \
            T m = xp[best];                                                                 \
                                                                                            \
            for (gint64 r = r0; r < r1; r++)                                                \
              for (gint64 c = c0; c < c1; c++)                                              \
                {                                                                           \
                  T v = xp[r * g->w + c];                                                   \
                                                                                            \
                  if (v > m || (v != v && m == m))                                          \
                    {                                                                       \
                      m = v;                                                                \
                      best = r * g->w + c;                                                  \
                    }                                                                       \
                }                                                                           \
            y[o] = m;                                                                       \
            if (argmax != NULL)                                                             \
              argmax[o] = best;                                                             \
          }                                                                                 \
    }                                                                                       \
}                                                                                           \
                                                                                            \
/* Windows overlap when the sizes do not divide, so gradients add up; each plane is     */  \
/* one thread's, so the sums need no atomics. */                                            \
static void                                                                                 \
adaptive_max_backward_##suffix (const AdaptiveGeom *g,                                      \
                                const T            *dy,                                     \
                                const gint64       *argmax,                                 \
                                T                  *dx)                                     \
{                                                                                           \
  gboolean par = g->planes * g->h * g->w > FIT_PARALLEL_GRAIN && fit_parallel_enabled ();   \
                                                                                            \
  _Pragma ("omp parallel for if (par)")                                                     \
  for (gint64 p = 0; p < g->planes; p++)                                                    \
    {                                                                                       \
      T *dxp = dx + p * g->h * g->w;                                                        \
      gint64 o0 = p * g->oh * g->ow;                                                        \
                                                                                            \
      for (gint64 k = 0; k < g->h * g->w; k++)                                              \
        dxp[k] = 0;                                                                         \
      for (gint64 o = o0; o < o0 + g->oh * g->ow; o++)                                      \
        dxp[argmax[o]] += dy[o];                                                            \
    }                                                                                       \
}

DEFINE_ADAPTIVE_MAX (float, f32)
DEFINE_ADAPTIVE_MAX (double, f64)

static void
adaptive_geom_load (FitNode      *node,
                    AdaptiveGeom *g)
{
  g->planes = node->i[0];
  g->h = node->i[1];
  g->w = node->i[2];
  g->oh = node->i[3];
  g->ow = node->i[4];
}

static gboolean
adaptive_max_pool2d_backward (FitNode    *node,
                              FitTensor  *grad_output,
                              FitTensor **grad_inputs,
                              GError    **error)
{
  AdaptiveGeom g;

  adaptive_geom_load (node, &g);
  grad_inputs[0] = fit_tensor_new_empty_like (node->inputs[0]);
  if (grad_output->dtype == FIT_DTYPE_FLOAT32)
    adaptive_max_backward_f32 (&g, fit_tensor_f32 (grad_output), fit_tensor_ptr (node->saved[0]),
                               fit_tensor_f32 (grad_inputs[0]));
  else
    adaptive_max_backward_f64 (&g, fit_tensor_f64 (grad_output), fit_tensor_ptr (node->saved[0]),
                               fit_tensor_f64 (grad_inputs[0]));
  return TRUE;
}

/* The core has no adaptive max pooling op; this is one, with its own autograd node, over
 * a 4-D input [N, C, H, W]. */
static FitTensor *
adaptive_max_pool2d (FitTensor  *input,
                     int         output_h,
                     int         output_w,
                     GError    **error)
{
  const char *layer = "FitAdaptiveMaxPool2d";
  AdaptiveGeom g = { input->shape[0] * input->shape[1], input->shape[2], input->shape[3],
                     output_h, output_w };
  gint64 shape[4] = { input->shape[0], input->shape[1], output_h, output_w };
  g_autoptr(FitTensor) argmax = NULL;
  FitTensor *out;
  FitNode *node;

  if (!fit_check_floating (layer, input, error) || !fit_check_cpu (layer, input, error))
    return NULL;
  if (g.h == 0 || g.w == 0)
    {
      g_autofree char *s = fit_shape_to_string (input->shape, input->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the input %s has an empty plane to take a maximum of"), layer, s);
      return NULL;
    }

  out = fit_tensor_new_empty (input->dtype, shape, 4);
  node = fit_autograd_record (out, "adaptive_max_pool2d", adaptive_max_pool2d_backward, 1,
                              &input);
  if (node != NULL)
    {
      argmax = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, 4);
      fit_node_save (node, 0, argmax);
      node->i[0] = g.planes;
      node->i[1] = g.h;
      node->i[2] = g.w;
      node->i[3] = g.oh;
      node->i[4] = g.ow;
    }
  if (input->dtype == FIT_DTYPE_FLOAT32)
    adaptive_max_forward_f32 (&g, fit_tensor_f32 (input), fit_tensor_f32 (out),
                              argmax != NULL ? fit_tensor_ptr (argmax) : NULL);
  else
    adaptive_max_forward_f64 (&g, fit_tensor_f64 (input), fit_tensor_f64 (out),
                              argmax != NULL ? fit_tensor_ptr (argmax) : NULL);
  return out;
}

static void
fit_adaptive_max_pool2d_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  FitAdaptiveMaxPool2d *self = FIT_ADAPTIVE_MAX_POOL2D (object);

  if (prop_id == ADAPTIVE_PROP_OUTPUT_H || prop_id == ADAPTIVE_PROP_OUTPUT_W)
    g_value_set_int (value, self->output[prop_id - ADAPTIVE_PROP_OUTPUT_H]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_adaptive_max_pool2d_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  FitAdaptiveMaxPool2d *self = FIT_ADAPTIVE_MAX_POOL2D (object);

  if (prop_id == ADAPTIVE_PROP_OUTPUT_H || prop_id == ADAPTIVE_PROP_OUTPUT_W)
    self->output[prop_id - ADAPTIVE_PROP_OUTPUT_H] = g_value_get_int (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static FitTensor *
fit_adaptive_max_pool2d_forward (FitModule  *module,
                                 FitTensor  *input,
                                 GError    **error)
{
  FitAdaptiveMaxPool2d *self = FIT_ADAPTIVE_MAX_POOL2D (module);
  g_autoptr(FitTensor) batched = NULL;
  FitTensor *out;

  if (!fit_nn_check_input ("FitAdaptiveMaxPool2d", input, 4, 3, -1, 0, error))
    return NULL;
  if (input->n_dims == 3)
    {
      batched = fit_tensor_unsqueeze (input, 0, error);
      if (batched == NULL)
        return NULL;
    }
  else
    batched = g_object_ref (input);

  out = adaptive_max_pool2d (batched, self->output[0], self->output[1], error);
  if (out != NULL && input->n_dims == 3)
    {
      FitTensor *unbatched = fit_tensor_squeeze (out, 0, error);

      g_object_unref (out);
      out = unbatched;
    }
  return out;
}

static void
fit_adaptive_max_pool2d_class_init (FitAdaptiveMaxPool2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = fit_adaptive_max_pool2d_get_property;
  object_class->set_property = fit_adaptive_max_pool2d_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_adaptive_max_pool2d_forward;

  /**
   * FitAdaptiveMaxPool2d:output-h:
   *
   * The output's height.
   *
   * Since: 1.0
   */
  adaptive_max_properties[ADAPTIVE_PROP_OUTPUT_H] =
    g_param_spec_int ("output-h", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitAdaptiveMaxPool2d:output-w:
   *
   * The output's width.
   *
   * Since: 1.0
   */
  adaptive_max_properties[ADAPTIVE_PROP_OUTPUT_W] =
    g_param_spec_int ("output-w", NULL, NULL, 1, G_MAXINT32, 1, flags);

  g_object_class_install_properties (object_class, ADAPTIVE_N_PROPS, adaptive_max_properties);
}

static void
fit_adaptive_max_pool2d_init (FitAdaptiveMaxPool2d *self)
{
}

/**
 * fit_adaptive_max_pool2d_new:
 * @output_h: the output's height
 * @output_w: the output's width
 *
 * Creates adaptive max pooling to an output of @output_h × @output_w; 1 × 1 gives
 * global max pooling.
 *
 * Returns: (transfer full): a new #FitAdaptiveMaxPool2d
 *
 * Since: 1.0
 */
FitAdaptiveMaxPool2d *
fit_adaptive_max_pool2d_new (int output_h,
                             int output_w)
{
  g_return_val_if_fail (output_h >= 1 && output_w >= 1, NULL);
  return g_object_new (FIT_TYPE_ADAPTIVE_MAX_POOL2D, "output-h", output_h, "output-w", output_w,
                       NULL);
}
