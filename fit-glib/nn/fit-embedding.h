/* fit-embedding.h: a lookup table of vectors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_EMBEDDING (fit_embedding_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitEmbedding, fit_embedding, FIT, EMBEDDING, FitModule)

FIT_AVAILABLE_IN_1_0
FitEmbedding *fit_embedding_new          (gint64         num_embeddings,
                                          gint64         embedding_dim,
                                          FitRng        *rng);
FIT_AVAILABLE_IN_1_0
FitTensor    *fit_embedding_get_weight   (FitEmbedding  *self);

G_END_DECLS
