/* fit-data-iter.c: one pass of a data loader over its dataset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Workers claim batch indices in order from a shared counter and leave each finished
 * batch in slot (index % depth) of a ring; the consumer takes the slots in order. A
 * worker may claim batch b only while b < position + depth, which both bounds the queue
 * and guarantees that slot b % depth has been emptied. Which worker builds a batch does
 * not matter: a batch is a pure function of the plan and its index.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "fit-glib/data/fit-data-iter.h"
#include "fit-glib/data/fit-data-private.h"

/**
 * FitDataIter:
 *
 * One pass over an epoch of a [class@Fit.DataLoader], from
 * [method@Fit.DataLoader.iterate].
 *
 * Call [method@Fit.DataIter.next] until it returns %FALSE. When the loader has workers,
 * they run until the pass ends, the iterator is stopped with [method@Fit.DataIter.stop],
 * or its last reference is dropped; stopping joins them, so no thread outlives the
 * iterator. In garbage-collected languages call `stop()` when leaving a loop early.
 *
 * Since: 1.0
 */

typedef struct
{
  guint64    index;
  gboolean   ready;
  FitTensor *inputs;
  FitTensor *labels;
  GError    *error;
} Slot;

struct _FitDataIter
{
  GObject         parent_instance;
  FitLoaderPlan  *plan;
  guint64         position;       /* the next batch the consumer takes */

  /* prefetch; everything below is guarded by lock */
  GMutex          lock;
  GCond           cond;
  GThread       **workers;
  guint           n_workers;
  guint           depth;
  Slot           *slots;
  guint64         next_claim;     /* the next batch a worker builds */
  gboolean        stopping;
};

G_DEFINE_FINAL_TYPE (FitDataIter, fit_data_iter, G_TYPE_OBJECT)

static void
slot_clear (Slot *slot)
{
  g_clear_object (&slot->inputs);
  g_clear_object (&slot->labels);
  g_clear_error (&slot->error);
  slot->ready = FALSE;
}

static gpointer
worker_main (gpointer data)
{
  FitDataIter *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stopping && self->next_claim < self->plan->n_batches)
    {
      guint64 index;
      FitTensor *x = NULL, *y = NULL;
      GError *error = NULL;
      Slot *slot;

      if (self->next_claim >= self->position + self->depth)
        {
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }
      index = self->next_claim++;
      g_mutex_unlock (&self->lock);

      fit_loader_plan_produce (self->plan, index, &x, &y, &error);

      g_mutex_lock (&self->lock);
      slot = &self->slots[index % self->depth];
      slot->index = index;
      slot->inputs = x;
      slot->labels = y;
      slot->error = error;
      slot->ready = TRUE;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
fit_data_iter_dispose (GObject *object)
{
  fit_data_iter_stop (FIT_DATA_ITER (object));
  G_OBJECT_CLASS (fit_data_iter_parent_class)->dispose (object);
}

static void
fit_data_iter_finalize (GObject *object)
{
  FitDataIter *self = FIT_DATA_ITER (object);

  g_clear_pointer (&self->plan, fit_loader_plan_unref);
  g_free (self->slots);
  g_free (self->workers);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (fit_data_iter_parent_class)->finalize (object);
}

static void
fit_data_iter_class_init (FitDataIterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_data_iter_dispose;
  object_class->finalize = fit_data_iter_finalize;
}

static void
fit_data_iter_init (FitDataIter *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

FitDataIter *
fit_data_iter_new (FitLoaderPlan *plan,
                   guint64        first_batch,
                   guint          n_workers,
                   guint          prefetch_factor)
{
  FitDataIter *self = g_object_new (FIT_TYPE_DATA_ITER, NULL);

  self->plan = fit_loader_plan_ref (plan);
  self->position = MIN (first_batch, plan->n_batches);
  self->next_claim = self->position;

  /* No point in more threads than batches left. */
  n_workers = (guint) MIN ((guint64) n_workers, plan->n_batches - self->position);
  if (n_workers > 0)
    {
      self->depth = MAX (n_workers * MAX (prefetch_factor, 1), 2);
      self->slots = g_new0 (Slot, self->depth);
      self->workers = g_new0 (GThread *, n_workers);
      for (guint i = 0; i < n_workers; i++)
        {
          g_autoptr(GError) error = NULL;
          GThread *thread = g_thread_try_new ("fit-data-worker", worker_main, self, &error);

          /* Fewer threads than asked is fine; with none, batches are built on demand. */
          if (thread == NULL)
            {
              g_warning (_("Could not start a data loader worker: %s"), error->message);
              break;
            }
          self->workers[self->n_workers++] = thread;
        }
    }
  return self;
}

typedef enum
{
  WAIT_GOT,
  WAIT_CANCELLED,
  WAIT_STOPPED,
} WaitResult;

/* Waits for batch @index, unless @cancellable fires or another thread stops the
 * iterator first (its workers would never deliver the batch). */
static WaitResult
wait_for_slot (FitDataIter  *self,
               guint64       index,
               GCancellable *cancellable,
               Slot         *out)
{
  Slot *slot = &self->slots[index % self->depth];
  WaitResult result;

  g_mutex_lock (&self->lock);
  while (!(slot->ready && slot->index == index) && !self->stopping &&
         !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&self->cond, &self->lock);
  if (self->stopping)
    result = WAIT_STOPPED;
  else if (slot->ready && slot->index == index)
    {
      *out = *slot;
      memset (slot, 0, sizeof *slot);
      self->position = index + 1;
      g_cond_broadcast (&self->cond);
      result = WAIT_GOT;
    }
  else
    result = WAIT_CANCELLED;
  g_mutex_unlock (&self->lock);
  return result;
}

static void
wake_on_cancel (GCancellable *cancellable,
                gpointer      data)
{
  FitDataIter *self = data;

  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gboolean
set_cancelled (GError **error)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_CANCELLED, _("Loading the data was cancelled"));
  return FALSE;
}

/**
 * fit_data_iter_next:
 * @self: an iterator
 * @inputs: (out) (transfer full) (optional) (nullable): the batch's inputs, `[B, …]`
 * @labels: (out) (transfer full) (optional) (nullable): the batch's labels, or %NULL for
 *   an unlabelled dataset
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Takes the next batch, waiting for a worker to finish it when prefetching.
 *
 * At the end of the epoch (or after [method@Fit.DataIter.stop]) it returns %FALSE with
 * *@inputs set to %NULL and no error. When the dataset or a transform fails, it returns
 * %FALSE with @error set; the next call goes on with the following batch. When
 * @cancellable is cancelled, it returns %FALSE with %FIT_ERROR_CANCELLED and the batch
 * stays next.
 *
 * Returns: %TRUE when a batch was returned
 *
 * Since: 1.0
 */
gboolean
fit_data_iter_next (FitDataIter   *self,
                    FitTensor    **inputs,
                    FitTensor    **labels,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Slot slot = { 0, };
  gulong handler = 0;
  WaitResult got;

  g_return_val_if_fail (FIT_IS_DATA_ITER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (inputs != NULL)
    *inputs = NULL;
  if (labels != NULL)
    *labels = NULL;

  if (self->position >= self->plan->n_batches)
    return FALSE;
  if (g_cancellable_is_cancelled (cancellable))
    return set_cancelled (error);

  if (self->n_workers == 0)
    {
      gboolean stopping;

      g_mutex_lock (&self->lock);
      stopping = self->stopping;
      g_mutex_unlock (&self->lock);
      if (stopping)
        return FALSE;
      if (!fit_loader_plan_produce (self->plan, self->position, &slot.inputs, &slot.labels,
                                    error))
        {
          self->position++;
          return FALSE;
        }
      self->position++;
    }
  else
    {
      if (cancellable != NULL)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_on_cancel), self, NULL);
      got = wait_for_slot (self, self->position, cancellable, &slot);
      if (handler != 0)
        g_cancellable_disconnect (cancellable, handler);
      if (got == WAIT_STOPPED)
        return FALSE;
      if (got == WAIT_CANCELLED)
        return set_cancelled (error);
      if (slot.error != NULL)
        {
          g_propagate_error (error, slot.error);
          return FALSE;
        }
    }

  if (inputs != NULL)
    *inputs = slot.inputs;
  else
    g_clear_object (&slot.inputs);
  if (labels != NULL)
    *labels = slot.labels;
  else
    g_clear_object (&slot.labels);
  return TRUE;
}

/**
 * fit_data_iter_stop:
 * @self: an iterator
 *
 * Ends the pass early: stops the workers, waits for them to finish the batches they are
 * building, and frees the prefetched batches. Later calls to [method@Fit.DataIter.next]
 * return %FALSE, and so does one waiting in another thread. Dropping the last reference
 * does the same.
 *
 * Since: 1.0
 */
void
fit_data_iter_stop (FitDataIter *self)
{
  g_return_if_fail (FIT_IS_DATA_ITER (self));

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < self->n_workers; i++)
    g_clear_pointer (&self->workers[i], g_thread_join);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->depth; i++)
    slot_clear (&self->slots[i]);
  g_mutex_unlock (&self->lock);
}

/**
 * fit_data_iter_get_epoch:
 * @self: an iterator
 *
 * Gets the epoch this iterator passes over.
 *
 * Returns: the epoch this iterator passes over
 *
 * Since: 1.0
 */
guint
fit_data_iter_get_epoch (FitDataIter *self)
{
  g_return_val_if_fail (FIT_IS_DATA_ITER (self), 0);
  return self->plan->epoch;
}

/**
 * fit_data_iter_get_position:
 * @self: an iterator
 *
 * Gets the index of the batch that the next call to [method@Fit.DataIter.next] returns;
 * after a batch it is the number of batches of the epoch consumed so far, the value to
 * resume from.
 *
 * Returns: the index of the batch that the next call to [method@Fit.DataIter.next]
 *   returns; after a batch it is the number of batches of the epoch consumed so far,
 *   the value to resume from
 *
 * Since: 1.0
 */
guint64
fit_data_iter_get_position (FitDataIter *self)
{
  g_return_val_if_fail (FIT_IS_DATA_ITER (self), 0);
  return self->position;
}

/**
 * fit_data_iter_get_n_batches:
 * @self: an iterator
 *
 * Gets the number of batches in the whole epoch, counting any skipped at the start.
 *
 * Returns: the number of batches in the whole epoch, counting any skipped at the start
 *
 * Since: 1.0
 */
guint64
fit_data_iter_get_n_batches (FitDataIter *self)
{
  g_return_val_if_fail (FIT_IS_DATA_ITER (self), 0);
  return self->plan->n_batches;
}
