/* fit-gradient-clipping-handler.h
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

#define FIT_TYPE_GRADIENT_CLIPPING_HANDLER (fit_gradient_clipping_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitGradientClippingHandler, fit_gradient_clipping_handler, FIT, GRADIENT_CLIPPING_HANDLER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_gradient_clipping_handler_new (double max_norm);
FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_gradient_clipping_handler_new_value (double clip_value);
FIT_AVAILABLE_IN_1_0
double           fit_gradient_clipping_handler_get_last_norm (FitGradientClippingHandler *self);

G_END_DECLS
