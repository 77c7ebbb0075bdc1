/* fit-top-k-accuracy.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/metrics/fit-metric.h"

G_BEGIN_DECLS

#define FIT_TYPE_TOP_K_ACCURACY (fit_top_k_accuracy_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitTopKAccuracy, fit_top_k_accuracy, FIT, TOP_K_ACCURACY, FitMetric)

FIT_AVAILABLE_IN_1_0
FitMetric *fit_top_k_accuracy_new (guint k);
FIT_AVAILABLE_IN_1_0
guint      fit_top_k_accuracy_get_k (FitTopKAccuracy *self);

G_END_DECLS
