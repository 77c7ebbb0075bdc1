/* test-conv.c: convolution, pooling and dropout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Gradients are checked against finite differences on small float64 shapes; the
 * batched, chunked and threaded paths against a direct convolution written out here
 * and against the same convolution run one sample at a time.
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

typedef struct
{
  int stride_h, stride_w, padding_h, padding_w, dilation_h, dilation_w, groups;
  int output_padding_h, output_padding_w;
} ConvArgs;

static FitTensor *
conv2d_fn (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  const ConvArgs *a = data;

  return fit_tensor_conv2d (in[0], in[1], in[2], a->stride_h, a->stride_w, a->padding_h,
                            a->padding_w, a->dilation_h, a->dilation_w, a->groups, error);
}

static FitTensor *
conv_transpose2d_fn (FitTensor **in,
                     gpointer    data,
                     GError    **error)
{
  const ConvArgs *a = data;

  return fit_tensor_conv_transpose2d (in[0], in[1], in[2], a->stride_h, a->stride_w,
                                      a->padding_h, a->padding_w, a->output_padding_h,
                                      a->output_padding_w, a->dilation_h, a->dilation_w,
                                      a->groups, error);
}

static void
check_conv (FitGradcheckFunc  fn,
            const ConvArgs   *args,
            const gint64     *x_shape,
            guint             x_dims,
            const gint64     *w_shape,
            gint64            n_bias)
{
  g_autoptr(FitRng) rng = fit_rng_new (17);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, x_shape, x_dims, -1, 1);
  g_autoptr(FitTensor) w = fit_gradcheck_input (rng, w_shape, 4, -1, 1);
  g_autoptr(FitTensor) b = n_bias > 0 ? fit_gradcheck_input (rng, &n_bias, 1, -1, 1) : NULL;
  FitTensor *inputs[3] = { x, w, b };

  fit_gradcheck (fn, (gpointer) args, inputs, b != NULL ? 3 : 2, 1e-6, 1e-6);
  g_assert_nonnull (fit_tensor_get_grad (x));
  g_assert_nonnull (fit_tensor_get_grad (w));
  if (b != NULL)
    g_assert_nonnull (fit_tensor_get_grad (b));
}

static void
test_conv2d_gradcheck (void)
{
  const ConvArgs cases[] = {
    { 1, 1, 0, 0, 1, 1, 1 },
    { 2, 1, 1, 0, 1, 1, 1 },
    { 1, 2, 1, 2, 2, 1, 1 },
    { 2, 2, 1, 1, 1, 2, 2 },
    { 3, 1, 0, 1, 1, 1, 4 },   /* depthwise */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 xs[] = { 2, 4, 6, 5 };
      gint64 ws[] = { 4, 4 / cases[i].groups, 3, 2 };

      check_conv (conv2d_fn, &cases[i], xs, 4, ws, 4);
    }
}

static void
test_conv2d_gradcheck_shapes (void)
{
  ConvArgs one = { 1, 1, 0, 0, 1, 1, 1 };
  ConvArgs padded = { 2, 2, 1, 1, 1, 1, 1 };
  gint64 xs[] = { 3, 5, 4 };            /* unbatched */
  gint64 ws[] = { 2, 3, 2, 2 };
  gint64 xp[] = { 2, 3, 4, 4 };          /* 1×1 kernel: no patch matrix */
  gint64 wp[] = { 5, 3, 1, 1 };

  check_conv (conv2d_fn, &padded, xs, 3, ws, 2);
  check_conv (conv2d_fn, &one, xp, 4, wp, 0);
}

/* Stride 1 with at least 8 input channels per group: the gradients are GEMMs on
 * shifted views of dY and X, with zero margins and a padded copy of the image. */
static void
test_conv2d_gradcheck_shifted (void)
{
  const ConvArgs cases[] = {
    { 1, 1, 0, 0, 1, 1, 1 },
    { 1, 1, 1, 2, 1, 1, 1 },
    { 1, 1, 2, 0, 2, 1, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 xs[] = { 2, 16, 6, 5 };
      gint64 ws[] = { 3 * cases[i].groups, 16 / cases[i].groups, 3, 2 };

      check_conv (conv2d_fn, &cases[i], xs, 4, ws, ws[0]);
    }
  {
    const ConvArgs t = { 1, 1, 1, 0, 1, 2, 1, 0, 0 };
    gint64 xs[] = { 2, 3, 4, 5 };
    gint64 ws[] = { 3, 8, 2, 3 };

    check_conv (conv_transpose2d_fn, &t, xs, 4, ws, 8);
  }
}

/* 3×3, stride 1, no dilation, at least 4 channels per group on both sides: Winograd's
 * F(2×2, 3×3), in place (no padding, even output), through a bordered copy (padding,
 * or an odd output whose last tiles hang over the edge), grouped, and as the forward
 * pass of a transposed convolution. */
static void
test_conv2d_gradcheck_winograd (void)
{
  const ConvArgs cases[] = {
    { 1, 1, 0, 0, 1, 1, 1 },
    { 1, 1, 1, 2, 1, 1, 1 },
    { 1, 1, 2, 0, 1, 1, 2 },
  };
  gint64 even[] = { 2, 4, 6, 6 };
  gint64 we[] = { 5, 4, 3, 3 };
  /* Rows of 5 tiles: whole vectors of 4 doubles, the last overlapping the first; in
   * place, and padded to an odd output (7 × 11, 6 tiles a row). */
  gint64 row5[] = { 1, 4, 8, 12 }, row5_odd[] = { 1, 4, 7, 9 };

  check_conv (conv2d_fn, &cases[0], even, 4, we, 5);
  check_conv (conv2d_fn, &cases[0], row5, 4, we, 5);
  check_conv (conv2d_fn, &cases[1], row5_odd, 4, we, 5);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 xs[] = { 2, 4 * cases[i].groups, 7, 6 };
      gint64 ws[] = { 4 * cases[i].groups, 4, 3, 3 };

      check_conv (conv2d_fn, &cases[i], xs, 4, ws, ws[0]);
    }
  {
    const ConvArgs t = { 1, 1, 1, 0, 1, 1, 1, 0, 0 };
    gint64 xs[] = { 2, 4, 4, 5 };
    gint64 ws[] = { 4, 5, 3, 3 };

    check_conv (conv_transpose2d_fn, &t, xs, 4, ws, 5);
  }
}

static void
test_conv_transpose2d_gradcheck (void)
{
  const ConvArgs cases[] = {
    { 1, 1, 0, 0, 1, 1, 1, 0, 0 },
    { 2, 2, 0, 1, 1, 1, 1, 1, 0 },
    { 2, 3, 1, 0, 1, 2, 2, 1, 1 },
    { 1, 1, 1, 1, 2, 2, 1, 1, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 xs[] = { 2, 4, 3, 4 };
      gint64 ws[] = { 4, 6 / cases[i].groups, 3, 2 };

      check_conv (conv_transpose2d_fn, &cases[i], xs, 4, ws, 6);
    }
}

/* ---- batched paths against a direct convolution ---- */

static double
direct_conv (const double *x,
             const double *w,
             const double *b,
             const gint64 *xs,
             const gint64 *ws,
             const ConvArgs *a,
             gint64 n,
             gint64 co,
             gint64 oy,
             gint64 ox)
{
  gint64 cig = ws[1], cog = ws[0] / a->groups, g = co / cog;
  double s = b != NULL ? b[co] : 0;

  for (gint64 ci = 0; ci < cig; ci++)
    for (gint64 ky = 0; ky < ws[2]; ky++)
      for (gint64 kx = 0; kx < ws[3]; kx++)
        {
          gint64 iy = oy * a->stride_h - a->padding_h + ky * a->dilation_h;
          gint64 ix = ox * a->stride_w - a->padding_w + kx * a->dilation_w;

          if (iy < 0 || iy >= xs[2] || ix < 0 || ix >= xs[3])
            continue;
          s += x[((n * xs[1] + g * cig + ci) * xs[2] + iy) * xs[3] + ix] *
               w[((co * cig + ci) * ws[2] + ky) * ws[3] + kx];
        }
  return s;
}

typedef struct
{
  ConvArgs a;
  gint64   xs[4];
  gint64   ws[4];
} DirectCase;

/* Chunks of samples (small images) and bands of rows (large ones, with padding and
 * strides shifting the band's first row) against the definition, in both precisions. */
static void
test_conv2d_direct (void)
{
  const DirectCase cases[] = {
    { { 1, 2, 1, 0, 2, 1, 2 }, { 9, 4, 12, 11 }, { 6, 2, 3, 3 } },
    { { 2, 1, 2, 1, 1, 2, 1 }, { 2, 3, 40, 37 }, { 4, 3, 5, 5 } },
  };

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const ConvArgs *a = &cases[t].a;
      const gint64 *xs = cases[t].xs, *ws = cases[t].ws;
      g_autoptr(FitRng) rng = fit_rng_new (5);
      g_autoptr(FitTensor) x = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, xs, 4, -1, 1);
      g_autoptr(FitTensor) w = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, ws, 4, -1, 1);
      g_autoptr(FitTensor) b = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, ws, 1, -1, 1);
      g_autoptr(FitTensor) x32 = fit_tensor_to_dtype (x, FIT_DTYPE_FLOAT32, NULL);
      g_autoptr(FitTensor) w32 = fit_tensor_to_dtype (w, FIT_DTYPE_FLOAT32, NULL);
      g_autoptr(FitTensor) b32 = fit_tensor_to_dtype (b, FIT_DTYPE_FLOAT32, NULL);
      g_autoptr(FitTensor) y = NULL;
      g_autoptr(FitTensor) y32 = NULL;
      g_autoptr(GError) error = NULL;
      gint64 eh = a->dilation_h * (ws[2] - 1) + 1, ew = a->dilation_w * (ws[3] - 1) + 1;
      const gint64 *ys;
      const double *yd;
      const float *yf;
      gint64 i = 0;

      y = conv2d_fn ((FitTensor *[]) { x, w, b }, (gpointer) a, &error);
      g_assert_no_error (error);
      y32 = conv2d_fn ((FitTensor *[]) { x32, w32, b32 }, (gpointer) a, &error);
      g_assert_no_error (error);
      ys = fit_tensor_get_shape (y, NULL);
      g_assert_cmpint (ys[0], ==, xs[0]);
      g_assert_cmpint (ys[1], ==, ws[0]);
      g_assert_cmpint (ys[2], ==, (xs[2] + 2 * a->padding_h - eh) / a->stride_h + 1);
      g_assert_cmpint (ys[3], ==, (xs[3] + 2 * a->padding_w - ew) / a->stride_w + 1);
      yd = fit_tensor_get_data (y);
      yf = fit_tensor_get_data (y32);
      for (gint64 n = 0; n < ys[0]; n++)
        for (gint64 c = 0; c < ys[1]; c++)
          for (gint64 oy = 0; oy < ys[2]; oy++)
            for (gint64 ox = 0; ox < ys[3]; ox++, i++)
              {
                double ref = direct_conv (fit_tensor_get_data (x), fit_tensor_get_data (w),
                                          fit_tensor_get_data (b), xs, ws, a, n, c, oy, ox);

                g_assert_cmpfloat_with_epsilon (yd[i], ref, 1e-12);
                g_assert_cmpfloat_with_epsilon (yf[i], ref, 1e-5);
              }
    }
}

/* The gradients of a batch equal those of its samples run one at a time (chunks of
 * one, no threads), summed for the weight. */
static void
test_conv2d_batch_vs_samples (void)
{
  ConvArgs a = { 1, 1, 1, 1, 1, 1, 1 };
  gint64 xs[] = { 9, 2, 10, 10 };
  gint64 ws[] = { 4, 2, 3, 3 };
  gint64 per = 2 * 10 * 10;
  g_autoptr(FitRng) rng = fit_rng_new (9);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, xs, 4, -1, 1);
  g_autoptr(FitTensor) w = fit_gradcheck_input (rng, ws, 4, -1, 1);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) seed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *dw_sum = g_new0 (double, 4 * 2 * 3 * 3);
  double *dx_all;
  const double *seed_d;

  y = conv2d_fn ((FitTensor *[]) { x, w, NULL }, &a, &error);
  g_assert_no_error (error);
  seed = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, fit_tensor_get_shape (y, NULL), 4,
                                 -1, 1);
  g_assert_true (fit_tensor_backward_full (y, seed, FALSE, &error));
  g_assert_no_error (error);
  dx_all = fit_tensor_to_doubles (fit_tensor_get_grad (x), NULL);
  seed_d = fit_tensor_get_data (seed);

  for (gint64 n = 0; n < 9; n++)
    {
      gint64 s1[] = { 1, 2, 10, 10 };
      gint64 o1[] = { 1, 4, 10, 10 };
      g_autoptr(FitTensor) xn = NULL;
      g_autoptr(FitTensor) wn = NULL;
      g_autoptr(FitTensor) yn = NULL;
      g_autoptr(FitTensor) gn = NULL;
      const double *dxn, *dwn;

      xn = fit_tensor_new_from_doubles ((const double *) fit_tensor_get_data (x) + n * per,
                                        per, s1, 4, &error);
      g_assert_no_error (error);
      fit_tensor_set_requires_grad (xn, TRUE);
      wn = fit_tensor_new_from_doubles (fit_tensor_get_data (w), 72, ws, 4, &error);
      fit_tensor_set_requires_grad (wn, TRUE);
      yn = conv2d_fn ((FitTensor *[]) { xn, wn, NULL }, &a, &error);
      g_assert_no_error (error);
      gn = fit_tensor_new_from_doubles (seed_d + n * 400, 400, o1, 4, &error);
      g_assert_true (fit_tensor_backward_full (yn, gn, FALSE, &error));
      dxn = fit_tensor_get_data (fit_tensor_get_grad (xn));
      dwn = fit_tensor_get_data (fit_tensor_get_grad (wn));
      for (gint64 i = 0; i < per; i++)
        g_assert_cmpfloat_with_epsilon (dx_all[n * per + i], dxn[i], 1e-12);
      for (gint64 i = 0; i < 72; i++)
        dw_sum[i] += dwn[i];
    }
  for (gint64 i = 0; i < 72; i++)
    g_assert_cmpfloat_with_epsilon (((const double *) fit_tensor_get_data (
                                       fit_tensor_get_grad (w)))[i], dw_sum[i], 1e-10);
  g_free (dx_all);
}

/* ---- pooling ---- */

typedef struct
{
  int kh, kw, sh, sw, ph, pw;
  gboolean include_pad;
} PoolArgs;

static FitTensor *
max_pool_fn (FitTensor **in,
             gpointer    data,
             GError    **error)
{
  const PoolArgs *a = data;

  return fit_tensor_max_pool2d (in[0], a->kh, a->kw, a->sh, a->sw, a->ph, a->pw, error);
}

static FitTensor *
avg_pool_fn (FitTensor **in,
             gpointer    data,
             GError    **error)
{
  const PoolArgs *a = data;

  return fit_tensor_avg_pool2d (in[0], a->kh, a->kw, a->sh, a->sw, a->ph, a->pw,
                                a->include_pad, error);
}

static FitTensor *
adaptive_pool_fn (FitTensor **in,
                  gpointer    data,
                  GError    **error)
{
  const int *size = data;

  return fit_tensor_adaptive_avg_pool2d (in[0], size[0], size[1], error);
}

static void
test_pool_gradcheck (void)
{
  const PoolArgs cases[] = {
    { 2, 2, 2, 2, 0, 0, TRUE },
    { 3, 3, 2, 2, 1, 1, TRUE },
    { 3, 3, 2, 2, 1, 1, FALSE },
    { 3, 2, 1, 0, 1, 1, FALSE },
  };
  const int sizes[][2] = { { 1, 1 }, { 3, 2 }, { 4, 7 } };
  gint64 xs[] = { 2, 2, 7, 6 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FitRng) rng = fit_rng_new (i);
      g_autoptr(FitTensor) x = fit_gradcheck_input (rng, xs, 4, -1, 1);

      fit_gradcheck (max_pool_fn, (gpointer) &cases[i], &x, 1, 1e-6, 1e-6);
      fit_gradcheck (avg_pool_fn, (gpointer) &cases[i], &x, 1, 1e-6, 1e-6);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(FitRng) rng = fit_rng_new (i);
      g_autoptr(FitTensor) x = fit_gradcheck_input (rng, xs, 3, -1, 1);  /* unbatched */

      fit_gradcheck (adaptive_pool_fn, (gpointer) sizes[i], &x, 1, 1e-6, 1e-6);
    }
}

static void
test_pool_values (void)
{
  /* 1 2 3 4 / 5 6 7 8 / 9 10 11 12 / 13 14 15 16 */
  double v[16];
  gint64 s[] = { 1, 1, 4, 4 };
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(FitTensor) mx = NULL;
  g_autoptr(FitTensor) avg = NULL;
  g_autoptr(FitTensor) avg_ex = NULL;
  g_autoptr(FitTensor) ad = NULL;
  g_autoptr(GError) error = NULL;
  const double *d;

  for (int i = 0; i < 16; i++)
    v[i] = i + 1;
  x = fit_tensor_new_from_doubles (v, 16, s, 4, &error);
  g_assert_no_error (error);

  mx = fit_tensor_max_pool2d (x, 3, 3, 2, 2, 1, 1, &error);
  g_assert_no_error (error);
  d = fit_tensor_get_data (mx);
  g_assert_cmpfloat (d[0], ==, 6);
  g_assert_cmpfloat (d[1], ==, 8);
  g_assert_cmpfloat (d[2], ==, 14);
  g_assert_cmpfloat (d[3], ==, 16);

  /* Window of output (0, 0) covers rows/cols -1..1: 1 2 5 6 of 9 slots with padding. */
  avg = fit_tensor_avg_pool2d (x, 3, 3, 2, 2, 1, 1, TRUE, &error);
  avg_ex = fit_tensor_avg_pool2d (x, 3, 3, 2, 2, 1, 1, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (((const double *) fit_tensor_get_data (avg))[0], 14.0 / 9, 1e-15);
  g_assert_cmpfloat_with_epsilon (((const double *) fit_tensor_get_data (avg_ex))[0], 14.0 / 4,
                                  1e-15);

  /* 4 → 3 bins: rows [0, 2), [1, 3), [2, 4). */
  ad = fit_tensor_adaptive_avg_pool2d (x, 3, 1, &error);
  g_assert_no_error (error);
  d = fit_tensor_get_data (ad);
  g_assert_cmpfloat_with_epsilon (d[0], (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) / 8.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (d[1], (5 + 6 + 7 + 8 + 9 + 10 + 11 + 12) / 8.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (d[2], (9 + 10 + 11 + 12 + 13 + 14 + 15 + 16) / 8.0, 1e-15);
}

/* ---- dropout ---- */

typedef struct
{
  double   p;
  guint64  seed;
} DropoutArgs;

static FitTensor *
dropout_fn (FitTensor **in,
            gpointer    data,
            GError    **error)
{
  const DropoutArgs *a = data;
  g_autoptr(FitRng) rng = fit_rng_new (a->seed);

  return fit_tensor_dropout (in[0], a->p, rng, TRUE, error);
}

static void
test_dropout (void)
{
  DropoutArgs a = { 0.3, 99 };
  gint64 s[] = { 40, 50 };
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, s, 2, 0.5, 1);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) seed = NULL;
  g_autoptr(GError) error = NULL;
  const double *xd, *yd, *gd;
  gint64 kept = 0;

  fit_gradcheck (dropout_fn, &a, &x, 1, 1e-6, 1e-6);

  /* The gradient is the mask scaled by 1 / (1 - p), the same mask as the output's. */
  fit_tensor_set_grad (x, NULL);
  y = dropout_fn (&x, &a, &error);
  g_assert_no_error (error);
  seed = fit_tensor_new_full (FIT_DTYPE_FLOAT64, s, 2, 1.0);
  g_assert_true (fit_tensor_backward_full (y, seed, FALSE, &error));
  xd = fit_tensor_get_data (x);
  yd = fit_tensor_get_data (y);
  gd = fit_tensor_get_data (fit_tensor_get_grad (x));
  for (gint64 i = 0; i < 2000; i++)
    {
      double m = yd[i] != 0 ? 1 / (1 - a.p) : 0;

      g_assert_cmpfloat_with_epsilon (gd[i], m, 1e-12);
      g_assert_cmpfloat_with_epsilon (yd[i], xd[i] * m, 1e-12);
      kept += yd[i] != 0;
    }
  /* 2000 draws at p = 0.3: 1400 ± 20.5; allow five standard deviations. */
  g_assert_cmpint (kept, >, 1400 - 103);
  g_assert_cmpint (kept, <, 1400 + 103);
}

static void
test_dropout_identity (void)
{
  gint64 s[] = { 3 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s, 1);
  g_autoptr(FitTensor) eval = NULL;
  g_autoptr(FitTensor) zero = NULL;
  g_autoptr(GError) error = NULL;

  eval = fit_tensor_dropout (x, 0.5, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (eval == x);
  zero = fit_tensor_dropout (x, 0.0, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (zero == x);
}

/* ---- errors ---- */

static void
assert_error (FitTensor   *result,
              GError      *error,
              int          code,
              const char  *needle1,
              const char  *needle2)
{
  g_assert_null (result);
  g_assert_error (error, FIT_ERROR, code);
  if (needle1 != NULL && strstr (error->message, needle1) == NULL)
    g_error ("“%s” is not in “%s”", needle1, error->message);
  if (needle2 != NULL && strstr (error->message, needle2) == NULL)
    g_error ("“%s” is not in “%s”", needle2, error->message);
}

#define EXPECT(call, code, n1, n2) \
  G_STMT_START { \
    g_autoptr(GError) error = NULL; \
    FitTensor *r = (call); \
    assert_error (r, error, code, n1, n2); \
  } G_STMT_END

static void
test_conv_errors (void)
{
  gint64 xs[] = { 2, 4, 5, 5 };
  gint64 ws[] = { 6, 3, 3, 3 };
  gint64 wg[] = { 6, 2, 3, 3 };
  gint64 wbig[] = { 6, 4, 7, 3 };
  gint64 bs[] = { 5 };
  gint64 s2[] = { 4, 5 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, xs, 4);
  g_autoptr(FitTensor) x64 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, xs, 4);
  g_autoptr(FitTensor) xi = fit_tensor_new_zeros (FIT_DTYPE_INT64, xs, 4);
  g_autoptr(FitTensor) x2 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s2, 2);
  g_autoptr(FitTensor) w = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, ws, 4);
  g_autoptr(FitTensor) w4 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 6, 4, 3, 3 }, 4);
  g_autoptr(FitTensor) wgr = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wg, 4);
  g_autoptr(FitTensor) wt3 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 4, 2, 3, 3 }, 4);
  g_autoptr(FitTensor) wb = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wbig, 4);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, bs, 1);

  /* Channels that do not match the weight. */
  EXPECT (fit_tensor_conv2d (x, w, NULL, 1, 1, 0, 0, 1, 1, 1, &error), FIT_ERROR_SHAPE,
          "conv2d", "[6, 3, 3, 3]");
  /* Groups that do not divide the channels (4 input channels, 3 groups). */
  EXPECT (fit_tensor_conv2d (x, wgr, NULL, 1, 1, 0, 0, 1, 1, 3, &error), FIT_ERROR_SHAPE,
          "groups=3", NULL);
  /* A kernel taller than the padded input: 7 > 5 + 2·0, but fine with padding 1. */
  EXPECT (fit_tensor_conv2d (x, wb, NULL, 1, 1, 0, 0, 1, 1, 1, &error), FIT_ERROR_SHAPE,
          "[2, 4, 5, 5]", "[6, 4, 7, 3]");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FitTensor) ok = fit_tensor_conv2d (x, wb, NULL, 1, 1, 1, 0, 1, 1, 1, &error);

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dim (ok, 2), ==, 1);
  }
  /* Dilation makes a 3×3 kernel span 5×5 (fits) or 7×7 (does not). */
  EXPECT (fit_tensor_conv2d (x, w4, NULL, 1, 1, 0, 0, 3, 1, 1, &error), FIT_ERROR_SHAPE,
          "dilation", NULL);
  EXPECT (fit_tensor_conv2d (x, w4, b, 1, 1, 0, 0, 1, 1, 1, &error), FIT_ERROR_SHAPE,
          "bias", "[5]");
  EXPECT (fit_tensor_conv2d (x2, w4, NULL, 1, 1, 0, 0, 1, 1, 1, &error), FIT_ERROR_SHAPE,
          "[4, 5]", NULL);
  EXPECT (fit_tensor_conv2d (x, w4, NULL, 0, 1, 0, 0, 1, 1, 1, &error),
          FIT_ERROR_INVALID_ARGUMENT, "stride", NULL);
  EXPECT (fit_tensor_conv2d (x, w4, NULL, 1, 1, -1, 0, 1, 1, 1, &error),
          FIT_ERROR_INVALID_ARGUMENT, "padding", NULL);
  EXPECT (fit_tensor_conv2d (x, w4, NULL, 1, 1, 0, 0, 1, 0, 1, &error),
          FIT_ERROR_INVALID_ARGUMENT, "dilation", NULL);
  EXPECT (fit_tensor_conv2d (x, w4, NULL, 1, 1, 0, 0, 1, 1, 0, &error),
          FIT_ERROR_INVALID_ARGUMENT, "groups", NULL);
  EXPECT (fit_tensor_conv2d (x64, w4, NULL, 1, 1, 0, 0, 1, 1, 1, &error), FIT_ERROR_DTYPE,
          "float64", "float32");
  EXPECT (fit_tensor_conv2d (xi, w4, NULL, 1, 1, 0, 0, 1, 1, 1, &error), FIT_ERROR_DTYPE,
          "conv2d", NULL);

  /* Transposed: the weight's first dimension is the input's channels. */
  EXPECT (fit_tensor_conv_transpose2d (x, w, NULL, 1, 1, 0, 0, 0, 0, 1, 1, 1, &error),
          FIT_ERROR_SHAPE, "conv_transpose2d", "[6, 3, 3, 3]");
  EXPECT (fit_tensor_conv_transpose2d (x, w4, NULL, 2, 2, 0, 0, 2, 0, 1, 1, 1, &error),
          FIT_ERROR_INVALID_ARGUMENT, "output padding", NULL);
  EXPECT (fit_tensor_conv_transpose2d (x, wt3, NULL, 1, 1, 0, 0, 0, 0, 1, 1, 3, &error),
          FIT_ERROR_SHAPE, "groups=3", NULL);
}

static void
test_pool_errors (void)
{
  gint64 xs[] = { 2, 3, 5, 5 };
  gint64 s2[] = { 5, 5 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, xs, 4);
  g_autoptr(FitTensor) x2 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s2, 2);
  g_autoptr(FitTensor) xi = fit_tensor_new_zeros (FIT_DTYPE_INT32, xs, 4);
  g_autoptr(FitRng) rng = fit_rng_new (1);

  EXPECT (fit_tensor_max_pool2d (x, 7, 2, 1, 1, 0, 0, &error), FIT_ERROR_SHAPE,
          "max_pool2d", "[2, 3, 5, 5]");
  EXPECT (fit_tensor_max_pool2d (x, 3, 3, 1, 1, 2, 0, &error), FIT_ERROR_INVALID_ARGUMENT,
          "half", NULL);
  EXPECT (fit_tensor_max_pool2d (x2, 2, 2, 1, 1, 0, 0, &error), FIT_ERROR_SHAPE,
          "[5, 5]", NULL);
  EXPECT (fit_tensor_avg_pool2d (x, 0, 2, 1, 1, 0, 0, TRUE, &error),
          FIT_ERROR_INVALID_ARGUMENT, "avg_pool2d", "kernel");
  EXPECT (fit_tensor_avg_pool2d (xi, 2, 2, 1, 1, 0, 0, TRUE, &error), FIT_ERROR_DTYPE,
          "int32", NULL);
  EXPECT (fit_tensor_adaptive_avg_pool2d (x, 0, 1, &error), FIT_ERROR_INVALID_ARGUMENT,
          "adaptive_avg_pool2d", NULL);
  EXPECT (fit_tensor_dropout (x, 1.0, rng, TRUE, &error), FIT_ERROR_INVALID_ARGUMENT,
          "dropout", "[0, 1)");
  EXPECT (fit_tensor_dropout (x, -0.1, rng, FALSE, &error), FIT_ERROR_INVALID_ARGUMENT,
          "dropout", NULL);
  EXPECT (fit_tensor_dropout (x, NAN, rng, TRUE, &error), FIT_ERROR_INVALID_ARGUMENT,
          "dropout", NULL);
}

#define BIG(k) (G_GINT64_CONSTANT (1) << (k))

static void
assert_shape_error (FitTensor   *out,
                    GError     **error,
                    const char  *says)
{
  g_assert_null (out);
  g_assert_error (*error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr ((*error)->message, says));
  g_clear_error (error);
}

/* Output sizes from huge parameters, and sizes of empty operands multiplied by
 * parameters: each used to overflow (undefined behaviour), or to allocate a result
 * with a wrapped-around size that the kernels then wrote past. */
static void
test_conv_overflow (void)
{
  const gint64 one[] = { 1, 1, 1, 1 };
  const gint64 wide_w[] = { 0, BIG (59), 1, 1 };    /* no filters, 2^59 channels each */
  const gint64 tall_w[] = { 0, 1, BIG (40), 1 };    /* no filters, 2^40 rows each */
  const gint64 tall_x[] = { 0, 1, BIG (40), 1 };
  const gint64 batch[] = { 4, 1, 1, 1 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, one, 4);
  g_autoptr(FitTensor) w = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, one, 4);
  g_autoptr(FitTensor) wide = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wide_w, 4);
  g_autoptr(FitTensor) tall = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, tall_w, 4);
  g_autoptr(FitTensor) empty = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, tall_x, 4);
  g_autoptr(FitTensor) four = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, batch, 4);
  g_autoptr(GError) error = NULL;

  /* Padding of 2^30 on a 1×1 image: a (2^31 + 1)² output. */
  assert_shape_error (fit_tensor_conv2d (x, w, NULL, 1, 1, 1 << 30, 1 << 30, 1, 1, 1, &error),
                      &error, "2^60");
  /* 2^59 channels per group times 1024 groups. */
  assert_shape_error (fit_tensor_conv2d (x, wide, NULL, 1, 1, 0, 0, 1, 1, 1024, &error),
                      &error, "input channels");
  /* A 2^40-row kernel dilated by 2^31 − 1. */
  assert_shape_error (fit_tensor_conv2d (x, tall, NULL, 1, 1, 0, 0, G_MAXINT32, 1, 1, &error),
                      &error, "kernel");
  /* A transposed convolution of 2^40 rows at stride 2^31 − 1. */
  assert_shape_error (fit_tensor_conv_transpose2d (empty, w, NULL, G_MAXINT32, 1, 0, 0, 0, 0,
                                                   1, 1, 1, &error),
                      &error, "2^60");
  /* 2^59 channels per group times 1024 groups, as the output's channels. */
  {
    const gint64 in_shape[] = { 1, 0, 1, 1 };
    const gint64 wt_shape[] = { 0, BIG (59), 1, 1 };
    g_autoptr(FitTensor) in = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, in_shape, 4);
    g_autoptr(FitTensor) wt = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wt_shape, 4);

    assert_shape_error (fit_tensor_conv_transpose2d (in, wt, NULL, 1, 1, 0, 0, 0, 0, 1, 1,
                                                     1024, &error),
                        &error, "2^60");
  }
  /* Four images pooled to (2^31 − 1)² each. */
  assert_shape_error (fit_tensor_adaptive_avg_pool2d (four, G_MAXINT32, G_MAXINT32, &error),
                      &error, "2^60");
}

/* Padding lets windows cover an empty plane: they hold nothing, and the maximum's
 * position pointed at element 0 of a plane that has none, which the backward wrote to
 * (found by fuzz-tensor-ops). Like adaptive pooling, empty planes are refused. */
static void
test_pool_empty_plane (void)
{
  const gint64 shape[] = { 1, 2, 0, 2 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, shape, 4);
  g_autoptr(GError) error = NULL;

  fit_tensor_set_requires_grad (x, TRUE);
  assert_shape_error (fit_tensor_max_pool2d (x, 2, 2, 1, 1, 1, 1, &error), &error,
                      "empty plane");
  assert_shape_error (fit_tensor_avg_pool2d (x, 2, 2, 1, 1, 1, 1, FALSE, &error), &error,
                      "empty plane");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Tensor/conv2d/gradcheck", test_conv2d_gradcheck);
  g_test_add_func ("/Fit/Tensor/conv2d/gradcheck-shapes", test_conv2d_gradcheck_shapes);
  g_test_add_func ("/Fit/Tensor/conv2d/gradcheck-shifted", test_conv2d_gradcheck_shifted);
  g_test_add_func ("/Fit/Tensor/conv2d/gradcheck-winograd", test_conv2d_gradcheck_winograd);
  g_test_add_func ("/Fit/Tensor/conv2d/direct", test_conv2d_direct);
  g_test_add_func ("/Fit/Tensor/conv2d/batch-vs-samples", test_conv2d_batch_vs_samples);
  g_test_add_func ("/Fit/Tensor/conv2d/errors", test_conv_errors);
  g_test_add_func ("/Fit/Tensor/conv2d/overflow", test_conv_overflow);
  g_test_add_func ("/Fit/Tensor/conv_transpose2d/gradcheck", test_conv_transpose2d_gradcheck);
  g_test_add_func ("/Fit/Tensor/pool/gradcheck", test_pool_gradcheck);
  g_test_add_func ("/Fit/Tensor/pool/values", test_pool_values);
  g_test_add_func ("/Fit/Tensor/pool/errors", test_pool_errors);
  g_test_add_func ("/Fit/Tensor/pool/empty-plane", test_pool_empty_plane);
  g_test_add_func ("/Fit/Tensor/dropout/mask", test_dropout);
  g_test_add_func ("/Fit/Tensor/dropout/identity", test_dropout_identity);

  return g_test_run ();
}
