/* fit-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-error.h"

/**
 * fit_error_quark:
 *
 * Gets the quark of the %FIT_ERROR domain.
 *
 * Returns: the error domain of fit-glib
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (fit-error-quark, fit_error)
