/* fit-loss-elementwise.c: losses that compare a prediction with a target element by
 * element: MSE, L1, smooth L1, Huber, binary cross-entropy (on probabilities and on
 * logits) and the Kullback-Leibler divergence
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All share one fused kernel: the forward computes each element's loss and reduces it in
 * double precision; the backward recomputes each element's derivative from the saved
 * prediction and target, so nothing but those two references is kept for it.
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "fit-nn-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

typedef enum
{
  KIND_MSE,
  KIND_L1,
  KIND_SMOOTH_L1,
  KIND_HUBER,
  KIND_BCE,
  KIND_BCE_LOGITS,
  KIND_KL,
  KIND_KL_LOG_TARGET,
} Kind;

typedef struct
{
  const char   *op;
  Kind          kind;
  double        param;       /* beta (smooth L1), delta (Huber) */
  FitReduction  reduction;
  gboolean      batch_mean;  /* KL: a mean divides by the batch size */
  double        denom;
  double       *weight;      /* per element, repeating over the leading dimensions */
  gint64        n_weight;
  double       *pos_weight;  /* BCE with logits: per class (last dimensions) */
  gint64        n_pos_weight;
} ElemInfo;

static void
elem_info_free (gpointer data)
{
  ElemInfo *info = data;

  g_free (info->weight);
  g_free (info->pos_weight);
  g_free (info);
}

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

static inline double
sign (double x)
{
  return (x > 0) - (x < 0);
}

/* PyTorch clamps BCE's logarithms at -100 so that a confident mistake stays finite. */
static inline double
clamped_log (double x)
{
  return MAX (log (x), -100.0);
}

/* log(1 + e^-x), stably */
static inline double
softplus_neg (double x)
{
  return log1p (exp (-fabs (x))) + MAX (-x, 0.0);
}

static inline double
elem_loss (const ElemInfo *e,
           double          p,
           double          t,
           gint64          i)
{
  double d = p - t, a = fabs (p - t), l;

  switch (e->kind)
    {
    case KIND_MSE:
      return d * d;
    case KIND_L1:
      return a;
    case KIND_SMOOTH_L1:
      return a < e->param ? 0.5 * d * d / e->param : a - 0.5 * e->param;
    case KIND_HUBER:
      return a < e->param ? 0.5 * d * d : e->param * (a - 0.5 * e->param);
    case KIND_BCE:
      l = -(t * clamped_log (p) + (1 - t) * clamped_log (1 - p));
      break;
    case KIND_BCE_LOGITS:
      {
        double pw = e->pos_weight ? e->pos_weight[i % e->n_pos_weight] : 1.0;

        l = (1 - t) * p + (1 + (pw - 1) * t) * softplus_neg (p);
      }
      break;
    case KIND_KL:
      return t > 0 ? t * (log (t) - p) : 0.0;
    case KIND_KL_LOG_TARGET:
      return exp (t) * (t - p);
    default:
      g_assert_not_reached ();
    }
  return e->weight ? l * e->weight[i % e->n_weight] : l;
}

/* The derivatives of element @i's loss by the prediction and by the target. */
static inline void
elem_grad (const ElemInfo *e,
           double          p,
           double          t,
           gint64          i,
           double         *dp,
           double         *dt)
{
  double d = p - t, a = fabs (p - t);
  double w = e->weight ? e->weight[i % e->n_weight] : 1.0;

  switch (e->kind)
    {
    case KIND_MSE:
      *dp = 2 * d;
      *dt = -*dp;
      return;
    case KIND_L1:
      *dp = sign (d);
      *dt = -*dp;
      return;
    case KIND_SMOOTH_L1:
      *dp = a < e->param ? d / e->param : sign (d);
      *dt = -*dp;
      return;
    case KIND_HUBER:
      *dp = a < e->param ? d : e->param * sign (d);
      *dt = -*dp;
      return;
    case KIND_BCE:
      *dp = w * (p - t) / MAX ((1 - p) * p, 1e-12);
      *dt = w * (clamped_log (1 - p) - clamped_log (p));
      return;
    case KIND_BCE_LOGITS:
      {
        double pw = e->pos_weight ? e->pos_weight[i % e->n_pos_weight] : 1.0;
        double sig_neg = 1.0 / (1.0 + exp (p));   /* σ(-x) */

        *dp = w * ((1 - t) - (1 + (pw - 1) * t) * sig_neg);
        *dt = w * (-p + (pw - 1) * softplus_neg (p));
      }
      return;
    case KIND_KL:
      *dp = -t;
      *dt = t > 0 ? log (t) + 1 - p : 0.0;
      return;
    case KIND_KL_LOG_TARGET:
      *dp = -exp (t);
      *dt = exp (t) * (t - p + 1);
      return;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
elem_backward (FitNode    *node,
               FitTensor  *grad_output,
               FitTensor **grad_inputs,
               GError    **error)
{
  ElemInfo *e = node->data;
  FitTensor *pred = node->saved[0];
  FitTensor *target = node->saved[1];
  FitTensor *dp = fit_node_needs_grad (node, 0) ? fit_tensor_new_empty_like (pred) : NULL;
  FitTensor *dt = fit_node_needs_grad (node, 1) ? fit_tensor_new_empty_like (target) : NULL;
  gint64 n = pred->numel;
  double g0 = e->reduction == FIT_REDUCTION_NONE ? 0.0 : ld (grad_output, 0);

  if (e->reduction == FIT_REDUCTION_MEAN)
    g0 /= e->denom;

#pragma omp parallel for if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 i = 0; i < n; i++)
    {
      double g = e->reduction == FIT_REDUCTION_NONE ? ld (grad_output, i) : g0;
      double a, b;

      elem_grad (e, ld (pred, i), ld (target, i), i, &a, &b);
      if (dp != NULL)
        st (dp, i, g * a);
      if (dt != NULL)
        st (dt, i, g * b);
    }
  grad_inputs[0] = dp;
  grad_inputs[1] = dt;
  return TRUE;
}

/* The shape of @w without leading 1s must be the trailing dimensions of @pred's. */
static gboolean
copy_broadcast_weight (ElemInfo    *e,
                       const char  *what,
                       FitTensor   *pred,
                       FitTensor   *w,
                       double     **out,
                       gint64      *n_out,
                       GError     **error)
{
  guint lead = 0;
  gboolean ok;

  if (w == NULL)
    return TRUE;
  if (!fit_check_cpu (e->op, w, error))
    return FALSE;
  while (lead < w->n_dims && w->shape[lead] == 1)
    lead++;
  ok = w->n_dims - lead <= pred->n_dims &&
       fit_shape_equal (w->shape + lead, w->n_dims - lead,
                        pred->shape + pred->n_dims - (w->n_dims - lead), w->n_dims - lead);
  if (!ok)
    {
      g_autofree char *ws = fit_shape_to_string (w->shape, w->n_dims);
      g_autofree char *ps = fit_shape_to_string (pred->shape, pred->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the %s has shape %s, which does not match the trailing dimensions "
                     "of the prediction's shape %s"), e->op, what, ws, ps);
      return FALSE;
    }
  *n_out = MAX (w->numel, 1);
  *out = g_new (double, *n_out);
  for (gint64 i = 0; i < w->numel; i++)
    (*out)[i] = fit_tensor_get_flat (w, i);
  return TRUE;
}

static FitTensor *
elem_loss_compute (ElemInfo   *e,
                   FitTensor  *pred,
                   FitTensor  *target,
                   FitTensor  *weight,
                   FitTensor  *pos_weight,
                   GError    **error)
{
  g_autoptr(FitTensor) target_conv = NULL;
  FitTensor *inputs[2];
  FitTensor *out;
  FitNode *node;
  gint64 n = pred->numel;
  double total = 0;

  if (!fit_check_floating (e->op, pred, error) || !fit_check_cpu (e->op, pred, error) ||
      !fit_check_cpu (e->op, target, error))
    goto fail;
  if (!fit_shape_equal (pred->shape, pred->n_dims, target->shape, target->n_dims))
    {
      g_autofree char *ps = fit_shape_to_string (pred->shape, pred->n_dims);
      g_autofree char *ts = fit_shape_to_string (target->shape, target->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the prediction has shape %s but the target has shape %s; they must "
                     "be equal (reshape one of them, e.g. a [N, 1] output for [N] targets)"),
                   e->op, ps, ts);
      goto fail;
    }
  if (!copy_broadcast_weight (e, "weight", pred, weight, &e->weight, &e->n_weight, error) ||
      !copy_broadcast_weight (e, "pos-weight", pred, pos_weight, &e->pos_weight,
                              &e->n_pos_weight, error))
    goto fail;
  if (target->dtype != pred->dtype)
    {
      target_conv = fit_tensor_to_dtype (target, pred->dtype, error);
      if (target_conv == NULL)
        goto fail;
      target = target_conv;
    }
  if (e->kind == KIND_BCE)
    for (gint64 i = 0; i < n; i++)
      {
        double p = ld (pred, i);

        if (!(p >= 0 && p <= 1))
          {
            g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                         _("%s: prediction %g at position %" PRId64 " is not a "
                           "probability in [0, 1]; apply a sigmoid first, or use "
                           "FitBCEWithLogitsLoss on the raw scores"), e->op, p, i);
            goto fail;
          }
      }

  if (e->reduction == FIT_REDUCTION_NONE)
    {
      out = fit_tensor_new_empty_like (pred);
#pragma omp parallel for if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        st (out, i, elem_loss (e, ld (pred, i), ld (target, i), i));
    }
  else
    {
#pragma omp parallel for reduction(+:total) if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        total += elem_loss (e, ld (pred, i), ld (target, i), i);
      e->denom = e->batch_mean ? (pred->n_dims > 0 ? pred->shape[0] : 1) : n;
      if (e->reduction == FIT_REDUCTION_MEAN)
        total /= e->denom;
      out = fit_tensor_new_scalar (pred->dtype, total);
    }

  inputs[0] = pred;
  inputs[1] = target;
  node = fit_autograd_record (out, e->op, elem_backward, 2, inputs);
  if (node == NULL)
    {
      elem_info_free (e);
      return out;
    }
  fit_node_save (node, 0, pred);
  fit_node_save (node, 1, target);
  node->data = e;
  node->data_free = elem_info_free;
  return out;

fail:
  elem_info_free (e);
  return NULL;
}

static ElemInfo *
elem_info_new (const char *op,
               Kind        kind,
               double      param,
               FitLoss    *loss)
{
  ElemInfo *e = g_new0 (ElemInfo, 1);

  e->op = op;
  e->kind = kind;
  e->param = param;
  e->reduction = fit_loss_get_reduction (loss);
  return e;
}

/* Most of these losses have one double property; they share its accessors. */

static void
set_double (GObject      *object,
            double       *field,
            const GValue *value,
            GParamSpec   *pspec)
{
  if (*field == g_value_get_double (value))
    return;
  *field = g_value_get_double (value);
  g_object_notify_by_pspec (object, pspec);
}

static void
set_tensor (GObject      *object,
            FitTensor   **field,
            const GValue *value,
            GParamSpec   *pspec)
{
  if (g_set_object (field, g_value_get_object (value)))
    g_object_notify_by_pspec (object, pspec);
}

/* ---- MSE and L1 ---- */

/**
 * FitMSELoss:
 *
 * The squared error `(prediction - target)²`, as PyTorch's `nn.MSELoss`. Prediction
 * and target have the same shape (they are not broadcast, which hides shape mistakes).
 *
 * Since: 1.0
 */
struct _FitMSELoss
{
  FitLoss parent_instance;
};

G_DEFINE_FINAL_TYPE (FitMSELoss, fit_mse_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_mse_loss_compute (FitLoss    *loss,
                      FitTensor  *prediction,
                      FitTensor  *target,
                      GError    **error)
{
  return elem_loss_compute (elem_info_new ("FitMSELoss", KIND_MSE, 0, loss),
                            prediction, target, NULL, NULL, error);
}

static void
fit_mse_loss_class_init (FitMSELossClass *klass)
{
  FIT_LOSS_CLASS (klass)->compute = fit_mse_loss_compute;
}

static void
fit_mse_loss_init (FitMSELoss *self)
{
}

/**
 * fit_mse_loss_new:
 * @reduction: how to reduce the per-element losses
 *
 * Creates a squared-error loss.
 *
 * Returns: (transfer full): a new #FitMSELoss
 *
 * Since: 1.0
 */
FitLoss *
fit_mse_loss_new (FitReduction reduction)
{
  return g_object_new (FIT_TYPE_MSE_LOSS, "reduction", reduction, NULL);
}

/**
 * FitL1Loss:
 *
 * The absolute error `|prediction - target|`, as PyTorch's `nn.L1Loss`.
 *
 * Since: 1.0
 */
struct _FitL1Loss
{
  FitLoss parent_instance;
};

G_DEFINE_FINAL_TYPE (FitL1Loss, fit_l1_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_l1_loss_compute (FitLoss    *loss,
                     FitTensor  *prediction,
                     FitTensor  *target,
                     GError    **error)
{
  return elem_loss_compute (elem_info_new ("FitL1Loss", KIND_L1, 0, loss),
                            prediction, target, NULL, NULL, error);
}

static void
fit_l1_loss_class_init (FitL1LossClass *klass)
{
  FIT_LOSS_CLASS (klass)->compute = fit_l1_loss_compute;
}

static void
fit_l1_loss_init (FitL1Loss *self)
{
}

/**
 * fit_l1_loss_new:
 * @reduction: how to reduce the per-element losses
 *
 * Creates an absolute-error loss.
 *
 * Returns: (transfer full): a new #FitL1Loss
 *
 * Since: 1.0
 */
FitLoss *
fit_l1_loss_new (FitReduction reduction)
{
  return g_object_new (FIT_TYPE_L1_LOSS, "reduction", reduction, NULL);
}

/* ---- smooth L1 and Huber ---- */

enum {
  PARAM_PROP_0,
  PARAM_PROP_VALUE,
  PARAM_N_PROPS
};

/**
 * FitSmoothL1Loss:
 *
 * As PyTorch's `nn.SmoothL1Loss`: `0.5 d² / beta` where `|d| < beta`, `|d| - 0.5 beta`
 * elsewhere, for `d = prediction - target`. With beta 0 it is the L1 loss.
 *
 * Since: 1.0
 */
struct _FitSmoothL1Loss
{
  FitLoss parent_instance;
  double  beta;
};

G_DEFINE_FINAL_TYPE (FitSmoothL1Loss, fit_smooth_l1_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_smooth_l1_loss_compute (FitLoss    *loss,
                            FitTensor  *prediction,
                            FitTensor  *target,
                            GError    **error)
{
  double beta = FIT_SMOOTH_L1_LOSS (loss)->beta;

  return elem_loss_compute (elem_info_new ("FitSmoothL1Loss", beta > 0 ? KIND_SMOOTH_L1 : KIND_L1,
                                           beta, loss),
                            prediction, target, NULL, NULL, error);
}

static void
fit_smooth_l1_loss_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  if (prop_id == PARAM_PROP_VALUE)
    g_value_set_double (value, FIT_SMOOTH_L1_LOSS (object)->beta);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_smooth_l1_loss_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  if (prop_id == PARAM_PROP_VALUE)
    set_double (object, &FIT_SMOOTH_L1_LOSS (object)->beta, value, pspec);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_smooth_l1_loss_class_init (FitSmoothL1LossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_smooth_l1_loss_get_property;
  object_class->set_property = fit_smooth_l1_loss_set_property;
  FIT_LOSS_CLASS (klass)->compute = fit_smooth_l1_loss_compute;

  /**
   * FitSmoothL1Loss:beta:
   *
   * Where the loss changes from quadratic to linear (default 1).
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, PARAM_PROP_VALUE,
    g_param_spec_double ("beta", NULL, NULL, 0.0, G_MAXDOUBLE, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
fit_smooth_l1_loss_init (FitSmoothL1Loss *self)
{
  self->beta = 1.0;
}

/**
 * fit_smooth_l1_loss_new:
 * @reduction: how to reduce the per-element losses
 * @beta: where the loss changes from quadratic to linear (PyTorch's default is 1)
 *
 * Creates a smooth L1 loss.
 *
 * Returns: (transfer full): a new #FitSmoothL1Loss
 *
 * Since: 1.0
 */
FitLoss *
fit_smooth_l1_loss_new (FitReduction reduction,
                        double       beta)
{
  g_return_val_if_fail (beta >= 0, NULL);
  return g_object_new (FIT_TYPE_SMOOTH_L1_LOSS, "reduction", reduction, "beta", beta, NULL);
}

/**
 * FitHuberLoss:
 *
 * As PyTorch's `nn.HuberLoss`: `0.5 d²` where `|d| < delta`, `delta (|d| - 0.5 delta)`
 * elsewhere, for `d = prediction - target`; smooth L1 scaled by delta.
 *
 * Since: 1.0
 */
struct _FitHuberLoss
{
  FitLoss parent_instance;
  double  delta;
};

G_DEFINE_FINAL_TYPE (FitHuberLoss, fit_huber_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_huber_loss_compute (FitLoss    *loss,
                        FitTensor  *prediction,
                        FitTensor  *target,
                        GError    **error)
{
  return elem_loss_compute (elem_info_new ("FitHuberLoss", KIND_HUBER,
                                           FIT_HUBER_LOSS (loss)->delta, loss),
                            prediction, target, NULL, NULL, error);
}

static void
fit_huber_loss_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  if (prop_id == PARAM_PROP_VALUE)
    g_value_set_double (value, FIT_HUBER_LOSS (object)->delta);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_huber_loss_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  if (prop_id == PARAM_PROP_VALUE)
    set_double (object, &FIT_HUBER_LOSS (object)->delta, value, pspec);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_huber_loss_class_init (FitHuberLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_huber_loss_get_property;
  object_class->set_property = fit_huber_loss_set_property;
  FIT_LOSS_CLASS (klass)->compute = fit_huber_loss_compute;

  /**
   * FitHuberLoss:delta:
   *
   * Where the loss changes from quadratic to linear (default 1; greater than 0).
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, PARAM_PROP_VALUE,
    g_param_spec_double ("delta", NULL, NULL, G_MINDOUBLE, G_MAXDOUBLE, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
fit_huber_loss_init (FitHuberLoss *self)
{
  self->delta = 1.0;
}

/**
 * fit_huber_loss_new:
 * @reduction: how to reduce the per-element losses
 * @delta: where the loss changes from quadratic to linear (PyTorch's default is 1)
 *
 * Creates a Huber loss.
 *
 * Returns: (transfer full): a new #FitHuberLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_huber_loss_new (FitReduction reduction,
                    double       delta)
{
  g_return_val_if_fail (delta > 0, NULL);
  return g_object_new (FIT_TYPE_HUBER_LOSS, "reduction", reduction, "delta", delta, NULL);
}

/* ---- binary cross-entropy ---- */

/**
 * FitBCELoss:
 *
 * The binary cross-entropy `-(t log p + (1 - t) log(1 - p))` of probabilities p (after
 * a sigmoid) against targets t in [0, 1], as PyTorch's `nn.BCELoss`; the logarithms are
 * clamped at -100. An optional [property@Fit.BCELoss:weight] rescales each element; its
 * shape must match the prediction's trailing dimensions. Prefer
 * [class@Fit.BCEWithLogitsLoss], which is stabler.
 *
 * Since: 1.0
 */
struct _FitBCELoss
{
  FitLoss    parent_instance;
  FitTensor *weight;
};

G_DEFINE_FINAL_TYPE (FitBCELoss, fit_bce_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_bce_loss_compute (FitLoss    *loss,
                      FitTensor  *prediction,
                      FitTensor  *target,
                      GError    **error)
{
  return elem_loss_compute (elem_info_new ("FitBCELoss", KIND_BCE, 0, loss),
                            prediction, target, FIT_BCE_LOSS (loss)->weight, NULL, error);
}

static void
fit_bce_loss_dispose (GObject *object)
{
  g_clear_object (&FIT_BCE_LOSS (object)->weight);
  G_OBJECT_CLASS (fit_bce_loss_parent_class)->dispose (object);
}

static void
fit_bce_loss_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  if (prop_id == PARAM_PROP_VALUE)
    g_value_set_object (value, FIT_BCE_LOSS (object)->weight);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_bce_loss_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  if (prop_id == PARAM_PROP_VALUE)
    set_tensor (object, &FIT_BCE_LOSS (object)->weight, value, pspec);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_bce_loss_class_init (FitBCELossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_bce_loss_dispose;
  object_class->get_property = fit_bce_loss_get_property;
  object_class->set_property = fit_bce_loss_set_property;
  FIT_LOSS_CLASS (klass)->compute = fit_bce_loss_compute;
  FIT_LOSS_CLASS (klass)->classification = TRUE;

  /**
   * FitBCELoss:weight:
   *
   * A factor per element (its shape matching the prediction's trailing dimensions), or
   * %NULL.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, PARAM_PROP_VALUE,
    g_param_spec_object ("weight", NULL, NULL, FIT_TYPE_TENSOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
fit_bce_loss_init (FitBCELoss *self)
{
}

/**
 * fit_bce_loss_new:
 *
 * Creates a binary cross-entropy loss with a mean reduction and no weight.
 *
 * Returns: (transfer full): a new #FitBCELoss
 *
 * Since: 1.0
 */
FitLoss *
fit_bce_loss_new (void)
{
  return g_object_new (FIT_TYPE_BCE_LOSS, NULL);
}

/**
 * fit_bce_loss_new_full:
 * @reduction: how to reduce the per-element losses
 * @weight: (nullable): a factor per element, or %NULL
 *
 * Creates a binary cross-entropy loss with every option.
 *
 * Returns: (transfer full): a new #FitBCELoss
 *
 * Since: 1.0
 */
FitLoss *
fit_bce_loss_new_full (FitReduction  reduction,
                       FitTensor    *weight)
{
  g_return_val_if_fail (weight == NULL || FIT_IS_TENSOR (weight), NULL);
  return g_object_new (FIT_TYPE_BCE_LOSS, "reduction", reduction, "weight", weight, NULL);
}

/**
 * FitBCEWithLogitsLoss:
 *
 * A sigmoid and the binary cross-entropy in one stable kernel, as PyTorch's
 * `nn.BCEWithLogitsLoss`: the loss for binary and multi-label classifiers that output
 * raw scores. [property@Fit.BCEWithLogitsLoss:pos-weight] weighs the positive examples
 * of each class (a tensor of the prediction's trailing dimensions, usually `[C]`), to
 * trade recall against precision.
 *
 * Since: 1.0
 */
struct _FitBCEWithLogitsLoss
{
  FitLoss    parent_instance;
  FitTensor *weight;
  FitTensor *pos_weight;
};

enum {
  BCEL_PROP_0,
  BCEL_PROP_WEIGHT,
  BCEL_PROP_POS_WEIGHT,
  BCEL_N_PROPS
};

G_DEFINE_FINAL_TYPE (FitBCEWithLogitsLoss, fit_bce_with_logits_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_bce_with_logits_loss_compute (FitLoss    *loss,
                                  FitTensor  *prediction,
                                  FitTensor  *target,
                                  GError    **error)
{
  FitBCEWithLogitsLoss *self = FIT_BCE_WITH_LOGITS_LOSS (loss);

  return elem_loss_compute (elem_info_new ("FitBCEWithLogitsLoss", KIND_BCE_LOGITS, 0, loss),
                            prediction, target, self->weight, self->pos_weight, error);
}

static void
fit_bce_with_logits_loss_dispose (GObject *object)
{
  FitBCEWithLogitsLoss *self = FIT_BCE_WITH_LOGITS_LOSS (object);

  g_clear_object (&self->weight);
  g_clear_object (&self->pos_weight);
  G_OBJECT_CLASS (fit_bce_with_logits_loss_parent_class)->dispose (object);
}

static void
fit_bce_with_logits_loss_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  FitBCEWithLogitsLoss *self = FIT_BCE_WITH_LOGITS_LOSS (object);

  switch (prop_id)
    {
    case BCEL_PROP_WEIGHT:
      g_value_set_object (value, self->weight);
      break;
    case BCEL_PROP_POS_WEIGHT:
      g_value_set_object (value, self->pos_weight);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_bce_with_logits_loss_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  FitBCEWithLogitsLoss *self = FIT_BCE_WITH_LOGITS_LOSS (object);

  switch (prop_id)
    {
    case BCEL_PROP_WEIGHT:
      set_tensor (object, &self->weight, value, pspec);
      break;
    case BCEL_PROP_POS_WEIGHT:
      set_tensor (object, &self->pos_weight, value, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_bce_with_logits_loss_class_init (FitBCEWithLogitsLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_bce_with_logits_loss_dispose;
  object_class->get_property = fit_bce_with_logits_loss_get_property;
  object_class->set_property = fit_bce_with_logits_loss_set_property;
  FIT_LOSS_CLASS (klass)->compute = fit_bce_with_logits_loss_compute;
  FIT_LOSS_CLASS (klass)->classification = TRUE;

  /**
   * FitBCEWithLogitsLoss:weight:
   *
   * A factor per element (its shape matching the prediction's trailing dimensions), or
   * %NULL.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, BCEL_PROP_WEIGHT,
    g_param_spec_object ("weight", NULL, NULL, FIT_TYPE_TENSOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * FitBCEWithLogitsLoss:pos-weight:
   *
   * A factor for the positive term of each class (its shape matching the prediction's
   * trailing dimensions), or %NULL.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, BCEL_PROP_POS_WEIGHT,
    g_param_spec_object ("pos-weight", NULL, NULL, FIT_TYPE_TENSOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
fit_bce_with_logits_loss_init (FitBCEWithLogitsLoss *self)
{
}

/**
 * fit_bce_with_logits_loss_new:
 *
 * Creates a binary cross-entropy loss on logits with a mean reduction and no weights.
 *
 * Returns: (transfer full): a new #FitBCEWithLogitsLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_bce_with_logits_loss_new (void)
{
  return g_object_new (FIT_TYPE_BCE_WITH_LOGITS_LOSS, NULL);
}

/**
 * fit_bce_with_logits_loss_new_full:
 * @reduction: how to reduce the per-element losses
 * @weight: (nullable): a factor per element, or %NULL
 * @pos_weight: (nullable): a factor for the positives of each class, or %NULL
 *
 * Creates a binary cross-entropy loss on logits with every option.
 *
 * Returns: (transfer full): a new #FitBCEWithLogitsLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_bce_with_logits_loss_new_full (FitReduction  reduction,
                                   FitTensor    *weight,
                                   FitTensor    *pos_weight)
{
  g_return_val_if_fail (weight == NULL || FIT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (pos_weight == NULL || FIT_IS_TENSOR (pos_weight), NULL);
  return g_object_new (FIT_TYPE_BCE_WITH_LOGITS_LOSS, "reduction", reduction,
                       "weight", weight, "pos-weight", pos_weight, NULL);
}

/* ---- Kullback-Leibler divergence ---- */

/**
 * FitKLDivLoss:
 *
 * The Kullback-Leibler divergence `t (log t - x)` of a target distribution t from a
 * prediction given as log-probabilities x, as PyTorch's `nn.KLDivLoss`. With
 * [property@Fit.KLDivLoss:log-target] the target is log-probabilities too. The mean
 * reduction averages over elements as PyTorch's `mean` does; set
 * [property@Fit.KLDivLoss:batch-mean] to divide by the batch size instead, which is
 * the divergence per sample (PyTorch's `batchmean`).
 *
 * Since: 1.0
 */
struct _FitKLDivLoss
{
  FitLoss  parent_instance;
  gboolean log_target;
  gboolean batch_mean;
};

enum {
  KL_PROP_0,
  KL_PROP_LOG_TARGET,
  KL_PROP_BATCH_MEAN,
  KL_N_PROPS
};

G_DEFINE_FINAL_TYPE (FitKLDivLoss, fit_kl_div_loss, FIT_TYPE_LOSS)

static FitTensor *
fit_kl_div_loss_compute (FitLoss    *loss,
                         FitTensor  *prediction,
                         FitTensor  *target,
                         GError    **error)
{
  FitKLDivLoss *self = FIT_KL_DIV_LOSS (loss);
  ElemInfo *e = elem_info_new ("FitKLDivLoss",
                               self->log_target ? KIND_KL_LOG_TARGET : KIND_KL, 0, loss);

  e->batch_mean = self->batch_mean;
  return elem_loss_compute (e, prediction, target, NULL, NULL, error);
}

static void
fit_kl_div_loss_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FitKLDivLoss *self = FIT_KL_DIV_LOSS (object);

  switch (prop_id)
    {
    case KL_PROP_LOG_TARGET:
      g_value_set_boolean (value, self->log_target);
      break;
    case KL_PROP_BATCH_MEAN:
      g_value_set_boolean (value, self->batch_mean);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_kl_div_loss_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FitKLDivLoss *self = FIT_KL_DIV_LOSS (object);
  gboolean *field;

  switch (prop_id)
    {
    case KL_PROP_LOG_TARGET:
      field = &self->log_target;
      break;
    case KL_PROP_BATCH_MEAN:
      field = &self->batch_mean;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*field != g_value_get_boolean (value))
    {
      *field = g_value_get_boolean (value);
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
fit_kl_div_loss_class_init (FitKLDivLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_kl_div_loss_get_property;
  object_class->set_property = fit_kl_div_loss_set_property;
  FIT_LOSS_CLASS (klass)->compute = fit_kl_div_loss_compute;

  /**
   * FitKLDivLoss:log-target:
   *
   * Whether the target holds log-probabilities rather than probabilities.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, KL_PROP_LOG_TARGET,
    g_param_spec_boolean ("log-target", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * FitKLDivLoss:batch-mean:
   *
   * Whether the mean reduction divides the sum by the batch size (the first
   * dimension) instead of the number of elements.
   *
   * Since: 1.0
   */
  g_object_class_install_property (object_class, KL_PROP_BATCH_MEAN,
    g_param_spec_boolean ("batch-mean", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
fit_kl_div_loss_init (FitKLDivLoss *self)
{
}

/**
 * fit_kl_div_loss_new:
 * @reduction: how to reduce the per-element losses
 * @log_target: whether the target holds log-probabilities
 *
 * Creates a Kullback-Leibler divergence loss.
 *
 * Returns: (transfer full): a new #FitKLDivLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_kl_div_loss_new (FitReduction reduction,
                     gboolean     log_target)
{
  return g_object_new (FIT_TYPE_KL_DIV_LOSS, "reduction", reduction, "log-target", log_target,
                       NULL);
}
