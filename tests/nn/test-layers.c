/* test-layers.c: layers and initialisers
 *
 * Gradient checks of the layers with fused kernels (batch and layer normalisation) and
 * of the wrappers, in float64; the errors each layer reports for a wrong input; the
 * initialisers' distributions and reproducibility.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

static FitTensor *
module_fn (FitTensor **inputs,
           gpointer    user_data,
           GError    **error)
{
  return fit_module_forward (user_data, inputs[0], error);
}

/* Checks the gradients of @module (converted to float64) for an input of @shape and
 * every parameter. */
static void
gradcheck_module (FitModule    *module,
                  const gint64 *shape,
                  guint         n_dims,
                  double        tol)
{
  g_autoptr(FitRng) rng = fit_rng_new (5);
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = NULL;
  FitTensor *inputs[16];

  g_assert_true (fit_module_to_dtype (module, FIT_DTYPE_FLOAT64, &error));
  params = fit_module_get_parameters (module);
  g_assert_cmpuint (params->len, <, 16);
  x = fit_gradcheck_input (rng, shape, n_dims, -2, 2);
  inputs[0] = x;
  for (guint i = 0; i < params->len; i++)
    inputs[i + 1] = params->pdata[i];
  fit_gradcheck (module_fn, module, inputs, params->len + 1, 1e-6, tol);
}

static void
randomize (FitModule *module)
{
  g_autoptr(FitRng) rng = fit_rng_new (8);
  g_autoptr(GPtrArray) params = fit_module_get_parameters (module);

  for (guint i = 0; i < params->len; i++)
    fit_init_uniform (params->pdata[i], rng, 0.5, 1.5);
}

static void
test_batch_norm_gradcheck (void)
{
  gint64 s1[2] = { 6, 3 }, s3[3] = { 3, 3, 4 }, s4[4] = { 2, 3, 2, 3 };
  g_autoptr(FitBatchNorm1d) bn1 = fit_batch_norm1d_new (3, 1e-3, 0.1, TRUE);
  g_autoptr(FitBatchNorm1d) bn3 = fit_batch_norm1d_new (3, 1e-3, 0.1, FALSE);
  g_autoptr(FitBatchNorm2d) bn2 = fit_batch_norm2d_new (3, 1e-3, 0.1, TRUE);
  g_autoptr(FitBatchNorm2d) bn_eval = fit_batch_norm2d_new (3, 1e-3, 0.1, TRUE);

  randomize (FIT_MODULE (bn1));
  gradcheck_module (FIT_MODULE (bn1), s1, 2, 1e-5);
  gradcheck_module (FIT_MODULE (bn3), s3, 3, 1e-5);
  randomize (FIT_MODULE (bn2));
  gradcheck_module (FIT_MODULE (bn2), s4, 4, 1e-5);
  randomize (FIT_MODULE (bn_eval));
  fit_module_set_training (FIT_MODULE (bn_eval), FALSE);
  gradcheck_module (FIT_MODULE (bn_eval), s4, 4, 1e-6);
}

static void
test_batch_norm_running_stats (void)
{
  g_autoptr(FitBatchNorm1d) bn = fit_batch_norm1d_new (1, 0.0, 0.5, FALSE);
  float values[4] = { 1, 2, 3, 6 };
  gint64 shape[2] = { 4, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = fit_tensor_new_from_floats (values, 4, shape, 2, &error);
  g_autoptr(FitTensor) y = fit_module_forward (FIT_MODULE (bn), x, &error);
  FitTensor *mean = fit_module_get_buffer (FIT_MODULE (bn), "running_mean");
  FitTensor *var = fit_module_get_buffer (FIT_MODULE (bn), "running_var");
  double count;

  g_assert_no_error (error);
  /* mean 3, unbiased variance 14/3; momentum 0.5 from (0, 1) */
  g_assert_cmpfloat_with_epsilon (((const float *) fit_tensor_get_data (mean))[0], 1.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (((const float *) fit_tensor_get_data (var))[0],
                                  0.5 + 0.5 * 14.0 / 3.0, 1e-6);
  /* normalised with the biased variance 3.5 */
  g_assert_cmpfloat_with_epsilon (((const float *) fit_tensor_get_data (y))[3],
                                  3.0 / sqrt (3.5), 1e-6);
  g_assert_true (fit_tensor_item (fit_module_get_buffer (FIT_MODULE (bn), "num_batches_tracked"),
                                  &count, &error));
  g_assert_cmpfloat (count, ==, 1);
}

static void
test_layer_norm_gradcheck (void)
{
  gint64 norm[2] = { 3, 2 };
  gint64 shape[3] = { 2, 3, 2 };
  g_autoptr(FitLayerNorm) ln = fit_layer_norm_new (norm, 2, 1e-5, TRUE);
  g_autoptr(FitLayerNorm) plain = fit_layer_norm_new (norm + 1, 1, 1e-5, FALSE);
  GVariant *v;

  randomize (FIT_MODULE (ln));
  gradcheck_module (FIT_MODULE (ln), shape, 3, 1e-5);
  gradcheck_module (FIT_MODULE (plain), shape, 3, 1e-5);
  g_object_get (ln, "normalized-shape", &v, NULL);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "ax");
  g_assert_cmpuint (g_variant_n_children (v), ==, 2);
  g_variant_unref (v);
}

static void
test_wrappers_gradcheck (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (4);
  gint64 s2[2] = { 3, 4 }, s4[4] = { 2, 2, 5, 5 };
  g_autoptr(FitLinear) lin = fit_linear_new (4, 3, TRUE, rng);
  g_autoptr(FitConv2d) conv = fit_conv2d_new_full (2, 4, 3, 2, 2, 1, 1, 0, 1, 2, 2, TRUE, rng);
  g_autoptr(FitConvTranspose2d) convt = fit_conv_transpose2d_new (2, 3, 3, 2, 1, rng);
  g_autoptr(FitSequential) pools = fit_sequential_new_with_modules (
    FIT_MODULE (fit_max_pool2d_new (2, 1, 0)),
    FIT_MODULE (fit_avg_pool2d_new (2, 0, 1)),
    FIT_MODULE (fit_adaptive_avg_pool2d_new (2, 1)),
    FIT_MODULE (fit_flatten_new (1, -1)),
    FIT_MODULE (fit_gelu_new ()),
    FIT_MODULE (fit_log_softmax_new (1)),
    NULL);

  gradcheck_module (FIT_MODULE (lin), s2, 2, 1e-6);
  gradcheck_module (FIT_MODULE (conv), s4, 4, 1e-6);
  gradcheck_module (FIT_MODULE (convt), s4, 4, 1e-6);
  gradcheck_module (FIT_MODULE (pools), s4, 4, 1e-6);
}

static void
expect_error (FitModule  *module,
              FitTensor  *input,
              int         code,
              const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = fit_module_forward (module, input, &error);

  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_layer_errors (void)
{
  gint64 s2[2] = { 2, 5 }, s4[4] = { 2, 3, 4, 4 };
  g_autoptr(FitTensor) x2 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s2, 2);
  g_autoptr(FitTensor) x4 = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s4, 4);
  g_autoptr(FitLinear) lin = fit_linear_new (4, 3, TRUE, NULL);
  g_autoptr(FitConv2d) conv = fit_conv2d_new (2, 4, 3, 1, 1, NULL);
  g_autoptr(FitBatchNorm2d) bn = fit_batch_norm2d_new (4, 1e-5, 0.1, TRUE);
  g_autoptr(FitBatchNorm1d) bn1 = fit_batch_norm1d_new (4, 1e-5, 0.1, TRUE);
  g_autoptr(FitMaxPool2d) pool = fit_max_pool2d_new (2, 0, 0);
  gint64 norm = 4;
  g_autoptr(FitLayerNorm) ln = fit_layer_norm_new (&norm, 1, 1e-5, TRUE);

  expect_error (FIT_MODULE (lin), x2, FIT_ERROR_SHAPE, "[2, 5]");
  expect_error (FIT_MODULE (conv), x4, FIT_ERROR_SHAPE, "[2, 3, 4, 4]");
  expect_error (FIT_MODULE (conv), x2, FIT_ERROR_SHAPE, "4- or 3-dimensional");
  expect_error (FIT_MODULE (bn), x2, FIT_ERROR_SHAPE, "4-dimensional");
  expect_error (FIT_MODULE (bn1), x2, FIT_ERROR_SHAPE, "4 features in dimension 1");
  expect_error (FIT_MODULE (pool), x2, FIT_ERROR_SHAPE, "FitMaxPool2d");
  expect_error (FIT_MODULE (ln), x2, FIT_ERROR_SHAPE, "[4]");
}

static void
test_properties (void)
{
  g_autoptr(FitConv2d) conv = fit_conv2d_new_full (4, 8, 3, 5, 2, 1, 1, 2, 1, 1, 2, FALSE, NULL);
  g_autoptr(FitMaxPool2d) pool = fit_max_pool2d_new_full (3, 2, 0, 1, 1, 0);
  gint64 in_channels, out_channels;
  int kernel_w, stride_h, groups, pool_stride_h, pool_stride_w;
  gboolean bias;

  g_object_get (conv, "in-channels", &in_channels, "out-channels", &out_channels,
                "kernel-w", &kernel_w, "stride-h", &stride_h, "groups", &groups, "bias", &bias,
                NULL);
  g_assert_cmpint (in_channels, ==, 4);
  g_assert_cmpint (out_channels, ==, 8);
  g_assert_cmpint (kernel_w, ==, 5);
  g_assert_cmpint (stride_h, ==, 2);
  g_assert_cmpint (groups, ==, 2);
  g_assert_false (bias);
  g_assert_null (fit_conv2d_get_bias (conv));
  g_assert_cmpint (fit_tensor_get_dim (fit_conv2d_get_weight (conv), 1), ==, 2);
  g_object_get (pool, "stride-h", &pool_stride_h, "stride-w", &pool_stride_w, NULL);
  g_assert_cmpint (pool_stride_h, ==, 3);   /* 0 means the kernel size */
  g_assert_cmpint (pool_stride_w, ==, 1);
}

/* ---- initialisers ---- */

static void
moments (FitTensor *t,
         double    *mean,
         double    *std,
         double    *max_abs)
{
  gsize n;
  g_autofree double *v = fit_tensor_to_doubles (t, &n);
  double s = 0, sq = 0, m = 0;

  for (gsize i = 0; i < n; i++)
    {
      s += v[i];
      sq += v[i] * v[i];
      m = MAX (m, fabs (v[i]));
    }
  *mean = s / n;
  *std = sqrt (sq / n - *mean * *mean);
  *max_abs = m;
}

static void
test_init_distributions (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  gint64 shape[4] = { 64, 32, 3, 3 };     /* fan_in 288, fan_out 576 */
  g_autoptr(FitTensor) w = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 4);
  g_autoptr(GError) error = NULL;
  gint64 fan_in, fan_out;
  double mean, std, max_abs, gain = fit_init_calculate_gain (FIT_NONLINEARITY_RELU, 0);

  g_assert_true (fit_init_calculate_fans (w, &fan_in, &fan_out, &error));
  g_assert_cmpint (fan_in, ==, 288);
  g_assert_cmpint (fan_out, ==, 576);

  g_assert_true (fit_init_kaiming_normal (w, rng, 0, FIT_FAN_MODE_FAN_IN,
                                          FIT_NONLINEARITY_RELU, &error));
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (fabs (mean), <, 0.01);
  g_assert_cmpfloat (fabs (std / (gain / sqrt (288)) - 1), <, 0.03);

  g_assert_true (fit_init_kaiming_uniform (w, rng, sqrt (5), FIT_FAN_MODE_FAN_IN,
                                           FIT_NONLINEARITY_LEAKY_RELU, &error));
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (max_abs, <=, 1 / sqrt (288) + 1e-7);
  g_assert_cmpfloat (max_abs, >, 0.99 / sqrt (288));

  g_assert_true (fit_init_kaiming_uniform (w, rng, 0, FIT_FAN_MODE_FAN_OUT,
                                           FIT_NONLINEARITY_RELU, &error));
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (fabs (std / (gain / sqrt (576)) - 1), <, 0.03);

  g_assert_true (fit_init_xavier_uniform (w, rng, 2.0, &error));
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (max_abs, <=, 2 * sqrt (6.0 / 864) + 1e-7);
  g_assert_cmpfloat (fabs (std / (2 * sqrt (2.0 / 864)) - 1), <, 0.03);

  g_assert_true (fit_init_xavier_normal (w, rng, 1.0, &error));
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (fabs (std / sqrt (2.0 / 864) - 1), <, 0.03);

  fit_init_constant (w, 0.25);
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (mean, ==, 0.25);
  fit_init_zeros (w);
  moments (w, &mean, &std, &max_abs);
  g_assert_cmpfloat (max_abs, ==, 0);

  g_assert_cmpfloat_with_epsilon (fit_init_calculate_gain (FIT_NONLINEARITY_TANH, 0), 5.0 / 3,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (fit_init_calculate_gain (FIT_NONLINEARITY_LEAKY_RELU, sqrt (5)),
                                  sqrt (1.0 / 3), 1e-12);
}

static void
test_init_errors (void)
{
  gint64 n = 5;
  g_autoptr(FitTensor) bias = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, &n, 1);
  g_autoptr(FitRng) rng = fit_rng_new (1);
  g_autoptr(GError) error = NULL;

  g_assert_false (fit_init_xavier_uniform (bias, rng, 1, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5]"));
  g_clear_error (&error);
  g_assert_false (fit_init_kaiming_normal (bias, rng, 0, FIT_FAN_MODE_FAN_IN,
                                           FIT_NONLINEARITY_RELU, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
}

static void
test_init_reproducible (void)
{
  g_autoptr(FitRng) r1 = fit_rng_new (9);
  g_autoptr(FitRng) r2 = fit_rng_new (9);
  g_autoptr(FitLinear) a = fit_linear_new (10, 20, TRUE, r1);
  g_autoptr(FitLinear) b = fit_linear_new (10, 20, TRUE, r2);
  g_autoptr(FitLinear) c = NULL;
  g_autoptr(FitLinear) d = NULL;
  g_autoptr(FitLinear) e = NULL;
  double mean, std, max_abs;

  g_assert_true (fit_tensor_allclose (fit_linear_get_weight (a), fit_linear_get_weight (b), 0, 0));
  g_assert_true (fit_tensor_allclose (fit_linear_get_bias (a), fit_linear_get_bias (b), 0, 0));
  moments (fit_linear_get_bias (a), &mean, &std, &max_abs);
  g_assert_cmpfloat (max_abs, <=, 1 / sqrt (10) + 1e-7);

  /* Without a generator: the default one, restarted by set_default_seed. */
  fit_init_set_default_seed (FIT_INIT_DEFAULT_SEED);
  c = fit_linear_new (10, 20, TRUE, NULL);
  d = fit_linear_new (10, 20, TRUE, NULL);
  fit_init_set_default_seed (FIT_INIT_DEFAULT_SEED);
  e = fit_linear_new (10, 20, TRUE, NULL);
  g_assert_false (fit_tensor_allclose (fit_linear_get_weight (c), fit_linear_get_weight (d), 0, 0));
  g_assert_true (fit_tensor_allclose (fit_linear_get_weight (c), fit_linear_get_weight (e), 0, 0));
  g_assert_true (FIT_IS_RNG (fit_init_get_default_rng ()));
}

static void
test_dropout (void)
{
  g_autoptr(FitDropout) drop = fit_dropout_new (0.25, NULL);
  gint64 shape[2] = { 100, 100 };
  g_autoptr(FitTensor) x = fit_tensor_new_full (FIT_DTYPE_FLOAT64, shape, 2, 1.0);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) z = NULL;
  g_autoptr(GError) error = NULL;
  gsize n;
  g_autofree double *v = NULL;
  gsize zeros = 0;

  g_assert_true (FIT_IS_RNG (fit_dropout_get_rng (drop)));
  g_assert_cmpfloat (fit_dropout_get_p (drop), ==, 0.25);
  y = fit_module_forward (FIT_MODULE (drop), x, &error);
  g_assert_no_error (error);
  v = fit_tensor_to_doubles (y, &n);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (v[i] == 0 || fabs (v[i] - 1 / 0.75) < 1e-12);
      zeros += v[i] == 0;
    }
  g_assert_cmpfloat (fabs (zeros / (double) n - 0.25), <, 0.02);
  fit_module_set_training (FIT_MODULE (drop), FALSE);
  z = fit_module_forward (FIT_MODULE (drop), x, &error);
  g_assert_true (fit_tensor_allclose (z, x, 0, 0));
}

/* The gradients of the input and of every parameter after one forward and backward
 * pass of @chain, run fused (the chain's own forward) or apart (each child through
 * fit_module_forward(), which never fuses), as one byte array; @grad_fn gets the
 * output's grad_fn name. */
static GByteArray *
chain_pass (FitSequential  *chain,
            FitTensor      *x,
            FitTensor      *grad_out,
            gboolean        fused,
            GByteArray    **output,
            const char    **grad_fn)
{
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (chain));
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = NULL;
  GByteArray *grads = g_byte_array_new ();

  fit_module_zero_grad (FIT_MODULE (chain));
  fit_tensor_zero_grad (x);
  if (fused)
    y = fit_module_forward (FIT_MODULE (chain), x, &error);
  else
    {
      y = g_object_ref (x);
      for (guint i = 0; i < fit_sequential_get_n_modules (chain) && y != NULL; i++)
        {
          FitTensor *next = fit_module_forward (fit_sequential_get_module (chain, i), y,
                                                &error);

          g_object_unref (y);
          y = next;
        }
    }
  g_assert_no_error (error);
  *output = g_byte_array_new ();
  g_byte_array_append (*output, fit_tensor_get_data (y), fit_tensor_get_n_bytes (y));
  *grad_fn = fit_tensor_get_grad_fn_name (y);
  g_assert_true (fit_tensor_backward_full (y, grad_out, FALSE, &error));
  g_assert_no_error (error);

  g_ptr_array_insert (params, 0, x);
  for (guint i = 0; i < params->len; i++)
    {
      FitTensor *grad = fit_tensor_get_grad (params->pdata[i]);

      g_assert_nonnull (grad);
      g_byte_array_append (grads, fit_tensor_get_data (grad), fit_tensor_get_n_bytes (grad));
    }
  g_ptr_array_steal_index (params, 0);
  return grads;
}

/* Runs @chain fused and apart on one input of @shape and one output gradient, with 1 and
 * 2 threads, and checks that the output and all gradients are the same bits, and, with
 * @fuses_last, that the last convolution and ReLU did run as one operation. */
static void
check_fused_chain (FitSequential *chain,
                   FitDType       dtype,
                   const gint64  *shape,
                   gboolean       fuses_last)
{
  g_autoptr(FitRng) rng = fit_rng_new (21);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(FitTensor) grad_out = NULL;
  g_autoptr(FitTensor) y = NULL;
  guint threads = fit_get_num_threads ();

  g_assert_true (fit_module_to_dtype (FIT_MODULE (chain), dtype, &error));
  x = fit_tensor_new_normal (rng, dtype, shape, 4, 0, 1);
  y = fit_module_forward (FIT_MODULE (chain), x, &error);
  g_assert_no_error (error);
  grad_out = fit_tensor_new_normal (rng, dtype, fit_tensor_get_shape (y, NULL),
                                    fit_tensor_get_n_dims (y), 0, 1);
  fit_tensor_set_requires_grad (x, TRUE);

  for (guint t = 1; t <= 2; t++)
    {
      g_autoptr(GByteArray) out_f = NULL, out_a = NULL, grads_f = NULL, grads_a = NULL;
      const char *op_f, *op_a;

      fit_set_num_threads (t);
      grads_a = chain_pass (chain, x, grad_out, FALSE, &out_a, &op_a);
      grads_f = chain_pass (chain, x, grad_out, TRUE, &out_f, &op_f);

      g_assert_cmpstr (op_f, ==, fuses_last ? "conv2d_relu" : op_a);
      g_assert_cmpstr (op_a, ==, fuses_last ? "relu" : op_a);
      g_assert_cmpmem (out_f->data, out_f->len, out_a->data, out_a->len);
      g_assert_cmpmem (grads_f->data, grads_f->len, grads_a->data, grads_a->len);
    }

  /* Without gradient recording (evaluation) nothing is saved for a backward pass; the
   * output stays the same. */
  {
    gboolean was = fit_grad_set_enabled (FALSE);
    g_autoptr(FitTensor) z = fit_module_forward (FIT_MODULE (chain), x, &error);

    g_assert_no_error (error);
    g_assert_null (fit_tensor_get_grad_fn_name (z));
    g_assert_cmpmem (fit_tensor_get_data (z), fit_tensor_get_n_bytes (z),
                     fit_tensor_get_data (y), fit_tensor_get_n_bytes (y));
    fit_grad_set_enabled (was);
  }
  fit_set_num_threads (threads);
}

static FitModule *
conv (gint64 in, gint64 out, int k, int stride, int padding, gboolean bias, FitRng *rng)
{
  return FIT_MODULE (fit_conv2d_new_full (in, out, k, k, stride, stride, padding, padding,
                                          1, 1, 1, bias, rng));
}

static FitModule *
relu (void)
{
  return FIT_MODULE (fit_relu_new ());
}

/* FitSequential runs a FitConv2d followed by a FitReLU as one operation; its results
 * must be those of the two apart, bit for bit, on every path the convolution takes. */
static void
test_conv_relu_fused (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (4);
  gint64 mnist[4] = { 5, 1, 28, 28 }, odd[4] = { 3, 4, 7, 7 }, wide[4] = { 2, 72, 6, 6 };
  gint64 deep[4] = { 3, 8, 10, 10 };
  g_autoptr(FitSequential) cnn = NULL, padded = NULL, big = NULL, other = NULL;
  g_autoptr(FitSequential) tail = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* The benchmark's CNN: a 1-channel convolution (patch matrices), then two Winograd
   * layers on even outputs read in place, and one float64 run. */
  cnn = fit_sequential_new_with_modules (conv (1, 8, 3, 1, 0, TRUE, rng), relu (),
                                         conv (8, 16, 3, 1, 0, TRUE, rng), relu (),
                                         conv (16, 32, 3, 1, 0, TRUE, rng), relu (), NULL);
  check_fused_chain (cnn, FIT_DTYPE_FLOAT32, mnist, TRUE);
  check_fused_chain (cnn, FIT_DTYPE_FLOAT64, mnist, TRUE);

  /* Winograd through a padded copy with an odd output, with and without a bias; a
   * stride-2 and a 5×5 convolution on patch matrices, the latter without a bias. */
  padded = fit_sequential_new_with_modules (conv (4, 6, 3, 1, 1, TRUE, rng), relu (),
                                            conv (6, 5, 3, 1, 1, FALSE, rng), relu (),
                                            conv (5, 8, 3, 2, 1, TRUE, rng), relu (),
                                            conv (8, 4, 5, 1, 2, FALSE, rng), relu (), NULL);
  check_fused_chain (padded, FIT_DTYPE_FLOAT32, odd, TRUE);

  /* 72 × 64 channels: the weight gradient leaves the Winograd path, and both read one
   * masked copy of the gradient. */
  big = fit_sequential_new_with_modules (conv (72, 64, 3, 1, 1, TRUE, rng), relu (), NULL);
  check_fused_chain (big, FIT_DTYPE_FLOAT32, wide, TRUE);

  /* A ReLU after a ReLU or after another layer, and a convolution last, stay apart. */
  other = fit_sequential_new_with_modules (conv (8, 8, 3, 1, 1, TRUE, rng), relu (), relu (),
                                           FIT_MODULE (fit_tanh_new ()), relu (),
                                           conv (8, 4, 3, 1, 0, TRUE, rng), NULL);
  check_fused_chain (other, FIT_DTYPE_FLOAT32, deep, FALSE);
  tail = fit_sequential_new_with_modules (conv (8, 4, 3, 1, 0, TRUE, rng), relu (),
                                          FIT_MODULE (fit_flatten_new (1, -1)), NULL);
  check_fused_chain (tail, FIT_DTYPE_FLOAT32, deep, FALSE);

  /* A summary still lists both. */
  text = fit_module_summary (FIT_MODULE (padded), odd, 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "0 (FitConv2d)"));
  g_assert_nonnull (strstr (text, "1 (FitReLU)"));
  g_assert_nonnull (strstr (text, "7 (FitReLU)"));
}

static void
assert_forward_fails (gpointer    layer,
                      FitTensor  *input,
                      int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = fit_module_forward (FIT_MODULE (layer), input, &error);

  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, code);
}

/* Layer sizes whose weights no tensor can hold (the conv's fan-in used to overflow on
 * the way): a critical naming the layer and the shape, then a layer with empty
 * parameters whose forward fails with an error instead of crashing. (Recurrent layers
 * take the same path, but their [4H, H] weights run out of memory first.) */
static void
test_oversized_layers (void)
{
  if (g_test_subprocess ())
    {
      const gint64 max = G_MAXINT32;
      const gint64 rows[2] = { 0, max };
      const gint64 images[4] = { 0, 1 << 20, 1, 1 };
      const gint64 one = 1, negative = -1;
      g_autoptr(GError) error = NULL;
      g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, rows, 2);
      g_autoptr(FitTensor) img = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, images, 4);
      g_autoptr(FitTensor) idx = fit_tensor_new_zeros (FIT_DTYPE_INT64, &one, 1);
      g_autoptr(FitLinear) lin = NULL;
      g_autoptr(FitConv2d) conv = NULL;
      g_autoptr(FitEmbedding) emb = NULL;
      g_autoptr(FitLayerNorm) ln = NULL;

      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      lin = fit_linear_new (max, max, FALSE, NULL);
      assert_forward_fails (lin, x, FIT_ERROR_SHAPE);
      conv = fit_conv2d_new_full (1 << 20, 1 << 20, max, max, 1, 1, 0, 0, 1, 1, 1, TRUE, NULL);
      assert_forward_fails (conv, img, FIT_ERROR_SHAPE);
      emb = fit_embedding_new (max, max, NULL);
      assert_forward_fails (emb, idx, FIT_ERROR_INVALID_ARGUMENT);
      ln = g_object_new (FIT_TYPE_LAYER_NORM, "normalized-shape",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, &negative, 1,
                                                    sizeof (gint64)), NULL);
      assert_forward_fails (ln, x, FIT_ERROR_SHAPE);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*FitLinear: a parameter of shape [2147483647, 2147483647]*"
                             "*FitConv2d: a parameter of shape*"
                             "*FitEmbedding: a parameter of shape*"
                             "*FitLayerNorm: the normalized-shape [-1]*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/BatchNorm/gradcheck", test_batch_norm_gradcheck);
  g_test_add_func ("/Fit/BatchNorm/running-stats", test_batch_norm_running_stats);
  g_test_add_func ("/Fit/LayerNorm/gradcheck", test_layer_norm_gradcheck);
  g_test_add_func ("/Fit/Layers/gradcheck", test_wrappers_gradcheck);
  g_test_add_func ("/Fit/Layers/errors", test_layer_errors);
  g_test_add_func ("/Fit/Layers/oversized", test_oversized_layers);
  g_test_add_func ("/Fit/Layers/properties", test_properties);
  g_test_add_func ("/Fit/Dropout/mask", test_dropout);
  g_test_add_func ("/Fit/Sequential/conv-relu-fused", test_conv_relu_fused);
  g_test_add_func ("/Fit/Init/distributions", test_init_distributions);
  g_test_add_func ("/Fit/Init/errors", test_init_errors);
  g_test_add_func ("/Fit/Init/reproducible", test_init_reproducible);

  return g_test_run ();
}
