/* fit-rmse.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/metrics/fit-metric.h"

G_BEGIN_DECLS

#define FIT_TYPE_RMSE (fit_rmse_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitRmse, fit_rmse, FIT, RMSE, FitMetric)

FIT_AVAILABLE_IN_1_0
FitMetric *fit_rmse_new (void);

G_END_DECLS
