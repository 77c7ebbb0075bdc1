/* fit-runtime.h: process-wide settings (threads, BLAS)
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

FIT_AVAILABLE_IN_1_0
guint  fit_get_num_threads  (void);
FIT_AVAILABLE_IN_1_0
void   fit_set_num_threads  (guint n_threads);
FIT_AVAILABLE_IN_1_0
char  *fit_get_blas_info    (void);

G_END_DECLS
