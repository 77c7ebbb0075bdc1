/* fit-safetensors-private.h: what other layers know of safetensors that is not public
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "fit-glib/io/fit-safetensors.h"

G_BEGIN_DECLS

/* Whether @name, a file's base name, is one whose left-over temporary files may go. */
typedef gboolean (*FitSafetensorsTargetFunc) (const char *name,
                                              gpointer    data);

/* fit_safetensors_save() writes PATH through a temporary file ".NAME.XXXXXX" (NAME being
 * PATH's base name, the Xs letters and digits) in the same folder, and renames it when
 * done; a save killed on the way leaves it behind. This removes such files in @directory
 * for the NAMEs that @is_target accepts, and nothing else: not a file of another name,
 * not one that is not a regular file, not one that a save still writes (it holds a lock
 * on it until it closes it, or dies). Returns how many files were removed; a file that
 * cannot be removed is left for the next time. */
guint       fit_safetensors_remove_stale_temporaries (const char               *directory,
                                                      FitSafetensorsTargetFunc  is_target,
                                                      gpointer                  data);

/* A copy of @state whose tensors are clones that record no gradient, with the same
 * metadata (fit-safetensors-copy.c): what a handler keeps of the weights or the
 * optimizer's state while training goes on changing the originals. */
FitSafetensors *fit_safetensors_deep_copy                (FitSafetensors           *state);

G_END_DECLS
