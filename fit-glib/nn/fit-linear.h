/* fit-linear.h: fully connected layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_LINEAR (fit_linear_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLinear, fit_linear, FIT, LINEAR, FitModule)

FIT_AVAILABLE_IN_1_0
FitLinear *fit_linear_new                (gint64      in_features,
                                          gint64      out_features,
                                          gboolean    bias,
                                          FitRng     *rng);
FIT_AVAILABLE_IN_1_0
gint64     fit_linear_get_in_features    (FitLinear  *self);
FIT_AVAILABLE_IN_1_0
gint64     fit_linear_get_out_features   (FitLinear  *self);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_linear_get_weight         (FitLinear  *self);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_linear_get_bias           (FitLinear  *self);

G_END_DECLS
