/* sgemm-roof.c: the GEMM floor of one training step, measured on this machine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For an MLP of the comparison (mlp, tiny, wide) at a batch size, this times every GEMM
 * one training step needs, alone, on preallocated buffers, with the OpenBLAS that
 * fit-glib links and under fit-glib's thread policy (fit_set_num_threads):
 *
 *   forward  Y[B,out]  = X[B,in] Wᵀ          (NoTrans, Trans)
 *   dX       dX[B,in]  = dY[B,out] W         (NoTrans, NoTrans; not for the first layer)
 *   dW       dW[out,in] = dYᵀ X              (Trans, NoTrans)
 *
 * the layouts of torch.nn.Linear, which both frameworks use. The step's floor is the sum
 * of each GEMM's FLOPs divided by its own measured rate: no framework can run the step
 * faster with these GEMMs. It also measures a square 2048³ sgemm, the machine's sgemm
 * peak. The last line is one JSON object, read by tests/benchmarks/compare/run.py.
 *
 *   sgemm-roof --model mlp --batch-size 64 --threads 1
 */

#include <cblas.h>
#include <fit-glib/fit-glib.h>
#include <omp.h>
#include <stdlib.h>

typedef struct
{
  char    name[48];
  int     m, n, k;
  gboolean ta, tb;
  double  gflops;
  double  gflops_split;
} Gemm;

static gboolean split_mode;

/* One single-threaded sgemm per thread, each on its own block of C's columns (or rows,
 * when C is taller than wide): what fit-glib's gemm() does with several threads. Inside
 * an OpenMP region the OpenMP build of OpenBLAS runs single-threaded. */
static void
sgemm_split (enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n, int k,
             const float *a, int lda, const float *b, int ldb, float *c)
{
  int nt = omp_get_max_threads ();
  gboolean by_cols = n >= m;
  int len = by_cols ? n : m;
  int block = ((len + nt - 1) / nt + 15) / 16 * 16;

#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int t = 0; t < nt; t++)
    {
      int start = t * block, end = MIN (start + block, len);

      if (start >= end)
        continue;
      if (by_cols)
        cblas_sgemm (CblasRowMajor, ta, tb, m, end - start, k, 1.0f, a, lda,
                     tb == CblasTrans ? b + (gsize) start * ldb : b + start, ldb, 0.0f,
                     c + start, n);
      else
        cblas_sgemm (CblasRowMajor, ta, tb, end - start, n, k, 1.0f,
                     ta == CblasTrans ? a + start : a + (gsize) start * lda, lda, b, ldb, 0.0f,
                     c + (gsize) start * n, n);
    }
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static float *
random_floats (gsize n)
{
  float *p = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    p[i] = (float) g_random_double_range (-0.5, 0.5);
  return p;
}

/* Median GFLOP/s of 7 samples of at least @sample_s each, after a warm-up. */
static double
measure (Gemm   *g,
         double  sample_s)
{
  int m = g->m, n = g->n, k = g->k;
  float *a = random_floats ((gsize) m * k);
  float *b = random_floats ((gsize) k * n);
  float *c = random_floats ((gsize) m * n);
  int lda = g->ta ? m : k, ldb = g->tb ? k : n;
  enum CBLAS_TRANSPOSE ta = g->ta ? CblasTrans : CblasNoTrans;
  enum CBLAS_TRANSPOSE tb = g->tb ? CblasTrans : CblasNoTrans;
  double flop = 2.0 * m * n * k, s[7];
  gint64 iters = 1;

#define RUN() \
  (split_mode ? sgemm_split (ta, tb, m, n, k, a, lda, b, ldb, c) \
   : cblas_sgemm (CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n))
  for (;;)
    {
      gint64 t = g_get_monotonic_time ();

      for (gint64 i = 0; i < iters; i++)
        RUN ();
      if ((g_get_monotonic_time () - t) * 1e-6 > sample_s)
        break;
      iters *= 2;
    }
  for (guint r = 0; r < G_N_ELEMENTS (s); r++)
    {
      gint64 t = g_get_monotonic_time ();

      for (gint64 i = 0; i < iters; i++)
        RUN ();
      s[r] = flop * iters / ((g_get_monotonic_time () - t) * 1e-6) / 1e9;
    }
  qsort (s, G_N_ELEMENTS (s), sizeof (double), cmp_double);
  g_free (a);
  g_free (b);
  g_free (c);
#undef RUN
  return s[G_N_ELEMENTS (s) / 2];
}

static void
add_gemm (GArray     *gemms,
          const char *name,
          int         layer,
          int         m,
          int         n,
          int         k,
          gboolean    ta,
          gboolean    tb)
{
  Gemm g = { "", m, n, k, ta, tb, 0, 0 };

  g_snprintf (g.name, sizeof g.name, "fc%d %s %dx%dx%d", layer, name, m, n, k);
  g_array_append_val (gemms, g);
}

int
main (int   argc,
      char *argv[])
{
  static const int mlp[] = { 784, 512, 256, 10, 0 };
  static const int tiny[] = { 784, 32, 10, 0 };
  static const int wide[] = { 784, 2048, 2048, 10, 0 };
  g_autofree char *model = NULL;
  int batch = 0, threads = 0;
  double sample_s = 0.05;
  gboolean no_square = FALSE, compare_split = FALSE;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, "mlp, tiny or wide (default mlp)", "NAME" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, "Batch size (default 64; tiny 16, wide 256)",
      "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default: fit-glib's default)", "N" },
    { "sample", 0, 0, G_OPTION_ARG_DOUBLE, &sample_s, "Seconds per sample (default 0.05)", "S" },
    { "no-square", 0, 0, G_OPTION_ARG_NONE, &no_square, "Skip the 2048³ peak", NULL },
    { "split", 0, 0, G_OPTION_ARG_NONE, &compare_split,
      "Also time each GEMM split into one single-threaded GEMM per thread", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the GEMM floor of a step");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) gemms = g_array_new (FALSE, FALSE, sizeof (Gemm));
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *blas = NULL;
  const int *widths;
  double floor_us = 0, step_flop = 0, square = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (model == NULL)
    model = g_strdup ("mlp");
  widths = g_str_equal (model, "tiny") ? tiny : g_str_equal (model, "wide") ? wide : mlp;
  if (batch <= 0)
    batch = widths == tiny ? 16 : widths == wide ? 256 : 64;
  if (threads > 0)
    fit_set_num_threads (threads);
  blas = fit_get_blas_info ();
  g_random_set_seed (1);

  for (int l = 0; widths[l + 1] != 0; l++)
    {
      int in = widths[l], out = widths[l + 1];

      add_gemm (gemms, "fwd", l + 1, batch, out, in, FALSE, TRUE);
      if (l > 0)
        add_gemm (gemms, "dX", l + 1, batch, in, out, FALSE, FALSE);
      add_gemm (gemms, "dW", l + 1, out, in, batch, TRUE, FALSE);
    }

  g_print ("# %s, %u threads, model %s, batch %d\n", blas, fit_get_num_threads (), model, batch);
  for (guint i = 0; i < gemms->len; i++)
    {
      Gemm *g = &g_array_index (gemms, Gemm, i);
      double flop = 2.0 * g->m * g->n * g->k;

      g->gflops = measure (g, sample_s);
      floor_us += flop / (g->gflops * 1e3);
      step_flop += flop;
      g_print ("  %-26s %8.1f GFLOP/s %9.1f us", g->name, g->gflops, flop / (g->gflops * 1e3));
      if (compare_split)
        {
          split_mode = TRUE;
          g->gflops_split = measure (g, sample_s);
          split_mode = FALSE;
          g_print ("   split: %8.1f GFLOP/s", g->gflops_split);
        }
      g_print ("\n");
    }
  if (!no_square)
    {
      Gemm sq = { "square 2048", 2048, 2048, 2048, FALSE, FALSE, 0, 0 };

      square = sq.gflops = measure (&sq, MAX (sample_s, 0.2));
      g_print ("  %-26s %8.1f GFLOP/s\n", sq.name, square);
    }
  g_print ("  step: %.3f GFLOP, floor %.1f us (%.1f GFLOP/s over the step)\n", step_flop / 1e9,
           floor_us, step_flop / (floor_us * 1e3));

  g_string_append_printf (json, "{\"model\": \"%s\", \"batch_size\": %d, \"threads\": %u, "
                          "\"blas\": \"%s\", \"step_flop\": %.0f, \"step_floor_us\": %.3f, "
                          "\"square2048_gflops\": %.2f, \"gemms\": [",
                          model, batch, fit_get_num_threads (), blas, step_flop, floor_us,
                          square);
  for (guint i = 0; i < gemms->len; i++)
    {
      Gemm *g = &g_array_index (gemms, Gemm, i);

      g_string_append_printf (json, "%s{\"name\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, "
                              "\"gflops\": %.2f, \"gflops_split\": %.2f}", i ? ", " : "",
                              g->name, g->m, g->n, g->k, g->gflops, g->gflops_split);
    }
  g_string_append (json, "]}");
  g_print ("%s\n", json->str);
  return EXIT_SUCCESS;
}
