/* fit-linear-warmup-lr.h: a linear ramp of the learning rate
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"

G_BEGIN_DECLS

#define FIT_TYPE_LINEAR_WARMUP_LR (fit_linear_warmup_lr_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLinearWarmupLR, fit_linear_warmup_lr, FIT, LINEAR_WARMUP_LR, FitLrSchedule)

FIT_AVAILABLE_IN_1_0
FitLrSchedule *fit_linear_warmup_lr_new (gint64  warmup_steps,
                                         double  start_factor);

G_END_DECLS
