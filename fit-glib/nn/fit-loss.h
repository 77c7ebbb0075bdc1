/* fit-loss.h: the base class of loss functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/nn/fit-nn-types.h"

G_BEGIN_DECLS

#define FIT_TYPE_LOSS (fit_loss_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitLoss, fit_loss, FIT, LOSS, GObject)

/**
 * FitLossClass:
 * @parent_class: the parent class
 * @compute: computes the loss of @prediction against @target, reduced as the
 *   [property@Fit.Loss:reduction] property says; returns a new tensor (transfer full)
 *   or %NULL with @error set. Called through [method@Fit.Loss.compute].
 * @classification: whether the loss compares class scores with class labels, so that
 *   accuracy is a meaningful metric for it (see [method@Fit.Loss.is_classification])
 *
 * The class structure of [class@Fit.Loss].
 *
 * Since: 1.0
 */
struct _FitLossClass
{
  GObjectClass parent_class;

  FitTensor *(*compute) (FitLoss    *self,
                         FitTensor  *prediction,
                         FitTensor  *target,
                         GError    **error);

  gboolean classification;

  /*< private >*/
  gpointer padding[12];
};

FIT_AVAILABLE_IN_1_0
FitTensor    *fit_loss_compute            (FitLoss       *self,
                                           FitTensor     *prediction,
                                           FitTensor     *target,
                                           GError       **error);
FIT_AVAILABLE_IN_1_0
FitReduction  fit_loss_get_reduction      (FitLoss       *self);
FIT_AVAILABLE_IN_1_0
void          fit_loss_set_reduction      (FitLoss       *self,
                                           FitReduction   reduction);
FIT_AVAILABLE_IN_1_0
gboolean      fit_loss_is_classification  (FitLoss       *self);

G_END_DECLS
