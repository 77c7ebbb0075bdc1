/* fit-autograd.c: the dynamic tape and the backward pass
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every recorded operation creates one FitNode, owned by its output tensor, holding
 * strong references to its inputs and to whatever its backward needs. The graph is
 * therefore a DAG of nodes reachable from the loss; nothing points back up, so there
 * are no cycles. backward() orders the reachable nodes topologically, hands each node
 * the summed gradient of its output, and, unless asked to keep the graph, releases
 * every node's inputs and saved tensors as soon as the node has run, so activations are
 * freed during the pass rather than after it.
 */

#include "config.h"

#include <string.h>

#include "fit-tensor-private.h"

static GPrivate grad_disabled;   /* per thread: non-NULL while recording is off */
static guint visit_epoch;        /* distinguishes traversals; guarded by g_atomic */

static FitNode *
fit_node_ref (FitNode *node)
{
  g_atomic_ref_count_inc (&node->ref_count);
  return node;
}

static void
fit_node_release (FitNode *node)
{
  for (guint i = 0; i < node->n_inputs; i++)
    g_clear_object (&node->inputs[i]);
  for (guint i = 0; i < FIT_NODE_MAX_SAVED; i++)
    g_clear_object (&node->saved[i]);
  if (node->data_free != NULL && node->data != NULL)
    node->data_free (node->data);
  node->data = NULL;
  node->released = TRUE;
}

void
fit_node_unref (FitNode *node)
{
  if (!g_atomic_ref_count_dec (&node->ref_count))
    return;
  fit_node_release (node);
  g_clear_object (&node->grad_acc);
  g_free (node);
}

/**
 * fit_grad_is_enabled:
 *
 * Returns whether operations on the calling thread are recorded for autograd.
 *
 * Returns: %TRUE unless recording was turned off with [func@Fit.grad_set_enabled]
 *
 * Since: 1.0
 */
gboolean
fit_grad_is_enabled (void)
{
  return g_private_get (&grad_disabled) == NULL;
}

/**
 * fit_grad_set_enabled:
 * @enabled: whether to record operations
 *
 * Turns recording of operations for autograd on or off for the calling thread, and
 * returns the previous setting so that scopes nest:
 *
 * ```c
 * gboolean was = fit_grad_set_enabled (FALSE);
 * … inference or in-place updates …
 * fit_grad_set_enabled (was);
 * ```
 *
 * Evaluation and prediction run with recording off, which saves the memory and time
 * of building a graph.
 *
 * Returns: the setting before the call
 *
 * Since: 1.0
 */
gboolean
fit_grad_set_enabled (gboolean enabled)
{
  gboolean was = fit_grad_is_enabled ();

  g_private_set (&grad_disabled, enabled ? NULL : GINT_TO_POINTER (1));
  return was;
}

FitNode *
fit_autograd_record (FitTensor       *output,
                     const char      *op,
                     FitBackwardFunc  backward,
                     guint            n_inputs,
                     FitTensor      **inputs)
{
  gboolean any = FALSE;
  FitNode *node;

  if (!fit_grad_is_enabled ())
    return NULL;
  for (guint i = 0; i < n_inputs; i++)
    any |= inputs[i] != NULL && inputs[i]->requires_grad;
  if (!any)
    return NULL;

  node = g_malloc0 (sizeof (FitNode) + n_inputs * sizeof (FitTensor *) + n_inputs);
  g_atomic_ref_count_init (&node->ref_count);
  node->op = op;
  node->backward = backward;
  node->n_inputs = n_inputs;
  node->needs_grad = (guint8 *) &node->inputs[n_inputs];
  for (guint i = 0; i < n_inputs; i++)
    {
      if (inputs[i] == NULL)
        continue;
      node->inputs[i] = g_object_ref (inputs[i]);
      node->needs_grad[i] = inputs[i]->requires_grad;
    }
  memcpy (node->out_shape, output->shape, sizeof node->out_shape);
  node->out_n_dims = output->n_dims;
  node->out_dtype = output->dtype;

  g_clear_pointer (&output->grad_fn, fit_node_unref);
  output->grad_fn = node;
  output->requires_grad = TRUE;
  return node;
}

void
fit_node_save (FitNode   *node,
               guint      slot,
               FitTensor *tensor)
{
  g_return_if_fail (slot < FIT_NODE_MAX_SAVED);
  g_set_object (&node->saved[slot], tensor);
}

FitTensor *
fit_tensor_sum_to_shape (FitTensor    *grad,
                         const gint64 *shape,
                         guint         n_dims)
{
  FitTensor *out;
  gint64 gshape[FIT_MAX_DIMS];
  gint64 gstrides[FIT_MAX_DIMS];
  gint64 ostrides[FIT_MAX_DIMS];
  guint nd = grad->n_dims;
  guint lead = nd - n_dims;

  if (fit_shape_equal (grad->shape, grad->n_dims, shape, n_dims))
    return g_object_ref (grad);

  /* Align @shape to the right of grad's shape; a target size of 1 (or a missing
   * leading dimension) means the dimension was broadcast and is summed. */
  out = fit_tensor_new_zeros (grad->dtype, shape, n_dims);
  memcpy (gshape, grad->shape, nd * sizeof (gint64));
  {
    gint64 s = 1, o = 1;

    for (int d = (int) nd - 1; d >= 0; d--)
      {
        gboolean kept = d >= (int) lead && shape[d - lead] != 1;

        gstrides[d] = s;
        s *= gshape[d];
        ostrides[d] = kept ? o : 0;
        if (kept)
          o *= shape[d - lead];
      }
  }

  {
    gint64 idx[FIT_MAX_DIMS] = { 0 };
    gint64 o = 0;

    for (gint64 i = 0; i < grad->numel; i++)
      {
        if (grad->dtype == FIT_DTYPE_FLOAT32)
          fit_tensor_f32 (out)[o] += fit_tensor_f32 (grad)[i];
        else
          fit_tensor_f64 (out)[o] += fit_tensor_f64 (grad)[i];
        for (int d = (int) nd - 1; d >= 0; d--)
          {
            idx[d]++;
            o += ostrides[d];
            if (idx[d] < gshape[d])
              break;
            o -= ostrides[d] * gshape[d];
            idx[d] = 0;
          }
      }
  }
  (void) gstrides;
  return out;
}

/**
 * fit_tensor_get_requires_grad:
 * @self: a tensor
 *
 * Gets whether the tensor takes part in autograd.
 *
 * Returns: whether the tensor takes part in autograd
 *
 * Since: 1.0
 */
gboolean
fit_tensor_get_requires_grad (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  return self->requires_grad;
}

/**
 * fit_tensor_set_requires_grad:
 * @self: a floating-point leaf tensor
 * @requires_grad: whether to record operations on @self and compute its gradient
 *
 * Marks a leaf tensor (one not computed by a recorded operation, such as a parameter)
 * as needing a gradient. Results of recorded operations always require one.
 *
 * Since: 1.0
 */
void
fit_tensor_set_requires_grad (FitTensor *self,
                              gboolean   requires_grad)
{
  g_return_if_fail (FIT_IS_TENSOR (self));
  g_return_if_fail (!requires_grad || fit_dtype_is_floating (self->dtype));
  g_return_if_fail (self->grad_fn == NULL);

  requires_grad = !!requires_grad;
  if (self->requires_grad == (guint) requires_grad)
    return;
  self->requires_grad = requires_grad;
  g_object_notify (G_OBJECT (self), "requires-grad");
}

/**
 * fit_tensor_is_leaf:
 * @self: a tensor
 *
 * Tells whether the tensor is a leaf of the autograd graph.
 *
 * Returns: whether @self was created directly rather than by a recorded operation;
 *   only leaves accumulate a gradient in [method@Fit.Tensor.get_grad]
 *
 * Since: 1.0
 */
gboolean
fit_tensor_is_leaf (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  return self->grad_fn == NULL;
}

/**
 * fit_tensor_get_grad:
 * @self: a leaf tensor
 *
 * Gets the gradient that backward passes have accumulated in this leaf tensor.
 *
 * Returns: (nullable) (transfer none): the gradient accumulated by backward passes,
 *   or %NULL before the first one
 *
 * Since: 1.0
 */
FitTensor *
fit_tensor_get_grad (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return self->grad;
}

/**
 * fit_tensor_set_grad:
 * @self: a tensor
 * @grad: (nullable): the new gradient, of @self's shape, or %NULL to drop it
 *
 * Replaces the accumulated gradient (for example with a clipped or averaged one).
 *
 * Since: 1.0
 */
void
fit_tensor_set_grad (FitTensor *self,
                     FitTensor *grad)
{
  g_return_if_fail (FIT_IS_TENSOR (self));
  g_return_if_fail (grad == NULL || FIT_IS_TENSOR (grad));
  g_return_if_fail (grad == NULL ||
                    fit_shape_equal (self->shape, self->n_dims, grad->shape, grad->n_dims));
  g_set_object (&self->grad, grad);
}

/**
 * fit_tensor_zero_grad:
 * @self: a tensor
 *
 * Sets the accumulated gradient to zero, keeping its buffer for the next step.
 *
 * Since: 1.0
 */
void
fit_tensor_zero_grad (FitTensor *self)
{
  g_return_if_fail (FIT_IS_TENSOR (self));
  if (self->grad != NULL)
    memset (fit_tensor_get_data_mutable (self->grad), 0, fit_tensor_get_n_bytes (self->grad));
}

/**
 * fit_tensor_get_grad_fn_name:
 * @self: a tensor
 *
 * Names the operation that computed this tensor, for debugging autograd graphs.
 *
 * Returns: (nullable) (transfer none): the name of the recorded operation that
 *   produced @self, as in `"matmul"`, or %NULL for a leaf
 *
 * Since: 1.0
 */
const char *
fit_tensor_get_grad_fn_name (FitTensor *self)
{
  g_return_val_if_fail (FIT_IS_TENSOR (self), NULL);
  return self->grad_fn ? self->grad_fn->op : NULL;
}

/* Adds *@grad into *@slot. The first contribution is taken over without a copy when
 * nothing else can see it (this reference is the only one, and it owns its storage
 * alone); otherwise it is copied, because a backward may return a view of another
 * gradient or the incoming gradient itself. */
static gboolean
accumulate (FitTensor  **slot,
            FitTensor  **grad,
            GError     **error)
{
  FitTensor *g = *grad;

  if (*slot != NULL)
    return fit_tensor_add_inplace (*slot, g, 1.0, error);

  if (G_OBJECT (g)->ref_count == 1 && g->storage->bytes == NULL &&
      g_atomic_ref_count_compare (&g->storage->ref_count, 1))
    {
      *slot = g_steal_pointer (grad);
      return TRUE;
    }
  *slot = fit_tensor_new_empty_like (g);
  memcpy (fit_tensor_ptr (*slot), fit_tensor_ptr (g), fit_tensor_get_n_bytes (g));
  return TRUE;
}

static gboolean
check_grad_shape (FitNode    *node,
                  guint       input,
                  FitTensor  *grad,
                  GError    **error)
{
  FitTensor *in = node->inputs[input];

  if (fit_shape_equal (in->shape, in->n_dims, grad->shape, grad->n_dims) && in->dtype == grad->dtype)
    return TRUE;
  {
    g_autofree char *a = fit_shape_to_string (in->shape, in->n_dims);
    g_autofree char *b = fit_shape_to_string (grad->shape, grad->n_dims);

    g_set_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD,
                 "backward of %s produced a %s gradient of shape %s for input %u of shape %s "
                 "(%s); this is a bug in fit-glib",
                 node->op, fit_dtype_get_name (grad->dtype), b, input, a,
                 fit_dtype_get_name (in->dtype));
    return FALSE;
  }
}

/* Depth-first post-order over the nodes reachable from @root, iteratively (graphs of
 * recurrent nets are deep). Fills @order with every node once, inputs before users,
 * and counts for each node how many users it has in n_pending. */
static void
topo_sort (FitNode   *root,
           GPtrArray *order)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gpointer) * 2);
  guint mark = g_atomic_int_add (&visit_epoch, 1) + 1;
  struct { FitNode *node; gsize next; } frame = { root, 0 };

  root->visit_mark = mark;
  root->n_pending = 0;
  g_array_append_val (stack, frame);
  while (stack->len > 0)
    {
      typeof (frame) *top = &g_array_index (stack, typeof (frame), stack->len - 1);
      FitNode *node = top->node;

      if (top->next < node->n_inputs)
        {
          FitTensor *in = node->inputs[top->next++];
          FitNode *child = in ? in->grad_fn : NULL;

          if (child == NULL || !node->needs_grad[top->next - 1])
            continue;
          if (child->visit_mark != mark)
            {
              typeof (frame) f = { child, 0 };

              child->visit_mark = mark;
              child->n_pending = 1;
              g_array_append_val (stack, f);
            }
          else
            child->n_pending++;
        }
      else
        {
          g_ptr_array_add (order, fit_node_ref (node));
          g_array_set_size (stack, stack->len - 1);
        }
    }
}

/**
 * fit_tensor_backward:
 * @self: a tensor with exactly one element, such as a loss
 * @error: return location for a #GError
 *
 * Computes the gradient of @self with respect to every leaf tensor it was computed
 * from that requires a gradient, and adds it to that leaf's
 * [method@Fit.Tensor.get_grad]. Gradients accumulate across calls until zeroed.
 * The graph is freed as the pass goes; a second backward through it is an error.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_AUTOGRAD when @self does not
 *   require a gradient, has more than one element, or its graph was already freed
 *
 * Since: 1.0
 */
gboolean
fit_tensor_backward (FitTensor  *self,
                     GError    **error)
{
  return fit_tensor_backward_full (self, NULL, FALSE, error);
}

/**
 * fit_tensor_backward_full:
 * @self: the tensor to differentiate
 * @gradient: (nullable): the gradient of some scalar with respect to @self, of
 *   @self's shape; %NULL means 1 and needs @self to have one element
 * @retain_graph: keep the graph so that another backward can run through it
 * @error: return location for a #GError
 *
 * Like [method@Fit.Tensor.backward], starting from a given gradient (a
 * vector-Jacobian product), and optionally keeping the graph.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
fit_tensor_backward_full (FitTensor  *self,
                          FitTensor  *gradient,
                          gboolean    retain_graph,
                          GError    **error)
{
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(FitNode) root_ref = NULL;
  gboolean was_enabled;
  gboolean ok = TRUE;

  g_return_val_if_fail (FIT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (gradient == NULL || FIT_IS_TENSOR (gradient), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->requires_grad)
    {
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_AUTOGRAD,
                           _("backward: the tensor does not require a gradient; set "
                             "requires-grad on the parameters it is computed from"));
      return FALSE;
    }
  if (gradient == NULL && self->numel != 1)
    {
      g_autofree char *s = fit_shape_to_string (self->shape, self->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD,
                   _("backward: a tensor of shape %s is not a scalar; reduce it (for example "
                     "with fit_tensor_mean()) or pass the gradient of its elements"), s);
      return FALSE;
    }
  if (gradient != NULL &&
      !fit_shape_equal (self->shape, self->n_dims, gradient->shape, gradient->n_dims))
    {
      g_autofree char *a = fit_shape_to_string (self->shape, self->n_dims);
      g_autofree char *b = fit_shape_to_string (gradient->shape, gradient->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("backward: the gradient has shape %s but the tensor has shape %s"), b, a);
      return FALSE;
    }

  was_enabled = fit_grad_set_enabled (FALSE);

  if (self->grad_fn == NULL)
    {
      /* A leaf: its gradient is the seed itself. */
      g_autoptr(FitTensor) seed = gradient ? fit_tensor_to_dtype (gradient, self->dtype, NULL)
                                           : fit_tensor_new_full (self->dtype, self->shape,
                                                                  self->n_dims, 1.0);
      ok = accumulate (&self->grad, &seed, error);
      fit_grad_set_enabled (was_enabled);
      return ok;
    }

  if (self->grad_fn->released)
    {
      fit_grad_set_enabled (was_enabled);
      g_set_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD,
                   _("backward: the graph through “%s” was freed by an earlier backward; "
                     "pass retain_graph to the first backward to run another"),
                   self->grad_fn->op);
      return FALSE;
    }

  root_ref = fit_node_ref (self->grad_fn);
  /* The array owns a reference to every node: releasing a node that has run drops its
   * inputs, and an intermediate tensor that nobody else holds then frees its own node,
   * which is still waiting its turn further down the order. */
  order = g_ptr_array_new_with_free_func ((GDestroyNotify) fit_node_unref);
  topo_sort (root_ref, order);

  g_clear_object (&root_ref->grad_acc);
  root_ref->grad_acc = gradient ? fit_tensor_to_dtype (gradient, self->dtype, NULL)
                                : fit_tensor_new_full (self->dtype, self->shape, self->n_dims, 1.0);

  /* Post-order puts inputs first; walk it backwards so a node runs after all users. */
  for (guint k = order->len; k-- > 0 && ok;)
    {
      FitNode *node = g_ptr_array_index (order, k);
      FitTensor *grads_inline[4] = { NULL };
      FitTensor **grads = node->n_inputs <= 4 ? grads_inline : g_new0 (FitTensor *, node->n_inputs);
      g_autoptr(FitTensor) g = g_steal_pointer (&node->grad_acc);

      if (node->released)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_AUTOGRAD,
                       _("backward: the graph through “%s” was freed by an earlier backward; "
                         "pass retain_graph to the first backward to run another"), node->op);
          ok = FALSE;
        }
      else if (g != NULL)
        ok = node->backward (node, g, grads, error);

      for (guint i = 0; i < node->n_inputs; i++)
        {
          FitTensor *in = node->inputs[i];

          if (ok && grads[i] != NULL && in != NULL && node->needs_grad[i])
            {
              ok = check_grad_shape (node, i, grads[i], error);
              if (ok && in->grad_fn != NULL)
                ok = accumulate (&in->grad_fn->grad_acc, &grads[i], error);
              else if (ok)
                ok = accumulate (&in->grad, &grads[i], error);
            }
          g_clear_object (&grads[i]);
        }
      if (grads != grads_inline)
        g_free (grads);
      if (!retain_graph)
        fit_node_release (node);
    }

  /* On failure, drop the partial sums still held by nodes that never ran. */
  for (guint k = 0; k < order->len; k++)
    g_clear_object (&((FitNode *) g_ptr_array_index (order, k))->grad_acc);

  fit_grad_set_enabled (was_enabled);
  return ok;
}
