/* fit-optim-kernels.c: the optimizers' update loops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One fused pass over memory per parameter and update, with no temporaries: each loop
 * reads the parameter, its gradient and its state once and writes them once. The
 * arithmetic follows PyTorch 1.13 operation by operation (the same products and sums
 * in the same order, in the parameter's precision), so results agree to rounding.
 *
 * Speed: the file is built with -fno-math-errno (see meson.build), without which no loop
 * around a sqrt vectorises. On x86-64 each chunk function is also compiled for AVX2 and
 * picked at load time; the code is contracted into no FMA (-ffp-contract=off), so both
 * versions round identically and results do not depend on the machine.
 */

#include "config.h"

#include <math.h>
#include <omp.h>

#include "fit-optim-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

#if defined(__x86_64__) && defined(__has_attribute) && !defined(__SANITIZE_ADDRESS__)
# if __has_attribute(target_clones)
#  define FIT_KERNEL_CLONES __attribute__ ((target_clones ("default", "avx2")))
# endif
#endif
#ifndef FIT_KERNEL_CLONES
# define FIT_KERNEL_CLONES
#endif

/* Runs chunk (args, start, end) over [0, n), split between threads when n is large.
 * Chunks are whole cache lines so that threads never share one. */
#define FIT_RUN_CHUNKS(chunk, args, n)                                                    \
  G_STMT_START {                                                                          \
    if ((n) > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())                              \
      {                                                                                   \
        _Pragma ("omp parallel")                                                          \
        {                                                                                 \
          gint64 n_threads = omp_get_num_threads ();                                      \
          gint64 per = (((n) + n_threads - 1) / n_threads + 15) & ~(gint64) 15;           \
          gint64 from = MIN (omp_get_thread_num () * per, (n));                           \
          gint64 to = MIN (from + per, (n));                                              \
                                                                                          \
          if (from < to)                                                                  \
            chunk (args, from, to);                                                       \
        }                                                                                 \
      }                                                                                   \
    else                                                                                  \
      chunk (args, 0, (n));                                                               \
  } G_STMT_END

#define NAME(x) NAME_ (x, SUFFIX)
#define NAME_(x, s) NAME__ (x, s)
#define NAME__(x, s) x##_##s

#define T float
#define SQRT sqrtf
#define SUFFIX f32
#include "fit-optim-kernels-template.h"
#undef T
#undef SQRT
#undef SUFFIX

#define T double
#define SQRT sqrt
#define SUFFIX f64
#include "fit-optim-kernels-template.h"
#undef T
#undef SQRT
#undef SUFFIX
