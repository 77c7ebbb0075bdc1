/* fit-history.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "fit-glib/io/fit-json-private.h"
#include "fit-train.h"

/**
 * FitHistory:
 *
 * The per-epoch records of a fit, as a #GListModel of [class@Fit.HistoryRecord], so a
 * GTK list or column view can show training as it happens.
 *
 * [class@Fit.Estimator] owns one ([method@Fit.Estimator.get_history]); its
 * [class@Fit.HistoryHandler] clears it when a fit starts and appends a record at each
 * `epoch-end`. During [method@Fit.Estimator.fit_async] the records are appended, and
 * `items-changed` emitted, in the main context of the thread that called `fit_async`,
 * so the model is only ever touched from that thread.
 *
 * Since: 1.0
 */
struct _FitHistory
{
  GObject    parent_instance;
  GPtrArray *records;
};

enum { PROP_0, PROP_N_ITEMS, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void fit_history_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FitHistory, fit_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      fit_history_list_model_init))

static GType
fit_history_get_item_type (GListModel *model)
{
  return FIT_TYPE_HISTORY_RECORD;
}

static guint
fit_history_get_n_items (GListModel *model)
{
  return FIT_HISTORY (model)->records->len;
}

static gpointer
fit_history_get_item (GListModel *model,
                      guint       position)
{
  FitHistory *self = FIT_HISTORY (model);

  if (position >= self->records->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->records, position));
}

static void
fit_history_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fit_history_get_item_type;
  iface->get_n_items = fit_history_get_n_items;
  iface->get_item = fit_history_get_item;
}

static void
fit_history_finalize (GObject *object)
{
  g_clear_pointer (&FIT_HISTORY (object)->records, g_ptr_array_unref);
  G_OBJECT_CLASS (fit_history_parent_class)->finalize (object);
}

static void
fit_history_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, FIT_HISTORY (object)->records->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_history_class_init (FitHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_history_finalize;
  object_class->get_property = fit_history_get_property;

  /**
   * FitHistory:n-items:
   *
   * The number of records.
   *
   * Since: 1.0
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_history_init (FitHistory *self)
{
  self->records = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * fit_history_new:
 *
 * Creates an empty history.
 *
 * Returns: (transfer full): the new history
 *
 * Since: 1.0
 */
FitHistory *
fit_history_new (void)
{
  return g_object_new (FIT_TYPE_HISTORY, NULL);
}

/**
 * fit_history_append:
 * @self: a history
 * @record: the record of the next epoch
 *
 * Adds a record at the end, or replaces the last record when it is of the same epoch:
 * the record of an epoch that was interrupted and resumed from a checkpoint taken inside
 * it.
 *
 * Since: 1.0
 */
void
fit_history_append (FitHistory       *self,
                    FitHistoryRecord *record)
{
  FitHistoryRecord *last;

  g_return_if_fail (FIT_IS_HISTORY (self));
  g_return_if_fail (FIT_IS_HISTORY_RECORD (record));

  last = fit_history_get_last (self);
  if (last != NULL && fit_history_record_get_epoch (last) == fit_history_record_get_epoch (record))
    {
      g_ptr_array_index (self->records, self->records->len - 1) = g_object_ref (record);
      g_object_unref (last);
      g_list_model_items_changed (G_LIST_MODEL (self), self->records->len - 1, 1, 1);
      return;
    }
  g_ptr_array_add (self->records, g_object_ref (record));
  g_list_model_items_changed (G_LIST_MODEL (self), self->records->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/**
 * fit_history_clear:
 * @self: a history
 *
 * Removes every record.
 *
 * Since: 1.0
 */
void
fit_history_clear (FitHistory *self)
{
  guint n;

  g_return_if_fail (FIT_IS_HISTORY (self));

  n = self->records->len;
  if (n == 0)
    return;
  g_ptr_array_set_size (self->records, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/**
 * fit_history_get_record:
 * @self: a history
 * @position: the record's position
 *
 * Gets the record at @position, or %NULL past the end.
 *
 * Returns: (transfer none) (nullable): the record at @position, or %NULL past the end
 *
 * Since: 1.0
 */
FitHistoryRecord *
fit_history_get_record (FitHistory *self,
                        guint       position)
{
  g_return_val_if_fail (FIT_IS_HISTORY (self), NULL);

  if (position >= self->records->len)
    return NULL;
  return g_ptr_array_index (self->records, position);
}

/**
 * fit_history_get_last:
 * @self: a history
 *
 * Gets the latest record, or %NULL when there is none.
 *
 * Returns: (transfer none) (nullable): the latest record, or %NULL when there is none
 *
 * Since: 1.0
 */
FitHistoryRecord *
fit_history_get_last (FitHistory *self)
{
  g_return_val_if_fail (FIT_IS_HISTORY (self), NULL);

  if (self->records->len == 0)
    return NULL;
  return g_ptr_array_index (self->records, self->records->len - 1);
}

/**
 * fit_history_get_values:
 * @self: a history
 * @name: a value's name, such as `val_loss`, or `learning_rate` or `time`
 * @n_values: (out): the number of values, one per record
 *
 * Collects one value across the epochs, NaN where a record does not have it (a
 * validation value in an epoch without validation).
 *
 * Returns: (transfer full) (array length=n_values): the values
 *
 * Since: 1.0
 */
double *
fit_history_get_values (FitHistory *self,
                        const char *name,
                        guint      *n_values)
{
  double *values;

  g_return_val_if_fail (FIT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (n_values != NULL, NULL);

  values = g_new (double, MAX (self->records->len, 1));
  for (guint i = 0; i < self->records->len; i++)
    {
      FitHistoryRecord *record = g_ptr_array_index (self->records, i);

      if (g_str_equal (name, "learning_rate"))
        values[i] = fit_history_record_get_learning_rate (record);
      else if (g_str_equal (name, "time"))
        values[i] = fit_history_record_get_time (record);
      else
        values[i] = fit_history_record_get_value (record, name);
    }
  *n_values = self->records->len;
  return values;
}

static void
append_number (GString *out,
               double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* JSON has no NaN or infinity; null reads back as NaN. */
  if (!isfinite (v))
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_dtostr (buf, sizeof buf, v));
}

/**
 * fit_history_to_json:
 * @self: a history
 *
 * Serialises the history as a JSON array of objects, one per epoch, with the keys
 * `epoch`, `learning_rate`, `time` and `values` (an object of the named values). NaN and
 * infinities are written as `null`. Checkpoints store the history this way.
 *
 * Returns: (transfer full): the JSON text
 *
 * Since: 1.0
 */
char *
fit_history_to_json (FitHistory *self)
{
  GString *out;

  g_return_val_if_fail (FIT_IS_HISTORY (self), NULL);

  out = g_string_new ("[");
  for (guint i = 0; i < self->records->len; i++)
    {
      FitHistoryRecord *record = g_ptr_array_index (self->records, i);
      g_auto(GStrv) names = fit_history_record_get_names (record);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "{\"epoch\":%d,\"learning_rate\":",
                              fit_history_record_get_epoch (record));
      append_number (out, fit_history_record_get_learning_rate (record));
      g_string_append (out, ",\"time\":");
      append_number (out, fit_history_record_get_time (record));
      g_string_append (out, ",\"values\":{");
      for (guint j = 0; names[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append_c (out, ',');
          fit_json_append_string (out, names[j]);
          g_string_append_c (out, ':');
          append_number (out, fit_history_record_get_value (record, names[j]));
        }
      g_string_append (out, "}}");
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

static gboolean
json_number (FitJson *json,
             double  *value)
{
  if (json == NULL || json->type == FIT_JSON_NULL)
    {
      *value = NAN;
      return TRUE;
    }
  if (json->type != FIT_JSON_NUMBER)
    return FALSE;
  *value = json->number;
  return TRUE;
}

/**
 * fit_history_load_json:
 * @self: a history
 * @json: text written by [method@Fit.History.to_json]
 * @error: return location for a #GError
 *
 * Replaces the records with those of @json. On error the history is unchanged.
 *
 * Returns: %TRUE on success; %FALSE with a %FIT_ERROR_PARSE error when @json is not a
 *   history
 *
 * Since: 1.0
 */
gboolean
fit_history_load_json (FitHistory  *self,
                       const char  *json,
                       GError     **error)
{
  g_autoptr(FitJson) root = NULL;
  g_autoptr(GPtrArray) records = NULL;
  guint old_len;

  g_return_val_if_fail (FIT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  root = fit_json_parse (json, strlen (json), error);
  if (root == NULL)
    return FALSE;
  if (root->type != FIT_JSON_ARRAY)
    goto malformed;

  records = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < root->values->len; i++)
    {
      FitJson *item = g_ptr_array_index (root->values, i);
      FitJson *epoch, *values;
      g_autoptr(FitHistoryRecord) record = NULL;
      double lr, time;

      if (item->type != FIT_JSON_OBJECT)
        goto malformed;
      epoch = fit_json_object_get (item, "epoch");
      values = fit_json_object_get (item, "values");
      /* A record's epoch is an int from -1 (see FitHistoryRecord:epoch) on. */
      if (epoch == NULL || epoch->type != FIT_JSON_NUMBER || !epoch->is_integer ||
          epoch->integer < -1 || epoch->integer > G_MAXINT ||
          (values != NULL && values->type != FIT_JSON_OBJECT) ||
          !json_number (fit_json_object_get (item, "learning_rate"), &lr) ||
          !json_number (fit_json_object_get (item, "time"), &time) ||
          time < 0.0 || isinf (time))
        goto malformed;
      record = fit_history_record_new ((int) epoch->integer);
      fit_history_record_set_learning_rate (record, lr);
      fit_history_record_set_time (record, isnan (time) ? 0 : time);
      for (guint j = 0; values != NULL && j < values->values->len; j++)
        {
          double v;

          if (!json_number (g_ptr_array_index (values->values, j), &v))
            goto malformed;
          fit_history_record_set_value (record, g_ptr_array_index (values->keys, j), v);
        }
      g_ptr_array_add (records, g_steal_pointer (&record));
    }

  old_len = self->records->len;
  g_ptr_array_unref (self->records);
  self->records = g_steal_pointer (&records);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->records->len);
  if (old_len != self->records->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;

malformed:
  g_set_error_literal (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("The text is not a training history: expected a JSON array of "
                         "objects with an integer “epoch” from -1 on, a number “learning_rate”, "
                         "a number of seconds “time”, and an object of numbers “values”"));
  return FALSE;
}
