/* fit-mean-loss.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/metrics/fit-metric.h"

G_BEGIN_DECLS

#define FIT_TYPE_MEAN_LOSS (fit_mean_loss_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitMeanLoss, fit_mean_loss, FIT, MEAN_LOSS, FitMetric)

FIT_AVAILABLE_IN_1_0
FitMetric *fit_mean_loss_new (void);
FIT_AVAILABLE_IN_1_0
void       fit_mean_loss_update_value (FitMeanLoss *self,
                                       double       value,
                                       double       weight);

G_END_DECLS
