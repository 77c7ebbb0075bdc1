/* fuzz-checkpoint.c: safetensors bytes loaded as weights, optimizer state and checkpoints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The bytes are read as a safetensors file and given to a small estimator with every
 * built-in handler that keeps state (fuzz-checkpoint-rig.h): as the network's weights
 * (fit_module_set_state), as the optimizer's state (fit_optimizer_load_state), to each
 * handler's load_state, and as a whole checkpoint (fit_estimator_load_state, the path a
 * resume takes). Every load that fails must say why and change nothing at all; after a
 * checkpoint that loads, a short fit runs from it (values out of range would show there
 * as criticals or undefined behaviour) and its state saves and loads again.
 */

#include "fuzz-common.h"
#include "fuzz-checkpoint-rig.h"

#include <string.h>

static GBytes *
state_bytes (FitSafetensors *state)
{
  return fit_safetensors_to_bytes (state);
}

static GBytes *
estimator_bytes (FitEstimator *est)
{
  g_autoptr(FitSafetensors) state = fit_estimator_save_state (est);

  return state_bytes (state);
}

static void
assert_same (GBytes *a,
             GBytes *b)
{
  if (!g_bytes_equal (a, b))
    abort ();
}

static void
fuzz_weights (FuzzRig        *rig,
              FitSafetensors *st)
{
  FitModule *net = fit_estimator_get_net (rig->rig.est);
  g_autoptr(FitSafetensors) mine = fit_module_get_state (net);
  g_autoptr(GBytes) before = state_bytes (mine);
  g_autoptr(GError) error = NULL;

  if (!fit_module_set_state (net, st, &error))
    {
      g_autoptr(FitSafetensors) now = fit_module_get_state (net);
      g_autoptr(GBytes) after = state_bytes (now);

      fuzz_check_error (error);
      assert_same (before, after);
      return;
    }
  /* Put the network back for what follows. */
  if (!fit_module_set_state (net, mine, NULL))
    abort ();
}

static void
fuzz_optimizer (FuzzRig        *rig,
                FitSafetensors *st)
{
  FitOptimizer *optimizer = fit_estimator_get_optimizer (rig->rig.est);
  g_autoptr(FitSafetensors) mine = fit_safetensors_new ();
  g_autoptr(FitSafetensors) now = fit_safetensors_new ();
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  fit_optimizer_save_state (optimizer, mine, "optimizer.");
  before = state_bytes (mine);
  if (fit_optimizer_load_state (optimizer, st, "optimizer.", &error))
    {
      if (!fit_optimizer_load_state (optimizer, mine, "optimizer.", NULL))
        abort ();
      return;
    }
  fuzz_check_error (error);
  fit_optimizer_save_state (optimizer, now, "optimizer.");
  after = state_bytes (now);
  assert_same (before, after);
}

/* Each handler on its own, with the prefix the estimator gives it. */
static void
fuzz_handlers (FuzzRig        *rig,
               FitSafetensors *st)
{
  struct { FitEventHandler *handler; const char *prefix; } handlers[] = {
    { rig->rig.early_stopping, "handler.FitEarlyStoppingHandler.0." },
    { rig->rig.plateau, "handler.FitReduceLrOnPlateauHandler.0." },
    { rig->rig.scheduler, "handler.FitLrSchedulerHandler.0." },
    { rig->rig.checkpoint, "handler.FitCheckpointHandler.0." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    {
      g_autoptr(FitSafetensors) mine = fit_safetensors_new ();
      g_autoptr(FitSafetensors) now = fit_safetensors_new ();
      g_autoptr(GBytes) before = NULL;
      g_autoptr(GBytes) after = NULL;
      g_autoptr(GError) error = NULL;

      fit_event_handler_save_state (handlers[i].handler, mine, handlers[i].prefix);
      before = state_bytes (mine);
      if (fit_event_handler_load_state (handlers[i].handler, st, handlers[i].prefix, &error))
        continue;
      fuzz_check_error (error);
      fit_event_handler_save_state (handlers[i].handler, now, handlers[i].prefix);
      after = state_bytes (now);
      assert_same (before, after);
    }
}

/* The whole checkpoint, into a fresh rig: all or nothing; then a fit from it. */
static void
fuzz_checkpoint (FitSafetensors *st)
{
  g_auto(FuzzRig) rig = { 0 };
  g_auto(FuzzRig) again = { 0 };
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) saved = NULL;
  g_autoptr(FitSafetensors) reread = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_rig_init (&rig);
  before = estimator_bytes (rig.rig.est);
  if (!fit_estimator_load_state (rig.rig.est, st, &error))
    {
      g_autoptr(GBytes) after = estimator_bytes (rig.rig.est);

      fuzz_check_error (error);
      assert_same (before, after);
      return;
    }

  /* What loaded saves, and what it saves loads. */
  saved = estimator_bytes (rig.rig.est);
  reread = fit_safetensors_new_from_bytes (saved, NULL);
  fuzz_rig_init (&again);
  if (reread == NULL || !fit_estimator_load_state (again.rig.est, reread, NULL))
    abort ();

  /* A fit continues from it: at most 3 batches, so that a position far into a run is
   * still quick. Its errors (a loss that is not finite, say) are the fit's business. */
  g_clear_error (&error);
  if (!fit_estimator_fit_full (rig.rig.est, rig.train, rig.val, 0, 3, NULL, 0, NULL, &error))
    fuzz_check_error (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(FitSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(FuzzRig) rig = { 0 };

  fuzz_init ();
  st = fit_safetensors_new_from_bytes (bytes, &error);
  if (st == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  fuzz_rig_init (&rig);
  fuzz_weights (&rig, st);
  fuzz_optimizer (&rig, st);
  fuzz_handlers (&rig, st);
  fuzz_checkpoint (st);
  return 0;
}
