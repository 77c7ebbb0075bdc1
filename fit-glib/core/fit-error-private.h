/* fit-error-private.h: untrusted text in error messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text read from a file (a tensor name, a metadata value) made fit for a message: valid
 * UTF-8 stays as it is, but control and format characters (a newline, an escape sequence
 * for the terminal, a right-to-left override) and backslashes are escaped as in JSON (\n,
 * \\, \u001b), a byte that is not UTF-8 as \xff, and text longer than 80 characters is
 * cut short with "…". @length is in bytes, or -1 for a nul-terminated string. The result
 * is valid UTF-8 without control characters. */
char       *fit_error_quote            (const char     *text,
                                        gssize          length);

/* Appends @c escaped as in a JSON string: \" \\ \n \r \t, else \uXXXX (a
 * surrogate pair above U+FFFF). */
void        fit_escape_char            (GString        *out,
                                        gunichar        c);

G_END_DECLS
