/* fit-cosine-lr.c: cosine annealing after an optional linear warm-up
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitCosineLR:
 *
 * Cosine annealing from the learning rate down to [property@Fit.CosineLR:min-lr] at
 * step [property@Fit.CosineLR:total-steps], after an optional linear warm-up of
 * [property@Fit.CosineLR:warmup-steps] steps from
 * [property@Fit.CosineLR:warmup-start-factor] × the rate.
 *
 * Without warm-up it is `torch.optim.lr_scheduler.CosineAnnealingLR` with
 * `T_max = total_steps`:
 * `min_lr + (base_lr − min_lr) · (1 + cos(π · step / total_steps)) / 2`. With a warm-up
 * of w steps, the first w steps are those of `LinearLR` (see
 * [class@Fit.LinearWarmupLR]) and step w + k is step k of a cosine annealing over
 * `total_steps − w` steps. Unlike PyTorch's, which climbs back up after `T_max`, the
 * rate stays at `min_lr` after the last step.
 *
 * Since: 1.0
 */

struct _FitCosineLR
{
  FitLrSchedule parent_instance;

  gint64 total_steps;
  double min_lr;
  gint64 warmup_steps;
  double warmup_start_factor;
};

enum {
  PROP_0,
  PROP_TOTAL_STEPS,
  PROP_MIN_LR,
  PROP_WARMUP_STEPS,
  PROP_WARMUP_START_FACTOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitCosineLR, fit_cosine_lr, FIT_TYPE_LR_SCHEDULE)

static double
rate (FitCosineLR *self,
      double      base_lr,
      gint64      step)
{
  gint64 warmup = MIN (self->warmup_steps, self->total_steps - 1);
  double span, t;

  if (step < warmup)
    return base_lr * (self->warmup_start_factor +
                      (1.0 - self->warmup_start_factor) * (double) step / (double) warmup);
  span = (double) (self->total_steps - warmup);
  t = (double) (step - warmup);
  if (t >= span)
    return self->min_lr;
  return self->min_lr + (base_lr - self->min_lr) * (1.0 + cos (G_PI * t / span)) / 2.0;
}

static void
fit_cosine_lr_compute (FitLrSchedule  *schedule,
                       double          base_lr,
                       gint64          step,
                       double         *learning_rate,
                       GError        **error)
{
  *learning_rate = rate ((FitCosineLR *) schedule, base_lr, step);
}

static void
fit_cosine_lr_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitCosineLR *self = (FitCosineLR *) object;

  switch (prop_id)
    {
    case PROP_TOTAL_STEPS:
      g_value_set_int64 (value, self->total_steps);
      break;
    case PROP_MIN_LR:
      g_value_set_double (value, self->min_lr);
      break;
    case PROP_WARMUP_STEPS:
      g_value_set_int64 (value, self->warmup_steps);
      break;
    case PROP_WARMUP_START_FACTOR:
      g_value_set_double (value, self->warmup_start_factor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_cosine_lr_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitCosineLR *self = (FitCosineLR *) object;

  switch (prop_id)
    {
    case PROP_TOTAL_STEPS:
      if (self->total_steps != g_value_get_int64 (value))
        {
          self->total_steps = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MIN_LR:
      if (self->min_lr != g_value_get_double (value))
        {
          self->min_lr = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WARMUP_STEPS:
      if (self->warmup_steps != g_value_get_int64 (value))
        {
          self->warmup_steps = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WARMUP_START_FACTOR:
      if (self->warmup_start_factor != g_value_get_double (value))
        {
          self->warmup_start_factor = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_cosine_lr_class_init (FitCosineLRClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_cosine_lr_get_property;
  object_class->set_property = fit_cosine_lr_set_property;
  FIT_LR_SCHEDULE_CLASS (klass)->compute = fit_cosine_lr_compute;

  /**
   * FitCosineLR:total-steps:
   *
   * The step at which the rate reaches the minimum, warm-up included.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL_STEPS] =
    g_param_spec_int64 ("total-steps", NULL, NULL, 1, G_MAXINT64, 1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitCosineLR:min-lr:
   *
   * The rate at the end of the annealing.
   *
   * Since: 1.0
   */
  properties[PROP_MIN_LR] =
    g_param_spec_double ("min-lr", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitCosineLR:warmup-steps:
   *
   * The number of warm-up steps; 0 for none. A warm-up as long as the total is cut one
   * step short of it.
   *
   * Since: 1.0
   */
  properties[PROP_WARMUP_STEPS] =
    g_param_spec_int64 ("warmup-steps", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitCosineLR:warmup-start-factor:
   *
   * The fraction of the learning rate the warm-up starts from.
   *
   * Since: 1.0
   */
  properties[PROP_WARMUP_START_FACTOR] =
    g_param_spec_double ("warmup-start-factor", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_cosine_lr_init (FitCosineLR *self)
{
  self->total_steps = 1;
  self->min_lr = 0.0;
  self->warmup_steps = 0;
  self->warmup_start_factor = 0.0;
}

/**
 * fit_cosine_lr_new:
 * @total_steps: the step at which the rate reaches @min_lr, at least 1
 * @min_lr: the rate at the end, not negative
 *
 * Creates a cosine annealing schedule without warm-up; set
 * [property@Fit.CosineLR:warmup-steps] for one.
 *
 * Returns: (transfer full): a new schedule
 *
 * Since: 1.0
 */
FitLrSchedule *
fit_cosine_lr_new (gint64  total_steps,
                   double  min_lr)
{
  g_return_val_if_fail (total_steps >= 1, NULL);
  g_return_val_if_fail (isfinite (min_lr) && min_lr >= 0.0, NULL);

  return g_object_new (FIT_TYPE_COSINE_LR,
                       "total-steps", total_steps,
                       "min-lr", min_lr,
                       NULL);
}
