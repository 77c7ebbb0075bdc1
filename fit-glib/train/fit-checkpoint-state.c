/* fit-checkpoint-state.c: numbers in a checkpoint's metadata, written and read back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A checkpoint is a file, so every value in it is untrusted: the readers take only the
 * exact text the writers produce, in the range the value has in memory, and name the key
 * when it is not, so that nothing out of range is ever cast or used.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>

#include <math.h>

#include "fit-glib/core/fit-error-private.h"
#include "fit-estimator-handlers-private.h"

void
fit_state_set_double (FitSafetensors *state,
                      const char     *prefix,
                      const char     *key,
                      double          value)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* g_ascii_dtostr writes "inf", "-inf" and "nan", which g_ascii_strtod reads back. */
  fit_safetensors_set_metadata (state, full, g_ascii_dtostr (buf, sizeof buf, value));
}

void
fit_state_set_integer (FitSafetensors *state,
                       const char     *prefix,
                       const char     *key,
                       gint64          value)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" PRId64, value);
  fit_safetensors_set_metadata (state, full, buf);
}

/* The metadata text of @prefix@key, or NULL (with an error when it is @required). */
static const char *
lookup (FitSafetensors  *state,
        const char      *full,
        gboolean         required,
        GError         **error)
{
  const char *text = fit_safetensors_get_metadata (state, full);

  if (text == NULL && required)
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("The checkpoint has no “%s”; it was not written by this version of "
                   "fit-glib, or it is damaged"), full);
  return text;
}

gboolean
fit_state_read_integer (FitSafetensors  *state,
                        const char      *prefix,
                        const char      *key,
                        gboolean         required,
                        gint64           min,
                        gint64           max,
                        gint64          *value,
                        GError         **error)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  g_autofree char *quoted = NULL;
  const char *text = lookup (state, full, required, error);
  gint64 v;

  if (text == NULL)
    return !required;
  if (g_ascii_string_to_signed (text, 10, min, max, &v, NULL))
    {
      *value = v;
      return TRUE;
    }
  quoted = fit_error_quote (text, -1);
  g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
               _("The checkpoint's “%s” is “%s”; expected a whole number from %" PRId64
                 " to %" PRId64), full, quoted, min, max);
  return FALSE;
}

gboolean
fit_state_read_double (FitSafetensors  *state,
                       const char      *prefix,
                       const char      *key,
                       double           min,
                       double           max,
                       gboolean         nan_allowed,
                       double          *value,
                       GError         **error)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  g_autofree char *quoted = NULL;
  const char *text = lookup (state, full, FALSE, error);
  char *end = NULL;
  double v;

  if (text == NULL)
    return TRUE;
  v = g_ascii_strtod (text, &end);
  if (end != text && *end == '\0' && !g_ascii_isspace (text[0]) &&
      (isnan (v) ? nan_allowed : v >= min && v <= max))
    {
      *value = v;
      return TRUE;
    }
  quoted = fit_error_quote (text, -1);
  if (nan_allowed && min == -INFINITY && max == INFINITY)
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("The checkpoint's “%s” is “%s”; expected a number, inf, -inf or nan"),
                 full, quoted);
  else if (max == G_MAXDOUBLE)
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("The checkpoint's “%s” is “%s”; expected a finite number of at least %g"),
                 full, quoted, min);
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("The checkpoint's “%s” is “%s”; expected a number from %g to %g"),
                 full, quoted, min, max);
  return FALSE;
}
