/* fit-sgd.c: stochastic gradient descent with momentum
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitSGD:
 *
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
 * weight decay, step for step as PyTorch 1.13's `torch.optim.SGD`:
 *
 * ```
 * d = grad + weight_decay · param
 * buf = d on the first step, else momentum · buf + (1 − dampening) · d
 * d = d + momentum · buf  (Nesterov)  or  buf  (plain momentum)
 * param = param − learning_rate · d
 * ```
 *
 * The momentum buffer is the state buffer `"momentum_buffer"`. Its hyper-parameters are
 * the properties [property@Fit.SGD:momentum], [property@Fit.SGD:dampening] and
 * [property@Fit.SGD:nesterov] (and the learning rate and weight decay of
 * [class@Fit.Optimizer]); a group can override each with
 * [method@Fit.ParamGroup.set_hyper].
 *
 * Since: 1.0
 */

struct _FitSGD
{
  FitOptimizer parent_instance;
};

enum {
  PROP_0,
  PROP_MOMENTUM,
  PROP_DAMPENING,
  PROP_NESTEROV,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitSGD, fit_sgd, FIT_TYPE_OPTIMIZER)

static gboolean
fit_sgd_update (FitOptimizer   *optimizer,
                FitParamGroup  *group,
                FitTensor      *param,
                FitTensor      *grad,
                FitParamState  *state,
                GError        **error)
{
  const char *op = "FitSGD";
  double lr, wd, momentum, dampening, nesterov;
  FitOptimUpdate update = { .rule = FIT_OPTIM_RULE_SGD };
  FitTensor *buffer = NULL;
  gboolean first = FALSE;

  if (!fit_optimizer_check_hyper (op, group, FIT_HYPER_LEARNING_RATE, &lr, error) ||
      !fit_optimizer_check_hyper (op, group, FIT_HYPER_WEIGHT_DECAY, &wd, error) ||
      !fit_optimizer_check_hyper (op, group, "momentum", &momentum, error) ||
      !fit_optimizer_check_hyper (op, group, "dampening", &dampening, error) ||
      !fit_optimizer_check_hyper (op, group, "nesterov", &nesterov, error))
    return FALSE;
  if (nesterov != 0.0 && (momentum <= 0.0 || dampening != 0.0))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("FitSGD: Nesterov momentum needs a positive momentum and zero dampening "
                     "(momentum is %g, dampening %g)"), momentum, dampening);
      return FALSE;
    }

  if (momentum != 0.0)
    {
      buffer = fit_param_state_get_buffer (state, "momentum_buffer");
      if (buffer == NULL)
        {
          /* PyTorch starts the buffer at the first (decayed) gradient, not at zero. */
          buffer = fit_param_state_ensure_buffer (state, "momentum_buffer", param, 0.0);
          first = TRUE;
        }
    }

  update.state[0] = buffer;
  update.sgd.lr = lr;
  update.sgd.wd = wd;
  update.sgd.momentum = momentum;
  update.sgd.one_minus_dampening = 1.0 - dampening;
  update.sgd.nesterov = nesterov != 0.0;
  update.sgd.first = first;
  return fit_tensor_optim_update (op, param, grad, &update, error);
}

static void
fit_sgd_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  if (prop_id > PROP_0 && prop_id < N_PROPS)
    fit_optimizer_get_hyper_property (FIT_OPTIMIZER (object), pspec, value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_sgd_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  if (prop_id > PROP_0 && prop_id < N_PROPS)
    fit_optimizer_set_hyper_property (FIT_OPTIMIZER (object), pspec, value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fit_sgd_class_init (FitSGDClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_sgd_get_property;
  object_class->set_property = fit_sgd_set_property;
  FIT_OPTIMIZER_CLASS (klass)->update = fit_sgd_update;

  /**
   * FitSGD:momentum:
   *
   * The momentum factor; 0 turns momentum off.
   *
   * Since: 1.0
   */
  properties[PROP_MOMENTUM] =
    g_param_spec_double ("momentum", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitSGD:dampening:
   *
   * The dampening of momentum: the buffer adds (1 − dampening) × the gradient.
   *
   * Since: 1.0
   */
  properties[PROP_DAMPENING] =
    g_param_spec_double ("dampening", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitSGD:nesterov:
   *
   * Whether to use Nesterov momentum, which needs a positive momentum and zero
   * dampening.
   *
   * Since: 1.0
   */
  properties[PROP_NESTEROV] =
    g_param_spec_boolean ("nesterov", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_sgd_init (FitSGD *self)
{
  FitOptimizer *optimizer = FIT_OPTIMIZER (self);

  fit_optimizer_set_hyper (optimizer, "momentum", 0.0);
  fit_optimizer_set_hyper (optimizer, "dampening", 0.0);
  fit_optimizer_set_hyper (optimizer, "nesterov", 0.0);
}

/**
 * fit_sgd_new:
 * @params: (array length=n_params): the parameters to optimize
 * @n_params: the number of parameters
 * @learning_rate: the learning rate, not negative
 * @momentum: the momentum factor, not negative (0 for none)
 *
 * Creates an SGD optimizer with one parameter group. Set dampening, Nesterov momentum
 * and weight decay through the properties.
 *
 * Returns: (transfer full): a new optimizer
 *
 * Since: 1.0
 */
FitOptimizer *
fit_sgd_new (FitTensor **params,
             guint       n_params,
             double      learning_rate,
             double      momentum)
{
  FitOptimizer *self;

  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (isfinite (learning_rate) && learning_rate >= 0.0, NULL);
  g_return_val_if_fail (isfinite (momentum) && momentum >= 0.0, NULL);

  self = g_object_new (FIT_TYPE_SGD,
                       "learning-rate", learning_rate,
                       "momentum", momentum,
                       NULL);
  fit_optimizer_add_initial_group (self, params, n_params);
  return self;
}
