/* test-early-stopping-handler.c: FitEarlyStoppingHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/early-stopping/restore-best", test_early_stopping);
  g_test_add_func ("/Fit/Handlers/early-stopping/modes", test_early_stopping_modes);
  g_test_add_func ("/Fit/Handlers/early-stopping/patience", test_early_stopping_patience);

  return g_test_run ();
}
