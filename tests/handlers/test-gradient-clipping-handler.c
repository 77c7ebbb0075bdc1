/* test-gradient-clipping-handler.c: FitGradientClippingHandler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fit-handlers-testing.h"

static gboolean
check_norm (FitEventHandler  *h,
            FitEstimator     *est,
            GError          **error)
{
  g_autoptr(GPtrArray) params = fit_module_get_parameters (fit_estimator_get_net (est));
  double sq = 0;

  for (guint i = 0; i < params->len; i++)
    {
      gsize n;
      g_autofree float *g = fit_tensor_to_floats (fit_tensor_get_grad (g_ptr_array_index (params, i)), &n);

      for (gsize j = 0; j < n; j++)
        sq += (double) g[j] * g[j];
    }
  g_assert_cmpfloat (sqrt (sq), <=, 0.01 + 1e-6);
  return TRUE;
}

PROBE_TYPE (NormProbe, norm_probe, backward_end, check_norm, -700)

static void
test_gradient_clipping (void)
{
  g_autoptr(FitEstimator) est = fit_test_classifier (1);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (12, 6, 7);
  g_autoptr(FitEventHandler) clip = fit_gradient_clipping_handler_new (0.01);
  g_autoptr(NormProbe) probe = g_object_new (norm_probe_get_type (), NULL);
  FitEventHandler *handlers[] = { clip, FIT_EVENT_HANDLER (probe) };
  g_autoptr(GError) error = NULL;

  g_assert_true (fit_estimator_fit_full (est, train, NULL, 1, 0, handlers, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fit_gradient_clipping_handler_get_last_norm (FIT_GRADIENT_CLIPPING_HANDLER (clip)),
                     >, 0.01);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Handlers/gradient-clipping", test_gradient_clipping);

  return g_test_run ();
}
