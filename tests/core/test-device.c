/* test-device.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The resident memory of this process, from /proc; 0 where there is none. */
static gsize
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  guint64 size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &size, &resident) != 2)
    return 0;
  return resident * (gsize) sysconf (_SC_PAGESIZE);
}

/* Freed tensor memory stays in a pool for the next request of its size, but a size
 * that nobody asks for again (an evaluation batch, a dropped model) goes back to the
 * system after two sweeps' worth of other requests (FIT_POOL_SWEEP, 65,536, in
 * fit-cpu-alloc.c). */
static void
test_device_cpu_pool_returns_unused_sizes (void)
{
  const gint64 big[] = { 16 * 1024 * 1024 };    /* 64 MiB of float32 */
  const gint64 small[] = { 1024 };
  gsize before, after;

#if defined (__SANITIZE_ADDRESS__)
  g_test_skip ("AddressSanitizer keeps freed memory in its quarantine");
  return;
#endif
  if (resident_bytes () == 0)
    {
      g_test_skip ("no /proc/self/statm");
      return;
    }

  g_object_unref (fit_tensor_new_full (FIT_DTYPE_FLOAT32, big, 1, 1.0));
  before = resident_bytes ();
  /* Two sweeps' worth of requests for another size. */
  for (guint i = 0; i < 2 * 65536 + 1; i++)
    g_object_unref (fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, small, 1));
  after = resident_bytes ();

  g_test_message ("resident %" G_GSIZE_FORMAT " MiB before, %" G_GSIZE_FORMAT " MiB after",
                  before >> 20, after >> 20);
  g_assert_cmpuint (before, >, after + ((gsize) 48 << 20));
}

/* Names may come from a command line or a file: the message quotes them in UTF-8. */
static void
test_device_bad_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitDevice) device = fit_device_new_for_name ("gp\xff\xfeu", &error);

  g_assert_null (device);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "gp"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Fit/Device/cpu", test_device_cpu);
  g_test_add_func ("/Fit/Device/bad-name", test_device_bad_name);
  g_test_add_func ("/Fit/Device/bad-names", test_device_bad_names);
  g_test_add_func ("/Fit/Device/missing-gpu", test_device_missing_gpu);
  g_test_add_func ("/Fit/Device/cuda-roundtrip", test_device_cuda_roundtrip);
  g_test_add_func ("/Fit/Device/cpu-pool-returns-unused-sizes",
                   test_device_cpu_pool_returns_unused_sizes);
  return g_test_run ();
}
