/* fit-tensor-winograd-kernels.h: 3×3 stride-1 convolutions by Winograd's F(2×2, 3×3)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Included by fit-tensor-conv-kernels.h, once per float type, with T, FN and FN (vec)
 * defined. Never installed and never included anywhere else.
 *
 * The output is cut into 2×2 tiles; each reads a 4×4 tile of the (padded) input. In
 * the transformed domain a tile's 3×3 correlation is an elementwise product of 16
 * values (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
 *
 * so summed over input channels it is 16 matrix products, one per position ξ of the
 * 4×4 transformed tile: M_ξ = U_ξ · V_ξ with U_ξ [C_out × C_in] the transformed filters
 * and V_ξ [C_in × tiles] the transformed input. That is 16 multiplies per 4 outputs
 * instead of 36: 2.25 times fewer multiply-adds than the direct product. The gradients
 * are the adjoints of the same linear maps, so they take the same path backwards:
 * Ŷ = A dY Aᵀ per tile, then dV_ξ = U_ξᵀ · Ŷ_ξ scattered back through B (the input
 * gradient) and dU_ξ = Σ Ŷ_ξ · V_ξᵀ gathered through G (the weight gradient). The
 * transforms' coefficients are 0, ±1 and ½, so rounding stays at the level of the
 * direct product's (the tests hold both paths to the same tolerances).
 *
 * The products are thin (a few dozen channels by a few hundred tiles) and many (16 per
 * band of tiles). The forward product and the input gradient's go to BLAS, whose
 * small-matrix kernels take them well (10 % faster than a register-blocked kernel of
 * our own, measured on the benchmark CNN's layers). The weight gradient's is a sum
 * over the tiles of products with a transposed operand, where BLAS made the layer
 * 1.15× slower; it runs in the kernel below, which keeps its partial sums in vectors
 * across the bands. The work is done per image and band of tile rows, small enough for
 * the transformed data to stay in L2 between the transform writing it and the product
 * reading it; images are spread over threads, each calling BLAS single-threaded. */

/* The transforms are adds over rows of a dozen or so tiles: AVX-512's 16-lane vectors
 * would leave most of each row to the scalar remainder, so they are built for AVX2 at
 * most (measured 5 % faster on the benchmark CNN's layers). Defined once for both
 * inclusions. */
#ifndef WINO_TRANSFORM
# if defined (__x86_64__) && defined (__ELF__) && defined (__GNUC__) && !defined (__clang__)
#  define WINO_TRANSFORM __attribute__ ((target_clones ("default", "avx2")))
# else
#  define WINO_TRANSFORM
# endif
#endif

enum
{
  FN (WL) = 32 / sizeof (T),     /* lanes of one vector */
};

/* The weight gradient's kernel may fuse multiplies and adds (the library is otherwise
 * built without, so that its elementwise results do not depend on the machine; a
 * product's rounding depends on it anyway, as OpenBLAS's does). */
#if defined (__GNUC__) && !defined (__clang__)
# pragma GCC push_options
# pragma GCC optimize ("fp-contract=fast")
#endif

/* Vectors pass through memory, not by value: the plain build has no AVX registers to
 * pass them in. */
#define WINO_LOAD(v, p) memcpy (&(v), (p), sizeof (v))
#define WINO_STORE(p, v) memcpy ((p), &(v), sizeof (v))

/* C (m × n vectors, dense) += A (m × k) · B (n × k)ᵀ, both with @ld between rows, @k a
 * multiple of WL: dot products along the long dimension, four rows of A by three of B
 * at a time (twelve accumulators, three rows of B and one of A: the 16 AVX2
 * registers; each load feeds three or four multiply-adds), the last one or two rows
 * of B by a narrower block rather than a block of three that repeats a row. Each entry
 * of C keeps its WL partial sums, added across only at the very end: the products are
 * short (a band's tiles), and summing across the lanes after each would cost about as
 * much as its multiply-adds. */
static inline __attribute__ ((always_inline)) void
FN (wino_gemm_nt_block) (int      nb,
                         gint64   i,
                         gint64   j,
                         gint64   m,
                         gint64   k,
                         const T *a,
                         const T *b,
                         gint64   ld,
                         T       *c,
                         gint64   ldc)
{
  enum { L = FN (WL) };
  const T *a0 = a + i * ld, *a1 = a + MIN (i + 1, m - 1) * ld;
  const T *a2 = a + MIN (i + 2, m - 1) * ld, *a3 = a + MIN (i + 3, m - 1) * ld;
  const T *b0 = b + j * ld, *b1 = b0 + ld, *b2 = b1 + ld;
  FN (vec) c00 = { 0 }, c01 = { 0 }, c02 = { 0 }, c10 = { 0 }, c11 = { 0 }, c12 = { 0 };
  FN (vec) c20 = { 0 }, c21 = { 0 }, c22 = { 0 }, c30 = { 0 }, c31 = { 0 }, c32 = { 0 };

  for (gint64 p = 0; p < k; p += L)
    {
      FN (vec) x0, x1 = { 0 }, x2 = { 0 }, y;

      WINO_LOAD (x0, b0 + p);
      if (nb > 1)
        WINO_LOAD (x1, b1 + p);
      if (nb > 2)
        WINO_LOAD (x2, b2 + p);
#define WINO_ROW(r, ar)                                                                \
      WINO_LOAD (y, ar + p);                                                           \
      c##r##0 += y * x0;                                                               \
      if (nb > 1)                                                                      \
        c##r##1 += y * x1;                                                             \
      if (nb > 2)                                                                      \
        c##r##2 += y * x2;
      WINO_ROW (0, a0) WINO_ROW (1, a1) WINO_ROW (2, a2) WINO_ROW (3, a3)
#undef WINO_ROW
    }
#define WINO_ACC(r, s, v)                                                              \
  if (i + r < m && s < nb)                                                             \
    {                                                                                  \
      FN (vec) t;                                                                      \
                                                                                       \
      WINO_LOAD (t, c + ((i + r) * ldc + j + s) * L);                                  \
      t += v;                                                                          \
      WINO_STORE (c + ((i + r) * ldc + j + s) * L, t);                                 \
    }
  WINO_ACC (0, 0, c00) WINO_ACC (0, 1, c01) WINO_ACC (0, 2, c02)
  WINO_ACC (1, 0, c10) WINO_ACC (1, 1, c11) WINO_ACC (1, 2, c12)
  WINO_ACC (2, 0, c20) WINO_ACC (2, 1, c21) WINO_ACC (2, 2, c22)
  WINO_ACC (3, 0, c30) WINO_ACC (3, 1, c31) WINO_ACC (3, 2, c32)
#undef WINO_ACC
}

static inline __attribute__ ((always_inline)) void
FN (wino_gemm_nt_body) (gint64   m,
                        gint64   n,
                        gint64   k,
                        const T *a,
                        const T *b,
                        gint64   ld,
                        T       *c)
{
  for (gint64 i = 0; i < m; i += 4)
    {
      gint64 j = 0;

      for (; j + 3 <= n; j += 3)
        FN (wino_gemm_nt_block) (3, i, j, m, k, a, b, ld, c, n);
      if (n - j == 2)
        FN (wino_gemm_nt_block) (2, i, j, m, k, a, b, ld, c, n);
      else if (n - j == 1)
        FN (wino_gemm_nt_block) (1, i, j, m, k, a, b, ld, c, n);
    }
}

/* The kernel compiled plainly and with fused multiply-adds (see FIT_TARGET_FMA). */
#define WINO_VARIANT_NT(name, attr, body)                                              \
  attr static void                                                                     \
  name (gint64 m, gint64 n, gint64 k, const T *a, const T *b, gint64 ld, T *c)          \
  {                                                                                    \
    body (m, n, k, a, b, ld, c);                                                       \
  }
WINO_VARIANT_NT (FN (wino_gemm_nt_plain), , FN (wino_gemm_nt_body))
#ifdef FIT_TARGET_FMA
WINO_VARIANT_NT (FN (wino_gemm_nt_fma), FIT_TARGET_FMA, FN (wino_gemm_nt_body))
#endif
#undef WINO_VARIANT_NT
#if defined (__GNUC__) && !defined (__clang__)
# pragma GCC pop_options
#endif

static inline void
FN (wino_gemm_nt) (gboolean fma, gint64 m, gint64 n, gint64 k, const T *a, const T *b,
                   gint64 ld, T *c)
{
#ifdef FIT_TARGET_FMA
  if (fma)
    {
      FN (wino_gemm_nt_fma) (m, n, k, a, b, ld, c);
      return;
    }
#endif
  FN (wino_gemm_nt_plain) (m, n, k, a, b, ld, c);
}

/* The transforms' rows of tiles are short (the benchmark CNN's have 11 and 12 tiles),
 * and loops over a row spend much of their time on the part past the last whole
 * vector and on the loops themselves. Where the compiler has shuffles, a row of at
 * least one vector's worth of tiles (WINO_WIDE_ROW) runs in whole vectors instead,
 * each tile's columns split from the row's interleaved ones (the even and the odd
 * columns) by shuffles; when the row is not a whole number of vectors, its last vector
 * starts early and overlaps the one before it, recomputing some tiles with the same
 * result. The forward transforms and the gradient's output adjoint took 30 % less time
 * so (the CNN's step 0.91× on one thread, 0.94× on two). The arithmetic is the scalar
 * loops', operation for operation, so both give the same bits, but for the order in
 * which the output adjoint sums the bias gradient. Narrower rows take the scalar
 * loops. */
#ifndef WINO_WIDE
# if defined (__has_builtin)
#  if __has_builtin (__builtin_shufflevector)
#   define WINO_WIDE 1
#  endif
# endif
#endif

#ifdef WINO_WIDE
/* Lanes of vectors a and b, as one row of 2 · WL values: its even and odd entries
 * (EVEN, ODD), and the inverse, the row (LO then HI) with e's and o's lanes taking
 * turns. */
# if CONV_LANES == 8
#  define WINO_EVEN(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#  define WINO_ODD(a, b) __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13, 15)
#  define WINO_LO(e, o) __builtin_shufflevector (e, o, 0, 8, 1, 9, 2, 10, 3, 11)
#  define WINO_HI(e, o) __builtin_shufflevector (e, o, 4, 12, 5, 13, 6, 14, 7, 15)
# elif CONV_LANES == 4
#  define WINO_EVEN(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6)
#  define WINO_ODD(a, b) __builtin_shufflevector (a, b, 1, 3, 5, 7)
#  define WINO_LO(e, o) __builtin_shufflevector (e, o, 0, 4, 1, 5)
#  define WINO_HI(e, o) __builtin_shufflevector (e, o, 2, 6, 3, 7)
# else
#  error "CONV_LANES must be 8 or 4"
# endif
# define WINO_WIDE_ROW(tw) ((tw) >= FN (WL))
/* x with the lanes where the integer mask m is set cleared to +0. */
# define WINO_CLEAR(x, m) ((FN (vec)) ((FN (ivec)) (x) & ~(m)))
typedef __typeof__ ((FN (vec)) { 0 } < (FN (vec)) { 0 }) FN (ivec);
#endif

/* Which of the products in @flags this path takes: those of 3×3 convolutions with
 * stride 1 and no dilation, with enough channels on both sides for the products to
 * outweigh the transforms. The weight gradient keeps WL partial sums of every U_ξ
 * entry per thread, which past 64 × 64 channel pairs outgrow the cache: there it
 * measured slower than the other paths, which take it instead. */
static guint
FN (winograd_flags) (const ConvGeom *g,
                     guint           flags)
{
  gint64 cig = g->c_img / g->groups, ccg = g->c_col / g->groups;

  if (!(g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->dh == 1 &&
        g->dw == 1 && g->n > 0 && g->oh > 0 && g->ow > 0 && cig >= 4 && ccg >= 4))
    return 0;
  if (cig * ccg > 64 * 64)
    flags &= ~(guint) CONV_WGRAD;
  return (flags & (CONV_FWD | CONV_ADJ | CONV_WGRAD)) ? flags : 0;
}

/* U = G g Gᵀ for every filter: @u holds [group][ξ][c_out][c_in], @ut (when not NULL)
 * the same with each U_ξ transposed, [group][ξ][c_in][c_out]. */
static void
FN (winograd_filters) (const ConvGeom *g,
                       const T        *weight,
                       T              *u,
                       T              *ut)
{
  gint64 cig = g->c_img / g->groups, ccg = g->c_col / g->groups;

  for (gint64 gr = 0; gr < g->groups; gr++)
    for (gint64 co = 0; co < ccg; co++)
      for (gint64 ci = 0; ci < cig; ci++)
        {
          const T *w = weight + ((gr * ccg + co) * cig + ci) * 9;
          T t[4][3], v[16];

          for (int c = 0; c < 3; c++)
            {
              t[0][c] = w[c];
              t[1][c] = (T) 0.5 * (w[c] + w[3 + c] + w[6 + c]);
              t[2][c] = (T) 0.5 * (w[c] - w[3 + c] + w[6 + c]);
              t[3][c] = w[6 + c];
            }
          for (int i = 0; i < 4; i++)
            {
              v[4 * i + 0] = t[i][0];
              v[4 * i + 1] = (T) 0.5 * (t[i][0] + t[i][1] + t[i][2]);
              v[4 * i + 2] = (T) 0.5 * (t[i][0] - t[i][1] + t[i][2]);
              v[4 * i + 3] = t[i][2];
            }
          for (int x = 0; x < 16; x++)
            {
              u[((gr * 16 + x) * ccg + co) * cig + ci] = v[x];
              if (ut != NULL)
                ut[((gr * 16 + x) * cig + ci) * ccg + co] = v[x];
            }
        }
}

/* V = Bᵀ d B for the tiles of rows [ty0, ty0 + nty) of one channel's plane @xp (rows
 * @ld apart, 2 · @tw + 2 columns read), into v[ξ · @stride + tile], tiles numbered from
 * the band's first. The rows are combined first, their even and odd columns apart in
 * @tmp (8 · (@tw + 1) values): a tile steps two columns, so its four columns are then
 * neighbours in the two halves, and the second pass runs on whole vectors. */
WINO_TRANSFORM static void
FN (winograd_input) (const T *xp,
                     gint64   ld,
                     gint64   ty0,
                     gint64   nty,
                     gint64   tw,
                     T       *v,
                     gint64   stride,
                     T       *tmp)
{
  gint64 half = tw + 1;
  gint64 ahead = MAX (4, 2048 / (gint64) (ld * sizeof (T)));

  for (gint64 ty = 0; ty < nty; ty++)
    {
      const T *r0 = xp + 2 * (ty0 + ty) * ld;
      const T *r1 = r0 + ld, *r2 = r1 + ld, *r3 = r2 + ld;

      /* The image comes from memory or L3 (the previous layer wrote the whole batch),
       * four rows at a time, and the processor's own prefetchers do not keep up:
       * asking for the rows some 2 KiB ahead made the CNN's step 4–6 % faster. A
       * prefetch past the plane is harmless (it never faults) and mostly useful, as
       * the next channel's plane follows. */
      for (int q = 0; q < 2; q++)
        for (gint64 c = 0; c < 2 * tw + 2; c += 64 / sizeof (T))
          __builtin_prefetch (r0 + (ahead + q) * ld + c);

#ifdef WINO_WIDE
      /* The same sums on vectors of tiles: the rows combined first, as they are in
       * memory (c: columns 2 tx … 2 tx + 2 WL − 1, then the same two columns on),
       * then split into the tiles' four columns. Each combination of rows at a time
       * keeps few enough vectors live for AVX2's 16 registers. The last vector reads
       * up to column 2 · tw + 1, the row's last. */
      if (WINO_WIDE_ROW (tw))
        {
          for (gint64 tx0 = 0; tx0 < tw; tx0 += FN (WL))
            {
              gint64 tx = MIN (tx0, tw - FN (WL));
              const T *p0 = r0 + 2 * tx, *p1 = r1 + 2 * tx;
              const T *p2 = r2 + 2 * tx, *p3 = r3 + 2 * tx;
              T *out = v + ty * tw + tx;

#define WINO_ROWS(i, pa, op, pb)                                                       \
              {                                                                        \
                FN (vec) c0, c1, c2, c3, e0, e1, e2, e3, t0, t1, t2, t3, o;            \
                                                                                       \
                WINO_LOAD (c0, pa);                                                    \
                WINO_LOAD (c1, pa + FN (WL));                                          \
                WINO_LOAD (c2, pa + 2);                                                \
                WINO_LOAD (c3, pa + 2 + FN (WL));                                      \
                WINO_LOAD (e0, pb);                                                    \
                WINO_LOAD (e1, pb + FN (WL));                                          \
                WINO_LOAD (e2, pb + 2);                                                \
                WINO_LOAD (e3, pb + 2 + FN (WL));                                      \
                c0 = c0 op e0;                                                         \
                c1 = c1 op e1;                                                         \
                c2 = c2 op e2;                                                         \
                c3 = c3 op e3;                                                         \
                t0 = WINO_EVEN (c0, c1);                                               \
                t1 = WINO_ODD (c0, c1);                                                \
                t2 = WINO_EVEN (c2, c3);                                               \
                t3 = WINO_ODD (c2, c3);                                                \
                o = t0 - t2;                                                           \
                WINO_STORE (out + 4 * i * stride, o);                                  \
                o = t1 + t2;                                                           \
                WINO_STORE (out + (4 * i + 1) * stride, o);                            \
                o = t2 - t1;                                                           \
                WINO_STORE (out + (4 * i + 2) * stride, o);                            \
                o = t1 - t3;                                                           \
                WINO_STORE (out + (4 * i + 3) * stride, o);                            \
              }
              WINO_ROWS (0, p0, -, p2)
              WINO_ROWS (1, p1, +, p2)
              WINO_ROWS (2, p2, -, p1)
              WINO_ROWS (3, p1, -, p3)
#undef WINO_ROWS
            }
          continue;
        }
#endif

#pragma omp simd
      for (gint64 c = 0; c < half; c++)
        {
          T e0 = r0[2 * c], e1 = r1[2 * c], e2 = r2[2 * c], e3 = r3[2 * c];
          T o0 = r0[2 * c + 1], o1 = r1[2 * c + 1], o2 = r2[2 * c + 1], o3 = r3[2 * c + 1];

          tmp[c] = e0 - e2;
          tmp[half + c] = o0 - o2;
          tmp[2 * half + c] = e1 + e2;
          tmp[3 * half + c] = o1 + o2;
          tmp[4 * half + c] = e2 - e1;
          tmp[5 * half + c] = o2 - o1;
          tmp[6 * half + c] = e1 - e3;
          tmp[7 * half + c] = o1 - o3;
        }
      for (int i = 0; i < 4; i++)
        {
          const T *e = tmp + 2 * i * half, *o = e + half;
          T *out = v + 4 * i * stride + ty * tw;

#pragma omp simd
          for (gint64 tx = 0; tx < tw; tx++)
            {
              T d0 = e[tx], d1 = o[tx], d2 = e[tx + 1], d3 = o[tx + 1];

              out[tx] = d0 - d2;
              out[stride + tx] = d1 + d2;
              out[2 * stride + tx] = d2 - d1;
              out[3 * stride + tx] = d1 - d3;
            }
        }
    }
}

/* dX += B dV Bᵀ: the adjoint of winograd_input(), added into the plane @xp (rows @ld
 * apart); @tmp holds 16 values a tile and 16 more a tile row. The band's tiles are
 * transformed in one run; then, row by row, the two columns that neighbouring tiles
 * share are summed before the row is added to. */
WINO_TRANSFORM static void
FN (winograd_input_adjoint) (const T *v,
                             gint64   stride,
                             gint64   ty0,
                             gint64   nty,
                             gint64   tw,
                             T       *xp,
                             gint64   ld,
                             T       *tmp)
{
  gint64 tiles = nty * tw;

#ifdef WINO_WIDE
  /* The same in whole vectors. A tile row adds into four image rows, which follow one
   * another in memory (@ld is 2 · tw + 2), so it adds one run of 4 · (tw + 1) column
   * pairs, even and odd columns interleaved: first its tiles are transformed (a row's
   * last vector of tiles overlapping the one before), each of the four columns of a
   * tile into its own array (a, then b one pair on, with zeros where a row has no
   * tile), then the arrays are summed into the image, the even tile rows before the odd
   * ones: neighbouring tile rows share two image rows, and a vector that re-reads what
   * another has just added to stalls on the store (which made adding row by row 3 %
   * slower on the CNN than the scalar loops). The sums are the scalar loops', but where
   * they add nothing (a zero) to the row's ends, which may turn a −0 into +0. */
  if (WINO_WIDE_ROW (tw))
    {
      gint64 run = 4 * (tw + 1);

      for (gint64 ty = 0; ty < nty; ty++)
        {
          T *col[4] = { tmp + 4 * ty * run, tmp + (4 * ty + 1) * run,
                        tmp + (4 * ty + 2) * run + 1, tmp + (4 * ty + 3) * run + 1 };

          for (int i = 0; i < 4; i++)
            {
              col[0][i * (tw + 1) + tw] = 0;
              col[1][i * (tw + 1) + tw] = 0;
              col[2][i * (tw + 1) - 1] = 0;
              col[3][i * (tw + 1) - 1] = 0;
            }
          for (gint64 tx0 = 0; tx0 < tw; tx0 += FN (WL))
            {
              gint64 tx = MIN (tx0, tw - FN (WL));
              const T *vp = v + ty * tw + tx;
              FN (vec) g[4][4];

              for (int i = 0; i < 4; i++)
                {
                  FN (vec) g0, g1, g2, g3;

                  WINO_LOAD (g0, vp + 4 * i * stride);
                  WINO_LOAD (g1, vp + (4 * i + 1) * stride);
                  WINO_LOAD (g2, vp + (4 * i + 2) * stride);
                  WINO_LOAD (g3, vp + (4 * i + 3) * stride);
                  g[i][0] = g0;
                  g[i][1] = g1 - g2 + g3;
                  g[i][2] = g1 + g2 - g0;
                  g[i][3] = -g3;
                }
              for (int j = 0; j < 4; j++)
                {
                  T *out = col[j] + tx;
                  FN (vec) h0 = g[0][j], h1 = g[1][j] - g[2][j] + g[3][j];
                  FN (vec) h2 = g[1][j] + g[2][j] - g[0][j], h3 = -g[3][j];

                  WINO_STORE (out, h0);
                  WINO_STORE (out + (tw + 1), h1);
                  WINO_STORE (out + 2 * (tw + 1), h2);
                  WINO_STORE (out + 3 * (tw + 1), h3);
                }
            }
        }
      for (gint64 first = 0; first < 2; first++)
        for (gint64 ty = first; ty < nty; ty += 2)
          {
            T *row = xp + 2 * (ty0 + ty) * ld;
            const T *a0 = tmp + 4 * ty * run, *a1 = a0 + run, *b2 = a1 + run;
            const T *b3 = b2 + run;
            gint64 q = 0;

            for (; q + FN (WL) <= run; q += FN (WL))
              {
                FN (vec) x, y, e, o, lo, hi;

                WINO_LOAD (x, a0 + q);
                WINO_LOAD (y, b2 + q);
                e = x + y;
                WINO_LOAD (x, a1 + q);
                WINO_LOAD (y, b3 + q);
                o = x + y;
                WINO_LOAD (lo, row + 2 * q);
                WINO_LOAD (hi, row + 2 * q + FN (WL));
                lo += WINO_LO (e, o);
                hi += WINO_HI (e, o);
                WINO_STORE (row + 2 * q, lo);
                WINO_STORE (row + 2 * q + FN (WL), hi);
              }
            for (; q < run; q++)
              {
                row[2 * q] += a0[q] + b2[q];
                row[2 * q + 1] += a1[q] + b3[q];
              }
          }
      return;
    }
#endif

#pragma omp simd
  for (gint64 p = 0; p < tiles; p++)
    {
      T g[4][4];

      for (int i = 0; i < 4; i++)
        {
          T g0 = v[(4 * i + 0) * stride + p], g1 = v[(4 * i + 1) * stride + p];
          T g2 = v[(4 * i + 2) * stride + p], g3 = v[(4 * i + 3) * stride + p];

          g[i][0] = g0;
          g[i][1] = g1 - g2 + g3;
          g[i][2] = g1 + g2 - g0;
          g[i][3] = -g3;
        }
      for (int j = 0; j < 4; j++)
        {
          tmp[j * tiles + p] = g[0][j];
          tmp[(4 + j) * tiles + p] = g[1][j] - g[2][j] + g[3][j];
          tmp[(8 + j) * tiles + p] = g[1][j] + g[2][j] - g[0][j];
          tmp[(12 + j) * tiles + p] = -g[3][j];
        }
    }
  for (gint64 ty = 0; ty < nty; ty++)
    for (int i = 0; i < 4; i++)
      {
        T *row = xp + (2 * (ty0 + ty) + i) * ld;
        const T *h0 = tmp + 4 * i * tiles + ty * tw, *h1 = h0 + tiles;
        const T *h2 = h1 + tiles, *h3 = h2 + tiles;

        /* Columns 2c and 2c + 1 get tile c's first two and tile c − 1's last two. */
        row[0] += h0[0];
        row[1] += h1[0];
#pragma omp simd
        for (gint64 c = 1; c < tw; c++)
          {
            row[2 * c] += h0[c] + h2[c - 1];
            row[2 * c + 1] += h1[c] + h3[c - 1];
          }
        row[2 * tw] += h2[tw - 1];
        row[2 * tw + 1] += h3[tw - 1];
      }
}

/* Y = Aᵀ M A for one output channel's tiles of rows [ty0, ty0 + nty), plus @bias
 * (and then max (·, 0) with @relu), into @y (@oh × @ow); tiles past the edge write only
 * their inner part. @tmp holds 4 values a tile. */
WINO_TRANSFORM static void
FN (winograd_output) (const T *m,
                      gint64   stride,
                      gint64   ty0,
                      gint64   nty,
                      gint64   tw,
                      T        bias,
                      gboolean relu,
                      T       *y,
                      gint64   oh,
                      gint64   ow,
                      T       *tmp)
{
  gint64 pairs = ow / 2;
  gint64 tiles = nty * tw;
  T *y00 = tmp, *y01 = tmp + tiles, *y10 = tmp + 2 * tiles, *y11 = tmp + 3 * tiles;

#ifdef WINO_WIDE
  /* The same sums on vectors of tiles, each output row written as the even and odd
   * columns' lanes interleaved. An odd width's last tile has one column in the image,
   * which the scalar loops below keep to. */
  if (WINO_WIDE_ROW (tw) && ow % 2 == 0)
    {
      FN (vec) b = { 0 }, zero = { 0 };

      for (int l = 0; l < FN (WL); l++)
        b[l] = bias;
      for (gint64 ty = 0; ty < nty; ty++)
        for (gint64 tx0 = 0; tx0 < tw; tx0 += FN (WL))
          {
            gint64 tx = MIN (tx0, tw - FN (WL)), oy = 2 * (ty0 + ty);
            const T *mp = m + ty * tw + tx;
            FN (vec) r[2][4], o[2][2];

            for (int j = 0; j < 4; j++)
              {
                FN (vec) m0, m1, m2, m3;

                WINO_LOAD (m0, mp + j * stride);
                WINO_LOAD (m1, mp + (4 + j) * stride);
                WINO_LOAD (m2, mp + (8 + j) * stride);
                WINO_LOAD (m3, mp + (12 + j) * stride);
                r[0][j] = m0 + m1 + m2;
                r[1][j] = m1 - m2 - m3;
              }
            for (int a = 0; a < 2; a++)
              {
                o[a][0] = r[a][0] + r[a][1] + r[a][2] + b;
                o[a][1] = r[a][1] - r[a][2] - r[a][3] + b;
                if (relu)
                  {
                    o[a][0] = WINO_CLEAR (o[a][0], o[a][0] < zero);
                    o[a][1] = WINO_CLEAR (o[a][1], o[a][1] < zero);
                  }
              }
            for (int a = 0; a < 2 && oy + a < oh; a++)
              {
                T *row = y + (oy + a) * ow + 2 * tx;
                FN (vec) lo = WINO_LO (o[a][0], o[a][1]), hi = WINO_HI (o[a][0], o[a][1]);

                WINO_STORE (row, lo);
                WINO_STORE (row + FN (WL), hi);
              }
          }
      return;
    }
#endif

#pragma omp simd
  for (gint64 p = 0; p < tiles; p++)
    {
      T r[2][4], o00, o01, o10, o11;

      for (int j = 0; j < 4; j++)
        {
          T m0 = m[j * stride + p], m1 = m[(4 + j) * stride + p];
          T m2 = m[(8 + j) * stride + p], m3 = m[(12 + j) * stride + p];

          r[0][j] = m0 + m1 + m2;
          r[1][j] = m1 - m2 - m3;
        }
      o00 = r[0][0] + r[0][1] + r[0][2] + bias;
      o01 = r[0][1] - r[0][2] - r[0][3] + bias;
      o10 = r[1][0] + r[1][1] + r[1][2] + bias;
      o11 = r[1][1] - r[1][2] - r[1][3] + bias;

      if (relu)
        {
          o00 = o00 < 0 ? 0 : o00;
          o01 = o01 < 0 ? 0 : o01;
          o10 = o10 < 0 ? 0 : o10;
          o11 = o11 < 0 ? 0 : o11;
        }
      y00[p] = o00;
      y01[p] = o01;
      y10[p] = o10;
      y11[p] = o11;
    }
  for (gint64 ty = 0; ty < nty; ty++)
    {
      gint64 oy = 2 * (ty0 + ty);

      for (int a = 0; a < 2 && oy + a < oh; a++)
        {
          T *row = y + (oy + a) * ow;
          const T *even = (a == 0 ? y00 : y10) + ty * tw;
          const T *odd = (a == 0 ? y01 : y11) + ty * tw;

          for (gint64 tx = 0; tx < pairs; tx++)
            {
              row[2 * tx] = even[tx];
              row[2 * tx + 1] = odd[tx];
            }
          if (ow & 1)
            row[ow - 1] = even[pairs];
        }
    }
}

/* Ŷ = A dY Aᵀ: the adjoint of winograd_output(), from one channel of the gradient
 * (values past the edge read as zero) into ŷ[ξ · @stride + tile]; @tmp holds
 * 4 values a tile. With @z, the gradient came through a ReLU whose result was @z (the
 * same channel), and is read masked by it; with @sum, the values read are added to
 * *@sum (the bias gradient). */
WINO_TRANSFORM static void
FN (winograd_output_adjoint) (const T *dy,
                              const T *z,
                              gint64   oh,
                              gint64   ow,
                              gint64   ty0,
                              gint64   nty,
                              gint64   tw,
                              T       *yh,
                              gint64   stride,
                              T       *tmp,
                              T       *sum)
{
  gint64 pairs = ow / 2;
  gint64 tiles = nty * tw;
  gint64 ahead = MAX (4, 2048 / (gint64) (ow * sizeof (T)));
  T *a0 = tmp, *b0 = tmp + tiles, *a1 = tmp + 2 * tiles, *b1 = tmp + 3 * tiles;
  T total = 0;

#ifdef WINO_WIDE
  /* The same on vectors of tiles: the gradient's two rows split into even and odd
   * columns (a, b) by shuffles, masked before the split. A row's last vector, when it
   * overlaps the one before, adds only its new tiles to the sum. */
  if (WINO_WIDE_ROW (tw) && ow % 2 == 0)
    {
      FN (vec) acc = { 0 }, zero = { 0 };
      FN (ivec) fresh;     /* the lanes of a row's last vector not in the one before */

      for (int l = 0; l < FN (WL); l++)
        fresh[l] = l < FN (WL) - tw % FN (WL) ? 0 : -1;
      for (gint64 ty = 0; ty < nty; ty++)
        {
          const T *rows[2], *zrows[2] = { NULL, NULL };

          for (int r = 0; r < 2; r++)
            {
              gint64 oy = 2 * (ty0 + ty) + r;

              rows[r] = oy < oh ? dy + oy * ow : NULL;
              if (rows[r] == NULL)
                continue;
              zrows[r] = z != NULL ? z + oy * ow : NULL;
              for (gint64 c = 0; c < ow; c += 64 / sizeof (T))
                {
                  __builtin_prefetch (rows[r] + ahead * ow + c);
                  if (z != NULL)
                    __builtin_prefetch (zrows[r] + ahead * ow + c);
                }
            }
          for (gint64 tx0 = 0; tx0 < tw; tx0 += FN (WL))
            {
              gint64 tx = MIN (tx0, tw - FN (WL));
              T *out = yh + ty * tw + tx;
              FN (vec) a[2] = { { 0 }, { 0 } }, b[2] = { { 0 }, { 0 } }, r[4][2], t;

              for (int q = 0; q < 2 && rows[q] != NULL; q++)
                {
                  FN (vec) e, o;

                  WINO_LOAD (e, rows[q] + 2 * tx);
                  WINO_LOAD (o, rows[q] + 2 * tx + FN (WL));
                  if (z != NULL)
                    {
                      FN (vec) ze, zo;

                      WINO_LOAD (ze, zrows[q] + 2 * tx);
                      WINO_LOAD (zo, zrows[q] + 2 * tx + FN (WL));
                      e = WINO_CLEAR (e, ze <= zero);
                      o = WINO_CLEAR (o, zo <= zero);
                    }
                  a[q] = WINO_EVEN (e, o);
                  b[q] = WINO_ODD (e, o);
                }
              r[0][0] = a[0];
              r[0][1] = b[0];
              r[1][0] = a[0] + a[1];
              r[1][1] = b[0] + b[1];
              r[2][0] = a[0] - a[1];
              r[2][1] = b[0] - b[1];
              r[3][0] = -a[1];
              r[3][1] = -b[1];
              for (int i = 0; i < 4; i++)
                {
                  FN (vec) o0 = r[i][0], o1 = r[i][0] + r[i][1];
                  FN (vec) o2 = r[i][0] - r[i][1], o3 = -r[i][1];

                  WINO_STORE (out + 4 * i * stride, o0);
                  WINO_STORE (out + (4 * i + 1) * stride, o1);
                  WINO_STORE (out + (4 * i + 2) * stride, o2);
                  WINO_STORE (out + (4 * i + 3) * stride, o3);
                }
              t = (a[0] + b[0]) + (a[1] + b[1]);
              acc += tx == tx0 ? t : (FN (vec)) ((FN (ivec)) t & fresh);
            }
        }
      for (int l = 0; l < FN (WL); l++)
        total += acc[l];
      if (sum != NULL)
        *sum += total;
      return;
    }
#endif

  /* Each tile's four values, zero past the edge. The gradient comes from memory, as
   * the image does in winograd_input(): the rows some 2 KiB ahead are prefetched. */
  for (gint64 ty = 0; ty < nty; ty++)
    for (int r = 0; r < 2; r++)
      {
        gint64 oy = 2 * (ty0 + ty) + r;
        T *a = (r == 0 ? a0 : a1) + ty * tw, *b = (r == 0 ? b0 : b1) + ty * tw;
        const T *row = dy + oy * ow;
        const T *zr = z != NULL ? z + oy * ow : NULL;

        if (oy >= oh)
          {
            memset (a, 0, tw * sizeof (T));
            memset (b, 0, tw * sizeof (T));
            continue;
          }
        for (gint64 c = 0; c < ow; c += 64 / sizeof (T))
          {
            __builtin_prefetch (row + ahead * ow + c);
            if (zr != NULL)
              __builtin_prefetch (zr + ahead * ow + c);
          }
        if (zr != NULL)
          {
            /* fit_tensor_relu()'s own backward expression, so that fused and apart
             * give the same bits. */
#pragma omp simd
            for (gint64 tx = 0; tx < pairs; tx++)
              {
                T e = row[2 * tx], o = row[2 * tx + 1];

                a[tx] = zr[2 * tx] <= 0 ? 0 : e;
                b[tx] = zr[2 * tx + 1] <= 0 ? 0 : o;
              }
            if (ow & 1)
              {
                T e = row[ow - 1];

                a[pairs] = zr[ow - 1] <= 0 ? 0 : e;
                b[pairs] = 0;
              }
          }
        else
          {
#pragma omp simd
            for (gint64 tx = 0; tx < pairs; tx++)
              {
                a[tx] = row[2 * tx];
                b[tx] = row[2 * tx + 1];
              }
            if (ow & 1)
              {
                a[pairs] = row[ow - 1];
                b[pairs] = 0;
              }
          }
      }

#pragma omp simd reduction (+:total)
  for (gint64 p = 0; p < tiles; p++)
    {
      T r[4][2] = { { a0[p], b0[p] }, { a0[p] + a1[p], b0[p] + b1[p] },
                    { a0[p] - a1[p], b0[p] - b1[p] }, { -a1[p], -b1[p] } };

      for (int i = 0; i < 4; i++)
        {
          yh[(4 * i + 0) * stride + p] = r[i][0];
          yh[(4 * i + 1) * stride + p] = r[i][0] + r[i][1];
          yh[(4 * i + 2) * stride + p] = r[i][0] - r[i][1];
          yh[(4 * i + 3) * stride + p] = -r[i][1];
        }
      total += (a0[p] + b0[p]) + (a1[p] + b1[p]);
    }
  if (sum != NULL)
    *sum += total;
}

/* How many tile rows (of @tw tiles, @th in all) a band takes. Its transformed data
 * (@per_tile values a tile) stays within 256 KiB, half of what a core's L2 holds, and
 * every product runs over the band's tiles rounded up to whole vectors, so a band whose
 * tile count is just past a multiple of the vector wastes most of a vector on each of
 * its 16 products per channel pair; each band also costs its own 16 calls. Of the
 * heights that fit, the one with the fewest vector lanes in all, counting a band as one
 * vector more, wins; on a tie the lower one, whose bands are more even. (Evenly
 * balanced bands of the largest height that fits made the benchmark CNN's 11-tile
 * rows run 136 and 144 lanes for 121 tiles where 128 do.) */
static gint64
FN (winograd_band) (gint64 th,
                    gint64 tw,
                    gint64 per_tile)
{
  gint64 fits = MAX ((gint64) (256 * 1024 / sizeof (T)) / MAX (per_tile * tw, 1), 1);
  gint64 best = 1, best_cost = G_MAXINT64;

  for (gint64 h = 1; h <= MIN (fits, th); h++)
    {
      gint64 full = th / h, rest = th % h;
      gint64 cost = full * ((h * tw + FN (WL) - 1) / FN (WL) + 1) +
                    (rest > 0 ? (rest * tw + FN (WL) - 1) / FN (WL) + 1 : 0);

      if (cost < best_cost)
        {
          best = h;
          best_cost = cost;
        }
    }
  return best;
}

static void
FN (conv_run_winograd) (const ConvGeom *g,
                        guint           flags,
                        const T        *img_in,
                        T              *img_out,
                        const T        *col_in,
                        T              *col_out,
                        const T        *weight,
                        const T        *bias,
                        T              *dweight,
                        T              *dbias,
                        const T        *relu_out)
{
  gint64 cig = g->c_img / g->groups, ccg = g->c_col / g->groups;
  gint64 th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2;
  gint64 hp = 2 * th + 2, wp = 2 * tw + 2, hwp = hp * wp;
  gint64 hwi = g->h * g->w, hwc = g->oh * g->ow;
  gboolean fwd = (flags & CONV_FWD) != 0, wgrad = (flags & CONV_WGRAD) != 0;
  gboolean adj = (flags & CONV_ADJ) != 0;
  gboolean need_v = fwd || wgrad;     /* the transformed image */
  gboolean need_yh = wgrad || adj;    /* the transformed gradient */
  /* Without padding and with an even output, the tiles cover the image exactly and
   * the transforms read and write it in place; otherwise through a bordered copy. */
  gboolean direct = g->ph == 0 && g->pw == 0 && g->oh % 2 == 0 && g->ow % 2 == 0;
  gint64 pad_size = direct ? 0 : cig * hwp;
  gint64 per_tile = 16 * ((need_v ? cig : 0) + ccg + (adj ? cig : 0));
  gint64 band, stride, u_size, per_thread, dw_size, db_size;
  int threads = fit_parallel_threads ();
  int n_threads = 1;
  g_autoptr(FitTensor) work = NULL;
  gboolean fma = FALSE;
  gboolean serial;
  T *u, *ut, *ws;

#ifdef FIT_TARGET_FMA
  fma = FIT_CPU_HAS_FMA ();
#endif

  band = FN (winograd_band) (th, tw, per_tile);
  stride = (band * tw + FN (WL) - 1) / FN (WL) * FN (WL);

  u_size = g->groups * 16 * cig * ccg;
  dw_size = wgrad ? u_size * FN (WL) : 0;
  db_size = (flags & CONV_BGRAD_COL) ? g->c_col : 0;
  per_thread = per_tile * stride + 16 * (stride + band) + 4 * wp + (need_v ? pad_size : 0) +
               (adj ? pad_size : 0) + dw_size + db_size;

  if (threads > 1 && g->n > 1 &&
      g->n * hwc * cig * ccg * 9 > FIT_PARALLEL_GRAIN)
    n_threads = (int) MIN ((gint64) threads, g->n);

  work = fit_tensor_new_empty (CONV_DTYPE, (gint64[]) { 2 * u_size + per_thread * n_threads }, 1);
  u = (T *) fit_tensor_ptr (work);
  ut = u + u_size;
  ws = ut + u_size;
  FN (winograd_filters) (g, weight, u, adj ? ut : NULL);

  serial = fit_blas_serial_begin (G_MAXINT64);
#pragma omp parallel num_threads (n_threads) if (n_threads > 1)
  {
    T *base = ws + (gint64) omp_get_thread_num () * per_thread;
    T *v = base;                                     /* V_ξ [c_in][tiles] */
    T *yh = v + (need_v ? 16 * cig * stride : 0);    /* M_ξ or Ŷ_ξ [c_out][tiles] */
    T *dv = yh + 16 * ccg * stride;                  /* dV_ξ [c_in][tiles] */
    T *tmp = dv + (adj ? 16 * cig * stride : 0);     /* the transforms' rows */
    T *xp = tmp + 16 * (stride + band) + 4 * wp;     /* the padded image */
    T *dxp = xp + (need_v ? pad_size : 0);           /* the padded input gradient */
    T *du = dxp + (adj ? pad_size : 0);              /* this thread's Σ dU_ξ */
    T *db = du + dw_size;

    /* The padded image's border stays zero and the sums start at zero. Columns past a
     * band's last tile are never read, but enter products whose results are dropped:
     * zero, and then whatever earlier bands left there, they cost no slow
     * arithmetic on stray denormals. */
    memset (base, 0, per_thread * sizeof (T));

#pragma omp for schedule (static)
    for (gint64 n = 0; n < g->n; n++)
      for (gint64 gr = 0; gr < g->groups; gr++)
        {
          const T *x = img_in != NULL ? img_in + (n * g->c_img + gr * cig) * hwi : NULL;
          const T *dy = col_in != NULL ? col_in + (n * g->c_col + gr * ccg) * hwc : NULL;
          T *y = col_out != NULL ? col_out + (n * g->c_col + gr * ccg) * hwc : NULL;
          T *dx = adj ? img_out + (n * g->c_img + gr * cig) * hwi : NULL;
          const T *u_g = u + gr * 16 * ccg * cig;
          const T *ut_g = ut + gr * 16 * cig * ccg;

          const T *plane = x;     /* the image as the tiles read it */
          T *dplane = dx;         /* and its gradient */

          /* The result of a fused ReLU, which masks the gradient. */
          const T *z = relu_out != NULL ? relu_out + (n * g->c_col + gr * ccg) * hwc : NULL;

          if (need_v && !direct)
            {
              FN (pad_planes) (x, cig, g->h, g->w, g->ph, g->pw, xp, hp, wp);
              plane = xp;
            }
          if (adj && !direct)
            {
              memset (dxp, 0, pad_size * sizeof (T));
              dplane = dxp;
            }
          else if (adj)
            FN (fill_planes) (img_out, n, 1, g->c_img, gr * cig, cig, hwi, bias);

          for (gint64 ty0 = 0; ty0 < th; ty0 += band)
            {
              gint64 nty = MIN (band, th - ty0);
              gint64 tiles = nty * tw;
              gint64 tiles_v = (tiles + FN (WL) - 1) / FN (WL) * FN (WL);

              if (need_v)
                for (gint64 ci = 0; ci < cig; ci++)
                  FN (winograd_input) (plane + ci * hwp, wp, ty0, nty, tw,
                                       v + ci * stride, cig * stride, tmp);
              /* The weight gradient's sums run to whole vectors: zero where the image
               * side has no tiles makes the rest drop out. */
              if (wgrad)
                for (gint64 r = 0; r < 16 * cig; r++)
                  for (gint64 q = tiles; q < tiles_v; q++)
                    v[r * stride + q] = 0;

              if (fwd)
                {
                  for (int xi = 0; xi < 16; xi++)
                    GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, ccg, tiles, cig, 1,
                          u_g + xi * ccg * cig, cig, v + xi * cig * stride, stride, 0,
                          yh + xi * ccg * stride, stride);
                  for (gint64 co = 0; co < ccg; co++)
                    FN (winograd_output) (yh + co * stride, ccg * stride, ty0, nty, tw,
                                          bias != NULL ? bias[gr * ccg + co] : 0,
                                          (flags & CONV_RELU) != 0, y + co * hwc, g->oh,
                                          g->ow, tmp);
                }

              if (!need_yh)
                continue;
              for (gint64 co = 0; co < ccg; co++)
                FN (winograd_output_adjoint) (dy + co * hwc, z != NULL ? z + co * hwc : NULL,
                                              g->oh, g->ow, ty0, nty, tw, yh + co * stride,
                                              ccg * stride, tmp,
                                              db_size > 0 ? db + gr * ccg + co : NULL);
              if (wgrad)
                for (int xi = 0; xi < 16; xi++)
                  FN (wino_gemm_nt) (fma, ccg, cig, tiles_v, yh + xi * ccg * stride,
                                     v + xi * cig * stride, stride,
                                     du + (gr * 16 + xi) * ccg * cig * FN (WL));
              if (adj)
                {
                  for (int xi = 0; xi < 16; xi++)
                    GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, cig, tiles, ccg, 1,
                          ut_g + xi * cig * ccg, ccg, yh + xi * ccg * stride, stride, 0,
                          dv + xi * cig * stride, stride);
                  for (gint64 ci = 0; ci < cig; ci++)
                    FN (winograd_input_adjoint) (dv + ci * stride, cig * stride, ty0, nty,
                                                 tw, dplane + ci * hwp, wp, tmp);
                }
            }

          /* The input gradient is the padded plane's interior (plus the bias of a
           * transposed convolution, whose forward pass this is). */
          if (adj && !direct)
            FN (crop_planes) (dxp, cig, hp, wp, g->ph, g->pw,
                              bias != NULL ? bias + gr * cig : NULL, dx, g->h, g->w);
        }
  }

  fit_blas_serial_end (serial);

  /* dW = Gᵀ dU G, summed over the threads. */
  for (gint64 gr = 0; gr < g->groups && wgrad; gr++)
    for (gint64 co = 0; co < ccg; co++)
      for (gint64 ci = 0; ci < cig; ci++)
        {
          T d[16], t[3][4];
          T *w = dweight + ((gr * ccg + co) * cig + ci) * 9;

          for (int xi = 0; xi < 16; xi++)
            {
              d[xi] = 0;
              for (int th_i = 0; th_i < n_threads; th_i++)
                for (int l = 0; l < FN (WL); l++)
                  d[xi] += ws[th_i * per_thread + per_thread - db_size - dw_size +
                              (((gr * 16 + xi) * ccg + co) * cig + ci) * FN (WL) + l];
            }
          for (int j = 0; j < 4; j++)
            {
              t[0][j] = d[j] + (T) 0.5 * (d[4 + j] + d[8 + j]);
              t[1][j] = (T) 0.5 * (d[4 + j] - d[8 + j]);
              t[2][j] = (T) 0.5 * (d[4 + j] + d[8 + j]) + d[12 + j];
            }
          for (int r = 0; r < 3; r++)
            {
              w[r * 3 + 0] = t[r][0] + (T) 0.5 * (t[r][1] + t[r][2]);
              w[r * 3 + 1] = (T) 0.5 * (t[r][1] - t[r][2]);
              w[r * 3 + 2] = (T) 0.5 * (t[r][1] + t[r][2]) + t[r][3];
            }
        }
  FN (sum_over_threads) (ws, per_thread, per_thread - db_size, n_threads, db_size, dbias);
  if (flags & CONV_BGRAD_IMG)
    FN (channel_sums) (img_in, g->n, g->c_img, hwi, dbias);
}

#undef WINO_EVEN
#undef WINO_ODD
#undef WINO_LO
#undef WINO_HI
#undef WINO_WIDE_ROW
#undef WINO_CLEAR
#undef WINO_LOAD
#undef WINO_STORE
