/* test-perplexity.c: FitPerplexity against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_perplexity (void)
{
  g_autoptr(FitMetric) ppl = fit_perplexity_new (TRUE);
  const float logits[] = { 1000, 0, 0, 0 };   /* large: must not overflow */
  const gint64 y[] = { 0, 1 };
  double expected = (0 + log (2.0)) / 2;

  update (ppl, floats (logits, 4, 2, 2), labels (y, 2));
  g_assert_cmpfloat_with_epsilon (value_of (ppl), exp (expected), 1e-9);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Perplexity/values", test_perplexity);

  return g_test_run ();
}
