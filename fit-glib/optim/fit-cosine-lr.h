/* fit-cosine-lr.h: cosine annealing after an optional linear warm-up
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"

G_BEGIN_DECLS

#define FIT_TYPE_COSINE_LR (fit_cosine_lr_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCosineLR, fit_cosine_lr, FIT, COSINE_LR, FitLrSchedule)

FIT_AVAILABLE_IN_1_0
FitLrSchedule *fit_cosine_lr_new (gint64  total_steps,
                                  double  min_lr);

G_END_DECLS
