/* core-check.c: does this machine give the benchmark the cores it claims?
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A virtual machine's processors are threads of the host. When the host runs two of
 * them on one physical core, two threads are no faster than one and every barrier
 * waits for the host's scheduler; on the 2-vCPU machines this project is measured on
 * that comes and goes within minutes. This program times a loop of pure arithmetic
 * (no memory traffic, no library) on one thread and split over N, the cost of an
 * empty parallel region after the threads have had time to go to sleep, and the time
 * a cache line takes to travel between two threads and back. The last one changes
 * too: when the host puts the two vCPUs on cores that share no cache, every handshake
 * inside a parallel GEMM costs several times more, and the arithmetic loop does not
 * notice. A benchmark run records all three. It prints one JSON line.
 *
 *   core-check [--threads N] [--samples S]
 */

#include <glib.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static double
loop (gint64 n)
{
  double s = 0, x = 1.0000001;

  for (gint64 i = 0; i < n; i++)
    s = s * x + 1e-9;   /* a dependent chain: one core's speed, nothing else */
  return s;
}

/* Seconds for @work iterations split over @threads. */
static double
timed_split (int    threads,
             gint64 work)
{
  gint64 t0 = g_get_monotonic_time ();
  volatile double sink = 0;

#pragma omp parallel num_threads (threads)
  {
    double v = loop (work / omp_get_num_threads ());

#pragma omp atomic
    sink += v;
  }
  return (g_get_monotonic_time () - t0) / 1e6;
}

/* Nanoseconds for a cache line to go from one thread to another and back: the two
 * threads take turns incrementing one counter (a median over @rounds turns). */
static double
ping_pong_ns (gint64 rounds)
{
  static volatile gint64 counter __attribute__ ((aligned (64)));
  gint64 t0 = 0, t1 = 0;

  counter = 0;
#pragma omp parallel num_threads (2)
  {
    gint64 me = omp_get_thread_num ();

    if (omp_get_num_threads () == 2)
      {
#pragma omp barrier
        if (me == 0)
          t0 = g_get_monotonic_time ();
        for (gint64 turn = me; turn < 2 * rounds; turn += 2)
          {
            while (__atomic_load_n (&counter, __ATOMIC_ACQUIRE) != turn)
              ;
            __atomic_store_n (&counter, turn + 1, __ATOMIC_RELEASE);
          }
        if (me == 0)
          t1 = g_get_monotonic_time ();
      }
  }
  return t1 > t0 ? (t1 - t0) * 1e3 / rounds : 0;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  int threads = 2, samples = 7;
  const gint64 work = 40000000;   /* ~40 ms on one core */
  double speedup[64], region_us[64], pong_ns[64];
  volatile double sink = 0;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--threads"))
        threads = CLAMP (atoi (argv[i + 1]), 1, 256);
      else if (g_str_equal (argv[i], "--samples"))
        samples = CLAMP (atoi (argv[i + 1]), 1, 64);
      else
        {
          fprintf (stderr, "usage: core-check [--threads N] [--samples S]\n");
          return 2;
        }
    }

  timed_split (threads, work / 10);   /* start the team */
  for (int s = 0; s < samples; s++)
    {
      double one = timed_split (1, work);
      double many = timed_split (threads, work);
      gint64 t0;

      speedup[s] = one / many;
      /* An empty region after 2 ms of serial work: the other threads have slept. */
      sink += loop (2000000);
      t0 = g_get_monotonic_time ();
#pragma omp parallel num_threads (threads)
      {
#pragma omp atomic
        sink += 1;
      }
      region_us[s] = (double) (g_get_monotonic_time () - t0);
      pong_ns[s] = threads > 1 ? ping_pong_ns (200000) : 0;
    }
  qsort (speedup, samples, sizeof (double), cmp_double);
  qsort (region_us, samples, sizeof (double), cmp_double);
  qsort (pong_ns, samples, sizeof (double), cmp_double);
  printf ("{\"threads\": %d, \"wait_policy\": \"%s\", \"speedup_median\": %.3f, "
          "\"speedup_min\": %.3f, \"speedup_max\": %.3f, \"region_us_median\": %.1f, "
          "\"region_us_max\": %.1f, \"ping_pong_ns_median\": %.0f}\n",
          threads, g_getenv ("OMP_WAIT_POLICY") ? g_getenv ("OMP_WAIT_POLICY") : "default",
          speedup[samples / 2], speedup[0], speedup[samples - 1], region_us[samples / 2],
          region_us[samples - 1], pong_ns[samples / 2]);
  return sink < 0;
}
