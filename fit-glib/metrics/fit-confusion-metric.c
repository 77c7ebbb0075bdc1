/* fit-confusion-metric.c: precision, recall and F1 from per-class counts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See fit-confusion-metric-private.h for why this is shared code and not a parent type.
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "fit-confusion-metric-private.h"

enum { PROP_0, PROP_AVERAGE, PROP_THRESHOLD, N_PROPS };

/* The default names, by score and average (FitAverage's order: macro, micro, binary). */
static const char * const default_names[][3] = {
  [FIT_CONFUSION_PRECISION] = { "precision", "micro_precision", "binary_precision" },
  [FIT_CONFUSION_RECALL] = { "recall", "micro_recall", "binary_recall" },
  [FIT_CONFUSION_F1] = { "f1", "micro_f1", "binary_f1" },
};

static void
confusion_clear (FitConfusion *c)
{
  g_clear_pointer (&c->tp, g_free);
  g_clear_pointer (&c->fp, g_free);
  g_clear_pointer (&c->fn, g_free);
  c->n_classes = 0;
}

static gboolean
confusion_update (FitConfusion *c,
                  FitMetric    *metric,
                  FitTensor    *prediction,
                  FitTensor    *label,
                  double        threshold,
                  GError      **error)
{
  g_autofree gint64 *predicted = NULL;
  g_autofree gint64 *truth = NULL;
  gint64 n, k;

  if (!fit_metric_classify (metric, prediction, label, threshold, &predicted, &truth, &n, &k,
                            error))
    return FALSE;

  if (c->n_classes != 0 && c->n_classes != k)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("Metric “%s” saw %" PRId64 " classes in earlier batches and %"
                     PRId64 " in this one; reset it between problems"),
                   fit_metric_get_name (metric), c->n_classes, k);
      return FALSE;
    }
  if (c->n_classes == 0)
    {
      c->n_classes = k;
      c->tp = g_new0 (gint64, k);
      c->fp = g_new0 (gint64, k);
      c->fn = g_new0 (gint64, k);
    }
  for (gint64 i = 0; i < n; i++)
    {
      if (predicted[i] == truth[i])
        c->tp[truth[i]]++;
      else
        {
          c->fp[predicted[i]]++;
          c->fn[truth[i]]++;
        }
    }
  return TRUE;
}

static double
score_of (gint64            tp,
          gint64            fp,
          gint64            fn,
          FitConfusionScore kind)
{
  /* An empty denominator scores 0, as scikit-learn's zero_division=0 does. */
  switch (kind)
    {
    case FIT_CONFUSION_PRECISION:
      return tp + fp > 0 ? (double) tp / (double) (tp + fp) : 0.0;
    case FIT_CONFUSION_RECALL:
      return tp + fn > 0 ? (double) tp / (double) (tp + fn) : 0.0;
    case FIT_CONFUSION_F1:
    default:
      return 2 * tp + fp + fn > 0 ? 2.0 * tp / (double) (2 * tp + fp + fn) : 0.0;
    }
}

static double
confusion_score (FitConfusion      *c,
                 FitAverage         average,
                 FitConfusionScore  kind)
{
  if (c->n_classes == 0)
    return NAN;

  switch (average)
    {
    case FIT_AVERAGE_BINARY:
      return c->n_classes > 1 ? score_of (c->tp[1], c->fp[1], c->fn[1], kind) : NAN;
    case FIT_AVERAGE_MICRO:
      {
        gint64 tp = 0, fp = 0, fn = 0;

        for (gint64 i = 0; i < c->n_classes; i++)
          {
            tp += c->tp[i];
            fp += c->fp[i];
            fn += c->fn[i];
          }
        return score_of (tp, fp, fn, kind);
      }
    case FIT_AVERAGE_MACRO:
    default:
      {
        double sum = 0;
        gint64 present = 0;

        /* Classes that never occurred and were never predicted have no score. */
        for (gint64 i = 0; i < c->n_classes; i++)
          {
            if (c->tp[i] + c->fp[i] + c->fn[i] == 0)
              continue;
            sum += score_of (c->tp[i], c->fp[i], c->fn[i], kind);
            present++;
          }
        return present > 0 ? sum / (double) present : NAN;
      }
    }
}

static void
fit_confusion_metric_finalize (GObject *object)
{
  confusion_clear (&((FitConfusionMetric *) object)->counts);
  G_OBJECT_CLASS (g_type_class_peek (FIT_TYPE_METRIC))->finalize (object);
}

static void
fit_confusion_metric_reset (FitMetric  *metric,
                            GError    **error)
{
  confusion_clear (&((FitConfusionMetric *) metric)->counts);
}

static gboolean
fit_confusion_metric_update (FitMetric  *metric,
                             FitTensor  *prediction,
                             FitTensor  *label,
                             GError    **error)
{
  FitConfusionMetric *self = (FitConfusionMetric *) metric;

  return confusion_update (&self->counts, metric, prediction, label, self->threshold, error);
}

static void
fit_confusion_metric_compute (FitMetric  *metric,
                              double     *value,
                              GError    **error)
{
  FitConfusionMetric *self = (FitConfusionMetric *) metric;

  *value = confusion_score (&self->counts, self->average, self->score);
}

static void
fit_confusion_metric_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  FitConfusionMetric *self = (FitConfusionMetric *) object;

  switch (prop_id)
    {
    case PROP_AVERAGE:
      g_value_set_enum (value, self->average);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_confusion_metric_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  FitConfusionMetric *self = (FitConfusionMetric *) object;

  switch (prop_id)
    {
    case PROP_AVERAGE:
      self->average = g_value_get_enum (value);
      fit_metric_set_name (FIT_METRIC (self), default_names[self->score][self->average]);
      break;
    case PROP_THRESHOLD:
      if (self->threshold != g_value_get_double (value))
        {
          self->threshold = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
fit_confusion_metric_class_init (GObjectClass *object_class)
{
  FitMetricClass *metric_class = FIT_METRIC_CLASS (object_class);
  GParamSpec *properties[N_PROPS] = { NULL, };

  object_class->finalize = fit_confusion_metric_finalize;
  object_class->get_property = fit_confusion_metric_get_property;
  object_class->set_property = fit_confusion_metric_set_property;
  metric_class->reset = fit_confusion_metric_reset;
  metric_class->update = fit_confusion_metric_update;
  metric_class->compute = fit_confusion_metric_compute;

  properties[PROP_AVERAGE] =
    g_param_spec_enum ("average", NULL, NULL, FIT_TYPE_AVERAGE, FIT_AVERAGE_MACRO,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.5,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

void
fit_confusion_metric_init (FitConfusionMetric *self,
                           FitConfusionScore   score)
{
  self->score = score;
  fit_metric_set_mode (FIT_METRIC (self), FIT_MONITOR_MODE_MAX);
}
