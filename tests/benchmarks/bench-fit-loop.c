/* bench-fit-loop.c: the cost of the fit loop against a hand-written loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Trains the same MLP on the same batches (synchronous loader, no shuffling) with
 *
 *   hand          a hand-written loop: forward, loss, backward, SGD step, zero grad
 *   hand+metrics  the same plus the work the default metric handler does (the mean loss
 *                 and accuracy updates)
 *   fit           fit_estimator_fit with its default handlers (metrics, history)
 *   fit+handler   plus a C handler object overriding batch-end
 *   fit+callback  plus a C signal callback on batch-end (the signal is then emitted)
 *
 * and prints us per batch for each and the differences that are the loop's own cost:
 * fit - hand+metrics is signals, handler dispatch and bookkeeping. Each figure is the
 * best of several runs. Two sizes: a tiny MLP, where the loop's cost shows, and a
 * 784-128-10 MLP at batch 64, where it should vanish in the GEMMs.
 *
 *   meson test -C build --benchmark fit-loop -v     (or run build/tests/benchmarks/bench-fit-loop)
 */

#include <fit-glib/fit-glib.h>
#include <math.h>

#define REPEATS 5

typedef struct
{
  const char *name;
  gint64      in, hidden, out, batch, n_batches;
} Size;

static const Size sizes[] = {
  { "tiny 16-32-4, batch 16", 16, 32, 4, 16, 200 },
  { "mnist-like 784-128-10, batch 64", 784, 128, 10, 64, 40 },
};

typedef struct
{
  FitDataLoader *loader;
  FitModule     *net;
  FitLoss       *loss;
  FitOptimizer  *sgd;
} Setup;

static FitDataLoader *
make_loader (const Size *s)
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  gint64 n = s->batch * s->n_batches;
  gint64 xs[2] = { n, s->in }, ys[1] = { n };
  g_autoptr(FitTensor) x = fit_tensor_new_normal (rng, FIT_DTYPE_FLOAT32, xs, 2, 0, 1);
  g_autofree gint64 *labels = g_new (gint64, n);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;

  for (gint64 i = 0; i < n; i++)
    labels[i] = i % s->out;
  y = fit_tensor_new_from_int64s (labels, n, ys, 1, NULL);
  ds = fit_tensor_dataset_new (x, y, NULL);
  return fit_data_loader_new (FIT_DATASET (ds), (guint) s->batch);
}

static void
setup_init (Setup      *st,
            const Size *s)
{
  g_autoptr(FitRng) rng = fit_rng_new (2);
  FitModule *layers[3];
  g_autoptr(GPtrArray) params = NULL;

  layers[0] = FIT_MODULE (fit_linear_new (s->in, s->hidden, TRUE, rng));
  layers[1] = FIT_MODULE (fit_relu_new ());
  layers[2] = FIT_MODULE (fit_linear_new (s->hidden, s->out, TRUE, rng));
  st->net = FIT_MODULE (fit_sequential_new_from_modules (layers, 3));
  for (guint i = 0; i < 3; i++)
    g_object_unref (layers[i]);
  st->loss = fit_cross_entropy_loss_new ();
  params = fit_module_get_parameters (st->net);
  st->sgd = fit_sgd_new ((FitTensor **) params->pdata, params->len, 0.01, 0.0);
  st->loader = make_loader (s);
}

static void
setup_clear (Setup *st)
{
  g_clear_object (&st->net);
  g_clear_object (&st->loss);
  g_clear_object (&st->sgd);
  g_clear_object (&st->loader);
}

static void
hand_loop (Setup    *st,
           gboolean  with_metrics)
{
  g_autoptr(FitDataIter) iter = fit_data_loader_iterate (st->loader, 0, 0);
  g_autoptr(FitMetric) mean = fit_mean_loss_new ();
  g_autoptr(FitMetric) acc = fit_accuracy_new ();
  FitTensor *x = NULL, *y = NULL;

  while (fit_data_iter_next (iter, &x, &y, NULL, NULL))
    {
      g_autoptr(FitTensor) out = fit_module_forward (st->net, x, NULL);
      g_autoptr(FitTensor) loss = fit_loss_compute (st->loss, out, y, NULL);
      double value;

      fit_tensor_backward (loss, NULL);
      fit_optimizer_step (st->sgd, NULL);
      fit_module_zero_grad (st->net);
      fit_tensor_item (loss, &value, NULL);
      if (with_metrics)
        {
          fit_mean_loss_update_value (FIT_MEAN_LOSS (mean), value, fit_tensor_get_dim (x, 0));
          fit_metric_update (acc, out, y, NULL);
        }
      g_clear_object (&x);
      g_clear_object (&y);
    }
}

typedef struct
{
  FitEventHandler parent_instance;
  guint64         batches;
} Counter;
typedef FitEventHandlerClass CounterClass;
static GType counter_get_type (void);
G_DEFINE_TYPE (Counter, counter, FIT_TYPE_EVENT_HANDLER)

static gboolean
counter_batch_end (FitEventHandler  *h,
                   FitEstimator     *est,
                   GError          **error)
{
  ((Counter *) h)->batches++;
  return TRUE;
}

static void
counter_class_init (CounterClass *klass)
{
  klass->batch_end = counter_batch_end;
}

static void
counter_init (Counter *self)
{
}

static void
on_batch_end (FitEstimator *est,
              gpointer      data)
{
  (*(guint64 *) data)++;
}

typedef enum { FIT_PLAIN, FIT_HANDLER, FIT_CALLBACK } FitKind;

static void
fit_loop (Setup   *st,
          FitKind  kind)
{
  g_autoptr(FitEstimator) est = fit_estimator_new (st->net, st->loss, st->sgd);
  g_autoptr(FitEventHandler) counter = g_object_new (counter_get_type (), NULL);
  guint64 calls = 0;
  g_autoptr(GError) error = NULL;

  if (kind == FIT_HANDLER)
    fit_estimator_add_handler (est, counter, NULL);
  if (kind == FIT_CALLBACK)
    g_signal_connect (est, "batch-end", G_CALLBACK (on_batch_end), &calls);
  if (!fit_estimator_fit (est, st->loader, NULL, 1, NULL, &error))
    g_error ("fit failed: %s", error->message);
}

/* Best of REPEATS, in us per batch. */
static double
time_it (const Size *s,
         Setup      *st,
         int         which)
{
  double best = INFINITY;

  for (int r = 0; r < REPEATS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();

      switch (which)
        {
        case 0:
          hand_loop (st, FALSE);
          break;
        case 1:
          hand_loop (st, TRUE);
          break;
        default:
          fit_loop (st, (FitKind) (which - 2));
          break;
        }
      best = MIN (best, (double) (g_get_monotonic_time () - t0) / s->n_batches);
    }
  return best;
}

int
main (int    argc,
      char **argv)
{
  static const char * const names[] = { "hand", "hand+metrics", "fit", "fit+handler",
                                        "fit+callback" };

  g_print ("# fit loop against a hand-written loop, us per batch (best of %d)\n", REPEATS);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      Setup st = { 0 };
      double t[5];

      setup_init (&st, &sizes[i]);
      hand_loop (&st, TRUE);   /* warm up the allocator pool and BLAS */
      for (int w = 0; w < 5; w++)
        t[w] = time_it (&sizes[i], &st, w);
      g_print ("%s:\n", sizes[i].name);
      for (int w = 0; w < 5; w++)
        g_print ("  %-14s %9.2f us/batch\n", names[w], t[w]);
      g_print ("  fit - hand+metrics      %+8.2f us/batch (signals, dispatch, bookkeeping)\n",
               t[2] - t[1]);
      g_print ("  fit - hand              %+8.2f us/batch (the above and the metrics)\n",
               t[2] - t[0]);
      g_print ("  C handler object        %+8.2f us/batch\n", t[3] - t[2]);
      g_print ("  C signal callback       %+8.2f us/batch\n", t[4] - t[2]);
      setup_clear (&st);
    }
  return 0;
}
