/* fit-train-testing.h: small models, data and a recording handler for the fit API tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <fit-glib/fit-glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* ---- data ---- */

/* @n samples of 4 features in 3 classes that a linear model separates well. */
static inline FitDataLoader *
fit_test_classification_loader (guint   n,
                                guint   batch_size,
                                guint64 seed)
{
  g_autoptr(FitRng) rng = fit_rng_new (seed);
  g_autofree float *x = g_new (float, n * 4);
  g_autofree gint64 *y = g_new (gint64, n);
  gint64 xs[2] = { n, 4 }, ys[1] = { n };
  g_autoptr(FitTensor) inputs = NULL;
  g_autoptr(FitTensor) labels = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;

  for (guint i = 0; i < n; i++)
    {
      y[i] = i % 3;
      for (guint j = 0; j < 4; j++)
        x[i * 4 + j] = (float) (fit_rng_next_normal (rng) * 0.5 + (j == (guint) y[i] ? 2.0 : 0.0));
    }
  inputs = fit_tensor_new_from_floats (x, n * 4, xs, 2, NULL);
  labels = fit_tensor_new_from_int64s (y, n, ys, 1, NULL);
  ds = fit_tensor_dataset_new (inputs, labels, NULL);
  return fit_data_loader_new (FIT_DATASET (ds), batch_size);
}

/* y = x·w + 0.5 with @n samples of 3 features, for regression tests. */
static inline FitDataLoader *
fit_test_regression_loader (guint   n,
                            guint   batch_size,
                            guint64 seed)
{
  g_autoptr(FitRng) rng = fit_rng_new (seed);
  g_autofree float *x = g_new (float, n * 3);
  g_autofree float *y = g_new (float, n);
  gint64 xs[2] = { n, 3 }, ys[2] = { n, 1 };
  g_autoptr(FitTensor) inputs = NULL;
  g_autoptr(FitTensor) labels = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;
  const float w[3] = { 1.0f, -2.0f, 0.5f };

  for (guint i = 0; i < n; i++)
    {
      y[i] = 0.5f;
      for (guint j = 0; j < 3; j++)
        {
          x[i * 3 + j] = (float) fit_rng_next_normal (rng);
          y[i] += w[j] * x[i * 3 + j];
        }
    }
  inputs = fit_tensor_new_from_floats (x, n * 3, xs, 2, NULL);
  labels = fit_tensor_new_from_floats (y, n, ys, 2, NULL);
  ds = fit_tensor_dataset_new (inputs, labels, NULL);
  return fit_data_loader_new (FIT_DATASET (ds), batch_size);
}

static inline FitEstimator *
fit_test_classifier (guint64 seed)
{
  g_autoptr(FitRng) rng = fit_rng_new (seed);
  g_autoptr(FitLinear) net = fit_linear_new (4, 3, TRUE, rng);
  g_autoptr(FitLoss) loss = fit_cross_entropy_loss_new ();
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (net));
  g_autoptr(FitOptimizer) sgd = fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.1, 0.0);

  return fit_estimator_new (FIT_MODULE (net), loss, sgd);
}

/* A copy of every parameter's values, concatenated, to compare models exactly. */
static inline GArray *
fit_test_params (FitEstimator *est)
{
  g_autoptr(GPtrArray) params = fit_module_get_parameters (fit_estimator_get_net (est));
  GArray *all = g_array_new (FALSE, FALSE, sizeof (float));

  for (guint i = 0; i < params->len; i++)
    {
      gsize n;
      g_autofree float *v = fit_tensor_to_floats (g_ptr_array_index (params, i), &n);

      g_array_append_vals (all, v, n);
    }
  return all;
}

static inline gboolean
fit_test_params_equal (GArray *a,
                       GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (float)) == 0;
}

/* ---- a handler that records events and acts on them ---- */

#define FIT_TEST_TYPE_RECORDER (fit_test_recorder_get_type ())
G_DECLARE_FINAL_TYPE (FitTestRecorder, fit_test_recorder, FIT_TEST, RECORDER, FitEventHandler)

struct _FitTestRecorder
{
  FitEventHandler  parent_instance;
  char            *name;
  GString         *log;          /* shared between recorders; "name:event " items */
  FitEvent         stop_event;   /* request stop_scope at the stop_at-th stop_event */
  FitStopScope     stop_scope;
  guint            stop_at;
  guint            seen;
  FitEvent         fail_event;   /* fail at the fail_at-th fail_event (fail_at > 0) */
  guint            fail_at;
  guint            fail_seen;
  gboolean         fail_silently; /* FALSE without an error */
  FitStopReason    reason;
  guint            n_train_end;
  GArray          *losses;       /* loss values seen at batch-end */
};

G_DEFINE_FINAL_TYPE (FitTestRecorder, fit_test_recorder, FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_test_recorder_event (FitTestRecorder  *self,
                         FitEstimator     *est,
                         FitEvent          event,
                         GError          **error)
{
  if (self->log != NULL)
    g_string_append_printf (self->log, "%s:%s ", self->name, fit_event_get_name (event));
  if (event == FIT_EVENT_BATCH_END && self->losses != NULL)
    {
      double v = fit_estimator_get_loss_value (est);

      g_array_append_val (self->losses, v);
    }
  if (self->stop_scope != FIT_STOP_SCOPE_NONE && event == self->stop_event &&
      ++self->seen == self->stop_at)
    fit_estimator_request_stop (est, self->stop_scope);
  if (self->fail_at > 0 && event == self->fail_event && ++self->fail_seen == self->fail_at)
    {
      if (!self->fail_silently)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s failed at %s",
                     self->name, fit_event_get_name (event));
      return FALSE;
    }
  return TRUE;
}

#define RECORDER_EVENT(fn, ev) \
  static gboolean \
  fit_test_recorder_##fn (FitEventHandler *h, FitEstimator *est, GError **error) \
  { \
    return fit_test_recorder_event (FIT_TEST_RECORDER (h), est, ev, error); \
  }

RECORDER_EVENT (train_begin, FIT_EVENT_TRAIN_BEGIN)
RECORDER_EVENT (epoch_begin, FIT_EVENT_EPOCH_BEGIN)
RECORDER_EVENT (batch_begin, FIT_EVENT_BATCH_BEGIN)
RECORDER_EVENT (forward_end, FIT_EVENT_FORWARD_END)
RECORDER_EVENT (loss_end, FIT_EVENT_LOSS_END)
RECORDER_EVENT (backward_end, FIT_EVENT_BACKWARD_END)
RECORDER_EVENT (step_end, FIT_EVENT_STEP_END)
RECORDER_EVENT (batch_end, FIT_EVENT_BATCH_END)
RECORDER_EVENT (validate_begin, FIT_EVENT_VALIDATE_BEGIN)
RECORDER_EVENT (validate_batch_end, FIT_EVENT_VALIDATE_BATCH_END)
RECORDER_EVENT (validate_end, FIT_EVENT_VALIDATE_END)
RECORDER_EVENT (epoch_end, FIT_EVENT_EPOCH_END)

static gboolean
fit_test_recorder_train_end (FitEventHandler *h,
                             FitEstimator    *est,
                             FitStopReason    reason,
                             GError         **error)
{
  FitTestRecorder *self = FIT_TEST_RECORDER (h);

  self->reason = reason;
  self->n_train_end++;
  return fit_test_recorder_event (self, est, FIT_EVENT_TRAIN_END, error);
}

static void
fit_test_recorder_finalize (GObject *object)
{
  FitTestRecorder *self = FIT_TEST_RECORDER (object);

  g_free (self->name);
  g_clear_pointer (&self->losses, g_array_unref);
  G_OBJECT_CLASS (fit_test_recorder_parent_class)->finalize (object);
}

static void
fit_test_recorder_class_init (FitTestRecorderClass *klass)
{
  FitEventHandlerClass *h = FIT_EVENT_HANDLER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fit_test_recorder_finalize;
  h->train_begin = fit_test_recorder_train_begin;
  h->epoch_begin = fit_test_recorder_epoch_begin;
  h->batch_begin = fit_test_recorder_batch_begin;
  h->forward_end = fit_test_recorder_forward_end;
  h->loss_end = fit_test_recorder_loss_end;
  h->backward_end = fit_test_recorder_backward_end;
  h->step_end = fit_test_recorder_step_end;
  h->batch_end = fit_test_recorder_batch_end;
  h->validate_begin = fit_test_recorder_validate_begin;
  h->validate_batch_end = fit_test_recorder_validate_batch_end;
  h->validate_end = fit_test_recorder_validate_end;
  h->epoch_end = fit_test_recorder_epoch_end;
  h->train_end = fit_test_recorder_train_end;
}

static void
fit_test_recorder_init (FitTestRecorder *self)
{
}

static inline FitTestRecorder *
fit_test_recorder_new (const char *name,
                       GString    *log,
                       int         priority)
{
  FitTestRecorder *self = g_object_new (FIT_TEST_TYPE_RECORDER, "priority", priority, NULL);

  self->name = g_strdup (name);
  self->log = log;
  return self;
}

/* Appends "cb:<event> " to a GString for every signal: a connect()ed callback. */
static inline void
fit_test_on_signal (FitEstimator *est,
                    gpointer      user_data)
{
  GSignalInvocationHint *hint = g_signal_get_invocation_hint (est);
  GString *log = user_data;

  g_string_append_printf (log, "%s ", g_signal_name (hint->signal_id));
}

static inline void
fit_test_on_train_end (FitEstimator  *est,
                       FitStopReason  reason,
                       gpointer       user_data)
{
  GString *log = user_data;

  g_string_append (log, "train-end ");
}

/* Connects a recording callback to every signal. */
static inline void
fit_test_connect_all (FitEstimator *est,
                      GString      *log)
{
  for (guint e = 0; e < FIT_EVENT_TRAIN_END; e++)
    g_signal_connect (est, fit_event_get_name (e), G_CALLBACK (fit_test_on_signal), log);
  g_signal_connect (est, "train-end", G_CALLBACK (fit_test_on_train_end), log);
}

/* ---- files ---- */

static inline char *
fit_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("fit-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @dir and what is in it (files and empty folders). */
static inline void
fit_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_rmdir (path) != 0)
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* ---- an estimator with every built-in handler that keeps state ---- */

/* 4 features → @hidden → 3 classes with a dropout drawing from the estimator's generator,
 * Adam (running averages of squares), early stopping keeping the best weights, reduce on
 * plateau, a per-batch schedule, and checkpoints into @dir with the prefix "run": what a
 * checkpoint must restore, for the checkpoint tests and fuzz-checkpoint. */
typedef struct
{
  FitEstimator    *est;
  FitEventHandler *early_stopping;
  FitEventHandler *plateau;
  FitEventHandler *scheduler;
  FitEventHandler *checkpoint;
} FitTestRig;

static inline void
fit_test_rig_init (FitTestRig *rig,
                   guint64     seed,
                   guint       hidden,
                   const char *dir)
{
  g_autoptr(FitRng) init = fit_rng_new (seed);
  g_autoptr(FitRng) rng = fit_rng_new (seed + 100);
  g_autoptr(FitLinear) l1 = fit_linear_new (4, hidden, TRUE, init);
  g_autoptr(FitReLU) relu = fit_relu_new ();
  g_autoptr(FitDropout) drop = fit_dropout_new (0.2, rng);
  g_autoptr(FitLinear) l2 = fit_linear_new (hidden, 3, TRUE, init);
  FitModule *layers[] = { FIT_MODULE (l1), FIT_MODULE (relu), FIT_MODULE (drop), FIT_MODULE (l2) };
  g_autoptr(FitSequential) net = fit_sequential_new_from_modules (layers, 4);
  g_autoptr(FitLoss) loss = fit_cross_entropy_loss_new ();
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (net));
  g_autoptr(FitOptimizer) adam = fit_adam_new ((FitTensor **) params->pdata, params->len, 0.01);
  g_autoptr(FitLrSchedule) schedule = fit_step_lr_new (4, 0.5);
  FitEventHandler **handlers[] = {
    &rig->early_stopping, &rig->plateau, &rig->scheduler, &rig->checkpoint,
  };

  rig->est = fit_estimator_new (FIT_MODULE (net), loss, adam);
  fit_estimator_set_rng (rig->est, rng);
  rig->early_stopping = fit_early_stopping_handler_new ("val_loss", 0, 2);
  g_object_set (rig->early_stopping, "restore-best-weights", TRUE, NULL);
  rig->plateau = fit_reduce_lr_on_plateau_handler_new ("val_loss", 0.5, 1);
  rig->scheduler = fit_lr_scheduler_handler_new (schedule, TRUE);
  rig->checkpoint = fit_checkpoint_handler_new (dir, "run");
  g_object_set (rig->checkpoint, "monitor", "val_accuracy", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_assert_true (fit_estimator_add_handler (rig->est, *handlers[i], NULL));
}

static inline void
fit_test_rig_clear (FitTestRig *rig)
{
  g_clear_object (&rig->est);
  g_clear_object (&rig->early_stopping);
  g_clear_object (&rig->plateau);
  g_clear_object (&rig->scheduler);
  g_clear_object (&rig->checkpoint);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FitTestRig, fit_test_rig_clear)
