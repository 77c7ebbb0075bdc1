/* fit-compose.h: transforms applied one after another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/data/fit-transform.h"

G_BEGIN_DECLS

#define FIT_TYPE_COMPOSE (fit_compose_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCompose, fit_compose, FIT, COMPOSE, FitTransform)

FIT_AVAILABLE_IN_1_0
FitTransform  *fit_compose_new               (FitTransform  **transforms,
                                              guint           n_transforms);
FIT_AVAILABLE_IN_1_0
void           fit_compose_append            (FitCompose     *self,
                                              FitTransform   *transform);
FIT_AVAILABLE_IN_1_0
guint          fit_compose_get_n_transforms  (FitCompose     *self);
FIT_AVAILABLE_IN_1_0
FitTransform  *fit_compose_get_transform     (FitCompose     *self,
                                              guint           index);

G_END_DECLS
