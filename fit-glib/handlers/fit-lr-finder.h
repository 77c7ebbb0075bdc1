/* fit-lr-finder.h
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

#define FIT_TYPE_LR_FINDER (fit_lr_finder_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLrFinder, fit_lr_finder, FIT, LR_FINDER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_lr_finder_new (double start_lr,
                                   double end_lr,
                                   guint  n_steps);
FIT_AVAILABLE_IN_1_0
double          *fit_lr_finder_get_learning_rates (FitLrFinder *self,
                                                   guint       *n_values);
FIT_AVAILABLE_IN_1_0
double          *fit_lr_finder_get_losses         (FitLrFinder *self,
                                                   guint       *n_values);
FIT_AVAILABLE_IN_1_0
double           fit_lr_finder_get_suggested_learning_rate (FitLrFinder *self);

FIT_AVAILABLE_IN_1_0
FitLrFinder     *fit_estimator_find_lr            (FitEstimator  *self,
                                                   FitDataLoader *train_data,
                                                   double         start_lr,
                                                   double         end_lr,
                                                   guint          n_steps,
                                                   GCancellable  *cancellable,
                                                   GError       **error);

G_END_DECLS
