/* fit-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fit-error.h"
#include "fit-error-private.h"

/**
 * fit_error_quark:
 *
 * Gets the quark of the %FIT_ERROR domain.
 *
 * Returns: the error domain of fit-glib
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (fit-error-quark, fit_error)

/* Long enough for any real name, short enough that a hostile one cannot flood a log. */
#define QUOTE_MAX_CHARS 80

static gboolean
needs_escape (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
         type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR ||
         c == '\\';
}

void
fit_escape_char (GString  *out,
                 gunichar  c)
{
  switch (c)
    {
    case '"':
      g_string_append (out, "\\\"");
      break;
    case '\\':
      g_string_append (out, "\\\\");
      break;
    case '\n':
      g_string_append (out, "\\n");
      break;
    case '\r':
      g_string_append (out, "\\r");
      break;
    case '\t':
      g_string_append (out, "\\t");
      break;
    default:
      if (c > 0xFFFF)
        g_string_append_printf (out, "\\u%04x\\u%04x", 0xD800 + ((c - 0x10000) >> 10),
                                0xDC00 + ((c - 0x10000) & 0x3FF));
      else
        g_string_append_printf (out, "\\u%04x", c);
    }
}

char *
fit_error_quote (const char *text,
                 gssize      length)
{
  GString *out = g_string_new (NULL);
  const char *p = text, *end;
  guint n = 0;

  end = text + (length < 0 ? strlen (text) : (gsize) length);
  for (; p < end; n++)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (n == QUOTE_MAX_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guint8) *p);
          p++;
          continue;
        }
      if (needs_escape (c))
        fit_escape_char (out, c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
