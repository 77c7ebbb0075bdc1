/* checkpoint-seeds.c: the seed corpus of fuzz-checkpoint, and a test that it still loads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   checkpoint-seeds --write DIR   writes the seeds: real checkpoints of the harness's
 *                                  estimator (fuzz-checkpoint-rig.h) after a few epochs,
 *                                  inside an epoch and before any fit (real-*), and the
 *                                  inputs that once loaded though they should not have
 *                                  (each a real checkpoint with one value out of range)
 *   checkpoint-seeds               (a test) checks that the real-* seeds in the corpus
 *                                  still load into the estimator, as freshly written ones
 *                                  do, and that the others are still refused
 */

#include "fuzz-checkpoint-rig.h"

#include <glib/gstdio.h>
#include <string.h>

static FitSafetensors *
trained_state (guint   epochs,
               guint64 batches)
{
  g_auto(FuzzRig) rig = { 0 };
  g_autoptr(GError) error = NULL;

  fuzz_rig_init (&rig);
  if ((epochs > 0 || batches > 0) &&
      !fit_estimator_fit_full (rig.rig.est, rig.train, rig.val, epochs, batches, NULL, 0, NULL,
                               &error))
    g_error ("%s", error->message);
  return fit_estimator_save_state (rig.rig.est);
}

/* A copy of @state with one change: metadata @key set to @text, or, with @text NULL,
 * element 0 of the float64 tensor @key set to @value. */
static FitSafetensors *
mutated (FitSafetensors *state,
         const char     *key,
         const char     *text,
         double          value)
{
  FitSafetensors *copy = fit_safetensors_new ();
  g_auto(GStrv) names = fit_safetensors_get_names (state);
  g_auto(GStrv) keys = fit_safetensors_get_metadata_keys (state);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(FitTensor) t = fit_tensor_clone (fit_safetensors_get (state, names[i]));

      if (text == NULL && g_str_equal (names[i], key))
        ((double *) fit_tensor_get_data_mutable (t))[0] = value;
      fit_safetensors_add (copy, names[i], t);
    }
  for (guint i = 0; keys[i] != NULL; i++)
    fit_safetensors_set_metadata (copy, keys[i], fit_safetensors_get_metadata (state, keys[i]));
  if (text != NULL)
    fit_safetensors_set_metadata (copy, key, text);
  return copy;
}

typedef struct
{
  const char *name;
  const char *key;
  const char *text;
  double      value;
} Refused;

/* Each loaded once, though it should not have: a value out of range in a real checkpoint. */
static const Refused refused[] = {
  { "negative-learning-rate", "optimizer.group.0.learning-rate", NULL, -1 },
  { "early-stopping-wait-nan", "handler.FitEarlyStoppingHandler.0.wait", "nan", 0 },
  { "early-stopping-best-epoch-inf", "handler.FitEarlyStoppingHandler.0.best_epoch", "inf", 0 },
  { "plateau-cooldown-nan", "handler.FitReduceLrOnPlateauHandler.0.cooldown_counter", "nan", 0 },
  { "plateau-wait-negative", "handler.FitReduceLrOnPlateauHandler.0.wait", "-1", 0 },
  { "scheduler-base-lr-negative", "handler.FitLrSchedulerHandler.0.base_lr", "-1", 0 },
  { "history-epoch-negative", "handler.FitHistoryHandler.0.history",
    "[{\"epoch\":-5,\"learning_rate\":0.1,\"time\":1,\"values\":{}}]", 0 },
  { "epoch-beyond-int", "fit.epoch", "4294967295", 0 },
  { "rng-all-zeros", "fit.rng",
    "AUdOAFJUSUYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA//////////8=",
    0 },
};

static void
save (FitSafetensors *state,
      const char     *dir,
      const char     *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!fit_safetensors_save (state, path, NULL, &error))
    g_error ("%s", error->message);
}

static int
write_seeds (const char *dir)
{
  g_autoptr(FitSafetensors) three = trained_state (3, 0);
  g_autoptr(FitSafetensors) mid = trained_state (0, 3);
  g_autoptr(FitSafetensors) fresh = trained_state (0, 0);

  save (three, dir, "real-epoch3");
  save (mid, dir, "real-mid-epoch");
  save (fresh, dir, "real-before-fit");
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(FitSafetensors) bad = mutated (three, refused[i].key, refused[i].text,
                                               refused[i].value);

      save (bad, dir, refused[i].name);
    }
  return 0;
}

static gboolean
loads (FitSafetensors  *state,
       GError         **error)
{
  g_auto(FuzzRig) rig = { 0 };

  fuzz_rig_init (&rig);
  return fit_estimator_load_state (rig.rig.est, state, error);
}

static void
test_fresh (void)
{
  g_autoptr(FitSafetensors) three = trained_state (3, 0);
  g_autoptr(FitSafetensors) mid = trained_state (0, 3);
  g_autoptr(GError) error = NULL;

  g_assert_true (loads (three, &error));
  g_assert_no_error (error);
  g_assert_true (loads (mid, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(FitSafetensors) bad = mutated (three, refused[i].key, refused[i].text,
                                               refused[i].value);

      g_assert_false (loads (bad, &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, refused[i].key));
      g_clear_error (&error);
    }
}

static void
test_corpus (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "checkpoint", NULL);
  const char *real[] = { "real-epoch3", "real-mid-epoch", "real-before-fit" };

  for (guint i = 0; i < G_N_ELEMENTS (real); i++)
    {
      g_autofree char *path = g_build_filename (dir, real[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(FitSafetensors) state = fit_safetensors_new_from_file (path, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (loads (state, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = g_build_filename (dir, refused[i].name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(FitSafetensors) state = fit_safetensors_new_from_file (path, NULL, &error);

      g_assert_no_error (error);
      g_assert_false (loads (state, &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
    }
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--write"))
    return write_seeds (argv[2]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Fit/Fuzz/checkpoint-seeds/fresh", test_fresh);
  g_test_add_func ("/Fit/Fuzz/checkpoint-seeds/corpus", test_corpus);
  return g_test_run ();
}
