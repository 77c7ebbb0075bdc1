/* fit-rnn.c: recurrent layers, LSTM and GRU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each layer and direction projects the whole input sequence with one GEMM
 * (x W_ihᵀ + b_ih for all time steps at once), then steps through time with one small
 * GEMM for the hidden state and one fused cell kernel per step. The cell kernels apply
 * the gate nonlinearities and the state update in one pass and have closed-form
 * backward passes, so a step records three autograd nodes instead of a dozen.
 *
 * Gate order and parameter names follow PyTorch (i, f, g, o for LSTM; r, z, n for
 * GRU; weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 and *_reverse), so weights
 * load from PyTorch unchanged.
 */

#include "config.h"

#include <math.h>

#include "fit-nn-private.h"

static inline double
ld (FitTensor *t,
    gint64     i)
{
  return t->dtype == FIT_DTYPE_FLOAT32 ? fit_tensor_f32 (t)[i] : fit_tensor_f64 (t)[i];
}

static inline void
st (FitTensor *t,
    gint64     i,
    double     v)
{
  if (t->dtype == FIT_DTYPE_FLOAT32)
    fit_tensor_f32 (t)[i] = (float) v;
  else
    fit_tensor_f64 (t)[i] = v;
}

static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static inline double
sigmoid (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

/* ---- LSTM cell: (gates [B, 4H], c_prev [B, H]) -> [2, B, H] holding (h, c) ---- */

static gboolean
lstm_cell_backward (FitNode    *node,
                    FitTensor  *grad_output,
                    FitTensor **grad_inputs,
                    GError    **error)
{
  FitTensor *act = node->saved[0];      /* i, f, g, o after their nonlinearities */
  FitTensor *c_prev = node->saved[1];
  gint64 B = c_prev->shape[0], H = c_prev->shape[1];
  FitTensor *dgates = fit_node_needs_grad (node, 0) ? fit_tensor_new_empty_like (act) : NULL;
  FitTensor *dc_prev = fit_node_needs_grad (node, 1) ? fit_tensor_new_empty_like (c_prev) : NULL;

#pragma omp parallel for if (B * H * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 b = 0; b < B; b++)
    for (gint64 j = 0; j < H; j++)
      {
        gint64 a = b * 4 * H + j, k = b * H + j;
        double i = ld (act, a), f = ld (act, a + H), g = ld (act, a + 2 * H);
        double o = ld (act, a + 3 * H), cp = ld (c_prev, k);
        double c = f * cp + i * g, tc = tanh (c);
        double dh = ld (grad_output, k), dc = ld (grad_output, B * H + k);

        dc += dh * o * (1 - tc * tc);
        if (dgates != NULL)
          {
            st (dgates, a, dc * g * i * (1 - i));
            st (dgates, a + H, dc * cp * f * (1 - f));
            st (dgates, a + 2 * H, dc * i * (1 - g * g));
            st (dgates, a + 3 * H, dh * tc * o * (1 - o));
          }
        if (dc_prev != NULL)
          st (dc_prev, k, dc * f);
      }
  grad_inputs[0] = dgates;
  grad_inputs[1] = dc_prev;
  return TRUE;
}

FitTensor *
fit_nn_lstm_cell (FitTensor  *gates,
                  FitTensor  *c_prev,
                  GError    **error)
{
  gint64 B = c_prev->shape[0], H = c_prev->shape[1];
  gint64 shape[3] = { 2, B, H };
  FitTensor *inputs[2] = { gates, c_prev };
  FitTensor *out, *act;
  FitNode *node;

  if (!fit_check_same_dtype ("LSTM cell", gates, c_prev, error))
    return NULL;
  out = fit_tensor_new_empty (gates->dtype, shape, 3);
  act = fit_tensor_new_empty_like (gates);

#pragma omp parallel for if (B * H * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 b = 0; b < B; b++)
    for (gint64 j = 0; j < H; j++)
      {
        gint64 a = b * 4 * H + j, k = b * H + j;
        double i = sigmoid (ld (gates, a));
        double f = sigmoid (ld (gates, a + H));
        double g = tanh (ld (gates, a + 2 * H));
        double o = sigmoid (ld (gates, a + 3 * H));
        double c = f * ld (c_prev, k) + i * g;

        st (act, a, i);
        st (act, a + H, f);
        st (act, a + 2 * H, g);
        st (act, a + 3 * H, o);
        st (out, k, o * tanh (c));
        st (out, B * H + k, c);
      }

  node = fit_autograd_record (out, "lstm_cell", lstm_cell_backward, 2, inputs);
  if (node != NULL)
    {
      fit_node_save (node, 0, act);
      fit_node_save (node, 1, c_prev);
    }
  g_object_unref (act);
  return out;
}

/* ---- GRU cell: (x_gates [B, 3H], h_gates [B, 3H], h_prev [B, H]) -> h [B, H] ---- */

static gboolean
gru_cell_backward (FitNode    *node,
                   FitTensor  *grad_output,
                   FitTensor **grad_inputs,
                   GError    **error)
{
  FitTensor *act = node->saved[0];      /* r, z, n */
  FitTensor *hg = node->saved[1];
  FitTensor *h_prev = node->saved[2];
  gint64 B = h_prev->shape[0], H = h_prev->shape[1];
  FitTensor *dxg = fit_node_needs_grad (node, 0) ? fit_tensor_new_empty_like (act) : NULL;
  FitTensor *dhg = fit_node_needs_grad (node, 1) ? fit_tensor_new_empty_like (act) : NULL;
  FitTensor *dh = fit_node_needs_grad (node, 2) ? fit_tensor_new_empty_like (h_prev) : NULL;

#pragma omp parallel for if (B * H * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 b = 0; b < B; b++)
    for (gint64 j = 0; j < H; j++)
      {
        gint64 a = b * 3 * H + j, k = b * H + j;
        double r = ld (act, a), z = ld (act, a + H), n = ld (act, a + 2 * H);
        double hp = ld (h_prev, k), dy = ld (grad_output, k);
        double dn = dy * (1 - z) * (1 - n * n);
        double dz = dy * (hp - n) * z * (1 - z);
        double dr = dn * ld (hg, a + 2 * H) * r * (1 - r);

        if (dxg != NULL)
          {
            st (dxg, a, dr);
            st (dxg, a + H, dz);
            st (dxg, a + 2 * H, dn);
          }
        if (dhg != NULL)
          {
            st (dhg, a, dr);
            st (dhg, a + H, dz);
            st (dhg, a + 2 * H, dn * r);
          }
        if (dh != NULL)
          st (dh, k, dy * z);
      }
  grad_inputs[0] = dxg;
  grad_inputs[1] = dhg;
  grad_inputs[2] = dh;
  return TRUE;
}

FitTensor *
fit_nn_gru_cell (FitTensor  *x_gates,
                 FitTensor  *h_gates,
                 FitTensor  *h_prev,
                 GError    **error)
{
  gint64 B = h_prev->shape[0], H = h_prev->shape[1];
  FitTensor *inputs[3] = { x_gates, h_gates, h_prev };
  FitTensor *out, *act;
  FitNode *node;

  if (!fit_check_same_dtype ("GRU cell", x_gates, h_gates, error) ||
      !fit_check_same_dtype ("GRU cell", x_gates, h_prev, error))
    return NULL;
  out = fit_tensor_new_empty_like (h_prev);
  act = fit_tensor_new_empty_like (x_gates);

#pragma omp parallel for if (B * H * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 b = 0; b < B; b++)
    for (gint64 j = 0; j < H; j++)
      {
        gint64 a = b * 3 * H + j, k = b * H + j;
        double r = sigmoid (ld (x_gates, a) + ld (h_gates, a));
        double z = sigmoid (ld (x_gates, a + H) + ld (h_gates, a + H));
        double n = tanh (ld (x_gates, a + 2 * H) + r * ld (h_gates, a + 2 * H));

        st (act, a, r);
        st (act, a + H, z);
        st (act, a + 2 * H, n);
        st (out, k, (1 - z) * n + z * ld (h_prev, k));
      }

  node = fit_autograd_record (out, "gru_cell", gru_cell_backward, 3, inputs);
  if (node != NULL)
    {
      fit_node_save (node, 0, act);
      fit_node_save (node, 1, h_gates);
      fit_node_save (node, 2, h_prev);
    }
  g_object_unref (act);
  return out;
}

/* ---- the layers ---- */

typedef struct
{
  FitModule  parent_instance;

  gint64     input_size;
  gint64     hidden_size;
  guint      num_layers;
  gboolean   bidirectional;
  gboolean   batch_first;
  gboolean   has_bias;
  double     dropout;
  FitRng    *rng;
  guint      n_gates;         /* 4 for LSTM, 3 for GRU */
  GPtrArray *params;          /* per layer and direction: w_ih, w_hh, b_ih, b_hh (or NULL) */
} RnnLayer;

/**
 * FitLSTM:
 *
 * A multi-layer long short-term memory network, as PyTorch's `nn.LSTM`. The input has
 * shape `[T, N, input-size]` (`[N, T, input-size]` with
 * [property@Fit.LSTM:batch-first], or `[T, input-size]` for one sequence) and
 * [method@Fit.Module.forward] returns the output sequence, the last layer's hidden
 * states, of shape `[T, N, D × hidden-size]` (D = 2 when bidirectional, the forward
 * and backward states concatenated). [method@Fit.LSTM.forward_full] also takes initial
 * states and returns the final ones.
 *
 * Parameters are named and laid out as in PyTorch (`weight_ih_l0` of shape
 * `[4 × hidden-size, input-size]`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then
 * `…_l0_reverse` and the next layers; gates in the order input, forget, cell, output),
 * and start from U(-1/√hidden-size, 1/√hidden-size).
 *
 * Since: 1.0
 */
struct _FitLSTM
{
  RnnLayer rnn;
};

/**
 * FitGRU:
 *
 * A multi-layer gated recurrent unit network, as PyTorch's `nn.GRU`: the same shapes,
 * options and parameter names as [class@Fit.LSTM], with three gates (reset, update,
 * new) and no cell state.
 *
 * Since: 1.0
 */
struct _FitGRU
{
  RnnLayer rnn;
};

enum {
  PROP_0,
  PROP_INPUT_SIZE,
  PROP_HIDDEN_SIZE,
  PROP_NUM_LAYERS,
  PROP_BIDIRECTIONAL,
  PROP_BATCH_FIRST,
  PROP_BIAS,
  PROP_DROPOUT,
  PROP_RNG,
  N_PROPS
};

static GParamSpec *lstm_properties[N_PROPS];
static GParamSpec *gru_properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitLSTM, fit_lstm, FIT_TYPE_MODULE)
G_DEFINE_FINAL_TYPE (FitGRU, fit_gru, FIT_TYPE_MODULE)

static void
rnn_get_property (GObject    *object,
                  guint       prop_id,
                  GValue     *value,
                  GParamSpec *pspec)
{
  RnnLayer *r = (RnnLayer *) object;

  switch (prop_id)
    {
    case PROP_INPUT_SIZE:
      g_value_set_int64 (value, r->input_size);
      break;
    case PROP_HIDDEN_SIZE:
      g_value_set_int64 (value, r->hidden_size);
      break;
    case PROP_NUM_LAYERS:
      g_value_set_uint (value, r->num_layers);
      break;
    case PROP_BIDIRECTIONAL:
      g_value_set_boolean (value, r->bidirectional);
      break;
    case PROP_BATCH_FIRST:
      g_value_set_boolean (value, r->batch_first);
      break;
    case PROP_BIAS:
      g_value_set_boolean (value, r->has_bias);
      break;
    case PROP_DROPOUT:
      g_value_set_double (value, r->dropout);
      break;
    case PROP_RNG:
      g_value_set_object (value, r->rng);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rnn_set_property (GObject      *object,
                  guint         prop_id,
                  const GValue *value,
                  GParamSpec   *pspec)
{
  RnnLayer *r = (RnnLayer *) object;

  switch (prop_id)
    {
    case PROP_INPUT_SIZE:
      r->input_size = g_value_get_int64 (value);
      break;
    case PROP_HIDDEN_SIZE:
      r->hidden_size = g_value_get_int64 (value);
      break;
    case PROP_NUM_LAYERS:
      r->num_layers = g_value_get_uint (value);
      break;
    case PROP_BIDIRECTIONAL:
      r->bidirectional = g_value_get_boolean (value);
      break;
    case PROP_BATCH_FIRST:
      r->batch_first = g_value_get_boolean (value);
      break;
    case PROP_BIAS:
      r->has_bias = g_value_get_boolean (value);
      break;
    case PROP_DROPOUT:
      if (r->dropout != g_value_get_double (value))
        {
          r->dropout = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RNG:
      g_set_object (&r->rng, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rnn_dispose (RnnLayer *r)
{
  g_clear_pointer (&r->params, g_ptr_array_unref);
  g_clear_object (&r->rng);
}

static void
rnn_constructed (RnnLayer *r,
                 guint     n_gates)
{
  FitRng *rng = fit_nn_resolve_rng (r->rng);
  guint n_dirs = r->bidirectional ? 2 : 1;
  double bound = r->hidden_size > 0 ? 1.0 / sqrt ((double) r->hidden_size) : 0.0;
  gint64 gh = n_gates * r->hidden_size;

  /* The generator stays: it draws the dropout masks between layers. */
  g_clear_object (&r->rng);
  r->rng = rng;
  r->n_gates = n_gates;
  r->params = g_ptr_array_new_with_free_func (unref_nullable);
  for (guint l = 0; l < r->num_layers; l++)
    for (guint d = 0; d < n_dirs; d++)
      {
        gint64 in = l == 0 ? r->input_size : r->hidden_size * n_dirs;
        gint64 shape_ih[2] = { gh, in }, shape_hh[2] = { gh, r->hidden_size };
        FitTensor *t[4];
        const char *kinds[4] = { "weight_ih", "weight_hh", "bias_ih", "bias_hh" };

        t[0] = fit_nn_new_param (shape_ih, 2);
        t[1] = fit_nn_new_param (shape_hh, 2);
        t[2] = r->has_bias ? fit_nn_new_param (&gh, 1) : NULL;
        t[3] = r->has_bias ? fit_nn_new_param (&gh, 1) : NULL;
        for (guint k = 0; k < 4; k++)
          {
            g_autofree char *name = NULL;

            g_ptr_array_add (r->params, t[k]);
            if (t[k] == NULL)
              continue;
            name = g_strdup_printf ("%s_l%u%s", kinds[k], l, d ? "_reverse" : "");
            fit_init_uniform (t[k], rng, -bound, bound);
            fit_module_add_parameter (FIT_MODULE (r), name, t[k]);
          }
      }
}

/* Runs one direction of one layer over @x ([T, B, in]); returns [T, B, H]. */
static FitTensor *
run_direction (RnnLayer   *r,
               FitTensor  *x,
               guint       layer,
               gboolean    reverse,
               FitTensor  *h0,
               FitTensor  *c0,
               FitTensor **h_last,
               FitTensor **c_last,
               GError    **error)
{
  guint n_dirs = r->bidirectional ? 2 : 1;
  FitTensor **p = (FitTensor **) r->params->pdata + (layer * n_dirs + (reverse ? 1 : 0)) * 4;
  gint64 T = x->shape[0], B = x->shape[1], H = r->hidden_size, GH = r->n_gates * H;
  gint64 flat_shape[2] = { T * B, x->shape[2] };
  gint64 proj_shape[3] = { T, B, GH };
  gint64 step_shape[2] = { B, GH };
  gint64 state_shape[2] = { B, H };
  g_autoptr(FitTensor) flat = NULL;
  g_autoptr(FitTensor) proj2 = NULL;
  g_autoptr(FitTensor) proj = NULL;
  g_autoptr(FitTensor) h = NULL;
  g_autoptr(FitTensor) c = NULL;
  g_autoptr(GPtrArray) outs = g_ptr_array_new_full (T, unref_nullable);

  flat = fit_tensor_reshape (x, flat_shape, 2, error);
  if (flat == NULL)
    return NULL;
  proj2 = fit_tensor_linear (flat, p[0], p[2], error);
  if (proj2 == NULL)
    return NULL;
  proj = fit_tensor_reshape (proj2, proj_shape, 3, error);
  if (proj == NULL)
    return NULL;

  h = h0 != NULL ? g_object_ref (h0) : fit_tensor_new_zeros (x->dtype, state_shape, 2);
  if (r->n_gates == 4)
    c = c0 != NULL ? g_object_ref (c0) : fit_tensor_new_zeros (x->dtype, state_shape, 2);
  g_ptr_array_set_size (outs, T);

  for (gint64 k = 0; k < T; k++)
    {
      gint64 t = reverse ? T - 1 - k : k;
      g_autoptr(FitTensor) slice = NULL;
      g_autoptr(FitTensor) xp = NULL;
      g_autoptr(FitTensor) hp = NULL;

      slice = fit_tensor_slice (proj, 0, t, t + 1, 1, error);
      if (slice == NULL)
        return NULL;
      xp = fit_tensor_reshape (slice, step_shape, 2, error);
      if (xp == NULL)
        return NULL;
      hp = fit_tensor_linear (h, p[1], p[3], error);
      if (hp == NULL)
        return NULL;

      if (r->n_gates == 4)
        {
          g_autoptr(FitTensor) gates = fit_tensor_add (xp, hp, error);
          g_autoptr(FitTensor) hc = NULL;
          g_autoptr(FitTensor) hs = NULL;
          g_autoptr(FitTensor) cs = NULL;

          if (gates == NULL)
            return NULL;
          hc = fit_nn_lstm_cell (gates, c, error);
          if (hc == NULL)
            return NULL;
          hs = fit_tensor_slice (hc, 0, 0, 1, 1, error);
          cs = hs != NULL ? fit_tensor_slice (hc, 0, 1, 2, 1, error) : NULL;
          if (cs == NULL)
            return NULL;
          g_clear_object (&h);
          g_clear_object (&c);
          h = fit_tensor_reshape (hs, state_shape, 2, error);
          c = h != NULL ? fit_tensor_reshape (cs, state_shape, 2, error) : NULL;
          if (c == NULL)
            return NULL;
        }
      else
        {
          FitTensor *next = fit_nn_gru_cell (xp, hp, h, error);

          if (next == NULL)
            return NULL;
          g_object_unref (h);
          h = next;
        }
      outs->pdata[t] = g_object_ref (h);
    }

  if (h_last != NULL)
    *h_last = g_object_ref (h);
  if (c_last != NULL && c != NULL)
    *c_last = g_object_ref (c);
  return fit_tensor_stack ((FitTensor **) outs->pdata, T, 0, error);
}

/* The state of layer @l, direction @d from a [L × D, B, H] tensor, or NULL. */
static FitTensor *
state_slice (FitTensor  *state,
             guint       index,
             GError    **error)
{
  g_autoptr(FitTensor) s = NULL;

  if (state == NULL)
    return NULL;
  s = fit_tensor_slice (state, 0, index, index + 1, 1, error);
  if (s == NULL)
    return NULL;
  return fit_tensor_reshape (s, state->shape + 1, 2, error);
}

static gboolean
check_state (RnnLayer    *r,
             const char  *layer,
             const char  *what,
             FitTensor   *state,
             gint64       batch,
             GError     **error)
{
  gint64 expected[3] = { r->num_layers * (r->bidirectional ? 2 : 1), batch, r->hidden_size };

  if (state == NULL || fit_shape_equal (state->shape, state->n_dims, expected, 3))
    return TRUE;
  {
    g_autofree char *a = fit_shape_to_string (state->shape, state->n_dims);
    g_autofree char *b = fit_shape_to_string (expected, 3);

    g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                 _("%s: the initial %s has shape %s, expected %s (layers × directions, batch, "
                   "hidden-size)"), layer, what, a, b);
  }
  return FALSE;
}

static FitTensor *
rnn_forward (RnnLayer    *r,
             const char  *layer,
             FitTensor   *input,
             FitTensor   *h0,
             FitTensor   *c0,
             FitTensor  **h_n,
             FitTensor  **c_n,
             GError     **error)
{
  guint n_dirs = r->bidirectional ? 2 : 1;
  gboolean unbatched = input->n_dims == 2;
  gboolean training = fit_module_get_training (FIT_MODULE (r));
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(GPtrArray) h_finals = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) c_finals = g_ptr_array_new_with_free_func (g_object_unref);
  FitTensor *out;

  if (!fit_nn_check_input (layer, input, 3, 2, input->n_dims - 1, r->input_size, error))
    return NULL;

  /* Time-major [T, B, in] inside. */
  if (unbatched)
    x = fit_tensor_unsqueeze (input, 1, error);
  else if (r->batch_first)
    x = fit_tensor_transpose (input, 0, 1, error);
  else
    x = g_object_ref (input);
  if (x == NULL)
    return NULL;
  if (!check_state (r, layer, "hidden state", h0, x->shape[1], error) ||
      !check_state (r, layer, "cell state", c0, x->shape[1], error))
    return NULL;

  for (guint l = 0; l < r->num_layers; l++)
    {
      FitTensor *dir_out[2] = { NULL, NULL };
      gboolean ok = TRUE;

      if (l > 0 && r->dropout > 0 && training)
        {
          FitTensor *dropped = fit_tensor_dropout (x, r->dropout, r->rng, TRUE, error);

          if (dropped == NULL)
            return NULL;
          g_object_unref (x);
          x = dropped;
        }
      for (guint d = 0; d < n_dirs && ok; d++)
        {
          g_autoptr(FitTensor) hs = NULL;
          g_autoptr(FitTensor) cs = NULL;
          g_autoptr(GError) local_error = NULL;
          FitTensor *h_last = NULL, *c_last = NULL;

          hs = state_slice (h0, l * n_dirs + d, &local_error);
          if (local_error == NULL)
            cs = state_slice (c0, l * n_dirs + d, &local_error);
          if (local_error == NULL)
            dir_out[d] = run_direction (r, x, l, d == 1, hs, cs, &h_last, &c_last,
                                        &local_error);
          if (h_last != NULL)
            g_ptr_array_add (h_finals, h_last);
          if (c_last != NULL)
            g_ptr_array_add (c_finals, c_last);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
            }
        }
      g_clear_object (&x);
      if (ok && n_dirs == 2)
        x = fit_tensor_concat (dir_out, 2, 2, error);
      else if (ok)
        x = g_object_ref (dir_out[0]);
      g_clear_object (&dir_out[0]);
      g_clear_object (&dir_out[1]);
      if (x == NULL)
        return NULL;
    }

  if (unbatched)
    out = fit_tensor_squeeze (x, 1, error);
  else if (r->batch_first)
    out = fit_tensor_transpose (x, 0, 1, error);
  else
    out = g_object_ref (x);
  if (out == NULL)
    return NULL;

  if (h_n != NULL)
    *h_n = fit_tensor_stack ((FitTensor **) h_finals->pdata, h_finals->len, 0, error);
  if (c_n != NULL && c_finals->len > 0 && (h_n == NULL || *h_n != NULL))
    *c_n = fit_tensor_stack ((FitTensor **) c_finals->pdata, c_finals->len, 0, error);
  if ((h_n != NULL && *h_n == NULL) || (c_n != NULL && c_finals->len > 0 && *c_n == NULL))
    {
      if (h_n != NULL)
        g_clear_object (h_n);
      g_clear_object (&out);
    }
  return out;
}

static void
rnn_install_properties (GObjectClass *object_class,
                        GParamSpec  **props)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  props[PROP_INPUT_SIZE] = g_param_spec_int64 ("input-size", NULL, NULL, 1, G_MAXINT32, 1,
                                               flags);
  props[PROP_HIDDEN_SIZE] = g_param_spec_int64 ("hidden-size", NULL, NULL, 1, G_MAXINT32, 1,
                                                flags);
  props[PROP_NUM_LAYERS] = g_param_spec_uint ("num-layers", NULL, NULL, 1, 1024, 1, flags);
  props[PROP_BIDIRECTIONAL] = g_param_spec_boolean ("bidirectional", NULL, NULL, FALSE, flags);
  props[PROP_BATCH_FIRST] = g_param_spec_boolean ("batch-first", NULL, NULL, FALSE, flags);
  props[PROP_BIAS] = g_param_spec_boolean ("bias", NULL, NULL, TRUE, flags);
  props[PROP_DROPOUT] =
    g_param_spec_double ("dropout", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  props[PROP_RNG] = g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG, flags);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

/* ---- FitLSTM ---- */

static void
fit_lstm_dispose (GObject *object)
{
  rnn_dispose ((RnnLayer *) object);
  G_OBJECT_CLASS (fit_lstm_parent_class)->dispose (object);
}

static void
fit_lstm_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_lstm_parent_class)->constructed (object);
  rnn_constructed ((RnnLayer *) object, 4);
}

static FitTensor *
fit_lstm_forward (FitModule  *module,
                  FitTensor  *input,
                  GError    **error)
{
  return rnn_forward ((RnnLayer *) module, "FitLSTM", input, NULL, NULL, NULL, NULL, error);
}

static void
fit_lstm_class_init (FitLSTMClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_lstm_dispose;
  object_class->constructed = fit_lstm_constructed;
  object_class->get_property = rnn_get_property;
  object_class->set_property = rnn_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_lstm_forward;

  /**
   * FitLSTM:input-size:
   *
   * The number of features of each input step.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:hidden-size:
   *
   * The number of features of the hidden state.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:num-layers:
   *
   * The number of stacked layers; each layer after the first reads the previous one's
   * output sequence.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:bidirectional:
   *
   * Whether each layer also runs backwards in time, its states concatenated to the
   * forward ones.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:batch-first:
   *
   * Whether inputs and outputs are `[N, T, features]` rather than `[T, N, features]`.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:bias:
   *
   * Whether the layers have the biases `bias_ih_l*` and `bias_hh_l*`.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:dropout:
   *
   * The dropout probability on the outputs of each layer but the last, in training
   * mode.
   *
   * Since: 1.0
   */
  /**
   * FitLSTM:rng:
   *
   * The generator of the initial weights and of the dropout masks; at construction
   * %NULL means one forked from [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  rnn_install_properties (object_class, lstm_properties);
}

static void
fit_lstm_init (FitLSTM *self)
{
}

/**
 * fit_lstm_new:
 * @input_size: the number of features of each input step
 * @hidden_size: the number of features of the hidden state
 * @num_layers: the number of stacked layers
 * @bidirectional: whether each layer also runs backwards in time
 * @batch_first: whether inputs and outputs are `[N, T, features]`
 * @rng: (nullable): the generator of the initial weights, or %NULL
 *
 * Creates an LSTM with biases and no dropout between layers.
 *
 * Returns: (transfer full): a new #FitLSTM
 *
 * Since: 1.0
 */
FitLSTM *
fit_lstm_new (gint64    input_size,
              gint64    hidden_size,
              guint     num_layers,
              gboolean  bidirectional,
              gboolean  batch_first,
              FitRng   *rng)
{
  g_return_val_if_fail (input_size >= 1 && hidden_size >= 1 && num_layers >= 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);
  return g_object_new (FIT_TYPE_LSTM, "input-size", input_size, "hidden-size", hidden_size,
                       "num-layers", num_layers, "bidirectional", bidirectional,
                       "batch-first", batch_first, "rng", rng, NULL);
}

/**
 * fit_lstm_forward_full:
 * @self: a #FitLSTM
 * @input: the input sequence
 * @h0: (nullable): the initial hidden states, `[num-layers × D, N, hidden-size]`, or
 *   %NULL for zeros
 * @c0: (nullable): the initial cell states, of the same shape, or %NULL for zeros
 * @h_n: (out) (optional) (transfer full): the final hidden states, of that shape
 * @c_n: (out) (optional) (transfer full): the final cell states, of that shape
 * @error: return location for a #GError
 *
 * Runs the LSTM from given states, returning the final ones too (to carry state across
 * chunks of a long sequence, or to initialise a decoder).
 *
 * Returns: (transfer full): the output sequence, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_lstm_forward_full (FitLSTM    *self,
                       FitTensor  *input,
                       FitTensor  *h0,
                       FitTensor  *c0,
                       FitTensor **h_n,
                       FitTensor **c_n,
                       GError    **error)
{
  g_return_val_if_fail (FIT_IS_LSTM (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (h0 == NULL || FIT_IS_TENSOR (h0), NULL);
  g_return_val_if_fail (c0 == NULL || FIT_IS_TENSOR (c0), NULL);

  if (h_n != NULL)
    *h_n = NULL;
  if (c_n != NULL)
    *c_n = NULL;
  return rnn_forward (&self->rnn, "FitLSTM", input, h0, c0, h_n, c_n, error);
}

/* ---- FitGRU ---- */

static void
fit_gru_dispose (GObject *object)
{
  rnn_dispose ((RnnLayer *) object);
  G_OBJECT_CLASS (fit_gru_parent_class)->dispose (object);
}

static void
fit_gru_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_gru_parent_class)->constructed (object);
  rnn_constructed ((RnnLayer *) object, 3);
}

static FitTensor *
fit_gru_forward (FitModule  *module,
                 FitTensor  *input,
                 GError    **error)
{
  return rnn_forward ((RnnLayer *) module, "FitGRU", input, NULL, NULL, NULL, NULL, error);
}

static void
fit_gru_class_init (FitGRUClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_gru_dispose;
  object_class->constructed = fit_gru_constructed;
  object_class->get_property = rnn_get_property;
  object_class->set_property = rnn_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_gru_forward;

  /**
   * FitGRU:input-size:
   *
   * The number of features of each input step.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:hidden-size:
   *
   * The number of features of the hidden state.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:num-layers:
   *
   * The number of stacked layers.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:bidirectional:
   *
   * Whether each layer also runs backwards in time.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:batch-first:
   *
   * Whether inputs and outputs are `[N, T, features]` rather than `[T, N, features]`.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:bias:
   *
   * Whether the layers have the biases `bias_ih_l*` and `bias_hh_l*`.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:dropout:
   *
   * The dropout probability on the outputs of each layer but the last, in training
   * mode.
   *
   * Since: 1.0
   */
  /**
   * FitGRU:rng:
   *
   * The generator of the initial weights and of the dropout masks; at construction
   * %NULL means one forked from [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  rnn_install_properties (object_class, gru_properties);
}

static void
fit_gru_init (FitGRU *self)
{
}

/**
 * fit_gru_new:
 * @input_size: the number of features of each input step
 * @hidden_size: the number of features of the hidden state
 * @num_layers: the number of stacked layers
 * @bidirectional: whether each layer also runs backwards in time
 * @batch_first: whether inputs and outputs are `[N, T, features]`
 * @rng: (nullable): the generator of the initial weights, or %NULL
 *
 * Creates a GRU with biases and no dropout between layers.
 *
 * Returns: (transfer full): a new #FitGRU
 *
 * Since: 1.0
 */
FitGRU *
fit_gru_new (gint64    input_size,
             gint64    hidden_size,
             guint     num_layers,
             gboolean  bidirectional,
             gboolean  batch_first,
             FitRng   *rng)
{
  g_return_val_if_fail (input_size >= 1 && hidden_size >= 1 && num_layers >= 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);
  return g_object_new (FIT_TYPE_GRU, "input-size", input_size, "hidden-size", hidden_size,
                       "num-layers", num_layers, "bidirectional", bidirectional,
                       "batch-first", batch_first, "rng", rng, NULL);
}

/**
 * fit_gru_forward_full:
 * @self: a #FitGRU
 * @input: the input sequence
 * @h0: (nullable): the initial hidden states, `[num-layers × D, N, hidden-size]`, or
 *   %NULL for zeros
 * @h_n: (out) (optional) (transfer full): the final hidden states, of that shape
 * @error: return location for a #GError
 *
 * Runs the GRU from given states, returning the final ones too.
 *
 * Returns: (transfer full): the output sequence, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_gru_forward_full (FitGRU     *self,
                      FitTensor  *input,
                      FitTensor  *h0,
                      FitTensor **h_n,
                      GError    **error)
{
  g_return_val_if_fail (FIT_IS_GRU (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (h0 == NULL || FIT_IS_TENSOR (h0), NULL);

  if (h_n != NULL)
    *h_n = NULL;
  return rnn_forward (&self->rnn, "FitGRU", input, h0, NULL, h_n, NULL, error);
}
