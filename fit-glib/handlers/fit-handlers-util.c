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

void
fit_state_set_double (FitSafetensors *state,
                      const char     *prefix,
                      const char     *key,
                      double          value)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* g_ascii_dtostr writes "inf", "-inf" and "nan", which g_ascii_strtod reads back. */
  fit_safetensors_set_metadata (state, full, g_ascii_dtostr (buf, sizeof buf, value));
}

gboolean
fit_state_get_double (FitSafetensors  *state,
                      const char      *prefix,
                      const char      *key,
                      double          *value,
                      GError         **error)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  const char *text = fit_safetensors_get_metadata (state, full);
  char *end = NULL;

  if (text == NULL)
    return TRUE;
  *value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("The checkpoint's “%s” is “%s”, not a number"), full, text);
      return FALSE;
    }
  return TRUE;
}
