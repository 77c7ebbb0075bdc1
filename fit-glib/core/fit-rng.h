/* fit-rng.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/core/fit-types.h"

G_BEGIN_DECLS

#define FIT_TYPE_RNG (fit_rng_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitRng, fit_rng, FIT, RNG, GObject)

FIT_AVAILABLE_IN_1_0
FitRng   *fit_rng_new               (guint64   seed);
FIT_AVAILABLE_IN_1_0
guint64   fit_rng_get_seed          (FitRng   *self);
FIT_AVAILABLE_IN_1_0
void      fit_rng_set_seed          (FitRng   *self,
                                     guint64   seed);
FIT_AVAILABLE_IN_1_0
guint64   fit_rng_next_uint64       (FitRng   *self);
FIT_AVAILABLE_IN_1_0
guint64   fit_rng_next_below        (FitRng   *self,
                                     guint64   bound);
FIT_AVAILABLE_IN_1_0
double    fit_rng_next_double       (FitRng   *self);
FIT_AVAILABLE_IN_1_0
double    fit_rng_next_normal       (FitRng   *self);
FIT_AVAILABLE_IN_1_0
void      fit_rng_shuffle_indices   (FitRng   *self,
                                     gint64   *indices,
                                     gsize     n_indices);
FIT_AVAILABLE_IN_1_0
FitRng   *fit_rng_fork              (FitRng   *self);
FIT_AVAILABLE_IN_1_0
GBytes   *fit_rng_save_state        (FitRng   *self);
FIT_AVAILABLE_IN_1_0
gboolean  fit_rng_restore_state     (FitRng   *self,
                                     GBytes   *state,
                                     GError  **error);

G_END_DECLS
