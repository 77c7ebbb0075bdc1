/* fit-checkpoint-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fit-glib/io/fit-safetensors-private.h"
#include "fit-handlers-private.h"

/**
 * FitCheckpointHandler:
 *
 * Saves checkpoints during training and resumes from them.
 *
 * A checkpoint is the safetensors file of [method@Fit.Estimator.save_state]: the
 * network, the optimizer, the position of the next batch, the learning rate, the
 * estimator's [property@Fit.Estimator:rng] and every handler's state (early stopping,
 * learning-rate schedules, the history). Files are written to a temporary name
 * (`.NAME.XXXXXX` in the same directory), flushed and renamed, so a crash never leaves a
 * torn checkpoint; a save killed on the way leaves its temporary file, and the next save
 * or resume with the same directory and prefix removes such files of its own checkpoint
 * names (and no other file, nor one that a save still writes).
 *
 * Periodic checkpoints are saved every [property@Fit.CheckpointHandler:every-n-epochs]
 * epochs (at `epoch-end`) and every [property@Fit.CheckpointHandler:every-n-batches]
 * training batches (at `batch-end`), as
 * `DIRECTORY/PREFIX-epochEEEE-stepSSSSSSSSSS.safetensors`, where SSSSSSSSSS counts the
 * training batches done; at most [property@Fit.CheckpointHandler:max-to-keep] of them are
 * kept (0 keeps all), the oldest are deleted. With a
 * [property@Fit.CheckpointHandler:monitor], an epoch whose value improves on the best so
 * far is also saved as `DIRECTORY/PREFIX-best.safetensors`; with
 * [property@Fit.CheckpointHandler:save-best-only] only that file is written.
 *
 * With [property@Fit.CheckpointHandler:resume], `train-begin` loads the latest periodic
 * checkpoint in the directory (if there is one) and the fit continues from the batch
 * after it: same data order, same optimizer state, same random numbers, so training
 * interrupted and resumed ends with the same parameters as training that never was.
 * Everything in the file is checked before anything is restored
 * ([method@Fit.Estimator.load_state]): a checkpoint that is malformed or holds a value
 * out of range fails the fit at `train-begin` with an error naming the file and the key,
 * and leaves the network, optimizer and handlers as they were.
 * A fit's epochs and batches count from the start of the original run.
 *
 * Its priority is %FIT_PRIORITY_CHECKPOINT: after early stopping and the history, so a
 * checkpoint saved at `epoch-end` holds their state for the epoch.
 *
 * Since: 1.0
 */
struct _FitCheckpointHandler
{
  FitEventHandler  parent_instance;
  char            *directory;
  char            *prefix;
  FitMonitor       monitor;
  gboolean         save_best_only;
  guint            every_n_epochs;
  guint64          every_n_batches;
  guint            max_to_keep;
  gboolean         resume;

  double           best;
  gboolean         restored;
};

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_PREFIX,
  PROP_MONITOR,
  PROP_MODE,
  PROP_SAVE_BEST_ONLY,
  PROP_EVERY_N_EPOCHS,
  PROP_EVERY_N_BATCHES,
  PROP_MAX_TO_KEEP,
  PROP_RESUME,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitCheckpointHandler, fit_checkpoint_handler, FIT_TYPE_EVENT_HANDLER)

static char *
periodic_name (FitCheckpointHandler *self,
               guint                 epoch,
               guint64               steps_done)
{
  return g_strdup_printf ("%s-epoch%04u-step%010" PRIu64 ".safetensors", self->prefix, epoch,
                          steps_done);
}

/* Whether @name is one of this handler's periodic checkpoints, exactly as periodic_name()
 * writes it (no sign, space or number out of range that a scanf would let through), and
 * of which step. */
static gboolean
parse_periodic (FitCheckpointHandler *self,
                const char           *name,
                guint64              *steps_done)
{
  g_autofree char *epoch_text = NULL;
  g_autofree char *step_text = NULL;
  g_autofree char *canonical = NULL;
  const char *rest, *dash, *dot;
  guint64 epoch;

  if (!g_str_has_prefix (name, self->prefix) ||
      !g_str_has_prefix (name + strlen (self->prefix), "-epoch"))
    return FALSE;
  rest = name + strlen (self->prefix) + strlen ("-epoch");
  dash = strstr (rest, "-step");
  dot = dash != NULL ? strchr (dash, '.') : NULL;
  if (dot == NULL)
    return FALSE;
  epoch_text = g_strndup (rest, dash - rest);
  step_text = g_strndup (dash + strlen ("-step"), dot - dash - strlen ("-step"));
  if (!g_ascii_string_to_unsigned (epoch_text, 10, 0, G_MAXUINT, &epoch, NULL) ||
      !g_ascii_string_to_unsigned (step_text, 10, 0, G_MAXUINT64, steps_done, NULL))
    return FALSE;
  canonical = periodic_name (self, (guint) epoch, *steps_done);
  return strcmp (name, canonical) == 0;
}

static gboolean
is_periodic (FitCheckpointHandler *self,
             const char           *name)
{
  guint64 steps_done;

  return parse_periodic (self, name, &steps_done);
}

typedef struct
{
  guint64  steps_done;
  char    *name;
} Periodic;

static int
compare_periodic (gconstpointer a,
                  gconstpointer b)
{
  const Periodic *x = a, *y = b;

  if (x->steps_done != y->steps_done)
    return x->steps_done < y->steps_done ? -1 : 1;
  return strcmp (x->name, y->name);
}

static char *
best_name (FitCheckpointHandler *self)
{
  return g_strconcat (self->prefix, "-best.safetensors", NULL);
}

/* Whether @name is a file this handler writes: a periodic or the best checkpoint. */
static gboolean
is_own_file (const char *name,
             gpointer    data)
{
  FitCheckpointHandler *self = data;
  g_autofree char *best = best_name (self);

  return is_periodic (self, name) || strcmp (name, best) == 0;
}

/* Periodic checkpoints, sorted by the number of batches done, oldest first: by number,
 * since names sort like numbers only while they have as many digits. */
static GPtrArray *
list_periodic (FitCheckpointHandler *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->directory, 0, NULL);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Periodic));
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return names;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      Periodic p = { 0, NULL };

      if (parse_periodic (self, name, &p.steps_done))
        {
          p.name = g_strdup (name);
          g_array_append_val (found, p);
        }
    }
  g_array_sort (found, compare_periodic);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (names, g_array_index (found, Periodic, i).name);
  return names;
}

/* A save killed on the way left its temporary file: remove those of this handler's
 * files, so that they do not pile up. */
static void
remove_stale_temporaries (FitCheckpointHandler *self)
{
  guint n = fit_safetensors_remove_stale_temporaries (self->directory, is_own_file, self);

  if (n > 0)
    g_info (g_dngettext (GETTEXT_PACKAGE,
                         "Removed %u temporary file of an interrupted checkpoint save in %s",
                         "Removed %u temporary files of interrupted checkpoint saves in %s", n),
            n, self->directory);
}

static gboolean
save_to (FitCheckpointHandler  *self,
         FitEstimator          *estimator,
         const char            *name,
         GError               **error)
{
  g_autoptr(FitSafetensors) state = fit_estimator_save_state (estimator);
  g_autofree char *path = g_build_filename (self->directory, name, NULL);

  remove_stale_temporaries (self);
  return fit_safetensors_save (state, path, NULL, error);
}

static gboolean
save_periodic (FitCheckpointHandler  *self,
               FitEstimator          *estimator,
               guint                  epoch,
               guint64                steps_done,
               GError               **error)
{
  g_autofree char *name = periodic_name (self, epoch, steps_done);
  g_autoptr(GPtrArray) files = NULL;

  if (!save_to (self, estimator, name, error))
    return FALSE;
  if (self->max_to_keep == 0)
    return TRUE;
  files = list_periodic (self);
  for (guint i = 0; i + self->max_to_keep < files->len; i++)
    {
      g_autofree char *path = g_build_filename (self->directory,
                                                (char *) g_ptr_array_index (files, i), NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, FIT_ERROR, FIT_ERROR_IO,
                       _("Could not delete the old checkpoint “%s”: %s"), path,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
fit_checkpoint_handler_train_begin (FitEventHandler  *handler,
                                    FitEstimator     *estimator,
                                    GError          **error)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (handler);
  g_autofree char *latest = NULL;

  if (self->monitor.name != NULL && !fit_monitor_begin (&self->monitor, estimator, error))
    return FALSE;
  if (g_mkdir_with_parents (self->directory, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FIT_ERROR, FIT_ERROR_IO,
                   _("Could not create the checkpoint directory “%s”: %s"), self->directory,
                   g_strerror (saved_errno));
      return FALSE;
    }
  if (!self->restored)
    self->best = self->monitor.name != NULL ? fit_monitor_worst (&self->monitor) : NAN;
  self->restored = FALSE;

  if (self->resume)
    remove_stale_temporaries (self);
  latest = self->resume ? fit_checkpoint_handler_get_latest_path (self) : NULL;
  if (latest != NULL)
    {
      g_autoptr(FitSafetensors) state = fit_safetensors_new_from_file (latest, NULL, error);

      if (state == NULL || !fit_estimator_load_state (estimator, state, error))
        {
          g_prefix_error (error, _("Resuming from “%s”: "), latest);
          return FALSE;
        }
      g_info (_("Resumed from %s"), latest);
    }
  return TRUE;
}

static gboolean
fit_checkpoint_handler_train_end (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  FitStopReason     reason,
                                  GError          **error)
{
  FIT_CHECKPOINT_HANDLER (handler)->restored = FALSE;
  return TRUE;
}

static gboolean
fit_checkpoint_handler_batch_end (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  GError          **error)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (handler);
  guint64 done = fit_estimator_get_global_step (estimator) + 1;

  if (self->every_n_batches == 0 || self->save_best_only || done % self->every_n_batches != 0)
    return TRUE;
  return save_periodic (self, estimator, fit_estimator_get_epoch (estimator), done, error);
}

static gboolean
fit_checkpoint_handler_epoch_end (FitEventHandler  *handler,
                                  FitEstimator     *estimator,
                                  GError          **error)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (handler);
  guint epoch = fit_estimator_get_epoch (estimator);
  gboolean improved = FALSE;
  double current;

  if (self->every_n_epochs == 0 || (epoch + 1) % self->every_n_epochs != 0)
    return TRUE;
  if (self->monitor.name != NULL && fit_monitor_read (&self->monitor, estimator, &current) &&
      fit_monitor_improves (&self->monitor, current, self->best))
    {
      improved = TRUE;
      self->best = current;
    }
  /* Between batches the global step counts the batches done. */
  if (!self->save_best_only &&
      !save_periodic (self, estimator, epoch, fit_estimator_get_global_step (estimator), error))
    return FALSE;
  if (improved)
    {
      g_autofree char *name = best_name (self);

      return save_to (self, estimator, name, error);
    }
  return TRUE;
}

static void
fit_checkpoint_handler_save_state (FitEventHandler *handler,
                                   FitSafetensors  *into,
                                   const char      *prefix)
{
  fit_state_set_double (into, prefix, "best", FIT_CHECKPOINT_HANDLER (handler)->best);
}

static gboolean
read_best (FitCheckpointHandler  *self,
           FitSafetensors        *from,
           const char            *prefix,
           double                *best,
           GError               **error)
{
  *best = self->best;
  return fit_state_read_double (from, prefix, "best", -INFINITY, INFINITY, TRUE, best, error);
}

static gboolean
fit_checkpoint_handler_check_state (FitEventHandler  *handler,
                                    FitEstimator     *estimator,
                                    FitSafetensors   *from,
                                    const char       *prefix,
                                    GError          **error)
{
  double best;

  return read_best (FIT_CHECKPOINT_HANDLER (handler), from, prefix, &best, error);
}

static gboolean
fit_checkpoint_handler_load_state (FitEventHandler  *handler,
                                   FitSafetensors   *from,
                                   const char       *prefix,
                                   GError          **error)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (handler);
  double best;

  if (!read_best (self, from, prefix, &best, error))
    return FALSE;
  self->best = best;
  self->restored = TRUE;
  return TRUE;
}

static void
fit_checkpoint_handler_finalize (GObject *object)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (object);

  g_free (self->directory);
  g_free (self->prefix);
  fit_monitor_clear (&self->monitor);
  G_OBJECT_CLASS (fit_checkpoint_handler_parent_class)->finalize (object);
}

static void
fit_checkpoint_handler_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_PREFIX:
      g_value_set_string (value, self->prefix);
      break;
    case PROP_MONITOR:
      g_value_set_string (value, self->monitor.name);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->monitor.mode);
      break;
    case PROP_SAVE_BEST_ONLY:
      g_value_set_boolean (value, self->save_best_only);
      break;
    case PROP_EVERY_N_EPOCHS:
      g_value_set_uint (value, self->every_n_epochs);
      break;
    case PROP_EVERY_N_BATCHES:
      g_value_set_uint64 (value, self->every_n_batches);
      break;
    case PROP_MAX_TO_KEEP:
      g_value_set_uint (value, self->max_to_keep);
      break;
    case PROP_RESUME:
      g_value_set_boolean (value, self->resume);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_checkpoint_handler_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  FitCheckpointHandler *self = FIT_CHECKPOINT_HANDLER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_free (self->directory);
      self->directory = g_value_dup_string (value);
      if (self->directory == NULL)
        self->directory = g_strdup (".");
      break;
    case PROP_PREFIX:
      g_free (self->prefix);
      self->prefix = g_value_dup_string (value);
      if (self->prefix == NULL)
        self->prefix = g_strdup ("checkpoint");
      break;
    case PROP_MONITOR:
      g_free (self->monitor.name);
      self->monitor.name = g_value_dup_string (value);
      break;
    case PROP_MODE:
      self->monitor.mode = g_value_get_enum (value);
      break;
    case PROP_SAVE_BEST_ONLY:
      self->save_best_only = g_value_get_boolean (value);
      break;
    case PROP_EVERY_N_EPOCHS:
      self->every_n_epochs = g_value_get_uint (value);
      break;
    case PROP_EVERY_N_BATCHES:
      self->every_n_batches = g_value_get_uint64 (value);
      break;
    case PROP_MAX_TO_KEEP:
      self->max_to_keep = g_value_get_uint (value);
      break;
    case PROP_RESUME:
      self->resume = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
fit_checkpoint_handler_class_init (FitCheckpointHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = fit_checkpoint_handler_finalize;
  object_class->get_property = fit_checkpoint_handler_get_property;
  object_class->set_property = fit_checkpoint_handler_set_property;
  handler_class->train_begin = fit_checkpoint_handler_train_begin;
  handler_class->batch_end = fit_checkpoint_handler_batch_end;
  handler_class->epoch_end = fit_checkpoint_handler_epoch_end;
  handler_class->train_end = fit_checkpoint_handler_train_end;
  handler_class->save_state = fit_checkpoint_handler_save_state;
  handler_class->load_state = fit_checkpoint_handler_load_state;
  fit_event_handler_class_set_check_state (handler_class, fit_checkpoint_handler_check_state);

  /**
   * FitCheckpointHandler:directory:
   *
   * Where checkpoints are written; created when missing.
   *
   * Since: 1.0
   */
  properties[PROP_DIRECTORY] = g_param_spec_string ("directory", NULL, NULL, ".", flags);
  /**
   * FitCheckpointHandler:prefix:
   *
   * The start of every checkpoint's file name.
   *
   * Since: 1.0
   */
  properties[PROP_PREFIX] = g_param_spec_string ("prefix", NULL, NULL, "checkpoint", flags);
  /**
   * FitCheckpointHandler:monitor:
   *
   * The reported name of the metric that decides the best checkpoint; %NULL for none.
   *
   * Since: 1.0
   */
  properties[PROP_MONITOR] = g_param_spec_string ("monitor", NULL, NULL, NULL, flags);
  /**
   * FitCheckpointHandler:mode:
   *
   * Whether smaller or larger values of the monitor are better; %FIT_MONITOR_MODE_AUTO
   * asks the metric.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, FIT_TYPE_MONITOR_MODE,
                                             FIT_MONITOR_MODE_AUTO, flags);
  /**
   * FitCheckpointHandler:save-best-only:
   *
   * Whether only the best checkpoint is written.
   *
   * Since: 1.0
   */
  properties[PROP_SAVE_BEST_ONLY] = g_param_spec_boolean ("save-best-only", NULL, NULL, FALSE,
                                                          flags);
  /**
   * FitCheckpointHandler:every-n-epochs:
   *
   * Save after every this many epochs; 0 for never at epoch ends.
   *
   * Since: 1.0
   */
  properties[PROP_EVERY_N_EPOCHS] = g_param_spec_uint ("every-n-epochs", NULL, NULL, 0,
                                                       G_MAXUINT, 1, flags);
  /**
   * FitCheckpointHandler:every-n-batches:
   *
   * Save after every this many training batches; 0 for never within epochs.
   *
   * Since: 1.0
   */
  properties[PROP_EVERY_N_BATCHES] = g_param_spec_uint64 ("every-n-batches", NULL, NULL, 0,
                                                          G_MAXUINT64, 0, flags);
  /**
   * FitCheckpointHandler:max-to-keep:
   *
   * How many periodic checkpoints to keep; 0 keeps all.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_TO_KEEP] = g_param_spec_uint ("max-to-keep", NULL, NULL, 0, G_MAXUINT, 0,
                                                    flags);
  /**
   * FitCheckpointHandler:resume:
   *
   * Whether `train-begin` resumes from the latest checkpoint in the directory.
   *
   * Since: 1.0
   */
  properties[PROP_RESUME] = g_param_spec_boolean ("resume", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_checkpoint_handler_init (FitCheckpointHandler *self)
{
  self->best = NAN;
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_CHECKPOINT);
}

/**
 * fit_checkpoint_handler_new:
 * @directory: where checkpoints go
 * @prefix: (nullable): the start of their file names; %NULL for `checkpoint`
 *
 * Creates a handler that saves a checkpoint after every epoch; set its properties for
 * other intervals, a best checkpoint, a limit on their number or resuming.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_checkpoint_handler_new (const char *directory,
                            const char *prefix)
{
  g_return_val_if_fail (directory != NULL, NULL);
  return g_object_new (FIT_TYPE_CHECKPOINT_HANDLER, "directory", directory, "prefix", prefix,
                       NULL);
}

/**
 * fit_checkpoint_handler_get_best_path:
 * @self: a handler
 *
 * Gets the path of the best checkpoint, %NULL when there is none (yet).
 *
 * Returns: (transfer full) (nullable): the path of the best checkpoint, %NULL when there is
 *   none (yet)
 *
 * Since: 1.0
 */
char *
fit_checkpoint_handler_get_best_path (FitCheckpointHandler *self)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FIT_IS_CHECKPOINT_HANDLER (self), NULL);

  name = best_name (self);
  path = g_build_filename (self->directory, name, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

/**
 * fit_checkpoint_handler_get_latest_path:
 * @self: a handler
 *
 * Gets the path of the periodic checkpoint with the most batches done, %NULL
 * when there is none.
 *
 * Returns: (transfer full) (nullable): the path of the periodic checkpoint with the most
 *   batches done, %NULL when there is none
 *
 * Since: 1.0
 */
char *
fit_checkpoint_handler_get_latest_path (FitCheckpointHandler *self)
{
  g_autoptr(GPtrArray) files = NULL;

  g_return_val_if_fail (FIT_IS_CHECKPOINT_HANDLER (self), NULL);

  files = list_periodic (self);
  if (files->len == 0)
    return NULL;
  return g_build_filename (self->directory, (char *) g_ptr_array_index (files, files->len - 1),
                           NULL);
}

/**
 * fit_checkpoint_handler_list_checkpoints:
 * @self: a handler
 *
 * Gets the paths of the periodic checkpoints in the directory, oldest
 * first.
 *
 * Returns: (transfer full): the paths of the periodic checkpoints in the directory, oldest
 *   first
 *
 * Since: 1.0
 */
char **
fit_checkpoint_handler_list_checkpoints (FitCheckpointHandler *self)
{
  g_autoptr(GPtrArray) files = NULL;
  char **paths;

  g_return_val_if_fail (FIT_IS_CHECKPOINT_HANDLER (self), NULL);

  files = list_periodic (self);
  paths = g_new0 (char *, files->len + 1);
  for (guint i = 0; i < files->len; i++)
    paths[i] = g_build_filename (self->directory, (char *) g_ptr_array_index (files, i), NULL);
  return paths;
}
