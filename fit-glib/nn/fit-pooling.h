/* fit-pooling.h: pooling layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_MAX_POOL2D (fit_max_pool2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitMaxPool2d, fit_max_pool2d, FIT, MAX_POOL2D, FitModule)

FIT_AVAILABLE_IN_1_0
FitMaxPool2d *fit_max_pool2d_new       (int      kernel_size,
                                        int      stride,
                                        int      padding);
FIT_AVAILABLE_IN_1_0
FitMaxPool2d *fit_max_pool2d_new_full  (int      kernel_h,
                                        int      kernel_w,
                                        int      stride_h,
                                        int      stride_w,
                                        int      padding_h,
                                        int      padding_w);

#define FIT_TYPE_AVG_POOL2D (fit_avg_pool2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitAvgPool2d, fit_avg_pool2d, FIT, AVG_POOL2D, FitModule)

FIT_AVAILABLE_IN_1_0
FitAvgPool2d *fit_avg_pool2d_new       (int       kernel_size,
                                        int       stride,
                                        int       padding);
FIT_AVAILABLE_IN_1_0
FitAvgPool2d *fit_avg_pool2d_new_full  (int       kernel_h,
                                        int       kernel_w,
                                        int       stride_h,
                                        int       stride_w,
                                        int       padding_h,
                                        int       padding_w,
                                        gboolean  count_include_pad);

#define FIT_TYPE_ADAPTIVE_AVG_POOL2D (fit_adaptive_avg_pool2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitAdaptiveAvgPool2d, fit_adaptive_avg_pool2d, FIT, ADAPTIVE_AVG_POOL2D,
                      FitModule)

FIT_AVAILABLE_IN_1_0
FitAdaptiveAvgPool2d *fit_adaptive_avg_pool2d_new (int output_h,
                                                   int output_w);

#define FIT_TYPE_ADAPTIVE_MAX_POOL2D (fit_adaptive_max_pool2d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitAdaptiveMaxPool2d, fit_adaptive_max_pool2d, FIT, ADAPTIVE_MAX_POOL2D,
                      FitModule)

FIT_AVAILABLE_IN_1_0
FitAdaptiveMaxPool2d *fit_adaptive_max_pool2d_new (int output_h,
                                                   int output_w);

G_END_DECLS
