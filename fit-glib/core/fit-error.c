/* fit-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-error.h"

G_DEFINE_QUARK (fit-error-quark, fit_error)
