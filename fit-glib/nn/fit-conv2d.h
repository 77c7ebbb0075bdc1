/* fit-conv2d.h: 2-D convolution
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_CONV2D (fit_conv2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitConv2d, fit_conv2d, FIT, CONV2D, FitModule)

FIT_AVAILABLE_IN_1_0
FitConv2d *fit_conv2d_new           (gint64      in_channels,
                                     gint64      out_channels,
                                     int         kernel_size,
                                     int         stride,
                                     int         padding,
                                     FitRng     *rng);
FIT_AVAILABLE_IN_1_0
FitConv2d *fit_conv2d_new_full      (gint64      in_channels,
                                     gint64      out_channels,
                                     int         kernel_h,
                                     int         kernel_w,
                                     int         stride_h,
                                     int         stride_w,
                                     int         padding_h,
                                     int         padding_w,
                                     int         dilation_h,
                                     int         dilation_w,
                                     int         groups,
                                     gboolean    bias,
                                     FitRng     *rng);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_conv2d_get_weight    (FitConv2d  *self);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_conv2d_get_bias      (FitConv2d  *self);

#define FIT_TYPE_CONV_TRANSPOSE2D (fit_conv_transpose2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitConvTranspose2d, fit_conv_transpose2d, FIT, CONV_TRANSPOSE2D, FitModule)

FIT_AVAILABLE_IN_1_0
FitConvTranspose2d *fit_conv_transpose2d_new        (gint64               in_channels,
                                                     gint64               out_channels,
                                                     int                  kernel_size,
                                                     int                  stride,
                                                     int                  padding,
                                                     FitRng              *rng);
FIT_AVAILABLE_IN_1_0
FitConvTranspose2d *fit_conv_transpose2d_new_full   (gint64               in_channels,
                                                     gint64               out_channels,
                                                     int                  kernel_h,
                                                     int                  kernel_w,
                                                     int                  stride_h,
                                                     int                  stride_w,
                                                     int                  padding_h,
                                                     int                  padding_w,
                                                     int                  output_padding_h,
                                                     int                  output_padding_w,
                                                     int                  dilation_h,
                                                     int                  dilation_w,
                                                     int                  groups,
                                                     gboolean             bias,
                                                     FitRng              *rng);
FIT_AVAILABLE_IN_1_0
FitTensor          *fit_conv_transpose2d_get_weight (FitConvTranspose2d  *self);
FIT_AVAILABLE_IN_1_0
FitTensor          *fit_conv_transpose2d_get_bias   (FitConvTranspose2d  *self);

G_END_DECLS
