/* fit-one-cycle-lr.h: the one-cycle policy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"

G_BEGIN_DECLS

#define FIT_TYPE_ONE_CYCLE_LR (fit_one_cycle_lr_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitOneCycleLR, fit_one_cycle_lr, FIT, ONE_CYCLE_LR, FitLrSchedule)

FIT_AVAILABLE_IN_1_0
FitLrSchedule *fit_one_cycle_lr_new (gint64 total_steps);

G_END_DECLS
