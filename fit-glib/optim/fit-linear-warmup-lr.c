/* fit-linear-warmup-lr.c: a linear ramp of the learning rate
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitLinearWarmupLR:
 *
 * Scales the learning rate by a factor that goes linearly from
 * [property@Fit.LinearWarmupLR:start-factor] at step 0 to
 * [property@Fit.LinearWarmupLR:end-factor] at step
 * [property@Fit.LinearWarmupLR:warmup-steps] and stays there, as
 * `torch.optim.lr_scheduler.LinearLR`:
 * `base_lr · (start + (end − start) · min(step, warmup_steps) / warmup_steps)`.
 *
 * Since: 1.0
 */

struct _FitLinearWarmupLR
{
  FitLrSchedule parent_instance;

  gint64 warmup_steps;
  double start_factor;
  double end_factor;
};

enum {
  PROP_0,
  PROP_WARMUP_STEPS,
  PROP_START_FACTOR,
  PROP_END_FACTOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitLinearWarmupLR, fit_linear_warmup_lr, FIT_TYPE_LR_SCHEDULE)

static void
fit_linear_warmup_lr_compute (FitLrSchedule  *schedule,
                              double          base_lr,
                              gint64          step,
                              double         *learning_rate,
                              GError        **error)
{
  FitLinearWarmupLR *self = (FitLinearWarmupLR *) schedule;
  double done;

  if (self->warmup_steps == 0)
    {
      *learning_rate = base_lr * self->end_factor;
      return;
    }
  done = (double) MIN (step, self->warmup_steps) / (double) self->warmup_steps;
  *learning_rate = base_lr * (self->start_factor + (self->end_factor - self->start_factor) * done);
}

static void
fit_linear_warmup_lr_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  FitLinearWarmupLR *self = (FitLinearWarmupLR *) object;

  switch (prop_id)
    {
    case PROP_WARMUP_STEPS:
      g_value_set_int64 (value, self->warmup_steps);
      break;
    case PROP_START_FACTOR:
      g_value_set_double (value, self->start_factor);
      break;
    case PROP_END_FACTOR:
      g_value_set_double (value, self->end_factor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_linear_warmup_lr_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  FitLinearWarmupLR *self = (FitLinearWarmupLR *) object;

  switch (prop_id)
    {
    case PROP_WARMUP_STEPS:
      if (self->warmup_steps != g_value_get_int64 (value))
        {
          self->warmup_steps = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_START_FACTOR:
      if (self->start_factor != g_value_get_double (value))
        {
          self->start_factor = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_END_FACTOR:
      if (self->end_factor != g_value_get_double (value))
        {
          self->end_factor = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_linear_warmup_lr_class_init (FitLinearWarmupLRClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_linear_warmup_lr_get_property;
  object_class->set_property = fit_linear_warmup_lr_set_property;
  FIT_LR_SCHEDULE_CLASS (klass)->compute = fit_linear_warmup_lr_compute;

  /**
   * FitLinearWarmupLR:warmup-steps:
   *
   * The number of steps of the ramp; 0 means the end factor from the start.
   *
   * Since: 1.0
   */
  properties[PROP_WARMUP_STEPS] =
    g_param_spec_int64 ("warmup-steps", NULL, NULL, 0, G_MAXINT64, 5,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLinearWarmupLR:start-factor:
   *
   * The factor at step 0.
   *
   * Since: 1.0
   */
  properties[PROP_START_FACTOR] =
    g_param_spec_double ("start-factor", NULL, NULL, 0.0, 1.0, 1.0 / 3.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLinearWarmupLR:end-factor:
   *
   * The factor at the end of the ramp and after it.
   *
   * Since: 1.0
   */
  properties[PROP_END_FACTOR] =
    g_param_spec_double ("end-factor", NULL, NULL, 0.0, 1.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_linear_warmup_lr_init (FitLinearWarmupLR *self)
{
  self->warmup_steps = 5;
  self->start_factor = 1.0 / 3.0;
  self->end_factor = 1.0;
}

/**
 * fit_linear_warmup_lr_new:
 * @warmup_steps: the number of steps of the ramp, not negative
 * @start_factor: the factor at step 0, in [0, 1]
 *
 * Creates a linear warm-up that ends at the full learning rate (an end factor of 1).
 *
 * Returns: (transfer full): a new schedule
 *
 * Since: 1.0
 */
FitLrSchedule *
fit_linear_warmup_lr_new (gint64  warmup_steps,
                          double  start_factor)
{
  g_return_val_if_fail (warmup_steps >= 0, NULL);
  g_return_val_if_fail (start_factor >= 0.0 && start_factor <= 1.0, NULL);

  return g_object_new (FIT_TYPE_LINEAR_WARMUP_LR,
                       "warmup-steps", warmup_steps,
                       "start-factor", start_factor,
                       NULL);
}
