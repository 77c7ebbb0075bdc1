/* fit-loss.c: the base class of loss functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitLoss:
 *
 * The base class of loss functions: [method@Fit.Loss.compute] compares a model's
 * prediction with a target and returns a tensor whose backward pass yields the
 * gradients that training needs.
 *
 * Subclasses implement [vfunc@Fit.Loss.compute] (in Python `do_compute`, in GJS
 * `vfunc_compute`, in Vala `override`) and honour [property@Fit.Loss:reduction]; a
 * subclass whose class field `classification` is %TRUE tells the estimator that
 * accuracy is meaningful for it.
 *
 * Shapes that a loss cannot pair, and labels outside the classes, are reported as a
 * #GError (%FIT_ERROR_SHAPE, %FIT_ERROR_INVALID_ARGUMENT) whose message names them.
 *
 * Since: 1.0
 */

typedef struct
{
  FitReduction reduction;
} FitLossPrivate;

enum {
  PROP_0,
  PROP_REDUCTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (FitLoss, fit_loss, G_TYPE_OBJECT)

#define GET_PRIV(l) ((FitLossPrivate *) fit_loss_get_instance_private (l))

static void
fit_loss_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_REDUCTION:
      g_value_set_enum (value, GET_PRIV (FIT_LOSS (object))->reduction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_loss_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_REDUCTION:
      fit_loss_set_reduction (FIT_LOSS (object), g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_loss_class_init (FitLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_loss_get_property;
  object_class->set_property = fit_loss_set_property;

  /**
   * FitLoss:reduction:
   *
   * How the per-element losses are reduced: to their mean (the default), their sum,
   * or not at all.
   *
   * Since: 1.0
   */
  properties[PROP_REDUCTION] =
    g_param_spec_enum ("reduction", NULL, NULL, FIT_TYPE_REDUCTION, FIT_REDUCTION_MEAN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_loss_init (FitLoss *self)
{
  GET_PRIV (self)->reduction = FIT_REDUCTION_MEAN;
}

/**
 * fit_loss_compute: (virtual compute)
 * @self: a loss
 * @prediction: the model's output
 * @target: what the output should have been (class indices, probabilities or values,
 *   depending on the loss)
 * @error: return location for a #GError
 *
 * Computes the loss of @prediction against @target, reduced as
 * [property@Fit.Loss:reduction] says. Call [method@Fit.Tensor.backward] on the result
 * (a scalar unless the reduction is %FIT_REDUCTION_NONE) to get the gradients.
 *
 * Returns: (transfer full): the loss, or %NULL with @error set (%FIT_ERROR_SHAPE for
 *   shapes the loss cannot pair, %FIT_ERROR_INVALID_ARGUMENT for labels outside the
 *   classes, %FIT_ERROR_DTYPE for element types it does not accept)
 *
 * Since: 1.0
 */
FitTensor *
fit_loss_compute (FitLoss    *self,
                  FitTensor  *prediction,
                  FitTensor  *target,
                  GError    **error)
{
  FitLossClass *klass;
  GError *local_error = NULL;
  FitTensor *out;

  g_return_val_if_fail (FIT_IS_LOSS (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (prediction), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (target), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = FIT_LOSS_GET_CLASS (self);
  if (klass->compute == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("%s does not implement compute(); override the compute virtual "
                     "function of Fit.Loss"), G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  out = klass->compute (self, prediction, target, &local_error);
  if (local_error != NULL)
    {
      g_clear_object (&out);
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (out == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("compute() of %s returned no tensor and no error (an exception in a "
                     "language binding?)"), G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return out;
}

/**
 * fit_loss_get_reduction:
 * @self: a loss
 *
 * Gets [property@Fit.Loss:reduction].
 *
 * Returns: how the per-element losses are reduced
 *
 * Since: 1.0
 */
FitReduction
fit_loss_get_reduction (FitLoss *self)
{
  g_return_val_if_fail (FIT_IS_LOSS (self), FIT_REDUCTION_MEAN);
  return GET_PRIV (self)->reduction;
}

/**
 * fit_loss_set_reduction:
 * @self: a loss
 * @reduction: how to reduce the per-element losses
 *
 * Sets [property@Fit.Loss:reduction].
 *
 * Since: 1.0
 */
void
fit_loss_set_reduction (FitLoss      *self,
                        FitReduction  reduction)
{
  FitLossPrivate *priv;

  g_return_if_fail (FIT_IS_LOSS (self));
  g_return_if_fail (reduction <= FIT_REDUCTION_NONE);

  priv = GET_PRIV (self);
  if (priv->reduction == reduction)
    return;
  priv->reduction = reduction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDUCTION]);
}

/**
 * fit_loss_is_classification:
 * @self: a loss
 *
 * Tells whether accuracy is a meaningful metric next to this loss.
 *
 * Returns: whether @self compares class scores with class labels (cross-entropy,
 *   negative log-likelihood, binary cross-entropy), so that accuracy is a meaningful
 *   metric next to it; the class field `classification` of [struct@Fit.LossClass]
 *
 * Since: 1.0
 */
gboolean
fit_loss_is_classification (FitLoss *self)
{
  g_return_val_if_fail (FIT_IS_LOSS (self), FALSE);
  return FIT_LOSS_GET_CLASS (self)->classification;
}
