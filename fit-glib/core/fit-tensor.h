/* fit-tensor.h: n-dimensional arrays with reverse-mode autograd
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/core/fit-device.h"
#include "fit-glib/core/fit-rng.h"
#include "fit-glib/core/fit-types.h"

G_BEGIN_DECLS

#define FIT_TYPE_TENSOR (fit_tensor_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitTensor, fit_tensor, FIT, TENSOR, GObject)

/* Creation (fit-tensor.c) */
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_zeros          (FitDType        dtype,
                                              const gint64   *shape,
                                              guint           n_dims);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_full           (FitDType        dtype,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              double          value);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_scalar         (FitDType        dtype,
                                              double          value);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_from_data      (FitDType        dtype,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              const guint8   *data,
                                              gsize           n_bytes,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_from_bytes     (FitDType        dtype,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              GBytes         *bytes,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_from_floats    (const float    *values,
                                              gsize           n_values,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_from_doubles   (const double   *values,
                                              gsize           n_values,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_from_int64s    (const gint64   *values,
                                              gsize           n_values,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_uniform        (FitRng         *rng,
                                              FitDType        dtype,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              double          low,
                                              double          high);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_normal         (FitRng         *rng,
                                              FitDType        dtype,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              double          mean,
                                              double          std);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_permutation    (FitRng         *rng,
                                              gint64          n);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_new_arange         (FitDType        dtype,
                                              double          start,
                                              double          end,
                                              double          step,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_zeros_like         (FitTensor      *self);

/* Metadata and data access (fit-tensor.c) */
FIT_AVAILABLE_IN_1_0
FitDType       fit_tensor_get_dtype          (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
guint          fit_tensor_get_n_dims         (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
const gint64  *fit_tensor_get_shape          (FitTensor      *self,
                                              guint          *n_dims);
FIT_AVAILABLE_IN_1_0
gint64         fit_tensor_get_dim            (FitTensor      *self,
                                              int             dim);
FIT_AVAILABLE_IN_1_0
gint64         fit_tensor_get_numel          (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
gsize          fit_tensor_get_n_bytes        (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitDevice     *fit_tensor_get_device         (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
char          *fit_tensor_get_shape_string   (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
const char    *fit_tensor_get_name           (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
void           fit_tensor_set_name           (FitTensor      *self,
                                              const char     *name);
FIT_AVAILABLE_IN_1_0
gconstpointer  fit_tensor_get_data           (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
gpointer       fit_tensor_get_data_mutable   (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
GBytes        *fit_tensor_to_bytes           (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
float         *fit_tensor_to_floats          (FitTensor      *self,
                                              gsize          *n_values);
FIT_AVAILABLE_IN_1_0
double        *fit_tensor_to_doubles         (FitTensor      *self,
                                              gsize          *n_values);
FIT_AVAILABLE_IN_1_0
gint64        *fit_tensor_to_int64s          (FitTensor      *self,
                                              gsize          *n_values);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_item               (FitTensor      *self,
                                              double         *value,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
char          *fit_tensor_to_string          (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_allclose           (FitTensor      *self,
                                              FitTensor      *other,
                                              double          rtol,
                                              double          atol);

/* Conversion, copies and in-place updates (fit-tensor.c); in-place updates are not
 * recorded by autograd. */
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_to_dtype           (FitTensor      *self,
                                              FitDType        dtype,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_to_device          (FitTensor      *self,
                                              FitDevice      *device,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_clone              (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_detach             (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
void           fit_tensor_fill               (FitTensor      *self,
                                              double          value);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_assign             (FitTensor      *self,
                                              FitTensor      *source,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_add_inplace        (FitTensor      *self,
                                              FitTensor      *other,
                                              double          alpha,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
void           fit_tensor_scale_inplace      (FitTensor      *self,
                                              double          alpha);

/* Autograd (fit-autograd.c) */
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_get_requires_grad  (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
void           fit_tensor_set_requires_grad  (FitTensor      *self,
                                              gboolean        requires_grad);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_is_leaf            (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_get_grad           (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
void           fit_tensor_set_grad           (FitTensor      *self,
                                              FitTensor      *grad);
FIT_AVAILABLE_IN_1_0
void           fit_tensor_zero_grad          (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
const char    *fit_tensor_get_grad_fn_name   (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_backward           (FitTensor      *self,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean       fit_tensor_backward_full      (FitTensor      *self,
                                              FitTensor      *gradient,
                                              gboolean        retain_graph,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
gboolean       fit_grad_is_enabled           (void);
FIT_AVAILABLE_IN_1_0
gboolean       fit_grad_set_enabled          (gboolean        enabled);

/* Element-wise arithmetic with broadcasting (fit-tensor-pointwise.c) */
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_add                (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_sub                (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_mul                (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_div                (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_pow                (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_maximum            (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_minimum            (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_add_scalar         (FitTensor      *self,
                                              double          value);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_mul_scalar         (FitTensor      *self,
                                              double          value);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_pow_scalar         (FitTensor      *self,
                                              double          exponent);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_neg                (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_exp                (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_log                (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_sqrt               (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_abs                (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_clamp              (FitTensor      *self,
                                              double          min_value,
                                              double          max_value);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_relu               (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_leaky_relu         (FitTensor      *self,
                                              double          negative_slope);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_gelu               (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_sigmoid            (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_tanh               (FitTensor      *self);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_gt                 (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_lt                 (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_eq                 (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_where              (FitTensor      *condition,
                                              FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_masked_fill        (FitTensor      *self,
                                              FitTensor      *mask,
                                              double          value,
                                              GError        **error);

/* Reductions and matrix products (fit-tensor-reduce.c) */
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_sum                (FitTensor      *self,
                                              const int      *dims,
                                              guint           n_dims,
                                              gboolean        keep_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_mean               (FitTensor      *self,
                                              const int      *dims,
                                              guint           n_dims,
                                              gboolean        keep_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_var                (FitTensor      *self,
                                              const int      *dims,
                                              guint           n_dims,
                                              gboolean        keep_dims,
                                              int             correction,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_max                (FitTensor      *self,
                                              int             dim,
                                              gboolean        keep_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_min                (FitTensor      *self,
                                              int             dim,
                                              gboolean        keep_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_argmax             (FitTensor      *self,
                                              int             dim,
                                              gboolean        keep_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_logsumexp          (FitTensor      *self,
                                              int             dim,
                                              gboolean        keep_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_softmax            (FitTensor      *self,
                                              int             dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_log_softmax        (FitTensor      *self,
                                              int             dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_matmul             (FitTensor      *a,
                                              FitTensor      *b,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_linear             (FitTensor      *input,
                                              FitTensor      *weight,
                                              FitTensor      *bias,
                                              GError        **error);

/* Shapes, joins and indexing (fit-tensor-shape.c) */
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_reshape            (FitTensor      *self,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_flatten            (FitTensor      *self,
                                              int             start_dim,
                                              int             end_dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_transpose          (FitTensor      *self,
                                              int             dim0,
                                              int             dim1,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_permute            (FitTensor      *self,
                                              const int      *dims,
                                              guint           n_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_squeeze            (FitTensor      *self,
                                              int             dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_unsqueeze          (FitTensor      *self,
                                              int             dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_expand             (FitTensor      *self,
                                              const gint64   *shape,
                                              guint           n_dims,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_concat             (FitTensor     **tensors,
                                              guint           n_tensors,
                                              int             dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_stack              (FitTensor     **tensors,
                                              guint           n_tensors,
                                              int             dim,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_slice              (FitTensor      *self,
                                              int             dim,
                                              gint64          start,
                                              gint64          end,
                                              gint64          step,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_index_select       (FitTensor      *self,
                                              int             dim,
                                              FitTensor      *indices,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_gather             (FitTensor      *self,
                                              int             dim,
                                              FitTensor      *indices,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_one_hot            (FitTensor      *labels,
                                              gint64          n_classes,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_embedding          (FitTensor      *weight,
                                              FitTensor      *indices,
                                              GError        **error);

/* Convolution, pooling and dropout (fit-tensor-conv.c) */
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_conv2d             (FitTensor      *input,
                                              FitTensor      *weight,
                                              FitTensor      *bias,
                                              int             stride_h,
                                              int             stride_w,
                                              int             padding_h,
                                              int             padding_w,
                                              int             dilation_h,
                                              int             dilation_w,
                                              int             groups,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_conv_transpose2d   (FitTensor      *input,
                                              FitTensor      *weight,
                                              FitTensor      *bias,
                                              int             stride_h,
                                              int             stride_w,
                                              int             padding_h,
                                              int             padding_w,
                                              int             output_padding_h,
                                              int             output_padding_w,
                                              int             dilation_h,
                                              int             dilation_w,
                                              int             groups,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_max_pool2d         (FitTensor      *input,
                                              int             kernel_h,
                                              int             kernel_w,
                                              int             stride_h,
                                              int             stride_w,
                                              int             padding_h,
                                              int             padding_w,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_avg_pool2d         (FitTensor      *input,
                                              int             kernel_h,
                                              int             kernel_w,
                                              int             stride_h,
                                              int             stride_w,
                                              int             padding_h,
                                              int             padding_w,
                                              gboolean        count_include_pad,
                                              GError        **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_adaptive_avg_pool2d (FitTensor     *input,
                                               int            output_h,
                                               int            output_w,
                                               GError       **error);
FIT_AVAILABLE_IN_1_0
FitTensor     *fit_tensor_dropout            (FitTensor      *input,
                                              double          p,
                                              FitRng         *rng,
                                              gboolean        training,
                                              GError        **error);

G_END_DECLS
