/* fit-tensor-conv.c: convolution, pooling and dropout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A convolution is three matrix products over "patch matrices" (im2col): the forward
 * product W·P, the weight gradient dY·Pᵀ and the input gradient col2im(Wᵀ·dY). A
 * transposed convolution is the same machinery with the roles swapped: its forward is
 * a convolution's input gradient, and its input gradient is a convolution's forward.
 * So both share one routine, conv_run(), parameterised by which products to form.
 * 3×3 kernels with stride 1 (most of a CNN's layers) skip the patch matrices for all
 * three products: Winograd's F(2×2, 3×3) does them with 2.25 times fewer multiply-adds
 * (conv_run_winograd(), in fit-tensor-winograd-kernels.h). For other stride-1 kernels
 * the two backward products skip them too: each kernel tap is a shift on the padded
 * image grid, and the products are GEMMs on shifted views of the gradient and the
 * image (conv_run_shifted(), in fit-tensor-conv-kernels.h).
 *
 * Patch matrices are kept small enough to stay in the L2 cache between im2col writing
 * them and the GEMM reading them: small images are grouped into chunks of samples,
 * large ones cut into bands of output rows. Samples are spread over OpenMP threads,
 * each running single-threaded GEMMs on its own buffers (OpenBLAS's OpenMP build runs
 * serially inside a parallel region, so the two never compete for cores); a batch too
 * small to split runs threaded GEMMs instead. The GEMMs are thin (M = output channels),
 * where OpenBLAS's small-matrix kernels beat its general ones: the shapes are chosen to
 * land on them.
 */

#include "config.h"

#include <inttypes.h>

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "fit-tensor-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

/* Which of the three products conv_run() forms. The "image side" is a convolution's
 * input (a transposed convolution's output), the "column side" its output. */
typedef enum
{
  CONV_FWD = 1 << 0,    /* col_out = W · patches(img_in) (+ bias) */
  CONV_WGRAD = 1 << 1,  /* dweight = Σ col_in · patches(img_in)ᵀ */
  CONV_ADJ = 1 << 2,    /* img_out = col2im (Wᵀ · col_in) (+ bias) */
  CONV_BGRAD_COL = 1 << 3,  /* dbias = per-channel sums of col_in */
  CONV_BGRAD_IMG = 1 << 4,  /* dbias = per-channel sums of img_in */
  CONV_RELU = 1 << 5,       /* with CONV_FWD: col_out = max (col_out, 0), after the bias */
} ConvFlags;

typedef struct
{
  gint64 n;
  gint64 groups;
  gint64 c_img, h, w;     /* image side: all channels, height, width */
  gint64 c_col, oh, ow;   /* column side */
  gint64 kh, kw, sh, sw, ph, pw, dh, dw;
} ConvGeom;

typedef struct
{
  gint64 chunk;           /* samples per patch matrix */
  gint64 n_chunks;
  gint64 rows;            /* output rows per patch matrix (all of them when chunk > 1) */
  int    n_threads;
} ConvPlan;

typedef struct
{
  gint64   planes;        /* samples × channels */
  gint64   h, w, oh, ow;
  gint64   kh, kw, sh, sw, ph, pw;
  gboolean count_include_pad;
} PoolGeom;

/* Patch-matrix elements per work item: 128 KiB of float32, which stays in a 1 MiB L2
 * cache with everything else a band needs (measured best of 8K to 64K on the benchmark
 * CNN; it also keeps the GEMMs under OpenBLAS's small-matrix threshold). */
#define CONV_CHUNK_ELEMENTS (32 * 1024)

/* The output columns [lo, hi) whose input column ox·stride + x0 lies inside [0, w). */
static inline void
conv_valid_range (gint64  x0,
                  gint64  stride,
                  gint64  w,
                  gint64  ow,
                  gint64 *lo,
                  gint64 *hi)
{
  gint64 l = x0 >= 0 ? 0 : (-x0 + stride - 1) / stride;
  gint64 h = w - x0 <= 0 ? 0 : (w - x0 + stride - 1) / stride;

  l = MIN (l, ow);
  h = CLAMP (h, l, ow);
  *lo = l;
  *hi = h;
}

/* Sizes the patch matrices to stay in cache: small images are grouped into chunks of
 * samples, large ones split into bands of output rows. Threads take whole chunks, so no
 * two threads ever write the same image. */
static void
conv_plan (const ConvGeom *g,
           gint64          k,
           gboolean        identity,
           ConvPlan       *plan)
{
  gint64 per_sample = MAX (k * g->oh * g->ow, 1);
  gint64 target = CONV_CHUNK_ELEMENTS;
  int threads = fit_parallel_threads ();
  gint64 chunk = 1, rows = g->oh;

  if (identity || per_sample <= target)
    chunk = CLAMP (target / per_sample, 1, MAX (g->n, 1));
  else
    {
      gint64 fit_rows = MAX (target / MAX (k * g->ow, 1), 1);
      gint64 n_bands = (g->oh + fit_rows - 1) / fit_rows;

      rows = (g->oh + n_bands - 1) / n_bands;   /* bands of equal height */
    }

  /* Every thread gets at least one chunk; tiny problems stay on one thread, where
   * a parallel region would cost more than it saves. */
  if (threads > 1 && g->n > 1 &&
      per_sample * g->n * MAX (g->c_col / g->groups, 1) > FIT_PARALLEL_GRAIN)
    chunk = MIN (chunk, (g->n + threads - 1) / threads);
  else
    threads = 1;
  if (chunk > 1)
    rows = g->oh;
  plan->chunk = chunk;
  plan->rows = MAX (rows, 1);
  plan->n_chunks = (g->n + chunk - 1) / chunk;
  plan->n_threads = (int) MIN ((gint64) threads, MAX (plan->n_chunks, 1));
}

/* torch's adaptive pooling bins: [floor(i·in/out), ceil((i+1)·in/out)). */
static inline gint64
adaptive_start (gint64 i,
                gint64 in,
                gint64 out)
{
  return (i * in) / out;
}

static inline gint64
adaptive_end (gint64 i,
              gint64 in,
              gint64 out)
{
  return ((i + 1) * in + out - 1) / out;
}

/* CONV_LANES: how many values of T one 32-byte vector holds. */
#define T float
#define SFX f32
#define GEMM cblas_sgemm
#define CONV_LANES 8
#include "fit-tensor-conv-kernels.h"
#undef T
#undef SFX
#undef GEMM
#undef CONV_LANES

#define T double
#define SFX f64
#define GEMM cblas_dgemm
#define CONV_LANES 4
#include "fit-tensor-conv-kernels.h"
#undef T
#undef SFX
#undef GEMM
#undef CONV_LANES

static inline gpointer
data_or_null (FitTensor *t)
{
  return t != NULL ? fit_tensor_ptr (t) : NULL;
}

static void
conv_run (FitDType        dtype,
          const ConvGeom *g,
          guint           flags,
          FitTensor      *img_in,
          FitTensor      *img_out,
          FitTensor      *col_in,
          FitTensor      *col_out,
          FitTensor      *weight,
          FitTensor      *bias,
          FitTensor      *dweight,
          FitTensor      *dbias,
          FitTensor      *relu_out)
{
  if (dtype == FIT_DTYPE_FLOAT32)
    conv_run_f32 (g, flags, data_or_null (img_in), data_or_null (img_out),
                  data_or_null (col_in), data_or_null (col_out), data_or_null (weight),
                  data_or_null (bias), data_or_null (dweight), data_or_null (dbias),
                  data_or_null (relu_out));
  else
    conv_run_f64 (g, flags, data_or_null (img_in), data_or_null (img_out),
                  data_or_null (col_in), data_or_null (col_out), data_or_null (weight),
                  data_or_null (bias), data_or_null (dweight), data_or_null (dbias),
                  data_or_null (relu_out));
}

/* ---- argument checks ---- */

/* Reads the sizes of a batched [N, C, H, W] or an unbatched [C, H, W] tensor. */
static gboolean
image_dims (const char  *op,
            const char  *what,
            FitTensor   *t,
            gint64       dims[4],
            GError     **error)
{
  g_autofree char *s = NULL;

  if (t->n_dims == 4 || t->n_dims == 3)
    {
      dims[0] = t->n_dims == 4 ? t->shape[0] : 1;
      memcpy (dims + 1, t->shape + t->n_dims - 3, 3 * sizeof (gint64));
      return TRUE;
    }
  s = fit_shape_to_string (t->shape, t->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s: %s must have shape [N, C, H, W] or [C, H, W], got %s"), op, what, s);
  return FALSE;
}

/* The shape of a result with @like's batching: [N, C, H, W], or [C, H, W] unbatched. */
static guint
image_shape (FitTensor *like,
             gint64     n,
             gint64     c,
             gint64     h,
             gint64     w,
             gint64    *shape)
{
  guint i = 0;

  if (like->n_dims == 4)
    shape[i++] = n;
  shape[i++] = c;
  shape[i++] = h;
  shape[i++] = w;
  return i;
}

static gboolean
check_operand (const char  *op,
               FitTensor   *t,
               FitTensor   *like,
               GError     **error)
{
  if (t == NULL)
    return TRUE;
  return fit_check_cpu (op, t, error) && fit_check_floating (op, t, error) &&
         (like == NULL || fit_check_same_dtype (op, like, t, error));
}

static gboolean
check_at_least (const char  *op,
                const char  *name,
                int          value_h,
                int          value_w,
                int          min,
                GError     **error)
{
  if (value_h >= min && value_w >= min)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("%s: %s must be at least %d, got (%d, %d)"), op, name, min, value_h, value_w);
  return FALSE;
}

static gboolean
check_conv_args (const char  *op,
                 int          stride_h,
                 int          stride_w,
                 int          padding_h,
                 int          padding_w,
                 int          dilation_h,
                 int          dilation_w,
                 int          groups,
                 GError     **error)
{
  if (!check_at_least (op, "the stride", stride_h, stride_w, 1, error) ||
      !check_at_least (op, "the padding", padding_h, padding_w, 0, error) ||
      !check_at_least (op, "the dilation", dilation_h, dilation_w, 1, error))
    return FALSE;
  if (groups >= 1)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("%s: groups must be at least 1, got %d"), op, groups);
  return FALSE;
}

static gboolean
check_weight (const char  *op,
              FitTensor   *weight,
              GError     **error)
{
  g_autofree char *s = NULL;

  if (!fit_check_n_dims (op, weight, 4, error))
    return FALSE;
  if (weight->shape[2] >= 1 && weight->shape[3] >= 1)
    return TRUE;
  s = fit_shape_to_string (weight->shape, weight->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s: the weight %s has an empty kernel"), op, s);
  return FALSE;
}

static gboolean
check_bias (const char  *op,
            FitTensor   *bias,
            gint64       channels,
            GError     **error)
{
  g_autofree char *s = NULL;

  if (bias == NULL || (bias->n_dims == 1 && bias->shape[0] == channels))
    return TRUE;
  s = fit_shape_to_string (bias->shape, bias->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s: the bias must have shape [%" PRId64 "], one per output "
                 "channel, got %s"), op, channels, s);
  return FALSE;
}

static gboolean
check_groups_divide (const char  *op,
                     const char  *what,
                     gint64       channels,
                     int          groups,
                     FitTensor   *t,
                     GError     **error)
{
  g_autofree char *s = NULL;

  if (channels % groups == 0)
    return TRUE;
  s = fit_shape_to_string (t->shape, t->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s: groups=%d does not divide the %" PRId64 " %s of shape %s"),
               op, groups, channels, what, s);
  return FALSE;
}

/* Sizes from empty tensors can be anything a shape allows, and the parameters anything
 * an int allows: these saturate at G_MAXINT64 instead of overflowing, which the checks
 * that follow (a kernel larger than the input, a result too large) then refuse. */
static gint64
mul_saturated (gint64 a,
               gint64 b)
{
  gint64 r;

  return __builtin_mul_overflow (a, b, &r) ? G_MAXINT64 : r;
}

static gint64
add_saturated (gint64 a,
               gint64 b)
{
  gint64 r;

  return __builtin_add_overflow (a, b, &r) ? G_MAXINT64 : r;
}

/* The extent of a kernel of @k taps at @dilation: dilation × (k − 1) + 1. */
static gint64
kernel_span (gint64 dilation,
             gint64 k)
{
  return add_saturated (mul_saturated (dilation, k - 1), 1);
}

static void
conv_geom_init (ConvGeom     *g,
                const gint64  img[4],
                const gint64  col[4],
                FitTensor    *weight,
                const gint64 *params)
{
  g->n = img[0];
  g->c_img = img[1];
  g->h = img[2];
  g->w = img[3];
  g->c_col = col[1];
  g->oh = col[2];
  g->ow = col[3];
  g->kh = weight->shape[2];
  g->kw = weight->shape[3];
  g->sh = params[0];
  g->sw = params[1];
  g->ph = params[2];
  g->pw = params[3];
  g->dh = params[4];
  g->dw = params[5];
  g->groups = params[6];
}

/* ---- conv2d ---- */

static gboolean
conv2d_backward (FitNode    *node,
                 FitTensor  *grad_output,
                 FitTensor **grad_inputs,
                 GError    **error)
{
  FitTensor *x = node->inputs[0];
  FitTensor *w = node->inputs[1];
  FitTensor *b = node->inputs[2];
  gint64 img[4] = { 0 }, col[4] = { 0 };   /* checked in the forward pass */
  ConvGeom g;
  guint flags = 0;

  image_dims ("conv2d", "the input", x, img, NULL);
  image_dims ("conv2d", "the gradient", grad_output, col, NULL);
  conv_geom_init (&g, img, col, w, node->i);

  if (fit_node_needs_grad (node, 0))
    {
      grad_inputs[0] = fit_tensor_new_empty_like (x);
      flags |= CONV_ADJ;
    }
  if (fit_node_needs_grad (node, 1))
    {
      grad_inputs[1] = fit_tensor_new_empty_like (w);
      flags |= CONV_WGRAD;
    }
  if (b != NULL && fit_node_needs_grad (node, 2))
    {
      grad_inputs[2] = fit_tensor_new_empty_like (b);
      flags |= CONV_BGRAD_COL;
    }
  /* After a fused ReLU, saved[0] is its result, through which the gradient came. */
  if (flags != 0)
    conv_run (x->dtype, &g, flags, x, grad_inputs[0], grad_output, NULL, w, NULL,
              grad_inputs[1], grad_inputs[2], node->saved[0]);
  return TRUE;
}

/**
 * fit_tensor_conv2d:
 * @input: the images, [N, C_in, H, W] (or one unbatched image, [C_in, H, W])
 * @weight: the filters, [C_out, C_in / @groups, kH, kW]
 * @bias: (nullable): one value per output channel, [C_out], or %NULL
 * @stride_h: the vertical step between windows, at least 1
 * @stride_w: the horizontal step between windows, at least 1
 * @padding_h: the zeros added above and below, at least 0
 * @padding_w: the zeros added left and right, at least 0
 * @dilation_h: the vertical spacing of the kernel's taps, at least 1 (1 is dense)
 * @dilation_w: the horizontal spacing of the kernel's taps, at least 1
 * @groups: how many independent groups the channels are split into (1 for a full
 *   convolution, C_in for a depthwise one); it must divide C_in and C_out
 * @error: return location for a #GError
 *
 * Computes a 2-D convolution (a cross-correlation, as in PyTorch's `conv2d`). The
 * result has shape [N, C_out, H_out, W_out] with
 * H_out = ⌊(H + 2·padding_h − dilation_h·(kH − 1) − 1) / stride_h⌋ + 1, and likewise
 * W_out. Input channel group g (C_in / @groups channels) feeds the output channels of
 * group g only.
 *
 * The operation is differentiable with respect to @input, @weight and @bias.
 *
 * How it is computed: 3×3 kernels with stride 1 and no dilation, with at least 4
 * channels per group on each side, use Winograd's F(2×2, 3×3) for the result and both
 * gradients: 2.25 times fewer multiply-adds, with rounding at the level of the direct
 * sum's. Other shapes are lowered to matrix products. Float32 computes in single
 * precision, float64 in double. With several threads the images are shared out among
 * them, and the weight and bias gradients add the threads' partial sums at the end,
 * so their last bits can differ from one thread count to another.
 *
 * Returns: (transfer full): the convolved images, or %NULL with %FIT_ERROR_SHAPE when
 *   the shapes do not fit together (channels that differ from the weight's, @groups
 *   not dividing them, a kernel larger than the padded input), %FIT_ERROR_INVALID_ARGUMENT
 *   for a stride, padding, dilation or group count out of range, or %FIT_ERROR_DTYPE
 *   or %FIT_ERROR_DEVICE
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_conv2d (FitTensor  *input,
                   FitTensor  *weight,
                   FitTensor  *bias,
                   int         stride_h,
                   int         stride_w,
                   int         padding_h,
                   int         padding_w,
                   int         dilation_h,
                   int         dilation_w,
                   int         groups,
                   GError    **error)
{
  return fit_tensor_conv2d_relu (input, weight, bias, stride_h, stride_w, padding_h,
                                 padding_w, dilation_h, dilation_w, groups, FALSE, error);
}

FitTensor *
fit_tensor_conv2d_relu (FitTensor  *input,
                        FitTensor  *weight,
                        FitTensor  *bias,
                        int         stride_h,
                        int         stride_w,
                        int         padding_h,
                        int         padding_w,
                        int         dilation_h,
                        int         dilation_w,
                        int         groups,
                        gboolean    relu,
                        GError    **error)
{
  const char *op = "conv2d";
  gint64 params[7] = { stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w,
                       groups };
  gint64 img[4], col[4], shape[4];
  gint64 ekh, ekw;
  FitTensor *inputs[3] = { input, weight, bias };
  FitTensor *out;
  FitNode *node;
  ConvGeom g;

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || FIT_IS_TENSOR (bias), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_operand (op, input, NULL, error) || !check_operand (op, weight, input, error) ||
      !check_operand (op, bias, input, error) ||
      !image_dims (op, "the input", input, img, error) || !check_weight (op, weight, error) ||
      !check_conv_args (op, stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w,
                        groups, error) ||
      !check_groups_divide (op, "output channels of the weight", weight->shape[0], groups,
                            weight, error) ||
      !check_bias (op, bias, weight->shape[0], error))
    return NULL;

  if (mul_saturated (weight->shape[1], groups) != img[1])
    {
      g_autofree char *si = fit_shape_to_string (input->shape, input->n_dims);
      g_autofree char *sw = fit_shape_to_string (weight->shape, weight->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the weight %s with groups=%d expects %" PRId64 " input "
                     "channels, but the input %s has %" PRId64),
                   op, sw, groups, mul_saturated (weight->shape[1], groups), si, img[1]);
      return NULL;
    }

  ekh = kernel_span (dilation_h, weight->shape[2]);
  ekw = kernel_span (dilation_w, weight->shape[3]);
  if (ekh > img[2] + 2 * (gint64) padding_h || ekw > img[3] + 2 * (gint64) padding_w)
    {
      g_autofree char *si = fit_shape_to_string (input->shape, input->n_dims);
      g_autofree char *sw = fit_shape_to_string (weight->shape, weight->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the kernel of weight %s spans %" PRId64 "×%" PRId64
                     " with dilation (%d, %d), more than the input %s padded by (%d, %d); "
                     "pad the input or use a smaller kernel"),
                   op, sw, ekh, ekw, dilation_h, dilation_w, si, padding_h, padding_w);
      return NULL;
    }

  col[0] = img[0];
  col[1] = weight->shape[0];
  col[2] = (img[2] + 2 * (gint64) padding_h - ekh) / stride_h + 1;
  col[3] = (img[3] + 2 * (gint64) padding_w - ekw) / stride_w + 1;
  if (!fit_shape_check_result (op, shape, image_shape (input, col[0], col[1], col[2], col[3],
                                                       shape), error))
    return NULL;
  conv_geom_init (&g, img, col, weight, params);

  out = fit_tensor_new_empty (input->dtype, shape, input->n_dims);
  conv_run (input->dtype, &g, CONV_FWD | (relu ? CONV_RELU : 0), input, NULL, NULL, out,
            weight, bias, NULL, NULL, NULL);

  node = fit_autograd_record (out, relu ? "conv2d_relu" : "conv2d", conv2d_backward, 3,
                              inputs);
  if (node != NULL)
    {
      memcpy (node->i, params, sizeof params);
      if (relu)
        {
          /* The ReLU's result masks the gradient; a detached view, as the output's own
           * node must not hold the output. */
          g_autoptr(FitTensor) view = fit_tensor_detach (out);

          fit_node_save (node, 0, view);
        }
    }
  return out;
}

/* ---- conv_transpose2d ---- */

/* The output size of a transposed convolution along one dimension:
 * (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1. */
static gint64
transposed_size (gint64 in,
                 gint64 stride,
                 gint64 padding,
                 gint64 dilation,
                 gint64 k,
                 gint64 output_padding)
{
  gint64 size = mul_saturated (in - 1, stride);

  if (size == G_MAXINT64)
    return size;
  return add_saturated (size - 2 * padding + output_padding, kernel_span (dilation, k));
}

static gboolean
conv_transpose2d_backward (FitNode    *node,
                           FitTensor  *grad_output,
                           FitTensor **grad_inputs,
                           GError    **error)
{
  FitTensor *x = node->inputs[0];
  FitTensor *w = node->inputs[1];
  FitTensor *b = node->inputs[2];
  gint64 img[4] = { 0 }, col[4] = { 0 };   /* checked in the forward pass */
  ConvGeom g;
  guint flags = 0;

  image_dims ("conv_transpose2d", "the gradient", grad_output, img, NULL);
  image_dims ("conv_transpose2d", "the input", x, col, NULL);
  conv_geom_init (&g, img, col, w, node->i);

  /* The input gradient is a plain convolution of the output gradient. */
  if (fit_node_needs_grad (node, 0))
    {
      grad_inputs[0] = fit_tensor_new_empty_like (x);
      flags |= CONV_FWD;
    }
  if (fit_node_needs_grad (node, 1))
    {
      grad_inputs[1] = fit_tensor_new_empty_like (w);
      flags |= CONV_WGRAD;
    }
  if (b != NULL && fit_node_needs_grad (node, 2))
    {
      grad_inputs[2] = fit_tensor_new_empty_like (b);
      flags |= CONV_BGRAD_IMG;
    }
  if (flags != 0)
    conv_run (x->dtype, &g, flags, grad_output, NULL, x, grad_inputs[0], w, NULL,
              grad_inputs[1], grad_inputs[2], NULL);
  return TRUE;
}

/**
 * fit_tensor_conv_transpose2d:
 * @input: the images, [N, C_in, H, W] (or one unbatched image, [C_in, H, W])
 * @weight: the filters, [C_in, C_out / @groups, kH, kW]
 * @bias: (nullable): one value per output channel, [C_out], or %NULL
 * @stride_h: the vertical upsampling factor, at least 1
 * @stride_w: the horizontal upsampling factor, at least 1
 * @padding_h: the rows cropped from the top and the bottom, at least 0 (it undoes the
 *   padding of the convolution this one transposes)
 * @padding_w: the columns cropped from the left and the right, at least 0
 * @output_padding_h: extra rows added at the bottom, to pick one of the output sizes
 *   that a strided convolution maps to the same size; less than @stride_h or
 *   @dilation_h
 * @output_padding_w: extra columns added at the right; less than @stride_w or
 *   @dilation_w
 * @dilation_h: the vertical spacing of the kernel's taps, at least 1
 * @dilation_w: the horizontal spacing of the kernel's taps, at least 1
 * @groups: how many independent channel groups; it must divide C_in
 * @error: return location for a #GError
 *
 * Computes a 2-D transposed convolution (sometimes called a fractionally strided
 * convolution or, wrongly, a deconvolution), as PyTorch's `conv_transpose2d`: the
 * gradient of fit_tensor_conv2d() with respect to its input, applied to @input. The
 * result has shape [N, C_out, H_out, W_out] with
 * H_out = (H − 1)·stride_h − 2·padding_h + dilation_h·(kH − 1) + output_padding_h + 1,
 * and likewise W_out.
 *
 * The operation is differentiable with respect to @input, @weight and @bias. It is
 * computed as fit_tensor_conv2d()'s input gradient is, so 3×3 kernels with stride 1
 * and no dilation take the Winograd path described there.
 *
 * Returns: (transfer full): the result, or %NULL with %FIT_ERROR_SHAPE when the shapes
 *   do not fit together (C_in differing from the weight's first dimension, @groups not
 *   dividing it, an empty output), %FIT_ERROR_INVALID_ARGUMENT for an argument out of
 *   range, or %FIT_ERROR_DTYPE or %FIT_ERROR_DEVICE
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_conv_transpose2d (FitTensor  *input,
                             FitTensor  *weight,
                             FitTensor  *bias,
                             int         stride_h,
                             int         stride_w,
                             int         padding_h,
                             int         padding_w,
                             int         output_padding_h,
                             int         output_padding_w,
                             int         dilation_h,
                             int         dilation_w,
                             int         groups,
                             GError    **error)
{
  const char *op = "conv_transpose2d";
  gint64 params[7] = { stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w,
                       groups };
  gint64 img[4], col[4], shape[4];
  FitTensor *inputs[3] = { input, weight, bias };
  FitTensor *out;
  FitNode *node;
  ConvGeom g;

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || FIT_IS_TENSOR (bias), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_operand (op, input, NULL, error) || !check_operand (op, weight, input, error) ||
      !check_operand (op, bias, input, error) ||
      !image_dims (op, "the input", input, col, error) || !check_weight (op, weight, error) ||
      !check_conv_args (op, stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w,
                        groups, error) ||
      !check_at_least (op, "the output padding", output_padding_h, output_padding_w, 0, error))
    return NULL;

  if (output_padding_h >= MAX (stride_h, dilation_h) ||
      output_padding_w >= MAX (stride_w, dilation_w))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: the output padding (%d, %d) must be smaller than the stride "
                     "(%d, %d) or the dilation (%d, %d)"),
                   op, output_padding_h, output_padding_w, stride_h, stride_w,
                   dilation_h, dilation_w);
      return NULL;
    }

  if (weight->shape[0] != col[1])
    {
      g_autofree char *si = fit_shape_to_string (input->shape, input->n_dims);
      g_autofree char *sw = fit_shape_to_string (weight->shape, weight->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the weight %s expects %" PRId64 " input channels "
                     "(its first dimension), but the input %s has %" PRId64),
                   op, sw, weight->shape[0], si, col[1]);
      return NULL;
    }
  img[0] = col[0];
  img[1] = mul_saturated (weight->shape[1], groups);
  img[2] = transposed_size (col[2], stride_h, padding_h, dilation_h, weight->shape[2],
                            output_padding_h);
  img[3] = transposed_size (col[3], stride_w, padding_w, dilation_w, weight->shape[3],
                            output_padding_w);
  if (!check_groups_divide (op, "input channels of the input", col[1], groups, input, error) ||
      !check_bias (op, bias, img[1], error))
    return NULL;
  if (img[2] <= 0 || img[3] <= 0)
    {
      g_autofree char *si = fit_shape_to_string (input->shape, input->n_dims);
      g_autofree char *sw = fit_shape_to_string (weight->shape, weight->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the input %s with weight %s and padding (%d, %d) gives an empty "
                     "%" PRId64 "×%" PRId64 " output; reduce the padding"),
                   op, si, sw, padding_h, padding_w, img[2], img[3]);
      return NULL;
    }
  if (!fit_shape_check_result (op, shape, image_shape (input, img[0], img[1], img[2], img[3],
                                                       shape), error))
    return NULL;
  conv_geom_init (&g, img, col, weight, params);

  out = fit_tensor_new_empty (input->dtype, shape, input->n_dims);
  conv_run (input->dtype, &g, CONV_ADJ, NULL, out, input, NULL, weight, bias, NULL, NULL,
            NULL);

  node = fit_autograd_record (out, "conv_transpose2d", conv_transpose2d_backward, 3, inputs);
  if (node != NULL)
    memcpy (node->i, params, sizeof params);
  return out;
}

/* ---- pooling ---- */

static gboolean
check_pool_args (const char  *op,
                 int          kernel_h,
                 int          kernel_w,
                 int          stride_h,
                 int          stride_w,
                 int          padding_h,
                 int          padding_w,
                 GError     **error)
{
  if (!check_at_least (op, "the kernel size", kernel_h, kernel_w, 1, error) ||
      !check_at_least (op, "the stride", stride_h, stride_w, 0, error) ||
      !check_at_least (op, "the padding", padding_h, padding_w, 0, error))
    return FALSE;
  if (padding_h <= kernel_h / 2 && padding_w <= kernel_w / 2)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("%s: the padding (%d, %d) must be at most half the kernel size (%d, %d)"),
               op, padding_h, padding_w, kernel_h, kernel_w);
  return FALSE;
}

/* Checks a windowed pooling's arguments and fills @p and the output shape. A stride of
 * 0 means the kernel size, PyTorch's default. */
static gboolean
pool_prepare (const char  *op,
              FitTensor   *input,
              int          kernel_h,
              int          kernel_w,
              int          stride_h,
              int          stride_w,
              int          padding_h,
              int          padding_w,
              PoolGeom    *p,
              gint64      *shape,
              guint       *n_dims,
              GError     **error)
{
  gint64 d[4];

  if (!check_operand (op, input, NULL, error) ||
      !image_dims (op, "the input", input, d, error) ||
      !check_pool_args (op, kernel_h, kernel_w, stride_h, stride_w, padding_h, padding_w,
                        error))
    return FALSE;
  /* Padding can make windows over an empty plane; they would hold nothing to take the
   * maximum or average of, and the maximum's position would point outside the plane. */
  if (d[2] == 0 || d[3] == 0)
    {
      g_autofree char *s = fit_shape_to_string (input->shape, input->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the input %s has an empty plane to pool"), op, s);
      return FALSE;
    }
  if (kernel_h > d[2] + 2 * (gint64) padding_h || kernel_w > d[3] + 2 * (gint64) padding_w)
    {
      g_autofree char *s = fit_shape_to_string (input->shape, input->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the %d×%d kernel is larger than the input %s padded by (%d, %d)"),
                   op, kernel_h, kernel_w, s, padding_h, padding_w);
      return FALSE;
    }
  memset (p, 0, sizeof *p);
  p->planes = d[0] * d[1];
  p->h = d[2];
  p->w = d[3];
  p->kh = kernel_h;
  p->kw = kernel_w;
  p->sh = stride_h > 0 ? stride_h : kernel_h;
  p->sw = stride_w > 0 ? stride_w : kernel_w;
  p->ph = padding_h;
  p->pw = padding_w;
  p->oh = (p->h + 2 * p->ph - p->kh) / p->sh + 1;
  p->ow = (p->w + 2 * p->pw - p->kw) / p->sw + 1;
  *n_dims = image_shape (input, d[0], d[1], p->oh, p->ow, shape);
  return fit_shape_check_result (op, shape, *n_dims, error);
}

/* Saves a PoolGeom in a node, and reads it back. */
static void
pool_save (FitNode        *node,
           const PoolGeom *p)
{
  node->i[0] = p->planes;
  node->i[1] = p->h;
  node->i[2] = p->w;
  node->i[3] = p->oh;
  node->i[4] = p->ow;
  node->i[5] = p->kh;
  node->i[6] = p->kw;
  node->i[7] = p->sh;
  node->i[8] = p->sw;
  node->i[9] = p->ph;
  node->i[10] = p->pw;
  node->i[11] = p->count_include_pad;
}

static void
pool_load (FitNode  *node,
           PoolGeom *p)
{
  p->planes = node->i[0];
  p->h = node->i[1];
  p->w = node->i[2];
  p->oh = node->i[3];
  p->ow = node->i[4];
  p->kh = node->i[5];
  p->kw = node->i[6];
  p->sh = node->i[7];
  p->sw = node->i[8];
  p->ph = node->i[9];
  p->pw = node->i[10];
  p->count_include_pad = node->i[11] != 0;
}

static gboolean
max_pool2d_backward (FitNode    *node,
                     FitTensor  *grad_output,
                     FitTensor **grad_inputs,
                     GError    **error)
{
  FitTensor *argmax = node->saved[0];
  PoolGeom p;

  pool_load (node, &p);
  grad_inputs[0] = fit_tensor_new_empty_like (node->inputs[0]);
  if (grad_output->dtype == FIT_DTYPE_FLOAT32)
    max_pool_backward_f32 (&p, fit_tensor_f32 (grad_output), fit_tensor_ptr (argmax),
                           fit_tensor_f32 (grad_inputs[0]));
  else
    max_pool_backward_f64 (&p, fit_tensor_f64 (grad_output), fit_tensor_ptr (argmax),
                           fit_tensor_f64 (grad_inputs[0]));
  return TRUE;
}

/**
 * fit_tensor_max_pool2d:
 * @input: the images, [N, C, H, W] (or one unbatched image, [C, H, W])
 * @kernel_h: the window height, at least 1
 * @kernel_w: the window width, at least 1
 * @stride_h: the vertical step between windows; 0 means @kernel_h
 * @stride_w: the horizontal step between windows; 0 means @kernel_w
 * @padding_h: rows of −∞ added above and below, at most half of @kernel_h
 * @padding_w: columns of −∞ added left and right, at most half of @kernel_w
 * @error: return location for a #GError
 *
 * Takes the maximum of each window of every channel, as PyTorch's `max_pool2d`. The
 * result has shape [N, C, H_out, W_out] with
 * H_out = ⌊(H + 2·padding_h − kernel_h) / stride_h⌋ + 1, and likewise W_out. Where a
 * window holds several equal maxima the first one (in row-major order) is taken, and a
 * NaN in a window propagates.
 *
 * The operation is differentiable: the gradient of each output element flows to the
 * input element that was its maximum.
 *
 * Returns: (transfer full): the pooled images, or %NULL with %FIT_ERROR_SHAPE when the
 *   input is not 3- or 4-dimensional, has an empty plane, or the window is larger than
 *   the padded input,
 *   %FIT_ERROR_INVALID_ARGUMENT for a size out of range, or %FIT_ERROR_DTYPE or
 *   %FIT_ERROR_DEVICE
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_max_pool2d (FitTensor  *input,
                       int         kernel_h,
                       int         kernel_w,
                       int         stride_h,
                       int         stride_w,
                       int         padding_h,
                       int         padding_w,
                       GError    **error)
{
  gint64 shape[4];
  guint n_dims;
  PoolGeom p;
  FitTensor *out;
  FitNode *node;
  g_autoptr(FitTensor) argmax = NULL;

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!pool_prepare ("max_pool2d", input, kernel_h, kernel_w, stride_h, stride_w, padding_h,
                     padding_w, &p, shape, &n_dims, error))
    return NULL;

  out = fit_tensor_new_empty (input->dtype, shape, n_dims);
  node = fit_autograd_record (out, "max_pool2d", max_pool2d_backward, 1, &input);
  if (node != NULL)
    {
      argmax = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, n_dims);
      pool_save (node, &p);
      fit_node_save (node, 0, argmax);
    }
  if (input->dtype == FIT_DTYPE_FLOAT32)
    max_pool_forward_f32 (&p, fit_tensor_f32 (input), fit_tensor_f32 (out),
                          data_or_null (argmax));
  else
    max_pool_forward_f64 (&p, fit_tensor_f64 (input), fit_tensor_f64 (out),
                          data_or_null (argmax));
  return out;
}

static gboolean
avg_pool2d_backward (FitNode    *node,
                     FitTensor  *grad_output,
                     FitTensor **grad_inputs,
                     GError    **error)
{
  PoolGeom p;

  pool_load (node, &p);
  grad_inputs[0] = fit_tensor_new_empty_like (node->inputs[0]);
  if (grad_output->dtype == FIT_DTYPE_FLOAT32)
    avg_pool_backward_f32 (&p, fit_tensor_f32 (grad_output), fit_tensor_f32 (grad_inputs[0]));
  else
    avg_pool_backward_f64 (&p, fit_tensor_f64 (grad_output), fit_tensor_f64 (grad_inputs[0]));
  return TRUE;
}

/**
 * fit_tensor_avg_pool2d:
 * @input: the images, [N, C, H, W] (or one unbatched image, [C, H, W])
 * @kernel_h: the window height, at least 1
 * @kernel_w: the window width, at least 1
 * @stride_h: the vertical step between windows; 0 means @kernel_h
 * @stride_w: the horizontal step between windows; 0 means @kernel_w
 * @padding_h: rows of zeros added above and below, at most half of @kernel_h
 * @padding_w: columns of zeros added left and right, at most half of @kernel_w
 * @count_include_pad: whether the padding counts in a window's divisor (%TRUE, as
 *   PyTorch's default) or only the input elements it covers (%FALSE)
 * @error: return location for a #GError
 *
 * Averages each window of every channel, as PyTorch's `avg_pool2d`. The output size
 * is that of fit_tensor_max_pool2d(). The operation is differentiable.
 *
 * Returns: (transfer full): the pooled images, or %NULL with %FIT_ERROR_SHAPE when the
 *   input is not 3- or 4-dimensional, has an empty plane, or the window is larger than
 *   the padded input,
 *   %FIT_ERROR_INVALID_ARGUMENT for a size out of range, or %FIT_ERROR_DTYPE or
 *   %FIT_ERROR_DEVICE
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_avg_pool2d (FitTensor  *input,
                       int         kernel_h,
                       int         kernel_w,
                       int         stride_h,
                       int         stride_w,
                       int         padding_h,
                       int         padding_w,
                       gboolean    count_include_pad,
                       GError    **error)
{
  gint64 shape[4];
  guint n_dims;
  PoolGeom p;
  FitTensor *out;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!pool_prepare ("avg_pool2d", input, kernel_h, kernel_w, stride_h, stride_w, padding_h,
                     padding_w, &p, shape, &n_dims, error))
    return NULL;
  p.count_include_pad = !!count_include_pad;

  out = fit_tensor_new_empty (input->dtype, shape, n_dims);
  if (input->dtype == FIT_DTYPE_FLOAT32)
    avg_pool_forward_f32 (&p, fit_tensor_f32 (input), fit_tensor_f32 (out));
  else
    avg_pool_forward_f64 (&p, fit_tensor_f64 (input), fit_tensor_f64 (out));

  node = fit_autograd_record (out, "avg_pool2d", avg_pool2d_backward, 1, &input);
  if (node != NULL)
    pool_save (node, &p);
  return out;
}

static gboolean
adaptive_avg_pool2d_backward (FitNode    *node,
                              FitTensor  *grad_output,
                              FitTensor **grad_inputs,
                              GError    **error)
{
  PoolGeom p;

  pool_load (node, &p);
  grad_inputs[0] = fit_tensor_new_empty_like (node->inputs[0]);
  if (grad_output->dtype == FIT_DTYPE_FLOAT32)
    adaptive_avg_pool_backward_f32 (&p, fit_tensor_f32 (grad_output),
                                    fit_tensor_f32 (grad_inputs[0]));
  else
    adaptive_avg_pool_backward_f64 (&p, fit_tensor_f64 (grad_output),
                                    fit_tensor_f64 (grad_inputs[0]));
  return TRUE;
}

/**
 * fit_tensor_adaptive_avg_pool2d:
 * @input: the images, [N, C, H, W] (or one unbatched image, [C, H, W])
 * @output_h: the height of the result, at least 1
 * @output_w: the width of the result, at least 1
 * @error: return location for a #GError
 *
 * Averages over windows chosen so that the result has the requested size whatever the
 * input's, as PyTorch's `adaptive_avg_pool2d`: output row i averages input rows
 * ⌊i·H / output_h⌋ up to, but not including, ⌈(i + 1)·H / output_h⌉, and likewise for
 * columns. With a 1×1 output it is a global average pool. The operation is
 * differentiable.
 *
 * Returns: (transfer full): the pooled images, [N, C, @output_h, @output_w], or %NULL
 *   with %FIT_ERROR_SHAPE when the input is not 3- or 4-dimensional or has an empty
 *   plane, %FIT_ERROR_INVALID_ARGUMENT for an output size below 1, or %FIT_ERROR_DTYPE
 *   or %FIT_ERROR_DEVICE
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_adaptive_avg_pool2d (FitTensor  *input,
                                int         output_h,
                                int         output_w,
                                GError    **error)
{
  const char *op = "adaptive_avg_pool2d";
  gint64 d[4], shape[4];
  guint n_dims;
  PoolGeom p = { 0 };
  FitTensor *out;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_operand (op, input, NULL, error) ||
      !image_dims (op, "the input", input, d, error) ||
      !check_at_least (op, "the output size", output_h, output_w, 1, error))
    return NULL;
  if (d[2] == 0 || d[3] == 0)
    {
      g_autofree char *s = fit_shape_to_string (input->shape, input->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the input %s has an empty plane to average"), op, s);
      return NULL;
    }

  p.planes = d[0] * d[1];
  p.h = d[2];
  p.w = d[3];
  p.oh = output_h;
  p.ow = output_w;
  n_dims = image_shape (input, d[0], d[1], p.oh, p.ow, shape);
  if (!fit_shape_check_result (op, shape, n_dims, error))
    return NULL;
  out = fit_tensor_new_empty (input->dtype, shape, n_dims);
  if (input->dtype == FIT_DTYPE_FLOAT32)
    adaptive_avg_pool_forward_f32 (&p, fit_tensor_f32 (input), fit_tensor_f32 (out));
  else
    adaptive_avg_pool_forward_f64 (&p, fit_tensor_f64 (input), fit_tensor_f64 (out));

  node = fit_autograd_record (out, "adaptive_avg_pool2d", adaptive_avg_pool2d_backward, 1,
                              &input);
  if (node != NULL)
    pool_save (node, &p);
  return out;
}

/* ---- dropout ---- */

static gboolean
dropout_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  FitTensor *mask = node->saved[0];
  FitTensor *dx = fit_tensor_new_empty_like (grad_output);
  gint64 n = dx->numel;

  if (dx->dtype == FIT_DTYPE_FLOAT32)
    {
      const float *g = fit_tensor_f32 (grad_output), *m = fit_tensor_f32 (mask);
      float *d = fit_tensor_f32 (dx);

#pragma omp parallel for if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        d[i] = g[i] * m[i];
    }
  else
    {
      const double *g = fit_tensor_f64 (grad_output), *m = fit_tensor_f64 (mask);
      double *d = fit_tensor_f64 (dx);

#pragma omp parallel for if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        d[i] = g[i] * m[i];
    }
  grad_inputs[0] = dx;
  return TRUE;
}

/**
 * fit_tensor_dropout:
 * @input: a floating-point tensor of any shape
 * @p: the probability of zeroing each element, in [0, 1)
 * @rng: (nullable): the generator that draws which elements are dropped; it may be
 *   %NULL only when nothing is dropped (@training is %FALSE or @p is 0)
 * @training: whether to drop anything; in evaluation (%FALSE) dropout is the identity
 * @error: return location for a #GError
 *
 * Inverted dropout: while training, zeroes each element independently with
 * probability @p and scales the others by 1 / (1 − @p), so that the expected value of
 * every element is unchanged and evaluation needs no rescaling. The elements dropped
 * are a function of @rng's state only, so a seeded generator repeats them exactly.
 *
 * The operation is differentiable: the gradient is masked and scaled the same way.
 *
 * Returns: (transfer full): the result (a new reference to @input when nothing is
 *   dropped), or %NULL with %FIT_ERROR_INVALID_ARGUMENT when @p is outside [0, 1),
 *   or %FIT_ERROR_DTYPE or %FIT_ERROR_DEVICE
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_dropout (FitTensor  *input,
                    double      p,
                    FitRng     *rng,
                    gboolean    training,
                    GError    **error)
{
  const char *op = "dropout";
  FitTensor *out;
  g_autoptr(FitTensor) mask = NULL;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_operand (op, input, NULL, error))
    return NULL;
  if (!(p >= 0 && p < 1))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: the drop probability must be in [0, 1), got %g"), op, p);
      return NULL;
    }
  if (!training || p == 0)
    return g_object_ref (input);
  g_return_val_if_fail (rng != NULL, NULL);

  out = fit_tensor_new_empty_like (input);
  mask = fit_tensor_new_empty_like (input);
  if (input->dtype == FIT_DTYPE_FLOAT32)
    dropout_forward_f32 (fit_tensor_f32 (input), fit_tensor_f32 (out), fit_tensor_f32 (mask),
                         input->numel, p, rng);
  else
    dropout_forward_f64 (fit_tensor_f64 (input), fit_tensor_f64 (out), fit_tensor_f64 (mask),
                         input->numel, p, rng);

  node = fit_autograd_record (out, "dropout", dropout_backward, 1, &input);
  if (node != NULL)
    fit_node_save (node, 0, mask);
  return out;
}
