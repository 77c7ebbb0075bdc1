/* test-reduce-lr-on-plateau-handler.c: FitReduceLrOnPlateauHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/reduce-lr-on-plateau/patience", test_plateau_patience);

  return g_test_run ();
}
