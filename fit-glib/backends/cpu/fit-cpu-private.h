/* fit-cpu-private.h: what the CPU backend's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The CPU backend runs on OpenMP and OpenBLAS; nothing outside backends/cpu/ includes
 * this file, so no other part of the library sees a thread pool or a BLAS call. Its
 * kernels read tensors through core/fit-tensor-private.h.
 */

#pragma once

#include "fit-glib/backends/fit-backend-private.h"
#include "fit-glib/core/fit-tensor-private.h"

G_BEGIN_DECLS

/* The table (fit-cpu-backend.c). */
extern const FitBackend fit_cpu_backend;

/* ---- memory (fit-cpu-alloc.c) ---- */

gpointer    fit_cpu_alloc              (gsize           n_bytes,
                                        gboolean        zero);
void        fit_cpu_free               (gpointer        mem,
                                        gsize           n_bytes);
void        fit_cpu_pool_stats         (guint64        *hits,
                                        guint64        *misses,
                                        gsize          *cached_bytes);
void        fit_cpu_pool_trim          (void);

/* ---- threads (fit-cpu-runtime.c) ---- */

/* Element count above which a kernel is worth an OpenMP parallel region. A region
 * costs a microsecond or two while libgomp's threads spin between regions (its default
 * policy), but 40 to 90 µs on a virtual machine when they sleep
 * (OMP_WAIT_POLICY=PASSIVE), and a small model's step runs several: 2^15 elements
 * when threads spin, 2^19 (some 50 µs of memory-bound work) when they sleep.
 * fit-cpu-runtime.c decides once; doc/performance.md has the measurements. */
extern gint64 fit_parallel_grain;
#define FIT_PARALLEL_GRAIN fit_parallel_grain

/* Kernels are compiled for the baseline and again for AVX2 and AVX-512, and the best
 * one the processor runs is picked when the library loads (an ifunc), so that a
 * distribution build is as fast as a -march=native one. */
#if defined (__x86_64__) && defined (__ELF__) && defined (__GNUC__) && !defined (__clang__)
# define FIT_KERNEL __attribute__ ((target_clones ("default", "avx2", "avx512f")))
#else
# define FIT_KERNEL
#endif

/* Kernels that live on multiply-adds need the fused instruction, which FIT_KERNEL's
 * clones lack (GCC's avx2 and avx512f targets do not imply fma, and a clone takes one
 * option). Such a kernel is compiled twice, plainly and with FIT_TARGET_FMA, and the
 * caller picks one with FIT_CPU_HAS_FMA (). */
#if defined (__x86_64__) && defined (__GNUC__)
# define FIT_TARGET_FMA __attribute__ ((target ("avx2,fma")))
# define FIT_CPU_HAS_FMA() (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
#endif

void        fit_cpu_set_num_threads    (guint           n_threads);
guint       fit_cpu_get_num_threads    (void);
char       *fit_cpu_describe           (void);

gboolean    fit_parallel_enabled       (void);
int         fit_parallel_threads       (void);

/* When threads sleep, multiply-adds below which a GEMM runs on the calling thread
 * (about 80 µs of one core's work, less than waking a sleeping thread can cost). */
#define FIT_GEMM_PARALLEL_MIN (G_GINT64_CONSTANT (8) << 20)
gboolean    fit_blas_serial_begin      (gint64          work);
void        fit_blas_serial_end        (gboolean        serial);

/* ---- fill, conversion and random fill (fit-cpu-fill.c) ---- */

/* ---- pointwise (fit-cpu-pointwise.c) ---- */

/* ---- reductions (fit-cpu-reduce.c) ---- */

/* ---- shapes (fit-cpu-shape.c) ---- */

/* ---- convolutions (fit-cpu-conv-im2col.c, fit-cpu-conv-winograd.c) ---- */

/* ---- pooling (fit-cpu-pool.c) ---- */

/* ---- dropout (fit-cpu-dropout.c) ---- */

/* ---- normalization (fit-cpu-norm.c) ---- */

/* ---- losses (fit-cpu-loss.c) ---- */

/* ---- recurrent cells (fit-cpu-rnn.c) ---- */

/* ---- optimizers and clipping (fit-cpu-optim.c) ---- */

gboolean    fit_cpu_optim_update       (const FitOptimUpdate  *update,
                                        FitTensor             *param,
                                        FitTensor             *grad,
                                        GError               **error);
gboolean    fit_cpu_clip_sum_squares   (FitTensor             *grad,
                                        double                *sum,
                                        GError               **error);
gboolean    fit_cpu_clip_value         (FitTensor             *grad,
                                        double                 clip_value,
                                        GError               **error);

/* ---- products (fit-cpu-gemm.c) ---- */

/* C = op(A)·op(B) + beta·C in float32 or float64, row-major, ldc = n: the one entry to
 * BLAS products outside the convolution kernels. */
void        fit_gemm                   (FitDType        dtype,
                                        gboolean        trans_a,
                                        gboolean        trans_b,
                                        gint64          m,
                                        gint64          n,
                                        gint64          k,
                                        gconstpointer   a,
                                        gint64          lda,
                                        gconstpointer   b,
                                        gint64          ldb,
                                        double          beta,
                                        gpointer        c);

G_END_DECLS
