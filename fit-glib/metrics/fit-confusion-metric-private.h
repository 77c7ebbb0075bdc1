/* fit-confusion-metric-private.h: what FitPrecision, FitRecall and FitF1Score share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The three are one metric: per-class counts of true positives, false positives and
 * false negatives accumulated over every update, combined by an average (macro, micro,
 * binary) into a score. They differ only in the score, chosen when an instance is
 * initialised, so they share their state, their two properties and every virtual
 * function here.
 *
 * Not through a private parent type: the GIR names FitMetric as the parent of each, and
 * a type between them and FitMetric would appear there in its place. Instead each
 * instance struct begins with a FitConfusionMetric (which begins with the FitMetric
 * parent instance, as GObject requires), and each class_init hands the functions below
 * to GObject's and FitMetric's virtual functions.
 */

#pragma once

#include "fit-metric-private.h"

G_BEGIN_DECLS

typedef enum
{
  FIT_CONFUSION_PRECISION,
  FIT_CONFUSION_RECALL,
  FIT_CONFUSION_F1,
} FitConfusionScore;

/* Per-class counts, allocated when the first update says how many classes there are. */
typedef struct
{
  gint64  n_classes;
  gint64 *tp;
  gint64 *fp;
  gint64 *fn;
} FitConfusion;

typedef struct
{
  FitMetric          parent_instance;
  FitConfusionScore  score;
  FitAverage         average;
  double             threshold;
  FitConfusion       counts;
} FitConfusionMetric;

/* Installs the properties "average" and "threshold" (documented by each type) and sets
 * the class's finalize, get_property, set_property, reset, update and compute. */
void  fit_confusion_metric_class_init  (GObjectClass       *object_class);
/* Sets the score and the mode (higher is better); the "average" property then sets the
 * default name. */
void  fit_confusion_metric_init        (FitConfusionMetric *self,
                                        FitConfusionScore   score);

G_END_DECLS
