/* fit-tensor-reduce.c: reductions, softmax and matrix products
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reductions over a set of dimensions first merge neighbouring dimensions that are
 * reduced alike (and drop those of size 1), so any reduction becomes a walk over
 * contiguous runs: either each run is summed into one output element (the innermost
 * dimension is reduced) or each run is added column-wise into one output row (it is
 * kept). Both loops are plain and vectorise; float32 is summed in short float blocks
 * combined in double, so long sums keep float32's precision of a short one.
 *
 * Matrix products are GEMMs. Backward passes pass transpose flags to the GEMM rather
 * than transposing, fold batches into one GEMM when one side is a single matrix, and
 * compute only the gradients some input needs.
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

/* Columns per unit of work in loops over a non-innermost dimension (stack buffers). */
#define FIT_REDUCE_CHUNK 256
/* Elements summed in float32 lanes before the partial sum moves to double. */
#define FIT_REDUCE_BLOCK 256
/* GEMMs below this many multiply-adds run one per thread when batched: BLAS gains
 * little from threading them itself. */
#define FIT_SMALL_GEMM (128 * 128 * 128)

/* Whether a loop over @work elements is worth a parallel region. Small loops skip the
 * region altogether: even one that runs on a single thread costs libgomp a few
 * hundred nanoseconds, a noticeable share of a small layer's step. */
#define FIT_USE_THREADS(work) ((work) > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())

/* Evaluates @call for every u in [0, @n_units), in parallel when @work is large. */
#define FIT_FOR_UNITS(n_units, work, call)                                      \
  G_STMT_START {                                                                \
    gint64 n_units_ = (n_units);                                                \
    if (FIT_USE_THREADS (work))                                                 \
      {                                                                         \
        _Pragma ("omp parallel for num_threads (fit_parallel_threads ())")      \
        for (gint64 u = 0; u < n_units_; u++)                                   \
          call;                                                                 \
      }                                                                         \
    else                                                                        \
      for (gint64 u = 0; u < n_units_; u++)                                     \
        call;                                                                   \
  } G_STMT_END

/* Evaluates @call once per thread with that thread's share [lo, hi) of [0, @n). */
#define FIT_FOR_RANGES(n, work, call)                                           \
  G_STMT_START {                                                                \
    gint64 n_ = (n);                                                            \
    if (FIT_USE_THREADS (work))                                                 \
      {                                                                         \
        _Pragma ("omp parallel num_threads (fit_parallel_threads ())")          \
        {                                                                       \
          gint64 lo, hi;                                                        \
          thread_range (n_, &lo, &hi);                                          \
          call;                                                                 \
        }                                                                       \
      }                                                                         \
    else                                                                        \
      {                                                                         \
        gint64 lo = 0, hi = n_;                                                 \
        call;                                                                   \
      }                                                                         \
  } G_STMT_END

/* A tensor seen as [outer, d, inner] around one dimension. */
typedef struct
{
  gint64 outer;
  gint64 d;
  gint64 inner;
  gint64 n_chunks;   /* units of FIT_REDUCE_CHUNK columns per outer index */
  gint64 numel;
} DimShape;

static void
dim_shape_init (DimShape     *s,
                const gint64 *shape,
                guint         n_dims,
                guint         dim)
{
  s->outer = fit_shape_numel (shape, dim);
  s->d = shape[dim];
  s->inner = fit_shape_numel (shape + dim + 1, n_dims - dim - 1);
  s->n_chunks = (s->inner + FIT_REDUCE_CHUNK - 1) / FIT_REDUCE_CHUNK;
  s->numel = s->outer * s->d * s->inner;
}

/* This thread's share [*lo, *hi) of @n items inside a parallel region (all of them
 * outside one). */
static inline void
thread_range (gint64  n,
              gint64 *lo,
              gint64 *hi)
{
  gint64 t = omp_get_thread_num ();
  gint64 nt = omp_get_num_threads ();

  *lo = n * t / nt;
  *hi = n * (t + 1) / nt;
}

/* The kernels, once per element type. */
typedef float v4sf __attribute__ ((vector_size (16)));
typedef double v2df __attribute__ ((vector_size (16)));

#define FLOATING
#define T float
#define VEC v4sf
#define SFX(name) name##_f32
#define EXP(v) expf (v)
#define IS_NAN(v) isnan (v)
#include "fit-tensor-reduce-kernels.h"
#undef T
#undef VEC
#undef SFX
#undef EXP

#define T double
#define VEC v2df
#define SFX(name) name##_f64
#define EXP(v) exp (v)
#include "fit-tensor-reduce-kernels.h"
#undef T
#undef VEC
#undef SFX
#undef EXP
#undef IS_NAN
#undef FLOATING

#define IS_NAN(v) 0
#define T gint32
#define SFX(name) name##_i32
#include "fit-tensor-reduce-kernels.h"
#undef T
#undef SFX

#define T gint64
#define SFX(name) name##_i64
#include "fit-tensor-reduce-kernels.h"
#undef T
#undef SFX
#undef IS_NAN

static gboolean
check_float_cpu (const char  *op,
                 FitTensor   *t,
                 GError     **error)
{
  return fit_check_cpu (op, t, error) && fit_check_floating (op, t, error);
}

/* ---- walking the runs of a reduction ---- */

typedef struct
{
  guint  n;
  gint64 size[FIT_MAX_DIMS];
  gint64 stride[FIT_MAX_DIMS];   /* in elements of the input */
  gint64 count;
} Walk;

typedef struct
{
  gint64 idx[FIT_MAX_DIMS];
  gint64 off;
} WalkPos;

static inline void
walk_seek (const Walk *w,
           WalkPos    *p,
           gint64      t)
{
  p->off = 0;
  for (guint d = w->n; d-- > 0;)
    {
      p->idx[d] = t % w->size[d];
      p->off += p->idx[d] * w->stride[d];
      t /= w->size[d];
    }
}

static inline void
walk_next (const Walk *w,
           WalkPos    *p)
{
  for (guint d = w->n; d-- > 0;)
    {
      p->off += w->stride[d];
      if (++p->idx[d] < w->size[d])
        return;
      p->off -= w->stride[d] * w->size[d];
      p->idx[d] = 0;
    }
}

static void
walk_push (Walk   *w,
           gint64  size,
           gint64  stride)
{
  w->size[w->n] = size;
  w->stride[w->n] = stride;
  w->n++;
  w->count *= size;
}

typedef struct
{
  gint64   numel;
  gint64   n_out;           /* output elements */
  gint64   n_reduce;        /* input elements per output element */
  gint64   inner;           /* length of a contiguous run */
  gboolean inner_reduced;   /* runs are summed (TRUE) or added column-wise (FALSE) */
  Walk     keep;            /* kept dimensions outside the runs: outputs (or rows) */
  Walk     red;             /* reduced dimensions outside the runs */
  Walk     both;            /* keep, then red: every run in output order */
} ReducePlan;

static void
reduce_plan_init (ReducePlan   *p,
                  const gint64 *shape,
                  guint         n_dims,
                  guint32       mask)
{
  gint64 size[FIT_MAX_DIMS];
  gint64 stride[FIT_MAX_DIMS];
  gboolean reduced[FIT_MAX_DIMS];
  guint n = 0;

  memset (p, 0, sizeof *p);
  p->numel = fit_shape_numel (shape, n_dims);
  p->n_out = p->n_reduce = 1;
  for (guint d = 0; d < n_dims; d++)
    {
      gboolean r = (mask >> d) & 1;

      if (r)
        p->n_reduce *= shape[d];
      else
        p->n_out *= shape[d];
      if (shape[d] == 1)
        continue;
      if (n > 0 && reduced[n - 1] == r)
        size[n - 1] *= shape[d];
      else
        {
          size[n] = shape[d];
          reduced[n++] = r;
        }
    }
  if (n == 0)
    {
      size[0] = 1;
      reduced[n++] = FALSE;
    }
  stride[n - 1] = 1;
  for (guint g = n - 1; g-- > 0;)
    stride[g] = stride[g + 1] * size[g + 1];

  p->inner = size[n - 1];
  p->inner_reduced = reduced[n - 1];
  p->keep.count = p->red.count = p->both.count = 1;
  for (guint g = 0; g + 1 < n; g++)
    walk_push (reduced[g] ? &p->red : &p->keep, size[g], stride[g]);
  for (guint g = 0; g < p->keep.n; g++)
    walk_push (&p->both, p->keep.size[g], p->keep.stride[g]);
  for (guint g = 0; g < p->red.n; g++)
    walk_push (&p->both, p->red.size[g], p->red.stride[g]);
}

static inline void
store_scaled (FitTensor *out,
              gint64     i,
              double     v)
{
  if (out->dtype == FIT_DTYPE_FLOAT32)
    fit_tensor_f32 (out)[i] = (float) v;
  else
    fit_tensor_f64 (out)[i] = v;
}

static double
run_sum (FitTensor *x,
         gint64     off,
         gint64     n,
         FitTensor *mu,
         gint64     o)
{
  if (x->dtype == FIT_DTYPE_FLOAT32)
    return mu ? run_sqdev_f32 (fit_tensor_f32 (x) + off, n, fit_tensor_f32 (mu)[o])
              : run_sum_f32 (fit_tensor_f32 (x) + off, n);
  return mu ? run_sqdev_f64 (fit_tensor_f64 (x) + off, n, fit_tensor_f64 (mu)[o])
            : run_sum_f64 (fit_tensor_f64 (x) + off, n);
}

/* A whole contiguous tensor into one value; threads sum equal slices, added in a
 * fixed order so that the result depends only on the thread count. */
static double
reduce_all (FitTensor *x,
            FitTensor *mu)
{
  double partial[64] = { 0 };
  double total = 0;
  int nt = MIN (fit_parallel_threads (), (int) G_N_ELEMENTS (partial));

  if (!FIT_USE_THREADS (x->numel))
    return run_sum (x, 0, x->numel, mu, 0);

#pragma omp parallel num_threads (nt)
  {
    gint64 lo, hi;

    thread_range (x->numel, &lo, &hi);
    partial[omp_get_thread_num ()] = run_sum (x, lo, hi - lo, mu, 0);
  }
  for (guint t = 0; t < G_N_ELEMENTS (partial); t++)
    total += partial[t];
  return total;
}

/* Outputs [lo, hi) when the runs are summed: out[o] gets every run of output o. */
static void
reduce_rows (const ReducePlan *p,
             FitTensor        *x,
             FitTensor        *out,
             FitTensor        *mu,
             double            scale,
             gint64            lo,
             gint64            hi)
{
  WalkPos kp;

  walk_seek (&p->keep, &kp, lo);
  for (gint64 o = lo; o < hi; o++, walk_next (&p->keep, &kp))
    {
      WalkPos rp = { { 0 }, 0 };
      double acc = 0;

      for (gint64 r = 0; r < p->red.count; r++, walk_next (&p->red, &rp))
        acc += run_sum (x, kp.off + rp.off, p->inner, mu, o);
      store_scaled (out, o, acc * scale);
    }
}

/* Unit @u when the runs are added column-wise: up to FIT_REDUCE_CHUNK columns of one
 * output row, accumulated in double on the stack. */
static void
reduce_cols (const ReducePlan *p,
             FitTensor        *x,
             FitTensor        *out,
             FitTensor        *mu,
             double            scale,
             gint64            n_chunks,
             gint64            u)
{
  gboolean f32 = x->dtype == FIT_DTYPE_FLOAT32;
  gint64 row = u / n_chunks;
  gint64 j0 = (u % n_chunks) * FIT_REDUCE_CHUNK;
  gint64 w = MIN (FIT_REDUCE_CHUNK, p->inner - j0);
  gint64 o = row * p->inner + j0;
  double acc[FIT_REDUCE_CHUNK];
  WalkPos kp, rp = { { 0 }, 0 };
  gint64 base;

  walk_seek (&p->keep, &kp, row);
  base = kp.off + j0;
  for (gint64 j = 0; j < w; j++)
    acc[j] = 0;
  for (gint64 r = 0; r < p->red.count; r++, walk_next (&p->red, &rp))
    {
      if (f32 && mu != NULL)
        cols_add_sqdev_f32 (acc, fit_tensor_f32 (x) + base + rp.off, fit_tensor_f32 (mu) + o, w);
      else if (f32)
        cols_add_f32 (acc, fit_tensor_f32 (x) + base + rp.off, w);
      else if (mu != NULL)
        cols_add_sqdev_f64 (acc, fit_tensor_f64 (x) + base + rp.off, fit_tensor_f64 (mu) + o, w);
      else
        cols_add_f64 (acc, fit_tensor_f64 (x) + base + rp.off, w);
    }
  for (gint64 j = 0; j < w; j++)
    store_scaled (out, o + j, acc[j] * scale);
}

/* out[o] = scale · Σ x over the elements reduced into o, or with @mu (shaped like
 * @out) scale · Σ (x - mu[o])². */
static void
reduce_runs (const ReducePlan *p,
             FitTensor        *x,
             FitTensor        *out,
             FitTensor        *mu,
             double            scale)
{
  if (p->numel == 0)
    {
      for (gint64 o = 0; o < p->n_out; o++)
        store_scaled (out, o, 0.0 * scale);
    }
  else if (p->inner_reduced && p->keep.count == 1 && p->red.count == 1)
    store_scaled (out, 0, reduce_all (x, mu) * scale);
  else if (p->inner_reduced)
    FIT_FOR_RANGES (p->keep.count, p->numel, reduce_rows (p, x, out, mu, scale, lo, hi));
  else
    {
      gint64 n_chunks = (p->inner + FIT_REDUCE_CHUNK - 1) / FIT_REDUCE_CHUNK;

      FIT_FOR_UNITS (p->keep.count * n_chunks, p->numel,
                     reduce_cols (p, x, out, mu, scale, n_chunks, u));
    }
}

/* Runs [lo, hi) of the backward of reduce_runs. */
static void
expand_range (const ReducePlan *p,
              FitTensor        *g,
              FitTensor        *dx,
              FitTensor        *x,
              FitTensor        *mu,
              double            scale,
              gint64            lo,
              gint64            hi)
{
  gboolean f32 = dx->dtype == FIT_DTYPE_FLOAT32;
  WalkPos bp;

  walk_seek (&p->both, &bp, lo);
  for (gint64 u = lo; u < hi; u++, walk_next (&p->both, &bp))
    {
      gint64 o = u / p->red.count;
      gint64 off = bp.off;

      if (p->inner_reduced && f32)
        run_fill_f32 (fit_tensor_f32 (dx) + off, x ? fit_tensor_f32 (x) + off : NULL, p->inner,
                      (float) (scale * fit_tensor_f32 (g)[o]), mu ? fit_tensor_f32 (mu)[o] : 0);
      else if (p->inner_reduced)
        run_fill_f64 (fit_tensor_f64 (dx) + off, x ? fit_tensor_f64 (x) + off : NULL, p->inner,
                      scale * fit_tensor_f64 (g)[o], mu ? fit_tensor_f64 (mu)[o] : 0);
      else if (f32)
        run_scale_f32 (fit_tensor_f32 (dx) + off, fit_tensor_f32 (g) + o * p->inner,
                       x ? fit_tensor_f32 (x) + off : NULL,
                       mu ? fit_tensor_f32 (mu) + o * p->inner : NULL, p->inner, (float) scale);
      else
        run_scale_f64 (fit_tensor_f64 (dx) + off, fit_tensor_f64 (g) + o * p->inner,
                       x ? fit_tensor_f64 (x) + off : NULL,
                       mu ? fit_tensor_f64 (mu) + o * p->inner : NULL, p->inner, scale);
    }
}

/* The backward of reduce_runs: dx = scale · g[o] for every element reduced into o,
 * or with @x and @mu, scale · g[o] · (x - mu[o]). */
static void
expand_runs (const ReducePlan *p,
             FitTensor        *g,
             FitTensor        *dx,
             FitTensor        *x,
             FitTensor        *mu,
             double            scale)
{
  if (p->numel > 0)
    FIT_FOR_RANGES (p->both.count, p->numel, expand_range (p, g, dx, x, mu, scale, lo, hi));
}

/* ---- sum, mean, var ---- */

typedef enum
{
  REDUCE_SUM,
  REDUCE_MEAN,
  REDUCE_VAR,
} ReduceKind;

/* The set of dimensions @dims names, as a bit mask; none means all. */
static gboolean
parse_dims (const char  *op,
            FitTensor   *t,
            const int   *dims,
            guint        n_dims,
            guint32     *mask,
            GError     **error)
{
  *mask = 0;
  if (n_dims == 0)
    {
      *mask = (1u << t->n_dims) - 1;
      return TRUE;
    }
  for (guint i = 0; i < n_dims; i++)
    {
      int d = fit_normalize_dim (op, t, dims[i], error);

      if (d < 0)
        return FALSE;
      if (*mask & (1u << d))
        {
          g_autofree char *shape = fit_shape_to_string (t->shape, t->n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("%s: dimension %d of shape %s is listed more than once; list each "
                         "dimension to reduce once"), op, dims[i], shape);
          return FALSE;
        }
      *mask |= 1u << d;
    }
  return TRUE;
}

static guint
reduced_shape (FitTensor *t,
               guint32    mask,
               gboolean   keep_dims,
               gint64    *shape)
{
  guint n = 0;

  for (guint d = 0; d < t->n_dims; d++)
    {
      if (!(mask & (1u << d)))
        shape[n++] = t->shape[d];
      else if (keep_dims)
        shape[n++] = 1;
    }
  return n;
}

static gboolean
reduce_backward (FitNode    *node,
                 FitTensor  *grad_output,
                 FitTensor **grad_inputs,
                 GError    **error)
{
  FitTensor *x = node->inputs[0];
  FitTensor *mean = node->saved[0];
  ReducePlan plan;

  reduce_plan_init (&plan, x->shape, x->n_dims, (guint32) node->i[0]);
  grad_inputs[0] = fit_tensor_new_empty_like (x);
  expand_runs (&plan, grad_output, grad_inputs[0], mean ? x : NULL, mean, node->f[0]);
  return TRUE;
}

/* Integer sums, in int64 as in torch, wrapping around on overflow as torch's do (added
 * as unsigned, where a signed overflow would be undefined); not differentiable, so a
 * plain loop will do. */
static void
sum_integers (FitTensor *x,
              guint32    mask,
              FitTensor *out)
{
  gint64 ostride[FIT_MAX_DIMS];
  gint64 idx[FIT_MAX_DIMS] = { 0 };
  guint64 *o = (guint64 *) fit_tensor_ptr (out);
  gint64 s = 1, off = 0;

  for (guint d = x->n_dims; d-- > 0;)
    {
      ostride[d] = (mask & (1u << d)) ? 0 : s;
      if (!(mask & (1u << d)))
        s *= x->shape[d];
    }
  memset (o, 0, out->numel * sizeof (gint64));
  for (gint64 i = 0; i < x->numel; i++)
    {
      o[off] += x->dtype == FIT_DTYPE_INT32
                ? (guint64) ((const gint32 *) fit_tensor_ptr (x))[i]
                : (guint64) ((const gint64 *) fit_tensor_ptr (x))[i];
      for (guint d = x->n_dims; d-- > 0;)
        {
          off += ostride[d];
          if (++idx[d] < x->shape[d])
            break;
          off -= ostride[d] * x->shape[d];
          idx[d] = 0;
        }
    }
}

static FitTensor *
reduce_op (const char  *op,
           ReduceKind   kind,
           FitTensor   *self,
           const int   *dims,
           guint        n_dims,
           gboolean     keep_dims,
           int          correction,
           GError     **error)
{
  gint64 shape[FIT_MAX_DIMS];
  guint out_n_dims;
  guint32 mask;
  ReducePlan plan;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(FitTensor) mean = NULL;
  double scale = 1.0;
  FitNode *node;

  if (!fit_check_cpu (op, self, error) || !parse_dims (op, self, dims, n_dims, &mask, error))
    return NULL;
  out_n_dims = reduced_shape (self, mask, keep_dims, shape);

  if (kind == REDUCE_SUM && !fit_dtype_is_floating (self->dtype))
    {
      out = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, out_n_dims);
      sum_integers (self, mask, out);
      return g_steal_pointer (&out);
    }
  if (!fit_check_floating (op, self, error))
    return NULL;

  out = fit_tensor_new_empty (self->dtype, shape, out_n_dims);
  reduce_plan_init (&plan, self->shape, self->n_dims, mask);
  if (kind == REDUCE_VAR)
    {
      gint64 kshape[FIT_MAX_DIMS];
      guint kn = reduced_shape (self, mask, TRUE, kshape);

      mean = fit_tensor_new_empty (self->dtype, kshape, kn);
      reduce_runs (&plan, self, mean, NULL, 1.0 / (double) plan.n_reduce);
      reduce_runs (&plan, self, out, mean,
                   1.0 / (double) MAX (0, plan.n_reduce - (gint64) correction));
      scale = 2.0 / (double) MAX (0, plan.n_reduce - (gint64) correction);
    }
  else
    {
      scale = kind == REDUCE_MEAN ? 1.0 / (double) plan.n_reduce : 1.0;
      reduce_runs (&plan, self, out, NULL, scale);
    }

  node = fit_autograd_record (out, op, reduce_backward, 1, &self);
  if (node != NULL)
    {
      node->i[0] = mask;
      node->f[0] = scale;
      fit_node_save (node, 0, mean);
    }
  return g_steal_pointer (&out);
}

/**
 * fit_tensor_sum:
 * @self: a tensor
 * @dims: (array length=n_dims) (nullable): the dimensions to sum over, negative ones
 *   counting from the end
 * @n_dims: the number of dimensions in @dims; 0 sums over all of them
 * @keep_dims: keep the summed dimensions with size 1, so that the result broadcasts
 *   against @self
 * @error: return location for a #GError
 *
 * Sums the elements over the given dimensions, as `torch.sum (self, dims, keepdim)`.
 * Float32 sums are accumulated in short float32 blocks combined in double, so long
 * sums stay accurate. Integer tensors are summed into an int64 result, which is not
 * differentiable and wraps around on overflow, as in PyTorch.
 *
 * Returns: (transfer full): the sums, or %NULL with %FIT_ERROR_INVALID_ARGUMENT for a
 *   dimension out of range or listed twice
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_sum (FitTensor  *self,
                const int  *dims,
                guint       n_dims,
                gboolean    keep_dims,
                GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (dims != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return reduce_op ("sum", REDUCE_SUM, self, dims, n_dims, keep_dims, 0, error);
}

/**
 * fit_tensor_mean:
 * @self: a floating-point tensor
 * @dims: (array length=n_dims) (nullable): the dimensions to average over, negative
 *   ones counting from the end
 * @n_dims: the number of dimensions in @dims; 0 averages over all of them
 * @keep_dims: keep the averaged dimensions with size 1
 * @error: return location for a #GError
 *
 * Averages the elements over the given dimensions, as `torch.mean`. The mean of no
 * elements is NaN.
 *
 * Returns: (transfer full): the means, or %NULL with @error set (%FIT_ERROR_DTYPE for
 *   an integer tensor, %FIT_ERROR_INVALID_ARGUMENT for a bad dimension)
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_mean (FitTensor  *self,
                 const int  *dims,
                 guint       n_dims,
                 gboolean    keep_dims,
                 GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (dims != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return reduce_op ("mean", REDUCE_MEAN, self, dims, n_dims, keep_dims, 0, error);
}

/**
 * fit_tensor_var:
 * @self: a floating-point tensor
 * @dims: (array length=n_dims) (nullable): the dimensions to compute the variance
 *   over, negative ones counting from the end
 * @n_dims: the number of dimensions in @dims; 0 means all of them
 * @keep_dims: keep the reduced dimensions with size 1
 * @correction: subtracted from the number of elements N in the divisor: 1 gives the
 *   unbiased estimate (Bessel's correction), 0 the population variance
 * @error: return location for a #GError
 *
 * Computes the variance Σ (x - mean)² / max (0, N - @correction) over the given
 * dimensions, as `torch.var (self, dims, correction=correction, keepdim=keep_dims)`.
 * It is computed in two passes (mean, then squared deviations), which stays accurate
 * when the mean is large compared with the spread.
 *
 * Returns: (transfer full): the variances, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_var (FitTensor  *self,
                const int  *dims,
                guint       n_dims,
                gboolean    keep_dims,
                int         correction,
                GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (dims != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (correction < 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("var: correction %d is negative; use 1 for the unbiased variance or 0 "
                     "for the population variance"), correction);
      return NULL;
    }
  return reduce_op ("var", REDUCE_VAR, self, dims, n_dims, keep_dims, correction, error);
}

/* ---- max, min, argmax ---- */

static void
extreme_kernel (FitTensor      *x,
                const DimShape *s,
                gboolean        lowest,
                FitTensor      *vals,
                FitTensor      *idx)
{
  gint64 *ip = idx ? (gint64 *) fit_tensor_ptr (idx) : NULL;
  gpointer vp = vals ? fit_tensor_ptr (vals) : NULL;

  switch (x->dtype)
    {
    case FIT_DTYPE_FLOAT32:
      extreme_units_f32 (fit_tensor_f32 (x), s, lowest, vp, ip);
      break;
    case FIT_DTYPE_FLOAT64:
      extreme_units_f64 (fit_tensor_f64 (x), s, lowest, vp, ip);
      break;
    case FIT_DTYPE_INT32:
      extreme_units_i32 (fit_tensor_ptr (x), s, lowest, vp, ip);
      break;
    case FIT_DTYPE_INT64:
      extreme_units_i64 (fit_tensor_ptr (x), s, lowest, vp, ip);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The gradient goes to the element that was picked, the first of equal ones. */
static gboolean
extreme_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  FitTensor *x = node->inputs[0];
  const gint64 *idx = (const gint64 *) fit_tensor_ptr (node->saved[0]);
  FitTensor *dx = fit_tensor_new_zeros (x->dtype, x->shape, x->n_dims);
  DimShape s;

  dim_shape_init (&s, x->shape, x->n_dims, (guint) node->i[0]);
  /* With no inner columns the outer loop would find nothing, but an empty tensor's
   * outer size can be as large as a shape allows. */
  for (gint64 o = 0; o < s.outer && s.inner > 0; o++)
    for (gint64 j = 0; j < s.inner; j++)
      {
        gint64 from = o * s.inner + j;
        gint64 to = (o * s.d + idx[from]) * s.inner + j;

        if (x->dtype == FIT_DTYPE_FLOAT32)
          fit_tensor_f32 (dx)[to] = fit_tensor_f32 (grad_output)[from];
        else
          fit_tensor_f64 (dx)[to] = fit_tensor_f64 (grad_output)[from];
      }
  grad_inputs[0] = dx;
  return TRUE;
}

/* Shape checks shared by the operations over one dimension; returns the dimension,
 * or -1 with @error set. */
static int
check_dim_op (const char  *op,
              FitTensor   *self,
              int          dim,
              gboolean     need_elements,
              GError     **error)
{
  int d;

  if (!fit_check_cpu (op, self, error))
    return -1;
  d = fit_normalize_dim (op, self, dim, error);
  if (d < 0)
    return -1;
  if (need_elements && self->shape[d] == 0)
    {
      g_autofree char *shape = fit_shape_to_string (self->shape, self->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: dimension %d of shape %s is empty, and an empty dimension has no "
                     "%s"), op, dim, shape, op);
      return -1;
    }
  return d;
}

static FitTensor *
extreme_op (const char  *op,
            FitTensor   *self,
            int          dim,
            gboolean     keep_dims,
            gboolean     lowest,
            gboolean     index_only,
            GError     **error)
{
  gint64 shape[FIT_MAX_DIMS];
  guint n;
  int d;
  DimShape s;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(FitTensor) idx = NULL;
  FitNode *node;

  d = check_dim_op (op, self, dim, TRUE, error);
  if (d < 0)
    return NULL;
  dim_shape_init (&s, self->shape, self->n_dims, d);
  n = reduced_shape (self, 1u << d, keep_dims, shape);

  if (index_only)
    {
      out = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, n);
      extreme_kernel (self, &s, lowest, NULL, out);
      return g_steal_pointer (&out);
    }

  out = fit_tensor_new_empty (self->dtype, shape, n);
  /* The positions are only kept when the backward will need them. */
  if (self->requires_grad && fit_grad_is_enabled ())
    idx = fit_tensor_new_empty (FIT_DTYPE_INT64, shape, n);
  extreme_kernel (self, &s, lowest, out, idx);
  node = fit_autograd_record (out, op, extreme_backward, 1, &self);
  if (node != NULL)
    {
      node->i[0] = d;
      fit_node_save (node, 0, idx);
    }
  return g_steal_pointer (&out);
}

/**
 * fit_tensor_max:
 * @self: a tensor
 * @dim: the dimension to reduce, negative counting from the end
 * @keep_dims: keep @dim with size 1
 * @error: return location for a #GError
 *
 * The largest element along @dim, as the values of `torch.max (self, dim, keepdim)`.
 * A NaN counts as larger than any number. The gradient flows to the first of equal
 * largest elements only. [method@Fit.Tensor.argmax] gives the positions.
 *
 * Returns: (transfer full): the maxima, or %NULL with %FIT_ERROR_INVALID_ARGUMENT for
 *   a dimension out of range, %FIT_ERROR_SHAPE when @dim is empty
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_max (FitTensor  *self,
                int         dim,
                gboolean    keep_dims,
                GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return extreme_op ("max", self, dim, keep_dims, FALSE, FALSE, error);
}

/**
 * fit_tensor_min:
 * @self: a tensor
 * @dim: the dimension to reduce, negative counting from the end
 * @keep_dims: keep @dim with size 1
 * @error: return location for a #GError
 *
 * The smallest element along @dim, as the values of `torch.min (self, dim, keepdim)`.
 * A NaN counts as smaller than any number. The gradient flows to the first of equal
 * smallest elements only.
 *
 * Returns: (transfer full): the minima, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_min (FitTensor  *self,
                int         dim,
                gboolean    keep_dims,
                GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return extreme_op ("min", self, dim, keep_dims, TRUE, FALSE, error);
}

/**
 * fit_tensor_argmax:
 * @self: a tensor
 * @dim: the dimension to search, negative counting from the end
 * @keep_dims: keep @dim with size 1
 * @error: return location for a #GError
 *
 * The position along @dim of the largest element (the first of equal ones; a NaN
 * counts as largest), as `torch.argmax (self, dim, keepdim)`. This is how
 * classification predictions become labels. The result is int64 and not
 * differentiable.
 *
 * Returns: (transfer full): the int64 positions, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_argmax (FitTensor  *self,
                   int         dim,
                   gboolean    keep_dims,
                   GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return extreme_op ("argmax", self, dim, keep_dims, FALSE, TRUE, error);
}

/* ---- logsumexp, softmax, log-softmax ---- */

static gboolean
logsumexp_backward (FitNode    *node,
                    FitTensor  *grad_output,
                    FitTensor **grad_inputs,
                    GError    **error)
{
  FitTensor *x = node->inputs[0];
  FitTensor *lse = node->saved[0];
  FitTensor *dx = fit_tensor_new_empty_like (x);
  DimShape s;

  dim_shape_init (&s, x->shape, x->n_dims, (guint) node->i[0]);
  if (x->dtype == FIT_DTYPE_FLOAT32)
    logsumexp_backward_units_f32 (fit_tensor_f32 (x), fit_tensor_f32 (lse),
                                  fit_tensor_f32 (grad_output), fit_tensor_f32 (dx), &s);
  else
    logsumexp_backward_units_f64 (fit_tensor_f64 (x), fit_tensor_f64 (lse),
                                  fit_tensor_f64 (grad_output), fit_tensor_f64 (dx), &s);
  grad_inputs[0] = dx;
  return TRUE;
}

/* Backward passes that need an op's own output keep a view of its data rather than
 * the output itself, which owns the node: a reference would make a cycle. */
static void
save_output (FitNode   *node,
             guint      slot,
             FitTensor *out)
{
  g_autoptr(FitTensor) view = fit_tensor_new_view (out, 0, out->shape, out->n_dims);

  fit_node_save (node, slot, view);
}

/**
 * fit_tensor_logsumexp:
 * @self: a floating-point tensor
 * @dim: the dimension to reduce, negative counting from the end
 * @keep_dims: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Computes log Σ exp (x) along @dim without overflow, by subtracting the maximum
 * first, as `torch.logsumexp`. Its gradient is the softmax along @dim.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_logsumexp (FitTensor  *self,
                      int         dim,
                      gboolean    keep_dims,
                      GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  guint n;
  int d;
  DimShape s;
  FitTensor *out;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_float_cpu ("logsumexp", self, error) ||
      (d = check_dim_op ("logsumexp", self, dim, FALSE, error)) < 0)
    return NULL;
  dim_shape_init (&s, self->shape, self->n_dims, d);
  n = reduced_shape (self, 1u << d, keep_dims, shape);
  out = fit_tensor_new_empty (self->dtype, shape, n);
  if (s.d == 0)
    fit_tensor_fill (out, -INFINITY);
  else if (self->dtype == FIT_DTYPE_FLOAT32)
    logsumexp_units_f32 (fit_tensor_f32 (self), fit_tensor_f32 (out), &s);
  else
    logsumexp_units_f64 (fit_tensor_f64 (self), fit_tensor_f64 (out), &s);

  node = fit_autograd_record (out, "logsumexp", logsumexp_backward, 1, &self);
  if (node != NULL)
    {
      node->i[0] = d;
      save_output (node, 0, out);
    }
  return out;
}

static gboolean
softmax_backward_common (FitNode    *node,
                         FitTensor  *grad_output,
                         FitTensor **grad_inputs,
                         gboolean    take_log)
{
  FitTensor *y = node->saved[0];
  FitTensor *dx = fit_tensor_new_empty_like (y);
  DimShape s;

  dim_shape_init (&s, y->shape, y->n_dims, (guint) node->i[0]);
  if (s.numel > 0 && y->dtype == FIT_DTYPE_FLOAT32)
    softmax_backward_units_f32 (fit_tensor_f32 (y), fit_tensor_f32 (grad_output),
                                fit_tensor_f32 (dx), &s, take_log);
  else if (s.numel > 0)
    softmax_backward_units_f64 (fit_tensor_f64 (y), fit_tensor_f64 (grad_output),
                                fit_tensor_f64 (dx), &s, take_log);
  grad_inputs[0] = dx;
  return TRUE;
}

static gboolean
softmax_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  return softmax_backward_common (node, grad_output, grad_inputs, FALSE);
}

static gboolean
log_softmax_backward (FitNode    *node,
                      FitTensor  *grad_output,
                      FitTensor **grad_inputs,
                      GError    **error)
{
  return softmax_backward_common (node, grad_output, grad_inputs, TRUE);
}

static FitTensor *
softmax_op (const char  *op,
            FitTensor   *self,
            int          dim,
            gboolean     take_log,
            GError     **error)
{
  int d;
  DimShape s;
  FitTensor *out;
  FitNode *node;

  if (!check_float_cpu (op, self, error) || (d = check_dim_op (op, self, dim, FALSE, error)) < 0)
    return NULL;
  dim_shape_init (&s, self->shape, self->n_dims, d);
  out = fit_tensor_new_empty_like (self);
  if (s.numel > 0 && self->dtype == FIT_DTYPE_FLOAT32)
    softmax_units_f32 (fit_tensor_f32 (self), fit_tensor_f32 (out), &s, take_log);
  else if (s.numel > 0)
    softmax_units_f64 (fit_tensor_f64 (self), fit_tensor_f64 (out), &s, take_log);

  node = fit_autograd_record (out, op, take_log ? log_softmax_backward : softmax_backward,
                              1, &self);
  if (node != NULL)
    {
      node->i[0] = d;
      save_output (node, 0, out);
    }
  return out;
}

/**
 * fit_tensor_softmax:
 * @self: a floating-point tensor
 * @dim: the dimension to normalise over, negative counting from the end
 * @error: return location for a #GError
 *
 * Computes exp (x) / Σ exp (x) along @dim, subtracting the maximum first so that
 * large logits do not overflow, as `torch.softmax`. The backward is computed in closed
 * form from the output.
 *
 * Returns: (transfer full): the probabilities, shaped like @self, or %NULL with @error
 *   set
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_softmax (FitTensor  *self,
                    int         dim,
                    GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return softmax_op ("softmax", self, dim, FALSE, error);
}

/**
 * fit_tensor_log_softmax:
 * @self: a floating-point tensor
 * @dim: the dimension to normalise over, negative counting from the end
 * @error: return location for a #GError
 *
 * Computes x - log Σ exp (x) along @dim, stably, as `torch.log_softmax`. Prefer it to
 * the log of [method@Fit.Tensor.softmax]: it neither underflows to -inf nor loses
 * precision for confident predictions.
 *
 * Returns: (transfer full): the log-probabilities, shaped like @self, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_log_softmax (FitTensor  *self,
                        int         dim,
                        GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return softmax_op ("log_softmax", self, dim, TRUE, error);
}

/* ---- matrix products ---- */

/* C = op(A) op(B) + beta C, row-major, with the sizes that BLAS might mishandle (an
 * empty product, an empty inner dimension) done here. ldc is always n. Every BLAS
 * product outside the convolution kernels goes through here, so that the threading
 * rule of fit_blas_serial_begin() applies to all of them. */
void
fit_gemm (FitDType       dtype,
          gboolean       trans_a,
          gboolean       trans_b,
          gint64         m,
          gint64         n,
          gint64         k,
          gconstpointer  a,
          gint64         lda,
          gconstpointer  b,
          gint64         ldb,
          double         beta,
          gpointer       c)
{
  gboolean serial;

  if (m == 0 || n == 0)
    return;
  if (k == 0)
    {
      if (beta == 0)
        memset (c, 0, m * n * fit_dtype_get_size (dtype));
      return;
    }
  serial = fit_blas_serial_begin (m * n * k);
  if (dtype == FIT_DTYPE_FLOAT32)
    cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                 trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, MAX (lda, 1), b,
                 MAX (ldb, 1), (float) beta, c, n);
  else
    cblas_dgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                 trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, MAX (lda, 1), b,
                 MAX (ldb, 1), beta, c, n);
  fit_blas_serial_end (serial);
}

static gboolean
check_blas_size (const char  *op,
                 FitTensor   *a,
                 FitTensor   *b,
                 gint64       size,
                 GError     **error)
{
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;

  if (size <= G_MAXINT)
    return TRUE;
  sa = fit_shape_to_string (a->shape, a->n_dims);
  sb = fit_shape_to_string (b->shape, b->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s: shapes %s and %s make a matrix dimension of %" PRId64
                 ", more than BLAS can index; split the batch"), op, sa, sb, size);
  return FALSE;
}

/* a [batch…, n, k] times b [batch…, k, m] with NumPy broadcasting of the batch
 * dimensions; a 1-D a is one row [1, k], a 1-D b one column [k, 1]. */
typedef struct
{
  gint64 n, k, m;
  guint  n_batch_dims;
  gint64 batch[FIT_MAX_DIMS];
  gint64 a_stride[FIT_MAX_DIMS];   /* in matrices of a; 0 where a is broadcast */
  gint64 b_stride[FIT_MAX_DIMS];
  gint64 n_batch;                  /* products to compute */
  gint64 a_count;                  /* matrices in a */
  gint64 b_count;
  gint64 out_shape[FIT_MAX_DIMS];
  guint  out_n_dims;
} MatmulPlan;

static gboolean
matmul_plan_init (MatmulPlan  *p,
                  FitTensor   *a,
                  FitTensor   *b,
                  GError     **error)
{
  gboolean a_vec = a->n_dims == 1, b_vec = b->n_dims == 1;
  guint na = a_vec ? 0 : a->n_dims - 2;
  guint nb = b_vec ? 0 : b->n_dims - 2;
  gint64 kb, sa = 1, sb = 1;
  guint nbat = MAX (na, nb);

  memset (p, 0, sizeof *p);
  p->n = a_vec ? 1 : a->shape[a->n_dims - 2];
  p->k = a->shape[a->n_dims - 1];
  kb = b_vec ? b->shape[0] : b->shape[b->n_dims - 2];
  p->m = b_vec ? 1 : b->shape[b->n_dims - 1];
  if (p->k != kb)
    {
      g_autofree char *s1 = fit_shape_to_string (a->shape, a->n_dims);
      g_autofree char *s2 = fit_shape_to_string (b->shape, b->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("matmul: cannot multiply shapes %s and %s: the last dimension of the "
                     "first (%" PRId64 ") must equal the %s of the second (%"
                     PRId64 ")"), s1, s2, p->k,
                   b_vec ? _("length") : _("second-to-last dimension"), kb);
      return FALSE;
    }

  p->n_batch_dims = nbat;
  p->n_batch = p->a_count = p->b_count = 1;
  for (guint i = nbat; i-- > 0;)
    {
      gint64 da = i < nbat - na ? 1 : a->shape[i - (nbat - na)];
      gint64 db = i < nbat - nb ? 1 : b->shape[i - (nbat - nb)];

      if (da != db && da != 1 && db != 1)
        {
          g_autofree char *s1 = fit_shape_to_string (a->shape, a->n_dims);
          g_autofree char *s2 = fit_shape_to_string (b->shape, b->n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("matmul: the batch dimensions of shapes %s and %s cannot be "
                         "broadcast together (%" PRId64 " vs %" PRId64 ")"),
                       s1, s2, da, db);
          return FALSE;
        }
      p->batch[i] = da == 1 ? db : da;
      p->a_stride[i] = da == 1 ? 0 : sa;
      p->b_stride[i] = db == 1 ? 0 : sb;
      sa *= da;
      sb *= db;
      p->n_batch *= p->batch[i];
    }
  p->a_count = sa;
  p->b_count = sb;

  memcpy (p->out_shape, p->batch, nbat * sizeof (gint64));
  p->out_n_dims = nbat;
  if (!a_vec)
    p->out_shape[p->out_n_dims++] = p->n;
  if (!b_vec)
    p->out_shape[p->out_n_dims++] = p->m;

  return check_blas_size ("matmul", a, b, MAX (MAX (p->n, p->k), p->m), error) &&
         check_blas_size ("matmul", a, b, p->a_count * p->n, error);
}

typedef enum
{
  MATMUL_FORWARD,   /* C_t = A_a(t) B_b(t) */
  MATMUL_GRAD_A,    /* dA_a(t) (+)= G_t B_b(t)ᵀ */
  MATMUL_GRAD_B,    /* dB_b(t) (+)= A_a(t)ᵀ G_t */
} MatmulPass;

/* Product @t of a batch. */
static void
matmul_one (const MatmulPlan *p,
            FitDType          dtype,
            MatmulPass        pass,
            const guint8     *x,
            const guint8     *y,
            guint8           *z,
            gboolean          accumulate,
            gint64            t)
{
  gsize es = fit_dtype_get_size (dtype);
  gint64 nk = p->n * p->k * es, km = p->k * p->m * es, nm = p->n * p->m * es;
  gint64 ia = 0, ib = 0, r = t;
  double beta = accumulate ? 1.0 : 0.0;

  for (guint i = p->n_batch_dims; i-- > 0;)
    {
      gint64 idx = r % p->batch[i];

      ia += idx * p->a_stride[i];
      ib += idx * p->b_stride[i];
      r /= p->batch[i];
    }
  switch (pass)
    {
    case MATMUL_FORWARD:
      fit_gemm (dtype, FALSE, FALSE, p->n, p->m, p->k, x + ia * nk, p->k, y + ib * km, p->m,
                0.0, z + t * nm);
      break;
    case MATMUL_GRAD_A:
      fit_gemm (dtype, FALSE, TRUE, p->n, p->k, p->m, x + t * nm, p->m, y + ib * km, p->m,
                beta, z + ia * nk);
      break;
    case MATMUL_GRAD_B:
      fit_gemm (dtype, TRUE, FALSE, p->k, p->m, p->n, x + ia * nk, p->k, y + t * nm, p->m,
                beta, z + ib * km);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* One GEMM per product, accumulating into broadcast operands' gradients. */
static void
matmul_batches (const MatmulPlan *p,
                FitDType          dtype,
                MatmulPass        pass,
                const guint8     *x,
                const guint8     *y,
                guint8           *z,
                gboolean          accumulate)
{
  gint64 work = p->n * p->k * p->m;

  /* Without accumulation every product writes its own matrix, so small ones run one
   * per thread (BLAS then stays single-threaded inside the region); accumulating ones
   * must run in order. */
  if (accumulate || work >= FIT_SMALL_GEMM)
    work = 0;
  FIT_FOR_UNITS (p->n_batch, work * p->n_batch,
                 matmul_one (p, dtype, pass, x, y, z, accumulate, u));
}

static gboolean
matmul_backward (FitNode    *node,
                 FitTensor  *grad_output,
                 FitTensor **grad_inputs,
                 GError    **error)
{
  FitTensor *a = node->inputs[0], *b = node->inputs[1];
  const guint8 *g = fit_tensor_ptr (grad_output);
  MatmulPlan p;

  if (!matmul_plan_init (&p, a, b, error))
    return FALSE;
  /* An empty product (n or m is 0) contributed nothing: zero gradients, without a pass
   * over batch dimensions that may be as large as a shape allows. */
  if (grad_output->numel == 0)
    {
      for (guint i = 0; i < 2; i++)
        if (fit_node_needs_grad (node, i))
          grad_inputs[i] = fit_tensor_zeros_like (node->inputs[i]);
      return TRUE;
    }

  if (fit_node_needs_grad (node, 0))
    {
      /* Several products read the same matrix of a when it is broadcast: their
       * gradients add up, from zero. */
      gboolean acc = p.n_batch != p.a_count;
      FitTensor *da = acc ? fit_tensor_new_zeros (a->dtype, a->shape, a->n_dims)
                          : fit_tensor_new_empty_like (a);

      if (p.b_count == 1)
        fit_gemm (a->dtype, FALSE, TRUE, p.a_count * p.n, p.k, p.m, g, p.m, fit_tensor_ptr (b), p.m,
                  0.0, fit_tensor_ptr (da));
      else
        matmul_batches (&p, a->dtype, MATMUL_GRAD_A, g, fit_tensor_ptr (b),
                        fit_tensor_ptr (da), acc);
      grad_inputs[0] = da;
    }
  if (fit_node_needs_grad (node, 1))
    {
      gboolean acc = p.n_batch != p.b_count;
      FitTensor *db = acc && p.b_count != 1
                      ? fit_tensor_new_zeros (b->dtype, b->shape, b->n_dims)
                      : fit_tensor_new_empty_like (b);

      /* A single b serves every product: one GEMM over all rows of a sums them. */
      if (p.b_count == 1)
        fit_gemm (b->dtype, TRUE, FALSE, p.k, p.m, p.a_count * p.n, fit_tensor_ptr (a), p.k, g, p.m,
                  0.0, fit_tensor_ptr (db));
      else
        matmul_batches (&p, b->dtype, MATMUL_GRAD_B, fit_tensor_ptr (a), g,
                        fit_tensor_ptr (db), acc);
      grad_inputs[1] = db;
    }
  return TRUE;
}

/**
 * fit_tensor_matmul:
 * @a: a floating-point tensor with at least one dimension
 * @b: a tensor of the same element type with at least one dimension
 * @error: return location for a #GError
 *
 * The matrix product, following `torch.matmul` and NumPy: two 1-D tensors give their
 * dot product (a scalar); a 1-D @a is a row vector and a 1-D @b a column vector, the
 * added dimension removed from the result; tensors with more than two dimensions are
 * stacks of matrices whose leading (batch) dimensions broadcast. A product
 * [batch…, n, k] × [k, m] runs as one GEMM.
 *
 * Returns: (transfer full): the product, or %NULL with %FIT_ERROR_SHAPE when the inner
 *   sizes differ, the batch dimensions do not broadcast, or the product's non-zero
 *   sizes would multiply to 2^60 or more (as they can when the inner size is 0)
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_matmul (FitTensor  *a,
                   FitTensor  *b,
                   GError    **error)
{
  FitTensor *out;
  MatmulPlan p;
  FitTensor *inputs[2] = { a, b };

  g_return_val_if_fail (FIT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (b), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_float_cpu ("matmul", a, error) || !check_float_cpu ("matmul", b, error) ||
      !fit_check_same_dtype ("matmul", a, b, error))
    return NULL;
  if (a->n_dims == 0 || b->n_dims == 0)
    {
      g_autofree char *s1 = fit_shape_to_string (a->shape, a->n_dims);
      g_autofree char *s2 = fit_shape_to_string (b->shape, b->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("matmul: shapes %s and %s: both operands need at least one dimension; "
                     "multiply by a scalar with fit_tensor_mul()"), s1, s2);
      return NULL;
    }
  if (!matmul_plan_init (&p, a, b, error) ||
      !fit_shape_check_result ("matmul", p.out_shape, p.out_n_dims, error))
    return NULL;

  out = fit_tensor_new_empty (a->dtype, p.out_shape, p.out_n_dims);
  /* An empty result has nothing to compute, but its batch dimensions can still be as
   * large as a shape allows: no loop over them. */
  if (out->numel > 0 && p.b_count == 1)
    fit_gemm (a->dtype, FALSE, FALSE, p.a_count * p.n, p.m, p.k, fit_tensor_ptr (a), p.k,
              fit_tensor_ptr (b), p.m, 0.0, fit_tensor_ptr (out));
  else if (out->numel > 0)
    matmul_batches (&p, a->dtype, MATMUL_FORWARD, fit_tensor_ptr (a), fit_tensor_ptr (b),
                    fit_tensor_ptr (out), FALSE);
  fit_autograd_record (out, "matmul", matmul_backward, 2, inputs);
  return out;
}

/* ---- linear ---- */

static gboolean
linear_backward (FitNode    *node,
                 FitTensor  *grad_output,
                 FitTensor **grad_inputs,
                 GError    **error)
{
  FitTensor *x = node->inputs[0], *w = node->inputs[1], *bias = node->inputs[2];
  gint64 n_out = w->shape[0], n_in = w->shape[1];
  gint64 rows = fit_shape_numel (x->shape, x->n_dims - 1);
  const guint8 *g = fit_tensor_ptr (grad_output);

  if (fit_node_needs_grad (node, 0))
    {
      /* dX = dY W */
      grad_inputs[0] = fit_tensor_new_empty_like (x);
      fit_gemm (x->dtype, FALSE, FALSE, rows, n_in, n_out, g, n_out, fit_tensor_ptr (w), n_in, 0.0,
                fit_tensor_ptr (grad_inputs[0]));
    }
  if (fit_node_needs_grad (node, 1))
    {
      /* dW = dYᵀ X */
      grad_inputs[1] = fit_tensor_new_empty_like (w);
      fit_gemm (x->dtype, TRUE, FALSE, n_out, n_in, rows, g, n_out, fit_tensor_ptr (x), n_in, 0.0,
                fit_tensor_ptr (grad_inputs[1]));
    }
  if (bias != NULL && fit_node_needs_grad (node, 2))
    {
      /* db = column sums of dY */
      gint64 shape[2] = { rows, n_out };
      ReducePlan plan;

      reduce_plan_init (&plan, shape, 2, 1u);
      grad_inputs[2] = fit_tensor_new_empty_like (bias);
      reduce_runs (&plan, grad_output, grad_inputs[2], NULL, 1.0);
    }
  return TRUE;
}

static gboolean
linear_check (FitTensor  *input,
              FitTensor  *weight,
              FitTensor  *bias,
              GError    **error)
{
  g_autofree char *si = NULL;
  g_autofree char *sw = NULL;
  g_autofree char *sb = NULL;

  if (!check_float_cpu ("linear", input, error) || !check_float_cpu ("linear", weight, error) ||
      !fit_check_same_dtype ("linear", input, weight, error) ||
      (bias != NULL && (!fit_check_cpu ("linear", bias, error) ||
                        !fit_check_same_dtype ("linear", input, bias, error))) ||
      !fit_check_n_dims ("linear", weight, 2, error))
    return FALSE;

  /* The shapes are only formatted for a message: this check runs for every layer of
   * every step, and two g_strdup_printf calls cost more than a small layer's GEMM. */
  if (input->n_dims == 0 || input->shape[input->n_dims - 1] != weight->shape[1])
    {
      si = fit_shape_to_string (input->shape, input->n_dims);
      sw = fit_shape_to_string (weight->shape, weight->n_dims);
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("linear: input of shape %s does not fit weight of shape %s [out, in]: "
                     "the input's last dimension must be %" PRId64),
                   si, sw, weight->shape[1]);
      return FALSE;
    }
  if (bias != NULL && (bias->n_dims != 1 || bias->shape[0] != weight->shape[0]))
    {
      sw = fit_shape_to_string (weight->shape, weight->n_dims);
      sb = fit_shape_to_string (bias->shape, bias->n_dims);
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("linear: bias of shape %s does not fit weight of shape %s: it must have "
                     "shape [%" PRId64 "]"), sb, sw, weight->shape[0]);
      return FALSE;
    }
  return check_blas_size ("linear", input, weight,
                          MAX (fit_shape_numel (input->shape, input->n_dims - 1),
                               MAX (weight->shape[0], weight->shape[1])), error);
}

/**
 * fit_tensor_linear:
 * @input: the input, [*, in]
 * @weight: the weight, [out, in] as in `torch.nn.Linear`
 * @bias: (nullable): the bias, [out]
 * @error: return location for a #GError
 *
 * The affine map of a fully connected layer, input × weightᵀ + bias, fused into one
 * GEMM whose output starts as the bias. Its backward computes, each only when needed,
 * d input = dY × weight, d weight = dYᵀ × input and d bias = the column sums of dY.
 * The result has @input's shape with the last dimension replaced by out.
 *
 * Returns: (transfer full): the output, or %NULL with %FIT_ERROR_SHAPE when the shapes
 *   do not fit or the output's non-zero sizes would multiply to 2^60 or more
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_linear (FitTensor  *input,
                   FitTensor  *weight,
                   FitTensor  *bias,
                   GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  gint64 rows, n_in, n_out;
  FitTensor *out;
  FitTensor *inputs[3] = { input, weight, bias };

  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || FIT_IS_TENSOR (bias), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!linear_check (input, weight, bias, error))
    return NULL;

  n_out = weight->shape[0];
  n_in = weight->shape[1];
  rows = fit_shape_numel (input->shape, input->n_dims - 1);
  memcpy (shape, input->shape, input->n_dims * sizeof (gint64));
  shape[input->n_dims - 1] = n_out;
  if (!fit_shape_check_result ("linear", shape, input->n_dims, error))
    return NULL;
  out = fit_tensor_new_empty (input->dtype, shape, input->n_dims);

  if (bias != NULL)
    {
      gsize row_bytes = n_out * fit_dtype_get_size (input->dtype);
      guint8 *y = fit_tensor_ptr (out);

      for (gint64 r = 0; r < rows; r++)
        memcpy (y + r * row_bytes, fit_tensor_ptr (bias), row_bytes);
    }
  fit_gemm (input->dtype, FALSE, TRUE, rows, n_out, n_in, fit_tensor_ptr (input), n_in,
            fit_tensor_ptr (weight), n_in, bias != NULL ? 1.0 : 0.0, fit_tensor_ptr (out));

  fit_autograd_record (out, "linear", linear_backward, 3, inputs);
  return out;
}
