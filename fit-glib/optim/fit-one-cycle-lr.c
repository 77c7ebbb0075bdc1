/* fit-one-cycle-lr.c: the one-cycle policy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * FitOneCycleLR:
 *
 * The one-cycle policy (Smith and Topin, 2017), as `torch.optim.lr_scheduler.OneCycleLR`
 * with cosine annealing: the rate climbs from `max_lr / div_factor` to `max_lr` over the
 * first [property@Fit.OneCycleLR:pct-start] of [property@Fit.OneCycleLR:total-steps],
 * then anneals to `max_lr / (div_factor · final_div_factor)` at the last step. With
 * [property@Fit.OneCycleLR:three-phase], it comes back down to the initial rate
 * symmetrically before annealing to the minimum.
 *
 * The optimizer's configured learning rate is `max_lr`, the peak. After the last step
 * the rate stays at the minimum. (PyTorch also cycles the momentum; this schedule only
 * sets the learning rate.)
 *
 * Since: 1.0
 */

struct _FitOneCycleLR
{
  FitLrSchedule parent_instance;

  gint64   total_steps;
  double   pct_start;
  double   div_factor;
  double   final_div_factor;
  gboolean three_phase;
};

enum {
  PROP_0,
  PROP_TOTAL_STEPS,
  PROP_PCT_START,
  PROP_DIV_FACTOR,
  PROP_FINAL_DIV_FACTOR,
  PROP_THREE_PHASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitOneCycleLR, fit_one_cycle_lr, FIT_TYPE_LR_SCHEDULE)

static double
anneal_cos (double start,
            double end,
            double pct)
{
  return end + (start - end) / 2.0 * (cos (G_PI * pct) + 1.0);
}

static double
rate (FitOneCycleLR *self,
      double        max_lr,
      gint64        step)
{
  double initial = max_lr / self->div_factor;
  double min_lr = initial / self->final_div_factor;
  double total = (double) self->total_steps;
  double last = total - 1.0;
  double start_step = 0.0, t = (double) step;
  struct { double end_step, start_lr, end_lr; } phases[3] = {
    { self->pct_start * total - 1.0, initial, max_lr },
    { last, max_lr, min_lr },
    { last, initial, min_lr },
  };
  guint n_phases = 2;

  if (self->three_phase)
    {
      phases[1].end_step = 2.0 * self->pct_start * total - 2.0;
      phases[1].end_lr = initial;
      n_phases = 3;
    }
  if (t >= last)
    return min_lr;
  for (guint i = 0; i < n_phases; i++)
    {
      if (t <= phases[i].end_step || i == n_phases - 1)
        {
          double width = phases[i].end_step - start_step;

          /* A phase of zero width (in a very short cycle) has only its end. */
          if (width <= 0.0)
            return phases[i].end_lr;
          return anneal_cos (phases[i].start_lr, phases[i].end_lr, (t - start_step) / width);
        }
      start_step = phases[i].end_step;
    }
  return min_lr;
}

static void
fit_one_cycle_lr_compute (FitLrSchedule  *schedule,
                          double          base_lr,
                          gint64          step,
                          double         *learning_rate,
                          GError        **error)
{
  *learning_rate = rate ((FitOneCycleLR *) schedule, base_lr, step);
}

static void
fit_one_cycle_lr_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  FitOneCycleLR *self = (FitOneCycleLR *) object;

  switch (prop_id)
    {
    case PROP_TOTAL_STEPS:
      g_value_set_int64 (value, self->total_steps);
      break;
    case PROP_PCT_START:
      g_value_set_double (value, self->pct_start);
      break;
    case PROP_DIV_FACTOR:
      g_value_set_double (value, self->div_factor);
      break;
    case PROP_FINAL_DIV_FACTOR:
      g_value_set_double (value, self->final_div_factor);
      break;
    case PROP_THREE_PHASE:
      g_value_set_boolean (value, self->three_phase);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_one_cycle_lr_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  FitOneCycleLR *self = (FitOneCycleLR *) object;

  switch (prop_id)
    {
    case PROP_TOTAL_STEPS:
      if (self->total_steps != g_value_get_int64 (value))
        {
          self->total_steps = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_PCT_START:
      if (self->pct_start != g_value_get_double (value))
        {
          self->pct_start = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DIV_FACTOR:
      if (self->div_factor != g_value_get_double (value))
        {
          self->div_factor = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_FINAL_DIV_FACTOR:
      if (self->final_div_factor != g_value_get_double (value))
        {
          self->final_div_factor = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_THREE_PHASE:
      if (self->three_phase != g_value_get_boolean (value))
        {
          self->three_phase = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_one_cycle_lr_class_init (FitOneCycleLRClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_one_cycle_lr_get_property;
  object_class->set_property = fit_one_cycle_lr_set_property;
  FIT_LR_SCHEDULE_CLASS (klass)->compute = fit_one_cycle_lr_compute;

  /**
   * FitOneCycleLR:total-steps:
   *
   * The number of steps in the cycle.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL_STEPS] =
    g_param_spec_int64 ("total-steps", NULL, NULL, 1, G_MAXINT64, 1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitOneCycleLR:pct-start:
   *
   * The fraction of the cycle spent increasing the rate.
   *
   * Since: 1.0
   */
  properties[PROP_PCT_START] =
    g_param_spec_double ("pct-start", NULL, NULL, 0.0, 1.0, 0.3,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitOneCycleLR:div-factor:
   *
   * The initial rate is the peak divided by this.
   *
   * Since: 1.0
   */
  properties[PROP_DIV_FACTOR] =
    g_param_spec_double ("div-factor", NULL, NULL, G_MINDOUBLE, G_MAXDOUBLE, 25.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitOneCycleLR:final-div-factor:
   *
   * The final rate is the initial rate divided by this.
   *
   * Since: 1.0
   */
  properties[PROP_FINAL_DIV_FACTOR] =
    g_param_spec_double ("final-div-factor", NULL, NULL, G_MINDOUBLE, G_MAXDOUBLE, 1e4,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitOneCycleLR:three-phase:
   *
   * Whether to come back to the initial rate before annealing to the minimum, as in
   * fastai's original schedule.
   *
   * Since: 1.0
   */
  properties[PROP_THREE_PHASE] =
    g_param_spec_boolean ("three-phase", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_one_cycle_lr_init (FitOneCycleLR *self)
{
  self->total_steps = 1;
  self->pct_start = 0.3;
  self->div_factor = 25.0;
  self->final_div_factor = 1e4;
  self->three_phase = FALSE;
}

/**
 * fit_one_cycle_lr_new:
 * @total_steps: the number of steps in the cycle, at least 1
 *
 * Creates a one-cycle schedule with PyTorch's defaults: 30 % of the steps climbing,
 * a division factor of 25 and a final division factor of 10⁴.
 *
 * Returns: (transfer full): a new schedule
 *
 * Since: 1.0
 */
FitLrSchedule *
fit_one_cycle_lr_new (gint64 total_steps)
{
  g_return_val_if_fail (total_steps >= 1, NULL);

  return g_object_new (FIT_TYPE_ONE_CYCLE_LR, "total-steps", total_steps, NULL);
}
