/* fit-cuda-private.h: what the CUDA backend's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built only when the CUDA Toolkit is found (HAVE_CUDA); nothing outside backends/cuda/
 * and the table registry includes this file.
 */

#pragma once

#include "fit-glib/backends/fit-backend-private.h"

G_BEGIN_DECLS

/* The table (fit-cuda.c). */
extern const FitBackend fit_cuda_backend;

G_END_DECLS
