/* fit-activations.h: activation functions and other parameter-free layers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_IDENTITY (fit_identity_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitIdentity, fit_identity, FIT, IDENTITY, FitModule)
FIT_AVAILABLE_IN_1_0
FitIdentity   *fit_identity_new     (void);

#define FIT_TYPE_RELU (fit_relu_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitReLU, fit_relu, FIT, RELU, FitModule)
FIT_AVAILABLE_IN_1_0
FitReLU       *fit_relu_new         (void);

#define FIT_TYPE_LEAKY_RELU (fit_leaky_relu_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLeakyReLU, fit_leaky_relu, FIT, LEAKY_RELU, FitModule)
FIT_AVAILABLE_IN_1_0
FitLeakyReLU  *fit_leaky_relu_new   (double negative_slope);

#define FIT_TYPE_GELU (fit_gelu_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitGELU, fit_gelu, FIT, GELU, FitModule)
FIT_AVAILABLE_IN_1_0
FitGELU       *fit_gelu_new         (void);

#define FIT_TYPE_SIGMOID (fit_sigmoid_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitSigmoid, fit_sigmoid, FIT, SIGMOID, FitModule)
FIT_AVAILABLE_IN_1_0
FitSigmoid    *fit_sigmoid_new      (void);

#define FIT_TYPE_TANH (fit_tanh_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitTanh, fit_tanh, FIT, TANH, FitModule)
FIT_AVAILABLE_IN_1_0
FitTanh       *fit_tanh_new         (void);

#define FIT_TYPE_SOFTMAX (fit_softmax_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitSoftmax, fit_softmax, FIT, SOFTMAX, FitModule)
FIT_AVAILABLE_IN_1_0
FitSoftmax    *fit_softmax_new      (int dim);

#define FIT_TYPE_LOG_SOFTMAX (fit_log_softmax_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLogSoftmax, fit_log_softmax, FIT, LOG_SOFTMAX, FitModule)
FIT_AVAILABLE_IN_1_0
FitLogSoftmax *fit_log_softmax_new  (int dim);

#define FIT_TYPE_FLATTEN (fit_flatten_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitFlatten, fit_flatten, FIT, FLATTEN, FitModule)
FIT_AVAILABLE_IN_1_0
FitFlatten    *fit_flatten_new      (int start_dim,
                                     int end_dim);

G_END_DECLS
