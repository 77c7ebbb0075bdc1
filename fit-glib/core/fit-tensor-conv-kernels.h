/* fit-tensor-conv-kernels.h: convolution and pooling kernels, once per float type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fit-tensor-conv.c includes this file twice, with T (float or double), SFX (f32 or
 * f64), GEMM (cblas_sgemm or cblas_dgemm) and CONV_LANES (8 or 4) defined, so that both
 * element types share one source. Never installed and never included anywhere else.
 */

#define CONV_CAT2(a, b) a##_##b
#define CONV_CAT(a, b) CONV_CAT2 (a, b)
#define FN(name) CONV_CAT (name, SFX)
#define CONV_DTYPE (sizeof (T) == sizeof (float) ? FIT_DTYPE_FLOAT32 : FIT_DTYPE_FLOAT64)

/* Sums @n contiguous values in four vector accumulators of 32 bytes each (registers,
 * not memory): enough independent chains to hide the adder's latency, and more
 * accurate than one running sum. */
typedef T FN (vec) __attribute__ ((vector_size (32)));

static inline double
FN (sum_row) (const T *p,
              gint64   n)
{
  enum { L = 32 / sizeof (T) };
  FN (vec) a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
  double s = 0;
  gint64 i = 0;

  for (; i + 4 * L <= n; i += 4 * L)
    {
      FN (vec) v0, v1, v2, v3;

      memcpy (&v0, p + i, sizeof v0);
      memcpy (&v1, p + i + L, sizeof v1);
      memcpy (&v2, p + i + 2 * L, sizeof v2);
      memcpy (&v3, p + i + 3 * L, sizeof v3);
      a0 += v0;
      a1 += v1;
      a2 += v2;
      a3 += v3;
    }
  for (; i < n; i++)
    s += p[i];
  a0 += a1 + a2 + a3;
  for (int j = 0; j < L; j++)
    s += a0[j];
  return s;
}

/* Writes the patches of one image (channels-per-group × h × w) under the kernel into
 * the rows of @col: channels·kh·kw rows of oh·ow columns, @ld apart. Positions in the
 * padding read as zero. */
static void
FN (im2col) (const ConvGeom *g,
             const T        *img,
             T              *col,
             gint64          ld)
{
  gint64 cig = g->c_img / g->groups;

  for (gint64 c = 0; c < cig; c++)
    for (gint64 ki = 0; ki < g->kh; ki++)
      for (gint64 kj = 0; kj < g->kw; kj++)
        {
          T *row = col + ((c * g->kh + ki) * g->kw + kj) * ld;
          gint64 x0 = kj * g->dw - g->pw;
          gint64 lo, hi;

          conv_valid_range (x0, g->sw, g->w, g->ow, &lo, &hi);
          for (gint64 oy = 0; oy < g->oh; oy++)
            {
              gint64 iy = oy * g->sh - g->ph + ki * g->dh;
              T *d = row + oy * g->ow;
              const T *s;

              if (iy < 0 || iy >= g->h)
                {
                  memset (d, 0, g->ow * sizeof (T));
                  continue;
                }
              s = img + (c * g->h + iy) * g->w;
              for (gint64 ox = 0; ox < lo; ox++)
                d[ox] = 0;
              if (g->sw != 1)
                for (gint64 ox = lo; ox < hi; ox++)
                  d[ox] = s[ox * g->sw + x0];
              else
                {
                  /* Rows are a few dozen elements: an inline vector loop beats a
                   * memcpy call (and, on AMD, masked AVX-512 tails). */
                  const T *src = s + x0;

#pragma omp simd
                  for (gint64 ox = lo; ox < hi; ox++)
                    d[ox] = src[ox];
                }
              for (gint64 ox = hi; ox < g->ow; ox++)
                d[ox] = 0;
            }
        }
}

/* The adjoint of im2col: adds every column entry back onto the image position it was
 * read from (so overlapping patches sum). */
static void
FN (col2im) (const ConvGeom *g,
             const T        *col,
             gint64          ld,
             T              *img)
{
  gint64 cig = g->c_img / g->groups;

  for (gint64 c = 0; c < cig; c++)
    for (gint64 ki = 0; ki < g->kh; ki++)
      for (gint64 kj = 0; kj < g->kw; kj++)
        {
          const T *row = col + ((c * g->kh + ki) * g->kw + kj) * ld;
          gint64 x0 = kj * g->dw - g->pw;
          gint64 lo, hi;

          conv_valid_range (x0, g->sw, g->w, g->ow, &lo, &hi);
          for (gint64 oy = 0; oy < g->oh; oy++)
            {
              gint64 iy = oy * g->sh - g->ph + ki * g->dh;
              const T *s = row + oy * g->ow;
              T *d;

              if (iy < 0 || iy >= g->h)
                continue;
              d = img + (c * g->h + iy) * g->w;
              if (g->sw != 1)
                for (gint64 ox = lo; ox < hi; ox++)
                  d[ox * g->sw + x0] += s[ox];
              else
                {
                  T *dst = d + x0;

#pragma omp simd
                  for (gint64 ox = lo; ox < hi; ox++)
                    dst[ox] += s[ox];
                }
            }
        }
}

/* dst (cols × rows, dense) = srcᵀ, src being rows × cols with @ld between rows. In
 * tiles of 16 columns, so that the reads of a tile's rows and the writes of its
 * columns both stay within a few cache lines (a plain loop strides through memory on
 * one of the two: a sixth of the CNN's backward pass). */
FIT_KERNEL static void
FN (transpose) (const T *src,
                gint64   ld,
                gint64   rows,
                gint64   cols,
                T       *dst)
{
  enum { TILE = 16 };

  for (gint64 j0 = 0; j0 < cols; j0 += TILE)
    {
      gint64 nj = MIN (TILE, cols - j0);

      for (gint64 r = 0; r < rows; r++)
        {
          const T *s = src + r * ld + j0;

          for (gint64 j = 0; j < nj; j++)
            dst[(j0 + j) * rows + r] = s[j];
        }
    }
}

/* Sets every plane of samples [n0, n0 + nb) × @n_ch channels (starting at channel
 * @c0 of @c_total) to its bias, or to zero without one. */
static void
FN (fill_planes) (T        *base,
                  gint64    n0,
                  gint64    nb,
                  gint64    c_total,
                  gint64    c0,
                  gint64    n_ch,
                  gint64    hw,
                  const T  *bias)
{
  for (gint64 b = 0; b < nb; b++)
    for (gint64 c = 0; c < n_ch; c++)
      {
        T *p = base + ((n0 + b) * c_total + c0 + c) * hw;
        T v = bias != NULL ? bias[c0 + c] : 0;

#pragma omp simd
        for (gint64 i = 0; i < hw; i++)
          p[i] = v;
      }
}

/* The gradient through a ReLU whose result was @z: zero where z ≤ 0, else @dz (NaN
 * results pass it; the same expression as fit_tensor_relu()'s own backward, so a fused
 * ReLU gives the same bits). @out may be @dz. */
static inline void
FN (relu_grad) (const T *dz,
                const T *z,
                gint64   n,
                T       *out)
{
#pragma omp simd
  for (gint64 i = 0; i < n; i++)
    {
      T d = dz[i];

      out[i] = z[i] <= 0 ? 0 : d;
    }
}

/* The whole batch's gradient @dz (@n images of @per_image values) through a ReLU whose
 * result was @z, into a new buffer that @masked keeps; returns it. */
static const T *
FN (relu_grad_batch) (const T    *dz,
                      const T    *z,
                      gint64      n,
                      gint64      per_image,
                      FitTensor **masked)
{
  T *m;

  *masked = fit_tensor_new_empty (CONV_DTYPE, (gint64[]) { n * per_image }, 1);
  m = (T *) fit_tensor_ptr (*masked);
#pragma omp parallel for if (n * per_image > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 i = 0; i < n; i++)
    FN (relu_grad) (dz + i * per_image, z + i * per_image, per_image, m + i * per_image);
  return m;
}

/* max (x, 0) in place, as fit_tensor_relu() computes it (NaN stays NaN). */
static inline void
FN (relu_inplace) (T      *x,
                   gint64  n)
{
#pragma omp simd
  for (gint64 i = 0; i < n; i++)
    {
      T v = x[i];

      x[i] = v < 0 ? 0 : v;
    }
}

/* Copies channels [0, @c) of one image (@h × @w) into zero-bordered planes of
 * @hp × @wp with the image at (@ph, @pw); the borders were zeroed once. */
static void
FN (pad_planes) (const T *x,
                 gint64   c,
                 gint64   h,
                 gint64   w,
                 gint64   ph,
                 gint64   pw,
                 T       *xp,
                 gint64   hp,
                 gint64   wp)
{
  for (gint64 ci = 0; ci < c; ci++)
    for (gint64 y = 0; y < h; y++)
      memcpy (xp + (ci * hp + y + ph) * wp + pw, x + (ci * h + y) * w, w * sizeof (T));
}

/* dX (channels [0, @c), @h × @w) = the interiors of the padded planes @xp, plus
 * @bias per channel (when not NULL). */
static void
FN (crop_planes) (const T *xp,
                  gint64   c,
                  gint64   hp,
                  gint64   wp,
                  gint64   ph,
                  gint64   pw,
                  const T *bias,
                  T       *x,
                  gint64   h,
                  gint64   w)
{
  for (gint64 ci = 0; ci < c; ci++)
    {
      T b = bias != NULL ? bias[ci] : 0;

      for (gint64 y = 0; y < h; y++)
        {
          const T *s = xp + (ci * hp + y + ph) * wp + pw;
          T *d = x + (ci * h + y) * w;

#pragma omp simd
          for (gint64 xx = 0; xx < w; xx++)
            d[xx] = s[xx] + b;
        }
    }
}

/* out[i] = Σ over the threads' workspaces of ws[t · @per_thread + @offset + i]: the
 * per-thread partial sums of a gradient, added once at the end. */
static void
FN (sum_over_threads) (const T *ws,
                       gint64   per_thread,
                       gint64   offset,
                       int      n_threads,
                       gint64   n,
                       T       *out)
{
  for (gint64 i = 0; i < n; i++)
    {
      T sum = 0;

      for (int t = 0; t < n_threads; t++)
        sum += ws[t * per_thread + offset + i];
      out[i] = sum;
    }
}

/* Per-channel sums over the batch and the plane: the gradient of a bias. */
static void
FN (channel_sums) (const T *x,
                   gint64   n,
                   gint64   c,
                   gint64   hw,
                   T       *out)
{
#pragma omp parallel for if (n * c * hw > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 ch = 0; ch < c; ch++)
    {
      double s = 0;

      for (gint64 b = 0; b < n; b++)
        s += FN (sum_row) (x + (b * c + ch) * hw, hw);
      out[ch] = (T) s;
    }
}

/* The gradients of a stride-1 convolution without patch matrices. On the padded input
 * grid (Hp × Wp), with the output laid on the same grid (row stride Wp; its columns
 * from ow on are "garbage" positions, held at zero), tap s = (ki, kj) of the kernel is a
 * shift by sh = ki·dh·Wp + kj·dw. Then, per image and group,
 *
 *   dX  = Σ_s W_sᵀ · dY shifted back by sh  (M = C_in, N = Hp·Wp, K = C_out)
 *   dW_s = X shifted by sh · dYᵀ            (M = C_in, N = C_out, K ≈ oh·Wp)
 *
 * are nine GEMMs each on views of dY and X (a margin of zeros before dY absorbs the
 * negative shifts; a shift past a row's start lands in the previous row's garbage
 * columns, which are zero). What remains to copy is dY onto the grid and its transpose,
 * a fraction of the patch matrix that im2col writes and col2im scatters back.
 *
 * Measured against the im2col path on the backward products alone (batch 64, 3×3, one
 * thread): 1.28× faster for 8 → 16 channels on 26×26, 1.33× for 16 → 32 on 24×24,
 * 1.09× for 64 → 64 on 56×56, even for 64 → 64 on 30×30 and 32 → 64 on 28×28 (0.97×),
 * and slower for 3 input channels (0.92×: the weight-gradient products get too thin)
 * and 128 → 128 on 16×16 (0.90×: there the im2col GEMMs are large and efficient).
 * FN (shifted_applies) keeps it to the measured range. 3×3 kernels without dilation
 * take the Winograd path first (fit-tensor-winograd-kernels.h); this one is left with
 * the other shapes, and with the weight gradient of 3×3 layers past 64 × 64 channels
 * (where it falls to im2col by the same range). */
static gboolean
FN (shifted_applies) (const ConvGeom *g,
                      guint           flags)
{
  gint64 cig = g->c_img / g->groups;
  gint64 ccg = g->c_col / g->groups;

  return g->sh == 1 && g->sw == 1 && !(flags & (CONV_FWD | CONV_BGRAD_IMG)) &&
         (flags & (CONV_WGRAD | CONV_ADJ)) && g->n > 0 && g->oh > 0 && g->ow > 0 &&
         cig >= 8 && cig * ccg <= 4096;
}

/* How far kernel tap @t (row-major over kh × kw) shifts a grid of row stride @wp. */
static inline gint64
FN (tap_shift) (const ConvGeom *g,
                gint64          t,
                gint64          wp)
{
  return (t / g->kw) * g->dh * wp + (t % g->kw) * g->dw;
}

static void
FN (conv_run_shifted) (const ConvGeom *g,
                       guint           flags,
                       const T        *img_in,
                       T              *img_out,
                       const T        *col_in,
                       const T        *weight,
                       const T        *bias,
                       T              *dweight,
                       T              *dbias)
{
  gint64 cig = g->c_img / g->groups;
  gint64 ccg = g->c_col / g->groups;
  gint64 taps = g->kh * g->kw;
  gint64 k = cig * taps;
  gint64 hwi = g->h * g->w;
  gint64 hwc = g->oh * g->ow;
  gint64 hp = g->h + 2 * g->ph, wp = g->w + 2 * g->pw;
  gint64 hwp = hp * wp;
  gint64 margin = (g->kh - 1) * g->dh * wp + (g->kw - 1) * g->dw;
  gint64 ld = margin + hwp;                              /* of a channel of dY on the grid */
  gint64 kw_len = g->oh * wp - (g->kw - 1) * g->dw;      /* the weight gradient's K */
  gboolean padded = g->ph > 0 || g->pw > 0;
  gboolean wgrad = (flags & CONV_WGRAD) != 0, adj = (flags & CONV_ADJ) != 0;
  gint64 tap_size = g->groups * taps * cig * ccg;      /* W_s or Σ dW_s, all groups */
  gint64 wt_size = adj ? tap_size : 0;
  gint64 dy_size = ccg * ld;
  gint64 dyt_size = wgrad ? kw_len * ccg : 0;
  gint64 pad_size = padded ? cig * hwp : 0;
  gint64 dw_size = wgrad ? tap_size : 0;
  gint64 db_size = (flags & CONV_BGRAD_COL) ? g->c_col : 0;
  gint64 per_thread = dy_size + dyt_size + 2 * pad_size + dw_size + db_size;
  int threads = fit_parallel_threads ();
  int n_threads = 1;
  g_autoptr(FitTensor) work = NULL;
  gboolean serial;
  T *ws, *wt;

  if (threads > 1 && g->n > 1 && k * hwc * g->n * ccg > FIT_PARALLEL_GRAIN)
    n_threads = (int) MIN ((gint64) threads, g->n);

  work = fit_tensor_new_empty (CONV_DTYPE, (gint64[]) { wt_size + per_thread * n_threads }, 1);
  wt = (T *) fit_tensor_ptr (work);
  ws = wt + wt_size;

  /* W_s[ci][co] = W[co][ci][s], per group: the A operand of the input gradient. */
  for (gint64 gr = 0; gr < g->groups && adj; gr++)
    for (gint64 t = 0; t < taps; t++)
      for (gint64 ci = 0; ci < cig; ci++)
        for (gint64 co = 0; co < ccg; co++)
          wt[((gr * taps + t) * cig + ci) * ccg + co] = weight[(gr * ccg + co) * k + ci * taps + t];

  serial = fit_blas_serial_begin (n_threads > 1 ? G_MAXINT64 : cig * ccg * hwp);
#pragma omp parallel num_threads (n_threads) if (n_threads > 1)
  {
    T *dy = ws + (gint64) omp_get_thread_num () * per_thread;
    T *dyt = dy + dy_size;
    T *xp = dyt + dyt_size;         /* the padded image, when there is padding */
    T *dxp = xp + pad_size;         /* the padded input gradient */
    T *dw = dxp + pad_size;         /* this thread's Σ dW_s[ci][co], per group */
    T *db = dw + dw_size;           /* and its bias gradient */

    /* The margins and the padding border stay zero; only the interiors are rewritten. */
    memset (dy, 0, per_thread * sizeof (T));

#pragma omp for schedule (static)
    for (gint64 n = 0; n < g->n; n++)
      for (gint64 gr = 0; gr < g->groups; gr++)
        {
          const T *x = img_in != NULL ? img_in + (n * g->c_img + gr * cig) * hwi : NULL;
          const T *dyn = col_in + (n * g->c_col + gr * ccg) * hwc;
          T *dx = adj ? img_out + (n * g->c_img + gr * cig) * hwi : NULL;

          /* dY on the grid: rows of wp with zeros past ow; the bias gradient while
           * the plane is in cache anyway. */
          for (gint64 co = 0; co < ccg && db_size > 0; co++)
            db[gr * ccg + co] += FN (sum_row) (dyn + co * hwc, hwc);
          for (gint64 co = 0; co < ccg; co++)
            for (gint64 y = 0; y < g->oh; y++)
              {
                T *d = dy + co * ld + margin + y * wp;

                memcpy (d, dyn + (co * g->oh + y) * g->ow, g->ow * sizeof (T));
                memset (d + g->ow, 0, (wp - g->ow) * sizeof (T));
              }

          if (wgrad)
            {
              const T *xg = x;

              if (padded)
                {
                  FN (pad_planes) (x, cig, g->h, g->w, g->ph, g->pw, xp, hp, wp);
                  xg = xp;
                }
              FN (transpose) (dy + margin, ld, ccg, kw_len, dyt);
              for (gint64 t = 0; t < taps; t++)
                GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, cig, ccg, kw_len,
                      1, xg + FN (tap_shift) (g, t, wp), hwp, dyt, ccg,
                      1, dw + (gr * taps + t) * cig * ccg, ccg);
            }

          if (adj)
            {
              T *out = padded ? dxp : dx;
              gboolean accumulate = FALSE;

              if (!padded && bias != NULL)
                {
                  FN (fill_planes) (img_out, n, 1, g->c_img, gr * cig, cig, hwi, bias);
                  accumulate = TRUE;
                }
              for (gint64 t = 0; t < taps; t++)
                GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, cig, hwp, ccg,
                      1, wt + (gr * taps + t) * cig * ccg, ccg,
                      dy + margin - FN (tap_shift) (g, t, wp), ld,
                      accumulate || t > 0 ? 1 : 0, out, hwp);
              if (padded)
                FN (crop_planes) (dxp, cig, hp, wp, g->ph, g->pw,
                                  bias != NULL ? bias + gr * cig : NULL, dx, g->h, g->w);
            }
        }
  }
  fit_blas_serial_end (serial);

  if (wgrad)
    for (gint64 gr = 0; gr < g->groups; gr++)
      for (gint64 co = 0; co < ccg; co++)
        for (gint64 ci = 0; ci < cig; ci++)
          for (gint64 t = 0; t < taps; t++)
            {
              gint64 at = ((gr * taps + t) * cig + ci) * ccg + co;
              T sum = 0;

              for (int th = 0; th < n_threads; th++)
                sum += ws[th * per_thread + dy_size + dyt_size + 2 * pad_size + at];
              dweight[(gr * ccg + co) * k + ci * taps + t] = sum;
            }
  FN (sum_over_threads) (ws, per_thread, per_thread - db_size, n_threads, db_size, dbias);
}

#include "fit-tensor-winograd-kernels.h"

/* The three products that make up a convolution and its gradients, over the whole
 * batch (see ConvFlags). One image-side patch matrix per work item (a chunk of samples,
 * or a band of output rows of one sample) is shared by CONV_FWD and CONV_WGRAD;
 * CONV_ADJ reuses the same buffer for its columns. With @relu_out, @col_in is the
 * gradient of a ReLU applied to the column side, whose result was @relu_out: the
 * products see it masked. */
static void
FN (conv_run) (const ConvGeom *g,
               guint           flags,
               const T        *img_in,
               T              *img_out,
               const T        *col_in,
               T              *col_out,
               const T        *weight,
               const T        *bias,
               T              *dweight,
               T              *dbias,
               const T        *relu_out)
{
  gint64 cig = g->c_img / g->groups;
  gint64 ccg = g->c_col / g->groups;
  gint64 hwi = g->h * g->w;
  gint64 hwc = g->oh * g->ow;
  gint64 k = cig * g->kh * g->kw;
  gboolean identity = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 &&
                      g->ph == 0 && g->pw == 0 && g->oh == g->h && g->ow == g->w;
  gint64 c_bias;
  guint winograd;         /* the products the Winograd path takes */
  gboolean shifted;       /* the rest on shifted views (conv_run_shifted) */
  gboolean empty;         /* nothing to multiply */
  ConvPlan plan;
  gint64 col_size, tmp_size, dyt_size, mask_size, per_thread;
  g_autoptr(FitTensor) work = NULL;
  g_autoptr(FitTensor) masked = NULL;
  gboolean serial;
  T *ws;

  /* A gradient through a fused ReLU: the Winograd path and the patch-matrix path below
   * mask it as they read it; when the Winograd path leaves a product to another path,
   * and on the shifted path, all read one masked copy. */
  winograd = FN (winograd_flags) (g, flags);
  if (relu_out != NULL && winograd != 0 &&
      (flags & ~winograd & (CONV_WGRAD | CONV_ADJ | CONV_BGRAD_COL)))
    {
      col_in = FN (relu_grad_batch) (col_in, relu_out, g->n, g->c_col * hwc, &masked);
      relu_out = NULL;
    }
  if (winograd != 0)
    {
      FN (conv_run_winograd) (g, winograd, img_in, img_out, col_in, col_out, weight, bias,
                              dweight, dbias, relu_out);
      flags &= ~winograd;
      if (flags == 0)
        return;
    }
  c_bias = (flags & CONV_BGRAD_COL) ? g->c_col : (flags & CONV_BGRAD_IMG) ? g->c_img : 0;
  shifted = FN (shifted_applies) (g, flags);
  empty = g->n == 0 || k == 0 || ccg == 0 || hwc == 0;
  if (relu_out != NULL && (shifted || empty))
    {
      col_in = FN (relu_grad_batch) (col_in, relu_out, g->n, g->c_col * hwc, &masked);
      relu_out = NULL;
    }
  if (shifted)
    {
      FN (conv_run_shifted) (g, flags, img_in, img_out, col_in, weight, bias, dweight,
                             dbias);
      return;
    }
  if (empty)
    {
      /* Nothing to multiply: outputs are the bias, or zero. */
      if (flags & CONV_FWD)
        FN (fill_planes) (col_out, 0, g->n, g->c_col, 0, g->c_col, hwc, bias);
      if ((flags & CONV_FWD) && (flags & CONV_RELU))
        FN (relu_inplace) (col_out, g->n * g->c_col * hwc);
      if (flags & CONV_ADJ)
        FN (fill_planes) (img_out, 0, g->n, g->c_img, 0, g->c_img, hwi, bias);
      if (flags & CONV_WGRAD)
        memset (dweight, 0, g->c_col * k * sizeof (T));
      if (flags & CONV_BGRAD_COL)
        FN (channel_sums) (col_in, g->n, g->c_col, hwc, dbias);
      if (flags & CONV_BGRAD_IMG)
        FN (channel_sums) (img_in, g->n, g->c_img, hwi, dbias);
      return;
    }

  conv_plan (g, k, identity, &plan);
  col_size = k * plan.chunk * plan.rows * g->ow;
  tmp_size = plan.chunk > 1 ? ccg * plan.chunk * hwc : 0;
  dyt_size = (flags & CONV_WGRAD) ? ccg * plan.chunk * plan.rows * g->ow : 0;
  mask_size = relu_out != NULL ? plan.chunk * g->c_col * hwc : 0;
  per_thread = col_size + tmp_size + dyt_size + ((flags & CONV_WGRAD) ? g->c_col * k : 0) +
               c_bias + mask_size;
  work = fit_tensor_new_empty (CONV_DTYPE, (gint64[]) { per_thread * plan.n_threads }, 1);
  ws = (T *) fit_tensor_ptr (work);

  /* Split across samples, every GEMM runs on one thread; on one chunk at a time,
   * only GEMMs big enough to pay for waking the others are split. */
  serial = fit_blas_serial_begin (plan.n_threads > 1 ? G_MAXINT64
                                                     : ccg * k * plan.chunk * plan.rows * g->ow);
#pragma omp parallel num_threads (plan.n_threads) if (plan.n_threads > 1)
  {
    T *col = ws + (gint64) omp_get_thread_num () * per_thread;
    T *tmp = col + col_size;
    T *dyt = tmp + tmp_size;
    T *dwt = dyt + dyt_size;   /* this thread's weight gradient, transposed per group */
    T *dbt = dwt + ((flags & CONV_WGRAD) ? g->c_col * k : 0);   /* and bias gradient */
    T *cm = dbt + c_bias;      /* this chunk's gradient, masked by a fused ReLU */

    memset (dwt, 0, (per_thread - col_size - tmp_size - dyt_size - mask_size) * sizeof (T));

#pragma omp for schedule (static)
    for (gint64 chunk = 0; chunk < plan.n_chunks; chunk++)
      {
        gint64 n0 = chunk * plan.chunk;
        gint64 nb = MIN (plan.chunk, g->n - n0);
        /* The chunk's gradient (column side), from here on in cache. */
        const T *cin = col_in != NULL ? col_in + n0 * g->c_col * hwc : NULL;

        if (relu_out != NULL)
          {
            FN (relu_grad) (cin, relu_out + n0 * g->c_col * hwc, nb * g->c_col * hwc, cm);
            cin = cm;
          }

        /* The bias gradient while this chunk's gradient is in cache anyway. */
        for (gint64 b = 0; b < nb && c_bias > 0; b++)
          for (gint64 c = 0; c < c_bias; c++)
            dbt[c] += (flags & CONV_BGRAD_COL)
                      ? FN (sum_row) (cin + (b * g->c_col + c) * hwc, hwc)
                      : FN (sum_row) (img_in + ((n0 + b) * g->c_img + c) * hwi, hwi);

        for (gint64 gr = 0; gr < g->groups; gr++)
          {
            const T *w_g = weight + gr * ccg * k;
            const T *img_g = img_in != NULL ? img_in + (n0 * g->c_img + gr * cig) * hwi : NULL;
            T *out_g = col_out != NULL ? col_out + (n0 * g->c_col + gr * ccg) * hwc : NULL;
            const T *dy = NULL;
            gint64 lddy = hwc;

            if (flags & CONV_ADJ)
              FN (fill_planes) (img_out, n0, nb, g->c_img, gr * cig, cig, hwi, bias);

            /* One band of output rows (all of them when several samples share it). */
            for (gint64 oy0 = 0; oy0 < g->oh; oy0 += plan.rows)
              {
                ConvGeom band = *g;
                gint64 rows = MIN (plan.rows, g->oh - oy0);
                gint64 ld = nb * rows * g->ow;
                const T *patches = NULL;
                gint64 ldp = ld;

                band.oh = rows;
                band.ph = g->ph - oy0 * g->sh;

                if (flags & (CONV_FWD | CONV_WGRAD))
                  {
                    if (identity && nb == 1)
                      {
                        patches = img_g;
                        ldp = hwi;
                      }
                    else
                      {
                        for (gint64 b = 0; b < nb; b++)
                          FN (im2col) (&band, img_g + b * g->c_img * hwi, col + b * hwc, ld);
                        patches = col;
                      }
                  }

                if ((flags & CONV_FWD) && nb == 1)
                  GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, ccg, rows * g->ow, k,
                        1, w_g, k, patches, ldp, 0, out_g + oy0 * g->ow, hwc);
                else if (flags & CONV_FWD)
                  {
                    GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, ccg, ld, k,
                          1, w_g, k, patches, ldp, 0, tmp, ld);
                    for (gint64 c = 0; c < ccg; c++)
                      for (gint64 b = 0; b < nb; b++)
                        memcpy (out_g + (b * g->c_col + c) * hwc, tmp + c * ld + b * hwc,
                                hwc * sizeof (T));
                  }

                if (!(flags & (CONV_WGRAD | CONV_ADJ)))
                  continue;
                if (nb == 1)
                  dy = cin + gr * ccg * hwc + oy0 * g->ow;
                else
                  {
                    /* After the forward product: the two share @tmp. */
                    for (gint64 c = 0; c < ccg; c++)
                      for (gint64 b = 0; b < nb; b++)
                        memcpy (tmp + c * ld + b * hwc,
                                cin + (b * g->c_col + gr * ccg + c) * hwc,
                                hwc * sizeof (T));
                    dy = tmp;
                    lddy = ld;
                  }

                /* dWᵀ = P·dYᵀ with dYᵀ copied out first: for these thin shapes OpenBLAS
                 * runs its small-matrix kernel only on untransposed operands, 20–25%
                 * faster than any transposed call, for a copy of 1/k of the work. */
                if (flags & CONV_WGRAD)
                  {
                    FN (transpose) (dy, lddy, ccg, ld, dyt);
                    GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, k, ccg, ld,
                          1, patches, ldp, dyt, ccg, 1, dwt + gr * k * ccg, ccg);
                  }

                if ((flags & CONV_ADJ) && identity && nb == 1)
                  GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, cig, hwc, ccg,
                        1, w_g, k, dy, lddy, 1, img_out + (n0 * g->c_img + gr * cig) * hwi, hwi);
                else if (flags & CONV_ADJ)
                  {
                    GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, k, ld, ccg,
                          1, w_g, k, dy, lddy, 0, col, ld);
                    for (gint64 b = 0; b < nb; b++)
                      FN (col2im) (&band, col + b * hwc, ld,
                                   img_out + ((n0 + b) * g->c_img + gr * cig) * hwi);
                  }
              }

            /* The bias, then a fused ReLU, while the output is in cache. */
            if ((flags & CONV_FWD) && (bias != NULL || (flags & CONV_RELU)))
              for (gint64 b = 0; b < nb; b++)
                for (gint64 c = 0; c < ccg; c++)
                  {
                    T *p = out_g + (b * g->c_col + c) * hwc;

                    if (bias != NULL)
                      {
                        T v = bias[gr * ccg + c];

#pragma omp simd
                        for (gint64 i = 0; i < hwc; i++)
                          p[i] += v;
                      }
                    if (flags & CONV_RELU)
                      FN (relu_inplace) (p, hwc);
                  }
          }
      }
  }
  fit_blas_serial_end (serial);

  if (flags & CONV_WGRAD)
    for (gint64 gr = 0; gr < g->groups; gr++)
      for (gint64 c = 0; c < ccg; c++)
        for (gint64 i = 0; i < k; i++)
          {
            T s = 0;

            for (int t = 0; t < plan.n_threads; t++)
              s += ws[t * per_thread + col_size + tmp_size + dyt_size + (gr * k + i) * ccg + c];
            dweight[(gr * ccg + c) * k + i] = s;
          }
  FN (sum_over_threads) (ws, per_thread, per_thread - mask_size - c_bias, plan.n_threads,
                         c_bias, dbias);
}

/* ---- pooling: every kernel runs over independent (sample, channel) planes ---- */

static void
FN (max_pool_forward) (const PoolGeom *p,
                       const T        *x,
                       T              *y,
                       gint64         *argmax)
{
#pragma omp parallel for if (p->planes * p->h * p->w > FIT_PARALLEL_GRAIN && \
                             fit_parallel_enabled ())
  for (gint64 pl = 0; pl < p->planes; pl++)
    {
      const T *xp = x + pl * p->h * p->w;
      T *yp = y + pl * p->oh * p->ow;
      gint64 *ap = argmax != NULL ? argmax + pl * p->oh * p->ow : NULL;

      for (gint64 oy = 0; oy < p->oh; oy++)
        {
          gint64 y0 = MAX (oy * p->sh - p->ph, 0);
          gint64 y1 = MIN (oy * p->sh - p->ph + p->kh, p->h);

          for (gint64 ox = 0; ox < p->ow; ox++)
            {
              gint64 x0 = MAX (ox * p->sw - p->pw, 0);
              gint64 x1 = MIN (ox * p->sw - p->pw + p->kw, p->w);
              gint64 best_i = y0 * p->w + x0;
              T best = -INFINITY;

              /* As PyTorch: the first maximum wins, and a NaN always propagates. */
              for (gint64 iy = y0; iy < y1; iy++)
                for (gint64 ix = x0; ix < x1; ix++)
                  {
                    T v = xp[iy * p->w + ix];

                    if (v > best || isnan (v))
                      {
                        best = v;
                        best_i = iy * p->w + ix;
                      }
                  }
              yp[oy * p->ow + ox] = best;
              if (ap != NULL)
                ap[oy * p->ow + ox] = best_i;
            }
        }
    }
}

static void
FN (max_pool_backward) (const PoolGeom *p,
                        const T        *dy,
                        const gint64   *argmax,
                        T              *dx)
{
#pragma omp parallel for if (p->planes * p->h * p->w > FIT_PARALLEL_GRAIN && \
                             fit_parallel_enabled ())
  for (gint64 pl = 0; pl < p->planes; pl++)
    {
      T *dxp = dx + pl * p->h * p->w;
      const T *dyp = dy + pl * p->oh * p->ow;
      const gint64 *ap = argmax + pl * p->oh * p->ow;

      memset (dxp, 0, p->h * p->w * sizeof (T));
      for (gint64 i = 0; i < p->oh * p->ow; i++)
        dxp[ap[i]] += dyp[i];
    }
}

/* The window of output (oy, ox) and the count its sum is divided by. */
static inline void
FN (avg_window) (const PoolGeom *p,
                 gint64          oy,
                 gint64          ox,
                 gint64         *y0,
                 gint64         *y1,
                 gint64         *x0,
                 gint64         *x1,
                 double         *divisor)
{
  gint64 ys = oy * p->sh - p->ph;
  gint64 ye = MIN (ys + p->kh, p->h + p->ph);
  gint64 xs = ox * p->sw - p->pw;
  gint64 xe = MIN (xs + p->kw, p->w + p->pw);
  gint64 padded = (ye - ys) * (xe - xs);

  *y0 = MAX (ys, 0);
  *y1 = MIN (ye, p->h);
  *x0 = MAX (xs, 0);
  *x1 = MIN (xe, p->w);
  *divisor = p->count_include_pad ? (double) padded : (double) ((*y1 - *y0) * (*x1 - *x0));
}

static void
FN (avg_pool_forward) (const PoolGeom *p,
                       const T        *x,
                       T              *y)
{
#pragma omp parallel for if (p->planes * p->h * p->w > FIT_PARALLEL_GRAIN && \
                             fit_parallel_enabled ())
  for (gint64 pl = 0; pl < p->planes; pl++)
    {
      const T *xp = x + pl * p->h * p->w;
      T *yp = y + pl * p->oh * p->ow;

      for (gint64 oy = 0; oy < p->oh; oy++)
        for (gint64 ox = 0; ox < p->ow; ox++)
          {
            gint64 y0, y1, x0, x1;
            double divisor, s = 0;

            FN (avg_window) (p, oy, ox, &y0, &y1, &x0, &x1, &divisor);
            for (gint64 iy = y0; iy < y1; iy++)
              s += FN (sum_row) (xp + iy * p->w + x0, x1 - x0);
            yp[oy * p->ow + ox] = divisor > 0 ? (T) (s / divisor) : 0;
          }
    }
}

static void
FN (avg_pool_backward) (const PoolGeom *p,
                        const T        *dy,
                        T              *dx)
{
#pragma omp parallel for if (p->planes * p->h * p->w > FIT_PARALLEL_GRAIN && \
                             fit_parallel_enabled ())
  for (gint64 pl = 0; pl < p->planes; pl++)
    {
      T *dxp = dx + pl * p->h * p->w;
      const T *dyp = dy + pl * p->oh * p->ow;

      memset (dxp, 0, p->h * p->w * sizeof (T));
      for (gint64 oy = 0; oy < p->oh; oy++)
        for (gint64 ox = 0; ox < p->ow; ox++)
          {
            gint64 y0, y1, x0, x1;
            double divisor;
            T g;

            FN (avg_window) (p, oy, ox, &y0, &y1, &x0, &x1, &divisor);
            if (divisor <= 0)
              continue;
            g = (T) (dyp[oy * p->ow + ox] / divisor);
            for (gint64 iy = y0; iy < y1; iy++)
              for (gint64 ix = x0; ix < x1; ix++)
                dxp[iy * p->w + ix] += g;
          }
    }
}

static void
FN (adaptive_avg_pool_forward) (const PoolGeom *p,
                                const T        *x,
                                T              *y)
{
#pragma omp parallel for if (p->planes * p->h * p->w > FIT_PARALLEL_GRAIN && \
                             fit_parallel_enabled ())
  for (gint64 pl = 0; pl < p->planes; pl++)
    {
      const T *xp = x + pl * p->h * p->w;
      T *yp = y + pl * p->oh * p->ow;

      for (gint64 oy = 0; oy < p->oh; oy++)
        {
          gint64 y0 = adaptive_start (oy, p->h, p->oh);
          gint64 y1 = adaptive_end (oy, p->h, p->oh);

          for (gint64 ox = 0; ox < p->ow; ox++)
            {
              gint64 x0 = adaptive_start (ox, p->w, p->ow);
              gint64 x1 = adaptive_end (ox, p->w, p->ow);
              double s = 0;

              /* A bin as wide as the image (global pooling) is one contiguous run. */
              if (x1 - x0 == p->w)
                s = FN (sum_row) (xp + y0 * p->w, (y1 - y0) * p->w);
              else
                for (gint64 iy = y0; iy < y1; iy++)
                  s += FN (sum_row) (xp + iy * p->w + x0, x1 - x0);
              yp[oy * p->ow + ox] = (T) (s / (double) ((y1 - y0) * (x1 - x0)));
            }
        }
    }
}

static void
FN (adaptive_avg_pool_backward) (const PoolGeom *p,
                                 const T        *dy,
                                 T              *dx)
{
#pragma omp parallel for if (p->planes * p->h * p->w > FIT_PARALLEL_GRAIN && \
                             fit_parallel_enabled ())
  for (gint64 pl = 0; pl < p->planes; pl++)
    {
      T *dxp = dx + pl * p->h * p->w;
      const T *dyp = dy + pl * p->oh * p->ow;

      if (p->oh == 1 && p->ow == 1)
        {
          /* Global pooling: every position gets the same share. */
          T g = (T) (dyp[0] / (double) (p->h * p->w));

#pragma omp simd
          for (gint64 i = 0; i < p->h * p->w; i++)
            dxp[i] = g;
          continue;
        }
      memset (dxp, 0, p->h * p->w * sizeof (T));
      for (gint64 oy = 0; oy < p->oh; oy++)
        {
          gint64 y0 = adaptive_start (oy, p->h, p->oh);
          gint64 y1 = adaptive_end (oy, p->h, p->oh);

          for (gint64 ox = 0; ox < p->ow; ox++)
            {
              gint64 x0 = adaptive_start (ox, p->w, p->ow);
              gint64 x1 = adaptive_end (ox, p->w, p->ow);
              T g = (T) (dyp[oy * p->ow + ox] / (double) ((y1 - y0) * (x1 - x0)));

              for (gint64 iy = y0; iy < y1; iy++)
                for (gint64 ix = x0; ix < x1; ix++)
                  dxp[iy * p->w + ix] += g;
            }
        }
    }
}

/* ---- dropout ---- */

/* Draws the mask (0 or @scale per element, two 32-bit uniforms per draw) and applies
 * it. The draws are serial so that a seed gives the same mask on any thread count. */
static void
FN (dropout_forward) (const T *x,
                      T       *y,
                      T       *mask,
                      gint64   n,
                      double   p,
                      FitRng  *rng)
{
  guint64 threshold = (guint64) ceil (p * 4294967296.0);
  T scale = (T) (1.0 / (1.0 - p));

  for (gint64 i = 0; i < n; i += 2)
    {
      guint64 r = fit_rng_next_uint64 (rng);
      T m0 = (r & 0xffffffffu) >= threshold ? scale : 0;
      T m1 = (r >> 32) >= threshold ? scale : 0;

      mask[i] = m0;
      y[i] = x[i] * m0;
      if (i + 1 < n)
        {
          mask[i + 1] = m1;
          y[i + 1] = x[i + 1] * m1;
        }
    }
}

#undef FN
#undef CONV_CAT
#undef CONV_CAT2
