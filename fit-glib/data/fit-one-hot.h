/* fit-one-hot.h: class indices to one-hot rows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_ONE_HOT (fit_one_hot_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitOneHot, fit_one_hot, FIT, ONE_HOT, FitTransform)

FIT_AVAILABLE_IN_1_0
FitTransform  *fit_one_hot_new              (guint       n_classes);
FIT_AVAILABLE_IN_1_0
guint          fit_one_hot_get_n_classes    (FitOneHot  *self);

G_END_DECLS
