/* test-losses.c: FitLoss and the built-in losses
 *
 * Values on small cases computed by hand, gradient checks of every loss and option in
 * float64 (prediction and, where the loss has one, target gradients), and the errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

static FitTensor *
doubles (const double *v,
         gsize         n,
         const gint64 *shape,
         guint         n_dims)
{
  g_autoptr(GError) error = NULL;
  FitTensor *t = fit_tensor_new_from_doubles (v, n, shape, n_dims, &error);

  g_assert_no_error (error);
  return t;
}

static FitTensor *
labels (const gint64 *v,
        gsize         n)
{
  g_autoptr(GError) error = NULL;
  gint64 shape = n;
  FitTensor *t = fit_tensor_new_from_int64s (v, n, &shape, 1, &error);

  g_assert_no_error (error);
  return t;
}

static double
value (FitLoss   *loss,
       FitTensor *pred,
       FitTensor *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = fit_loss_compute (loss, pred, target, &error);
  double v;

  g_assert_no_error (error);
  g_assert_true (fit_tensor_item (out, &v, &error));
  return v;
}

static void
test_values (void)
{
  gint64 s23[2] = { 2, 3 }, s4 = 4;
  const double zeros[6] = { 0 };
  const double p[4] = { 1, 2, 3, 4 }, t[4] = { 1.5, 2, 1, 4 };
  const gint64 y[2] = { 0, 2 };
  g_autoptr(FitTensor) uniform = doubles (zeros, 6, s23, 2);
  g_autoptr(FitTensor) ly = labels (y, 2);
  g_autoptr(FitTensor) tp = doubles (p, 4, &s4, 1);
  g_autoptr(FitTensor) tt = doubles (t, 4, &s4, 1);
  g_autoptr(FitLoss) ce = fit_cross_entropy_loss_new ();
  g_autoptr(FitLoss) mse = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitLoss) l1 = fit_l1_loss_new (FIT_REDUCTION_SUM);
  g_autoptr(FitLoss) huber = fit_huber_loss_new (FIT_REDUCTION_SUM, 1.0);

  /* equal scores: log C per sample */
  g_assert_cmpfloat_with_epsilon (value (ce, uniform, ly), log (3), 1e-12);
  g_assert_cmpfloat_with_epsilon (value (mse, tp, tt), (0.25 + 0 + 4 + 0) / 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (value (l1, tp, tt), 0.5 + 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (value (huber, tp, tt), 0.5 * 0.25 + (2 - 0.5), 1e-12);
}

typedef struct
{
  FitLoss   *loss;
  FitTensor *target;   /* used when the target is not among the checked inputs */
} LossCase;

static FitTensor *
loss_fn (FitTensor **inputs,
         gpointer    user_data,
         GError    **error)
{
  LossCase *c = user_data;

  return fit_loss_compute (c->loss, inputs[0], c->target ? c->target : inputs[1], error);
}

/* Checks the loss under every reduction; with @target_grad the target too. */
static void
gradcheck_loss (FitLoss   *loss,
                FitTensor *pred,
                FitTensor *target,
                gboolean   target_grad)
{
  LossCase c = { loss, target_grad ? NULL : target };
  FitTensor *inputs[2] = { pred, target };

  if (target_grad)
    fit_tensor_set_requires_grad (target, TRUE);
  for (FitReduction r = FIT_REDUCTION_MEAN; r <= FIT_REDUCTION_NONE; r++)
    {
      fit_loss_set_reduction (loss, r);
      fit_gradcheck (loss_fn, &c, inputs, target_grad ? 2 : 1, 1e-6, 1e-6);
    }
}

static void
test_classification_gradcheck (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (2);
  gint64 s[2] = { 5, 4 }, s4[4] = { 2, 3, 2, 2 }, c4 = 4;
  const gint64 y[5] = { 0, 3, -100, 1, 2 };
  const gint64 y4[8] = { 0, 2, 1, 1, 2, 0, 0, 1 };
  g_autoptr(FitTensor) pred = fit_gradcheck_input (rng, s, 2, -2, 2);
  g_autoptr(FitTensor) pred4 = fit_gradcheck_input (rng, s4, 4, -2, 2);
  g_autoptr(FitTensor) probs = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, s, 2, 0, 1);
  g_autoptr(FitTensor) weight = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, &c4, 1, 0.5, 2);
  g_autoptr(FitTensor) ly = labels (y, 5);
  g_autoptr(FitTensor) ly4 = NULL;
  g_autoptr(FitTensor) ly4_flat = labels (y4, 8);
  g_autoptr(FitTensor) logp = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ls[3] = { 2, 2, 2 };
  g_autoptr(FitLoss) ce = fit_cross_entropy_loss_new_full (FIT_REDUCTION_MEAN, weight, -100, 0.2);
  g_autoptr(FitLoss) ce_plain = fit_cross_entropy_loss_new ();
  g_autoptr(FitLoss) nll = fit_nll_loss_new_full (FIT_REDUCTION_MEAN, weight, -100);

  ly4 = fit_tensor_reshape (ly4_flat, ls, 3, &error);
  g_assert_no_error (error);
  gradcheck_loss (ce, pred, ly, FALSE);
  gradcheck_loss (ce_plain, pred, ly, FALSE);
  gradcheck_loss (ce_plain, pred4, ly4, FALSE);
  gradcheck_loss (ce, pred, probs, TRUE);

  {
    gboolean was = fit_grad_set_enabled (FALSE);

    logp = fit_tensor_log_softmax (pred, 1, &error);
    fit_grad_set_enabled (was);
  }
  g_assert_no_error (error);
  fit_tensor_set_requires_grad (logp, TRUE);
  gradcheck_loss (nll, logp, ly, FALSE);
}

static void
test_elementwise_gradcheck (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  gint64 s[2] = { 4, 3 }, c = 3;
  g_autoptr(FitTensor) pred = fit_gradcheck_input (rng, s, 2, -2, 2);
  g_autoptr(FitTensor) probs = fit_gradcheck_input (rng, s, 2, 0.05, 0.95);
  g_autoptr(FitTensor) logq = NULL;
  g_autoptr(FitTensor) weight = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, &c, 1, 0.5, 2);
  g_autoptr(FitTensor) pos_weight = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, &c, 1, 0.5, 3);
  g_autoptr(FitLoss) mse = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitLoss) l1 = fit_l1_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitLoss) sl1 = fit_smooth_l1_loss_new (FIT_REDUCTION_MEAN, 0.7);
  g_autoptr(FitLoss) huber = fit_huber_loss_new (FIT_REDUCTION_MEAN, 0.7);
  g_autoptr(FitLoss) bce = fit_bce_loss_new_full (FIT_REDUCTION_MEAN, weight);
  g_autoptr(FitLoss) bcel = fit_bce_with_logits_loss_new_full (FIT_REDUCTION_MEAN, weight,
                                                               pos_weight);
  g_autoptr(FitLoss) kl = fit_kl_div_loss_new (FIT_REDUCTION_MEAN, FALSE);
  g_autoptr(FitLoss) kl_log = fit_kl_div_loss_new (FIT_REDUCTION_MEAN, TRUE);
  g_autoptr(GError) error = NULL;

  /* Targets away from the kinks of |d| (finite differences across them are wrong). */
#define TARGET(lo, hi) fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT64, s, 2, lo, hi)
  {
    g_autoptr(FitTensor) t1 = TARGET (-2, 2);
    g_autoptr(FitTensor) t2 = TARGET (-2, 2);
    g_autoptr(FitTensor) t3 = TARGET (-2, 2);
    g_autoptr(FitTensor) t4 = TARGET (-2, 2);
    g_autoptr(FitTensor) t5 = TARGET (0, 1);
    g_autoptr(FitTensor) t6 = TARGET (0, 1);
    g_autoptr(FitTensor) t7 = TARGET (0.05, 1);
    g_autoptr(FitTensor) t8 = TARGET (-3, -0.1);

    gradcheck_loss (mse, pred, t1, TRUE);
    gradcheck_loss (l1, pred, t2, TRUE);
    gradcheck_loss (sl1, pred, t3, TRUE);
    gradcheck_loss (huber, pred, t4, TRUE);
    gradcheck_loss (bce, probs, t5, TRUE);
    gradcheck_loss (bcel, pred, t6, TRUE);
    {
      gboolean was = fit_grad_set_enabled (FALSE);

      logq = fit_tensor_log (probs);
      fit_grad_set_enabled (was);
    }
    fit_tensor_set_requires_grad (logq, TRUE);
    gradcheck_loss (kl, logq, t7, TRUE);
    gradcheck_loss (kl_log, logq, t8, TRUE);
  }
#undef TARGET
  g_assert_no_error (error);
}

static void
expect_error (FitLoss    *loss,
              FitTensor  *pred,
              FitTensor  *target,
              int         code,
              const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = fit_loss_compute (loss, pred, target, &error);

  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_errors (void)
{
  gint64 s[2] = { 3, 4 }, n3 = 3, n4 = 4, col[2] = { 3, 1 };
  const gint64 bad[3] = { 0, 4, 1 }, ok[3] = { 0, 1, 2 };
  const double half[3] = { 0.5, 1.5, 0.5 };
  g_autoptr(FitTensor) pred = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s, 2);
  g_autoptr(FitTensor) column = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, col, 2);
  g_autoptr(FitTensor) flat = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, &n3, 1);
  g_autoptr(FitTensor) lbad = labels (bad, 3);
  g_autoptr(FitTensor) lok = labels (ok, 3);
  g_autoptr(FitTensor) four = labels (ok, 2);
  g_autoptr(FitTensor) probs = doubles (half, 3, &n3, 1);
  g_autoptr(FitTensor) w3 = fit_tensor_new_full (FIT_DTYPE_FLOAT32, &n3, 1, 1.0);
  g_autoptr(FitTensor) w4 = fit_tensor_new_full (FIT_DTYPE_FLOAT32, &n4, 1, 1.0);
  g_autoptr(FitLoss) ce = fit_cross_entropy_loss_new ();
  g_autoptr(FitLoss) ce_w = fit_cross_entropy_loss_new_full (FIT_REDUCTION_MEAN, w3, -100, 0);
  g_autoptr(FitLoss) nll = fit_nll_loss_new ();
  g_autoptr(FitLoss) mse = fit_mse_loss_new (FIT_REDUCTION_MEAN);
  g_autoptr(FitLoss) bce = fit_bce_loss_new ();
  g_autoptr(FitLoss) bcel = fit_bce_with_logits_loss_new_full (FIT_REDUCTION_MEAN, NULL, w4);

  expect_error (ce, pred, lbad, FIT_ERROR_INVALID_ARGUMENT, "label 4 at position 1");
  expect_error (nll, pred, lbad, FIT_ERROR_INVALID_ARGUMENT, "4 classes (0 to 3)");
  expect_error (ce, pred, four, FIT_ERROR_SHAPE, "[3, 4]");
  expect_error (ce_w, pred, lok, FIT_ERROR_SHAPE, "one weight per class");
  expect_error (mse, column, flat, FIT_ERROR_SHAPE, "[3, 1]");
  expect_error (bce, probs, probs, FIT_ERROR_INVALID_ARGUMENT, "1.5");
  expect_error (bcel, column, column, FIT_ERROR_SHAPE, "pos-weight");
}

static void
notify_count (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(int *) data)++;
}

static void
test_properties (void)
{
  g_autoptr(FitLoss) ce = fit_cross_entropy_loss_new ();
  g_autoptr(FitLoss) mse = fit_mse_loss_new (FIT_REDUCTION_SUM);
  FitReduction r;
  gint64 ignore;
  int n = 0;

  g_assert_true (fit_loss_is_classification (ce));
  g_assert_false (fit_loss_is_classification (mse));
  g_assert_cmpint (fit_loss_get_reduction (ce), ==, FIT_REDUCTION_MEAN);
  g_assert_cmpint (fit_loss_get_reduction (mse), ==, FIT_REDUCTION_SUM);
  g_signal_connect (ce, "notify::reduction", G_CALLBACK (notify_count), &n);
  fit_loss_set_reduction (ce, FIT_REDUCTION_NONE);
  fit_loss_set_reduction (ce, FIT_REDUCTION_NONE);
  g_assert_cmpint (n, ==, 1);
  g_object_get (ce, "reduction", &r, "ignore-index", &ignore, NULL);
  g_assert_cmpint (r, ==, FIT_REDUCTION_NONE);
  g_assert_cmpint (ignore, ==, -100);
}

/* Float class labels that no integer equals: converting them to find the class used to
 * be undefined; they are labels that are not class indices, like 1.5. */
static void
test_float_labels_not_integers (void)
{
  const gint64 s[2] = { 1, 3 }, n1 = 1;
  const double bad[] = { NAN, INFINITY, -INFINITY, 1e30, 9223372036854775808.0, 1.5 };
  g_autoptr(FitTensor) pred = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, s, 2);
  g_autoptr(FitLoss) ce = fit_cross_entropy_loss_new ();
  g_autoptr(FitLoss) nll = fit_nll_loss_new ();
  const double two = 2;
  g_autoptr(FitTensor) good = doubles (&two, 1, &n1, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(FitTensor) y = doubles (&bad[i], 1, &n1, 1);

      expect_error (ce, pred, y, FIT_ERROR_INVALID_ARGUMENT, "not a class index");
      expect_error (nll, pred, y, FIT_ERROR_INVALID_ARGUMENT, "not a class index");
    }

  /* A whole number is a class: −log(1/3) for equal scores. */
  out = fit_loss_compute (ce, pred, good, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (((const double *) fit_tensor_get_data (out))[0], log (3.0),
                                  1e-12);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Loss/values", test_values);
  g_test_add_func ("/Fit/Loss/classification/gradcheck", test_classification_gradcheck);
  g_test_add_func ("/Fit/Loss/elementwise/gradcheck", test_elementwise_gradcheck);
  g_test_add_func ("/Fit/Loss/errors", test_errors);
  g_test_add_func ("/Fit/Loss/float-labels", test_float_labels_not_integers);
  g_test_add_func ("/Fit/Loss/properties", test_properties);

  return g_test_run ();
}
