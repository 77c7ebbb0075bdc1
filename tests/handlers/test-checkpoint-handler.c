/* test-checkpoint-handler.c: FitCheckpointHandler: saving, resuming and the best checkpoint
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

/* A classifier with dropout drawing from the estimator's generator, trained with SGD
 * with momentum on a shuffled loader: everything a checkpoint must restore. */
static FitEstimator *
resumable_classifier (guint64 seed)
{
  g_autoptr(FitRng) init = fit_rng_new (seed);
  g_autoptr(FitRng) rng = fit_rng_new (seed + 100);
  g_autoptr(FitLinear) l1 = fit_linear_new (4, 8, TRUE, init);
  g_autoptr(FitReLU) relu = fit_relu_new ();
  g_autoptr(FitDropout) drop = fit_dropout_new (0.2, rng);
  g_autoptr(FitLinear) l2 = fit_linear_new (8, 3, TRUE, init);
  FitModule *layers[] = { FIT_MODULE (l1), FIT_MODULE (relu), FIT_MODULE (drop), FIT_MODULE (l2) };
  g_autoptr(FitSequential) net = fit_sequential_new_from_modules (layers, 4);
  g_autoptr(FitLoss) loss = fit_cross_entropy_loss_new ();
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (net));
  g_autoptr(FitOptimizer) sgd = fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.05, 0.9);
  FitEstimator *est = fit_estimator_new (FIT_MODULE (net), loss, sgd);

  fit_estimator_set_rng (est, rng);
  return est;
}

static FitDataLoader *
shuffled_loader (void)
{
  FitDataLoader *loader = fit_test_classification_loader (40, 6, 7);

  fit_data_loader_set_shuffle (loader, TRUE);
  fit_data_loader_set_seed (loader, 11);
  return loader;
}

static void
test_checkpoint_resume (gconstpointer data)
{
  gboolean mid_epoch = GPOINTER_TO_INT (data);
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autoptr(FitDataLoader) train = shuffled_loader ();
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (12, 6, 8);
  g_autoptr(FitEstimator) reference = resumable_classifier (1);
  g_autoptr(FitEstimator) first = resumable_classifier (1);
  g_autoptr(FitEstimator) second = resumable_classifier (99);
  g_autoptr(FitLrSchedule) schedule = fit_step_lr_new (5, 0.5);
  g_autoptr(FitEventHandler) sched_a = fit_lr_scheduler_handler_new (schedule, TRUE);
  g_autoptr(FitEventHandler) sched_b = fit_lr_scheduler_handler_new (schedule, TRUE);
  g_autoptr(FitEventHandler) sched_c = fit_lr_scheduler_handler_new (schedule, TRUE);
  g_autoptr(FitEventHandler) ckpt = fit_checkpoint_handler_new (dir, "run");
  g_autoptr(FitEventHandler) resume = fit_checkpoint_handler_new (dir, "run");
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) actual = NULL;
  g_autoptr(GError) error = NULL;
  FitHistory *history;

  /* 7 batches per epoch, 4 epochs, uninterrupted. */
  g_assert_true (fit_estimator_add_handler (reference, sched_a, &error));
  g_assert_true (fit_estimator_fit (reference, train, val, 4, NULL, &error));
  g_assert_no_error (error);
  expected = fit_test_params (reference);

  /* Interrupted: after 2 epochs, or after 10 batches (in the second epoch). */
  if (mid_epoch)
    g_object_set (ckpt, "every-n-batches", (guint64) 1, "max-to-keep", 2, NULL);
  g_assert_true (fit_estimator_add_handler (first, sched_b, &error));
  g_assert_true (fit_estimator_add_handler (first, ckpt, &error));
  g_assert_true (fit_estimator_fit_full (first, train, val, mid_epoch ? 4 : 2,
                                         mid_epoch ? 10 : 0, NULL, 0, NULL, &error));
  g_assert_no_error (error);
  if (mid_epoch)
    {
      g_auto(GStrv) files = fit_checkpoint_handler_list_checkpoints (FIT_CHECKPOINT_HANDLER (ckpt));

      g_assert_cmpuint (g_strv_length (files), ==, 2);
      g_assert_true (g_str_has_suffix (files[1], "run-epoch0001-step0000000010.safetensors"));
    }

  /* A different network resumes from the latest checkpoint and finishes the run. */
  g_object_set (resume, "resume", TRUE, NULL);
  g_assert_true (fit_estimator_add_handler (second, sched_c, &error));
  g_assert_true (fit_estimator_add_handler (second, resume, &error));
  g_assert_true (fit_estimator_fit (second, train, val, 4, NULL, &error));
  g_assert_no_error (error);
  actual = fit_test_params (second);
  g_assert_true (fit_test_params_equal (expected, actual));

  /* The history covers the whole run. */
  history = fit_estimator_get_history (second);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 4);
  g_assert_cmpint (fit_history_record_get_epoch (fit_history_get_record (history, 0)), ==, 0);
  g_assert_cmpfloat (fit_history_record_get_value (fit_history_get_record (history, 3), "val_loss"),
                     ==,
                     fit_history_record_get_value (fit_history_get_record (fit_estimator_get_history (reference), 3),
                                                   "val_loss"));
  fit_test_remove_dir (dir);
}

static void
test_checkpoint_best (void)
{
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (30, 6, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (12, 6, 8);
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitEventHandler) ckpt = fit_checkpoint_handler_new (dir, NULL);
  g_autoptr(FitEventHandler) wrong = fit_checkpoint_handler_new (dir, "wrong");
  g_autoptr(GError) error = NULL;
  g_autofree char *best = NULL;
  g_auto(GStrv) files = NULL;

  g_object_set (ckpt, "monitor", "val_accuracy", "max-to-keep", 2, NULL);
  g_assert_true (fit_estimator_add_handler (est, ckpt, &error));
  g_assert_true (fit_estimator_fit (est, train, val, 4, NULL, &error));
  g_assert_no_error (error);
  best = fit_checkpoint_handler_get_best_path (FIT_CHECKPOINT_HANDLER (ckpt));
  g_assert_nonnull (best);
  g_assert_true (g_str_has_suffix (best, "checkpoint-best.safetensors"));
  files = fit_checkpoint_handler_list_checkpoints (FIT_CHECKPOINT_HANDLER (ckpt));
  g_assert_cmpuint (g_strv_length (files), ==, 2);
  g_assert_cmpstr (strrchr (files[1], '/') + 1, ==, "checkpoint-epoch0003-step0000000020.safetensors");

  /* A monitor that does not exist fails the fit at train-begin, listing the names. */
  g_object_set (wrong, "monitor", "val_acc", NULL);
  g_assert_true (fit_estimator_remove_handler (est, ckpt, &error));
  g_assert_true (fit_estimator_add_handler (est, wrong, &error));
  g_assert_false (fit_estimator_fit (est, train, val, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "val_accuracy"));
  fit_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/Fit/Handlers/checkpoint/resume-epoch", GINT_TO_POINTER (FALSE),
                        test_checkpoint_resume);
  g_test_add_data_func ("/Fit/Handlers/checkpoint/resume-mid-epoch", GINT_TO_POINTER (TRUE),
                        test_checkpoint_resume);
  g_test_add_func ("/Fit/Handlers/checkpoint/best", test_checkpoint_best);

  return g_test_run ();
}
