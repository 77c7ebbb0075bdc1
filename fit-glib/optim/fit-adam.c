/* fit-adam.c: Adam
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitAdam:
 *
 * The Adam optimizer (Kingma and Ba, 2014), step for step as PyTorch 1.13's
 * `torch.optim.Adam`, with weight decay as an L2 term added to the gradient and the
 * optional AMSGrad variant:
 *
 * ```
 * d = grad + weight_decay · param
 * exp_avg = beta1 · exp_avg + (1 − beta1) · d
 * exp_avg_sq = beta2 · exp_avg_sq + (1 − beta2) · d²
 * denom = sqrt(exp_avg_sq (or its running maximum)) / sqrt(1 − beta2^t) + epsilon
 * param = param − learning_rate / (1 − beta1^t) · exp_avg / denom
 * ```
 *
 * The state buffers are `"exp_avg"`, `"exp_avg_sq"` and, with AMSGrad,
 * `"max_exp_avg_sq"`; t is the parameter's step count. For weight decay decoupled from
 * the gradient, use [class@Fit.AdamW].
 *
 * Since: 1.0
 */

struct _FitAdam
{
  FitOptimizer parent_instance;
};

enum {
  PROP_0,
  PROP_BETA1,
  PROP_BETA2,
  PROP_EPSILON,
  PROP_AMSGRAD,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (FitAdam, fit_adam, FIT_TYPE_OPTIMIZER)

gboolean
fit_adam_update_param (const char     *op,
                       FitParamGroup  *group,
                       FitTensor      *param,
                       FitTensor      *grad,
                       FitParamState  *state,
                       gboolean        decoupled,
                       GError        **error)
{
  double lr, wd, beta1, beta2, epsilon, amsgrad;
  double step, bias_correction1, bias_correction2_sqrt, decay = 1.0;
  FitOptimUpdate update = { .rule = FIT_OPTIM_RULE_ADAM };

  if (!fit_optimizer_check_hyper (op, group, FIT_HYPER_LEARNING_RATE, &lr, error) ||
      !fit_optimizer_check_hyper (op, group, FIT_HYPER_WEIGHT_DECAY, &wd, error) ||
      !fit_optimizer_check_hyper (op, group, "beta1", &beta1, error) ||
      !fit_optimizer_check_hyper (op, group, "beta2", &beta2, error) ||
      !fit_optimizer_check_hyper (op, group, "epsilon", &epsilon, error) ||
      !fit_optimizer_check_hyper (op, group, "amsgrad", &amsgrad, error))
    return FALSE;
  if (beta1 >= 1.0 || beta2 >= 1.0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: beta1 (%g) and beta2 (%g) must be less than 1"), op, beta1, beta2);
      return FALSE;
    }

  update.state[0] = fit_param_state_ensure_buffer (state, "exp_avg", param, 0.0);
  update.state[1] = fit_param_state_ensure_buffer (state, "exp_avg_sq", param, 0.0);
  if (amsgrad != 0.0)
    update.state[2] = fit_param_state_ensure_buffer (state, "max_exp_avg_sq", param, 0.0);

  step = (double) fit_param_state_get_step (state);
  bias_correction1 = 1.0 - pow (beta1, step);
  bias_correction2_sqrt = sqrt (1.0 - pow (beta2, step));
  if (decoupled)
    {
      decay = 1.0 - lr * wd;
      wd = 0.0;
    }

  update.adam.wd = wd;
  update.adam.decay = decay;
  update.adam.beta1 = beta1;
  update.adam.one_minus_beta1 = 1.0 - beta1;
  update.adam.beta2 = beta2;
  update.adam.one_minus_beta2 = 1.0 - beta2;
  update.adam.bias_correction2_sqrt = bias_correction2_sqrt;
  update.adam.epsilon = epsilon;
  update.adam.neg_step_size = -(lr / bias_correction1);
  return fit_tensor_optim_update (op, param, grad, &update, error);
}

static gboolean
fit_adam_update (FitOptimizer   *optimizer,
                 FitParamGroup  *group,
                 FitTensor      *param,
                 FitTensor      *grad,
                 FitParamState  *state,
                 GError        **error)
{
  return fit_adam_update_param ("FitAdam", group, param, grad, state, FALSE, error);
}

static void
fit_adam_get_property (GObject    *object,
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
fit_adam_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  if (prop_id > PROP_0 && prop_id < N_PROPS)
    fit_optimizer_set_hyper_property (FIT_OPTIMIZER (object), pspec, value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/* Adam and AdamW have the same properties, with the same ids. */
void
fit_adam_install_properties (GObjectClass *object_class)
{
  GParamSpec *properties[N_PROPS] = { NULL, };

  object_class->get_property = fit_adam_get_property;
  object_class->set_property = fit_adam_set_property;

  properties[PROP_BETA1] =
    g_param_spec_double ("beta1", NULL, NULL, 0.0, 1.0, 0.9,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BETA2] =
    g_param_spec_double ("beta2", NULL, NULL, 0.0, 1.0, 0.999,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EPSILON] =
    g_param_spec_double ("epsilon", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-8,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AMSGRAD] =
    g_param_spec_boolean ("amsgrad", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

void
fit_adam_init_hypers (FitOptimizer *self)
{
  fit_optimizer_set_hyper (self, "beta1", 0.9);
  fit_optimizer_set_hyper (self, "beta2", 0.999);
  fit_optimizer_set_hyper (self, "epsilon", 1e-8);
  fit_optimizer_set_hyper (self, "amsgrad", 0.0);
}

static void
fit_adam_class_init (FitAdamClass *klass)
{
  FIT_OPTIMIZER_CLASS (klass)->update = fit_adam_update;

  /**
   * FitAdam:beta1:
   *
   * The decay rate of the running mean of the gradient, in [0, 1).
   *
   * Since: 1.0
   */
  /**
   * FitAdam:beta2:
   *
   * The decay rate of the running mean of the squared gradient, in [0, 1).
   *
   * Since: 1.0
   */
  /**
   * FitAdam:epsilon:
   *
   * The term added to the denominator for numerical stability.
   *
   * Since: 1.0
   */
  /**
   * FitAdam:amsgrad:
   *
   * Whether to use the AMSGrad variant, which divides by the running maximum of the
   * second moment.
   *
   * Since: 1.0
   */
  fit_adam_install_properties (G_OBJECT_CLASS (klass));
}

static void
fit_adam_init (FitAdam *self)
{
  fit_adam_init_hypers (FIT_OPTIMIZER (self));
}

/**
 * fit_adam_new:
 * @params: (array length=n_params): the parameters to optimize
 * @n_params: the number of parameters
 * @learning_rate: the learning rate, not negative (PyTorch's default is 0.001)
 *
 * Creates an Adam optimizer with one parameter group, betas (0.9, 0.999), epsilon 1e-8
 * and no weight decay; change them through the properties.
 *
 * Returns: (transfer full): a new optimizer
 *
 * Since: 1.0
 */
FitOptimizer *
fit_adam_new (FitTensor **params,
              guint       n_params,
              double      learning_rate)
{
  FitOptimizer *self;

  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (isfinite (learning_rate) && learning_rate >= 0.0, NULL);

  self = g_object_new (FIT_TYPE_ADAM, "learning-rate", learning_rate, NULL);
  fit_optimizer_add_initial_group (self, params, n_params);
  return self;
}
