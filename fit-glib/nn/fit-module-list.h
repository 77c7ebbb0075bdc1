/* fit-module-list.h: a list of modules that the owner runs itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_MODULE_LIST (fit_module_list_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitModuleList, fit_module_list, FIT, MODULE_LIST, FitModule)

FIT_AVAILABLE_IN_1_0
FitModuleList *fit_module_list_new                (void);
FIT_AVAILABLE_IN_1_0
FitModuleList *fit_module_list_new_from_modules   (FitModule     **modules,
                                                   guint           n_modules);
FIT_AVAILABLE_IN_1_0
void           fit_module_list_append             (FitModuleList  *self,
                                                   FitModule      *module);
FIT_AVAILABLE_IN_1_0
FitModule     *fit_module_list_get                (FitModuleList  *self,
                                                   guint           index);

G_END_DECLS
