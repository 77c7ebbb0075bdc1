/* test-schedules.c: learning-rate schedules (values against torch are in
 * test_schedules_torch.py; here the closed forms, edges and argument checks)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

static double
LR (FitLrSchedule *s,
    double         base,
    gint64         step)
{
  g_autoptr(GError) error = NULL;
  double rate = fit_lr_schedule_get_learning_rate (s, base, step, &error);

  g_assert_no_error (error);
  return rate;
}

/* A schedule that gives a fixed rate, or fails, for the checks of what comes back. */
#define TEST_TYPE_FIXED_LR (test_fixed_lr_get_type ())
G_DECLARE_FINAL_TYPE (TestFixedLR, test_fixed_lr, TEST, FIXED_LR, FitLrSchedule)

struct _TestFixedLR
{
  FitLrSchedule parent_instance;
  double        rate;
  gboolean      fail;
};

G_DEFINE_FINAL_TYPE (TestFixedLR, test_fixed_lr, FIT_TYPE_LR_SCHEDULE)

static void
test_fixed_lr_compute (FitLrSchedule  *schedule,
                       double          base_lr,
                       gint64          step,
                       double         *learning_rate,
                       GError        **error)
{
  TestFixedLR *self = TEST_FIXED_LR (schedule);

  if (self->fail)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "fixed schedule failed at %d", (int) step);
  else
    *learning_rate = self->rate;
}

static void
test_fixed_lr_class_init (TestFixedLRClass *klass)
{
  FIT_LR_SCHEDULE_CLASS (klass)->compute = test_fixed_lr_compute;
}

static void
test_fixed_lr_init (TestFixedLR *self)
{
}

static FitLrSchedule *
fixed_lr (double   rate,
          gboolean fail)
{
  TestFixedLR *self = g_object_new (TEST_TYPE_FIXED_LR, NULL);

  self->rate = rate;
  self->fail = fail;
  return FIT_LR_SCHEDULE (self);
}

/* A subclass without compute() */
#define TEST_TYPE_LAZY_LR (test_lazy_lr_get_type ())
G_DECLARE_FINAL_TYPE (TestLazyLR, test_lazy_lr, TEST, LAZY_LR, FitLrSchedule)

struct _TestLazyLR
{
  FitLrSchedule parent_instance;
};

G_DEFINE_FINAL_TYPE (TestLazyLR, test_lazy_lr, FIT_TYPE_LR_SCHEDULE)

static void
test_lazy_lr_class_init (TestLazyLRClass *klass)
{
}

static void
test_lazy_lr_init (TestLazyLR *self)
{
}

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

      g_assert_true (isnan (fit_lr_schedule_get_learning_rate (s, 1.0, -1, NULL)));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*step >= 0*");
}

/* What a schedule gives back is checked: its own error passes through unchanged; a NaN,
 * infinite or negative rate, or a base rate that is one, is an error naming the schedule,
 * the step and the value; a subclass without compute() fails instead of giving 0. */
static void
test_checked_rates (void)
{
  static const struct { double rate; int code; const char *text; } bad[] = {
    { NAN, FIT_ERROR_NOT_FINITE, "TestFixedLR gave the rate nan at step 7 (base rate 0.5)" },
    { INFINITY, FIT_ERROR_NOT_FINITE, "TestFixedLR gave the rate inf at step 7" },
    { -0.25, FIT_ERROR_INVALID_ARGUMENT, "TestFixedLR gave the rate -0.25 at step 7" },
  };
  g_autoptr(FitLrSchedule) good = fixed_lr (0.75, FALSE);
  g_autoptr(FitLrSchedule) failing = fixed_lr (0.75, TRUE);
  g_autoptr(FitLrSchedule) zero = fixed_lr (0.0, FALSE);
  g_autoptr(FitLrSchedule) lazy = g_object_new (TEST_TYPE_LAZY_LR, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpfloat (LR (good, 0.5, 7), ==, 0.75);
  g_assert_cmpfloat (LR (zero, 0.5, 7), ==, 0.0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(FitLrSchedule) s = fixed_lr (bad[i].rate, FALSE);

      g_assert_true (isnan (fit_lr_schedule_get_learning_rate (s, 0.5, 7, &error)));
      g_assert_error (error, FIT_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].text));
      g_clear_error (&error);
    }
  g_assert_true (isnan (fit_lr_schedule_get_learning_rate (failing, 0.5, 7, &error)));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_cmpstr (error->message, ==, "fixed schedule failed at 7");
  g_clear_error (&error);

  for (guint i = 0; i < 3; i++)
    {
      const double base[] = { NAN, -1.0, INFINITY };

      g_assert_true (isnan (fit_lr_schedule_get_learning_rate (good, base[i], 0, &error)));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "TestFixedLR"));
      g_clear_error (&error);
    }

  g_assert_true (isnan (fit_lr_schedule_get_learning_rate (lazy, 0.5, 0, &error)));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "TestLazyLR does not implement compute()"));
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
  g_test_add_func ("/Fit/LrSchedule/checked-rates", test_checked_rates);
  return g_test_run ();
}
