/* test-recall.c: FitRecall against hand-computed values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-metrics-testing.h"

static void
test_recall_macro (void)
{
  g_autoptr(FitMetric) rm = fit_recall_new (FIT_AVERAGE_MACRO);

  update_three_classes (rm);
  g_assert_cmpfloat_with_epsilon (value_of (rm), (R0 + R1 + R2) / 3, 1e-12);
}

static void
test_recall_binary (void)
{
  g_autoptr(FitMetric) rec = fit_recall_new (FIT_AVERAGE_BINARY);

  update_binary (rec);
  g_assert_cmpfloat_with_epsilon (value_of (rec), 2.0 / 3, 1e-12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Recall/macro", test_recall_macro);
  g_test_add_func ("/Fit/Recall/binary", test_recall_binary);

  return g_test_run ();
}
