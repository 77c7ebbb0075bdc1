/* fit-multi-step-lr.c: decay by a factor at given steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "fit-optim-private.h"

/**
 * FitMultiStepLR:
 *
 * Multiplies the learning rate by [property@Fit.MultiStepLR:gamma] at each milestone,
 * as `torch.optim.lr_scheduler.MultiStepLR`: `base_lr · gamma ^ k` where k counts the
 * milestones not after the step (a milestone given twice counts twice, as in PyTorch).
 *
 * Since: 1.0
 */

struct _FitMultiStepLR
{
  FitLrSchedule  parent_instance;

  gint64        *milestones;   /* sorted */
  guint          n_milestones;
  double         gamma;
};

enum {
  PROP_0,
  PROP_GAMMA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitMultiStepLR, fit_multi_step_lr, FIT_TYPE_LR_SCHEDULE)

static void
fit_multi_step_lr_compute (FitLrSchedule  *schedule,
                           double          base_lr,
                           gint64          step,
                           double         *learning_rate,
                           GError        **error)
{
  FitMultiStepLR *self = (FitMultiStepLR *) schedule;
  guint passed = 0;

  while (passed < self->n_milestones && self->milestones[passed] <= step)
    passed++;
  *learning_rate = base_lr * pow (self->gamma, (double) passed);
}

static void
fit_multi_step_lr_finalize (GObject *object)
{
  FitMultiStepLR *self = (FitMultiStepLR *) object;

  g_clear_pointer (&self->milestones, g_free);
  G_OBJECT_CLASS (fit_multi_step_lr_parent_class)->finalize (object);
}

static void
fit_multi_step_lr_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  FitMultiStepLR *self = (FitMultiStepLR *) object;

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
fit_multi_step_lr_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  FitMultiStepLR *self = (FitMultiStepLR *) object;

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
fit_multi_step_lr_class_init (FitMultiStepLRClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_multi_step_lr_finalize;
  object_class->get_property = fit_multi_step_lr_get_property;
  object_class->set_property = fit_multi_step_lr_set_property;
  FIT_LR_SCHEDULE_CLASS (klass)->compute = fit_multi_step_lr_compute;

  /**
   * FitMultiStepLR:gamma:
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
fit_multi_step_lr_init (FitMultiStepLR *self)
{
  self->gamma = 0.1;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/**
 * fit_multi_step_lr_new:
 * @milestones: (array length=n_milestones): the steps at which to decay, not negative,
 *   in any order
 * @n_milestones: the number of milestones
 * @gamma: the factor of each decay, not negative
 *
 * Creates a multi-step schedule.
 *
 * Returns: (transfer full): a new schedule
 *
 * Since: 1.0
 */
FitLrSchedule *
fit_multi_step_lr_new (const gint64 *milestones,
                       guint         n_milestones,
                       double        gamma)
{
  FitMultiStepLR *self;

  g_return_val_if_fail (milestones != NULL || n_milestones == 0, NULL);
  g_return_val_if_fail (isfinite (gamma) && gamma >= 0.0, NULL);
  for (guint i = 0; i < n_milestones; i++)
    g_return_val_if_fail (milestones[i] >= 0, NULL);

  self = g_object_new (FIT_TYPE_MULTI_STEP_LR, "gamma", gamma, NULL);
  self->milestones = g_memdup2 (milestones, n_milestones * sizeof (gint64));
  self->n_milestones = n_milestones;
  if (n_milestones > 0)
    qsort (self->milestones, n_milestones, sizeof (gint64), compare_int64);
  return FIT_LR_SCHEDULE (self);
}

/**
 * fit_multi_step_lr_get_milestones:
 * @self: a `FitMultiStepLR`
 * @n_milestones: (out): the number of milestones
 *
 * Gives the milestones, sorted, duplicates kept.
 *
 * Returns: (array length=n_milestones) (transfer none): the milestones, sorted
 *
 * Since: 1.0
 */
const gint64 *
fit_multi_step_lr_get_milestones (FitMultiStepLR *self,
                                  guint          *n_milestones)
{
  g_return_val_if_fail (FIT_IS_MULTI_STEP_LR (self), NULL);
  g_return_val_if_fail (n_milestones != NULL, NULL);

  *n_milestones = self->n_milestones;
  return self->milestones;
}
