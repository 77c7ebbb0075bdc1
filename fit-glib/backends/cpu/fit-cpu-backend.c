/* fit-cpu-backend.c: the CPU backend's table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each family's kernels live in the file named after it (fit-cpu-pointwise.c,
 * fit-cpu-conv-winograd.c, …); this file only says which function serves which entry.
 */

#include "config.h"

#include "fit-glib/backends/cpu/fit-cpu-private.h"

static guint
cpu_device_count (void)
{
  return 1;
}

static gpointer
cpu_alloc (guint    device,
           gsize    n_bytes,
           gboolean zero)
{
  return fit_cpu_alloc (n_bytes, zero);
}

static void
cpu_free (guint    device,
          gpointer mem,
          gsize    n_bytes)
{
  fit_cpu_free (mem, n_bytes);
}

const FitBackend fit_cpu_backend = {
  .name = "cpu",

  .device_count = cpu_device_count,
  .alloc = cpu_alloc,
  .free = cpu_free,

  .set_num_threads = fit_cpu_set_num_threads,
  .get_num_threads = fit_cpu_get_num_threads,
  .describe = fit_cpu_describe,

  /* fill, conversion and random fill: fit-cpu-fill.c */

  /* pointwise: fit-cpu-pointwise.c */

  /* reductions: fit-cpu-reduce.c */

  /* products: fit-cpu-gemm.c */

  /* shapes: fit-cpu-shape.c */

  /* convolutions: fit-cpu-conv-im2col.c, fit-cpu-conv-winograd.c */

  /* pooling: fit-cpu-pool.c */

  /* dropout: fit-cpu-dropout.c */

  /* normalization: fit-cpu-norm.c */

  /* losses: fit-cpu-loss.c */

  /* recurrent cells: fit-cpu-rnn.c */

  /* optimizers and clipping: fit-cpu-optim.c */
  .optim_update = fit_cpu_optim_update,
  .clip_sum_squares = fit_cpu_clip_sum_squares,
  .clip_value = fit_cpu_clip_value,
};
