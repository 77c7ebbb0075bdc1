/* test-layers-extra.c: Conv1d, the 1-D pooling layers, adaptive max pooling, ModuleList
 *
 * Gradient checks in float64 (the layers are views around the 2-D ops, except adaptive
 * max pooling, which has its own autograd node), output shapes, and the errors each
 * layer reports, by domain and code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

static FitTensor *
module_fn (FitTensor **inputs,
           gpointer    user_data,
           GError    **error)
{
  return fit_module_forward (user_data, inputs[0], error);
}

/* Checks the gradients of @module (converted to float64) for an input of @shape and
 * every parameter. */
static void
gradcheck_module (FitModule    *module,
                  const gint64 *shape,
                  guint         n_dims)
{
  g_autoptr(FitRng) rng = fit_rng_new (5);
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = NULL;
  FitTensor *inputs[4];

  g_assert_true (fit_module_to_dtype (module, FIT_DTYPE_FLOAT64, &error));
  params = fit_module_get_parameters (module);
  g_assert_cmpuint (params->len, <, 4);
  x = fit_gradcheck_input (rng, shape, n_dims, -2, 2);
  inputs[0] = x;
  for (guint i = 0; i < params->len; i++)
    inputs[i + 1] = params->pdata[i];
  fit_gradcheck (module_fn, module, inputs, params->len + 1, 1e-6, 1e-6);
}

/* Runs @module on zeros of @shape and checks the output's shape. */
static void
check_shape (FitModule    *module,
             const gint64 *shape,
             guint         n_dims,
             const gint64 *expected,
             guint         n_expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, n_dims);
  g_autoptr(FitTensor) y = fit_module_forward (module, x, &error);
  guint n_out;
  const gint64 *out;

  g_assert_no_error (error);
  out = fit_tensor_get_shape (y, &n_out);
  g_assert_cmpmem (out, n_out * sizeof (gint64), expected, n_expected * sizeof (gint64));
}

static void
expect_error (FitModule    *module,
              const gint64 *shape,
              guint         n_dims,
              FitDType      dtype,
              int           code,
              const char   *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (dtype, shape, n_dims);
  g_autoptr(FitTensor) out = fit_module_forward (module, x, &error);

  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_conv1d (void)
{
  g_autoptr(FitConv1d) conv = fit_conv1d_new_full (4, 6, 3, 2, 1, 2, 2, TRUE, NULL);
  g_autoptr(FitConv1d) plain = fit_conv1d_new (3, 5, 4, 1, 0, NULL);
  g_auto(GStrv) names = fit_module_get_parameter_names (FIT_MODULE (conv));
  gint64 x3[3] = { 2, 4, 11 }, x2[2] = { 4, 11 }, y3[3] = { 2, 6, 5 }, y2[2] = { 6, 5 };
  gint64 bad_c[3] = { 2, 4, 11 }, bad_n[4] = { 1, 4, 2, 2 }, shortx[2] = { 3, 3 };
  gint64 w[3] = { 6, 2, 3 };
  guint n;

  /* torch names and shapes: weight [out, in / groups, k] */
  g_assert_cmpstr (names[0], ==, "weight");
  g_assert_cmpstr (names[1], ==, "bias");
  g_assert_cmpmem (fit_tensor_get_shape (fit_conv1d_get_weight (conv), &n), 3 * sizeof (gint64),
                   w, sizeof w);
  g_assert_cmpint (fit_tensor_get_numel (fit_conv1d_get_bias (conv)), ==, 6);

  /* (11 + 2 - 2 × 2 - 1) / 2 + 1 = 5 */
  check_shape (FIT_MODULE (conv), x3, 3, y3, 3);
  check_shape (FIT_MODULE (conv), x2, 2, y2, 2);
  expect_error (FIT_MODULE (plain), bad_c, 3, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE, "FitConv1d");
  expect_error (FIT_MODULE (plain), bad_n, 4, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE, "FitConv1d");
  expect_error (FIT_MODULE (plain), shortx, 2, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE, "conv2d");

  gradcheck_module (FIT_MODULE (conv), x3, 3);
  gradcheck_module (FIT_MODULE (plain), (gint64[]) { 3, 6 }, 2);
}

static void
test_conv1d_init (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitConv1d) conv = fit_conv1d_new_full (8, 4, 5, 1, 0, 1, 2, FALSE, rng);
  double bound = 1 / sqrt (4 * 5), max = 0;   /* fan_in = in / groups × k */
  gsize n;
  g_autofree double *w = fit_tensor_to_doubles (fit_conv1d_get_weight (conv), &n);

  g_assert_null (fit_conv1d_get_bias (conv));
  g_assert_cmpuint (n, ==, 4 * 4 * 5);
  for (gsize i = 0; i < n; i++)
    max = MAX (max, fabs (w[i]));
  g_assert_cmpfloat (max, <=, bound);
  g_assert_cmpfloat (max, >, 0.9 * bound);
}

static void
test_pool1d (void)
{
  g_autoptr(FitMaxPool1d) max = fit_max_pool1d_new (3, 2, 1);
  g_autoptr(FitAvgPool1d) avg = fit_avg_pool1d_new_full (2, 0, 1, FALSE);
  g_autoptr(FitAdaptiveAvgPool1d) adaptive = fit_adaptive_avg_pool1d_new (4);
  g_autoptr(FitAvgPool1d) avg_default = fit_avg_pool1d_new (2, 0, 0);
  gint64 x[3] = { 2, 3, 9 }, x2[2] = { 3, 9 }, four[4] = { 1, 2, 3, 4 };
  int stride;

  check_shape (FIT_MODULE (max), x, 3, (gint64[]) { 2, 3, 5 }, 3);
  check_shape (FIT_MODULE (max), x2, 2, (gint64[]) { 3, 5 }, 2);
  check_shape (FIT_MODULE (avg), x, 3, (gint64[]) { 2, 3, 5 }, 3);
  check_shape (FIT_MODULE (avg_default), x2, 2, (gint64[]) { 3, 4 }, 2);
  check_shape (FIT_MODULE (adaptive), x, 3, (gint64[]) { 2, 3, 4 }, 3);
  g_object_get (avg, "stride", &stride, NULL);
  g_assert_cmpint (stride, ==, 2);

  gradcheck_module (FIT_MODULE (max), x, 3);
  gradcheck_module (FIT_MODULE (avg), x2, 2);
  gradcheck_module (FIT_MODULE (adaptive), x, 3);

  expect_error (FIT_MODULE (max), four, 4, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE, "FitMaxPool1d");
  expect_error (FIT_MODULE (avg), four, 1, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE, "FitAvgPool1d");
  expect_error (FIT_MODULE (adaptive), four, 4, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE,
                "FitAdaptiveAvgPool1d");
}

static void
test_adaptive_max_pool2d (void)
{
  g_autoptr(FitAdaptiveMaxPool2d) pool = fit_adaptive_max_pool2d_new (2, 3);
  g_autoptr(FitAdaptiveMaxPool2d) global = fit_adaptive_max_pool2d_new (1, 1);
  g_autoptr(GError) error = NULL;
  gint64 x[4] = { 2, 3, 5, 7 }, x3[3] = { 3, 5, 7 }, empty[4] = { 1, 1, 0, 3 };
  float v[6] = { 1, 5, -2, 3, NAN, 0 };
  gint64 vs[4] = { 1, 1, 2, 3 };
  g_autoptr(FitTensor) t = fit_tensor_new_from_floats (v, 6, vs, 4, &error);
  g_autoptr(FitTensor) y = NULL;
  g_autofree float *out = NULL;
  gsize n_out;

  check_shape (FIT_MODULE (pool), x, 4, (gint64[]) { 2, 3, 2, 3 }, 4);
  check_shape (FIT_MODULE (pool), x3, 3, (gint64[]) { 3, 2, 3 }, 3);
  check_shape (FIT_MODULE (global), x, 4, (gint64[]) { 2, 3, 1, 1 }, 4);
  gradcheck_module (FIT_MODULE (pool), x, 4);
  gradcheck_module (FIT_MODULE (global), x3, 3);

  /* one column per window over both rows; a NaN wins its window */
  g_assert_no_error (error);
  g_clear_object (&global);
  global = fit_adaptive_max_pool2d_new (1, 3);
  y = fit_module_forward (FIT_MODULE (global), t, &error);
  g_assert_no_error (error);
  out = fit_tensor_to_floats (y, &n_out);
  g_assert_cmpuint (n_out, ==, 3);
  g_assert_cmpfloat (out[0], ==, 3);
  g_assert_true (isnan (out[1]));
  g_assert_cmpfloat (out[2], ==, 0);

  expect_error (FIT_MODULE (pool), x, 2, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE,
                "FitAdaptiveMaxPool2d");
  expect_error (FIT_MODULE (pool), empty, 4, FIT_DTYPE_FLOAT32, FIT_ERROR_SHAPE, "empty");
  expect_error (FIT_MODULE (pool), x, 4, FIT_DTYPE_INT64, FIT_ERROR_DTYPE,
                "FitAdaptiveMaxPool2d");
}

static void
test_module_list (void)
{
  g_autoptr(FitModuleList) list = fit_module_list_new ();
  g_autoptr(FitSequential) owner = fit_sequential_new ();
  g_autoptr(FitConv1d) a = fit_conv1d_new (4, 2, 3, 1, 0, NULL);
  g_autoptr(FitConv1d) b = fit_conv1d_new (4, 2, 5, 1, 0, NULL);
  g_autoptr(FitModuleList) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, (gint64[]) { 1, 4, 8 }, 3);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitModule) item = NULL;
  g_auto(GStrv) names = NULL;
  FitModule *modules[2] = { FIT_MODULE (a), FIT_MODULE (b) };

  fit_module_list_append (list, FIT_MODULE (a));
  fit_module_list_append (list, FIT_MODULE (b));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == FIT_TYPE_MODULE);
  g_assert_true (fit_module_list_get (list, 1) == FIT_MODULE (b));
  g_assert_null (fit_module_list_get (list, 2));
  item = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (item == FIT_MODULE (a));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 2));

  fit_module_add_child (FIT_MODULE (owner), "convs", FIT_MODULE (list));
  names = fit_module_get_parameter_names (FIT_MODULE (owner));
  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_assert_cmpstr (names[0], ==, "convs.0.weight");
  g_assert_cmpstr (names[3], ==, "convs.1.bias");

  y = fit_module_forward (FIT_MODULE (list), x, &error);
  g_assert_null (y);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "iterate its modules"));

  copy = fit_module_list_new_from_modules (modules, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (copy)), ==, 2);
  g_assert_true (fit_module_get_child (FIT_MODULE (copy), "1") == FIT_MODULE (b));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Conv1d/forward", test_conv1d);
  g_test_add_func ("/Fit/Conv1d/init", test_conv1d_init);
  g_test_add_func ("/Fit/Pool1d/forward", test_pool1d);
  g_test_add_func ("/Fit/AdaptiveMaxPool2d/forward", test_adaptive_max_pool2d);
  g_test_add_func ("/Fit/ModuleList/children", test_module_list);

  return g_test_run ();
}
