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

#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-core.h"

G_BEGIN_DECLS

/* Where a tensor's memory is: the one device check of the layers above core. */
FitDeviceType  fit_tensor_get_device_type   (FitTensor  *t);
guint          fit_tensor_get_device_index  (FitTensor  *t);

/* ---- checks, shapes and tensors the layers above core share with it (fit-tensor.c) ----
 *
 * Private because they are not promises to users: the layers above core check what
 * callers and files give them with core's rules and core's messages, and the readers
 * and transforms of data/ fill tensors they allocate without zeroing them first. */

/* For what only the host can do (a data transform, a reader's copy, an optimizer's
 * bookkeeping): the message of fit_backend_lookup() (fit-dispatch.c) for an operation a
 * device lacks. Front doors of kernels use FIT_BACKEND_LOOKUP instead. */
gboolean    fit_check_cpu              (const char     *op,
                                        FitTensor      *t,
                                        GError        **error);
gboolean    fit_check_floating         (const char     *op,
                                        FitTensor      *t,
                                        GError        **error);

/* Uninitialised contiguous tensor on the CPU from the buffer pool; the caller writes
 * every element (fit_tensor_get_data_mutable() gives the memory). */
FitTensor  *fit_tensor_new_empty       (FitDType        dtype,
                                        const gint64   *shape,
                                        guint           n_dims);
FitTensor  *fit_tensor_new_empty_like  (FitTensor      *like);
/* A view sharing @base's storage: @shape must hold the same number of elements. */
FitTensor  *fit_tensor_new_view        (FitTensor      *base,
                                        gsize           offset_bytes,
                                        const gint64   *shape,
                                        guint           n_dims);

/* Float to integer conversions. C leaves (int) v undefined for NaN, infinities and
 * values whose truncation does not fit; fit_double_fits_int() tells whether it is
 * defined, fit_double_to_int_saturated() defines it (NaN 0, beyond the range the nearest
 * end), and fit_check_fits_int() sets FIT_ERROR_INVALID_ARGUMENT naming @what and the
 * first element of @t that does not fit. @dtype is FIT_DTYPE_INT32 or _INT64. */
gboolean    fit_double_fits_int        (double          v,
                                        FitDType        dtype);
gint64      fit_double_to_int_saturated (double         v,
                                        FitDType        dtype);
gboolean    fit_check_fits_int         (const char     *what,
                                        FitTensor      *t,
                                        FitDType        dtype,
                                        GError        **error);

gboolean    fit_shape_equal            (const gint64   *a,
                                        guint           na,
                                        const gint64   *b,
                                        guint           nb);
gint64      fit_shape_numel            (const gint64   *shape,
                                        guint           n_dims);
gboolean    fit_shape_check            (const char     *what,
                                        const gint64   *shape,
                                        guint           n_dims,
                                        GError        **error);
/* The rule fit_shape_check() applies, without a message: for the constructors that
 * take a shape as a programmer's promise (g_return_val_if_fail). */
gboolean    fit_shape_is_valid         (const gint64   *shape,
                                        guint           n_dims);
/* The check of a shape an operation computed for its result (a broadcast, a product of
 * sizes from different inputs, an output-size formula), before it is allocated: sets
 * FIT_ERROR_SHAPE naming @op and the shape. Every operation that can make a result
 * larger than its inputs calls it; tensor allocation aborts on a shape that slipped
 * through rather than write past a wrapped-around buffer size. */
gboolean    fit_shape_check_result     (const char     *op,
                                        const gint64   *shape,
                                        guint           n_dims,
                                        GError        **error);
char       *fit_shape_to_string        (const gint64   *shape,
                                        guint           n_dims);

/* fit_tensor_one_hot(), with @op naming the caller in messages (the FitOneHot
 * transform). */
FitTensor  *fit_one_hot_encode         (const char     *op,
                                        FitTensor      *labels,
                                        gint64          n_classes,
                                        GError        **error);

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
