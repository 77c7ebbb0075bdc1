/* fit-multi-step-lr.h: decay by a factor at given steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"

G_BEGIN_DECLS

#define FIT_TYPE_MULTI_STEP_LR (fit_multi_step_lr_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitMultiStepLR, fit_multi_step_lr, FIT, MULTI_STEP_LR, FitLrSchedule)

FIT_AVAILABLE_IN_1_0
FitLrSchedule *fit_multi_step_lr_new             (const gint64   *milestones,
                                                  guint           n_milestones,
                                                  double          gamma);
FIT_AVAILABLE_IN_1_0
const gint64  *fit_multi_step_lr_get_milestones  (FitMultiStepLR *self,
                                                  guint          *n_milestones);

G_END_DECLS
