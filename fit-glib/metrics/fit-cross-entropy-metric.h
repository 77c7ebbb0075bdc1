/* fit-cross-entropy-metric.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/metrics/fit-metric.h"

G_BEGIN_DECLS

#define FIT_TYPE_CROSS_ENTROPY_METRIC (fit_cross_entropy_metric_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCrossEntropyMetric, fit_cross_entropy_metric, FIT, CROSS_ENTROPY_METRIC, FitMetric)

FIT_AVAILABLE_IN_1_0
FitMetric *fit_cross_entropy_metric_new (gboolean from_logits);

G_END_DECLS
