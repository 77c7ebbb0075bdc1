/* fit-core-private.h: what the layers above core may use that is not public
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * nn/, optim/, metrics/, data/, io/ and train/ work on tensors through the public API
 * and this header only: they never see a tensor's fields (core/fit-tensor-private.h,
 * for core/ and backends/ alone) and never call a kernel. What is here is private
 * because it is not a promise to users, not because it is dangerous.
 */

#pragma once

#include "fit-glib/core/fit-core.h"

G_BEGIN_DECLS

/* Where a tensor's memory is: the one device check of the layers above core. */
FitDeviceType  fit_tensor_get_device_type   (FitTensor  *t);
guint          fit_tensor_get_device_index  (FitTensor  *t);

/* ---- operations nn/ builds on: normalization (fit-tensor-norm.c) ---- */

/* ---- operations nn/ builds on: losses (fit-tensor-loss.c) ---- */

/* ---- operations nn/ builds on: recurrent cells (fit-tensor-rnn.c) ---- */

/* ---- operations nn/ builds on: pooling (fit-tensor-pool.c) ---- */

/* ---- operations optim/ builds on: updates and clipping (fit-tensor-optim.c) ---- */

/* The update rules the backends implement, each PyTorch 1.13's arithmetic operation for
 * operation (optim/ documents them): AdamW is ADAM with a decay of the weights. */
typedef enum
{
  FIT_OPTIM_RULE_SGD,
  FIT_OPTIM_RULE_ADAM,
  FIT_OPTIM_RULE_RMSPROP,
  FIT_OPTIM_RULE_ADAGRAD,
} FitOptimRule;

#define FIT_OPTIM_MAX_STATE 3

typedef struct _FitOptimUpdate FitOptimUpdate;

/* One update of one parameter. The hyper-parameters come as the arithmetic uses them,
 * already combined in double by the optimizer (1 − β, the bias-corrected step size…):
 * a backend rounds each to the parameter's element type once and computes nothing else
 * in double, so every backend rounds as the CPU does. A NULL state buffer turns its part
 * of the rule off. */
struct _FitOptimUpdate
{
  FitOptimRule  rule;
  /* SGD: the momentum buffer. Adam: exp_avg, exp_avg_sq and max_exp_avg_sq (AMSGrad).
   * RMSprop: square_avg, grad_avg (centered) and momentum_buffer. Adagrad: sum. */
  FitTensor    *state[FIT_OPTIM_MAX_STATE];
  union
  {
    /* With first set, the buffer starts at the gradient (a decay of 0, a scale of 1). */
    struct
    {
      double    lr, wd, momentum, one_minus_dampening;
      gboolean  nesterov, first;
    } sgd;
    /* wd is Adam's L2 term, decay AdamW's factor on the weights; never both. */
    struct
    {
      double    wd, decay, beta1, one_minus_beta1, beta2, one_minus_beta2;
      double    bias_correction2_sqrt, epsilon, neg_step_size;
    } adam;
    struct
    {
      double    lr, wd, alpha, one_minus_alpha, epsilon, momentum;
    } rmsprop;
    /* clr: the learning rate after its decay. */
    struct
    {
      double    clr, wd, epsilon;
    } adagrad;
  };
};

/* Runs @update on @param with @grad (both of one element type and shape, as its state
 * buffers), on their device; FIT_ERROR_DEVICE naming @op where the device lacks it. */
gboolean       fit_tensor_optim_update      (const char            *op,
                                             FitTensor             *param,
                                             FitTensor             *grad,
                                             const FitOptimUpdate  *update,
                                             GError               **error);
/* The sum of the squares of @t's elements, accumulated in double, in *@sum: clipping by
 * norm. @t is float32 or float64. */
gboolean       fit_tensor_clip_sum_squares  (const char            *op,
                                             FitTensor             *t,
                                             double                *sum,
                                             GError               **error);
/* Clamps @t's elements into [−@clip_value, @clip_value] in place, not recorded by
 * autograd; a device without the kernel is a critical naming @op, as this has no
 * GError to report it in (fit_clip_grad_value() has none). */
void           fit_tensor_clip_value        (const char            *op,
                                             FitTensor             *t,
                                             double                 clip_value);

G_END_DECLS
