/* fit-clip-grad.c: gradient clipping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fit-optim-private.h"

/**
 * fit_clip_grad_norm:
 * @params: (array length=n_params): parameters whose gradients to clip
 * @n_params: the number of parameters
 * @max_norm: the largest allowed norm, finite and not negative
 * @total_norm: (out) (optional): the norm of all the gradients before clipping
 * @error: return location for a #GError
 *
 * Scales the gradients, in place, so that their total 2-norm (the norm of all of them
 * together, as if concatenated) is at most @max_norm, as PyTorch's
 * `torch.nn.utils.clip_grad_norm_`: every gradient is multiplied by
 * `max_norm / (total_norm + 1e-6)` when that is less than 1. Parameters without a
 * gradient are skipped.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_NOT_FINITE when the total norm is
 *   NaN or infinite (the gradients are then left alone and @total_norm still says
 *   what it was), %FIT_ERROR_INVALID_ARGUMENT for a bad @max_norm, or
 *   %FIT_ERROR_DEVICE for gradients that are not on the CPU
 *
 * Since: 1.0
 */
gboolean
fit_clip_grad_norm (FitTensor **params,
                    guint       n_params,
                    double      max_norm,
                    double     *total_norm,
                    GError    **error)
{
  double total = 0.0, norm, coef;

  g_return_val_if_fail (params != NULL || n_params == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  for (guint i = 0; i < n_params; i++)
    g_return_val_if_fail (FIT_IS_TENSOR (params[i]), FALSE);

  if (total_norm != NULL)
    *total_norm = 0.0;
  if (!isfinite (max_norm) || max_norm < 0.0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_clip_grad_norm: the largest norm must be finite and not negative, "
                     "not %g"), max_norm);
      return FALSE;
    }
  for (guint i = 0; i < n_params; i++)
    {
      FitTensor *grad = fit_tensor_get_grad (params[i]);
      double sum;

      if (grad == NULL)
        continue;
      if (!fit_tensor_clip_sum_squares ("fit_clip_grad_norm", grad, &sum, error))
        return FALSE;
      total += sum;
    }
  norm = sqrt (total);
  if (total_norm != NULL)
    *total_norm = norm;
  if (!isfinite (norm))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_NOT_FINITE,
                   _("fit_clip_grad_norm: the gradients' total norm is %g; a loss or a "
                     "gradient became NaN or infinite"), norm);
      return FALSE;
    }

  coef = max_norm / (norm + 1e-6);
  if (coef >= 1.0)
    return TRUE;
  for (guint i = 0; i < n_params; i++)
    {
      FitTensor *grad = fit_tensor_get_grad (params[i]);

      if (grad != NULL)
        fit_tensor_scale_inplace (grad, coef);
    }
  return TRUE;
}

/**
 * fit_clip_grad_value:
 * @params: (array length=n_params): parameters whose gradients to clip
 * @n_params: the number of parameters
 * @clip_value: the largest allowed magnitude of a gradient element, not negative
 *
 * Clamps every gradient element into [−@clip_value, @clip_value], in place, as
 * PyTorch's `torch.nn.utils.clip_grad_value_`. Parameters without a gradient are
 * skipped; NaN elements stay NaN.
 *
 * Since: 1.0
 */
void
fit_clip_grad_value (FitTensor **params,
                     guint       n_params,
                     double      clip_value)
{
  g_return_if_fail (params != NULL || n_params == 0);
  g_return_if_fail (clip_value >= 0.0);

  for (guint k = 0; k < n_params; k++)
    {
      FitTensor *grad;

      g_return_if_fail (FIT_IS_TENSOR (params[k]));
      grad = fit_tensor_get_grad (params[k]);
      if (grad != NULL)
        fit_tensor_clip_value ("fit_clip_grad_value", grad, clip_value);
    }
}
