/* fit-param-group.h: parameters that share hyper-parameters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

#define FIT_TYPE_PARAM_GROUP (fit_param_group_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitParamGroup, fit_param_group, FIT, PARAM_GROUP, GObject)

FIT_AVAILABLE_IN_1_0
GPtrArray   *fit_param_group_get_params          (FitParamGroup  *self);
FIT_AVAILABLE_IN_1_0
guint        fit_param_group_get_n_params        (FitParamGroup  *self);
FIT_AVAILABLE_IN_1_0
double       fit_param_group_get_learning_rate   (FitParamGroup  *self);
FIT_AVAILABLE_IN_1_0
void         fit_param_group_set_learning_rate   (FitParamGroup  *self,
                                                  double          learning_rate);
FIT_AVAILABLE_IN_1_0
double       fit_param_group_get_weight_decay    (FitParamGroup  *self);
FIT_AVAILABLE_IN_1_0
void         fit_param_group_set_weight_decay    (FitParamGroup  *self,
                                                  double          weight_decay);
FIT_AVAILABLE_IN_1_0
gboolean     fit_param_group_has_hyper           (FitParamGroup  *self,
                                                  const char     *name);
FIT_AVAILABLE_IN_1_0
double       fit_param_group_get_hyper           (FitParamGroup  *self,
                                                  const char     *name);
FIT_AVAILABLE_IN_1_0
void         fit_param_group_set_hyper           (FitParamGroup  *self,
                                                  const char     *name,
                                                  double          value);
FIT_AVAILABLE_IN_1_0
char       **fit_param_group_get_hyper_names     (FitParamGroup  *self);

G_END_DECLS
