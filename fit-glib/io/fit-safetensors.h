/* fit-safetensors.h: named tensors in the safetensors file format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/core/fit-tensor.h"

G_BEGIN_DECLS

#define FIT_TYPE_SAFETENSORS (fit_safetensors_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitSafetensors, fit_safetensors, FIT, SAFETENSORS, GObject)

FIT_AVAILABLE_IN_1_0
FitSafetensors  *fit_safetensors_new                (void);
FIT_AVAILABLE_IN_1_0
FitSafetensors  *fit_safetensors_new_from_file      (const char      *path,
                                                     GCancellable    *cancellable,
                                                     GError         **error);
FIT_AVAILABLE_IN_1_0
FitSafetensors  *fit_safetensors_new_from_bytes     (GBytes          *bytes,
                                                     GError         **error);
FIT_AVAILABLE_IN_1_0
void             fit_safetensors_add                (FitSafetensors  *self,
                                                     const char      *name,
                                                     FitTensor       *tensor);
FIT_AVAILABLE_IN_1_0
FitTensor       *fit_safetensors_get                (FitSafetensors  *self,
                                                     const char      *name);
FIT_AVAILABLE_IN_1_0
gboolean         fit_safetensors_contains           (FitSafetensors  *self,
                                                     const char      *name);
FIT_AVAILABLE_IN_1_0
gboolean         fit_safetensors_remove             (FitSafetensors  *self,
                                                     const char      *name);
FIT_AVAILABLE_IN_1_0
guint            fit_safetensors_get_n_tensors      (FitSafetensors  *self);
FIT_AVAILABLE_IN_1_0
char           **fit_safetensors_get_names          (FitSafetensors  *self);
FIT_AVAILABLE_IN_1_0
void             fit_safetensors_set_metadata       (FitSafetensors  *self,
                                                     const char      *key,
                                                     const char      *value);
FIT_AVAILABLE_IN_1_0
const char      *fit_safetensors_get_metadata       (FitSafetensors  *self,
                                                     const char      *key);
FIT_AVAILABLE_IN_1_0
char           **fit_safetensors_get_metadata_keys  (FitSafetensors  *self);
FIT_AVAILABLE_IN_1_0
GBytes          *fit_safetensors_to_bytes           (FitSafetensors  *self);
FIT_AVAILABLE_IN_1_0
gboolean         fit_safetensors_save               (FitSafetensors  *self,
                                                     const char      *path,
                                                     GCancellable    *cancellable,
                                                     GError         **error);

G_END_DECLS
