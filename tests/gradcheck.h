/* gradcheck.h: finite-difference gradient checks for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fit_gradcheck() compares the gradients that autograd computes for a function of
 * several float64 tensors with central finite differences of the same function. To
 * check a function with a non-scalar output it differentiates sum(f(x) * w) for a fixed
 * random w, which exercises every output element's gradient at once.
 *
 *   static FitTensor *
 *   f (FitTensor **in, gpointer data, GError **error)
 *   {
 *     return fit_tensor_mul (in[0], in[1], error);
 *   }
 *   …
 *   fit_gradcheck (f, NULL, inputs, 2, 1e-6, 1e-5);   // asserts on failure
 */

#pragma once

#include <fit-glib/fit-glib.h>
#include <math.h>

typedef FitTensor *(*FitGradcheckFunc) (FitTensor **inputs,
                                        gpointer    user_data,
                                        GError    **error);

static inline double *
fit_gradcheck_data (FitTensor *t)
{
  return (double *) fit_tensor_get_data_mutable (t);
}

/* sum(f(inputs) * weights) as a double, with recording off. */
static inline double
fit_gradcheck_eval (FitGradcheckFunc  func,
                    gpointer          user_data,
                    FitTensor       **inputs,
                    FitTensor       **weights)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(FitTensor) out64 = NULL;
  const double *o, *w;
  double s = 0;

  out = func (inputs, user_data, &error);
  g_assert_no_error (error);
  out64 = fit_tensor_to_dtype (out, FIT_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);
  if (*weights == NULL)
    {
      g_autoptr(FitRng) rng = fit_rng_new (1234);
      guint n_dims;
      const gint64 *shape = fit_tensor_get_shape (out64, &n_dims);

      *weights = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, shape, n_dims, -1.0, 1.0);
    }
  o = fit_tensor_get_data (out64);
  w = fit_tensor_get_data (*weights);
  for (gint64 i = 0; i < fit_tensor_get_numel (out64); i++)
    s += o[i] * w[i];
  return s;
}

/* Checks d sum(f(x) * w) / dx_k for every input that requires a gradient. Inputs must
 * be float64 leaves; their gradients are reset. Tolerances apply as in allclose. */
static inline void
fit_gradcheck (FitGradcheckFunc   func,
               gpointer           user_data,
               FitTensor        **inputs,
               guint              n_inputs,
               double             eps,
               double             tol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) weights = NULL;
  g_autoptr(FitTensor) out = NULL;
  gboolean was;

  /* Analytic: backward of sum(f(x) * w). */
  was = fit_grad_set_enabled (FALSE);
  fit_gradcheck_eval (func, user_data, inputs, &weights);
  fit_grad_set_enabled (was);
  for (guint k = 0; k < n_inputs; k++)
    fit_tensor_set_grad (inputs[k], NULL);

  out = func (inputs, user_data, &error);
  g_assert_no_error (error);
  if (fit_tensor_get_dtype (out) != FIT_DTYPE_FLOAT64)
    {
      FitTensor *o64 = fit_tensor_to_dtype (out, FIT_DTYPE_FLOAT64, &error);

      g_assert_no_error (error);
      g_object_unref (out);
      out = o64;
    }
  /* The vector-Jacobian product with w is the gradient of sum(f(x) * w). */
  fit_tensor_backward_full (out, weights, FALSE, &error);
  g_assert_no_error (error);

  /* Numeric: central differences, one element at a time. */
  was = fit_grad_set_enabled (FALSE);
  for (guint k = 0; k < n_inputs; k++)
    {
      FitTensor *x = inputs[k];
      FitTensor *grad = fit_tensor_get_grad (x);
      double *xd;

      if (!fit_tensor_get_requires_grad (x))
        continue;
      g_assert_cmpint (fit_tensor_get_dtype (x), ==, FIT_DTYPE_FLOAT64);
      xd = fit_gradcheck_data (x);
      for (gint64 i = 0; i < fit_tensor_get_numel (x); i++)
        {
          double saved = xd[i];
          double plus, minus, numeric, analytic;

          xd[i] = saved + eps;
          plus = fit_gradcheck_eval (func, user_data, inputs, &weights);
          xd[i] = saved - eps;
          minus = fit_gradcheck_eval (func, user_data, inputs, &weights);
          xd[i] = saved;
          numeric = (plus - minus) / (2 * eps);
          analytic = grad != NULL ? ((const double *) fit_tensor_get_data (grad))[i] : 0.0;
          if (!(fabs (numeric - analytic) <= tol + tol * fabs (numeric)))
            g_error ("gradcheck: input %u element %" G_GINT64_FORMAT ": autograd %.10g, "
                     "finite differences %.10g", k, i, analytic, numeric);
        }
    }
  fit_grad_set_enabled (was);
}

/* A float64 leaf of the given shape, uniform in [low, high), requiring a gradient. */
static inline FitTensor *
fit_gradcheck_input (FitRng       *rng,
                     const gint64 *shape,
                     guint         n_dims,
                     double        low,
                     double        high)
{
  FitTensor *t = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, shape, n_dims, low, high);

  fit_tensor_set_requires_grad (t, TRUE);
  return t;
}
