/* fit-early-stopping-handler.h
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

#define FIT_TYPE_EARLY_STOPPING_HANDLER (fit_early_stopping_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitEarlyStoppingHandler, fit_early_stopping_handler, FIT, EARLY_STOPPING_HANDLER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_early_stopping_handler_new (const char *monitor,
                                                    double      min_delta,
                                                    guint       patience);
FIT_AVAILABLE_IN_1_0
int              fit_early_stopping_handler_get_best_epoch   (FitEarlyStoppingHandler *self);
FIT_AVAILABLE_IN_1_0
double           fit_early_stopping_handler_get_best_value   (FitEarlyStoppingHandler *self);
FIT_AVAILABLE_IN_1_0
int              fit_early_stopping_handler_get_stopped_epoch (FitEarlyStoppingHandler *self);

G_END_DECLS
