/* fit-step-lr.c: decay by a factor every few steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitStepLR:
 *
 * Multiplies the learning rate by [property@Fit.StepLR:gamma] every
 * [property@Fit.StepLR:step-size] steps, as `torch.optim.lr_scheduler.StepLR`:
 * `base_lr · gamma ^ floor(step / step_size)`.
 *
 * Since: 1.0
 */

struct _FitStepLR
{
  FitLrSchedule parent_instance;

  gint64 step_size;
  double gamma;
};

enum {
  PROP_0,
  PROP_STEP_SIZE,
  PROP_GAMMA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitStepLR, fit_step_lr, FIT_TYPE_LR_SCHEDULE)

static void
fit_step_lr_compute (FitLrSchedule  *schedule,
                     double          base_lr,
                     gint64          step,
                     double         *learning_rate,
                     GError        **error)
{
  FitStepLR *self = (FitStepLR *) schedule;

  *learning_rate = base_lr * pow (self->gamma, (double) (step / self->step_size));
}

static void
fit_step_lr_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FitStepLR *self = (FitStepLR *) object;

  switch (prop_id)
    {
    case PROP_STEP_SIZE:
      g_value_set_int64 (value, self->step_size);
      break;
    case PROP_GAMMA:
      g_value_set_double (value, self->gamma);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_step_lr_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FitStepLR *self = (FitStepLR *) object;

  switch (prop_id)
    {
    case PROP_STEP_SIZE:
      if (self->step_size != g_value_get_int64 (value))
        {
          self->step_size = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_GAMMA:
      if (self->gamma != g_value_get_double (value))
        {
          self->gamma = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_step_lr_class_init (FitStepLRClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_step_lr_get_property;
  object_class->set_property = fit_step_lr_set_property;
  FIT_LR_SCHEDULE_CLASS (klass)->compute = fit_step_lr_compute;

  /**
   * FitStepLR:step-size:
   *
   * The number of steps between two decays.
   *
   * Since: 1.0
   */
  properties[PROP_STEP_SIZE] =
    g_param_spec_int64 ("step-size", NULL, NULL, 1, G_MAXINT64, 1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitStepLR:gamma:
   *
   * The factor of each decay.
   *
   * Since: 1.0
   */
  properties[PROP_GAMMA] =
    g_param_spec_double ("gamma", NULL, NULL, 0.0, G_MAXDOUBLE, 0.1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_step_lr_init (FitStepLR *self)
{
  self->step_size = 1;
  self->gamma = 0.1;
}

/**
 * fit_step_lr_new:
 * @step_size: the number of steps between two decays, at least 1
 * @gamma: the factor of each decay, not negative
 *
 * Creates a step schedule.
 *
 * Returns: (transfer full): a new schedule
 *
 * Since: 1.0
 */
FitLrSchedule *
fit_step_lr_new (gint64  step_size,
                 double  gamma)
{
  g_return_val_if_fail (step_size >= 1, NULL);
  g_return_val_if_fail (isfinite (gamma) && gamma >= 0.0, NULL);

  return g_object_new (FIT_TYPE_STEP_LR, "step-size", step_size, "gamma", gamma, NULL);
}
