/* fit-adamw.c: Adam with decoupled weight decay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitAdamW:
 *
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2017), step for step as
 * PyTorch 1.13's `torch.optim.AdamW`: each step first shrinks the parameter,
 * `param = param · (1 − learning_rate · weight_decay)`, then makes the Adam update of
 * [class@Fit.Adam] without an L2 term in the gradient.
 *
 * Its properties are those of [class@Fit.Adam]: `beta1`, `beta2`, `epsilon` and
 * `amsgrad`; the weight decay defaults to 0.01.
 *
 * Since: 1.0
 */

struct _FitAdamW
{
  FitOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (FitAdamW, fit_adamw, FIT_TYPE_OPTIMIZER)

static gboolean
fit_adamw_update (FitOptimizer   *optimizer,
                  FitParamGroup  *group,
                  FitTensor      *param,
                  FitTensor      *grad,
                  FitParamState  *state,
                  GError        **error)
{
  return fit_adam_update_param ("FitAdamW", group, param, grad, state, TRUE, error);
}

static void
fit_adamw_class_init (FitAdamWClass *klass)
{
  FIT_OPTIMIZER_CLASS (klass)->update = fit_adamw_update;

  /**
   * FitAdamW:beta1:
   *
   * The decay rate of the running mean of the gradient, in [0, 1).
   *
   * Since: 1.0
   */
  /**
   * FitAdamW:beta2:
   *
   * The decay rate of the running mean of the squared gradient, in [0, 1).
   *
   * Since: 1.0
   */
  /**
   * FitAdamW:epsilon:
   *
   * The term added to the denominator for numerical stability.
   *
   * Since: 1.0
   */
  /**
   * FitAdamW:amsgrad:
   *
   * Whether to use the AMSGrad variant.
   *
   * Since: 1.0
   */
  fit_adam_install_properties (G_OBJECT_CLASS (klass));
}

static void
fit_adamw_init (FitAdamW *self)
{
  fit_adam_init_hypers (FIT_OPTIMIZER (self));
  fit_optimizer_set_hyper (FIT_OPTIMIZER (self), FIT_HYPER_WEIGHT_DECAY, 1e-2);
}

/**
 * fit_adamw_new:
 * @params: (array length=n_params): the parameters to optimize
 * @n_params: the number of parameters
 * @learning_rate: the learning rate, not negative (PyTorch's default is 0.001)
 * @weight_decay: the decoupled weight decay, not negative (PyTorch's default is 0.01)
 *
 * Creates an AdamW optimizer with one parameter group, betas (0.9, 0.999) and
 * epsilon 1e-8.
 *
 * Returns: (transfer full): a new optimizer
 *
 * Since: 1.0
 */
FitOptimizer *
fit_adamw_new (FitTensor **params,
               guint       n_params,
               double      learning_rate,
               double      weight_decay)
{
  FitOptimizer *self;

  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (isfinite (learning_rate) && learning_rate >= 0.0, NULL);
  g_return_val_if_fail (isfinite (weight_decay) && weight_decay >= 0.0, NULL);

  self = g_object_new (FIT_TYPE_ADAMW,
                       "learning-rate", learning_rate,
                       "weight-decay", weight_decay,
                       NULL);
  fit_optimizer_add_initial_group (self, params, n_params);
  return self;
}
