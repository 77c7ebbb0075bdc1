/* test-shape.c: reshaping, joining, slicing and indexing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Values are checked against naive references written here with plain index
 * arithmetic, gradients against finite differences (tests/gradcheck.h).
 */

#include <fit-glib/fit-glib.h>
#include <string.h>

#include "tests/gradcheck.h"

#define N_ELEMS(a) (G_N_ELEMENTS (a))

static FitTensor *
arange_f64 (const gint64 *shape,
            guint         n_dims)
{
  gint64 n = 1;
  FitTensor *t;
  double *d;

  for (guint i = 0; i < n_dims; i++)
    n *= shape[i];
  t = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, shape, n_dims);
  d = fit_tensor_get_data_mutable (t);
  for (gint64 i = 0; i < n; i++)
    d[i] = (double) i;
  return t;
}

static FitTensor *
random_f32 (FitRng       *rng,
            const gint64 *shape,
            guint         n_dims)
{
  return fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT32, shape, n_dims, -1.0, 1.0);
}

static FitTensor *
int64s (const gint64 *values,
        gsize         n,
        const gint64 *shape,
        guint         n_dims)
{
  g_autoptr(GError) error = NULL;
  FitTensor *t = fit_tensor_new_from_int64s (values, n, shape, n_dims, &error);

  g_assert_no_error (error);
  return t;
}

static void
assert_shape (FitTensor    *t,
              const gint64 *shape,
              guint         n_dims)
{
  guint n;
  const gint64 *s;

  g_assert_nonnull (t);
  s = fit_tensor_get_shape (t, &n);
  g_assert_cmpuint (n, ==, n_dims);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (s[i], ==, shape[i]);
}

static void
assert_doubles (FitTensor    *t,
                const double *expected,
                gsize         n)
{
  g_autofree double *v = NULL;
  gsize got;

  v = fit_tensor_to_doubles (t, &got);
  g_assert_cmpuint (got, ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (v[i], ==, expected[i]);
}

static void
assert_message_has (GError     *error,
                    const char *text)
{
  g_assert_nonnull (error);
  if (strstr (error->message, text) == NULL)
    g_error ("message “%s” does not mention “%s”", error->message, text);
}

/* ---- reshape and friends ---- */

static void
test_reshape_view (void)
{
  const gint64 shape[] = { 4, 6 };
  const gint64 to[] = { 2, -1, 3 };
  const gint64 expect[] = { 2, 4, 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  g_autoptr(FitTensor) y = fit_tensor_reshape (x, to, 3, &error);
  double *xd;

  g_assert_no_error (error);
  assert_shape (y, expect, 3);
  /* A view: same memory, and writes through one show in the other. */
  g_assert_true (fit_tensor_get_data (x) == fit_tensor_get_data (y));
  xd = fit_tensor_get_data_mutable (x);
  xd[5] = 100.0;
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (y))[5], ==, 100.0);
  g_assert_null (fit_tensor_get_grad_fn_name (y));
}

static void
test_reshape_int_and_scalar (void)
{
  const gint64 values[] = { 1, 2, 3, 4, 5, 6 };
  const gint64 shape[] = { 6 };
  const gint64 to[] = { 3, 2 };
  const gint64 one[] = { 1, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = int64s (values, 6, shape, 1);
  g_autoptr(FitTensor) y = fit_tensor_reshape (x, to, 2, &error);
  g_autoptr(FitTensor) s = fit_tensor_new_scalar (FIT_DTYPE_FLOAT32, 7.0);
  g_autoptr(FitTensor) s2 = NULL;
  g_autoptr(FitTensor) s0 = NULL;
  g_autofree gint64 *v = NULL;

  g_assert_no_error (error);
  assert_shape (y, to, 2);
  g_assert_cmpint (fit_tensor_get_dtype (y), ==, FIT_DTYPE_INT64);
  v = fit_tensor_to_int64s (y, NULL);
  g_assert_cmpint (v[5], ==, 6);

  s2 = fit_tensor_reshape (s, one, 2, &error);
  g_assert_no_error (error);
  assert_shape (s2, one, 2);
  s0 = fit_tensor_reshape (s2, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fit_tensor_get_n_dims (s0), ==, 0);
}

static void
test_reshape_errors (void)
{
  const gint64 shape[] = { 4, 6 };
  const gint64 bad[] = { 5, 5 };
  const gint64 two_infer[] = { -1, -1 };
  const gint64 negative[] = { -2, -12 };
  const gint64 no_fit[] = { 5, -1 };
  const gint64 nine[] = { 1, 1, 1, 1, 1, 1, 1, 1, 24 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  GError *error = NULL;

  g_assert_null (fit_tensor_reshape (x, bad, 2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  assert_message_has (error, "[4, 6]");
  assert_message_has (error, "[5, 5]");
  g_clear_error (&error);

  g_assert_null (fit_tensor_reshape (x, two_infer, 2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_tensor_reshape (x, negative, 2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_tensor_reshape (x, no_fit, 2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  g_assert_null (fit_tensor_reshape (x, nine, 9, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);
}

static FitTensor *
reshape_fn (FitTensor **in,
            gpointer    data,
            GError    **error)
{
  const gint64 to[] = { 3, -1, 2, 1, 2, 1 };

  return fit_tensor_reshape (in[0], to, 6, error);
}

static void
test_reshape_grad (void)
{
  const gint64 shape[] = { 2, 3, 2, 1, 2, 3 };
  g_autoptr(FitRng) rng = fit_rng_new (1);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 6, -1, 1);
  g_autoptr(FitTensor) y = reshape_fn (&x, NULL, NULL);

  g_assert_cmpstr (fit_tensor_get_grad_fn_name (y), ==, "reshape");
  fit_gradcheck (reshape_fn, NULL, &x, 1, 1e-6, 1e-6);
}

static void
test_flatten (void)
{
  const gint64 shape[] = { 2, 3, 4, 5 };
  const gint64 mid[] = { 2, 12, 5 };
  const gint64 rows[] = { 2, 60 };
  const gint64 all[] = { 120 };
  const gint64 one[] = { 1 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 4);
  g_autoptr(FitTensor) s = fit_tensor_new_scalar (FIT_DTYPE_FLOAT64, 2.0);
  GError *error = NULL;
  FitTensor *y;

  y = fit_tensor_flatten (x, 1, 2, &error);
  g_assert_no_error (error);
  assert_shape (y, mid, 3);
  g_assert_true (fit_tensor_get_data (x) == fit_tensor_get_data (y));
  g_object_unref (y);

  y = fit_tensor_flatten (x, 1, -1, &error);
  assert_shape (y, rows, 2);
  g_object_unref (y);

  y = fit_tensor_flatten (x, 0, -1, &error);
  assert_shape (y, all, 1);
  g_object_unref (y);

  y = fit_tensor_flatten (s, 0, -1, &error);
  assert_shape (y, one, 1);
  g_object_unref (y);

  g_assert_null (fit_tensor_flatten (x, 2, 1, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_tensor_flatten (x, 0, 4, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static FitTensor *
flatten_fn (FitTensor **in,
            gpointer    data,
            GError    **error)
{
  return fit_tensor_flatten (in[0], 1, -2, error);
}

static void
test_flatten_grad (void)
{
  const gint64 shape[] = { 2, 2, 1, 3, 2, 2 };
  g_autoptr(FitRng) rng = fit_rng_new (2);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 6, -1, 1);

  fit_gradcheck (flatten_fn, NULL, &x, 1, 1e-6, 1e-6);
}

static void
test_squeeze_unsqueeze (void)
{
  const gint64 shape[] = { 3, 1, 4 };
  const gint64 squeezed[] = { 3, 4 };
  const gint64 front[] = { 1, 3, 1, 4 };
  const gint64 back[] = { 3, 1, 4, 1 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 3);
  GError *error = NULL;
  FitTensor *y;

  y = fit_tensor_squeeze (x, 1, &error);
  g_assert_no_error (error);
  assert_shape (y, squeezed, 2);
  g_assert_true (fit_tensor_get_data (x) == fit_tensor_get_data (y));
  g_object_unref (y);

  y = fit_tensor_squeeze (x, -2, &error);
  assert_shape (y, squeezed, 2);
  g_object_unref (y);

  /* As in PyTorch, a dimension whose size is not 1 is left alone. */
  y = fit_tensor_squeeze (x, 0, &error);
  g_assert_no_error (error);
  assert_shape (y, shape, 3);
  g_object_unref (y);

  g_assert_null (fit_tensor_squeeze (x, 3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  y = fit_tensor_unsqueeze (x, 0, &error);
  g_assert_no_error (error);
  assert_shape (y, front, 4);
  g_object_unref (y);

  y = fit_tensor_unsqueeze (x, -1, &error);
  assert_shape (y, back, 4);
  g_object_unref (y);

  y = fit_tensor_unsqueeze (x, 3, &error);
  assert_shape (y, back, 4);
  g_object_unref (y);

  g_assert_null (fit_tensor_unsqueeze (x, 4, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  assert_message_has (error, "4");
  g_clear_error (&error);

  g_assert_null (fit_tensor_unsqueeze (x, -5, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static FitTensor *
squeeze_unsqueeze_fn (FitTensor **in,
                      gpointer    data,
                      GError    **error)
{
  g_autoptr(FitTensor) a = fit_tensor_squeeze (in[0], 2, error);
  g_autoptr(FitTensor) b = a ? fit_tensor_unsqueeze (a, -1, error) : NULL;

  return b ? fit_tensor_unsqueeze (b, 0, error) : NULL;
}

static void
test_squeeze_grad (void)
{
  const gint64 shape[] = { 2, 3, 1, 2, 2, 2 };
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 6, -1, 1);

  fit_gradcheck (squeeze_unsqueeze_fn, NULL, &x, 1, 1e-6, 1e-6);
}

/* ---- permute and transpose ---- */

/* out[j] for j in the permuted layout, by index arithmetic. */
static double *
naive_permute (FitTensor *x,
               const int *perm)
{
  guint n;
  const gint64 *shape = fit_tensor_get_shape (x, &n);
  gint64 numel = fit_tensor_get_numel (x);
  g_autofree double *in = fit_tensor_to_doubles (x, NULL);
  double *out = g_new (double, numel);
  gint64 strides[FIT_MAX_DIMS];
  gint64 s = 1;

  for (int d = (int) n - 1; d >= 0; d--)
    {
      strides[d] = s;
      s *= shape[d];
    }
  for (gint64 j = 0; j < numel; j++)
    {
      gint64 rem = j, off = 0;

      for (int k = (int) n - 1; k >= 0; k--)
        {
          gint64 size = shape[perm[k]];

          off += (rem % size) * strides[perm[k]];
          rem /= size;
        }
      out[j] = in[off];
    }
  return out;
}

static void
check_permute (FitTensor *x,
               const int *perm)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_permute (x, perm, fit_tensor_get_n_dims (x), &error);
  g_autofree double *expected = naive_permute (x, perm);
  gint64 shape[FIT_MAX_DIMS];
  guint n;
  const gint64 *xs = fit_tensor_get_shape (x, &n);

  g_assert_no_error (error);
  for (guint k = 0; k < n; k++)
    shape[k] = xs[perm[k]];
  assert_shape (y, shape, n);
  g_assert_cmpint (fit_tensor_get_dtype (y), ==, fit_tensor_get_dtype (x));
  assert_doubles (y, expected, fit_tensor_get_numel (x));
}

static void
test_permute_values (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (4);
  const gint64 mat[] = { 70, 45 };          /* not a multiple of the tile size */
  const gint64 big[] = { 1030, 517 };       /* above the parallel grain, 2^19 */
  const gint64 batched[] = { 3, 37, 50 };
  const gint64 six[] = { 2, 3, 1, 4, 2, 5 };
  const int t2[] = { 1, 0 };
  const int bt[] = { 0, 2, 1 };
  const int rot[] = { 2, 0, 1 };
  const int id3[] = { 0, 1, 2 };
  const int p6[] = { 5, 2, 0, 3, 1, 4 };
  const int p6b[] = { 1, 0, 2, 3, 5, 4 };
  g_autoptr(FitTensor) a = random_f32 (rng, mat, 2);
  g_autoptr(FitTensor) b = random_f32 (rng, big, 2);
  g_autoptr(FitTensor) c = random_f32 (rng, batched, 3);
  g_autoptr(FitTensor) d = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, six, 6, -1, 1);
  g_autoptr(FitTensor) e = NULL;
  g_autoptr(GError) error = NULL;

  check_permute (a, t2);
  check_permute (b, t2);
  check_permute (c, bt);
  check_permute (c, rot);
  check_permute (c, id3);
  check_permute (d, p6);
  check_permute (d, p6b);

  /* Integers move as they are. */
  e = fit_tensor_to_dtype (c, FIT_DTYPE_INT32, &error);
  g_assert_no_error (error);
  check_permute (e, bt);
}

static void
test_transpose (void)
{
  const gint64 shape[] = { 2, 3, 4 };
  const gint64 tshape[] = { 4, 3, 2 };
  const int perm[] = { 2, 1, 0 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_transpose (x, 0, -1, &error);
  g_autofree double *expected = naive_permute (x, perm);
  GError *err = NULL;

  g_assert_no_error (error);
  assert_shape (y, tshape, 3);
  assert_doubles (y, expected, 24);

  g_assert_null (fit_tensor_transpose (x, 0, 3, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);
}

static void
test_permute_errors (void)
{
  const gint64 shape[] = { 2, 3, 4 };
  const int dup[] = { 0, 1, 1 };
  const int two[] = { 1, 0 };
  const int far[] = { 0, 1, 5 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 3);
  GError *error = NULL;

  g_assert_null (fit_tensor_permute (x, dup, 3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fit_tensor_permute (x, two, 2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fit_tensor_permute (x, far, 3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static FitTensor *
permute_fn (FitTensor **in,
            gpointer    data,
            GError    **error)
{
  const int perm[] = { 3, 5, 0, 2, 4, 1 };

  return fit_tensor_permute (in[0], perm, 6, error);
}

static FitTensor *
transpose_fn (FitTensor **in,
              gpointer    data,
              GError    **error)
{
  return fit_tensor_transpose (in[0], -1, -2, error);
}

static void
test_permute_grad (void)
{
  const gint64 six[] = { 2, 3, 1, 2, 2, 3 };
  const gint64 mat[] = { 3, 5, 4 };
  g_autoptr(FitRng) rng = fit_rng_new (5);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, six, 6, -1, 1);
  g_autoptr(FitTensor) m = fit_gradcheck_input (rng, mat, 3, -1, 1);

  fit_gradcheck (permute_fn, NULL, &x, 1, 1e-6, 1e-6);
  fit_gradcheck (transpose_fn, NULL, &m, 1, 1e-6, 1e-6);
}

/* ---- expand ---- */

static void
test_expand (void)
{
  const gint64 shape[] = { 3, 1 };
  const gint64 to[] = { 2, 3, 4 };
  const gint64 keep[] = { -1, 4 };
  const gint64 keep_shape[] = { 3, 4 };
  const gint64 bad[] = { 2, 4 };
  const gint64 lead_infer[] = { -1, 3, 4 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_expand (x, to, 3, &error);
  g_autoptr(FitTensor) z = NULL;
  g_autofree double *v = NULL;
  GError *err = NULL;

  g_assert_no_error (error);
  assert_shape (y, to, 3);
  v = fit_tensor_to_doubles (y, NULL);
  for (gint64 i = 0; i < 2; i++)
    for (gint64 j = 0; j < 3; j++)
      for (gint64 k = 0; k < 4; k++)
        g_assert_cmpfloat (v[(i * 3 + j) * 4 + k], ==, (double) j);

  z = fit_tensor_expand (x, keep, 2, &error);
  g_assert_no_error (error);
  assert_shape (z, keep_shape, 2);

  g_assert_null (fit_tensor_expand (x, bad, 2, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_SHAPE);
  assert_message_has (err, "[3, 1]");
  assert_message_has (err, "[2, 4]");
  g_clear_error (&err);

  g_assert_null (fit_tensor_expand (x, lead_infer, 3, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&err);

  g_assert_null (fit_tensor_expand (x, shape + 1, 1, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&err);
}

static FitTensor *
expand_fn (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  const gint64 to[] = { 2, 3, 2, 3, 2, 2 };

  return fit_tensor_expand (in[0], to, 6, error);
}

static void
test_expand_grad (void)
{
  const gint64 shape[] = { 3, 1, 3, 1, 2 };
  g_autoptr(FitRng) rng = fit_rng_new (6);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 5, -1, 1);

  fit_gradcheck (expand_fn, NULL, &x, 1, 1e-6, 1e-6);
}

/* ---- concat and stack ---- */

static void
test_concat_values (void)
{
  const gint64 sa[] = { 2, 1, 3 };
  const gint64 sb[] = { 2, 2, 3 };
  const gint64 so[] = { 2, 3, 3 };
  g_autoptr(FitTensor) a = arange_f64 (sa, 3);
  g_autoptr(FitTensor) b = arange_f64 (sb, 3);
  g_autoptr(GError) error = NULL;
  FitTensor *parts[2];
  g_autoptr(FitTensor) y = NULL;
  const double expected[] = {
    0, 1, 2, 0, 1, 2, 3, 4, 5,
    3, 4, 5, 6, 7, 8, 9, 10, 11,
  };

  parts[0] = a;
  parts[1] = b;
  y = fit_tensor_concat (parts, 2, 1, &error);
  g_assert_no_error (error);
  assert_shape (y, so, 3);
  assert_doubles (y, expected, N_ELEMS (expected));
}

static void
test_concat_errors (void)
{
  const gint64 sa[] = { 2, 3 };
  const gint64 sb[] = { 4, 3 };
  const gint64 sc[] = { 2, 5 };
  g_autoptr(FitTensor) a = arange_f64 (sa, 2);
  g_autoptr(FitTensor) b = arange_f64 (sb, 2);
  g_autoptr(FitTensor) c = arange_f64 (sc, 2);
  g_autoptr(FitTensor) a32 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, sa, 2);
  g_autoptr(FitTensor) s = fit_tensor_new_scalar (FIT_DTYPE_FLOAT64, 1);
  FitTensor *parts[3] = { a, b, c };
  FitTensor *mixed[2] = { a, a32 };
  GError *error = NULL;

  /* b fits along 0 but c does not: the message names c by its index. */
  g_assert_null (fit_tensor_concat (parts, 3, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  assert_message_has (error, "tensor 2");
  assert_message_has (error, "[2, 5]");
  assert_message_has (error, "[2, 3]");
  g_clear_error (&error);

  g_assert_null (fit_tensor_concat (mixed, 2, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  assert_message_has (error, "tensor 1");
  g_clear_error (&error);

  g_assert_null (fit_tensor_concat (parts, 0, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_tensor_concat (parts, 2, 2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_tensor_concat (&s, 1, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  g_assert_null (fit_tensor_stack (parts, 2, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  assert_message_has (error, "tensor 1");
  assert_message_has (error, "[4, 3]");
  g_clear_error (&error);

  g_assert_null (fit_tensor_stack (parts, 1, 3, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static void
test_stack_values (void)
{
  const gint64 shape[] = { 2, 2 };
  const gint64 s0[] = { 3, 2, 2 };
  const gint64 s2[] = { 2, 2, 3 };
  const double av[] = { 1, 2, 3, 4 };
  const double bv[] = { 5, 6, 7, 8 };
  const double cv[] = { 9, 10, 11, 12 };
  const double last[] = { 1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = fit_tensor_new_from_doubles (av, 4, shape, 2, &error);
  g_autoptr(FitTensor) b = fit_tensor_new_from_doubles (bv, 4, shape, 2, &error);
  g_autoptr(FitTensor) c = fit_tensor_new_from_doubles (cv, 4, shape, 2, &error);
  FitTensor *parts[3] = { a, b, c };
  g_autoptr(FitTensor) y0 = fit_tensor_stack (parts, 3, 0, &error);
  g_autoptr(FitTensor) y2 = fit_tensor_stack (parts, 3, -1, &error);
  double first[12];

  g_assert_no_error (error);
  assert_shape (y0, s0, 3);
  for (guint i = 0; i < 12; i++)
    first[i] = i + 1;
  assert_doubles (y0, first, 12);
  assert_shape (y2, s2, 3);
  assert_doubles (y2, last, 12);
}

static FitTensor *
concat_fn (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  return fit_tensor_concat (in, 3, GPOINTER_TO_INT (data), error);
}

static FitTensor *
stack_fn (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  return fit_tensor_stack (in, 3, GPOINTER_TO_INT (data), error);
}

static void
test_concat_stack_grad (void)
{
  const gint64 sa[] = { 2, 1, 3, 2, 1, 2 };
  const gint64 sb[] = { 2, 3, 3, 2, 1, 2 };
  const gint64 sc[] = { 2, 2, 3, 2, 1, 2 };
  const gint64 m[] = { 2, 3 };
  g_autoptr(FitRng) rng = fit_rng_new (7);
  g_autoptr(FitTensor) a = fit_gradcheck_input (rng, sa, 6, -1, 1);
  g_autoptr(FitTensor) b = fit_gradcheck_input (rng, sb, 6, -1, 1);
  g_autoptr(FitTensor) c = fit_gradcheck_input (rng, sc, 6, -1, 1);
  g_autoptr(FitTensor) p = fit_gradcheck_input (rng, m, 2, -1, 1);
  g_autoptr(FitTensor) q = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, m, 2, -1, 1);
  g_autoptr(FitTensor) r = fit_gradcheck_input (rng, m, 2, -1, 1);
  FitTensor *parts[3] = { a, b, c };
  FitTensor *same[3] = { p, q, r };   /* q needs no gradient */

  fit_gradcheck (concat_fn, GINT_TO_POINTER (1), parts, 3, 1e-6, 1e-6);
  for (int dim = -3; dim <= 2; dim++)
    fit_gradcheck (stack_fn, GINT_TO_POINTER (dim), same, 3, 1e-6, 1e-6);
  g_assert_null (fit_tensor_get_grad (q));
}

/* ---- slice ---- */

static gint64
py_len (gint64 size,
        gint64 start,
        gint64 end,
        gint64 step)
{
  gint64 n = 0;

  if (start < 0)
    start = MAX (start + size, 0);
  if (end < 0)
    end = MAX (end + size, 0);
  start = MIN (start, size);
  end = MIN (end, size);
  for (gint64 i = start; i < end; i += step)
    n++;
  return n;
}

static void
test_slice_values (void)
{
  const gint64 shape[] = { 3, 10, 2 };
  const gint64 cases[][3] = {
    { 0, 10, 1 }, { 2, 7, 1 }, { 1, 9, 3 }, { -4, -1, 1 }, { -100, 100, 2 },
    { 7, 3, 1 }, { 10, 12, 1 }, { -3, G_MAXINT64, 2 }, { 0, 1, 5 }, { 9, -100, 1 },
  };
  g_autoptr(FitTensor) x = arange_f64 (shape, 3);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gint64 start = cases[c][0], end = cases[c][1], step = cases[c][2];
      gint64 n = py_len (10, start, end, step);
      gint64 first = start < 0 ? MAX (start + 10, 0) : MIN (start, 10);
      g_autoptr(GError) error = NULL;
      g_autoptr(FitTensor) y = fit_tensor_slice (x, 1, start, end, step, &error);
      g_autofree double *v = NULL;
      const gint64 expect[] = { 3, n, 2 };

      g_assert_no_error (error);
      assert_shape (y, expect, 3);
      v = fit_tensor_to_doubles (y, NULL);
      for (gint64 i = 0; i < 3; i++)
        for (gint64 j = 0; j < n; j++)
          for (gint64 k = 0; k < 2; k++)
            g_assert_cmpfloat (v[(i * n + j) * 2 + k], ==,
                               (double) ((i * 10 + first + j * step) * 2 + k));
    }
}

static void
test_slice_view (void)
{
  const gint64 shape[] = { 6, 4 };
  const gint64 rows[] = { 3, 4 };
  const gint64 one_lead[] = { 1, 6, 4 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  g_autoptr(FitTensor) x3 = arange_f64 (one_lead, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) v = fit_tensor_slice (x, 0, 2, 5, 1, &error);
  g_autoptr(FitTensor) c = fit_tensor_slice (x, 0, 0, 6, 2, &error);
  g_autoptr(FitTensor) w = fit_tensor_slice (x3, 1, 1, 3, 1, &error);
  const double *xd = fit_tensor_get_data (x);

  g_assert_no_error (error);
  assert_shape (v, rows, 2);
  /* Rows 2..4 of x, in place. */
  g_assert_true ((const double *) fit_tensor_get_data (v) == xd + 8);
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (v))[0], ==, 8.0);
  /* Every other row is a copy. */
  g_assert_true ((const double *) fit_tensor_get_data (c) != xd + 0);
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (c))[4], ==, 8.0);
  /* Leading dimensions of size 1 keep the slice contiguous. */
  g_assert_true ((const double *) fit_tensor_get_data (w) ==
                 (const double *) fit_tensor_get_data (x3) + 4);
}

static void
test_slice_errors (void)
{
  const gint64 shape[] = { 6, 4 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  g_autoptr(FitTensor) s = fit_tensor_new_scalar (FIT_DTYPE_FLOAT64, 1);
  GError *error = NULL;

  g_assert_null (fit_tensor_slice (x, 0, 0, 3, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fit_tensor_slice (x, 0, 0, 3, -1, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fit_tensor_slice (x, 2, 0, 3, 1, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fit_tensor_slice (s, 0, 0, 1, 1, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

typedef struct
{
  int    dim;
  gint64 start, end, step;
} SliceArgs;

static FitTensor *
slice_fn (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  SliceArgs *a = data;

  return fit_tensor_slice (in[0], a->dim, a->start, a->end, a->step, error);
}

static void
test_slice_grad (void)
{
  const gint64 shape[] = { 2, 5, 1, 3, 2, 2 };
  const SliceArgs cases[] = {
    { 0, 1, 2, 1 },          /* a view */
    { 1, 0, 5, 2 },
    { 1, -4, -1, 1 },
    { -1, 1, 2, 1 },
    { 3, 0, 3, 2 },
    { 1, 3, 1, 1 },          /* empty */
  };
  g_autoptr(FitRng) rng = fit_rng_new (8);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 6, -1, 1);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    fit_gradcheck (slice_fn, (gpointer) &cases[c], &x, 1, 1e-6, 1e-6);
}

/* ---- index_select, gather, embedding, one_hot ---- */

static void
test_index_select (void)
{
  const gint64 shape[] = { 3, 4 };
  const gint64 idx[] = { 3, 0, 3 };
  const gint64 n3[] = { 3 };
  const gint64 out_shape[] = { 3, 3 };
  const double expected[] = { 3, 0, 3, 7, 4, 7, 11, 8, 11 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  g_autoptr(FitTensor) xi = NULL;
  g_autoptr(FitTensor) i = int64s (idx, 3, n3, 1);
  g_autoptr(FitTensor) i32 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_index_select (x, 1, i, &error);
  g_autoptr(FitTensor) y32 = NULL;
  g_autoptr(FitTensor) yi = NULL;
  g_autofree gint64 *iv = NULL;

  g_assert_no_error (error);
  assert_shape (y, out_shape, 2);
  assert_doubles (y, expected, 9);

  i32 = fit_tensor_to_dtype (i, FIT_DTYPE_INT32, &error);
  y32 = fit_tensor_index_select (x, -1, i32, &error);
  g_assert_no_error (error);
  assert_doubles (y32, expected, 9);

  xi = fit_tensor_to_dtype (x, FIT_DTYPE_INT64, &error);
  yi = fit_tensor_index_select (xi, 1, i, &error);
  g_assert_no_error (error);
  iv = fit_tensor_to_int64s (yi, NULL);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (iv[k], ==, (gint64) expected[k]);
}

static void
test_index_errors (void)
{
  const gint64 shape[] = { 3, 4 };
  const gint64 bad[] = { 1, 4 };
  const gint64 neg[] = { -1 };
  const gint64 n2[] = { 2 };
  const gint64 n1[] = { 1 };
  const gint64 m2[] = { 2, 1 };
  g_autoptr(FitTensor) x = arange_f64 (shape, 2);
  g_autoptr(FitTensor) i = int64s (bad, 2, n2, 1);
  g_autoptr(FitTensor) in = int64s (neg, 1, n1, 1);
  g_autoptr(FitTensor) i2 = int64s (bad, 2, m2, 2);
  g_autoptr(FitTensor) f = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, n2, 1);
  GError *error = NULL;

  g_assert_null (fit_tensor_index_select (x, 1, i, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  assert_message_has (error, "index 4");
  assert_message_has (error, "size 4");
  g_clear_error (&error);

  g_assert_null (fit_tensor_index_select (x, 0, in, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  assert_message_has (error, "index -1");
  assert_message_has (error, "size 3");
  g_clear_error (&error);

  g_assert_null (fit_tensor_index_select (x, 0, f, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  g_clear_error (&error);

  g_assert_null (fit_tensor_index_select (x, 0, i2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  /* gather: too few dimensions, too large a size, an index out of range */
  g_assert_null (fit_tensor_gather (x, 1, i, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);
  {
    const gint64 big[] = { 4, 1 };
    const gint64 zeros[4] = { 0 };
    g_autoptr(FitTensor) gi = int64s (zeros, 4, big, 2);

    g_assert_null (fit_tensor_gather (x, 1, gi, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    assert_message_has (error, "[4, 1]");
    g_clear_error (&error);
  }
  g_assert_null (fit_tensor_gather (x, 1, i2, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  assert_message_has (error, "index 4");
  g_clear_error (&error);

  g_assert_null (fit_tensor_embedding (x, i, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  assert_message_has (error, "index 4");
  assert_message_has (error, "size 3");
  g_clear_error (&error);

  g_assert_null (fit_tensor_embedding (i, i, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  g_clear_error (&error);

  g_assert_null (fit_tensor_embedding (f, i, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);
}

typedef struct
{
  int        dim;
  FitTensor *indices;
} IndexArgs;

static FitTensor *
index_select_fn (FitTensor **in,
                 gpointer    data,
                 GError    **error)
{
  IndexArgs *a = data;

  return fit_tensor_index_select (in[0], a->dim, a->indices, error);
}

static FitTensor *
gather_fn (FitTensor **in,
           gpointer    data,
           GError    **error)
{
  IndexArgs *a = data;

  return fit_tensor_gather (in[0], a->dim, a->indices, error);
}

static FitTensor *
embedding_fn (FitTensor **in,
              gpointer    data,
              GError    **error)
{
  IndexArgs *a = data;

  return fit_tensor_embedding (in[0], a->indices, error);
}

static void
test_index_select_grad (void)
{
  const gint64 shape[] = { 2, 4, 1, 2, 3, 2 };
  const gint64 idx[] = { 2, 0, 2, 2, 1 };
  const gint64 n5[] = { 5 };
  g_autoptr(FitRng) rng = fit_rng_new (9);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 6, -1, 1);
  g_autoptr(FitTensor) i = int64s (idx, 5, n5, 1);
  IndexArgs a = { 1, i };
  IndexArgs last = { -1, NULL };
  const gint64 small[] = { 1, 0, 1 };
  const gint64 n3[] = { 3 };
  g_autoptr(FitTensor) j = int64s (small, 3, n3, 1);

  fit_gradcheck (index_select_fn, &a, &x, 1, 1e-6, 1e-6);
  last.indices = j;
  fit_gradcheck (index_select_fn, &last, &x, 1, 1e-6, 1e-6);
  a.dim = 0;
  a.indices = j;
  fit_gradcheck (index_select_fn, &a, &x, 1, 1e-6, 1e-6);
}

/* out[i][j][k] = x[i][idx[i][j][k]][k], independently of the library. */
static void
test_gather_values (void)
{
  const gint64 shape[] = { 3, 5, 4 };
  const gint64 ishape[] = { 2, 7, 3 };   /* smaller than x outside dim 1 */
  g_autoptr(FitRng) rng = fit_rng_new (10);
  g_autoptr(FitTensor) x = random_f32 (rng, shape, 3);
  g_autofree gint64 *idx = g_new (gint64, 2 * 7 * 3);
  g_autoptr(FitTensor) i = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = NULL;
  g_autofree double *xv = fit_tensor_to_doubles (x, NULL);
  g_autofree double *yv = NULL;

  for (guint k = 0; k < 2 * 7 * 3; k++)
    idx[k] = fit_rng_next_below (rng, 5);
  i = int64s (idx, 2 * 7 * 3, ishape, 3);
  y = fit_tensor_gather (x, 1, i, &error);
  g_assert_no_error (error);
  assert_shape (y, ishape, 3);
  g_assert_cmpint (fit_tensor_get_dtype (y), ==, FIT_DTYPE_FLOAT32);
  yv = fit_tensor_to_doubles (y, NULL);
  for (gint64 a = 0; a < 2; a++)
    for (gint64 b = 0; b < 7; b++)
      for (gint64 c = 0; c < 3; c++)
        {
          gint64 e = (a * 7 + b) * 3 + c;

          g_assert_cmpfloat (yv[e], ==, xv[(a * 5 + idx[e]) * 4 + c]);
        }
}

static void
test_gather_grad (void)
{
  const gint64 shape[] = { 2, 3, 1, 2, 3, 2 };
  const gint64 ishape[] = { 2, 4, 1, 1, 3, 2 };
  const gint64 lshape[] = { 2, 3, 1, 2, 3, 3 };
  g_autoptr(FitRng) rng = fit_rng_new (11);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 6, -1, 1);
  gint64 idx[2 * 4 * 3 * 2];
  gint64 lidx[2 * 3 * 2 * 3 * 3];
  g_autoptr(FitTensor) i = NULL;
  g_autoptr(FitTensor) l = NULL;
  IndexArgs a;

  for (guint k = 0; k < G_N_ELEMENTS (idx); k++)
    idx[k] = fit_rng_next_below (rng, 3);
  for (guint k = 0; k < G_N_ELEMENTS (lidx); k++)
    lidx[k] = fit_rng_next_below (rng, 2);
  i = int64s (idx, G_N_ELEMENTS (idx), ishape, 6);
  l = int64s (lidx, G_N_ELEMENTS (lidx), lshape, 6);

  a.dim = 1;
  a.indices = i;
  fit_gradcheck (gather_fn, &a, &x, 1, 1e-6, 1e-6);
  a.dim = -1;
  a.indices = l;
  fit_gradcheck (gather_fn, &a, &x, 1, 1e-6, 1e-6);
}

static void
test_embedding (void)
{
  const gint64 wshape[] = { 5, 3 };
  const gint64 ishape[] = { 2, 2 };
  const gint64 oshape[] = { 2, 2, 3 };
  const gint64 idx[] = { 4, 0, 4, 2 };
  g_autoptr(FitTensor) w = arange_f64 (wshape, 2);
  g_autoptr(FitTensor) i = int64s (idx, 4, ishape, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_embedding (w, i, &error);
  const double expected[] = { 12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8 };
  g_autoptr(FitRng) rng = fit_rng_new (12);
  g_autoptr(FitTensor) wg = fit_gradcheck_input (rng, wshape, 2, -1, 1);
  IndexArgs a = { 0, i };

  g_assert_no_error (error);
  assert_shape (y, oshape, 3);
  assert_doubles (y, expected, 12);
  fit_gradcheck (embedding_fn, &a, &wg, 1, 1e-6, 1e-6);
  /* Row 1 and row 3 were never looked up. */
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (fit_tensor_get_grad (wg)))[3], ==, 0);
}

static void
test_one_hot (void)
{
  const gint64 labels[] = { 2, 0, 1, 2 };
  const gint64 bad[] = { 0, 3 };
  const gint64 shape[] = { 2, 2 };
  const gint64 n2[] = { 2 };
  const gint64 oshape[] = { 2, 2, 3 };
  g_autoptr(FitTensor) l = int64s (labels, 4, shape, 2);
  g_autoptr(FitTensor) b = int64s (bad, 2, n2, 1);
  g_autoptr(FitTensor) l32 = NULL;
  g_autoptr(FitTensor) f = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, n2, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_one_hot (l, 3, &error);
  g_autoptr(FitTensor) y32 = NULL;
  const double expected[] = { 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  GError *err = NULL;

  g_assert_no_error (error);
  assert_shape (y, oshape, 3);
  g_assert_cmpint (fit_tensor_get_dtype (y), ==, FIT_DTYPE_FLOAT32);
  assert_doubles (y, expected, 12);

  l32 = fit_tensor_to_dtype (l, FIT_DTYPE_INT32, &error);
  y32 = fit_tensor_one_hot (l32, 3, &error);
  g_assert_no_error (error);
  assert_doubles (y32, expected, 12);

  g_assert_null (fit_tensor_one_hot (b, 3, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  assert_message_has (err, "label 3");
  assert_message_has (err, "3 classes");
  g_clear_error (&err);

  g_assert_null (fit_tensor_one_hot (l, 0, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&err);

  g_assert_null (fit_tensor_one_hot (f, 3, &err));
  g_assert_error (err, FIT_ERROR, FIT_ERROR_DTYPE);
  g_clear_error (&err);
}

/* ---- autograd through a chain of views and copies ---- */

static FitTensor *
chain_fn (FitTensor **in,
          gpointer    data,
          GError    **error)
{
  const gint64 to[] = { 4, 6 };
  const int perm[] = { 1, 0 };
  g_autoptr(FitTensor) a = fit_tensor_reshape (in[0], to, 2, error);
  g_autoptr(FitTensor) b = fit_tensor_permute (a, perm, 2, error);
  g_autoptr(FitTensor) c = fit_tensor_slice (b, 0, 1, 5, 1, error);
  FitTensor *parts[2] = { c, c };

  /* The same tensor twice: its gradient is the sum of both uses. */
  return fit_tensor_concat (parts, 2, 1, error);
}

static void
test_chain_grad (void)
{
  const gint64 shape[] = { 2, 3, 4 };
  g_autoptr(FitRng) rng = fit_rng_new (13);
  g_autoptr(FitTensor) x = fit_gradcheck_input (rng, shape, 3, -1, 1);

  fit_gradcheck (chain_fn, NULL, &x, 1, 1e-6, 1e-6);
}

static void
test_float32_grad (void)
{
  const gint64 shape[] = { 3, 4 };
  const gint64 idx[] = { 1, 1 };
  const gint64 n2[] = { 2 };
  g_autoptr(FitTensor) x = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 2, 1.0);
  g_autoptr(FitTensor) i = int64s (idx, 2, n2, 1);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) seed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *g = NULL;
  const gint64 yshape[] = { 3, 2 };

  fit_tensor_set_requires_grad (x, TRUE);
  y = fit_tensor_index_select (x, 1, i, &error);
  g_assert_no_error (error);
  seed = fit_tensor_new_full (FIT_DTYPE_FLOAT32, yshape, 2, 1.0);
  fit_tensor_backward_full (y, seed, FALSE, &error);
  g_assert_no_error (error);
  g = fit_tensor_to_floats (fit_tensor_get_grad (x), NULL);
  for (guint r = 0; r < 3; r++)
    {
      g_assert_cmpfloat (g[r * 4 + 0], ==, 0.0f);
      g_assert_cmpfloat (g[r * 4 + 1], ==, 2.0f);
    }
}

#define BIG(k) (G_GINT64_CONSTANT (1) << (k))

/* Results whose sizes multiply past what a tensor holds are FIT_ERROR_SHAPE errors
 * naming the shape, before anything is allocated. Empty tensors reach them with no
 * memory at all: their other sizes can be as large as a shape allows. */
static void
assert_result_too_large (FitTensor  *result,
                         GError     *error)
{
  g_assert_null (result);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "2^60"));
}

static void
test_reshape_overflow (void)
{
  const gint64 zero[] = { 0 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, zero, 1);
  /* The product of the sizes used to overflow a signed multiplication. */
  const gint64 wraps[] = { BIG (62), BIG (62), BIG (62), 4 };
  /* Holds 0 elements, as x does, but no tensor can have this shape. */
  const gint64 empty[] = { BIG (62), BIG (62), 0 };
  const gint64 fine[] = { BIG (40), 0, 3 };
  g_autoptr(GError) error = NULL;
  FitTensor *y;

  y = fit_tensor_reshape (x, wraps, 4, &error);
  g_assert_null (y);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  y = fit_tensor_reshape (x, empty, 3, &error);
  assert_result_too_large (y, error);
  g_clear_error (&error);

  y = fit_tensor_reshape (x, fine, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (y, 0), ==, BIG (40));
  g_object_unref (y);
}

static void
test_expand_overflow (void)
{
  const gint64 one[] = { 1, 1 };
  const gint64 huge[] = { BIG (40), BIG (40) };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, one, 2);
  g_autoptr(GError) error = NULL;
  FitTensor *y = fit_tensor_expand (x, huge, 2, &error);

  assert_result_too_large (y, error);
}

static void
test_join_overflow (void)
{
  const gint64 wide[] = { 0, BIG (59) };
  const gint64 tall[] = { BIG (59), 0 };
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wide, 2);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, tall, 2);
  FitTensor *many[16];
  g_autoptr(GError) error = NULL;
  FitTensor *y;

  /* Two: [0, 2^60], too large. Sixteen: the size itself, 2^63, used to overflow. */
  for (guint i = 0; i < 16; i++)
    many[i] = a;
  y = fit_tensor_concat (many, 2, 1, &error);
  assert_result_too_large (y, error);
  g_clear_error (&error);
  y = fit_tensor_concat (many, 16, 1, &error);
  g_assert_null (y);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  /* Still fine along the empty dimension. */
  y = fit_tensor_concat (many, 16, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (y, 1), ==, BIG (59));
  g_object_unref (y);

  for (guint i = 0; i < 16; i++)
    many[i] = b;
  y = fit_tensor_stack (many, 16, 0, &error);
  assert_result_too_large (y, error);
}

static void
test_index_overflow (void)
{
  const gint64 src_shape[] = { BIG (59), 0, 1 };
  const gint64 idx_shape[] = { 16 };
  const gint64 idx_empty[] = { BIG (59), 0 };
  const gint64 table_shape[] = { 4, 16 };
  const gint64 labels_shape[] = { 4 };
  const gint64 zeros[16] = { 0 };
  const gint64 labels[] = { 0, 1, 2, 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) src = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, src_shape, 3);
  g_autoptr(FitTensor) idx = fit_tensor_new_from_int64s (zeros, 16, idx_shape, 1, &error);
  g_autoptr(FitTensor) empty = fit_tensor_new_zeros (FIT_DTYPE_INT64, idx_empty, 2);
  g_autoptr(FitTensor) table = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, table_shape, 2);
  g_autoptr(FitTensor) y = fit_tensor_new_from_int64s (labels, 4, labels_shape, 1, &error);
  FitTensor *out;

  /* [2^59, 0, 1] picking 16 entries of its last dimension: [2^59, 0, 16]. */
  out = fit_tensor_index_select (src, 2, idx, &error);
  assert_result_too_large (out, error);
  g_clear_error (&error);

  /* [2^59, 0] indices into rows of 16: [2^59, 0, 16]. */
  out = fit_tensor_embedding (table, empty, &error);
  assert_result_too_large (out, error);
  g_clear_error (&error);

  /* Four labels of 2^61 classes used to be a critical and a crash. */
  out = fit_tensor_one_hot (y, BIG (61), &error);
  assert_result_too_large (out, error);
}

/* A step larger than the dimension takes one index; it was multiplied by the inner size
 * all the same, which overflowed for steps near G_MAXINT64 (found by fuzz-tensor-ops). */
static void
test_slice_huge_step (void)
{
  const gint64 shape[] = { 2, 3, 4 };
  g_autoptr(FitTensor) x = fit_tensor_new_arange (FIT_DTYPE_FLOAT32, 0, 24, 1, NULL);
  g_autoptr(FitTensor) y = fit_tensor_reshape (x, shape, 3, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) s = fit_tensor_slice (y, 1, 1, G_MAXINT64, G_MAXINT64, &error);
  const float expected[] = { 4, 5, 6, 7, 16, 17, 18, 19 };
  g_autofree float *got = NULL;
  gsize n = 0;

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (s, 1), ==, 1);
  got = fit_tensor_to_floats (s, &n);
  g_assert_cmpmem (got, n * sizeof (float), expected, sizeof expected);
}

/* Empty tensors with large other sizes: nothing is picked, so the backward passes have
 * nothing to add, but they used to walk every (empty) row of the leading sizes, 2^40
 * or more of them. */
static void
test_index_backward_empty (void)
{
  const gint64 src_shape[] = { BIG (40), 0, 16 };
  const gint64 none[] = { 0 };
  const gint64 flat[] = { BIG (40), 0 };
  g_autoptr(FitTensor) src = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, src_shape, 3);
  g_autoptr(FitTensor) wide = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, flat, 2);
  g_autoptr(FitTensor) idx = fit_tensor_new_zeros (FIT_DTYPE_INT64, none, 1);
  g_autoptr(FitTensor) idx2 = fit_tensor_new_zeros (FIT_DTYPE_INT64, flat, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) picked = NULL;
  g_autoptr(FitTensor) gathered = NULL;
  g_autoptr(FitTensor) seed = NULL;
  g_autoptr(FitTensor) seed2 = NULL;

  fit_tensor_set_requires_grad (src, TRUE);
  fit_tensor_set_requires_grad (wide, TRUE);
  picked = fit_tensor_index_select (src, 1, idx, &error);
  g_assert_no_error (error);
  seed = fit_tensor_zeros_like (picked);
  g_assert_true (fit_tensor_backward_full (picked, seed, FALSE, &error));
  g_assert_cmpint (fit_tensor_get_numel (fit_tensor_get_grad (src)), ==, 0);

  gathered = fit_tensor_gather (wide, 1, idx2, &error);
  g_assert_no_error (error);
  seed2 = fit_tensor_zeros_like (gathered);
  g_assert_true (fit_tensor_backward_full (gathered, seed2, FALSE, &error));
  g_assert_cmpint (fit_tensor_get_numel (fit_tensor_get_grad (wide)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Fit/Tensor/reshape/view", test_reshape_view);
  g_test_add_func ("/Fit/Tensor/reshape/int-and-scalar", test_reshape_int_and_scalar);
  g_test_add_func ("/Fit/Tensor/reshape/errors", test_reshape_errors);
  g_test_add_func ("/Fit/Tensor/reshape/grad", test_reshape_grad);
  g_test_add_func ("/Fit/Tensor/flatten/shapes", test_flatten);
  g_test_add_func ("/Fit/Tensor/flatten/grad", test_flatten_grad);
  g_test_add_func ("/Fit/Tensor/squeeze/shapes", test_squeeze_unsqueeze);
  g_test_add_func ("/Fit/Tensor/squeeze/grad", test_squeeze_grad);
  g_test_add_func ("/Fit/Tensor/permute/values", test_permute_values);
  g_test_add_func ("/Fit/Tensor/permute/errors", test_permute_errors);
  g_test_add_func ("/Fit/Tensor/permute/grad", test_permute_grad);
  g_test_add_func ("/Fit/Tensor/transpose/values", test_transpose);
  g_test_add_func ("/Fit/Tensor/expand/values", test_expand);
  g_test_add_func ("/Fit/Tensor/expand/grad", test_expand_grad);
  g_test_add_func ("/Fit/Tensor/concat/values", test_concat_values);
  g_test_add_func ("/Fit/Tensor/concat/errors", test_concat_errors);
  g_test_add_func ("/Fit/Tensor/stack/values", test_stack_values);
  g_test_add_func ("/Fit/Tensor/concat/grad", test_concat_stack_grad);
  g_test_add_func ("/Fit/Tensor/slice/values", test_slice_values);
  g_test_add_func ("/Fit/Tensor/slice/view", test_slice_view);
  g_test_add_func ("/Fit/Tensor/slice/errors", test_slice_errors);
  g_test_add_func ("/Fit/Tensor/slice/huge-step", test_slice_huge_step);
  g_test_add_func ("/Fit/Tensor/slice/grad", test_slice_grad);
  g_test_add_func ("/Fit/Tensor/index-select/values", test_index_select);
  g_test_add_func ("/Fit/Tensor/index-select/errors", test_index_errors);
  g_test_add_func ("/Fit/Tensor/index-select/grad", test_index_select_grad);
  g_test_add_func ("/Fit/Tensor/gather/values", test_gather_values);
  g_test_add_func ("/Fit/Tensor/gather/grad", test_gather_grad);
  g_test_add_func ("/Fit/Tensor/embedding/values-and-grad", test_embedding);
  g_test_add_func ("/Fit/Tensor/one-hot/values", test_one_hot);
  g_test_add_func ("/Fit/Tensor/shape/chain-grad", test_chain_grad);
  g_test_add_func ("/Fit/Tensor/shape/float32-grad", test_float32_grad);
  g_test_add_func ("/Fit/Tensor/reshape/overflow", test_reshape_overflow);
  g_test_add_func ("/Fit/Tensor/expand/overflow", test_expand_overflow);
  g_test_add_func ("/Fit/Tensor/concat/overflow", test_join_overflow);
  g_test_add_func ("/Fit/Tensor/index-select/overflow", test_index_overflow);
  g_test_add_func ("/Fit/Tensor/index-select/backward-empty", test_index_backward_empty);
  return g_test_run ();
}
