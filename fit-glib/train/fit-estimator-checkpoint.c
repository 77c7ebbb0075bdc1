/* fit-estimator-checkpoint.c: what a fit needs to resume, collected and restored
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fit_estimator_save_state() and fit_estimator_load_state(). A checkpoint is a file, so
 * load_state reads and checks all of it (the Checkpoint below) before it applies any of
 * it: a checkpoint is restored completely or not at all.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fit-glib/core/fit-error-private.h"
#include "fit-glib/nn/fit-nn-private.h"
#include "fit-glib/optim/fit-optim-private.h"
#include "fit-estimator-private.h"

#define CHECKPOINT_FORMAT "fit-glib-checkpoint/1"

/* Prefixes "handler.<TypeName>.<k>." with k counting handlers of one type in order. */
static GPtrArray *
handler_prefixes (FitEstimator *self,
                  GPtrArray   **out_handlers)
{
  g_autoptr(GPtrArray) handlers =
    fit_estimator_active_handlers (self, self->running ? self->val_data != NULL : TRUE);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *prefixes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < handlers->len; i++)
    {
      const char *type = G_OBJECT_TYPE_NAME (g_ptr_array_index (handlers, i));
      guint k = GPOINTER_TO_UINT (g_hash_table_lookup (counts, type));

      g_hash_table_insert (counts, (gpointer) type, GUINT_TO_POINTER (k + 1));
      g_ptr_array_add (prefixes, g_strdup_printf ("handler.%s.%u.", type, k));
    }
  *out_handlers = g_steal_pointer (&handlers);
  return prefixes;
}

/**
 * fit_estimator_save_state:
 * @self: an estimator
 *
 * Collects everything a fit needs to resume exactly: the network's parameters and
 * buffers (as `model.<name>`), the optimizer's state (`optimizer.…`), the position of the
 * next batch (epoch, batch in the epoch, global step), the learning rate,
 * [property@Fit.Estimator:rng]'s state and each handler's state
 * ([method@Fit.EventHandler.save_state], under `handler.<TypeName>.<k>.`). Counters are
 * metadata under `fit.`. [class@Fit.CheckpointHandler] writes it to files.
 *
 * Returns: (transfer full): the state
 *
 * Since: 1.0
 */
FitSafetensors *
fit_estimator_save_state (FitEstimator *self)
{
  g_autoptr(FitSafetensors) model = NULL;
  g_autoptr(GPtrArray) handlers = NULL;
  g_autoptr(GPtrArray) prefixes = NULL;
  g_auto(GStrv) names = NULL;
  FitSafetensors *state;
  char buf[64];

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), NULL);

  state = fit_safetensors_new ();
  model = fit_module_get_state (self->net);
  names = fit_safetensors_get_names (model);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *key = g_strconcat ("model.", names[i], NULL);

      fit_safetensors_add (state, key, fit_safetensors_get (model, names[i]));
    }
  if (self->optimizer != NULL)
    fit_optimizer_save_state (self->optimizer, state, "optimizer.");

  fit_safetensors_set_metadata (state, "fit.format", CHECKPOINT_FORMAT);
  g_snprintf (buf, sizeof buf, "%u", self->next_epoch);
  fit_safetensors_set_metadata (state, "fit.epoch", buf);
  g_snprintf (buf, sizeof buf, "%" PRIu64, self->next_batch);
  fit_safetensors_set_metadata (state, "fit.batch", buf);
  g_snprintf (buf, sizeof buf, "%" PRIu64, self->next_global_step);
  fit_safetensors_set_metadata (state, "fit.global_step", buf);
  if (self->optimizer != NULL)
    {
      g_ascii_dtostr (buf, sizeof buf, fit_optimizer_get_learning_rate (self->optimizer));
      fit_safetensors_set_metadata (state, "fit.learning_rate", buf);
    }
  if (self->rng != NULL)
    {
      g_autoptr(GBytes) rng = fit_rng_save_state (self->rng);
      g_autofree char *text = g_base64_encode (g_bytes_get_data (rng, NULL),
                                               g_bytes_get_size (rng));

      fit_safetensors_set_metadata (state, "fit.rng", text);
    }

  prefixes = handler_prefixes (self, &handlers);
  for (guint i = 0; i < handlers->len; i++)
    fit_event_handler_save_state (g_ptr_array_index (handlers, i), state,
                                  g_ptr_array_index (prefixes, i));
  return state;
}

/* Everything of a checkpoint, read and checked, before any of it is applied. */
typedef struct
{
  gint64                 epoch;
  gint64                 batch;
  gint64                 step;
  FitSafetensors        *model;
  FitOptimizer          *optimizer;      /* self->optimizer, or the default SGD to install */
  FitOptimizerSnapshot  *optimizer_state;
  GBytes                *rng;            /* (nullable) */
  GPtrArray             *handlers;
  GPtrArray             *prefixes;
} Checkpoint;

static void
checkpoint_clear (Checkpoint *c)
{
  g_clear_object (&c->model);
  g_clear_object (&c->optimizer);
  g_clear_pointer (&c->optimizer_state, fit_optimizer_snapshot_free);
  g_clear_pointer (&c->rng, g_bytes_unref);
  g_clear_pointer (&c->handlers, g_ptr_array_unref);
  g_clear_pointer (&c->prefixes, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Checkpoint, checkpoint_clear)

/* The generator's state as fit_estimator_save_state() writes it: base64 of the bytes of
 * fit_rng_save_state(), which must restore (into a scratch generator, to check it). */
static GBytes *
read_rng (FitSafetensors  *state,
          const char      *key,
          GError         **error)
{
  const char *text = fit_safetensors_get_metadata (state, key);
  g_autoptr(FitRng) scratch = fit_rng_new (0);
  g_autoptr(GBytes) bytes = NULL;
  gsize len = strlen (text);
  guchar *raw;

  /* g_base64_decode() skips what is not base64: only clean text is decoded. */
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' &&
        !(text[i] == '=' && i + 2 >= len))
      {
        g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                     _("The checkpoint's “%s” is not base64 text"), key);
        return NULL;
      }
  raw = g_base64_decode (text, &len);
  bytes = g_bytes_new_take (raw, len);
  if (!fit_rng_restore_state (scratch, bytes, error))
    {
      g_prefix_error (error, _("The checkpoint's “%s”: "), key);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

/* The checks of everything that fit_estimator_load_state() restores, changing nothing. */
static gboolean
read_checkpoint (FitEstimator    *self,
                 FitSafetensors  *state,
                 Checkpoint      *c,
                 GError         **error)
{
  g_auto(GStrv) names = NULL;
  const char *format = fit_safetensors_get_metadata (state, "fit.format");

  if (g_strcmp0 (format, CHECKPOINT_FORMAT) != 0)
    {
      g_autofree char *quoted = format != NULL ? fit_error_quote (format, -1) : NULL;

      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("The file is not a fit-glib checkpoint (format “%s”, expected “%s”)"),
                   quoted != NULL ? quoted : _("none"), CHECKPOINT_FORMAT);
      return FALSE;
    }
  /* The counters are cast: the epoch to the int of a history record, the steps to the
   * gint64 of a schedule. */
  if (!fit_state_read_integer (state, "fit.", "epoch", TRUE, 0, G_MAXINT, &c->epoch, error) ||
      !fit_state_read_integer (state, "fit.", "batch", TRUE, 0, G_MAXINT64, &c->batch,
                               error) ||
      !fit_state_read_integer (state, "fit.", "global_step", TRUE, 0, G_MAXINT64, &c->step,
                               error))
    return FALSE;

  c->model = fit_safetensors_new ();
  names = fit_safetensors_get_names (state);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], "model."))
      fit_safetensors_add (c->model, names[i] + strlen ("model."),
                           fit_safetensors_get (state, names[i]));
  if (!fit_module_check_state (self->net, c->model, error))
    return FALSE;

  c->optimizer = self->optimizer != NULL ? g_object_ref (self->optimizer)
                                         : fit_estimator_default_optimizer (self, error);
  if (c->optimizer == NULL)
    return FALSE;
  c->optimizer_state = fit_optimizer_read_state (c->optimizer, state, "optimizer.", error);
  if (c->optimizer_state == NULL)
    return FALSE;

  if (self->rng != NULL && fit_safetensors_get_metadata (state, "fit.rng") != NULL)
    {
      c->rng = read_rng (state, "fit.rng", error);
      if (c->rng == NULL)
        return FALSE;
    }

  c->prefixes = handler_prefixes (self, &c->handlers);
  for (guint i = 0; i < c->handlers->len; i++)
    {
      FitEventHandler *handler = g_ptr_array_index (c->handlers, i);
      FitStateCheckFunc check = fit_event_handler_get_check_state (handler);

      if (check != NULL &&
          !check (handler, self, state, g_ptr_array_index (c->prefixes, i), error))
        return FALSE;
    }
  return TRUE;
}

/* Loads the handlers that have no check of their own (a program's, a binding's): they may
 * fail, so they go before anything else changes, and on failure those loaded already get
 * the state they had back. */
static gboolean
load_unchecked_handlers (Checkpoint      *c,
                         FitSafetensors  *state,
                         GError         **error)
{
  g_autoptr(GPtrArray) done = g_ptr_array_new ();
  g_autoptr(FitSafetensors) before = fit_safetensors_new ();

  for (guint i = 0; i < c->handlers->len; i++)
    {
      FitEventHandler *handler = g_ptr_array_index (c->handlers, i);
      const char *prefix = g_ptr_array_index (c->prefixes, i);

      if (fit_event_handler_get_check_state (handler) != NULL)
        continue;
      fit_event_handler_save_state (handler, before, prefix);
      if (fit_event_handler_load_state (handler, state, prefix, error))
        {
          g_ptr_array_add (done, GUINT_TO_POINTER (i));
          continue;
        }
      for (guint k = 0; k < done->len; k++)
        {
          guint j = GPOINTER_TO_UINT (g_ptr_array_index (done, k));

          if (!fit_event_handler_load_state (g_ptr_array_index (c->handlers, j), before,
                                             g_ptr_array_index (c->prefixes, j), NULL))
            g_warning ("%s could not take back its state after a failed checkpoint load",
                       G_OBJECT_TYPE_NAME (g_ptr_array_index (c->handlers, j)));
        }
      return FALSE;
    }
  return TRUE;
}

/**
 * fit_estimator_load_state:
 * @self: an estimator
 * @state: what [method@Fit.Estimator.save_state] collected
 * @error: return location for a #GError
 *
 * Restores a checkpoint: the network, the optimizer (the default SGD is created first
 * when there is none), the learning rate, [property@Fit.Estimator:rng], the handlers'
 * states, and the position of the next batch. Called at `train-begin` (as
 * [class@Fit.CheckpointHandler] does when resuming) or before a fit, the fit continues
 * from that position.
 *
 * A checkpoint is a file, so everything in it is checked before anything is restored:
 * the names, shapes and types of the weights, the optimizer's hyper-parameters (a
 * negative or infinite learning rate is refused) and state, the counters, the
 * generator's state and every built-in handler's values (a count that is negative, not
 * whole or out of range, a rate that is negative). On failure the network, the
 * optimizer, the generator, the handlers and the position are as they were; handlers of
 * your own should likewise check everything in their `load_state` before changing
 * anything, and if one of them fails, those loaded before it are given back what their
 * `save_state` gave just before.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_PARSE for a file that is not a
 *   fit-glib checkpoint or a value in it that is invalid (the message names the key),
 *   %FIT_ERROR_MISMATCH when the network or optimizer does not match,
 *   %FIT_ERROR_STATE when called during a fit after `train-begin`
 *
 * Since: 1.0
 */
gboolean
fit_estimator_load_state (FitEstimator    *self,
                          FitSafetensors  *state,
                          GError         **error)
{
  g_auto(Checkpoint) c = { 0 };

  g_return_val_if_fail (FIT_IS_ESTIMATOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_SAFETENSORS (state), FALSE);

  if (self->running && (self->phase != FIT_PHASE_TRAIN || self->event != FIT_EVENT_TRAIN_BEGIN))
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_STATE,
                           _("A checkpoint can only be restored before a fit or at its "
                             "train-begin"));
      return FALSE;
    }
  if (!read_checkpoint (self, state, &c, error) ||
      !load_unchecked_handlers (&c, state, error))
    return FALSE;

  /* Everything checked: nothing from here on can fail on what the file holds. */
  if (!fit_module_set_state (self->net, c.model, error))
    return FALSE;
  if (self->optimizer == NULL)
    fit_estimator_install_default_optimizer (self, c.optimizer);
  fit_optimizer_apply_state (self->optimizer, c.optimizer_state);
  if (c.rng != NULL && !fit_rng_restore_state (self->rng, c.rng, error))
    return FALSE;
  for (guint i = 0; i < c.handlers->len; i++)
    {
      FitEventHandler *handler = g_ptr_array_index (c.handlers, i);

      if (fit_event_handler_get_check_state (handler) != NULL &&
          !fit_event_handler_load_state (handler, state, g_ptr_array_index (c.prefixes, i),
                                         error))
        return FALSE;
    }
  for (guint i = 0; i < c.handlers->len; i++)
    if (FIT_IS_HISTORY_HANDLER (g_ptr_array_index (c.handlers, i)))
      {
        fit_history_handler_publish (g_ptr_array_index (c.handlers, i), self);
        break;
      }

  self->next_epoch = (guint) c.epoch;
  self->next_batch = (guint64) c.batch;
  self->next_global_step = (guint64) c.step;
  self->resume_pending = !self->running;
  return TRUE;
}
