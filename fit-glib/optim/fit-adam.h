/* fit-adam.h: Adam
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/optim/fit-optimizer.h"

G_BEGIN_DECLS

#define FIT_TYPE_ADAM (fit_adam_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitAdam, fit_adam, FIT, ADAM, FitOptimizer)

FIT_AVAILABLE_IN_1_0
FitOptimizer *fit_adam_new (FitTensor **params,
                            guint       n_params,
                            double      learning_rate);

G_END_DECLS
