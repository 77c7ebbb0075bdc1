/* fit-mean-error-private.h: what FitMae, FitMse and FitRmse share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The three are one metric: the mean over every element of every update of an
 * element-wise error, absolute or squared, and for RMSE the root of that mean. They
 * differ only in that choice, made when an instance is initialised, so they share
 * their state and every virtual function here.
 *
 * Not through a private parent type: the GIR names FitMetric as the parent of each, and
 * a type between them and FitMetric would appear there in its place. Instead each
 * instance struct begins with a FitMeanError (which begins with the FitMetric parent
 * instance, as GObject requires), and each class_init hands the functions below to
 * FitMetric's virtual functions.
 */

#pragma once

#include "fit-metric-private.h"

G_BEGIN_DECLS

typedef enum
{
  FIT_MEAN_ERROR_ABSOLUTE,
  FIT_MEAN_ERROR_SQUARED,
  FIT_MEAN_ERROR_ROOT_SQUARED,
} FitMeanErrorKind;

typedef struct
{
  FitMetric         parent_instance;
  FitMeanErrorKind  kind;
  double            sum;
  gint64            count;
} FitMeanError;

/* Sets @metric_class's reset, update and compute. */
void  fit_mean_error_class_init  (FitMetricClass   *metric_class);
/* Sets the kind, the default @name and the mode (lower is better). */
void  fit_mean_error_init        (FitMeanError     *self,
                                  FitMeanErrorKind  kind,
                                  const char       *name);

G_END_DECLS
