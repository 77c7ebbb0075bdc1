/* fit-history-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "fit-estimator-handlers-private.h"

/**
 * FitHistoryHandler:
 *
 * Records each epoch in the estimator's [class@Fit.History]: at `epoch-end` it appends
 * a [class@Fit.HistoryRecord] with every training metric, the validation metrics when
 * the epoch validated, the learning rate and the epoch's duration. A metric that is NaN
 * (no update this epoch) is recorded as NaN; a metric whose computation fails fails the
 * fit with its error.
 *
 * Every fit uses one (a default unless one is added), with priority
 * %FIT_PRIORITY_HISTORY, so the record holds what the other handlers left at
 * `epoch-end`. It saves the history in checkpoints, so a resumed fit's history covers
 * the epochs before the interruption too.
 *
 * Since: 1.0
 */
struct _FitHistoryHandler
{
  FitEventHandler parent_instance;
  FitHistory     *records;      /* on the fit's thread; the estimator's copy may lag */
  gint64          epoch_start;
  gboolean        restored;
};

G_DEFINE_FINAL_TYPE (FitHistoryHandler, fit_history_handler, FIT_TYPE_EVENT_HANDLER)

typedef struct
{
  FitHistory       *history;
  FitHistoryRecord *record;   /* NULL: replace with json */
  char             *json;
} Update;

static void
update_free (gpointer data)
{
  Update *u = data;

  g_clear_object (&u->history);
  g_clear_object (&u->record);
  g_free (u->json);
  g_free (u);
}

static gboolean
apply_update (gpointer data)
{
  Update *u = data;

  if (u->record != NULL)
    fit_history_append (u->history, u->record);
  else
    fit_history_load_json (u->history, u->json, NULL);
  return G_SOURCE_REMOVE;
}

static void
fit_history_handler_finalize (GObject *object)
{
  g_clear_object (&FIT_HISTORY_HANDLER (object)->records);
  G_OBJECT_CLASS (fit_history_handler_parent_class)->finalize (object);
}

static gboolean
fit_history_handler_train_begin (FitEventHandler  *handler,
                                 FitEstimator     *estimator,
                                 GError          **error)
{
  FitHistoryHandler *self = FIT_HISTORY_HANDLER (handler);

  if (!self->restored)
    fit_history_clear (self->records);
  self->restored = FALSE;
  return TRUE;
}

static gboolean
fit_history_handler_epoch_begin (FitEventHandler  *handler,
                                 FitEstimator     *estimator,
                                 GError          **error)
{
  FIT_HISTORY_HANDLER (handler)->epoch_start = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
fit_history_handler_epoch_end (FitEventHandler  *handler,
                               FitEstimator     *estimator,
                               GError          **error)
{
  FitHistoryHandler *self = FIT_HISTORY_HANDLER (handler);
  g_autoptr(FitHistoryRecord) record = NULL;
  Update *u;

  record = fit_history_record_new ((int) fit_estimator_get_epoch (estimator));
  if (!fit_history_record_add_metrics (record, fit_estimator_peek_train_metrics (estimator),
                                       "train_", error) ||
      (fit_estimator_validated_this_epoch (estimator) &&
       !fit_history_record_add_metrics (record, fit_estimator_peek_val_metrics (estimator),
                                        "val_", error)))
    return FALSE;
  fit_history_record_set_learning_rate (record, fit_estimator_get_learning_rate (estimator));
  if (self->epoch_start > 0)
    fit_history_record_set_time (record, (g_get_monotonic_time () - self->epoch_start) / 1e6);
  fit_history_append (self->records, record);

  u = g_new0 (Update, 1);
  u->history = g_object_ref (fit_estimator_get_history (estimator));
  u->record = g_steal_pointer (&record);
  fit_estimator_invoke_in_caller (estimator, apply_update, u, update_free);
  return TRUE;
}

static gboolean
fit_history_handler_train_end (FitEventHandler  *handler,
                               FitEstimator     *estimator,
                               FitStopReason     reason,
                               GError          **error)
{
  /* A checkpoint restored during this fit's train-begin is used up. */
  FIT_HISTORY_HANDLER (handler)->restored = FALSE;
  return TRUE;
}

static void
fit_history_handler_save_state (FitEventHandler *handler,
                                FitSafetensors  *into,
                                const char      *prefix)
{
  FitHistoryHandler *self = FIT_HISTORY_HANDLER (handler);
  g_autofree char *key = g_strconcat (prefix, "history", NULL);
  g_autofree char *json = fit_history_to_json (self->records);

  fit_safetensors_set_metadata (into, key, json);
}

/* Reads the saved history into @into, which is left as it was on error. */
static gboolean
read_history (FitSafetensors  *from,
              const char      *prefix,
              FitHistory      *into,
              gboolean        *found,
              GError         **error)
{
  g_autofree char *key = g_strconcat (prefix, "history", NULL);
  const char *json = fit_safetensors_get_metadata (from, key);

  *found = json != NULL;
  if (json == NULL)
    return TRUE;
  if (fit_history_load_json (into, json, error))
    return TRUE;
  g_prefix_error (error, _("The checkpoint's “%s”: "), key);
  return FALSE;
}

static gboolean
fit_history_handler_check_state (FitEventHandler  *handler,
                                 FitEstimator     *estimator,
                                 FitSafetensors   *from,
                                 const char       *prefix,
                                 GError          **error)
{
  g_autoptr(FitHistory) scratch = fit_history_new ();
  gboolean found;

  return read_history (from, prefix, scratch, &found, error);
}

static gboolean
fit_history_handler_load_state (FitEventHandler  *handler,
                                FitSafetensors   *from,
                                const char       *prefix,
                                GError          **error)
{
  FitHistoryHandler *self = FIT_HISTORY_HANDLER (handler);
  gboolean found;

  if (!read_history (from, prefix, self->records, &found, error))
    return FALSE;
  if (found)
    self->restored = TRUE;
  return TRUE;
}

static void
fit_history_handler_class_init (FitHistoryHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->finalize = fit_history_handler_finalize;
  handler_class->train_begin = fit_history_handler_train_begin;
  handler_class->epoch_begin = fit_history_handler_epoch_begin;
  handler_class->epoch_end = fit_history_handler_epoch_end;
  handler_class->train_end = fit_history_handler_train_end;
  handler_class->save_state = fit_history_handler_save_state;
  handler_class->load_state = fit_history_handler_load_state;
  fit_event_handler_class_set_check_state (handler_class, fit_history_handler_check_state);
}

static void
fit_history_handler_init (FitHistoryHandler *self)
{
  self->records = fit_history_new ();
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_HISTORY);
}

/**
 * fit_history_handler_new:
 *
 * Creates a history handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_history_handler_new (void)
{
  return g_object_new (FIT_TYPE_HISTORY_HANDLER, NULL);
}

void
fit_history_handler_publish (FitHistoryHandler *self,
                             FitEstimator      *estimator)
{
  Update *u = g_new0 (Update, 1);

  u->history = g_object_ref (fit_estimator_get_history (estimator));
  u->json = fit_history_to_json (self->records);
  fit_estimator_invoke_in_caller (estimator, apply_update, u, update_free);
}
