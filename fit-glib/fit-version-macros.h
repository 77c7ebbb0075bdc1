/* fit-version-macros.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib.h>

#ifndef _FIT_EXTERN
# define _FIT_EXTERN __attribute__((visibility("default"))) extern
#endif

#define FIT_AVAILABLE_IN_ALL _FIT_EXTERN
#define FIT_AVAILABLE_IN_1_0 _FIT_EXTERN
