/* fit-tensor-pointwise.c: element-wise arithmetic with NumPy broadcasting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One engine runs every element-wise kernel. It lines each operand up against the
 * output's shape (stride 0 where the operand is broadcast), drops dimensions of size 1
 * and merges neighbouring dimensions that are contiguous for every operand. The common
 * cases then need no index arithmetic at all: operands of the same shape, or with a
 * scalar, become one flat row; a bias along the leading dimensions ([N, C] + [C])
 * becomes N rows of C. Tensors are C-contiguous, so after merging the innermost
 * dimension has stride 0 or 1 for every operand, and each kernel is a macro-stamped
 * tight loop per stride pattern that the compiler can vectorise. Rows, or blocks of a
 * row when there are few rows, are split between OpenMP threads.
 *
 * Gradients of broadcast operands are summed back to the operand's shape by a
 * reduction over the same engine, in double precision and fused with the product that
 * mul's backward needs, so that the gradient of a broadcast factor costs no temporary
 * of the output's size.
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <omp.h>
#include <string.h>

#include "fit-tensor-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

/* glibc's vector math library (libmvec, linked through libm): declaring the SIMD
 * variants of these functions lets the `omp simd` loops below call them on 4 to 16
 * elements at a time instead of once per element. glibc's <math.h> declares them only
 * under -ffast-math, whose other effects on NaN and signed zeros we do not want. */
#if defined (__x86_64__) && defined (__GLIBC__) && defined (__GLIBC_PREREQ) && \
    !defined (__clang__)
# if __GLIBC_PREREQ (2, 35)
#  define FIT_VECTOR_MATH __attribute__ ((__simd__ ("notinbranch")))
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wredundant-decls"
FIT_VECTOR_MATH extern float expf (float);
FIT_VECTOR_MATH extern double exp (double);
FIT_VECTOR_MATH extern float logf (float);
FIT_VECTOR_MATH extern double log (double);
FIT_VECTOR_MATH extern float tanhf (float);
FIT_VECTOR_MATH extern double tanh (double);
FIT_VECTOR_MATH extern float erff (float);
FIT_VECTOR_MATH extern double erfc (double);
FIT_VECTOR_MATH extern float powf (float, float);
FIT_VECTOR_MATH extern double pow (double, double);
#  pragma GCC diagnostic pop
# endif
#endif

#define MAX_OPERANDS 4

/* ---- the iteration engine ---- */

typedef struct
{
  const gint64 *shape;
  guint         n_dims;
} PwShape;

#define PW_SHAPE(t) ((PwShape) { (t)->shape, (t)->n_dims })

typedef struct
{
  guint   n_in;
  guint   nd;                                   /* merged dimensions, at least 1 */
  gint64  shape[FIT_MAX_DIMS];
  gint64  stride[MAX_OPERANDS][FIT_MAX_DIMS];   /* in elements; 0 where broadcast */
  gint64  numel;
  gint64  inner;                                /* shape[nd - 1] */
  gint64  block;                                /* elements of a row per work item */
  gint64  n_blocks;                             /* work items per row */
  gint64  n_items;
  int     n_threads;
} Iter;

typedef struct
{
  gpointer       out;
  gconstpointer  in[MAX_OPERANDS];
  double         p[2];
  /* reductions only: the gradient read in the output's index space, and one row of
   * acc_len partial sums per thread */
  gconstpointer  src;
  double        *acc;
  gint64         acc_len;
} KernelArgs;

typedef void (*RangeFunc) (const Iter       *it,
                           const KernelArgs *k,
                           gint64            begin,
                           gint64            end,
                           int               tid);

/* Fewer rows than this many per thread and rows are cut into blocks, so that a single
 * long row (same-shape operands) still keeps every thread busy. */
#define ITEMS_PER_THREAD 8
#define MIN_BLOCK 2048

static void
iter_split (Iter *it)
{
  gint64 rows = it->numel / it->inner;

  it->n_threads = 1;
  it->block = it->inner;
  it->n_blocks = 1;
  if (it->numel > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
    it->n_threads = fit_parallel_threads ();
  if (it->n_threads > 1 && rows < ITEMS_PER_THREAD * it->n_threads)
    {
      gint64 want = (ITEMS_PER_THREAD * it->n_threads + rows - 1) / rows;
      gint64 block = (it->inner + want - 1) / want;

      block = (MAX (block, MIN_BLOCK) + 15) & ~(gint64) 15;
      it->block = MIN (block, it->inner);
      it->n_blocks = (it->inner + it->block - 1) / it->block;
    }
  it->n_items = rows * it->n_blocks;
}

static void
iter_init (Iter          *it,
           const gint64  *out_shape,
           guint          out_nd,
           const PwShape *in,
           guint          n_in)
{
  gint64 st[MAX_OPERANDS][FIT_MAX_DIMS];
  guint nd = 0;

  memset (it, 0, sizeof *it);
  it->n_in = n_in;
  it->numel = fit_shape_numel (out_shape, out_nd);
  if (it->numel == 0)
    return;

  for (guint k = 0; k < n_in; k++)
    {
      guint lead = out_nd - in[k].n_dims;
      gint64 s = 1;

      for (int d = (int) out_nd - 1; d >= 0; d--)
        {
          gint64 size = d >= (int) lead ? in[k].shape[d - lead] : 1;

          st[k][d] = size == 1 ? 0 : s;
          s *= size;
        }
    }

  for (guint d = 0; d < out_nd; d++)
    {
      gboolean merge = nd > 0;

      if (out_shape[d] == 1)
        continue;
      for (guint k = 0; k < n_in && merge; k++)
        merge = it->stride[k][nd - 1] == st[k][d] * out_shape[d];
      if (merge)
        {
          it->shape[nd - 1] *= out_shape[d];
          for (guint k = 0; k < n_in; k++)
            it->stride[k][nd - 1] = st[k][d];
        }
      else
        {
          it->shape[nd] = out_shape[d];
          for (guint k = 0; k < n_in; k++)
            it->stride[k][nd] = st[k][d];
          nd++;
        }
    }
  if (nd == 0)
    {
      it->shape[0] = 1;
      nd = 1;
    }
  it->nd = nd;
  /* Unused operand slots mirror operand 0, so kernels may read them harmlessly. */
  for (guint k = n_in; k < MAX_OPERANDS; k++)
    memcpy (it->stride[k], it->stride[0], sizeof it->stride[0]);
  it->inner = it->shape[nd - 1];
  iter_split (it);
}

typedef struct
{
  gint64 item;
  gint64 end;
  gint64 row;
  gint64 blk;
  gint64 idx[FIT_MAX_DIMS];
  gint64 off[MAX_OPERANDS];
} Cursor;

static inline void
cursor_init (Cursor     *c,
             const Iter *it,
             gint64      begin,
             gint64      end)
{
  gint64 r;

  c->item = begin;
  c->end = end;
  c->row = begin / it->n_blocks;
  c->blk = begin % it->n_blocks;
  memset (c->off, 0, sizeof c->off);
  r = c->row;
  for (int d = (int) it->nd - 2; d >= 0; d--)
    {
      c->idx[d] = r % it->shape[d];
      r /= it->shape[d];
      for (guint k = 0; k < MAX_OPERANDS; k++)
        c->off[k] += c->idx[d] * it->stride[k][d];
    }
}

/* Yields the next stretch of the innermost dimension: where it starts in the output
 * (@out_pos) and in each operand (@pos), and its length. */
static inline gboolean
cursor_next (Cursor     *c,
             const Iter *it,
             gint64     *out_pos,
             gint64     *pos,
             gint64     *n)
{
  gint64 j0;

  if (c->item >= c->end)
    return FALSE;
  j0 = c->blk * it->block;
  *n = MIN (it->block, it->inner - j0);
  *out_pos = c->row * it->inner + j0;
  for (guint k = 0; k < MAX_OPERANDS; k++)
    pos[k] = c->off[k] + j0 * it->stride[k][it->nd - 1];
  c->item++;
  if (++c->blk == it->n_blocks && c->item < c->end)
    {
      c->blk = 0;
      c->row++;
      for (int d = (int) it->nd - 2; d >= 0; d--)
        {
          c->idx[d]++;
          for (guint k = 0; k < MAX_OPERANDS; k++)
            c->off[k] += it->stride[k][d];
          if (c->idx[d] < it->shape[d])
            break;
          for (guint k = 0; k < MAX_OPERANDS; k++)
            c->off[k] -= it->stride[k][d] * it->shape[d];
          c->idx[d] = 0;
        }
    }
  return TRUE;
}

static void
iter_run (const Iter       *it,
          RangeFunc         fn,
          const KernelArgs *k)
{
  if (it->n_items == 0)
    return;
  if (it->n_threads <= 1)
    {
      fn (it, k, 0, it->n_items, 0);
      return;
    }
#pragma omp parallel num_threads (it->n_threads)
  {
    gint64 t = omp_get_thread_num ();
    gint64 nth = omp_get_num_threads ();

    fn (it, k, it->n_items * t / nth, it->n_items * (t + 1) / nth, (int) t);
  }
}

/* ---- kernel stamps ---- */

/* Picks the float or double flavour of a <math.h> function. */
#define M32(fn) fn##f
#define M64(fn) fn
/* Integer kernels never call into <math.h>; this makes a slip a compile error. */
#define MINT(fn) fn##_has_no_integer_version

/* A constant of the type of @v (which may be const-qualified). */
#define CT(v, x) ((__typeof__ ((v) + 0)) (x))

/* Binary kernels: y = OP (a, b), with one loop per stride pattern of the inner
 * dimension. */
#define DEFINE_BINARY(name, T, OP)                                                  \
FIT_KERNEL static void                                                              \
name (const Iter       *it,                                                         \
      const KernelArgs *k,                                                          \
      gint64            begin,                                                      \
      gint64            end,                                                        \
      int               tid)                                                        \
{                                                                                   \
  T *out = k->out;                                                                  \
  const T *A = k->in[0];                                                            \
  const T *B = k->in[1];                                                            \
  const gint64 sa = it->stride[0][it->nd - 1];                                      \
  const gint64 sb = it->stride[1][it->nd - 1];                                      \
  gint64 o, pos[MAX_OPERANDS], n;                                                   \
  Cursor c;                                                                         \
                                                                                    \
  cursor_init (&c, it, begin, end);                                                 \
  while (cursor_next (&c, it, &o, pos, &n))                                         \
    {                                                                               \
      T *restrict y = out + o;                                                      \
      const T *restrict a = A + pos[0];                                             \
      const T *restrict b = B + pos[1];                                             \
                                                                                    \
      if (sa && sb)                                                                 \
        {                                                                           \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            y[i] = OP (a[i], b[i]);                                                 \
        }                                                                           \
      else if (sa)                                                                  \
        {                                                                           \
          const T bv = b[0];                                                        \
                                                                                    \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            y[i] = OP (a[i], bv);                                                   \
        }                                                                           \
      else if (sb)                                                                  \
        {                                                                           \
          const T av = a[0];                                                        \
                                                                                    \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            y[i] = OP (av, b[i]);                                                   \
        }                                                                           \
      else                                                                          \
        {                                                                           \
          const T v = OP (a[0], b[0]);                                              \
                                                                                    \
          for (gint64 i = 0; i < n; i++)                                            \
            y[i] = v;                                                               \
        }                                                                           \
    }                                                                               \
}

/* Kernels of up to four operands: y = EXPR (v0, v1, v2, v3, p0, p1, M), where vK is
 * operand K's element, p0 and p1 the scalar arguments in the element type and M the
 * <math.h> flavour. Unused operands read operand 0 again. */
#define DEFINE_NARY(name, T, M, EXPR)                                               \
FIT_KERNEL static void                                                              \
name (const Iter       *it,                                                         \
      const KernelArgs *k,                                                          \
      gint64            begin,                                                      \
      gint64            end,                                                        \
      int               tid)                                                        \
{                                                                                   \
  T *out = k->out;                                                                  \
  const T *I0 = k->in[0], *I1 = k->in[1], *I2 = k->in[2], *I3 = k->in[3];          \
  const T p0 = (T) k->p[0], p1 = (T) k->p[1];                                       \
  const gint64 s0 = it->stride[0][it->nd - 1], s1 = it->stride[1][it->nd - 1];      \
  const gint64 s2 = it->stride[2][it->nd - 1], s3 = it->stride[3][it->nd - 1];      \
  const gboolean contiguous = s0 && s1 && s2 && s3;                                 \
  gint64 o, pos[MAX_OPERANDS], n;                                                   \
  Cursor c;                                                                         \
                                                                                    \
  (void) p0;                                                                        \
  (void) p1;                                                                        \
  cursor_init (&c, it, begin, end);                                                 \
  while (cursor_next (&c, it, &o, pos, &n))                                         \
    {                                                                               \
      T *restrict y = out + o;                                                      \
      const T *x0 = I0 + pos[0], *x1 = I1 + pos[1];                                 \
      const T *x2 = I2 + pos[2], *x3 = I3 + pos[3];                                 \
                                                                                    \
      if (contiguous)                                                               \
        {                                                                           \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            {                                                                       \
              const T v0 = x0[i], v1 = x1[i], v2 = x2[i], v3 = x3[i];               \
                                                                                    \
              (void) v1;                                                            \
              (void) v2;                                                            \
              (void) v3;                                                            \
              y[i] = EXPR (v0, v1, v2, v3, p0, p1, M);                              \
            }                                                                       \
        }                                                                           \
      else                                                                          \
        {                                                                           \
          for (gint64 i = 0; i < n; i++)                                            \
            {                                                                       \
              const T v0 = x0[i * s0], v1 = x1[i * s1];                             \
              const T v2 = x2[i * s2], v3 = x3[i * s3];                             \
                                                                                    \
              (void) v1;                                                            \
              (void) v2;                                                            \
              (void) v3;                                                            \
              y[i] = EXPR (v0, v1, v2, v3, p0, p1, M);                              \
            }                                                                       \
        }                                                                           \
    }                                                                               \
}

#define STAMP_BINARY_F(name, OP32, OP64)                                            \
  DEFINE_BINARY (name##_f32, float, OP32)                                           \
  DEFINE_BINARY (name##_f64, double, OP64)
#define STAMP_BINARY_ALL(name, OPF, OPI)                                            \
  DEFINE_BINARY (name##_f32, float, OPF)                                            \
  DEFINE_BINARY (name##_f64, double, OPF)                                           \
  DEFINE_BINARY (name##_i32, gint32, OPI)                                           \
  DEFINE_BINARY (name##_i64, gint64, OPI)
#define STAMP_NARY_F(name, EXPR)                                                    \
  DEFINE_NARY (name##_f32, float, M32, EXPR)                                        \
  DEFINE_NARY (name##_f64, double, M64, EXPR)
#define STAMP_NARY_ALL(name, EXPRF, EXPRI)                                          \
  DEFINE_NARY (name##_f32, float, M32, EXPRF)                                       \
  DEFINE_NARY (name##_f64, double, M64, EXPRF)                                      \
  DEFINE_NARY (name##_i32, gint32, MINT, EXPRI)                                     \
  DEFINE_NARY (name##_i64, gint64, MINT, EXPRI)

/* Kernel tables are indexed by FitDType; NULL where the type is not supported. */
#define TABLE_F(name)   { name##_f32, name##_f64, NULL, NULL }
#define TABLE_ALL(name) { name##_f32, name##_f64, name##_i32, name##_i64 }

/* Φ(x), the standard normal distribution function, for GELU. In float64, the type of
 * gradient checks, erfc (-x/√2) keeps full relative precision in the negative tail,
 * where 1 + erf (x/√2) cancels. In float32 the erf form is what PyTorch computes, and
 * libmvec's erff is half again as fast as its erfcf; the cancellation costs at most
 * ~1e-7 in absolute terms, where GELU's value is itself within 1e-6 of 0. */
static inline float
normal_cdff (float x)
{
  return 0.5f * (1 + erff (x * (float) M_SQRT1_2));
}

static inline double
normal_cdf (double x)
{
  return 0.5 * erfc (x * -M_SQRT1_2);
}

/* ---- binary operations ---- */

/* Integer arithmetic wraps around, as in PyTorch, instead of overflowing (undefined). */
#define OP_ADD(x, y)   ((x) + (y))
#define OP_SUB(x, y)   ((x) - (y))
#define OP_MUL(x, y)   ((x) * (y))
#define OP_DIV(x, y)   ((x) / (y))
#define OP_ADDI(x, y)  ((__typeof__ ((x) + 0)) ((guint64) (x) + (guint64) (y)))
#define OP_SUBI(x, y)  ((__typeof__ ((x) + 0)) ((guint64) (x) - (guint64) (y)))
#define OP_MULI(x, y)  ((__typeof__ ((x) + 0)) ((guint64) (x) * (guint64) (y)))
#define OP_POW32(x, y) powf ((x), (y))
#define OP_POW64(x, y) pow ((x), (y))
/* NaN in either operand gives NaN, as torch.maximum does. Both comparisons are always
 * made (| rather than a nested ?:) so that the loop can be vectorised without
 * speculating a comparison, which -ftrapping-math forbids. */
#define OP_MAXF(x, y)  ((((x) > (y)) | ((x) != (x))) ? (x) : (y))
#define OP_MINF(x, y)  ((((x) < (y)) | ((x) != (x))) ? (x) : (y))
#define OP_MAXI(x, y)  ((x) > (y) ? (x) : (y))
#define OP_MINI(x, y)  ((x) < (y) ? (x) : (y))
#define OP_GT(x, y)    ((x) > (y))
#define OP_LT(x, y)    ((x) < (y))
#define OP_EQ(x, y)    ((x) == (y))

STAMP_BINARY_ALL (k_add, OP_ADD, OP_ADDI)
STAMP_BINARY_ALL (k_sub, OP_SUB, OP_SUBI)
STAMP_BINARY_ALL (k_mul, OP_MUL, OP_MULI)
STAMP_BINARY_F (k_div, OP_DIV, OP_DIV)
STAMP_BINARY_F (k_pow, OP_POW32, OP_POW64)
STAMP_BINARY_ALL (k_maximum, OP_MAXF, OP_MAXI)
STAMP_BINARY_ALL (k_minimum, OP_MINF, OP_MINI)
STAMP_BINARY_ALL (k_gt, OP_GT, OP_GT)
STAMP_BINARY_ALL (k_lt, OP_LT, OP_LT)
STAMP_BINARY_ALL (k_eq, OP_EQ, OP_EQ)

/* ---- unary, scalar and n-ary expressions ---- */

#define E_NEG(v0, v1, v2, v3, p0, p1, M)      (-(v0))
/* Integers negate through unsigned arithmetic, so that the most negative value wraps
 * to itself (as in PyTorch) instead of overflowing. */
#define E_NEGI(v0, v1, v2, v3, p0, p1, M)     ((__typeof__ ((v0) + 0)) (0 - (guint64) (v0)))
#define E_ABSF(v0, v1, v2, v3, p0, p1, M)     M(fabs) (v0)
#define E_ABSI(v0, v1, v2, v3, p0, p1, M)     \
  ((v0) < 0 ? E_NEGI (v0, v1, v2, v3, p0, p1, M) : (v0))
#define E_EXP(v0, v1, v2, v3, p0, p1, M)      M(exp) (v0)
#define E_LOG(v0, v1, v2, v3, p0, p1, M)      M(log) (v0)
#define E_SQRT(v0, v1, v2, v3, p0, p1, M)     M(sqrt) (v0)
#define E_TANH(v0, v1, v2, v3, p0, p1, M)     M(tanh) (v0)
#define E_RELU(v0, v1, v2, v3, p0, p1, M)     ((v0) < 0 ? 0 : (v0))
#define E_LEAKY(v0, v1, v2, v3, p0, p1, M)    ((v0) > 0 ? (v0) : (v0) * (p0))
#define E_CLAMP(v0, v1, v2, v3, p0, p1, M)    \
  ({ __typeof__ ((v0) + 0) c_ = (v0) < (p0) ? (p0) : (v0); c_ > (p1) ? (p1) : c_; })
#define E_GELU(v0, v1, v2, v3, p0, p1, M)     ((v0) * M(normal_cdf) (v0))
/* Stable as it stands: for very negative x, e^-x overflows to infinity and the result
 * is 0, never NaN, and short of that e^-x keeps its relative precision, so both tails
 * do. (It is also a select-free loop, which vectorises; see below.) */
#define E_SIGMOID(v0, v1, v2, v3, p0, p1, M)  (1 / (1 + M(exp) (-(v0))))
#define E_ADD_S(v0, v1, v2, v3, p0, p1, M)    ((v0) + (p0))
#define E_MUL_S(v0, v1, v2, v3, p0, p1, M)    ((v0) * (p0))
#define E_POW_S(v0, v1, v2, v3, p0, p1, M)    M(pow) ((v0), (p0))
#define E_SQUARE(v0, v1, v2, v3, p0, p1, M)   ((v0) * (v0))
#define E_CUBE(v0, v1, v2, v3, p0, p1, M)     ((v0) * (v0) * (v0))
#define E_RECIP(v0, v1, v2, v3, p0, p1, M)    (1 / (v0))
#define E_RSQRT(v0, v1, v2, v3, p0, p1, M)    (1 / M(sqrt) (v0))
#define E_ONE(v0, v1, v2, v3, p0, p1, M)      CT (v0, 1)
#define E_COPY(v0, v1, v2, v3, p0, p1, M)     (v0)

/* Backward expressions: v0 is the output's gradient, v1 the saved input or output. */
#define E_MUL2(v0, v1, v2, v3, p0, p1, M)     ((v0) * (v1))
#define E_DIV2(v0, v1, v2, v3, p0, p1, M)     ((v0) / (v1))
#define E_SQRT_B(v0, v1, v2, v3, p0, p1, M)   ((v0) / (2 * (v1)))
#define E_ABS_B(v0, v1, v2, v3, p0, p1, M)    ((v1) > 0 ? (v0) : (v1) < 0 ? -(v0) : 0)
#define E_RELU_B(v0, v1, v2, v3, p0, p1, M)   ((v1) <= 0 ? 0 : (v0))
#define E_LEAKY_B(v0, v1, v2, v3, p0, p1, M)  ((v1) > 0 ? (v0) : (v0) * (p0))
#define E_CLAMP_B(v0, v1, v2, v3, p0, p1, M)  ((v1) >= (p0) && (v1) <= (p1) ? (v0) : 0)
#define E_SIGMOID_B(v0, v1, v2, v3, p0, p1, M) ((v0) * (1 - (v1)) * (v1))
#define E_TANH_B(v0, v1, v2, v3, p0, p1, M)   ((v0) * (1 - (v1) * (v1)))
#define E_GELU_B(v0, v1, v2, v3, p0, p1, M)                                         \
  ({                                                                                \
    const __typeof__ ((v1) + 0) pdf_ =                                              \
      CT (v1, M_2_SQRTPI * M_SQRT1_2 * 0.5) * M(exp) ((v1) * (v1) * CT (v1, -0.5)); \
    (v0) * (M(normal_cdf) (v1) + (v1) * pdf_);                                      \
  })
/* p0 is the exponent and p1 the exponent minus one. */
#define E_POW_S_B(v0, v1, v2, v3, p0, p1, M)  ((v0) * ((p0) * M(pow) ((v1), (p1))))
#define E_SQUARE_B(v0, v1, v2, v3, p0, p1, M) ((v0) * (2 * (v1)))

/* Backward of binary operations: v0 = gradient, v1 = a, v2 = b, v3 = the output. */
#define E_DIV_B_B(v0, v1, v2, v3, p0, p1, M)  (-(v0) * (((v1) / (v2)) / (v2)))
/* These keep a call in one arm of ?:, which GCC does not vectorise (it will not
 * speculate floating-point work under -ftrapping-math); they are rare. */
#define E_POW_B_A(v0, v1, v2, v3, p0, p1, M)                                        \
  ((v2) == 0 ? 0 : (v0) * ((v2) * M(pow) ((v1), (v2) - 1)))
#define E_POW_B_B(v0, v1, v2, v3, p0, p1, M)                                        \
  ((v1) == 0 && (v2) >= 0 ? 0 : (v0) * ((v3) * M(log) (v1)))
/* Ties split the gradient in halves, as PyTorch does. */
#define E_MAX_B_A(v0, v1, v2, v3, p0, p1, M)  ((v1) < (v2) ? 0 : (v1) == (v2) ? (v0) / 2 : (v0))
#define E_MAX_B_B(v0, v1, v2, v3, p0, p1, M)  ((v1) > (v2) ? 0 : (v1) == (v2) ? (v0) / 2 : (v0))

/* Selections: v0 is the mask (nonzero is true). */
#define E_WHERE(v0, v1, v2, v3, p0, p1, M)    ((v0) != 0 ? (v1) : (v2))
#define E_KEEP(v0, v1, v2, v3, p0, p1, M)     ((v0) != 0 ? (v1) : 0)
#define E_DROP(v0, v1, v2, v3, p0, p1, M)     ((v0) != 0 ? 0 : (v1))
/* masked_fill: v0 is the tensor, v1 the mask, p0 the value. */
#define E_FILL(v0, v1, v2, v3, p0, p1, M)     ((v1) != 0 ? (p0) : (v0))

STAMP_NARY_ALL (k_neg, E_NEG, E_NEGI)
STAMP_NARY_ALL (k_abs, E_ABSF, E_ABSI)
STAMP_NARY_F (k_exp, E_EXP)
STAMP_NARY_F (k_log, E_LOG)
STAMP_NARY_F (k_sqrt, E_SQRT)
STAMP_NARY_F (k_tanh, E_TANH)
STAMP_NARY_ALL (k_relu, E_RELU, E_RELU)
STAMP_NARY_F (k_leaky, E_LEAKY)
STAMP_NARY_F (k_clamp, E_CLAMP)
STAMP_NARY_F (k_gelu, E_GELU)
STAMP_NARY_F (k_sigmoid, E_SIGMOID)
STAMP_NARY_F (k_add_s, E_ADD_S)
STAMP_NARY_F (k_mul_s, E_MUL_S)
STAMP_NARY_F (k_pow_s, E_POW_S)
STAMP_NARY_F (k_square, E_SQUARE)
STAMP_NARY_F (k_cube, E_CUBE)
STAMP_NARY_F (k_recip, E_RECIP)
STAMP_NARY_F (k_rsqrt, E_RSQRT)
STAMP_NARY_F (k_one, E_ONE)
STAMP_NARY_F (k_copy, E_COPY)

STAMP_NARY_F (k_mul2, E_MUL2)
STAMP_NARY_F (k_div2, E_DIV2)
STAMP_NARY_F (k_sqrt_b, E_SQRT_B)
STAMP_NARY_F (k_abs_b, E_ABS_B)
STAMP_NARY_F (k_relu_b, E_RELU_B)
STAMP_NARY_F (k_leaky_b, E_LEAKY_B)
STAMP_NARY_F (k_clamp_b, E_CLAMP_B)
STAMP_NARY_F (k_sigmoid_b, E_SIGMOID_B)
STAMP_NARY_F (k_tanh_b, E_TANH_B)
STAMP_NARY_F (k_gelu_b, E_GELU_B)
STAMP_NARY_F (k_pow_s_b, E_POW_S_B)
STAMP_NARY_F (k_square_b, E_SQUARE_B)

STAMP_NARY_F (k_div_b_b, E_DIV_B_B)
STAMP_NARY_F (k_pow_b_a, E_POW_B_A)
STAMP_NARY_F (k_pow_b_b, E_POW_B_B)
STAMP_NARY_F (k_max_b_a, E_MAX_B_A)
STAMP_NARY_F (k_max_b_b, E_MAX_B_B)

STAMP_NARY_ALL (k_where, E_WHERE, E_WHERE)
STAMP_NARY_F (k_keep, E_KEEP)
STAMP_NARY_F (k_drop, E_DROP)
STAMP_NARY_ALL (k_fill, E_FILL, E_FILL)

/* Runs a kernel from @table over @n_in operands of @dtype broadcast to @shape. */
static FitTensor *
run_kernel (const RangeFunc *table,
            FitDType         dtype,
            const gint64    *shape,
            guint            n_dims,
            FitTensor      **in,
            guint            n_in,
            double           p0,
            double           p1)
{
  FitTensor *out = fit_tensor_new_empty (dtype, shape, n_dims);
  PwShape shapes[MAX_OPERANDS];
  KernelArgs k = { 0 };
  Iter it;

  g_assert (n_in >= 1 && n_in <= MAX_OPERANDS && table[dtype] != NULL);

  for (guint i = 0; i < MAX_OPERANDS; i++)
    {
      FitTensor *t = in[i < n_in ? i : 0];

      g_assert (t->dtype == dtype);
      shapes[i] = PW_SHAPE (t);
      k.in[i] = fit_tensor_ptr (t);
    }
  k.out = fit_tensor_ptr (out);
  k.p[0] = p0;
  k.p[1] = p1;
  iter_init (&it, shape, n_dims, shapes, n_in);
  iter_run (&it, table[dtype], &k);
  return out;
}

/* ---- reductions of broadcast gradients ---- */

/* Sums g (or g × m) over the output's index space into the partial sums of operand 0,
 * the target shape. Operand 1 is the optional factor m. */
#define DEFINE_REDUCE(name, T)                                                      \
FIT_KERNEL static void                                                              \
name (const Iter       *it,                                                         \
      const KernelArgs *k,                                                          \
      gint64            begin,                                                      \
      gint64            end,                                                        \
      int               tid)                                                        \
{                                                                                   \
  double *acc = k->acc + tid * k->acc_len;                                          \
  const T *G = k->src;                                                              \
  const T *Mul = k->in[1];                                                          \
  const gint64 st = it->stride[0][it->nd - 1];                                      \
  const gint64 sm = it->stride[1][it->nd - 1];                                      \
  gint64 o, pos[MAX_OPERANDS], n;                                                   \
  Cursor c;                                                                         \
                                                                                    \
  cursor_init (&c, it, begin, end);                                                 \
  while (cursor_next (&c, it, &o, pos, &n))                                         \
    {                                                                               \
      const T *restrict g = G + o;                                                  \
      double *restrict a = acc + pos[0];                                            \
      const T *restrict m = Mul != NULL ? Mul + pos[1] : NULL;                      \
                                                                                    \
      if (st && m == NULL)                                                          \
        {                                                                           \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            a[i] += g[i];                                                           \
        }                                                                           \
      else if (st && sm)                                                            \
        {                                                                           \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            a[i] += (double) (g[i] * m[i]);                                         \
        }                                                                           \
      else if (st)                                                                  \
        {                                                                           \
          const T mv = m[0];                                                        \
                                                                                    \
          _Pragma ("omp simd")                                                      \
          for (gint64 i = 0; i < n; i++)                                            \
            a[i] += (double) (g[i] * mv);                                           \
        }                                                                           \
      else                                                                          \
        {                                                                           \
          double s = 0;                                                             \
                                                                                    \
          if (m == NULL)                                                            \
            {                                                                       \
              _Pragma ("omp simd reduction (+:s)")                                  \
              for (gint64 i = 0; i < n; i++)                                        \
                s += g[i];                                                          \
            }                                                                       \
          else if (sm)                                                              \
            {                                                                       \
              _Pragma ("omp simd reduction (+:s)")                                  \
              for (gint64 i = 0; i < n; i++)                                        \
                s += (double) (g[i] * m[i]);                                        \
            }                                                                       \
          else                                                                      \
            {                                                                       \
              const T mv = m[0];                                                    \
                                                                                    \
              _Pragma ("omp simd reduction (+:s)")                                  \
              for (gint64 i = 0; i < n; i++)                                        \
                s += (double) (g[i] * mv);                                          \
            }                                                                       \
          a[0] += s;                                                                \
        }                                                                           \
    }                                                                               \
}

DEFINE_REDUCE (k_reduce_f32, float)
DEFINE_REDUCE (k_reduce_f64, double)

static const RangeFunc reduce_kernels[4] = TABLE_F (k_reduce);
static const RangeFunc mul_kernels[4] = TABLE_ALL (k_mul);
static const RangeFunc neg_kernels[4] = TABLE_ALL (k_neg);
static const RangeFunc mul_s_kernels[4] = TABLE_F (k_mul_s);

/* The gradient of an operand of shape @shape that was broadcast to @g's shape:
 * alpha × g (times @m, broadcast likewise, when given) summed over the broadcast
 * dimensions. Returns a new reference, possibly to @g itself. */
static FitTensor *
reduce_to_shape (FitTensor    *g,
                 FitTensor    *m,
                 double        alpha,
                 const gint64 *shape,
                 guint         n_dims)
{
  PwShape shapes[2] = { { shape, n_dims }, { NULL, 0 } };
  KernelArgs k = { 0 };
  FitTensor *out;
  gint64 len;
  Iter it;

  g_assert (m == NULL || alpha == 1.0);

  if (fit_shape_equal (g->shape, g->n_dims, shape, n_dims))
    {
      FitTensor *in[2] = { g, m };

      if (m != NULL)
        return run_kernel (mul_kernels, g->dtype, g->shape, g->n_dims, in, 2, 0, 0);
      if (alpha == 1.0)
        return g_object_ref (g);
      if (alpha == -1.0)
        return run_kernel (neg_kernels, g->dtype, g->shape, g->n_dims, in, 1, 0, 0);
      return run_kernel (mul_s_kernels, g->dtype, g->shape, g->n_dims, in, 1, alpha, 0);
    }

  out = fit_tensor_new_empty (g->dtype, shape, n_dims);
  len = out->numel;
  if (len == 0)
    return out;
  if (m != NULL)
    shapes[1] = PW_SHAPE (m);
  iter_init (&it, g->shape, g->n_dims, shapes, m != NULL ? 2 : 1);
  k.src = fit_tensor_ptr (g);
  k.in[1] = m != NULL ? fit_tensor_ptr (m) : NULL;
  k.acc_len = len;
  k.acc = g_new0 (double, len * MAX (it.n_threads, 1));
  iter_run (&it, reduce_kernels[g->dtype], &k);

  for (int t = 1; t < it.n_threads; t++)
    for (gint64 j = 0; j < len; j++)
      k.acc[j] += k.acc[t * len + j];
  if (g->dtype == FIT_DTYPE_FLOAT32)
    {
      float *y = fit_tensor_f32 (out);

      for (gint64 j = 0; j < len; j++)
        y[j] = (float) (alpha * k.acc[j]);
    }
  else
    {
      double *y = fit_tensor_f64 (out);

      for (gint64 j = 0; j < len; j++)
        y[j] = alpha * k.acc[j];
    }
  g_free (k.acc);
  return out;
}

/* A tensor to keep in a node for the backward without keeping its graph (saving the
 * output itself would make a reference cycle through its grad_fn). */
static void
save_detached (FitNode   *node,
               guint      slot,
               FitTensor *t)
{
  g_autoptr(FitTensor) view = fit_tensor_detach (t);

  fit_node_save (node, slot, view);
}

/* ---- binary operations: front end ---- */

typedef enum
{
  OP_ADD_,
  OP_SUB_,
  OP_MUL_,
  OP_DIV_,
  OP_POW_,
  OP_MAXIMUM_,
  OP_MINIMUM_,
  OP_GT_,
  OP_LT_,
  OP_EQ_,
  N_BINARY_OPS
} BinaryOp;

typedef struct
{
  const char      *func;        /* the public function, for messages */
  const char      *grad_name;   /* the autograd node's name */
  FitBackwardFunc  backward;    /* NULL: not differentiable */
  gboolean         save_output;
  RangeFunc        kernels[4];
} BinaryDef;

static gboolean add_backward     (FitNode *, FitTensor *, FitTensor **, GError **);
static gboolean sub_backward     (FitNode *, FitTensor *, FitTensor **, GError **);
static gboolean mul_backward     (FitNode *, FitTensor *, FitTensor **, GError **);
static gboolean div_backward     (FitNode *, FitTensor *, FitTensor **, GError **);
static gboolean pow_backward     (FitNode *, FitTensor *, FitTensor **, GError **);
static gboolean maximum_backward (FitNode *, FitTensor *, FitTensor **, GError **);
static gboolean minimum_backward (FitNode *, FitTensor *, FitTensor **, GError **);

static const BinaryDef binary_defs[N_BINARY_OPS] = {
  [OP_ADD_] = { "fit_tensor_add", "add", add_backward, FALSE, TABLE_ALL (k_add) },
  [OP_SUB_] = { "fit_tensor_sub", "sub", sub_backward, FALSE, TABLE_ALL (k_sub) },
  [OP_MUL_] = { "fit_tensor_mul", "mul", mul_backward, FALSE, TABLE_ALL (k_mul) },
  [OP_DIV_] = { "fit_tensor_div", "div", div_backward, FALSE, TABLE_F (k_div) },
  [OP_POW_] = { "fit_tensor_pow", "pow", pow_backward, TRUE, TABLE_F (k_pow) },
  [OP_MAXIMUM_] = { "fit_tensor_maximum", "maximum", maximum_backward, FALSE,
                    TABLE_ALL (k_maximum) },
  [OP_MINIMUM_] = { "fit_tensor_minimum", "minimum", minimum_backward, FALSE,
                    TABLE_ALL (k_minimum) },
  [OP_GT_] = { "fit_tensor_gt", NULL, NULL, FALSE, TABLE_ALL (k_gt) },
  [OP_LT_] = { "fit_tensor_lt", NULL, NULL, FALSE, TABLE_ALL (k_lt) },
  [OP_EQ_] = { "fit_tensor_eq", NULL, NULL, FALSE, TABLE_ALL (k_eq) },
};

static FitTensor *
binary (BinaryOp    op,
        FitTensor  *a,
        FitTensor  *b,
        GError    **error)
{
  const BinaryDef *def = &binary_defs[op];
  gint64 shape[FIT_MAX_DIMS];
  guint n_dims;
  FitTensor *in[2] = { a, b };
  FitTensor *out;
  FitNode *node;

  if (!fit_check_cpu (def->func, a, error) || !fit_check_cpu (def->func, b, error) ||
      !fit_check_same_dtype (def->func, a, b, error))
    return NULL;
  if (def->kernels[a->dtype] == NULL && !fit_check_floating (def->func, a, error))
    return NULL;
  if (!fit_broadcast_shapes (def->func, a, b, shape, &n_dims, error))
    return NULL;

  out = run_kernel (def->kernels, a->dtype, shape, n_dims, in, 2, 0, 0);
  if (def->backward == NULL)
    return out;
  node = fit_autograd_record (out, def->grad_name, def->backward, 2, in);
  if (node != NULL && def->save_output)
    save_detached (node, 0, out);
  return out;
}

static gboolean
add_backward (FitNode    *node,
              FitTensor  *grad_output,
              FitTensor **grad_inputs,
              GError    **error)
{
  for (guint i = 0; i < 2; i++)
    if (fit_node_needs_grad (node, i))
      grad_inputs[i] = reduce_to_shape (grad_output, NULL, 1.0, node->inputs[i]->shape,
                                        node->inputs[i]->n_dims);
  return TRUE;
}

static gboolean
sub_backward (FitNode    *node,
              FitTensor  *grad_output,
              FitTensor **grad_inputs,
              GError    **error)
{
  for (guint i = 0; i < 2; i++)
    if (fit_node_needs_grad (node, i))
      grad_inputs[i] = reduce_to_shape (grad_output, NULL, i == 0 ? 1.0 : -1.0,
                                        node->inputs[i]->shape, node->inputs[i]->n_dims);
  return TRUE;
}

static gboolean
mul_backward (FitNode    *node,
              FitTensor  *grad_output,
              FitTensor **grad_inputs,
              GError    **error)
{
  for (guint i = 0; i < 2; i++)
    if (fit_node_needs_grad (node, i))
      grad_inputs[i] = reduce_to_shape (grad_output, node->inputs[1 - i], 1.0,
                                        node->inputs[i]->shape, node->inputs[i]->n_dims);
  return TRUE;
}

/* Computes an output-shaped gradient with @table over (grad, a, b[, out]) and sums it
 * to input @i's shape. */
static FitTensor *
binary_grad (FitNode         *node,
             FitTensor       *grad_output,
             const RangeFunc *table,
             guint            i)
{
  FitTensor *in[4] = { grad_output, node->inputs[0], node->inputs[1], node->saved[0] };
  g_autoptr(FitTensor) full = NULL;

  full = run_kernel (table, grad_output->dtype, grad_output->shape, grad_output->n_dims,
                     in, node->saved[0] != NULL ? 4 : 3, 0, 0);
  return reduce_to_shape (full, NULL, 1.0, node->inputs[i]->shape, node->inputs[i]->n_dims);
}

static gboolean
div_backward (FitNode    *node,
              FitTensor  *grad_output,
              FitTensor **grad_inputs,
              GError    **error)
{
  static const RangeFunc div_b_b[4] = TABLE_F (k_div_b_b);

  if (fit_node_needs_grad (node, 0))
    {
      FitTensor *in[2] = { grad_output, node->inputs[1] };
      g_autoptr(FitTensor) full = NULL;

      full = run_kernel (binary_defs[OP_DIV_].kernels, grad_output->dtype,
                         grad_output->shape, grad_output->n_dims, in, 2, 0, 0);
      grad_inputs[0] = reduce_to_shape (full, NULL, 1.0, node->inputs[0]->shape,
                                        node->inputs[0]->n_dims);
    }
  if (fit_node_needs_grad (node, 1))
    grad_inputs[1] = binary_grad (node, grad_output, div_b_b, 1);
  return TRUE;
}

static gboolean
pow_backward (FitNode    *node,
              FitTensor  *grad_output,
              FitTensor **grad_inputs,
              GError    **error)
{
  static const RangeFunc pow_b_a[4] = TABLE_F (k_pow_b_a);
  static const RangeFunc pow_b_b[4] = TABLE_F (k_pow_b_b);

  if (fit_node_needs_grad (node, 0))
    grad_inputs[0] = binary_grad (node, grad_output, pow_b_a, 0);
  if (fit_node_needs_grad (node, 1))
    grad_inputs[1] = binary_grad (node, grad_output, pow_b_b, 1);
  return TRUE;
}

static gboolean
extremum_backward (FitNode    *node,
                   FitTensor  *grad_output,
                   FitTensor **grad_inputs,
                   gboolean    maximum)
{
  static const RangeFunc max_b_a[4] = TABLE_F (k_max_b_a);
  static const RangeFunc max_b_b[4] = TABLE_F (k_max_b_b);

  /* minimum's gradient for a is maximum's for b, and the other way round. */
  if (fit_node_needs_grad (node, 0))
    grad_inputs[0] = binary_grad (node, grad_output, maximum ? max_b_a : max_b_b, 0);
  if (fit_node_needs_grad (node, 1))
    grad_inputs[1] = binary_grad (node, grad_output, maximum ? max_b_b : max_b_a, 1);
  return TRUE;
}

static gboolean
maximum_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  return extremum_backward (node, grad_output, grad_inputs, TRUE);
}

static gboolean
minimum_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  return extremum_backward (node, grad_output, grad_inputs, FALSE);
}

#define CHECK_BINARY_ARGS(a, b, error)                                              \
  G_STMT_START {                                                                    \
    g_return_val_if_fail (FIT_IS_TENSOR (a), NULL);                                 \
    g_return_val_if_fail (FIT_IS_TENSOR (b), NULL);                                 \
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);                   \
  } G_STMT_END

/**
 * fit_tensor_add:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * Adds two tensors element by element, broadcasting their shapes as NumPy does: shapes
 * are aligned on the right, and a dimension of size 1 (or a missing leading one)
 * stretches to match the other operand, so `[N, C] + [C]` adds a bias to every row.
 *
 * Works on every element type; integers wrap around on overflow. Differentiable in
 * both operands for floating-point types.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with
 *   %FIT_ERROR_SHAPE when the shapes cannot be broadcast together (or only to a shape
 *   whose non-zero sizes multiply to 2^60 or more, as empty operands can),
 *   %FIT_ERROR_DTYPE when the element types differ or %FIT_ERROR_DEVICE for a tensor
 *   not on the CPU
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_add (FitTensor  *a,
                FitTensor  *b,
                GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_ADD_, a, b, error);
}

/**
 * fit_tensor_sub:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * Subtracts @b from @a element by element, with broadcasting as in
 * [method@Fit.Tensor.add]. Works on every element type; differentiable in both
 * operands for floating-point types.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_sub (FitTensor  *a,
                FitTensor  *b,
                GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_SUB_, a, b, error);
}

/**
 * fit_tensor_mul:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * Multiplies two tensors element by element (the Hadamard product), with broadcasting
 * as in [method@Fit.Tensor.add]. Works on every element type; differentiable in both
 * operands for floating-point types.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_mul (FitTensor  *a,
                FitTensor  *b,
                GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_MUL_, a, b, error);
}

/**
 * fit_tensor_div:
 * @a: a floating-point tensor, the dividend
 * @b: a tensor of the same element type, broadcastable with @a, the divisor
 * @error: return location for a #GError
 *
 * Divides @a by @b element by element, with broadcasting as in
 * [method@Fit.Tensor.add]. Division by zero gives infinities or NaN, as IEEE
 * arithmetic does. Differentiable in both operands.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add], or %FIT_ERROR_DTYPE for integer tensors
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_div (FitTensor  *a,
                FitTensor  *b,
                GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_DIV_, a, b, error);
}

/**
 * fit_tensor_pow:
 * @a: a floating-point tensor, the base
 * @b: a tensor of the same element type, broadcastable with @a, the exponent
 * @error: return location for a #GError
 *
 * Raises @a to the power @b element by element, with broadcasting as in
 * [method@Fit.Tensor.add]. Differentiable in both operands; as in PyTorch, the
 * gradient for the base is 0 where the exponent is 0, and the gradient for the
 * exponent is 0 where the base is 0 and the exponent is not negative.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add], or %FIT_ERROR_DTYPE for integer tensors
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_pow (FitTensor  *a,
                FitTensor  *b,
                GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_POW_, a, b, error);
}

/**
 * fit_tensor_maximum:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * The larger of @a and @b, element by element, with broadcasting as in
 * [method@Fit.Tensor.add]. A NaN in either operand gives NaN. Differentiable in
 * both operands: the gradient goes to the larger one, and where the two are equal
 * each gets half of it, as in PyTorch.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_maximum (FitTensor  *a,
                    FitTensor  *b,
                    GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_MAXIMUM_, a, b, error);
}

/**
 * fit_tensor_minimum:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * The smaller of @a and @b, element by element; otherwise as
 * [method@Fit.Tensor.maximum].
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_minimum (FitTensor  *a,
                    FitTensor  *b,
                    GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_MINIMUM_, a, b, error);
}

/**
 * fit_tensor_gt:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * Compares @a > @b element by element, with broadcasting as in
 * [method@Fit.Tensor.add]. The result holds 1 where the comparison holds and 0
 * elsewhere, in the operands' element type, so that it can scale or mask other
 * tensors directly. Comparisons with NaN are false. Not differentiable: the result
 * never requires a gradient.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with @error
 *   set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_gt (FitTensor  *a,
               FitTensor  *b,
               GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_GT_, a, b, error);
}

/**
 * fit_tensor_lt:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * Compares @a < @b element by element; otherwise as [method@Fit.Tensor.gt].
 *
 * Returns: (transfer full): a new tensor of the broadcast shape holding 0 and 1, or
 *   %NULL with @error set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_lt (FitTensor  *a,
               FitTensor  *b,
               GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_LT_, a, b, error);
}

/**
 * fit_tensor_eq:
 * @a: a tensor
 * @b: a tensor of the same element type, broadcastable with @a
 * @error: return location for a #GError
 *
 * Compares @a == @b element by element (exactly; NaN equals nothing); otherwise as
 * [method@Fit.Tensor.gt]. Comparing predicted and true labels this way and taking
 * the mean gives the accuracy.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape holding 0 and 1, or
 *   %NULL with @error set as for [method@Fit.Tensor.add]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_eq (FitTensor  *a,
               FitTensor  *b,
               GError    **error)
{
  CHECK_BINARY_ARGS (a, b, error);
  return binary (OP_EQ_, a, b, error);
}

/* ---- unary operations ---- */

typedef enum
{
  SAVE_NONE,     /* the backward needs only the output's gradient */
  SAVE_INPUT,
  SAVE_OUTPUT,
} UnarySave;

typedef struct
{
  const char      *name;          /* the autograd node's name */
  RangeFunc        forward[4];    /* by dtype; NULL: integers are computed in float32 */
  RangeFunc        backward[4];   /* over (grad[, saved]); unused with a custom grad */
  UnarySave        save;
  FitBackwardFunc  grad;          /* NULL: unary_backward */
} UnaryDef;

static gboolean
unary_backward (FitNode    *node,
                FitTensor  *grad_output,
                FitTensor **grad_inputs,
                GError    **error)
{
  const UnaryDef *def = node->data;
  FitTensor *in[2] = { grad_output, NULL };

  if (def->save == SAVE_INPUT)
    in[1] = node->inputs[0];
  else if (def->save == SAVE_OUTPUT)
    in[1] = node->saved[0];
  grad_inputs[0] = run_kernel (def->backward, grad_output->dtype, grad_output->shape,
                               grad_output->n_dims, in, in[1] != NULL ? 2 : 1,
                               node->f[0], node->f[1]);
  return TRUE;
}

static gboolean
identity_backward (FitNode    *node,
                   FitTensor  *grad_output,
                   FitTensor **grad_inputs,
                   GError    **error)
{
  grad_inputs[0] = g_object_ref (grad_output);
  return TRUE;
}

static gboolean
zero_backward (FitNode    *node,
               FitTensor  *grad_output,
               FitTensor **grad_inputs,
               GError    **error)
{
  grad_inputs[0] = fit_tensor_new_zeros (grad_output->dtype, grad_output->shape,
                                         grad_output->n_dims);
  return TRUE;
}

#define NO_KERNELS { NULL, NULL, NULL, NULL }

static const UnaryDef neg_def = { "neg", TABLE_ALL (k_neg), TABLE_ALL (k_neg), SAVE_NONE, NULL };
static const UnaryDef exp_def = { "exp", TABLE_F (k_exp), TABLE_F (k_mul2), SAVE_OUTPUT, NULL };
static const UnaryDef log_def = { "log", TABLE_F (k_log), TABLE_F (k_div2), SAVE_INPUT, NULL };
static const UnaryDef sqrt_def = { "sqrt", TABLE_F (k_sqrt), TABLE_F (k_sqrt_b), SAVE_OUTPUT,
                                   NULL };
static const UnaryDef abs_def = { "abs", TABLE_ALL (k_abs), TABLE_F (k_abs_b), SAVE_INPUT, NULL };
static const UnaryDef clamp_def = { "clamp", TABLE_F (k_clamp), TABLE_F (k_clamp_b), SAVE_INPUT,
                                    NULL };
static const UnaryDef relu_def = { "relu", TABLE_ALL (k_relu), TABLE_F (k_relu_b), SAVE_OUTPUT,
                                   NULL };
static const UnaryDef leaky_relu_def = { "leaky_relu", TABLE_F (k_leaky), TABLE_F (k_leaky_b),
                                         SAVE_INPUT, NULL };
static const UnaryDef gelu_def = { "gelu", TABLE_F (k_gelu), TABLE_F (k_gelu_b), SAVE_INPUT,
                                   NULL };
static const UnaryDef sigmoid_def = { "sigmoid", TABLE_F (k_sigmoid), TABLE_F (k_sigmoid_b),
                                      SAVE_OUTPUT, NULL };
static const UnaryDef tanh_def = { "tanh", TABLE_F (k_tanh), TABLE_F (k_tanh_b), SAVE_OUTPUT,
                                   NULL };
static const UnaryDef add_scalar_def = { "add_scalar", TABLE_F (k_add_s), NO_KERNELS, SAVE_NONE,
                                         identity_backward };
static const UnaryDef mul_scalar_def = { "mul_scalar", TABLE_F (k_mul_s), TABLE_F (k_mul_s),
                                         SAVE_NONE, NULL };

/* pow_scalar: the forward picks an exact or cheaper form for common exponents (as
 * PyTorch does); the backward is exponent × x^(exponent - 1) unless noted. */
static const UnaryDef pow_def = { "pow_scalar", TABLE_F (k_pow_s), TABLE_F (k_pow_s_b),
                                  SAVE_INPUT, NULL };
static const UnaryDef pow0_def = { "pow_scalar", TABLE_F (k_one), NO_KERNELS, SAVE_NONE,
                                   zero_backward };
static const UnaryDef pow1_def = { "pow_scalar", TABLE_F (k_copy), NO_KERNELS, SAVE_NONE,
                                   identity_backward };
static const UnaryDef pow2_def = { "pow_scalar", TABLE_F (k_square), TABLE_F (k_square_b),
                                   SAVE_INPUT, NULL };
static const UnaryDef pow3_def = { "pow_scalar", TABLE_F (k_cube), TABLE_F (k_pow_s_b),
                                   SAVE_INPUT, NULL };
static const UnaryDef pow_half_def = { "pow_scalar", TABLE_F (k_sqrt), TABLE_F (k_pow_s_b),
                                       SAVE_INPUT, NULL };
static const UnaryDef pow_minus_half_def = { "pow_scalar", TABLE_F (k_rsqrt),
                                             TABLE_F (k_pow_s_b), SAVE_INPUT, NULL };
static const UnaryDef pow_minus1_def = { "pow_scalar", TABLE_F (k_recip), TABLE_F (k_pow_s_b),
                                         SAVE_INPUT, NULL };

static FitTensor *
unary (const UnaryDef *def,
       FitTensor      *self,
       double          p0,
       double          p1)
{
  g_autoptr(FitTensor) x = NULL;
  FitTensor *out;
  FitNode *node;

  /* Integer tensors meet a double argument or a transcendental function in float32,
   * as they do in PyTorch. */
  if (def->forward[self->dtype] == NULL)
    x = fit_tensor_to_dtype (self, FIT_DTYPE_FLOAT32, NULL);
  else
    x = g_object_ref (self);
  out = run_kernel (def->forward, x->dtype, x->shape, x->n_dims, &x, 1, p0, p1);
  if (!fit_dtype_is_floating (self->dtype))
    return out;

  node = fit_autograd_record (out, def->name, def->grad ? def->grad : unary_backward, 1, &self);
  if (node == NULL)
    return out;
  node->data = (gpointer) def;
  node->f[0] = p0;
  node->f[1] = p1;
  if (def->save == SAVE_OUTPUT)
    save_detached (node, 0, out);
  return out;
}

#define CHECK_UNARY_ARGS(self)                                                      \
  G_STMT_START {                                                                    \
    g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);                              \
    g_return_val_if_fail (self->storage->device_type == FIT_DEVICE_TYPE_CPU, NULL); \
  } G_STMT_END

/**
 * fit_tensor_add_scalar:
 * @self: a tensor
 * @value: the number to add
 *
 * Adds @value to every element. An integer tensor gives a float32 result, as in
 * PyTorch when a Python float meets an integer tensor. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_add_scalar (FitTensor *self,
                       double     value)
{
  CHECK_UNARY_ARGS (self);
  return unary (&add_scalar_def, self, value, 0);
}

/**
 * fit_tensor_mul_scalar:
 * @self: a tensor
 * @value: the factor
 *
 * Multiplies every element by @value. An integer tensor gives a float32 result.
 * Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_mul_scalar (FitTensor *self,
                       double     value)
{
  CHECK_UNARY_ARGS (self);
  return unary (&mul_scalar_def, self, value, 0);
}

/**
 * fit_tensor_pow_scalar:
 * @self: a tensor
 * @exponent: the power
 *
 * Raises every element to the power @exponent. Common exponents (2, 3, 0.5, -1, …)
 * take exact, faster forms. An integer tensor gives a float32 result.
 * Differentiable; as in PyTorch the gradient is 0 everywhere when @exponent is 0.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_pow_scalar (FitTensor *self,
                       double     exponent)
{
  const UnaryDef *def = &pow_def;

  CHECK_UNARY_ARGS (self);

  if (exponent == 0.0)
    def = &pow0_def;
  else if (exponent == 1.0)
    def = &pow1_def;
  else if (exponent == 2.0)
    def = &pow2_def;
  else if (exponent == 3.0)
    def = &pow3_def;
  else if (exponent == 0.5)
    def = &pow_half_def;
  else if (exponent == -0.5)
    def = &pow_minus_half_def;
  else if (exponent == -1.0)
    def = &pow_minus1_def;
  return unary (def, self, exponent, exponent - 1.0);
}

/**
 * fit_tensor_neg:
 * @self: a tensor
 *
 * Negates every element. Works on every element type; differentiable. Integers wrap
 * around as in PyTorch: the most negative value of int32 or int64 stays itself.
 *
 * Returns: (transfer full): a new tensor of @self's shape and element type
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_neg (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&neg_def, self, 0, 0);
}

/**
 * fit_tensor_exp:
 * @self: a tensor
 *
 * The exponential e^x of every element. An integer tensor gives a float32 result.
 * Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_exp (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&exp_def, self, 0, 0);
}

/**
 * fit_tensor_log:
 * @self: a tensor
 *
 * The natural logarithm of every element: -inf for 0 and NaN for negative numbers.
 * An integer tensor gives a float32 result. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_log (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&log_def, self, 0, 0);
}

/**
 * fit_tensor_sqrt:
 * @self: a tensor
 *
 * The square root of every element (NaN for negative numbers). An integer tensor
 * gives a float32 result. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_sqrt (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&sqrt_def, self, 0, 0);
}

/**
 * fit_tensor_abs:
 * @self: a tensor
 *
 * The absolute value of every element. Works on every element type; differentiable,
 * with gradient 0 at 0 as in PyTorch. As there, the most negative value of int32 or
 * int64 has no positive counterpart and stays itself.
 *
 * Returns: (transfer full): a new tensor of @self's shape and element type
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_abs (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&abs_def, self, 0, 0);
}

/**
 * fit_tensor_clamp:
 * @self: a tensor
 * @min_value: the lower bound (`-INFINITY` for none)
 * @max_value: the upper bound (`INFINITY` for none)
 *
 * Limits every element to [@min_value, @max_value]: min(max(x, @min_value),
 * @max_value), so when @min_value > @max_value every element becomes @max_value. NaN
 * stays NaN. An integer tensor gives a float32 result. Differentiable: the gradient
 * passes where @min_value ≤ x ≤ @max_value and is 0 elsewhere.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_clamp (FitTensor *self,
                  double     min_value,
                  double     max_value)
{
  CHECK_UNARY_ARGS (self);
  return unary (&clamp_def, self, min_value, max_value);
}

/**
 * fit_tensor_relu:
 * @self: a tensor
 *
 * The rectified linear unit max(x, 0) of every element. Works on every element type;
 * differentiable, with gradient 0 at 0 as in PyTorch.
 *
 * Returns: (transfer full): a new tensor of @self's shape and element type
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_relu (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&relu_def, self, 0, 0);
}

/**
 * fit_tensor_leaky_relu:
 * @self: a tensor
 * @negative_slope: the slope for negative inputs (PyTorch's default is 0.01)
 *
 * x for positive x and @negative_slope × x otherwise. An integer tensor gives a
 * float32 result. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_leaky_relu (FitTensor *self,
                       double     negative_slope)
{
  CHECK_UNARY_ARGS (self);
  return unary (&leaky_relu_def, self, negative_slope, 0);
}

/**
 * fit_tensor_gelu:
 * @self: a tensor
 *
 * The Gaussian error linear unit x × Φ(x) of every element, with the exact error
 * function (PyTorch's default, not the tanh approximation). An integer tensor gives a
 * float32 result. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_gelu (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&gelu_def, self, 0, 0);
}

/**
 * fit_tensor_sigmoid:
 * @self: a tensor
 *
 * The logistic function 1 / (1 + e^-x) of every element, accurate to the last bits in
 * both tails: very negative inputs give 0 (never NaN), very positive ones 1. An integer
 * tensor gives a float32 result. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_sigmoid (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&sigmoid_def, self, 0, 0);
}

/**
 * fit_tensor_tanh:
 * @self: a tensor
 *
 * The hyperbolic tangent of every element. An integer tensor gives a float32
 * result. Differentiable.
 *
 * Returns: (transfer full): a new tensor of @self's shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_tanh (FitTensor *self)
{
  CHECK_UNARY_ARGS (self);
  return unary (&tanh_def, self, 0, 0);
}

/* ---- selections ---- */

/* @mask as 0/1 in @dtype (a new reference to @mask when it already has @dtype: a
 * nonzero test works on any value). Never recorded. */
static FitTensor *
mask_as (FitTensor *mask,
         FitDType   dtype)
{
  FitTensor *out;
  gint64 n = mask->numel;

  if (mask->dtype == dtype)
    return g_object_ref (mask);
  out = fit_tensor_new_empty (dtype, mask->shape, mask->n_dims);

#define NONZERO_LOOP(ST, DT)                                                        \
  G_STMT_START {                                                                    \
    const ST *s = fit_tensor_ptr (mask);                                            \
    DT *d = fit_tensor_ptr (out);                                                   \
                                                                                    \
    for (gint64 i = 0; i < n; i++)                                                  \
      d[i] = s[i] != 0;                                                             \
  } G_STMT_END
#define NONZERO_FROM(ST)                                                            \
  switch (dtype)                                                                    \
    {                                                                               \
    case FIT_DTYPE_FLOAT32: NONZERO_LOOP (ST, float); break;                        \
    case FIT_DTYPE_FLOAT64: NONZERO_LOOP (ST, double); break;                       \
    case FIT_DTYPE_INT32: NONZERO_LOOP (ST, gint32); break;                         \
    case FIT_DTYPE_INT64: NONZERO_LOOP (ST, gint64); break;                         \
    default: g_assert_not_reached ();                                               \
    }

  switch (mask->dtype)
    {
    case FIT_DTYPE_FLOAT32:
      NONZERO_FROM (float);
      break;
    case FIT_DTYPE_FLOAT64:
      NONZERO_FROM (double);
      break;
    case FIT_DTYPE_INT32:
      NONZERO_FROM (gint32);
      break;
    case FIT_DTYPE_INT64:
      NONZERO_FROM (gint64);
      break;
    default:
      g_assert_not_reached ();
    }
#undef NONZERO_FROM
#undef NONZERO_LOOP
  return out;
}

static gboolean
where_backward (FitNode    *node,
                FitTensor  *grad_output,
                FitTensor **grad_inputs,
                GError    **error)
{
  static const RangeFunc keep[4] = TABLE_F (k_keep);
  static const RangeFunc drop[4] = TABLE_F (k_drop);
  FitTensor *in[2] = { node->saved[0], grad_output };

  for (guint i = 0; i < node->n_inputs; i++)
    {
      g_autoptr(FitTensor) full = NULL;
      FitTensor *x = node->inputs[i];

      if (!fit_node_needs_grad (node, i))
        continue;
      /* where() has inputs (a, b): a takes the gradient where the mask holds;
       * masked_fill() has (self) and self takes it where the mask does not. */
      full = run_kernel (i == 0 && node->n_inputs == 2 ? keep : drop, grad_output->dtype,
                         grad_output->shape, grad_output->n_dims, in, 2, 0, 0);
      grad_inputs[i] = reduce_to_shape (full, NULL, 1.0, x->shape, x->n_dims);
    }
  return TRUE;
}

/**
 * fit_tensor_where:
 * @condition: a tensor of any element type; nonzero elements count as true
 * @a: the elements to take where @condition holds
 * @b: the elements to take elsewhere, of @a's element type
 * @error: return location for a #GError
 *
 * Picks elements from @a where @condition is nonzero and from @b elsewhere. The three
 * shapes broadcast together as in [method@Fit.Tensor.add]. Differentiable in both
 * @a and @b, each of which gets the gradient where its elements were picked and 0
 * elsewhere.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape, or %NULL with
 *   %FIT_ERROR_SHAPE when the shapes cannot be broadcast together, %FIT_ERROR_DTYPE
 *   when @a and @b have different element types or %FIT_ERROR_DEVICE for a tensor
 *   not on the CPU
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_where (FitTensor  *condition,
                  FitTensor  *a,
                  FitTensor  *b,
                  GError    **error)
{
  static const RangeFunc where_kernels[4] = TABLE_ALL (k_where);
  const char *op = "fit_tensor_where";
  g_autoptr(FitTensor) mask = NULL;
  gint64 shape[FIT_MAX_DIMS];
  guint n_dims;
  FitTensor *in[3];
  FitTensor *out;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (condition), NULL);
  CHECK_BINARY_ARGS (a, b, error);

  if (!fit_check_cpu (op, condition, error) || !fit_check_cpu (op, a, error) ||
      !fit_check_cpu (op, b, error) || !fit_check_same_dtype (op, a, b, error) ||
      !fit_broadcast_shapes (op, a, b, shape, &n_dims, error))
    return NULL;

  /* Then the condition against the shape of a and b. */
  {
    guint n = MAX (n_dims, condition->n_dims);
    gint64 full[FIT_MAX_DIMS];

    for (guint i = 0; i < n; i++)
      {
        gint64 dc = i < n - condition->n_dims ? 1 : condition->shape[i - (n - condition->n_dims)];
        gint64 dab = i < n - n_dims ? 1 : shape[i - (n - n_dims)];

        if (dc != dab && dc != 1 && dab != 1)
          {
            g_autofree char *sc = fit_shape_to_string (condition->shape, condition->n_dims);
            g_autofree char *sa = fit_shape_to_string (a->shape, a->n_dims);
            g_autofree char *sb = fit_shape_to_string (b->shape, b->n_dims);

            g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                         _("%s: the condition's shape %s cannot be broadcast with the shapes "
                           "%s and %s of the values (dimension %u: %" PRId64 " vs %"
                           PRId64 ")"), op, sc, sa, sb, i, dc, dab);
            return NULL;
          }
        full[i] = dc == 1 ? dab : dc;
      }
    memcpy (shape, full, n * sizeof (gint64));
    n_dims = n;
    if (!fit_shape_check_result (op, shape, n_dims, error))
      return NULL;
  }

  mask = mask_as (condition, a->dtype);
  in[0] = mask;
  in[1] = a;
  in[2] = b;
  out = run_kernel (where_kernels, a->dtype, shape, n_dims, in, 3, 0, 0);
  node = fit_autograd_record (out, "where", where_backward, 2, in + 1);
  if (node != NULL)
    save_detached (node, 0, mask);
  return out;
}

/**
 * fit_tensor_masked_fill:
 * @self: a tensor
 * @mask: a tensor of any element type, broadcastable with @self; nonzero elements
 *   count as true
 * @value: the value to put where @mask holds, truncated towards zero for an integer
 *   tensor
 * @error: return location for a #GError
 *
 * Replaces the elements of @self where @mask is nonzero by @value, as in attention
 * masks (a large negative value before a softmax). The shapes broadcast together as
 * in [method@Fit.Tensor.add]. Differentiable in @self, whose gradient is 0 where it
 * was replaced.
 *
 * Returns: (transfer full): a new tensor of the broadcast shape and @self's element
 *   type, or %NULL with %FIT_ERROR_SHAPE when the shapes cannot be broadcast together,
 *   %FIT_ERROR_INVALID_ARGUMENT when @self holds integers and @value (NaN, an infinity,
 *   or a number beyond the type's range) is not one of them, or %FIT_ERROR_DEVICE for a
 *   tensor not on the CPU
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_masked_fill (FitTensor  *self,
                        FitTensor  *mask,
                        double      value,
                        GError    **error)
{
  static const RangeFunc fill_kernels[4] = TABLE_ALL (k_fill);
  const char *op = "fit_tensor_masked_fill";
  g_autoptr(FitTensor) m = NULL;
  gint64 shape[FIT_MAX_DIMS];
  guint n_dims;
  FitTensor *in[2];
  FitTensor *out;
  FitNode *node;

  CHECK_BINARY_ARGS (self, mask, error);

  if (!fit_check_cpu (op, self, error) || !fit_check_cpu (op, mask, error) ||
      !fit_broadcast_shapes (op, self, mask, shape, &n_dims, error))
    return NULL;
  if (!fit_dtype_is_floating (self->dtype) && !fit_double_fits_int (value, self->dtype))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: the value %s does not fit in an element of type %s; give a number "
                     "in its range, or convert the tensor with fit_tensor_to_dtype()"),
                   op, g_ascii_dtostr (buffer, sizeof buffer, value),
                   fit_dtype_get_name (self->dtype));
      return NULL;
    }

  m = mask_as (mask, self->dtype);
  in[0] = self;
  in[1] = m;
  out = run_kernel (fill_kernels, self->dtype, shape, n_dims, in, 2, value, 0);
  node = fit_autograd_record (out, "masked_fill", where_backward, 1, &self);
  if (node != NULL)
    save_detached (node, 0, m);
  return out;
}
