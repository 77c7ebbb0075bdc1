/* fit-f1-score.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/metrics/fit-metric.h"

G_BEGIN_DECLS

#define FIT_TYPE_F1_SCORE (fit_f1_score_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitF1Score, fit_f1_score, FIT, F1_SCORE, FitMetric)

FIT_AVAILABLE_IN_1_0
FitMetric *fit_f1_score_new (FitAverage average);
FIT_AVAILABLE_IN_1_0
FitAverage fit_f1_score_get_average (FitF1Score *self);

G_END_DECLS
