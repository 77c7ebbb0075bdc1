/* fit-nn-types.h: enumerations of the nn layer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/fit-version-macros.h"

G_BEGIN_DECLS

/**
 * FitReduction:
 * @FIT_REDUCTION_MEAN: the mean of the per-element losses (weighted by the class
 *   weights where a loss has them), a scalar
 * @FIT_REDUCTION_SUM: the sum of the per-element losses, a scalar
 * @FIT_REDUCTION_NONE: no reduction: one loss per element (per sample for
 *   classification losses)
 *
 * How a [class@Fit.Loss] reduces its per-element losses.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_REDUCTION_MEAN,
  FIT_REDUCTION_SUM,
  FIT_REDUCTION_NONE,
} FitReduction;

/**
 * FitFanMode:
 * @FIT_FAN_MODE_FAN_IN: scale by the number of inputs of a unit, which preserves the
 *   variance of activations in the forward pass
 * @FIT_FAN_MODE_FAN_OUT: scale by the number of outputs of a unit, which preserves
 *   the variance of gradients in the backward pass
 *
 * Which fan the Kaiming (He) initialisers scale by.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_FAN_MODE_FAN_IN,
  FIT_FAN_MODE_FAN_OUT,
} FitFanMode;

/**
 * FitNonlinearity:
 * @FIT_NONLINEARITY_LINEAR: identity or a convolution (gain 1)
 * @FIT_NONLINEARITY_SIGMOID: the logistic sigmoid (gain 1)
 * @FIT_NONLINEARITY_TANH: hyperbolic tangent (gain 5/3)
 * @FIT_NONLINEARITY_RELU: rectified linear unit (gain √2)
 * @FIT_NONLINEARITY_LEAKY_RELU: leaky ReLU with a negative slope (gain √(2 / (1 + slope²)))
 * @FIT_NONLINEARITY_SELU: scaled exponential linear unit (gain 3/4)
 *
 * The nonlinearity that follows a layer, which sets the gain of its initialiser as in
 * PyTorch's `calculate_gain()`.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_NONLINEARITY_LINEAR,
  FIT_NONLINEARITY_SIGMOID,
  FIT_NONLINEARITY_TANH,
  FIT_NONLINEARITY_RELU,
  FIT_NONLINEARITY_LEAKY_RELU,
  FIT_NONLINEARITY_SELU,
} FitNonlinearity;

G_END_DECLS
