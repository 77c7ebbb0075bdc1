/* fit-early-stopping-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "fit-glib/io/fit-safetensors-private.h"
#include "fit-glib/nn/fit-nn-private.h"
#include "fit-handlers-private.h"

/**
 * FitEarlyStoppingHandler:
 *
 * Ends the training when a monitored metric stops improving.
 *
 * At each `epoch-end` from [property@Fit.EarlyStoppingHandler:start-epoch] on, it reads
 * [property@Fit.EarlyStoppingHandler:monitor] (`val_loss` by default; an epoch that did
 * not validate is skipped for a `val_` metric). A value improves on the best so far
 * when it is better by more than [property@Fit.EarlyStoppingHandler:min-delta] in the
 * direction of [property@Fit.EarlyStoppingHandler:mode]; with %FIT_MONITOR_MODE_AUTO the
 * metric decides, so losses and errors are minimised and accuracies and F1 scores
 * maximised. At the end of the [property@Fit.EarlyStoppingHandler:patience]-th epoch in a
 * row without an improvement it requests %FIT_STOP_SCOPE_TRAINING; patience 0 stops at
 * the first epoch without an improvement, as patience 1 does (and as in Keras). An epoch
 * that improves never stops the training, and neither does epoch 0. With a finite
 * [property@Fit.EarlyStoppingHandler:baseline], only an improvement that also beats the
 * baseline resets the count, so a run that never reaches it stops after `patience`
 * epochs (at least 1) even while it improves.
 *
 * With [property@Fit.EarlyStoppingHandler:restore-best-weights], it keeps a copy of the
 * parameters and buffers of the best epoch and restores them at `train-end` when the fit
 * completed or stopped (not after an error or a cancellation), so the network ends as it
 * was at its best epoch, whether or not the patience ran out.
 *
 * A monitored name that does not exist fails the fit at `train-begin` with a
 * %FIT_ERROR_NOT_FOUND error listing the names that do. Its state (best value and
 * weights, epochs waited) is saved in checkpoints; loading one checks every value (a
 * count that is not a whole number in range, best weights that do not fit the network)
 * and changes nothing when one is wrong. Its priority is
 * %FIT_PRIORITY_EARLY_STOPPING.
 *
 * Since: 1.0
 */
struct _FitEarlyStoppingHandler
{
  FitEventHandler  parent_instance;
  FitMonitor       monitor;
  guint            patience;
  double           baseline;
  gboolean         restore_best_weights;
  guint            start_epoch;

  double           best;
  int              best_epoch;
  guint            wait;
  int              stopped_epoch;
  FitSafetensors  *best_weights;
  gboolean         restored;     /* the state came from a checkpoint */
};

enum {
  PROP_0,
  PROP_MONITOR,
  PROP_MIN_DELTA,
  PROP_PATIENCE,
  PROP_MODE,
  PROP_BASELINE,
  PROP_RESTORE_BEST_WEIGHTS,
  PROP_START_EPOCH,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitEarlyStoppingHandler, fit_early_stopping_handler, FIT_TYPE_EVENT_HANDLER)

static gboolean
fit_early_stopping_handler_train_begin (FitEventHandler  *handler,
                                        FitEstimator     *estimator,
                                        GError          **error)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (handler);

  if (!fit_monitor_begin (&self->monitor, estimator, error))
    return FALSE;
  if (!self->restored)
    {
      self->best = fit_monitor_worst (&self->monitor);
      self->best_epoch = -1;
      self->wait = 0;
      g_clear_object (&self->best_weights);
    }
  self->stopped_epoch = -1;
  self->restored = FALSE;
  return TRUE;
}

static gboolean
fit_early_stopping_handler_epoch_end (FitEventHandler  *handler,
                                      FitEstimator     *estimator,
                                      GError          **error)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (handler);
  guint epoch = fit_estimator_get_epoch (estimator);
  double current;

  if (epoch < self->start_epoch || !fit_monitor_read (&self->monitor, estimator, &current))
    return TRUE;

  if (self->wait < G_MAXUINT)
    self->wait++;
  if (fit_monitor_improves (&self->monitor, current, self->best))
    {
      self->best = current;
      self->best_epoch = (int) epoch;
      if (self->restore_best_weights)
        {
          g_autoptr(FitSafetensors) state = fit_module_get_state (fit_estimator_get_net (estimator));

          g_clear_object (&self->best_weights);
          self->best_weights = fit_safetensors_deep_copy (state);
        }
      if (!isfinite (self->baseline) ||
          fit_monitor_improves (&self->monitor, current, self->baseline))
        self->wait = 0;
    }
  /* wait counts the epochs since the last improvement (one that beat the baseline, if
   * there is one): an epoch that improved is never one to stop at, whatever the patience,
   * and patience 0 stops at the first epoch without an improvement, as patience 1 does. */
  if (self->wait > 0 && self->wait >= self->patience && epoch > 0)
    {
      self->stopped_epoch = (int) epoch;
      fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_TRAINING);
    }
  return TRUE;
}

static gboolean
fit_early_stopping_handler_train_end (FitEventHandler  *handler,
                                      FitEstimator     *estimator,
                                      FitStopReason     reason,
                                      GError          **error)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (handler);

  /* A checkpoint restored during this fit's train-begin is used up. */
  self->restored = FALSE;
  if (self->stopped_epoch >= 0)
    g_info (_("Early stopping at epoch %d: %s has not improved on %g (epoch %d) for %u epochs"),
            self->stopped_epoch, self->monitor.name, self->best, self->best_epoch, self->wait);
  if (self->restore_best_weights && self->best_weights != NULL &&
      (reason == FIT_STOP_REASON_COMPLETED || reason == FIT_STOP_REASON_STOPPED))
    return fit_module_set_state (fit_estimator_get_net (estimator), self->best_weights, error);
  return TRUE;
}

static void
fit_early_stopping_handler_save_state (FitEventHandler *handler,
                                       FitSafetensors  *into,
                                       const char      *prefix)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (handler);

  fit_state_set_double (into, prefix, "best", self->best);
  fit_state_set_integer (into, prefix, "best_epoch", self->best_epoch);
  fit_state_set_integer (into, prefix, "wait", self->wait);
  if (self->best_weights != NULL)
    {
      g_auto(GStrv) names = fit_safetensors_get_names (self->best_weights);

      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autofree char *key = g_strconcat (prefix, "best_weights.", names[i], NULL);

          fit_safetensors_add (into, key, fit_safetensors_get (self->best_weights, names[i]));
        }
    }
}

/* A checkpoint's state for this handler, read and checked whole before any of it is used. */
typedef struct
{
  double           best;
  gint64           best_epoch;
  gint64           wait;
  FitSafetensors  *best_weights;   /* (nullable) */
} SavedState;

static void
saved_state_clear (SavedState *saved)
{
  g_clear_object (&saved->best_weights);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SavedState, saved_state_clear)

/* With an @estimator, the best weights must also fit its network. */
static gboolean
read_state (FitEarlyStoppingHandler  *self,
            FitEstimator             *estimator,
            FitSafetensors           *from,
            const char               *prefix,
            SavedState               *saved,
            GError                  **error)
{
  g_autofree char *weights_prefix = g_strconcat (prefix, "best_weights.", NULL);
  g_auto(GStrv) names = fit_safetensors_get_names (from);
  g_autoptr(FitSafetensors) weights = fit_safetensors_new ();

  saved->best = self->best;
  saved->best_epoch = self->best_epoch;
  saved->wait = self->wait;
  /* The best value is whatever the monitor gave (never NaN, which means none yet); the
   * epochs are those of a fit, which counts them in an int. */
  if (!fit_state_read_double (from, prefix, "best", -INFINITY, INFINITY, TRUE, &saved->best,
                              error) ||
      !fit_state_read_integer (from, prefix, "best_epoch", FALSE, -1, G_MAXINT,
                               &saved->best_epoch, error) ||
      !fit_state_read_integer (from, prefix, "wait", FALSE, 0, G_MAXUINT, &saved->wait, error))
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], weights_prefix))
      fit_safetensors_add (weights, names[i] + strlen (weights_prefix),
                           fit_safetensors_get (from, names[i]));
  if (fit_safetensors_get_n_tensors (weights) == 0)
    return TRUE;
  if (estimator != NULL &&
      !fit_module_check_state (fit_estimator_get_net (estimator), weights, error))
    {
      g_prefix_error (error, _("The checkpoint's “%s…”: "), weights_prefix);
      return FALSE;
    }
  saved->best_weights = g_steal_pointer (&weights);
  return TRUE;
}

static gboolean
fit_early_stopping_handler_check_state (FitEventHandler  *handler,
                                        FitEstimator     *estimator,
                                        FitSafetensors   *from,
                                        const char       *prefix,
                                        GError          **error)
{
  g_auto(SavedState) saved = { 0 };

  return read_state (FIT_EARLY_STOPPING_HANDLER (handler), estimator, from, prefix, &saved,
                     error);
}

static gboolean
fit_early_stopping_handler_load_state (FitEventHandler  *handler,
                                       FitSafetensors   *from,
                                       const char       *prefix,
                                       GError          **error)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (handler);
  g_auto(SavedState) saved = { 0 };

  if (!read_state (self, NULL, from, prefix, &saved, error))
    return FALSE;
  self->best = saved.best;
  self->best_epoch = (int) saved.best_epoch;
  self->wait = (guint) saved.wait;
  g_clear_object (&self->best_weights);
  if (saved.best_weights != NULL)
    self->best_weights = fit_safetensors_deep_copy (saved.best_weights);
  self->restored = TRUE;
  return TRUE;
}

static void
fit_early_stopping_handler_finalize (GObject *object)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (object);

  fit_monitor_clear (&self->monitor);
  g_clear_object (&self->best_weights);
  G_OBJECT_CLASS (fit_early_stopping_handler_parent_class)->finalize (object);
}

static void
fit_early_stopping_handler_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_value_set_string (value, self->monitor.name);
      break;
    case PROP_MIN_DELTA:
      g_value_set_double (value, self->monitor.min_delta);
      break;
    case PROP_PATIENCE:
      g_value_set_uint (value, self->patience);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->monitor.mode);
      break;
    case PROP_BASELINE:
      g_value_set_double (value, self->baseline);
      break;
    case PROP_RESTORE_BEST_WEIGHTS:
      g_value_set_boolean (value, self->restore_best_weights);
      break;
    case PROP_START_EPOCH:
      g_value_set_uint (value, self->start_epoch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_early_stopping_handler_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  FitEarlyStoppingHandler *self = FIT_EARLY_STOPPING_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_free (self->monitor.name);
      self->monitor.name = g_value_dup_string (value);
      if (self->monitor.name == NULL)
        self->monitor.name = g_strdup ("val_loss");
      break;
    case PROP_MIN_DELTA:
      self->monitor.min_delta = g_value_get_double (value);
      break;
    case PROP_PATIENCE:
      self->patience = g_value_get_uint (value);
      break;
    case PROP_MODE:
      self->monitor.mode = g_value_get_enum (value);
      break;
    case PROP_BASELINE:
      self->baseline = g_value_get_double (value);
      break;
    case PROP_RESTORE_BEST_WEIGHTS:
      self->restore_best_weights = g_value_get_boolean (value);
      break;
    case PROP_START_EPOCH:
      self->start_epoch = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_early_stopping_handler_class_init (FitEarlyStoppingHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = fit_early_stopping_handler_finalize;
  object_class->get_property = fit_early_stopping_handler_get_property;
  object_class->set_property = fit_early_stopping_handler_set_property;
  handler_class->train_begin = fit_early_stopping_handler_train_begin;
  handler_class->epoch_end = fit_early_stopping_handler_epoch_end;
  handler_class->train_end = fit_early_stopping_handler_train_end;
  handler_class->save_state = fit_early_stopping_handler_save_state;
  handler_class->load_state = fit_early_stopping_handler_load_state;
  fit_event_handler_class_set_check_state (handler_class, fit_early_stopping_handler_check_state);

  /**
   * FitEarlyStoppingHandler:monitor:
   *
   * The reported name of the metric to watch, such as `val_loss` or `val_accuracy`.
   *
   * Since: 1.0
   */
  properties[PROP_MONITOR] = g_param_spec_string ("monitor", NULL, NULL, "val_loss", flags);
  /**
   * FitEarlyStoppingHandler:min-delta:
   *
   * How much better than the best value a value must be to count as an improvement.
   *
   * Since: 1.0
   */
  properties[PROP_MIN_DELTA] = g_param_spec_double ("min-delta", NULL, NULL, 0, G_MAXDOUBLE, 0,
                                                    flags);
  /**
   * FitEarlyStoppingHandler:patience:
   *
   * How many epochs in a row without an improvement end the training: the training stops
   * at the end of the last of them. 0 stops at the first epoch without an improvement,
   * as 1 does.
   *
   * Since: 1.0
   */
  properties[PROP_PATIENCE] = g_param_spec_uint ("patience", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * FitEarlyStoppingHandler:mode:
   *
   * Whether smaller or larger values are better; %FIT_MONITOR_MODE_AUTO asks the metric.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, FIT_TYPE_MONITOR_MODE,
                                             FIT_MONITOR_MODE_AUTO, flags);
  /**
   * FitEarlyStoppingHandler:baseline:
   *
   * A value the metric must beat for the patience to reset; a value that is not finite
   * (NaN, the initial value, or an infinity, which bindings can set) means none.
   *
   * Since: 1.0
   */
  /* Not a construct property: NaN, the "none" it starts as, is not a valid default. */
  properties[PROP_BASELINE] = g_param_spec_double ("baseline", NULL, NULL, -INFINITY,
                                                   INFINITY, 0,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  /**
   * FitEarlyStoppingHandler:restore-best-weights:
   *
   * Whether the network gets the weights of its best epoch back at `train-end`.
   *
   * Since: 1.0
   */
  properties[PROP_RESTORE_BEST_WEIGHTS] =
    g_param_spec_boolean ("restore-best-weights", NULL, NULL, FALSE, flags);
  /**
   * FitEarlyStoppingHandler:start-epoch:
   *
   * The first epoch that is watched; earlier epochs (a warm-up) neither improve nor use
   * up patience.
   *
   * Since: 1.0
   */
  properties[PROP_START_EPOCH] = g_param_spec_uint ("start-epoch", NULL, NULL, 0, G_MAXUINT, 0,
                                                    flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_early_stopping_handler_init (FitEarlyStoppingHandler *self)
{
  self->best = NAN;
  self->baseline = NAN;
  self->best_epoch = -1;
  self->stopped_epoch = -1;
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_EARLY_STOPPING);
}

/**
 * fit_early_stopping_handler_new:
 * @monitor: (nullable): the metric to watch; %NULL for `val_loss`
 * @min_delta: the smallest change that counts as an improvement
 * @patience: how many epochs in a row without an improvement end the training (0 and 1
 *   both stop at the first)
 *
 * Creates an early-stopping handler; set the other properties for a baseline, restoring
 * the best weights or a warm-up.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_early_stopping_handler_new (const char *monitor,
                                double      min_delta,
                                guint       patience)
{
  return g_object_new (FIT_TYPE_EARLY_STOPPING_HANDLER, "monitor", monitor,
                       "min-delta", min_delta, "patience", patience, NULL);
}

/**
 * fit_early_stopping_handler_get_best_epoch:
 * @self: a handler
 *
 * Gets the epoch with the best value in the latest fit, -1 before one.
 *
 * Returns: the epoch with the best value in the latest fit, -1 before one
 *
 * Since: 1.0
 */
int
fit_early_stopping_handler_get_best_epoch (FitEarlyStoppingHandler *self)
{
  g_return_val_if_fail (FIT_IS_EARLY_STOPPING_HANDLER (self), -1);
  return self->best_epoch;
}

/**
 * fit_early_stopping_handler_get_best_value:
 * @self: a handler
 *
 * Gets the best value in the latest fit, NaN before one.
 *
 * Returns: the best value in the latest fit, NaN before one
 *
 * Since: 1.0
 */
double
fit_early_stopping_handler_get_best_value (FitEarlyStoppingHandler *self)
{
  g_return_val_if_fail (FIT_IS_EARLY_STOPPING_HANDLER (self), NAN);
  return self->best_epoch >= 0 ? self->best : NAN;
}

/**
 * fit_early_stopping_handler_get_stopped_epoch:
 * @self: a handler
 *
 * Gets the epoch at which the handler ended the latest fit, -1 when it did not.
 *
 * Returns: the epoch at which the handler ended the latest fit, -1 when it did not
 *
 * Since: 1.0
 */
int
fit_early_stopping_handler_get_stopped_epoch (FitEarlyStoppingHandler *self)
{
  g_return_val_if_fail (FIT_IS_EARLY_STOPPING_HANDLER (self), -1);
  return self->stopped_epoch;
}
