/* fit-random-crop.h: random crops of zero-padded images
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_RANDOM_CROP (fit_random_crop_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitRandomCrop, fit_random_crop, FIT, RANDOM_CROP, FitTransform)

FIT_AVAILABLE_IN_1_0
FitTransform  *fit_random_crop_new          (guint           height,
                                             guint           width,
                                             guint           padding);

G_END_DECLS
