/* fit-types.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-types.h"

/**
 * fit_dtype_get_size:
 * @dtype: an element type
 *
 * Gets the size of one element of a type.
 *
 * Returns: the size of one element of @dtype in bytes
 *
 * Since: 1.0
 */
gsize
fit_dtype_get_size (FitDType dtype)
{
  switch (dtype)
    {
    case FIT_DTYPE_FLOAT32:
    case FIT_DTYPE_INT32:
      return 4;
    case FIT_DTYPE_FLOAT64:
    case FIT_DTYPE_INT64:
      return 8;
    default:
      g_return_val_if_reached (0);
    }
}

/**
 * fit_dtype_get_name:
 * @dtype: an element type
 *
 * Names an element type.
 *
 * Returns: (transfer none): the short name of @dtype, as in "float32"
 *
 * Since: 1.0
 */
const char *
fit_dtype_get_name (FitDType dtype)
{
  switch (dtype)
    {
    case FIT_DTYPE_FLOAT32:
      return "float32";
    case FIT_DTYPE_FLOAT64:
      return "float64";
    case FIT_DTYPE_INT32:
      return "int32";
    case FIT_DTYPE_INT64:
      return "int64";
    default:
      return "invalid";
    }
}

/**
 * fit_dtype_is_floating:
 * @dtype: an element type
 *
 * Tells whether an element type is floating-point.
 *
 * Returns: whether @dtype is a floating-point type
 *
 * Since: 1.0
 */
gboolean
fit_dtype_is_floating (FitDType dtype)
{
  return dtype == FIT_DTYPE_FLOAT32 || dtype == FIT_DTYPE_FLOAT64;
}
