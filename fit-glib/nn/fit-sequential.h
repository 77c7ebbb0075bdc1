/* fit-sequential.h: a chain of modules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_SEQUENTIAL (fit_sequential_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitSequential, fit_sequential, FIT, SEQUENTIAL, FitModule)

FIT_AVAILABLE_IN_1_0
FitSequential *fit_sequential_new                (void);
FIT_AVAILABLE_IN_1_0
FitSequential *fit_sequential_new_from_modules   (FitModule     **modules,
                                                  guint           n_modules);
FIT_AVAILABLE_IN_1_0
FitSequential *fit_sequential_new_with_modules   (FitModule      *first,
                                                  ...) G_GNUC_NULL_TERMINATED;
FIT_AVAILABLE_IN_1_0
void           fit_sequential_append             (FitSequential  *self,
                                                  FitModule      *module);
FIT_AVAILABLE_IN_1_0
guint          fit_sequential_get_n_modules      (FitSequential  *self);
FIT_AVAILABLE_IN_1_0
FitModule     *fit_sequential_get_module         (FitSequential  *self,
                                                  guint           index);

G_END_DECLS
