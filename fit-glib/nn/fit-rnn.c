/* fit-rnn.c: recurrent layers, LSTM and GRU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each layer and direction projects the whole input sequence with one GEMM
 * (x W_ihᵀ + b_ih for all time steps at once), then runs through time in one fused
 * node: a small GEMM for the hidden state and the gate arithmetic per step forward,
 * backpropagation through time in one loop backward. The graph has a handful of nodes
 * per layer whatever the sequence length.
 *
 * Gate order and parameter names follow PyTorch (i, f, g, o for LSTM; r, z, n for
 * GRU; weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 and *_reverse), so weights
 * load from PyTorch unchanged.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fit-nn-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

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

/* ---- the sequence kernels ----
 *
 * One autograd node runs one layer and direction over the whole sequence: the hidden
 * state's GEMM and the gate arithmetic for every step forward, and backpropagation
 * through time in one loop backward, with the weight gradient accumulated by a GEMM per
 * step. That keeps the graph at a handful of nodes per layer whatever the length.
 */

typedef struct
{
  gint64     T, B, H;
  gboolean   reverse;
  FitTensor *act;      /* [T, B, G×H]: the gates after their nonlinearities */
  FitTensor *cells;    /* LSTM: [T, B, H] the cell states; GRU: the h-side n pre-gates */
  FitTensor *hidden;   /* [T, B, H]: the hidden states */
} SeqInfo;

static void
seq_info_free (gpointer data)
{
  SeqInfo *info = data;

  g_clear_object (&info->act);
  g_clear_object (&info->cells);
  g_clear_object (&info->hidden);
  g_free (info);
}

/* C (M×N) = op(A)·op(B) + beta C for row-major float32 or float64 tensors' data at
 * element offsets. */
static void
gemm (FitDType     dtype,
      gboolean     trans_a,
      gboolean     trans_b,
      gint64       M,
      gint64       N,
      gint64       K,
      FitTensor   *a,
      gint64       a_off,
      FitTensor   *b,
      gint64       b_off,
      double       beta,
      FitTensor   *c,
      gint64       c_off)
{
  gsize size = fit_dtype_get_size (dtype);

  fit_gemm (dtype, trans_a, trans_b, M, N, K, (const char *) fit_tensor_ptr (a) + a_off * size,
            trans_a ? M : K, (const char *) fit_tensor_ptr (b) + b_off * size,
            trans_b ? K : N, beta, (char *) fit_tensor_ptr (c) + c_off * size);
}

/* The time index of the k-th step, and of the step before it. */
static inline gint64
step_time (SeqInfo *info,
           gint64   k)
{
  return info->reverse ? info->T - 1 - k : k;
}

/* The previous hidden (or cell) state of step @k, as a tensor and an element offset;
 * NULL for zeros. */
static FitTensor *
prev_state (SeqInfo   *info,
            gint64     k,
            FitTensor *all,
            FitTensor *initial,
            gint64    *offset)
{
  if (k == 0)
    {
      *offset = 0;
      return initial;
    }
  *offset = step_time (info, k - 1) * info->B * info->H;
  return all;
}

/* Fills @hg ([B, G×H]) with h_prev Wᵀ + b, h_prev being step @k's previous state. */
static void
hidden_gates (SeqInfo   *info,
              gint64     k,
              FitTensor *w,
              FitTensor *bias,
              FitTensor *h0,
              FitTensor *hg,
              gint64     GH)
{
  gint64 off;
  FitTensor *hprev = prev_state (info, k, info->hidden, h0, &off);

  for (gint64 b = 0; b < info->B; b++)
    for (gint64 j = 0; j < GH; j++)
      st (hg, b * GH + j, bias != NULL ? ld (bias, j) : 0.0);
  if (hprev != NULL)
    gemm (hg->dtype, FALSE, TRUE, info->B, GH, info->H, hprev, off, w, 0, 1.0, hg, 0);
}

static inline double
ld_or_zero (FitTensor *t,
            gint64     i)
{
  return t != NULL ? ld (t, i) : 0.0;
}

/* inputs: proj [T, B, 4H], w_hh [4H, H], b_hh [4H] or NULL, h0, c0 [B, H] or NULL;
 * output [T + 1, B, H]: the hidden states in time order, then the final cell state. */
static gboolean
lstm_seq_backward (FitNode    *node,
                   FitTensor  *grad_output,
                   FitTensor **grad_inputs,
                   GError    **error)
{
  SeqInfo *info = node->data;
  FitTensor *w = node->inputs[1], *h0 = node->inputs[3], *c0 = node->inputs[4];
  gint64 T = info->T, B = info->B, H = info->H, BH = B * H;
  gint64 state_shape[2] = { B, H };
  FitTensor *dproj = fit_tensor_new_empty_like (info->act);
  FitTensor *dw = fit_node_needs_grad (node, 1) ? fit_tensor_new_zeros (w->dtype, w->shape, 2)
                                                : NULL;
  FitTensor *dh = fit_tensor_new_zeros (w->dtype, state_shape, 2);
  FitTensor *dc = fit_tensor_new_empty (w->dtype, state_shape, 2);

  for (gint64 i = 0; i < BH; i++)
    st (dc, i, ld (grad_output, T * BH + i));

  for (gint64 k = T - 1; k >= 0; k--)
    {
      gint64 t = step_time (info, k), hoff, coff;
      FitTensor *hprev = prev_state (info, k, info->hidden, h0, &hoff);
      FitTensor *cprev = prev_state (info, k, info->cells, c0, &coff);

#pragma omp parallel for if (BH * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 b = 0; b < B; b++)
        for (gint64 j = 0; j < H; j++)
          {
            gint64 a = (t * B + b) * 4 * H + j, e = b * H + j;
            double i_ = ld (info->act, a), f = ld (info->act, a + H);
            double g = ld (info->act, a + 2 * H), o = ld (info->act, a + 3 * H);
            double c = ld (info->cells, t * BH + e), tc = tanh (c);
            double cp = cprev != NULL ? ld (cprev, coff + e) : 0.0;
            double dh_ = ld (grad_output, t * BH + e) + ld (dh, e);
            double dc_ = ld (dc, e) + dh_ * o * (1 - tc * tc);

            st (dproj, a, dc_ * g * i_ * (1 - i_));
            st (dproj, a + H, dc_ * cp * f * (1 - f));
            st (dproj, a + 2 * H, dc_ * i_ * (1 - g * g));
            st (dproj, a + 3 * H, dh_ * tc * o * (1 - o));
            st (dc, e, dc_ * f);
          }
      /* dh_prev = dgates W; dW += dgatesᵀ h_prev */
      gemm (w->dtype, FALSE, FALSE, B, H, 4 * H, dproj, t * B * 4 * H, w, 0, 0.0, dh, 0);
      if (dw != NULL && hprev != NULL)
        gemm (w->dtype, TRUE, FALSE, 4 * H, H, B, dproj, t * B * 4 * H, hprev, hoff, 1.0, dw, 0);
    }

  if (fit_node_needs_grad (node, 2))
    {
      FitTensor *db = fit_tensor_new_zeros (w->dtype, &node->inputs[2]->shape[0], 1);

      for (gint64 r = 0; r < T * B; r++)
        for (gint64 j = 0; j < 4 * H; j++)
          st (db, j, ld (db, j) + ld (dproj, r * 4 * H + j));
      grad_inputs[2] = db;
    }
  grad_inputs[0] = fit_node_needs_grad (node, 0) ? dproj : NULL;
  if (grad_inputs[0] == NULL)
    g_object_unref (dproj);
  grad_inputs[1] = dw;
  grad_inputs[3] = fit_node_needs_grad (node, 3) ? dh : NULL;
  if (grad_inputs[3] == NULL)
    g_object_unref (dh);
  grad_inputs[4] = fit_node_needs_grad (node, 4) ? dc : NULL;
  if (grad_inputs[4] == NULL)
    g_object_unref (dc);
  return TRUE;
}

static FitTensor *
lstm_sequence (FitTensor  *proj,
               FitTensor  *w,
               FitTensor  *bias,
               FitTensor  *h0,
               FitTensor  *c0,
               gboolean    reverse,
               GError    **error)
{
  SeqInfo *info;
  gint64 T = proj->shape[0], B = proj->shape[1], H = w->shape[1], BH = B * H;
  gint64 out_shape[3] = { T + 1, B, H }, hs_shape[3] = { T, B, H }, hg_shape[2] = { B, 4 * H };
  g_autoptr(FitTensor) hg = NULL;
  FitTensor *inputs[5] = { proj, w, bias, h0, c0 };
  FitTensor *out;
  FitNode *node;

  if (!fit_check_same_dtype ("FitLSTM", proj, w, error) ||
      (h0 != NULL && !fit_check_same_dtype ("FitLSTM", proj, h0, error)) ||
      (c0 != NULL && !fit_check_same_dtype ("FitLSTM", proj, c0, error)))
    return NULL;

  info = g_new0 (SeqInfo, 1);
  info->T = T;
  info->B = B;
  info->H = H;
  info->reverse = reverse;
  info->act = fit_tensor_new_empty_like (proj);
  info->cells = fit_tensor_new_empty (proj->dtype, hs_shape, 3);
  info->hidden = fit_tensor_new_empty (proj->dtype, hs_shape, 3);
  out = fit_tensor_new_empty (proj->dtype, out_shape, 3);
  hg = fit_tensor_new_empty (proj->dtype, hg_shape, 2);

  for (gint64 k = 0; k < T; k++)
    {
      gint64 t = step_time (info, k), coff;
      FitTensor *cprev = prev_state (info, k, info->cells, c0, &coff);

      hidden_gates (info, k, w, bias, h0, hg, 4 * H);
#pragma omp parallel for if (BH * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 b = 0; b < B; b++)
        for (gint64 j = 0; j < H; j++)
          {
            gint64 a = (t * B + b) * 4 * H + j, e = b * H + j, q = b * 4 * H + j;
            double i_ = sigmoid (ld (proj, a) + ld (hg, q));
            double f = sigmoid (ld (proj, a + H) + ld (hg, q + H));
            double g = tanh (ld (proj, a + 2 * H) + ld (hg, q + 2 * H));
            double o = sigmoid (ld (proj, a + 3 * H) + ld (hg, q + 3 * H));
            double c = f * (cprev != NULL ? ld (cprev, coff + e) : 0.0) + i_ * g;
            double h = o * tanh (c);

            st (info->act, a, i_);
            st (info->act, a + H, f);
            st (info->act, a + 2 * H, g);
            st (info->act, a + 3 * H, o);
            st (info->cells, t * BH + e, c);
            st (info->hidden, t * BH + e, h);
            st (out, t * BH + e, h);
          }
    }
  for (gint64 e = 0; e < BH; e++)
    st (out, T * BH + e, T > 0 ? ld (info->cells, step_time (info, T - 1) * BH + e)
                               : ld_or_zero (c0, e));

  node = fit_autograd_record (out, "lstm", lstm_seq_backward, 5, inputs);
  if (node == NULL)
    {
      seq_info_free (info);
      return out;
    }
  node->data = info;
  node->data_free = seq_info_free;
  return out;
}

/* inputs: proj [T, B, 3H], w_hh [3H, H], b_hh [3H] or NULL, h0 [B, H] or NULL;
 * output [T, B, H]: the hidden states in time order. */
static gboolean
gru_seq_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  SeqInfo *info = node->data;
  FitTensor *w = node->inputs[1], *h0 = node->inputs[3];
  gint64 T = info->T, B = info->B, H = info->H, BH = B * H;
  gint64 state_shape[2] = { B, H }, hg_shape[2] = { B, 3 * H };
  FitTensor *dproj = fit_tensor_new_empty_like (info->act);
  FitTensor *dw = fit_node_needs_grad (node, 1) ? fit_tensor_new_zeros (w->dtype, w->shape, 2)
                                                : NULL;
  FitTensor *db = fit_node_needs_grad (node, 2)
                  ? fit_tensor_new_zeros (w->dtype, &node->inputs[2]->shape[0], 1) : NULL;
  FitTensor *dh = fit_tensor_new_zeros (w->dtype, state_shape, 2);
  g_autoptr(FitTensor) dhg = fit_tensor_new_empty (w->dtype, hg_shape, 2);

  for (gint64 k = T - 1; k >= 0; k--)
    {
      gint64 t = step_time (info, k), hoff;
      FitTensor *hprev = prev_state (info, k, info->hidden, h0, &hoff);

#pragma omp parallel for if (BH * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 b = 0; b < B; b++)
        for (gint64 j = 0; j < H; j++)
          {
            gint64 a = (t * B + b) * 3 * H + j, e = b * H + j, q = b * 3 * H + j;
            double r = ld (info->act, a), z = ld (info->act, a + H), n = ld (info->act, a + 2 * H);
            double hp = hprev != NULL ? ld (hprev, hoff + e) : 0.0;
            double dy = ld (grad_output, t * BH + e) + ld (dh, e);
            double dn = dy * (1 - z) * (1 - n * n);
            double dz = dy * (hp - n) * z * (1 - z);
            double dr = dn * ld (info->cells, t * BH + e) * r * (1 - r);

            st (dproj, a, dr);
            st (dproj, a + H, dz);
            st (dproj, a + 2 * H, dn);
            st (dhg, q, dr);
            st (dhg, q + H, dz);
            st (dhg, q + 2 * H, dn * r);
            st (dh, e, dy * z);
          }
      /* dh_prev = dy z + dhg W; dW += dhgᵀ h_prev; db += Σ dhg */
      gemm (w->dtype, FALSE, FALSE, B, H, 3 * H, dhg, 0, w, 0, 1.0, dh, 0);
      if (dw != NULL && hprev != NULL)
        gemm (w->dtype, TRUE, FALSE, 3 * H, H, B, dhg, 0, hprev, hoff, 1.0, dw, 0);
      if (db != NULL)
        for (gint64 b = 0; b < B; b++)
          for (gint64 j = 0; j < 3 * H; j++)
            st (db, j, ld (db, j) + ld (dhg, b * 3 * H + j));
    }

  grad_inputs[0] = fit_node_needs_grad (node, 0) ? dproj : NULL;
  if (grad_inputs[0] == NULL)
    g_object_unref (dproj);
  grad_inputs[1] = dw;
  grad_inputs[2] = db;
  grad_inputs[3] = fit_node_needs_grad (node, 3) ? dh : NULL;
  if (grad_inputs[3] == NULL)
    g_object_unref (dh);
  return TRUE;
}

static FitTensor *
gru_sequence (FitTensor  *proj,
              FitTensor  *w,
              FitTensor  *bias,
              FitTensor  *h0,
              gboolean    reverse,
              GError    **error)
{
  SeqInfo *info;
  gint64 T = proj->shape[0], B = proj->shape[1], H = w->shape[1], BH = B * H;
  gint64 hs_shape[3] = { T, B, H }, hg_shape[2] = { B, 3 * H };
  g_autoptr(FitTensor) hg = NULL;
  FitTensor *inputs[4] = { proj, w, bias, h0 };
  FitTensor *out;
  FitNode *node;

  if (!fit_check_same_dtype ("FitGRU", proj, w, error) ||
      (h0 != NULL && !fit_check_same_dtype ("FitGRU", proj, h0, error)))
    return NULL;

  info = g_new0 (SeqInfo, 1);
  info->T = T;
  info->B = B;
  info->H = H;
  info->reverse = reverse;
  info->act = fit_tensor_new_empty_like (proj);
  info->cells = fit_tensor_new_empty (proj->dtype, hs_shape, 3);
  info->hidden = fit_tensor_new_empty (proj->dtype, hs_shape, 3);
  hg = fit_tensor_new_empty (proj->dtype, hg_shape, 2);

  for (gint64 k = 0; k < T; k++)
    {
      gint64 t = step_time (info, k), hoff;
      FitTensor *hprev = prev_state (info, k, info->hidden, h0, &hoff);

      hidden_gates (info, k, w, bias, h0, hg, 3 * H);
#pragma omp parallel for if (BH * 8 > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 b = 0; b < B; b++)
        for (gint64 j = 0; j < H; j++)
          {
            gint64 a = (t * B + b) * 3 * H + j, e = b * H + j, q = b * 3 * H + j;
            double r = sigmoid (ld (proj, a) + ld (hg, q));
            double z = sigmoid (ld (proj, a + H) + ld (hg, q + H));
            double hn = ld (hg, q + 2 * H);
            double n = tanh (ld (proj, a + 2 * H) + r * hn);
            double hp = hprev != NULL ? ld (hprev, hoff + e) : 0.0;

            st (info->act, a, r);
            st (info->act, a + H, z);
            st (info->act, a + 2 * H, n);
            st (info->cells, t * BH + e, hn);
            st (info->hidden, t * BH + e, (1 - z) * n + z * hp);
          }
    }
  out = fit_tensor_new_empty_like (info->hidden);
  memcpy (fit_tensor_ptr (out), fit_tensor_ptr (info->hidden), fit_tensor_get_n_bytes (out));

  node = fit_autograd_record (out, "gru", gru_seq_backward, 4, inputs);
  if (node == NULL)
    {
      seq_info_free (info);
      return out;
    }
  node->data = info;
  node->data_free = seq_info_free;
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
  const char *layer = n_gates == 4 ? "FitLSTM" : "FitGRU";
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

        t[0] = fit_nn_new_param (layer, shape_ih, 2);
        t[1] = fit_nn_new_param (layer, shape_hh, 2);
        t[2] = r->has_bias ? fit_nn_new_param (layer, &gh, 1) : NULL;
        t[3] = r->has_bias ? fit_nn_new_param (layer, &gh, 1) : NULL;
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
  gint64 state_shape[2] = { B, H };
  gint64 t_last = reverse ? 0 : T - 1;
  g_autoptr(FitTensor) flat = NULL;
  g_autoptr(FitTensor) proj2 = NULL;
  g_autoptr(FitTensor) proj = NULL;
  g_autoptr(FitTensor) seq = NULL;
  FitTensor *out;

  /* The input's share of every step in one GEMM. */
  flat = fit_tensor_reshape (x, flat_shape, 2, error);
  if (flat == NULL)
    return NULL;
  proj2 = fit_tensor_linear (flat, p[0], p[2], error);
  if (proj2 == NULL)
    return NULL;
  proj = fit_tensor_reshape (proj2, proj_shape, 3, error);
  if (proj == NULL)
    return NULL;

  if (r->n_gates == 4)
    seq = lstm_sequence (proj, p[1], p[3], h0, c0, reverse, error);
  else
    seq = gru_sequence (proj, p[1], p[3], h0, reverse, error);
  if (seq == NULL)
    return NULL;

  /* Views of the result: the states in time order, then (LSTM) the final cell state. */
  out = r->n_gates == 4 ? fit_tensor_slice (seq, 0, 0, T, 1, error) : g_object_ref (seq);
  if (out == NULL)
    return NULL;
  if (h_last != NULL && T > 0)
    {
      g_autoptr(FitTensor) s = fit_tensor_slice (seq, 0, t_last, t_last + 1, 1, error);

      *h_last = s != NULL ? fit_tensor_reshape (s, state_shape, 2, error) : NULL;
      if (*h_last == NULL)
        g_clear_object (&out);
    }
  if (out != NULL && c_last != NULL && r->n_gates == 4)
    {
      g_autoptr(FitTensor) s = fit_tensor_slice (seq, 0, T, T + 1, 1, error);

      *c_last = s != NULL ? fit_tensor_reshape (s, state_shape, 2, error) : NULL;
      if (*c_last == NULL)
        g_clear_object (&out);
    }
  return out;
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
            dir_out[d] = run_direction (r, x, l, d == 1, hs, cs, h_n ? &h_last : NULL,
                                        c_n ? &c_last : NULL, &local_error);
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
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
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
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
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
