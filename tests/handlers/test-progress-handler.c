/* test-progress-handler.c: FitProgressHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static void
test_progress (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (30, 3, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (6, 3, 8);
  g_autoptr(FitEventHandler) progress = fit_progress_handler_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  char *text;

  g_object_set (progress, "stream", out, "percent-step", 25, NULL);
  g_assert_false (fit_progress_handler_get_type () == 0);
  g_assert_true (fit_estimator_fit_full (est, train, val, 1, 0, &progress, 1, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  lines = g_strsplit (text, "\n", -1);
  /* 10 batches: lines at 30%, 50% and 80% (the first past each quarter), then the end. */
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], "Epoch 1/1  3/10 [======>"));
  g_assert_nonnull (strstr (lines[0], "train_loss="));
  g_assert_nonnull (strstr (lines[0], "samples/s  ETA "));
  g_assert_true (g_str_has_prefix (lines[3], "Epoch 1/1  10/10 train_loss="));
  g_assert_nonnull (strstr (lines[3], "val_accuracy="));
  g_assert_null (strchr (text, '\r'));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/progress", test_progress);

  return g_test_run ();
}
