/* test-schedules.c: learning-rate schedules (values against torch are in
 * test_schedules_torch.py; here the closed forms, edges and argument checks)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>

#define LR(s, base, step) fit_lr_schedule_get_learning_rate ((s), (base), (step))

static void
test_step (void)
{
  g_autoptr(FitLrSchedule) s = fit_step_lr_new (3, 0.5);

  g_assert_cmpfloat (LR (s, 1.0, 0), ==, 1.0);
  g_assert_cmpfloat (LR (s, 1.0, 2), ==, 1.0);
  g_assert_cmpfloat (LR (s, 1.0, 3), ==, 0.5);
  g_assert_cmpfloat (LR (s, 1.0, 8), ==, 0.25);
  /* Stateless: asking again, or out of order, gives the same answers. */
  g_assert_cmpfloat (LR (s, 1.0, 3), ==, 0.5);
}

static void
test_multi_step (void)
{
  const gint64 milestones[] = { 10, 4, 4 };
  g_autoptr(FitLrSchedule) s = fit_multi_step_lr_new (milestones, 3, 0.1);
  guint n = 0;
  const gint64 *sorted = fit_multi_step_lr_get_milestones (FIT_MULTI_STEP_LR (s), &n);

  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (sorted[0], ==, 4);
  g_assert_cmpint (sorted[2], ==, 10);
  g_assert_cmpfloat (LR (s, 2.0, 3), ==, 2.0);
  g_assert_cmpfloat_with_epsilon (LR (s, 2.0, 4), 2.0 * 0.01, 1e-15);
  g_assert_cmpfloat_with_epsilon (LR (s, 2.0, 12), 2.0 * 0.001, 1e-15);
}

static void
test_exponential (void)
{
  g_autoptr(FitLrSchedule) s = fit_exponential_lr_new (0.9);

  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 10), pow (0.9, 10), 1e-15);
}

static void
test_cosine (void)
{
  g_autoptr(FitLrSchedule) s = fit_cosine_lr_new (10, 0.1);

  g_assert_cmpfloat (LR (s, 1.0, 0), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 5), 0.55, 1e-12);
  g_assert_cmpfloat (LR (s, 1.0, 10), ==, 0.1);
  g_assert_cmpfloat (LR (s, 1.0, 1000), ==, 0.1);

  g_object_set (s, "warmup-steps", (gint64) 4, "warmup-start-factor", 0.5, NULL);
  g_assert_cmpfloat (LR (s, 1.0, 0), ==, 0.5);
  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 2), 0.75, 1e-15);
  g_assert_cmpfloat (LR (s, 1.0, 4), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 7), 0.55, 1e-12);
  g_assert_cmpfloat (LR (s, 1.0, 10), ==, 0.1);
}

static void
test_one_cycle (void)
{
  g_autoptr(FitLrSchedule) s = fit_one_cycle_lr_new (100);
  double peak = 0;

  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 0), 1.0 / 25, 1e-15);
  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 29), 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 99), 1.0 / 25 / 1e4, 1e-18);
  g_assert_cmpfloat_with_epsilon (LR (s, 1.0, 500), 1.0 / 25 / 1e4, 1e-18);
  for (gint64 t = 0; t < 100; t++)
    peak = MAX (peak, LR (s, 1.0, t));
  g_assert_cmpfloat (peak, <=, 1.0);

  /* A cycle too short for its phases still gives finite rates. */
  g_object_set (s, "total-steps", (gint64) 2, "pct-start", 0.5, NULL);
  g_assert_true (isfinite (LR (s, 1.0, 0)));
  g_assert_true (isfinite (LR (s, 1.0, 1)));
}

static void
test_linear_warmup (void)
{
  g_autoptr(FitLrSchedule) s = fit_linear_warmup_lr_new (4, 0.0);

  g_assert_cmpfloat (LR (s, 2.0, 0), ==, 0.0);
  g_assert_cmpfloat (LR (s, 2.0, 1), ==, 0.5);
  g_assert_cmpfloat (LR (s, 2.0, 4), ==, 2.0);
  g_assert_cmpfloat (LR (s, 2.0, 40), ==, 2.0);
  g_object_set (s, "warmup-steps", (gint64) 0, NULL);
  g_assert_cmpfloat (LR (s, 2.0, 0), ==, 2.0);
}

/* Bad arguments are programmer errors: criticals, in a subprocess. */
static void
test_bad_arguments (void)
{
  if (g_test_subprocess ())
    {
      g_assert_null (fit_step_lr_new (0, 0.5));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*step_size >= 1*");
}

static void
test_negative_step (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitLrSchedule) s = fit_exponential_lr_new (0.5);

      g_assert_cmpfloat (LR (s, 1.0, -1), ==, 1.0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*step >= 0*");
}

static void
test_property_range (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitLrSchedule) s = fit_one_cycle_lr_new (10);

      g_object_set (s, "pct-start", 2.0, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*pct-start*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/LrSchedule/step", test_step);
  g_test_add_func ("/Fit/LrSchedule/multi-step", test_multi_step);
  g_test_add_func ("/Fit/LrSchedule/exponential", test_exponential);
  g_test_add_func ("/Fit/LrSchedule/cosine", test_cosine);
  g_test_add_func ("/Fit/LrSchedule/one-cycle", test_one_cycle);
  g_test_add_func ("/Fit/LrSchedule/linear-warmup", test_linear_warmup);
  g_test_add_func ("/Fit/LrSchedule/bad-arguments", test_bad_arguments);
  g_test_add_func ("/Fit/LrSchedule/negative-step", test_negative_step);
  g_test_add_func ("/Fit/LrSchedule/property-range", test_property_range);
  return g_test_run ();
}
