/* fit-types.h: value types shared by every layer
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
 * FIT_MAX_DIMS:
 *
 * The largest number of dimensions a [class@Fit.Tensor] can have.
 *
 * Since: 1.0
 */
#define FIT_MAX_DIMS 8

/**
 * FitDType:
 * @FIT_DTYPE_FLOAT32: 32-bit IEEE float, the default for data and parameters
 * @FIT_DTYPE_FLOAT64: 64-bit IEEE float, for gradient checks and accumulation
 * @FIT_DTYPE_INT32: 32-bit signed integer (labels, indices)
 * @FIT_DTYPE_INT64: 64-bit signed integer (labels, indices; what argmax returns)
 *
 * The element type of a [class@Fit.Tensor].
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_DTYPE_FLOAT32,
  FIT_DTYPE_FLOAT64,
  FIT_DTYPE_INT32,
  FIT_DTYPE_INT64,
} FitDType;

/**
 * FitDeviceType:
 * @FIT_DEVICE_TYPE_CPU: the host processor (OpenBLAS and OpenMP)
 * @FIT_DEVICE_TYPE_CUDA: an NVIDIA GPU through the CUDA runtime
 *
 * The kind of a [class@Fit.Device].
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_DEVICE_TYPE_CPU,
  FIT_DEVICE_TYPE_CUDA,
} FitDeviceType;

FIT_AVAILABLE_IN_1_0
gsize        fit_dtype_get_size     (FitDType dtype);
FIT_AVAILABLE_IN_1_0
const char  *fit_dtype_get_name     (FitDType dtype);
FIT_AVAILABLE_IN_1_0
gboolean     fit_dtype_is_floating  (FitDType dtype);

G_END_DECLS
