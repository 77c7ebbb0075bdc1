/* fit-adagrad.c: Adagrad
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitAdagrad:
 *
 * Adagrad (Duchi et al., 2011), step for step as PyTorch 1.13's `torch.optim.Adagrad`
 * on dense gradients:
 *
 * ```
 * d = grad + weight_decay · param
 * clr = learning_rate / (1 + (t − 1) · lr_decay)
 * sum = sum + d²
 * param = param − clr · d / (sqrt(sum) + epsilon)
 * ```
 *
 * The state buffer `"sum"` starts at [property@Fit.Adagrad:initial-accumulator-value];
 * t is the parameter's step count.
 *
 * Since: 1.0
 */

struct _FitAdagrad
{
  FitOptimizer parent_instance;
};

enum {
  PROP_0,
  PROP_LR_DECAY,
  PROP_INITIAL_ACCUMULATOR_VALUE,
  PROP_EPSILON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitAdagrad, fit_adagrad, FIT_TYPE_OPTIMIZER)

static gboolean
fit_adagrad_update (FitOptimizer   *optimizer,
                    FitParamGroup  *group,
                    FitTensor      *param,
                    FitTensor      *grad,
                    FitParamState  *state,
                    GError        **error)
{
  const char *op = "FitAdagrad";
  double lr, wd, lr_decay, initial, epsilon;
  FitOptimUpdate update = { .rule = FIT_OPTIM_RULE_ADAGRAD };

  if (!fit_optimizer_check_hyper (op, group, FIT_HYPER_LEARNING_RATE, &lr, error) ||
      !fit_optimizer_check_hyper (op, group, FIT_HYPER_WEIGHT_DECAY, &wd, error) ||
      !fit_optimizer_check_hyper (op, group, "lr-decay", &lr_decay, error) ||
      !fit_optimizer_check_hyper (op, group, "initial-accumulator-value", &initial,
                                  error) ||
      !fit_optimizer_check_hyper (op, group, "epsilon", &epsilon, error))
    return FALSE;

  update.state[0] = fit_param_state_ensure_buffer (state, "sum", param, initial);
  update.adagrad.clr = lr / (1.0 + (double) (fit_param_state_get_step (state) - 1) * lr_decay);
  update.adagrad.wd = wd;
  update.adagrad.epsilon = epsilon;
  return fit_tensor_optim_update (op, param, grad, &update, error);
}

static void
fit_adagrad_get_property (GObject    *object,
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
fit_adagrad_set_property (GObject      *object,
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
fit_adagrad_class_init (FitAdagradClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_adagrad_get_property;
  object_class->set_property = fit_adagrad_set_property;
  FIT_OPTIMIZER_CLASS (klass)->update = fit_adagrad_update;

  /**
   * FitAdagrad:lr-decay:
   *
   * How fast the learning rate decays with the step count.
   *
   * Since: 1.0
   */
  properties[PROP_LR_DECAY] =
    g_param_spec_double ("lr-decay", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitAdagrad:initial-accumulator-value:
   *
   * The starting value of the sum of squared gradients. It applies to parameters
   * whose state does not exist yet.
   *
   * Since: 1.0
   */
  properties[PROP_INITIAL_ACCUMULATOR_VALUE] =
    g_param_spec_double ("initial-accumulator-value", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitAdagrad:epsilon:
   *
   * The term added to the denominator for numerical stability.
   *
   * Since: 1.0
   */
  properties[PROP_EPSILON] =
    g_param_spec_double ("epsilon", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-10,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_adagrad_init (FitAdagrad *self)
{
  FitOptimizer *optimizer = FIT_OPTIMIZER (self);

  fit_optimizer_set_hyper (optimizer, FIT_HYPER_LEARNING_RATE, 1e-2);
  fit_optimizer_set_hyper (optimizer, "lr-decay", 0.0);
  fit_optimizer_set_hyper (optimizer, "initial-accumulator-value", 0.0);
  fit_optimizer_set_hyper (optimizer, "epsilon", 1e-10);
}

/**
 * fit_adagrad_new:
 * @params: (array length=n_params): the parameters to optimize
 * @n_params: the number of parameters
 * @learning_rate: the learning rate, not negative (PyTorch's default is 0.01)
 *
 * Creates an Adagrad optimizer with one parameter group, no learning-rate decay, an
 * initial accumulator of 0, epsilon 1e-10 and no weight decay; change them through
 * the properties.
 *
 * Returns: (transfer full): a new optimizer
 *
 * Since: 1.0
 */
FitOptimizer *
fit_adagrad_new (FitTensor **params,
                 guint       n_params,
                 double      learning_rate)
{
  FitOptimizer *self;

  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (isfinite (learning_rate) && learning_rate >= 0.0, NULL);

  self = g_object_new (FIT_TYPE_ADAGRAD, "learning-rate", learning_rate, NULL);
  fit_optimizer_add_initial_group (self, params, n_params);
  return self;
}
