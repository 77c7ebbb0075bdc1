/* test-device.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <string.h>

static void
test_device_cpu (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitDevice) cpu = fit_device_new_for_name ("cpu", &error);

  g_assert_no_error (error);
  g_assert_true (cpu == fit_device_get_cpu ());
  g_assert_cmpint (fit_device_get_device_type (cpu), ==, FIT_DEVICE_TYPE_CPU);
  g_assert_cmpstr (fit_device_get_name (cpu), ==, "cpu");
  g_assert_true (fit_device_equal (cpu, fit_device_get_cpu ()));
}

static void
test_device_bad_names (void)
{
  const char *names[] = { "gpu", "cuda:", "cuda:x", "cuda0", "CPU", "" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FitDevice) d = fit_device_new_for_name (names[i], &error);

      g_assert_null (d);
      g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, names[i]));
    }
}

static void
test_device_missing_gpu (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("cuda:%u", fit_device_get_cuda_count ());
  g_autoptr(FitDevice) d = fit_device_new_for_name (name, &error);

  /* One past the last GPU (cuda:0 on a machine without one) is never available. */
  g_assert_null (d);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, name));
}

static void
test_device_cuda_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitDevice) gpu = NULL;
  g_autoptr(FitTensor) host = NULL, on_gpu = NULL, back = NULL;
  g_autoptr(FitDevice) where = NULL;
  const float values[] = { 1.5f, -2.0f, 3.25f, 0.0f, 1e-7f, 6.0f };
  const gint64 shape[] = { 2, 3 };

  if (fit_device_get_cuda_count () == 0)
    {
      g_test_skip ("no CUDA device");
      return;
    }
  gpu = fit_device_new_for_name ("cuda", &error);
  g_assert_no_error (error);
  host = fit_tensor_new_from_floats (values, 6, shape, 2, &error);
  g_assert_no_error (error);
  on_gpu = fit_tensor_to_device (host, gpu, &error);
  g_assert_no_error (error);
  where = fit_tensor_get_device (on_gpu);
  g_assert_true (fit_device_equal (where, gpu));

  back = fit_tensor_to_device (on_gpu, fit_device_get_cpu (), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (fit_tensor_get_data (back), sizeof values, values, sizeof values);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Fit/Device/cpu", test_device_cpu);
  g_test_add_func ("/Fit/Device/bad-names", test_device_bad_names);
  g_test_add_func ("/Fit/Device/missing-gpu", test_device_missing_gpu);
  g_test_add_func ("/Fit/Device/cuda-roundtrip", test_device_cuda_roundtrip);
  return g_test_run ();
}
