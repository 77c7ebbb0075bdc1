/* fit-json-private.h: a small strict JSON reader and writer for file headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Just enough JSON for the safetensors header (objects, arrays, strings with every
 * escape, numbers, true/false/null), strict about the grammar so that a damaged header
 * is an error rather than a guess. Not a general-purpose library: json-glib is not a
 * dependency, and this keeps it that way.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FIT_JSON_NULL,
  FIT_JSON_BOOLEAN,
  FIT_JSON_NUMBER,
  FIT_JSON_STRING,
  FIT_JSON_ARRAY,
  FIT_JSON_OBJECT,
} FitJsonType;

typedef struct _FitJson FitJson;

struct _FitJson
{
  FitJsonType  type;
  gboolean     boolean;
  gboolean     is_integer;  /* NUMBER: written without fraction or exponent, fits gint64 */
  gint64       integer;
  double       number;
  char        *string;      /* STRING: the decoded UTF-8 value */
  GPtrArray   *values;      /* ARRAY and OBJECT: FitJson*, in document order */
  GPtrArray   *keys;        /* OBJECT: char*, parallel to values */
  gsize        offset;      /* where the value starts in the text, for messages */
};

/* Parses exactly one value from @text, allowing only whitespace around it. Errors are
 * FIT_ERROR_PARSE and say at which byte and what was expected. */
FitJson     *fit_json_parse              (const char     *text,
                                          gsize           length,
                                          GError        **error);
void         fit_json_free               (FitJson        *json);
FitJson     *fit_json_object_get         (FitJson        *object,
                                          const char     *key);
const char  *fit_json_type_name          (FitJsonType     type);

/* Appends @value as a JSON string literal, quotes included. */
void         fit_json_append_string      (GString        *out,
                                          const char     *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FitJson, fit_json_free)

G_END_DECLS
