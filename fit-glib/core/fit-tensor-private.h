/* fit-tensor-private.h: what the library's own files know about tensors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Tensors are always dense and C-contiguous: every operation writes a fresh contiguous
 * result, and the only views are those that keep contiguity (reshape, and slices of the
 * first dimension), which share the storage at an offset. That keeps every kernel a
 * plain loop over memory, which is what the hot paths want anyway.
 */

#pragma once

#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-core.h"
#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/core/fit-storage-private.h"
#include "fit-glib/backends/fit-backend-private.h"

G_BEGIN_DECLS

typedef struct _FitNode FitNode;

struct _FitTensor
{
  GObject      parent_instance;

  FitStorage  *storage;
  gsize        offset;          /* in bytes, into storage->data */
  FitDType     dtype;
  guint        n_dims;
  gint64       shape[FIT_MAX_DIMS];
  gint64       numel;

  FitTensor   *grad;
  FitNode     *grad_fn;         /* strong; NULL for leaves and untracked results */
  char        *name;
  guint        requires_grad : 1;
};

/* ---- dispatch to the tensor's backend (fit-dispatch.c) ---- */

/* The backend of @t's device when it fills @entry (an offset into FitBackend), else
 * NULL with FIT_ERROR_DEVICE: "@op is not available on cuda:N yet". Front doors with
 * a GError use FIT_BACKEND_LOOKUP; those without one FIT_BACKEND_REQUIRE, which logs
 * the same message as a critical (a programmer's error: nothing reported it). */
const FitBackend *fit_backend_lookup   (FitTensor      *t,
                                        gsize           entry,
                                        const char     *op,
                                        GError        **error);
const FitBackend *fit_backend_require  (FitTensor      *t,
                                        gsize           entry,
                                        const char     *op);
#define FIT_BACKEND_LOOKUP(t, entry, op, error) \
  fit_backend_lookup ((t), G_STRUCT_OFFSET (FitBackend, entry), (op), (error))
#define FIT_BACKEND_REQUIRE(t, entry, op) \
  fit_backend_require ((t), G_STRUCT_OFFSET (FitBackend, entry), (op))

/* ---- construction helpers ---- */

/* Those the layers above core use too (fit_tensor_new_empty(), fit_tensor_new_view()),
 * with the shape and argument checks they share, are in fit-core-private.h. */

static inline gpointer
fit_tensor_ptr (FitTensor *t)
{
  return (guint8 *) t->storage->data + t->offset;
}

static inline float *
fit_tensor_f32 (FitTensor *t)
{
  return (float *) fit_tensor_ptr (t);
}

static inline double *
fit_tensor_f64 (FitTensor *t)
{
  return (double *) fit_tensor_ptr (t);
}

/* Reads element @i of any dtype as a double, and writes one; for slow paths only. */
double      fit_tensor_get_flat        (FitTensor      *t,
                                        gint64          i);
void        fit_tensor_set_flat        (FitTensor      *t,
                                        gint64          i,
                                        double          v);

/* ---- argument checks: each sets a FIT_ERROR naming @op and the values ---- */

gboolean    fit_check_same_dtype       (const char     *op,
                                        FitTensor      *a,
                                        FitTensor      *b,
                                        GError        **error);
gboolean    fit_check_n_dims           (const char     *op,
                                        FitTensor      *t,
                                        guint           n_dims,
                                        GError        **error);
/* Turns a possibly negative @dim into 0..n_dims-1, or returns -1 and sets @error. */
int         fit_normalize_dim          (const char     *op,
                                        FitTensor      *t,
                                        int             dim,
                                        GError        **error);
/* NumPy broadcasting of two shapes into @out_shape (FIT_MAX_DIMS long). */
gboolean    fit_broadcast_shapes       (const char     *op,
                                        FitTensor      *a,
                                        FitTensor      *b,
                                        gint64         *out_shape,
                                        guint          *out_n_dims,
                                        GError        **error);

/* ---- autograd (fit-autograd.c) ---- */

/* Computes the gradients of the node's inputs from @grad_output, the gradient of its
 * output. Stores a new tensor (or NULL) in grad_inputs[i] for each input i for which
 * fit_node_needs_grad() is true. Runs with gradient recording disabled. */
typedef gboolean (*FitBackwardFunc) (FitNode     *node,
                                     FitTensor   *grad_output,
                                     FitTensor  **grad_inputs,
                                     GError     **error);

#define FIT_NODE_MAX_SAVED 4

struct _FitNode
{
  gatomicrefcount   ref_count;
  const char       *op;               /* static string: the operation's name */
  FitBackwardFunc   backward;
  FitTensor        *saved[FIT_NODE_MAX_SAVED];
  double            f[4];             /* scalar arguments the backward needs */
  gint64            i[FIT_MAX_DIMS * 2];
  gpointer          data;
  GDestroyNotify    data_free;
  gint64            out_shape[FIT_MAX_DIMS];
  guint             out_n_dims;
  FitDType          out_dtype;
  guint             released : 1;     /* the graph was freed by a backward pass */

  /* scratch of one backward pass */
  FitTensor        *grad_acc;
  guint             n_pending;
  guint             visit_mark;

  guint             n_inputs;
  guint8           *needs_grad;       /* points into the allocation after inputs[] */
  FitTensor        *inputs[];         /* strong references */
};

/* Records that @output was computed from @inputs by @op, when recording is enabled and
 * some input requires a gradient; sets @output's grad_fn and requires-grad. Returns the
 * new node (owned by @output) to save what the backward needs, or NULL when nothing was
 * recorded, in which case the op must not compute anything for the backward. */
FitNode    *fit_autograd_record        (FitTensor      *output,
                                        const char     *op,
                                        FitBackwardFunc backward,
                                        guint           n_inputs,
                                        FitTensor     **inputs);
void        fit_node_unref             (FitNode        *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FitNode, fit_node_unref)

/* Keeps a strong reference to @tensor (may be NULL) in saved[@slot]. */
void        fit_node_save              (FitNode        *node,
                                        guint           slot,
                                        FitTensor      *tensor);
static inline gboolean
fit_node_needs_grad (FitNode *node,
                     guint    input)
{
  return node->needs_grad[input];
}
/* Reduces a broadcast gradient back to @shape by summing the broadcast dimensions;
 * returns a new reference (possibly to @grad itself when nothing was broadcast). */
FitTensor  *fit_tensor_sum_to_shape    (FitTensor      *grad,
                                        const gint64   *shape,
                                        guint           n_dims);

/* fit_tensor_conv2d() and, with @relu, fit_tensor_relu() of its result in one
 * operation (fit-tensor-conv.c): the same values and gradients bit for bit, without the
 * pass over the output and the tensor between the two, which the backward does not
 * need either (it masks the gradient with the result). FitSequential fuses a FitConv2d
 * followed by a FitReLU into it. */
FitTensor  *fit_tensor_conv2d_relu     (FitTensor      *input,
                                        FitTensor      *weight,
                                        FitTensor      *bias,
                                        int             stride_h,
                                        int             stride_w,
                                        int             padding_h,
                                        int             padding_w,
                                        int             dilation_h,
                                        int             dilation_w,
                                        int             groups,
                                        gboolean        relu,
                                        GError        **error);

G_END_DECLS
