/* fit-tensor-shape.c: reshaping, joining, slicing and indexing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every tensor is C-contiguous, so an operation here is either a view (the same
 * elements in the same order under another shape: reshape, flatten, squeeze, unsqueeze,
 * and slices of the leading dimension) or a copy into a fresh contiguous tensor. The
 * copies only move elements, so they work on the bit patterns of 4- and 8-byte elements
 * and serve every element type alike; only the backward passes, which add, look at
 * whether the elements are float32 or float64.
 */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "fit-tensor-private.h"
/* Kernels still here, to move to backends/cpu/: */
#include "fit-glib/backends/cpu/fit-cpu-private.h"

/* Side of the square tiles in which strided copies (transposes) move elements. Measured
 * against 8, 32 and 64 on float32 and float64 transposes: 16 is best or close to it,
 * and keeps a tile's 16 source lines within L1's associativity when the stride is a
 * power of two. */
#define TILE 16

/* Elements of the inner dimension that one task of an index-add handles; distinct
 * tasks write disjoint elements, so the sums need no atomics and are deterministic. */
#define ADD_CHUNK 256

static inline gboolean
worth_parallel (gint64 n)
{
  return n > FIT_PARALLEL_GRAIN && fit_parallel_enabled ();
}

static void
contiguous_strides (const gint64 *shape,
                    guint         n_dims,
                    gint64       *strides)
{
  gint64 s = 1;

  for (int d = (int) n_dims - 1; d >= 0; d--)
    {
      strides[d] = s;
      s *= shape[d];
    }
}

/* Product of shape[from..to). */
static gint64
shape_span (const gint64 *shape,
            guint         from,
            guint         to)
{
  gint64 n = 1;

  for (guint d = from; d < to; d++)
    n *= shape[d];
  return n;
}

static gboolean
check_index_dtype (const char  *op,
                   const char  *what,
                   FitTensor   *t,
                   GError     **error)
{
  if (t->dtype == FIT_DTYPE_INT32 || t->dtype == FIT_DTYPE_INT64)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
               _("%s needs int32 or int64 %s, got %s; convert them with fit_tensor_to_dtype()"),
               op, what, fit_dtype_get_name (t->dtype));
  return FALSE;
}

static inline gint64
index_at (FitTensor *t,
          gint64     i)
{
  return t->dtype == FIT_DTYPE_INT64 ? ((const gint64 *) fit_tensor_ptr (t))[i]
                                     : ((const gint32 *) fit_tensor_ptr (t))[i];
}

/* Checks that every element of @indices lies in [0, @size) before anything is written. */
static gboolean
check_indices (const char  *op,
               FitTensor   *indices,
               gint64       size,
               const char  *range_name,
               GError     **error)
{
  for (gint64 i = 0; i < indices->numel; i++)
    {
      gint64 v = index_at (indices, i);

      if (v >= 0 && v < size)
        continue;
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: index %" PRId64 " (element %" PRId64 " of the "
                     "indices) is out of range for %s of size %" PRId64
                     "; indices must lie in [0, %" PRId64 ")"),
                   op, v, i, range_name, size, size);
      return FALSE;
    }
  return TRUE;
}

/* ---- strided copies ---- */

/* An output laid out contiguously over @size, read from a source at @stride (in
 * elements, 0 for a broadcast dimension). */
typedef struct
{
  guint  n;
  gint64 size[FIT_MAX_DIMS];
  gint64 stride[FIT_MAX_DIMS];
} Layout;

/* Drops dimensions of size 1 and merges neighbours that the source holds contiguously
 * relative to each other, so that a transpose of [B, M, N] to [B, N, M] becomes one
 * batched 2-D transpose and a permutation that moves nothing becomes a single run. */
static void
layout_simplify (Layout *l)
{
  guint n = 0;

  for (guint d = 0; d < l->n; d++)
    {
      if (l->size[d] == 1)
        continue;
      if (n > 0 && l->stride[n - 1] == l->stride[d] * l->size[d])
        {
          l->size[n - 1] *= l->size[d];
          l->stride[n - 1] = l->stride[d];
          continue;
        }
      l->size[n] = l->size[d];
      l->stride[n] = l->stride[d];
      n++;
    }
  /* The kernel walks the last two dimensions; pad in front with unit dimensions. */
  while (n < 2)
    {
      memmove (l->size + 1, l->size, n * sizeof (gint64));
      memmove (l->stride + 1, l->stride, n * sizeof (gint64));
      l->size[0] = 1;
      l->stride[0] = 0;
      n++;
    }
  l->n = n;
}

/* dst is contiguous over l->size; it reads src + base + Σ coord·stride. The work is cut
 * into row blocks of the last two dimensions; within a block a strided inner dimension
 * is walked in TILE×TILE tiles so both sides stay in cache. */
#define DEFINE_STRIDED_COPY(name, T)                                                        \
static void                                                                                 \
name (T            *dst,                                                                    \
      const T      *src,                                                                    \
      const Layout *l,                                                                      \
      gint64        numel)                                                                  \
{                                                                                           \
  const guint n = l->n;                                                                     \
  const gint64 A = l->size[n - 2], B = l->size[n - 1];                                      \
  const gint64 sa = l->stride[n - 2], sb = l->stride[n - 1];                                \
  const gint64 n_blocks = (A + TILE - 1) / TILE;                                            \
  const gint64 units = numel / (A * B) * n_blocks;                                          \
                                                                                            \
  _Pragma ("omp parallel for if (worth_parallel (numel))")                                  \
  for (gint64 u = 0; u < units; u++)                                                        \
    {                                                                                       \
      gint64 o = u / n_blocks, i0 = (u % n_blocks) * TILE, i1 = MIN (A, i0 + TILE);         \
      gint64 rem = o, base = 0;                                                             \
      T *out = dst + o * A * B;                                                             \
                                                                                            \
      for (int d = (int) n - 3; d >= 0; d--)                                                \
        {                                                                                   \
          base += (rem % l->size[d]) * l->stride[d];                                        \
          rem /= l->size[d];                                                                \
        }                                                                                   \
      if (sb == 1)                                                                          \
        {                                                                                   \
          for (gint64 i = i0; i < i1; i++)                                                  \
            memcpy (out + i * B, src + base + i * sa, B * sizeof (T));                      \
        }                                                                                   \
      else if (sb == 0)                                                                     \
        {                                                                                   \
          for (gint64 i = i0; i < i1; i++)                                                  \
            {                                                                               \
              T v = src[base + i * sa];                                                     \
              for (gint64 j = 0; j < B; j++)                                                \
                out[i * B + j] = v;                                                         \
            }                                                                               \
        }                                                                                   \
      else                                                                                  \
        {                                                                                   \
          for (gint64 j0 = 0; j0 < B; j0 += TILE)                                           \
            {                                                                               \
              gint64 j1 = MIN (B, j0 + TILE);                                               \
              for (gint64 i = i0; i < i1; i++)                                              \
                {                                                                           \
                  const T *s = src + base + i * sa;                                         \
                  for (gint64 j = j0; j < j1; j++)                                          \
                    out[i * B + j] = s[j * sb];                                             \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
}

DEFINE_STRIDED_COPY (strided_copy_32, guint32)
DEFINE_STRIDED_COPY (strided_copy_64, guint64)

/* Fills @out (contiguous, its shape already set) from @src read through @layout. */
static void
strided_copy (FitTensor     *out,
              gconstpointer  src,
              Layout        *layout)
{
  if (out->numel == 0)
    return;
  layout_simplify (layout);
  if (fit_dtype_get_size (out->dtype) == 4)
    strided_copy_32 (fit_tensor_ptr (out), src, layout, out->numel);
  else
    strided_copy_64 (fit_tensor_ptr (out), src, layout, out->numel);
}

/* ---- views: reshape, flatten, squeeze, unsqueeze ---- */

static gboolean
view_backward (FitNode    *node,
               FitTensor  *grad_output,
               FitTensor **grad_inputs,
               GError    **error)
{
  FitTensor *in = node->inputs[0];

  grad_inputs[0] = fit_tensor_new_view (grad_output, 0, in->shape, in->n_dims);
  return TRUE;
}

/* @shape has been checked to hold self->numel elements. */
static FitTensor *
make_view (FitTensor    *self,
           const char   *op,
           const gint64 *shape,
           guint         n_dims)
{
  FitTensor *out = fit_tensor_new_view (self, 0, shape, n_dims);

  fit_autograd_record (out, op, view_backward, 1, &self);
  return out;
}

/**
 * fit_tensor_reshape:
 * @self: a tensor
 * @shape: (array length=n_dims): the new size of each dimension; one of them may be
 *   -1, which stands for whatever size makes the element count match
 * @n_dims: the number of dimensions, at most %FIT_MAX_DIMS
 * @error: return location for a #GError
 *
 * Gives the same elements, in the same row-major order, another shape. The result is
 * a view: it shares @self's data without copying it, so in-place updates of one show
 * in the other. Works on tensors of any element type and on any device, and is
 * differentiable.
 *
 * ```c
 * // [6, 4] -> [2, 3, 4]
 * const gint64 shape[] = { 2, -1, 4 };
 * g_autoptr(FitTensor) y = fit_tensor_reshape (x, shape, 3, &error);
 * ```
 *
 * Returns: (transfer full): the view, or %NULL with %FIT_ERROR_SHAPE when @shape does
 *   not hold as many elements as @self or its non-zero sizes multiply to 2^60 or more
 *   (as they can for an empty tensor), or %FIT_ERROR_INVALID_ARGUMENT for more than
 *   one -1 or a size below -1
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_reshape (FitTensor     *self,
                    const gint64  *shape,
                    guint          n_dims,
                    GError       **error)
{
  gint64 resolved[FIT_MAX_DIMS];
  gint64 known = 1;
  gboolean overflow = FALSE, zero = FALSE;
  int infer = -1;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (shape != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_dims > FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_reshape: %u dimensions is more than the %d a tensor can have"),
                   n_dims, FIT_MAX_DIMS);
      return NULL;
    }
  for (guint d = 0; d < n_dims; d++)
    {
      g_autofree char *s = NULL;

      resolved[d] = shape[d];
      if (shape[d] >= 0)
        {
          zero |= shape[d] == 0;
          overflow |= __builtin_mul_overflow (known, shape[d], &known);
          continue;
        }
      if (shape[d] == -1 && infer < 0)
        {
          infer = (int) d;
          continue;
        }
      s = fit_shape_to_string (shape, n_dims);
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   shape[d] == -1
                   ? _("fit_tensor_reshape: shape %s has more than one -1; only one size can "
                       "be inferred")
                   : _("fit_tensor_reshape: shape %s has a negative size; sizes are at least 0, "
                       "or -1 for one inferred size"),
                   s);
      return NULL;
    }

  /* The product of the known sizes, or -1 when it overflows (a zero makes it 0). */
  known = zero ? 0 : overflow ? -1 : known;
  if (infer >= 0 && known > 0 && self->numel % known == 0)
    resolved[infer] = self->numel / known;
  if ((infer >= 0 && (known <= 0 || self->numel % known != 0)) ||
      (infer < 0 && known != self->numel))
    {
      g_autofree char *from = fit_shape_to_string (self->shape, self->n_dims);
      g_autofree char *to = fit_shape_to_string (shape, n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_reshape: cannot reshape a tensor of shape %s (%" PRId64
                     " elements) into shape %s"), from, self->numel, to);
      return NULL;
    }
  if (!fit_shape_check_result ("fit_tensor_reshape", resolved, n_dims, error))
    return NULL;
  return make_view (self, "reshape", resolved, n_dims);
}

/**
 * fit_tensor_flatten:
 * @self: a tensor
 * @start_dim: the first dimension to merge; negative counts from the end
 * @end_dim: the last dimension to merge (included); negative counts from the end
 * @error: return location for a #GError
 *
 * Merges dimensions @start_dim to @end_dim into one, as a view like
 * [method@Fit.Tensor.reshape]: `flatten (x, 1, -1)` turns a batch of images
 * [N, C, H, W] into rows [N, C·H·W]. A 0-dimensional tensor becomes a 1-element vector.
 * Differentiable.
 *
 * Returns: (transfer full): the view, or %NULL with %FIT_ERROR_INVALID_ARGUMENT when a
 *   dimension is out of range or @start_dim comes after @end_dim
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_flatten (FitTensor  *self,
                    int         start_dim,
                    int         end_dim,
                    GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  guint n = 0;
  int start, end;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->n_dims == 0)
    {
      /* A scalar has a single, notional dimension, as in PyTorch. */
      const gint64 one = 1;

      if ((start_dim != 0 && start_dim != -1) || (end_dim != 0 && end_dim != -1))
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("fit_tensor_flatten: dimensions %d to %d are out of range for a "
                         "0-dimensional tensor (use 0 or -1)"), start_dim, end_dim);
          return NULL;
        }
      return make_view (self, "flatten", &one, 1);
    }
  start = fit_normalize_dim ("fit_tensor_flatten", self, start_dim, error);
  if (start < 0)
    return NULL;
  end = fit_normalize_dim ("fit_tensor_flatten", self, end_dim, error);
  if (end < 0)
    return NULL;
  if (start > end)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_tensor_flatten: start dimension %d comes after end dimension %d"),
                   start_dim, end_dim);
      return NULL;
    }
  for (int d = 0; d < start; d++)
    shape[n++] = self->shape[d];
  shape[n++] = shape_span (self->shape, start, end + 1);
  for (guint d = end + 1; d < self->n_dims; d++)
    shape[n++] = self->shape[d];
  return make_view (self, "flatten", shape, n);
}

/**
 * fit_tensor_squeeze:
 * @self: a tensor
 * @dim: the dimension to remove; negative counts from the end
 * @error: return location for a #GError
 *
 * Removes dimension @dim when its size is 1, as a view like [method@Fit.Tensor.reshape].
 * As in PyTorch, a dimension of another size is left alone: the result then has
 * @self's shape. Differentiable.
 *
 * Returns: (transfer full): the view, or %NULL with %FIT_ERROR_INVALID_ARGUMENT when
 *   @dim is out of range
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_squeeze (FitTensor  *self,
                    int         dim,
                    GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  guint n = 0;
  int d;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->n_dims == 0 && (dim == 0 || dim == -1))
    return make_view (self, "squeeze", NULL, 0);
  d = fit_normalize_dim ("fit_tensor_squeeze", self, dim, error);
  if (d < 0)
    return NULL;
  for (guint k = 0; k < self->n_dims; k++)
    if ((int) k != d || self->shape[k] != 1)
      shape[n++] = self->shape[k];
  return make_view (self, "squeeze", shape, n);
}

/**
 * fit_tensor_unsqueeze:
 * @self: a tensor
 * @dim: where the new dimension goes, from -(n+1) to n for an n-dimensional @self;
 *   negative counts from the end of the result
 * @error: return location for a #GError
 *
 * Inserts a dimension of size 1 at @dim, as a view like [method@Fit.Tensor.reshape]:
 * `unsqueeze (x, 0)` turns one sample into a batch of one. Differentiable.
 *
 * Returns: (transfer full): the view, or %NULL with %FIT_ERROR_INVALID_ARGUMENT when
 *   @dim is out of range, or %FIT_ERROR_SHAPE when @self already has %FIT_MAX_DIMS
 *   dimensions
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_unsqueeze (FitTensor  *self,
                      int         dim,
                      GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  int n;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = (int) self->n_dims;
  if (dim < -(n + 1) || dim > n)
    {
      g_autofree char *s = fit_shape_to_string (self->shape, self->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_tensor_unsqueeze: dimension %d is out of range for shape %s "
                     "(use %d to %d)"), dim, s, -(n + 1), n);
      return NULL;
    }
  if (n == FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_unsqueeze: a tensor has at most %d dimensions"), FIT_MAX_DIMS);
      return NULL;
    }
  if (dim < 0)
    dim += n + 1;
  memcpy (shape, self->shape, dim * sizeof (gint64));
  shape[dim] = 1;
  memcpy (shape + dim + 1, self->shape + dim, (n - dim) * sizeof (gint64));
  return make_view (self, "unsqueeze", shape, n + 1);
}

/* ---- permute and transpose ---- */

/* @perm has been validated. */
static FitTensor *
permute_copy (FitTensor *self,
              const int *perm)
{
  gint64 shape[FIT_MAX_DIMS];
  gint64 strides[FIT_MAX_DIMS];
  Layout layout = { .n = self->n_dims };
  FitTensor *out;

  contiguous_strides (self->shape, self->n_dims, strides);
  for (guint k = 0; k < self->n_dims; k++)
    {
      shape[k] = layout.size[k] = self->shape[perm[k]];
      layout.stride[k] = strides[perm[k]];
    }
  out = fit_tensor_new_empty (self->dtype, shape, self->n_dims);
  strided_copy (out, fit_tensor_ptr (self), &layout);
  return out;
}

static gboolean
permute_backward (FitNode    *node,
                  FitTensor  *grad_output,
                  FitTensor **grad_inputs,
                  GError    **error)
{
  int inverse[FIT_MAX_DIMS];

  for (guint k = 0; k < grad_output->n_dims; k++)
    inverse[node->i[k]] = (int) k;
  grad_inputs[0] = permute_copy (grad_output, inverse);
  return TRUE;
}

static FitTensor *
permute_record (FitTensor  *self,
                const char *op,
                const int  *perm)
{
  FitTensor *out = permute_copy (self, perm);
  FitNode *node = fit_autograd_record (out, op, permute_backward, 1, &self);

  if (node != NULL)
    for (guint k = 0; k < self->n_dims; k++)
      node->i[k] = perm[k];
  return out;
}

/**
 * fit_tensor_permute:
 * @self: a tensor
 * @dims: (array length=n_dims): for each dimension of the result, the dimension of
 *   @self it comes from; negative values count from the end
 * @n_dims: the number of entries in @dims, which must equal the number of dimensions
 *   of @self
 * @error: return location for a #GError
 *
 * Reorders the dimensions: dimension k of the result is dimension @dims[k] of @self,
 * so `permute (x, {0, 2, 3, 1})` turns [N, C, H, W] into [N, H, W, C]. The elements
 * are copied into the new order (tensors are always contiguous); transposes of the
 * last two dimensions go through a cache-blocked kernel. Works on any element type and
 * is differentiable.
 *
 * Returns: (transfer full): the permuted copy, or %NULL with %FIT_ERROR_INVALID_ARGUMENT
 *   when @dims is not a permutation of @self's dimensions
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_permute (FitTensor  *self,
                    const int  *dims,
                    guint       n_dims,
                    GError    **error)
{
  int perm[FIT_MAX_DIMS];
  gboolean seen[FIT_MAX_DIMS] = { FALSE };

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (dims != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_dims != self->n_dims)
    {
      g_autofree char *s = fit_shape_to_string (self->shape, self->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_tensor_permute: %u dimensions given for a tensor of shape %s, "
                     "which has %u"), n_dims, s, self->n_dims);
      return NULL;
    }
  if (!fit_check_cpu ("fit_tensor_permute", self, error))
    return NULL;
  for (guint k = 0; k < n_dims; k++)
    {
      perm[k] = fit_normalize_dim ("fit_tensor_permute", self, dims[k], error);
      if (perm[k] < 0)
        return NULL;
      if (seen[perm[k]])
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("fit_tensor_permute: dimension %d appears more than once; each "
                         "dimension must appear exactly once"), dims[k]);
          return NULL;
        }
      seen[perm[k]] = TRUE;
    }
  return permute_record (self, "permute", perm);
}

/**
 * fit_tensor_transpose:
 * @self: a tensor
 * @dim0: a dimension; negative counts from the end
 * @dim1: another dimension, swapped with @dim0
 * @error: return location for a #GError
 *
 * Swaps two dimensions, copying the elements into the new order like
 * [method@Fit.Tensor.permute]; `transpose (x, -2, -1)` transposes a batch of matrices.
 * Works on any element type and is differentiable.
 *
 * Returns: (transfer full): the transposed copy, or %NULL with
 *   %FIT_ERROR_INVALID_ARGUMENT when a dimension is out of range
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_transpose (FitTensor  *self,
                      int         dim0,
                      int         dim1,
                      GError    **error)
{
  int perm[FIT_MAX_DIMS] = { 0 };
  int a, b;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_check_cpu ("fit_tensor_transpose", self, error))
    return NULL;
  if (self->n_dims == 0 && (dim0 == 0 || dim0 == -1) && (dim1 == 0 || dim1 == -1))
    return permute_record (self, "transpose", perm);
  a = fit_normalize_dim ("fit_tensor_transpose", self, dim0, error);
  if (a < 0)
    return NULL;
  b = fit_normalize_dim ("fit_tensor_transpose", self, dim1, error);
  if (b < 0)
    return NULL;
  for (guint k = 0; k < self->n_dims; k++)
    perm[k] = (int) k;
  perm[a] = b;
  perm[b] = a;
  return permute_record (self, "transpose", perm);
}

/* ---- expand ---- */

static gboolean
expand_backward (FitNode    *node,
                 FitTensor  *grad_output,
                 FitTensor **grad_inputs,
                 GError    **error)
{
  FitTensor *in = node->inputs[0];

  grad_inputs[0] = fit_tensor_sum_to_shape (grad_output, in->shape, in->n_dims);
  return TRUE;
}

/**
 * fit_tensor_expand:
 * @self: a tensor
 * @shape: (array length=n_dims): the shape to broadcast to; -1 keeps the size of the
 *   matching dimension of @self
 * @n_dims: the number of dimensions, at least that of @self and at most %FIT_MAX_DIMS
 * @error: return location for a #GError
 *
 * Broadcasts @self to @shape (NumPy's `broadcast_to`): shapes are aligned at the last
 * dimension, new leading dimensions are added, and dimensions of size 1 are repeated.
 * Unlike PyTorch's `expand`, the result is a contiguous copy. Works on any element
 * type; differentiable, with the gradient summed over the repeated elements.
 *
 * Returns: (transfer full): the broadcast copy, or %NULL with %FIT_ERROR_SHAPE when
 *   @self cannot be broadcast to @shape or the non-zero sizes of @shape multiply to
 *   2^60 or more
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_expand (FitTensor     *self,
                   const gint64  *shape,
                   guint          n_dims,
                   GError       **error)
{
  gint64 resolved[FIT_MAX_DIMS];
  gint64 strides[FIT_MAX_DIMS];
  Layout layout = { .n = n_dims };
  guint lead;
  FitTensor *out;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (shape != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_check_cpu ("fit_tensor_expand", self, error))
    return NULL;
  if (n_dims < self->n_dims || n_dims > FIT_MAX_DIMS)
    {
      g_autofree char *from = fit_shape_to_string (self->shape, self->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_expand: cannot broadcast shape %s to %u dimensions; the target "
                     "needs between %u and %d"), from, n_dims, self->n_dims, FIT_MAX_DIMS);
      return NULL;
    }

  lead = n_dims - self->n_dims;
  contiguous_strides (self->shape, self->n_dims, strides);
  for (guint d = 0; d < n_dims; d++)
    {
      gint64 have = d < lead ? 1 : self->shape[d - lead];
      gint64 want = shape[d] == -1 && d >= lead ? have : shape[d];

      if (want < 0 || (have != want && have != 1))
        {
          g_autofree char *from = fit_shape_to_string (self->shape, self->n_dims);
          g_autofree char *to = fit_shape_to_string (shape, n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("fit_tensor_expand: cannot broadcast shape %s to %s (dimension %u: "
                         "%" PRId64 " to %" PRId64 "); only sizes of 1 can "
                         "grow, and -1 only keeps an existing size"),
                       from, to, d, have, shape[d]);
          return NULL;
        }
      resolved[d] = layout.size[d] = want;
      layout.stride[d] = d < lead || have == 1 ? 0 : strides[d - lead];
    }
  if (!fit_shape_check_result ("fit_tensor_expand", resolved, n_dims, error))
    return NULL;

  out = fit_tensor_new_empty (self->dtype, resolved, n_dims);
  strided_copy (out, fit_tensor_ptr (self), &layout);
  fit_autograd_record (out, "expand", expand_backward, 1, &self);
  return out;
}

/* ---- concat and stack ---- */

/* The output is @outer rows; each row holds, for every input k in turn, @chunk[k]
 * elements of that input's row. Concatenation along a dimension and stacking are both
 * this, with different chunks. */
static void
join_rows (FitTensor    *out,
           FitTensor   **tensors,
           guint         n,
           gint64        outer,
           const gint64 *chunk,
           const gint64 *prefix)
{
  gsize es = fit_dtype_get_size (out->dtype);
  guint8 *dst = fit_tensor_ptr (out);
  gint64 row = prefix[n];
  gint64 units = outer * n;

  #pragma omp parallel for if (worth_parallel (out->numel) && units > 1)
  for (gint64 u = 0; u < units; u++)
    {
      gint64 o = u / n;
      guint k = u % n;

      if (chunk[k] > 0)
        memcpy (dst + (o * row + prefix[k]) * es,
              (const guint8 *) fit_tensor_ptr (tensors[k]) + o * chunk[k] * es,
              chunk[k] * es);
    }
}

/* The inverse of join_rows for one input: the @chunk elements at @offset of each of the
 * @outer rows of length @row, into a new tensor of @shape. */
static FitTensor *
split_rows (FitTensor    *src,
            gint64        outer,
            gint64        row,
            gint64        offset,
            gint64        chunk,
            const gint64 *shape,
            guint         n_dims)
{
  FitTensor *out = fit_tensor_new_empty (src->dtype, shape, n_dims);
  gsize es = fit_dtype_get_size (src->dtype);
  const guint8 *s = fit_tensor_ptr (src);
  guint8 *d = fit_tensor_ptr (out);

  if (out->numel == 0)
    return out;
  #pragma omp parallel for if (worth_parallel (out->numel))
  for (gint64 o = 0; o < outer; o++)
    memcpy (d + o * chunk * es, s + (o * row + offset) * es, chunk * es);
  return out;
}

/* node->i[0]: outer; node->i[1]: the inner block per unit of the joined dimension.
 * Each input's chunk is its size along the joined dimension times that block. */
static gboolean
join_backward (FitNode    *node,
               FitTensor  *grad_output,
               FitTensor **grad_inputs,
               GError    **error)
{
  gint64 outer = node->i[0];
  guint dim = (guint) node->i[1];
  gboolean stacked = node->i[2];
  gint64 inner = node->i[3];
  gint64 row = 0;
  gint64 offset = 0;

  for (guint k = 0; k < node->n_inputs; k++)
    row += (stacked ? 1 : node->inputs[k]->shape[dim]) * inner;
  for (guint k = 0; k < node->n_inputs; k++)
    {
      FitTensor *in = node->inputs[k];
      gint64 chunk = (stacked ? 1 : in->shape[dim]) * inner;

      if (fit_node_needs_grad (node, k))
        grad_inputs[k] = split_rows (grad_output, outer, row, offset, chunk,
                                     in->shape, in->n_dims);
      offset += chunk;
    }
  return TRUE;
}

/* Checks that every tensor is a CPU tensor of the first one's element type. */
static gboolean
check_join_inputs (const char  *op,
                   FitTensor  **tensors,
                   guint        n_tensors,
                   GError     **error)
{
  if (n_tensors == 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s needs at least one tensor"), op);
      return FALSE;
    }
  for (guint k = 0; k < n_tensors; k++)
    {
      if (!fit_check_cpu (op, tensors[k], error))
        return FALSE;
      if (tensors[k]->dtype != tensors[0]->dtype)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                       _("%s: tensor %u is %s but tensor 0 is %s; convert it with "
                         "fit_tensor_to_dtype()"),
                       op, k, fit_dtype_get_name (tensors[k]->dtype),
                       fit_dtype_get_name (tensors[0]->dtype));
          return FALSE;
        }
    }
  return TRUE;
}

static FitTensor *
join (const char    *op,
      FitTensor    **tensors,
      guint          n_tensors,
      guint          dim,
      gboolean       stacked,
      const gint64  *shape,
      guint          n_dims)
{
  FitTensor *out = fit_tensor_new_empty (tensors[0]->dtype, shape, n_dims);
  FitTensor *first = tensors[0];
  gint64 outer = shape_span (first->shape, 0, dim);
  gint64 inner = shape_span (first->shape, stacked ? dim : dim + 1, first->n_dims);
  g_autofree gint64 *chunk = g_new (gint64, n_tensors);
  g_autofree gint64 *prefix = g_new (gint64, n_tensors + 1);
  FitNode *node;

  prefix[0] = 0;
  for (guint k = 0; k < n_tensors; k++)
    {
      chunk[k] = (stacked ? 1 : tensors[k]->shape[dim]) * inner;
      prefix[k + 1] = prefix[k] + chunk[k];
    }
  if (out->numel > 0)
    join_rows (out, tensors, n_tensors, outer, chunk, prefix);

  node = fit_autograd_record (out, op, join_backward, n_tensors, tensors);
  if (node != NULL)
    {
      node->i[0] = outer;
      node->i[1] = dim;
      node->i[2] = stacked;
      node->i[3] = inner;
    }
  return out;
}

/**
 * fit_tensor_concat:
 * @tensors: (array length=n_tensors): the tensors to join, all of one element type and
 *   with the same shape except along @dim
 * @n_tensors: the number of tensors, at least 1
 * @dim: the dimension to join along; negative counts from the end
 * @error: return location for a #GError
 *
 * Joins tensors end to end along an existing dimension (PyTorch's `cat`): two
 * [2, 3] and [4, 3] tensors joined along dimension 0 give a [6, 3] tensor. Works on any
 * element type and is differentiable in every input.
 *
 * Returns: (transfer full): the joined tensor, or %NULL with @error set:
 *   %FIT_ERROR_SHAPE when the shapes do not fit (the message names the first tensor
 *   that differs, by its index, and both shapes) or the result's non-zero sizes would
 *   multiply to 2^60 or more, %FIT_ERROR_DTYPE when the element types differ,
 *   %FIT_ERROR_INVALID_ARGUMENT when @n_tensors is 0 or @dim is out of range
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_concat (FitTensor  **tensors,
                   guint        n_tensors,
                   int          dim,
                   GError     **error)
{
  gint64 shape[FIT_MAX_DIMS];
  FitTensor *first;
  int d;

  g_return_val_if_fail (tensors != NULL || n_tensors == 0, NULL);
  for (guint k = 0; k < n_tensors; k++)
    g_return_val_if_fail (FIT_IS_TENSOR (tensors[k]), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_join_inputs ("fit_tensor_concat", tensors, n_tensors, error))
    return NULL;
  first = tensors[0];
  if (first->n_dims == 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_concat: tensor 0 is 0-dimensional and has no dimension to "
                     "join along; use fit_tensor_stack()"));
      return NULL;
    }
  d = fit_normalize_dim ("fit_tensor_concat", first, dim, error);
  if (d < 0)
    return NULL;

  memcpy (shape, first->shape, sizeof shape);
  shape[d] = 0;
  for (guint k = 0; k < n_tensors; k++)
    {
      FitTensor *t = tensors[k];
      gboolean fits = t->n_dims == first->n_dims;

      for (guint j = 0; fits && j < t->n_dims; j++)
        fits = (int) j == d || t->shape[j] == first->shape[j];
      if (!fits)
        {
          g_autofree char *a = fit_shape_to_string (first->shape, first->n_dims);
          g_autofree char *b = fit_shape_to_string (t->shape, t->n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("fit_tensor_concat: tensor %u has shape %s, which does not fit "
                         "tensor 0's shape %s; all sizes except dimension %d must match"),
                       k, b, a, d);
          return NULL;
        }
      /* Empty tensors can have sizes whose sum overflows; saturate, and let the check
       * below refuse it. */
      if (__builtin_add_overflow (shape[d], t->shape[d], &shape[d]))
        shape[d] = G_MAXINT64;
    }
  if (!fit_shape_check_result ("fit_tensor_concat", shape, first->n_dims, error))
    return NULL;
  return join ("concat", tensors, n_tensors, d, FALSE, shape, first->n_dims);
}

/**
 * fit_tensor_stack:
 * @tensors: (array length=n_tensors): the tensors to stack, all of one shape and
 *   element type
 * @n_tensors: the number of tensors, at least 1
 * @dim: where the new dimension goes in the result, from -(n+1) to n for
 *   n-dimensional inputs; negative counts from the end
 * @error: return location for a #GError
 *
 * Joins tensors along a new dimension of size @n_tensors: stacking ten [28, 28]
 * images along dimension 0 gives a [10, 28, 28] batch. Works on any element type and
 * is differentiable in every input.
 *
 * Returns: (transfer full): the stacked tensor, or %NULL with @error set:
 *   %FIT_ERROR_SHAPE when the shapes differ (the message names the first tensor that
 *   differs, by its index, and both shapes), the result would have more than
 *   %FIT_MAX_DIMS dimensions or non-zero sizes multiplying to 2^60 or more,
 *   %FIT_ERROR_DTYPE when the element types differ,
 *   %FIT_ERROR_INVALID_ARGUMENT when @n_tensors is 0 or @dim is out of range
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_stack (FitTensor  **tensors,
                  guint        n_tensors,
                  int          dim,
                  GError     **error)
{
  gint64 shape[FIT_MAX_DIMS];
  FitTensor *first;
  int n;

  g_return_val_if_fail (tensors != NULL || n_tensors == 0, NULL);
  for (guint k = 0; k < n_tensors; k++)
    g_return_val_if_fail (FIT_IS_TENSOR (tensors[k]), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_join_inputs ("fit_tensor_stack", tensors, n_tensors, error))
    return NULL;
  first = tensors[0];
  n = (int) first->n_dims;
  if (dim < -(n + 1) || dim > n)
    {
      g_autofree char *s = fit_shape_to_string (first->shape, first->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_tensor_stack: dimension %d is out of range for tensors of shape %s "
                     "(use %d to %d)"), dim, s, -(n + 1), n);
      return NULL;
    }
  if (n == FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_stack: stacking %d-dimensional tensors would make more than "
                     "the %d dimensions a tensor can have"), n, FIT_MAX_DIMS);
      return NULL;
    }
  for (guint k = 1; k < n_tensors; k++)
    {
      FitTensor *t = tensors[k];

      if (!fit_shape_equal (t->shape, t->n_dims, first->shape, first->n_dims))
        {
          g_autofree char *a = fit_shape_to_string (first->shape, first->n_dims);
          g_autofree char *b = fit_shape_to_string (t->shape, t->n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("fit_tensor_stack: tensor %u has shape %s but tensor 0 has shape %s; "
                         "stacked tensors must all have the same shape"), k, b, a);
          return NULL;
        }
    }
  if (dim < 0)
    dim += n + 1;
  memcpy (shape, first->shape, dim * sizeof (gint64));
  shape[dim] = n_tensors;
  memcpy (shape + dim + 1, first->shape + dim, (n - dim) * sizeof (gint64));
  if (!fit_shape_check_result ("fit_tensor_stack", shape, n + 1, error))
    return NULL;
  return join ("stack", tensors, n_tensors, dim, TRUE, shape, n + 1);
}

/* ---- slice ---- */

/* Writes @part ([outer, len, inner]) into rows start, start + step, … of the middle
 * dimension of @full ([outer, size, inner]): the backward of a slice. */
#define DEFINE_SLICE_SCATTER(name, T)                                                       \
static void                                                                                 \
name (T       *full,                                                                        \
      const T *part,                                                                        \
      gint64   outer,                                                                       \
      gint64   size,                                                                        \
      gint64   inner,                                                                       \
      gint64   start,                                                                       \
      gint64   step,                                                                        \
      gint64   len)                                                                         \
{                                                                                           \
  _Pragma ("omp parallel for if (worth_parallel (outer * len * inner))")                    \
  for (gint64 o = 0; o < outer; o++)                                                        \
    {                                                                                       \
      T *f = full + (o * size + start) * inner;                                             \
      const T *p = part + o * len * inner;                                                  \
                                                                                            \
      if (step == 1)                                                                        \
        memcpy (f, p, len * inner * sizeof (T));                                            \
      else if (inner == 1)                                                                  \
        for (gint64 j = 0; j < len; j++)                                                    \
          f[j * step] = p[j];                                                               \
      else                                                                                  \
        for (gint64 j = 0; j < len; j++)                                                    \
          memcpy (f + j * step * inner, p + j * inner, inner * sizeof (T));                 \
    }                                                                                       \
}

DEFINE_SLICE_SCATTER (slice_scatter_32, guint32)
DEFINE_SLICE_SCATTER (slice_scatter_64, guint64)

/* node->i: dim, start, step, len */
static gboolean
slice_backward (FitNode    *node,
                FitTensor  *grad_output,
                FitTensor **grad_inputs,
                GError    **error)
{
  FitTensor *in = node->inputs[0];
  guint dim = (guint) node->i[0];
  FitTensor *g = fit_tensor_new_zeros (grad_output->dtype, in->shape, in->n_dims);

  gint64 outer = shape_span (in->shape, 0, dim);
  gint64 inner = shape_span (in->shape, dim + 1, in->n_dims);

  grad_inputs[0] = g;
  if (grad_output->numel == 0)
    return TRUE;
  if (fit_dtype_get_size (g->dtype) == 4)
    slice_scatter_32 (fit_tensor_ptr (g), fit_tensor_ptr (grad_output), outer, in->shape[dim],
                      inner, node->i[1], node->i[2], node->i[3]);
  else
    slice_scatter_64 (fit_tensor_ptr (g), fit_tensor_ptr (grad_output), outer, in->shape[dim],
                      inner, node->i[1], node->i[2], node->i[3]);
  return TRUE;
}

/**
 * fit_tensor_slice:
 * @self: a tensor with at least one dimension
 * @dim: the dimension to slice; negative counts from the end
 * @start: the first index taken; negative counts from the end
 * @end: the index where the slice stops (excluded); negative counts from the end, and
 *   %G_MAXINT64 means the end
 * @step: the distance between taken indices, at least 1
 * @error: return location for a #GError
 *
 * Takes the indices @start, @start + @step, … below @end along @dim, as Python's
 * `x[start:end:step]` does, with the same rules: negative bounds count from the end and
 * bounds past either end are clamped, so an empty range gives an empty tensor rather
 * than an error. A slice with @step 1 of the first dimension (more exactly, of a
 * dimension preceded only by dimensions of size 1) is a view that shares @self's data;
 * other slices are copies. Works on any element type and is differentiable.
 *
 * Returns: (transfer full): the slice, or %NULL with %FIT_ERROR_INVALID_ARGUMENT when
 *   @dim is out of range or @step is not positive
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_slice (FitTensor  *self,
                  int         dim,
                  gint64      start,
                  gint64      end,
                  gint64      step,
                  GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  gint64 size, outer, inner, len;
  FitTensor *out;
  FitNode *node;
  int d;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  d = fit_normalize_dim ("fit_tensor_slice", self, dim, error);
  if (d < 0)
    return NULL;
  if (step <= 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_tensor_slice: step %" PRId64 " is not positive; reverse "
                     "order is not supported"), step);
      return NULL;
    }

  size = self->shape[d];
  if (start < 0)
    start = MAX (start + size, 0);
  if (end < 0)
    end = MAX (end + size, 0);
  start = MIN (start, size);
  end = MIN (end, size);
  len = end > start ? (end - start - 1) / step + 1 : 0;

  memcpy (shape, self->shape, sizeof shape);
  shape[d] = len;
  outer = shape_span (self->shape, 0, d);
  inner = shape_span (self->shape, d + 1, self->n_dims);

  if ((step == 1 || len <= 1) && outer == 1)
    out = fit_tensor_new_view (self, start * inner * fit_dtype_get_size (self->dtype),
                               shape, self->n_dims);
  else if (!fit_check_cpu ("fit_tensor_slice", self, error))
    return NULL;
  else
    {
      /* With one index or none the step is never taken, and may be as large as a gint64:
       * times inner it would overflow. With more, (len − 1) · step < size. */
      Layout layout = { .n = 3, .size = { outer, len, inner },
                        .stride = { size * inner, len > 1 ? step * inner : 0, 1 } };

      out = fit_tensor_new_empty (self->dtype, shape, self->n_dims);
      strided_copy (out, (const guint8 *) fit_tensor_ptr (self) +
                         start * inner * fit_dtype_get_size (self->dtype), &layout);
    }

  node = fit_autograd_record (out, "slice", slice_backward, 1, &self);
  if (node != NULL)
    {
      node->i[0] = d;
      node->i[1] = start;
      node->i[2] = step;
      node->i[3] = len;
    }
  return out;
}

/* ---- index_select and embedding ---- */

/* out[o, j, :] = src[o, idx[j], :] over [outer, size, inner] → [outer, n_idx, inner]. */
static void
select_rows (FitTensor *out,
             FitTensor *src,
             FitTensor *indices,
             gint64     outer,
             gint64     size,
             gint64     inner)
{
  gsize es = fit_dtype_get_size (src->dtype);
  gint64 n_idx = indices->numel;
  gint64 units = outer * n_idx;
  const guint8 *s = fit_tensor_ptr (src);
  guint8 *d = fit_tensor_ptr (out);

  #pragma omp parallel for if (worth_parallel (out->numel))
  for (gint64 u = 0; u < units; u++)
    {
      gint64 o = u / n_idx, j = u % n_idx;

      memcpy (d + u * inner * es, s + (o * size + index_at (indices, j)) * inner * es,
              inner * es);
    }
}

/* dst[o, idx[j], :] += src[o, j, :]: the backward of select_rows. Tasks split the
 * outer and inner ranges and never the indices, so repeated indices add up in order. */
#define DEFINE_INDEX_ADD(name, T)                                                           \
static void                                                                                 \
name (T         *dst,                                                                       \
      const T   *src,                                                                       \
      FitTensor *indices,                                                                   \
      gint64     outer,                                                                     \
      gint64     size,                                                                      \
      gint64     inner)                                                                     \
{                                                                                           \
  gint64 n_idx = indices->numel;                                                            \
  gint64 n_chunks = (inner + ADD_CHUNK - 1) / ADD_CHUNK;                                    \
  gint64 units = outer * n_chunks;                                                          \
                                                                                            \
  _Pragma ("omp parallel for if (worth_parallel (outer * n_idx * inner) && units > 1)")     \
  for (gint64 u = 0; u < units; u++)                                                        \
    {                                                                                       \
      gint64 o = u / n_chunks, lo = (u % n_chunks) * ADD_CHUNK;                             \
      gint64 hi = MIN (inner, lo + ADD_CHUNK);                                              \
                                                                                            \
      for (gint64 j = 0; j < n_idx; j++)                                                    \
        {                                                                                   \
          T *y = dst + (o * size + index_at (indices, j)) * inner;                          \
          const T *x = src + (o * n_idx + j) * inner;                                       \
          for (gint64 k = lo; k < hi; k++)                                                  \
            y[k] += x[k];                                                                   \
        }                                                                                   \
    }                                                                                       \
}

DEFINE_INDEX_ADD (index_add_f32, float)
DEFINE_INDEX_ADD (index_add_f64, double)

static FitTensor *
index_add (FitTensor *grad_output,
           FitTensor *like,
           FitTensor *indices,
           gint64     outer,
           gint64     size,
           gint64     inner)
{
  FitTensor *g = fit_tensor_new_zeros (grad_output->dtype, like->shape, like->n_dims);

  /* Nothing was picked: the walk over outer × inner would find nothing to add, and an
   * empty tensor's sizes can make it as long as a shape allows. */
  if (grad_output->numel == 0)
    return g;
  if (g->dtype == FIT_DTYPE_FLOAT32)
    index_add_f32 (fit_tensor_f32 (g), fit_tensor_f32 (grad_output), indices, outer, size, inner);
  else
    index_add_f64 (fit_tensor_f64 (g), fit_tensor_f64 (grad_output), indices, outer, size, inner);
  return g;
}

/* node->i[0]: dim; saved[0]: the indices */
static gboolean
index_select_backward (FitNode    *node,
                       FitTensor  *grad_output,
                       FitTensor **grad_inputs,
                       GError    **error)
{
  FitTensor *in = node->inputs[0];
  guint dim = (guint) node->i[0];

  grad_inputs[0] = index_add (grad_output, in, node->saved[0], shape_span (in->shape, 0, dim),
                              in->shape[dim], shape_span (in->shape, dim + 1, in->n_dims));
  return TRUE;
}

/**
 * fit_tensor_index_select:
 * @self: a tensor with at least one dimension
 * @dim: the dimension to index; negative counts from the end
 * @indices: a 1-dimensional (or 0-dimensional) int32 or int64 tensor of indices into
 *   @dim, each in [0, size of @dim); they may repeat and come in any order
 * @error: return location for a #GError
 *
 * Picks entries along @dim: the result has @self's shape with the size of @dim
 * replaced by the number of indices, and its k-th entry along @dim is entry
 * @indices[k] of @self. Works on any element type; differentiable in @self, with the
 * gradients of repeated indices added up.
 *
 * Returns: (transfer full): the selection, or %NULL with @error set:
 *   %FIT_ERROR_INVALID_ARGUMENT when @dim or an index is out of range (the message
 *   names the index and the size), %FIT_ERROR_DTYPE when @indices are not integers,
 *   %FIT_ERROR_SHAPE when @indices have more than one dimension or the result's
 *   non-zero sizes would multiply to 2^60 or more
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_index_select (FitTensor  *self,
                         int         dim,
                         FitTensor  *indices,
                         GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  gint64 outer, inner;
  FitTensor *out;
  FitNode *node;
  int d;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (indices), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_check_cpu ("fit_tensor_index_select", self, error) ||
      !fit_check_cpu ("fit_tensor_index_select", indices, error) ||
      !check_index_dtype ("fit_tensor_index_select", "indices", indices, error))
    return NULL;
  d = fit_normalize_dim ("fit_tensor_index_select", self, dim, error);
  if (d < 0)
    return NULL;
  if (indices->n_dims > 1)
    {
      g_autofree char *s = fit_shape_to_string (indices->shape, indices->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_index_select: the indices have shape %s but must be "
                     "1-dimensional; flatten them, or use fit_tensor_embedding()"), s);
      return NULL;
    }
  {
    g_autofree char *what = g_strdup_printf (_("dimension %d"), d);

    if (!check_indices ("fit_tensor_index_select", indices, self->shape[d], what, error))
      return NULL;
  }

  memcpy (shape, self->shape, sizeof shape);
  shape[d] = indices->numel;
  if (!fit_shape_check_result ("fit_tensor_index_select", shape, self->n_dims, error))
    return NULL;
  outer = shape_span (self->shape, 0, d);
  inner = shape_span (self->shape, d + 1, self->n_dims);
  out = fit_tensor_new_empty (self->dtype, shape, self->n_dims);
  if (out->numel > 0)
    select_rows (out, self, indices, outer, self->shape[d], inner);

  node = fit_autograd_record (out, "index_select", index_select_backward, 1, &self);
  if (node != NULL)
    {
      node->i[0] = d;
      fit_node_save (node, 0, indices);
    }
  return out;
}

/* saved[0]: the indices */
static gboolean
embedding_backward (FitNode    *node,
                    FitTensor  *grad_output,
                    FitTensor **grad_inputs,
                    GError    **error)
{
  FitTensor *weight = node->inputs[0];

  grad_inputs[0] = index_add (grad_output, weight, node->saved[0], 1, weight->shape[0],
                              weight->shape[1]);
  return TRUE;
}

/**
 * fit_tensor_embedding:
 * @weight: the embedding table, [num_embeddings, embedding_dim], float32 or float64
 * @indices: int32 or int64 indices into the table's rows, of any shape, each in
 *   [0, num_embeddings)
 * @error: return location for a #GError
 *
 * Looks up rows of @weight: the result has the shape of @indices followed by
 * embedding_dim, and holds row @indices[…] at each position. Differentiable in the
 * table: the gradient of each row is the sum of the gradients of the positions that
 * looked it up, and rows never looked up get zero.
 *
 * Returns: (transfer full): the embeddings, or %NULL with @error set:
 *   %FIT_ERROR_INVALID_ARGUMENT when an index is outside the table (the message names
 *   it and the table's size), %FIT_ERROR_DTYPE for non-integer indices or an integer
 *   table, %FIT_ERROR_SHAPE when @weight is not 2-dimensional or the result's non-zero
 *   sizes would multiply to 2^60 or more
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_embedding (FitTensor  *weight,
                      FitTensor  *indices,
                      GError    **error)
{
  gint64 shape[FIT_MAX_DIMS];
  FitTensor *out;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (indices), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_check_cpu ("fit_tensor_embedding", weight, error) ||
      !fit_check_cpu ("fit_tensor_embedding", indices, error) ||
      !fit_check_floating ("fit_tensor_embedding", weight, error) ||
      !fit_check_n_dims ("fit_tensor_embedding", weight, 2, error) ||
      !check_index_dtype ("fit_tensor_embedding", "indices", indices, error))
    return NULL;
  if (indices->n_dims == FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_embedding: %d-dimensional indices would give more than the %d "
                     "dimensions a tensor can have"), FIT_MAX_DIMS, FIT_MAX_DIMS);
      return NULL;
    }
  if (!check_indices ("fit_tensor_embedding", indices, weight->shape[0],
                      _("an embedding table"), error))
    return NULL;

  memcpy (shape, indices->shape, indices->n_dims * sizeof (gint64));
  shape[indices->n_dims] = weight->shape[1];
  if (!fit_shape_check_result ("fit_tensor_embedding", shape, indices->n_dims + 1, error))
    return NULL;
  out = fit_tensor_new_empty (weight->dtype, shape, indices->n_dims + 1);
  if (out->numel > 0)
    select_rows (out, weight, indices, 1, weight->shape[0], weight->shape[1]);

  node = fit_autograd_record (out, "embedding", embedding_backward, 1, &weight);
  if (node != NULL)
    fit_node_save (node, 0, indices);
  return out;
}

/* ---- gather ---- */

/* Walks @index in units of its leading dimensions [0, dim), which never share a target
 * element, calling BODY with `e` (the element of @index) and `off` (the element of the
 * gathered tensor it points at). Within a unit the remaining dimensions are walked with
 * an odometer, so no division happens per element. Units run in parallel when the
 * caller's `go_parallel` is true. */
#define GATHER_WALK(index, src_strides, dim, BODY)                                \
  G_STMT_START {                                                                            \
    const guint nd_ = (index)->n_dims;                                                      \
    const gint64 units_ = shape_span ((index)->shape, 0, (dim));                            \
    const gint64 rest_ = shape_span ((index)->shape, (dim), nd_);                           \
                                                                                            \
    _Pragma ("omp parallel for if (go_parallel)")                                              \
    for (gint64 u_ = 0; u_ < units_; u_++)                                                  \
      {                                                                                     \
        gint64 c_[FIT_MAX_DIMS] = { 0 };                                                    \
        gint64 base_ = 0, rem_ = u_, part_ = 0;                                             \
                                                                                            \
        for (int d_ = (int) (dim) - 1; d_ >= 0; d_--)                                       \
          {                                                                                 \
            base_ += (rem_ % (index)->shape[d_]) * (src_strides)[d_];                       \
            rem_ /= (index)->shape[d_];                                                     \
          }                                                                                 \
        for (gint64 r_ = 0; r_ < rest_; r_++)                                               \
          {                                                                                 \
            gint64 e = u_ * rest_ + r_;                                                     \
            gint64 off = base_ + part_ + index_at ((index), e) * (src_strides)[(dim)];      \
                                                                                            \
            BODY;                                                                           \
            for (int d_ = (int) nd_ - 1; d_ > (int) (dim); d_--)                            \
              {                                                                             \
                part_ += (src_strides)[d_];                                                 \
                if (++c_[d_] < (index)->shape[d_])                                          \
                  break;                                                                    \
                part_ -= c_[d_] * (src_strides)[d_];                                        \
                c_[d_] = 0;                                                                 \
              }                                                                             \
          }                                                                                 \
      }                                                                                     \
  } G_STMT_END

static void
gather_copy (FitTensor *out,
             FitTensor *src,
             FitTensor *index,
             guint      dim)
{
  gint64 strides[FIT_MAX_DIMS];
  gboolean go_parallel = worth_parallel (out->numel);

  contiguous_strides (src->shape, src->n_dims, strides);
  if (fit_dtype_get_size (src->dtype) == 4)
    {
      guint32 *y = fit_tensor_ptr (out);
      const guint32 *x = fit_tensor_ptr (src);

      GATHER_WALK (index, strides, dim, y[e] = x[off]);
    }
  else
    {
      guint64 *y = fit_tensor_ptr (out);
      const guint64 *x = fit_tensor_ptr (src);

      GATHER_WALK (index, strides, dim, y[e] = x[off]);
    }
}

/* node->i[0]: dim; saved[0]: the index */
static gboolean
gather_backward (FitNode    *node,
                 FitTensor  *grad_output,
                 FitTensor **grad_inputs,
                 GError    **error)
{
  FitTensor *in = node->inputs[0];
  FitTensor *index = node->saved[0];
  guint dim = (guint) node->i[0];
  FitTensor *g = fit_tensor_new_zeros (grad_output->dtype, in->shape, in->n_dims);
  gint64 strides[FIT_MAX_DIMS];
  gboolean go_parallel = worth_parallel (index->numel);

  grad_inputs[0] = g;
  /* As in the forward: an empty index's leading sizes may be as large as a shape allows. */
  if (index->numel == 0)
    return TRUE;
  contiguous_strides (in->shape, in->n_dims, strides);
  if (g->dtype == FIT_DTYPE_FLOAT32)
    {
      float *y = fit_tensor_f32 (g);
      const float *x = fit_tensor_f32 (grad_output);

      GATHER_WALK (index, strides, dim, y[off] += x[e]);
    }
  else
    {
      double *y = fit_tensor_f64 (g);
      const double *x = fit_tensor_f64 (grad_output);

      GATHER_WALK (index, strides, dim, y[off] += x[e]);
    }
  return TRUE;
}

/**
 * fit_tensor_gather:
 * @self: a tensor with at least one dimension
 * @dim: the dimension to gather along; negative counts from the end
 * @indices: an int32 or int64 tensor with as many dimensions as @self, no larger than
 *   @self in any dimension but @dim, holding indices into @dim
 * @error: return location for a #GError
 *
 * Gathers values along @dim as PyTorch's `gather` does: the result has the shape of
 * @indices, and for @dim = 1, `out[i][j][k] = self[i][indices[i][j][k]][k]`. With
 * @dim = -1 and indices of shape [N, 1] it picks one class score per row, as losses
 * do. Works on any element type; differentiable in @self, with the gradients of
 * repeated picks added up.
 *
 * Returns: (transfer full): the gathered values, or %NULL with @error set:
 *   %FIT_ERROR_INVALID_ARGUMENT when @dim or an index is out of range (the message
 *   names the index and the size), %FIT_ERROR_DTYPE when @indices are not integers,
 *   %FIT_ERROR_SHAPE when the shapes of @indices and @self do not fit
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_gather (FitTensor  *self,
                   int         dim,
                   FitTensor  *indices,
                   GError    **error)
{
  FitTensor *out;
  FitNode *node;
  gboolean fits;
  int d;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (indices), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_check_cpu ("fit_tensor_gather", self, error) ||
      !fit_check_cpu ("fit_tensor_gather", indices, error) ||
      !check_index_dtype ("fit_tensor_gather", "indices", indices, error))
    return NULL;
  d = fit_normalize_dim ("fit_tensor_gather", self, dim, error);
  if (d < 0)
    return NULL;
  fits = indices->n_dims == self->n_dims;
  for (guint k = 0; fits && k < self->n_dims; k++)
    fits = (int) k == d || indices->shape[k] <= self->shape[k];
  if (!fits)
    {
      g_autofree char *a = fit_shape_to_string (self->shape, self->n_dims);
      g_autofree char *b = fit_shape_to_string (indices->shape, indices->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_gather: indices of shape %s do not fit a tensor of shape %s "
                     "along dimension %d; they need as many dimensions, and no larger sizes "
                     "except along dimension %d"), b, a, d, d);
      return NULL;
    }
  {
    g_autofree char *what = g_strdup_printf (_("dimension %d"), d);

    if (!check_indices ("fit_tensor_gather", indices, self->shape[d], what, error))
      return NULL;
  }

  out = fit_tensor_new_empty (self->dtype, indices->shape, indices->n_dims);
  if (out->numel > 0)
    gather_copy (out, self, indices, d);
  node = fit_autograd_record (out, "gather", gather_backward, 1, &self);
  if (node != NULL)
    {
      node->i[0] = d;
      fit_node_save (node, 0, indices);
    }
  return out;
}

/* ---- one_hot ---- */

/* fit_tensor_one_hot(), naming @op in its messages: FitOneHot shares it. */

FitTensor *
fit_one_hot_encode (const char  *op,
                    FitTensor   *labels,
                    gint64       n_classes,
                    GError     **error)
{
  gint64 shape[FIT_MAX_DIMS];
  FitTensor *out;
  float *y;

  if (!fit_check_cpu (op, labels, error) ||
      !check_index_dtype (op, "labels", labels, error))
    return NULL;
  if (n_classes <= 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: %" PRId64 " classes; there must be at least one"),
                   op, n_classes);
      return NULL;
    }
  if (labels->n_dims == FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: %d-dimensional labels would give more than the %d dimensions a "
                     "tensor can have"), op, FIT_MAX_DIMS, FIT_MAX_DIMS);
      return NULL;
    }
  for (gint64 i = 0; i < labels->numel; i++)
    {
      gint64 v = index_at (labels, i);

      if (v >= 0 && v < n_classes)
        continue;
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: label %" PRId64 " (element %" PRId64
                     ") is outside [0, %" PRId64 ") for %" PRId64
                     " classes; check the labels or raise n_classes"),
                   op, v, i, n_classes, n_classes);
      return NULL;
    }

  memcpy (shape, labels->shape, labels->n_dims * sizeof (gint64));
  shape[labels->n_dims] = n_classes;
  if (!fit_shape_check_result (op, shape, labels->n_dims + 1, error))
    return NULL;
  out = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, labels->n_dims + 1);
  y = fit_tensor_f32 (out);
  for (gint64 i = 0; i < labels->numel; i++)
    y[i * n_classes + index_at (labels, i)] = 1.0f;
  return out;
}

/**
 * fit_tensor_one_hot:
 * @labels: int32 or int64 class labels of any shape, each in [0, @n_classes)
 * @n_classes: the number of classes, at least 1
 * @error: return location for a #GError
 *
 * Encodes class labels as float32 rows that are 1 at the label and 0 elsewhere: the
 * result has the shape of @labels followed by @n_classes. Not differentiable (labels
 * are integers).
 *
 * Returns: (transfer full): the encoding, or %NULL with @error set:
 *   %FIT_ERROR_INVALID_ARGUMENT when a label is outside [0, @n_classes) (the message
 *   names the label and @n_classes) or @n_classes is not positive, %FIT_ERROR_DTYPE
 *   when @labels are not integers, %FIT_ERROR_SHAPE when the result's non-zero sizes
 *   would multiply to 2^60 or more (too many classes for the labels)
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_one_hot (FitTensor  *labels,
                    gint64      n_classes,
                    GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (labels), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fit_one_hot_encode ("fit_tensor_one_hot", labels, n_classes, error);
}
