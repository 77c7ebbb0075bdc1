/* fit-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-error.h"

/**
 * fit_error_quark:
 *
 * The error domain of fit-glib: every #GError the library reports is in it, with a
 * code from [error@Fit.Error].
 *
 * Returns: the %FIT_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (fit-error-quark, fit_error)
