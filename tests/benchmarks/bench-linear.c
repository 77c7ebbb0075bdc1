/* bench-linear.c: fit_tensor_linear forward + backward against raw cblas_sgemm
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For each layer of the MLP 784-512-256-10 at batch 64 this times, in GFLOP/s of the
 * GEMM work:
 *
 *   sgemm   the GEMMs alone, on preallocated buffers: Y = X Wᵀ, dW = dYᵀ X and (except
 *           for fc1, whose input needs no gradient, as in training) dX = dY W
 *   fit     fit_tensor_linear with bias, then fit_tensor_backward_full: the same
 *           GEMMs plus the bias fill, the bias gradient, allocation and autograd
 *
 * and the same for the forward pass alone with recording off. The ratio fit/sgemm is
 * what fit-glib keeps of the BLAS roof; 1.00 means no overhead.
 *
 *   meson test -C build --benchmark linear -v      (or run build/tests/benchmarks/bench-linear)
 */

#include <cblas.h>
#include <fit-glib/fit-glib.h>

typedef struct
{
  const char *name;
  int         rows, in, out;
  gboolean    input_grad;
} Layer;

static const Layer layers[] = {
  { "fc1 64x784->512", 64, 784, 512, FALSE },
  { "fc2 64x512->256", 64, 512, 256, TRUE },
  { "fc3 64x256->10", 64, 256, 10, TRUE },
};

typedef struct
{
  const Layer *l;
  float       *x, *w, *b, *y, *dy, *dx, *dw;
  FitTensor   *tx, *tw, *tb, *tdy;
  gboolean     backward;
} Bench;

typedef void (*BenchFunc) (Bench *b);

static void
run_sgemm (Bench *b)
{
  const Layer *l = b->l;

  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, l->rows, l->out, l->in, 1.0f, b->x, l->in,
               b->w, l->in, 1.0f, b->y, l->out);
  if (!b->backward)
    return;
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, l->out, l->in, l->rows, 1.0f, b->dy,
               l->out, b->x, l->in, 0.0f, b->dw, l->in);
  if (l->input_grad)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, l->rows, l->in, l->out, 1.0f, b->dy,
                 l->out, b->w, l->in, 0.0f, b->dx, l->in);
}

static void
run_fit (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_linear (b->tx, b->tw, b->tb, &error);

  g_assert_no_error (error);
  if (!b->backward)
    return;
  if (!fit_tensor_backward_full (y, b->tdy, FALSE, &error))
    g_error ("%s", error->message);
  /* As an optimizer's zero_grad (set to none) would between steps. */
  fit_tensor_set_grad (b->tx, NULL);
  fit_tensor_set_grad (b->tw, NULL);
  fit_tensor_set_grad (b->tb, NULL);
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gint64
calibrate (BenchFunc  func,
           Bench     *b)
{
  gint64 iters = 1;

  for (;;)
    {
      gint64 t = g_get_monotonic_time ();

      for (gint64 i = 0; i < iters; i++)
        func (b);
      if (g_get_monotonic_time () - t > 50000)
        return iters;
      iters *= 2;
    }
}

static double
sample (BenchFunc  func,
        Bench     *b,
        gint64     iters,
        double     flop)
{
  gint64 t = g_get_monotonic_time ();

  for (gint64 i = 0; i < iters; i++)
    func (b);
  return flop * iters / ((g_get_monotonic_time () - t) * 1e-6) / 1e9;
}

/* Median GFLOP/s of 7 samples of about 0.05 s for each of sgemm and fit, taken in
 * turn so that the machine's drift affects both alike. */
static void
measure (Bench  *b,
         double  flop,
         double *gflops_sgemm,
         double *gflops_fit)
{
  double s[7], f[7];
  gint64 is = calibrate (run_sgemm, b), it = calibrate (run_fit, b);

  for (guint r = 0; r < G_N_ELEMENTS (s); r++)
    {
      s[r] = sample (run_sgemm, b, is, flop);
      f[r] = sample (run_fit, b, it, flop);
    }
  qsort (s, G_N_ELEMENTS (s), sizeof (double), cmp_double);
  qsort (f, G_N_ELEMENTS (f), sizeof (double), cmp_double);
  *gflops_sgemm = s[G_N_ELEMENTS (s) / 2];
  *gflops_fit = f[G_N_ELEMENTS (f) / 2];
}

static float *
random_floats (FitRng *rng,
               gsize   n)
{
  float *p = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    p[i] = (float) fit_rng_next_double (rng) - 0.5f;
  return p;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FitRng) rng = fit_rng_new (1);
  g_autofree char *blas = fit_get_blas_info ();
  double total_sgemm = 0, total_fit = 0, total_flop = 0;

  g_print ("# %s, %u threads\n", blas, fit_get_num_threads ());
  g_print ("# %-16s %-9s %10s %10s %7s %9s\n", "layer", "pass", "sgemm", "fit", "ratio",
           "fit us");
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      const Layer *l = &layers[i];
      g_autoptr(GError) error = NULL;
      Bench b = { l };
      gint64 xs[2] = { l->rows, l->in }, ws[2] = { l->out, l->in }, bs[1] = { l->out };
      gint64 ys[2] = { l->rows, l->out };
      double mnk = 2.0 * l->rows * l->in * l->out;

      b.x = random_floats (rng, (gsize) l->rows * l->in);
      b.w = random_floats (rng, (gsize) l->out * l->in);
      b.b = random_floats (rng, l->out);
      b.y = random_floats (rng, (gsize) l->rows * l->out);
      b.dy = random_floats (rng, (gsize) l->rows * l->out);
      b.dx = g_new (float, (gsize) l->rows * l->in);
      b.dw = g_new (float, (gsize) l->out * l->in);
      b.tx = fit_tensor_new_from_floats (b.x, (gsize) l->rows * l->in, xs, 2, &error);
      b.tw = fit_tensor_new_from_floats (b.w, (gsize) l->out * l->in, ws, 2, &error);
      b.tb = fit_tensor_new_from_floats (b.b, l->out, bs, 1, &error);
      b.tdy = fit_tensor_new_from_floats (b.dy, (gsize) l->rows * l->out, ys, 2, &error);
      g_assert_no_error (error);
      fit_tensor_set_requires_grad (b.tx, l->input_grad);
      fit_tensor_set_requires_grad (b.tw, TRUE);
      fit_tensor_set_requires_grad (b.tb, TRUE);

      for (int pass = 0; pass < 2; pass++)
        {
          double flop = mnk * (pass == 0 ? 1 : (l->input_grad ? 3 : 2));
          double gs, gf;
          gboolean was;

          b.backward = pass == 1;
          was = fit_grad_set_enabled (b.backward);
          measure (&b, flop, &gs, &gf);
          fit_grad_set_enabled (was);
          g_print ("  %-16s %-9s %10.1f %10.1f %7.2f %9.1f\n", l->name,
                   pass == 0 ? "forward" : "fwd+bwd", gs, gf, gf / gs, flop / gf / 1e3);
          if (pass == 1)
            {
              total_sgemm += flop / gs;
              total_fit += flop / gf;
              total_flop += flop;
            }
        }

      g_free (b.x);
      g_free (b.w);
      g_free (b.b);
      g_free (b.y);
      g_free (b.dy);
      g_free (b.dx);
      g_free (b.dw);
      g_object_unref (b.tx);
      g_object_unref (b.tw);
      g_object_unref (b.tb);
      g_object_unref (b.tdy);
    }
  g_print ("  %-16s %-9s %10.1f %10.1f %7.2f %9.1f\n", "MLP step (3 fc)", "fwd+bwd",
           total_flop / total_sgemm, total_flop / total_fit, total_sgemm / total_fit,
           total_fit / 1e3);
  return 0;
}
