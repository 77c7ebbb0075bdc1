/* fit-clip-grad.h: gradient clipping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

FIT_AVAILABLE_IN_1_0
gboolean  fit_clip_grad_norm   (FitTensor **params,
                                guint       n_params,
                                double      max_norm,
                                double     *total_norm,
                                GError    **error);
FIT_AVAILABLE_IN_1_0
void      fit_clip_grad_value  (FitTensor **params,
                                guint       n_params,
                                double      clip_value);

G_END_DECLS
