/* fit-normalize.h: subtract a mean and divide by a standard deviation per channel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_NORMALIZE (fit_normalize_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitNormalize, fit_normalize, FIT, NORMALIZE, FitTransform)

FIT_AVAILABLE_IN_1_0
FitTransform  *fit_normalize_new           (const double  *mean,
                                            const double  *std,
                                            guint          n_channels);
FIT_AVAILABLE_IN_1_0
const double  *fit_normalize_get_mean      (FitNormalize  *self,
                                            guint         *n_channels);
FIT_AVAILABLE_IN_1_0
const double  *fit_normalize_get_std       (FitNormalize  *self,
                                            guint         *n_channels);

G_END_DECLS
