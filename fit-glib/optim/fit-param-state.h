/* fit-param-state.h: what an optimizer remembers about one parameter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

#define FIT_TYPE_PARAM_STATE (fit_param_state_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitParamState, fit_param_state, FIT, PARAM_STATE, GObject)

FIT_AVAILABLE_IN_1_0
gint64       fit_param_state_get_step          (FitParamState  *self);
FIT_AVAILABLE_IN_1_0
void         fit_param_state_set_step          (FitParamState  *self,
                                                gint64          step);
FIT_AVAILABLE_IN_1_0
FitTensor   *fit_param_state_get_buffer        (FitParamState  *self,
                                                const char     *name);
FIT_AVAILABLE_IN_1_0
void         fit_param_state_set_buffer        (FitParamState  *self,
                                                const char     *name,
                                                FitTensor      *buffer);
FIT_AVAILABLE_IN_1_0
FitTensor   *fit_param_state_ensure_buffer     (FitParamState  *self,
                                                const char     *name,
                                                FitTensor      *like,
                                                double          fill_value);
FIT_AVAILABLE_IN_1_0
char       **fit_param_state_get_buffer_names  (FitParamState  *self);

G_END_DECLS
