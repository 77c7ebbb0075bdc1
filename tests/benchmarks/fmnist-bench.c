/* fmnist-bench.c: fit-glib's side of the PyTorch comparison on Fashion-MNIST
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Trains one of the comparison's workloads and prints, per epoch, the train loss, the
 * training time, samples/s, µs/step and the test accuracy; the last line is one JSON
 * object with the same keys as tests/benchmarks/compare/torch_workloads.py prints, so
 * tests/benchmarks/compare/run.py can put both in one table.
 *
 *   mlp   784-512-256-10 ReLU, batch 64, SGD lr 0.05 momentum 0.9
 *   tiny  784-32-10 ReLU, batch 16, lr 0.01 (per-step overhead)
 *   cnn   conv3x3 1→8→16→32 ReLU, global average pool, linear 32→10, batch 64, lr 0.1
 *   wide  784-2048-2048-10 ReLU, batch 256, lr 0.05 (the GEMMs dominate)
 *
 * By default the loop is FitEstimator.fit with its default handlers (mean loss and
 * accuracy metrics, history) and no progress output; --hand-loop runs the same forward,
 * loss, backward, SGD step, zero-grad and metric updates (the same FitMeanLoss and
 * FitAccuracy objects) by hand, which is the yardstick for the fit loop's own cost;
 * --hand-loop --no-metrics leaves the metrics out, as PyTorch's loop does. Timed per
 * epoch: the training batches only (shuffle, batch gather, forward, backward, step), as
 * in the PyTorch script; the test accuracy after each epoch is computed outside the
 * timed part.
 *
 *   meson test -C build --benchmark fmnist -v         (a short MLP run)
 *   build/tests/benchmarks/fmnist-bench --model mlp --epochs 3 --threads 1
 */

#include <fit-glib/fit-glib.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define SKIPPED 77

typedef struct
{
  const char *model;
  const char *data_dir;
  int       epochs;
  int       batch_size;
  int       threads;
  int       blas_threads;
  int       limit;
  int       test_limit;
  int       workers;
  double    lr;
  double    momentum;
  gint64    seed;
  gboolean  hand_loop;
  gboolean  no_metrics;
} Options;

typedef struct
{
  double epoch_s;
  double loss;
  double test_acc;
} EpochResult;

typedef struct
{
  Options       *opts;
  FitModule     *net;
  FitTensor     *test_x;
  FitTensor     *test_y;
  GArray        *results;      /* EpochResult */
  guint64        n_train;
  guint64        steps;
  gint64         started;
  GError        *error;
} Run;

/* Appends and drops the caller's reference, so that modules are built (and their
 * weights drawn from the generator) in the order written, which function arguments
 * would not guarantee. */
static void
append (FitSequential *seq,
        gpointer       module)
{
  fit_sequential_append (seq, module);
  g_object_unref (module);
}

static FitModule *
make_mlp (const gint64 *widths,
          guint         n_widths,
          FitRng       *rng)
{
  FitSequential *seq = fit_sequential_new ();

  append (seq, fit_flatten_new (1, -1));
  for (guint i = 0; i + 1 < n_widths; i++)
    {
      if (i > 0)
        append (seq, fit_relu_new ());
      append (seq, fit_linear_new (widths[i], widths[i + 1], TRUE, rng));
    }
  return FIT_MODULE (seq);
}

static FitModule *
make_cnn (FitRng *rng)
{
  FitSequential *seq = fit_sequential_new ();

  append (seq, fit_conv2d_new (1, 8, 3, 1, 0, rng));
  append (seq, fit_relu_new ());
  append (seq, fit_conv2d_new (8, 16, 3, 1, 0, rng));
  append (seq, fit_relu_new ());
  append (seq, fit_conv2d_new (16, 32, 3, 1, 0, rng));
  append (seq, fit_relu_new ());
  append (seq, fit_adaptive_avg_pool2d_new (1, 1));
  append (seq, fit_flatten_new (1, -1));
  append (seq, fit_linear_new (32, 10, TRUE, rng));
  return FIT_MODULE (seq);
}

static FitModule *
make_model (const char *name,
            FitRng     *rng)
{
  static const gint64 mlp[] = { 784, 512, 256, 10 };
  static const gint64 tiny[] = { 784, 32, 10 };
  static const gint64 wide[] = { 784, 2048, 2048, 10 };

  if (g_str_equal (name, "mlp"))
    return make_mlp (mlp, G_N_ELEMENTS (mlp), rng);
  if (g_str_equal (name, "tiny"))
    return make_mlp (tiny, G_N_ELEMENTS (tiny), rng);
  if (g_str_equal (name, "wide"))
    return make_mlp (wide, G_N_ELEMENTS (wide), rng);
  return make_cnn (rng);
}

/* x += value, a block of rows at a time: slices of the first dimension are views. */
static gboolean
shift_in_place (FitTensor  *x,
                double      value,
                GError    **error)
{
  const gint64 rows = 1000;
  gint64 n = fit_tensor_get_dim (x, 0);
  g_autoptr(FitTensor) block = fit_tensor_slice (x, 0, 0, MIN (rows, n), 1, error);
  g_autoptr(FitTensor) shift = NULL;

  if (block == NULL)
    return FALSE;
  shift = fit_tensor_zeros_like (block);
  fit_tensor_fill (shift, value);
  for (gint64 start = 0; start < n; start += rows)
    {
      g_autoptr(FitTensor) view = fit_tensor_slice (x, 0, start, MIN (start + rows, n), 1, error);
      g_autoptr(FitTensor) by = NULL;

      if (view == NULL)
        return FALSE;
      by = fit_tensor_get_dim (view, 0) == rows ? g_object_ref (shift)
           : fit_tensor_slice (shift, 0, 0, fit_tensor_get_dim (view, 0), 1, error);
      if (by == NULL || !fit_tensor_add_inplace (view, by, 1.0, error))
        return FALSE;
    }
  return TRUE;
}

/* Images scaled to [-1, 1] once, as the PyTorch script does before training:
 * (x / 255 - 0.5) / 0.5 = 2x / 255 - 1. @limit > 0 keeps the first @limit images. */
static gboolean
load_split (const char  *data_dir,
            const char  *split,
            int          limit,
            FitTensor  **images,
            FitTensor  **labels,
            GError     **error)
{
  g_autofree char *xn = g_strdup_printf ("%s-images-idx3-ubyte.gz", split);
  g_autofree char *yn = g_strdup_printf ("%s-labels-idx1-ubyte.gz", split);
  g_autofree char *xp = g_build_filename (data_dir, xn, NULL);
  g_autofree char *yp = g_build_filename (data_dir, yn, NULL);
  g_autoptr(FitTensorDataset) ds = NULL;
  g_autoptr(FitTensor) x = NULL;
  g_autoptr(FitTensor) y = NULL;
  gint64 n;

  /* In place, so that the peak memory is one float copy of the images. */
  ds = fit_idx_dataset_new (xp, yp, 2.0 / 255, NULL, error);
  if (ds == NULL)
    return FALSE;
  x = g_object_ref (fit_tensor_dataset_get_inputs (ds));
  y = g_object_ref (fit_tensor_dataset_get_labels (ds));
  if (!shift_in_place (x, -1.0, error))
    return FALSE;
  n = fit_tensor_get_dim (x, 0);
  if (limit > 0 && limit < n)
    {
      FitTensor *xs = fit_tensor_slice (x, 0, 0, limit, 1, error);
      FitTensor *ys = xs != NULL ? fit_tensor_slice (y, 0, 0, limit, 1, error) : NULL;

      if (ys == NULL)
        {
          g_clear_object (&xs);
          return FALSE;
        }
      g_set_object (&x, xs);
      g_set_object (&y, ys);
      g_object_unref (xs);
      g_object_unref (ys);
    }
  *images = g_steal_pointer (&x);
  *labels = g_steal_pointer (&y);
  return TRUE;
}

static gboolean
test_accuracy (FitModule  *net,
               FitTensor  *x,
               FitTensor  *y,
               double     *accuracy,
               GError    **error)
{
  gint64 n = fit_tensor_get_dim (x, 0), correct = 0;
  g_autofree gint64 *labels = fit_tensor_to_int64s (y, NULL);
  gboolean was_enabled = fit_grad_set_enabled (FALSE);
  gboolean was_training = fit_module_get_training (net);
  gboolean ok = TRUE;

  fit_module_set_training (net, FALSE);
  for (gint64 start = 0; ok && start < n; start += 1000)
    {
      gint64 end = MIN (start + 1000, n);
      g_autoptr(FitTensor) xb = fit_tensor_slice (x, 0, start, end, 1, error);
      g_autoptr(FitTensor) out = xb != NULL ? fit_module_forward (net, xb, error) : NULL;
      g_autoptr(FitTensor) pred = out != NULL ? fit_tensor_argmax (out, 1, FALSE, error) : NULL;
      g_autofree gint64 *p = NULL;

      ok = pred != NULL;
      if (!ok)
        break;
      p = fit_tensor_to_int64s (pred, NULL);
      for (gint64 i = start; i < end; i++)
        correct += p[i - start] == labels[i];
    }
  fit_module_set_training (net, was_training);
  fit_grad_set_enabled (was_enabled);
  *accuracy = (double) correct / (double) n;
  return ok;
}

static void
end_epoch (Run    *run,
           double  loss)
{
  EpochResult r = { (g_get_monotonic_time () - run->started) * 1e-6, loss, NAN };
  guint epoch = run->results->len + 1;

  if (run->error == NULL)
    test_accuracy (run->net, run->test_x, run->test_y, &r.test_acc, &run->error);
  g_array_append_val (run->results, r);
  g_print ("epoch %u: loss %.4f  train %.2f s  %.0f samples/s  %.0f us/step  test acc %.4f\n",
           epoch, r.loss, r.epoch_s, run->n_train / r.epoch_s, r.epoch_s / run->steps * 1e6,
           r.test_acc);
}

static void
on_epoch_begin (FitEstimator *estimator,
                Run          *run)
{
  run->started = g_get_monotonic_time ();
}

static void
on_epoch_end (FitEstimator *estimator,
              Run          *run)
{
  double loss = NAN;

  /* Connected with connect(): this runs before the handler objects, so the clock stops
   * before the history handler's per-epoch work, as PyTorch's loop has none. */
  fit_estimator_get_metric_value (estimator, "train_loss", &loss, NULL);
  end_epoch (run, loss);
  if (run->error != NULL)
    fit_estimator_fail (estimator, run->error);
}

static gboolean
fit_with_estimator (Run            *run,
                    FitDataLoader  *loader,
                    FitOptimizer   *optimizer,
                    GError        **error)
{
  g_autoptr(FitLoss) loss = fit_cross_entropy_loss_new ();
  g_autoptr(FitEstimator) estimator = fit_estimator_new (run->net, loss, optimizer);

  g_signal_connect (estimator, "epoch-begin", G_CALLBACK (on_epoch_begin), run);
  g_signal_connect (estimator, "epoch-end", G_CALLBACK (on_epoch_end), run);
  return fit_estimator_fit (estimator, loader, NULL, run->opts->epochs, NULL, error);
}

/* The same step as the estimator's default batch processor, written out. */
static gboolean
fit_by_hand (Run            *run,
             FitDataLoader  *loader,
             FitOptimizer   *optimizer,
             GError        **error)
{
  g_autoptr(FitLoss) criterion = fit_cross_entropy_loss_new ();
  g_autoptr(GPtrArray) params = fit_module_get_parameters (run->net);
  g_autoptr(FitMeanLoss) mean_loss = FIT_MEAN_LOSS (fit_mean_loss_new ());
  g_autoptr(FitMetric) accuracy = fit_accuracy_new ();
  gboolean metrics = !run->opts->no_metrics;

  fit_module_set_training (run->net, TRUE);
  for (int epoch = 0; epoch < run->opts->epochs; epoch++)
    {
      g_autoptr(FitDataIter) iter = NULL;
      double loss_sum = 0;

      run->started = g_get_monotonic_time ();
      fit_metric_reset (FIT_METRIC (mean_loss), NULL);   /* built-ins never fail */
      fit_metric_reset (accuracy, NULL);
      iter = fit_data_loader_iterate (loader, epoch, 0);
      for (;;)
        {
          g_autoptr(FitTensor) x = NULL;
          g_autoptr(FitTensor) y = NULL;
          g_autoptr(FitTensor) out = NULL;
          g_autoptr(FitTensor) loss = NULL;
          double value;

          if (!fit_data_iter_next (iter, &x, &y, NULL, error))
            {
              if (*error != NULL)
                return FALSE;
              break;
            }
          out = fit_module_forward (run->net, x, error);
          loss = out != NULL ? fit_loss_compute (criterion, out, y, error) : NULL;
          if (loss == NULL || !fit_tensor_backward (loss, error) ||
              !fit_optimizer_step (optimizer, error))
            return FALSE;
          /* As PyTorch's zero_grad (set_to_none=True) in the reference loop. */
          for (guint i = 0; i < params->len; i++)
            fit_tensor_set_grad (params->pdata[i], NULL);
          fit_tensor_item (loss, &value, NULL);
          loss_sum += value * fit_tensor_get_dim (x, 0);
          /* What the default metric handler does at batch-end. */
          if (metrics)
            {
              fit_mean_loss_update_value (mean_loss, value, fit_tensor_get_dim (x, 0));
              if (!fit_metric_update (accuracy, out, y, error))
                return FALSE;
            }
        }
      g_clear_object (&iter);
      end_epoch (run, loss_sum / run->n_train);
      if (run->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&run->error));
          return FALSE;
        }
    }
  return TRUE;
}

static void
append_double (GString *s,
               double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6g", v));
  else
    g_string_append (s, "null");
}

static void
print_json (Run        *run,
            const char *blas,
            double      lr)
{
  Options *o = run->opts;
  g_autoptr(GString) s = g_string_new (NULL);
  const char *wait_policy = g_getenv ("OMP_WAIT_POLICY");
  double total = 0;
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  g_string_append_printf (s, "{\"framework\": \"fit-glib\", \"version\": \"%d.%d.%d\", "
                          "\"language\": \"c\", \"loop\": \"%s\", \"model\": \"%s\", "
                          "\"threads\": %d, \"blas\": \"%s\", \"omp_wait_policy\": ",
                          FIT_MAJOR_VERSION, FIT_MINOR_VERSION, FIT_MICRO_VERSION,
                          !o->hand_loop ? "fit" : o->no_metrics ? "hand-bare" : "hand",
                          o->model, o->threads, blas);
  if (wait_policy != NULL)
    g_string_append_printf (s, "\"%s\"", wait_policy);
  else
    g_string_append (s, "null");
  g_string_append_printf (s, ", \"batch_size\": %d, \"lr\": ", o->batch_size);
  append_double (s, lr);
  g_string_append_printf (s, ", \"n_train\": %" G_GUINT64_FORMAT ", \"params\": %" G_GINT64_FORMAT
                          ", \"peak_rss_kb\": %ld, \"epochs\": [",
                          run->n_train, fit_module_count_parameters (run->net), ru.ru_maxrss);
  for (guint i = 0; i < run->results->len; i++)
    {
      EpochResult *r = &g_array_index (run->results, EpochResult, i);

      total += r->epoch_s;
      g_string_append_printf (s, "%s{\"epoch\": %u, \"loss\": ", i ? ", " : "", i + 1);
      append_double (s, r->loss);
      g_string_append (s, ", \"train_s\": ");
      append_double (s, r->epoch_s);
      g_string_append (s, ", \"samples_per_s\": ");
      append_double (s, run->n_train / r->epoch_s);
      g_string_append (s, ", \"us_per_step\": ");
      append_double (s, r->epoch_s / run->steps * 1e6);
      g_string_append (s, ", \"test_acc\": ");
      append_double (s, r->test_acc);
      g_string_append (s, "}");
    }
  g_string_append (s, "], \"total_train_s\": ");
  append_double (s, total);
  g_string_append (s, ", \"final_test_acc\": ");
  append_double (s, run->results->len > 0
                      ? g_array_index (run->results, EpochResult, run->results->len - 1).test_acc
                      : NAN);
  g_string_append (s, "}");
  g_print ("%s\n", s->str);
}

static int
run_benchmark (Options  *o,
               GError  **error)
{
  g_autoptr(FitTensor) train_x = NULL;
  g_autoptr(FitTensor) train_y = NULL;
  g_autoptr(FitTensor) test_x = NULL;
  g_autoptr(FitTensor) test_y = NULL;
  g_autoptr(FitTensorDataset) train = NULL;
  g_autoptr(FitDataLoader) loader = NULL;
  g_autoptr(FitRng) rng = NULL;
  g_autoptr(FitModule) net = NULL;
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(FitOptimizer) optimizer = NULL;
  g_autoptr(GArray) results = g_array_new (FALSE, FALSE, sizeof (EpochResult));
  g_autofree char *blas = NULL;
  g_autofree char *probe = g_build_filename (o->data_dir, "train-images-idx3-ubyte.gz", NULL);
  Run run = { o };
  double lr;

  if (!g_file_test (probe, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("%s not found: install dataset-fashion-mnist or pass --data\n", probe);
      return SKIPPED;
    }
  if (o->threads > 0)
    fit_set_num_threads (o->threads);
  o->threads = fit_get_num_threads ();
  if (o->blas_threads > 0 && o->blas_threads != o->threads)
    g_printerr ("note: fit-glib uses one thread count for its kernels and BLAS; "
                "--blas-threads %d is ignored\n", o->blas_threads);

  if (!load_split (o->data_dir, "train", o->limit, &train_x, &train_y, error) ||
      !load_split (o->data_dir, "t10k", o->test_limit, &test_x, &test_y, error))
    return EXIT_FAILURE;
  train = fit_tensor_dataset_new (train_x, train_y, error);
  if (train == NULL)
    return EXIT_FAILURE;
  loader = fit_data_loader_new (FIT_DATASET (train), o->batch_size);
  fit_data_loader_set_shuffle (loader, TRUE);
  fit_data_loader_set_seed (loader, o->seed);
  fit_data_loader_set_n_workers (loader, o->workers);

  rng = fit_rng_new (o->seed);
  net = make_model (o->model, rng);
  params = fit_module_get_parameters (net);
  lr = o->lr >= 0 ? o->lr
       : g_str_equal (o->model, "cnn") ? 0.1 : g_str_equal (o->model, "tiny") ? 0.01 : 0.05;
  optimizer = fit_sgd_new ((FitTensor **) params->pdata, params->len, lr, o->momentum);

  run.net = net;
  run.test_x = test_x;
  run.test_y = test_y;
  run.results = results;
  run.n_train = fit_data_loader_get_n_samples (loader);
  run.steps = fit_data_loader_get_n_batches (loader);
  blas = fit_get_blas_info ();
  g_print ("fit-glib %d.%d.%d threads=%d blas=%s OMP_WAIT_POLICY=%s model=%s loop=%s "
           "params=%" G_GINT64_FORMAT " n_train=%" G_GUINT64_FORMAT " batch=%d lr=%g "
           "steps/epoch=%" G_GUINT64_FORMAT "\n",
           FIT_MAJOR_VERSION, FIT_MINOR_VERSION, FIT_MICRO_VERSION, o->threads, blas,
           g_getenv ("OMP_WAIT_POLICY") ? g_getenv ("OMP_WAIT_POLICY") : "-", o->model,
           !o->hand_loop ? "fit" : o->no_metrics ? "hand-bare" : "hand",
           fit_module_count_parameters (net), run.n_train,
           o->batch_size, lr, run.steps);

  if (!(o->hand_loop ? fit_by_hand : fit_with_estimator) (&run, loader, optimizer, error))
    {
      g_clear_error (&run.error);
      return EXIT_FAILURE;
    }
  print_json (&run, blas, lr);
  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  Options o = {
    .epochs = 1, .batch_size = 0, .threads = 0, .limit = 0, .test_limit = 0,
    .workers = 0, .lr = -1, .momentum = 0.9, .seed = 0,
  };
  g_autofree char *model = NULL;
  g_autofree char *data_dir = NULL;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "mlp, tiny, cnn or wide (default mlp)",
      "NAME" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &o.epochs, "Epochs (default 1)", "N" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &o.batch_size,
      "Batch size (default 64; tiny 16, wide 256)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o.threads,
      "Threads for kernels and BLAS (default: OMP_NUM_THREADS or all)", "N" },
    { "blas-threads", 0, 0, G_OPTION_ARG_INT, &o.blas_threads,
      "Accepted for the PyTorch script's sake; fit-glib has one pool", "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &o.limit, "Use the first N training images", "N" },
    { "test-limit", 0, 0, G_OPTION_ARG_INT, &o.test_limit, "Use the first N test images",
      "N" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &o.workers, "Loader prefetch threads (default 0)",
      "N" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o.lr, "Learning rate (default 0.05; cnn 0.1, tiny 0.01)",
      "LR" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &o.momentum, "SGD momentum (default 0.9)", "M" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Seed of the weights and the shuffle", "N" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Folder of the *-ubyte.gz files (default /usr/share/datasets/fashion-mnist)", "DIR" },
    { "hand-loop", 0, 0, G_OPTION_ARG_NONE, &o.hand_loop,
      "A hand-written loop instead of FitEstimator.fit", NULL },
    { "no-metrics", 0, 0, G_OPTION_ARG_NONE, &o.no_metrics,
      "With --hand-loop: leave out the metric updates FitEstimator.fit makes", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- fit-glib Fashion-MNIST benchmark");
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  o.model = model != NULL ? model : "mlp";
  if (!g_strv_contains ((const char *const[]) { "mlp", "tiny", "cnn", "wide", NULL }, o.model))
    {
      g_printerr ("Unknown model %s: use mlp, tiny, cnn or wide\n", o.model);
      return EXIT_FAILURE;
    }
  if (o.batch_size <= 0)
    o.batch_size = g_str_equal (o.model, "tiny") ? 16 : g_str_equal (o.model, "wide") ? 256 : 64;
  o.data_dir = data_dir != NULL ? data_dir : "/usr/share/datasets/fashion-mnist";

  status = run_benchmark (&o, &error);
  if (error != NULL)
    g_printerr ("fmnist-bench: %s\n", error->message);
  return status;
}
