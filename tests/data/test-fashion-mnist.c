/* test-fashion-mnist.c: the real Fashion-MNIST files, when installed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>

#define DIR "/usr/share/datasets/fashion-mnist"

static void
check_split (const char *prefix,
             guint64     n)
{
  g_autofree char *images = g_strdup_printf (DIR "/%s-images-idx3-ubyte.gz", prefix);
  g_autofree char *labels = g_strdup_printf (DIR "/%s-labels-idx1-ubyte.gz", prefix);
  g_autoptr(FitTensorDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, counts[10] = { 0, };
  const float *x;
  const gint64 *y;
  float lo = 1, hi = 0;
  FitTensor *inputs;

  if (!g_file_test (images, G_FILE_TEST_EXISTS) || !g_file_test (labels, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Fashion-MNIST is not installed (" DIR ")");
      return;
    }

  start = g_get_monotonic_time ();
  ds = fit_idx_dataset_new (images, labels, 1.0 / 255, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s: read %" G_GUINT64_FORMAT " images in %.3f s", prefix, n,
                  (g_get_monotonic_time () - start) / 1e6);
  /* Generous against a loaded machine; a quiet one takes about a quarter second. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  g_assert_cmpuint (fit_dataset_get_n_items (FIT_DATASET (ds)), ==, n);
  inputs = fit_tensor_dataset_get_inputs (ds);
  g_assert_cmpint (fit_tensor_get_dim (inputs, 1), ==, 1);
  g_assert_cmpint (fit_tensor_get_dim (inputs, 2), ==, 28);
  g_assert_cmpint (fit_tensor_get_dim (inputs, 3), ==, 28);
  x = fit_tensor_get_data (inputs);
  for (gint64 i = 0; i < fit_tensor_get_numel (inputs); i++)
    {
      lo = MIN (lo, x[i]);
      hi = MAX (hi, x[i]);
    }
  g_assert_cmpfloat (lo, ==, 0.0f);
  g_assert_cmpfloat (hi, ==, 1.0f);

  y = fit_tensor_get_data (fit_tensor_dataset_get_labels (ds));
  for (guint64 i = 0; i < n; i++)
    {
      g_assert_cmpint (y[i], >=, 0);
      g_assert_cmpint (y[i], <, 10);
      counts[y[i]]++;
    }
  /* Fashion-MNIST is balanced: n / 10 of each class. */
  for (guint c = 0; c < 10; c++)
    g_assert_cmpint (counts[c], ==, n / 10);
}

static void
test_train (void)
{
  check_split ("train", 60000);
}

static void
test_test (void)
{
  check_split ("t10k", 10000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Idx/fashion-mnist/train", test_train);
  g_test_add_func ("/Fit/Idx/fashion-mnist/test", test_test);

  return g_test_run ();
}
