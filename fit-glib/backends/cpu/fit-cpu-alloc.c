/* fit-cpu-alloc.c: tensor storage on the host, with a buffer pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A training step allocates the same set of buffer sizes over and over (activations,
 * gradients, temporaries). Freed buffers go back to a pool keyed by their exact size and
 * the next request of that size takes one back, so a steady-state step makes no calls
 * to the system allocator. The pool is bounded; past the bound buffers are freed.
 *
 * Sizes also go out of use: a validation pass with a larger batch, the last partial
 * batch of an epoch, a model that was dropped, the staging buffers of a data set's
 * loading. Every FIT_POOL_SWEEP requests the pool frees the buffers of every size that
 * nobody asked for since the previous sweep, so they do not sit in memory for the rest
 * of the process. The period is long enough that every size a training step uses is
 * asked for between two sweeps, however many layers the step has: a steady step keeps
 * hitting the pool.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fit-glib/backends/cpu/fit-cpu-private.h"

#define FIT_CPU_ALIGNMENT 64
#define FIT_POOL_MAX_BYTES ((gsize) 512 * 1024 * 1024)
#define FIT_POOL_MIN_BYTES 256        /* smaller buffers come from malloc directly */
#define FIT_HUGE_PAGE ((gsize) 2 * 1024 * 1024)
#define FIT_HUGE_PAGE_MIN_BYTES (2 * FIT_HUGE_PAGE)
#define FIT_POOL_SWEEP 65536          /* requests between sweeps of unused sizes */

typedef struct
{
  GSList  *buffers;
  guint64  last_request;    /* the pool's clock when this size was last asked for */
} FitPoolBin;

typedef struct
{
  GMutex      lock;
  GHashTable *bins;         /* gsize -> FitPoolBin */
  gsize       cached_bytes;
  guint64     clock;        /* requests so far */
  guint64     hits;
  guint64     misses;
} FitPool;

static FitPool pool;

static FitPool *
fit_pool_get (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mutex_init (&pool.lock);
      pool.bins = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_once_init_leave (&initialized, 1);
    }
  return &pool;
}

/* Datasets, weights and their gradients of a few MB and up are read in scattered rows
 * (a shuffled batch) or packed by BLAS a panel at a time: with 4 KiB pages nearly
 * every row costs a TLB miss. Transparent huge pages cut those misses and the page
 * faults of first use 512-fold; most distributions enable them only on request. */
static void
advise_huge_pages (gpointer mem,
                   gsize    size)
{
#ifdef MADV_HUGEPAGE
  guintptr start = ((guintptr) mem + FIT_HUGE_PAGE - 1) & ~(guintptr) (FIT_HUGE_PAGE - 1);
  guintptr end = ((guintptr) mem + size) & ~(guintptr) (FIT_HUGE_PAGE - 1);

  if (end > start)
    madvise ((gpointer) start, end - start, MADV_HUGEPAGE);
#endif
}

static gsize
round_size (gsize n_bytes)
{
  return (n_bytes + FIT_CPU_ALIGNMENT - 1) & ~(gsize) (FIT_CPU_ALIGNMENT - 1);
}

/* Frees a bin's buffers (the pool's lock held); TRUE so that the bin goes too. */
static gboolean
drop_bin (gpointer key,
          gpointer value,
          gpointer user_data)
{
  FitPool *p = user_data;
  FitPoolBin *bin = value;

  for (GSList *l = bin->buffers; l != NULL; l = l->next)
    {
      free (l->data);
      p->cached_bytes -= GPOINTER_TO_SIZE (key);
    }
  g_slist_free (bin->buffers);
  g_free (bin);
  return TRUE;
}

static gboolean
drop_unrequested_bin (gpointer key,
                      gpointer value,
                      gpointer user_data)
{
  FitPool *p = user_data;
  FitPoolBin *bin = value;

  if (p->clock - bin->last_request < FIT_POOL_SWEEP)
    return FALSE;
  return drop_bin (key, value, user_data);
}

/* Frees what no request has asked for during the last FIT_POOL_SWEEP requests. */
static void
sweep (FitPool *p)
{
  g_hash_table_foreach_remove (p->bins, drop_unrequested_bin, p);
}

gpointer
fit_cpu_alloc (gsize    n_bytes,
               gboolean zero)
{
  FitPool *p = fit_pool_get ();
  gsize size = round_size (MAX (n_bytes, 1));
  gpointer mem = NULL;

  if (size >= FIT_POOL_MIN_BYTES)
    {
      FitPoolBin *bin;

      g_mutex_lock (&p->lock);
      if (++p->clock % FIT_POOL_SWEEP == 0)
        sweep (p);
      bin = g_hash_table_lookup (p->bins, GSIZE_TO_POINTER (size));
      if (bin == NULL)
        {
          /* Remembered even while every buffer of the size is out, so that its
           * buffers are kept when they come back. */
          bin = g_new0 (FitPoolBin, 1);
          g_hash_table_insert (p->bins, GSIZE_TO_POINTER (size), bin);
        }
      bin->last_request = p->clock;
      if (bin->buffers != NULL)
        {
          mem = bin->buffers->data;
          bin->buffers = g_slist_delete_link (bin->buffers, bin->buffers);
          p->cached_bytes -= size;
          p->hits++;
        }
      else
        p->misses++;
      g_mutex_unlock (&p->lock);
    }

  if (mem == NULL)
    {
      mem = aligned_alloc (FIT_CPU_ALIGNMENT, size);
      /* Like g_malloc(): running out of memory is not a recoverable user error. Sizes
       * that come from user input are checked against the data before this point. */
      if (mem == NULL)
        g_error ("fit-glib: out of memory allocating %" G_GSIZE_FORMAT " bytes", size);
      if (size >= FIT_HUGE_PAGE_MIN_BYTES)
        advise_huge_pages (mem, size);
    }
  if (zero)
    memset (mem, 0, size);
  return mem;
}

void
fit_cpu_free (gpointer mem,
              gsize    n_bytes)
{
  FitPool *p = fit_pool_get ();
  gsize size = round_size (MAX (n_bytes, 1));

  if (mem == NULL)
    return;

  if (size >= FIT_POOL_MIN_BYTES)
    {
      g_mutex_lock (&p->lock);
      if (p->cached_bytes + size <= FIT_POOL_MAX_BYTES)
        {
          FitPoolBin *bin = g_hash_table_lookup (p->bins, GSIZE_TO_POINTER (size));

          if (bin == NULL)
            {
              /* Allocated before a sweep forgot the size: it counts as asked for now. */
              bin = g_new0 (FitPoolBin, 1);
              bin->last_request = p->clock;
              g_hash_table_insert (p->bins, GSIZE_TO_POINTER (size), bin);
            }
          bin->buffers = g_slist_prepend (bin->buffers, mem);
          p->cached_bytes += size;
          mem = NULL;
        }
      g_mutex_unlock (&p->lock);
    }
  free (mem);
}

void
fit_cpu_pool_stats (guint64 *hits,
                    guint64 *misses,
                    gsize   *cached_bytes)
{
  FitPool *p = fit_pool_get ();

  g_mutex_lock (&p->lock);
  if (hits)
    *hits = p->hits;
  if (misses)
    *misses = p->misses;
  if (cached_bytes)
    *cached_bytes = p->cached_bytes;
  g_mutex_unlock (&p->lock);
}

void
fit_cpu_pool_trim (void)
{
  FitPool *p = fit_pool_get ();

  g_mutex_lock (&p->lock);
  g_hash_table_foreach_remove (p->bins, drop_bin, p);
  g_mutex_unlock (&p->lock);
}
