/* test-rnn.c: FitLSTM and FitGRU
 *
 * Gradient checks in float64 through stacked bidirectional layers (input, initial state
 * and every parameter), the final states, and the errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

typedef struct
{
  FitModule *rnn;
  gboolean   with_state;
} RnnCase;

static FitTensor *
rnn_fn (FitTensor **inputs,
        gpointer    user_data,
        GError    **error)
{
  RnnCase *c = user_data;

  if (!c->with_state)
    return fit_module_forward (c->rnn, inputs[0], error);
  if (FIT_IS_LSTM (c->rnn))
    return fit_lstm_forward_full (FIT_LSTM (c->rnn), inputs[0], inputs[1], inputs[2], NULL, NULL,
                                  error);
  return fit_gru_forward_full (FIT_GRU (c->rnn), inputs[0], inputs[1], NULL, error);
}

static void
gradcheck_rnn (FitModule *rnn,
               gboolean   batch_first,
               gboolean   with_state,
               guint      n_states)
{
  g_autoptr(FitRng) rng = fit_rng_new (6);
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GError) error = NULL;
  gint64 xs[3] = { 3, 2, 2 };   /* T, B, F (or B, T, F) */
  gint64 hs[3] = { 4, 2, 3 };   /* layers × directions, B, H */
  RnnCase c = { rnn, with_state };
  FitTensor *inputs[64];
  guint n = 0;

  if (batch_first)
    {
      xs[0] = 2;
      xs[1] = 3;
    }
  g_assert_true (fit_module_to_dtype (rnn, FIT_DTYPE_FLOAT64, &error));
  params = fit_module_get_parameters (rnn);
  inputs[n++] = fit_gradcheck_input (rng, xs, 3, -1, 1);
  for (guint i = 0; with_state && i < n_states; i++)
    inputs[n++] = fit_gradcheck_input (rng, hs, 3, -1, 1);
  for (guint i = 0; i < params->len; i++)
    inputs[n++] = params->pdata[i];
  fit_gradcheck (rnn_fn, &c, inputs, n, 1e-6, 1e-6);
  for (guint i = 0; i < (with_state ? n_states : 0) + 1; i++)
    g_object_unref (inputs[i]);
}

static void
test_lstm_gradcheck (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  g_autoptr(FitLSTM) lstm = fit_lstm_new (2, 3, 2, TRUE, FALSE, rng);
  g_autoptr(FitLSTM) lstm_bf = fit_lstm_new (2, 3, 2, TRUE, TRUE, rng);

  g_assert_cmpuint (fit_module_count_parameters (FIT_MODULE (lstm)), ==,
                    2 * (12 * 2 + 12 * 3 + 24) + 2 * (12 * 6 + 12 * 3 + 24));
  gradcheck_rnn (FIT_MODULE (lstm), FALSE, FALSE, 2);
  gradcheck_rnn (FIT_MODULE (lstm_bf), TRUE, TRUE, 2);
}

static void
test_gru_gradcheck (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (2);
  g_autoptr(FitGRU) gru = fit_gru_new (2, 3, 2, TRUE, FALSE, rng);
  g_autoptr(FitGRU) gru_bf = fit_gru_new (2, 3, 2, TRUE, TRUE, rng);

  gradcheck_rnn (FIT_MODULE (gru), FALSE, FALSE, 1);
  gradcheck_rnn (FIT_MODULE (gru_bf), TRUE, TRUE, 1);
}

static void
test_final_state (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitLSTM) lstm = fit_lstm_new (2, 3, 1, FALSE, TRUE, rng);
  gint64 xs[3] = { 2, 4, 2 };
  g_autoptr(FitTensor) x = fit_tensor_new_uniform (rng, FIT_DTYPE_FLOAT32, xs, 3, -1, 1);
  g_autoptr(FitTensor) h_n = NULL;
  g_autoptr(FitTensor) c_n = NULL;
  g_autoptr(FitTensor) last = NULL;
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(GError) error = NULL;
  gsize n, m;
  g_autofree float *yv = NULL;
  g_autofree float *hv = NULL;

  y = fit_lstm_forward_full (lstm, x, NULL, NULL, &h_n, &c_n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (y, 1), ==, 4);
  g_assert_cmpint (fit_tensor_get_dim (h_n, 0), ==, 1);
  g_assert_cmpint (fit_tensor_get_dim (c_n, 2), ==, 3);
  /* with batch-first, the last step of the output sequence is the final state */
  yv = fit_tensor_to_floats (y, &n);
  hv = fit_tensor_to_floats (h_n, &m);
  g_assert_cmpuint (n, ==, 24);
  for (guint b = 0; b < 2; b++)
    for (guint j = 0; j < 3; j++)
      g_assert_cmpfloat (yv[b * 12 + 3 * 3 + j], ==, hv[b * 3 + j]);
}

static void
test_errors (void)
{
  g_autoptr(FitGRU) gru = fit_gru_new (2, 3, 2, FALSE, FALSE, NULL);
  gint64 good[3] = { 4, 2, 2 }, wrong[3] = { 4, 2, 5 }, wrong_h[3] = { 1, 2, 3 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, good, 3);
  g_autoptr(FitTensor) bad = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wrong, 3);
  g_autoptr(FitTensor) h0 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, wrong_h, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_module_forward (FIT_MODULE (gru), bad, &error);
  g_autoptr(FitTensor) z = NULL;

  g_assert_null (y);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[4, 2, 5]"));
  g_clear_error (&error);
  z = fit_gru_forward_full (gru, x, h0, NULL, &error);
  g_assert_null (z);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[2, 2, 3]"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/LSTM/gradcheck", test_lstm_gradcheck);
  g_test_add_func ("/Fit/GRU/gradcheck", test_gru_gradcheck);
  g_test_add_func ("/Fit/LSTM/final-state", test_final_state);
  g_test_add_func ("/Fit/GRU/errors", test_errors);

  return g_test_run ();
}
