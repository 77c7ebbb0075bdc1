/* test-lr-finder.c: FitLrFinder
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/lr-finder", test_lr_finder);

  return g_test_run ();
}
