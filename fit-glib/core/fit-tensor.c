/* fit-tensor.c: creation, metadata, data access and copies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "fit-tensor-private.h"
#include "fit-glib/backends/fit-backend-private.h"

/**
 * FitTensor:
 *
 * An n-dimensional array of numbers with reverse-mode automatic differentiation.
 *
 * Tensors are dense and row-major. Their element type is a [enum@Fit.DType]
 * (float32 unless asked otherwise), they have up to %FIT_MAX_DIMS dimensions, and they
 * live on a [class@Fit.Device]. Every operation returns a new tensor; when one of its
 * inputs requires a gradient (see [property@Fit.Tensor:requires-grad]) the operation is
 * recorded, and [method@Fit.Tensor.backward] computes the gradients of a scalar with
 * respect to every leaf tensor that requires one.
 *
 * Data goes in and out in bulk: from C arrays, from a #GBytes (without a copy when
 * the bytes are suitably aligned), and through the Python override, from and to NumPy
 * arrays. Mistakes such as shapes that do not fit an operation are reported as a
 * #GError in the %FIT_ERROR domain whose message names the operation and the shapes.
 *
 * Since: 1.0
 */

enum {
  PROP_0,
  PROP_DTYPE,
  PROP_REQUIRES_GRAD,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitTensor, fit_tensor, G_TYPE_OBJECT)

static void
fit_tensor_finalize (GObject *object)
{
  FitTensor *self = (FitTensor *) object;

  g_clear_pointer (&self->storage, fit_storage_unref);
  g_clear_pointer (&self->grad_fn, fit_node_unref);
  g_clear_object (&self->grad);
  g_clear_pointer (&self->name, g_free);
  G_OBJECT_CLASS (fit_tensor_parent_class)->finalize (object);
}

static void
fit_tensor_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FitTensor *self = FIT_TENSOR (object);

  switch (prop_id)
    {
    case PROP_DTYPE:
      g_value_set_enum (value, self->dtype);
      break;
    case PROP_REQUIRES_GRAD:
      g_value_set_boolean (value, self->requires_grad);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_tensor_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FitTensor *self = FIT_TENSOR (object);

  switch (prop_id)
    {
    case PROP_REQUIRES_GRAD:
      fit_tensor_set_requires_grad (self, g_value_get_boolean (value));
      break;
    case PROP_NAME:
      fit_tensor_set_name (self, g_value_get_string (value));
      break;
    case PROP_DTYPE:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_tensor_class_init (FitTensorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_tensor_finalize;
  object_class->get_property = fit_tensor_get_property;
  object_class->set_property = fit_tensor_set_property;

  /**
   * FitTensor:dtype:
   *
   * The element type.
   *
   * Since: 1.0
   */
  properties[PROP_DTYPE] =
    g_param_spec_enum ("dtype", NULL, NULL, FIT_TYPE_DTYPE, FIT_DTYPE_FLOAT32,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * FitTensor:requires-grad:
   *
   * Whether operations on this tensor are recorded so that [method@Fit.Tensor.backward]
   * can compute its gradient. Only floating-point tensors can require a gradient.
   *
   * Since: 1.0
   */
  properties[PROP_REQUIRES_GRAD] =
    g_param_spec_boolean ("requires-grad", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitTensor:name:
   *
   * An optional name, shown in messages (modules name their parameters, as in
   * `"0.weight"`).
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_tensor_init (FitTensor *self)
{
}

/* ---- shapes and checks ---- */

/* Valid shapes (fit_shape_check()) never overflow here; for any other shape the product
 * saturates at G_MAXINT64 rather than overflow, and a zero anywhere still gives 0. */
gint64
fit_shape_numel (const gint64 *shape,
                 guint         n_dims)
{
  gint64 n = 1;
  gboolean saturated = FALSE;

  for (guint i = 0; i < n_dims; i++)
    {
      if (shape[i] == 0)
        return 0;
      if (!saturated && __builtin_mul_overflow (n, shape[i], &n))
        saturated = TRUE;
    }
  return saturated ? G_MAXINT64 : n;
}

gboolean
fit_shape_equal (const gint64 *a,
                 guint         na,
                 const gint64 *b,
                 guint         nb)
{
  return na == nb && memcmp (a, b, na * sizeof (gint64)) == 0;
}

char *
fit_shape_to_string (const gint64 *shape,
                     guint         n_dims)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < n_dims; i++)
    g_string_append_printf (s, i ? ", %" PRId64 : "%" PRId64, shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

gboolean
fit_check_floating (const char  *op,
                    FitTensor   *t,
                    GError     **error)
{
  if (fit_dtype_is_floating (t->dtype))
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
               _("%s needs a float32 or float64 tensor, got %s; convert it with "
                 "fit_tensor_to_dtype()"), op, fit_dtype_get_name (t->dtype));
  return FALSE;
}

gboolean
fit_check_same_dtype (const char  *op,
                      FitTensor   *a,
                      FitTensor   *b,
                      GError     **error)
{
  if (a->dtype == b->dtype)
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
               _("%s: element types %s and %s differ; convert one with fit_tensor_to_dtype()"),
               op, fit_dtype_get_name (a->dtype), fit_dtype_get_name (b->dtype));
  return FALSE;
}

gboolean
fit_check_n_dims (const char  *op,
                  FitTensor   *t,
                  guint        n_dims,
                  GError     **error)
{
  g_autofree char *shape = NULL;

  if (t->n_dims == n_dims)
    return TRUE;
  shape = fit_shape_to_string (t->shape, t->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s needs a %u-dimensional tensor, got shape %s"), op, n_dims, shape);
  return FALSE;
}

int
fit_normalize_dim (const char  *op,
                   FitTensor   *t,
                   int          dim,
                   GError     **error)
{
  int n = (int) t->n_dims;
  g_autofree char *shape = NULL;

  if (dim >= -n && dim < n)
    return dim < 0 ? dim + n : dim;
  shape = fit_shape_to_string (t->shape, t->n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("%s: dimension %d is out of range for shape %s (use %d to %d)"),
               op, dim, shape, -MAX (n, 1), MAX (n, 1) - 1);
  return -1;
}

gboolean
fit_broadcast_shapes (const char  *op,
                      FitTensor   *a,
                      FitTensor   *b,
                      gint64      *out_shape,
                      guint       *out_n_dims,
                      GError     **error)
{
  guint n = MAX (a->n_dims, b->n_dims);

  for (guint i = 0; i < n; i++)
    {
      gint64 da = i < n - a->n_dims ? 1 : a->shape[i - (n - a->n_dims)];
      gint64 db = i < n - b->n_dims ? 1 : b->shape[i - (n - b->n_dims)];

      if (da != db && da != 1 && db != 1)
        {
          g_autofree char *sa = fit_shape_to_string (a->shape, a->n_dims);
          g_autofree char *sb = fit_shape_to_string (b->shape, b->n_dims);

          g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                       _("%s: shapes %s and %s cannot be broadcast together (dimension %u: "
                         "%" PRId64 " vs %" PRId64 ")"),
                       op, sa, sb, i, da, db);
          return FALSE;
        }
      out_shape[i] = da == 1 ? db : da;
    }
  *out_n_dims = n;
  /* Empty operands keep their other sizes, and those of two can multiply past what a
   * tensor holds: [2^59, 1, 0] with [1, 16, 0]. */
  return fit_shape_check_result (op, out_shape, n, error);
}

/* ---- construction ---- */

static gboolean shape_is_valid (const gint64 *shape,
                                guint         n_dims);

static gboolean
dtype_is_valid (FitDType dtype)
{
  return dtype == FIT_DTYPE_FLOAT32 || dtype == FIT_DTYPE_FLOAT64 ||
         dtype == FIT_DTYPE_INT32 || dtype == FIT_DTYPE_INT64;
}

static FitTensor *
tensor_alloc (FitDType      dtype,
              const gint64 *shape,
              guint         n_dims,
              gboolean      zero)
{
  FitTensor *self;

  g_return_val_if_fail (n_dims <= FIT_MAX_DIMS, NULL);
  g_return_val_if_fail (shape != NULL || n_dims == 0, NULL);

  /* Every operation checks the shape of its result (fit_shape_check_result()) before it
   * gets here, and the public constructors check theirs. A shape that still does not
   * fit can only be a missed check: its byte count would wrap around and the kernel
   * write past a small buffer, so stop here, as the allocator does when memory runs
   * out, rather than corrupt memory. */
  if (G_UNLIKELY (!shape_is_valid (shape, n_dims)))
    {
      g_autofree char *s = fit_shape_to_string (shape, n_dims);

      g_error ("fit-glib: out of memory: a tensor of shape %s cannot be allocated", s);
    }

  self = g_object_new (FIT_TYPE_TENSOR, NULL);
  self->dtype = dtype;
  self->n_dims = n_dims;
  if (n_dims > 0)
    memcpy (self->shape, shape, n_dims * sizeof (gint64));
  self->numel = fit_shape_numel (shape, n_dims);
  self->storage = fit_storage_new (FIT_DEVICE_TYPE_CPU, 0,
                                   (gsize) self->numel * fit_dtype_get_size (dtype), zero);
  return self;
}

/* A shape is valid when no size is negative and the product of its non-zero sizes, in
 * bytes of the widest element type, fits in a gint64. Zeros are left out of the product
 * on purpose: an empty tensor's other sizes still become real tensors (summing a
 * [N, 0] tensor over its last dimension gives N zeros), so [2^62, 0] is as invalid as
 * [2^62, 1], and no index arithmetic on a valid shape can overflow. */
static gboolean
shape_is_valid (const gint64 *shape,
                guint         n_dims)
{
  gint64 bytes = 8;

  if (n_dims > FIT_MAX_DIMS || (shape == NULL && n_dims > 0))
    return FALSE;
  for (guint i = 0; i < n_dims; i++)
    {
      if (shape[i] < 0)
        return FALSE;
      if (shape[i] > 0 && __builtin_mul_overflow (bytes, shape[i], &bytes))
        return FALSE;
    }
  return TRUE;
}

gboolean
fit_shape_is_valid (const gint64 *shape,
                    guint         n_dims)
{
  return shape_is_valid (shape, n_dims);
}

/* Sets FIT_ERROR_SHAPE for a shape that shape_is_valid() refuses: one given by a caller
 * or a file (@what names the operation, or the file and tensor), or one an operation
 * computed for its @result. */
static gboolean
check_shape (const char    *what,
             const gint64  *shape,
             guint          n_dims,
             gboolean       result,
             GError       **error)
{
  g_autofree char *s = NULL;

  if (shape_is_valid (shape, n_dims))
    return TRUE;
  if (n_dims > FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%s: %u dimensions is more than the %d a tensor can have"),
                   what, n_dims, FIT_MAX_DIMS);
      return FALSE;
    }
  s = fit_shape_to_string (shape, n_dims);
  if (result)
    g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                 _("%s: the result would have shape %s, whose non-zero sizes multiply to "
                   "2^60 or more, more than a tensor can hold; use smaller sizes"), what, s);
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                 _("%s: shape %s has a negative or overflowing size"), what, s);
  return FALSE;
}

/* fit_shape_check: checks a shape that comes from a caller or a file before anything is
 * allocated for it (at most FIT_MAX_DIMS dimensions, no negative size, nothing that
 * overflows; see shape_is_valid()). @what names the operation, or the file and tensor,
 * for the FIT_ERROR_SHAPE message. */
gboolean
fit_shape_check (const char    *what,
                 const gint64  *shape,
                 guint          n_dims,
                 GError       **error)
{
  return check_shape (what, shape, n_dims, FALSE, error);
}

/* fit_shape_check_result: checks the shape an operation computed for its result from
 * its inputs' shapes and its arguments (a broadcast, a product, a join, an output-size
 * formula) before anything is allocated for it. */
gboolean
fit_shape_check_result (const char    *op,
                        const gint64  *shape,
                        guint          n_dims,
                        GError       **error)
{
  return check_shape (op, shape, n_dims, TRUE, error);
}

FitTensor *
fit_tensor_new_empty (FitDType      dtype,
                      const gint64 *shape,
                      guint         n_dims)
{
  return tensor_alloc (dtype, shape, n_dims, FALSE);
}

FitTensor *
fit_tensor_new_empty_like (FitTensor *like)
{
  return tensor_alloc (like->dtype, like->shape, like->n_dims, FALSE);
}

FitTensor *
fit_tensor_new_view (FitTensor    *base,
                     gsize         offset_bytes,
                     const gint64 *shape,
                     guint         n_dims)
{
  FitTensor *self = g_object_new (FIT_TYPE_TENSOR, NULL);

  self->dtype = base->dtype;
  self->n_dims = n_dims;
  if (n_dims > 0)
    memcpy (self->shape, shape, n_dims * sizeof (gint64));
  self->numel = fit_shape_numel (shape, n_dims);
  self->storage = fit_storage_ref (base->storage);
  self->offset = base->offset + offset_bytes;
  return self;
}

/**
 * fit_tensor_new_zeros:
 * @dtype: the element type
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions, at most %FIT_MAX_DIMS (0 for a scalar)
 *
 * Creates a tensor filled with zeros on the CPU.
 *
 * The constructors without a #GError take the shape as a programmer's promise: a
 * negative size, or non-zero sizes that multiply to 2^60 or more, is a programmer error
 * (a critical warning, and %NULL). Shapes that come from users or files can be checked
 * with a #GError by [ctor@Fit.Tensor.new_from_data] and [method@Fit.Tensor.reshape].
 *
 * Returns: (transfer full): a new tensor
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_zeros (FitDType      dtype,
                      const gint64 *shape,
                      guint         n_dims)
{
  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (shape_is_valid (shape, n_dims), NULL);
  return tensor_alloc (dtype, shape, n_dims, TRUE);
}

/**
 * fit_tensor_new_full:
 * @dtype: the element type
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @value: the value of every element
 *
 * Creates a tensor filled with @value (converted as [method@Fit.Tensor.fill] does). The
 * shape is a programmer's promise, as for [ctor@Fit.Tensor.new_zeros].
 *
 * Returns: (transfer full): a new tensor
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_full (FitDType      dtype,
                     const gint64 *shape,
                     guint         n_dims,
                     double        value)
{
  FitTensor *self;

  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (shape_is_valid (shape, n_dims), NULL);
  self = tensor_alloc (dtype, shape, n_dims, FALSE);
  fit_tensor_fill (self, value);
  return self;
}

/**
 * fit_tensor_new_scalar:
 * @dtype: the element type
 * @value: the value
 *
 * Creates a 0-dimensional tensor holding @value.
 *
 * Returns: (transfer full): a new tensor
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_scalar (FitDType dtype,
                       double   value)
{
  return fit_tensor_new_full (dtype, NULL, 0, value);
}

/**
 * fit_tensor_new_from_data:
 * @dtype: the element type of @data
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @data: (array length=n_bytes) (element-type guint8): the elements, row-major, in the
 *   machine's byte order
 * @n_bytes: the size of @data, which must match the shape exactly
 * @error: return location for a #GError
 *
 * Creates a tensor from a copy of raw element data.
 *
 * Returns: (transfer full): a new tensor, or %NULL with %FIT_ERROR_SHAPE when the size
 *   of @data does not match @shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_from_data (FitDType       dtype,
                          const gint64  *shape,
                          guint          n_dims,
                          const guint8  *data,
                          gsize          n_bytes,
                          GError       **error)
{
  FitTensor *self;
  gsize expected;

  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (data != NULL || n_bytes == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_shape_check ("fit_tensor_new_from_data", shape, n_dims, error))
    return NULL;
  expected = (gsize) fit_shape_numel (shape, n_dims) * fit_dtype_get_size (dtype);
  if (n_bytes != expected)
    {
      g_autofree char *s = fit_shape_to_string (shape, n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("%zu bytes of data do not fill a %s tensor of shape %s "
                     "(%zu bytes)"),
                   n_bytes, fit_dtype_get_name (dtype), s, expected);
      return NULL;
    }
  self = tensor_alloc (dtype, shape, n_dims, FALSE);
  if (n_bytes > 0)
    memcpy (fit_tensor_ptr (self), data, n_bytes);
  return self;
}

/**
 * fit_tensor_new_from_bytes:
 * @dtype: the element type of @bytes
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @bytes: the elements, row-major, in the machine's byte order
 * @error: return location for a #GError
 *
 * Creates a tensor over @bytes. When the data is aligned for @dtype the tensor shares
 * it without a copy and keeps a reference to @bytes; it never writes to it (in-place
 * updates of such a tensor copy the data first).
 *
 * Returns: (transfer full): a new tensor, or %NULL with %FIT_ERROR_SHAPE when the size
 *   of @bytes does not match @shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_from_bytes (FitDType       dtype,
                           const gint64  *shape,
                           guint          n_dims,
                           GBytes        *bytes,
                           GError       **error)
{
  FitTensor *self;
  gconstpointer data;
  gsize size = 0;

  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  if (((guintptr) data % fit_dtype_get_size (dtype)) != 0 || size == 0)
    return fit_tensor_new_from_data (dtype, shape, n_dims, data, size, error);

  if (!fit_shape_check ("fit_tensor_new_from_bytes", shape, n_dims, error))
    return NULL;
  if (size != (gsize) fit_shape_numel (shape, n_dims) * fit_dtype_get_size (dtype))
    return fit_tensor_new_from_data (dtype, shape, n_dims, data, size, error);

  self = g_object_new (FIT_TYPE_TENSOR, NULL);
  self->dtype = dtype;
  self->n_dims = n_dims;
  if (n_dims > 0)
    memcpy (self->shape, shape, n_dims * sizeof (gint64));
  self->numel = fit_shape_numel (shape, n_dims);
  self->storage = fit_storage_new_bytes (bytes);
  return self;
}

static FitTensor *
new_from_values (const char    *op,
                 FitDType       dtype,
                 gconstpointer  values,
                 gsize          n_values,
                 const gint64  *shape,
                 guint          n_dims,
                 GError       **error)
{
  g_autofree char *s = NULL;

  g_return_val_if_fail (values != NULL || n_values == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fit_shape_check (op, shape, n_dims, error))
    return NULL;
  if ((gint64) n_values == fit_shape_numel (shape, n_dims))
    return fit_tensor_new_from_data (dtype, shape, n_dims, values,
                                     n_values * fit_dtype_get_size (dtype), error);
  s = fit_shape_to_string (shape, n_dims);
  g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
               _("%s: %zu values do not fill shape %s (%" PRId64
                 " elements)"), op, n_values, s, fit_shape_numel (shape, n_dims));
  return NULL;
}

/**
 * fit_tensor_new_from_floats:
 * @values: (array length=n_values): the elements, row-major
 * @n_values: the number of elements
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @error: return location for a #GError
 *
 * Creates a float32 tensor from a copy of @values.
 *
 * Returns: (transfer full): a new tensor, or %NULL with %FIT_ERROR_SHAPE when the
 *   number of values does not match @shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_from_floats (const float   *values,
                            gsize          n_values,
                            const gint64  *shape,
                            guint          n_dims,
                            GError       **error)
{
  return new_from_values ("fit_tensor_new_from_floats", FIT_DTYPE_FLOAT32, values, n_values,
                          shape, n_dims, error);
}

/**
 * fit_tensor_new_from_doubles:
 * @values: (array length=n_values): the elements, row-major
 * @n_values: the number of elements
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @error: return location for a #GError
 *
 * Creates a float64 tensor from a copy of @values.
 *
 * Returns: (transfer full): a new tensor, or %NULL with %FIT_ERROR_SHAPE when the
 *   number of values does not match @shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_from_doubles (const double  *values,
                             gsize          n_values,
                             const gint64  *shape,
                             guint          n_dims,
                             GError       **error)
{
  return new_from_values ("fit_tensor_new_from_doubles", FIT_DTYPE_FLOAT64, values, n_values,
                          shape, n_dims, error);
}

/**
 * fit_tensor_new_from_int64s:
 * @values: (array length=n_values): the elements, row-major
 * @n_values: the number of elements
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @error: return location for a #GError
 *
 * Creates an int64 tensor (class labels, indices) from a copy of @values.
 *
 * Returns: (transfer full): a new tensor, or %NULL with %FIT_ERROR_SHAPE when the
 *   number of values does not match @shape
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_from_int64s (const gint64  *values,
                            gsize          n_values,
                            const gint64  *shape,
                            guint          n_dims,
                            GError       **error)
{
  return new_from_values ("fit_tensor_new_from_int64s", FIT_DTYPE_INT64, values, n_values,
                          shape, n_dims, error);
}

/**
 * fit_tensor_new_uniform:
 * @rng: the generator to draw from
 * @dtype: a floating-point element type
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @low: the inclusive lower bound
 * @high: the exclusive upper bound
 *
 * Creates a tensor of values drawn uniformly from [@low, @high). The shape is a
 * programmer's promise, as for [ctor@Fit.Tensor.new_zeros].
 *
 * Returns: (transfer full): a new tensor
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_uniform (FitRng       *rng,
                        FitDType      dtype,
                        const gint64 *shape,
                        guint         n_dims,
                        double        low,
                        double        high)
{
  FitTensor *self;

  g_return_val_if_fail (FIT_IS_RNG (rng), NULL);
  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (shape_is_valid (shape, n_dims), NULL);

  self = tensor_alloc (dtype, shape, n_dims, FALSE);
  if (dtype == FIT_DTYPE_FLOAT32)
    {
      float *d = fit_tensor_f32 (self);

      for (gint64 i = 0; i < self->numel; i++)
        d[i] = (float) (low + (high - low) * fit_rng_next_double (rng));
    }
  else
    for (gint64 i = 0; i < self->numel; i++)
      fit_tensor_set_flat (self, i, low + (high - low) * fit_rng_next_double (rng));
  return self;
}

/**
 * fit_tensor_new_normal:
 * @rng: the generator to draw from
 * @dtype: a floating-point element type
 * @shape: (array length=n_dims): the size of each dimension
 * @n_dims: the number of dimensions
 * @mean: the mean
 * @std: the standard deviation
 *
 * Creates a tensor of values drawn from a normal distribution. The shape is a
 * programmer's promise, as for [ctor@Fit.Tensor.new_zeros].
 *
 * Returns: (transfer full): a new tensor
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_normal (FitRng       *rng,
                       FitDType      dtype,
                       const gint64 *shape,
                       guint         n_dims,
                       double        mean,
                       double        std)
{
  FitTensor *self;

  g_return_val_if_fail (FIT_IS_RNG (rng), NULL);
  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (shape_is_valid (shape, n_dims), NULL);

  self = tensor_alloc (dtype, shape, n_dims, FALSE);
  if (dtype == FIT_DTYPE_FLOAT32)
    {
      float *d = fit_tensor_f32 (self);

      for (gint64 i = 0; i < self->numel; i++)
        d[i] = (float) (mean + std * fit_rng_next_normal (rng));
    }
  else
    for (gint64 i = 0; i < self->numel; i++)
      fit_tensor_set_flat (self, i, mean + std * fit_rng_next_normal (rng));
  return self;
}

/**
 * fit_tensor_new_permutation:
 * @rng: the generator to draw from
 * @n: the number of indices, at least 0 and below 2^60
 *
 * Creates an int64 tensor holding a uniformly random permutation of 0 … @n - 1, as
 * PyTorch's `randperm` does; the same generator state gives the same permutation. An
 * @n out of range is a programmer error, as a shape is for
 * [ctor@Fit.Tensor.new_zeros].
 *
 * Returns: (transfer full): a new tensor of shape [@n]
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_permutation (FitRng *rng,
                            gint64  n)
{
  FitTensor *self;
  gint64 *d;

  g_return_val_if_fail (FIT_IS_RNG (rng), NULL);
  g_return_val_if_fail (shape_is_valid (&n, 1), NULL);

  self = tensor_alloc (FIT_DTYPE_INT64, &n, 1, FALSE);
  d = fit_tensor_ptr (self);
  for (gint64 i = 0; i < n; i++)
    d[i] = i;
  fit_rng_shuffle_indices (rng, d, (gsize) n);
  return self;
}

/**
 * fit_tensor_new_arange:
 * @dtype: the element type
 * @start: the first value
 * @end: the exclusive end
 * @step: the increment, not zero
 * @error: return location for a #GError
 *
 * Creates a 1-dimensional tensor of @start, @start + @step, … up to but excluding @end.
 *
 * Returns: (transfer full): a new tensor, or %NULL with %FIT_ERROR_INVALID_ARGUMENT
 *   when @step is zero or not finite
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_new_arange (FitDType   dtype,
                       double     start,
                       double     end,
                       double     step,
                       GError   **error)
{
  FitTensor *self;
  gint64 n;

  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (step == 0 || !isfinite (step) || !isfinite (start) || !isfinite (end) ||
      fabs ((end - start) / step) > (double) G_MAXINT32)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_tensor_new_arange: cannot count from %g to %g in steps of %g"),
                   start, end, step);
      return NULL;
    }
  n = (gint64) MAX (0.0, ceil ((end - start) / step));
  self = tensor_alloc (dtype, &n, 1, FALSE);
  for (gint64 i = 0; i < n; i++)
    fit_tensor_set_flat (self, i, start + (double) i * step);
  return self;
}

/**
 * fit_tensor_zeros_like:
 * @self: a tensor
 *
 * Creates a tensor of zeros shaped like another.
 *
 * Returns: (transfer full): a tensor of zeros with @self's shape and element type
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_zeros_like (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return tensor_alloc (self->dtype, self->shape, self->n_dims, TRUE);
}

/* ---- metadata ---- */

/**
 * fit_tensor_get_dtype:
 * @self: a tensor
 *
 * Gets the tensor's element type.
 *
 * Returns: the element type
 *
 * Since: 1.0
 */
FitDType
fit_tensor_get_dtype (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), FIT_DTYPE_FLOAT32);
  return self->dtype;
}

/**
 * fit_tensor_get_n_dims:
 * @self: a tensor
 *
 * Gets the number of dimensions.
 *
 * Returns: the number of dimensions (0 for a scalar)
 *
 * Since: 1.0
 */
guint
fit_tensor_get_n_dims (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), 0);
  return self->n_dims;
}

/**
 * fit_tensor_get_shape:
 * @self: a tensor
 * @n_dims: (out) (optional): the number of dimensions
 *
 * Gets the tensor's shape.
 *
 * Returns: (array length=n_dims) (transfer none): the size of each dimension
 *
 * Since: 1.0
 */
const gint64 *
fit_tensor_get_shape (FitTensor *self,
                      guint     *n_dims)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  if (n_dims != NULL)
    *n_dims = self->n_dims;
  return self->shape;
}

/**
 * fit_tensor_get_dim:
 * @self: a tensor
 * @dim: a dimension; negative values count from the end
 *
 * Gets the size of one dimension.
 *
 * Returns: the size of dimension @dim, or -1 when @dim is out of range
 *
 * Since: 1.0
 */
gint64
fit_tensor_get_dim (FitTensor *self,
                    int        dim)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), -1);
  if (dim < 0)
    dim += (int) self->n_dims;
  if (dim < 0 || dim >= (int) self->n_dims)
    return -1;
  return self->shape[dim];
}

/**
 * fit_tensor_get_numel:
 * @self: a tensor
 *
 * Counts the elements of the tensor.
 *
 * Returns: the number of elements
 *
 * Since: 1.0
 */
gint64
fit_tensor_get_numel (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), 0);
  return self->numel;
}

/**
 * fit_tensor_get_n_bytes:
 * @self: a tensor
 *
 * Gets the size of the tensor's data.
 *
 * Returns: the size of the tensor's elements in bytes
 *
 * Since: 1.0
 */
gsize
fit_tensor_get_n_bytes (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), 0);
  return (gsize) self->numel * fit_dtype_get_size (self->dtype);
}

/**
 * fit_tensor_get_device:
 * @self: a tensor
 *
 * Gets the device that holds the tensor's data.
 *
 * Returns: (transfer full): the device that holds the tensor's data
 *
 * Since: 1.0
 */
FitDevice *
fit_tensor_get_device (FitTensor *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  if (self->storage->device_type == FIT_DEVICE_TYPE_CPU)
    return g_object_ref (fit_device_get_cpu ());
  name = g_strdup_printf ("cuda:%u", self->storage->device_index);
  return fit_device_new_for_name (name, NULL);
}

/**
 * fit_tensor_get_shape_string:
 * @self: a tensor
 *
 * Formats the shape for messages.
 *
 * Returns: (transfer full): the shape as text, as in `"[64, 784]"`
 *
 * Since: 1.0
 */
char *
fit_tensor_get_shape_string (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return fit_shape_to_string (self->shape, self->n_dims);
}

/**
 * fit_tensor_get_name:
 * @self: a tensor
 *
 * Gets the tensor's name.
 *
 * Returns: (nullable) (transfer none): the tensor's name
 *
 * Since: 1.0
 */
const char *
fit_tensor_get_name (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return self->name;
}

/**
 * fit_tensor_set_name:
 * @self: a tensor
 * @name: (nullable): the new name, in UTF-8
 *
 * Names the tensor, for messages and for saved weights. The name is quoted in error
 * messages, which are UTF-8, so a name that is not valid UTF-8 is a programmer error.
 *
 * Since: 1.0
 */
void
fit_tensor_set_name (FitTensor  *self,
                     const char *name)
{
  g_return_if_fail (FIT_IS_TENSOR (self));
  g_return_if_fail (name == NULL || g_utf8_validate (name, -1, NULL));
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/* ---- data access ---- */

double
fit_tensor_get_flat (FitTensor *t,
                     gint64     i)
{
  gconstpointer p = fit_tensor_ptr (t);

  switch (t->dtype)
    {
    case FIT_DTYPE_FLOAT32:
      return ((const float *) p)[i];
    case FIT_DTYPE_FLOAT64:
      return ((const double *) p)[i];
    case FIT_DTYPE_INT32:
      return ((const gint32 *) p)[i];
    case FIT_DTYPE_INT64:
      return (double) ((const gint64 *) p)[i];
    default:
      g_return_val_if_reached (0);
    }
}

void
fit_tensor_set_flat (FitTensor *t,
                     gint64     i,
                     double     v)
{
  gpointer p = fit_tensor_ptr (t);

  switch (t->dtype)
    {
    case FIT_DTYPE_FLOAT32:
      ((float *) p)[i] = (float) v;
      break;
    case FIT_DTYPE_FLOAT64:
      ((double *) p)[i] = v;
      break;
    case FIT_DTYPE_INT32:
      ((gint32 *) p)[i] = (gint32) fit_double_to_int_saturated (v, FIT_DTYPE_INT32);
      break;
    case FIT_DTYPE_INT64:
      ((gint64 *) p)[i] = fit_double_to_int_saturated (v, FIT_DTYPE_INT64);
      break;
    default:
      g_return_if_reached ();
    }
}

gboolean
fit_double_fits_int (double   v,
                     FitDType dtype)
{
  /* Truncation towards zero is defined when the truncated value is representable:
   * -2^63 <= v < 2^63, written so that NaN fails both comparisons. */
  if (dtype == FIT_DTYPE_INT32)
    return v > -2147483649.0 && v < 2147483648.0;
  return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
}

gint64
fit_double_to_int_saturated (double   v,
                             FitDType dtype)
{
  gint64 lo = dtype == FIT_DTYPE_INT32 ? G_MININT32 : G_MININT64;
  gint64 hi = dtype == FIT_DTYPE_INT32 ? G_MAXINT32 : G_MAXINT64;

  if (fit_double_fits_int (v, dtype))
    return (gint64) v;
  if (isnan (v))
    return 0;
  return v < 0 ? lo : hi;
}

gboolean
fit_check_fits_int (const char     *what,
                    FitTensor      *t,
                    FitDType        dtype,
                    GError        **error)
{
  for (gint64 i = 0; i < t->numel; i++)
    {
      double v = fit_tensor_get_flat (t, i);

      if (!fit_double_fits_int (v, dtype))
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("%s: element %" PRId64 " is %s, which is not a value of %s; "
                         "replace non-finite and out-of-range values before converting"),
                       what, i, g_ascii_dtostr (buffer, sizeof buffer, v),
                       fit_dtype_get_name (dtype));
          return FALSE;
        }
    }
  return TRUE;
}

/* Tensors on a GPU are read through a host copy. */
static FitTensor *
host_tensor (FitTensor *self)
{
  if (self->storage->device_type == FIT_DEVICE_TYPE_CPU)
    return g_object_ref (self);
  return fit_tensor_to_device (self, fit_device_get_cpu (), NULL);
}

/**
 * fit_tensor_get_data: (skip)
 * @self: a tensor on the CPU
 *
 * Gives C code direct read access to the elements, row-major, as
 * [method@Fit.Tensor.get_n_bytes] bytes of the tensor's element type. Bindings use
 * [method@Fit.Tensor.to_bytes] and friends.
 *
 * Returns: (transfer none): the elements
 *
 * Since: 1.0
 */
gconstpointer
fit_tensor_get_data (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (self->storage->device_type == FIT_DEVICE_TYPE_CPU, NULL);
  return fit_tensor_ptr (self);
}

/**
 * fit_tensor_get_data_mutable: (skip)
 * @self: a tensor on the CPU
 *
 * Gives C code write access to the elements. Writes are not recorded by autograd; a
 * tensor that shares a #GBytes first gets a private copy of its data.
 *
 * Returns: (transfer none): the elements
 *
 * Since: 1.0
 */
gpointer
fit_tensor_get_data_mutable (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (self->storage->device_type == FIT_DEVICE_TYPE_CPU, NULL);

  if (self->storage->bytes != NULL)
    {
      gsize n = fit_tensor_get_n_bytes (self);
      FitStorage *copy = fit_storage_new (FIT_DEVICE_TYPE_CPU, 0, n, FALSE);

      memcpy (copy->data, fit_tensor_ptr (self), n);
      fit_storage_unref (self->storage);
      self->storage = copy;
      self->offset = 0;
    }
  return fit_tensor_ptr (self);
}

/**
 * fit_tensor_to_bytes:
 * @self: a tensor
 *
 * Copies the elements out, row-major, in the machine's byte order.
 *
 * Returns: (transfer full): the elements
 *
 * Since: 1.0
 */
GBytes *
fit_tensor_to_bytes (FitTensor *self)
{
  g_autoptr(FitTensor) host = NULL;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  host = host_tensor (self);
  return g_bytes_new (fit_tensor_ptr (host), fit_tensor_get_n_bytes (host));
}

static gpointer
copy_out (FitTensor *self,
          FitDType   dtype,
          gsize     *n_values)
{
  g_autoptr(FitTensor) converted = NULL;
  gsize n = (gsize) self->numel;

  if (n_values != NULL)
    *n_values = n;
  if (self->dtype != dtype && !fit_dtype_is_floating (dtype))
    {
      /* No error to report here: the saturating conversion (see to_int64s). */
      g_autoptr(FitTensor) host = self->storage->device_type == FIT_DEVICE_TYPE_CPU
                                  ? g_object_ref (self) : host_tensor (self);

      converted = fit_tensor_new_empty (dtype, self->shape, self->n_dims);
      for (gint64 i = 0; i < self->numel; i++)
        fit_tensor_set_flat (converted, i, fit_tensor_get_flat (host, i));
    }
  else
    converted = fit_tensor_to_dtype (self, dtype, NULL);
  if (converted->storage->device_type != FIT_DEVICE_TYPE_CPU)
    {
      FitTensor *host = host_tensor (converted);

      g_object_unref (converted);
      converted = host;
    }
  return g_memdup2 (fit_tensor_ptr (converted), MAX (n, 1) * fit_dtype_get_size (dtype));
}

/**
 * fit_tensor_to_floats:
 * @self: a tensor
 * @n_values: (out): the number of values
 *
 * Copies the elements out as floats, converting from the tensor's element type.
 *
 * Returns: (array length=n_values) (transfer full): the elements, row-major
 *
 * Since: 1.0
 */
float *
fit_tensor_to_floats (FitTensor *self,
                      gsize     *n_values)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return copy_out (self, FIT_DTYPE_FLOAT32, n_values);
}

/**
 * fit_tensor_to_doubles:
 * @self: a tensor
 * @n_values: (out): the number of values
 *
 * Copies the elements out as doubles, converting from the tensor's element type.
 *
 * Returns: (array length=n_values) (transfer full): the elements, row-major
 *
 * Since: 1.0
 */
double *
fit_tensor_to_doubles (FitTensor *self,
                       gsize     *n_values)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return copy_out (self, FIT_DTYPE_FLOAT64, n_values);
}

/**
 * fit_tensor_to_int64s:
 * @self: a tensor
 * @n_values: (out): the number of values
 *
 * Copies the elements out as 64-bit integers. Floats are truncated towards zero; NaN
 * becomes 0 and values beyond the range of 64-bit integers the nearest end of it (use
 * [method@Fit.Tensor.to_dtype] to have such values reported instead).
 *
 * Returns: (array length=n_values) (transfer full): the elements, row-major
 *
 * Since: 1.0
 */
gint64 *
fit_tensor_to_int64s (FitTensor *self,
                      gsize     *n_values)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return copy_out (self, FIT_DTYPE_INT64, n_values);
}

/**
 * fit_tensor_item:
 * @self: a tensor with exactly one element
 * @value: (out): the element, as a double
 * @error: return location for a #GError
 *
 * Reads the single value of a scalar or one-element tensor, such as a loss.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE when the tensor does not
 *   have exactly one element
 *
 * Since: 1.0
 */
gboolean
fit_tensor_item (FitTensor  *self,
                 double     *value,
                 GError    **error)
{
  g_autoptr(FitTensor) host = NULL;

  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (self->numel != 1)
    {
      g_autofree char *s = fit_shape_to_string (self->shape, self->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_item needs a tensor with one element, got shape %s "
                     "(%" PRId64 " elements); reduce it with fit_tensor_sum() or "
                     "fit_tensor_mean() first"), s, self->numel);
      return FALSE;
    }
  host = host_tensor (self);
  *value = fit_tensor_get_flat (host, 0);
  return TRUE;
}

/* An element formatted for people: integers exactly (a double cannot hold every int64,
 * and converting one that rounds up to 2^63 back is undefined), floats to six digits. */
static void
append_element (GString   *s,
                FitTensor *t,
                gint64     i)
{
  if (t->dtype == FIT_DTYPE_INT64)
    g_string_append_printf (s, "%" PRId64, ((const gint64 *) fit_tensor_ptr (t))[i]);
  else if (t->dtype == FIT_DTYPE_INT32)
    g_string_append_printf (s, "%" PRId32, ((const gint32 *) fit_tensor_ptr (t))[i]);
  else
    g_string_append_printf (s, "%.6g", fit_tensor_get_flat (t, i));
}

static void
append_elements (GString   *s,
                 FitTensor *t,
                 guint      dim,
                 gint64    *offset,
                 guint      indent)
{
  const gint64 limit = 6;
  gint64 n = t->shape[dim];

  g_string_append_c (s, '[');
  for (gint64 i = 0; i < n; i++)
    {
      gboolean elide = n > limit && i == limit / 2;

      if (elide)
        {
          gint64 skip = n - limit;
          gint64 block = fit_shape_numel (t->shape + dim + 1, t->n_dims - dim - 1);

          g_string_append (s, i ? ", ..." : "...");
          *offset += skip * block;
          i += skip - 1;
          continue;
        }
      if (i > 0)
        {
          g_string_append_c (s, ',');
          if (dim + 1 < t->n_dims)
            g_string_append_printf (s, "\n%*s", indent + 1, "");
          else
            g_string_append_c (s, ' ');
        }
      if (dim + 1 < t->n_dims)
        append_elements (s, t, dim + 1, offset, indent + 1);
      else
        append_element (s, t, (*offset)++);
    }
  g_string_append_c (s, ']');
}

/**
 * fit_tensor_to_string:
 * @self: a tensor
 *
 * Formats the tensor for people: its values (long dimensions elided), shape, element
 * type and, when it has one, the operation that produced it.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
fit_tensor_to_string (FitTensor *self)
{
  g_autoptr(FitTensor) host = NULL;
  g_autofree char *shape = NULL;
  GString *s;
  gint64 offset = 0;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);

  host = host_tensor (self);
  s = g_string_new ("tensor(");
  if (host->n_dims == 0)
    append_element (s, host, 0);
  else
    append_elements (s, host, 0, &offset, 7);
  shape = fit_shape_to_string (self->shape, self->n_dims);
  g_string_append_printf (s, ", shape=%s, dtype=%s", shape, fit_dtype_get_name (self->dtype));
  if (fit_tensor_get_grad_fn_name (self) != NULL)
    g_string_append_printf (s, ", grad_fn=%s", fit_tensor_get_grad_fn_name (self));
  else if (self->requires_grad)
    g_string_append (s, ", requires_grad=true");
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

/**
 * fit_tensor_allclose:
 * @self: a tensor
 * @other: another tensor
 * @rtol: the relative tolerance
 * @atol: the absolute tolerance
 *
 * Compares two tensors element by element as NumPy's `allclose` does:
 * |a - b| <= @atol + @rtol × |b| everywhere, with matching NaNs counting as unequal.
 *
 * Returns: whether the shapes are equal and every element is close
 *
 * Since: 1.0
 */
gboolean
fit_tensor_allclose (FitTensor *self,
                     FitTensor *other,
                     double     rtol,
                     double     atol)
{
  g_autoptr(FitTensor) a = NULL;
  g_autoptr(FitTensor) b = NULL;

  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (other), FALSE);

  if (!fit_shape_equal (self->shape, self->n_dims, other->shape, other->n_dims))
    return FALSE;
  a = host_tensor (self);
  b = host_tensor (other);
  for (gint64 i = 0; i < a->numel; i++)
    {
      double x = fit_tensor_get_flat (a, i);
      double y = fit_tensor_get_flat (b, i);

      if (!(fabs (x - y) <= atol + rtol * fabs (y)))
        return FALSE;
    }
  return TRUE;
}

/* ---- conversion and copies ---- */

static gboolean
to_dtype_backward (FitNode    *node,
                   FitTensor  *grad_output,
                   FitTensor **grad_inputs,
                   GError    **error)
{
  grad_inputs[0] = fit_tensor_to_dtype (grad_output, node->saved[0] ? node->saved[0]->dtype :
                                        (FitDType) node->i[0], error);
  return grad_inputs[0] != NULL;
}

/**
 * fit_tensor_to_dtype:
 * @self: a tensor
 * @dtype: the element type to convert to
 * @error: return location for a #GError
 *
 * Converts the elements to @dtype (floats become integers by truncation towards
 * zero). A conversion between floating-point types is differentiable.
 *
 * Returns: (transfer full): a new tensor (a new reference to @self when it already has
 *   @dtype), or %NULL with @error set: %FIT_ERROR_INVALID_ARGUMENT naming the first
 *   element when a float to integer conversion meets NaN, an infinity or a value
 *   beyond the integer type's range
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_to_dtype (FitTensor  *self,
                     FitDType    dtype,
                     GError    **error)
{
  FitTensor *out;
  FitNode *node;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (dtype_is_valid (dtype), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->dtype == dtype)
    return g_object_ref (self);
  if (!fit_check_cpu ("fit_tensor_to_dtype", self, error))
    return NULL;
  if (fit_dtype_is_floating (self->dtype) && !fit_dtype_is_floating (dtype) &&
      !fit_check_fits_int ("fit_tensor_to_dtype", self, dtype, error))
    return NULL;

  out = fit_tensor_new_empty (dtype, self->shape, self->n_dims);
  if (self->dtype == FIT_DTYPE_FLOAT32 && dtype == FIT_DTYPE_FLOAT64)
    {
      const float *x = fit_tensor_f32 (self);
      double *y = fit_tensor_f64 (out);

      for (gint64 i = 0; i < self->numel; i++)
        y[i] = x[i];
    }
  else if (self->dtype == FIT_DTYPE_FLOAT64 && dtype == FIT_DTYPE_FLOAT32)
    {
      const double *x = fit_tensor_f64 (self);
      float *y = fit_tensor_f32 (out);

      for (gint64 i = 0; i < self->numel; i++)
        y[i] = (float) x[i];
    }
  else
    {
      for (gint64 i = 0; i < self->numel; i++)
        fit_tensor_set_flat (out, i, fit_tensor_get_flat (self, i));
    }

  if (fit_dtype_is_floating (dtype) && fit_dtype_is_floating (self->dtype))
    {
      node = fit_autograd_record (out, "to_dtype", to_dtype_backward, 1, &self);
      if (node != NULL)
        node->i[0] = self->dtype;
    }
  return out;
}

/**
 * fit_tensor_to_device:
 * @self: a tensor
 * @device: where the copy should live
 * @error: return location for a #GError
 *
 * Copies the tensor to @device. The copy does not take part in autograd.
 *
 * Returns: (transfer full): the tensor on @device (a new reference to @self when it is
 *   already there), or %NULL with %FIT_ERROR_DEVICE when the copy failed
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_to_device (FitTensor  *self,
                      FitDevice  *device,
                      GError    **error)
{
  FitDeviceType type;
  guint index;
  FitTensor *out;
  FitStorage *storage;
  g_autofree char *shape = NULL;
  gsize n;
  gboolean ok = TRUE;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (FIT_IS_DEVICE (device), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = fit_device_get_device_type (device);
  index = fit_device_get_index (device);
  if (self->storage->device_type == type && self->storage->device_index == index)
    return g_object_ref (self);

  n = fit_tensor_get_n_bytes (self);
  storage = fit_storage_new (type, index, n, FALSE);
  if (storage == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
                   _("Out of memory on %s: cannot allocate %zu bytes for a "
                     "tensor of shape %s; use smaller batches or free tensors first"),
                   fit_device_get_name (device), n,
                   (shape = fit_shape_to_string (self->shape, self->n_dims)));
      return NULL;
    }
  out = g_object_new (FIT_TYPE_TENSOR, NULL);
  out->dtype = self->dtype;
  out->n_dims = self->n_dims;
  memcpy (out->shape, self->shape, sizeof out->shape);
  out->numel = self->numel;
  out->storage = storage;

  if (self->storage->device_type == FIT_DEVICE_TYPE_CPU)
    ok = fit_backend_get (type)->upload (index, out->storage->data, fit_tensor_ptr (self), n,
                                         error);
  else if (type == FIT_DEVICE_TYPE_CPU)
    ok = fit_backend_get (self->storage->device_type)->download (self->storage->device_index,
                                                                  out->storage->data,
                                                                  fit_tensor_ptr (self), n,
                                                                  error);
  else
    {
      /* A device to another device goes through the host. */
      g_autoptr(FitTensor) host = fit_tensor_to_device (self, fit_device_get_cpu (), error);

      ok = host != NULL &&
           fit_backend_get (type)->upload (index, out->storage->data, fit_tensor_ptr (host), n,
                                           error);
    }
  if (!ok)
    g_clear_object (&out);
  return out;
}

static gboolean
clone_backward (FitNode    *node,
                FitTensor  *grad_output,
                FitTensor **grad_inputs,
                GError    **error)
{
  grad_inputs[0] = g_object_ref (grad_output);
  return TRUE;
}

/**
 * fit_tensor_clone:
 * @self: a tensor
 *
 * Copies the tensor's data into new storage. The copy is differentiable: gradients
 * flow back to @self.
 *
 * Returns: (transfer full): the copy
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_clone (FitTensor *self)
{
  FitTensor *out;

  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (self->storage->device_type == FIT_DEVICE_TYPE_CPU, NULL);

  out = fit_tensor_new_empty_like (self);
  memcpy (fit_tensor_ptr (out), fit_tensor_ptr (self), fit_tensor_get_n_bytes (self));
  fit_autograd_record (out, "clone", clone_backward, 1, &self);
  return out;
}

/**
 * fit_tensor_detach:
 * @self: a tensor
 *
 * Returns a tensor that shares @self's data but is cut from the autograd graph: it
 * does not require a gradient, and nothing computed from it reaches @self's inputs.
 *
 * Returns: (transfer full): the detached tensor
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_detach (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return fit_tensor_new_view (self, 0, self->shape, self->n_dims);
}

static gboolean
check_inplace (const char  *op,
               FitTensor   *self,
               GError     **error)
{
  if (!(self->requires_grad && self->grad_fn == NULL && fit_grad_is_enabled ()))
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD,
               _("%s would change “%s”, a leaf tensor that requires a gradient, behind "
                 "autograd's back; do it with gradients disabled (fit_grad_set_enabled())"),
               op, self->name ? self->name : "tensor");
  return FALSE;
}

/**
 * fit_tensor_fill:
 * @self: a tensor
 * @value: the new value of every element
 *
 * Sets every element to @value, in place. Not recorded by autograd.
 *
 * Since: 1.0
 */
void
fit_tensor_fill (FitTensor *self,
                 double     value)
{
  g_return_if_fail (FIT_IS_TENSOR (self));
  g_return_if_fail (self->storage->device_type == FIT_DEVICE_TYPE_CPU);

  fit_tensor_get_data_mutable (self);
  if (self->dtype == FIT_DTYPE_FLOAT32)
    {
      float *x = fit_tensor_f32 (self);
      float v = (float) value;

      for (gint64 i = 0; i < self->numel; i++)
        x[i] = v;
    }
  else
    for (gint64 i = 0; i < self->numel; i++)
      fit_tensor_set_flat (self, i, value);
}

/**
 * fit_tensor_assign:
 * @self: the tensor to overwrite
 * @source: a tensor of the same shape
 * @error: return location for a #GError
 *
 * Copies @source's elements into @self, in place, converting the element type if they
 * differ. Not recorded by autograd: use it under [func@Fit.grad_set_enabled] (%FALSE)
 * to load weights into parameters.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_SHAPE when the shapes differ
 *
 * Since: 1.0
 */
gboolean
fit_tensor_assign (FitTensor  *self,
                   FitTensor  *source,
                   GError    **error)
{
  g_autoptr(FitTensor) converted = NULL;

  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (source), FALSE);

  if (!fit_shape_equal (self->shape, self->n_dims, source->shape, source->n_dims))
    {
      g_autofree char *a = fit_shape_to_string (self->shape, self->n_dims);
      g_autofree char *b = fit_shape_to_string (source->shape, source->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_assign: cannot copy a tensor of shape %s into one of shape %s"),
                   b, a);
      return FALSE;
    }
  if (!check_inplace ("fit_tensor_assign", self, error) ||
      !fit_check_cpu ("fit_tensor_assign", self, error))
    return FALSE;
  converted = fit_tensor_to_dtype (source, self->dtype, error);
  if (converted == NULL)
    return FALSE;
  if (converted->storage->device_type != FIT_DEVICE_TYPE_CPU)
    {
      FitTensor *host = fit_tensor_to_device (converted, fit_device_get_cpu (), error);

      g_object_unref (converted);
      converted = host;
      if (converted == NULL)
        return FALSE;
    }
  memmove (fit_tensor_get_data_mutable (self), fit_tensor_ptr (converted),
           fit_tensor_get_n_bytes (self));
  return TRUE;
}

/**
 * fit_tensor_add_inplace:
 * @self: the tensor to update
 * @other: a tensor of the same shape and element type
 * @alpha: the factor for @other
 * @error: return location for a #GError
 *
 * Adds @alpha × @other to @self, in place (an axpy). Not recorded by autograd: this is
 * what optimizers and gradient accumulation use.
 *
 * Returns: %TRUE on success; %FALSE with @error set when shapes or types differ
 *
 * Since: 1.0
 */
gboolean
fit_tensor_add_inplace (FitTensor  *self,
                        FitTensor  *other,
                        double      alpha,
                        GError    **error)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (other), FALSE);

  if (!fit_shape_equal (self->shape, self->n_dims, other->shape, other->n_dims))
    {
      g_autofree char *a = fit_shape_to_string (self->shape, self->n_dims);
      g_autofree char *b = fit_shape_to_string (other->shape, other->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_tensor_add_inplace: cannot add shape %s to shape %s"), b, a);
      return FALSE;
    }
  if (!fit_check_same_dtype ("fit_tensor_add_inplace", self, other, error) ||
      !fit_check_floating ("fit_tensor_add_inplace", self, error) ||
      !fit_check_cpu ("fit_tensor_add_inplace", self, error) ||
      !fit_check_cpu ("fit_tensor_add_inplace", other, error) ||
      !check_inplace ("fit_tensor_add_inplace", self, error))
    return FALSE;

  fit_tensor_get_data_mutable (self);
  if (self->dtype == FIT_DTYPE_FLOAT32)
    {
      float *y = fit_tensor_f32 (self);
      const float *x = fit_tensor_f32 (other);
      float a = (float) alpha;

      for (gint64 i = 0; i < self->numel; i++)
        y[i] += a * x[i];
    }
  else
    {
      double *y = fit_tensor_f64 (self);
      const double *x = fit_tensor_f64 (other);

      for (gint64 i = 0; i < self->numel; i++)
        y[i] += alpha * x[i];
    }
  return TRUE;
}

/**
 * fit_tensor_scale_inplace:
 * @self: a floating-point tensor
 * @alpha: the factor
 *
 * Multiplies every element by @alpha, in place. Not recorded by autograd.
 *
 * Since: 1.0
 */
void
fit_tensor_scale_inplace (FitTensor *self,
                          double     alpha)
{
  g_return_if_fail (FIT_IS_TENSOR (self));
  g_return_if_fail (self->storage->device_type == FIT_DEVICE_TYPE_CPU);

  fit_tensor_get_data_mutable (self);
  if (self->dtype == FIT_DTYPE_FLOAT32)
    {
      float *x = fit_tensor_f32 (self);
      float a = (float) alpha;

      for (gint64 i = 0; i < self->numel; i++)
        x[i] *= a;
    }
  else
    for (gint64 i = 0; i < self->numel; i++)
      fit_tensor_set_flat (self, i, fit_tensor_get_flat (self, i) * alpha);
}
