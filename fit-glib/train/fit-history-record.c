/* fit-history-record.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-estimator-handlers-private.h"

/**
 * FitHistoryRecord:
 *
 * What one epoch of a fit measured: every training and validation metric under its
 * reported name (`train_loss`, `val_accuracy`, …), the learning rate at the end of the
 * epoch and the epoch's duration.
 *
 * Records are immutable once [class@Fit.History] holds them; a record that
 * [method@Fit.Estimator.evaluate] returns has epoch -1.
 *
 * Since: 1.0
 */
struct _FitHistoryRecord
{
  GObject     parent_instance;
  int         epoch;
  double      learning_rate;
  double      time;
  GPtrArray  *names;   /* insertion order */
  GArray     *values;  /* double, parallel to names */
  GHashTable *index;   /* name (owned by names) -> position + 1; NULL while there are few */
};

enum { PROP_0, PROP_EPOCH, PROP_LEARNING_RATE, PROP_TIME, PROP_VALUES, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitHistoryRecord, fit_history_record, G_TYPE_OBJECT)

static void
fit_history_record_finalize (GObject *object)
{
  FitHistoryRecord *self = FIT_HISTORY_RECORD (object);

  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->index, g_hash_table_unref);
  G_OBJECT_CLASS (fit_history_record_parent_class)->finalize (object);
}

static void
fit_history_record_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  FitHistoryRecord *self = FIT_HISTORY_RECORD (object);

  switch (prop_id)
    {
    case PROP_EPOCH:
      g_value_set_int (value, self->epoch);
      break;
    case PROP_LEARNING_RATE:
      g_value_set_double (value, self->learning_rate);
      break;
    case PROP_TIME:
      g_value_set_double (value, self->time);
      break;
    case PROP_VALUES:
      g_value_take_variant (value, fit_history_record_get_values (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_history_record_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  FitHistoryRecord *self = FIT_HISTORY_RECORD (object);

  switch (prop_id)
    {
    case PROP_EPOCH:
      self->epoch = g_value_get_int (value);
      break;
    case PROP_LEARNING_RATE:
      fit_history_record_set_learning_rate (self, g_value_get_double (value));
      break;
    case PROP_TIME:
      fit_history_record_set_time (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_history_record_class_init (FitHistoryRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_history_record_finalize;
  object_class->get_property = fit_history_record_get_property;
  object_class->set_property = fit_history_record_set_property;

  /**
   * FitHistoryRecord:epoch:
   *
   * The epoch, counted from 0; -1 for an evaluation.
   *
   * Since: 1.0
   */
  properties[PROP_EPOCH] =
    g_param_spec_int ("epoch", NULL, NULL, -1, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitHistoryRecord:learning-rate:
   *
   * The optimizer's learning rate at the end of the epoch; NaN when unknown.
   *
   * Since: 1.0
   */
  properties[PROP_LEARNING_RATE] =
    g_param_spec_double ("learning-rate", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitHistoryRecord:time:
   *
   * How long the epoch took, validation included, in seconds.
   *
   * Since: 1.0
   */
  properties[PROP_TIME] =
    g_param_spec_double ("time", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitHistoryRecord:values:
   *
   * Every value of the record, by name, as a `a{sd}` dictionary (in the order they were
   * set), for bindings and GTK expressions. Notified when a value is set.
   *
   * Since: 1.0
   */
  properties[PROP_VALUES] =
    g_param_spec_variant ("values", NULL, NULL, G_VARIANT_TYPE ("a{sd}"), NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_history_record_init (FitHistoryRecord *self)
{
  self->learning_rate = NAN;
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
}

/**
 * fit_history_record_new:
 * @epoch: the epoch, counted from 0, or -1 for an evaluation
 *
 * Creates an empty record.
 *
 * Returns: (transfer full): the new record
 *
 * Since: 1.0
 */
FitHistoryRecord *
fit_history_record_new (int epoch)
{
  return g_object_new (FIT_TYPE_HISTORY_RECORD, "epoch", epoch, NULL);
}

/**
 * fit_history_record_get_epoch:
 * @self: a record
 *
 * Gets [property@Fit.HistoryRecord:epoch].
 *
 * Returns: [property@Fit.HistoryRecord:epoch]
 *
 * Since: 1.0
 */
int
fit_history_record_get_epoch (FitHistoryRecord *self)
{
  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), -1);
  return self->epoch;
}

/**
 * fit_history_record_get_learning_rate:
 * @self: a record
 *
 * Gets [property@Fit.HistoryRecord:learning-rate].
 *
 * Returns: [property@Fit.HistoryRecord:learning-rate]
 *
 * Since: 1.0
 */
double
fit_history_record_get_learning_rate (FitHistoryRecord *self)
{
  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), NAN);
  return self->learning_rate;
}

/**
 * fit_history_record_set_learning_rate:
 * @self: a record
 * @learning_rate: the learning rate
 *
 * Sets [property@Fit.HistoryRecord:learning-rate].
 *
 * Since: 1.0
 */
void
fit_history_record_set_learning_rate (FitHistoryRecord *self,
                                      double            learning_rate)
{
  g_return_if_fail (FIT_IS_HISTORY_RECORD (self));
  if (self->learning_rate == learning_rate ||
      (isnan (self->learning_rate) && isnan (learning_rate)))
    return;
  self->learning_rate = learning_rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEARNING_RATE]);
}

/**
 * fit_history_record_get_time:
 * @self: a record
 *
 * Gets [property@Fit.HistoryRecord:time].
 *
 * Returns: [property@Fit.HistoryRecord:time]
 *
 * Since: 1.0
 */
double
fit_history_record_get_time (FitHistoryRecord *self)
{
  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), 0);
  return self->time;
}

/**
 * fit_history_record_set_time:
 * @self: a record
 * @seconds: the epoch's duration
 *
 * Sets [property@Fit.HistoryRecord:time].
 *
 * Since: 1.0
 */
void
fit_history_record_set_time (FitHistoryRecord *self,
                             double            seconds)
{
  g_return_if_fail (FIT_IS_HISTORY_RECORD (self));
  if (self->time == seconds)
    return;
  self->time = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
}

static gboolean
find_name (FitHistoryRecord *self,
           const char       *name,
           guint            *index)
{
  gpointer position;

  if (self->index != NULL)
    {
      position = g_hash_table_lookup (self->index, name);
      *index = GPOINTER_TO_UINT (position) - 1;
      return position != NULL;
    }
  for (guint i = 0; i < self->names->len; i++)
    if (g_str_equal (g_ptr_array_index (self->names, i), name))
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

/* A record has a few values; one read from a file may have any number, and a lookup per
 * value must not make reading it quadratic. */
#define INDEX_FROM 16

static void
add_name (FitHistoryRecord *self,
          const char       *name,
          double            value)
{
  char *owned = g_strdup (name);

  g_ptr_array_add (self->names, owned);
  g_array_append_val (self->values, value);
  if (self->index == NULL && self->names->len >= INDEX_FROM)
    {
      self->index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i + 1 < self->names->len; i++)
        g_hash_table_insert (self->index, g_ptr_array_index (self->names, i),
                             GUINT_TO_POINTER (i + 1));
    }
  if (self->index != NULL)
    g_hash_table_insert (self->index, owned, GUINT_TO_POINTER (self->names->len));
}

/**
 * fit_history_record_lookup:
 * @self: a record
 * @name: a value's name, such as `val_loss`
 * @value: (out) (optional): the value
 *
 * Looks a value up.
 *
 * Returns: %TRUE when the record has @name
 *
 * Since: 1.0
 */
gboolean
fit_history_record_lookup (FitHistoryRecord *self,
                           const char       *name,
                           double           *value)
{
  guint i;

  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!find_name (self, name, &i))
    return FALSE;
  if (value != NULL)
    *value = g_array_index (self->values, double, i);
  return TRUE;
}

/**
 * fit_history_record_get_value:
 * @self: a record
 * @name: a value's name, such as `val_loss`
 *
 * Gets the value, or NaN when the record does not have @name.
 *
 * Returns: the value, or NaN when the record does not have @name
 *
 * Since: 1.0
 */
double
fit_history_record_get_value (FitHistoryRecord *self,
                              const char       *name)
{
  double value = NAN;

  fit_history_record_lookup (self, name, &value);
  return value;
}

/**
 * fit_history_record_set_value:
 * @self: a record
 * @name: a value's name
 * @value: the value
 *
 * Sets a value, adding the name when it is new.
 *
 * Since: 1.0
 */
void
fit_history_record_set_value (FitHistoryRecord *self,
                              const char       *name,
                              double            value)
{
  guint i;

  g_return_if_fail (FIT_IS_HISTORY_RECORD (self));
  g_return_if_fail (name != NULL);

  if (find_name (self, name, &i))
    g_array_index (self->values, double, i) = value;
  else
    add_name (self, name, value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUES]);
}

gboolean
fit_history_record_add_metrics (FitHistoryRecord  *record,
                                GPtrArray         *metrics,
                                const char        *prefix,
                                GError           **error)
{
  for (guint i = 0; i < metrics->len; i++)
    {
      FitMetric *metric = g_ptr_array_index (metrics, i);
      g_autofree char *name = g_strconcat (prefix, fit_metric_get_name (metric), NULL);
      GError *local_error = NULL;
      double value = fit_metric_get (metric, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      fit_history_record_set_value (record, name, value);
    }
  return TRUE;
}

/**
 * fit_history_record_get_values:
 * @self: a record
 *
 * Gets every value of the record, by name: [property@Fit.HistoryRecord:values].
 *
 * Returns: (transfer full): a `a{sd}` dictionary
 *
 * Since: 1.0
 */
GVariant *
fit_history_record_get_values (FitHistoryRecord *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sd}"));
  for (guint i = 0; i < self->names->len; i++)
    g_variant_builder_add (&builder, "{sd}", (char *) g_ptr_array_index (self->names, i),
                           g_array_index (self->values, double, i));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * fit_history_record_get_names:
 * @self: a record
 *
 * Gets the names of the record's values, in the order they were set.
 *
 * Returns: (transfer full): the names of the record's values, in the order they were set
 *
 * Since: 1.0
 */
char **
fit_history_record_get_names (FitHistoryRecord *self)
{
  char **names;

  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), NULL);

  names = g_new0 (char *, self->names->len + 1);
  for (guint i = 0; i < self->names->len; i++)
    names[i] = g_strdup (g_ptr_array_index (self->names, i));
  return names;
}

/**
 * fit_history_record_to_string:
 * @self: a record
 *
 * Formats the record for people: `epoch 3: train_loss=0.4123 val_loss=0.4410 …`.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
fit_history_record_to_string (FitHistoryRecord *self)
{
  GString *s;

  g_return_val_if_fail (FIT_IS_HISTORY_RECORD (self), NULL);

  s = g_string_new (NULL);
  if (self->epoch >= 0)
    g_string_append_printf (s, "epoch %d:", self->epoch);
  else
    g_string_append (s, "evaluation:");
  for (guint i = 0; i < self->names->len; i++)
    g_string_append_printf (s, " %s=%.4g", (char *) g_ptr_array_index (self->names, i),
                            g_array_index (self->values, double, i));
  if (!isnan (self->learning_rate))
    g_string_append_printf (s, " lr=%.4g", self->learning_rate);
  if (self->time > 0)
    g_string_append_printf (s, " time=%.2fs", self->time);
  return g_string_free (s, FALSE);
}
