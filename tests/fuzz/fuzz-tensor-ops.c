/* fuzz-tensor-ops.c: tensor operations with shapes and arguments chosen by the input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first byte picks an operation; the rest make its operands (small tensors, or
 * empty ones with sizes as large as a shape allows) and its integer and floating-point
 * arguments, extreme values included. What the library promises for them: a result or
 * a GError with a message, no crash, no sanitizer report, no critical, and never a
 * result whose shape no tensor can have.
 *
 * Valid results can still be too large to allocate (expanding [1] to [2^20, 2^20]);
 * running out of memory is not an input error. So for each operation that can grow
 * its result the harness works out the result's shape itself, in 128-bit arithmetic,
 * and leaves out the calls whose result would be valid but larger than LIMIT elements.
 * Calls whose result no tensor can have are always made: they must fail.
 */

#include "fuzz-common.h"

#include <math.h>
#include <string.h>

#define LIMIT 4096                      /* elements of an input or a result */
#define TOO_LARGE ((__int128) 1 << 60)  /* the product of non-zero sizes a shape stays below */

typedef struct
{
  const uint8_t *p;
  size_t         n;
} Input;

static guint8
byte (Input *in)
{
  if (in->n == 0)
    return 0;
  in->n--;
  return *in->p++;
}

static guint64
raw64 (Input *in)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v = (v << 8) | byte (in);
  return v;
}

/* A size: mostly 0 to 4, sometimes a power of two up to 2^62, or any 64-bit value. */
static gint64
size_arg (Input *in)
{
  guint8 b = byte (in);

  if (b < 0xc0)
    return b % 5;
  if (b < 0xff)
    return (gint64) 1 << (b % 63);
  return (gint64) raw64 (in);
}

/* An int argument (dimension, stride, padding, …): mostly −2 to 5, sometimes anything. */
static int
int_arg (Input *in)
{
  guint8 b = byte (in);

  if (b < 0xe0)
    return (int) (b % 8) - 2;
  if (b < 0xf0)
    return 1 << (b % 31);
  return (int) (guint32) raw64 (in);
}

/* A size, negated when a first byte says so: for the bounds of a slice. */
static gint64
signed_size_arg (Input *in)
{
  gboolean negative = byte (in) & 1;
  gint64 v = size_arg (in);

  return negative && v != G_MININT64 ? -v : v;
}

/* Arguments are read one statement at a time: C leaves the order of the operands of an
 * initializer list, a function call or a product unspecified, and the corpus must mean
 * the same to every compiler. */
static void
int_args (Input *in,
          int   *out,
          guint  n)
{
  for (guint i = 0; i < n; i++)
    out[i] = int_arg (in);
}

static double
double_arg (Input *in)
{
  static const double special[] = {
    0.0, 1.0, -1.0, 0.5, 2.0, -0.0, NAN, INFINITY, -INFINITY, 1e30, -1e30, 3e9,
    9223372036854775808.0, -9223372036854775809.0, 2147483648.0, G_MAXDOUBLE, 5e-324, 0.999,
  };
  guint8 b = byte (in);
  guint64 bits;
  double v;

  if (b < 0xf0)
    return special[b % G_N_ELEMENTS (special)];
  bits = raw64 (in);
  memcpy (&v, &bits, sizeof v);
  return v;
}

/* ---- shapes, in 128 bits ---- */

typedef struct
{
  guint    n;
  __int128 d[FIT_MAX_DIMS + 1];
} Shape;

typedef enum
{
  CALL,        /* small enough to compute */
  MUST_FAIL,   /* no tensor can have this shape */
  SKIP,        /* valid but too large to allocate here */
} Verdict;

static Verdict
judge (const Shape *s)
{
  __int128 nonzero = 1, all = 1;

  for (guint i = 0; i < s->n; i++)
    {
      if (s->d[i] < 0 || s->d[i] > G_MAXINT64)
        return MUST_FAIL;
      if (s->d[i] > 0 && (nonzero *= s->d[i]) >= TOO_LARGE)
        return MUST_FAIL;
      all *= s->d[i];
    }
  return all > LIMIT ? SKIP : CALL;
}

static Shape
shape_of (FitTensor *t)
{
  guint n;
  const gint64 *d = fit_tensor_get_shape (t, &n);
  Shape s = { n, { 0 } };

  for (guint i = 0; i < n; i++)
    s.d[i] = d[i];
  return s;
}

/* Every tensor the library hands out must have a shape a tensor can have. */
static void
check_result_shape (FitTensor *t)
{
  Shape s = shape_of (t);

  if (judge (&s) == MUST_FAIL)
    abort ();
}

static int
norm_dim (int dim,
          guint n)
{
  return dim < 0 ? dim + (int) n : dim;
}

/* ---- operands ---- */

/* A tensor of up to 4 dimensions and LIMIT elements, or an empty one with sizes as
 * large as a shape allows; NULL (after checking that the library refuses it) when the
 * sizes do not make a tensor. Values are small numbers, extremes and non-finite ones. */
static FitTensor *
tensor_arg (Input    *in,
            FitDType  dtype)
{
  gint64 shape[4];
  guint n_dims = byte (in) % 5;
  Shape s = { n_dims, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autofree gpointer data = NULL;
  gsize size = fit_dtype_get_size (dtype);
  FitTensor *t;
  __int128 numel = 1;

  for (guint i = 0; i < n_dims; i++)
    {
      shape[i] = size_arg (in);
      s.d[i] = shape[i];
    }
  if (judge (&s) == MUST_FAIL)
    {
      if (fit_tensor_new_from_data (dtype, shape, n_dims, NULL, 0, &error) != NULL)
        abort ();
      fuzz_check_error (error);
      return NULL;
    }
  for (guint i = 0; i < n_dims; i++)
    numel *= shape[i];
  if (numel > LIMIT)
    return NULL;
  data = g_malloc0 (MAX (numel, 1) * size);
  for (gint64 i = 0; i < (gint64) numel; i++)
    {
      double v = byte (in) < 0xf0 ? (double) ((int) (byte (in) % 9) - 2) : double_arg (in);

      switch (dtype)
        {
        case FIT_DTYPE_FLOAT32:
          ((float *) data)[i] = (float) v;
          break;
        case FIT_DTYPE_FLOAT64:
          ((double *) data)[i] = v;
          break;
        case FIT_DTYPE_INT32:
          ((gint32 *) data)[i] = isfinite (v) && fabs (v) < 2e9 ? (gint32) v
                                 : v < 0 ? G_MININT32 : G_MAXINT32;
          break;
        case FIT_DTYPE_INT64:
        default:
          ((gint64 *) data)[i] = isfinite (v) && fabs (v) < 9e18 ? (gint64) v
                                 : v < 0 ? G_MININT64 : G_MAXINT64;
          break;
        }
    }
  t = fit_tensor_new_from_data (dtype, shape, n_dims, data, (gsize) numel * size, &error);
  if (t == NULL)
    abort ();
  return t;
}

static FitDType
dtype_arg (Input *in)
{
  static const FitDType dtypes[] = {
    FIT_DTYPE_FLOAT32, FIT_DTYPE_FLOAT64, FIT_DTYPE_INT32, FIT_DTYPE_INT64,
  };

  return dtypes[byte (in) % 4];
}

static FitDType
float_dtype_arg (Input *in)
{
  return byte (in) & 1 ? FIT_DTYPE_FLOAT64 : FIT_DTYPE_FLOAT32;
}

static FitTensor *
float_arg (Input *in)
{
  return tensor_arg (in, float_dtype_arg (in));
}

static FitTensor *
index_arg (Input *in)
{
  return tensor_arg (in, byte (in) & 1 ? FIT_DTYPE_INT64 : FIT_DTYPE_INT32);
}

/* ---- the expected shapes of the operations that can grow their result ---- */

static Shape
broadcast (const Shape *a,
           const Shape *b)
{
  Shape s = { MAX (a->n, b->n), { 0 } };

  for (guint i = 0; i < s.n; i++)
    {
      __int128 da = i < s.n - a->n ? 1 : a->d[i - (s.n - a->n)];
      __int128 db = i < s.n - b->n ? 1 : b->d[i - (s.n - b->n)];

      s.d[i] = da == 1 ? db : da;
    }
  return s;
}

/* A convolution's or pooling's output size, or 0 when it would be empty. */
static __int128
window_out (__int128 in,
            __int128 pad,
            __int128 span,
            __int128 stride)
{
  __int128 room = in + 2 * pad - span;

  return room < 0 || stride <= 0 ? 0 : room / stride + 1;
}

/* ---- running one operation ---- */

static void
finish (FitTensor *out,
        GError    *error)
{
  volatile guint8 sink = 0;

  if (out == NULL)
    {
      fuzz_check_error (error);
      return;
    }
  check_result_shape (out);
  if (fit_tensor_get_numel (out) > LIMIT)
    abort ();
  /* Read every byte, so that a result larger than its buffer is found; then print it. */
  {
    const guint8 *bytes = fit_tensor_get_data (out);
    gsize n = fit_tensor_get_n_bytes (out);

    for (gsize i = 0; i < n; i++)
      sink ^= bytes[i];
    g_free (fit_tensor_to_string (out));
  }
  /* And the way back, where there is one. */
  if (fit_tensor_get_requires_grad (out))
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(FitTensor) total = fit_tensor_sum (out, NULL, 0, FALSE, &local_error);

      if (total == NULL || !fit_tensor_backward (total, &local_error))
        fuzz_check_error (local_error);
    }
  (void) sink;
  g_object_unref (out);
}

/* Makes the call only when judge() allows it; a result that should not exist aborts. */
#define RUN(verdict, call)                                                          \
  G_STMT_START {                                                                    \
    Verdict v_ = (verdict);                                                         \
    FitTensor *out_;                                                                \
                                                                                    \
    if (v_ == SKIP)                                                                 \
      break;                                                                        \
    out_ = (call);                                                                  \
    if (out_ != NULL && v_ == MUST_FAIL)                                            \
      abort ();                                                                     \
    finish (out_, error);                                                           \
  } G_STMT_END

static void
wants_grad (FitTensor *t,
            Input     *in)
{
  gboolean wanted = byte (in) & 1;

  if (wanted && t != NULL && fit_dtype_is_floating (fit_tensor_get_dtype (t)))
    fit_tensor_set_requires_grad (t, TRUE);
}

/* A tensor_arg() that, when it is a floating-point one, may require a gradient. */
static FitTensor *
operand (Input    *in,
         FitDType  dtype)
{
  FitTensor *t = tensor_arg (in, dtype);

  wants_grad (t, in);
  return t;
}

/* An input and a weight of @dtype, and an optional bias: a product's or a convolution's
 * operands. */
static gboolean
operands (Input      *in,
          FitDType    dtype,
          FitTensor **a,
          FitTensor **b,
          FitTensor **c)
{
  *a = tensor_arg (in, dtype);
  *b = tensor_arg (in, dtype);
  *c = byte (in) & 1 ? tensor_arg (in, dtype) : NULL;
  wants_grad (*a, in);
  wants_grad (*b, in);
  return *a != NULL && *b != NULL;
}

enum
{
  OP_RESHAPE, OP_EXPAND, OP_CONCAT, OP_STACK, OP_SLICE, OP_PERMUTE, OP_INDEX_SELECT,
  OP_GATHER, OP_EMBEDDING, OP_ONE_HOT, OP_BINARY, OP_WHERE, OP_MASKED_FILL, OP_UNARY,
  OP_REDUCE, OP_DIM_REDUCE, OP_MATMUL, OP_LINEAR, OP_CONV, OP_CONV_TRANSPOSE, OP_POOL,
  OP_ADAPTIVE_POOL, OP_DROPOUT, OP_TO_DTYPE, OP_ARANGE, OP_CROSS_ENTROPY, N_OPS
};

static void
run_op (guint  op,
        Input *in)
{
  g_autoptr(FitTensor) a = NULL;
  g_autoptr(FitTensor) b = NULL;
  g_autoptr(FitTensor) c = NULL;
  GError *error = NULL;
  Shape s;

  switch (op)
    {
    case OP_RESHAPE:
      {
        gint64 shape[FIT_MAX_DIMS + 1];
        guint n = byte (in) % (FIT_MAX_DIMS + 2);

        a = tensor_arg (in, dtype_arg (in));
        for (guint i = 0; i < n; i++)
          shape[i] = byte (in) < 0x20 ? -1 : size_arg (in);
        if (a != NULL)
          RUN (CALL, fit_tensor_reshape (a, shape, n, &error));
      }
      break;

    case OP_EXPAND:
      {
        gint64 shape[FIT_MAX_DIMS + 1];
        guint n = byte (in) % (FIT_MAX_DIMS + 2);

        a = operand (in, dtype_arg (in));
        if (a == NULL)
          break;
        s = (Shape) { MIN (n, FIT_MAX_DIMS), { 0 } };
        for (guint i = 0; i < n; i++)
          {
            shape[i] = byte (in) < 0x20 ? -1 : size_arg (in);
            if (i < s.n)
              s.d[i] = shape[i];
          }
        /* -1 keeps the size of the matching dimension (in a new leading one it is an
         * error); any other size is the result's. */
        {
          Shape sa = shape_of (a);

          for (guint i = 0; i < s.n; i++)
            if (s.d[i] == -1)
              s.d[i] = i + sa.n >= s.n ? sa.d[i + sa.n - s.n] : 1;
        }
        RUN (n > FIT_MAX_DIMS ? CALL : judge (&s), fit_tensor_expand (a, shape, n, &error));
      }
      break;

    case OP_CONCAT:
    case OP_STACK:
      {
        FitTensor *parts[16];
        guint n = byte (in) % 17;
        int dim = int_arg (in);
        FitDType dtype = dtype_arg (in);
        Verdict verdict;

        a = operand (in, dtype);
        if (a == NULL)
          break;
        for (guint i = 0; i < n; i++)
          parts[i] = a;
        s = shape_of (a);
        if (op == OP_STACK)
          {
            int d = norm_dim (dim, s.n + 1);

            if (d >= 0 && d <= (int) s.n && s.n < FIT_MAX_DIMS)
              {
                memmove (s.d + d + 1, s.d + d, (s.n - d) * sizeof s.d[0]);
                s.d[d] = n;
                s.n++;
              }
            verdict = judge (&s);
            RUN (verdict, fit_tensor_stack (parts, n, dim, &error));
          }
        else
          {
            int d = norm_dim (dim, s.n);

            if (d >= 0 && d < (int) s.n)
              s.d[d] *= n;
            verdict = judge (&s);
            RUN (verdict, fit_tensor_concat (parts, n, dim, &error));
          }
      }
      break;

    case OP_SLICE:
      {
        int dim = int_arg (in);
        gint64 start = signed_size_arg (in);
        gint64 end = byte (in) & 1 ? G_MAXINT64 : signed_size_arg (in);
        gint64 step = signed_size_arg (in);

        a = operand (in, dtype_arg (in));
        if (a != NULL)
          RUN (CALL, fit_tensor_slice (a, dim, start, end, step, &error));
      }
      break;

    case OP_PERMUTE:
      {
        int dims[FIT_MAX_DIMS] = { 0 };
        guint n = byte (in) % 5;
        gboolean transpose = byte (in) & 1;

        int_args (in, dims, n);
        a = operand (in, dtype_arg (in));
        if (a != NULL)
          RUN (CALL, transpose ? fit_tensor_transpose (a, dims[0], dims[1], &error)
                               : fit_tensor_permute (a, dims, n, &error));
      }
      break;

    case OP_INDEX_SELECT:
    case OP_GATHER:
    case OP_EMBEDDING:
      {
        int dim = int_arg (in);

        a = tensor_arg (in, op == OP_EMBEDDING ? FIT_DTYPE_FLOAT32 : dtype_arg (in));
        b = index_arg (in);
        wants_grad (a, in);
        if (a == NULL || b == NULL)
          break;
        s = shape_of (a);
        if (op == OP_INDEX_SELECT)
          {
            int d = norm_dim (dim, s.n);

            if (d >= 0 && d < (int) s.n)
              s.d[d] = fit_tensor_get_numel (b);
            RUN (judge (&s), fit_tensor_index_select (a, dim, b, &error));
          }
        else if (op == OP_GATHER)
          RUN (CALL, fit_tensor_gather (a, dim, b, &error));
        else
          {
            Shape si = shape_of (b);

            si.d[si.n++] = s.n == 2 ? s.d[1] : 1;
            RUN (judge (&si), fit_tensor_embedding (a, b, &error));
          }
      }
      break;

    case OP_ONE_HOT:
      {
        gint64 n_classes = size_arg (in);

        a = index_arg (in);
        if (a == NULL)
          break;
        s = shape_of (a);
        s.d[s.n++] = n_classes;
        RUN (judge (&s), fit_tensor_one_hot (a, n_classes, &error));
      }
      break;

    case OP_BINARY:
      {
        static FitTensor *(*const funcs[]) (FitTensor *, FitTensor *, GError **) = {
          fit_tensor_add, fit_tensor_sub, fit_tensor_mul, fit_tensor_div, fit_tensor_pow,
          fit_tensor_maximum, fit_tensor_minimum, fit_tensor_gt, fit_tensor_lt, fit_tensor_eq,
        };
        guint which = byte (in) % G_N_ELEMENTS (funcs);
        FitDType dtype = dtype_arg (in);

        a = tensor_arg (in, dtype);
        b = tensor_arg (in, byte (in) < 0x10 ? dtype_arg (in) : dtype);
        wants_grad (a, in);
        wants_grad (b, in);
        if (a == NULL || b == NULL)
          break;
        {
          Shape sa = shape_of (a), sb = shape_of (b);

          s = broadcast (&sa, &sb);
        }
        RUN (judge (&s), funcs[which] (a, b, &error));
      }
      break;

    case OP_WHERE:
    case OP_MASKED_FILL:
      {
        FitDType dtype = dtype_arg (in);

        a = tensor_arg (in, dtype_arg (in));
        b = tensor_arg (in, dtype);
        c = op == OP_WHERE ? tensor_arg (in, dtype) : NULL;
        wants_grad (b, in);
        if (a == NULL || b == NULL || (op == OP_WHERE && c == NULL))
          break;
        {
          Shape sa = shape_of (a), sb = shape_of (b);

          s = broadcast (&sa, &sb);
          if (c != NULL)
            {
              Shape sc = shape_of (c);

              s = broadcast (&s, &sc);
            }
        }
        if (op == OP_WHERE)
          RUN (judge (&s), fit_tensor_where (a, b, c, &error));
        else
          RUN (judge (&s), fit_tensor_masked_fill (b, a, double_arg (in), &error));
      }
      break;

    case OP_UNARY:
      {
        guint which = byte (in) % 8;
        double p = double_arg (in), q = double_arg (in);

        a = operand (in, dtype_arg (in));
        if (a == NULL)
          break;
        switch (which)
          {
          case 0: RUN (CALL, fit_tensor_neg (a)); break;
          case 1: RUN (CALL, fit_tensor_abs (a)); break;
          case 2: RUN (CALL, fit_tensor_clamp (a, p, q)); break;
          case 3: RUN (CALL, fit_tensor_pow_scalar (a, p)); break;
          case 4: RUN (CALL, fit_tensor_leaky_relu (a, p)); break;
          case 5: RUN (CALL, fit_tensor_add_scalar (a, p)); break;
          case 6: RUN (CALL, fit_tensor_mul_scalar (a, p)); break;
          default: RUN (CALL, fit_tensor_gelu (a)); break;
          }
      }
      break;

    case OP_REDUCE:
      {
        int dims[4];
        guint n = byte (in) % 5, which = byte (in) % 3;
        gboolean keep = byte (in) & 1;
        int correction = int_arg (in);
        guint32 mask = 0;

        for (guint i = 0; i < n; i++)
          dims[i] = int_arg (in);
        a = operand (in, dtype_arg (in));
        if (a == NULL)
          break;
        s = shape_of (a);
        for (guint i = 0; i < n; i++)
          {
            int d = norm_dim (dims[i], s.n);

            if (d >= 0 && d < (int) s.n)
              mask |= 1u << d;
          }
        {
          Shape r = { 0, { 0 } };

          for (guint d = 0; d < s.n; d++)
            if (n > 0 && !(mask & (1u << d)))
              r.d[r.n++] = s.d[d];
          RUN (judge (&r), which == 0 ? fit_tensor_sum (a, dims, n, keep, &error)
                           : which == 1 ? fit_tensor_mean (a, dims, n, keep, &error)
                           : fit_tensor_var (a, dims, n, keep, correction, &error));
        }
      }
      break;

    case OP_DIM_REDUCE:
      {
        guint which = byte (in) % 6;
        int dim = int_arg (in);
        gboolean keep = byte (in) & 1;

        a = operand (in, dtype_arg (in));
        if (a == NULL)
          break;
        s = shape_of (a);
        {
          int d = norm_dim (dim, s.n);

          if (d >= 0 && d < (int) s.n)
            s.d[d] = 1;
        }
        switch (which)
          {
          case 0: RUN (judge (&s), fit_tensor_max (a, dim, keep, &error)); break;
          case 1: RUN (judge (&s), fit_tensor_min (a, dim, keep, &error)); break;
          case 2: RUN (judge (&s), fit_tensor_argmax (a, dim, keep, &error)); break;
          case 3: RUN (judge (&s), fit_tensor_logsumexp (a, dim, keep, &error)); break;
          case 4: RUN (CALL, fit_tensor_softmax (a, dim, &error)); break;
          default: RUN (CALL, fit_tensor_log_softmax (a, dim, &error)); break;
          }
      }
      break;

    case OP_MATMUL:
    case OP_LINEAR:
      {
        FitDType dtype = float_dtype_arg (in);
        Shape sa, sb;

        if (!operands (in, dtype, &a, &b, &c))
          break;
        sa = shape_of (a);
        sb = shape_of (b);
        if (op == OP_LINEAR)
          {
            s = sa;
            if (s.n > 0 && sb.n == 2)
              s.d[s.n - 1] = sb.d[0];
            RUN (judge (&s), fit_tensor_linear (a, b, c, &error));
            break;
          }
        /* Batch dimensions broadcast; then [n, k] × [k, m]. */
        {
          Shape ba = { sa.n > 1 ? sa.n - 2 : 0, { 0 } }, bb = { sb.n > 1 ? sb.n - 2 : 0, { 0 } };

          memcpy (ba.d, sa.d, ba.n * sizeof sa.d[0]);
          memcpy (bb.d, sb.d, bb.n * sizeof sb.d[0]);
          s = broadcast (&ba, &bb);
          if (sa.n > 1)
            s.d[s.n++] = sa.d[sa.n - 2];
          if (sb.n > 1)
            s.d[s.n++] = sb.d[sb.n - 1];
        }
        RUN (s.n > FIT_MAX_DIMS ? CALL : judge (&s), fit_tensor_matmul (a, b, &error));
      }
      break;

    case OP_CONV:
    case OP_CONV_TRANSPOSE:
      {
        int st[2], pad[2], dil[2], opad[2], groups;
        FitDType dtype;
        Shape sx, sw;

        int_args (in, st, 2);
        int_args (in, pad, 2);
        int_args (in, dil, 2);
        int_args (in, opad, 2);
        int_args (in, &groups, 1);
        dtype = float_dtype_arg (in);

        if (!operands (in, dtype, &a, &b, &c))
          break;
        sx = shape_of (a);
        sw = shape_of (b);
        s = sx;
        if ((sx.n == 3 || sx.n == 4) && sw.n == 4)
          for (guint i = 0; i < 2; i++)
            {
              __int128 span = (__int128) dil[i] * (sw.d[2 + i] - 1) + 1;
              __int128 *out = &s.d[s.n - 2 + i];

              if (op == OP_CONV)
                *out = window_out (sx.d[sx.n - 2 + i], pad[i], span, st[i]);
              else
                *out = (sx.d[sx.n - 2 + i] - 1) * st[i] - 2 * (__int128) pad[i] + span +
                       opad[i];
              s.d[s.n - 3] = op == OP_CONV ? sw.d[0] : sw.d[1] * groups;
            }
        if (op == OP_CONV)
          RUN (judge (&s), fit_tensor_conv2d (a, b, c, st[0], st[1], pad[0], pad[1], dil[0],
                                              dil[1], groups, &error));
        else
          RUN (judge (&s), fit_tensor_conv_transpose2d (a, b, c, st[0], st[1], pad[0], pad[1],
                                                        opad[0], opad[1], dil[0], dil[1],
                                                        groups, &error));
      }
      break;

    case OP_POOL:
      {
        int k[2], st[2], pad[2];
        gboolean average;

        int_args (in, k, 2);
        int_args (in, st, 2);
        int_args (in, pad, 2);
        average = byte (in) & 1;

        a = operand (in, float_dtype_arg (in));
        if (a == NULL)
          break;
        s = shape_of (a);
        if (s.n == 3 || s.n == 4)
          for (guint i = 0; i < 2; i++)
            s.d[s.n - 2 + i] = window_out (s.d[s.n - 2 + i], pad[i], k[i],
                                           st[i] == 0 ? k[i] : st[i]);
        if (average)
          RUN (judge (&s), fit_tensor_avg_pool2d (a, k[0], k[1], st[0], st[1], pad[0], pad[1],
                                                  byte (in) & 1, &error));
        else
          RUN (judge (&s), fit_tensor_max_pool2d (a, k[0], k[1], st[0], st[1], pad[0], pad[1],
                                                  &error));
      }
      break;

    case OP_ADAPTIVE_POOL:
      {
        int oh = int_arg (in), ow = int_arg (in);

        a = operand (in, float_dtype_arg (in));
        if (a == NULL)
          break;
        s = shape_of (a);
        if (s.n == 3 || s.n == 4)
          {
            s.d[s.n - 2] = oh;
            s.d[s.n - 1] = ow;
          }
        RUN (judge (&s), fit_tensor_adaptive_avg_pool2d (a, oh, ow, &error));
      }
      break;

    case OP_DROPOUT:
      {
        g_autoptr(FitRng) rng = fit_rng_new (raw64 (in));
        double p = double_arg (in);

        a = operand (in, dtype_arg (in));
        if (a != NULL)
          RUN (CALL, fit_tensor_dropout (a, p, rng, TRUE, &error));
      }
      break;

    case OP_TO_DTYPE:
      {
        FitDType to = dtype_arg (in);

        a = tensor_arg (in, dtype_arg (in));
        if (a != NULL)
          RUN (CALL, fit_tensor_to_dtype (a, to, &error));
      }
      break;

    case OP_ARANGE:
      {
        FitDType dtype = dtype_arg (in);
        double start = double_arg (in), end = double_arg (in), step = double_arg (in);
        double n = ceil ((end - start) / step);

        /* Counts up to 2^31 are valid, and too many to make here. */
        if (!(isfinite (n) && n > LIMIT && n <= G_MAXINT32))
          RUN (CALL, fit_tensor_new_arange (dtype, start, end, step, &error));
      }
      break;

    default:
      {
        g_autoptr(FitLoss) loss = NULL;
        gint64 ignore = byte (in) & 1 ? -100 : size_arg (in);
        double smoothing = byte (in) & 1 ? 0.0 : fabs (double_arg (in));

        a = float_arg (in);
        b = tensor_arg (in, dtype_arg (in));
        c = byte (in) & 1 ? float_arg (in) : NULL;
        wants_grad (a, in);
        if (a == NULL || b == NULL)
          break;
        if (!(smoothing <= 1))
          smoothing = 0;
        loss = byte (in) & 1
               ? fit_cross_entropy_loss_new_full (byte (in) % 3, c, ignore, smoothing)
               : fit_nll_loss_new_full (byte (in) % 3, c, ignore);
        RUN (CALL, fit_loss_compute (loss, a, b, &error));
      }
      break;
    }
  g_clear_error (&error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Input in = { data, size };

  fuzz_init ();
  if (size == 0)
    return 0;
  run_op (byte (&in) % N_OPS, &in);
  return 0;
}
