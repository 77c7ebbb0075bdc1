/* test-history.c: FitHistory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-train-testing.h"

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

  g_test_add_func ("/Fit/Handlers/history-json", test_history_json);

  return g_test_run ();
}
