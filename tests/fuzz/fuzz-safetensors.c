/* fuzz-safetensors.c: safetensors bytes, parsed, read back, written and parsed again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "fuzz-common.h"

#include <string.h>

/* Every byte of every tensor is read, so that a tensor pointing past its data is caught
 * by AddressSanitizer; names and metadata must be valid UTF-8. */
static void
touch (FitSafetensors *st)
{
  g_auto(GStrv) names = fit_safetensors_get_names (st);
  g_auto(GStrv) keys = fit_safetensors_get_metadata_keys (st);

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!g_utf8_validate (names[i], -1, NULL))
        abort ();
      fuzz_touch_tensor (fit_safetensors_get (st, names[i]));
    }
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_utf8_validate (keys[i], -1, NULL) ||
        !g_utf8_validate (fit_safetensors_get_metadata (st, keys[i]), -1, NULL))
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitSafetensors) st = NULL;
  g_autoptr(FitSafetensors) again = NULL;
  g_autoptr(GBytes) written = NULL;

  fuzz_init ();
  st = fit_safetensors_new_from_bytes (bytes, &error);
  if (st == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  touch (st);

  /* What was read can be written, and what is written reads back the same. */
  written = fit_safetensors_to_bytes (st);
  again = fit_safetensors_new_from_bytes (written, &error);
  if (again == NULL || fit_safetensors_get_n_tensors (again) != fit_safetensors_get_n_tensors (st))
    abort ();
  touch (again);
  return 0;
}
