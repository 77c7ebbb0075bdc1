/* fit-normalization.h: batch and layer normalisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_BATCH_NORM1D (fit_batch_norm1d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitBatchNorm1d, fit_batch_norm1d, FIT, BATCH_NORM1D, FitModule)

FIT_AVAILABLE_IN_1_0
FitBatchNorm1d *fit_batch_norm1d_new      (gint64     num_features,
                                           double     eps,
                                           double     momentum,
                                           gboolean   affine);

#define FIT_TYPE_BATCH_NORM2D (fit_batch_norm2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitBatchNorm2d, fit_batch_norm2d, FIT, BATCH_NORM2D, FitModule)

FIT_AVAILABLE_IN_1_0
FitBatchNorm2d *fit_batch_norm2d_new      (gint64     num_features,
                                           double     eps,
                                           double     momentum,
                                           gboolean   affine);

#define FIT_TYPE_LAYER_NORM (fit_layer_norm_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLayerNorm, fit_layer_norm, FIT, LAYER_NORM, FitModule)

FIT_AVAILABLE_IN_1_0
FitLayerNorm *fit_layer_norm_new          (const gint64  *normalized_shape,
                                           guint          n_dims,
                                           double         eps,
                                           gboolean       elementwise_affine);

G_END_DECLS
