/* fit-exponential-lr.c: decay by a factor every step
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitExponentialLR:
 *
 * Multiplies the learning rate by [property@Fit.ExponentialLR:gamma] every step, as
 * `torch.optim.lr_scheduler.ExponentialLR`: `base_lr · gamma ^ step`.
 *
 * Since: 1.0
 */

struct _FitExponentialLR
{
  FitLrSchedule parent_instance;

  double gamma;
};

enum {
  PROP_0,
  PROP_GAMMA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitExponentialLR, fit_exponential_lr, FIT_TYPE_LR_SCHEDULE)

static void
fit_exponential_lr_compute (FitLrSchedule  *schedule,
                            double          base_lr,
                            gint64          step,
                            double         *learning_rate,
                            GError        **error)
{
  FitExponentialLR *self = (FitExponentialLR *) schedule;

  *learning_rate = base_lr * pow (self->gamma, (double) step);
}

static void
fit_exponential_lr_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  FitExponentialLR *self = (FitExponentialLR *) object;

  switch (prop_id)
    {
    case PROP_GAMMA:
      g_value_set_double (value, self->gamma);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_exponential_lr_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  FitExponentialLR *self = (FitExponentialLR *) object;

  switch (prop_id)
    {
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
fit_exponential_lr_class_init (FitExponentialLRClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_exponential_lr_get_property;
  object_class->set_property = fit_exponential_lr_set_property;
  FIT_LR_SCHEDULE_CLASS (klass)->compute = fit_exponential_lr_compute;

  /**
   * FitExponentialLR:gamma:
   *
   * The factor of each step's decay.
   *
   * Since: 1.0
   */
  properties[PROP_GAMMA] =
    g_param_spec_double ("gamma", NULL, NULL, 0.0, G_MAXDOUBLE, 0.1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_exponential_lr_init (FitExponentialLR *self)
{
  self->gamma = 0.1;
}

/**
 * fit_exponential_lr_new:
 * @gamma: the factor of each step's decay, not negative
 *
 * Creates an exponential schedule.
 *
 * Returns: (transfer full): a new schedule
 *
 * Since: 1.0
 */
FitLrSchedule *
fit_exponential_lr_new (double gamma)
{
  g_return_val_if_fail (isfinite (gamma) && gamma >= 0.0, NULL);

  return g_object_new (FIT_TYPE_EXPONENTIAL_LR, "gamma", gamma, NULL);
}
