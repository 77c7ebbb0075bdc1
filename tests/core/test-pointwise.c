/* test-pointwise.c: element-wise operations, broadcasting and their gradients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

/* ---- helpers ---- */

/* Where output element @flat of shape @oshape reads an operand of shape @shape that
 * broadcasts to it: an independent restatement of NumPy's rule. */
static gint64
bcast_index (gint64        flat,
             const gint64 *oshape,
             guint         ond,
             const gint64 *shape,
             guint         nd)
{
  gint64 idx = 0, stride = 1;

  for (int d = (int) ond - 1; d >= 0; d--)
    {
      gint64 i = flat % oshape[d];
      int dd = d - (int) (ond - nd);

      flat /= oshape[d];
      if (dd >= 0)
        {
          if (shape[dd] != 1)
            idx += i * stride;
          stride *= shape[dd];
        }
    }
  return idx;
}

static double
get (FitTensor *t,
     gint64     i)
{
  switch (fit_tensor_get_dtype (t))
    {
    case FIT_DTYPE_FLOAT32:
      return ((const float *) fit_tensor_get_data (t))[i];
    case FIT_DTYPE_FLOAT64:
      return ((const double *) fit_tensor_get_data (t))[i];
    case FIT_DTYPE_INT32:
      return ((const gint32 *) fit_tensor_get_data (t))[i];
    case FIT_DTYPE_INT64:
      return (double) ((const gint64 *) fit_tensor_get_data (t))[i];
    default:
      g_assert_not_reached ();
    }
}

static void
assert_shape (FitTensor    *t,
              const gint64 *shape,
              guint         n_dims)
{
  guint nd;
  const gint64 *s = fit_tensor_get_shape (t, &nd);

  g_assert_cmpuint (nd, ==, n_dims);
  for (guint i = 0; i < nd; i++)
    g_assert_cmpint (s[i], ==, shape[i]);
}

static gboolean
close_to (double actual,
          double expected,
          double rtol)
{
  if (isnan (expected))
    return isnan (actual);
  if (isinf (expected))
    return actual == expected;
  return fabs (actual - expected) <= 1e-12 + rtol * fabs (expected);
}

#define assert_close(actual, expected, rtol)                                        \
  G_STMT_START {                                                                    \
    double a_ = (actual), e_ = (expected);                                          \
    if (!close_to (a_, e_, (rtol)))                                                 \
      g_error ("%s:%d: %s = %.17g, expected %.17g", __FILE__, __LINE__, #actual,    \
               a_, e_);                                                             \
  } G_STMT_END

typedef struct
{
  const gint64 *a;
  guint         na;
  const gint64 *b;
  guint         nb;
} ShapePair;

static const gint64 s_34[] = { 3, 4 };
static const gint64 s_4[] = { 4 };
static const gint64 s_31[] = { 3, 1 };
static const gint64 s_314[] = { 3, 1, 4 };
static const gint64 s_24[] = { 2, 4 };
static const gint64 s_23[] = { 2, 3 };
static const gint64 s_1[] = { 1 };
static const gint64 s_2134[] = { 2, 1, 3, 4 };
static const gint64 s_514[] = { 5, 1, 4 };
static const gint64 s_14[] = { 1, 4 };
static const gint64 s_43[] = { 4, 3 };
static const gint64 s_3[] = { 3 };
static const gint64 s_41[] = { 4, 1 };

/* Same shape, bias-like, trailing 1, both sides broadcast, scalar each side, 0-d with
 * 1-d, and a 4-d case whose dimensions cannot be merged. */
static const ShapePair shape_pairs[] = {
  { s_34, 2, s_34, 2 },
  { s_34, 2, s_4, 1 },
  { s_34, 2, s_31, 2 },
  { s_314, 3, s_24, 2 },
  { NULL, 0, s_23, 2 },
  { s_23, 2, NULL, 0 },
  { s_1, 1, NULL, 0 },
  { s_2134, 4, s_514, 3 },
  { s_14, 2, s_31, 2 },
  { s_43, 2, s_3, 1 },
  { s_43, 2, s_41, 2 },
};

/* ---- binary operations: forward ---- */

typedef FitTensor *(*BinaryFunc) (FitTensor *, FitTensor *, GError **);

typedef struct
{
  const char *name;
  BinaryFunc  func;
  double    (*ref) (double, double);
  double      low_a, high_a, low_b, high_b;
  gboolean    integers;
} BinaryCase;

static double r_add (double a, double b) { return a + b; }
static double r_sub (double a, double b) { return a - b; }
static double r_mul (double a, double b) { return a * b; }
static double r_div (double a, double b) { return a / b; }
static double r_pow (double a, double b) { return pow (a, b); }
static double r_max (double a, double b) { return a > b ? a : b; }
static double r_min (double a, double b) { return a < b ? a : b; }
static double r_gt (double a, double b) { return a > b; }
static double r_lt (double a, double b) { return a < b; }
static double r_eq (double a, double b) { return a == b; }

static const BinaryCase binary_cases[] = {
  { "add", fit_tensor_add, r_add, -2, 2, -2, 2, TRUE },
  { "sub", fit_tensor_sub, r_sub, -2, 2, -2, 2, TRUE },
  { "mul", fit_tensor_mul, r_mul, -2, 2, -2, 2, TRUE },
  { "div", fit_tensor_div, r_div, -2, 2, 0.5, 2, FALSE },
  { "pow", fit_tensor_pow, r_pow, 0.1, 2, -2, 2, FALSE },
  { "maximum", fit_tensor_maximum, r_max, -2, 2, -2, 2, TRUE },
  { "minimum", fit_tensor_minimum, r_min, -2, 2, -2, 2, TRUE },
  { "gt", fit_tensor_gt, r_gt, -2, 2, -2, 2, TRUE },
  { "lt", fit_tensor_lt, r_lt, -2, 2, -2, 2, TRUE },
  { "eq", fit_tensor_eq, r_eq, -2, 2, -2, 2, TRUE },
};

/* Random values in [low, high); integers are rounded so that comparisons see ties. */
static FitTensor *
random_tensor (FitRng       *rng,
               FitDType      dtype,
               const gint64 *shape,
               guint         n_dims,
               double        low,
               double        high)
{
  g_autoptr(FitTensor) t = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, shape, n_dims, low,
                                                   high);
  g_autoptr(GError) error = NULL;
  FitTensor *out;

  if (dtype == FIT_DTYPE_INT32 || dtype == FIT_DTYPE_INT64)
    {
      double *d = fit_tensor_get_data_mutable (t);

      for (gint64 i = 0; i < fit_tensor_get_numel (t); i++)
        d[i] = round (d[i] * 3);
    }
  out = fit_tensor_to_dtype (t, dtype, &error);
  g_assert_no_error (error);
  return out;
}

static void
check_binary (const BinaryCase *c,
              FitDType          dtype,
              FitTensor        *a,
              FitTensor        *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = NULL;
  gint64 oshape[FIT_MAX_DIMS];
  guint na, nb, no;
  const gint64 *sa = fit_tensor_get_shape (a, &na);
  const gint64 *sb = fit_tensor_get_shape (b, &nb);
  double rtol = dtype == FIT_DTYPE_FLOAT32 ? 1e-6 : 1e-15;

  no = MAX (na, nb);
  for (guint d = 0; d < no; d++)
    {
      gint64 da = d < no - na ? 1 : sa[d - (no - na)];
      gint64 db = d < no - nb ? 1 : sb[d - (no - nb)];

      oshape[d] = da == 1 ? db : da;
    }

  out = c->func (a, b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (out), ==, dtype);
  assert_shape (out, oshape, no);
  for (gint64 i = 0; i < fit_tensor_get_numel (out); i++)
    {
      double x = get (a, bcast_index (i, oshape, no, sa, na));
      double y = get (b, bcast_index (i, oshape, no, sb, nb));
      double expected = c->ref (x, y);

      if (dtype == FIT_DTYPE_FLOAT32 && c->ref != r_gt && c->ref != r_lt && c->ref != r_eq)
        expected = (float) c->ref ((float) x, (float) y);
      if (!close_to (get (out, i), expected, rtol))
        g_error ("%s %s element %" G_GINT64_FORMAT ": %g op %g = %.9g, expected %.9g",
                 c->name, fit_dtype_get_name (dtype), i, x, y, get (out, i), expected);
    }
}

static void
test_binary_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  const FitDType dtypes[] = { FIT_DTYPE_FLOAT32, FIT_DTYPE_FLOAT64, FIT_DTYPE_INT32,
                              FIT_DTYPE_INT64 };

  for (guint ci = 0; ci < G_N_ELEMENTS (binary_cases); ci++)
    for (guint di = 0; di < G_N_ELEMENTS (dtypes); di++)
      for (guint si = 0; si < G_N_ELEMENTS (shape_pairs); si++)
        {
          const BinaryCase *c = &binary_cases[ci];
          const ShapePair *p = &shape_pairs[si];
          g_autoptr(FitTensor) a = NULL;
          g_autoptr(FitTensor) b = NULL;

          if (!c->integers && (dtypes[di] == FIT_DTYPE_INT32 || dtypes[di] == FIT_DTYPE_INT64))
            continue;
          a = random_tensor (rng, dtypes[di], p->a, p->na, c->low_a, c->high_a);
          b = random_tensor (rng, dtypes[di], p->b, p->nb, c->low_b, c->high_b);
          check_binary (c, dtypes[di], a, b);
        }
}

static void
test_binary_same_tensor (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (2);
  g_autoptr(FitTensor) a = random_tensor (rng, FIT_DTYPE_FLOAT32, s_34, 2, -1, 1);

  for (guint ci = 0; ci < G_N_ELEMENTS (binary_cases); ci++)
    if (binary_cases[ci].ref != r_pow)
      check_binary (&binary_cases[ci], FIT_DTYPE_FLOAT32, a, a);
}

static void
test_binary_special_values (void)
{
  const double av[] = { NAN, 1, 2, -0.0, INFINITY, 3 };
  const double bv[] = { 1, NAN, 2, 0.0, 1, -INFINITY };
  const gint64 shape[] = { 6 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = fit_tensor_new_from_doubles (av, 6, shape, 1, &error);
  g_autoptr(FitTensor) b = fit_tensor_new_from_doubles (bv, 6, shape, 1, &error);
  g_autoptr(FitTensor) mx = fit_tensor_maximum (a, b, &error);
  g_autoptr(FitTensor) mn = fit_tensor_minimum (a, b, &error);
  g_autoptr(FitTensor) eq = fit_tensor_eq (a, b, &error);
  g_autoptr(FitTensor) gt = fit_tensor_gt (a, b, &error);
  const double mx_expected[] = { NAN, NAN, 2, 0.0, INFINITY, 3 };
  const double mn_expected[] = { NAN, NAN, 2, 0.0, 1, -INFINITY };
  const double eq_expected[] = { 0, 0, 1, 1, 0, 0 };
  const double gt_expected[] = { 0, 0, 0, 0, 1, 1 };

  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    {
      assert_close (get (mx, i), mx_expected[i], 0);
      assert_close (get (mn, i), mn_expected[i], 0);
      assert_close (get (eq, i), eq_expected[i], 0);
      assert_close (get (gt, i), gt_expected[i], 0);
    }
}

static void
test_binary_int_wraps (void)
{
  const gint64 shape[] = { 2 };
  const gint32 av[] = { G_MAXINT32, G_MININT32 };
  const gint32 bv[] = { 1, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = fit_tensor_new_from_data (FIT_DTYPE_INT32, shape, 1,
                                                     (const guint8 *) av, sizeof av, &error);
  g_autoptr(FitTensor) b = fit_tensor_new_from_data (FIT_DTYPE_INT32, shape, 1,
                                                     (const guint8 *) bv, sizeof bv, &error);
  g_autoptr(FitTensor) sum = fit_tensor_add (a, b, &error);
  g_autoptr(FitTensor) diff = fit_tensor_sub (a, b, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (sum), ==, FIT_DTYPE_INT32);
  g_assert_cmpfloat (get (sum, 0), ==, G_MININT32);
  g_assert_cmpfloat (get (diff, 1), ==, G_MAXINT32);
}

/* ---- unary operations: forward ---- */

typedef struct
{
  const char *name;
  FitTensor *(*func) (FitTensor *self, double p0, double p1);
  double    (*ref) (double x, double p0, double p1);
  double      p0, p1;
  double      low, high;
} UnaryCase;

static FitTensor *u_neg (FitTensor *x, double p0, double p1) { return fit_tensor_neg (x); }
static FitTensor *u_exp (FitTensor *x, double p0, double p1) { return fit_tensor_exp (x); }
static FitTensor *u_log (FitTensor *x, double p0, double p1) { return fit_tensor_log (x); }
static FitTensor *u_sqrt (FitTensor *x, double p0, double p1) { return fit_tensor_sqrt (x); }
static FitTensor *u_abs (FitTensor *x, double p0, double p1) { return fit_tensor_abs (x); }
static FitTensor *u_relu (FitTensor *x, double p0, double p1) { return fit_tensor_relu (x); }
static FitTensor *u_gelu (FitTensor *x, double p0, double p1) { return fit_tensor_gelu (x); }
static FitTensor *u_sigmoid (FitTensor *x, double p0, double p1) { return fit_tensor_sigmoid (x); }
static FitTensor *u_tanh (FitTensor *x, double p0, double p1) { return fit_tensor_tanh (x); }
static FitTensor *u_clamp (FitTensor *x, double p0, double p1) { return fit_tensor_clamp (x, p0, p1); }
static FitTensor *u_leaky (FitTensor *x, double p0, double p1) { return fit_tensor_leaky_relu (x, p0); }
static FitTensor *u_add_s (FitTensor *x, double p0, double p1) { return fit_tensor_add_scalar (x, p0); }
static FitTensor *u_mul_s (FitTensor *x, double p0, double p1) { return fit_tensor_mul_scalar (x, p0); }
static FitTensor *u_pow_s (FitTensor *x, double p0, double p1) { return fit_tensor_pow_scalar (x, p0); }

static double ru_neg (double x, double p0, double p1) { return -x; }
static double ru_exp (double x, double p0, double p1) { return exp (x); }
static double ru_log (double x, double p0, double p1) { return log (x); }
static double ru_sqrt (double x, double p0, double p1) { return sqrt (x); }
static double ru_abs (double x, double p0, double p1) { return fabs (x); }
static double ru_relu (double x, double p0, double p1) { return x > 0 ? x : 0; }
static double ru_gelu (double x, double p0, double p1) { return 0.5 * x * erfc (-x / sqrt (2)); }
static double ru_sigmoid (double x, double p0, double p1) { return 1 / (1 + exp (-x)); }
static double ru_tanh (double x, double p0, double p1) { return tanh (x); }
static double ru_clamp (double x, double p0, double p1) { return fmin (fmax (x, p0), p1); }
static double ru_leaky (double x, double p0, double p1) { return x > 0 ? x : p0 * x; }
static double ru_add_s (double x, double p0, double p1) { return x + p0; }
static double ru_mul_s (double x, double p0, double p1) { return x * p0; }
static double ru_pow_s (double x, double p0, double p1) { return pow (x, p0); }

static const UnaryCase unary_cases[] = {
  { "neg", u_neg, ru_neg, 0, 0, -3, 3 },
  { "exp", u_exp, ru_exp, 0, 0, -5, 5 },
  { "log", u_log, ru_log, 0, 0, 0.01, 5 },
  { "sqrt", u_sqrt, ru_sqrt, 0, 0, 0.01, 5 },
  { "abs", u_abs, ru_abs, 0, 0, -3, 3 },
  { "relu", u_relu, ru_relu, 0, 0, -3, 3 },
  { "gelu", u_gelu, ru_gelu, 0, 0, -6, 6 },
  { "sigmoid", u_sigmoid, ru_sigmoid, 0, 0, -30, 30 },
  { "tanh", u_tanh, ru_tanh, 0, 0, -5, 5 },
  { "clamp", u_clamp, ru_clamp, -0.5, 1, -3, 3 },
  { "clamp-open", u_clamp, ru_clamp, -INFINITY, 1, -3, 3 },
  { "leaky_relu", u_leaky, ru_leaky, 0.1, 0, -3, 3 },
  { "add_scalar", u_add_s, ru_add_s, 2.5, 0, -3, 3 },
  { "mul_scalar", u_mul_s, ru_mul_s, -1.5, 0, -3, 3 },
  { "pow_scalar-2", u_pow_s, ru_pow_s, 2, 0, -3, 3 },
  { "pow_scalar-3", u_pow_s, ru_pow_s, 3, 0, -3, 3 },
  { "pow_scalar-0", u_pow_s, ru_pow_s, 0, 0, -3, 3 },
  { "pow_scalar-1", u_pow_s, ru_pow_s, 1, 0, -3, 3 },
  { "pow_scalar-half", u_pow_s, ru_pow_s, 0.5, 0, 0.1, 3 },
  { "pow_scalar-minus-half", u_pow_s, ru_pow_s, -0.5, 0, 0.1, 3 },
  { "pow_scalar-minus-1", u_pow_s, ru_pow_s, -1, 0, 0.1, 3 },
  { "pow_scalar-2.5", u_pow_s, ru_pow_s, 2.5, 0, 0.1, 3 },
};

static void
test_unary_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  const gint64 shape[] = { 7, 9 };

  for (guint ci = 0; ci < G_N_ELEMENTS (unary_cases); ci++)
    for (FitDType dtype = FIT_DTYPE_FLOAT32; dtype <= FIT_DTYPE_FLOAT64; dtype++)
      {
        const UnaryCase *c = &unary_cases[ci];
        g_autoptr(FitTensor) x = random_tensor (rng, dtype, shape, 2, c->low, c->high);
        g_autoptr(FitTensor) y = c->func (x, c->p0, c->p1);
        double rtol = dtype == FIT_DTYPE_FLOAT32 ? 2e-6 : 1e-14;

        g_assert_cmpint (fit_tensor_get_dtype (y), ==, dtype);
        assert_shape (y, shape, 2);
        g_assert_false (fit_tensor_get_requires_grad (y));
        for (gint64 i = 0; i < 63; i++)
          {
            double expected = c->ref (get (x, i), c->p0, c->p1);

            /* float32 GELU computes 1 + erf (x/√2), as PyTorch does, which loses relative
             * precision (not absolute) in the negative tail. */
            double atol = dtype == FIT_DTYPE_FLOAT64 ? 1e-16 : c->func == u_gelu ? 5e-7 : 1e-7;

            if (!close_to (get (y, i), expected, rtol) && !(fabs (get (y, i) - expected) < atol))
              g_error ("%s %s: f(%.9g) = %.9g, expected %.9g", c->name,
                       fit_dtype_get_name (dtype), get (x, i), get (y, i), expected);
          }
      }
}

static void
test_unary_special_values (void)
{
  const double xv[] = { -1000, -80, -0.0, 0.0, 80, 1000, NAN, 1e-8 };
  const gint64 shape[] = { 8 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_doubles (xv, 8, shape, 1, &error);
  g_autoptr(FitTensor) xf = fit_tensor_to_dtype (x, FIT_DTYPE_FLOAT32, &error);
  g_autoptr(FitTensor) s = fit_tensor_sigmoid (x);
  g_autoptr(FitTensor) sf = fit_tensor_sigmoid (xf);
  g_autoptr(FitTensor) t = fit_tensor_tanh (xf);
  g_autoptr(FitTensor) r = fit_tensor_relu (x);
  g_autoptr(FitTensor) c = fit_tensor_clamp (x, -1, 1);

  g_assert_no_error (error);
  /* The tails keep their relative precision, and overflow gives 0 rather than NaN. */
  assert_close (get (s, 0), 0.0, 0);
  assert_close (get (s, 1), exp (-80) / (1 + exp (-80)), 1e-14);
  assert_close (get (sf, 1), exp (-80) / (1 + exp (-80)), 1e-6);
  assert_close (get (s, 2), 0.5, 0);
  assert_close (get (s, 5), 1.0, 0);
  assert_close (get (s, 7), 0.5 + 0.25e-8, 1e-15);
  g_assert_true (isnan (get (s, 6)));
  assert_close (get (t, 0), -1.0, 0);
  assert_close (get (t, 5), 1.0, 0);
  assert_close (get (t, 7), 1e-8, 1e-6);
  g_assert_true (isnan (get (r, 6)));
  g_assert_true (isnan (get (c, 6)));
  assert_close (get (c, 0), -1, 0);
  assert_close (get (c, 5), 1, 0);
}

static void
test_unary_integers (void)
{
  const gint64 v[] = { -3, 0, 2 };
  const gint64 shape[] = { 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_int64s (v, 3, shape, 1, &error);
  g_autoptr(FitTensor) neg = fit_tensor_neg (x);
  g_autoptr(FitTensor) abs = fit_tensor_abs (x);
  g_autoptr(FitTensor) relu = fit_tensor_relu (x);
  g_autoptr(FitTensor) e = fit_tensor_exp (x);
  g_autoptr(FitTensor) half = fit_tensor_mul_scalar (x, 0.5);

  g_assert_no_error (error);
  /* Sign changes keep the integer type; anything with a double or a transcendental
   * function gives float32, as in PyTorch. */
  g_assert_cmpint (fit_tensor_get_dtype (neg), ==, FIT_DTYPE_INT64);
  g_assert_cmpint (fit_tensor_get_dtype (abs), ==, FIT_DTYPE_INT64);
  g_assert_cmpint (fit_tensor_get_dtype (relu), ==, FIT_DTYPE_INT64);
  g_assert_cmpint (fit_tensor_get_dtype (e), ==, FIT_DTYPE_FLOAT32);
  g_assert_cmpint (fit_tensor_get_dtype (half), ==, FIT_DTYPE_FLOAT32);
  g_assert_cmpfloat (get (neg, 0), ==, 3);
  g_assert_cmpfloat (get (abs, 0), ==, 3);
  g_assert_cmpfloat (get (relu, 0), ==, 0);
  g_assert_cmpfloat (get (relu, 2), ==, 2);
  assert_close (get (e, 2), exp (2), 1e-6);
  g_assert_cmpfloat (get (half, 0), ==, -1.5);
}

/* ---- selections ---- */

static void
test_where_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (4);
  const gint64 cshape[] = { 3, 1 };
  const gint64 ashape[] = { 4 };
  const gint64 bshape[] = { 2, 1, 1 };
  const gint64 oshape[] = { 2, 3, 4 };
  const gint64 cv[] = { 0, 5, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) cond = fit_tensor_new_from_int64s (cv, 3, cshape, 2, &error);
  g_autoptr(FitTensor) a = random_tensor (rng, FIT_DTYPE_FLOAT32, ashape, 1, -1, 1);
  g_autoptr(FitTensor) b = random_tensor (rng, FIT_DTYPE_FLOAT32, bshape, 3, -1, 1);
  g_autoptr(FitTensor) out = fit_tensor_where (cond, a, b, &error);

  g_assert_no_error (error);
  assert_shape (out, oshape, 3);
  for (gint64 i = 0; i < 24; i++)
    {
      double c = get (cond, bcast_index (i, oshape, 3, cshape, 2));
      double expected = c != 0 ? get (a, bcast_index (i, oshape, 3, ashape, 1))
                               : get (b, bcast_index (i, oshape, 3, bshape, 3));

      g_assert_cmpfloat (get (out, i), ==, expected);
    }
}

static void
test_masked_fill_values (void)
{
  const double xv[] = { 1, 2, 3, 4, 5, 6 };
  const double mv[] = { 0, 0.5, NAN };
  const gint64 xshape[] = { 2, 3 };
  const gint64 mshape[] = { 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_doubles (xv, 6, xshape, 2, &error);
  g_autoptr(FitTensor) m = fit_tensor_new_from_doubles (mv, 3, mshape, 1, &error);
  g_autoptr(FitTensor) m32 = fit_tensor_to_dtype (m, FIT_DTYPE_FLOAT32, &error);
  g_autoptr(FitTensor) out = fit_tensor_masked_fill (x, m, -INFINITY, &error);
  g_autoptr(FitTensor) out2 = fit_tensor_masked_fill (x, m32, 7, &error);
  const double expected[] = { 1, -INFINITY, -INFINITY, 4, -INFINITY, -INFINITY };
  const double expected2[] = { 1, 7, 7, 4, 7, 7 };

  g_assert_no_error (error);
  assert_shape (out, xshape, 2);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_cmpfloat (get (out, i), ==, expected[i]);
      g_assert_cmpfloat (get (out2, i), ==, expected2[i]);
    }
}

/* ---- gradients ---- */

static FitTensor *
gc_binary (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  return ((const BinaryCase *) data)->func (in[0], in[1], error);
}

static void
test_binary_gradients (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (5);

  for (guint ci = 0; ci < G_N_ELEMENTS (binary_cases); ci++)
    {
      const BinaryCase *c = &binary_cases[ci];

      if (c->ref == r_gt || c->ref == r_lt || c->ref == r_eq)
        continue;
      for (guint si = 0; si < G_N_ELEMENTS (shape_pairs); si++)
        for (guint which = 0; which < 3; which++)
          {
            const ShapePair *p = &shape_pairs[si];
            g_autoptr(FitTensor) a = fit_gradcheck_input (rng, p->a, p->na, c->low_a, c->high_a);
            g_autoptr(FitTensor) b = fit_gradcheck_input (rng, p->b, p->nb, c->low_b, c->high_b);
            FitTensor *in[2] = { a, b };

            /* Both operands, then each alone (the other a constant). */
            if (which == 1)
              fit_tensor_set_requires_grad (b, FALSE);
            if (which == 2)
              fit_tensor_set_requires_grad (a, FALSE);
            fit_gradcheck (gc_binary, (gpointer) c, in, 2, 1e-6, 1e-6);
          }
    }
}

static void
test_mul_same_tensor_gradient (void)
{
  const double v[] = { 1.5, -2 };
  const gint64 shape[] = { 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_doubles (v, 2, shape, 1, &error);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) ones = fit_tensor_new_full (FIT_DTYPE_FLOAT64, shape, 1, 1);
  FitTensor *grad;

  fit_tensor_set_requires_grad (x, TRUE);
  y = fit_tensor_mul (x, x, &error);
  g_assert_cmpstr (fit_tensor_get_grad_fn_name (y), ==, "mul");
  g_assert_true (fit_tensor_backward_full (y, ones, FALSE, &error));
  g_assert_no_error (error);
  grad = fit_tensor_get_grad (x);
  g_assert_cmpfloat (get (grad, 0), ==, 3);
  g_assert_cmpfloat (get (grad, 1), ==, -4);
}

static FitTensor *
gc_unary (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  const UnaryCase *c = data;

  return c->func (in[0], c->p0, c->p1);
}

static void
test_unary_gradients (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (6);
  const gint64 shape[] = { 3, 5 };

  for (guint ci = 0; ci < G_N_ELEMENTS (unary_cases); ci++)
    {
      const UnaryCase *c = &unary_cases[ci];
      double low = c->low, high = c->high;
      g_autoptr(FitTensor) x = NULL;

      if (c->func == u_sigmoid)
        low = -6, high = 6;
      x = fit_gradcheck_input (rng, shape, 2, low, high);
      fit_gradcheck (gc_unary, (gpointer) c, &x, 1, 1e-6, 1e-6);
    }
}

/* The PyTorch conventions at the kinks and ties, which finite differences cannot
 * check. */
static void
test_gradient_conventions (void)
{
  const double xv[] = { -1, 0, 1, 2 };
  const double yv[] = { 0, 0, 3, 2 };
  const gint64 shape[] = { 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_doubles (xv, 4, shape, 1, &error);
  g_autoptr(FitTensor) y = fit_tensor_new_from_doubles (yv, 4, shape, 1, &error);
  g_autoptr(FitTensor) ones = fit_tensor_new_full (FIT_DTYPE_FLOAT64, shape, 1, 1);
  struct {
    const char *name;
    double      expected_x[4];
    double      expected_y[4];
  } cases[] = {
    { "relu", { 0, 0, 1, 1 }, { 0 } },
    { "abs", { -1, 0, 1, 1 }, { 0 } },
    { "clamp", { 1, 1, 1, 0 }, { 0 } },   /* clamp (x, -1, 1): bounds included */
    { "leaky_relu", { 0.1, 0.1, 1, 1 }, { 0 } },
    { "maximum", { 0, 0.5, 0, 0.5 }, { 1, 0.5, 1, 0.5 } },
    { "minimum", { 1, 0.5, 1, 0.5 }, { 0, 0.5, 0, 0.5 } },
    { "pow_scalar-0", { 0, 0, 0, 0 }, { 0 } },
  };

  g_assert_no_error (error);
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      g_autoptr(FitTensor) out = NULL;
      const char *name = cases[ci].name;
      gboolean binary = g_str_equal (name, "maximum") || g_str_equal (name, "minimum");

      fit_tensor_set_requires_grad (x, TRUE);
      fit_tensor_set_requires_grad (y, TRUE);
      fit_tensor_set_grad (x, NULL);
      fit_tensor_set_grad (y, NULL);
      if (g_str_equal (name, "relu"))
        out = fit_tensor_relu (x);
      else if (g_str_equal (name, "abs"))
        out = fit_tensor_abs (x);
      else if (g_str_equal (name, "clamp"))
        out = fit_tensor_clamp (x, -1, 1);
      else if (g_str_equal (name, "leaky_relu"))
        out = fit_tensor_leaky_relu (x, 0.1);
      else if (g_str_equal (name, "maximum"))
        out = fit_tensor_maximum (x, y, &error);
      else if (g_str_equal (name, "minimum"))
        out = fit_tensor_minimum (x, y, &error);
      else
        out = fit_tensor_pow_scalar (x, 0);
      g_assert_no_error (error);
      g_assert_true (fit_tensor_backward_full (out, ones, FALSE, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < 4; i++)
        {
          g_assert_cmpfloat (get (fit_tensor_get_grad (x), i), ==, cases[ci].expected_x[i]);
          if (binary)
            g_assert_cmpfloat (get (fit_tensor_get_grad (y), i), ==, cases[ci].expected_y[i]);
        }
    }
}

typedef struct
{
  FitTensor *cond;
  double     value;
  gboolean   masked_fill;
} SelectData;

static FitTensor *
gc_select (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  const SelectData *d = data;

  if (d->masked_fill)
    return fit_tensor_masked_fill (in[0], d->cond, d->value, error);
  return fit_tensor_where (d->cond, in[0], in[1], error);
}

static void
test_select_gradients (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (7);
  const gint64 cshape[] = { 3, 1 };
  const gint64 ashape[] = { 2, 1, 4 };
  const gint64 bshape[] = { 4 };
  const gint64 xshape[] = { 3, 4 };
  const gint64 cv[] = { 1, 0, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) cond = fit_tensor_new_from_int64s (cv, 3, cshape, 2, &error);
  g_autoptr(FitTensor) uniform = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, ashape, 3, -1, 1);
  g_autoptr(FitTensor) fcond = fit_tensor_relu (uniform);   /* about half zeros */
  g_autoptr(FitTensor) a = fit_gradcheck_input (rng, ashape, 3, -1, 1);
  g_autoptr(FitTensor) b = fit_gradcheck_input (rng, bshape, 1, -1, 1);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, xshape, 2, -1, 1);
  g_autoptr(FitTensor) small = fit_gradcheck_input (rng, bshape, 1, -1, 1);
  SelectData where = { cond, 0, FALSE };
  SelectData where_f = { fcond, 0, FALSE };
  SelectData fill = { cond, -3, TRUE };
  FitTensor *ab[2] = { a, b };

  g_assert_no_error (error);
  fit_gradcheck (gc_select, &where, ab, 2, 1e-6, 1e-6);
  fit_gradcheck (gc_select, &where_f, ab, 2, 1e-6, 1e-6);
  fit_gradcheck (gc_select, &fill, &x, 1, 1e-6, 1e-6);
  /* masked_fill broadcasts self up to the mask's shape too. */
  fit_gradcheck (gc_select, &fill, &small, 1, 1e-6, 1e-6);
}

static FitTensor *
gc_chain (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  g_autoptr(FitTensor) h = fit_tensor_mul (in[0], in[1], error);
  g_autoptr(FitTensor) z = fit_tensor_add (h, in[2], error);
  g_autoptr(FitTensor) s = fit_tensor_sigmoid (z);
  g_autoptr(FitTensor) t = fit_tensor_tanh (s);

  return fit_tensor_sub (t, in[0], error);
}

static void
test_chain_gradient (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (8);
  const gint64 xshape[] = { 5, 3 };
  const gint64 wshape[] = { 3 };
  const gint64 bshape[] = { 5, 1 };
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, xshape, 2, -2, 2);
  g_autoptr(FitTensor) w = fit_gradcheck_input (rng, wshape, 1, -2, 2);
  g_autoptr(FitTensor) b = fit_gradcheck_input (rng, bshape, 2, -2, 2);
  FitTensor *in[3] = { x, w, b };

  fit_gradcheck (gc_chain, NULL, in, 3, 1e-6, 1e-6);
}

/* Grad mode off records nothing; comparisons never require a gradient; the saved
 * output does not keep itself alive. */
static void
test_recording (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (9);
  const gint64 shape[] = { 4 };
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 1, -1, 1);
  g_autoptr(GError) error = NULL;
  FitTensor *y;
  gboolean was;

  y = fit_tensor_exp (x);
  g_assert_cmpstr (fit_tensor_get_grad_fn_name (y), ==, "exp");
  g_object_add_weak_pointer (G_OBJECT (y), (gpointer *) &y);
  g_object_unref (y);
  g_assert_null (y);

  y = fit_tensor_gt (x, x, &error);
  g_assert_no_error (error);
  g_assert_false (fit_tensor_get_requires_grad (y));
  g_object_unref (y);

  was = fit_grad_set_enabled (FALSE);
  y = fit_tensor_sigmoid (x);
  fit_grad_set_enabled (was);
  g_assert_false (fit_tensor_get_requires_grad (y));
  g_assert_null (fit_tensor_get_grad_fn_name (y));
  g_object_unref (y);
}

/* ---- the threaded paths ---- */

static void
test_large (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (10);
  const gint64 big[] = { 300, 211 };
  const gint64 row[] = { 211 };
  const gint64 col[] = { 300, 1 };
  const gint64 wide[] = { 2, 50001 };
  const gint64 wide_col[] = { 2, 1 };
  const gint64 scalar_shape[] = { 1 };
  struct { const gint64 *a; guint na; const gint64 *b; guint nb; } cases[] = {
    { big, 2, big, 2 },
    { big, 2, row, 1 },
    { big, 2, col, 2 },
    { wide, 2, wide_col, 2 },
    { wide, 2, scalar_shape, 1 },
  };
  guint saved = fit_get_num_threads ();

  fit_set_num_threads (2);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FitTensor) a = fit_gradcheck_input (rng, cases[i].a, cases[i].na, -1, 1);
      g_autoptr(FitTensor) b = fit_gradcheck_input (rng, cases[i].b, cases[i].nb, -1, 1);
      g_autoptr(FitTensor) out = NULL;
      g_autoptr(FitTensor) gout = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree double *ga = NULL;
      g_autofree double *gb = NULL;
      gint64 n, nb = fit_tensor_get_numel (b);
      guint no;
      const gint64 *oshape;

      /* Forward values, and d sum (a * b * g) against sums done here. */
      out = fit_tensor_mul (a, b, &error);
      g_assert_no_error (error);
      oshape = fit_tensor_get_shape (out, &no);
      n = fit_tensor_get_numel (out);
      gout = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, oshape, no, -1, 1);
      g_assert_true (fit_tensor_backward_full (out, gout, FALSE, &error));
      g_assert_no_error (error);
      ga = g_new0 (double, n);
      gb = g_new0 (double, nb);
      for (gint64 j = 0; j < n; j++)
        {
          gint64 ib = bcast_index (j, oshape, no, cases[i].b, cases[i].nb);

          assert_close (get (out, j), get (a, j) * get (b, ib), 1e-15);
          ga[j] = get (gout, j) * get (b, ib);
          gb[ib] += get (gout, j) * get (a, j);
        }
      for (gint64 j = 0; j < n; j++)
        assert_close (get (fit_tensor_get_grad (a), j), ga[j], 1e-15);
      for (gint64 j = 0; j < nb; j++)
        assert_close (get (fit_tensor_get_grad (b), j), gb[j], 1e-10);
    }
  fit_set_num_threads (saved);
}

static void
test_large_unary (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (11);
  const gint64 shape[] = { 70001 };
  g_autoptr(FitTensor) x = random_tensor (rng, FIT_DTYPE_FLOAT32, shape, 1, -3, 3);
  g_autoptr(FitTensor) y = NULL;
  guint saved = fit_get_num_threads ();

  fit_set_num_threads (2);
  y = fit_tensor_tanh (x);
  for (gint64 i = 0; i < shape[0]; i++)
    assert_close (get (y, i), tanh (get (x, i)), 2e-6);
  fit_set_num_threads (saved);
}

/* ---- errors ---- */

static void
test_errors (void)
{
  const gint64 s_a[] = { 2, 3 };
  const gint64 s_b[] = { 4 };
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s_a, 2);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s_b, 1);
  g_autoptr(FitTensor) d = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, s_a, 2);
  g_autoptr(FitTensor) i = fit_tensor_new_zeros (FIT_DTYPE_INT64, s_a, 2);
  g_autoptr(FitTensor) c = fit_tensor_new_zeros (FIT_DTYPE_INT64, s_b, 1);
  BinaryFunc funcs[] = { fit_tensor_add, fit_tensor_sub, fit_tensor_mul, fit_tensor_div,
                         fit_tensor_pow, fit_tensor_maximum, fit_tensor_minimum,
                         fit_tensor_gt, fit_tensor_lt, fit_tensor_eq };

  for (guint k = 0; k < G_N_ELEMENTS (funcs); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FitTensor) out = funcs[k] (a, b, &error);

      g_assert_null (out);
      g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
      g_assert_nonnull (strstr (error->message, "[2, 3]"));
      g_assert_nonnull (strstr (error->message, "[4]"));
      g_clear_error (&error);

      out = funcs[k] (a, d, &error);
      g_assert_null (out);
      g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
      g_assert_nonnull (strstr (error->message, "float32"));
      g_assert_nonnull (strstr (error->message, "float64"));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FitTensor) out = fit_tensor_div (i, i, &error);

    g_assert_null (out);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
    g_assert_nonnull (strstr (error->message, "fit_tensor_div"));
    g_assert_nonnull (strstr (error->message, "int64"));
    g_clear_error (&error);

    out = fit_tensor_pow (i, i, &error);
    g_assert_null (out);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FitTensor) out = fit_tensor_where (c, a, a, &error);

    g_assert_null (out);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "[4]"));
    g_assert_nonnull (strstr (error->message, "[2, 3]"));
    g_clear_error (&error);

    out = fit_tensor_where (c, b, d, &error);
    g_assert_null (out);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
    g_clear_error (&error);

    out = fit_tensor_masked_fill (a, c, 1, &error);
    g_assert_null (out);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "fit_tensor_masked_fill"));
  }
}

static void
test_empty (void)
{
  const gint64 s0[] = { 0, 3 };
  const gint64 s3[] = { 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, s0, 2);
  g_autoptr(FitTensor) b = fit_tensor_new_full (FIT_DTYPE_FLOAT64, s3, 1, 2);
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(FitTensor) e = NULL;

  fit_tensor_set_requires_grad (b, TRUE);
  out = fit_tensor_mul (a, b, &error);
  g_assert_no_error (error);
  assert_shape (out, s0, 2);
  e = fit_tensor_exp (out);
  assert_shape (e, s0, 2);
  g_assert_true (fit_tensor_backward_full (e, e, FALSE, &error));
  g_assert_no_error (error);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (get (fit_tensor_get_grad (b), k), ==, 0);
}

/* The most negative integers have no negation: as in PyTorch they wrap to themselves
 * (a signed negation would be undefined). */
static void
test_unary_integer_extremes (void)
{
  const gint64 v64[] = { G_MININT64, -G_MAXINT64, 7 };
  const gint32 v32[] = { G_MININT32, -G_MAXINT32, -7 };
  const gint64 shape[] = { 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x64 = fit_tensor_new_from_int64s (v64, 3, shape, 1, &error);
  g_autoptr(FitTensor) x32 = fit_tensor_new_from_data (FIT_DTYPE_INT32, shape, 1,
                                                       (const guint8 *) v32, sizeof v32,
                                                       &error);
  g_autoptr(FitTensor) neg64 = fit_tensor_neg (x64);
  g_autoptr(FitTensor) abs64 = fit_tensor_abs (x64);
  g_autoptr(FitTensor) neg32 = fit_tensor_neg (x32);
  g_autoptr(FitTensor) abs32 = fit_tensor_abs (x32);
  const gint64 *n64 = fit_tensor_get_data (neg64), *a64 = fit_tensor_get_data (abs64);
  const gint32 *n32 = fit_tensor_get_data (neg32), *a32 = fit_tensor_get_data (abs32);

  g_assert_no_error (error);
  g_assert_cmpint (n64[0], ==, G_MININT64);
  g_assert_cmpint (a64[0], ==, G_MININT64);
  g_assert_cmpint (n64[1], ==, G_MAXINT64);
  g_assert_cmpint (a64[1], ==, G_MAXINT64);
  g_assert_cmpint (n64[2], ==, -7);
  g_assert_cmpint (a64[2], ==, 7);
  g_assert_cmpint (n32[0], ==, G_MININT32);
  g_assert_cmpint (a32[0], ==, G_MININT32);
  g_assert_cmpint (n32[1], ==, G_MAXINT32);
  g_assert_cmpint (a32[1], ==, G_MAXINT32);
  g_assert_cmpint (n32[2], ==, 7);
  g_assert_cmpint (a32[2], ==, 7);
}

/* A fill value an integer tensor cannot hold is an error; converting it used to be
 * undefined. */
static void
test_masked_fill_integer_value (void)
{
  const gint32 v[] = { 1, 2, 3 };
  const gint64 shape[] = { 3 };
  const double bad[] = { NAN, INFINITY, -INFINITY, 3e9, -2147483649.0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_data (FIT_DTYPE_INT32, shape, 1,
                                                     (const guint8 *) v, sizeof v, &error);
  g_autoptr(FitTensor) mask = fit_tensor_new_full (FIT_DTYPE_INT32, shape, 1, 1);
  g_autoptr(FitTensor) fine = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(FitTensor) out = fit_tensor_masked_fill (x, mask, bad[i], &error);

      g_assert_null (out);
      g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "int32"));
      g_clear_error (&error);
    }

  /* In range: truncated towards zero, as a conversion does. */
  fine = fit_tensor_masked_fill (x, mask, -2147483648.9, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((const gint32 *) fit_tensor_get_data (fine))[2], ==, G_MININT32);
}

/* Empty operands keep their other sizes, and broadcasting two of them can give a shape
 * no tensor can have; that used to be allocated with a wrapped-around size. */
static void
test_broadcast_overflow (void)
{
  const gint64 sa[] = { G_GINT64_CONSTANT (1) << 59, 1, 0 };
  const gint64 sb[] = { 1, 16, 0 };
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, sa, 3);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, sb, 3);
  g_autoptr(FitTensor) small = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, sa + 1, 2);
  g_autoptr(GError) error = NULL;
  FitTensor *out;

  out = fit_tensor_add (a, b, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[576460752303423488, 16, 0]"));
  g_clear_error (&error);

  out = fit_tensor_masked_fill (a, b, 1.0, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  /* The values broadcast to [2^59, 1, 0]; the condition takes it past. */
  out = fit_tensor_where (b, a, small, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Tensor/pointwise/binary/values", test_binary_values);
  g_test_add_func ("/Fit/Tensor/pointwise/binary/same-tensor", test_binary_same_tensor);
  g_test_add_func ("/Fit/Tensor/pointwise/binary/special-values", test_binary_special_values);
  g_test_add_func ("/Fit/Tensor/pointwise/binary/int-wraps", test_binary_int_wraps);
  g_test_add_func ("/Fit/Tensor/pointwise/binary/gradients", test_binary_gradients);
  g_test_add_func ("/Fit/Tensor/pointwise/binary/same-tensor-gradient",
                   test_mul_same_tensor_gradient);
  g_test_add_func ("/Fit/Tensor/pointwise/unary/values", test_unary_values);
  g_test_add_func ("/Fit/Tensor/pointwise/unary/special-values", test_unary_special_values);
  g_test_add_func ("/Fit/Tensor/pointwise/unary/integers", test_unary_integers);
  g_test_add_func ("/Fit/Tensor/pointwise/unary/gradients", test_unary_gradients);
  g_test_add_func ("/Fit/Tensor/pointwise/gradient-conventions", test_gradient_conventions);
  g_test_add_func ("/Fit/Tensor/pointwise/where/values", test_where_values);
  g_test_add_func ("/Fit/Tensor/pointwise/masked-fill/values", test_masked_fill_values);
  g_test_add_func ("/Fit/Tensor/pointwise/select/gradients", test_select_gradients);
  g_test_add_func ("/Fit/Tensor/pointwise/chain-gradient", test_chain_gradient);
  g_test_add_func ("/Fit/Tensor/pointwise/recording", test_recording);
  g_test_add_func ("/Fit/Tensor/pointwise/large", test_large);
  g_test_add_func ("/Fit/Tensor/pointwise/large-unary", test_large_unary);
  g_test_add_func ("/Fit/Tensor/pointwise/errors", test_errors);
  g_test_add_func ("/Fit/Tensor/pointwise/empty", test_empty);
  g_test_add_func ("/Fit/Tensor/pointwise/unary/integer-extremes", test_unary_integer_extremes);
  g_test_add_func ("/Fit/Tensor/pointwise/masked-fill/integer-value",
                   test_masked_fill_integer_value);
  g_test_add_func ("/Fit/Tensor/pointwise/broadcast-overflow", test_broadcast_overflow);

  return g_test_run ();
}
