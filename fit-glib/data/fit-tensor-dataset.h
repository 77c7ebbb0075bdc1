/* fit-tensor-dataset.h: a dataset over tensors in memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/data/fit-dataset.h"

G_BEGIN_DECLS

#define FIT_TYPE_TENSOR_DATASET (fit_tensor_dataset_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitTensorDataset, fit_tensor_dataset, FIT, TENSOR_DATASET, GObject)

FIT_AVAILABLE_IN_1_0
FitTensorDataset   *fit_tensor_dataset_new               (FitTensor           *inputs,
                                                          FitTensor           *labels,
                                                          GError             **error);
FIT_AVAILABLE_IN_1_0
FitTensor          *fit_tensor_dataset_get_inputs        (FitTensorDataset    *self);
FIT_AVAILABLE_IN_1_0
FitTensor          *fit_tensor_dataset_get_labels        (FitTensorDataset    *self);
FIT_AVAILABLE_IN_1_0
const char * const *fit_tensor_dataset_get_class_names   (FitTensorDataset    *self);
FIT_AVAILABLE_IN_1_0
void                fit_tensor_dataset_set_class_names   (FitTensorDataset    *self,
                                                          const char * const  *class_names);

G_END_DECLS
