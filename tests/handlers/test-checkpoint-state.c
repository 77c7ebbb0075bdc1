/* test-checkpoint-state.c: checkpoints against hostile files, killed saves and full disks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A checkpoint is a file: every value in it is checked before any of it is used, a load
 * that fails changes nothing, a save that is killed leaves a temporary file that the
 * next save or resume of the same prefix removes, and a save that runs out of space
 * fails with an error and leaves the previous checkpoint as it was.
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../train/fit-train-testing.h"

#define ES "handler.FitEarlyStoppingHandler.0."
#define PLATEAU "handler.FitReduceLrOnPlateauHandler.0."
#define SCHED "handler.FitLrSchedulerHandler.0."
#define CKPT "handler.FitCheckpointHandler.0."
#define HISTORY "handler.FitHistoryHandler.0."

/* ---- a handler of a program's own, with a value of state and no check ---- */

typedef struct
{
  FitEventHandler parent_instance;
  char *value;
} Keeper;
typedef FitEventHandlerClass KeeperClass;
GType keeper_get_type (void);
G_DEFINE_TYPE (Keeper, keeper, FIT_TYPE_EVENT_HANDLER)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Keeper, g_object_unref)

static void
keeper_save_state (FitEventHandler *handler,
                   FitSafetensors  *into,
                   const char      *prefix)
{
  g_autofree char *key = g_strconcat (prefix, "value", NULL);

  fit_safetensors_set_metadata (into, key, ((Keeper *) handler)->value);
}

/* Takes any value but "bad", checking before it changes anything. */
static gboolean
keeper_load_state (FitEventHandler  *handler,
                   FitSafetensors   *from,
                   const char       *prefix,
                   GError          **error)
{
  g_autofree char *key = g_strconcat (prefix, "value", NULL);
  const char *value = fit_safetensors_get_metadata (from, key);

  if (value == NULL)
    return TRUE;
  if (g_str_equal (value, "bad"))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE, "%s is bad", key);
      return FALSE;
    }
  g_free (((Keeper *) handler)->value);
  ((Keeper *) handler)->value = g_strdup (value);
  return TRUE;
}

static void
keeper_finalize (GObject *object)
{
  g_free (((Keeper *) object)->value);
  G_OBJECT_CLASS (keeper_parent_class)->finalize (object);
}

static void
keeper_class_init (KeeperClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = keeper_finalize;
  klass->save_state = keeper_save_state;
  klass->load_state = keeper_load_state;
}

static void
keeper_init (Keeper *self)
{
  self->value = g_strdup ("initial");
}

static FitDataLoader *
train_loader (void)
{
  FitDataLoader *loader = fit_test_classification_loader (28, 7, 7);

  fit_data_loader_set_shuffle (loader, TRUE);
  fit_data_loader_set_seed (loader, 3);
  return loader;
}

/* Everything the estimator would write to a checkpoint, as bytes: equal bytes, equal
 * network, optimizer, generator, position and handlers. */
static GBytes *
state_bytes (FitEstimator *est)
{
  g_autoptr(FitSafetensors) state = fit_estimator_save_state (est);

  return fit_safetensors_to_bytes (state);
}

/* A real checkpoint: the rig trained 2 epochs with validation, read back from its file. */
static FitSafetensors *
real_checkpoint (const char *dir)
{
  g_auto(FitTestRig) rig = { 0 };
  g_autoptr(FitDataLoader) train = train_loader ();
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (12, 6, 8);
  g_autoptr(GError) error = NULL;
  g_autofree char *latest = NULL;
  FitSafetensors *state;

  fit_test_rig_init (&rig, 1, 6, dir);
  g_assert_true (fit_estimator_fit (rig.est, train, val, 2, NULL, &error));
  g_assert_no_error (error);
  latest = fit_checkpoint_handler_get_latest_path (FIT_CHECKPOINT_HANDLER (rig.checkpoint));
  g_assert_nonnull (latest);
  state = fit_safetensors_new_from_file (latest, NULL, &error);
  g_assert_no_error (error);
  return state;
}

/* A copy of @state whose tensors are copies too. */
static FitSafetensors *
copy_state (FitSafetensors *state)
{
  FitSafetensors *copy = fit_safetensors_new ();
  g_auto(GStrv) names = fit_safetensors_get_names (state);
  g_auto(GStrv) keys = fit_safetensors_get_metadata_keys (state);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(FitTensor) t = fit_tensor_clone (fit_safetensors_get (state, names[i]));

      fit_safetensors_add (copy, names[i], t);
    }
  for (guint i = 0; keys[i] != NULL; i++)
    fit_safetensors_set_metadata (copy, keys[i], fit_safetensors_get_metadata (state, keys[i]));
  return copy;
}

/* A copy of @state whose float tensor @name has @value as its element 0. */
static FitSafetensors *
with_element (FitSafetensors *state,
              const char     *name,
              double          value)
{
  FitSafetensors *copy = copy_state (state);
  FitTensor *t = fit_safetensors_get (copy, name);

  g_assert_nonnull (t);
  if (fit_tensor_get_dtype (t) == FIT_DTYPE_FLOAT64)
    ((double *) fit_tensor_get_data_mutable (t))[0] = value;
  else
    ((float *) fit_tensor_get_data_mutable (t))[0] = (float) value;
  return copy;
}

/* The same for an int64 tensor. */
static FitSafetensors *
with_int64 (FitSafetensors *state,
            const char     *name,
            gint64          value)
{
  FitSafetensors *copy = copy_state (state);
  FitTensor *t = fit_safetensors_get (copy, name);

  g_assert_nonnull (t);
  g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_INT64);
  ((gint64 *) fit_tensor_get_data_mutable (t))[0] = value;
  return copy;
}

static FitSafetensors *
with_metadata (FitSafetensors *state,
               const char     *key,
               const char     *value)
{
  FitSafetensors *copy = copy_state (state);

  g_assert_nonnull (fit_safetensors_get_metadata (state, key));
  fit_safetensors_set_metadata (copy, key, value);
  return copy;
}

/* @bad fails to load into a trained rig with @code, naming @key, and changes nothing. */
static void
assert_refused (FitTestRig     *rig,
                FitSafetensors *bad,
                GQuark          domain,
                int             code,
                const char     *key)
{
  g_autoptr(GBytes) before = state_bytes (rig->est);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (fit_estimator_load_state (rig->est, bad, &error));
  g_assert_error (error, domain, code);
  g_test_message ("%s: %s", key, error->message);
  if (strstr (error->message, key) == NULL)
    g_error ("“%s” does not name “%s”", error->message, key);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (const char *c = error->message; *c != '\0'; c++)
    g_assert_cmpint ((guchar) *c, >=, 0x20);
  after = state_bytes (rig->est);
  g_assert_true (g_bytes_equal (before, after));
}

/* The base64 text of a generator state of seven words. */
static char *
rng_text (guint64 w0, guint64 s, guint64 spare)
{
  guint64 words[7] = { GUINT64_TO_LE (w0), 0, s, s, s, s, spare };

  return g_base64_encode ((const guchar *) words, sizeof words);
}

/* Every value of the estimator's counters and generator, the optimizer's state and
 * hyper-parameters and every built-in handler's state is checked before anything is
 * applied: a load that fails leaves the whole estimator as it was. */
static void
test_hostile_values (void)
{
  static const struct
  {
    const char *key;
    const char *value;
  } metadata[] = {
    { "fit.epoch", "-1" },
    { "fit.epoch", "4294967296" },
    { "fit.epoch", "1.5" },
    { "fit.epoch", "" },
    { "fit.batch", "-3" },
    { "fit.global_step", "18446744073709551615" },
    { "fit.global_step", "nan" },
    { "fit.rng", "!!!not base64" },
    { "fit.rng", "AAAAAAAAAAA=" },
    { ES "wait", "nan" },
    { ES "wait", "inf" },
    { ES "wait", "-1" },
    { ES "wait", "1e300" },
    { ES "wait", "4294967296" },
    { ES "wait", "2.5" },
    { ES "best_epoch", "-2" },
    { ES "best_epoch", "2147483648" },
    { ES "best", "abc" },
    { ES "best", " 1" },
    { PLATEAU "wait", "nan" },
    { PLATEAU "wait", "-inf" },
    { PLATEAU "cooldown_counter", "-1" },
    { PLATEAU "cooldown_counter", "1e10" },
    { PLATEAU "best", "1x" },
    { SCHED "base_lr", "-1" },
    { SCHED "base_lr", "inf" },
    { SCHED "base_lr", "nan" },
    { CKPT "best", "zz" },
    { HISTORY "history", "[{\"epoch\": -5, \"values\": {}}]" },
    { HISTORY "history", "[{\"epoch\": 0, \"time\": -1}]" },
    { HISTORY "history", "[{\"epoch\": 99999999999}]" },
    { HISTORY "history", "not json" },
  };
  static const struct
  {
    const char *name;
    double      value;
  } elements[] = {
    { "optimizer.group.0.learning-rate", -1 },
    { "optimizer.group.0.learning-rate", INFINITY },
    { "optimizer.group.0.learning-rate", NAN },
    { "optimizer.group.0.weight-decay", -0.5 },
    { "optimizer.group.0.beta2", -0.5 },
    { "optimizer.group.0.epsilon", NAN },
    { "optimizer.param.0.exp_avg", NAN },
    { "optimizer.param.1.exp_avg", INFINITY },
    { "optimizer.param.0.exp_avg_sq", -1 },
  };
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autofree char *other = fit_test_make_tmpdir ();
  g_autoptr(FitSafetensors) good = real_checkpoint (dir);
  g_autoptr(FitDataLoader) train = fit_test_classification_loader (20, 5, 9);
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (10, 5, 10);
  g_auto(FitTestRig) rig = { 0 };
  g_autoptr(GError) error = NULL;

  /* A rig with a history and state of its own, so that "unchanged" means something. */
  fit_test_rig_init (&rig, 5, 6, other);
  g_assert_true (fit_estimator_fit (rig.est, train, val, 1, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (metadata); i++)
    {
      g_autoptr(FitSafetensors) bad = with_metadata (good, metadata[i].key, metadata[i].value);

      assert_refused (&rig, bad, FIT_ERROR, FIT_ERROR_PARSE, metadata[i].key);
    }
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      g_autoptr(FitSafetensors) bad = with_element (good, elements[i].name, elements[i].value);

      assert_refused (&rig, bad, FIT_ERROR, FIT_ERROR_PARSE, elements[i].name);
    }
  /* A step count below 0, or one the next step would overflow. */
  {
    g_autoptr(FitSafetensors) a = with_int64 (good, "optimizer.param.0.step", -1);
    g_autoptr(FitSafetensors) b = with_int64 (good, "optimizer.param.3.step", G_MAXINT64);

    assert_refused (&rig, a, FIT_ERROR, FIT_ERROR_PARSE, "optimizer.param.0.step");
    assert_refused (&rig, b, FIT_ERROR, FIT_ERROR_PARSE, "optimizer.param.3.step");
  }

  /* A generator state that is all zeros, or whose spare deviate is not finite. */
  {
    guint64 nan_bits;
    double nan = NAN;
    g_autofree char *zeros = rng_text (G_GUINT64_CONSTANT (0x46495452004e4701), 0,
                                       G_MAXUINT64);
    g_autofree char *spare = NULL;
    g_autoptr(FitSafetensors) a = with_metadata (good, "fit.rng", zeros);
    g_autoptr(FitSafetensors) b = NULL;

    memcpy (&nan_bits, &nan, sizeof nan_bits);
    spare = rng_text (G_GUINT64_CONSTANT (0x46495452004e4701), 1, GUINT64_TO_LE (nan_bits));
    b = with_metadata (good, "fit.rng", spare);
    assert_refused (&rig, a, FIT_ERROR, FIT_ERROR_PARSE, "fit.rng");
    assert_refused (&rig, b, FIT_ERROR, FIT_ERROR_PARSE, "fit.rng");
  }

  /* Weights that do not fit the network, in the model or in the best weights. */
  {
    gint64 shape[2] = { 2, 2 };
    g_autoptr(FitTensor) odd = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 2);
    g_autoptr(FitSafetensors) a = copy_state (good);
    g_autoptr(FitSafetensors) b = copy_state (good);
    g_autoptr(FitSafetensors) c = copy_state (good);

    fit_safetensors_add (a, "model.0.weight", odd);
    fit_safetensors_add (b, ES "best_weights.0.weight", odd);
    fit_safetensors_add (c, ES "best_weights.extra", odd);
    assert_refused (&rig, a, FIT_ERROR, FIT_ERROR_MISMATCH, "0.weight");
    assert_refused (&rig, b, FIT_ERROR, FIT_ERROR_MISMATCH, ES "best_weights.");
    assert_refused (&rig, c, FIT_ERROR, FIT_ERROR_MISMATCH, "extra");
  }

  /* A name with control characters is quoted, escaped, in the message. */
  {
    g_autoptr(FitSafetensors) bad = with_metadata (good, "fit.format", "evil\033[2J\n");

    assert_refused (&rig, bad, FIT_ERROR, FIT_ERROR_PARSE, "evil\\u001b[2J\\n");
  }

  /* The good checkpoint loads, and then the rig's state is the checkpoint's. */
  g_assert_true (fit_estimator_load_state (rig.est, good, &error));
  g_assert_no_error (error);
  {
    g_autoptr(FitSafetensors) again = fit_estimator_save_state (rig.est);

    g_assert_cmpstr (fit_safetensors_get_metadata (again, ES "wait"), ==,
                     fit_safetensors_get_metadata (good, ES "wait"));
    g_assert_cmpstr (fit_safetensors_get_metadata (again, "fit.rng"), ==,
                     fit_safetensors_get_metadata (good, "fit.rng"));
    g_assert_true (fit_tensor_allclose (fit_safetensors_get (again, "optimizer.param.0.exp_avg_sq"),
                                        fit_safetensors_get (good, "optimizer.param.0.exp_avg_sq"),
                                        0, 0));
  }
  fit_test_remove_dir (dir);
  fit_test_remove_dir (other);
}

/* Loading into a handler directly checks the same and changes nothing either. */
static void
test_handler_load_state (void)
{
  g_autoptr(FitEventHandler) es = fit_early_stopping_handler_new (NULL, 0, 2);
  g_autoptr(FitEventHandler) plateau = fit_reduce_lr_on_plateau_handler_new (NULL, 0.5, 2);
  g_autoptr(FitLrSchedule) schedule = fit_step_lr_new (2, 0.5);
  g_autoptr(FitEventHandler) sched = fit_lr_scheduler_handler_new (schedule, FALSE);
  FitEventHandler *handlers[] = { es, plateau, sched };
  const char *keys[] = { "wait", "cooldown_counter", "base_lr" };

  g_object_set (sched, "base-lr", 0.25, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      g_autoptr(FitSafetensors) bad = fit_safetensors_new ();
      g_autoptr(FitSafetensors) before = fit_safetensors_new ();
      g_autoptr(FitSafetensors) after = fit_safetensors_new ();
      g_autoptr(GBytes) a = NULL;
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strconcat ("h.", keys[i], NULL);

      fit_safetensors_set_metadata (bad, "h.best", "1.5");
      fit_safetensors_set_metadata (bad, key, "-1");
      fit_event_handler_save_state (handlers[i], before, "h.");
      g_assert_false (fit_event_handler_load_state (handlers[i], bad, "h.", &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, key));
      fit_event_handler_save_state (handlers[i], after, "h.");
      a = fit_safetensors_to_bytes (before);
      b = fit_safetensors_to_bytes (after);
      g_assert_true (g_bytes_equal (a, b));
    }
}

/* A program's handler has no check: such handlers load first, and when one fails, those
 * loaded before it get their state back, and nothing built-in is touched. */
static void
test_unchecked_handler_rollback (void)
{
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autoptr(FitSafetensors) good = real_checkpoint (dir);
  g_autoptr(Keeper) first = g_object_new (keeper_get_type (), NULL);
  g_autoptr(Keeper) second = g_object_new (keeper_get_type (), NULL);
  g_autoptr(FitSafetensors) bad = with_metadata (good, "fit.epoch", "1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_auto(FitTestRig) rig = { 0 };

  fit_test_rig_init (&rig, 5, 6, dir);
  g_assert_true (fit_estimator_add_handler (rig.est, FIT_EVENT_HANDLER (first), &error));
  g_assert_true (fit_estimator_add_handler (rig.est, FIT_EVENT_HANDLER (second), &error));
  fit_safetensors_set_metadata (bad, "handler.Keeper.0.value", "new");
  fit_safetensors_set_metadata (bad, "handler.Keeper.1.value", "bad");
  before = state_bytes (rig.est);
  g_assert_false (fit_estimator_load_state (rig.est, bad, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  g_assert_cmpstr (first->value, ==, "initial");
  g_assert_cmpstr (second->value, ==, "initial");
  after = state_bytes (rig.est);
  g_assert_true (g_bytes_equal (before, after));
  g_clear_error (&error);

  fit_safetensors_set_metadata (bad, "handler.Keeper.1.value", "newer");
  g_assert_true (fit_estimator_load_state (rig.est, bad, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (first->value, ==, "new");
  g_assert_cmpstr (second->value, ==, "newer");
  fit_test_remove_dir (dir);
}

/* Resuming from a hostile latest checkpoint fails the fit with an error that names the
 * file and the key, before any batch, with the network as it was. */
static void
test_resume_refused (void)
{
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autofree char *fresh = fit_test_make_tmpdir ();
  g_autoptr(FitSafetensors) good = real_checkpoint (dir);
  g_autoptr(FitSafetensors) bad = with_element (good, "optimizer.group.0.learning-rate", -1);
  g_autoptr(FitDataLoader) train = train_loader ();
  g_autofree char *path = g_build_filename (fresh, "run-epoch0009-step0000000099.safetensors",
                                            NULL);
  g_autoptr(GArray) params = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(FitTestRig) rig = { 0 };

  g_assert_true (fit_safetensors_save (bad, path, NULL, &error));
  fit_test_rig_init (&rig, 5, 6, fresh);
  g_object_set (rig.checkpoint, "resume", TRUE, NULL);
  params = fit_test_params (rig.est);
  g_assert_false (fit_estimator_fit (rig.est, train, NULL, 3, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "optimizer.group.0.learning-rate"));
  after = fit_test_params (rig.est);
  g_assert_true (fit_test_params_equal (params, after));
  g_assert_cmpfloat (fit_optimizer_get_learning_rate (fit_estimator_get_optimizer (rig.est)),
                     ==, 0.01);
  fit_test_remove_dir (dir);
  fit_test_remove_dir (fresh);
}

/* ---- what killed saves leave behind ---- */

static void
touch (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "torn", 4, NULL));
}

static gboolean
exists (const char *dir,
        const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The next save and the next resume of a prefix remove the temporary files of its killed
 * saves (".NAME.XXXXXX" for its periodic and best checkpoints), and only those: not
 * another prefix's, not other names, not a folder, not one a save still writes. */
static void
test_stale_temporaries (void)
{
  static const char *const stale[] = {
    ".run-epoch0000-step0000000007.safetensors.AbC123",
    ".run-epoch0003-step0000000028.safetensors.zzzzzz",
    ".run-best.safetensors.Q1w2E3",
  };
  static const char *const kept[] = {
    ".other-epoch0000-step0000000007.safetensors.AbC123",   /* another prefix */
    ".run-epoch0000-step0000000007.safetensors.AbC12",      /* not 6 random characters */
    ".run-epoch0000-step0000000007.safetensors.AbC12!",
    "run-epoch0000-step0000000007.safetensors.AbC123",      /* no leading dot */
    ".run-notes.txt.AbC123",                                /* not a checkpoint's name */
    ".run-epochX-step1.safetensors.AbC123",
    "notes.txt",
  };
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autofree char *locked_path = g_build_filename (dir, ".run-epoch0001-step0000000014"
                                                   ".safetensors.Lock01", NULL);
  g_autofree char *folder = g_build_filename (dir, ".run-best.safetensors.Dir123", NULL);
  g_autoptr(FitDataLoader) train = train_loader ();
  g_autoptr(GError) error = NULL;
  g_auto(FitTestRig) rig = { 0 };
  int locked;

  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    touch (dir, stale[i]);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    touch (dir, kept[i]);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  /* A save in progress (of another process) holds a lock on its temporary file. */
  locked = open (locked_path, O_RDWR | O_CREAT, 0600);
  g_assert_cmpint (locked, >=, 0);
  g_assert_cmpint (flock (locked, LOCK_EX), ==, 0);

  /* A resume that saves nothing cleans up too. */
  fit_test_rig_init (&rig, 1, 6, dir);
  g_object_set (rig.checkpoint, "resume", TRUE, "every-n-epochs", 0, NULL);
  g_assert_true (fit_estimator_fit (rig.est, train, NULL, 1, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    g_assert_false (exists (dir, stale[i]));
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    g_assert_true (exists (dir, kept[i]));
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (locked_path, G_FILE_TEST_EXISTS));

  /* And so does the next save, without resume. */
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    touch (dir, stale[i]);
  g_object_set (rig.checkpoint, "resume", FALSE, "every-n-epochs", 1, "max-to-keep", 1, NULL);
  g_assert_true (fit_estimator_fit (rig.est, train, NULL, 2, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    g_assert_false (exists (dir, stale[i]));
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    g_assert_true (exists (dir, kept[i]));
  g_assert_true (g_file_test (locked_path, G_FILE_TEST_EXISTS));

  /* Once its writer is gone (closed, or dead), the file is stale. */
  close (locked);
  g_assert_true (fit_estimator_fit (rig.est, train, NULL, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (locked_path, G_FILE_TEST_EXISTS));
  fit_test_remove_dir (dir);
}

/* Periodic checkpoints are the names the handler writes, exactly: no sign, space, extra
 * digit or number out of range (which a scanf let through, so max-to-keep could delete
 * such a file), and they sort by the number of batches done, also past 9999 epochs. */
static void
test_periodic_names (void)
{
  static const char *const foreign[] = {
    "run-epoch-1-step0000000001.safetensors",
    "run-epoch 001-step0000000002.safetensors",
    "run-epoch0001-step+000000003.safetensors",
    "run-epoch0001-step99999999999999999999.safetensors",
    "run-epoch4294967296-step0000000003.safetensors",
    "run-epoch01-step0000000003.safetensors",
    "run-epoch0001-step0000000003.safetensors.bak",
  };
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autoptr(FitDataLoader) train = train_loader ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;
  g_auto(FitTestRig) rig = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (foreign); i++)
    touch (dir, foreign[i]);
  touch (dir, "run-epoch9999-step9999999999.safetensors");
  touch (dir, "run-epoch10000-step10000000000.safetensors");
  fit_test_rig_init (&rig, 1, 6, dir);
  listed = fit_checkpoint_handler_list_checkpoints (FIT_CHECKPOINT_HANDLER (rig.checkpoint));
  g_assert_cmpuint (g_strv_length (listed), ==, 2);
  g_assert_true (g_str_has_suffix (listed[0], "run-epoch9999-step9999999999.safetensors"));
  g_assert_true (g_str_has_suffix (listed[1], "run-epoch10000-step10000000000.safetensors"));

  /* Keeping one checkpoint deletes the others of the handler's, and only those. */
  g_object_set (rig.checkpoint, "max-to-keep", 1, NULL);
  g_assert_true (fit_estimator_fit (rig.est, train, NULL, 1, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&listed, g_strfreev);
  listed = fit_checkpoint_handler_list_checkpoints (FIT_CHECKPOINT_HANDLER (rig.checkpoint));
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_assert_true (g_str_has_suffix (listed[0], "run-epoch10000-step10000000000.safetensors"));
  for (guint i = 0; i < G_N_ELEMENTS (foreign); i++)
    g_assert_true (exists (dir, foreign[i]));
  fit_test_remove_dir (dir);
}

/* A checkpoint may resume at the last epoch an int counts; the fit then stops there with
 * an error rather than count past it. */
static void
test_epoch_limit (void)
{
  g_autofree char *dir = fit_test_make_tmpdir ();
  g_autoptr(FitSafetensors) good = real_checkpoint (dir);
  g_autoptr(FitSafetensors) last = with_metadata (good, "fit.epoch", "2147483647");
  g_autoptr(FitDataLoader) train = train_loader ();
  g_autoptr(GError) error = NULL;
  g_auto(FitTestRig) rig = { 0 };

  fit_safetensors_set_metadata (last, "fit.global_step", "0");
  fit_safetensors_set_metadata (last, "fit.batch", "0");
  fit_test_rig_init (&rig, 1, 6, dir);
  g_object_set (rig.checkpoint, "every-n-epochs", 0, NULL);
  g_assert_true (fit_estimator_load_state (rig.est, last, &error));
  g_assert_no_error (error);
  g_assert_false (fit_estimator_fit_full (rig.est, train, NULL, 0, 10, NULL, 0, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fit_estimator_get_history (rig.est))),
                    >, 0);
  fit_test_remove_dir (dir);
}

/* ---- kills and full disks, in a child process ---- */

#define KILL_DIR_ENV "FIT_TEST_CHECKPOINT_DIR"

/* Runs after the checkpoint handler at epoch-end: from then on no file may grow past 1
 * KiB, so the next checkpoint save dies of SIGXFSZ half written, as a kill would end it
 * (or, with SIGXFSZ ignored, fails with EFBIG, as on a full disk). */
typedef struct
{
  FitEventHandler parent_instance;
} Limiter;
typedef FitEventHandlerClass LimiterClass;
GType limiter_get_type (void);
G_DEFINE_TYPE (Limiter, limiter, FIT_TYPE_EVENT_HANDLER)

static gboolean
limiter_epoch_end (FitEventHandler  *handler,
                   FitEstimator     *est,
                   GError          **error)
{
  struct rlimit limit = { 1024, 1024 };

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  return TRUE;
}

static void
limiter_class_init (LimiterClass *klass)
{
  klass->epoch_end = limiter_epoch_end;
}

static void
limiter_init (Limiter *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_CHECKPOINT + 1);
}

/* In the child: trains, saving after each epoch, until the second save hits the limit. */
static void
run_limited_fit (gboolean full_disk)
{
  const char *dir = g_getenv (KILL_DIR_ENV);
  struct rlimit no_core = { 0, 0 };
  g_autoptr(FitDataLoader) train = train_loader ();
  g_autoptr(FitDataLoader) val = fit_test_classification_loader (12, 6, 8);
  g_autoptr(FitEventHandler) limiter = g_object_new (limiter_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  g_auto(FitTestRig) rig = { 0 };

  setrlimit (RLIMIT_CORE, &no_core);
  if (full_disk)
    signal (SIGXFSZ, SIG_IGN);
  fit_test_rig_init (&rig, 1, 6, dir);
  g_assert_true (fit_estimator_add_handler (rig.est, limiter, &error));
  g_assert_false (fit_estimator_fit (rig.est, train, val, 4, NULL, &error));
  /* Reached only on a full disk: the save failed cleanly. */
  g_assert_error (error, FIT_ERROR, FIT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "run-epoch0001-step0000000008.safetensors"));
  exit (0);
}

static guint
count_temporaries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] == '.')
      n++;
  return n;
}

/* A save killed half-way: the checkpoint before it is whole, the temporary file is left,
 * and the resume removes it and ends exactly as a run never interrupted. */
static void
test_killed_save (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *reference_dir = NULL;
  g_autoptr(FitDataLoader) train = NULL;
  g_autoptr(FitDataLoader) val = NULL;
  g_autoptr(FitSafetensors) first = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) actual = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(FitTestRig) reference = { 0 };
  g_auto(FitTestRig) resumed = { 0 };
  g_autofree char *path = NULL;

  if (g_test_subprocess ())
    {
      run_limited_fit (FALSE);
      return;
    }
  dir = fit_test_make_tmpdir ();
  g_setenv (KILL_DIR_ENV, dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  /* The first checkpoint is whole and loads; the second is a temporary file. */
  path = g_build_filename (dir, "run-epoch0000-step0000000004.safetensors", NULL);
  first = fit_safetensors_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (exists (dir, "run-epoch0001-step0000000008.safetensors"));
  g_assert_cmpuint (count_temporaries (dir), ==, 1);

  /* The resumed run cleans up and ends where an uninterrupted one does. */
  train = train_loader ();
  val = fit_test_classification_loader (12, 6, 8);
  reference_dir = fit_test_make_tmpdir ();
  fit_test_rig_init (&reference, 1, 6, reference_dir);
  g_assert_true (fit_estimator_fit (reference.est, train, val, 4, NULL, &error));
  g_assert_no_error (error);
  expected = fit_test_params (reference.est);
  fit_test_rig_init (&resumed, 77, 6, dir);
  g_object_set (resumed.checkpoint, "resume", TRUE, NULL);
  g_assert_true (fit_estimator_fit (resumed.est, train, val, 4, NULL, &error));
  g_assert_no_error (error);
  actual = fit_test_params (resumed.est);
  g_assert_true (fit_test_params_equal (expected, actual));
  g_assert_cmpuint (count_temporaries (dir), ==, 0);
  fit_test_remove_dir (dir);
  fit_test_remove_dir (reference_dir);
}

/* A save that runs out of space fails the fit with FIT_ERROR_IO naming the file, leaves
 * no temporary file, and the checkpoint before it whole. */
static void
test_full_disk (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(FitSafetensors) first = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      run_limited_fit (TRUE);
      return;
    }
  dir = fit_test_make_tmpdir ();
  g_setenv (KILL_DIR_ENV, dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  path = g_build_filename (dir, "run-epoch0000-step0000000004.safetensors", NULL);
  first = fit_safetensors_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (exists (dir, "run-epoch0001-step0000000008.safetensors"));
  g_assert_cmpuint (count_temporaries (dir), ==, 0);
  fit_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Checkpoint/hostile/values", test_hostile_values);
  g_test_add_func ("/Fit/Checkpoint/hostile/handler-load-state", test_handler_load_state);
  g_test_add_func ("/Fit/Checkpoint/hostile/unchecked-handler-rollback",
                   test_unchecked_handler_rollback);
  g_test_add_func ("/Fit/Checkpoint/hostile/resume-refused", test_resume_refused);
  g_test_add_func ("/Fit/Checkpoint/stale-temporaries", test_stale_temporaries);
  g_test_add_func ("/Fit/Checkpoint/periodic-names", test_periodic_names);
  g_test_add_func ("/Fit/Checkpoint/epoch-limit", test_epoch_limit);
  g_test_add_func ("/Fit/Checkpoint/killed-save", test_killed_save);
  g_test_add_func ("/Fit/Checkpoint/full-disk", test_full_disk);
  return g_test_run ();
}
