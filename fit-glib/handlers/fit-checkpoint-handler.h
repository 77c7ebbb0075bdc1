/* fit-checkpoint-handler.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/train/fit-estimator.h"
#include "fit-glib/train/fit-event-handler.h"

G_BEGIN_DECLS

#define FIT_TYPE_CHECKPOINT_HANDLER (fit_checkpoint_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCheckpointHandler, fit_checkpoint_handler, FIT, CHECKPOINT_HANDLER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_checkpoint_handler_new (const char *directory,
                                                const char *prefix);
FIT_AVAILABLE_IN_1_0
char            *fit_checkpoint_handler_get_best_path   (FitCheckpointHandler *self);
FIT_AVAILABLE_IN_1_0
char            *fit_checkpoint_handler_get_latest_path (FitCheckpointHandler *self);
FIT_AVAILABLE_IN_1_0
char           **fit_checkpoint_handler_list_checkpoints (FitCheckpointHandler *self);

G_END_DECLS
