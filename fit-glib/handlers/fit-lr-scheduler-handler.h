/* fit-lr-scheduler-handler.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"
#include "fit-glib/train/fit-estimator.h"
#include "fit-glib/train/fit-event-handler.h"

G_BEGIN_DECLS

#define FIT_TYPE_LR_SCHEDULER_HANDLER (fit_lr_scheduler_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLrSchedulerHandler, fit_lr_scheduler_handler, FIT, LR_SCHEDULER_HANDLER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_lr_scheduler_handler_new (FitLrSchedule *schedule,
                                                   gboolean       per_batch);

G_END_DECLS
