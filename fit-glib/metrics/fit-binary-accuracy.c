/* fit-binary-accuracy.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "fit-metric-private.h"

/**
 * FitBinaryAccuracy:
 *
 * The fraction of binary predictions on the right side of a threshold; named
 * `binary_accuracy`.
 *
 * Predictions and labels have the same number of elements; labels are 0 or 1, and a
 * prediction counts as 1 when it is greater than [property@Fit.BinaryAccuracy:threshold]
 * (0.5 for probabilities, 0 for logits). Every element is one sample, so multi-label
 * predictions score each label.
 *
 * Since: 1.0
 */
struct _FitBinaryAccuracy
{
  FitMetric parent_instance;
  double    threshold;
  gint64    correct;
  gint64    total;
};

enum { PROP_0, PROP_THRESHOLD, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitBinaryAccuracy, fit_binary_accuracy, FIT_TYPE_METRIC)

static void
fit_binary_accuracy_reset (FitMetric  *metric,
                           GError    **error)
{
  FitBinaryAccuracy *self = FIT_BINARY_ACCURACY (metric);

  self->correct = 0;
  self->total = 0;
}

static gboolean
fit_binary_accuracy_update (FitMetric  *metric,
                            FitTensor  *prediction,
                            FitTensor  *label,
                            GError    **error)
{
  FitBinaryAccuracy *self = FIT_BINARY_ACCURACY (metric);
  g_autoptr(FitTensor) pred = NULL;
  g_autoptr(FitTensor) lab = NULL;
  FitMetricValues pv, lv;
  gint64 n, correct = 0;

  if (!fit_metric_check_pair (metric, prediction, label, &pred, &lab, error))
    return FALSE;
  pv = fit_metric_values (pred);
  lv = fit_metric_values (lab);
  n = fit_tensor_get_numel (pred);
  for (gint64 i = 0; i < n; i++)
    {
      double y = fit_metric_value (lv, i);

      if (y != 0.0 && y != 1.0)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("Metric “%s” got label %g at position %" PRId64
                         "; binary labels must be 0 or 1"),
                       fit_metric_get_name (metric), y, i);
          return FALSE;
        }
      correct += (fit_metric_value (pv, i) > self->threshold) == (y == 1.0);
    }
  self->correct += correct;
  self->total += n;
  return TRUE;
}

static void
fit_binary_accuracy_compute (FitMetric  *metric,
                             double     *value,
                             GError    **error)
{
  FitBinaryAccuracy *self = FIT_BINARY_ACCURACY (metric);

  *value = self->total > 0 ? (double) self->correct / (double) self->total : NAN;
}

static void
fit_binary_accuracy_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  FitBinaryAccuracy *self = FIT_BINARY_ACCURACY (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_binary_accuracy_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  FitBinaryAccuracy *self = FIT_BINARY_ACCURACY (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      if (self->threshold != g_value_get_double (value))
        {
          self->threshold = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_binary_accuracy_class_init (FitBinaryAccuracyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitMetricClass *metric_class = FIT_METRIC_CLASS (klass);

  object_class->get_property = fit_binary_accuracy_get_property;
  object_class->set_property = fit_binary_accuracy_set_property;
  metric_class->reset = fit_binary_accuracy_reset;
  metric_class->update = fit_binary_accuracy_update;
  metric_class->compute = fit_binary_accuracy_compute;

  /**
   * FitBinaryAccuracy:threshold:
   *
   * Predictions greater than the threshold count as class 1.
   *
   * Since: 1.0
   */
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.5,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_binary_accuracy_init (FitBinaryAccuracy *self)
{
  fit_metric_set_name (FIT_METRIC (self), "binary_accuracy");
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}

/**
 * fit_binary_accuracy_new:
 * @threshold: predictions greater than this count as class 1 (0.5 for probabilities, 0
 *   for logits)
 *
 * Creates a binary accuracy metric.
 *
 * Returns: (transfer full): the new metric
 *
 * Since: 1.0
 */
FitMetric *
fit_binary_accuracy_new (double threshold)
{
  return g_object_new (FIT_TYPE_BINARY_ACCURACY, "threshold", threshold, NULL);
}

/**
 * fit_binary_accuracy_get_threshold:
 * @self: a binary accuracy metric
 *
 * Gets [property@Fit.BinaryAccuracy:threshold].
 *
 * Returns: [property@Fit.BinaryAccuracy:threshold]
 *
 * Since: 1.0
 */
double
fit_binary_accuracy_get_threshold (FitBinaryAccuracy *self)
{
  g_return_val_if_fail (FIT_IS_BINARY_ACCURACY (self), NAN);
  return self->threshold;
}
