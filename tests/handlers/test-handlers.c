/* test-handlers.c: the built-in handlers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "../train/fit-train-testing.h"

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

/* Copies the parameters at every epoch-end, after the other handlers. */
typedef struct
{
  FitEventHandler parent_instance;
  GPtrArray *snapshots;
} Snapshotter;
typedef FitEventHandlerClass SnapshotterClass;
GType snapshotter_get_type (void);
G_DEFINE_TYPE (Snapshotter, snapshotter, FIT_TYPE_EVENT_HANDLER)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshotter, g_object_unref)

static gboolean
snapshotter_epoch_end (FitEventHandler  *h,
                       FitEstimator     *est,
                       GError          **error)
{
  g_ptr_array_add (((Snapshotter *) h)->snapshots, fit_test_params (est));
  return TRUE;
}

static void
snapshotter_finalize (GObject *object)
{
  g_ptr_array_unref (((Snapshotter *) object)->snapshots);
  G_OBJECT_CLASS (snapshotter_parent_class)->finalize (object);
}

static void
snapshotter_class_init (SnapshotterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = snapshotter_finalize;
  klass->epoch_end = snapshotter_epoch_end;
}

static void
snapshotter_init (Snapshotter *self)
{
  self->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), 500);
}

/* Validation data labelled against the training data: the better the training fits,
 * the worse the validation loss gets after a while. */
static FitDataLoader *
misleading_val_loader (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (5);
  float x[24 * 4];
  gint64 y[24], xs[2] = { 24, 4 }, ys[1] = { 24 };
  g_autoptr(FitTensor) inputs = NULL;
  g_autoptr(FitTensor) labels = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;

  for (guint i = 0; i < 24; i++)
    {
      guint c = i % 3;

      y[i] = (c + (i % 2)) % 3;
      for (guint j = 0; j < 4; j++)
        x[i * 4 + j] = (float) (fit_rng_next_normal (rng) * 0.5 + (j == c ? 2.0 : 0.0));
    }
  inputs = fit_tensor_new_from_floats (x, 24 * 4, xs, 2, NULL);
  labels = fit_tensor_new_from_int64s (y, 24, ys, 1, NULL);
  ds = fit_tensor_dataset_new (inputs, labels, NULL);
  return fit_data_loader_new (FIT_DATASET (ds), 8);
}

static void
test_early_stopping (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (60, 10, 7);
  g_autoptr(FitDataLoader) val = misleading_val_loader ();
  g_autoptr(FitEventHandler) es = fit_early_stopping_handler_new (NULL, 0, 2);
  g_autoptr(Snapshotter) snap = g_object_new (snapshotter_get_type (), NULL);
  FitEventHandler *handlers[] = { es, FIT_EVENT_HANDLER (snap) };
  g_autoptr(GArray) final = NULL;
  g_autoptr(GError) error = NULL;
  FitEarlyStoppingHandler *h = FIT_EARLY_STOPPING_HANDLER (es);
  g_autofree double *losses = NULL;
  guint n, best = 0;

  g_object_set (es, "restore-best-weights", TRUE, NULL);
  g_assert_true (fit_estimator_fit_full (est, train, val, 30, 0, handlers, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_STOPPED);

  losses = fit_history_get_values (fit_estimator_get_history (est), "val_loss", &n);
  g_assert_cmpuint (n, <, 30);
  for (guint i = 1; i < n; i++)
    if (losses[i] < losses[best])
      best = i;
  g_assert_cmpint (fit_early_stopping_handler_get_best_epoch (h), ==, best);
  g_assert_cmpfloat (fit_early_stopping_handler_get_best_value (h), ==, losses[best]);
  g_assert_cmpint (fit_early_stopping_handler_get_stopped_epoch (h), ==, best + 2);
  g_assert_cmpuint (n, ==, best + 3);

  /* The network ends with the weights of its best epoch, not its last. */
  final = fit_test_params (est);
  g_assert_cmpuint (snap->snapshots->len, ==, n);
  g_assert_true (fit_test_params_equal (final, g_ptr_array_index (snap->snapshots, best)));
  g_assert_false (fit_test_params_equal (final, g_ptr_array_index (snap->snapshots, n - 1)));
}

static void
test_early_stopping_modes (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (30, 10, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (12, 6, 8);
  g_autoptr(FitEventHandler) acc = fit_early_stopping_handler_new ("val_accuracy", 0, 0);
  g_autoptr(FitEventHandler) base = fit_early_stopping_handler_new ("train_loss", 0, 2);
  g_autoptr(FitEventHandler) missing = fit_early_stopping_handler_new ("val_f1", 0, 2);
  g_autoptr(GError) error = NULL;

  /* Accuracy is maximised: with patience 0 the run stops at the first epoch after the
   * first that does not raise it. */
  g_assert_true (fit_estimator_fit_full (est, train, val, 20, 0, &acc, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fit_early_stopping_handler_get_best_epoch (FIT_EARLY_STOPPING_HANDLER (acc)),
                   >=, 0);

  /* A baseline the loss never reaches stops the run after `patience` epochs (0 and 1). */
  g_object_set (base, "baseline", -1.0, NULL);
  g_assert_true (fit_estimator_fit_full (est, train, val, 20, 0, &base, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fit_early_stopping_handler_get_stopped_epoch (FIT_EARLY_STOPPING_HANDLER (base)),
                   ==, 1);

  g_assert_false (fit_estimator_fit_full (est, train, val, 2, 0, &missing, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "val_loss, val_accuracy"));
}

/* A metric that reports a scripted value per epoch: the n-th epoch (counted by the
 * resets at each epoch-begin) gets script[n]. */
typedef struct
{
  FitMetric     parent_instance;
  const double *script;
  guint         n;
  guint         resets;
} Scripted;
typedef FitMetricClass ScriptedClass;
GType scripted_get_type (void);
G_DEFINE_TYPE (Scripted, scripted, FIT_TYPE_METRIC)

static void
scripted_reset (FitMetric  *metric,
                GError    **error)
{
  ((Scripted *) metric)->resets++;
}

static gboolean
scripted_update (FitMetric  *metric,
                 FitTensor  *prediction,
                 FitTensor  *label,
                 GError    **error)
{
  return TRUE;
}

static void
scripted_compute (FitMetric  *metric,
                  double     *value,
                  GError    **error)
{
  Scripted *self = (Scripted *) metric;

  g_assert_cmpuint (self->resets, >, 0);
  *value = self->script[MIN (self->resets, self->n) - 1];
}

static void
scripted_class_init (ScriptedClass *klass)
{
  klass->reset = scripted_reset;
  klass->update = scripted_update;
  klass->compute = scripted_compute;
}

static void
scripted_init (Scripted *self)
{
}

typedef struct
{
  const char      *what;
  FitMonitorMode   mode;
  double           min_delta;
  double           script[8];
  guint            n;
  guint            patience;
  int              stopped_epoch;   /* -1: runs all n epochs */
  int              best_epoch;
} PatienceCase;

/* Hand-computed: with patience p the run stops at the first epoch that ends
 * max (p, 1) epochs without an improvement (better than the best by more than
 * min_delta), never at an epoch that improved, and never at epoch 0. */
static const PatienceCase patience_cases[] = {
  { "improving", FIT_MONITOR_MODE_MIN, 0, { 10, 9, 8, 7, 6, 5 }, 6, 0, -1, 5 },
  { "improving", FIT_MONITOR_MODE_MIN, 0, { 10, 9, 8, 7, 6, 5 }, 6, 1, -1, 5 },
  { "improving", FIT_MONITOR_MODE_MIN, 0, { 10, 9, 8, 7, 6, 5 }, 6, 3, -1, 5 },
  { "then flat", FIT_MONITOR_MODE_MIN, 0, { 5, 4, 3, 3, 3, 3, 3 }, 7, 0, 3, 2 },
  { "then flat", FIT_MONITOR_MODE_MIN, 0, { 5, 4, 3, 3, 3, 3, 3 }, 7, 1, 3, 2 },
  { "then flat", FIT_MONITOR_MODE_MIN, 0, { 5, 4, 3, 3, 3, 3, 3 }, 7, 3, 5, 2 },
  { "worsening", FIT_MONITOR_MODE_MIN, 0, { 1, 2, 3, 4, 5, 6 }, 6, 0, 1, 0 },
  { "worsening", FIT_MONITOR_MODE_MIN, 0, { 1, 2, 3, 4, 5, 6 }, 6, 1, 1, 0 },
  { "worsening", FIT_MONITOR_MODE_MIN, 0, { 1, 2, 3, 4, 5, 6 }, 6, 3, 3, 0 },
  /* A change of exactly min_delta is not an improvement: 9.5 + 0.5 is not below 10. */
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    0, 1, 0 },
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    1, 1, 0 },
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    2, 6, 4 },
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    3, 7, 4 },
  { "max", FIT_MONITOR_MODE_MAX, 0, { 0.5, 0.625, 0.625, 0.75, 0.6875, 0.6875, 0.6875 }, 7,
    0, 2, 1 },
  { "max", FIT_MONITOR_MODE_MAX, 0, { 0.5, 0.625, 0.625, 0.75, 0.6875, 0.6875, 0.6875 }, 7,
    1, 2, 1 },
  { "max", FIT_MONITOR_MODE_MAX, 0, { 0.5, 0.625, 0.625, 0.75, 0.6875, 0.6875, 0.6875 }, 7,
    3, 6, 3 },
  { "max improving", FIT_MONITOR_MODE_MAX, 0, { 0.1, 0.2, 0.3, 0.4 }, 4, 0, -1, 3 },
};

/* A classifier whose one training metric is @script, under the name "seq". */
static FitEstimator *
scripted_estimator (const PatienceCase *c)
{
  FitEstimator *est = fit_test_classifier (1);
  g_autoptr(FitMetric) metric = g_object_new (scripted_get_type (), NULL);

  ((Scripted *) metric)->script = c->script;
  ((Scripted *) metric)->n = c->n;
  fit_metric_set_name (metric, "seq");
  fit_estimator_set_train_metrics (est, &metric, 1);
  return est;
}

/* The regression: patience 0 stopped after the second epoch while the value improved. */
static void
test_early_stopping_patience (void)
{
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 6, 7);

  for (guint i = 0; i < G_N_ELEMENTS (patience_cases); i++)
    {
      const PatienceCase *c = &patience_cases[i];
      g_autoptr(FitEstimator) est = scripted_estimator (c);
      g_autoptr(FitEventHandler) es = fit_early_stopping_handler_new ("train_seq", c->min_delta,
                                                                      c->patience);
      FitEarlyStoppingHandler *h = FIT_EARLY_STOPPING_HANDLER (es);
      g_autoptr(GError) error = NULL;
      g_autofree double *seen = NULL;
      guint n_epochs = c->stopped_epoch >= 0 ? (guint) c->stopped_epoch + 1 : c->n;
      guint n;

      g_test_message ("%s, patience %u", c->what, c->patience);
      g_object_set (es, "mode", c->mode, NULL);
      g_assert_true (fit_estimator_fit_full (est, train, NULL, c->n, 0, &es, 1, NULL, &error));
      g_assert_no_error (error);
      /* The monitor saw the script, one value per epoch. */
      seen = fit_history_get_values (fit_estimator_get_history (est), "train_seq", &n);
      g_assert_cmpuint (n, ==, n_epochs);
      for (guint e = 0; e < n; e++)
        g_assert_cmpfloat (seen[e], ==, c->script[e]);
      g_assert_cmpint (fit_early_stopping_handler_get_stopped_epoch (h), ==, c->stopped_epoch);
      g_assert_cmpint (fit_early_stopping_handler_get_best_epoch (h), ==, c->best_epoch);
      g_assert_cmpint (fit_estimator_get_stop_reason (est), ==,
                       c->stopped_epoch >= 0 ? FIT_STOP_REASON_STOPPED
                                             : FIT_STOP_REASON_COMPLETED);
    }
}

/* Reduce-on-plateau counts patience the same way (as Keras does): the rate halves at
 * the first epoch that ends max (patience, 1) epochs without an improvement, and the
 * count starts again after each reduction. */
static void
test_plateau_patience (void)
{
  static const struct
  {
    guint   c;          /* index into patience_cases */
    double  lr[8];      /* the rate at the end of each epoch */
  } cases[] = {
    { 0, { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 } },                 /* improving, patience 0 */
    { 2, { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 } },                 /* improving, patience 3 */
    { 3, { 0.1, 0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625 } },  /* then flat, patience 0 */
    { 4, { 0.1, 0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625 } },  /* then flat, patience 1 */
    { 5, { 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05 } },          /* then flat, patience 3 */
    { 11, { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05 } },    /* min-delta, patience 2 */
    { 15, { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05 } },          /* max, patience 3 */
  };
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 6, 7);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PatienceCase *c = &patience_cases[cases[i].c];
      g_autoptr(FitEstimator) est = scripted_estimator (c);
      g_autoptr(FitEventHandler) plateau = fit_reduce_lr_on_plateau_handler_new ("train_seq",
                                                                                 0.5,
                                                                                 c->patience);
      g_autoptr(GError) error = NULL;
      g_autofree double *lr = NULL;
      guint n;

      g_test_message ("%s, patience %u", c->what, c->patience);
      g_object_set (plateau, "mode", c->mode, "min-delta", c->min_delta, NULL);
      g_assert_true (fit_estimator_fit_full (est, train, NULL, c->n, 0, &plateau, 1, NULL,
                                             &error));
      g_assert_no_error (error);
      lr = fit_history_get_values (fit_estimator_get_history (est), "learning_rate", &n);
      g_assert_cmpuint (n, ==, c->n);
      for (guint e = 0; e < n; e++)
        g_assert_cmpfloat_with_epsilon (lr[e], cases[i].lr[e], 1e-12);
    }
}

static FitEstimator *
regressor (FitLoss *loss)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitLinear) net = fit_linear_new (3, 1, TRUE, rng);
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (net));
  g_autoptr(FitOptimizer) sgd = fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.1, 0.0);

  return fit_estimator_new (FIT_MODULE (net), loss, sgd);
}

static void
test_gradient_accumulation (void)
{
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) small = regressor (loss);
  g_autoptr(FitEstimator) large = regressor (loss);
  /* 14 samples: batches of 2 in groups of 3 (6, 6, 2 samples) against batches of 6. */
  g_autoptr(FitDataLoader) by2 = fit_test_regression_loader (14, 2, 4);
  g_autoptr(FitDataLoader) by6 = fit_test_regression_loader (14, 6, 4);
  g_autoptr(FitEventHandler) acc = fit_gradient_accumulation_handler_new (3);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);
  FitEventHandler *handlers[] = { acc, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GError) error = NULL;
  guint steps = 0;

  g_assert_true (fit_estimator_fit_full (small, by2, NULL, 3, 0, handlers, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (fit_estimator_fit (large, by6, NULL, 3, NULL, &error));
  g_assert_no_error (error);
  a = fit_test_params (small);
  b = fit_test_params (large);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (a, float, i), g_array_index (b, float, i), 1e-5);
  /* 3 steps per epoch: after batches 3, 6 and 7. */
  for (const char *p = strstr (log->str, "r:step-end"); p != NULL; p = strstr (p + 1, "r:step-end"))
    steps++;
  g_assert_cmpuint (steps, ==, 9);
  /* Reported losses are not scaled: the mean loss matches the big-batch run closely. */
  g_assert_cmpfloat (fabs (fit_history_record_get_value (fit_history_get_record (fit_estimator_get_history (small), 0), "train_loss") -
                           fit_history_record_get_value (fit_history_get_record (fit_estimator_get_history (large), 0), "train_loss")),
                     <, 0.5);
}

/* A handler type with one event method, for probes. */
#define PROBE_TYPE(Name, name, slot, func, prio) \
  typedef struct { FitEventHandler parent_instance; GArray *values; } Name; \
  typedef FitEventHandlerClass Name##Class; \
  GType name##_get_type (void); \
  G_DEFINE_TYPE (Name, name, FIT_TYPE_EVENT_HANDLER) \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (Name, g_object_unref) \
  static void name##_finalize (GObject *o) \
  { \
    g_array_unref (((Name *) o)->values); \
    G_OBJECT_CLASS (name##_parent_class)->finalize (o); \
  } \
  static void name##_class_init (Name##Class *k) \
  { \
    G_OBJECT_CLASS (k)->finalize = name##_finalize; \
    k->slot = func; \
  } \
  static void name##_init (Name *self) \
  { \
    self->values = g_array_new (FALSE, FALSE, sizeof (double)); \
    fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), prio); \
  }

static gboolean
check_norm (FitEventHandler  *h,
            FitEstimator     *est,
            GError          **error)
{
  g_autoptr(GPtrArray) params = fit_module_get_parameters (fit_estimator_get_net (est));
  double sq = 0;

  for (guint i = 0; i < params->len; i++)
    {
      gsize n;
      g_autofree float *g = fit_tensor_to_floats (fit_tensor_get_grad (g_ptr_array_index (params, i)), &n);

      for (gsize j = 0; j < n; j++)
        sq += (double) g[j] * g[j];
    }
  g_assert_cmpfloat (sqrt (sq), <=, 0.01 + 1e-6);
  return TRUE;
}

PROBE_TYPE (NormProbe, norm_probe, backward_end, check_norm, -700)

static void
test_gradient_clipping (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 6, 7);
  g_autoptr(FitEventHandler) clip = fit_gradient_clipping_handler_new (0.01);
  g_autoptr(NormProbe) probe = g_object_new (norm_probe_get_type (), NULL);
  FitEventHandler *handlers[] = { clip, FIT_EVENT_HANDLER (probe) };
  g_autoptr(GError) error = NULL;

  g_assert_true (fit_estimator_fit_full (est, train, NULL, 1, 0, handlers, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fit_gradient_clipping_handler_get_last_norm (FIT_GRADIENT_CLIPPING_HANDLER (clip)),
                     >, 0.01);
}

static void
test_terminate_on_nan (void)
{
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) est = regressor (loss);
  g_autoptr(FitDataLoader) train = fit_test_regression_loader (40, 4, 4);
  g_autoptr(FitEventHandler) nan = fit_terminate_on_nan_handler_new ();
  g_autoptr(GArray) params = NULL;
  g_autoptr(GError) error = NULL;

  /* A learning rate that makes the loss explode within a few batches. */
  fit_optimizer_set_learning_rate (fit_estimator_get_optimizer (est), 50.0);
  g_assert_false (fit_estimator_fit_full (est, train, NULL, 50, 0, &nan, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE);
  params = fit_test_params (est);
  for (guint i = 0; i < params->len; i++)
    g_assert_true (isfinite (g_array_index (params, float, i)));
  g_clear_error (&error);

  /* Or only stop. */
  g_object_set (nan, "fail", FALSE, NULL);
  g_assert_true (fit_estimator_fit_full (est, train, NULL, 50, 0, &nan, 1, NULL, &error));
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_STOPPED);
}

static void
test_stopping_and_time_limit (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 7);
  g_autoptr(FitEventHandler) stop = fit_stopping_handler_new (0, 5);
  g_autoptr(FitEventHandler) time = fit_time_limit_handler_new (0);
  g_autoptr(FitEventHandler) epochs = fit_stopping_handler_new (2, 0);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);
  FitEventHandler *h1[] = { stop, FIT_EVENT_HANDLER (rec) };
  FitEventHandler *h2[] = { time, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;

  g_assert_true (fit_estimator_fit_full (est, train, NULL, 10, 0, h1, 2, NULL, &error));
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_assert_cmpstr (strstr (log->str, "r:epoch-begin r:batch-begin") != NULL ? "ok" : "no", ==, "ok");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (est))), ==, 2);

  g_string_truncate (log, 0);
  g_assert_true (fit_estimator_fit_full (est, train, NULL, 10, 0, h2, 2, NULL, &error));
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_assert_cmpstr (log->str, ==, "r:train-begin r:epoch-begin r:batch-begin r:forward-end "
                                 "r:loss-end r:backward-end r:step-end r:batch-end r:epoch-end "
                                 "r:train-end ");

  g_assert_true (fit_estimator_fit_full (est, train, NULL, 10, 0, &epochs, 1, NULL, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (est))), ==, 2);
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_STOPPED);
}

static gboolean record_lr (FitEventHandler *h, FitEstimator *est, GError **error);
PROBE_TYPE (LrProbe, lr_probe, batch_end, record_lr, 0)

static gboolean
record_lr (FitEventHandler  *h,
           FitEstimator     *est,
           GError          **error)
{
  double lr = fit_estimator_get_learning_rate (est);

  g_array_append_val (((LrProbe *) h)->values, lr);
  return TRUE;
}

static void
test_lr_schedules (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 7);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (6, 3, 8);
  g_autoptr(FitLrSchedule) step = fit_step_lr_new (3, 0.5);
  g_autoptr(FitEventHandler) sched = fit_lr_scheduler_handler_new (step, TRUE);
  g_autoptr(FitEventHandler) plateau = fit_reduce_lr_on_plateau_handler_new ("train_loss", 0.5, 1);
  g_autoptr(LrProbe) rec = g_object_new (lr_probe_get_type (), NULL);
  FitEventHandler *h1[] = { sched, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;
  g_autofree double *lrs = NULL;
  guint n;

  g_assert_true (fit_estimator_fit_full (est, train, val, 2, 0, h1, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec->values->len, ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (rec->values, double, i),
                                    0.1 * pow (0.5, i / 3), 1e-12);

  /* Maximising a falling loss never improves: the rate halves after every epoch. */
  fit_optimizer_set_learning_rate (fit_estimator_get_optimizer (est), 0.1);
  g_object_set (plateau, "mode", FIT_MONITOR_MODE_MAX, NULL);
  g_assert_true (fit_estimator_fit_full (est, train, val, 4, 0, &plateau, 1, NULL, &error));
  g_assert_no_error (error);
  lrs = fit_history_get_values (fit_estimator_get_history (est), "learning_rate", &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat_with_epsilon (lrs[0], 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (lrs[1], 0.05, 1e-12);
  g_assert_cmpfloat_with_epsilon (lrs[2], 0.025, 1e-12);

  /* A base rate the optimizer cannot take fails the fit (it was a critical at every
   * batch). */
  g_object_set (sched, "base-lr", -1.0, NULL);
  g_assert_false (fit_estimator_fit_full (est, train, val, 1, 0, &sched, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "base-lr"));
}

static void
test_lr_finder (void)
{
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) a = regressor (loss);
  g_autoptr(FitEstimator) b = regressor (loss);
  g_autoptr(FitDataLoader) train = fit_test_regression_loader (40, 4, 4);
  g_autoptr(FitLrFinder) finder = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GArray) pa = NULL;
  g_autoptr(GArray) pb = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *lrs = NULL;
  g_autofree double *losses = NULL;
  guint n, m;
  double suggested;

  fit_data_loader_set_shuffle (train, TRUE);
  /* Momentum gives the optimizer state to restore. */
  fit_optimizer_set_hyper (fit_estimator_get_optimizer (a), "momentum", 0.9);
  fit_optimizer_set_hyper (fit_estimator_get_optimizer (b), "momentum", 0.9);
  g_assert_true (fit_estimator_fit (a, train, NULL, 1, NULL, &error));
  g_assert_true (fit_estimator_fit (b, train, NULL, 1, NULL, &error));
  before = fit_test_params (a);

  finder = fit_estimator_find_lr (a, train, 1e-4, 100.0, 60, NULL, &error);
  g_assert_no_error (error);
  lrs = fit_lr_finder_get_learning_rates (finder, &n);
  losses = fit_lr_finder_get_losses (finder, &m);
  g_assert_cmpuint (n, ==, m);
  /* The loss diverged before the end of the sweep, which stopped there. */
  g_assert_cmpuint (n, >, 10);
  g_assert_cmpuint (n, <, 60);
  g_assert_true (!isfinite (losses[n - 1]) || losses[n - 1] > 4 * losses[n / 2]);
  for (guint i = 1; i < n; i++)
    g_assert_cmpfloat (lrs[i], >, lrs[i - 1]);
  g_assert_cmpfloat_with_epsilon (lrs[0], 1e-4, 1e-12);
  suggested = fit_lr_finder_get_suggested_learning_rate (finder);
  g_assert_cmpfloat (suggested, >, 1e-4);
  g_assert_cmpfloat (suggested, <, lrs[n - 1]);

  /* The model is untouched: same parameters, and training on gives exactly what it
   * gives without the sweep (optimizer state and learning rate included). */
  after = fit_test_params (a);
  g_assert_true (fit_test_params_equal (before, after));
  g_assert_cmpfloat (fit_estimator_get_learning_rate (a), ==, 0.1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (a))), ==, 1);
  g_assert_true (fit_estimator_fit (a, train, NULL, 2, NULL, &error));
  g_assert_true (fit_estimator_fit (b, train, NULL, 2, NULL, &error));
  pa = fit_test_params (a);
  pb = fit_test_params (b);
  g_assert_true (fit_test_params_equal (pa, pb));
}

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

static void
test_history_json (void)
{
  g_autoptr(FitHistory) history = fit_history_new ();
  g_autoptr(FitHistory) copy = fit_history_new ();
  g_autoptr(FitHistoryRecord) r0 = fit_history_record_new (0);
  g_autoptr(FitHistoryRecord) r1 = fit_history_record_new (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;

  fit_history_record_set_value (r0, "train_loss", 0.5);
  fit_history_record_set_value (r0, "val_loss", NAN);
  fit_history_record_set_learning_rate (r0, 0.1);
  fit_history_record_set_value (r1, "train_loss", 0.25);
  fit_history_record_set_time (r1, 1.5);
  fit_history_append (history, r0);
  fit_history_append (history, r1);
  json = fit_history_to_json (history);
  g_assert_true (fit_history_load_json (copy, json, &error));
  g_assert_no_error (error);
  again = fit_history_to_json (copy);
  g_assert_cmpstr (json, ==, again);
  g_assert_true (isnan (fit_history_record_get_value (fit_history_get_record (copy, 0), "val_loss")));
  g_assert_cmpfloat (fit_history_record_get_time (fit_history_get_record (copy, 1)), ==, 1.5);

  g_assert_false (fit_history_load_json (copy, "[{\"epoch\": \"x\"}]", &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (copy)), ==, 2);
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
  g_test_add_func ("/Fit/Handlers/early-stopping/restore-best", test_early_stopping);
  g_test_add_func ("/Fit/Handlers/early-stopping/modes", test_early_stopping_modes);
  g_test_add_func ("/Fit/Handlers/early-stopping/patience", test_early_stopping_patience);
  g_test_add_func ("/Fit/Handlers/reduce-lr-on-plateau/patience", test_plateau_patience);
  g_test_add_func ("/Fit/Handlers/gradient-accumulation", test_gradient_accumulation);
  g_test_add_func ("/Fit/Handlers/gradient-clipping", test_gradient_clipping);
  g_test_add_func ("/Fit/Handlers/terminate-on-nan", test_terminate_on_nan);
  g_test_add_func ("/Fit/Handlers/stopping-and-time-limit", test_stopping_and_time_limit);
  g_test_add_func ("/Fit/Handlers/lr-schedules", test_lr_schedules);
  g_test_add_func ("/Fit/Handlers/lr-finder", test_lr_finder);
  g_test_add_func ("/Fit/Handlers/csv-logger", test_csv_logger);
  g_test_add_func ("/Fit/Handlers/logging", test_logging);
  g_test_add_func ("/Fit/Handlers/progress", test_progress);
  g_test_add_func ("/Fit/Handlers/history-json", test_history_json);

  return g_test_run ();
}
