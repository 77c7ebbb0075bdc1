/* fit-metric-private.h: helpers the built-in metrics share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <math.h>

#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/metrics/fit-metrics.h"

G_BEGIN_DECLS

/* A host (CPU) reference to @t: @t itself when it already lives there. */
FitTensor *fit_metric_host_tensor     (FitTensor   *t,
                                       GError     **error);

/* Checks a classification batch and reduces it to one predicted and one true class per
 * sample. The class dimension is the prediction's last; labels are class indices with the
 * prediction's leading shape, or one-hot/probability rows of the prediction's shape. A
 * prediction without a class dimension (shape of the labels, or a trailing 1) is binary:
 * class 1 where it exceeds @threshold. Arrays are newly allocated, @n_samples long. */
gboolean   fit_metric_classify        (FitMetric   *metric,
                                       FitTensor   *prediction,
                                       FitTensor   *label,
                                       double       threshold,
                                       gint64     **predicted,
                                       gint64     **truth,
                                       gint64      *n_samples,
                                       gint64      *n_classes,
                                       GError     **error);

/* Checks that @label is not NULL and has @prediction's number of elements; for regression
 * metrics. Returns host references in @pred_host and @label_host. */
gboolean   fit_metric_check_pair      (FitMetric   *metric,
                                       FitTensor   *prediction,
                                       FitTensor   *label,
                                       FitTensor  **pred_host,
                                       FitTensor  **label_host,
                                       GError     **error);

/* The number of samples of a batch: the size of the first dimension (1 for a scalar). */
gint64     fit_metric_batch_samples   (FitTensor   *t);

/* The elements of a host tensor of any element type, read as doubles by the metrics'
 * loops: the data and its type are fetched once per tensor, not once per element. */
typedef struct
{
  gconstpointer  data;
  FitDType       dtype;
} FitMetricValues;

static inline FitMetricValues
fit_metric_values (FitTensor *host)
{
  FitMetricValues v = { fit_tensor_get_data (host), fit_tensor_get_dtype (host) };

  return v;
}

/* Element @i, as a double. */
static inline double
fit_metric_value (FitMetricValues v,
                  gint64          i)
{
  switch (v.dtype)
    {
    case FIT_DTYPE_FLOAT32:
      return ((const float *) v.data)[i];
    case FIT_DTYPE_FLOAT64:
      return ((const double *) v.data)[i];
    case FIT_DTYPE_INT32:
      return ((const gint32 *) v.data)[i];
    case FIT_DTYPE_INT64:
      return (double) ((const gint64 *) v.data)[i];
    default:
      return NAN;
    }
}

/* Checks a batch of floating-point class scores (the labels' shape plus a last class
 * dimension) against class-index labels; returns host references to both, the number of
 * scored positions and of classes. */
gboolean   fit_metric_class_scores    (FitMetric   *metric,
                                       FitTensor   *prediction,
                                       FitTensor   *label,
                                       FitTensor  **pred_host,
                                       FitTensor  **label_host,
                                       gint64      *n_positions,
                                       gint64      *n_classes,
                                       GError     **error);

/* Label @i of a host tensor's @labels as a class index, or an error naming it when it
 * is not an integer in [0, @n_classes). */
gboolean   fit_metric_class_label     (FitMetric       *metric,
                                       FitMetricValues  labels,
                                       gint64           i,
                                       gint64           n_classes,
                                       gint64          *index,
                                       GError         **error);

/* Adds the summed cross-entropy of @prediction (class scores, logits when @from_logits,
 * else probabilities) against class-index @label to *@total, and the number of scored
 * positions to *@count; checks shapes and labels. */
gboolean   fit_metric_cross_entropy_sum (FitMetric  *metric,
                                         FitTensor  *prediction,
                                         FitTensor  *label,
                                         gboolean    from_logits,
                                         double     *total,
                                         gint64     *count,
                                         GError    **error);

G_END_DECLS
