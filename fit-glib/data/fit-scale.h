/* fit-scale.h: multiply by a factor and add an offset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_SCALE (fit_scale_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitScale, fit_scale, FIT, SCALE, FitTransform)

FIT_AVAILABLE_IN_1_0
FitTransform  *fit_scale_new         (double     factor,
                                      double     offset);
FIT_AVAILABLE_IN_1_0
double         fit_scale_get_factor  (FitScale  *self);
FIT_AVAILABLE_IN_1_0
double         fit_scale_get_offset  (FitScale  *self);

G_END_DECLS
