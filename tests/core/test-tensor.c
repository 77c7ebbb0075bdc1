/* test-tensor.c: creation, data access, copies and the autograd engine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <string.h>
#include <math.h>

static void
test_tensor_zeros_and_shape (void)
{
  const gint64 shape[] = { 2, 1, 3, 1, 2, 2 };   /* six dimensions */
  g_autoptr(FitTensor) t = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 6);
  g_autofree char *s = fit_tensor_get_shape_string (t);
  const float *d = fit_tensor_get_data (t);
  guint n_dims;

  g_assert_cmpint (fit_tensor_get_numel (t), ==, 24);
  g_assert_cmpmem (fit_tensor_get_shape (t, &n_dims), 6 * sizeof (gint64), shape, sizeof shape);
  g_assert_cmpuint (n_dims, ==, 6);
  g_assert_cmpint (fit_tensor_get_dim (t, -1), ==, 2);
  g_assert_cmpint (fit_tensor_get_dim (t, 6), ==, -1);
  g_assert_cmpstr (s, ==, "[2, 1, 3, 1, 2, 2]");
  g_assert_cmpuint (fit_tensor_get_n_bytes (t), ==, 96);
  for (guint i = 0; i < 24; i++)
    g_assert_cmpfloat (d[i], ==, 0.0f);
}

static void
test_tensor_from_data_errors (void)
{
  g_autoptr(GError) error = NULL;
  const float v[] = { 1, 2, 3 };
  const gint64 shape[] = { 2, 2 };
  const gint64 bad[] = { 2, -1 };
  g_autoptr(FitTensor) t = fit_tensor_new_from_floats (v, 3, shape, 2, &error);

  g_assert_null (t);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[2, 2]"));
  g_assert_nonnull (strstr (error->message, "3 values"));
  g_clear_error (&error);

  t = fit_tensor_new_from_data (FIT_DTYPE_FLOAT32, bad, 2, (const guint8 *) v, 12, &error);
  g_assert_null (t);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[2, -1]"));
  g_clear_error (&error);

  /* Empty tensors: zeros do not excuse the other sizes (they overflow a derived tensor),
   * but sizes that fit are fine. */
  {
    const gint64 huge_empty[] = { G_GINT64_CONSTANT (1) << 40, G_GINT64_CONSTANT (1) << 40, 0 };
    const gint64 top_empty[] = { G_GINT64_CONSTANT (1) << 62, 0 };
    const gint64 fine_empty[] = { 0, G_GINT64_CONSTANT (1) << 40 };

    t = fit_tensor_new_from_data (FIT_DTYPE_FLOAT32, huge_empty, 3, NULL, 0, &error);
    g_assert_null (t);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "overflowing"));
    g_clear_error (&error);
    t = fit_tensor_new_from_data (FIT_DTYPE_INT64, top_empty, 2, NULL, 0, &error);
    g_assert_null (t);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_clear_error (&error);
    t = fit_tensor_new_from_data (FIT_DTYPE_FLOAT64, fine_empty, 2, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_numel (t), ==, 0);
    g_clear_object (&t);
  }
}

/* C leaves float to integer conversion undefined for NaN, infinities and values out of
 * range: to_dtype reports the first such element, to_int64s saturates. */
static void
test_tensor_float_to_int (void)
{
  const double v[] = { 2.9, -2.9, NAN, INFINITY, -1e300, 2147483647.5, 2147483648.0,
                       9223372036854775807.0 };
  const gint64 shape[] = { G_N_ELEMENTS (v) }, two[] = { 2 }, one[] = { 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_tensor_new_from_doubles (v, G_N_ELEMENTS (v), shape, 1, &error);
  g_autoptr(FitTensor) edge = fit_tensor_new_from_doubles (v + 5, 2, two, 1, &error);
  g_autoptr(FitTensor) fits = fit_tensor_new_from_doubles (v + 5, 1, one, 1, &error);
  g_autoptr(FitTensor) converted = NULL;
  g_autofree gint64 *i = NULL;
  gsize n = 0;

  g_assert_no_error (error);
  converted = fit_tensor_to_dtype (t, FIT_DTYPE_INT64, &error);
  g_assert_null (converted);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "element 2 is nan"));
  g_clear_error (&error);

  converted = fit_tensor_to_dtype (edge, FIT_DTYPE_INT32, &error);
  g_assert_null (converted);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "element 1 is 2147483648"));
  g_clear_error (&error);
  converted = fit_tensor_to_dtype (fits, FIT_DTYPE_INT32, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((const gint32 *) fit_tensor_get_data (converted))[0], ==, 2147483647);

  i = fit_tensor_to_int64s (t, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (v));
  g_assert_cmpint (i[0], ==, 2);
  g_assert_cmpint (i[1], ==, -2);
  g_assert_cmpint (i[2], ==, 0);
  g_assert_cmpint (i[3], ==, G_MAXINT64);
  g_assert_cmpint (i[4], ==, G_MININT64);
  g_assert_cmpint (i[5], ==, 2147483647);
  g_assert_cmpint (i[7], ==, G_MAXINT64);  /* 2^63 as a double: just out of range */
}

static void
test_tensor_bytes_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  const double v[] = { 1.5, -2.25, 1e300, 0.0, -0.0, 7.0 };
  const gint64 shape[] = { 3, 2 };
  g_autoptr(GBytes) bytes = g_bytes_new (v, sizeof v);
  g_autoptr(FitTensor) t = fit_tensor_new_from_bytes (FIT_DTYPE_FLOAT64, shape, 2, bytes, &error);
  g_autoptr(GBytes) out = NULL;
  gsize n = 0;
  g_autofree float *f = NULL;
  g_autofree gint64 *i = NULL;

  g_assert_no_error (error);
  /* Aligned GBytes are shared, not copied. */
  g_assert_true (fit_tensor_get_data (t) == g_bytes_get_data (bytes, NULL));
  out = fit_tensor_to_bytes (t);
  g_assert_true (g_bytes_equal (out, bytes));
  f = fit_tensor_to_floats (t, &n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat (f[1], ==, -2.25f);
  i = fit_tensor_to_int64s (t, &n);
  g_assert_cmpint (i[0], ==, 1);
  g_assert_cmpint (i[1], ==, -2);

  /* Writing through the tensor never writes into the caller's bytes. */
  fit_tensor_fill (t, 3.0);
  g_assert_cmpfloat (((const double *) g_bytes_get_data (bytes, NULL))[0], ==, 1.5);
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (t))[0], ==, 3.0);
}

static void
test_tensor_arange_and_item (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) a = fit_tensor_new_arange (FIT_DTYPE_INT64, 3, -3, -2, &error);
  g_autoptr(FitTensor) s = fit_tensor_new_scalar (FIT_DTYPE_FLOAT32, 2.5);
  const gint64 *d;
  double value = 0;

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_numel (a), ==, 3);
  d = fit_tensor_get_data (a);
  g_assert_cmpint (d[0], ==, 3);
  g_assert_cmpint (d[2], ==, -1);

  g_assert_true (fit_tensor_item (s, &value, &error));
  g_assert_cmpfloat (value, ==, 2.5);
  g_assert_false (fit_tensor_item (a, &value, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  g_assert_null (fit_tensor_new_arange (FIT_DTYPE_FLOAT32, 0, 1, 0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
}

static void
test_tensor_random_is_seeded (void)
{
  const gint64 shape[] = { 100 };
  g_autoptr(FitRng) r1 = fit_rng_new (5);
  g_autoptr(FitRng) r2 = fit_rng_new (5);
  g_autoptr(FitTensor) a = fit_tensor_new_normal (r1, FIT_DTYPE_FLOAT32, shape, 1, 1.0, 2.0);
  g_autoptr(FitTensor) b = fit_tensor_new_normal (r2, FIT_DTYPE_FLOAT32, shape, 1, 1.0, 2.0);
  g_autoptr(FitTensor) u = fit_tensor_new_uniform (r1, FIT_DTYPE_FLOAT64, shape, 1, -3, -2);
  const double *ud = fit_tensor_get_data (u);

  g_assert_cmpmem (fit_tensor_get_data (a), 400, fit_tensor_get_data (b), 400);
  for (guint i = 0; i < 100; i++)
    {
      g_assert_cmpfloat (ud[i], >=, -3.0);
      g_assert_cmpfloat (ud[i], <, -2.0);
    }
}

static void
test_tensor_to_string (void)
{
  g_autoptr(GError) error = NULL;
  const float v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  const gint64 shape[] = { 10 };
  g_autoptr(FitTensor) t = fit_tensor_new_from_floats (v, 10, shape, 1, &error);
  g_autofree char *s = fit_tensor_to_string (t);

  g_assert_cmpstr (s, ==, "tensor([1, 2, 3, ..., 8, 9, 10], shape=[10], dtype=float32)");
}

static void
test_tensor_assign_and_inplace (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 shape[] = { 2, 2 }, other[] = { 4 };
  g_autoptr(FitTensor) a = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 2, 1.0);
  g_autoptr(FitTensor) b = fit_tensor_new_full (FIT_DTYPE_FLOAT64, shape, 2, 2.0);
  g_autoptr(FitTensor) c = fit_tensor_new_full (FIT_DTYPE_FLOAT32, other, 1, 2.0);
  g_autoptr(FitTensor) a2 = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 2, 3.0);
  const float *d = fit_tensor_get_data (a);

  g_assert_true (fit_tensor_assign (a, b, &error));
  g_assert_cmpfloat (d[3], ==, 2.0f);
  g_assert_false (fit_tensor_assign (a, c, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  g_assert_true (fit_tensor_add_inplace (a, a2, -0.5, &error));
  g_assert_cmpfloat (d[0], ==, 0.5f);
  fit_tensor_scale_inplace (a, 4);
  g_assert_cmpfloat (d[2], ==, 2.0f);

  /* A parameter must not change behind autograd's back. */
  fit_tensor_set_requires_grad (a, TRUE);
  g_assert_false (fit_tensor_add_inplace (a, a2, 1.0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  {
    gboolean was = fit_grad_set_enabled (FALSE);

    g_assert_true (fit_tensor_add_inplace (a, a2, 1.0, &error));
    fit_grad_set_enabled (was);
  }
  g_assert_cmpfloat (d[0], ==, 5.0f);
}

static void
test_autograd_accumulates (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 shape[] = { 3 };
  g_autoptr(FitTensor) x = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 1, 1.0);
  g_autoptr(FitTensor) seed = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 1, 0.5);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) y64 = NULL;
  const float *g;

  fit_tensor_set_requires_grad (x, TRUE);
  y = fit_tensor_clone (x);
  y64 = fit_tensor_to_dtype (y, FIT_DTYPE_FLOAT64, &error);
  g_assert_cmpstr (fit_tensor_get_grad_fn_name (y64), ==, "to_dtype");
  g_assert_false (fit_tensor_is_leaf (y));

  /* Not a scalar and no gradient given. */
  g_assert_false (fit_tensor_backward (y64, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD);
  g_clear_error (&error);

  g_assert_true (fit_tensor_backward_full (y, seed, TRUE, &error));
  g_assert_true (fit_tensor_backward_full (y, seed, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (fit_tensor_get_grad (x)), ==, FIT_DTYPE_FLOAT32);
  g = fit_tensor_get_data (fit_tensor_get_grad (x));
  g_assert_cmpfloat (g[0], ==, 1.0f);   /* 0.5 twice: gradients accumulate */

  /* The second pass did not retain the graph. */
  g_assert_false (fit_tensor_backward_full (y, seed, FALSE, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "clone"));
  g_clear_error (&error);

  fit_tensor_zero_grad (x);
  g_assert_cmpfloat (g[2], ==, 0.0f);
}

static void
test_autograd_no_grad_scope (void)
{
  const gint64 shape[] = { 2 };
  g_autoptr(FitTensor) x = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 1, 1.0);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) z = NULL;
  g_autoptr(FitTensor) d = NULL;
  gboolean was;

  fit_tensor_set_requires_grad (x, TRUE);
  was = fit_grad_set_enabled (FALSE);
  g_assert_true (was);
  g_assert_false (fit_grad_is_enabled ());
  y = fit_tensor_clone (x);
  g_assert_false (fit_grad_set_enabled (was));
  g_assert_true (fit_grad_is_enabled ());

  g_assert_false (fit_tensor_get_requires_grad (y));
  g_assert_null (fit_tensor_get_grad_fn_name (y));

  z = fit_tensor_clone (x);
  d = fit_tensor_detach (z);
  g_assert_true (fit_tensor_get_requires_grad (z));
  g_assert_false (fit_tensor_get_requires_grad (d));
  g_assert_true (fit_tensor_get_data (d) == fit_tensor_get_data (z));
}

static gpointer
grad_flag_in_thread (gpointer data)
{
  return GINT_TO_POINTER (fit_grad_is_enabled ());
}

static void
test_autograd_no_grad_is_per_thread (void)
{
  gboolean was = fit_grad_set_enabled (FALSE);
  GThread *thread = g_thread_new ("other", grad_flag_in_thread, NULL);

  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  fit_grad_set_enabled (was);
}

/* Integers are printed exactly: the largest int64 used to go through a double, which
 * rounds it to 2^63, whose conversion back is undefined. */
static void
test_tensor_to_string_integers (void)
{
  const gint64 v[] = { G_MAXINT64, G_MININT64, 9007199254740993 };
  const gint32 w[] = { G_MAXINT32, 1234567 };
  const gint64 shape[] = { 3 }, shape32[] = { 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_tensor_new_from_int64s (v, 3, shape, 1, &error);
  g_autoptr(FitTensor) u = fit_tensor_new_from_data (FIT_DTYPE_INT32, shape32, 1,
                                                     (const guint8 *) w, sizeof w, &error);
  g_autoptr(FitTensor) scalar = fit_tensor_new_full (FIT_DTYPE_INT64, NULL, 0, -5);
  g_autofree char *s = fit_tensor_to_string (t);
  g_autofree char *s32 = fit_tensor_to_string (u);
  g_autofree char *s0 = fit_tensor_to_string (scalar);

  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "tensor([9223372036854775807, -9223372036854775808, "
                          "9007199254740993], shape=[3], dtype=int64)");
  g_assert_cmpstr (s32, ==, "tensor([2147483647, 1234567], shape=[2], dtype=int32)");
  g_assert_cmpstr (s0, ==, "tensor(-5, shape=[], dtype=int64)");
}

/* A permutation of 2^61 indices: 2^64 bytes, which wrapped around to a small buffer
 * that the identity fill then overran. Counts are a programmer's promise here. */
static void
test_tensor_permutation_too_large (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitRng) rng = fit_rng_new (1);
      FitTensor *t = fit_tensor_new_permutation (rng, G_GINT64_CONSTANT (1) << 61);

      g_assert_null (t);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*fit_tensor_new_permutation*assertion*failed*");
}

/* Names are quoted in messages, which are UTF-8. */
static void
test_tensor_name_must_be_utf8 (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitTensor) t = fit_tensor_new_scalar (FIT_DTYPE_FLOAT32, 1);

      fit_tensor_set_name (t, "w\xe9ight");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*fit_tensor_set_name*g_utf8_validate*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Fit/Tensor/zeros-and-shape", test_tensor_zeros_and_shape);
  g_test_add_func ("/Fit/Tensor/from-data-errors", test_tensor_from_data_errors);
  g_test_add_func ("/Fit/Tensor/bytes-roundtrip", test_tensor_bytes_roundtrip);
  g_test_add_func ("/Fit/Tensor/float-to-int", test_tensor_float_to_int);
  g_test_add_func ("/Fit/Tensor/arange-and-item", test_tensor_arange_and_item);
  g_test_add_func ("/Fit/Tensor/random-is-seeded", test_tensor_random_is_seeded);
  g_test_add_func ("/Fit/Tensor/to-string", test_tensor_to_string);
  g_test_add_func ("/Fit/Tensor/to-string-integers", test_tensor_to_string_integers);
  g_test_add_func ("/Fit/Tensor/permutation-too-large", test_tensor_permutation_too_large);
  g_test_add_func ("/Fit/Tensor/name-must-be-utf8", test_tensor_name_must_be_utf8);
  g_test_add_func ("/Fit/Tensor/assign-and-inplace", test_tensor_assign_and_inplace);
  g_test_add_func ("/Fit/Autograd/accumulates", test_autograd_accumulates);
  g_test_add_func ("/Fit/Autograd/no-grad-scope", test_autograd_no_grad_scope);
  g_test_add_func ("/Fit/Autograd/no-grad-per-thread", test_autograd_no_grad_is_per_thread);
  return g_test_run ();
}
