/* fit-lr-schedule.c: the base class of learning-rate schedules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitLrSchedule:
 *
 * A learning-rate schedule: a pure function from a step number (counted from 0) and
 * the optimizer's configured rate to the rate to use at that step.
 *
 * Schedules hold no state. A handler asks for the rate of the step it is about to run
 * and sets [property@Fit.Optimizer:learning-rate]; it also decides whether a step is a
 * batch or an epoch. Resuming from a checkpoint needs nothing but the step number.
 *
 * The built-in schedules mirror `torch.optim.lr_scheduler`: [class@Fit.StepLR],
 * [class@Fit.MultiStepLR], [class@Fit.ExponentialLR], [class@Fit.CosineLR] (cosine
 * annealing after an optional linear warm-up), [class@Fit.OneCycleLR] and
 * [class@Fit.LinearWarmupLR]. A new schedule implements
 * [vfunc@Fit.LrSchedule.get_learning_rate], in any language.
 *
 * Since: 1.0
 */

G_DEFINE_ABSTRACT_TYPE (FitLrSchedule, fit_lr_schedule, G_TYPE_OBJECT)

static void
fit_lr_schedule_class_init (FitLrScheduleClass *klass)
{
}

static void
fit_lr_schedule_init (FitLrSchedule *self)
{
}

/**
 * fit_lr_schedule_get_learning_rate:
 * @self: a `FitLrSchedule`
 * @base_lr: the optimizer's configured learning rate
 * @step: the step number, counted from 0
 *
 * Computes the learning rate of step @step.
 *
 * Returns: the learning rate
 *
 * Since: 1.0
 */
double
fit_lr_schedule_get_learning_rate (FitLrSchedule *self,
                                   double         base_lr,
                                   gint64         step)
{
  FitLrScheduleClass *klass;

  g_return_val_if_fail (FIT_IS_LR_SCHEDULE (self), base_lr);
  g_return_val_if_fail (step >= 0, base_lr);
  g_return_val_if_fail (isfinite (base_lr) && base_lr >= 0.0, base_lr);

  klass = FIT_LR_SCHEDULE_GET_CLASS (self);
  g_return_val_if_fail (klass->get_learning_rate != NULL, base_lr);
  return klass->get_learning_rate (self, base_lr, step);
}
