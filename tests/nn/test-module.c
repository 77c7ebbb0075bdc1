/* test-module.c: FitModule, FitSequential and FitResidual
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "tests/gradcheck.h"

/* A C subclass: y = fc(x) * 2, with a child and a parameter of its own. */
#define TEST_TYPE_NET (test_net_get_type ())
G_DECLARE_FINAL_TYPE (TestNet, test_net, TEST, NET, FitModule)

struct _TestNet
{
  FitModule  parent_instance;
  FitModule *fc;
  FitTensor *scale;
};

G_DEFINE_FINAL_TYPE (TestNet, test_net, FIT_TYPE_MODULE)

static FitTensor *
test_net_forward (FitModule  *module,
                  FitTensor  *input,
                  GError    **error)
{
  TestNet *self = TEST_NET (module);
  g_autoptr(FitTensor) h = fit_module_forward (self->fc, input, error);

  return h != NULL ? fit_tensor_mul (h, self->scale, error) : NULL;
}

static void
test_net_dispose (GObject *object)
{
  TestNet *self = TEST_NET (object);

  g_clear_object (&self->fc);
  g_clear_object (&self->scale);
  G_OBJECT_CLASS (test_net_parent_class)->dispose (object);
}

static void
test_net_class_init (TestNetClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = test_net_dispose;
  FIT_MODULE_CLASS (klass)->forward = test_net_forward;
}

static void
test_net_init (TestNet *self)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);

  self->scale = fit_tensor_new_scalar (FIT_DTYPE_FLOAT32, 2.0);
  fit_module_add_parameter (FIT_MODULE (self), "scale", self->scale);
  self->fc = FIT_MODULE (fit_linear_new (3, 2, TRUE, rng));
  fit_module_add_child (FIT_MODULE (self), "fc", self->fc);
}

/* A subclass that forgot to implement forward. */
#define TEST_TYPE_EMPTY (test_empty_get_type ())
G_DECLARE_FINAL_TYPE (TestEmpty, test_empty, TEST, EMPTY, FitModule)
struct _TestEmpty { FitModule parent_instance; };
G_DEFINE_FINAL_TYPE (TestEmpty, test_empty, FIT_TYPE_MODULE)
static void test_empty_class_init (TestEmptyClass *klass) { }
static void test_empty_init (TestEmpty *self) { }

static FitTensor *
ones (gint64 rows,
      gint64 cols)
{
  gint64 shape[2] = { rows, cols };

  return fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 2, 1.0);
}

static void
assert_strv (char       **actual,
             const char  *expected)
{
  g_autofree char *joined = g_strjoinv (",", actual);

  g_assert_cmpstr (joined, ==, expected);
}

/* Sequential [Linear, Sequential [Linear, BatchNorm1d]] */
static FitModule *
nested (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);

  return FIT_MODULE (fit_sequential_new_with_modules (
    FIT_MODULE (fit_linear_new (4, 5, TRUE, rng)),
    FIT_MODULE (fit_sequential_new_with_modules (
      FIT_MODULE (fit_linear_new (5, 2, FALSE, rng)),
      FIT_MODULE (fit_batch_norm1d_new (2, 1e-5, 0.1, TRUE)),
      NULL)),
    NULL));
}

static void
test_module_names (void)
{
  g_autoptr(FitModule) model = nested ();
  g_auto(GStrv) names = fit_module_get_parameter_names (model);
  g_auto(GStrv) buffers = fit_module_get_buffer_names (model);
  g_auto(GStrv) children = fit_module_get_child_names (model);
  g_autoptr(GPtrArray) params = fit_module_get_parameters (model);
  FitModule *inner = fit_module_get_child (model, "1.0");

  assert_strv (names, "0.weight,0.bias,1.0.weight,1.1.weight,1.1.bias");
  assert_strv (buffers, "1.1.running_mean,1.1.running_var,1.1.num_batches_tracked");
  assert_strv (children, "0,1");
  g_assert_cmpuint (params->len, ==, 5);
  g_assert_true (FIT_IS_LINEAR (inner));
  g_assert_true (params->pdata[2] == fit_linear_get_weight (FIT_LINEAR (inner)));
  g_assert_true (fit_module_get_parameter (model, "1.0.weight") == params->pdata[2]);
  g_assert_null (fit_module_get_parameter (model, "1.0.bias"));
  g_assert_null (fit_module_get_parameter (model, "2.weight"));
  g_assert_null (fit_module_get_parameter (model, "1.1.running_mean"));
  g_assert_nonnull (fit_module_get_buffer (model, "1.1.running_mean"));
  g_assert_cmpint (fit_module_count_parameters (model), ==, 4 * 5 + 5 + 5 * 2 + 2 + 2);
  for (guint i = 0; i < params->len; i++)
    g_assert_true (fit_tensor_get_requires_grad (params->pdata[i]));

  g_assert_cmpuint (fit_sequential_get_n_modules (FIT_SEQUENTIAL (model)), ==, 2);
  g_assert_null (fit_sequential_get_module (FIT_SEQUENTIAL (model), 2));
}

static void
test_module_shared (void)
{
  g_autoptr(FitLinear) shared = fit_linear_new (3, 3, TRUE, NULL);
  FitModule *modules[3] = { FIT_MODULE (shared), NULL, FIT_MODULE (shared) };
  g_autoptr(FitReLU) relu = fit_relu_new ();
  g_autoptr(FitSequential) seq = NULL;
  g_auto(GStrv) names = NULL;

  modules[1] = FIT_MODULE (relu);
  seq = fit_sequential_new_from_modules (modules, 3);
  names = fit_module_get_parameter_names (FIT_MODULE (seq));
  assert_strv (names, "0.weight,0.bias");
  g_assert_cmpint (fit_module_count_parameters (FIT_MODULE (seq)), ==, 12);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(int *) user_data)++;
}

static void
test_module_training (void)
{
  g_autoptr(FitModule) model = nested ();
  FitModule *bn = fit_module_get_child (model, "1.1");
  int notified = 0;
  gboolean training;

  g_assert_true (fit_module_get_training (bn));
  g_signal_connect (bn, "notify::training", G_CALLBACK (count_notify), &notified);
  fit_module_set_training (model, FALSE);
  g_assert_false (fit_module_get_training (model));
  g_assert_false (fit_module_get_training (bn));
  g_assert_cmpint (notified, ==, 1);
  fit_module_set_training (model, FALSE);
  g_assert_cmpint (notified, ==, 1);
  g_object_set (model, "training", TRUE, NULL);
  g_object_get (bn, "training", &training, NULL);
  g_assert_true (training);
  g_assert_cmpint (notified, ==, 2);
}

static void
test_module_c_subclass (void)
{
  g_autoptr(TestNet) net = g_object_new (TEST_TYPE_NET, NULL);
  g_autoptr(FitTensor) x = ones (2, 3);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) direct = NULL;
  g_autoptr(FitTensor) loss = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = fit_module_get_parameter_names (FIT_MODULE (net));
  const float *scale_grad;

  assert_strv (names, "scale,fc.weight,fc.bias");
  y = fit_module_forward (FIT_MODULE (net), x, &error);
  g_assert_no_error (error);
  direct = fit_module_forward (net->fc, x, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (((const float *) fit_tensor_get_data (y))[i],
                                    2 * ((const float *) fit_tensor_get_data (direct))[i], 1e-6);

  /* zero_grad keeps the buffers and zeroes them */
  loss = fit_tensor_sum (y, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (fit_tensor_backward (loss, &error));
  scale_grad = fit_tensor_get_data (fit_tensor_get_grad (net->scale));
  g_assert_cmpfloat (fabs (scale_grad[0]), >, 0);
  fit_module_zero_grad (FIT_MODULE (net));
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (fit_tensor_get_grad (net->scale)))[0],
                     ==, 0);
}

static void
test_module_no_forward (void)
{
  g_autoptr(TestEmpty) empty = g_object_new (TEST_TYPE_EMPTY, NULL);
  g_autoptr(FitTensor) x = ones (1, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_module_forward (FIT_MODULE (empty), x, &error);

  g_assert_null (y);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "TestEmpty"));
}

static void
test_module_bad_names (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitLinear) lin = fit_linear_new (2, 2, TRUE, NULL);
      g_autoptr(FitTensor) t = ones (1, 1);

      fit_module_add_parameter (FIT_MODULE (lin), "weight", t);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*already has a parameter, buffer or child named*weight*");
}

static void
test_module_bad_names_dot (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitSequential) seq = fit_sequential_new ();
      g_autoptr(FitReLU) relu = fit_relu_new ();

      fit_module_add_child (FIT_MODULE (seq), "a.b", FIT_MODULE (relu));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*not a valid name*");
}

static void
test_module_summary (void)
{
  g_autoptr(FitModule) model = nested ();
  gint64 shape[2] = { 8, 4 };
  gint64 wrong[2] = { 8, 3 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *bad = NULL;
  FitTensor *mean = fit_module_get_buffer (model, "1.1.running_mean");

  text = fit_module_summary (model, shape, 2, &error);
  g_assert_no_error (error);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "FitSequential"));
  g_assert_nonnull (strstr (text, "  0 (FitLinear)"));
  g_assert_nonnull (strstr (text, "    1.1 (FitBatchNorm1d)"));
  g_assert_nonnull (strstr (text, "[8, 5]"));
  g_assert_nonnull (strstr (text, "[8, 2]"));
  g_assert_nonnull (strstr (text, "Total params: 39"));
  /* the example ran in evaluation mode: no running statistics moved, mode restored */
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (mean))[0], ==, 0);
  g_assert_true (fit_module_get_training (fit_module_get_child (model, "1.1")));

  bad = fit_module_summary (model, wrong, 2, &error);
  g_assert_null (bad);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
}

static void
test_module_state (void)
{
  g_autoptr(FitModule) a = nested ();
  g_autoptr(FitModule) b = NULL;
  g_autoptr(FitSafetensors) state = NULL;
  g_autoptr(FitSafetensors) wrong = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  FitTensor *w;
  float before;

  state = fit_module_get_state (a);
  names = fit_safetensors_get_names (state);
  assert_strv (names, "0.weight,0.bias,1.0.weight,1.1.weight,1.1.bias,1.1.running_mean,"
                      "1.1.running_var,1.1.num_batches_tracked");

  /* a snapshot: changing the model does not change it */
  w = fit_module_get_parameter (a, "0.weight");
  before = ((const float *) fit_tensor_get_data (w))[0];
  fit_tensor_fill (w, 7.0);
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (fit_safetensors_get (state, "0.weight")))[0],
                     ==, before);

  /* restoring it brings the weights back, into the same tensor objects */
  g_assert_true (fit_module_set_state (a, state, &error));
  g_assert_no_error (error);
  g_assert_true (fit_module_get_parameter (a, "0.weight") == w);
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (w))[0], ==, before);

  /* a file round trip */
  dir = g_dir_make_tmp ("fit-nn-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "model.safetensors", NULL);
  g_assert_true (fit_module_save (a, path, &error));
  g_assert_no_error (error);
  b = nested ();
  fit_tensor_fill (fit_module_get_parameter (b, "1.1.bias"), 3.0);
  g_assert_true (fit_module_load (b, path, &error));
  g_assert_no_error (error);
  g_assert_true (fit_tensor_allclose (fit_module_get_parameter (b, "0.weight"), w, 0, 0));
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (fit_module_get_parameter (b, "1.1.bias")))[0],
                     ==, 0);
  g_unlink (path);
  g_rmdir (dir);

  /* mismatches are listed and change nothing */
  wrong = fit_module_get_state (a);
  fit_safetensors_remove (wrong, "0.bias");
  {
    gint64 shape[2] = { 2, 2 };
    g_autoptr(FitTensor) odd = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 2);
    g_autoptr(FitTensor) extra = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 2);

    fit_safetensors_add (wrong, "1.0.weight", odd);
    fit_safetensors_add (wrong, "head.weight", extra);
  }
  fit_tensor_fill (fit_module_get_parameter (b, "0.weight"), 5.0);
  g_assert_false (fit_module_set_state (b, wrong, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_MISMATCH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "missing: 0.bias"));
  g_assert_nonnull (strstr (error->message, "unexpected: head.weight"));
  g_assert_nonnull (strstr (error->message, "1.0.weight (float32 [2, 5] in the model, float32 [2, 2] given)"));
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (fit_module_get_parameter (b, "0.weight")))[0],
                     ==, 5.0);
  g_clear_error (&error);

  g_assert_false (fit_module_load (b, "/nonexistent/model.safetensors", &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == FIT_ERROR);
}

/* Writes a safetensors file of one header and @data_size zero bytes of data. */
static char *
write_raw_file (const char *dir,
                const char *name,
                const char *header,
                gsize       data_size)
{
  gsize len = strlen (header);
  guint64 le = GUINT64_TO_LE ((guint64) len);
  g_autofree guint8 *buf = g_malloc0 (8 + len + data_size);
  char *path = g_build_filename (dir, name, NULL);

  memcpy (buf, &le, 8);
  memcpy (buf + 8, header, len);
  g_assert_true (g_file_set_contents (path, (const char *) buf, 8 + len + data_size, NULL));
  return path;
}

static void
assert_weights_unchanged (FitModule      *model,
                          FitSafetensors *before)
{
  g_auto(GStrv) names = fit_safetensors_get_names (before);

  for (guint i = 0; names[i] != NULL; i++)
    {
      FitTensor *now = fit_module_get_parameter (model, names[i]);

      if (now == NULL)
        now = fit_module_get_buffer (model, names[i]);
      g_assert_true (fit_tensor_allclose (now, fit_safetensors_get (before, names[i]), 0, 0));
    }
}

/* A file whose tensors do not fit the model: the error names the file as well as the
 * names, and the model is left alone. */
static void
test_module_load_mismatch_names_file (void)
{
  g_autoptr(FitModule) a = nested ();
  g_autoptr(FitModule) b = nested ();
  g_autoptr(FitSafetensors) state = fit_module_get_state (a);
  g_autoptr(FitSafetensors) before = fit_module_get_state (b);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fit-nn-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "other.safetensors", NULL);
  gint64 shape[1] = { 3 };
  g_autoptr(FitTensor) extra = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 1);

  fit_safetensors_remove (state, "0.bias");
  /* A name with a terminal escape sequence and a newline in it: quoted, not printed. */
  fit_safetensors_add (state, "evil\033[2J\nname", extra);
  g_assert_true (fit_safetensors_save (state, path, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (fit_module_load (b, path, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_MISMATCH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "missing: 0.bias"));
  g_assert_nonnull (strstr (error->message, "unexpected: evil\\u001b[2J\\nname"));
  g_assert_null (strchr (error->message, '\033'));
  g_assert_null (strchr (error->message, '\n'));
  assert_weights_unchanged (b, before);

  /* Set from memory there is no file to name. */
  g_clear_error (&error);
  g_assert_false (fit_module_set_state (b, state, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_MISMATCH);
  g_assert_true (g_str_has_prefix (error->message, "The weights do not match"));
  g_unlink (path);
  g_rmdir (dir);
}

/* The regression: shape [2^62, 0] (no bytes, but no tensor can have that shape) was a
 * critical and FALSE without an error. */
static void
test_module_load_empty_huge_shape (void)
{
  static const char *const headers[] = {
    "{\"0.weight\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 0], "
    "\"data_offsets\": [0, 0]}}",
    "{\"0.weight\": {\"dtype\": \"F32\", \"shape\": [0, 4611686018427387904, 4], "
    "\"data_offsets\": [0, 0]}}",
    "{\"0.weight\": {\"dtype\": \"F64\", \"shape\": [4294967296, 4294967296, 0, 2], "
    "\"data_offsets\": [0, 0]}}",
  };
  g_autofree char *dir = g_dir_make_tmp ("fit-nn-XXXXXX", NULL);
  g_autoptr(FitModule) model = nested ();
  g_autoptr(FitSafetensors) before = fit_module_get_state (model);

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autofree char *path = write_raw_file (dir, "huge.safetensors", headers[i], 0);
      g_autoptr(GError) error = NULL;

      g_assert_false (fit_module_load (model, path, &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "tensor “0.weight”"));
      g_assert_nonnull (strstr (error->message, "overflowing"));
      assert_weights_unchanged (model, before);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static FitTensor *
module_fn (FitTensor **inputs,
           gpointer    user_data,
           GError    **error)
{
  return fit_module_forward (user_data, inputs[0], error);
}

static void
test_module_to_dtype_gradcheck (void)
{
  g_autoptr(FitRng) rng = fit_rng_new (11);
  g_autoptr(FitSequential) mlp = fit_sequential_new_with_modules (
    FIT_MODULE (fit_linear_new (3, 4, TRUE, rng)),
    FIT_MODULE (fit_tanh_new ()),
    FIT_MODULE (fit_linear_new (4, 2, TRUE, rng)),
    NULL);
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GError) error = NULL;
  gint64 shape[2] = { 5, 3 };
  FitTensor *inputs[5];
  FitTensor *w;

  w = fit_module_get_parameter (FIT_MODULE (mlp), "0.weight");
  g_assert_true (fit_module_to_dtype (FIT_MODULE (mlp), FIT_DTYPE_FLOAT64, &error));
  g_assert_no_error (error);
  g_assert_true (fit_module_get_parameter (FIT_MODULE (mlp), "0.weight") == w);
  g_assert_cmpint (fit_tensor_get_dtype (w), ==, FIT_DTYPE_FLOAT64);

  params = fit_module_get_parameters (FIT_MODULE (mlp));
  inputs[0] = fit_gradcheck_input (rng, shape, 2, -1, 1);
  for (guint i = 0; i < 4; i++)
    inputs[i + 1] = params->pdata[i];
  fit_gradcheck (module_fn, mlp, inputs, 5, 1e-6, 1e-6);
  g_object_unref (inputs[0]);

  g_assert_false (fit_module_to_dtype (FIT_MODULE (mlp), FIT_DTYPE_INT64, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
}

static void
test_residual (void)
{
  g_autoptr(FitLinear) body = fit_linear_new (3, 3, TRUE, NULL);
  g_autoptr(FitResidual) res = fit_residual_new (FIT_MODULE (body), NULL);
  g_autoptr(FitTensor) x = ones (2, 3);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) by = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = fit_module_get_parameter_names (FIT_MODULE (res));

  assert_strv (names, "body.weight,body.bias");
  g_assert_true (fit_residual_get_body (res) == FIT_MODULE (body));
  g_assert_null (fit_residual_get_shortcut (res));
  y = fit_module_forward (FIT_MODULE (res), x, &error);
  g_assert_no_error (error);
  by = fit_module_forward (FIT_MODULE (body), x, &error);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (((const float *) fit_tensor_get_data (y))[i],
                                    ((const float *) fit_tensor_get_data (by))[i] + 1, 1e-6);
}

/* Names are UTF-8: they appear in messages, summaries (which measured them with
 * g_utf8_strlen, reading past the end of a truncated sequence) and saved files. */
static void
test_module_bad_names_utf8 (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitSequential) seq = fit_sequential_new ();
      g_autoptr(FitReLU) relu = fit_relu_new ();

      fit_module_add_child (FIT_MODULE (seq), "r\xc3", FIT_MODULE (relu));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*not a valid name: names are UTF-8*");
}

/* An example input shape no tensor can have is an error, not a critical. */
static void
test_module_summary_bad_shape (void)
{
  g_autoptr(FitModule) model = nested ();
  const gint64 huge[2] = { G_GINT64_CONSTANT (1) << 40, G_GINT64_CONSTANT (1) << 40 };
  const gint64 negative[2] = { -1, 4 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = fit_module_summary (model, huge, 2, &error);
  g_assert_null (text);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);
  text = fit_module_summary (model, negative, 2, &error);
  g_assert_null (text);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Module/names", test_module_names);
  g_test_add_func ("/Fit/Module/shared", test_module_shared);
  g_test_add_func ("/Fit/Module/training", test_module_training);
  g_test_add_func ("/Fit/Module/c-subclass", test_module_c_subclass);
  g_test_add_func ("/Fit/Module/no-forward", test_module_no_forward);
  g_test_add_func ("/Fit/Module/bad-names/duplicate", test_module_bad_names);
  g_test_add_func ("/Fit/Module/bad-names/dot", test_module_bad_names_dot);
  g_test_add_func ("/Fit/Module/bad-names/utf8", test_module_bad_names_utf8);
  g_test_add_func ("/Fit/Module/summary", test_module_summary);
  g_test_add_func ("/Fit/Module/summary/bad-shape", test_module_summary_bad_shape);
  g_test_add_func ("/Fit/Module/state", test_module_state);
  g_test_add_func ("/Fit/Module/load/mismatch-names-file", test_module_load_mismatch_names_file);
  g_test_add_func ("/Fit/Module/load/empty-huge-shape", test_module_load_empty_huge_shape);
  g_test_add_func ("/Fit/Module/to-dtype", test_module_to_dtype_gradcheck);
  g_test_add_func ("/Fit/Residual/identity", test_residual);

  return g_test_run ();
}
