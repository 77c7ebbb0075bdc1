/* fit-core.h: the core layer (tensors, devices, autograd, random numbers, errors)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-error.h"
#include "fit-glib/core/fit-types.h"
#include "fit-glib/core/fit-core-enums.h"
#include "fit-glib/core/fit-runtime.h"
#include "fit-glib/core/fit-device.h"
#include "fit-glib/core/fit-rng.h"
#include "fit-glib/core/fit-tensor.h"
