/* fit-cpu-optim.c: the optimizers' update loops and gradient clipping on the CPU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One fused pass over memory per parameter and update, with no temporaries: each loop
 * reads the parameter, its gradient and its state once and writes them once. The
 * arithmetic follows PyTorch 1.13 operation by operation (the same products and sums
 * in the same order, in the parameter's precision), so results agree to rounding.
 *
 * Speed: the library is built with -fno-math-errno (see fit-glib/meson.build), without
 * which no loop around a sqrt vectorises. On x86-64 each chunk function is also compiled
 * for AVX2 and picked at load time; the code is contracted into no FMA
 * (-ffp-contract=off), so both versions round identically and results do not depend on
 * the machine.
 */

#include "config.h"

#include <math.h>
#include <omp.h>

#include "fit-glib/backends/cpu/fit-cpu-private.h"
#include "fit-glib/core/fit-core-private.h"

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
#include "fit-cpu-optim-template.h"
#undef T
#undef SQRT
#undef SUFFIX

#define T double
#define SQRT sqrt
#define SUFFIX f64
#include "fit-cpu-optim-template.h"
#undef T
#undef SQRT
#undef SUFFIX

/* ---- the entries ---- */

gboolean
fit_cpu_optim_update (const FitOptimUpdate  *update,
                      FitTensor             *param,
                      FitTensor             *grad,
                      GError               **error)
{
  gpointer p = fit_tensor_get_data_mutable (param);
  gpointer s[FIT_OPTIM_MAX_STATE];

  for (guint i = 0; i < FIT_OPTIM_MAX_STATE; i++)
    s[i] = update->state[i] != NULL ? fit_tensor_get_data_mutable (update->state[i]) : NULL;
  if (param->dtype == FIT_DTYPE_FLOAT32)
    optim_update_f32 (update, p, fit_tensor_ptr (grad), (float *const *) s, param->numel);
  else
    optim_update_f64 (update, p, fit_tensor_ptr (grad), (double *const *) s, param->numel);
  return TRUE;
}

/* Summed in double whatever the element type, split between threads by OpenMP's
 * reduction: the total depends on the number of threads, at the last bits. */
gboolean
fit_cpu_clip_sum_squares (FitTensor  *grad,
                          double     *sum,
                          GError    **error)
{
  gint64 n = grad->numel;
  double total = 0.0;

  if (grad->dtype == FIT_DTYPE_FLOAT32)
    {
      const float *g = fit_tensor_f32 (grad);

#pragma omp parallel for reduction(+:total) if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        total += (double) g[i] * g[i];
    }
  else
    {
      const double *g = fit_tensor_f64 (grad);

#pragma omp parallel for reduction(+:total) if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        total += g[i] * g[i];
    }
  *sum = total;
  return TRUE;
}

gboolean
fit_cpu_clip_value (FitTensor  *grad,
                    double      clip_value,
                    GError    **error)
{
  gint64 n = grad->numel;

  if (grad->dtype == FIT_DTYPE_FLOAT32)
    {
      float *g = fit_tensor_get_data_mutable (grad);
      float hi = (float) clip_value, lo = -hi;

#pragma omp parallel for if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        g[i] = g[i] < lo ? lo : (g[i] > hi ? hi : g[i]);
    }
  else if (grad->dtype == FIT_DTYPE_FLOAT64)
    {
      double *g = fit_tensor_get_data_mutable (grad);
      double hi = clip_value, lo = -hi;

#pragma omp parallel for if (n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ())
      for (gint64 i = 0; i < n; i++)
        g[i] = g[i] < lo ? lo : (g[i] > hi ? hi : g[i]);
    }
  return TRUE;
}
