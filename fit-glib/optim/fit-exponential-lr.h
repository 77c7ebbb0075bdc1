/* fit-exponential-lr.h: decay by a factor every step
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-lr-schedule.h"

G_BEGIN_DECLS

#define FIT_TYPE_EXPONENTIAL_LR (fit_exponential_lr_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitExponentialLR, fit_exponential_lr, FIT, EXPONENTIAL_LR, FitLrSchedule)

FIT_AVAILABLE_IN_1_0
FitLrSchedule *fit_exponential_lr_new (double gamma);

G_END_DECLS
