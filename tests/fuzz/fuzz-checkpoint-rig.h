/* fuzz-checkpoint-rig.h: the small estimator that fuzz-checkpoint loads checkpoints into
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the harness and by checkpoint-seeds.c, which writes its seed corpus: real
 * checkpoints of this very estimator, so that fuzzing starts from files that load.
 */

#pragma once

#include "../train/fit-train-testing.h"

/* The checkpoint tests' estimator (every built-in handler that keeps state), small, with
 * its data. Its checkpoint handler only creates its directory: it saves nothing. */
typedef struct
{
  FitTestRig     rig;
  FitDataLoader *train;
  FitDataLoader *val;
} FuzzRig;

static inline void
fuzz_rig_init (FuzzRig *fuzz)
{
  fit_test_rig_init (&fuzz->rig, 1, 4, g_get_tmp_dir ());
  g_object_set (fuzz->rig.checkpoint, "every-n-epochs", 0, NULL);
  fuzz->train = fit_test_classification_loader (8, 4, 3);
  fuzz->val = fit_test_classification_loader (4, 4, 4);
}

static inline void
fuzz_rig_clear (FuzzRig *fuzz)
{
  fit_test_rig_clear (&fuzz->rig);
  g_clear_object (&fuzz->train);
  g_clear_object (&fuzz->val);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FuzzRig, fuzz_rig_clear)
