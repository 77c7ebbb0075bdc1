/* fit-dropout.h: dropout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_DROPOUT (fit_dropout_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitDropout, fit_dropout, FIT, DROPOUT, FitModule)

FIT_AVAILABLE_IN_1_0
FitDropout *fit_dropout_new      (double       p,
                                  FitRng      *rng);
FIT_AVAILABLE_IN_1_0
double      fit_dropout_get_p    (FitDropout  *self);
FIT_AVAILABLE_IN_1_0
FitRng     *fit_dropout_get_rng  (FitDropout  *self);

G_END_DECLS
