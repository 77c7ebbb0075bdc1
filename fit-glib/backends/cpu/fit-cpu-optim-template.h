/* fit-cpu-optim-template.h: the update loops for one element type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Included by fit-cpu-optim.c once per element type, with T (the type), SQRT (its
 * square root) and NAME(x) (x with the type's suffix) defined. Each kernel packs
 * its arguments and runs a chunk function over the elements, split between threads
 * for large parameters; NAME (optim_update) picks the kernel of an update's rule. Inside a chunk every loop is branch-free: the optional parts
 * are chosen outside, each combination a loop of its own (GCC vectorises no loop with
 * a branch, not even on a loop-invariant condition).
 */

/* ---- SGD ---- */

typedef struct
{
  T          *p;
  const T    *g;
  T          *buf;
  T           lr, wd, momentum, buf_decay, buf_scale;
  gboolean    nesterov;
} NAME (SgdArgs);

#define SGD_LOOP(HAS_BUF, NESTEROV, USE_WD)                                               \
  do {                                                                                    \
    _Pragma ("omp simd")                                                                  \
    for (gint64 i = start; i < end; i++)                                                  \
      {                                                                                   \
        T d = USE_WD ? g[i] + wd * p[i] : g[i];                                           \
                                                                                          \
        if (HAS_BUF)                                                                      \
          {                                                                               \
            T b = buf[i] * buf_decay + buf_scale * d;                                     \
                                                                                          \
            buf[i] = b;                                                                   \
            d = NESTEROV ? d + momentum * b : b;                                          \
          }                                                                               \
        p[i] = p[i] + (-lr) * d;                                                          \
      }                                                                                   \
  } while (0)

static FIT_KERNEL_CLONES void
NAME (sgd_chunk) (const NAME (SgdArgs) *a,
                  gint64                start,
                  gint64                end)
{
  T *restrict p = a->p;
  const T *restrict g = a->g;
  T *restrict buf = a->buf;
  T lr = a->lr, wd = a->wd, momentum = a->momentum;
  T buf_decay = a->buf_decay, buf_scale = a->buf_scale;

  if (buf == NULL && wd != 0)
    SGD_LOOP (0, 0, 1);
  else if (buf == NULL)
    SGD_LOOP (0, 0, 0);
  else if (a->nesterov && wd != 0)
    SGD_LOOP (1, 1, 1);
  else if (a->nesterov)
    SGD_LOOP (1, 1, 0);
  else if (wd != 0)
    SGD_LOOP (1, 0, 1);
  else
    SGD_LOOP (1, 0, 0);
}

/* On the first step PyTorch starts the buffer at the gradient: from a fresh zero
 * buffer, a decay of 0 and a scale of 1 give exactly that. */
static void
NAME (fit_sgd_kernel) (T         *p,
                       const T   *g,
                       T         *buf,
                       gint64     n,
                       T          lr,
                       T          wd,
                       T          momentum,
                       T          one_minus_dampening,
                       gboolean   nesterov,
                       gboolean   first)
{
  NAME (SgdArgs) a = {
    p, g, buf, lr, wd, momentum,
    first ? (T) 0 : momentum,
    first ? (T) 1 : one_minus_dampening,
    nesterov,
  };

  FIT_RUN_CHUNKS (NAME (sgd_chunk), &a, n);
}

/* ---- Adam and AdamW ---- */

typedef struct
{
  T          *p;
  const T    *g;
  T          *m, *v, *vmax;
  T           wd, decay, beta1, one_minus_beta1, beta2, one_minus_beta2;
  T           bias_correction2_sqrt, epsilon, neg_step_size;
} NAME (AdamArgs);

#define ADAM_LOOP(HAS_VMAX, USE_WD, USE_DECAY)                                            \
  do {                                                                                    \
    _Pragma ("omp simd")                                                                  \
    for (gint64 i = start; i < end; i++)                                                  \
      {                                                                                   \
        T d = USE_WD ? g[i] + wd * p[i] : g[i];                                           \
        T pi = USE_DECAY ? p[i] * decay : p[i];                                           \
        T mi = m[i] * beta1 + one_minus_beta1 * d;                                        \
        T vi = v[i] * beta2 + one_minus_beta2 * d * d;                                    \
        T s = vi;                                                                         \
                                                                                          \
        m[i] = mi;                                                                        \
        v[i] = vi;                                                                        \
        if (HAS_VMAX)                                                                     \
          {                                                                               \
            s = vmax[i] > vi ? vmax[i] : vi;                                              \
            vmax[i] = s;                                                                  \
          }                                                                               \
        p[i] = pi + neg_step_size * (mi / (SQRT (s) / bias_correction2_sqrt + epsilon));  \
      }                                                                                   \
  } while (0)

/* Weight decay is an L2 term (Adam) or a decay of the weights (AdamW), never both. */
#define ADAM_LOOPS(HAS_VMAX)                                                              \
  do {                                                                                    \
    if (wd != 0)                                                                          \
      ADAM_LOOP (HAS_VMAX, 1, 0);                                                         \
    else if (decay != 1)                                                                  \
      ADAM_LOOP (HAS_VMAX, 0, 1);                                                         \
    else                                                                                  \
      ADAM_LOOP (HAS_VMAX, 0, 0);                                                         \
  } while (0)

static FIT_KERNEL_CLONES void
NAME (adam_chunk) (const NAME (AdamArgs) *a,
                   gint64                 start,
                   gint64                 end)
{
  T *restrict p = a->p;
  const T *restrict g = a->g;
  T *restrict m = a->m;
  T *restrict v = a->v;
  T *restrict vmax = a->vmax;
  T wd = a->wd, decay = a->decay, beta1 = a->beta1, beta2 = a->beta2;
  T one_minus_beta1 = a->one_minus_beta1, one_minus_beta2 = a->one_minus_beta2;
  T bias_correction2_sqrt = a->bias_correction2_sqrt, epsilon = a->epsilon;
  T neg_step_size = a->neg_step_size;

  if (vmax != NULL)
    ADAM_LOOPS (1);
  else
    ADAM_LOOPS (0);
}

static void
NAME (fit_adam_kernel) (T         *p,
                        const T   *g,
                        T         *m,
                        T         *v,
                        T         *vmax,
                        gint64     n,
                        T          wd,
                        T          decay,
                        T          beta1,
                        T          one_minus_beta1,
                        T          beta2,
                        T          one_minus_beta2,
                        T          bias_correction2_sqrt,
                        T          epsilon,
                        T          neg_step_size)
{
  NAME (AdamArgs) a = {
    p, g, m, v, vmax, wd, decay, beta1, one_minus_beta1, beta2, one_minus_beta2,
    bias_correction2_sqrt, epsilon, neg_step_size,
  };

  FIT_RUN_CHUNKS (NAME (adam_chunk), &a, n);
}

/* ---- RMSprop ---- */

typedef struct
{
  T          *p;
  const T    *g;
  T          *sq, *ga, *buf;
  T           lr, wd, alpha, one_minus_alpha, epsilon, momentum;
} NAME (RmspropArgs);

#define RMSPROP_LOOP(CENTERED, HAS_BUF, USE_WD)                                           \
  do {                                                                                    \
    _Pragma ("omp simd")                                                                  \
    for (gint64 i = start; i < end; i++)                                                  \
      {                                                                                   \
        T d = USE_WD ? g[i] + wd * p[i] : g[i];                                           \
        T s = sq[i] * alpha + one_minus_alpha * d * d;                                    \
        T avg;                                                                            \
                                                                                          \
        sq[i] = s;                                                                        \
        if (CENTERED)                                                                     \
          {                                                                               \
            T ai = ga[i] * alpha + one_minus_alpha * d;                                   \
                                                                                          \
            ga[i] = ai;                                                                   \
            avg = SQRT (s + (-1) * ai * ai) + epsilon;                                    \
          }                                                                               \
        else                                                                              \
          avg = SQRT (s) + epsilon;                                                       \
        if (HAS_BUF)                                                                      \
          {                                                                               \
            T b = buf[i] * momentum + d / avg;                                            \
                                                                                          \
            buf[i] = b;                                                                   \
            p[i] = p[i] + (-lr) * b;                                                      \
          }                                                                               \
        else                                                                              \
          p[i] = p[i] + (-lr) * (d / avg);                                                \
      }                                                                                   \
  } while (0)

#define RMSPROP_LOOPS(CENTERED, HAS_BUF)                                                  \
  do {                                                                                    \
    if (wd != 0)                                                                          \
      RMSPROP_LOOP (CENTERED, HAS_BUF, 1);                                                \
    else                                                                                  \
      RMSPROP_LOOP (CENTERED, HAS_BUF, 0);                                                \
  } while (0)

static FIT_KERNEL_CLONES void
NAME (rmsprop_chunk) (const NAME (RmspropArgs) *a,
                      gint64                    start,
                      gint64                    end)
{
  T *restrict p = a->p;
  const T *restrict g = a->g;
  T *restrict sq = a->sq;
  T *restrict ga = a->ga;
  T *restrict buf = a->buf;
  T lr = a->lr, wd = a->wd, alpha = a->alpha, one_minus_alpha = a->one_minus_alpha;
  T epsilon = a->epsilon, momentum = a->momentum;

  if (ga != NULL && buf != NULL)
    RMSPROP_LOOPS (1, 1);
  else if (ga != NULL)
    RMSPROP_LOOPS (1, 0);
  else if (buf != NULL)
    RMSPROP_LOOPS (0, 1);
  else
    RMSPROP_LOOPS (0, 0);
}

static void
NAME (fit_rmsprop_kernel) (T         *p,
                           const T   *g,
                           T         *sq,
                           T         *ga,
                           T         *buf,
                           gint64     n,
                           T          lr,
                           T          wd,
                           T          alpha,
                           T          one_minus_alpha,
                           T          epsilon,
                           T          momentum)
{
  NAME (RmspropArgs) a = {
    p, g, sq, ga, buf, lr, wd, alpha, one_minus_alpha, epsilon, momentum,
  };

  FIT_RUN_CHUNKS (NAME (rmsprop_chunk), &a, n);
}

/* ---- Adagrad ---- */

typedef struct
{
  T          *p;
  const T    *g;
  T          *sum;
  T           clr, wd, epsilon;
} NAME (AdagradArgs);

#define ADAGRAD_LOOP(USE_WD)                                                              \
  do {                                                                                    \
    _Pragma ("omp simd")                                                                  \
    for (gint64 i = start; i < end; i++)                                                  \
      {                                                                                   \
        T d = USE_WD ? g[i] + wd * p[i] : g[i];                                           \
        T s = sum[i] + d * d;                                                             \
                                                                                          \
        sum[i] = s;                                                                       \
        p[i] = p[i] + (-clr) * (d / (SQRT (s) + epsilon));                                \
      }                                                                                   \
  } while (0)

static FIT_KERNEL_CLONES void
NAME (adagrad_chunk) (const NAME (AdagradArgs) *a,
                      gint64                    start,
                      gint64                    end)
{
  T *restrict p = a->p;
  const T *restrict g = a->g;
  T *restrict sum = a->sum;
  T clr = a->clr, wd = a->wd, epsilon = a->epsilon;

  if (wd != 0)
    ADAGRAD_LOOP (1);
  else
    ADAGRAD_LOOP (0);
}

static void
NAME (fit_adagrad_kernel) (T         *p,
                           const T   *g,
                           T         *sum,
                           gint64     n,
                           T          clr,
                           T          wd,
                           T          epsilon)
{
  NAME (AdagradArgs) a = { p, g, sum, clr, wd, epsilon };

  FIT_RUN_CHUNKS (NAME (adagrad_chunk), &a, n);
}

/* ---- the backend's entry for this element type ---- */

/* Each hyper-parameter is rounded to T here, once, from the double the optimizer
 * combined it in. */
static void
NAME (optim_update) (const FitOptimUpdate *u,
                     T                    *p,
                     const T              *g,
                     T *const             *s,
                     gint64                n)
{
  switch (u->rule)
    {
    case FIT_OPTIM_RULE_SGD:
      NAME (fit_sgd_kernel) (p, g, s[0], n, (T) u->sgd.lr, (T) u->sgd.wd, (T) u->sgd.momentum,
                             (T) u->sgd.one_minus_dampening, u->sgd.nesterov, u->sgd.first);
      break;
    case FIT_OPTIM_RULE_ADAM:
      NAME (fit_adam_kernel) (p, g, s[0], s[1], s[2], n, (T) u->adam.wd, (T) u->adam.decay,
                              (T) u->adam.beta1, (T) u->adam.one_minus_beta1,
                              (T) u->adam.beta2, (T) u->adam.one_minus_beta2,
                              (T) u->adam.bias_correction2_sqrt, (T) u->adam.epsilon,
                              (T) u->adam.neg_step_size);
      break;
    case FIT_OPTIM_RULE_RMSPROP:
      NAME (fit_rmsprop_kernel) (p, g, s[0], s[1], s[2], n, (T) u->rmsprop.lr,
                                 (T) u->rmsprop.wd, (T) u->rmsprop.alpha,
                                 (T) u->rmsprop.one_minus_alpha, (T) u->rmsprop.epsilon,
                                 (T) u->rmsprop.momentum);
      break;
    case FIT_OPTIM_RULE_ADAGRAD:
      NAME (fit_adagrad_kernel) (p, g, s[0], n, (T) u->adagrad.clr, (T) u->adagrad.wd,
                                 (T) u->adagrad.epsilon);
      break;
    default:
      g_assert_not_reached ();
    }
}

#undef SGD_LOOP
#undef ADAM_LOOP
#undef ADAM_LOOPS
#undef RMSPROP_LOOP
#undef RMSPROP_LOOPS
#undef ADAGRAD_LOOP
