/* fit-lr-schedule.c: the base class of learning-rate schedules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>
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
 * [class@Fit.LinearWarmupLR]. A new schedule implements [vfunc@Fit.LrSchedule.compute],
 * in any language, in its natural form: return the rate, and raise (Python) or throw
 * (JavaScript, Vala) to fail:
 *
 * ```python
 * class Halving(Fit.LrSchedule):
 *     def do_compute(self, base_lr, step):
 *         return base_lr / 2 ** step
 * ```
 *
 * ```js
 * vfunc_compute(baseLr, step) { return baseLr / 2 ** step; }
 * ```
 *
 * ```vala
 * public override void compute (double base_lr, int64 step, out double rate) throws Error {
 *     rate = base_lr / Math.pow (2, step);
 * }
 * ```
 *
 * `compute` hands its rate back through an out parameter, not as a return value, because
 * GJS 1.74 (Debian 12) passes C a garbage number for a `double` returned by a JavaScript
 * virtual method (0.75 arrives as 0), while a `double` out parameter arrives intact.
 *
 * A rate that is NaN, infinite or negative is an error naming the schedule, the step and
 * the value ([method@Fit.LrSchedule.get_learning_rate]); in a fit, that error or the
 * schedule's own fails the fit, as a failing handler does.
 *
 * Since: 1.0
 */

G_DEFINE_ABSTRACT_TYPE (FitLrSchedule, fit_lr_schedule, G_TYPE_OBJECT)

static void
fit_lr_schedule_real_compute (FitLrSchedule  *self,
                              double          base_lr,
                              gint64          step,
                              double         *learning_rate,
                              GError        **error)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
               _("Learning-rate schedule %s does not implement compute()"),
               G_OBJECT_TYPE_NAME (self));
}

static void
fit_lr_schedule_class_init (FitLrScheduleClass *klass)
{
  klass->compute = fit_lr_schedule_real_compute;
}

static void
fit_lr_schedule_init (FitLrSchedule *self)
{
}

/**
 * FitLrScheduleClass::compute:
 * @self: a `FitLrSchedule`
 * @base_lr: the optimizer's configured learning rate, finite and not negative
 * @step: the step number, counted from 0
 * @learning_rate: (out): return location for the learning rate of step @step
 * @error: return location for a #GError
 *
 * Computes the learning rate of step @step, or sets @error. Bindings return the rate and
 * raise or throw to fail; see [class@Fit.LrSchedule] for why it is an out parameter.
 *
 * Since: 1.0
 */

/**
 * fit_lr_schedule_get_learning_rate:
 * @self: a `FitLrSchedule`
 * @base_lr: the optimizer's configured learning rate
 * @step: the step number, counted from 0
 * @error: return location for a #GError
 *
 * Computes the learning rate of step @step with [vfunc@Fit.LrSchedule.compute] and
 * checks it. A @base_lr that is NaN, infinite or negative is a
 * %FIT_ERROR_INVALID_ARGUMENT error; so is a negative rate, and a NaN or infinite rate is
 * a %FIT_ERROR_NOT_FINITE error, both naming the schedule, the step and the value. A
 * schedule's own error is returned as it is.
 *
 * Returns: the learning rate, finite and not negative; NaN with @error set
 *
 * Since: 1.0
 */
double
fit_lr_schedule_get_learning_rate (FitLrSchedule  *self,
                                   double          base_lr,
                                   gint64          step,
                                   GError        **error)
{
  GError *local_error = NULL;
  double rate = NAN;

  g_return_val_if_fail (FIT_IS_LR_SCHEDULE (self), NAN);
  g_return_val_if_fail (step >= 0, NAN);
  g_return_val_if_fail (error == NULL || *error == NULL, NAN);

  if (!isfinite (base_lr) || base_lr < 0.0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("The base learning rate %g given to schedule %s is not a finite "
                     "number ≥ 0; check the optimizer’s learning rate and the scheduler’s base-lr"),
                   base_lr, G_OBJECT_TYPE_NAME (self));
      return NAN;
    }
  FIT_LR_SCHEDULE_GET_CLASS (self)->compute (self, base_lr, step, &rate, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NAN;
    }
  if (!isfinite (rate) || rate < 0.0)
    {
      g_set_error (error, FIT_ERROR, isfinite (rate) ? FIT_ERROR_INVALID_ARGUMENT
                                                     : FIT_ERROR_NOT_FINITE,
                   _("Learning-rate schedule %s gave the rate %g at step %" PRId64
                     " (base rate %g); a rate must be a finite number ≥ 0"),
                   G_OBJECT_TYPE_NAME (self), rate, step, base_lr);
      return NAN;
    }
  return rate;
}
