/* tensor-program.c: the reference tensor program; tensor_program.py, tensor-program.js
 * and tensor-program.vala compute the same thing and test_tensor_programs.py compares.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <stdio.h>

static void
print_values (const char *name,
              FitTensor  *t)
{
  gsize n = 0;
  g_autofree double *v = fit_tensor_to_doubles (t, &n);

  printf ("%s", name);
  for (gsize i = 0; i < n; i++)
    printf (" %.9g", v[i]);
  printf ("\n");
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 xs[] = { 3, 4 }, ws[] = { 4, 2 };
  g_autoptr(FitTensor) xr = fit_tensor_new_arange (FIT_DTYPE_FLOAT32, 0, 12, 1, &error);
  g_autoptr(FitTensor) x0 = fit_tensor_reshape (xr, xs, 2, &error);
  g_autoptr(FitTensor) x = fit_tensor_mul_scalar (x0, 0.1);
  g_autoptr(FitTensor) wr = fit_tensor_new_arange (FIT_DTYPE_FLOAT32, 0, 8, 1, &error);
  g_autoptr(FitTensor) w0 = fit_tensor_reshape (wr, ws, 2, &error);
  g_autoptr(FitTensor) w1 = fit_tensor_mul_scalar (w0, -0.05);
  g_autoptr(FitTensor) w = fit_tensor_add_scalar (w1, 0.2);
  const float bv[] = { 0.1f, -0.2f };
  const gint64 bs[] = { 2 };
  g_autoptr(FitTensor) b = fit_tensor_new_from_floats (bv, 2, bs, 1, &error);
  g_autoptr(FitTensor) xw = NULL, z = NULL, h = NULL, s = NULL, p = NULL, loss = NULL;
  double value;

  /* w and b are leaves: nothing they were computed from requires a gradient. */
  fit_tensor_set_requires_grad (w, TRUE);
  fit_tensor_set_requires_grad (b, TRUE);

  xw = fit_tensor_matmul (x, w, &error);
  z = fit_tensor_add (xw, b, &error);
  h = fit_tensor_tanh (z);
  s = fit_tensor_sigmoid (h);
  p = fit_tensor_mul (s, h, &error);
  loss = fit_tensor_mean (p, NULL, 0, FALSE, &error);
  if (loss == NULL || !fit_tensor_backward (loss, &error) || !fit_tensor_item (loss, &value, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("loss %.9g\n", value);
  print_values ("w.grad", fit_tensor_get_grad (w));
  print_values ("b.grad", fit_tensor_get_grad (b));
  return 0;
}
