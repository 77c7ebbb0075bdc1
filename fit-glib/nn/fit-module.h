/* fit-module.h: the base class of layers and models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/io/fit-io.h"

G_BEGIN_DECLS

#define FIT_TYPE_MODULE (fit_module_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitModule, fit_module, FIT, MODULE, GObject)

/**
 * FitModuleClass:
 * @parent_class: the parent class
 * @forward: computes the module's output from @input; returns a new tensor (transfer
 *   full) or %NULL with @error set. Called through [method@Fit.Module.forward].
 *
 * The class structure of [class@Fit.Module]. Subclasses override @forward (in Python
 * `do_forward`, in GJS `vfunc_forward`, in Vala `override`).
 *
 * Since: 1.0
 */
struct _FitModuleClass
{
  GObjectClass parent_class;

  FitTensor *(*forward) (FitModule  *self,
                         FitTensor  *input,
                         GError    **error);

  /*< private >*/
  gpointer padding[12];
};

FIT_AVAILABLE_IN_1_0
FitTensor   *fit_module_forward               (FitModule      *self,
                                               FitTensor      *input,
                                               GError        **error);

/* Registration (normally from a subclass's init or constructed) */
FIT_AVAILABLE_IN_1_0
void         fit_module_add_parameter         (FitModule      *self,
                                               const char     *name,
                                               FitTensor      *tensor);
FIT_AVAILABLE_IN_1_0
void         fit_module_add_buffer            (FitModule      *self,
                                               const char     *name,
                                               FitTensor      *tensor);
FIT_AVAILABLE_IN_1_0
void         fit_module_add_child             (FitModule      *self,
                                               const char     *name,
                                               FitModule      *child);

/* Lookup; names are hierarchical ("encoder.fc1.bias") */
FIT_AVAILABLE_IN_1_0
FitTensor   *fit_module_get_parameter         (FitModule      *self,
                                               const char     *name);
FIT_AVAILABLE_IN_1_0
FitTensor   *fit_module_get_buffer            (FitModule      *self,
                                               const char     *name);
FIT_AVAILABLE_IN_1_0
FitModule   *fit_module_get_child             (FitModule      *self,
                                               const char     *name);
FIT_AVAILABLE_IN_1_0
GPtrArray   *fit_module_get_parameters        (FitModule      *self);
FIT_AVAILABLE_IN_1_0
char       **fit_module_get_parameter_names   (FitModule      *self);
FIT_AVAILABLE_IN_1_0
GPtrArray   *fit_module_get_buffers           (FitModule      *self);
FIT_AVAILABLE_IN_1_0
char       **fit_module_get_buffer_names      (FitModule      *self);
FIT_AVAILABLE_IN_1_0
GPtrArray   *fit_module_get_children          (FitModule      *self);
FIT_AVAILABLE_IN_1_0
char       **fit_module_get_child_names       (FitModule      *self);

/* Whole-model operations */
FIT_AVAILABLE_IN_1_0
gboolean     fit_module_get_training          (FitModule      *self);
FIT_AVAILABLE_IN_1_0
void         fit_module_set_training          (FitModule      *self,
                                               gboolean        training);
FIT_AVAILABLE_IN_1_0
void         fit_module_zero_grad             (FitModule      *self);
FIT_AVAILABLE_IN_1_0
gint64       fit_module_count_parameters      (FitModule      *self);
FIT_AVAILABLE_IN_1_0
gboolean     fit_module_to_dtype              (FitModule      *self,
                                               FitDType        dtype,
                                               GError        **error);
FIT_AVAILABLE_IN_1_0
char        *fit_module_summary               (FitModule      *self,
                                               const gint64   *input_shape,
                                               guint           n_dims,
                                               GError        **error);
FIT_AVAILABLE_IN_1_0
char        *fit_module_summary_for_input     (FitModule      *self,
                                               FitTensor      *input,
                                               GError        **error);

/* Weights (safetensors, names as in fit_module_get_parameter_names) */
FIT_AVAILABLE_IN_1_0
FitSafetensors *fit_module_get_state          (FitModule      *self);
FIT_AVAILABLE_IN_1_0
gboolean     fit_module_set_state             (FitModule      *self,
                                               FitSafetensors *state,
                                               GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean     fit_module_save                  (FitModule      *self,
                                               const char     *path,
                                               GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean     fit_module_load                  (FitModule      *self,
                                               const char     *path,
                                               GError        **error);

G_END_DECLS
