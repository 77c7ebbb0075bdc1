/* fit-binary-accuracy.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/metrics/fit-metric.h"

G_BEGIN_DECLS

#define FIT_TYPE_BINARY_ACCURACY (fit_binary_accuracy_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitBinaryAccuracy, fit_binary_accuracy, FIT, BINARY_ACCURACY, FitMetric)

FIT_AVAILABLE_IN_1_0
FitMetric *fit_binary_accuracy_new (double threshold);
FIT_AVAILABLE_IN_1_0
double     fit_binary_accuracy_get_threshold (FitBinaryAccuracy *self);

G_END_DECLS
