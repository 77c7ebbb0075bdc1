/* test-logging-handler.c: FitLoggingHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static void
test_logging (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (6, 3, 8);
  g_autoptr(FitEventHandler) logger = fit_logging_handler_new (2);
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*Training FitLinear for 2 epochs of 4 batches*"
                                 "*Epoch 0, batch 2/4: train_loss=*"
                                 "*Epoch 1/2: train_loss=*val_loss=*learning_rate=0.1*samples/s*"
                                 "*Training completed*");
      return;
    }
  g_assert_true (fit_estimator_fit_full (est, train, val, 2, 0, &logger, 1, NULL, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/logging", test_logging);

  return g_test_run ();
}
