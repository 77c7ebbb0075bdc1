/* fit-loss-classification.c: cross-entropy and negative log-likelihood
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Cross-entropy is one fused kernel: a log-softmax and the negative log-likelihood in a
 * single pass over the scores, keeping only the log-sum-exp of each row for the
 * backward, whose gradient has the closed form softmax - target (weighted and
 * smoothed). Composing log_softmax and a gather would store the whole log-softmax and
 * run three backward nodes instead of one.
 *
 * Layout: a prediction of shape [N, C, d1, …, dk] is seen as `outer` (N) by C by
 * `inner` (d1 × … × dk), and each of the N × inner rows is a distribution over C
 * classes with stride `inner`. Class-index targets have the prediction's shape without
 * dimension 1; probability targets have the prediction's shape. A 1-D prediction [C]
 * is one row with a 0-D index target.
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "fit-nn-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

typedef struct
{
  const char   *op;
  gint64        outer, n_classes, inner;
  double        smoothing;
  gint64        ignore_index;
  double       *weight;     /* n_classes, or NULL for 1 */
  double        weight_sum;
  FitReduction  reduction;
  double        denom;      /* what a mean divides by */
  gboolean      prob;       /* probability targets */
  gboolean      log_input;  /* NLL: the prediction is already log-probabilities */
  double       *lse;        /* log-sum-exp of each row (cross-entropy only) */
} ClassInfo;

static void
class_info_free (gpointer data)
{
  ClassInfo *info = data;

  g_free (info->weight);
  g_free (info->lse);
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

/* Float labels are converted with saturation: NaN, infinities and huge values have no
 * int64 (converting them is undefined), and check_labels() refuses them anyway, as
 * labels that are not whole numbers. */
static inline gint64
ld_label (FitTensor *t,
          gint64     i)
{
  switch (t->dtype)
    {
    case FIT_DTYPE_INT64:
      return ((const gint64 *) fit_tensor_ptr (t))[i];
    case FIT_DTYPE_INT32:
      return ((const gint32 *) fit_tensor_ptr (t))[i];
    case FIT_DTYPE_FLOAT32:
    case FIT_DTYPE_FLOAT64:
    default:
      return fit_double_to_int_saturated (ld (t, i), FIT_DTYPE_INT64);
    }
}

/* ---- shared argument checks ---- */

static gboolean
check_weight (ClassInfo  *info,
              FitTensor  *weight,
              GError    **error)
{
  if (weight == NULL)
    {
      info->weight_sum = (double) info->n_classes;
      return TRUE;
    }
  if (!fit_check_cpu (info->op, weight, error))
    return FALSE;
  if (weight->n_dims != 1 || weight->shape[0] != info->n_classes)
    {
      g_autofree char *s = fit_shape_to_string (weight->shape, weight->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the class weights have shape %s but the prediction has %"
                     PRId64 " classes; give one weight per class"),
                   info->op, s, info->n_classes);
      return FALSE;
    }
  info->weight = g_new (double, info->n_classes);
  info->weight_sum = 0;
  for (gint64 c = 0; c < info->n_classes; c++)
    {
      info->weight[c] = fit_tensor_get_flat (weight, c);
      info->weight_sum += info->weight[c];
    }
  return TRUE;
}

/* Works out the layout, and whether @target holds class indices or probabilities. */
static gboolean
check_shapes (ClassInfo  *info,
              FitTensor  *pred,
              FitTensor  *target,
              gboolean    allow_prob,
              GError    **error)
{
  gint64 index_shape[FIT_MAX_DIMS];
  guint index_n_dims = 0;
  g_autofree char *ps = NULL;
  g_autofree char *ts = NULL;

  if (!fit_check_floating (info->op, pred, error) || !fit_check_cpu (info->op, pred, error) ||
      !fit_check_cpu (info->op, target, error))
    return FALSE;
  if (pred->n_dims == 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s needs class scores of shape [N, C] or [C], not a scalar"), info->op);
      return FALSE;
    }
  if (pred->n_dims == 1)
    {
      info->outer = 1;
      info->n_classes = pred->shape[0];
      info->inner = 1;
    }
  else
    {
      info->outer = pred->shape[0];
      info->n_classes = pred->shape[1];
      info->inner = fit_shape_numel (pred->shape + 2, pred->n_dims - 2);
      index_shape[index_n_dims++] = pred->shape[0];
      for (guint d = 2; d < pred->n_dims; d++)
        index_shape[index_n_dims++] = pred->shape[d];
    }

  if (fit_shape_equal (target->shape, target->n_dims, index_shape, index_n_dims))
    {
      info->prob = FALSE;
      return TRUE;
    }
  if (allow_prob && fit_dtype_is_floating (target->dtype) &&
      fit_shape_equal (target->shape, target->n_dims, pred->shape, pred->n_dims))
    {
      info->prob = TRUE;
      return TRUE;
    }

  ps = fit_shape_to_string (pred->shape, pred->n_dims);
  ts = fit_shape_to_string (target->shape, target->n_dims);
  {
    g_autofree char *is = fit_shape_to_string (index_shape, index_n_dims);

    if (allow_prob)
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the prediction has shape %s and the target shape %s; the target "
                     "must be class indices of shape %s or probabilities of shape %s"),
                   info->op, ps, ts, is, ps);
    else
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: the prediction has shape %s and the target shape %s; the target "
                     "must be class indices of shape %s"), info->op, ps, ts, is);
  }
  return FALSE;
}

/* Every label must be a class or the ignore index; float labels must be integers. */
static gboolean
check_labels (ClassInfo  *info,
              FitTensor  *pred,
              FitTensor  *target,
              GError    **error)
{
  gint64 n = info->outer * info->inner;

  for (gint64 r = 0; r < n; r++)
    {
      gint64 y = ld_label (target, r);
      gboolean integral = TRUE;

      if (fit_dtype_is_floating (target->dtype))
        integral = fit_double_fits_int (ld (target, r), FIT_DTYPE_INT64) &&
                   ld (target, r) == (double) y;
      if (integral && (y == info->ignore_index || (y >= 0 && y < info->n_classes)))
        continue;
      {
        g_autofree char *ps = fit_shape_to_string (pred->shape, pred->n_dims);

        if (!integral)
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("%s: label %g at position %" PRId64 " is not a class index; "
                         "class labels are integers from 0 to %" PRId64),
                       info->op, ld (target, r), r, info->n_classes - 1);
        else
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("%s: label %" PRId64 " at position %" PRId64
                         " is outside the %" PRId64 " classes (0 to %" PRId64
                         ") of the prediction of shape %s; check the labels or the size of "
                         "the model's output layer"),
                       info->op, y, r, info->n_classes, info->n_classes - 1, ps);
      }
      return FALSE;
    }
  return TRUE;
}

/* The result tensor: the per-row losses for no reduction, else their reduction. */
static FitTensor *
reduce_rows (ClassInfo *info,
             FitTensor *pred,
             double    *loss)
{
  gint64 n = info->outer * info->inner;
  FitTensor *out;

  if (info->reduction == FIT_REDUCTION_NONE)
    {
      if (pred->n_dims == 1)
        out = fit_tensor_new_empty (pred->dtype, NULL, 0);
      else
        {
          gint64 shape[FIT_MAX_DIMS];
          guint nd = 0;

          shape[nd++] = pred->shape[0];
          for (guint d = 2; d < pred->n_dims; d++)
            shape[nd++] = pred->shape[d];
          out = fit_tensor_new_empty (pred->dtype, shape, nd);
        }
      for (gint64 r = 0; r < n; r++)
        st (out, r, loss[r]);
    }
  else
    {
      double total = 0;

      for (gint64 r = 0; r < n; r++)
        total += loss[r];
      if (info->reduction == FIT_REDUCTION_MEAN)
        total /= info->denom;
      out = fit_tensor_new_scalar (pred->dtype, total);
    }
  return out;
}

/* The factor that row @r's gradient gets from the output's gradient. */
static inline double
row_grad (ClassInfo *info,
          FitTensor *grad_output,
          gint64     r)
{
  switch (info->reduction)
    {
    case FIT_REDUCTION_NONE:
      return ld (grad_output, r);
    case FIT_REDUCTION_MEAN:
      return ld (grad_output, 0) / info->denom;
    case FIT_REDUCTION_SUM:
    default:
      return ld (grad_output, 0);
    }
}

/* ---- the fused kernels ---- */

/* Cross-entropy of float32 scores [N, C] against class labels, with neither weights nor
 * smoothing: what nearly every classifier trains with. The general loops below load and
 * store each element through a dtype switch and take exp in double, about 190
 * instructions an element, more than the last layer of a small model costs; these go a
 * row at a time in float. */
static gboolean
class_is_plain_f32 (ClassInfo *info,
                    FitTensor *pred,
                    FitTensor *target)
{
  return pred->dtype == FIT_DTYPE_FLOAT32 && target->dtype == FIT_DTYPE_INT64 &&
         info->inner == 1 && !info->prob && !info->log_input && info->weight == NULL &&
         info->smoothing == 0;
}

static void
class_forward_plain_f32 (ClassInfo    *info,
                         const float  *z,
                         const gint64 *labels,
                         double       *loss)
{
  gint64 C = info->n_classes;
  double denom = 0;

  for (gint64 r = 0; r < info->outer; r++, z += C)
    {
      float m = -INFINITY, s = 0;
      gint64 y = labels[r];

      for (gint64 c = 0; c < C; c++)
        m = MAX (m, z[c]);
      for (gint64 c = 0; c < C; c++)
        s += expf (z[c] - m);
      info->lse[r] = m + logf (s);
      if (y == info->ignore_index)
        {
          loss[r] = 0;
          continue;
        }
      loss[r] = info->lse[r] - z[y];
      denom += 1;
    }
  info->denom = denom;
}

static void
class_backward_plain_f32 (ClassInfo    *info,
                          FitTensor    *grad_output,
                          const float  *z,
                          const gint64 *labels,
                          float        *dz)
{
  gint64 C = info->n_classes;

  for (gint64 r = 0; r < info->outer; r++, z += C, dz += C)
    {
      float g = (float) row_grad (info, grad_output, r);
      float lse = (float) info->lse[r];
      gint64 y = labels[r];

      if (y == info->ignore_index)
        {
          memset (dz, 0, C * sizeof (float));
          continue;
        }
      for (gint64 c = 0; c < C; c++)
        dz[c] = g * expf (z[c] - lse);
      dz[y] -= g;
    }
}

static gboolean
class_backward (FitNode    *node,
                FitTensor  *grad_output,
                FitTensor **grad_inputs,
                GError    **error)
{
  ClassInfo *info = node->data;
  FitTensor *pred = node->saved[0];
  FitTensor *target = node->saved[1];
  gint64 C = info->n_classes, inner = info->inner;
  gint64 n = info->outer * inner;
  double eps = info->smoothing;
  FitTensor *dz = NULL, *dt = NULL;

  if (fit_node_needs_grad (node, 0))
    dz = fit_tensor_new_empty_like (pred);
  if (fit_node_needs_grad (node, 1) && info->prob)
    dt = fit_tensor_new_empty_like (target);
  if (dz != NULL && class_is_plain_f32 (info, pred, target))
    {
      class_backward_plain_f32 (info, grad_output, fit_tensor_f32 (pred),
                                fit_tensor_ptr (target), fit_tensor_f32 (dz));
      grad_inputs[0] = dz;
      grad_inputs[1] = dt;
      return TRUE;
    }

#pragma omp parallel for if (n * C > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 r = 0; r < n; r++)
    {
      gint64 base = (r / inner) * C * inner + r % inner;
      double g = row_grad (info, grad_output, r);
      double lse = info->log_input ? 0.0 : info->lse[r];

      if (info->prob)
        {
          double wq = 0;

          for (gint64 c = 0; c < C; c++)
            {
              double q = (1 - eps) * ld (target, base + c * inner) + eps / C;

              wq += (info->weight ? info->weight[c] : 1.0) * q;
            }
          for (gint64 c = 0; c < C; c++)
            {
              gint64 i = base + c * inner;
              double w = info->weight ? info->weight[c] : 1.0;
              double q = (1 - eps) * ld (target, i) + eps / C;
              double z = ld (pred, i);

              if (dz != NULL)
                st (dz, i, g * (exp (z - lse) * wq - w * q));
              if (dt != NULL)
                st (dt, i, g * (1 - eps) * w * (lse - z));
            }
          continue;
        }

      {
        gint64 y = ld_label (target, r);
        double wy;

        if (dz == NULL)
          continue;
        if (y == info->ignore_index)
          {
            for (gint64 c = 0; c < C; c++)
              st (dz, base + c * inner, 0.0);
            continue;
          }
        wy = info->weight ? info->weight[y] : 1.0;
        if (info->log_input)
          {
            for (gint64 c = 0; c < C; c++)
              st (dz, base + c * inner, c == y ? -wy * g : 0.0);
            continue;
          }
        for (gint64 c = 0; c < C; c++)
          {
            gint64 i = base + c * inner;
            double p = exp (ld (pred, i) - lse);
            double w = info->weight ? info->weight[c] : 1.0;
            double d = (1 - eps) * wy * (p - (c == y ? 1.0 : 0.0));

            if (eps > 0)
              d += eps / C * (info->weight_sum * p - w);
            st (dz, i, g * d);
          }
      }
    }

  grad_inputs[0] = dz;
  grad_inputs[1] = dt;
  return TRUE;
}

/* Fills loss[r] for every row and info->denom; for cross-entropy also info->lse. */
static void
class_forward (ClassInfo *info,
               FitTensor *pred,
               FitTensor *target,
               double    *loss)
{
  gint64 C = info->n_classes, inner = info->inner;
  gint64 n = info->outer * inner;
  double eps = info->smoothing;
  double denom = 0;

  if (class_is_plain_f32 (info, pred, target))
    {
      class_forward_plain_f32 (info, fit_tensor_f32 (pred), fit_tensor_ptr (target), loss);
      return;
    }

#pragma omp parallel for reduction(+:denom) if (n * C > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
  for (gint64 r = 0; r < n; r++)
    {
      gint64 base = (r / inner) * C * inner + r % inner;
      double lse = 0;

      if (!info->log_input)
        {
          double m = -INFINITY, s = 0;

          for (gint64 c = 0; c < C; c++)
            m = MAX (m, ld (pred, base + c * inner));
          for (gint64 c = 0; c < C; c++)
            s += exp (ld (pred, base + c * inner) - m);
          lse = m + log (s);
          info->lse[r] = lse;
        }

      if (info->prob)
        {
          double l = 0;

          for (gint64 c = 0; c < C; c++)
            {
              gint64 i = base + c * inner;
              double q = (1 - eps) * ld (target, i) + eps / C;

              l += (info->weight ? info->weight[c] : 1.0) * q * (lse - ld (pred, i));
            }
          loss[r] = l;
          denom += 1;
          continue;
        }

      {
        gint64 y = ld_label (target, r);
        double wy, l;

        if (y == info->ignore_index)
          {
            loss[r] = 0;
            continue;
          }
        wy = info->weight ? info->weight[y] : 1.0;
        l = (1 - eps) * wy * (lse - ld (pred, base + y * inner));
        if (eps > 0)
          {
            double smooth = 0;

            for (gint64 c = 0; c < C; c++)
              smooth += (info->weight ? info->weight[c] : 1.0) *
                        (lse - ld (pred, base + c * inner));
            l += eps / C * smooth;
          }
        loss[r] = l;
        denom += wy;
      }
    }
  info->denom = denom;
}

static FitTensor *
class_loss (const char    *op,
            FitTensor     *pred,
            FitTensor     *target,
            FitReduction   reduction,
            FitTensor     *weight,
            gint64         ignore_index,
            double         smoothing,
            gboolean       log_input,
            GError       **error)
{
  ClassInfo *info = g_new0 (ClassInfo, 1);
  g_autoptr(FitTensor) target_conv = NULL;
  g_autofree double *loss = NULL;
  FitTensor *inputs[2];
  FitTensor *out;
  FitNode *node;

  info->op = op;
  info->reduction = reduction;
  info->ignore_index = ignore_index;
  info->smoothing = smoothing;
  info->log_input = log_input;
  if (!check_shapes (info, pred, target, !log_input, error) ||
      !check_weight (info, weight, error) ||
      (!info->prob && !check_labels (info, pred, target, error)))
    {
      class_info_free (info);
      return NULL;
    }
  if (info->prob && target->dtype != pred->dtype)
    {
      target_conv = fit_tensor_to_dtype (target, pred->dtype, error);
      if (target_conv == NULL)
        {
          class_info_free (info);
          return NULL;
        }
      target = target_conv;
    }

  loss = g_new (double, info->outer * info->inner);
  if (!log_input)
    info->lse = g_new (double, info->outer * info->inner);
  class_forward (info, pred, target, loss);
  out = reduce_rows (info, pred, loss);

  inputs[0] = pred;
  inputs[1] = target;
  node = fit_autograd_record (out, op, class_backward, 2, inputs);
  if (node == NULL)
    {
      class_info_free (info);
      return out;
    }
  fit_node_save (node, 0, pred);
  fit_node_save (node, 1, target);
  node->data = info;
  node->data_free = class_info_free;
  return out;
}

/* ---- FitCrossEntropyLoss ---- */

/**
 * FitCrossEntropyLoss:
 *
 * The cross-entropy between the softmax of raw class scores and a target, as PyTorch's
 * `nn.CrossEntropyLoss`: the loss for classifiers whose last layer outputs one score per
 * class (no softmax layer).
 *
 * The prediction has shape `[N, C]` (or `[N, C, d1, …]` for per-pixel classes, or
 * `[C]` for one sample). The target is either class indices (int64, int32, or floats
 * holding whole numbers) of shape `[N]` (`[N, d1, …]`), or class probabilities of the
 * prediction's shape. With indices, [property@Fit.CrossEntropyLoss:ignore-index] marks
 * positions that do not count, and a mean divides by the summed
 * [property@Fit.CrossEntropyLoss:weight] of the counted labels.
 * [property@Fit.CrossEntropyLoss:label-smoothing] mixes the target with the uniform
 * distribution.
 *
 * The log-softmax and the negative log-likelihood are one fused kernel with a
 * closed-form backward.
 *
 * Since: 1.0
 */

struct _FitCrossEntropyLoss
{
  FitLoss    parent_instance;

  FitTensor *weight;
  gint64     ignore_index;
  double     label_smoothing;
};

enum {
  CE_PROP_0,
  CE_PROP_WEIGHT,
  CE_PROP_IGNORE_INDEX,
  CE_PROP_LABEL_SMOOTHING,
  CE_N_PROPS
};

static GParamSpec *ce_properties[CE_N_PROPS];

G_DEFINE_FINAL_TYPE (FitCrossEntropyLoss, fit_cross_entropy_loss, FIT_TYPE_LOSS)

static void
fit_cross_entropy_loss_dispose (GObject *object)
{
  g_clear_object (&FIT_CROSS_ENTROPY_LOSS (object)->weight);
  G_OBJECT_CLASS (fit_cross_entropy_loss_parent_class)->dispose (object);
}

static void
fit_cross_entropy_loss_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  FitCrossEntropyLoss *self = FIT_CROSS_ENTROPY_LOSS (object);

  switch (prop_id)
    {
    case CE_PROP_WEIGHT:
      g_value_set_object (value, self->weight);
      break;
    case CE_PROP_IGNORE_INDEX:
      g_value_set_int64 (value, self->ignore_index);
      break;
    case CE_PROP_LABEL_SMOOTHING:
      g_value_set_double (value, self->label_smoothing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_cross_entropy_loss_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  FitCrossEntropyLoss *self = FIT_CROSS_ENTROPY_LOSS (object);

  switch (prop_id)
    {
    case CE_PROP_WEIGHT:
      if (g_set_object (&self->weight, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case CE_PROP_IGNORE_INDEX:
      if (self->ignore_index != g_value_get_int64 (value))
        {
          self->ignore_index = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case CE_PROP_LABEL_SMOOTHING:
      if (self->label_smoothing != g_value_get_double (value))
        {
          self->label_smoothing = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_cross_entropy_loss_compute (FitLoss    *loss,
                                FitTensor  *prediction,
                                FitTensor  *target,
                                GError    **error)
{
  FitCrossEntropyLoss *self = FIT_CROSS_ENTROPY_LOSS (loss);

  return class_loss ("FitCrossEntropyLoss", prediction, target, fit_loss_get_reduction (loss),
                     self->weight, self->ignore_index, self->label_smoothing, FALSE, error);
}

static GParamSpec *
weight_pspec (void)
{
  return g_param_spec_object ("weight", NULL, NULL, FIT_TYPE_TENSOR,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                              G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
ignore_index_pspec (void)
{
  return g_param_spec_int64 ("ignore-index", NULL, NULL, G_MININT64, G_MAXINT64, -100,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                             G_PARAM_STATIC_STRINGS);
}

static void
fit_cross_entropy_loss_class_init (FitCrossEntropyLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitLossClass *loss_class = FIT_LOSS_CLASS (klass);

  object_class->dispose = fit_cross_entropy_loss_dispose;
  object_class->get_property = fit_cross_entropy_loss_get_property;
  object_class->set_property = fit_cross_entropy_loss_set_property;
  loss_class->compute = fit_cross_entropy_loss_compute;
  loss_class->classification = TRUE;

  /**
   * FitCrossEntropyLoss:weight:
   *
   * A weight per class (a 1-D tensor of C elements) for unbalanced classes, or %NULL
   * for equal weights.
   *
   * Since: 1.0
   */
  ce_properties[CE_PROP_WEIGHT] = weight_pspec ();

  /**
   * FitCrossEntropyLoss:ignore-index:
   *
   * A class-index target value that marks positions which contribute neither to the
   * loss nor to the gradient (padding). Default -100, as in PyTorch.
   *
   * Since: 1.0
   */
  ce_properties[CE_PROP_IGNORE_INDEX] = ignore_index_pspec ();

  /**
   * FitCrossEntropyLoss:label-smoothing:
   *
   * How much of the target to replace by the uniform distribution, from 0 (none) to 1.
   *
   * Since: 1.0
   */
  ce_properties[CE_PROP_LABEL_SMOOTHING] =
    g_param_spec_double ("label-smoothing", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, CE_N_PROPS, ce_properties);
}

static void
fit_cross_entropy_loss_init (FitCrossEntropyLoss *self)
{
  self->ignore_index = -100;
}

/**
 * fit_cross_entropy_loss_new:
 *
 * Creates a cross-entropy loss with a mean reduction, no class weights, no label
 * smoothing and ignore index -100.
 *
 * Returns: (transfer full): a new #FitCrossEntropyLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_cross_entropy_loss_new (void)
{
  return g_object_new (FIT_TYPE_CROSS_ENTROPY_LOSS, NULL);
}

/**
 * fit_cross_entropy_loss_new_full:
 * @reduction: how to reduce the per-sample losses
 * @weight: (nullable): one weight per class, or %NULL
 * @ignore_index: a target value to ignore (PyTorch's default is -100)
 * @label_smoothing: from 0 (none) to 1
 *
 * Creates a cross-entropy loss with every option.
 *
 * Returns: (transfer full): a new #FitCrossEntropyLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_cross_entropy_loss_new_full (FitReduction  reduction,
                                 FitTensor    *weight,
                                 gint64        ignore_index,
                                 double        label_smoothing)
{
  g_return_val_if_fail (weight == NULL || FIT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (label_smoothing >= 0 && label_smoothing <= 1, NULL);

  return g_object_new (FIT_TYPE_CROSS_ENTROPY_LOSS,
                       "reduction", reduction,
                       "weight", weight,
                       "ignore-index", ignore_index,
                       "label-smoothing", label_smoothing,
                       NULL);
}

/* ---- FitNLLLoss ---- */

/**
 * FitNLLLoss:
 *
 * The negative log-likelihood of class indices under log-probabilities, as PyTorch's
 * `nn.NLLLoss`: pair it with a [class@Fit.LogSoftmax] last layer. Shapes, weights and
 * the ignore index are as for [class@Fit.CrossEntropyLoss], which is this loss fused
 * with the log-softmax.
 *
 * Since: 1.0
 */

struct _FitNLLLoss
{
  FitLoss    parent_instance;

  FitTensor *weight;
  gint64     ignore_index;
};

enum {
  NLL_PROP_0,
  NLL_PROP_WEIGHT,
  NLL_PROP_IGNORE_INDEX,
  NLL_N_PROPS
};

static GParamSpec *nll_properties[NLL_N_PROPS];

G_DEFINE_FINAL_TYPE (FitNLLLoss, fit_nll_loss, FIT_TYPE_LOSS)

static void
fit_nll_loss_dispose (GObject *object)
{
  g_clear_object (&FIT_NLL_LOSS (object)->weight);
  G_OBJECT_CLASS (fit_nll_loss_parent_class)->dispose (object);
}

static void
fit_nll_loss_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FitNLLLoss *self = FIT_NLL_LOSS (object);

  switch (prop_id)
    {
    case NLL_PROP_WEIGHT:
      g_value_set_object (value, self->weight);
      break;
    case NLL_PROP_IGNORE_INDEX:
      g_value_set_int64 (value, self->ignore_index);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_nll_loss_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FitNLLLoss *self = FIT_NLL_LOSS (object);

  switch (prop_id)
    {
    case NLL_PROP_WEIGHT:
      if (g_set_object (&self->weight, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case NLL_PROP_IGNORE_INDEX:
      if (self->ignore_index != g_value_get_int64 (value))
        {
          self->ignore_index = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_nll_loss_compute (FitLoss    *loss,
                      FitTensor  *prediction,
                      FitTensor  *target,
                      GError    **error)
{
  FitNLLLoss *self = FIT_NLL_LOSS (loss);

  return class_loss ("FitNLLLoss", prediction, target, fit_loss_get_reduction (loss),
                     self->weight, self->ignore_index, 0.0, TRUE, error);
}

static void
fit_nll_loss_class_init (FitNLLLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitLossClass *loss_class = FIT_LOSS_CLASS (klass);

  object_class->dispose = fit_nll_loss_dispose;
  object_class->get_property = fit_nll_loss_get_property;
  object_class->set_property = fit_nll_loss_set_property;
  loss_class->compute = fit_nll_loss_compute;
  loss_class->classification = TRUE;

  /**
   * FitNLLLoss:weight:
   *
   * A weight per class (a 1-D tensor of C elements), or %NULL for equal weights.
   *
   * Since: 1.0
   */
  nll_properties[NLL_PROP_WEIGHT] = weight_pspec ();

  /**
   * FitNLLLoss:ignore-index:
   *
   * A target value that marks positions which do not count. Default -100.
   *
   * Since: 1.0
   */
  nll_properties[NLL_PROP_IGNORE_INDEX] = ignore_index_pspec ();

  g_object_class_install_properties (object_class, NLL_N_PROPS, nll_properties);
}

static void
fit_nll_loss_init (FitNLLLoss *self)
{
  self->ignore_index = -100;
}

/**
 * fit_nll_loss_new:
 *
 * Creates a negative log-likelihood loss with a mean reduction, no class weights and
 * ignore index -100.
 *
 * Returns: (transfer full): a new #FitNLLLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_nll_loss_new (void)
{
  return g_object_new (FIT_TYPE_NLL_LOSS, NULL);
}

/**
 * fit_nll_loss_new_full:
 * @reduction: how to reduce the per-sample losses
 * @weight: (nullable): one weight per class, or %NULL
 * @ignore_index: a target value to ignore
 *
 * Creates a negative log-likelihood loss with every option.
 *
 * Returns: (transfer full): a new #FitNLLLoss
 *
 * Since: 1.0
 */
FitLoss *
fit_nll_loss_new_full (FitReduction  reduction,
                       FitTensor    *weight,
                       gint64        ignore_index)
{
  g_return_val_if_fail (weight == NULL || FIT_IS_TENSOR (weight), NULL);

  return g_object_new (FIT_TYPE_NLL_LOSS,
                       "reduction", reduction,
                       "weight", weight,
                       "ignore-index", ignore_index,
                       NULL);
}
