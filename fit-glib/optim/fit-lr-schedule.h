/* fit-lr-schedule.h: the base class of learning-rate schedules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/fit-version-macros.h"

G_BEGIN_DECLS

#define FIT_TYPE_LR_SCHEDULE (fit_lr_schedule_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitLrSchedule, fit_lr_schedule, FIT, LR_SCHEDULE, GObject)

/**
 * FitLrScheduleClass:
 * @parent_class: the parent class
 * @compute: stores in @learning_rate the rate at @step (counted from 0) for an optimizer
 *   whose configured rate is @base_lr, or sets @error; a pure function of its arguments
 *   and the schedule's properties
 *
 * The virtual functions of [class@Fit.LrSchedule]. See [vfunc@Fit.LrSchedule.compute]
 * for why the rate comes back through an out parameter.
 *
 * Since: 1.0
 */
struct _FitLrScheduleClass
{
  GObjectClass parent_class;

  void (*compute) (FitLrSchedule  *self,
                   double          base_lr,
                   gint64          step,
                   double         *learning_rate,
                   GError        **error);

  /*< private >*/
  gpointer padding[8];
};

FIT_AVAILABLE_IN_1_0
double  fit_lr_schedule_get_learning_rate  (FitLrSchedule  *self,
                                            double          base_lr,
                                            gint64          step,
                                            GError        **error);

G_END_DECLS
