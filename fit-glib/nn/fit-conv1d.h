/* fit-conv1d.h: 1-D convolution
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_CONV1D (fit_conv1d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitConv1d, fit_conv1d, FIT, CONV1D, FitModule)

FIT_AVAILABLE_IN_1_0
FitConv1d *fit_conv1d_new           (gint64      in_channels,
                                     gint64      out_channels,
                                     int         kernel_size,
                                     int         stride,
                                     int         padding,
                                     FitRng     *rng);
FIT_AVAILABLE_IN_1_0
FitConv1d *fit_conv1d_new_full      (gint64      in_channels,
                                     gint64      out_channels,
                                     int         kernel_size,
                                     int         stride,
                                     int         padding,
                                     int         dilation,
                                     int         groups,
                                     gboolean    bias,
                                     FitRng     *rng);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_conv1d_get_weight    (FitConv1d  *self);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_conv1d_get_bias      (FitConv1d  *self);

G_END_DECLS
