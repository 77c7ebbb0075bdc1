/* fit-random-horizontal-flip.h: images mirrored left to right at random
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_RANDOM_HORIZONTAL_FLIP (fit_random_horizontal_flip_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitRandomHorizontalFlip, fit_random_horizontal_flip,
                      FIT, RANDOM_HORIZONTAL_FLIP, FitTransform)

FIT_AVAILABLE_IN_1_0
FitTransform  *fit_random_horizontal_flip_new  (double  probability);

G_END_DECLS
