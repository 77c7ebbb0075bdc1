/* fit-residual.h: a residual block: body(x) + shortcut(x)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_RESIDUAL (fit_residual_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitResidual, fit_residual, FIT, RESIDUAL, FitModule)

FIT_AVAILABLE_IN_1_0
FitResidual *fit_residual_new            (FitModule    *body,
                                          FitModule    *shortcut);
FIT_AVAILABLE_IN_1_0
FitModule   *fit_residual_get_body       (FitResidual  *self);
FIT_AVAILABLE_IN_1_0
FitModule   *fit_residual_get_shortcut   (FitResidual  *self);

G_END_DECLS
