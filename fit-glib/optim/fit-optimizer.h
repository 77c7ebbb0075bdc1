/* fit-optimizer.h: the base class of optimizers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-tensor.h"
#include "fit-glib/io/fit-safetensors.h"
#include "fit-glib/optim/fit-param-group.h"
#include "fit-glib/optim/fit-param-state.h"

G_BEGIN_DECLS

#define FIT_TYPE_OPTIMIZER (fit_optimizer_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitOptimizer, fit_optimizer, FIT, OPTIMIZER, GObject)

/**
 * FitOptimizerClass:
 * @parent_class: the parent class
 * @update: updates one parameter in place from its gradient, given the
 *   hyper-parameters of its group and its state; returns %FALSE and sets the error on
 *   failure
 *
 * The virtual functions of [class@Fit.Optimizer].
 *
 * Since: 1.0
 */
struct _FitOptimizerClass
{
  GObjectClass parent_class;

  gboolean (*update) (FitOptimizer   *self,
                      FitParamGroup  *group,
                      FitTensor      *param,
                      FitTensor      *grad,
                      FitParamState  *state,
                      GError        **error);

  /*< private >*/
  gpointer padding[8];
};

FIT_AVAILABLE_IN_1_0
gboolean        fit_optimizer_step                 (FitOptimizer   *self,
                                                    GError        **error);
FIT_AVAILABLE_IN_1_0
void            fit_optimizer_zero_grad            (FitOptimizer   *self);
FIT_AVAILABLE_IN_1_0
FitParamGroup  *fit_optimizer_add_param_group      (FitOptimizer   *self,
                                                    FitTensor     **params,
                                                    guint           n_params,
                                                    double          learning_rate,
                                                    double          weight_decay,
                                                    GError        **error);
FIT_AVAILABLE_IN_1_0
guint           fit_optimizer_get_n_param_groups   (FitOptimizer   *self);
FIT_AVAILABLE_IN_1_0
FitParamGroup  *fit_optimizer_get_param_group      (FitOptimizer   *self,
                                                    guint           index);
FIT_AVAILABLE_IN_1_0
GPtrArray      *fit_optimizer_get_params           (FitOptimizer   *self);
FIT_AVAILABLE_IN_1_0
FitParamState  *fit_optimizer_get_param_state      (FitOptimizer   *self,
                                                    FitTensor      *param);
FIT_AVAILABLE_IN_1_0
double          fit_optimizer_get_learning_rate    (FitOptimizer   *self);
FIT_AVAILABLE_IN_1_0
void            fit_optimizer_set_learning_rate    (FitOptimizer   *self,
                                                    double          learning_rate);
FIT_AVAILABLE_IN_1_0
double          fit_optimizer_get_weight_decay     (FitOptimizer   *self);
FIT_AVAILABLE_IN_1_0
void            fit_optimizer_set_weight_decay     (FitOptimizer   *self,
                                                    double          weight_decay);
FIT_AVAILABLE_IN_1_0
double          fit_optimizer_get_hyper            (FitOptimizer   *self,
                                                    const char     *name);
FIT_AVAILABLE_IN_1_0
void            fit_optimizer_set_hyper            (FitOptimizer   *self,
                                                    const char     *name,
                                                    double          value);
FIT_AVAILABLE_IN_1_0
void            fit_optimizer_save_state           (FitOptimizer   *self,
                                                    FitSafetensors *into,
                                                    const char     *prefix);
FIT_AVAILABLE_IN_1_0
gboolean        fit_optimizer_load_state           (FitOptimizer   *self,
                                                    FitSafetensors *from,
                                                    const char     *prefix,
                                                    GError        **error);

G_END_DECLS
