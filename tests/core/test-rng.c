/* test-rng.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

static void
test_rng_reproducible (void)
{
  g_autoptr(FitRng) a = fit_rng_new (42);
  g_autoptr(FitRng) b = fit_rng_new (42);
  g_autoptr(FitRng) c = fit_rng_new (43);
  gboolean differs = FALSE;

  for (guint i = 0; i < 100; i++)
    {
      guint64 x = fit_rng_next_uint64 (a);

      g_assert_cmpuint (x, ==, fit_rng_next_uint64 (b));
      differs |= x != fit_rng_next_uint64 (c);
    }
  g_assert_true (differs);
}

static void
test_rng_state_roundtrip (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (7);
  g_autoptr(FitRng) other = fit_rng_new (1);
  g_autoptr(GBytes) state = NULL;
  g_autoptr(GError) error = NULL;
  double expected[5];

  fit_rng_next_normal (rng);   /* leaves a cached deviate in the state */
  state = fit_rng_save_state (rng);
  for (guint i = 0; i < 5; i++)
    expected[i] = fit_rng_next_normal (rng);

  g_assert_true (fit_rng_restore_state (other, state, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fit_rng_get_seed (other), ==, 7);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (fit_rng_next_normal (other), ==, expected[i]);
}

static void
test_rng_bad_state (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (7);
  g_autoptr(GBytes) junk = g_bytes_new_static ("not a state", 11);
  g_autoptr(GError) error = NULL;
  guint64 before, after;

  g_assert_false (fit_rng_restore_state (rng, junk, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "11 bytes"));

  /* A failed restore leaves the generator where it was. */
  before = fit_rng_next_uint64 (fit_rng_new (7));
  after = fit_rng_next_uint64 (rng);
  g_assert_cmpuint (before, ==, after);
}

static void
test_rng_distributions (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (2024);
  const guint n = 200000;
  double sum = 0, sum2 = 0, usum = 0;
  guint counts[7] = { 0 };

  for (guint i = 0; i < n; i++)
    {
      double z = fit_rng_next_normal (rng);
      double u = fit_rng_next_double (rng);

      sum += z;
      sum2 += z * z;
      usum += u;
      g_assert_cmpfloat (u, >=, 0.0);
      g_assert_cmpfloat (u, <, 1.0);
      counts[fit_rng_next_below (rng, 7)]++;
    }
  /* Five standard errors: a correct generator fails this about once in a million runs. */
  g_assert_cmpfloat (fabs (sum / n), <, 5.0 / sqrt (n));
  g_assert_cmpfloat (fabs (sum2 / n - 1.0), <, 5.0 * sqrt (2.0 / n));
  g_assert_cmpfloat (fabs (usum / n - 0.5), <, 5.0 * sqrt (1.0 / 12.0 / n));
  for (guint k = 0; k < 7; k++)
    g_assert_cmpfloat (fabs (counts[k] - n / 7.0), <, 5.0 * sqrt (n * (1.0 / 7) * (6.0 / 7)));
}

static void
test_rng_shuffle_is_permutation (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  gint64 v[1000];
  gboolean seen[1000] = { FALSE };
  guint moved = 0;

  for (guint i = 0; i < 1000; i++)
    v[i] = i;
  fit_rng_shuffle_indices (rng, v, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_assert_false (seen[v[i]]);
      seen[v[i]] = TRUE;
      moved += v[i] != (gint64) i;
    }
  g_assert_cmpuint (moved, >, 900);
}

/* A saved state of the right size whose generator position is all zeros: xoshiro256**
 * would return 0 forever, and rejection sampling (shuffles) would never return. */
static void
test_rng_restore_impossible_state (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (11);
  g_autoptr(GBytes) saved = fit_rng_save_state (rng);
  guint8 bytes[56];
  double nan_value = NAN;
  guint64 expected = fit_rng_next_uint64 (fit_rng_new (11));
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (saved), ==, sizeof bytes);

  memcpy (bytes, g_bytes_get_data (saved, NULL), sizeof bytes);
  memset (bytes + 16, 0, 32);
  {
    g_autoptr(GBytes) zeros = g_bytes_new (bytes, sizeof bytes);

    g_assert_false (fit_rng_restore_state (rng, zeros, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
    g_clear_error (&error);
  }

  /* A cached normal deviate that is not finite: Box-Muller never makes one. */
  memcpy (bytes, g_bytes_get_data (saved, NULL), sizeof bytes);
  memcpy (bytes + 48, &nan_value, sizeof nan_value);
  {
    g_autoptr(GBytes) nan_spare = g_bytes_new (bytes, sizeof bytes);

    g_assert_false (fit_rng_restore_state (rng, nan_spare, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  }

  /* Both left the generator as it was. */
  g_assert_cmpuint (fit_rng_next_uint64 (rng), ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Fit/Rng/reproducible", test_rng_reproducible);
  g_test_add_func ("/Fit/Rng/restore-impossible-state", test_rng_restore_impossible_state);
  g_test_add_func ("/Fit/Rng/state-roundtrip", test_rng_state_roundtrip);
  g_test_add_func ("/Fit/Rng/bad-state", test_rng_bad_state);
  g_test_add_func ("/Fit/Rng/distributions", test_rng_distributions);
  g_test_add_func ("/Fit/Rng/shuffle", test_rng_shuffle_is_permutation);
  return g_test_run ();
}
