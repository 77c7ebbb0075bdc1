/* fit-safetensors-copy.c: a collection of named tensors copied deeply
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-glib/io/fit-safetensors-private.h"

FitSafetensors *
fit_safetensors_deep_copy (FitSafetensors *state)
{
  g_auto(GStrv) names = fit_safetensors_get_names (state);
  g_auto(GStrv) keys = fit_safetensors_get_metadata_keys (state);
  FitSafetensors *copy = fit_safetensors_new ();
  gboolean was_enabled = fit_grad_set_enabled (FALSE);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(FitTensor) t = fit_tensor_clone (fit_safetensors_get (state, names[i]));

      fit_tensor_set_requires_grad (t, FALSE);
      fit_safetensors_add (copy, names[i], t);
    }
  for (guint i = 0; keys[i] != NULL; i++)
    fit_safetensors_set_metadata (copy, keys[i], fit_safetensors_get_metadata (state, keys[i]));
  fit_grad_set_enabled (was_enabled);
  return copy;
}
