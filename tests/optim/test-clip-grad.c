/* test-clip-grad.c: fit_clip_grad_norm() and fit_clip_grad_value() against
 * hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>

static void
test_clip_grad_norm (void)
{
  const double g0[] = { 3.0, 0.0 };
  const double g1[] = { 4.0 };
  const gint64 s0[] = { 2 }, s1[] = { 1 };
  FitTensor *params[3];
  g_autoptr(GError) error = NULL;
  double total = 0;
  double scale = 1.0 / (5.0 + 1e-6);

  params[0] = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, s0, 1);
  params[1] = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, s1, 1);
  params[2] = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, s1, 1);   /* no gradient */
  {
    g_autoptr(FitTensor) a = fit_tensor_new_from_doubles (g0, 2, s0, 1, NULL);
    g_autoptr(FitTensor) b = fit_tensor_new_from_doubles (g1, 1, s1, 1, NULL);

    fit_tensor_set_grad (params[0], a);
    fit_tensor_set_grad (params[1], b);
  }

  /* Below the limit: nothing changes. */
  g_assert_true (fit_clip_grad_norm (params, 3, 10.0, &total, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (total, 5.0, 1e-12);
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (fit_tensor_get_grad (params[1])))[0],
                     ==, 4.0);

  g_assert_true (fit_clip_grad_norm (params, 3, 1.0, &total, &error));
  g_assert_cmpfloat_with_epsilon (total, 5.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (
    ((const double *) fit_tensor_get_data (fit_tensor_get_grad (params[0])))[0], 3.0 * scale,
    1e-12);
  g_assert_cmpfloat_with_epsilon (
    ((const double *) fit_tensor_get_data (fit_tensor_get_grad (params[1])))[0], 4.0 * scale,
    1e-12);

  g_assert_false (fit_clip_grad_norm (params, 3, -1.0, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A NaN gradient is an error and leaves the gradients alone. */
  ((double *) fit_tensor_get_data_mutable (fit_tensor_get_grad (params[1])))[0] = NAN;
  g_assert_false (fit_clip_grad_norm (params, 3, 1.0, &total, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE);
  g_assert_true (isnan (total));
  g_assert_cmpfloat_with_epsilon (
    ((const double *) fit_tensor_get_data (fit_tensor_get_grad (params[0])))[0], 3.0 * scale,
    1e-12);

  fit_clip_grad_value (params, 3, 0.1);
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (fit_tensor_get_grad (params[0])))[0],
                     ==, 0.1);
  g_assert_cmpfloat (((const double *) fit_tensor_get_data (fit_tensor_get_grad (params[0])))[1],
                     ==, 0.0);
  for (guint i = 0; i < 3; i++)
    g_object_unref (params[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/ClipGrad/norm-and-value", test_clip_grad_norm);
  return g_test_run ();
}
