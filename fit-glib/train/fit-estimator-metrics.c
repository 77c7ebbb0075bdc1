/* fit-estimator-metrics.c: the estimator's metric lists and their values by name
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The training and validation metrics, the defaults a fit adds to them, and the names
 * values are reported under (train_<name>, val_<name>): what handlers that monitor or
 * log a value look up.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "fit-estimator-private.h"

static void
set_metrics (GPtrArray  *into,
             FitMetric **metrics,
             guint       n_metrics)
{
  g_ptr_array_set_size (into, 0);
  for (guint i = 0; i < n_metrics; i++)
    {
      g_return_if_fail (FIT_IS_METRIC (metrics[i]));
      g_ptr_array_add (into, g_object_ref (metrics[i]));
    }
}

static GPtrArray *
copy_metrics (GPtrArray *metrics)
{
  GPtrArray *copy = g_ptr_array_new_full (metrics->len, g_object_unref);

  for (guint i = 0; i < metrics->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (metrics, i)));
  return copy;
}

/**
 * fit_estimator_set_train_metrics:
 * @self: an estimator that is not running
 * @metrics: (array length=n_metrics): the metrics
 * @n_metrics: the number of metrics
 *
 * Sets the metrics computed on training batches, reported as `train_<name>`. A mean loss
 * ([class@Fit.MeanLoss]) is added at the next fit when none is given.
 *
 * Since: 1.0
 */
void
fit_estimator_set_train_metrics (FitEstimator  *self,
                                 FitMetric    **metrics,
                                 guint          n_metrics)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (metrics != NULL || n_metrics == 0);

  set_metrics (self->train_metrics, metrics, n_metrics);
}

/**
 * fit_estimator_get_train_metrics:
 * @self: an estimator
 *
 * Gets the training metrics.
 *
 * Returns: (transfer container) (element-type FitMetric): the training metrics
 *
 * Since: 1.0
 */
GPtrArray *
fit_estimator_get_train_metrics (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return copy_metrics (self->train_metrics);
}

/**
 * fit_estimator_set_val_metrics:
 * @self: an estimator that is not running
 * @metrics: (array length=n_metrics): the metrics
 * @n_metrics: the number of metrics
 *
 * Sets the metrics computed on validation batches, reported as `val_<name>`. Without
 * them, the estimator validates with copies of the training metrics.
 *
 * Since: 1.0
 */
void
fit_estimator_set_val_metrics (FitEstimator  *self,
                               FitMetric    **metrics,
                               guint          n_metrics)
{
  g_return_if_fail (FIT_IS_ESTIMATOR (self));
  g_return_if_fail (!self->running);
  g_return_if_fail (metrics != NULL || n_metrics == 0);

  set_metrics (self->val_metrics, metrics, n_metrics);
}

/**
 * fit_estimator_get_val_metrics:
 * @self: an estimator
 *
 * Gets the validation metrics.
 *
 * Returns: (transfer container) (element-type FitMetric): the validation metrics
 *
 * Since: 1.0
 */
GPtrArray *
fit_estimator_get_val_metrics (FitEstimator *self)
{
  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);
  return copy_metrics (self->val_metrics);
}

static gboolean
has_mean_loss (GPtrArray *metrics)
{
  for (guint i = 0; i < metrics->len; i++)
    if (FIT_IS_MEAN_LOSS (g_ptr_array_index (metrics, i)))
      return TRUE;
  return FALSE;
}

static gboolean
check_unique_names (GPtrArray   *metrics,
                    const char  *prefix,
                    GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < metrics->len; i++)
    {
      const char *name = fit_metric_get_name (g_ptr_array_index (metrics, i));

      if (!g_hash_table_add (seen, (gpointer) name))
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("Two %s metrics are named “%s”; give one another name with "
                         "fit_metric_set_name()"), prefix, name);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
fit_estimator_ensure_metrics (FitEstimator  *self,
                              GError       **error)
{
  if (self->train_metrics->len == 0 && fit_loss_is_classification (self->loss))
    g_ptr_array_add (self->train_metrics, fit_accuracy_new ());
  if (!has_mean_loss (self->train_metrics))
    g_ptr_array_insert (self->train_metrics, 0, fit_mean_loss_new ());
  if (self->val_metrics->len == 0)
    for (guint i = 0; i < self->train_metrics->len; i++)
      g_ptr_array_add (self->val_metrics, fit_metric_copy (g_ptr_array_index (self->train_metrics, i)));
  if (!has_mean_loss (self->val_metrics))
    g_ptr_array_insert (self->val_metrics, 0, fit_mean_loss_new ());
  return check_unique_names (self->train_metrics, "training", error) &&
         check_unique_names (self->val_metrics, "validation", error);
}

static FitMetric *
find_metric (FitEstimator *self,
             const char   *name)
{
  GPtrArray *metrics;
  const char *bare;

  if (g_str_has_prefix (name, "train_"))
    {
      metrics = self->train_metrics;
      bare = name + strlen ("train_");
    }
  else if (g_str_has_prefix (name, "val_"))
    {
      metrics = self->val_metrics;
      bare = name + strlen ("val_");
    }
  else
    return NULL;

  for (guint i = 0; i < metrics->len; i++)
    if (g_str_equal (fit_metric_get_name (g_ptr_array_index (metrics, i)), bare))
      return g_ptr_array_index (metrics, i);
  return NULL;
}

/**
 * fit_estimator_get_metric_names:
 * @self: an estimator
 *
 * Lists the names metric values are reported under: `train_<name>` for each training
 * metric, then `val_<name>` for each validation metric. Before the first fit, the
 * default metrics are not there yet.
 *
 * Returns: (transfer full): the names
 *
 * Since: 1.0
 */
char **
fit_estimator_get_metric_names (FitEstimator *self)
{
  GStrvBuilder *builder;
  char **names;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->train_metrics->len; i++)
    {
      g_autofree char *name = g_strconcat ("train_",
                                           fit_metric_get_name (g_ptr_array_index (self->train_metrics, i)),
                                           NULL);
      g_strv_builder_add (builder, name);
    }
  for (guint i = 0; i < self->val_metrics->len; i++)
    {
      g_autofree char *name = g_strconcat ("val_",
                                           fit_metric_get_name (g_ptr_array_index (self->val_metrics, i)),
                                           NULL);
      g_strv_builder_add (builder, name);
    }
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

/**
 * fit_estimator_check_metric_name:
 * @self: an estimator
 * @name: a reported name, such as `val_accuracy`
 * @error: return location for a #GError
 *
 * Checks that a metric is reported under @name, as handlers that monitor a value do
 * when a fit begins.
 *
 * Returns: %TRUE when it is; %FALSE with a %FIT_ERROR_NOT_FOUND error that lists the
 *   names that exist
 *
 * Since: 1.0
 */
gboolean
fit_estimator_check_metric_name (FitEstimator  *self,
                                 const char    *name,
                                 GError       **error)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *list = NULL;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (find_metric (self, name) != NULL)
    return TRUE;
  names = fit_estimator_get_metric_names (self);
  list = g_strjoinv (", ", names);
  g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FOUND,
               _("No metric is named “%s”; the metrics are: %s (training metrics start "
                 "with “train_”, validation metrics with “val_”)"),
               name, list[0] != '\0' ? list : _("none"));
  return FALSE;
}

/**
 * fit_estimator_get_metric_value:
 * @self: an estimator
 * @name: a reported name, such as `train_loss` or `val_accuracy`
 * @value: (out): the metric's current value (NaN before its first update)
 * @error: return location for a #GError
 *
 * Reads a metric's current value with [method@Fit.Metric.get]. When the metric's
 * [vfunc@Fit.Metric.compute] fails during a fit, the fit fails with that error too, as
 * if a handler had failed, whether or not the caller passes @error: handlers that only
 * look at values (monitors, loggers) cannot drop the failure. While a fit runs, call
 * this from the thread running it.
 *
 * Returns: %TRUE on success; %FALSE with a %FIT_ERROR_NOT_FOUND error that lists the
 *   names that exist, or the metric's own error (and @value NaN)
 *
 * Since: 1.0
 */
gboolean
fit_estimator_get_metric_value (FitEstimator  *self,
                                const char    *name,
                                double        *value,
                                GError       **error)
{
  GError *local_error = NULL;
  FitMetric *metric;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  metric = find_metric (self, name);
  if (metric == NULL)
    {
      *value = NAN;
      return fit_estimator_check_metric_name (self, name, error);
    }
  *value = fit_metric_get (metric, &local_error);
  if (local_error == NULL)
    return TRUE;
  if (self->running)
    fit_estimator_fail_running (self, g_error_copy (local_error));
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * fit_estimator_get_metric_mode:
 * @self: an estimator
 * @name: a reported name
 *
 * Resolves whether smaller or larger values of @name are better: the metric's own
 * [property@Fit.Metric:mode] when it has one, else the name decides
 * ([func@Fit.MonitorMode.for_name]): losses and errors are minimised, accuracies and F1
 * scores maximised.
 *
 * Returns: %FIT_MONITOR_MODE_MIN or %FIT_MONITOR_MODE_MAX
 *
 * Since: 1.0
 */
FitMonitorMode
fit_estimator_get_metric_mode (FitEstimator *self,
                               const char   *name)
{
  FitMetric *metric;

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FIT_MONITOR_MODE_MIN);
  g_return_val_if_fail (name != NULL, FIT_MONITOR_MODE_MIN);

  metric = find_metric (self, name);
  if (metric != NULL && fit_metric_get_mode (metric) != FIT_MONITOR_MODE_AUTO)
    return fit_metric_get_mode (metric);
  return fit_monitor_mode_for_name (name);
}

GPtrArray *
fit_estimator_peek_train_metrics (FitEstimator *self)
{
  return self->train_metrics;
}

GPtrArray *
fit_estimator_peek_val_metrics (FitEstimator *self)
{
  return self->val_metrics;
}
