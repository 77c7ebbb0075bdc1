/* fit-lr-scheduler-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "fit-handlers-private.h"

/**
 * FitLrSchedulerHandler:
 *
 * Drives the optimizer's learning rate with a [class@Fit.LrSchedule]: before every
 * training batch, at step [property@Fit.Estimator:global-step]
 * ([property@Fit.LrSchedulerHandler:per-batch] %TRUE), or before every epoch, at step
 * [property@Fit.Estimator:epoch].
 *
 * The base rate is the optimizer's rate at the first `train-begin`; it is saved in
 * checkpoints, and since schedules are pure functions of the step, a resumed fit
 * continues the schedule exactly. Combine it with [class@Fit.ReduceLrOnPlateauHandler]
 * only if overriding that handler's changes at each step is what you want. Its priority
 * is %FIT_PRIORITY_LR_SCHEDULER, so every other handler sees the step's rate. A
 * schedule that fails, or gives a rate that is NaN, infinite or negative, fails the fit
 * with that error ([method@Fit.LrSchedule.get_learning_rate]).
 *
 * Since: 1.0
 */
struct _FitLrSchedulerHandler
{
  FitEventHandler  parent_instance;
  FitLrSchedule   *schedule;
  gboolean         per_batch;
  double           base_lr;
};

enum { PROP_0, PROP_SCHEDULE, PROP_PER_BATCH, PROP_BASE_LR, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitLrSchedulerHandler, fit_lr_scheduler_handler, FIT_TYPE_EVENT_HANDLER)

/* A schedule's error, or a rate it gives that is not finite and ≥ 0, fails the fit. */
static gboolean
apply (FitLrSchedulerHandler  *self,
       FitEstimator           *estimator,
       gint64                  step,
       GError                **error)
{
  double rate = fit_lr_schedule_get_learning_rate (self->schedule, self->base_lr, step, error);

  if (isnan (rate))
    return FALSE;
  fit_optimizer_set_learning_rate (fit_estimator_get_optimizer (estimator), rate);
  return TRUE;
}

static gboolean
fit_lr_scheduler_handler_train_begin (FitEventHandler  *handler,
                                      FitEstimator     *estimator,
                                      GError          **error)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (handler);

  if (isnan (self->base_lr))
    self->base_lr = fit_optimizer_get_learning_rate (fit_estimator_get_optimizer (estimator));
  return TRUE;
}

static gboolean
fit_lr_scheduler_handler_epoch_begin (FitEventHandler  *handler,
                                      FitEstimator     *estimator,
                                      GError          **error)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (handler);

  if (!self->per_batch)
    return apply (self, estimator, fit_estimator_get_epoch (estimator), error);
  return TRUE;
}

static gboolean
fit_lr_scheduler_handler_batch_begin (FitEventHandler  *handler,
                                      FitEstimator     *estimator,
                                      GError          **error)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (handler);

  if (self->per_batch)
    return apply (self, estimator, (gint64) fit_estimator_get_global_step (estimator), error);
  return TRUE;
}

static void
fit_lr_scheduler_handler_save_state (FitEventHandler *handler,
                                     FitSafetensors  *into,
                                     const char      *prefix)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (handler);
  g_autofree char *key = g_strconcat (prefix, "base_lr", NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isnan (self->base_lr))
    fit_safetensors_set_metadata (into, key, g_ascii_dtostr (buf, sizeof buf, self->base_lr));
}

/* The saved base rate is one the optimizer had: finite and not negative. */
static gboolean
read_base_lr (FitLrSchedulerHandler  *self,
              FitSafetensors         *from,
              const char             *prefix,
              double                 *base_lr,
              GError                **error)
{
  *base_lr = self->base_lr;
  return fit_state_read_double (from, prefix, "base_lr", 0.0, G_MAXDOUBLE, FALSE, base_lr,
                                error);
}

static gboolean
fit_lr_scheduler_handler_check_state (FitEventHandler  *handler,
                                      FitEstimator     *estimator,
                                      FitSafetensors   *from,
                                      const char       *prefix,
                                      GError          **error)
{
  double base_lr;

  return read_base_lr (FIT_LR_SCHEDULER_HANDLER (handler), from, prefix, &base_lr, error);
}

static gboolean
fit_lr_scheduler_handler_load_state (FitEventHandler  *handler,
                                     FitSafetensors   *from,
                                     const char       *prefix,
                                     GError          **error)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (handler);
  double base_lr;

  if (!read_base_lr (self, from, prefix, &base_lr, error))
    return FALSE;
  if (base_lr != self->base_lr)
    {
      self->base_lr = base_lr;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_LR]);
    }
  return TRUE;
}

static void
fit_lr_scheduler_handler_finalize (GObject *object)
{
  g_clear_object (&FIT_LR_SCHEDULER_HANDLER (object)->schedule);
  G_OBJECT_CLASS (fit_lr_scheduler_handler_parent_class)->finalize (object);
}

static void
fit_lr_scheduler_handler_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (object);

  switch (prop_id)
    {
    case PROP_SCHEDULE:
      g_value_set_object (value, self->schedule);
      break;
    case PROP_PER_BATCH:
      g_value_set_boolean (value, self->per_batch);
      break;
    case PROP_BASE_LR:
      g_value_set_double (value, self->base_lr);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_lr_scheduler_handler_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  FitLrSchedulerHandler *self = FIT_LR_SCHEDULER_HANDLER (object);

  switch (prop_id)
    {
    case PROP_SCHEDULE:
      self->schedule = g_value_dup_object (value);
      break;
    case PROP_PER_BATCH:
      self->per_batch = g_value_get_boolean (value);
      break;
    case PROP_BASE_LR:
      if (self->base_lr != g_value_get_double (value))
        {
          self->base_lr = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_lr_scheduler_handler_class_init (FitLrSchedulerHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->finalize = fit_lr_scheduler_handler_finalize;
  object_class->get_property = fit_lr_scheduler_handler_get_property;
  object_class->set_property = fit_lr_scheduler_handler_set_property;
  handler_class->train_begin = fit_lr_scheduler_handler_train_begin;
  handler_class->epoch_begin = fit_lr_scheduler_handler_epoch_begin;
  handler_class->batch_begin = fit_lr_scheduler_handler_batch_begin;
  handler_class->save_state = fit_lr_scheduler_handler_save_state;
  handler_class->load_state = fit_lr_scheduler_handler_load_state;
  fit_event_handler_class_set_check_state (handler_class, fit_lr_scheduler_handler_check_state);

  /**
   * FitLrSchedulerHandler:schedule:
   *
   * The schedule.
   *
   * Since: 1.0
   */
  properties[PROP_SCHEDULE] =
    g_param_spec_object ("schedule", NULL, NULL, FIT_TYPE_LR_SCHEDULE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLrSchedulerHandler:per-batch:
   *
   * Whether the schedule's step is the training batch (%TRUE) or the epoch.
   *
   * Since: 1.0
   */
  properties[PROP_PER_BATCH] =
    g_param_spec_boolean ("per-batch", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitLrSchedulerHandler:base-lr:
   *
   * The rate the schedule scales; NaN until the first `train-begin` takes the
   * optimizer's. A negative base rate, or a schedule that makes a negative or infinite
   * rate of it, fails the fit with %FIT_ERROR_INVALID_ARGUMENT at the step that would use
   * it.
   *
   * Since: 1.0
   */
  properties[PROP_BASE_LR] =
    g_param_spec_double ("base-lr", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_lr_scheduler_handler_init (FitLrSchedulerHandler *self)
{
  self->base_lr = NAN;
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_LR_SCHEDULER);
}

/**
 * fit_lr_scheduler_handler_new:
 * @schedule: the schedule
 * @per_batch: whether the schedule steps every training batch rather than every epoch
 *
 * Creates a handler that drives the learning rate.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_lr_scheduler_handler_new (FitLrSchedule *schedule,
                              gboolean       per_batch)
{
  g_return_val_if_fail (FIT_IS_LR_SCHEDULE (schedule), NULL);
  return g_object_new (FIT_TYPE_LR_SCHEDULER_HANDLER, "schedule", schedule,
                       "per-batch", per_batch, NULL);
}
