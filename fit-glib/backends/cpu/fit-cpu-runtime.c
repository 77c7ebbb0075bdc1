/* fit-cpu-runtime.c: the one threading policy for OpenMP and OpenBLAS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two thread pools on two cores make everything several times slower: OpenMP threads
 * spin after a parallel region while OpenBLAS's own pthreads want the same cores. The
 * policy:
 *
 * - fit-glib links the OpenMP build of OpenBLAS when it can: then BLAS and our kernels
 *   share libgomp's single pool, and one thread count governs both.
 * - If the OpenBLAS found at run time has its own pthread pool, our element-wise kernels
 *   run serially and BLAS keeps the threads, so the two pools never overlap.
 * - fit_set_num_threads() (through fit_cpu_set_num_threads()) sets both counts together. The default is OMP_NUM_THREADS if
 *   set, else OPENBLAS_NUM_THREADS, else the number of processors.
 * - How much work is worth a parallel region depends on libgomp's waiting policy,
 *   read once from the environment as libgomp reads it: spinning threads answer in a
 *   microsecond or two, sleeping ones (OMP_WAIT_POLICY=PASSIVE or GOMP_SPINCOUNT=0)
 *   in 40 to 90 µs on a virtual machine. With sleeping threads small GEMMs and
 *   kernels stay on the calling thread (FIT_GEMM_PARALLEL_MIN, FIT_PARALLEL_GRAIN).
 */

#include "config.h"

#include <omp.h>
#include <stdlib.h>

#include "fit-glib/backends/cpu/fit-cpu-private.h"

/* OpenBLAS's own API (cblas.h declares them only in some versions). */
extern void  openblas_set_num_threads (int n);
extern int   openblas_get_num_threads (void);
extern int   openblas_get_parallel (void);
extern char *openblas_get_corename (void);
extern char *openblas_get_config (void);

enum { BLAS_SEQUENTIAL = 0, BLAS_PTHREAD = 1, BLAS_OPENMP = 2 };

static guint n_threads;
static gboolean parallel_kernels;
static gboolean threads_sleep;

gint64 fit_parallel_grain = 32768;

/* Whether libgomp's idle threads sleep at once instead of spinning first. */
static gboolean
env_threads_sleep (void)
{
  g_autofree char *policy = g_strdup (g_getenv ("OMP_WAIT_POLICY"));
  g_autofree char *spin = g_strdup (g_getenv ("GOMP_SPINCOUNT"));

  if (policy != NULL && g_ascii_strcasecmp (g_strstrip (policy), "passive") == 0)
    return TRUE;
  return spin != NULL && g_str_equal (g_strstrip (spin), "0");
}

static guint
env_threads (const char *name)
{
  const char *v = g_getenv (name);
  gint64 n;

  if (v == NULL || *v == '\0')
    return 0;
  n = g_ascii_strtoll (v, NULL, 10);
  return n > 0 && n < 4096 ? (guint) n : 0;
}

static void
apply (guint n)
{
  n_threads = MAX (n, 1);
  omp_set_num_threads ((int) n_threads);
  openblas_set_num_threads ((int) n_threads);
  parallel_kernels = n_threads > 1 && openblas_get_parallel () != BLAS_PTHREAD;
}

static void
fit_cpu_runtime_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      guint n = env_threads ("OMP_NUM_THREADS");

      threads_sleep = env_threads_sleep ();
      fit_parallel_grain = threads_sleep ? 524288 : 32768;
      if (n == 0)
        n = env_threads ("OPENBLAS_NUM_THREADS");
      if (n == 0)
        n = g_get_num_processors ();
      apply (n);
      g_once_init_leave (&initialized, 1);
    }
}

/* Runs once when the library is loaded, so that the thread counts agree before the
 * first kernel or BLAS call. */
__attribute__((constructor)) static void
fit_cpu_runtime_constructor (void)
{
  fit_cpu_runtime_init ();
}

guint
fit_cpu_get_num_threads (void)
{
  fit_cpu_runtime_init ();
  return n_threads;
}

void
fit_cpu_set_num_threads (guint n)
{
  fit_cpu_runtime_init ();
  apply (n == 0 ? g_get_num_processors () : n);
}

char *
fit_cpu_describe (void)
{
  const char *threading[] = { "sequential", "pthreads", "OpenMP" };
  int parallel;

  fit_cpu_runtime_init ();
  parallel = openblas_get_parallel ();
  /* The OpenMP build follows the caller's thread count call by call (and runs small
   * GEMMs on one thread, see fit_blas_serial_begin()): report the policy's count. */
  return g_strdup_printf ("OpenBLAS %s (%s) x%d", openblas_get_corename (),
                          parallel >= 0 && parallel <= 2 ? threading[parallel] : "?",
                          parallel == BLAS_OPENMP ? (int) n_threads
                                                  : openblas_get_num_threads ());
}

gboolean
fit_parallel_enabled (void)
{
  return parallel_kernels;
}

int
fit_parallel_threads (void)
{
  return parallel_kernels ? (int) n_threads : 1;
}

/* A GEMM of @work multiply-adds that is too small to split runs on one thread, when
 * the other threads sleep between regions.
 *
 * OpenBLAS's own cut-off (65536 × 4 multiply-adds) suits threads that spin and answer
 * in a microsecond. A sleeping thread takes several microseconds to wake on bare metal
 * and up to a hundred on a virtual machine whose idle processor the hypervisor has
 * descheduled: under OMP_WAIT_POLICY=PASSIVE the MLP at batch 16 (GEMMs of 6.4 M
 * multiply-adds, ~70 µs) ran 1.2 to 2.3 times slower on two threads than on one.
 * With spinning threads the same GEMMs gain from two threads (that step ran 1.5 times
 * faster), so nothing changes then.
 *
 * The OpenMP build of OpenBLAS sizes each call from the caller's OpenMP thread
 * count, which is per thread: lowering it around one call affects nobody else.
 * Returns whether it did, for fit_blas_serial_end(). */
gboolean
fit_blas_serial_begin (gint64 work)
{
  if (!parallel_kernels || !threads_sleep || work >= FIT_GEMM_PARALLEL_MIN ||
      omp_in_parallel ())
    return FALSE;
  omp_set_num_threads (1);
  return TRUE;
}

void
fit_blas_serial_end (gboolean serial)
{
  if (serial)
    omp_set_num_threads ((int) n_threads);
}
