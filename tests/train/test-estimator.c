/* test-estimator.c: the training loop, its events, stops, errors and defaults
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-train-testing.h"

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_fit_learns (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (60, 10, 2);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (30, 8, 3);
  g_autoptr(GError) error = NULL;
  FitHistory *history = fit_estimator_get_history (est);
  FitHistoryRecord *first, *last;
  g_auto(GStrv) names = NULL;
  double acc;

  g_assert_true (fit_estimator_fit (est, train, val, 5, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 5);
  first = fit_history_get_record (history, 0);
  last = fit_history_get_last (history);
  g_assert_cmpint (fit_history_record_get_epoch (last), ==, 4);
  g_assert_cmpfloat (fit_history_record_get_value (last, "train_loss"), <,
                     fit_history_record_get_value (first, "train_loss"));
  g_assert_true (fit_history_record_lookup (last, "val_loss", NULL));
  g_assert_true (fit_history_record_lookup (last, "val_accuracy", &acc));
  g_assert_cmpfloat (acc, >, 0.8);
  g_assert_cmpfloat_with_epsilon (fit_history_record_get_learning_rate (last), 0.1, 1e-7);
  g_assert_cmpfloat (fit_history_record_get_time (last), >, 0);
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_COMPLETED);

  /* Classification loss: accuracy and loss by default, the one naming scheme. */
  names = fit_estimator_get_metric_names (est);
  g_assert_cmpstrv (names, ((const char *[]) { "train_loss", "train_accuracy", "val_loss",
                                               "val_accuracy", NULL }));
}

typedef struct
{
  FitSequential *net;
  guint          grads_left;   /* parameters still holding a gradient at batch-end */
  guint          n_params;
} GrowState;

static void
grow_at_epoch_end (FitEstimator *est,
                   GrowState    *state)
{
  g_autoptr(FitRng) rng = fit_rng_new (7);
  g_autoptr(FitLinear) extra = fit_linear_new (3, 3, TRUE, rng);

  if (fit_estimator_get_epoch (est) == 0)
    fit_sequential_append (state->net, FIT_MODULE (extra));
}

static void
count_grads_at_batch_end (FitEstimator *est,
                          GrowState    *state)
{
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (state->net));

  state->n_params = params->len;
  for (guint i = 0; i < params->len; i++)
    if (fit_tensor_get_grad (g_ptr_array_index (params, i)) != NULL)
      state->grads_left++;
}

/* The step drops every gradient after the update, the parameters of a layer added
 * during the fit included: the loop lists the parameters once, and again only after
 * the model changed. */
static void
test_fit_clears_grads_of_added_layers (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  g_autoptr(FitLinear) first = fit_linear_new (4, 3, TRUE, rng);
  g_autoptr(FitSequential) net = fit_sequential_new ();
  g_autoptr(FitLoss) loss = fit_cross_entropy_loss_new ();
  g_autoptr(FitEstimator) est = NULL;
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 4, 2);
  g_autoptr(GError) error = NULL;
  GrowState state = { net, 0, 0 };

  fit_sequential_append (net, FIT_MODULE (first));
  est = fit_estimator_new (FIT_MODULE (net), loss, NULL);
  g_signal_connect (est, "epoch-end", G_CALLBACK (grow_at_epoch_end), &state);
  g_signal_connect (est, "batch-end", G_CALLBACK (count_grads_at_batch_end), &state);
  g_assert_true (fit_estimator_fit (est, train, NULL, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.n_params, ==, 4);
  g_assert_cmpuint (state.grads_left, ==, 0);
}

static void
test_fit_event_order (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (4, 4, 3);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  fit_test_connect_all (est, log);
  g_assert_true (fit_estimator_fit (est, train, val, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log->str, ==,
                   "train-begin "
                   "epoch-begin "
                   "batch-begin forward-end loss-end backward-end step-end batch-end "
                   "batch-begin forward-end loss-end backward-end step-end batch-end "
                   "validate-begin validate-batch-end validate-end "
                   "epoch-end "
                   "epoch-begin "
                   "batch-begin forward-end loss-end backward-end step-end batch-end "
                   "batch-begin forward-end loss-end backward-end step-end batch-end "
                   "validate-begin validate-batch-end validate-end "
                   "epoch-end "
                   "train-end ");
}

static void
test_fit_validation_every_n_batches (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 2);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (4, 4, 3);
  g_autoptr(FitEventHandler) v = fit_validation_handler_new (0, 2);
  g_autoptr(FitTestRecorder) rec = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  rec = fit_test_recorder_new ("r", log, 0);
  g_assert_true (fit_estimator_add_handler (est, v, &error));
  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (rec), &error));
  g_assert_true (fit_estimator_fit (est, train, val, 1, NULL, &error));
  g_assert_no_error (error);
  /* 4 batches, validation after the 2nd and the 4th, none at the epoch end. */
  g_assert_cmpuint (count (log->str, "r:validate-begin"), ==, 2);
  g_assert_nonnull (strstr (log->str, "r:batch-end r:validate-begin r:validate-batch-end "
                                      "r:validate-end r:batch-begin"));
  g_assert_true (g_str_has_suffix (log->str, "r:batch-end r:validate-begin "
                                             "r:validate-batch-end r:validate-end "
                                             "r:epoch-end r:train-end "));
}

static void
test_handlers_priority_and_callbacks (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (3, 3, 2);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTestRecorder) a = fit_test_recorder_new ("a", log, 10);
  g_autoptr(FitTestRecorder) b = fit_test_recorder_new ("b", log, -5);
  g_autoptr(FitTestRecorder) c = fit_test_recorder_new ("c", log, 10);
  g_autoptr(FitTestRecorder) d = fit_test_recorder_new ("d", log, 0);
  g_autoptr(GPtrArray) order = NULL;
  g_autofree char *dry = NULL;

  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (a), &error));
  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (b), &error));
  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (c), &error));
  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (d), &error));
  /* A handler is added once. */
  g_assert_false (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (a), &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_signal_connect (est, "train-begin", G_CALLBACK (fit_test_on_signal), log);
  g_signal_connect_after (est, "train-begin", G_CALLBACK (fit_test_on_signal), log);

  order = fit_estimator_get_handlers_for_event (est, FIT_EVENT_TRAIN_BEGIN);
  g_assert_cmpuint (order->len, ==, 5);   /* b d a c, then the default history handler */
  g_assert_true (g_ptr_array_index (order, 0) == b);
  g_assert_true (g_ptr_array_index (order, 1) == d);
  g_assert_true (g_ptr_array_index (order, 2) == a);
  g_assert_true (g_ptr_array_index (order, 3) == c);
  g_assert_true (FIT_IS_HISTORY_HANDLER (g_ptr_array_index (order, 4)));

  dry = fit_estimator_describe (est);
  g_assert_nonnull (strstr (dry, "train-begin:\n"
                                 "  signal callbacks connected with connect()\n"
                                 "  FitTestRecorder (priority -5)\n"
                                 "  FitTestRecorder (priority 0)\n"
                                 "  FitTestRecorder (priority 10)\n"
                                 "  FitTestRecorder (priority 10)\n"
                                 "  FitHistoryHandler (priority 150) [default]\n"
                                 "  signal callbacks connected with connect_after()\n"));
  g_assert_nonnull (strstr (dry, "batch-end:\n  FitMetricHandler (priority -1000) [default]\n"
                                 "  FitValidationHandler (priority -500) [default, with a "
                                 "validation loader]\n"));

  g_assert_true (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (log->str, "train-begin b:train-begin d:train-begin "
                                             "a:train-begin c:train-begin train-begin "));

  /* A priority change reorders the handlers. */
  g_string_truncate (log, 0);
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (c), -10);
  g_assert_true (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_true (g_str_has_prefix (log->str, "train-begin c:train-begin b:train-begin "
                                             "d:train-begin a:train-begin train-begin "));

  g_assert_true (fit_estimator_remove_handler (est, FIT_EVENT_HANDLER (c), &error));
  g_assert_false (fit_estimator_remove_handler (est, FIT_EVENT_HANDLER (c), &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND);
}

/* Runs one epoch of 2 batches with a recorder that asks for @scope at the first @event. */
static FitTestRecorder *
run_with_stop (FitEvent      event,
               FitStopScope  scope,
               guint         epochs,
               GArray      **before,
               GArray      **after,
               GString      *log)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (4, 4, 3);
  g_autoptr(GError) error = NULL;
  FitTestRecorder *rec = fit_test_recorder_new ("r", log, 0);
  FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (rec) };

  rec->stop_event = event;
  rec->stop_scope = scope;
  rec->stop_at = 1;
  rec->losses = g_array_new (FALSE, FALSE, sizeof (double));
  *before = fit_test_params (est);
  g_assert_true (fit_estimator_fit_full (est, train, val, epochs, 0, handlers, 1, NULL, &error));
  g_assert_no_error (error);
  *after = fit_test_params (est);
  /* Handlers for one fit are removed afterwards. */
  g_assert_false (fit_estimator_remove_handler (est, FIT_EVENT_HANDLER (rec), &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND);
  return rec;
}

static void
test_stop_batch (void)
{
  static const struct {
    FitEvent event;
    const char *first_batch;
    gboolean loss_known;
  } cases[] = {
    { FIT_EVENT_BATCH_BEGIN, "r:batch-begin r:batch-end ", FALSE },
    { FIT_EVENT_FORWARD_END, "r:batch-begin r:forward-end r:batch-end ", FALSE },
    { FIT_EVENT_LOSS_END, "r:batch-begin r:forward-end r:loss-end r:batch-end ", TRUE },
    { FIT_EVENT_BACKWARD_END, "r:batch-begin r:forward-end r:loss-end r:backward-end "
                              "r:batch-end ", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) log = g_string_new (NULL);
      g_autoptr(GArray) before = NULL;
      g_autoptr(GArray) after = NULL;
      g_autoptr(FitTestRecorder) rec = NULL;
      g_autofree char *expected = NULL;

      rec = run_with_stop (cases[i].event, FIT_STOP_SCOPE_BATCH, 1, &before, &after, log);
      expected = g_strconcat ("r:train-begin r:epoch-begin ", cases[i].first_batch,
                              "r:batch-begin r:forward-end r:loss-end r:backward-end "
                              "r:step-end r:batch-end r:validate-begin r:validate-batch-end "
                              "r:validate-end r:epoch-end r:train-end ", NULL);
      g_assert_cmpstr (log->str, ==, expected);
      g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_COMPLETED);
      /* No stale loss from the previous batch: the skipped batch reports NaN until its
       * own loss exists. */
      g_assert_cmpuint (rec->losses->len, ==, 2);
      g_assert_true (cases[i].loss_known == !isnan (g_array_index (rec->losses, double, 0)));
      g_assert_false (isnan (g_array_index (rec->losses, double, 1)));
      g_assert_false (fit_test_params_equal (before, after));
    }
}

static void
test_stop_batch_skips_step (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (3, 3, 2);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);
  g_autoptr(GError) error = NULL;

  /* The only batch skips its step: the parameters do not move. */
  rec->stop_event = FIT_EVENT_BACKWARD_END;
  rec->stop_scope = FIT_STOP_SCOPE_BATCH;
  rec->stop_at = 1;
  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (rec), &error));
  before = fit_test_params (est);
  g_assert_true (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_no_error (error);
  after = fit_test_params (est);
  g_assert_true (fit_test_params_equal (before, after));
}

static void
test_stop_epoch (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(FitTestRecorder) rec = NULL;

  /* Epoch stop in the first batch's forward-end: the batch ends, validation still runs,
   * the next epoch runs in full. */
  rec = run_with_stop (FIT_EVENT_FORWARD_END, FIT_STOP_SCOPE_EPOCH, 2, &before, &after, log);
  g_assert_cmpstr (log->str, ==,
                   "r:train-begin r:epoch-begin r:batch-begin r:forward-end r:batch-end "
                   "r:validate-begin r:validate-batch-end r:validate-end r:epoch-end "
                   "r:epoch-begin "
                   "r:batch-begin r:forward-end r:loss-end r:backward-end r:step-end r:batch-end "
                   "r:batch-begin r:forward-end r:loss-end r:backward-end r:step-end r:batch-end "
                   "r:validate-begin r:validate-batch-end r:validate-end r:epoch-end "
                   "r:train-end ");
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_COMPLETED);
  g_clear_object (&rec);
  g_clear_pointer (&before, g_array_unref);
  g_clear_pointer (&after, g_array_unref);

  /* At epoch-begin: the epoch has no training batch. */
  g_string_truncate (log, 0);
  rec = run_with_stop (FIT_EVENT_EPOCH_BEGIN, FIT_STOP_SCOPE_EPOCH, 1, &before, &after, log);
  g_assert_cmpstr (log->str, ==,
                   "r:train-begin r:epoch-begin r:validate-begin r:validate-batch-end "
                   "r:validate-end r:epoch-end r:train-end ");
  g_assert_true (fit_test_params_equal (before, after));
}

static void
test_stop_training (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(FitTestRecorder) rec = NULL;

  /* In a batch: the batch ends, no validation, epoch-end and train-end fire. */
  rec = run_with_stop (FIT_EVENT_BATCH_END, FIT_STOP_SCOPE_TRAINING, 3, &before, &after, log);
  g_assert_cmpstr (log->str, ==,
                   "r:train-begin r:epoch-begin "
                   "r:batch-begin r:forward-end r:loss-end r:backward-end r:step-end r:batch-end "
                   "r:epoch-end r:train-end ");
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_clear_object (&rec);
  g_clear_pointer (&before, g_array_unref);
  g_clear_pointer (&after, g_array_unref);

  /* During validation: the pass ends after this batch, then epoch-end, train-end. */
  g_string_truncate (log, 0);
  rec = run_with_stop (FIT_EVENT_VALIDATE_BATCH_END, FIT_STOP_SCOPE_TRAINING, 3, &before,
                       &after, log);
  g_assert_true (g_str_has_suffix (log->str, "r:validate-begin r:validate-batch-end "
                                             "r:validate-end r:epoch-end r:train-end "));
  g_assert_cmpuint (count (log->str, "r:epoch-begin"), ==, 1);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_clear_object (&rec);
  g_clear_pointer (&before, g_array_unref);
  g_clear_pointer (&after, g_array_unref);

  /* At epoch-end (early stopping's place). */
  g_string_truncate (log, 0);
  rec = run_with_stop (FIT_EVENT_EPOCH_END, FIT_STOP_SCOPE_TRAINING, 3, &before, &after, log);
  g_assert_cmpuint (count (log->str, "r:epoch-end"), ==, 1);
  g_assert_true (g_str_has_suffix (log->str, "r:epoch-end r:train-end "));
  g_clear_object (&rec);
  g_clear_pointer (&before, g_array_unref);
  g_clear_pointer (&after, g_array_unref);

  /* At train-begin: nothing trains. */
  g_string_truncate (log, 0);
  rec = run_with_stop (FIT_EVENT_TRAIN_BEGIN, FIT_STOP_SCOPE_TRAINING, 3, &before, &after, log);
  g_assert_cmpstr (log->str, ==, "r:train-begin r:train-end ");
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_STOPPED);
  g_assert_true (fit_test_params_equal (before, after));
}

static void
test_error_from_handler (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTestRecorder) bad = fit_test_recorder_new ("bad", log, 0);
  g_autoptr(FitTestRecorder) late = fit_test_recorder_new ("late", log, 5);
  FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (bad), FIT_EVENT_HANDLER (late) };

  bad->fail_event = FIT_EVENT_LOSS_END;
  bad->fail_at = 2;
  g_signal_connect_after (est, "loss-end", G_CALLBACK (fit_test_on_signal), log);
  g_assert_false (fit_estimator_fit_full (est, train, NULL, 3, 0, handlers, 2, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "bad failed at loss-end");
  /* The rest of the event (a later handler, the connect_after callback) and every later
   * event but train-end are skipped. */
  g_assert_true (g_str_has_suffix (log->str, "late:batch-end bad:batch-begin "
                                             "late:batch-begin bad:forward-end "
                                             "late:forward-end bad:loss-end bad:train-end "
                                             "late:train-end "));
  g_assert_cmpuint (count (log->str, " loss-end "), ==, 1);
  g_assert_cmpint (bad->reason, ==, FIT_STOP_REASON_ERROR);
  g_assert_cmpint (fit_estimator_get_stop_reason (est), ==, FIT_STOP_REASON_ERROR);
  g_assert_false (fit_estimator_is_running (est));
  /* Removed although the fit failed. */
  g_clear_error (&error);
  g_assert_false (fit_estimator_remove_handler (est, FIT_EVENT_HANDLER (bad), &error));
  g_clear_error (&error);

  /* FALSE without an error, as a binding produces from an exception it only prints. */
  bad->fail_silently = TRUE;
  bad->fail_seen = 0;
  g_assert_false (fit_estimator_fit_full (est, train, NULL, 3, 0, handlers, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "FitTestRecorder"));
  g_assert_nonnull (strstr (error->message, "loss-end"));
}

static void
test_error_in_train_end (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTestRecorder) a = fit_test_recorder_new ("a", NULL, 0);
  g_autoptr(FitTestRecorder) b = fit_test_recorder_new ("b", NULL, 1);
  FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (a), FIT_EVENT_HANDLER (b) };

  /* Every train_end runs even when one fails; a failure at train-end fails the fit. */
  a->fail_event = FIT_EVENT_TRAIN_END;
  a->fail_at = 1;
  g_assert_false (fit_estimator_fit_full (est, train, NULL, 1, 0, handlers, 2, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpuint (b->n_train_end, ==, 1);
  g_assert_cmpint (b->reason, ==, FIT_STOP_REASON_COMPLETED);
}

static void
fail_from_callback (FitEstimator *est,
                    gpointer      user_data)
{
  g_autoptr(GError) error = g_error_new_literal (FIT_ERROR, FIT_ERROR_NOT_FINITE, "callback");

  if (fit_estimator_get_global_step (est) == 1)
    fit_estimator_fail (est, error);
}

static void
test_error_from_callback (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);

  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (rec), &error));
  g_signal_connect (est, "batch-begin", G_CALLBACK (fail_from_callback), NULL);
  g_signal_connect (est, "batch-begin", G_CALLBACK (fit_test_on_signal), log);
  g_assert_false (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE);
  /* The second batch-begin reached neither the next callback nor the handler. */
  g_assert_true (g_str_has_suffix (log->str, "r:batch-end r:train-end "));
  g_assert_cmpuint (count (log->str, "batch-begin"), ==, 2);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_ERROR);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (20000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (30, 3, 2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", NULL, 0);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_assert_true (fit_estimator_add_handler (est, FIT_EVENT_HANDLER (rec), &error));

  /* Already cancelled: train-end still fires. */
  g_cancellable_cancel (cancellable);
  g_assert_false (fit_estimator_fit (est, train, NULL, 1, cancellable, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_CANCELLED);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_CANCELLED);
  g_assert_cmpuint (rec->n_train_end, ==, 1);
  g_clear_error (&error);

  /* From another thread, in the middle of a long fit. */
  g_cancellable_reset (cancellable);
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_false (fit_estimator_fit (est, train, NULL, 100000, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_CANCELLED);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_CANCELLED);
  g_assert_cmpuint (rec->n_train_end, ==, 2);
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} AsyncData;

static void
on_fit_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncData *data = user_data;

  data->result = g_object_ref (result);
  g_main_loop_quit (data->loop);
}

static void
on_epoch_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GThread **main_thread = user_data;

  /* Notifications of a fit_async arrive in the caller's thread. */
  g_assert_true (g_thread_self () == main_thread[0]);
  main_thread[1] = GUINT_TO_POINTER (GPOINTER_TO_UINT (main_thread[1]) + 1);
}

static gboolean
cancel_in_loop (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_fit_async (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (30, 3, 2);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (6, 3, 3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", NULL, 0);
  FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (rec) };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  AsyncData data = { loop, NULL };
  gpointer notified[2] = { g_thread_self (), NULL };
  gulong id = g_signal_connect (est, "notify::epoch", G_CALLBACK (on_epoch_notify), notified);

  fit_estimator_fit_async (est, train, val, 3, 0, handlers, 1, NULL, on_fit_done, &data);
  g_main_loop_run (loop);
  g_signal_handler_disconnect (est, id);
  g_assert_cmpuint (GPOINTER_TO_UINT (notified[1]), >=, 3);
  g_assert_true (fit_estimator_fit_finish (est, data.result, &error));
  g_assert_no_error (error);
  g_clear_object (&data.result);
  /* The history was filled in this thread's context before the callback. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (est))),
                    ==, 3);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_COMPLETED);

  g_timeout_add (20, cancel_in_loop, cancellable);
  fit_estimator_fit_async (est, train, val, 100000, 0, handlers, 1, cancellable, on_fit_done,
                           &data);
  g_main_loop_run (loop);
  g_assert_false (fit_estimator_fit_finish (est, data.result, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_CANCELLED);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_CANCELLED);
  g_clear_object (&data.result);
}

static void
test_wrong_input (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(FitDataLoader) empty = fit_test_classification_loader (2, 3, 2);
  g_autoptr(FitMetric) a1 = fit_accuracy_new ();
  g_autoptr(FitMetric) a2 = fit_accuracy_new ();
  FitMetric *dup[] = { a1, a2 };
  g_autoptr(GError) error = NULL;
  double v;

  g_assert_false (fit_estimator_fit (est, train, NULL, 0, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  fit_data_loader_set_drop_last (empty, TRUE);
  g_assert_false (fit_estimator_fit (est, empty, NULL, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "2 samples"));
  g_clear_error (&error);

  g_assert_true (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_false (fit_estimator_get_metric_value (est, "val_acuracy", &v, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "train_loss, train_accuracy, val_loss, val_accuracy"));
  g_clear_error (&error);
  g_assert_true (fit_estimator_get_metric_value (est, "train_accuracy", &v, &error));
  g_assert_cmpfloat (v, >=, 0);
  g_assert_cmpint (fit_estimator_get_metric_mode (est, "val_accuracy"), ==, FIT_MONITOR_MODE_MAX);
  g_assert_cmpint (fit_estimator_get_metric_mode (est, "val_loss"), ==, FIT_MONITOR_MODE_MIN);

  fit_estimator_set_train_metrics (est, dup, 2);
  g_assert_false (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "accuracy"));
}

static void
add_during_fit (FitEstimator *est,
                gpointer      user_data)
{
  g_autoptr(FitEventHandler) h = fit_metric_handler_new ();
  GError **error = user_data;

  if (*error == NULL)
    fit_estimator_add_handler (est, h, error);
}

static void
test_add_during_fit (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (3, 3, 2);
  g_autoptr(GError) error = NULL;
  GError *inner = NULL;

  g_signal_connect (est, "epoch-begin", G_CALLBACK (add_during_fit), &inner);
  g_assert_true (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  g_assert_error (inner, FIT_ERROR, FIT_ERROR_STATE);
  g_clear_error (&inner);
}

static void
test_defaults (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitLinear) net = fit_linear_new (3, 1, TRUE, rng);
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) est = fit_estimator_new (FIT_MODULE (net), loss, NULL);
  g_autoptr(FitDataLoader) train = fit_test_regression_loader (40, 8, 2);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  /* The structured log bypasses g_test_expect_message(): check the output instead. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*No optimizer given*SGD*0.01*");
      return;
    }
  g_assert_true (fit_estimator_fit (est, train, NULL, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (FIT_IS_SGD (fit_estimator_get_optimizer (est)));
  /* A regression loss gets the mean loss only. */
  names = fit_estimator_get_metric_names (est);
  g_assert_cmpstrv (names, ((const char *[]) { "train_loss", "val_loss", NULL }));
}

static void
test_evaluate_predict (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (60, 10, 2);
  g_autoptr(FitDataLoader) test = fit_test_classification_loader (13, 5, 4);
  g_autoptr(FitHistoryRecord) record = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 rows;

  g_assert_true (fit_estimator_fit (est, train, NULL, 3, NULL, &error));
  fit_test_connect_all (est, log);

  record = fit_estimator_evaluate (est, test, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_history_record_get_epoch (record), ==, -1);
  g_assert_cmpfloat (fit_history_record_get_value (record, "val_accuracy"), >, 0.5);
  g_assert_false (isnan (fit_history_record_get_value (record, "val_loss")));
  g_assert_cmpstr (log->str, ==, "validate-begin validate-batch-end validate-batch-end "
                                 "validate-batch-end validate-end ");

  g_string_truncate (log, 0);
  out = fit_estimator_predict (est, test, NULL, &error);
  g_assert_no_error (error);
  rows = fit_tensor_get_dim (out, 0);
  g_assert_cmpint (rows, ==, 13);
  g_assert_cmpint (fit_tensor_get_dim (out, 1), ==, 3);
  g_assert_cmpstr (log->str, ==, "");
}

/* predict stacks the outputs of the batches in the loader's order: each row is what the
 * network gives for that batch in evaluation mode. */
static void
test_predict_stacks_batches (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (30, 10, 2);
  g_autoptr(FitDataLoader) test = fit_test_classification_loader (13, 5, 4);
  g_autoptr(FitDataIter) iter = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GError) error = NULL;
  g_autofree float *got = NULL;
  FitTensor *x = NULL, *y = NULL;
  gsize n;

  g_assert_true (fit_estimator_fit (est, train, NULL, 1, NULL, &error));
  out = fit_estimator_predict (est, test, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (out), ==, FIT_DTYPE_FLOAT32);

  fit_module_set_training (fit_estimator_get_net (est), FALSE);
  iter = fit_data_loader_iterate (test, 0, 0);
  while (fit_data_iter_next (iter, &x, &y, NULL, &error))
    {
      g_autoptr(FitTensor) batch_out = fit_module_forward (fit_estimator_get_net (est), x,
                                                           &error);
      g_autofree float *v = NULL;

      g_assert_no_error (error);
      v = fit_tensor_to_floats (batch_out, &n);
      g_array_append_vals (expected, v, n);
      g_clear_object (&x);
      g_clear_object (&y);
    }
  g_assert_no_error (error);
  got = fit_tensor_to_floats (out, &n);
  g_assert_cmpuint (n, ==, 13 * 3);
  g_assert_cmpuint (expected->len, ==, n);
  g_assert_cmpmem (got, n * sizeof (float), expected->data, n * sizeof (float));
}

/* A network without parameters whose outputs are a scalar (@scalar) or, from the second
 * batch on, one column wider than the batch before. */
#define TEST_TYPE_ODD_NET (test_odd_net_get_type ())
G_DECLARE_FINAL_TYPE (TestOddNet, test_odd_net, TEST, ODD_NET, FitModule)

struct _TestOddNet
{
  FitModule parent_instance;
  gboolean  scalar;
  guint     calls;
};

G_DEFINE_FINAL_TYPE (TestOddNet, test_odd_net, FIT_TYPE_MODULE)

static FitTensor *
test_odd_net_forward (FitModule  *module,
                      FitTensor  *input,
                      GError    **error)
{
  TestOddNet *self = TEST_ODD_NET (module);
  gint64 shape[2] = { fit_tensor_get_dim (input, 0), 2 + self->calls++ };

  if (self->scalar)
    return fit_tensor_new_scalar (FIT_DTYPE_FLOAT32, 1.0);
  return fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 2);
}

static void
test_odd_net_class_init (TestOddNetClass *klass)
{
  FIT_MODULE_CLASS (klass)->forward = test_odd_net_forward;
}

static void
test_odd_net_init (TestOddNet *self)
{
}

static void
test_predict_wrong_outputs (void)
{
  g_autoptr(TestOddNet) net = g_object_new (TEST_TYPE_ODD_NET, NULL);
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitEstimator) est = fit_estimator_new (FIT_MODULE (net), loss, NULL);
  g_autoptr(FitDataLoader) data = fit_test_classification_loader (13, 5, 4);
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(GError) error = NULL;

  out = fit_estimator_predict (est, data, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "batch 1's outputs [5, 3] (float32) do not stack "
                                            "with the first batch's [5, 2] (float32)"));
  g_clear_error (&error);
  g_assert_false (fit_estimator_is_running (est));

  net->scalar = TRUE;
  out = fit_estimator_predict (est, data, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "scalar"));
}

/* loss-end, with a loss that is not reduced: the loss value is the mean of its
 * elements. */
static void
check_unreduced_loss (FitEstimator *est,
                      gpointer      user_data)
{
  guint *checked = user_data;
  gsize n;
  g_autofree float *v = fit_tensor_to_floats (fit_estimator_get_loss_tensor (est), &n);
  double sum = 0;

  g_assert_cmpuint (n, >, 1);
  for (gsize i = 0; i < n; i++)
    sum += v[i];
  g_assert_cmpfloat (fit_estimator_get_loss_value (est), ==, sum / (double) n);
  (*checked)++;
}

static void
test_loss_value_unreduced (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitLinear) net = fit_linear_new (3, 1, TRUE, rng);
  g_autoptr(FitLoss) loss = fit_mse_loss_new (FIT_REDUCTION_NONE);
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (net));
  g_autoptr(FitOptimizer) sgd = fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.1, 0.0);
  g_autoptr(FitEstimator) est = fit_estimator_new (FIT_MODULE (net), loss, sgd);
  g_autoptr(FitDataLoader) train = fit_test_regression_loader (14, 4, 2);
  g_autoptr(GError) error = NULL;
  guint checked = 0;

  g_signal_connect (est, "loss-end", G_CALLBACK (check_unreduced_loss), &checked);
  g_assert_true (fit_estimator_fit (est, train, NULL, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (checked, ==, 8);
}

/* A metric whose value at epoch e is script[e] (NaN before its first update), and whose
 * reset or compute can fail, for the checks of what the fit does with either. */
#define TEST_TYPE_SCRIPTED (test_scripted_get_type ())
G_DECLARE_FINAL_TYPE (TestScripted, test_scripted, TEST, SCRIPTED, FitMetric)

struct _TestScripted
{
  FitMetric     parent_instance;
  const double *script;
  int           n_script;
  int           epoch;            /* resets so far, minus one */
  gboolean      updated;
  int           fail_reset;       /* the reset (counted from 1) that fails; 0: none */
  int           fail_compute;     /* the epoch whose first compute fails; -1: none */
  gboolean      failed;
};

G_DEFINE_FINAL_TYPE (TestScripted, test_scripted, FIT_TYPE_METRIC)

static void
test_scripted_reset (FitMetric  *metric,
                     GError    **error)
{
  TestScripted *self = TEST_SCRIPTED (metric);

  self->epoch++;
  self->updated = FALSE;
  if (self->epoch + 1 == self->fail_reset)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "reset %d failed", self->fail_reset);
}

static gboolean
test_scripted_update (FitMetric  *metric,
                      FitTensor  *prediction,
                      FitTensor  *label,
                      GError    **error)
{
  TEST_SCRIPTED (metric)->updated = TRUE;
  return TRUE;
}

static void
test_scripted_compute (FitMetric  *metric,
                       double     *value,
                       GError    **error)
{
  TestScripted *self = TEST_SCRIPTED (metric);

  if (self->epoch == self->fail_compute && !self->failed)
    {
      self->failed = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "compute failed at epoch %d",
                   self->epoch);
    }
  else
    *value = self->updated ? self->script[MIN (self->epoch, self->n_script - 1)] : NAN;
}

static void
test_scripted_class_init (TestScriptedClass *klass)
{
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  metric_class->reset = test_scripted_reset;
  metric_class->update = test_scripted_update;
  metric_class->compute = test_scripted_compute;
}

static void
test_scripted_init (TestScripted *self)
{
  self->epoch = -1;
  self->fail_compute = -1;
  fit_metric_set_name (FIT_METRIC (self), "scripted");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MIN);
}

static FitEstimator *
scripted_classifier (TestScripted *metric)
{
  FitEstimator *est = fit_test_classifier (1);
  FitMetric *metrics[] = { FIT_METRIC (metric) };

  fit_estimator_set_train_metrics (est, metrics, 1);
  return est;
}

/* A metric's values reach the history and the monitors as they are; NaN, the value of a
 * metric with nothing to report, is recorded and is not a failure. */
static void
test_metric_values (void)
{
  static const double script[] = { 0.7, 0.35, 0.6, 0.5 };
  static const double nan_script[] = { NAN, 0.25 };
  g_autoptr(TestScripted) metric = g_object_new (TEST_TYPE_SCRIPTED, NULL);
  g_autoptr(TestScripted) nan_metric = g_object_new (TEST_TYPE_SCRIPTED, NULL);
  g_autoptr(FitEstimator) est = NULL;
  g_autoptr(FitEstimator) nan_est = NULL;
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(FitEventHandler) es = fit_early_stopping_handler_new ("train_scripted", 0, 1);
  FitEventHandler *handlers[] = { es };
  FitHistory *history;
  g_autoptr(GError) error = NULL;

  metric->script = script;
  metric->n_script = G_N_ELEMENTS (script);
  est = scripted_classifier (metric);
  g_assert_true (fit_estimator_fit_full (est, train, NULL, 4, 0, handlers, 1, NULL, &error));
  g_assert_no_error (error);
  history = fit_estimator_get_history (est);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 3);
  for (guint e = 0; e < 3; e++)
    g_assert_cmpfloat (fit_history_record_get_value (fit_history_get_record (history, e),
                                                     "train_scripted"), ==, script[e]);
  g_assert_cmpfloat (fit_early_stopping_handler_get_best_value (FIT_EARLY_STOPPING_HANDLER (es)),
                     ==, 0.35);
  g_assert_cmpint (fit_early_stopping_handler_get_best_epoch (FIT_EARLY_STOPPING_HANDLER (es)),
                   ==, 1);

  nan_metric->script = nan_script;
  nan_metric->n_script = G_N_ELEMENTS (nan_script);
  nan_est = scripted_classifier (nan_metric);
  g_assert_true (fit_estimator_fit (nan_est, train, NULL, 2, NULL, &error));
  g_assert_no_error (error);
  history = fit_estimator_get_history (nan_est);
  g_assert_true (isnan (fit_history_record_get_value (fit_history_get_record (history, 0),
                                                      "train_scripted")));
  g_assert_cmpfloat (fit_history_record_get_value (fit_history_get_record (history, 1),
                                                   "train_scripted"), ==, 0.25);
}

/* A metric's failing compute fails the fit with its error, whoever reads it: the history
 * handler (which reports errors) or a monitor (which passes none and reads first; the
 * metric fails only once, so the history handler's read after it would succeed). */
static void
test_error_metric_compute (void)
{
  static const double script[] = { 0.5 };

  for (int monitored = 0; monitored < 2; monitored++)
    {
      g_autoptr(TestScripted) metric = g_object_new (TEST_TYPE_SCRIPTED, NULL);
      g_autoptr(FitEstimator) est = NULL;
      g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
      g_autoptr(FitEventHandler) es = fit_early_stopping_handler_new ("train_scripted", 0, 5);
      g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", NULL, 1000);
      FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (rec), es };
      g_autoptr(GError) error = NULL;

      metric->script = script;
      metric->n_script = 1;
      metric->fail_compute = 1;
      est = scripted_classifier (metric);
      g_assert_false (fit_estimator_fit_full (est, train, NULL, 3, 0, handlers, 1 + monitored,
                                              NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_cmpstr (error->message, ==, "compute failed at epoch 1");
      g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_ERROR);
      g_assert_cmpuint (rec->n_train_end, ==, 1);
      /* Epoch 1's epoch-end stopped at the failure: only epoch 0 is in the history. */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (est))),
                        ==, 1);
    }
}

static void
test_error_metric_reset (void)
{
  g_autoptr(TestScripted) metric = g_object_new (TEST_TYPE_SCRIPTED, NULL);
  g_autoptr(FitEstimator) est = NULL;
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", NULL, 0);
  FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;
  static const double script[] = { 0.5 };

  metric->script = script;
  metric->n_script = 1;
  metric->fail_reset = 2;
  est = scripted_classifier (metric);
  g_assert_false (fit_estimator_fit_full (est, train, NULL, 3, 0, handlers, 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_cmpstr (error->message, ==, "reset 2 failed");
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_ERROR);
  g_assert_cmpuint (rec->n_train_end, ==, 1);
}

/* Evaluation returns a validation metric's failure instead of a record. */
static void
test_error_metric_evaluate (void)
{
  static const double script[] = { 0.5 };
  g_autoptr(TestScripted) metric = g_object_new (TEST_TYPE_SCRIPTED, NULL);
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) test = fit_test_classification_loader (6, 3, 4);
  g_autoptr(FitHistoryRecord) record = NULL;
  FitMetric *metrics[] = { FIT_METRIC (metric) };
  g_autoptr(GError) error = NULL;

  metric->script = script;
  metric->n_script = 1;
  metric->fail_compute = 0;
  fit_estimator_set_val_metrics (est, metrics, 1);
  record = fit_estimator_evaluate (est, test, NULL, &error);
  g_assert_null (record);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (fit_estimator_is_running (est));
}

/* A rate that is not finite and ≥ 0 fails the fit, naming the schedule and the value. */
#define TEST_TYPE_BAD_LR (test_bad_lr_get_type ())
G_DECLARE_FINAL_TYPE (TestBadLR, test_bad_lr, TEST, BAD_LR, FitLrSchedule)

struct _TestBadLR
{
  FitLrSchedule parent_instance;
};

G_DEFINE_FINAL_TYPE (TestBadLR, test_bad_lr, FIT_TYPE_LR_SCHEDULE)

static void
test_bad_lr_compute (FitLrSchedule  *schedule,
                     double          base_lr,
                     gint64          step,
                     double         *learning_rate,
                     GError        **error)
{
  *learning_rate = step < 2 ? base_lr / (double) (step + 1) : NAN;
}

static void
test_bad_lr_class_init (TestBadLRClass *klass)
{
  FIT_LR_SCHEDULE_CLASS (klass)->compute = test_bad_lr_compute;
}

static void
test_bad_lr_init (TestBadLR *self)
{
}

static void
test_error_schedule (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (6, 3, 2);
  g_autoptr(FitLrSchedule) schedule = g_object_new (TEST_TYPE_BAD_LR, NULL);
  g_autoptr(FitEventHandler) sched = fit_lr_scheduler_handler_new (schedule, TRUE);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", NULL, 0);
  FitEventHandler *handlers[] = { sched, FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;

  g_assert_false (fit_estimator_fit_full (est, train, NULL, 3, 0, handlers, 2, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "TestBadLR gave the rate nan at step 2"));
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_ERROR);
  /* Steps 0 and 1 ran at the schedule's rates; step 2 never began its forward pass. */
  g_assert_cmpfloat (fit_estimator_get_learning_rate (est), ==, 0.1 / 2.0);
  g_assert_cmpuint (fit_estimator_get_global_step (est), ==, 2);
}

static void
test_batch_limit (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 3, 2);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(FitTestRecorder) rec = fit_test_recorder_new ("r", log, 0);
  FitEventHandler *handlers[] = { FIT_EVENT_HANDLER (rec) };
  g_autoptr(GError) error = NULL;

  /* 4 batches per epoch, 6 batches in all: the second epoch ends after 2. */
  g_assert_true (fit_estimator_fit_full (est, train, NULL, 0, 6, handlers, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count (log->str, "r:batch-end"), ==, 6);
  g_assert_cmpuint (count (log->str, "r:epoch-end"), ==, 2);
  g_assert_cmpint (rec->reason, ==, FIT_STOP_REASON_COMPLETED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Estimator/fit/learns", test_fit_learns);
  g_test_add_func ("/Fit/Estimator/fit/event-order", test_fit_event_order);
  g_test_add_func ("/Fit/Estimator/fit/clears-grads-of-added-layers",
                   test_fit_clears_grads_of_added_layers);
  g_test_add_func ("/Fit/Estimator/fit/validation-every-n-batches",
                   test_fit_validation_every_n_batches);
  g_test_add_func ("/Fit/Estimator/fit/batch-limit", test_batch_limit);
  g_test_add_func ("/Fit/Estimator/handlers/priority-and-callbacks",
                   test_handlers_priority_and_callbacks);
  g_test_add_func ("/Fit/Estimator/handlers/add-during-fit", test_add_during_fit);
  g_test_add_func ("/Fit/Estimator/stop/batch", test_stop_batch);
  g_test_add_func ("/Fit/Estimator/stop/batch-skips-step", test_stop_batch_skips_step);
  g_test_add_func ("/Fit/Estimator/stop/epoch", test_stop_epoch);
  g_test_add_func ("/Fit/Estimator/stop/training", test_stop_training);
  g_test_add_func ("/Fit/Estimator/error/handler", test_error_from_handler);
  g_test_add_func ("/Fit/Estimator/error/train-end", test_error_in_train_end);
  g_test_add_func ("/Fit/Estimator/error/callback", test_error_from_callback);
  g_test_add_func ("/Fit/Estimator/fit/cancel", test_cancel);
  g_test_add_func ("/Fit/Estimator/fit/async", test_fit_async);
  g_test_add_func ("/Fit/Estimator/fit/wrong-input", test_wrong_input);
  g_test_add_func ("/Fit/Estimator/defaults", test_defaults);
  g_test_add_func ("/Fit/Estimator/evaluate-predict", test_evaluate_predict);
  g_test_add_func ("/Fit/Estimator/predict/stacks-batches", test_predict_stacks_batches);
  g_test_add_func ("/Fit/Estimator/predict/wrong-outputs", test_predict_wrong_outputs);
  g_test_add_func ("/Fit/Estimator/loss-value/unreduced", test_loss_value_unreduced);
  g_test_add_func ("/Fit/Estimator/metrics/values", test_metric_values);
  g_test_add_func ("/Fit/Estimator/error/metric-compute", test_error_metric_compute);
  g_test_add_func ("/Fit/Estimator/error/metric-reset", test_error_metric_reset);
  g_test_add_func ("/Fit/Estimator/error/metric-evaluate", test_error_metric_evaluate);
  g_test_add_func ("/Fit/Estimator/error/schedule", test_error_schedule);

  return g_test_run ();
}
