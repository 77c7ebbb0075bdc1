/* fit-error.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib.h>

#include "fit-glib/fit-version-macros.h"

G_BEGIN_DECLS

/**
 * FIT_ERROR:
 *
 * The error domain of fit-glib. Errors in this domain are from the [error@Fit.Error]
 * enumeration.
 */
#define FIT_ERROR (fit_error_quark ())

/**
 * FitError:
 * @FIT_ERROR_FAILED: a failure that fits no other code
 * @FIT_ERROR_SHAPE: tensor shapes that an operation cannot combine
 * @FIT_ERROR_DTYPE: a tensor element type that an operation does not accept
 * @FIT_ERROR_DEVICE: tensors on different devices, or a device that is not available
 * @FIT_ERROR_INVALID_ARGUMENT: a value out of its allowed range (a negative size, an
 *   unknown dimension, a learning rate that is not finite, …)
 * @FIT_ERROR_AUTOGRAD: a gradient that cannot be computed (backward through a freed
 *   graph, from a non-scalar without a gradient, …)
 * @FIT_ERROR_IO: reading or writing a file failed
 * @FIT_ERROR_PARSE: a file's contents are malformed
 * @FIT_ERROR_MISMATCH: saved data that does not match its target (names, shapes,
 *   element types)
 * @FIT_ERROR_NOT_FOUND: a name (metric, parameter, handler) that does not exist
 * @FIT_ERROR_STATE: an object used in a state that does not allow the call (fitting
 *   twice at once, a handler added during a fit, …)
 * @FIT_ERROR_NOT_FINITE: a loss or a value that became NaN or infinite
 * @FIT_ERROR_CANCELLED: the operation was cancelled through a #GCancellable
 *
 * The kinds of failure in the %FIT_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_ERROR_FAILED,
  FIT_ERROR_SHAPE,
  FIT_ERROR_DTYPE,
  FIT_ERROR_DEVICE,
  FIT_ERROR_INVALID_ARGUMENT,
  FIT_ERROR_AUTOGRAD,
  FIT_ERROR_IO,
  FIT_ERROR_PARSE,
  FIT_ERROR_MISMATCH,
  FIT_ERROR_NOT_FOUND,
  FIT_ERROR_STATE,
  FIT_ERROR_NOT_FINITE,
  FIT_ERROR_CANCELLED,
} FitError;

FIT_AVAILABLE_IN_1_0
GQuark fit_error_quark (void);

G_END_DECLS
