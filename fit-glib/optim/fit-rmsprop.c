/* fit-rmsprop.c: RMSprop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitRMSprop:
 *
 * RMSprop (Hinton's lecture notes; the centered variant of Graves, 2013), step for step
 * as PyTorch 1.13's `torch.optim.RMSprop`:
 *
 * ```
 * d = grad + weight_decay · param
 * square_avg = alpha · square_avg + (1 − alpha) · d²
 * grad_avg = alpha · grad_avg + (1 − alpha) · d                 (centered)
 * avg = sqrt(square_avg − grad_avg² (centered) or square_avg) + epsilon
 * buf = momentum · buf + d / avg;  param = param − learning_rate · buf   (momentum > 0)
 * param = param − learning_rate · d / avg                                 (otherwise)
 * ```
 *
 * The state buffers are `"square_avg"`, `"grad_avg"` (centered) and
 * `"momentum_buffer"` (with momentum).
 *
 * Since: 1.0
 */

struct _FitRMSprop
{
  FitOptimizer parent_instance;
};

enum {
  PROP_0,
  PROP_ALPHA,
  PROP_EPSILON,
  PROP_MOMENTUM,
  PROP_CENTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitRMSprop, fit_rmsprop, FIT_TYPE_OPTIMIZER)

static FitTensor *
optional_buffer (FitParamState *state,
                 const char    *name,
                 FitTensor     *param,
                 gboolean       wanted)
{
  if (!wanted)
    return NULL;
  return fit_param_state_ensure_buffer (state, name, param, 0.0);
}

static gboolean
fit_rmsprop_update (FitOptimizer   *optimizer,
                    FitParamGroup  *group,
                    FitTensor      *param,
                    FitTensor      *grad,
                    FitParamState  *state,
                    GError        **error)
{
  const char *op = "FitRMSprop";
  double lr, wd, alpha, epsilon, momentum, centered;
  FitOptimUpdate update = { .rule = FIT_OPTIM_RULE_RMSPROP };

  if (!fit_optimizer_check_hyper (op, group, FIT_HYPER_LEARNING_RATE, &lr, error) ||
      !fit_optimizer_check_hyper (op, group, FIT_HYPER_WEIGHT_DECAY, &wd, error) ||
      !fit_optimizer_check_hyper (op, group, "alpha", &alpha, error) ||
      !fit_optimizer_check_hyper (op, group, "epsilon", &epsilon, error) ||
      !fit_optimizer_check_hyper (op, group, "momentum", &momentum, error) ||
      !fit_optimizer_check_hyper (op, group, "centered", &centered, error))
    return FALSE;

  update.state[0] = fit_param_state_ensure_buffer (state, "square_avg", param, 0.0);
  update.state[1] = optional_buffer (state, "grad_avg", param, centered != 0.0);
  update.state[2] = optional_buffer (state, "momentum_buffer", param, momentum > 0.0);

  update.rmsprop.lr = lr;
  update.rmsprop.wd = wd;
  update.rmsprop.alpha = alpha;
  update.rmsprop.one_minus_alpha = 1.0 - alpha;
  update.rmsprop.epsilon = epsilon;
  update.rmsprop.momentum = momentum;
  return fit_tensor_optim_update (op, param, grad, &update, error);
}

static void
fit_rmsprop_get_property (GObject    *object,
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
fit_rmsprop_set_property (GObject      *object,
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
fit_rmsprop_class_init (FitRMSpropClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_rmsprop_get_property;
  object_class->set_property = fit_rmsprop_set_property;
  FIT_OPTIMIZER_CLASS (klass)->update = fit_rmsprop_update;

  /**
   * FitRMSprop:alpha:
   *
   * The smoothing constant of the running averages.
   *
   * Since: 1.0
   */
  properties[PROP_ALPHA] =
    g_param_spec_double ("alpha", NULL, NULL, 0.0, G_MAXDOUBLE, 0.99,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitRMSprop:epsilon:
   *
   * The term added to the denominator for numerical stability.
   *
   * Since: 1.0
   */
  properties[PROP_EPSILON] =
    g_param_spec_double ("epsilon", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-8,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitRMSprop:momentum:
   *
   * The momentum factor; 0 turns momentum off.
   *
   * Since: 1.0
   */
  properties[PROP_MOMENTUM] =
    g_param_spec_double ("momentum", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitRMSprop:centered:
   *
   * Whether to normalise by an estimate of the gradient's variance rather than its
   * second moment.
   *
   * Since: 1.0
   */
  properties[PROP_CENTERED] =
    g_param_spec_boolean ("centered", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_rmsprop_init (FitRMSprop *self)
{
  FitOptimizer *optimizer = FIT_OPTIMIZER (self);

  fit_optimizer_set_hyper (optimizer, FIT_HYPER_LEARNING_RATE, 1e-2);
  fit_optimizer_set_hyper (optimizer, "alpha", 0.99);
  fit_optimizer_set_hyper (optimizer, "epsilon", 1e-8);
  fit_optimizer_set_hyper (optimizer, "momentum", 0.0);
  fit_optimizer_set_hyper (optimizer, "centered", 0.0);
}

/**
 * fit_rmsprop_new:
 * @params: (array length=n_params): the parameters to optimize
 * @n_params: the number of parameters
 * @learning_rate: the learning rate, not negative (PyTorch's default is 0.01)
 *
 * Creates an RMSprop optimizer with one parameter group, alpha 0.99, epsilon 1e-8, no
 * momentum, not centered and no weight decay; change them through the properties.
 *
 * Returns: (transfer full): a new optimizer
 *
 * Since: 1.0
 */
FitOptimizer *
fit_rmsprop_new (FitTensor **params,
                 guint       n_params,
                 double      learning_rate)
{
  FitOptimizer *self;

  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (isfinite (learning_rate) && learning_rate >= 0.0, NULL);

  self = g_object_new (FIT_TYPE_RMSPROP, "learning-rate", learning_rate, NULL);
  fit_optimizer_add_initial_group (self, params, n_params);
  return self;
}
