/* fit-tensor-optim.c: the operations optimizers and gradient clipping build on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * optim/ checks the hyper-parameters, keeps the state buffers and combines the
 * hyper-parameters of a step; these front doors hand the step to the backend of the
 * parameter's device. None is recorded by autograd: they change parameters and
 * gradients in place, with recording off.
 */

#include "config.h"

#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/core/fit-tensor-private.h"

static gboolean
same_layout (FitTensor *param,
             FitTensor *t)
{
  return t->dtype == param->dtype && t->numel == param->numel &&
         t->storage->device_type == param->storage->device_type &&
         t->storage->device_index == param->storage->device_index;
}

gboolean
fit_tensor_optim_update (const char            *op,
                         FitTensor             *param,
                         FitTensor             *grad,
                         const FitOptimUpdate  *update,
                         GError               **error)
{
  const FitBackend *backend;

  g_return_val_if_fail (FIT_IS_TENSOR (param), FALSE);
  g_return_val_if_fail (FIT_IS_TENSOR (grad), FALSE);
  g_return_val_if_fail (fit_dtype_is_floating (param->dtype), FALSE);
  g_return_val_if_fail (same_layout (param, grad), FALSE);
  for (guint i = 0; i < FIT_OPTIM_MAX_STATE; i++)
    g_return_val_if_fail (update->state[i] == NULL || same_layout (param, update->state[i]),
                          FALSE);

  backend = FIT_BACKEND_LOOKUP (param, optim_update, op, error);
  if (backend == NULL)
    return FALSE;
  return backend->optim_update (update, param, grad, error);
}

gboolean
fit_tensor_clip_sum_squares (const char  *op,
                             FitTensor   *t,
                             double      *sum,
                             GError     **error)
{
  const FitBackend *backend;

  g_return_val_if_fail (FIT_IS_TENSOR (t), FALSE);

  backend = FIT_BACKEND_LOOKUP (t, clip_sum_squares, op, error);
  if (backend == NULL)
    return FALSE;
  return backend->clip_sum_squares (t, sum, error);
}

void
fit_tensor_clip_value (const char *op,
                       FitTensor  *t,
                       double      clip_value)
{
  g_autoptr(GError) error = NULL;
  const FitBackend *backend;

  g_return_if_fail (FIT_IS_TENSOR (t));

  backend = FIT_BACKEND_REQUIRE (t, clip_value, op);
  if (backend != NULL && !backend->clip_value (t, clip_value, &error))
    g_critical ("%s: %s", op, error->message);
}
