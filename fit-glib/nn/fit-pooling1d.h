/* fit-pooling1d.h: 1-D pooling layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_MAX_POOL1D (fit_max_pool1d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitMaxPool1d, fit_max_pool1d, FIT, MAX_POOL1D, FitModule)

FIT_AVAILABLE_IN_1_0
FitMaxPool1d *fit_max_pool1d_new       (int       kernel_size,
                                        int       stride,
                                        int       padding);

#define FIT_TYPE_AVG_POOL1D (fit_avg_pool1d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitAvgPool1d, fit_avg_pool1d, FIT, AVG_POOL1D, FitModule)

FIT_AVAILABLE_IN_1_0
FitAvgPool1d *fit_avg_pool1d_new       (int       kernel_size,
                                        int       stride,
                                        int       padding);
FIT_AVAILABLE_IN_1_0
FitAvgPool1d *fit_avg_pool1d_new_full  (int       kernel_size,
                                        int       stride,
                                        int       padding,
                                        gboolean  count_include_pad);

#define FIT_TYPE_ADAPTIVE_AVG_POOL1D (fit_adaptive_avg_pool1d_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitAdaptiveAvgPool1d, fit_adaptive_avg_pool1d, FIT, ADAPTIVE_AVG_POOL1D,
                      FitModule)

FIT_AVAILABLE_IN_1_0
FitAdaptiveAvgPool1d *fit_adaptive_avg_pool1d_new (int output_size);

G_END_DECLS
