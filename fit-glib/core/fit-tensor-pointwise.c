/* fit-tensor-pointwise.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-tensor-private.h"
