/* fit-batch-processor.h: what the estimator does with one batch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/core/fit-tensor.h"
#include "fit-glib/train/fit-train-types.h"

G_BEGIN_DECLS

#define FIT_TYPE_BATCH_PROCESSOR (fit_batch_processor_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_DERIVABLE_TYPE (FitBatchProcessor, fit_batch_processor, FIT, BATCH_PROCESSOR, GObject)

/**
 * FitBatchProcessorClass:
 * @parent_class: the parent class
 * @fit_batch: trains on one batch: the default runs the forward pass, the loss, the
 *   backward pass and the optimizer step, emitting `forward-end`, `loss-end`,
 *   `backward-end` and `step-end` and honouring stop requests between them
 * @evaluate_batch: evaluates one validation batch: the default runs the forward pass and
 *   the loss without recording gradients
 * @predict_batch: returns the outputs for one batch of inputs (transfer full)
 *
 * The virtual methods of [class@Fit.BatchProcessor].
 *
 * Since: 1.0
 */
struct _FitBatchProcessorClass
{
  GObjectClass parent_class;

  gboolean   (*fit_batch)      (FitBatchProcessor  *self,
                                FitEstimator       *estimator,
                                FitTensor          *inputs,
                                FitTensor          *labels,
                                GError            **error);
  gboolean   (*evaluate_batch) (FitBatchProcessor  *self,
                                FitEstimator       *estimator,
                                FitTensor          *inputs,
                                FitTensor          *labels,
                                GError            **error);
  FitTensor *(*predict_batch)  (FitBatchProcessor  *self,
                                FitEstimator       *estimator,
                                FitTensor          *inputs,
                                GError            **error);

  /*< private >*/
  gpointer padding[8];
};

FIT_AVAILABLE_IN_1_0
FitBatchProcessor *fit_batch_processor_new            (void);
FIT_AVAILABLE_IN_1_0
gboolean           fit_batch_processor_fit_batch      (FitBatchProcessor  *self,
                                                       FitEstimator       *estimator,
                                                       FitTensor          *inputs,
                                                       FitTensor          *labels,
                                                       GError            **error);
FIT_AVAILABLE_IN_1_0
gboolean           fit_batch_processor_evaluate_batch (FitBatchProcessor  *self,
                                                       FitEstimator       *estimator,
                                                       FitTensor          *inputs,
                                                       FitTensor          *labels,
                                                       GError            **error);
FIT_AVAILABLE_IN_1_0
FitTensor         *fit_batch_processor_predict_batch  (FitBatchProcessor  *self,
                                                       FitEstimator       *estimator,
                                                       FitTensor          *inputs,
                                                       GError            **error);

G_END_DECLS
