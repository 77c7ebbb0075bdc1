/* test-loader.c: FitDataLoader, FitDataIter, FitTensorDataset, FitSubset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <string.h>

/* A C dataset with only get_n_items and get_item, so batches go through the interface's
 * default stacking. Item i is the input [i, 2i] and the label i. */
#define TEST_TYPE_DATASET (test_dataset_get_type ())
G_DECLARE_FINAL_TYPE (TestDataset, test_dataset, TEST, DATASET, GObject)

struct _TestDataset
{
  GObject  parent_instance;
  guint64  n;
  gint64   fail_at;       /* an item that fails, or -1 */
  gint64   odd_at;        /* an item with a different shape, or -1 */
  gint64   empty_rows;    /* > 0: every input is empty, of shape [empty_rows, 0] */
  gulong   delay_us;
  gint     calls;         /* atomic */
};

static void test_dataset_iface_init (FitDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestDataset, test_dataset, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FIT_TYPE_DATASET, test_dataset_iface_init))

static guint64
test_dataset_get_n_items (FitDataset *dataset)
{
  return TEST_DATASET (dataset)->n;
}

static gboolean
test_dataset_get_item (FitDataset  *dataset,
                       guint64      index,
                       FitTensor  **input,
                       FitTensor  **label,
                       GError     **error)
{
  TestDataset *self = TEST_DATASET (dataset);
  float x[3] = { index, 2.0f * index, 0 };
  gint64 y = index;
  gint64 shape[1] = { (gint64) index == self->odd_at ? 3 : 2 };

  g_atomic_int_inc (&self->calls);
  if (self->delay_us > 0)
    g_usleep (self->delay_us);
  if ((gint64) index == self->fail_at)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_IO, "item %" G_GUINT64_FORMAT " is broken", index);
      return FALSE;
    }
  if (self->empty_rows > 0)
    {
      gint64 empty[2] = { self->empty_rows, 0 };

      *input = fit_tensor_new_from_floats (NULL, 0, empty, 2, NULL);
    }
  else
    *input = fit_tensor_new_from_floats (x, shape[0], shape, 1, NULL);
  *label = fit_tensor_new_from_int64s (&y, 1, NULL, 0, NULL);
  return TRUE;
}

static void
test_dataset_iface_init (FitDatasetInterface *iface)
{
  iface->get_n_items = test_dataset_get_n_items;
  iface->get_item = test_dataset_get_item;
}

static void
test_dataset_class_init (TestDatasetClass *klass)
{
}

static void
test_dataset_init (TestDataset *self)
{
  self->fail_at = -1;
  self->odd_at = -1;
}

static TestDataset *
test_dataset_new (guint64 n)
{
  TestDataset *self = g_object_new (TEST_TYPE_DATASET, NULL);

  self->n = n;
  return self;
}

/* A tensor dataset whose item i has input row [i, i + 0.5, i + 0.25] and label i. */
static FitTensorDataset *
tensor_dataset_new (guint n)
{
  g_autofree float *x = g_new (float, n * 3);
  g_autofree gint64 *y = g_new (gint64, n);
  gint64 xs[2] = { n, 3 }, ys[1] = { n };
  g_autoptr(FitTensor) inputs = NULL;
  g_autoptr(FitTensor) labels = NULL;
  g_autoptr(GError) error = NULL;
  FitTensorDataset *ds;

  for (guint i = 0; i < n; i++)
    {
      x[3 * i] = i;
      x[3 * i + 1] = i + 0.5f;
      x[3 * i + 2] = i + 0.25f;
      y[i] = i;
    }
  inputs = fit_tensor_new_from_floats (x, n * 3, xs, 2, &error);
  labels = fit_tensor_new_from_int64s (y, n, ys, 1, &error);
  ds = fit_tensor_dataset_new (inputs, labels, &error);
  g_assert_no_error (error);
  return ds;
}

/* Runs a whole pass and returns the label of every item seen, in order; checks that each
 * input row matches its label and records the batch sizes. */
static GArray *
collect (FitDataLoader *loader,
         guint          epoch,
         guint64        first_batch,
         GArray        *batch_sizes)
{
  g_autoptr(FitDataIter) iter = fit_data_loader_iterate (loader, epoch, first_batch);
  g_autoptr(GError) error = NULL;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  FitTensor *x, *y;

  while (fit_data_iter_next (iter, &x, &y, NULL, &error))
    {
      gint64 b = fit_tensor_get_dim (x, 0);
      const float *xv = fit_tensor_get_data (x);
      const gint64 *yv = fit_tensor_get_data (y);

      g_assert_cmpint (fit_tensor_get_dim (y, 0), ==, b);
      for (gint64 i = 0; i < b; i++)
        {
          g_assert_cmpfloat (xv[i * 3], ==, yv[i]);
          g_assert_cmpfloat (xv[i * 3 + 1], ==, yv[i] + 0.5f);
          g_array_append_val (seen, yv[i]);
        }
      if (batch_sizes != NULL)
        g_array_append_val (batch_sizes, b);
      g_object_unref (x);
      g_object_unref (y);
    }
  g_assert_no_error (error);
  g_assert_null (x);
  return seen;
}

static gboolean
same_order (GArray *a,
            GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (gint64)) == 0;
}

static void
test_loader_coverage (void)
{
  g_autoptr(FitTensorDataset) ds = tensor_dataset_new (10);
  g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (ds), 3);

  fit_data_loader_set_shuffle (loader, TRUE);
  fit_data_loader_set_seed (loader, 11);

  for (guint drop = 0; drop < 2; drop++)
    {
      fit_data_loader_set_drop_last (loader, drop);
      g_assert_cmpuint (fit_data_loader_get_n_batches (loader), ==, drop ? 3 : 4);
      g_assert_cmpuint (fit_data_loader_get_n_samples (loader), ==, drop ? 9 : 10);
      for (guint epoch = 0; epoch < 3; epoch++)
        {
          g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_autoptr(GArray) seen = collect (loader, epoch, 0, sizes);
          gboolean hit[10] = { FALSE, };

          g_assert_cmpuint (seen->len, ==, drop ? 9 : 10);
          g_assert_cmpuint (sizes->len, ==, drop ? 3 : 4);
          for (guint i = 0; i < sizes->len; i++)
            g_assert_cmpint (g_array_index (sizes, gint64, i), ==,
                             i == 3 ? 1 : 3);
          /* Every item at most once, and without drop-last exactly once. */
          for (guint i = 0; i < seen->len; i++)
            {
              gint64 v = g_array_index (seen, gint64, i);

              g_assert_cmpint (v, >=, 0);
              g_assert_cmpint (v, <, 10);
              g_assert_false (hit[v]);
              hit[v] = TRUE;
            }
        }
    }
}

static void
test_loader_determinism (void)
{
  g_autoptr(FitTensorDataset) ds = tensor_dataset_new (50);
  g_autoptr(FitDataLoader) a = fit_data_loader_new (FIT_DATASET (ds), 8);
  g_autoptr(FitDataLoader) b = fit_data_loader_new (FIT_DATASET (ds), 8);
  g_autoptr(FitDataLoader) plain = fit_data_loader_new (FIT_DATASET (ds), 8);
  g_autoptr(GArray) a0 = NULL, a0_again = NULL, b0 = NULL, a1 = NULL, a2 = NULL, p = NULL;

  g_object_set (a, "shuffle", TRUE, "seed", (guint64) 1234, NULL);
  g_object_set (b, "shuffle", TRUE, "seed", (guint64) 1234, NULL);

  a0 = collect (a, 0, 0, NULL);
  a0_again = collect (a, 0, 0, NULL);
  b0 = collect (b, 0, 0, NULL);
  a1 = collect (a, 1, 0, NULL);
  g_assert_true (same_order (a0, a0_again));
  g_assert_true (same_order (a0, b0));
  g_assert_false (same_order (a0, a1));

  fit_data_loader_set_seed (b, 1235);
  g_clear_pointer (&b0, g_array_unref);
  b0 = collect (b, 0, 0, NULL);
  g_assert_false (same_order (a0, b0));

  /* Epoch 2 after epoch 1, or straight away: the order depends on (seed, epoch) only. */
  a2 = collect (a, 2, 0, NULL);
  {
    g_autoptr(FitDataLoader) fresh = fit_data_loader_new (FIT_DATASET (ds), 8);
    g_autoptr(GArray) f2 = NULL;

    g_object_set (fresh, "shuffle", TRUE, "seed", (guint64) 1234, NULL);
    f2 = collect (fresh, 2, 0, NULL);
    g_assert_true (same_order (a2, f2));
  }

  /* Without shuffle, index order. */
  p = collect (plain, 5, 0, NULL);
  for (guint i = 0; i < p->len; i++)
    g_assert_cmpint (g_array_index (p, gint64, i), ==, i);

  /* get_order agrees with the batches. */
  {
    gsize n;
    g_autofree gint64 *order = fit_data_loader_get_order (a, 1, &n);

    g_assert_cmpuint (n, ==, 50);
    g_assert_cmpmem (order, n * sizeof (gint64), a1->data, a1->len * sizeof (gint64));
  }
}

static void
test_loader_resume (void)
{
  g_autoptr(FitTensorDataset) ds = tensor_dataset_new (23);
  g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (ds), 5);

  g_object_set (loader, "shuffle", TRUE, "seed", (guint64) 99, NULL);
  for (guint workers = 0; workers <= 2; workers += 2)
    {
      g_autoptr(GArray) full = NULL, rest = NULL, none = NULL;

      fit_data_loader_set_n_workers (loader, workers);
      full = collect (loader, 3, 0, NULL);
      rest = collect (loader, 3, 2, NULL);
      g_assert_cmpuint (rest->len, ==, full->len - 10);
      g_assert_cmpmem (rest->data, rest->len * sizeof (gint64),
                       (gint64 *) full->data + 10, rest->len * sizeof (gint64));
      none = collect (loader, 3, 100, NULL);
      g_assert_cmpuint (none->len, ==, 0);
    }

  /* The iterator reports its position, the value to resume from. */
  {
    g_autoptr(FitDataIter) iter = fit_data_loader_iterate (loader, 0, 1);
    g_autoptr(FitTensor) x = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (fit_data_iter_get_position (iter), ==, 1);
    g_assert_cmpuint (fit_data_iter_get_n_batches (iter), ==, 5);
    g_assert_cmpuint (fit_data_iter_get_epoch (iter), ==, 0);
    g_assert_true (fit_data_iter_next (iter, &x, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (fit_data_iter_get_position (iter), ==, 2);
  }
}

static GPtrArray *
collect_tensors (FitDataLoader *loader,
                 guint          epoch)
{
  g_autoptr(FitDataIter) iter = fit_data_loader_iterate (loader, epoch, 0);
  g_autoptr(GError) error = NULL;
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);
  FitTensor *x, *y;

  while (fit_data_iter_next (iter, &x, &y, NULL, &error))
    {
      g_ptr_array_add (all, x);
      g_ptr_array_add (all, y);
    }
  g_assert_no_error (error);
  return all;
}

static void
assert_same_batches (GPtrArray *a,
                     GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      FitTensor *ta = a->pdata[i], *tb = b->pdata[i];

      g_assert_cmpint (fit_tensor_get_dtype (ta), ==, fit_tensor_get_dtype (tb));
      g_assert_cmpmem (fit_tensor_get_data (ta), fit_tensor_get_n_bytes (ta),
                       fit_tensor_get_data (tb), fit_tensor_get_n_bytes (tb));
    }
}

static void
test_loader_workers_match_sync (void)
{
  g_autoptr(FitTensorDataset) ds = NULL;
  g_autoptr(FitDataLoader) loader = NULL;
  g_autoptr(FitTransform) flip = fit_random_horizontal_flip_new (0.5);
  g_autoptr(FitTransform) onehot = fit_one_hot_new (40);
  g_autoptr(GPtrArray) sync = NULL;

  ds = tensor_dataset_new (37);
  loader = fit_data_loader_new (FIT_DATASET (ds), 4);
  g_object_set (loader, "shuffle", TRUE, "seed", (guint64) 7, "transform", flip,
                "label-transform", onehot, NULL);
  sync = collect_tensors (loader, 1);
  g_assert_cmpuint (sync->len, ==, 20);

  for (guint workers = 1; workers <= 4; workers++)
    for (guint factor = 1; factor <= 3; factor += 2)
      {
        g_autoptr(GPtrArray) pre = NULL;

        g_object_set (loader, "n-workers", workers, "prefetch-factor", factor, NULL);
        pre = collect_tensors (loader, 1);
        assert_same_batches (sync, pre);
      }

  /* A C dataset without a batch fast path, slow enough that workers overlap. */
  {
    g_autoptr(TestDataset) slow = test_dataset_new (30);
    g_autoptr(FitDataLoader) l = fit_data_loader_new (FIT_DATASET (slow), 4);
    g_autoptr(GPtrArray) s = NULL, w = NULL;

    slow->delay_us = 200;
    g_object_set (l, "shuffle", TRUE, "seed", (guint64) 3, NULL);
    s = collect_tensors (l, 0);
    fit_data_loader_set_n_workers (l, 3);
    w = collect_tensors (l, 0);
    assert_same_batches (s, w);
    g_assert_cmpint (fit_tensor_get_dim (s->pdata[0], 1), ==, 2);
  }
}

static void
test_loader_errors (void)
{
  g_autoptr(TestDataset) ds = test_dataset_new (10);
  g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (ds), 4);

  ds->fail_at = 5;
  for (guint workers = 0; workers <= 2; workers += 2)
    {
      g_autoptr(FitDataIter) iter = NULL;
      g_autoptr(GError) error = NULL;
      FitTensor *x = NULL, *y = NULL;

      fit_data_loader_set_n_workers (loader, workers);
      iter = fit_data_loader_iterate (loader, 0, 0);
      g_assert_true (fit_data_iter_next (iter, &x, &y, NULL, &error));
      g_clear_object (&x);
      g_clear_object (&y);
      /* Batch 1 holds item 5: the dataset's own error comes through. */
      g_assert_false (fit_data_iter_next (iter, &x, &y, NULL, &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_IO);
      g_assert_null (x);
      g_clear_error (&error);
      /* The pass goes on with the next batch. */
      g_assert_true (fit_data_iter_next (iter, &x, &y, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (fit_tensor_get_dim (x, 0), ==, 2);
      g_clear_object (&x);
      g_clear_object (&y);
      g_assert_false (fit_data_iter_next (iter, &x, &y, NULL, &error));
      g_assert_no_error (error);
    }

  /* Items of different shapes in one batch. */
  {
    g_autoptr(FitTensor) x = NULL, y = NULL;
    g_autoptr(GError) error = NULL;
    gint64 idx[3] = { 0, 1, 2 };

    ds->fail_at = -1;
    ds->odd_at = 2;
    g_assert_false (fit_dataset_get_batch (FIT_DATASET (ds), idx, 3, &x, &y, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "item 2"));
    g_clear_error (&error);

    idx[2] = 10;
    g_assert_false (fit_dataset_get_batch (FIT_DATASET (ds), idx, 3, &x, &y, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    g_assert_false (fit_dataset_get_item (FIT_DATASET (ds), 10, &x, &y, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* Empty items of [2^59, 0] are valid tensors, but 16 of them stacked are not: the
   * product of the non-zero sizes overflows. */
  {
    g_autoptr(FitTensor) x = NULL, y = NULL;
    g_autoptr(GError) error = NULL;
    gint64 idx[16] = { 0, };

    ds->odd_at = -1;
    ds->empty_rows = G_GINT64_CONSTANT (1) << 59;
    g_assert_false (fit_dataset_get_batch (FIT_DATASET (ds), idx, 16, &x, &y, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "TestDataset: a batch of 16 items"));
    g_assert_null (x);
    ds->empty_rows = 0;
  }

  /* A dataset of 2^59 empty items (an .npy file of shape (2^59, 0) holds no data): its
   * visiting order would take 4 EiB, so the pass fails with an error instead of the
   * allocation aborting, with and without workers. */
  {
    const gint64 shape[] = { G_GINT64_CONSTANT (1) << 59, 0 };
    g_autoptr(FitTensor) empty = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 2);
    g_autoptr(GError) make_error = NULL;
    g_autoptr(FitTensorDataset) huge = fit_tensor_dataset_new (empty, NULL, &make_error);
    g_autoptr(FitDataLoader) huge_loader = NULL;

    g_assert_no_error (make_error);
    huge_loader = fit_data_loader_new (FIT_DATASET (huge), 64);
    fit_data_loader_set_shuffle (huge_loader, TRUE);
    for (guint workers = 0; workers <= 2; workers += 2)
      {
        g_autoptr(FitDataIter) iter = NULL;
        g_autoptr(GError) error = NULL;
        FitTensor *x = NULL, *y = NULL;

        fit_data_loader_set_n_workers (huge_loader, workers);
        iter = fit_data_loader_iterate (huge_loader, 0, 0);
        g_assert_false (fit_data_iter_next (iter, &x, &y, NULL, &error));
        g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull (strstr (error->message, "576460752303423488 items"));
        g_assert_null (x);
      }
  }
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_thread (gpointer data)
{
  g_usleep (50000);
  cancel_later (data);
  return NULL;
}

static void
test_loader_cancel (void)
{
  g_autoptr(TestDataset) ds = test_dataset_new (40);
  g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (ds), 4);

  for (guint workers = 0; workers <= 2; workers += 2)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(FitDataIter) iter = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FitTensor) x = NULL;

      fit_data_loader_set_n_workers (loader, workers);
      iter = fit_data_loader_iterate (loader, 0, 0);
      g_cancellable_cancel (cancellable);
      g_assert_false (fit_data_iter_next (iter, &x, NULL, cancellable, &error));
      g_assert_error (error, FIT_ERROR, FIT_ERROR_CANCELLED);
      g_assert_null (x);
      /* The batch stays next. */
      g_clear_error (&error);
      g_assert_true (fit_data_iter_next (iter, &x, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (((const float *) fit_tensor_get_data (x))[0], ==, 0);
    }

  /* Cancelled from another thread while waiting for a slow worker. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(FitDataIter) iter = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(FitTensor) x = NULL;
    GThread *thread;
    gint64 start;

    ds->delay_us = 2000000 / 4;   /* two seconds per batch */
    fit_data_loader_set_n_workers (loader, 1);
    iter = fit_data_loader_iterate (loader, 0, 0);
    thread = g_thread_new ("cancel", cancel_thread, cancellable);
    start = g_get_monotonic_time ();
    g_assert_false (fit_data_iter_next (iter, &x, NULL, cancellable, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_CANCELLED);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 1500000);
    g_thread_join (thread);
    ds->delay_us = 0;
  }
}

static gpointer
stop_thread (gpointer data)
{
  g_usleep (50000);
  fit_data_iter_stop (data);
  return NULL;
}

static void
test_loader_stop (void)
{
  g_autoptr(TestDataset) ds = test_dataset_new (400);
  g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (ds), 2);
  g_autoptr(GError) error = NULL;
  FitDataIter *iter;
  FitTensor *x = NULL;
  gint calls;

  ds->delay_us = 1000;
  g_object_set (loader, "n-workers", 3, "prefetch-factor", 2, NULL);
  iter = fit_data_loader_iterate (loader, 0, 0);
  g_assert_true (fit_data_iter_next (iter, &x, NULL, NULL, &error));
  g_clear_object (&x);

  /* Dropping the iterator mid-epoch joins the workers: no call happens afterwards, and
   * the bounded queue kept them from running far ahead. */
  g_object_unref (iter);
  calls = g_atomic_int_get (&ds->calls);
  g_assert_cmpint (calls, <=, 2 * (1 + 3 * 2 + 3));
  g_usleep (20000);
  g_assert_cmpint (g_atomic_int_get (&ds->calls), ==, calls);

  /* An explicit stop ends the pass. */
  iter = fit_data_loader_iterate (loader, 0, 0);
  fit_data_iter_stop (iter);
  g_assert_false (fit_data_iter_next (iter, &x, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (x);
  g_object_unref (iter);

  /* A stop from another thread ends a wait for a slow worker, without an error. */
  {
    g_autoptr(FitDataIter) it = NULL;
    GThread *thread;
    gint64 start;

    ds->delay_us = 500000;   /* one second per batch */
    fit_data_loader_set_n_workers (loader, 1);
    it = fit_data_loader_iterate (loader, 0, 0);
    thread = g_thread_new ("stop", stop_thread, it);
    start = g_get_monotonic_time ();
    g_assert_false (fit_data_iter_next (it, &x, NULL, NULL, &error));
    g_assert_cmpint (g_get_monotonic_time () - start, <, 900000);
    g_assert_no_error (error);
    g_assert_null (x);
    /* The join waits for the worker to finish the batch it is building. */
    g_thread_join (thread);
    ds->delay_us = 0;
  }

  /* The loader may go before its iterator. */
  {
    g_autoptr(FitDataLoader) l = fit_data_loader_new (FIT_DATASET (ds), 2);
    g_autoptr(FitDataIter) it = NULL;

    ds->delay_us = 0;
    fit_data_loader_set_n_workers (l, 2);
    it = fit_data_loader_iterate (l, 0, 0);
    g_clear_object (&l);
    g_assert_true (fit_data_iter_next (it, &x, NULL, NULL, &error));
    g_clear_object (&x);
  }
}

static void
test_tensor_dataset (void)
{
  g_autoptr(FitTensorDataset) ds = tensor_dataset_new (6);
  g_autoptr(FitTensor) x = NULL, y = NULL, bad = NULL, unlabeled_x = NULL;
  g_autoptr(GError) error = NULL;
  gint64 shape[1] = { 5 };

  g_assert_true (fit_dataset_get_item (FIT_DATASET (ds), 4, &x, &y, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fit_tensor_get_n_dims (x), ==, 1);
  g_assert_cmpfloat (((const float *) fit_tensor_get_data (x))[1], ==, 4.5f);
  g_assert_cmpint (*(const gint64 *) fit_tensor_get_data (y), ==, 4);

  bad = fit_tensor_new_zeros (FIT_DTYPE_INT64, shape, 1);
  g_assert_null (fit_tensor_dataset_new (fit_tensor_dataset_get_inputs (ds), bad, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);
  g_clear_object (&bad);
  bad = fit_tensor_new_scalar (FIT_DTYPE_FLOAT32, 1);
  g_assert_null (fit_tensor_dataset_new (bad, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_clear_error (&error);

  /* Unlabelled: batches have no labels. */
  {
    g_autoptr(FitTensorDataset) u =
      fit_tensor_dataset_new (fit_tensor_dataset_get_inputs (ds), NULL, &error);
    g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (u), 4);
    g_autoptr(FitDataIter) iter = fit_data_loader_iterate (loader, 0, 0);
    FitTensor *bx, *by;

    g_assert_no_error (error);
    g_assert_true (fit_data_iter_next (iter, &bx, &by, NULL, &error));
    g_assert_null (by);
    g_assert_cmpint (fit_tensor_get_dim (bx, 0), ==, 4);
    g_object_unref (bx);
  }
}

static void
test_subset_split (void)
{
  g_autoptr(FitTensorDataset) ds = tensor_dataset_new (20);
  g_autoptr(GError) error = NULL;
  guint64 sizes[3] = { 10, 6, 4 };
  g_autoptr(GListModel) parts = fit_dataset_random_split (FIT_DATASET (ds), sizes, 3, 5, &error);
  g_autoptr(GListModel) again = fit_dataset_random_split (FIT_DATASET (ds), sizes, 3, 5, &error);
  g_autoptr(GListModel) other = fit_dataset_random_split (FIT_DATASET (ds), sizes, 3, 6, &error);
  gboolean seen[20] = { FALSE, };
  gboolean differs = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (parts), ==, 3);
  for (guint p = 0; p < 3; p++)
    {
      g_autoptr(FitSubset) part = g_list_model_get_item (parts, p);
      g_autoptr(FitSubset) part2 = g_list_model_get_item (again, p);
      g_autoptr(FitSubset) part3 = g_list_model_get_item (other, p);
      gsize n, n2, n3;
      const gint64 *idx = fit_subset_get_indices (part, &n);
      const gint64 *idx2 = fit_subset_get_indices (part2, &n2);
      const gint64 *idx3 = fit_subset_get_indices (part3, &n3);

      g_assert_cmpuint (n, ==, sizes[p]);
      g_assert_cmpuint (fit_dataset_get_n_items (FIT_DATASET (part)), ==, sizes[p]);
      g_assert_cmpmem (idx, n * 8, idx2, n2 * 8);
      differs |= memcmp (idx, idx3, n * 8) != 0;
      for (gsize i = 0; i < n; i++)
        {
          g_assert_false (seen[idx[i]]);
          seen[idx[i]] = TRUE;
        }
    }
  g_assert_true (differs);

  /* A subset's batches are the parent's items at its indices. */
  {
    g_autoptr(FitSubset) part = g_list_model_get_item (parts, 1);
    g_autoptr(FitDataLoader) loader = fit_data_loader_new (FIT_DATASET (part), 6);
    g_autoptr(GArray) labels = collect (loader, 0, 0, NULL);
    gsize n;
    const gint64 *idx = fit_subset_get_indices (part, &n);

    g_assert_cmpmem (labels->data, labels->len * 8, idx, n * 8);
  }

  {
    g_autoptr(FitSubset) train = NULL, val = NULL;

    g_assert_true (fit_dataset_random_split_fraction (FIT_DATASET (ds), 0.8, 1, &train, &val,
                                                      &error));
    g_assert_no_error (error);
    g_assert_cmpuint (fit_dataset_get_n_items (FIT_DATASET (train)), ==, 16);
    g_assert_cmpuint (fit_dataset_get_n_items (FIT_DATASET (val)), ==, 4);
    g_assert_false (fit_dataset_random_split_fraction (FIT_DATASET (ds), 1.5, 1, NULL, NULL,
                                                       &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  sizes[0] = 11;
  g_assert_null (fit_dataset_random_split (FIT_DATASET (ds), sizes, 3, 5, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  {
    gint64 bad[2] = { 3, 20 };

    g_assert_null (fit_subset_new (FIT_DATASET (ds), bad, 2, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/DataLoader/coverage", test_loader_coverage);
  g_test_add_func ("/Fit/DataLoader/determinism", test_loader_determinism);
  g_test_add_func ("/Fit/DataLoader/resume", test_loader_resume);
  g_test_add_func ("/Fit/DataLoader/workers-match-sync", test_loader_workers_match_sync);
  g_test_add_func ("/Fit/DataLoader/errors", test_loader_errors);
  g_test_add_func ("/Fit/DataLoader/cancel", test_loader_cancel);
  g_test_add_func ("/Fit/DataLoader/stop", test_loader_stop);
  g_test_add_func ("/Fit/TensorDataset/basics", test_tensor_dataset);
  g_test_add_func ("/Fit/Subset/random-split", test_subset_split);

  return g_test_run ();
}
