/* fit-tensor-reduce-kernels.h: the per-element-type loops of fit-tensor-reduce.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fit-tensor-reduce.c includes this file once per element type, after defining
 *
 *   T          the element type
 *   SFX(name)  name with the type's suffix (name_f32, …)
 *   IS_NAN(v)  whether v is a NaN (constant 0 for integers)
 *   FLOATING   for float and double, together with
 *   VEC        a 16-byte GCC vector of T, and EXP(v), the type's exp()
 *
 * so that each loop is written once and compiled for its own type, plain enough for
 * the compiler to vectorise. There is no include guard on purpose.
 *
 * Loops over one dimension see the tensor as [outer, d, inner] and work in units of
 * one outer index and up to FIT_REDUCE_CHUNK inner columns: with inner == 1 a unit is
 * one contiguous row; otherwise the innermost loop runs over contiguous columns.
 */

/* ---- max, min and argmax (every type) ---- */

/* The largest (or, with @lowest, smallest) element along d and where it first occurs;
 * a NaN beats everything, as in torch. @vals and @idx may each be NULL. */
static void
SFX (extreme_unit) (const T        *x,
                    const DimShape *s,
                    gboolean        lowest,
                    T              *vals,
                    gint64         *idx,
                    gint64          u)
{
  gint64 o = u / s->n_chunks;
  gint64 j0 = (u % s->n_chunks) * FIT_REDUCE_CHUNK;
  gint64 w = MIN (FIT_REDUCE_CHUNK, s->inner - j0);
  const T *base = x + o * s->d * s->inner + j0;
  T best[FIT_REDUCE_CHUNK];
  gint64 where[FIT_REDUCE_CHUNK];

  for (gint64 j = 0; j < w; j++)
    {
      best[j] = base[j];
      where[j] = 0;
    }
  for (gint64 k = 1; k < s->d; k++)
    {
      const T *row = base + k * s->inner;

      for (gint64 j = 0; j < w; j++)
        {
          T v = row[j];
          gboolean better = lowest ? v < best[j] : v > best[j];

          if (better || (IS_NAN (v) && !IS_NAN (best[j])))
            {
              best[j] = v;
              where[j] = k;
            }
        }
    }
  for (gint64 j = 0; j < w; j++)
    {
      if (vals != NULL)
        vals[o * s->inner + j0 + j] = best[j];
      if (idx != NULL)
        idx[o * s->inner + j0 + j] = where[j];
    }
}

static void
SFX (extreme_units) (const T        *x,
                     const DimShape *s,
                     gboolean        lowest,
                     T              *vals,
                     gint64         *idx)
{
  FIT_FOR_UNITS (s->outer * s->n_chunks, s->numel,
                 SFX (extreme_unit) (x, s, lowest, vals, idx, u));
}

#ifdef FLOATING

/* ---- contiguous runs, for sums over several dimensions ---- */

static inline VEC
SFX (load) (const T *p)
{
  VEC v;

  memcpy (&v, p, sizeof v);
  return v;
}

#define LANES ((gint64) (sizeof (VEC) / sizeof (T)))

/* Sum of a contiguous run. Four vector accumulators over blocks of FIT_REDUCE_BLOCK
 * elements, the blocks added in double: the rounding error stays that of a short sum
 * however long the run is. */
static double
SFX (run_sum) (const T *x,
               gint64   n)
{
  double total = 0;
  gint64 i = 0;

  while (i < n)
    {
      gint64 end = MIN (n, i + FIT_REDUCE_BLOCK);
      VEC a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };

      for (; i + 4 * LANES <= end; i += 4 * LANES)
        {
          a0 += SFX (load) (x + i);
          a1 += SFX (load) (x + i + LANES);
          a2 += SFX (load) (x + i + 2 * LANES);
          a3 += SFX (load) (x + i + 3 * LANES);
        }
      a0 = (a0 + a1) + (a2 + a3);
      for (gint64 k = 0; k < LANES; k++)
        total += a0[k];
      for (; i < end; i++)
        total += x[i];
    }
  return total;
}

/* Sum of squared deviations from @mu over a contiguous run, blocked like run_sum. */
static double
SFX (run_sqdev) (const T *x,
                 gint64   n,
                 T        mu)
{
  double total = 0;
  gint64 i = 0;
  VEC m;

  for (gint64 k = 0; k < LANES; k++)
    m[k] = mu;
  while (i < n)
    {
      gint64 end = MIN (n, i + FIT_REDUCE_BLOCK);
      VEC a0 = { 0 }, a1 = { 0 };

      for (; i + 2 * LANES <= end; i += 2 * LANES)
        {
          VEC d0 = SFX (load) (x + i) - m;
          VEC d1 = SFX (load) (x + i + LANES) - m;

          a0 += d0 * d0;
          a1 += d1 * d1;
        }
      a0 += a1;
      for (gint64 k = 0; k < LANES; k++)
        total += a0[k];
      for (; i < end; i++)
        {
          T d = x[i] - mu;

          total += d * d;
        }
    }
  return total;
}

/* Column accumulators in double: acc[j] += x[j] (or (x[j] - mu[j])²). */
static inline void
SFX (cols_add) (double   *restrict acc,
                const T  *restrict x,
                gint64    w)
{
#pragma omp simd
  for (gint64 j = 0; j < w; j++)
    acc[j] += x[j];
}

static inline void
SFX (cols_add_sqdev) (double   *restrict acc,
                      const T  *restrict x,
                      const T  *restrict mu,
                      gint64    w)
{
#pragma omp simd
  for (gint64 j = 0; j < w; j++)
    {
      T d = x[j] - mu[j];

      acc[j] += d * d;
    }
}

/* Backward of a sum: dx = v (or v · (x - mu)) over a contiguous run. */
static inline void
SFX (run_fill) (T       *restrict dx,
                const T *restrict x,
                gint64   n,
                T        v,
                T        mu)
{
  if (x == NULL)
    {
#pragma omp simd
      for (gint64 i = 0; i < n; i++)
        dx[i] = v;
    }
  else
    {
#pragma omp simd
      for (gint64 i = 0; i < n; i++)
        dx[i] = v * (x[i] - mu);
    }
}

/* dx[j] = scale · g[j] (or scale · g[j] · (x[j] - mu[j])) over a contiguous run. */
static inline void
SFX (run_scale) (T       *restrict dx,
                 const T *restrict g,
                 const T *restrict x,
                 const T *restrict mu,
                 gint64   n,
                 T        scale)
{
  if (x == NULL)
    {
#pragma omp simd
      for (gint64 i = 0; i < n; i++)
        dx[i] = scale * g[i];
    }
  else
    {
#pragma omp simd
      for (gint64 i = 0; i < n; i++)
        dx[i] = scale * g[i] * (x[i] - mu[i]);
    }
}

/* ---- softmax, log-softmax and logsumexp along one dimension ---- */

static inline T
SFX (run_max) (const T *x,
               gint64   n)
{
  T m = x[0];

#pragma omp simd reduction (max:m)
  for (gint64 i = 1; i < n; i++)
    m = m > x[i] ? m : x[i];
  return m;
}

/* Column maxima of @d rows of @w columns, @stride apart. */
static inline void
SFX (cols_max) (const T *x,
                gint64   d,
                gint64   stride,
                gint64   w,
                T       *m)
{
  memcpy (m, x, w * sizeof (T));
  for (gint64 k = 1; k < d; k++)
    {
      const T *row = x + k * stride;

#pragma omp simd
      for (gint64 j = 0; j < w; j++)
        m[j] = m[j] > row[j] ? m[j] : row[j];
    }
}

static void
SFX (softmax_run) (const T *x,
                   T       *y,
                   gint64   d,
                   gboolean take_log)
{
  T m = SFX (run_max) (x, d);
  double sum = 0;

  if (take_log)
    {
      T lse;

      for (gint64 k = 0; k < d; k++)
        sum += EXP (x[k] - m);
      lse = (T) log (sum);
      for (gint64 k = 0; k < d; k++)
        y[k] = (x[k] - m) - lse;
    }
  else
    {
      T inv;

      for (gint64 k = 0; k < d; k++)
        {
          T e = EXP (x[k] - m);

          y[k] = e;
          sum += e;
        }
      inv = (T) (1.0 / sum);
      for (gint64 k = 0; k < d; k++)
        y[k] *= inv;
    }
}

static void
SFX (softmax_cols) (const T *x,
                    T       *y,
                    gint64   d,
                    gint64   stride,
                    gint64   w,
                    gboolean take_log)
{
  T m[FIT_REDUCE_CHUNK];
  T c[FIT_REDUCE_CHUNK];
  double sum[FIT_REDUCE_CHUNK];

  SFX (cols_max) (x, d, stride, w, m);
  for (gint64 j = 0; j < w; j++)
    sum[j] = 0;
  for (gint64 k = 0; k < d; k++)
    {
      const T *row = x + k * stride;
      T *out = y + k * stride;

      for (gint64 j = 0; j < w; j++)
        {
          T e = EXP (row[j] - m[j]);

          if (!take_log)
            out[j] = e;
          sum[j] += e;
        }
    }
  for (gint64 j = 0; j < w; j++)
    c[j] = take_log ? (T) log (sum[j]) : (T) (1.0 / sum[j]);
  for (gint64 k = 0; k < d; k++)
    {
      const T *row = x + k * stride;
      T *out = y + k * stride;

      if (take_log)
        for (gint64 j = 0; j < w; j++)
          out[j] = (row[j] - m[j]) - c[j];
      else
        for (gint64 j = 0; j < w; j++)
          out[j] *= c[j];
    }
}

static void
SFX (softmax_unit) (const T        *x,
                    T              *y,
                    const DimShape *s,
                    gboolean        take_log,
                    gint64          u)
{
  gint64 j0 = (u % s->n_chunks) * FIT_REDUCE_CHUNK;
  gint64 off = (u / s->n_chunks) * s->d * s->inner + j0;

  if (s->inner == 1)
    SFX (softmax_run) (x + off, y + off, s->d, take_log);
  else
    SFX (softmax_cols) (x + off, y + off, s->d, s->inner,
                        MIN (FIT_REDUCE_CHUNK, s->inner - j0), take_log);
}

static void
SFX (softmax_units) (const T        *x,
                     T              *y,
                     const DimShape *s,
                     gboolean        take_log)
{
  FIT_FOR_UNITS (s->outer * s->n_chunks, s->numel,
                 SFX (softmax_unit) (x, y, s, take_log, u));
}

/* Backward in closed form: softmax dx = y (g - Σ g y); log-softmax dx = g - e^y Σ g. */
static void
SFX (softmax_backward_unit) (const T        *y,
                             const T        *g,
                             T              *dx,
                             const DimShape *s,
                             gboolean        take_log,
                             gint64          u)
{
  gint64 j0 = (u % s->n_chunks) * FIT_REDUCE_CHUNK;
  gint64 off = (u / s->n_chunks) * s->d * s->inner + j0;
  gint64 w = MIN (FIT_REDUCE_CHUNK, s->inner - j0);
  double acc[FIT_REDUCE_CHUNK];
  T c[FIT_REDUCE_CHUNK];

  for (gint64 j = 0; j < w; j++)
    acc[j] = 0;
  for (gint64 k = 0; k < s->d; k++)
    {
      const T *gr = g + off + k * s->inner;
      const T *yr = y + off + k * s->inner;

      if (take_log)
        for (gint64 j = 0; j < w; j++)
          acc[j] += gr[j];
      else
        for (gint64 j = 0; j < w; j++)
          acc[j] += gr[j] * yr[j];
    }
  for (gint64 j = 0; j < w; j++)
    c[j] = (T) acc[j];
  for (gint64 k = 0; k < s->d; k++)
    {
      gint64 r = off + k * s->inner;

      if (take_log)
        for (gint64 j = 0; j < w; j++)
          dx[r + j] = g[r + j] - EXP (y[r + j]) * c[j];
      else
        for (gint64 j = 0; j < w; j++)
          dx[r + j] = y[r + j] * (g[r + j] - c[j]);
    }
}

static void
SFX (softmax_backward_units) (const T        *y,
                              const T        *g,
                              T              *dx,
                              const DimShape *s,
                              gboolean        take_log)
{
  FIT_FOR_UNITS (s->outer * s->n_chunks, s->numel,
                 SFX (softmax_backward_unit) (y, g, dx, s, take_log, u));
}

/* log Σ e^x along d, shifted by the maximum; an infinite maximum is not subtracted
 * (it would give inf - inf), which makes the result that infinity, as in torch. */
static void
SFX (logsumexp_unit) (const T        *x,
                      T              *out,
                      const DimShape *s,
                      gint64          u)
{
  gint64 o = u / s->n_chunks;
  gint64 j0 = (u % s->n_chunks) * FIT_REDUCE_CHUNK;
  gint64 w = MIN (FIT_REDUCE_CHUNK, s->inner - j0);
  const T *base = x + o * s->d * s->inner + j0;
  T m[FIT_REDUCE_CHUNK];
  double sum[FIT_REDUCE_CHUNK];

  if (s->inner == 1)
    m[0] = SFX (run_max) (base, s->d);
  else
    SFX (cols_max) (base, s->d, s->inner, w, m);
  for (gint64 j = 0; j < w; j++)
    {
      if (isinf (m[j]))
        m[j] = 0;
      sum[j] = 0;
    }
  for (gint64 k = 0; k < s->d; k++)
    {
      const T *row = base + k * s->inner;

      for (gint64 j = 0; j < w; j++)
        sum[j] += EXP (row[j] - m[j]);
    }
  for (gint64 j = 0; j < w; j++)
    out[o * s->inner + j0 + j] = (T) (m[j] + log (sum[j]));
}

static void
SFX (logsumexp_units) (const T        *x,
                       T              *out,
                       const DimShape *s)
{
  FIT_FOR_UNITS (s->outer * s->n_chunks, s->numel, SFX (logsumexp_unit) (x, out, s, u));
}

/* dx = g · e^(x - logsumexp), that is g times the softmax. */
static void
SFX (logsumexp_backward_unit) (const T        *x,
                               const T        *lse,
                               const T        *g,
                               T              *dx,
                               const DimShape *s,
                               gint64          u)
{
  gint64 o = u / s->n_chunks;
  gint64 j0 = (u % s->n_chunks) * FIT_REDUCE_CHUNK;
  gint64 w = MIN (FIT_REDUCE_CHUNK, s->inner - j0);
  gint64 off = o * s->d * s->inner + j0;
  const T *gr = g + o * s->inner + j0;
  const T *lr = lse + o * s->inner + j0;

  for (gint64 k = 0; k < s->d; k++)
    {
      gint64 r = off + k * s->inner;

      for (gint64 j = 0; j < w; j++)
        dx[r + j] = gr[j] * EXP (x[r + j] - lr[j]);
    }
}

static void
SFX (logsumexp_backward_units) (const T        *x,
                                const T        *lse,
                                const T        *g,
                                T              *dx,
                                const DimShape *s)
{
  FIT_FOR_UNITS (s->outer * s->n_chunks, s->numel,
                 SFX (logsumexp_backward_unit) (x, lse, g, dx, s, u));
}

#undef LANES

#endif /* FLOATING */
