/* fit-lr-finder.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-glib/io/fit-safetensors-private.h"
#include "fit-handlers-private.h"

/**
 * FitLrFinder:
 *
 * A learning-rate range test (Smith 2015, fastai's `lr_find`): trains for up to
 * [property@Fit.LrFinder:n-steps] batches while the learning rate grows exponentially
 * from [property@Fit.LrFinder:start-lr] to [property@Fit.LrFinder:end-lr], records the
 * loss at each rate and suggests one.
 *
 * Use it through [method@Fit.Estimator.find_lr], which runs the sweep without the
 * estimator's other handlers and afterwards puts the network's parameters and buffers,
 * the optimizer's state and learning rate and the estimator's
 * [property@Fit.Estimator:rng] back as they were: the model is untouched.
 *
 * The recorded losses are smoothed with an exponential moving average
 * ([property@Fit.LrFinder:smoothing], bias-corrected). The sweep stops early when the
 * smoothed loss exceeds [property@Fit.LrFinder:diverge-factor] times the lowest so far,
 * or stops being finite. The suggestion is the rate where the smoothed loss falls
 * fastest (the steepest negative slope against the logarithm of the rate), ignoring the
 * last tenth of the points, a common choice for a starting rate.
 *
 * Since: 1.0
 */
struct _FitLrFinder
{
  FitEventHandler parent_instance;
  double          start_lr;
  double          end_lr;
  guint           n_steps;
  double          diverge_factor;
  double          smoothing;

  GArray         *lrs;
  GArray         *losses;
  double          average;
  double          best;
  guint           seen;
};

enum {
  PROP_0,
  PROP_START_LR,
  PROP_END_LR,
  PROP_N_STEPS,
  PROP_DIVERGE_FACTOR,
  PROP_SMOOTHING,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitLrFinder, fit_lr_finder, FIT_TYPE_EVENT_HANDLER)

static double
rate_at (FitLrFinder *self,
         guint64      step)
{
  if (self->n_steps <= 1)
    return self->start_lr;
  return self->start_lr * pow (self->end_lr / self->start_lr,
                               (double) step / (double) (self->n_steps - 1));
}

static gboolean
fit_lr_finder_train_begin (FitEventHandler  *handler,
                           FitEstimator     *estimator,
                           GError          **error)
{
  FitLrFinder *self = FIT_LR_FINDER (handler);

  g_array_set_size (self->lrs, 0);
  g_array_set_size (self->losses, 0);
  self->average = 0;
  self->best = INFINITY;
  self->seen = 0;
  return TRUE;
}

static gboolean
fit_lr_finder_batch_begin (FitEventHandler  *handler,
                           FitEstimator     *estimator,
                           GError          **error)
{
  FitLrFinder *self = FIT_LR_FINDER (handler);

  fit_optimizer_set_learning_rate (fit_estimator_get_optimizer (estimator),
                                   rate_at (self, fit_estimator_get_global_step (estimator)));
  return TRUE;
}

static gboolean
fit_lr_finder_batch_end (FitEventHandler  *handler,
                         FitEstimator     *estimator,
                         GError          **error)
{
  FitLrFinder *self = FIT_LR_FINDER (handler);
  double loss = fit_estimator_get_loss_value (estimator);
  double lr = fit_optimizer_get_learning_rate (fit_estimator_get_optimizer (estimator));
  double smoothed;

  if (fit_estimator_get_loss_tensor (estimator) == NULL)
    return TRUE;
  self->seen++;
  self->average = self->smoothing * self->average + (1 - self->smoothing) * loss;
  smoothed = self->average / (1 - pow (self->smoothing, self->seen));
  g_array_append_val (self->lrs, lr);
  g_array_append_val (self->losses, smoothed);
  if (!isfinite (smoothed) || smoothed > self->diverge_factor * self->best)
    fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_TRAINING);
  else
    self->best = MIN (self->best, smoothed);
  return TRUE;
}

static void
fit_lr_finder_finalize (GObject *object)
{
  FitLrFinder *self = FIT_LR_FINDER (object);

  g_clear_pointer (&self->lrs, g_array_unref);
  g_clear_pointer (&self->losses, g_array_unref);
  G_OBJECT_CLASS (fit_lr_finder_parent_class)->finalize (object);
}

static void
fit_lr_finder_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitLrFinder *self = FIT_LR_FINDER (object);

  switch (prop_id)
    {
    case PROP_START_LR:
      g_value_set_double (value, self->start_lr);
      break;
    case PROP_END_LR:
      g_value_set_double (value, self->end_lr);
      break;
    case PROP_N_STEPS:
      g_value_set_uint (value, self->n_steps);
      break;
    case PROP_DIVERGE_FACTOR:
      g_value_set_double (value, self->diverge_factor);
      break;
    case PROP_SMOOTHING:
      g_value_set_double (value, self->smoothing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_lr_finder_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitLrFinder *self = FIT_LR_FINDER (object);

  switch (prop_id)
    {
    case PROP_START_LR:
      self->start_lr = g_value_get_double (value);
      break;
    case PROP_END_LR:
      self->end_lr = g_value_get_double (value);
      break;
    case PROP_N_STEPS:
      self->n_steps = g_value_get_uint (value);
      break;
    case PROP_DIVERGE_FACTOR:
      self->diverge_factor = g_value_get_double (value);
      break;
    case PROP_SMOOTHING:
      self->smoothing = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_lr_finder_class_init (FitLrFinderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = fit_lr_finder_finalize;
  object_class->get_property = fit_lr_finder_get_property;
  object_class->set_property = fit_lr_finder_set_property;
  handler_class->train_begin = fit_lr_finder_train_begin;
  handler_class->batch_begin = fit_lr_finder_batch_begin;
  handler_class->batch_end = fit_lr_finder_batch_end;

  /**
   * FitLrFinder:start-lr:
   *
   * The first learning rate of the sweep.
   *
   * Since: 1.0
   */
  properties[PROP_START_LR] = g_param_spec_double ("start-lr", NULL, NULL, G_MINDOUBLE,
                                                   G_MAXDOUBLE, 1e-7, flags);
  /**
   * FitLrFinder:end-lr:
   *
   * The last learning rate of the sweep.
   *
   * Since: 1.0
   */
  properties[PROP_END_LR] = g_param_spec_double ("end-lr", NULL, NULL, G_MINDOUBLE,
                                                 G_MAXDOUBLE, 10, flags);
  /**
   * FitLrFinder:n-steps:
   *
   * The number of batches of the sweep.
   *
   * Since: 1.0
   */
  properties[PROP_N_STEPS] = g_param_spec_uint ("n-steps", NULL, NULL, 2, G_MAXUINT, 100, flags);
  /**
   * FitLrFinder:diverge-factor:
   *
   * The sweep stops when the smoothed loss exceeds this many times its lowest value.
   *
   * Since: 1.0
   */
  properties[PROP_DIVERGE_FACTOR] = g_param_spec_double ("diverge-factor", NULL, NULL, 1,
                                                         G_MAXDOUBLE, 4, flags);
  /**
   * FitLrFinder:smoothing:
   *
   * The weight of the past in the loss's moving average, from 0 (no smoothing) to below 1.
   *
   * Since: 1.0
   */
  properties[PROP_SMOOTHING] = g_param_spec_double ("smoothing", NULL, NULL, 0, 0.999, 0.98,
                                                    flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_lr_finder_init (FitLrFinder *self)
{
  self->lrs = g_array_new (FALSE, FALSE, sizeof (double));
  self->losses = g_array_new (FALSE, FALSE, sizeof (double));
  self->best = INFINITY;
}

/**
 * fit_lr_finder_new:
 * @start_lr: the first learning rate (positive)
 * @end_lr: the last learning rate (greater than @start_lr)
 * @n_steps: the number of batches of the sweep (at least 2)
 *
 * Creates a learning-rate finder; [method@Fit.Estimator.find_lr] does this for you.
 *
 * Returns: (transfer full): the new finder
 *
 * Since: 1.0
 */
FitEventHandler *
fit_lr_finder_new (double start_lr,
                   double end_lr,
                   guint  n_steps)
{
  g_return_val_if_fail (start_lr > 0 && end_lr > start_lr, NULL);
  g_return_val_if_fail (n_steps >= 2, NULL);
  return g_object_new (FIT_TYPE_LR_FINDER, "start-lr", start_lr, "end-lr", end_lr,
                       "n-steps", n_steps, NULL);
}

static double *
copy_array (GArray *a,
            guint  *n_values)
{
  *n_values = a->len;
  return g_memdup2 (a->data, MAX (a->len, 1) * sizeof (double));
}

/**
 * fit_lr_finder_get_learning_rates:
 * @self: a finder
 * @n_values: (out): the number of rates
 *
 * Gets the learning rate of each recorded batch.
 *
 * Returns: (transfer full) (array length=n_values): the learning rate of each recorded
 *   batch
 *
 * Since: 1.0
 */
double *
fit_lr_finder_get_learning_rates (FitLrFinder *self,
                                  guint       *n_values)
{
  g_return_val_if_fail (FIT_IS_LR_FINDER (self), NULL);
  g_return_val_if_fail (n_values != NULL, NULL);
  return copy_array (self->lrs, n_values);
}

/**
 * fit_lr_finder_get_losses:
 * @self: a finder
 * @n_values: (out): the number of losses
 *
 * Gets the smoothed loss of each recorded batch, matching
 * [method@Fit.LrFinder.get_learning_rates].
 *
 * Returns: (transfer full) (array length=n_values): the smoothed loss of each recorded
 *   batch, matching [method@Fit.LrFinder.get_learning_rates]
 *
 * Since: 1.0
 */
double *
fit_lr_finder_get_losses (FitLrFinder *self,
                          guint       *n_values)
{
  g_return_val_if_fail (FIT_IS_LR_FINDER (self), NULL);
  g_return_val_if_fail (n_values != NULL, NULL);
  return copy_array (self->losses, n_values);
}

/**
 * fit_lr_finder_get_suggested_learning_rate:
 * @self: a finder after a sweep
 *
 * Gets the rate where the smoothed loss fell fastest, or NaN with fewer than three
 * recorded points.
 *
 * Returns: the rate where the smoothed loss fell fastest, or NaN with fewer than three
 *   recorded points
 *
 * Since: 1.0
 */
double
fit_lr_finder_get_suggested_learning_rate (FitLrFinder *self)
{
  const double *lrs, *losses;
  guint n, end, best = 0;
  double steepest = INFINITY;

  g_return_val_if_fail (FIT_IS_LR_FINDER (self), NAN);

  n = self->losses->len;
  if (n < 3)
    return NAN;
  lrs = (const double *) self->lrs->data;
  losses = (const double *) self->losses->data;
  /* The last points are where the loss diverges: their slopes say nothing useful. */
  end = MAX (n - n / 10, 2);
  for (guint i = 1; i < end; i++)
    {
      double slope = (losses[i] - losses[i - 1]) / (log (lrs[i]) - log (lrs[i - 1]));

      if (isfinite (slope) && slope < steepest)
        {
          steepest = slope;
          best = i;
        }
    }
  return isfinite (steepest) ? lrs[best] : NAN;
}

/**
 * fit_estimator_find_lr:
 * @self: an estimator that is not running
 * @train_data: the training batches
 * @start_lr: the first learning rate (positive)
 * @end_lr: the last learning rate (greater than @start_lr)
 * @n_steps: the number of batches to sweep over (at least 2; more than an epoch is fine)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs a learning-rate range test (see [class@Fit.LrFinder]) and restores the network,
 * the optimizer and [property@Fit.Estimator:rng] afterwards, whether the sweep finished,
 * stopped on divergence, failed or was cancelled. Only the metric handler and the finder
 * run: added handlers (checkpoints, logging) take no part, and the history is not
 * touched. Without an optimizer, the sweep uses a throw-away default SGD.
 *
 * Returns: (transfer full): the finder, holding the rates, the losses and the suggested
 *   rate; %NULL with @error set when the sweep failed or was cancelled
 *
 * Since: 1.0
 */
FitLrFinder *
fit_estimator_find_lr (FitEstimator   *self,
                       FitDataLoader  *train_data,
                       double          start_lr,
                       double          end_lr,
                       guint           n_steps,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(FitEventHandler) finder = NULL;
  g_autoptr(FitSafetensors) model = NULL;
  g_autoptr(FitSafetensors) model_copy = NULL;
  g_autoptr(FitSafetensors) optim_copy = NULL;
  g_autoptr(GBytes) rng_state = NULL;
  g_autoptr(FitOptimizer) optimizer = NULL;
  GError *restore_error = NULL;
  gboolean ok;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  g_return_val_if_fail (FIT_IS_DATA_LOADER (train_data), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(start_lr > 0 && end_lr > start_lr) || n_steps < 2)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("find_lr needs 0 < start_lr < end_lr and at least 2 steps; got %g, %g "
                     "and %u"), start_lr, end_lr, n_steps);
      return NULL;
    }
  if (fit_estimator_is_running (self))
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_STATE,
                           _("Cannot find a learning rate while the estimator is running"));
      return NULL;
    }

  finder = fit_lr_finder_new (start_lr, end_lr, n_steps);
  model = fit_module_get_state (fit_estimator_get_net (self));
  model_copy = fit_safetensors_deep_copy (model);
  if (fit_estimator_get_optimizer (self) != NULL)
    optimizer = g_object_ref (fit_estimator_get_optimizer (self));
  if (optimizer != NULL)
    {
      g_autoptr(FitSafetensors) saved = fit_safetensors_new ();

      fit_optimizer_save_state (optimizer, saved, "optimizer.");
      optim_copy = fit_safetensors_deep_copy (saved);
    }
  if (fit_estimator_get_rng (self) != NULL)
    rng_state = fit_rng_save_state (fit_estimator_get_rng (self));

  ok = fit_estimator_fit_isolated (self, train_data, n_steps, finder, cancellable, error);

  /* Put everything back, whatever happened. */
  if (!fit_module_set_state (fit_estimator_get_net (self), model_copy, &restore_error))
    goto restore_failed;
  fit_module_zero_grad (fit_estimator_get_net (self));
  if (optimizer != NULL)
    {
      gboolean restored = fit_optimizer_load_state (optimizer, optim_copy, "optimizer.",
                                                    &restore_error);

      fit_estimator_set_optimizer (self, optimizer);
      if (!restored)
        goto restore_failed;
    }
  else
    fit_estimator_set_optimizer (self, NULL);
  if (rng_state != NULL &&
      !fit_rng_restore_state (fit_estimator_get_rng (self), rng_state, &restore_error))
    goto restore_failed;

  return ok ? FIT_LR_FINDER (g_steal_pointer (&finder)) : NULL;

restore_failed:
  if (ok)
    g_propagate_error (error, restore_error);
  else
    g_error_free (restore_error);
  return NULL;
}
