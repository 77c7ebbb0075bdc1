/* fit-normalization.c: batch normalisation and layer normalisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both are fused kernels: statistics, normalisation and the affine transform in one
 * forward node whose backward has the closed form, so a normalisation costs two passes
 * over the activations forward and two backward, and keeps only the input and two
 * numbers per channel (or per row) for the backward.
 */

#include "config.h"

#include <math.h>

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

/* ---- the batch-norm kernel ---- */

typedef struct
{
  gint64   outer, channels, inner;
  gboolean batch_stats;   /* normalised with the batch's statistics (training) */
  double  *mean;          /* per channel */
  double  *invstd;
} BnInfo;

static void
bn_info_free (gpointer data)
{
  BnInfo *info = data;

  g_free (info->mean);
  g_free (info->invstd);
  g_free (info);
}

static gboolean
bn_backward (FitNode    *node,
             FitTensor  *grad_output,
             FitTensor **grad_inputs,
             GError    **error)
{
  BnInfo *info = node->data;
  FitTensor *x = node->saved[0];
  FitTensor *gamma = node->saved[1];
  gint64 N = info->outer, C = info->channels, S = info->inner;
  double M = (double) (N * S);
  FitTensor *dx = fit_node_needs_grad (node, 0) ? fit_tensor_new_empty_like (x) : NULL;
  FitTensor *dgamma = fit_node_needs_grad (node, 1) ? fit_tensor_new_empty_like (gamma) : NULL;
  FitTensor *dbeta = fit_node_needs_grad (node, 2)
                     ? fit_tensor_new_empty_like (node->inputs[2]) : NULL;

#pragma omp parallel for if (x->numel > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 c = 0; c < C; c++)
    {
      double mean = info->mean[c], invstd = info->invstd[c];
      double g = gamma != NULL ? ld (gamma, c) : 1.0;
      double sum_dy = 0, sum_dy_xhat = 0;

      for (gint64 n = 0; n < N; n++)
        for (gint64 s = 0; s < S; s++)
          {
            gint64 i = (n * C + c) * S + s;
            double dy = ld (grad_output, i);

            sum_dy += dy;
            sum_dy_xhat += dy * (ld (x, i) - mean) * invstd;
          }
      if (dgamma != NULL)
        st (dgamma, c, sum_dy_xhat);
      if (dbeta != NULL)
        st (dbeta, c, sum_dy);
      if (dx == NULL)
        continue;
      for (gint64 n = 0; n < N; n++)
        for (gint64 s = 0; s < S; s++)
          {
            gint64 i = (n * C + c) * S + s;
            double dy = ld (grad_output, i);

            if (info->batch_stats)
              {
                double xhat = (ld (x, i) - mean) * invstd;

                st (dx, i, g * invstd * (dy - sum_dy / M - xhat * sum_dy_xhat / M));
              }
            else
              st (dx, i, g * invstd * dy);
          }
    }
  grad_inputs[0] = dx;
  grad_inputs[1] = dgamma;
  grad_inputs[2] = dbeta;
  return TRUE;
}

/* Normalises @x ([N, C, …]) per channel. With @batch_stats the batch's statistics are
 * used and folded into the running ones (when given); otherwise the running ones. */
static FitTensor *
batch_norm (const char  *layer,
            FitTensor   *x,
            FitTensor   *gamma,
            FitTensor   *beta,
            FitTensor   *running_mean,
            FitTensor   *running_var,
            FitTensor   *num_batches,
            gboolean     batch_stats,
            double       momentum,
            double       eps,
            GError     **error)
{
  BnInfo *info;
  FitTensor *inputs[3] = { x, gamma, beta };
  FitTensor *out;
  FitNode *node;
  gint64 N, C, S;

  if (!fit_check_floating (layer, x, error) || !fit_check_cpu (layer, x, error) ||
      (gamma != NULL && !fit_check_same_dtype (layer, x, gamma, error)))
    return NULL;

  N = x->shape[0];
  C = x->shape[1];
  S = fit_shape_numel (x->shape + 2, x->n_dims - 2);
  if (batch_stats && N * S <= 1)
    {
      g_autofree char *shape = fit_shape_to_string (x->shape, x->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s needs more than one value per channel to compute batch statistics "
                     "in training mode, got an input of shape %s; use a larger batch or "
                     "evaluation mode"), layer, shape);
      return NULL;
    }

  if (batch_stats && running_mean != NULL)
    {
      /* Writable in place even when loaded from a file without a copy. */
      fit_tensor_get_data_mutable (running_mean);
      fit_tensor_get_data_mutable (running_var);
    }
  if (batch_stats && num_batches != NULL)
    fit_tensor_get_data_mutable (num_batches);

  info = g_new0 (BnInfo, 1);
  info->outer = N;
  info->channels = C;
  info->inner = S;
  info->batch_stats = batch_stats;
  info->mean = g_new (double, C);
  info->invstd = g_new (double, C);
  out = fit_tensor_new_empty_like (x);

#pragma omp parallel for if (x->numel > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 c = 0; c < C; c++)
    {
      double mean, var, g, b;

      if (batch_stats)
        {
          double sum = 0, sq = 0, M = (double) (N * S);

          for (gint64 n = 0; n < N; n++)
            for (gint64 s = 0; s < S; s++)
              sum += ld (x, (n * C + c) * S + s);
          mean = sum / M;
          for (gint64 n = 0; n < N; n++)
            for (gint64 s = 0; s < S; s++)
              {
                double d = ld (x, (n * C + c) * S + s) - mean;

                sq += d * d;
              }
          var = sq / M;
          if (running_mean != NULL)
            {
              fit_tensor_set_flat (running_mean, c, (1 - momentum) *
                                   fit_tensor_get_flat (running_mean, c) + momentum * mean);
              fit_tensor_set_flat (running_var, c, (1 - momentum) *
                                   fit_tensor_get_flat (running_var, c) +
                                   momentum * sq / (M - 1));
            }
        }
      else
        {
          mean = fit_tensor_get_flat (running_mean, c);
          var = fit_tensor_get_flat (running_var, c);
        }
      info->mean[c] = mean;
      info->invstd[c] = 1.0 / sqrt (var + eps);
      g = gamma != NULL ? ld (gamma, c) : 1.0;
      b = beta != NULL ? ld (beta, c) : 0.0;
      for (gint64 n = 0; n < N; n++)
        for (gint64 s = 0; s < S; s++)
          {
            gint64 i = (n * C + c) * S + s;

            st (out, i, (ld (x, i) - mean) * info->invstd[c] * g + b);
          }
    }
  if (batch_stats && num_batches != NULL)
    fit_tensor_set_flat (num_batches, 0, fit_tensor_get_flat (num_batches, 0) + 1);

  node = fit_autograd_record (out, "batch_norm", bn_backward, 3, inputs);
  if (node == NULL)
    {
      bn_info_free (info);
      return out;
    }
  fit_node_save (node, 0, x);
  fit_node_save (node, 1, gamma);
  node->data = info;
  node->data_free = bn_info_free;
  return out;
}

/* ---- FitBatchNorm1d and FitBatchNorm2d ---- */

typedef struct
{
  FitModule  parent_instance;

  gint64     num_features;
  double     eps;
  double     momentum;
  gboolean   affine;
  FitTensor *weight;
  FitTensor *bias;
  FitTensor *running_mean;
  FitTensor *running_var;
  FitTensor *num_batches_tracked;
} BnLayer;

/**
 * FitBatchNorm1d:
 *
 * Batch normalisation of inputs of shape `[N, C]` or `[N, C, L]`, as PyTorch's
 * `nn.BatchNorm1d`: in training mode each channel is normalised with the batch's mean
 * and (biased) variance, which are folded into the buffers `running_mean` and
 * `running_var` (the latter with the unbiased variance) with
 * [property@Fit.BatchNorm1d:momentum], and `num_batches_tracked` counts the batches; in
 * evaluation mode the running statistics are used. With
 * [property@Fit.BatchNorm1d:affine] a learned `weight` (γ, starting at 1) and `bias`
 * (β, starting at 0) follow.
 *
 * Since: 1.0
 */
struct _FitBatchNorm1d
{
  BnLayer bn;
};

/**
 * FitBatchNorm2d:
 *
 * Batch normalisation of inputs of shape `[N, C, H, W]` per channel, as PyTorch's
 * `nn.BatchNorm2d`; otherwise as [class@Fit.BatchNorm1d].
 *
 * Since: 1.0
 */
struct _FitBatchNorm2d
{
  BnLayer bn;
};

enum {
  BN_PROP_0,
  BN_PROP_NUM_FEATURES,
  BN_PROP_EPS,
  BN_PROP_MOMENTUM,
  BN_PROP_AFFINE,
  BN_N_PROPS
};

static GParamSpec *bn1_properties[BN_N_PROPS];
static GParamSpec *bn2_properties[BN_N_PROPS];

G_DEFINE_FINAL_TYPE (FitBatchNorm1d, fit_batch_norm1d, FIT_TYPE_MODULE)
G_DEFINE_FINAL_TYPE (FitBatchNorm2d, fit_batch_norm2d, FIT_TYPE_MODULE)

static void
bn_get_property (GObject    *object,
                 guint       prop_id,
                 GValue     *value,
                 GParamSpec *pspec)
{
  BnLayer *bn = (BnLayer *) object;

  switch (prop_id)
    {
    case BN_PROP_NUM_FEATURES:
      g_value_set_int64 (value, bn->num_features);
      break;
    case BN_PROP_EPS:
      g_value_set_double (value, bn->eps);
      break;
    case BN_PROP_MOMENTUM:
      g_value_set_double (value, bn->momentum);
      break;
    case BN_PROP_AFFINE:
      g_value_set_boolean (value, bn->affine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bn_set_property (GObject      *object,
                 guint         prop_id,
                 const GValue *value,
                 GParamSpec   *pspec)
{
  BnLayer *bn = (BnLayer *) object;

  switch (prop_id)
    {
    case BN_PROP_NUM_FEATURES:
      bn->num_features = g_value_get_int64 (value);
      break;
    case BN_PROP_EPS:
      if (bn->eps != g_value_get_double (value))
        {
          bn->eps = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case BN_PROP_MOMENTUM:
      if (bn->momentum != g_value_get_double (value))
        {
          bn->momentum = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case BN_PROP_AFFINE:
      bn->affine = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bn_dispose (BnLayer *bn)
{
  g_clear_object (&bn->weight);
  g_clear_object (&bn->bias);
  g_clear_object (&bn->running_mean);
  g_clear_object (&bn->running_var);
  g_clear_object (&bn->num_batches_tracked);
}

static void
bn_constructed (BnLayer *bn)
{
  FitModule *module = FIT_MODULE (bn);

  if (bn->affine)
    {
      bn->weight = fit_tensor_new_full (FIT_DTYPE_FLOAT32, &bn->num_features, 1, 1.0);
      bn->bias = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, &bn->num_features, 1);
      fit_module_add_parameter (module, "weight", bn->weight);
      fit_module_add_parameter (module, "bias", bn->bias);
    }
  bn->running_mean = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, &bn->num_features, 1);
  bn->running_var = fit_tensor_new_full (FIT_DTYPE_FLOAT32, &bn->num_features, 1, 1.0);
  bn->num_batches_tracked = fit_tensor_new_zeros (FIT_DTYPE_INT64, NULL, 0);
  fit_module_add_buffer (module, "running_mean", bn->running_mean);
  fit_module_add_buffer (module, "running_var", bn->running_var);
  fit_module_add_buffer (module, "num_batches_tracked", bn->num_batches_tracked);
}

static FitTensor *
bn_forward (BnLayer     *bn,
            const char  *layer,
            FitTensor   *input,
            guint        n_dims_a,
            guint        n_dims_b,
            GError     **error)
{
  gboolean training = fit_module_get_training (FIT_MODULE (bn));

  if (!fit_nn_check_input (layer, input, n_dims_a, n_dims_b, 1, bn->num_features, error))
    return NULL;
  return batch_norm (layer, input, bn->weight, bn->bias, bn->running_mean, bn->running_var,
                     bn->num_batches_tracked, training, bn->momentum, bn->eps, error);
}

static void
bn_install_properties (GObjectClass *object_class,
                       GParamSpec  **props)
{
  GParamFlags construct_only = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                               G_PARAM_STATIC_STRINGS;
  GParamFlags writable = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS;

  props[BN_PROP_NUM_FEATURES] =
    g_param_spec_int64 ("num-features", NULL, NULL, 1, G_MAXINT32, 1, construct_only);
  props[BN_PROP_EPS] = g_param_spec_double ("eps", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-5, writable);
  props[BN_PROP_MOMENTUM] = g_param_spec_double ("momentum", NULL, NULL, 0.0, 1.0, 0.1, writable);
  props[BN_PROP_AFFINE] = g_param_spec_boolean ("affine", NULL, NULL, TRUE, construct_only);
  g_object_class_install_properties (object_class, BN_N_PROPS, props);
}

static void
fit_batch_norm1d_dispose (GObject *object)
{
  bn_dispose ((BnLayer *) object);
  G_OBJECT_CLASS (fit_batch_norm1d_parent_class)->dispose (object);
}

static void
fit_batch_norm1d_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_batch_norm1d_parent_class)->constructed (object);
  bn_constructed ((BnLayer *) object);
}

static FitTensor *
fit_batch_norm1d_forward (FitModule  *module,
                          FitTensor  *input,
                          GError    **error)
{
  return bn_forward ((BnLayer *) module, "FitBatchNorm1d", input, 2, 3, error);
}

static void
fit_batch_norm1d_class_init (FitBatchNorm1dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_batch_norm1d_dispose;
  object_class->constructed = fit_batch_norm1d_constructed;
  object_class->get_property = bn_get_property;
  object_class->set_property = bn_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_batch_norm1d_forward;

  /**
   * FitBatchNorm1d:num-features:
   *
   * The number of channels C (dimension 1 of the input).
   *
   * Since: 1.0
   */
  /**
   * FitBatchNorm1d:eps:
   *
   * Added to the variance before its square root, for stability (default 1e-5).
   *
   * Since: 1.0
   */
  /**
   * FitBatchNorm1d:momentum:
   *
   * The weight of a new batch's statistics in the running ones (default 0.1).
   *
   * Since: 1.0
   */
  /**
   * FitBatchNorm1d:affine:
   *
   * Whether a learned scale and shift follow the normalisation.
   *
   * Since: 1.0
   */
  bn_install_properties (object_class, bn1_properties);
}

static void
fit_batch_norm1d_init (FitBatchNorm1d *self)
{
}

/**
 * fit_batch_norm1d_new:
 * @num_features: the number of channels
 * @eps: added to the variance for stability (PyTorch's default is 1e-5)
 * @momentum: the weight of each batch in the running statistics (default 0.1)
 * @affine: whether to learn a scale and a shift
 *
 * Creates batch normalisation of `[N, C]` or `[N, C, L]` inputs.
 *
 * Returns: (transfer full): a new #FitBatchNorm1d
 *
 * Since: 1.0
 */
FitBatchNorm1d *
fit_batch_norm1d_new (gint64   num_features,
                      double   eps,
                      double   momentum,
                      gboolean affine)
{
  g_return_val_if_fail (num_features >= 1, NULL);
  g_return_val_if_fail (eps >= 0 && momentum >= 0 && momentum <= 1, NULL);
  return g_object_new (FIT_TYPE_BATCH_NORM1D, "num-features", num_features, "eps", eps,
                       "momentum", momentum, "affine", affine, NULL);
}

static void
fit_batch_norm2d_dispose (GObject *object)
{
  bn_dispose ((BnLayer *) object);
  G_OBJECT_CLASS (fit_batch_norm2d_parent_class)->dispose (object);
}

static void
fit_batch_norm2d_constructed (GObject *object)
{
  G_OBJECT_CLASS (fit_batch_norm2d_parent_class)->constructed (object);
  bn_constructed ((BnLayer *) object);
}

static FitTensor *
fit_batch_norm2d_forward (FitModule  *module,
                          FitTensor  *input,
                          GError    **error)
{
  return bn_forward ((BnLayer *) module, "FitBatchNorm2d", input, 4, 4, error);
}

static void
fit_batch_norm2d_class_init (FitBatchNorm2dClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_batch_norm2d_dispose;
  object_class->constructed = fit_batch_norm2d_constructed;
  object_class->get_property = bn_get_property;
  object_class->set_property = bn_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_batch_norm2d_forward;

  /**
   * FitBatchNorm2d:num-features:
   *
   * The number of channels C (dimension 1 of the input).
   *
   * Since: 1.0
   */
  /**
   * FitBatchNorm2d:eps:
   *
   * Added to the variance before its square root, for stability (default 1e-5).
   *
   * Since: 1.0
   */
  /**
   * FitBatchNorm2d:momentum:
   *
   * The weight of a new batch's statistics in the running ones (default 0.1).
   *
   * Since: 1.0
   */
  /**
   * FitBatchNorm2d:affine:
   *
   * Whether a learned scale and shift follow the normalisation.
   *
   * Since: 1.0
   */
  bn_install_properties (object_class, bn2_properties);
}

static void
fit_batch_norm2d_init (FitBatchNorm2d *self)
{
}

/**
 * fit_batch_norm2d_new:
 * @num_features: the number of channels
 * @eps: added to the variance for stability (PyTorch's default is 1e-5)
 * @momentum: the weight of each batch in the running statistics (default 0.1)
 * @affine: whether to learn a scale and a shift
 *
 * Creates batch normalisation of `[N, C, H, W]` inputs.
 *
 * Returns: (transfer full): a new #FitBatchNorm2d
 *
 * Since: 1.0
 */
FitBatchNorm2d *
fit_batch_norm2d_new (gint64   num_features,
                      double   eps,
                      double   momentum,
                      gboolean affine)
{
  g_return_val_if_fail (num_features >= 1, NULL);
  g_return_val_if_fail (eps >= 0 && momentum >= 0 && momentum <= 1, NULL);
  return g_object_new (FIT_TYPE_BATCH_NORM2D, "num-features", num_features, "eps", eps,
                       "momentum", momentum, "affine", affine, NULL);
}

/* ---- layer norm ---- */

typedef struct
{
  gint64  rows, cols;
  double *mean;
  double *invstd;
} LnInfo;

static void
ln_info_free (gpointer data)
{
  LnInfo *info = data;

  g_free (info->mean);
  g_free (info->invstd);
  g_free (info);
}

static gboolean
ln_backward (FitNode    *node,
             FitTensor  *grad_output,
             FitTensor **grad_inputs,
             GError    **error)
{
  LnInfo *info = node->data;
  FitTensor *x = node->saved[0];
  FitTensor *gamma = node->saved[1];
  gint64 R = info->rows, D = info->cols;
  FitTensor *dx = fit_node_needs_grad (node, 0) ? fit_tensor_new_empty_like (x) : NULL;
  FitTensor *dgamma = fit_node_needs_grad (node, 1) ? fit_tensor_new_empty_like (gamma) : NULL;
  FitTensor *dbeta = fit_node_needs_grad (node, 2)
                     ? fit_tensor_new_empty_like (node->inputs[2]) : NULL;

  if (dx != NULL)
    {
#pragma omp parallel for if (x->numel > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 r = 0; r < R; r++)
        {
          double mean = info->mean[r], invstd = info->invstd[r];
          double sum = 0, sum_xhat = 0;

          for (gint64 d = 0; d < D; d++)
            {
              gint64 i = r * D + d;
              double g = ld (grad_output, i) * (gamma != NULL ? ld (gamma, d) : 1.0);

              sum += g;
              sum_xhat += g * (ld (x, i) - mean) * invstd;
            }
          for (gint64 d = 0; d < D; d++)
            {
              gint64 i = r * D + d;
              double g = ld (grad_output, i) * (gamma != NULL ? ld (gamma, d) : 1.0);
              double xhat = (ld (x, i) - mean) * invstd;

              st (dx, i, invstd * (g - sum / D - xhat * sum_xhat / D));
            }
        }
    }
  if (dgamma != NULL || dbeta != NULL)
    {
#pragma omp parallel for if (x->numel > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 d = 0; d < D; d++)
        {
          double sg = 0, sb = 0;

          for (gint64 r = 0; r < R; r++)
            {
              gint64 i = r * D + d;
              double dy = ld (grad_output, i);

              sb += dy;
              sg += dy * (ld (x, i) - info->mean[r]) * info->invstd[r];
            }
          if (dgamma != NULL)
            st (dgamma, d, sg);
          if (dbeta != NULL)
            st (dbeta, d, sb);
        }
    }
  grad_inputs[0] = dx;
  grad_inputs[1] = dgamma;
  grad_inputs[2] = dbeta;
  return TRUE;
}

static FitTensor *
layer_norm (FitTensor  *x,
            gint64      cols,
            FitTensor  *gamma,
            FitTensor  *beta,
            double      eps,
            GError    **error)
{
  LnInfo *info;
  FitTensor *inputs[3] = { x, gamma, beta };
  FitTensor *out;
  FitNode *node;
  gint64 R;

  if (!fit_check_floating ("FitLayerNorm", x, error) || !fit_check_cpu ("FitLayerNorm", x, error) ||
      (gamma != NULL && !fit_check_same_dtype ("FitLayerNorm", x, gamma, error)))
    return NULL;

  R = cols > 0 ? x->numel / cols : 0;
  info = g_new0 (LnInfo, 1);
  info->rows = R;
  info->cols = cols;
  info->mean = g_new (double, MAX (R, 1));
  info->invstd = g_new (double, MAX (R, 1));
  out = fit_tensor_new_empty_like (x);

#pragma omp parallel for if (x->numel > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 r = 0; r < R; r++)
    {
      double sum = 0, sq = 0, mean, invstd;

      for (gint64 d = 0; d < cols; d++)
        sum += ld (x, r * cols + d);
      mean = sum / cols;
      for (gint64 d = 0; d < cols; d++)
        {
          double v = ld (x, r * cols + d) - mean;

          sq += v * v;
        }
      invstd = 1.0 / sqrt (sq / cols + eps);
      info->mean[r] = mean;
      info->invstd[r] = invstd;
      for (gint64 d = 0; d < cols; d++)
        {
          gint64 i = r * cols + d;
          double y = (ld (x, i) - mean) * invstd;

          if (gamma != NULL)
            y = y * ld (gamma, d) + ld (beta, d);
          st (out, i, y);
        }
    }

  node = fit_autograd_record (out, "layer_norm", ln_backward, 3, inputs);
  if (node == NULL)
    {
      ln_info_free (info);
      return out;
    }
  fit_node_save (node, 0, x);
  fit_node_save (node, 1, gamma);
  node->data = info;
  node->data_free = ln_info_free;
  return out;
}

/**
 * FitLayerNorm:
 *
 * Layer normalisation, as PyTorch's `nn.LayerNorm`: each sample is normalised over its
 * last dimensions (the [property@Fit.LayerNorm:normalized-shape]) with its own mean and
 * (biased) variance, in training and evaluation alike; with
 * [property@Fit.LayerNorm:elementwise-affine], a learned `weight` (starting at 1) and
 * `bias` (starting at 0) of the normalised shape follow.
 *
 * Since: 1.0
 */
struct _FitLayerNorm
{
  FitModule  parent_instance;

  gint64     shape[FIT_MAX_DIMS];
  guint      n_dims;
  double     eps;
  gboolean   affine;
  FitTensor *weight;
  FitTensor *bias;
};

enum {
  LN_PROP_0,
  LN_PROP_NORMALIZED_SHAPE,
  LN_PROP_EPS,
  LN_PROP_ELEMENTWISE_AFFINE,
  LN_N_PROPS
};

static GParamSpec *ln_properties[LN_N_PROPS];

G_DEFINE_FINAL_TYPE (FitLayerNorm, fit_layer_norm, FIT_TYPE_MODULE)

static void
fit_layer_norm_dispose (GObject *object)
{
  FitLayerNorm *self = FIT_LAYER_NORM (object);

  g_clear_object (&self->weight);
  g_clear_object (&self->bias);
  G_OBJECT_CLASS (fit_layer_norm_parent_class)->dispose (object);
}

static void
fit_layer_norm_constructed (GObject *object)
{
  FitLayerNorm *self = FIT_LAYER_NORM (object);

  G_OBJECT_CLASS (fit_layer_norm_parent_class)->constructed (object);
  if (self->n_dims > 0 && !fit_shape_is_valid (self->shape, self->n_dims))
    {
      g_autofree char *s = fit_shape_to_string (self->shape, self->n_dims);

      /* As for an empty shape: no parameters, and every forward fails. */
      g_critical ("FitLayerNorm: the normalized-shape %s has a negative size or sizes that "
                  "multiply to 2^60 or more", s);
      self->n_dims = 0;
    }
  else if (self->n_dims == 0)
    g_critical ("FitLayerNorm needs a normalized-shape of at least one dimension");
  if (self->affine && self->n_dims > 0)
    {
      self->weight = fit_tensor_new_full (FIT_DTYPE_FLOAT32, self->shape, self->n_dims, 1.0);
      self->bias = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, self->shape, self->n_dims);
      fit_module_add_parameter (FIT_MODULE (self), "weight", self->weight);
      fit_module_add_parameter (FIT_MODULE (self), "bias", self->bias);
    }
}

static void
fit_layer_norm_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FitLayerNorm *self = FIT_LAYER_NORM (object);

  switch (prop_id)
    {
    case LN_PROP_NORMALIZED_SHAPE:
      g_value_take_variant (value, g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, self->shape,
                                                              self->n_dims, sizeof (gint64)));
      break;
    case LN_PROP_EPS:
      g_value_set_double (value, self->eps);
      break;
    case LN_PROP_ELEMENTWISE_AFFINE:
      g_value_set_boolean (value, self->affine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_layer_norm_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FitLayerNorm *self = FIT_LAYER_NORM (object);

  switch (prop_id)
    {
    case LN_PROP_NORMALIZED_SHAPE:
      {
        GVariant *v = g_value_get_variant (value);
        gsize n = 0;
        const gint64 *dims = v ? g_variant_get_fixed_array (v, &n, sizeof (gint64)) : NULL;

        if (n > FIT_MAX_DIMS)
          {
            g_critical ("FitLayerNorm: a normalized-shape of %zu dimensions is more than the "
                        "%d a tensor can have", n, FIT_MAX_DIMS);
            n = 0;
          }
        self->n_dims = n;
        for (guint i = 0; i < self->n_dims; i++)
          self->shape[i] = dims[i];
      }
      break;
    case LN_PROP_EPS:
      if (self->eps != g_value_get_double (value))
        {
          self->eps = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case LN_PROP_ELEMENTWISE_AFFINE:
      self->affine = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_layer_norm_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  FitLayerNorm *self = FIT_LAYER_NORM (module);
  guint k = self->n_dims;

  if (k == 0 || input->n_dims < k ||
      !fit_shape_equal (input->shape + input->n_dims - k, k, self->shape, k))
    {
      g_autofree char *a = fit_shape_to_string (input->shape, input->n_dims);
      g_autofree char *b = fit_shape_to_string (self->shape, k);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("FitLayerNorm normalises over trailing dimensions %s, but the input has "
                     "shape %s"), b, a);
      return NULL;
    }
  return layer_norm (input, fit_shape_numel (self->shape, k), self->weight, self->bias,
                     self->eps, error);
}

static void
fit_layer_norm_class_init (FitLayerNormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct_only = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                               G_PARAM_STATIC_STRINGS;

  object_class->dispose = fit_layer_norm_dispose;
  object_class->constructed = fit_layer_norm_constructed;
  object_class->get_property = fit_layer_norm_get_property;
  object_class->set_property = fit_layer_norm_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_layer_norm_forward;

  /**
   * FitLayerNorm:normalized-shape:
   *
   * The trailing dimensions to normalise over, as a #GVariant of type `ax`.
   *
   * Since: 1.0
   */
  ln_properties[LN_PROP_NORMALIZED_SHAPE] =
    g_param_spec_variant ("normalized-shape", NULL, NULL, G_VARIANT_TYPE ("ax"), NULL,
                          construct_only);

  /**
   * FitLayerNorm:eps:
   *
   * Added to the variance before its square root, for stability (default 1e-5).
   *
   * Since: 1.0
   */
  ln_properties[LN_PROP_EPS] =
    g_param_spec_double ("eps", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-5,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * FitLayerNorm:elementwise-affine:
   *
   * Whether a learned scale and shift follow the normalisation.
   *
   * Since: 1.0
   */
  ln_properties[LN_PROP_ELEMENTWISE_AFFINE] =
    g_param_spec_boolean ("elementwise-affine", NULL, NULL, TRUE, construct_only);

  g_object_class_install_properties (object_class, LN_N_PROPS, ln_properties);
}

static void
fit_layer_norm_init (FitLayerNorm *self)
{
}

/**
 * fit_layer_norm_new:
 * @normalized_shape: (array length=n_dims): the trailing dimensions to normalise over:
 *   sizes that are not negative and multiply to less than 2^60
 * @n_dims: the number of those dimensions (at least 1)
 * @eps: added to the variance for stability (PyTorch's default is 1e-5)
 * @elementwise_affine: whether to learn a scale and a shift
 *
 * Creates layer normalisation over the trailing dimensions @normalized_shape.
 *
 * Returns: (transfer full): a new #FitLayerNorm
 *
 * Since: 1.0
 */
FitLayerNorm *
fit_layer_norm_new (const gint64 *normalized_shape,
                    guint         n_dims,
                    double        eps,
                    gboolean      elementwise_affine)
{
  GVariant *shape;

  g_return_val_if_fail (normalized_shape != NULL, NULL);
  g_return_val_if_fail (n_dims >= 1 && n_dims <= FIT_MAX_DIMS, NULL);
  g_return_val_if_fail (fit_shape_is_valid (normalized_shape, n_dims), NULL);
  g_return_val_if_fail (eps >= 0, NULL);

  shape = g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, normalized_shape, n_dims,
                                     sizeof (gint64));
  return g_object_new (FIT_TYPE_LAYER_NORM, "normalized-shape", shape, "eps", eps,
                       "elementwise-affine", elementwise_affine, NULL);
}
