/* fit-reduce-lr-on-plateau-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "fit-handlers-private.h"

/**
 * FitReduceLrOnPlateauHandler:
 *
 * Multiplies the learning rate by [property@Fit.ReduceLrOnPlateauHandler:factor] when a
 * monitored metric stops improving.
 *
 * At each `epoch-end` it reads [property@Fit.ReduceLrOnPlateauHandler:monitor]
 * (`val_loss` by default; epochs that did not validate are skipped for a `val_`
 * metric). At the end of the [property@Fit.ReduceLrOnPlateauHandler:patience]-th epoch in a
 * row without an improvement larger than
 * [property@Fit.ReduceLrOnPlateauHandler:min-delta] the rate is reduced, never below
 * [property@Fit.ReduceLrOnPlateauHandler:min-lr], and the count starts again; the handler
 * then waits [property@Fit.ReduceLrOnPlateauHandler:cooldown] epochs before counting
 * again, as Keras's `ReduceLROnPlateau` does. An epoch that improves never reduces the
 * rate; patience 0 reduces it at every epoch without an improvement, as patience 1 does.
 * The mode works as for [class@Fit.EarlyStoppingHandler]. Its state is saved in
 * checkpoints, and loading one checks its counts. Its priority is
 * %FIT_PRIORITY_EARLY_STOPPING.
 *
 * Since: 1.0
 */
struct _FitReduceLrOnPlateauHandler
{
  FitEventHandler parent_instance;
  FitMonitor      monitor;
  double          factor;
  guint           patience;
  guint           cooldown;
  double          min_lr;

  double          best;
  guint           wait;
  guint           cooldown_counter;
  gboolean        restored;
};

enum {
  PROP_0,
  PROP_MONITOR,
  PROP_FACTOR,
  PROP_PATIENCE,
  PROP_MODE,
  PROP_MIN_DELTA,
  PROP_COOLDOWN,
  PROP_MIN_LR,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitReduceLrOnPlateauHandler, fit_reduce_lr_on_plateau_handler,
                     FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_reduce_lr_on_plateau_handler_train_begin (FitEventHandler  *handler,
                                              FitEstimator     *estimator,
                                              GError          **error)
{
  FitReduceLrOnPlateauHandler *self = FIT_REDUCE_LR_ON_PLATEAU_HANDLER (handler);

  if (!fit_monitor_begin (&self->monitor, estimator, error))
    return FALSE;
  if (!self->restored)
    {
      self->best = fit_monitor_worst (&self->monitor);
      self->wait = 0;
      self->cooldown_counter = 0;
    }
  self->restored = FALSE;
  return TRUE;
}

static gboolean
fit_reduce_lr_on_plateau_handler_epoch_end (FitEventHandler  *handler,
                                            FitEstimator     *estimator,
                                            GError          **error)
{
  FitReduceLrOnPlateauHandler *self = FIT_REDUCE_LR_ON_PLATEAU_HANDLER (handler);
  FitOptimizer *optimizer = fit_estimator_get_optimizer (estimator);
  double current;

  if (!fit_monitor_read (&self->monitor, estimator, &current))
    return TRUE;

  if (self->cooldown_counter > 0)
    {
      self->cooldown_counter--;
      self->wait = 0;
    }
  if (fit_monitor_improves (&self->monitor, current, self->best))
    {
      self->best = current;
      self->wait = 0;
    }
  else if (self->cooldown_counter == 0 && ++self->wait >= self->patience)
    {
      double lr = fit_optimizer_get_learning_rate (optimizer);

      if (lr > self->min_lr)
        {
          double new_lr = MAX (lr * self->factor, self->min_lr);

          fit_optimizer_set_learning_rate (optimizer, new_lr);
          g_info (_("Epoch %u: %s has not improved for %u epochs, learning rate %g → %g"),
                  fit_estimator_get_epoch (estimator), self->monitor.name, self->wait, lr, new_lr);
        }
      self->cooldown_counter = self->cooldown;
      self->wait = 0;
    }
  return TRUE;
}

static gboolean
fit_reduce_lr_on_plateau_handler_train_end (FitEventHandler  *handler,
                                            FitEstimator     *estimator,
                                            FitStopReason     reason,
                                            GError          **error)
{
  /* A checkpoint restored during this fit's train-begin is used up. */
  FIT_REDUCE_LR_ON_PLATEAU_HANDLER (handler)->restored = FALSE;
  return TRUE;
}

static void
fit_reduce_lr_on_plateau_handler_save_state (FitEventHandler *handler,
                                             FitSafetensors  *into,
                                             const char      *prefix)
{
  FitReduceLrOnPlateauHandler *self = FIT_REDUCE_LR_ON_PLATEAU_HANDLER (handler);

  fit_state_set_double (into, prefix, "best", self->best);
  fit_state_set_integer (into, prefix, "wait", self->wait);
  fit_state_set_integer (into, prefix, "cooldown_counter", self->cooldown_counter);
}

typedef struct
{
  double  best;
  gint64  wait;
  gint64  cooldown_counter;
} SavedState;

/* Reads and checks the whole state before any of it is used. */
static gboolean
read_state (FitReduceLrOnPlateauHandler  *self,
            FitSafetensors               *from,
            const char                   *prefix,
            SavedState                   *saved,
            GError                      **error)
{
  saved->best = self->best;
  saved->wait = self->wait;
  saved->cooldown_counter = self->cooldown_counter;
  return fit_state_read_double (from, prefix, "best", -INFINITY, INFINITY, TRUE, &saved->best,
                                error) &&
         fit_state_read_integer (from, prefix, "wait", FALSE, 0, G_MAXUINT, &saved->wait,
                                 error) &&
         fit_state_read_integer (from, prefix, "cooldown_counter", FALSE, 0, G_MAXUINT,
                                 &saved->cooldown_counter, error);
}

static gboolean
fit_reduce_lr_on_plateau_handler_check_state (FitEventHandler  *handler,
                                              FitEstimator     *estimator,
                                              FitSafetensors   *from,
                                              const char       *prefix,
                                              GError          **error)
{
  SavedState saved;

  return read_state (FIT_REDUCE_LR_ON_PLATEAU_HANDLER (handler), from, prefix, &saved, error);
}

static gboolean
fit_reduce_lr_on_plateau_handler_load_state (FitEventHandler  *handler,
                                             FitSafetensors   *from,
                                             const char       *prefix,
                                             GError          **error)
{
  FitReduceLrOnPlateauHandler *self = FIT_REDUCE_LR_ON_PLATEAU_HANDLER (handler);
  SavedState saved;

  if (!read_state (self, from, prefix, &saved, error))
    return FALSE;
  self->best = saved.best;
  self->wait = (guint) saved.wait;
  self->cooldown_counter = (guint) saved.cooldown_counter;
  self->restored = TRUE;
  return TRUE;
}

static void
fit_reduce_lr_on_plateau_handler_finalize (GObject *object)
{
  fit_monitor_clear (&FIT_REDUCE_LR_ON_PLATEAU_HANDLER (object)->monitor);
  G_OBJECT_CLASS (fit_reduce_lr_on_plateau_handler_parent_class)->finalize (object);
}

static void
fit_reduce_lr_on_plateau_handler_get_property (GObject    *object,
                                               guint       prop_id,
                                               GValue     *value,
                                               GParamSpec *pspec)
{
  FitReduceLrOnPlateauHandler *self = FIT_REDUCE_LR_ON_PLATEAU_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_value_set_string (value, self->monitor.name);
      break;
    case PROP_FACTOR:
      g_value_set_double (value, self->factor);
      break;
    case PROP_PATIENCE:
      g_value_set_uint (value, self->patience);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->monitor.mode);
      break;
    case PROP_MIN_DELTA:
      g_value_set_double (value, self->monitor.min_delta);
      break;
    case PROP_COOLDOWN:
      g_value_set_uint (value, self->cooldown);
      break;
    case PROP_MIN_LR:
      g_value_set_double (value, self->min_lr);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_reduce_lr_on_plateau_handler_set_property (GObject      *object,
                                               guint         prop_id,
                                               const GValue *value,
                                               GParamSpec   *pspec)
{
  FitReduceLrOnPlateauHandler *self = FIT_REDUCE_LR_ON_PLATEAU_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_free (self->monitor.name);
      self->monitor.name = g_value_dup_string (value);
      if (self->monitor.name == NULL)
        self->monitor.name = g_strdup ("val_loss");
      break;
    case PROP_FACTOR:
      self->factor = g_value_get_double (value);
      break;
    case PROP_PATIENCE:
      self->patience = g_value_get_uint (value);
      break;
    case PROP_MODE:
      self->monitor.mode = g_value_get_enum (value);
      break;
    case PROP_MIN_DELTA:
      self->monitor.min_delta = g_value_get_double (value);
      break;
    case PROP_COOLDOWN:
      self->cooldown = g_value_get_uint (value);
      break;
    case PROP_MIN_LR:
      self->min_lr = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_reduce_lr_on_plateau_handler_class_init (FitReduceLrOnPlateauHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = fit_reduce_lr_on_plateau_handler_finalize;
  object_class->get_property = fit_reduce_lr_on_plateau_handler_get_property;
  object_class->set_property = fit_reduce_lr_on_plateau_handler_set_property;
  handler_class->train_begin = fit_reduce_lr_on_plateau_handler_train_begin;
  handler_class->epoch_end = fit_reduce_lr_on_plateau_handler_epoch_end;
  handler_class->train_end = fit_reduce_lr_on_plateau_handler_train_end;
  handler_class->save_state = fit_reduce_lr_on_plateau_handler_save_state;
  handler_class->load_state = fit_reduce_lr_on_plateau_handler_load_state;
  fit_event_handler_class_set_check_state (handler_class,
                                           fit_reduce_lr_on_plateau_handler_check_state);

  /**
   * FitReduceLrOnPlateauHandler:monitor:
   *
   * The reported name of the metric to watch.
   *
   * Since: 1.0
   */
  properties[PROP_MONITOR] = g_param_spec_string ("monitor", NULL, NULL, "val_loss", flags);
  /**
   * FitReduceLrOnPlateauHandler:factor:
   *
   * What the learning rate is multiplied by, between 0 and 1.
   *
   * Since: 1.0
   */
  properties[PROP_FACTOR] = g_param_spec_double ("factor", NULL, NULL, 0, 1, 0.1, flags);
  /**
   * FitReduceLrOnPlateauHandler:patience:
   *
   * How many epochs in a row without an improvement reduce the rate, at the end of the
   * last of them. 0 reduces it at every epoch without an improvement, as 1 does.
   *
   * Since: 1.0
   */
  properties[PROP_PATIENCE] = g_param_spec_uint ("patience", NULL, NULL, 0, G_MAXUINT, 10, flags);
  /**
   * FitReduceLrOnPlateauHandler:mode:
   *
   * Whether smaller or larger values are better; %FIT_MONITOR_MODE_AUTO asks the metric.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, FIT_TYPE_MONITOR_MODE,
                                             FIT_MONITOR_MODE_AUTO, flags);
  /**
   * FitReduceLrOnPlateauHandler:min-delta:
   *
   * How much better than the best value a value must be to count as an improvement.
   *
   * Since: 1.0
   */
  properties[PROP_MIN_DELTA] = g_param_spec_double ("min-delta", NULL, NULL, 0, G_MAXDOUBLE,
                                                    1e-4, flags);
  /**
   * FitReduceLrOnPlateauHandler:cooldown:
   *
   * How many epochs after a reduction pass before epochs count again.
   *
   * Since: 1.0
   */
  properties[PROP_COOLDOWN] = g_param_spec_uint ("cooldown", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * FitReduceLrOnPlateauHandler:min-lr:
   *
   * The smallest learning rate it reduces to.
   *
   * Since: 1.0
   */
  properties[PROP_MIN_LR] = g_param_spec_double ("min-lr", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_reduce_lr_on_plateau_handler_init (FitReduceLrOnPlateauHandler *self)
{
  self->best = NAN;
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_EARLY_STOPPING);
}

/**
 * fit_reduce_lr_on_plateau_handler_new:
 * @monitor: (nullable): the metric to watch; %NULL for `val_loss`
 * @factor: what the learning rate is multiplied by, between 0 and 1
 * @patience: how many epochs in a row without an improvement reduce the rate (0 and 1
 *   both at every such epoch)
 *
 * Creates the handler; set the other properties for a cooldown or a smallest rate.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_reduce_lr_on_plateau_handler_new (const char *monitor,
                                      double      factor,
                                      guint       patience)
{
  g_return_val_if_fail (factor > 0 && factor < 1, NULL);
  return g_object_new (FIT_TYPE_REDUCE_LR_ON_PLATEAU_HANDLER, "monitor", monitor,
                       "factor", factor, "patience", patience, NULL);
}
