/* fit-metric.h: the base class of training and validation metrics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

/**
 * FitMonitorMode:
 * @FIT_MONITOR_MODE_AUTO: decide from the metric: its own mode, else its name (names with
 *   "acc", "f1", "precision", "recall" or "auc" are maximised, everything else, losses and
 *   errors among them, is minimised)
 * @FIT_MONITOR_MODE_MIN: smaller values are better
 * @FIT_MONITOR_MODE_MAX: larger values are better
 *
 * Which direction of a monitored value counts as an improvement.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_MONITOR_MODE_AUTO,
  FIT_MONITOR_MODE_MIN,
  FIT_MONITOR_MODE_MAX,
} FitMonitorMode;

/**
 * FitAverage:
 * @FIT_AVERAGE_MACRO: the unweighted mean of the per-class scores
 * @FIT_AVERAGE_MICRO: the score of the pooled counts of every class
 * @FIT_AVERAGE_BINARY: the score of class 1 only (binary problems)
 *
 * How a precision, recall or F1 score combines the classes.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_AVERAGE_MACRO,
  FIT_AVERAGE_MICRO,
  FIT_AVERAGE_BINARY,
} FitAverage;

#define FIT_TYPE_METRIC (fit_metric_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitMetric, fit_metric, FIT, METRIC, GObject)

/**
 * FitMetricClass:
 * @parent_class: the parent class
 * @reset: forgets every update since the last reset, or sets @error
 * @update: adds one batch of predictions and labels; @label may be %NULL for metrics
 *   that only look at the prediction (the mean loss)
 * @compute: stores the value over every update since the last reset in @value (NaN
 *   before the first update), or sets @error
 *
 * The virtual methods of [class@Fit.Metric]. Subclasses in C, Python, JavaScript or Vala
 * implement all three; see [vfunc@Fit.Metric.compute] for why the value comes back
 * through an out parameter.
 *
 * Since: 1.0
 */
struct _FitMetricClass
{
  GObjectClass parent_class;

  void      (*reset)   (FitMetric  *self,
                        GError    **error);
  gboolean  (*update)  (FitMetric  *self,
                        FitTensor  *prediction,
                        FitTensor  *label,
                        GError    **error);
  void      (*compute) (FitMetric  *self,
                        double     *value,
                        GError    **error);

  /*< private >*/
  gpointer padding[8];
};

FIT_AVAILABLE_IN_1_0
void            fit_metric_reset          (FitMetric      *self,
                                           GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean        fit_metric_update         (FitMetric      *self,
                                           FitTensor      *prediction,
                                           FitTensor      *label,
                                           GError        **error);
FIT_AVAILABLE_IN_1_0
double          fit_metric_get            (FitMetric      *self,
                                           GError        **error);
FIT_AVAILABLE_IN_1_0
const char     *fit_metric_get_name       (FitMetric      *self);
FIT_AVAILABLE_IN_1_0
void            fit_metric_set_name       (FitMetric      *self,
                                           const char     *name);
FIT_AVAILABLE_IN_1_0
FitMonitorMode  fit_metric_get_mode       (FitMetric      *self);
FIT_AVAILABLE_IN_1_0
void            fit_metric_set_mode       (FitMetric      *self,
                                           FitMonitorMode  mode);
FIT_AVAILABLE_IN_1_0
FitMetric      *fit_metric_copy           (FitMetric      *self);

FIT_AVAILABLE_IN_1_0
FitMonitorMode  fit_monitor_mode_for_name (const char     *name);

G_END_DECLS
