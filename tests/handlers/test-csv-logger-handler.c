/* test-csv-logger-handler.c: FitCsvLoggerHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static void
test_csv_logger (void)
{
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "log.csv", NULL);
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 6, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (6, 6, 8);
  g_autoptr(FitEventHandler) csv = fit_csv_logger_handler_new (path, FALSE);
  g_autoptr(FitEventHandler) more = fit_csv_logger_handler_new (path, TRUE);
  g_autoptr(FitEventHandler) v2 = fit_validation_handler_new (2, 0);
  g_autoptr(FitTestRecorder) bad = fit_test_recorder_new ("bad", NULL, 1000);
  FitEventHandler *h1[] = { csv, v2 };
  FitEventHandler *h2[] = { more, FIT_EVENT_HANDLER (bad) };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (fit_estimator_fit_full (est, train, val, 2, 0, h1, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "epoch,train_loss,train_accuracy,val_loss,val_accuracy,"
                                 "learning_rate,time");
  /* Epoch 0 did not validate: empty validation columns. */
  g_assert_true (g_str_has_prefix (lines[1], "0,"));
  g_assert_nonnull (strstr (lines[1], ",,,0.1,"));
  g_assert_true (g_str_has_prefix (lines[2], "1,"));
  g_assert_null (strstr (lines[2], ",,"));
  g_assert_cmpstr (lines[3], ==, "");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&lines, g_strfreev);

  /* Appending adds rows, no header; the file is closed even when the fit fails. */
  bad->fail_event = FIT_EVENT_EPOCH_END;
  bad->fail_at = 2;
  g_assert_false (fit_estimator_fit_full (est, train, val, 3, 0, h2, 2, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  fit_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/csv-logger", test_csv_logger);

  return g_test_run ();
}
