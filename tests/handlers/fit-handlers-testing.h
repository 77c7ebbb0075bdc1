/* fit-handlers-testing.h: fixtures the tests of several built-in handlers share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "../train/fit-train-testing.h"

/* A linear regressor, 3 features to 1, trained with SGD at 0.1. */
static inline FitEstimator *
regressor (FitLoss *loss)
{
  g_autoptr(FitRng) rng = fit_rng_new (3);
  g_autoptr(FitLinear) net = fit_linear_new (3, 1, TRUE, rng);
  g_autoptr(GPtrArray) params = fit_module_get_parameters (FIT_MODULE (net));
  g_autoptr(FitOptimizer) sgd = fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.1, 0.0);

  return fit_estimator_new (FIT_MODULE (net), loss, sgd);
}

/* A handler type with one event method, for probes. */
#define PROBE_TYPE(Name, name, slot, func, prio) \
  typedef struct { FitEventHandler parent_instance; GArray *values; } Name; \
  typedef FitEventHandlerClass Name##Class; \
  GType name##_get_type (void); \
  G_DEFINE_TYPE (Name, name, FIT_TYPE_EVENT_HANDLER) \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (Name, g_object_unref) \
  static void name##_finalize (GObject *o) \
  { \
    g_array_unref (((Name *) o)->values); \
    G_OBJECT_CLASS (name##_parent_class)->finalize (o); \
  } \
  static void name##_class_init (Name##Class *k) \
  { \
    G_OBJECT_CLASS (k)->finalize = name##_finalize; \
    k->slot = func; \
  } \
  static void name##_init (Name *self) \
  { \
    self->values = g_array_new (FALSE, FALSE, sizeof (double)); \
    fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), prio); \
  }

/* A metric that reports a scripted value per epoch: the n-th epoch (counted by the
 * resets at each epoch-begin) gets script[n]. */
typedef struct
{
  FitMetric     parent_instance;
  const double *script;
  guint         n;
  guint         resets;
} Scripted;
typedef FitMetricClass ScriptedClass;
GType scripted_get_type (void);
G_DEFINE_TYPE (Scripted, scripted, FIT_TYPE_METRIC)

static void
scripted_reset (FitMetric  *metric,
                GError    **error)
{
  ((Scripted *) metric)->resets++;
}

static gboolean
scripted_update (FitMetric  *metric,
                 FitTensor  *prediction,
                 FitTensor  *label,
                 GError    **error)
{
  return TRUE;
}

static void
scripted_compute (FitMetric  *metric,
                  double     *value,
                  GError    **error)
{
  Scripted *self = (Scripted *) metric;

  g_assert_cmpuint (self->resets, >, 0);
  *value = self->script[MIN (self->resets, self->n) - 1];
}

static void
scripted_class_init (ScriptedClass *klass)
{
  klass->reset = scripted_reset;
  klass->update = scripted_update;
  klass->compute = scripted_compute;
}

static void
scripted_init (Scripted *self)
{
}

typedef struct
{
  const char      *what;
  FitMonitorMode   mode;
  double           min_delta;
  double           script[8];
  guint            n;
  guint            patience;
  int              stopped_epoch;   /* -1: runs all n epochs */
  int              best_epoch;
} PatienceCase;

/* Hand-computed: with patience p the run stops at the first epoch that ends
 * max (p, 1) epochs without an improvement (better than the best by more than
 * min_delta), never at an epoch that improved, and never at epoch 0. */
G_GNUC_UNUSED static const PatienceCase patience_cases[] = {
  { "improving", FIT_MONITOR_MODE_MIN, 0, { 10, 9, 8, 7, 6, 5 }, 6, 0, -1, 5 },
  { "improving", FIT_MONITOR_MODE_MIN, 0, { 10, 9, 8, 7, 6, 5 }, 6, 1, -1, 5 },
  { "improving", FIT_MONITOR_MODE_MIN, 0, { 10, 9, 8, 7, 6, 5 }, 6, 3, -1, 5 },
  { "then flat", FIT_MONITOR_MODE_MIN, 0, { 5, 4, 3, 3, 3, 3, 3 }, 7, 0, 3, 2 },
  { "then flat", FIT_MONITOR_MODE_MIN, 0, { 5, 4, 3, 3, 3, 3, 3 }, 7, 1, 3, 2 },
  { "then flat", FIT_MONITOR_MODE_MIN, 0, { 5, 4, 3, 3, 3, 3, 3 }, 7, 3, 5, 2 },
  { "worsening", FIT_MONITOR_MODE_MIN, 0, { 1, 2, 3, 4, 5, 6 }, 6, 0, 1, 0 },
  { "worsening", FIT_MONITOR_MODE_MIN, 0, { 1, 2, 3, 4, 5, 6 }, 6, 1, 1, 0 },
  { "worsening", FIT_MONITOR_MODE_MIN, 0, { 1, 2, 3, 4, 5, 6 }, 6, 3, 3, 0 },
  /* A change of exactly min_delta is not an improvement: 9.5 + 0.5 is not below 10. */
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    0, 1, 0 },
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    1, 1, 0 },
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    2, 6, 4 },
  { "min-delta", FIT_MONITOR_MODE_MIN, 0.5, { 10, 9.5, 9.25, 8.75, 8, 7.75, 7.5, 7.5 }, 8,
    3, 7, 4 },
  { "max", FIT_MONITOR_MODE_MAX, 0, { 0.5, 0.625, 0.625, 0.75, 0.6875, 0.6875, 0.6875 }, 7,
    0, 2, 1 },
  { "max", FIT_MONITOR_MODE_MAX, 0, { 0.5, 0.625, 0.625, 0.75, 0.6875, 0.6875, 0.6875 }, 7,
    1, 2, 1 },
  { "max", FIT_MONITOR_MODE_MAX, 0, { 0.5, 0.625, 0.625, 0.75, 0.6875, 0.6875, 0.6875 }, 7,
    3, 6, 3 },
  { "max improving", FIT_MONITOR_MODE_MAX, 0, { 0.1, 0.2, 0.3, 0.4 }, 4, 0, -1, 3 },
};

/* A classifier whose one training metric is @script, under the name "seq". */
static inline FitEstimator *
scripted_estimator (const PatienceCase *c)
{
  FitEstimator *est = fit_test_classifier (1);
  g_autoptr(FitMetric) metric = g_object_new (scripted_get_type (), NULL);

  ((Scripted *) metric)->script = c->script;
  ((Scripted *) metric)->n = c->n;
  fit_metric_set_name (metric, "seq");
  fit_estimator_set_train_metrics (est, &metric, 1);
  return est;
}
