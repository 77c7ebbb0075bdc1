/* fit-step-lr.h: decay by a factor every few steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"

G_BEGIN_DECLS

#define FIT_TYPE_STEP_LR (fit_step_lr_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitStepLR, fit_step_lr, FIT, STEP_LR, FitLrSchedule)

FIT_AVAILABLE_IN_1_0
FitLrSchedule *fit_step_lr_new (gint64  step_size,
                                double  gamma);

G_END_DECLS
