/* fit-transform.h: a derivable change of inputs or labels, per item or per batch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

#define FIT_TYPE_TRANSFORM (fit_transform_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitTransform, fit_transform, FIT, TRANSFORM, GObject)

/**
 * FitTransformClass:
 * @parent_class: the parent class
 * @apply_batch: transforms a batch (the first dimension indexes items) and returns a new
 *   tensor; random transforms draw from @rng, never from a hidden generator
 *
 * The virtual functions of [class@Fit.Transform].
 *
 * Since: 1.0
 */
struct _FitTransformClass
{
  GObjectClass parent_class;

  FitTensor *(*apply_batch) (FitTransform  *self,
                             FitTensor     *batch,
                             FitRng        *rng,
                             GError       **error);

  /*< private >*/
  gpointer padding[8];
};

FIT_AVAILABLE_IN_1_0
FitTensor *fit_transform_apply_batch  (FitTransform  *self,
                                       FitTensor     *batch,
                                       FitRng        *rng,
                                       GError       **error);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_transform_apply        (FitTransform  *self,
                                       FitTensor     *item,
                                       FitRng        *rng,
                                       GError       **error);
FIT_AVAILABLE_IN_1_0
guint64    fit_transform_get_seed     (FitTransform  *self);
FIT_AVAILABLE_IN_1_0
void       fit_transform_set_seed     (FitTransform  *self,
                                       guint64        seed);

G_END_DECLS
