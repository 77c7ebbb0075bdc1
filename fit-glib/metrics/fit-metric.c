/* fit-metric.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fit-metric-private.h"

/**
 * FitMetric:
 *
 * A quantity accumulated over the batches of an epoch: accuracy, an error, a mean loss.
 *
 * A metric is reset, updated with one batch of predictions and labels at a time, and read
 * with [method@Fit.Metric.get]. Built-in metrics weight every batch by its number of
 * samples, so an uneven last batch never skews an epoch's value.
 *
 * The estimator reports metrics under one naming scheme: the metric's
 * [property@Fit.Metric:name] prefixed with `train_` for training metrics and `val_` for
 * validation metrics (`train_loss`, `val_accuracy`). Handlers that monitor a value
 * (early stopping, checkpoints, reducing the learning rate) use the same names.
 *
 * Subclass it in C, Python, JavaScript or Vala by implementing
 * [vfunc@Fit.Metric.reset], [vfunc@Fit.Metric.update] and [vfunc@Fit.Metric.compute],
 * and give the metric a name; set [property@Fit.Metric:mode] when its name does not say
 * whether larger values are better. In each language the natural form works: `reset`
 * returns nothing, `compute` returns the number, and both raise (Python), throw
 * (JavaScript, Vala) or set the `GError` (C) to fail:
 *
 * ```python
 * class MaxError(Fit.Metric):
 *     def do_reset(self):
 *         self.worst = float("nan")
 *     def do_update(self, prediction, label):
 *         ...
 *         return True
 *     def do_compute(self):
 *         return self.worst
 * ```
 *
 * ```js
 * vfunc_compute() { return this._worst; }
 * ```
 *
 * ```vala
 * public override void compute (out double value) throws Error { value = worst; }
 * ```
 *
 * `compute` hands its value back through an out parameter, not as a return value,
 * because GJS 1.74 (Debian 12) passes C a garbage number for a `double` returned by a
 * JavaScript virtual method (7.9 arrives as 3.5e-323), while a `double` out parameter
 * arrives intact; a `gboolean` return would make JavaScript and Python implementations
 * return `[true, value]` and read `undefined` or `None` as a failure, since neither
 * honours `(skip)` on a virtual method's return value.
 *
 * A failing `reset` or `compute` fails a running fit with its error, as a failing handler
 * does (see [class@Fit.Estimator]). NaN is a legitimate value, the value before the first
 * update; the history records it and monitors treat it as no value.
 *
 * Since: 1.0
 */

typedef struct
{
  char           *name;
  FitMonitorMode  mode;
} FitMetricPrivate;

enum { PROP_0, PROP_NAME, PROP_MODE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (FitMetric, fit_metric, G_TYPE_OBJECT)

static void
fit_metric_finalize (GObject *object)
{
  FitMetricPrivate *priv = fit_metric_get_instance_private (FIT_METRIC (object));

  g_clear_pointer (&priv->name, g_free);
  G_OBJECT_CLASS (fit_metric_parent_class)->finalize (object);
}

static void
fit_metric_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FitMetric *self = FIT_METRIC (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, fit_metric_get_name (self));
      break;
    case PROP_MODE:
      g_value_set_enum (value, fit_metric_get_mode (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_metric_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FitMetric *self = FIT_METRIC (object);

  switch (prop_id)
    {
    case PROP_NAME:
      fit_metric_set_name (self, g_value_get_string (value));
      break;
    case PROP_MODE:
      fit_metric_set_mode (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_metric_real_reset (FitMetric  *self,
                       GError    **error)
{
}

static gboolean
fit_metric_real_update (FitMetric  *self,
                        FitTensor  *prediction,
                        FitTensor  *label,
                        GError    **error)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
               _("Metric “%s” (%s) does not implement update()"),
               fit_metric_get_name (self), G_OBJECT_TYPE_NAME (self));
  return FALSE;
}

static void
fit_metric_real_compute (FitMetric  *self,
                         double     *value,
                         GError    **error)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
               _("Metric “%s” (%s) does not implement compute()"),
               fit_metric_get_name (self), G_OBJECT_TYPE_NAME (self));
}

static void
fit_metric_class_init (FitMetricClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_metric_finalize;
  object_class->get_property = fit_metric_get_property;
  object_class->set_property = fit_metric_set_property;

  klass->reset = fit_metric_real_reset;
  klass->update = fit_metric_real_update;
  klass->compute = fit_metric_real_compute;

  /**
   * FitMetric:name:
   *
   * The metric's name, without the `train_` or `val_` prefix the estimator adds
   * (`accuracy`, `loss`, `top_5_accuracy`). Names are unique among an estimator's
   * training metrics and among its validation metrics.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitMetric:mode:
   *
   * Whether smaller or larger values are better. Built-in metrics set it; with
   * %FIT_MONITOR_MODE_AUTO the name decides (see [func@Fit.MonitorMode.for_name]).
   *
   * Since: 1.0
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, FIT_TYPE_MONITOR_MODE, FIT_MONITOR_MODE_AUTO,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_metric_init (FitMetric *self)
{
}

/**
 * fit_metric_reset:
 * @self: a metric
 * @error: return location for a #GError
 *
 * Forgets every update, typically at the start of an epoch. A subclass whose reset fails
 * sets @error; the built-in metrics never fail.
 *
 * This returns nothing rather than a #gboolean because it is also the virtual method
 * that Python and JavaScript subclasses implement: there a method that returns nothing
 * would read as %FALSE. Check @error.
 *
 * Since: 1.0
 */
void
fit_metric_reset (FitMetric  *self,
                  GError    **error)
{
  g_return_if_fail (FIT_IS_METRIC (self));
  g_return_if_fail (error == NULL || *error == NULL);

  FIT_METRIC_GET_CLASS (self)->reset (self, error);
}

/**
 * fit_metric_update:
 * @self: a metric
 * @prediction: a batch of predictions (the network's outputs, or the loss for
 *   [class@Fit.MeanLoss])
 * @label: (nullable): the batch's labels
 * @error: return location for a #GError
 *
 * Adds one batch. Shapes that do not fit the metric are a %FIT_ERROR_SHAPE error, labels
 * outside the predicted classes a %FIT_ERROR_INVALID_ARGUMENT error; the metric is
 * unchanged then.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
fit_metric_update (FitMetric  *self,
                   FitTensor  *prediction,
                   FitTensor  *label,
                   GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (FIT_IS_METRIC (self), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (prediction), FALSE);
  g_return_val_if_fail (label == NULL || FIT_IS_TENSOR (label), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = FIT_METRIC_GET_CLASS (self)->update (self, prediction, label, &local_error);
  /* A binding override that raised a non-GError exception returns FALSE without an
   * error; that is still a failure. */
  if (!ok && local_error == NULL)
    g_set_error (&local_error, FIT_ERROR, FIT_ERROR_FAILED,
                 _("Metric “%s” (%s) failed to update without giving a reason"),
                 fit_metric_get_name (self), G_OBJECT_TYPE_NAME (self));
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * FitMetricClass::compute:
 * @self: a metric
 * @value: (out): return location for the metric over every update since the last
 *   reset, NaN when there was none
 * @error: return location for a #GError
 *
 * Computes the metric's value, or sets @error. Bindings return the number and raise or
 * throw to fail; see [class@Fit.Metric] for why it is an out parameter.
 *
 * Since: 1.0
 */

/**
 * fit_metric_get:
 * @self: a metric
 * @error: return location for a #GError
 *
 * Gets the metric over every update since the last reset, NaN when there was none, by
 * calling [vfunc@Fit.Metric.compute]. NaN is also what a failed computation returns, so
 * a caller that needs to tell them apart checks @error.
 *
 * Returns: the metric over every update since the last reset, NaN when there was none
 *   or with @error set
 *
 * Since: 1.0
 */
double
fit_metric_get (FitMetric  *self,
                GError    **error)
{
  GError *local_error = NULL;
  double value = NAN;

  g_return_val_if_fail (FIT_IS_METRIC (self), NAN);
  g_return_val_if_fail (error == NULL || *error == NULL, NAN);

  FIT_METRIC_GET_CLASS (self)->compute (self, &value, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NAN;
    }
  return value;
}

/**
 * fit_metric_get_name:
 * @self: a metric
 *
 * Gets the metric's name, or its type name when it has none.
 *
 * Returns: (transfer none): the metric's name, or its type name when it has none
 *
 * Since: 1.0
 */
const char *
fit_metric_get_name (FitMetric *self)
{
  FitMetricPrivate *priv;

  g_return_val_if_fail (FIT_IS_METRIC (self), NULL);
  priv = fit_metric_get_instance_private (self);
  return priv->name != NULL ? priv->name : G_OBJECT_TYPE_NAME (self);
}

/**
 * fit_metric_set_name:
 * @self: a metric
 * @name: (nullable): the new name
 *
 * Sets [property@Fit.Metric:name].
 *
 * Since: 1.0
 */
void
fit_metric_set_name (FitMetric  *self,
                     const char *name)
{
  FitMetricPrivate *priv;

  g_return_if_fail (FIT_IS_METRIC (self));
  priv = fit_metric_get_instance_private (self);
  if (g_strcmp0 (priv->name, name) == 0)
    return;
  g_free (priv->name);
  priv->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * fit_metric_get_mode:
 * @self: a metric
 *
 * Gets whether smaller or larger values are better, as set; %FIT_MONITOR_MODE_AUTO when
 * the name decides.
 *
 * Returns: whether smaller or larger values are better, as set; %FIT_MONITOR_MODE_AUTO
 *   when the name decides
 *
 * Since: 1.0
 */
FitMonitorMode
fit_metric_get_mode (FitMetric *self)
{
  FitMetricPrivate *priv;

  g_return_val_if_fail (FIT_IS_METRIC (self), FIT_MONITOR_MODE_AUTO);
  priv = fit_metric_get_instance_private (self);
  return priv->mode;
}

/**
 * fit_metric_set_mode:
 * @self: a metric
 * @mode: the new mode
 *
 * Sets [property@Fit.Metric:mode].
 *
 * Since: 1.0
 */
void
fit_metric_set_mode (FitMetric      *self,
                     FitMonitorMode  mode)
{
  FitMetricPrivate *priv;

  g_return_if_fail (FIT_IS_METRIC (self));
  priv = fit_metric_get_instance_private (self);
  if (priv->mode != mode)
    {
      priv->mode = mode;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
}

/**
 * fit_metric_copy:
 * @self: a metric
 *
 * Creates a metric of the same type with the same settings (every readable and writable
 * property) and no updates, for example a validation twin of a training metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_metric_copy (FitMetric *self)
{
  g_autofree GParamSpec **pspecs = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (GValue));
  FitMetric *copy;
  guint n_pspecs;

  g_return_val_if_fail (FIT_IS_METRIC (self), NULL);

  g_array_set_clear_func (values, (GDestroyNotify) g_value_unset);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      GValue value = G_VALUE_INIT;

      if ((pspec->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE)
        continue;
      g_value_init (&value, pspec->value_type);
      g_object_get_property (G_OBJECT (self), pspec->name, &value);
      g_ptr_array_add (names, (gpointer) pspec->name);
      g_array_append_val (values, value);
    }
  copy = FIT_METRIC (g_object_new_with_properties (G_OBJECT_TYPE (self), names->len,
                                                   (const char **) names->pdata,
                                                   (const GValue *) values->data));
  /* An error is dropped here, not lost: a fit resets every metric again before its
   * first update, and fails there with the error. */
  fit_metric_reset (copy, NULL);
  return copy;
}

/**
 * fit_monitor_mode_for_name:
 * @name: a metric or monitored name, such as `val_accuracy`
 *
 * Resolves %FIT_MONITOR_MODE_AUTO from a name alone: accuracies, F1 scores, precision,
 * recall and AUC are maximised; losses, errors, cross-entropy, perplexity and everything
 * else are minimised.
 *
 * Returns: %FIT_MONITOR_MODE_MIN or %FIT_MONITOR_MODE_MAX
 *
 * Since: 1.0
 */
FitMonitorMode
fit_monitor_mode_for_name (const char *name)
{
  static const char * const maximised[] = { "acc", "f1", "precision", "recall", "auc" };
  g_autofree char *lower = NULL;

  g_return_val_if_fail (name != NULL, FIT_MONITOR_MODE_MIN);

  lower = g_ascii_strdown (name, -1);
  for (guint i = 0; i < G_N_ELEMENTS (maximised); i++)
    if (strstr (lower, maximised[i]) != NULL)
      return FIT_MONITOR_MODE_MAX;
  return FIT_MONITOR_MODE_MIN;
}
