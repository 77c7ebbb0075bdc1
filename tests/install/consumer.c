/* consumer.c: builds against an installed fit-glib through pkg-config (.ci/run)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
int main (void) {
  const gint64 shape[] = { 2, 2 };
  g_autoptr(FitTensor) t = fit_tensor_new_full (FIT_DTYPE_FLOAT32, shape, 2, 3.0);
  g_autofree char *s = fit_tensor_to_string (t);
  g_print ("%s %s\n", s, FIT_VERSION_S);
  return 0;
}
