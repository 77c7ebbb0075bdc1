/* test-reduce.c: reductions, softmax, matmul and linear against naive loops and
 * finite differences
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "../gradcheck.h"

typedef enum { K_SUM, K_MEAN, K_VAR } Kind;

/* ---- helpers ---- */

static FitTensor *
random_tensor (FitRng       *rng,
               FitDType      dtype,
               const gint64 *shape,
               guint         n_dims)
{
  return fit_tensor_new_uniform (rng, dtype, shape, n_dims, -1.0, 1.0);
}

static double *
values (FitTensor *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) d = fit_tensor_to_dtype (t, FIT_DTYPE_FLOAT64, &error);
  gsize n;

  g_assert_no_error (error);
  return fit_tensor_to_doubles (d, &n);
}

static void
assert_shape (FitTensor    *t,
              const gint64 *shape,
              guint         n_dims)
{
  guint n;
  const gint64 *s = fit_tensor_get_shape (t, &n);

  g_assert_cmpuint (n, ==, n_dims);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (s[i], ==, shape[i]);
}

static void
assert_close (double actual,
              double expected,
              double rtol,
              double atol)
{
  if (!(fabs (actual - expected) <= atol + rtol * fabs (expected)) &&
      !(isnan (actual) && isnan (expected)))
    g_error ("%.10g is not close to %.10g", actual, expected);
}

/* Multi-index of flat index @i in @shape. */
static void
unravel (gint64        i,
         const gint64 *shape,
         guint         n,
         gint64       *idx)
{
  for (guint d = n; d-- > 0;)
    {
      idx[d] = i % shape[d];
      i /= shape[d];
    }
}

/* Output position of input element @idx when the dimensions in @mask are reduced. */
static gint64
out_index (const gint64 *idx,
           const gint64 *shape,
           guint         n,
           guint32       mask)
{
  gint64 o = 0;

  for (guint d = 0; d < n; d++)
    if (!(mask & (1u << d)))
      o = o * shape[d] + idx[d];
  return o;
}

static guint32
dims_mask (const int *dims,
           guint      n_dims,
           guint      rank)
{
  guint32 mask = 0;

  if (n_dims == 0)
    return (1u << rank) - 1;
  for (guint i = 0; i < n_dims; i++)
    mask |= 1u << (dims[i] < 0 ? dims[i] + (int) rank : dims[i]);
  return mask;
}

/* ---- sum, mean, var against naive loops ---- */

static void
check_reduce (FitRng       *rng,
              FitDType      dtype,
              const gint64 *shape,
              guint         rank,
              const int    *dims,
              guint         n_dims,
              gboolean      keep,
              Kind          kind,
              int           correction)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = random_tensor (rng, dtype, shape, rank);
  g_autoptr(FitTensor) out = NULL;
  g_autofree double *xv = values (x);
  g_autofree double *ov = NULL;
  g_autofree double *sum = NULL, *abs_sum = NULL, *sq = NULL, *count = NULL;
  guint32 mask = dims_mask (dims, n_dims, rank);
  gint64 numel = fit_tensor_get_numel (x);
  gint64 n_out = 1, expect_shape[8];
  guint en = 0;
  double rtol = dtype == FIT_DTYPE_FLOAT32 ? 1e-5 : 1e-12;

  for (guint d = 0; d < rank; d++)
    {
      if (!(mask & (1u << d)))
        n_out *= shape[d];
      if (!(mask & (1u << d)))
        expect_shape[en++] = shape[d];
      else if (keep)
        expect_shape[en++] = 1;
    }

  if (kind == K_SUM)
    out = fit_tensor_sum (x, dims, n_dims, keep, &error);
  else if (kind == K_MEAN)
    out = fit_tensor_mean (x, dims, n_dims, keep, &error);
  else
    out = fit_tensor_var (x, dims, n_dims, keep, correction, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (out), ==, dtype);
  assert_shape (out, expect_shape, en);
  ov = values (out);

  sum = g_new0 (double, n_out);
  abs_sum = g_new0 (double, n_out);
  sq = g_new0 (double, n_out);
  count = g_new0 (double, n_out);
  for (gint64 i = 0; i < numel; i++)
    {
      gint64 idx[8];
      gint64 o;

      unravel (i, shape, rank, idx);
      o = out_index (idx, shape, rank, mask);
      sum[o] += xv[i];
      abs_sum[o] += fabs (xv[i]);
      count[o] += 1;
    }
  for (gint64 i = 0; i < numel; i++)
    {
      gint64 idx[8];
      gint64 o;
      double dev;

      unravel (i, shape, rank, idx);
      o = out_index (idx, shape, rank, mask);
      dev = xv[i] - sum[o] / count[o];
      sq[o] += dev * dev;
    }
  for (gint64 o = 0; o < n_out; o++)
    {
      if (kind == K_SUM)
        assert_close (ov[o], sum[o], rtol, rtol * abs_sum[o]);
      else if (kind == K_MEAN)
        assert_close (ov[o], sum[o] / count[o], rtol, rtol * abs_sum[o] / count[o]);
      else
        assert_close (ov[o], sq[o] / MAX (0, count[o] - correction), 10 * rtol, 1e-7);
    }
}

static void
test_reduce_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  const gint64 shape[] = { 3, 4, 5, 6 };
  const struct { int dims[4]; guint n; } sets[] = {
    { { 0 }, 0 }, { { 0 }, 1 }, { { 1 }, 1 }, { { 3 }, 1 }, { { -1 }, 1 }, { { -2 }, 1 },
    { { 0, 2 }, 2 }, { { 1, 3 }, 2 }, { { 2, 0 }, 2 }, { { 1, 2 }, 2 }, { { 0, 1, 2, 3 }, 4 },
    { { 0, 1, 3 }, 3 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    for (int keep = 0; keep < 2; keep++)
      for (int dt = 0; dt < 2; dt++)
        {
          FitDType dtype = dt ? FIT_DTYPE_FLOAT64 : FIT_DTYPE_FLOAT32;

          check_reduce (rng, dtype, shape, 4, sets[s].dims, sets[s].n, keep, K_SUM, 0);
          check_reduce (rng, dtype, shape, 4, sets[s].dims, sets[s].n, keep, K_MEAN, 0);
          check_reduce (rng, dtype, shape, 4, sets[s].dims, sets[s].n, keep, K_VAR, 1);
          check_reduce (rng, dtype, shape, 4, sets[s].dims, sets[s].n, keep, K_VAR, 0);
        }
}

static void
test_reduce_odd_shapes (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (2);
  const gint64 s1[] = { 3, 1, 5 };
  const gint64 s2[] = { 1 };
  const gint64 s3[] = { 7, 1, 1, 2 };
  const int d1[] = { 1 };
  const int d2[] = { 0, 2 };
  const int d3[] = { 1, 2 };

  check_reduce (rng, FIT_DTYPE_FLOAT32, s1, 3, d1, 1, FALSE, K_SUM, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s1, 3, d2, 2, TRUE, K_MEAN, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT64, s2, 1, NULL, 0, FALSE, K_SUM, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT64, s2, 1, NULL, 0, TRUE, K_VAR, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s3, 4, d3, 2, FALSE, K_VAR, 1);
  check_reduce (rng, FIT_DTYPE_FLOAT64, NULL, 0, NULL, 0, FALSE, K_SUM, 0);
}

/* Large enough to take the threaded paths and the blocked float32 sums. */
static void
test_reduce_large (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  const gint64 s1[] = { 300, 257 };
  const gint64 s2[] = { 5, 40000 };
  const gint64 s3[] = { 70000 };
  const gint64 s4[] = { 40, 300, 7 };
  const int d0[] = { 0 };
  const int d1[] = { 1 };
  const int d02[] = { 0, 2 };

  check_reduce (rng, FIT_DTYPE_FLOAT32, s1, 2, d0, 1, FALSE, K_SUM, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s1, 2, d1, 1, FALSE, K_SUM, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s1, 2, NULL, 0, FALSE, K_MEAN, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s2, 2, d1, 1, TRUE, K_VAR, 1);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s2, 2, d0, 1, TRUE, K_VAR, 1);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s3, 1, NULL, 0, FALSE, K_SUM, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT64, s3, 1, NULL, 0, FALSE, K_VAR, 1);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s4, 3, d1, 1, FALSE, K_MEAN, 0);
  check_reduce (rng, FIT_DTYPE_FLOAT32, s4, 3, d02, 2, FALSE, K_SUM, 0);
}

/* Float32 sums of many equal values: a plain float loop would drift far off. */
static void
test_reduce_accuracy (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 shape[] = { 1 << 22 };
  g_autoptr(FitTensor) x = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 1, 0.1);
  g_autoptr(FitTensor) s = fit_tensor_sum (x, NULL, 0, FALSE, &error);
  g_autoptr(FitTensor) v = NULL;
  double value;

  g_assert_no_error (error);
  g_assert_true (fit_tensor_item (s, &value, &error));
  assert_close (value, 0.1f * (double) (1 << 22), 1e-6, 0);

  /* Two-pass variance: a large mean does not swamp a small spread. */
  {
    const float data[] = { 10000.0f, 10000.5f, 10001.0f, 10001.5f };
    g_autoptr(FitTensor) y = fit_tensor_new_from_floats (data, 4, (gint64[]) { 4 }, 1, &error);

    v = fit_tensor_var (y, NULL, 0, FALSE, 1, &error);
    g_assert_no_error (error);
    g_assert_true (fit_tensor_item (v, &value, &error));
    assert_close (value, 0.4166666667, 1e-6, 0);
  }
}

static void
test_reduce_integers (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 data[] = { 1, 2, 3, 4, 5, 6 };
  g_autoptr(FitTensor) x = fit_tensor_new_from_int64s (data, 6, (gint64[]) { 2, 3 }, 2, &error);
  g_autoptr(FitTensor) s = fit_tensor_sum (x, (int[]) { 0 }, 1, FALSE, &error);
  g_autoptr(FitTensor) m = NULL;
  g_autofree gint64 *v = NULL;
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (s), ==, FIT_DTYPE_INT64);
  v = fit_tensor_to_int64s (s, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (v[0], ==, 5);
  g_assert_cmpint (v[1], ==, 7);
  g_assert_cmpint (v[2], ==, 9);

  m = fit_tensor_mean (x, NULL, 0, FALSE, &error);
  g_assert_null (m);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
}

/* ---- max, min, argmax ---- */

static void
check_extreme (FitRng       *rng,
               FitDType      dtype,
               const gint64 *shape,
               guint         rank,
               int           dim,
               gboolean      keep)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = random_tensor (rng, dtype, shape, rank);
  g_autoptr(FitTensor) mx = fit_tensor_max (x, dim, keep, &error);
  g_autoptr(FitTensor) mn = fit_tensor_min (x, dim, keep, &error);
  g_autoptr(FitTensor) am = fit_tensor_argmax (x, dim, keep, &error);
  g_autofree double *xv = values (x);
  g_autofree double *mxv = values (mx);
  g_autofree double *mnv = values (mn);
  g_autofree gint64 *amv = NULL;
  int d = dim < 0 ? dim + (int) rank : dim;
  gint64 outer = 1, inner = 1;
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (am), ==, FIT_DTYPE_INT64);
  g_assert_cmpuint (fit_tensor_get_n_dims (mx), ==, keep ? rank : rank - 1);
  amv = fit_tensor_to_int64s (am, &n);
  for (int i = 0; i < d; i++)
    outer *= shape[i];
  for (guint i = d + 1; i < rank; i++)
    inner *= shape[i];
  for (gint64 o = 0; o < outer; o++)
    for (gint64 j = 0; j < inner; j++)
      {
        double best = -INFINITY, worst = INFINITY;
        gint64 at = -1;

        for (gint64 k = 0; k < shape[d]; k++)
          {
            double v = xv[(o * shape[d] + k) * inner + j];

            if (v > best)
              {
                best = v;
                at = k;
              }
            worst = MIN (worst, v);
          }
        g_assert_cmpfloat (mxv[o * inner + j], ==, best);
        g_assert_cmpfloat (mnv[o * inner + j], ==, worst);
        g_assert_cmpint (amv[o * inner + j], ==, at);
      }
}

static void
test_extreme_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (4);
  const gint64 s3[] = { 3, 4, 5 };
  const gint64 big[] = { 3, 700, 50 };

  for (int dim = -3; dim < 3; dim++)
    {
      check_extreme (rng, FIT_DTYPE_FLOAT32, s3, 3, dim, FALSE);
      check_extreme (rng, FIT_DTYPE_FLOAT64, s3, 3, dim, TRUE);
    }
  check_extreme (rng, FIT_DTYPE_FLOAT32, big, 3, 1, FALSE);
  check_extreme (rng, FIT_DTYPE_FLOAT32, big, 3, 2, FALSE);
}

static void
test_extreme_ties_nan_ints (void)
{
  g_autoptr(GError) error = NULL;
  const double data[] = { 1, 3, 3, 2, 4, NAN, 0, 7 };
  g_autoptr(FitTensor) x = fit_tensor_new_from_doubles (data, 8, (gint64[]) { 2, 4 }, 2, &error);
  g_autoptr(FitTensor) am = fit_tensor_argmax (x, 1, FALSE, &error);
  g_autoptr(FitTensor) mx = NULL, mn = NULL;
  g_autofree gint64 *a = NULL;
  g_autoptr(FitTensor) ones = fit_tensor_new_full (FIT_DTYPE_FLOAT64, (gint64[]) { 2 }, 1, 1.0);
  g_autofree double *mv = NULL, *nv = NULL, *gv = NULL;
  gsize n;

  g_assert_no_error (error);
  a = fit_tensor_to_int64s (am, &n);
  g_assert_cmpint (a[0], ==, 1);   /* the first of the tied maxima */
  g_assert_cmpint (a[1], ==, 1);   /* NaN wins */

  fit_tensor_set_requires_grad (x, TRUE);
  mx = fit_tensor_max (x, -1, FALSE, &error);
  mn = fit_tensor_min (x, -1, TRUE, &error);
  g_assert_no_error (error);
  mv = values (mx);
  nv = values (mn);
  g_assert_cmpfloat (mv[0], ==, 3);
  g_assert_true (isnan (mv[1]));
  g_assert_cmpfloat (nv[0], ==, 1);
  g_assert_true (isnan (nv[1]));
  g_assert_cmpstr (fit_tensor_get_grad_fn_name (mx), ==, "max");

  g_assert_true (fit_tensor_backward_full (mx, ones, FALSE, &error));
  g_assert_no_error (error);
  gv = values (fit_tensor_get_grad (x));
  {
    const double expected[] = { 0, 1, 0, 0, 0, 1, 0, 0 };

    for (guint i = 0; i < 8; i++)
      g_assert_cmpfloat (gv[i], ==, expected[i]);
  }

  /* Integer tensors have maxima and argmaxima too. */
  {
    const gint64 iv[] = { 5, -2, 9, 9, 0, 1 };
    g_autoptr(FitTensor) xi = fit_tensor_new_from_int64s (iv, 6, (gint64[]) { 3, 2 }, 2, &error);
    g_autoptr(FitTensor) mi = fit_tensor_max (xi, 0, FALSE, &error);
    g_autoptr(FitTensor) ai = fit_tensor_argmax (xi, 0, FALSE, &error);
    g_autofree gint64 *m = fit_tensor_to_int64s (mi, &n);
    g_autofree gint64 *ix = fit_tensor_to_int64s (ai, &n);

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dtype (mi), ==, FIT_DTYPE_INT64);
    g_assert_cmpint (m[0], ==, 9);
    g_assert_cmpint (m[1], ==, 9);
    g_assert_cmpint (ix[0], ==, 1);
    g_assert_cmpint (ix[1], ==, 1);
  }
}

/* ---- logsumexp, softmax, log_softmax ---- */

static void
check_softmax (FitRng       *rng,
               FitDType      dtype,
               const gint64 *shape,
               guint         rank,
               int           dim,
               double        scale)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_uniform (rng, dtype, shape, rank, -scale, scale);
  g_autoptr(FitTensor) sm = fit_tensor_softmax (x, dim, &error);
  g_autoptr(FitTensor) lsm = fit_tensor_log_softmax (x, dim, &error);
  g_autoptr(FitTensor) lse = fit_tensor_logsumexp (x, dim, FALSE, &error);
  g_autofree double *xv = values (x);
  g_autofree double *smv = values (sm);
  g_autofree double *lsmv = values (lsm);
  g_autofree double *lsev = values (lse);
  int d = dim < 0 ? dim + (int) rank : dim;
  gint64 outer = 1, inner = 1;
  double tol = dtype == FIT_DTYPE_FLOAT32 ? 2e-6 : 1e-12;

  g_assert_no_error (error);
  for (int i = 0; i < d; i++)
    outer *= shape[i];
  for (guint i = d + 1; i < rank; i++)
    inner *= shape[i];
  for (gint64 o = 0; o < outer; o++)
    for (gint64 j = 0; j < inner; j++)
      {
        double m = -INFINITY, s = 0, l;

        for (gint64 k = 0; k < shape[d]; k++)
          m = MAX (m, xv[(o * shape[d] + k) * inner + j]);
        for (gint64 k = 0; k < shape[d]; k++)
          s += exp (xv[(o * shape[d] + k) * inner + j] - m);
        l = m + log (s);
        assert_close (lsev[o * inner + j], l, tol, tol);
        for (gint64 k = 0; k < shape[d]; k++)
          {
            gint64 i = (o * shape[d] + k) * inner + j;

            g_assert_true (isfinite (smv[i]) && isfinite (lsmv[i]));
            assert_close (smv[i], exp (xv[i] - l), tol, tol);
            assert_close (lsmv[i], xv[i] - l, tol, tol * fabs (l));
          }
      }
}

static void
test_softmax_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (5);
  const gint64 s3[] = { 3, 4, 5 };
  const gint64 wide[] = { 4, 600 };
  const gint64 tall[] = { 300, 300 };

  for (int dim = -3; dim < 3; dim++)
    {
      check_softmax (rng, FIT_DTYPE_FLOAT32, s3, 3, dim, 3.0);
      check_softmax (rng, FIT_DTYPE_FLOAT64, s3, 3, dim, 3.0);
    }
  /* Logits of ±1000 overflow exp() unless the maximum is subtracted. */
  check_softmax (rng, FIT_DTYPE_FLOAT32, s3, 3, 1, 1000.0);
  check_softmax (rng, FIT_DTYPE_FLOAT64, s3, 3, -1, 1000.0);
  check_softmax (rng, FIT_DTYPE_FLOAT32, wide, 2, 1, 10.0);
  check_softmax (rng, FIT_DTYPE_FLOAT32, tall, 2, 0, 10.0);
  check_softmax (rng, FIT_DTYPE_FLOAT32, tall, 2, 1, 10.0);
}

static void
test_logsumexp_infinite (void)
{
  g_autoptr(GError) error = NULL;
  const double data[] = { -INFINITY, -INFINITY, 1.0, INFINITY };
  g_autoptr(FitTensor) x = fit_tensor_new_from_doubles (data, 4, (gint64[]) { 2, 2 }, 2, &error);
  g_autoptr(FitTensor) l = fit_tensor_logsumexp (x, 1, TRUE, &error);
  g_autofree double *v = NULL;

  g_assert_no_error (error);
  v = values (l);
  g_assert_true (isinf (v[0]) && v[0] < 0);
  g_assert_true (isinf (v[1]) && v[1] > 0);
}

/* ---- matmul and linear against naive loops ---- */

/* Element of a tensor of @shape at the right-aligned, broadcast position @idx of an
 * index space with @n dimensions. */
static gint64
bcast_offset (const gint64 *idx,
              guint         n,
              const gint64 *shape,
              guint         rank)
{
  gint64 off = 0;

  for (guint d = 0; d < rank; d++)
    {
      gint64 i = idx[n - rank + d];

      off = off * shape[d] + (shape[d] == 1 ? 0 : i);
    }
  return off;
}

static void
check_matmul (FitRng       *rng,
              FitDType      dtype,
              const gint64 *sa,
              guint         na,
              const gint64 *sb,
              guint         nb,
              const gint64 *so,
              guint         no)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = random_tensor (rng, dtype, sa, na);
  g_autoptr(FitTensor) b = random_tensor (rng, dtype, sb, nb);
  g_autoptr(FitTensor) c = fit_tensor_matmul (a, b, &error);
  g_autofree double *av = values (a);
  g_autofree double *bv = values (b);
  g_autofree double *cv = NULL;
  /* Work in the full space: batch…, n, m with a as [.., n, k], b as [.., k, m]. */
  gint64 fa[8], fb[8];
  guint ra = na, rb = nb;
  gint64 n, m, k;
  guint nbatch;
  gint64 batch[8], n_batch = 1;
  double tol = dtype == FIT_DTYPE_FLOAT32 ? 1e-5 : 1e-12;

  g_assert_no_error (error);
  assert_shape (c, so, no);
  cv = values (c);

  memcpy (fa, sa, na * sizeof (gint64));
  memcpy (fb, sb, nb * sizeof (gint64));
  if (na == 1)
    {
      fa[1] = fa[0];
      fa[0] = 1;
      ra = 2;
    }
  if (nb == 1)
    {
      fb[1] = 1;
      rb = 2;
    }
  n = fa[ra - 2];
  k = fa[ra - 1];
  m = fb[rb - 1];
  nbatch = MAX (ra, rb) - 2;
  for (guint i = 0; i < nbatch; i++)
    {
      gint64 da = i + ra - 2 >= nbatch ? fa[i + ra - 2 - nbatch] : 1;
      gint64 db = i + rb - 2 >= nbatch ? fb[i + rb - 2 - nbatch] : 1;

      batch[i] = MAX (da, db);
      n_batch *= batch[i];
    }
  for (gint64 t = 0; t < n_batch; t++)
    {
      gint64 idx[8];
      gint64 oa, ob;

      unravel (t, batch, nbatch, idx);
      oa = bcast_offset (idx, nbatch, fa, ra - 2);
      ob = bcast_offset (idx, nbatch, fb, rb - 2);
      for (gint64 i = 0; i < n; i++)
        for (gint64 j = 0; j < m; j++)
          {
            double s = 0, as = 0;

            for (gint64 p = 0; p < k; p++)
              {
                double term = av[(oa * n + i) * k + p] * bv[(ob * k + p) * m + j];

                s += term;
                as += fabs (term);
              }
            assert_close (cv[(t * n + i) * m + j], s, tol, tol * as);
          }
    }
}

static void
test_matmul_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (6);

  for (int dt = 0; dt < 2; dt++)
    {
      FitDType t = dt ? FIT_DTYPE_FLOAT64 : FIT_DTYPE_FLOAT32;

      check_matmul (rng, t, (gint64[]) { 5 }, 1, (gint64[]) { 5 }, 1, NULL, 0);
      check_matmul (rng, t, (gint64[]) { 4 }, 1, (gint64[]) { 4, 3 }, 2, (gint64[]) { 3 }, 1);
      check_matmul (rng, t, (gint64[]) { 2, 4 }, 2, (gint64[]) { 4 }, 1, (gint64[]) { 2 }, 1);
      check_matmul (rng, t, (gint64[]) { 2, 3 }, 2, (gint64[]) { 3, 5 }, 2,
                    (gint64[]) { 2, 5 }, 2);
      check_matmul (rng, t, (gint64[]) { 2, 3, 4 }, 3, (gint64[]) { 4, 5 }, 2,
                    (gint64[]) { 2, 3, 5 }, 3);
      check_matmul (rng, t, (gint64[]) { 3, 4 }, 2, (gint64[]) { 2, 4, 5 }, 3,
                    (gint64[]) { 2, 3, 5 }, 3);
      check_matmul (rng, t, (gint64[]) { 2, 1, 3, 4 }, 4, (gint64[]) { 5, 4, 6 }, 3,
                    (gint64[]) { 2, 5, 3, 6 }, 4);
      check_matmul (rng, t, (gint64[]) { 4 }, 1, (gint64[]) { 3, 4, 2 }, 3,
                    (gint64[]) { 3, 2 }, 2);
      check_matmul (rng, t, (gint64[]) { 3, 2, 4 }, 3, (gint64[]) { 4 }, 1,
                    (gint64[]) { 3, 2 }, 2);
      check_matmul (rng, t, (gint64[]) { 1, 2, 3 }, 3, (gint64[]) { 1, 3, 2 }, 3,
                    (gint64[]) { 1, 2, 2 }, 3);
    }
  /* Many small products, threaded one per product. */
  check_matmul (rng, FIT_DTYPE_FLOAT32, (gint64[]) { 64, 8, 16 }, 3,
                (gint64[]) { 64, 16, 8 }, 3, (gint64[]) { 64, 8, 8 }, 3);
  /* Empty inner dimension: zeros. */
  check_matmul (rng, FIT_DTYPE_FLOAT32, (gint64[]) { 2, 0 }, 2, (gint64[]) { 0, 3 }, 2,
                (gint64[]) { 2, 3 }, 2);
}

static void
test_linear_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (7);
  g_autoptr(GError) error = NULL;

  for (int with_bias = 0; with_bias < 2; with_bias++)
    for (int dt = 0; dt < 2; dt++)
      {
        FitDType t = dt ? FIT_DTYPE_FLOAT64 : FIT_DTYPE_FLOAT32;
        g_autoptr(FitTensor) x = random_tensor (rng, t, (gint64[]) { 2, 3, 7 }, 3);
        g_autoptr(FitTensor) w = random_tensor (rng, t, (gint64[]) { 5, 7 }, 2);
        g_autoptr(FitTensor) b = random_tensor (rng, t, (gint64[]) { 5 }, 1);
        g_autoptr(FitTensor) y = fit_tensor_linear (x, w, with_bias ? b : NULL, &error);
        g_autofree double *xv = values (x), *wv = values (w), *bv = values (b), *yv = NULL;
        double tol = dt ? 1e-12 : 1e-5;

        g_assert_no_error (error);
        assert_shape (y, (gint64[]) { 2, 3, 5 }, 3);
        yv = values (y);
        for (int r = 0; r < 6; r++)
          for (int o = 0; o < 5; o++)
            {
              double s = with_bias ? bv[o] : 0;

              for (int i = 0; i < 7; i++)
                s += xv[r * 7 + i] * wv[o * 7 + i];
              assert_close (yv[r * 5 + o], s, tol, tol * 10);
            }
      }
}

/* ---- gradients ---- */

typedef struct
{
  int      dims[4];
  guint    n_dims;
  gboolean keep;
  int      correction;
  int      dim;
  Kind     kind;
} Args;

static FitTensor *
f_reduce (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  Args *a = data;

  if (a->kind == K_SUM)
    return fit_tensor_sum (in[0], a->dims, a->n_dims, a->keep, error);
  if (a->kind == K_MEAN)
    return fit_tensor_mean (in[0], a->dims, a->n_dims, a->keep, error);
  return fit_tensor_var (in[0], a->dims, a->n_dims, a->keep, a->correction, error);
}

static FitTensor *
f_max (FitTensor **in,
       gpointer    data,
       GError    **error)
{
  Args *a = data;

  return a->correction ? fit_tensor_min (in[0], a->dim, a->keep, error)
                       : fit_tensor_max (in[0], a->dim, a->keep, error);
}

static FitTensor *
f_logsumexp (FitTensor **in,
             gpointer    data,
             GError    **error)
{
  Args *a = data;

  return fit_tensor_logsumexp (in[0], a->dim, a->keep, error);
}

static FitTensor *
f_softmax (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  return fit_tensor_softmax (in[0], ((Args *) data)->dim, error);
}

static FitTensor *
f_log_softmax (FitTensor **in,
               gpointer    data,
               GError    **error)
{
  return fit_tensor_log_softmax (in[0], ((Args *) data)->dim, error);
}

static FitTensor *
f_matmul (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  return fit_tensor_matmul (in[0], in[1], error);
}

static FitTensor *
f_linear (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  return fit_tensor_linear (in[0], in[1], in[2], error);
}

static void
test_grad_reduce (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (8);
  const gint64 shape[] = { 3, 4, 5 };
  const Args cases[] = {
    { { 0 }, 0, FALSE }, { { 0 }, 0, TRUE }, { { 1 }, 1, FALSE }, { { -1 }, 1, TRUE },
    { { 0, 2 }, 2, FALSE }, { { -3, -2 }, 2, TRUE }, { { 2, 0, 1 }, 3, FALSE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (Kind k = K_SUM; k <= K_VAR; k++)
      for (int corr = 0; corr < (k == K_VAR ? 2 : 1); corr++)
        {
          g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 3, -1, 1);
          Args a = cases[c];

          a.kind = k;
          a.correction = corr;
          fit_gradcheck (f_reduce, &a, &x, 1, 1e-6, 1e-6);
        }
}

static void
test_grad_dim_ops (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (9);
  const gint64 shape[] = { 3, 4, 5 };

  for (int dim = -3; dim < 3; dim++)
    for (int keep = 0; keep < 2; keep++)
      {
        Args a = { .dim = dim, .keep = keep };
        g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 3, -2, 2);

        fit_gradcheck (f_max, &a, &x, 1, 1e-6, 1e-6);
        a.correction = 1;
        fit_gradcheck (f_max, &a, &x, 1, 1e-6, 1e-6);
        fit_gradcheck (f_logsumexp, &a, &x, 1, 1e-6, 1e-6);
        if (keep)
          {
            fit_gradcheck (f_softmax, &a, &x, 1, 1e-6, 1e-6);
            fit_gradcheck (f_log_softmax, &a, &x, 1, 1e-6, 1e-6);
          }
      }
}

static void
test_grad_matmul (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (10);
  const struct { gint64 sa[4]; guint na; gint64 sb[4]; guint nb; } cases[] = {
    { { 5 }, 1, { 5 }, 1 },
    { { 4 }, 1, { 4, 3 }, 2 },
    { { 2, 4 }, 2, { 4 }, 1 },
    { { 2, 3 }, 2, { 3, 4 }, 2 },
    { { 2, 3, 4 }, 3, { 4, 5 }, 2 },
    { { 3, 4 }, 2, { 2, 4, 5 }, 3 },
    { { 2, 1, 3, 4 }, 4, { 3, 4, 2 }, 3 },
    { { 2, 3, 4 }, 3, { 2, 4, 3 }, 3 },
    { { 4 }, 1, { 2, 4, 3 }, 3 },
    { { 2, 2, 4 }, 3, { 4 }, 1 },
    { { 1, 2, 3 }, 3, { 1, 3, 2 }, 3 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      FitTensor *in[2];

      in[0] = fit_gradcheck_input (rng, cases[c].sa, cases[c].na, -1, 1);
      in[1] = fit_gradcheck_input (rng, cases[c].sb, cases[c].nb, -1, 1);
      fit_gradcheck (f_matmul, NULL, in, 2, 1e-6, 1e-6);
      /* Only one side needs a gradient: the other gets none. */
      fit_tensor_set_requires_grad (in[0], FALSE);
      fit_tensor_set_grad (in[0], NULL);
      fit_gradcheck (f_matmul, NULL, in, 2, 1e-6, 1e-6);
      g_assert_null (fit_tensor_get_grad (in[0]));
      g_object_unref (in[0]);
      g_object_unref (in[1]);
    }
}

static void
test_grad_linear (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (11);
  const struct { gint64 sx[3]; guint nx; } cases[] = {
    { { 4, 3 }, 2 }, { { 3 }, 1 }, { { 2, 3, 3 }, 3 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (int with_bias = 0; with_bias < 2; with_bias++)
      {
        FitTensor *in[3];

        in[0] = fit_gradcheck_input (rng, cases[c].sx, cases[c].nx, -1, 1);
        in[1] = fit_gradcheck_input (rng, (gint64[]) { 5, 3 }, 2, -1, 1);
        in[2] = with_bias ? fit_gradcheck_input (rng, (gint64[]) { 5 }, 1, -1, 1) : NULL;
        fit_gradcheck (f_linear, NULL, in, with_bias ? 3 : 2, 1e-6, 1e-6);

        /* As in a first layer: the input needs no gradient and gets none. */
        fit_tensor_set_requires_grad (in[0], FALSE);
        fit_tensor_set_grad (in[0], NULL);
        fit_gradcheck (f_linear, NULL, in, with_bias ? 3 : 2, 1e-6, 1e-6);
        g_assert_null (fit_tensor_get_grad (in[0]));
        for (int i = 0; i < 3; i++)
          g_clear_object (&in[i]);
      }
}

/* Random ranks, sizes, dimension sets and broadcasts (reproducible with --seed). */
static void
test_grad_random (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (g_test_rand_int ());

  for (int trial = 0; trial < 30; trial++)
    {
      guint rank = g_test_rand_int_range (1, 5);
      gint64 shape[4];
      g_autoptr(FitTensor) x = NULL;
      Args a = { { 0 }, 0 };

      for (guint d = 0; d < rank; d++)
        shape[d] = g_test_rand_int_range (1, 5);
      x = fit_gradcheck_input (rng, shape, rank, -1, 1);
      for (guint d = 0; d < rank; d++)
        if (g_test_rand_bit ())
          a.dims[a.n_dims++] = g_test_rand_bit () ? (int) d : (int) d - (int) rank;
      a.keep = g_test_rand_bit ();
      a.kind = g_test_rand_int_range (K_SUM, K_VAR + 1);
      a.correction = g_test_rand_bit ();
      {
        /* The unbiased variance of a single element is NaN, legitimately. */
        guint32 mask = dims_mask (a.dims, a.n_dims, rank);
        gint64 n_reduce = 1;

        for (guint d = 0; d < rank; d++)
          if (mask & (1u << d))
            n_reduce *= shape[d];
        if (n_reduce <= a.correction)
          a.correction = 0;
      }
      fit_gradcheck (f_reduce, &a, &x, 1, 1e-6, 1e-5);

      a.dim = g_test_rand_int_range (-(int) rank, rank);
      a.correction = g_test_rand_bit ();
      fit_gradcheck (f_max, &a, &x, 1, 1e-6, 1e-5);
      fit_gradcheck (f_logsumexp, &a, &x, 1, 1e-6, 1e-5);
      fit_gradcheck (g_test_rand_bit () ? f_softmax : f_log_softmax, &a, &x, 1, 1e-6, 1e-5);
    }

  for (int trial = 0; trial < 30; trial++)
    {
      /* Batch dimensions drawn so that each pair broadcasts: equal, or one of them 1. */
      guint nbatch = g_test_rand_int_range (0, 3);
      guint na = g_test_rand_int_range (0, nbatch + 1), nb = g_test_rand_int_range (0, nbatch + 1);
      gint64 n = g_test_rand_int_range (1, 4), k = g_test_rand_int_range (1, 4);
      gint64 m = g_test_rand_int_range (1, 4);
      gboolean a_vec = nbatch == 0 && g_test_rand_bit ();
      gboolean b_vec = nbatch == 0 && g_test_rand_bit ();
      gint64 sa[4], sb[4];
      guint ra = 0, rb = 0;
      FitTensor *in[2];

      for (guint i = 0; i < nbatch; i++)
        {
          gint64 size = g_test_rand_int_range (2, 4);
          int pick = g_test_rand_int_range (0, 3);

          if (i >= nbatch - na)
            sa[ra++] = pick == 1 ? 1 : size;
          if (i >= nbatch - nb)
            sb[rb++] = pick == 2 ? 1 : size;
        }
      if (!a_vec)
        sa[ra++] = n;
      sa[ra++] = k;
      sb[rb++] = k;
      if (!b_vec)
        sb[rb++] = m;
      in[0] = fit_gradcheck_input (rng, sa, ra, -1, 1);
      in[1] = fit_gradcheck_input (rng, sb, rb, -1, 1);
      fit_gradcheck (f_matmul, NULL, in, 2, 1e-6, 1e-5);
      g_object_unref (in[0]);
      g_object_unref (in[1]);
    }
}

/* ---- errors ---- */

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 2, 3 }, 2);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 4, 5 }, 2);
  g_autoptr(FitTensor) d = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, (gint64[]) { 3, 5 }, 2);
  g_autoptr(FitTensor) e = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 0, 5 }, 2);
  g_autoptr(FitTensor) a3 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 2, 2, 3 }, 3);
  g_autoptr(FitTensor) b3 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 3, 3, 4 }, 3);
  FitTensor *r;

  r = fit_tensor_matmul (a, b, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "matmul"));
  g_assert_nonnull (strstr (error->message, "[2, 3]"));
  g_assert_nonnull (strstr (error->message, "[4, 5]"));
  g_clear_error (&error);

  r = fit_tensor_matmul (a, d, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  g_clear_error (&error);

  r = fit_tensor_matmul (a3, b3, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  r = fit_tensor_sum (a, (int[]) { 2 }, 1, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_mean (a, (int[]) { 1, -1 }, 2, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_var (a, NULL, 0, FALSE, -1, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_max (a, -3, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_max (e, 0, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  r = fit_tensor_softmax (a, 2, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_log_softmax (a, -3, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_argmax (a, 5, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  r = fit_tensor_linear (a, b, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "linear"));
  g_clear_error (&error);

  r = fit_tensor_linear (b, b, a, &error);   /* [4, 5] x [4, 5]ᵀ fits; bias [2, 3] does not */
  g_assert_null (r);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);
}

/* Empty tensors: sums are 0, means NaN, products of an empty batch are empty. */
static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) e = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 0, 3 }, 2);
  g_autoptr(FitTensor) s = fit_tensor_sum (e, (int[]) { 0 }, 1, FALSE, &error);
  g_autoptr(FitTensor) m = fit_tensor_mean (e, NULL, 0, FALSE, &error);
  g_autoptr(FitTensor) sm = fit_tensor_softmax (e, 1, &error);
  g_autoptr(FitTensor) w = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 4, 3 }, 2);
  g_autoptr(FitTensor) y = fit_tensor_linear (e, w, NULL, &error);
  g_autofree double *sv = NULL;
  double mv;

  g_assert_no_error (error);
  sv = values (s);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (sv[i], ==, 0);
  g_assert_true (fit_tensor_item (m, &mv, &error));
  g_assert_true (isnan (mv));
  g_assert_cmpint (fit_tensor_get_numel (sm), ==, 0);
  assert_shape (y, (gint64[]) { 0, 4 }, 2);
}

/* Integer sums are int64 and wrap around as PyTorch's do; the signed overflow they used
 * to be was undefined. int32 inputs do not wrap at 32 bits. */
static void
test_reduce_integer_wraps (void)
{
  const gint64 v64[] = { G_MAXINT64, 1, G_MININT64, -1 };
  const gint32 v32[] = { G_MAXINT32, 1, G_MININT32, -1 };
  const gint64 shape[] = { 2, 2 };
  const int rows[] = { 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x64 = fit_tensor_new_from_int64s (v64, 4, shape, 2, &error);
  g_autoptr(FitTensor) x32 = fit_tensor_new_from_data (FIT_DTYPE_INT32, shape, 2,
                                                       (const guint8 *) v32, sizeof v32,
                                                       &error);
  g_autoptr(FitTensor) s64 = fit_tensor_sum (x64, rows, 1, FALSE, &error);
  g_autoptr(FitTensor) s32 = fit_tensor_sum (x32, rows, 1, FALSE, &error);
  const gint64 *a = fit_tensor_get_data (s64), *b = fit_tensor_get_data (s32);

  g_assert_no_error (error);
  g_assert_cmpint (a[0], ==, G_MININT64);
  g_assert_cmpint (a[1], ==, G_MAXINT64);
  g_assert_cmpint (b[0], ==, (gint64) G_MAXINT32 + 1);
  g_assert_cmpint (b[1], ==, (gint64) G_MININT32 - 1);
}

/* A zero inner size lets the outer sizes of a product be anything their operands'
 * shapes allow; the product's shape used to be allocated with a wrapped-around size. */
static void
test_product_overflow (void)
{
  const gint64 sa[] = { 1, G_GINT64_CONSTANT (1) << 20, 0 };
  const gint64 sb[] = { G_GINT64_CONSTANT (1) << 30, 0, G_GINT64_CONSTANT (1) << 20 };
  const gint64 si[] = { G_MAXINT32, 0 };
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, sa, 3);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, sb, 3);
  g_autoptr(FitTensor) in = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, si, 2);
  g_autoptr(GError) error = NULL;
  FitTensor *out;

  out = fit_tensor_matmul (a, b, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "2^60"));
  g_clear_error (&error);

  /* [2^31 − 1, 0] through a [2^31 − 1, 0] weight: (2^31 − 1)² outputs. */
  out = fit_tensor_linear (in, in, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "2^60"));
}

/* The maximum over a dimension of 3 of [2^40, 3, 0]: no elements, and the backward
 * used to walk the 2^40 outer indices anyway (found by fuzz-tensor-ops). */
static void
test_max_empty_backward (void)
{
  const gint64 shape[] = { G_GINT64_CONSTANT (1) << 40, 3, 0 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) m = NULL;
  g_autoptr(FitTensor) seed = NULL;

  fit_tensor_set_requires_grad (x, TRUE);
  m = fit_tensor_max (x, 1, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_numel (m), ==, 0);
  seed = fit_tensor_zeros_like (m);
  g_assert_true (fit_tensor_backward_full (m, seed, FALSE, &error));
  g_assert_cmpint (fit_tensor_get_numel (fit_tensor_get_grad (x)), ==, 0);
}

/* A product with no columns, batched 2^40 times through a broadcast: nothing to compute
 * forward or backward, where each used to run one (empty) product per batch entry. */
static void
test_matmul_empty_batches (void)
{
  const gint64 sa[] = { 1, 4, 2 };
  const gint64 sb[] = { G_GINT64_CONSTANT (1) << 40, 2, 0 };
  g_autoptr(FitTensor) a = fit_tensor_new_full (FIT_DTYPE_FLOAT64, sa, 3, 1.0);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, sb, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(FitTensor) seed = NULL;
  const double *g;

  fit_tensor_set_requires_grad (a, TRUE);
  out = fit_tensor_matmul (a, b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (out, 0), ==, G_GINT64_CONSTANT (1) << 40);
  g_assert_cmpint (fit_tensor_get_numel (out), ==, 0);
  seed = fit_tensor_zeros_like (out);
  g_assert_true (fit_tensor_backward_full (out, seed, FALSE, &error));
  g = fit_tensor_get_data (fit_tensor_get_grad (a));
  for (guint i = 0; i < 8; i++)
    g_assert_cmpfloat (g[i], ==, 0.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Tensor/reduce/values", test_reduce_values);
  g_test_add_func ("/Fit/Tensor/reduce/odd-shapes", test_reduce_odd_shapes);
  g_test_add_func ("/Fit/Tensor/reduce/large", test_reduce_large);
  g_test_add_func ("/Fit/Tensor/reduce/accuracy", test_reduce_accuracy);
  g_test_add_func ("/Fit/Tensor/reduce/integers", test_reduce_integers);
  g_test_add_func ("/Fit/Tensor/max/values", test_extreme_values);
  g_test_add_func ("/Fit/Tensor/max/ties-nan-ints", test_extreme_ties_nan_ints);
  g_test_add_func ("/Fit/Tensor/softmax/values", test_softmax_values);
  g_test_add_func ("/Fit/Tensor/logsumexp/infinite", test_logsumexp_infinite);
  g_test_add_func ("/Fit/Tensor/matmul/values", test_matmul_values);
  g_test_add_func ("/Fit/Tensor/linear/values", test_linear_values);
  g_test_add_func ("/Fit/Tensor/reduce/grad", test_grad_reduce);
  g_test_add_func ("/Fit/Tensor/max/grad", test_grad_dim_ops);
  g_test_add_func ("/Fit/Tensor/matmul/grad", test_grad_matmul);
  g_test_add_func ("/Fit/Tensor/linear/grad", test_grad_linear);
  g_test_add_func ("/Fit/Tensor/reduce/grad-random", test_grad_random);
  g_test_add_func ("/Fit/Tensor/reduce/errors", test_errors);
  g_test_add_func ("/Fit/Tensor/reduce/empty", test_empty);
  g_test_add_func ("/Fit/Tensor/reduce/integer-wraps", test_reduce_integer_wraps);
  g_test_add_func ("/Fit/Tensor/matmul/overflow", test_product_overflow);
  g_test_add_func ("/Fit/Tensor/matmul/empty-batches", test_matmul_empty_batches);
  g_test_add_func ("/Fit/Tensor/max/empty-backward", test_max_empty_backward);

  return g_test_run ();
}
