/* fit-handlers-private.h: what the built-in handlers share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Code they share, on public API; what they may use beyond it is in
 * train/fit-estimator-handlers-private.h, which this includes.
 */

#pragma once

#include <glib/gi18n-lib.h>

#include "fit-glib/handlers/fit-handlers.h"
#include "fit-glib/train/fit-estimator-handlers-private.h"

G_BEGIN_DECLS

/* A monitored metric: its name, its direction and what counts as an improvement. */
typedef struct
{
  char           *name;
  FitMonitorMode  mode;       /* as configured */
  FitMonitorMode  resolved;   /* MIN or MAX, from train-begin on */
  double          min_delta;
} FitMonitor;

void      fit_monitor_clear      (FitMonitor    *monitor);
/* Checks the name against the estimator's metrics and resolves the mode. */
gboolean  fit_monitor_begin      (FitMonitor    *monitor,
                                  FitEstimator  *estimator,
                                  GError       **error);
/* The current value; FALSE when it is not fresh (a validation metric in an epoch that did
 * not validate) or not a number. */
gboolean  fit_monitor_read       (FitMonitor    *monitor,
                                  FitEstimator  *estimator,
                                  double        *value);
/* Whether @current beats @reference by more than min_delta in the monitored direction. */
gboolean  fit_monitor_improves   (FitMonitor    *monitor,
                                  double         current,
                                  double         reference);
/* The worst possible value: where "best" starts. */
double    fit_monitor_worst      (FitMonitor    *monitor);

G_END_DECLS
