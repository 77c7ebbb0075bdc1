/* test-optimizer.c: FitOptimizer's state, groups and errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The update rules themselves are checked against torch.optim in test_optim_torch.py;
 * here: saving and restoring state continues a run bit for bit, mismatched state is
 * refused by name, and the base class's bookkeeping.
 */

#include <fit-glib/fit-glib.h>
#include <math.h>
#include <string.h>

typedef enum
{
  KIND_SGD,
  KIND_ADAM,
  KIND_ADAMW,
  KIND_RMSPROP,
  KIND_ADAGRAD,
  N_KINDS
} Kind;

static const char *kind_names[N_KINDS] = { "sgd", "adam", "adamw", "rmsprop", "adagrad" };

/* A gradient that depends only on (step, parameter, element): both runs see the same. */
static FitTensor *
gradient_for (FitTensor *param,
              guint      step,
              guint      which)
{
  gint64 n = fit_tensor_get_numel (param);
  guint n_dims;
  const gint64 *shape = fit_tensor_get_shape (param, &n_dims);
  g_autofree double *values = g_new (double, n);
  FitTensor *grad, *as_dtype;

  for (gint64 i = 0; i < n; i++)
    values[i] = sin (0.7 * i + 1.3 * step + 2.1 * which) + 0.1 * (double) (step % 3);
  grad = fit_tensor_new_from_doubles (values, n, shape, n_dims, NULL);
  as_dtype = fit_tensor_to_dtype (grad, fit_tensor_get_dtype (param), NULL);
  g_object_unref (grad);
  return as_dtype;
}

static void
make_params (FitTensor **params)
{
  const gint64 shape0[] = { 3, 5 };
  const gint64 shape1[] = { 7 };
  double values[15];

  for (guint i = 0; i < 15; i++)
    values[i] = cos (0.3 * i);
  params[0] = fit_tensor_new_from_doubles (values, 15, shape0, 2, NULL);
  {
    /* Mixed element types in one optimizer: parameter 0 float64, parameter 1 float32. */
    g_autoptr(FitTensor) p1 = fit_tensor_new_from_doubles (values, 7, shape1, 1, NULL);

    params[1] = fit_tensor_to_dtype (p1, FIT_DTYPE_FLOAT32, NULL);
  }
  fit_tensor_set_requires_grad (params[0], TRUE);
  fit_tensor_set_requires_grad (params[1], TRUE);
}

static FitOptimizer *
make_optimizer (Kind        kind,
                FitTensor **params)
{
  FitOptimizer *opt = NULL;

  switch (kind)
    {
    case KIND_SGD:
      opt = fit_sgd_new (params, 1, 0.05, 0.9);
      g_object_set (opt, "nesterov", TRUE, "weight-decay", 0.01, NULL);
      break;
    case KIND_ADAM:
      opt = fit_adam_new (params, 1, 0.01);
      g_object_set (opt, "amsgrad", TRUE, "weight-decay", 0.02, NULL);
      break;
    case KIND_ADAMW:
      opt = fit_adamw_new (params, 1, 0.01, 0.1);
      break;
    case KIND_RMSPROP:
      opt = fit_rmsprop_new (params, 1, 0.01);
      g_object_set (opt, "centered", TRUE, "momentum", 0.5, NULL);
      break;
    case KIND_ADAGRAD:
      opt = fit_adagrad_new (params, 1, 0.1);
      g_object_set (opt, "lr-decay", 0.01, "initial-accumulator-value", 0.1, NULL);
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
  g_assert_nonnull (fit_optimizer_add_param_group (opt, params + 1, 1, 0.02, 0.0, NULL));
  return opt;
}

static void
run_steps (FitOptimizer  *opt,
           FitTensor    **params,
           guint          first,
           guint          last)
{
  for (guint step = first; step < last; step++)
    {
      g_autoptr(GError) error = NULL;

      /* A schedule changes the rate mid-run; the restored state must carry it. */
      if (step == 2)
        fit_optimizer_set_learning_rate (opt, fit_optimizer_get_learning_rate (opt) * 0.5);
      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(FitTensor) grad = gradient_for (params[i], step, i);

          /* Parameter 1 sits out step 1, so its step count differs from parameter 0's. */
          fit_tensor_set_grad (params[i], (i == 1 && step == 1) ? NULL : grad);
        }
      g_assert_true (fit_optimizer_step (opt, &error));
      g_assert_no_error (error);
    }
}

static FitTensor *
copy_of (FitTensor *t)
{
  guint n_dims;
  const gint64 *shape = fit_tensor_get_shape (t, &n_dims);
  FitTensor *copy = fit_tensor_new_from_data (fit_tensor_get_dtype (t), shape, n_dims,
                                              fit_tensor_get_data (t),
                                              fit_tensor_get_n_bytes (t), NULL);

  fit_tensor_set_requires_grad (copy, TRUE);
  return copy;
}

static void
assert_same_bits (FitTensor *a,
                  FitTensor *b)
{
  g_assert_cmpuint (fit_tensor_get_n_bytes (a), ==, fit_tensor_get_n_bytes (b));
  g_assert_cmpmem (fit_tensor_get_data (a), fit_tensor_get_n_bytes (a),
                   fit_tensor_get_data (b), fit_tensor_get_n_bytes (b));
}

static void
test_resume (gconstpointer data)
{
  Kind kind = GPOINTER_TO_INT (data);
  FitTensor *straight[2], *first[2], *resumed[2];
  g_autoptr(FitOptimizer) a = NULL, b = NULL, c = NULL;
  g_autoptr(FitSafetensors) saved = fit_safetensors_new ();
  g_autoptr(FitSafetensors) reread = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  /* The uninterrupted run. */
  make_params (straight);
  a = make_optimizer (kind, straight);
  run_steps (a, straight, 0, 8);

  /* The interrupted run: 4 steps, state through the file format, a fresh optimizer. */
  make_params (first);
  b = make_optimizer (kind, first);
  run_steps (b, first, 0, 4);
  fit_optimizer_save_state (b, saved, "optimizer.");
  bytes = fit_safetensors_to_bytes (saved);
  reread = fit_safetensors_new_from_bytes (bytes, &error);
  g_assert_no_error (error);

  resumed[0] = copy_of (first[0]);
  resumed[1] = copy_of (first[1]);
  c = make_optimizer (kind, resumed);
  g_assert_true (fit_optimizer_load_state (c, reread, "optimizer.", &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fit_optimizer_get_learning_rate (c), ==, fit_optimizer_get_learning_rate (b));
  g_assert_cmpint (fit_param_state_get_step (fit_optimizer_get_param_state (c, resumed[1])), ==,
                   3);
  run_steps (c, resumed, 4, 8);

  for (guint i = 0; i < 2; i++)
    {
      assert_same_bits (straight[i], resumed[i]);
      g_object_unref (straight[i]);
      g_object_unref (first[i]);
      g_object_unref (resumed[i]);
    }
}

static FitOptimizer *
adam_after_steps (FitTensor **params,
                  guint       n_steps)
{
  FitOptimizer *opt;

  make_params (params);
  opt = make_optimizer (KIND_ADAM, params);
  run_steps (opt, params, 0, n_steps);
  return opt;
}

static void
free_params (FitTensor **params)
{
  g_object_unref (params[0]);
  g_object_unref (params[1]);
}

static void
assert_refused (FitOptimizer   *opt,
                FitSafetensors *state,
                const char     *named)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (fit_optimizer_load_state (opt, state, "o.", &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_MISMATCH);
  if (strstr (error->message, named) == NULL)
    g_error ("“%s” does not name “%s”", error->message, named);
}

static void
test_mismatch (void)
{
  FitTensor *params[2], *target_params[2];
  g_autoptr(FitOptimizer) opt = adam_after_steps (params, 3);
  g_autoptr(FitOptimizer) target = adam_after_steps (target_params, 1);
  g_autoptr(FitSafetensors) state = NULL;
  const gint64 wrong_shape[] = { 5, 3 };

  /* A missing hyper-parameter. */
  state = fit_safetensors_new ();
  fit_optimizer_save_state (opt, state, "o.");
  g_assert_true (fit_safetensors_remove (state, "o.group.0.beta2"));
  assert_refused (target, state, "o.group.0.beta2");
  g_clear_object (&state);

  /* A buffer of the wrong shape. */
  state = fit_safetensors_new ();
  fit_optimizer_save_state (opt, state, "o.");
  {
    g_autoptr(FitTensor) wrong = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, wrong_shape, 2);

    fit_safetensors_add (state, "o.param.0.exp_avg", wrong);
  }
  assert_refused (target, state, "o.param.0.exp_avg");
  g_clear_object (&state);

  /* A missing step count. */
  state = fit_safetensors_new ();
  fit_optimizer_save_state (opt, state, "o.");
  g_assert_true (fit_safetensors_remove (state, "o.param.1.step"));
  assert_refused (target, state, "o.param.1.step");
  g_clear_object (&state);

  /* A parameter the optimizer does not have. */
  state = fit_safetensors_new ();
  fit_optimizer_save_state (opt, state, "o.");
  {
    g_autoptr(FitTensor) step = fit_tensor_new_scalar (FIT_DTYPE_INT64, 1);

    fit_safetensors_add (state, "o.param.7.step", step);
  }
  assert_refused (target, state, "o.param.7.step");
  g_clear_object (&state);

  /* Nothing saved under that prefix. */
  state = fit_safetensors_new ();
  fit_optimizer_save_state (opt, state, "other.");
  assert_refused (target, state, "o.optimizer");
  g_clear_object (&state);

  /* The state of another kind of optimizer. */
  {
    FitTensor *sgd_params[2];
    g_autoptr(FitOptimizer) sgd = NULL;

    make_params (sgd_params);
    sgd = make_optimizer (KIND_SGD, sgd_params);
    state = fit_safetensors_new ();
    fit_optimizer_save_state (sgd, state, "o.");
    assert_refused (target, state, "FitSGD");
    g_clear_object (&state);
    free_params (sgd_params);
  }

  /* Other parameter groups. */
  {
    FitTensor *one[2];
    g_autoptr(FitOptimizer) single = NULL;

    make_params (one);
    single = fit_adam_new (one, 2, 0.01);
    state = fit_safetensors_new ();
    fit_optimizer_save_state (single, state, "o.");
    assert_refused (target, state, "o.group.0.params");
    g_clear_object (&state);
    free_params (one);
  }

  /* After all those refusals the target is untouched: still at step 1. */
  g_assert_cmpint (fit_param_state_get_step (fit_optimizer_get_param_state (target,
                                                                            target_params[0])),
                   ==, 1);
  free_params (params);
  free_params (target_params);
}

/* @state with element 0 of the tensor @name set to @value (int64 tensors take it as an
 * integer). */
static FitSafetensors *
with_value (FitOptimizer *opt,
            const char   *name,
            double        value,
            gint64        integer)
{
  FitSafetensors *state = fit_safetensors_new ();
  g_autoptr(FitTensor) copy = NULL;

  fit_optimizer_save_state (opt, state, "o.");
  copy = fit_tensor_clone (fit_safetensors_get (state, name));
  if (fit_tensor_get_dtype (copy) == FIT_DTYPE_INT64)
    ((gint64 *) fit_tensor_get_data_mutable (copy))[0] = integer;
  else if (fit_tensor_get_dtype (copy) == FIT_DTYPE_FLOAT64)
    ((double *) fit_tensor_get_data_mutable (copy))[0] = value;
  else
    ((float *) fit_tensor_get_data_mutable (copy))[0] = (float) value;
  fit_safetensors_add (state, name, copy);
  return state;
}

/* Values that no run of the optimizer produces are refused (FIT_ERROR_PARSE naming the
 * entry) and change nothing: a negative learning rate was accepted, and every step then
 * failed; a step count at the end of its range overflowed at the next step. */
static void
test_invalid_values (void)
{
  static const struct
  {
    const char *name;
    double      value;
    gint64      integer;
  } cases[] = {
    { "o.group.0.learning-rate", -1, 0 },
    { "o.group.0.learning-rate", INFINITY, 0 },
    { "o.group.0.weight-decay", NAN, 0 },
    { "o.group.0.beta1", -0.5, 0 },
    { "o.group.0.amsgrad", -1, 0 },
    { "o.param.0.step", 0, -1 },
    { "o.param.1.step", 0, G_MAXINT64 },
    { "o.param.0.exp_avg", NAN, 0 },
    { "o.param.1.exp_avg", -INFINITY, 0 },
    { "o.param.0.exp_avg_sq", -1e-3, 0 },
    { "o.param.1.max_exp_avg_sq", -1, 0 },
  };
  FitTensor *params[2], *target_params[2];
  g_autoptr(FitOptimizer) opt = adam_after_steps (params, 3);
  g_autoptr(FitOptimizer) target = adam_after_steps (target_params, 1);
  g_autoptr(FitSafetensors) before = fit_safetensors_new ();
  g_autoptr(GBytes) before_bytes = NULL;

  fit_optimizer_save_state (target, before, "o.");
  before_bytes = fit_safetensors_to_bytes (before);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FitSafetensors) state = with_value (opt, cases[i].name, cases[i].value,
                                                    cases[i].integer);
      g_autoptr(FitSafetensors) after = fit_safetensors_new ();
      g_autoptr(GBytes) after_bytes = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (fit_optimizer_load_state (target, state, "o.", &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].name));
      fit_optimizer_save_state (target, after, "o.");
      after_bytes = fit_safetensors_to_bytes (after);
      g_assert_true (g_bytes_equal (before_bytes, after_bytes));
    }
  g_assert_cmpfloat (fit_optimizer_get_learning_rate (target), ==, 0.01);

  /* SGD's dampening may be negative (any finite number). */
  {
    FitTensor *sgd_params[2];
    g_autoptr(FitOptimizer) sgd = NULL;
    g_autoptr(FitSafetensors) state = NULL;
    g_autoptr(GError) error = NULL;

    make_params (sgd_params);
    sgd = fit_sgd_new (sgd_params, 2, 0.1, 0.0);
    state = with_value (sgd, "o.group.0.dampening", -0.5, 0);
    g_assert_true (fit_optimizer_load_state (sgd, state, "o.", &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (fit_optimizer_get_hyper (sgd, "dampening"), ==, -0.5);
    g_clear_object (&state);
    state = with_value (sgd, "o.group.0.dampening", NAN, 0);
    g_assert_false (fit_optimizer_load_state (sgd, state, "o.", &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
    free_params (sgd_params);
  }
  free_params (params);
  free_params (target_params);
}

static void
test_missing_grad_skipped (void)
{
  FitTensor *params[2];
  g_autoptr(FitOptimizer) opt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL, after = NULL;

  make_params (params);
  opt = fit_adam_new (params, 2, 0.1);
  before = fit_tensor_to_bytes (params[1]);
  {
    g_autoptr(FitTensor) grad = gradient_for (params[0], 0, 0);

    fit_tensor_set_grad (params[0], grad);
  }
  g_assert_true (fit_optimizer_step (opt, &error));
  g_assert_no_error (error);
  after = fit_tensor_to_bytes (params[1]);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_null (fit_optimizer_get_param_state (opt, params[1]));
  g_assert_nonnull (fit_optimizer_get_param_state (opt, params[0]));
  free_params (params);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_learning_rate_property (void)
{
  FitTensor *params[2];
  g_autoptr(FitOptimizer) opt = NULL;
  FitParamGroup *second;
  guint notified = 0;
  double lr;

  make_params (params);
  opt = fit_sgd_new (params, 1, 0.1, 0.0);
  second = fit_optimizer_add_param_group (opt, params + 1, 1, 0.3, 0.0, NULL);
  g_assert_nonnull (second);
  g_assert_cmpuint (fit_optimizer_get_n_param_groups (opt), ==, 2);
  g_assert_cmpfloat (fit_param_group_get_learning_rate (second), ==, 0.3);
  g_assert_cmpfloat (fit_param_group_get_hyper (second, "momentum"), ==, 0.0);

  g_signal_connect (opt, "notify::learning-rate", G_CALLBACK (count_notify), &notified);
  g_object_set (opt, "learning-rate", 0.01, NULL);
  g_object_set (opt, "learning-rate", 0.01, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (opt, "learning-rate", &lr, NULL);
  g_assert_cmpfloat (lr, ==, 0.01);
  g_assert_cmpfloat (fit_param_group_get_learning_rate (second), ==, 0.01);

  /* Hyper-parameters set on the optimizer reach every group. */
  g_object_set (opt, "momentum", 0.7, NULL);
  g_assert_cmpfloat (fit_param_group_get_hyper (second, "momentum"), ==, 0.7);
  free_params (params);
}

static void
test_add_param_group_errors (void)
{
  FitTensor *params[2];
  g_autoptr(FitOptimizer) opt = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 shape[] = { 3 };
  g_autoptr(FitTensor) labels = fit_tensor_new_zeros (FIT_DTYPE_INT64, shape, 1);

  make_params (params);
  opt = fit_sgd_new (params, 1, 0.1, 0.0);

  g_assert_null (fit_optimizer_add_param_group (opt, params, 1, 0.1, 0.0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_optimizer_add_param_group (opt, params + 1, 1, -1.0, 0.0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_optimizer_add_param_group (opt, params + 1, 1, 0.1, NAN, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fit_optimizer_add_param_group (opt, &labels, 1, 0.1, 0.0, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  g_clear_error (&error);

  g_assert_cmpuint (fit_optimizer_get_n_param_groups (opt), ==, 1);
  free_params (params);
}

static void
test_step_errors (void)
{
  FitTensor *params[2];
  g_autoptr(FitOptimizer) sgd = NULL;
  g_autoptr(FitOptimizer) adam = NULL;
  g_autoptr(GError) error = NULL;

  make_params (params);
  {
    g_autoptr(FitTensor) grad = gradient_for (params[0], 0, 0);

    fit_tensor_set_grad (params[0], grad);
  }

  /* Nesterov without momentum. */
  sgd = fit_sgd_new (params, 1, 0.1, 0.0);
  g_object_set (sgd, "nesterov", TRUE, NULL);
  g_assert_false (fit_optimizer_step (sgd, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A group hyper-parameter out of range. */
  adam = fit_adam_new (params, 1, 0.1);
  fit_param_group_set_hyper (fit_optimizer_get_param_group (adam, 0), "beta1", 1.0);
  g_assert_false (fit_optimizer_step (adam, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  fit_param_group_set_hyper (fit_optimizer_get_param_group (adam, 0), "beta1", 0.9);
  fit_param_group_set_hyper (fit_optimizer_get_param_group (adam, 0), "epsilon", NAN);
  g_assert_false (fit_optimizer_step (adam, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* The failed update did not count as a step. */
  g_assert_cmpint (fit_param_state_get_step (fit_optimizer_get_param_state (adam, params[0])),
                   ==, 0);

  /* A gradient of another element type than its parameter. */
  {
    g_autoptr(FitTensor) grad32 = fit_tensor_to_dtype (fit_tensor_get_grad (params[0]),
                                                       FIT_DTYPE_FLOAT32, NULL);

    fit_tensor_set_grad (params[0], grad32);
  }
  g_clear_object (&sgd);
  sgd = fit_sgd_new (params, 1, 0.1, 0.0);
  g_assert_false (fit_optimizer_step (sgd, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  free_params (params);
}

static void
test_zero_grad (void)
{
  FitTensor *params[2];
  g_autoptr(FitOptimizer) opt = NULL;
  double v;

  make_params (params);
  opt = fit_sgd_new (params, 2, 0.1, 0.0);
  {
    g_autoptr(FitTensor) grad = gradient_for (params[0], 1, 0);

    fit_tensor_set_grad (params[0], grad);
  }
  fit_optimizer_zero_grad (opt);
  g_assert_nonnull (fit_tensor_get_grad (params[0]));
  g_assert_null (fit_tensor_get_grad (params[1]));
  for (guint i = 0; i < 15; i++)
    {
      g_autoptr(FitTensor) g = g_object_ref (fit_tensor_get_grad (params[0]));

      v = ((const double *) fit_tensor_get_data (g))[i];
      g_assert_cmpfloat (v, ==, 0.0);
    }
  free_params (params);
}

/* Large parameters take the OpenMP path (above 2^19 elements, FIT_PARALLEL_GRAIN);
 * the result must not depend on the threads. */
static void
test_parallel_matches_serial (void)
{
  const gint64 shape[] = { 600001 };
  g_autoptr(FitRng) rng = fit_rng_new (5);
  g_autoptr(FitTensor) start = fit_tensor_new_normal (rng, FIT_DTYPE_FLOAT32, shape, 1, 0, 1);
  g_autoptr(FitTensor) grad = fit_tensor_new_normal (rng, FIT_DTYPE_FLOAT32, shape, 1, 0, 1);
  guint threads = fit_get_num_threads ();

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      FitTensor *results[2][2];

      for (guint run = 0; run < 2; run++)
        {
          g_autoptr(FitOptimizer) opt = NULL;
          g_autoptr(GError) error = NULL;

          fit_set_num_threads (run == 0 ? 1 : 2);
          results[run][0] = copy_of (start);
          results[run][1] = copy_of (start);
          opt = make_optimizer (kind, results[run]);
          for (guint step = 0; step < 3; step++)
            {
              fit_tensor_set_grad (results[run][0], grad);
              fit_tensor_set_grad (results[run][1], grad);
              g_assert_true (fit_optimizer_step (opt, &error));
              g_assert_no_error (error);
            }
        }
      for (guint i = 0; i < 2; i++)
        {
          assert_same_bits (results[0][i], results[1][i]);
          g_object_unref (results[0][i]);
          g_object_unref (results[1][i]);
        }
    }
  fit_set_num_threads (threads);
}

/* The entries of a saved state may live on a GPU (added by hand: a file's tensors are on
 * the CPU). They load as the same entries on the CPU do: an int64 entry (a step count,
 * a group's parameter list) was read from device memory as if it were host memory. */
static void
test_state_on_device (void)
{
  FitTensor *params[2], *target_params[2];
  g_autoptr(FitOptimizer) opt = adam_after_steps (params, 3);
  g_autoptr(FitOptimizer) target = adam_after_steps (target_params, 1);
  g_autoptr(FitSafetensors) state = fit_safetensors_new ();
  g_autoptr(FitSafetensors) reloaded = fit_safetensors_new ();
  g_autoptr(GBytes) expected = NULL, got = NULL;
  g_autoptr(FitDevice) gpu = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  if (fit_device_get_cuda_count () == 0)
    {
      g_test_skip ("no CUDA device");
      free_params (params);
      free_params (target_params);
      return;
    }
  gpu = fit_device_new_for_name ("cuda", &error);
  g_assert_no_error (error);
  fit_optimizer_save_state (opt, state, "o.");
  expected = fit_safetensors_to_bytes (state);
  names = fit_safetensors_get_names (state);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(FitTensor) moved = fit_tensor_to_device (fit_safetensors_get (state, names[i]),
                                                         gpu, &error);

      g_assert_no_error (error);
      fit_safetensors_add (state, names[i], moved);
    }

  g_assert_true (fit_optimizer_load_state (target, state, "o.", &error));
  g_assert_no_error (error);
  fit_optimizer_save_state (target, reloaded, "o.");
  got = fit_safetensors_to_bytes (reloaded);
  g_assert_true (g_bytes_equal (expected, got));
  free_params (params);
  free_params (target_params);
}

/* A buffer set by hand must be shaped like its parameter, as
 * fit_param_state_set_buffer() says; the update wrote past the end of a smaller one.
 * It is refused as the programmer's error it is, and the parameter is left alone. */
static void
test_buffer_of_another_size (void)
{
  if (g_test_subprocess ())
    {
      FitTensor *params[2];
      g_autoptr(FitOptimizer) opt = NULL;
      g_autoptr(FitTensor) grad = NULL;
      g_autoptr(FitTensor) small = NULL;
      g_autoptr(GBytes) before = NULL, after = NULL;
      const gint64 shape[] = { 2 };
      g_autoptr(GError) error = NULL;

      /* Criticals are not fatal here: what the step does after one is the point. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      make_params (params);
      opt = fit_sgd_new (params, 1, 0.1, 0.9);
      grad = gradient_for (params[0], 0, 0);
      fit_tensor_set_grad (params[0], grad);
      g_assert_true (fit_optimizer_step (opt, &error));
      small = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, shape, 1);
      fit_param_state_set_buffer (fit_optimizer_get_param_state (opt, params[0]),
                                  "momentum_buffer", small);
      before = fit_tensor_to_bytes (params[0]);
      g_assert_false (fit_optimizer_step (opt, &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_FAILED);
      after = fit_tensor_to_bytes (params[0]);
      g_assert_true (g_bytes_equal (before, after));
      free_params (params);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*fit_tensor_optim_update*same_layout*");
}

/* A step count set by hand can be the largest int64 (a file cannot give one: loading
 * refuses it); counting one more step was a signed overflow. The step fails, naming
 * the count, and changes nothing. */
static void
test_step_count_exhausted (void)
{
  FitTensor *params[2];
  g_autoptr(FitOptimizer) opt = adam_after_steps (params, 1);
  g_autoptr(FitSafetensors) state = fit_safetensors_new ();
  g_autoptr(FitTensor) last = fit_tensor_new_full (FIT_DTYPE_INT64, NULL, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autofree double *before = NULL;
  g_autofree double *after = NULL;
  gsize n;

  *(gint64 *) fit_tensor_get_data_mutable (last) = G_MAXINT64;
  fit_optimizer_save_state (opt, state, "o.");
  fit_safetensors_add (state, "o.param.0.step", last);
  g_assert_false (fit_optimizer_load_state (opt, state, "o.", &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  g_clear_error (&error);
  fit_param_state_set_step (fit_optimizer_get_param_state (opt, params[0]), G_MAXINT64);

  before = fit_tensor_to_doubles (params[0], &n);
  g_assert_false (fit_optimizer_step (opt, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "9223372036854775807"));
  after = fit_tensor_to_doubles (params[0], NULL);
  g_assert_cmpmem (before, n * sizeof (double), after, n * sizeof (double));
  g_assert_cmpint (fit_param_state_get_step (fit_optimizer_get_param_state (opt, params[0])),
                   ==, G_MAXINT64);
  free_params (params);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autofree char *path = g_strdup_printf ("/Fit/Optimizer/state/resume/%s",
                                               kind_names[kind]);

      g_test_add_data_func (path, GINT_TO_POINTER (kind), test_resume);
    }
  g_test_add_func ("/Fit/Optimizer/state/mismatch", test_mismatch);
  g_test_add_func ("/Fit/Optimizer/state/invalid-values", test_invalid_values);
  g_test_add_func ("/Fit/Optimizer/state/on-device", test_state_on_device);
  g_test_add_func ("/Fit/Optimizer/step/missing-grad", test_missing_grad_skipped);
  g_test_add_func ("/Fit/Optimizer/step/errors", test_step_errors);
  g_test_add_func ("/Fit/Optimizer/step/count-exhausted", test_step_count_exhausted);
  g_test_add_func ("/Fit/Optimizer/step/buffer-of-another-size", test_buffer_of_another_size);
  g_test_add_func ("/Fit/Optimizer/step/parallel", test_parallel_matches_serial);
  g_test_add_func ("/Fit/Optimizer/learning-rate", test_learning_rate_property);
  g_test_add_func ("/Fit/Optimizer/add-param-group/errors", test_add_param_group_errors);
  g_test_add_func ("/Fit/Optimizer/zero-grad", test_zero_grad);
  return g_test_run ();
}
