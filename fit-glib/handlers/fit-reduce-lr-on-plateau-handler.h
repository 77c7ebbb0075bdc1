/* fit-reduce-lr-on-plateau-handler.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/train/fit-estimator.h"
#include "fit-glib/train/fit-event-handler.h"

G_BEGIN_DECLS

#define FIT_TYPE_REDUCE_LR_ON_PLATEAU_HANDLER (fit_reduce_lr_on_plateau_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitReduceLrOnPlateauHandler, fit_reduce_lr_on_plateau_handler, FIT, REDUCE_LR_ON_PLATEAU_HANDLER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_reduce_lr_on_plateau_handler_new (const char *monitor,
                                                          double      factor,
                                                          guint       patience);

G_END_DECLS
