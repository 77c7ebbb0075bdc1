/* fit-handlers-util.c: monitors and state helpers shared by the built-in handlers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fit-handlers-private.h"

void
fit_monitor_clear (FitMonitor *monitor)
{
  g_clear_pointer (&monitor->name, g_free);
}

gboolean
fit_monitor_begin (FitMonitor    *monitor,
                   FitEstimator  *estimator,
                   GError       **error)
{
  if (!fit_estimator_check_metric_name (estimator, monitor->name, error))
    return FALSE;
  monitor->resolved = monitor->mode != FIT_MONITOR_MODE_AUTO
                      ? monitor->mode
                      : fit_estimator_get_metric_mode (estimator, monitor->name);
  return TRUE;
}

gboolean
fit_monitor_read (FitMonitor   *monitor,
                  FitEstimator *estimator,
                  double       *value)
{
  if (g_str_has_prefix (monitor->name, "val_") &&
      !fit_estimator_validated_this_epoch (estimator))
    return FALSE;
  if (!fit_estimator_get_metric_value (estimator, monitor->name, value, NULL))
    return FALSE;
  return !isnan (*value);
}

gboolean
fit_monitor_improves (FitMonitor *monitor,
                      double      current,
                      double      reference)
{
  if (isnan (reference))
    return TRUE;
  if (monitor->resolved == FIT_MONITOR_MODE_MAX)
    return current - fabs (monitor->min_delta) > reference;
  return current + fabs (monitor->min_delta) < reference;
}

double
fit_monitor_worst (FitMonitor *monitor)
{
  return monitor->resolved == FIT_MONITOR_MODE_MAX ? -INFINITY : INFINITY;
}
