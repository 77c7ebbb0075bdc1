/* fit-json.c: a small strict JSON reader and writer for file headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-error.h"
#include "fit-glib/core/fit-error-private.h"
#include "fit-json-private.h"

/* Deep enough for any header; shallow enough that "[[[[…" cannot exhaust the stack. */
#define MAX_DEPTH 64

typedef struct
{
  const char  *text;
  gsize        length;
  gsize        pos;
} Parser;

static FitJson *parse_value (Parser *p, guint depth, GError **error);

void
fit_json_free (FitJson *json)
{
  if (json == NULL)
    return;
  g_free (json->string);
  g_clear_pointer (&json->values, g_ptr_array_unref);
  g_clear_pointer (&json->keys, g_ptr_array_unref);
  g_free (json);
}

const char *
fit_json_type_name (FitJsonType type)
{
  switch (type)
    {
    case FIT_JSON_NULL:
      return "null";
    case FIT_JSON_BOOLEAN:
      return "boolean";
    case FIT_JSON_NUMBER:
      return "number";
    case FIT_JSON_STRING:
      return "string";
    case FIT_JSON_ARRAY:
      return "array";
    case FIT_JSON_OBJECT:
      return "object";
    default:
      return "?";
    }
}

static gboolean
fail (Parser      *p,
      GError     **error,
      const char  *expected)
{
  if (p->pos >= p->length)
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("the JSON ends at byte %zu where %s was expected"),
                 p->pos, expected);
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                 _("unexpected byte 0x%02x at byte %zu of the JSON, "
                   "where %s was expected"),
                 (guint8) p->text[p->pos], p->pos, expected);
  return FALSE;
}

static void
skip_space (Parser *p)
{
  while (p->pos < p->length &&
         (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
          p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
    p->pos++;
}

static FitJson *
json_new (FitJsonType type,
          gsize       offset)
{
  FitJson *json = g_new0 (FitJson, 1);

  json->type = type;
  json->offset = offset;
  return json;
}

static gboolean
literal (Parser     *p,
         const char *word)
{
  gsize n = strlen (word);

  if (p->length - p->pos < n || memcmp (p->text + p->pos, word, n) != 0)
    return FALSE;
  p->pos += n;
  return TRUE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
parse_hex4 (Parser   *p,
            guint    *out,
            GError  **error)
{
  guint v = 0;

  for (int i = 0; i < 4; i++)
    {
      int h = p->pos < p->length ? hex_value (p->text[p->pos]) : -1;

      if (h < 0)
        return fail (p, error, _("a hexadecimal digit of a \\u escape"));
      v = v * 16 + (guint) h;
      p->pos++;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_escape (Parser   *p,
              GString  *s,
              GError  **error)
{
  char c;
  guint u, lo;

  if (p->pos >= p->length)
    return fail (p, error, _("an escaped character"));
  c = p->text[p->pos++];
  switch (c)
    {
    case '"': g_string_append_c (s, '"'); return TRUE;
    case '\\': g_string_append_c (s, '\\'); return TRUE;
    case '/': g_string_append_c (s, '/'); return TRUE;
    case 'b': g_string_append_c (s, '\b'); return TRUE;
    case 'f': g_string_append_c (s, '\f'); return TRUE;
    case 'n': g_string_append_c (s, '\n'); return TRUE;
    case 'r': g_string_append_c (s, '\r'); return TRUE;
    case 't': g_string_append_c (s, '\t'); return TRUE;
    case 'u':
      break;
    default:
      p->pos--;
      return fail (p, error, _("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u"));
    }

  if (!parse_hex4 (p, &u, error))
    return FALSE;
  if (u >= 0xDC00 && u <= 0xDFFF)
    return fail (p, error, _("a high surrogate before a low one"));
  if (u >= 0xD800 && u <= 0xDBFF)
    {
      /* A character outside the BMP is a surrogate pair of two \u escapes. */
      if (!literal (p, "\\u"))
        return fail (p, error, _("the low surrogate of a \\u surrogate pair"));
      if (!parse_hex4 (p, &lo, error))
        return FALSE;
      if (lo < 0xDC00 || lo > 0xDFFF)
        return fail (p, error, _("the low surrogate of a \\u surrogate pair"));
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    }
  if (u == 0)
    return fail (p, error, _("a character other than \\u0000"));
  g_string_append_unichar (s, u);
  return TRUE;
}

static char *
parse_string_raw (Parser   *p,
                  GError  **error)
{
  g_autoptr(GString) s = g_string_new (NULL);
  gsize start;

  if (p->pos >= p->length || p->text[p->pos] != '"')
    {
      fail (p, error, _("a string"));
      return NULL;
    }
  p->pos++;
  start = p->pos;
  for (;;)
    {
      guint8 c;

      if (p->pos >= p->length)
        {
          fail (p, error, _("the closing quote of a string"));
          return NULL;
        }
      c = (guint8) p->text[p->pos];
      if (c == '"')
        break;
      if (c < 0x20)
        {
          fail (p, error, _("a character other than a control character in a string"));
          return NULL;
        }
      p->pos++;
      if (c == '\\')
        {
          if (!parse_escape (p, s, error))
            return NULL;
        }
      else
        g_string_append_c (s, (char) c);
    }
  p->pos++;
  if (!g_utf8_validate_len (s->str, s->len, NULL))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("the string at byte %zu of the JSON is not valid UTF-8"),
                   start - 1);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
skip_digits (Parser *p)
{
  gsize start = p->pos;

  while (p->pos < p->length && g_ascii_isdigit (p->text[p->pos]))
    p->pos++;
  return p->pos > start;
}

static FitJson *
parse_number (Parser   *p,
              GError  **error)
{
  gsize start = p->pos;
  gboolean integral = TRUE;
  g_autofree char *lexeme = NULL;
  FitJson *json;

  if (p->pos < p->length && p->text[p->pos] == '-')
    p->pos++;
  if (p->pos < p->length && p->text[p->pos] == '0')
    p->pos++;
  else if (!skip_digits (p))
    {
      fail (p, error, _("a digit"));
      return NULL;
    }
  if (p->pos < p->length && p->text[p->pos] == '.')
    {
      integral = FALSE;
      p->pos++;
      if (!skip_digits (p))
        {
          fail (p, error, _("a digit after the decimal point"));
          return NULL;
        }
    }
  if (p->pos < p->length && (p->text[p->pos] == 'e' || p->text[p->pos] == 'E'))
    {
      integral = FALSE;
      p->pos++;
      if (p->pos < p->length && (p->text[p->pos] == '+' || p->text[p->pos] == '-'))
        p->pos++;
      if (!skip_digits (p))
        {
          fail (p, error, _("a digit of the exponent"));
          return NULL;
        }
    }

  lexeme = g_strndup (p->text + start, p->pos - start);
  json = json_new (FIT_JSON_NUMBER, start);
  json->number = g_ascii_strtod (lexeme, NULL);
  if (integral)
    {
      errno = 0;
      json->integer = g_ascii_strtoll (lexeme, NULL, 10);
      json->is_integer = errno == 0;
    }
  return json;
}

static FitJson *
parse_array (Parser   *p,
             guint     depth,
             GError  **error)
{
  g_autoptr(FitJson) json = json_new (FIT_JSON_ARRAY, p->pos);

  json->values = g_ptr_array_new_with_free_func ((GDestroyNotify) fit_json_free);
  p->pos++;
  skip_space (p);
  if (p->pos < p->length && p->text[p->pos] == ']')
    {
      p->pos++;
      return g_steal_pointer (&json);
    }
  for (;;)
    {
      FitJson *item = parse_value (p, depth + 1, error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (json->values, item);
      skip_space (p);
      if (p->pos < p->length && p->text[p->pos] == ',')
        {
          p->pos++;
          continue;
        }
      if (p->pos < p->length && p->text[p->pos] == ']')
        {
          p->pos++;
          return g_steal_pointer (&json);
        }
      fail (p, error, _("“,” or “]”"));
      return NULL;
    }
}

static FitJson *
parse_object (Parser   *p,
              guint     depth,
              GError  **error)
{
  g_autoptr(FitJson) json = json_new (FIT_JSON_OBJECT, p->pos);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  json->values = g_ptr_array_new_with_free_func ((GDestroyNotify) fit_json_free);
  json->keys = g_ptr_array_new_with_free_func (g_free);
  p->pos++;
  skip_space (p);
  if (p->pos < p->length && p->text[p->pos] == '}')
    {
      p->pos++;
      return g_steal_pointer (&json);
    }
  for (;;)
    {
      gsize key_pos;
      char *key;
      FitJson *value;

      skip_space (p);
      key_pos = p->pos;
      key = parse_string_raw (p, error);
      if (key == NULL)
        return NULL;
      g_ptr_array_add (json->keys, key);
      if (!g_hash_table_add (seen, key))
        {
          g_autofree char *quoted = fit_error_quote (key, -1);

          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("the key “%s” appears twice in one object (at byte %zu of the JSON)"),
                       quoted, key_pos);
          return NULL;
        }
      skip_space (p);
      if (p->pos >= p->length || p->text[p->pos] != ':')
        {
          fail (p, error, _("“:” after an object key"));
          return NULL;
        }
      p->pos++;
      value = parse_value (p, depth + 1, error);
      if (value == NULL)
        return NULL;
      g_ptr_array_add (json->values, value);
      skip_space (p);
      if (p->pos < p->length && p->text[p->pos] == ',')
        {
          p->pos++;
          continue;
        }
      if (p->pos < p->length && p->text[p->pos] == '}')
        {
          p->pos++;
          return g_steal_pointer (&json);
        }
      fail (p, error, _("“,” or “}”"));
      return NULL;
    }
}

static FitJson *
parse_value (Parser   *p,
             guint     depth,
             GError  **error)
{
  gsize start;
  FitJson *json;
  char c;

  if (depth > MAX_DEPTH)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("the JSON nests deeper than %d levels at byte %zu"),
                   MAX_DEPTH, p->pos);
      return NULL;
    }
  skip_space (p);
  if (p->pos >= p->length)
    {
      fail (p, error, _("a value"));
      return NULL;
    }
  start = p->pos;
  c = p->text[p->pos];
  switch (c)
    {
    case '{':
      return parse_object (p, depth, error);
    case '[':
      return parse_array (p, depth, error);
    case '"':
      {
        char *s = parse_string_raw (p, error);

        if (s == NULL)
          return NULL;
        json = json_new (FIT_JSON_STRING, start);
        json->string = s;
        return json;
      }
    case 't':
    case 'f':
      if (literal (p, "true") || literal (p, "false"))
        {
          json = json_new (FIT_JSON_BOOLEAN, start);
          json->boolean = c == 't';
          return json;
        }
      break;
    case 'n':
      if (literal (p, "null"))
        return json_new (FIT_JSON_NULL, start);
      break;
    default:
      if (c == '-' || g_ascii_isdigit (c))
        return parse_number (p, error);
      break;
    }
  fail (p, error, _("a value"));
  return NULL;
}

FitJson *
fit_json_parse (const char  *text,
                gsize        length,
                GError     **error)
{
  Parser p = { text, length, 0 };
  g_autoptr(FitJson) json = parse_value (&p, 0, error);

  if (json == NULL)
    return NULL;
  skip_space (&p);
  if (p.pos != p.length)
    {
      fail (&p, error, _("the end of the JSON"));
      return NULL;
    }
  return g_steal_pointer (&json);
}

FitJson *
fit_json_object_get (FitJson    *object,
                     const char *key)
{
  g_return_val_if_fail (object != NULL && object->type == FIT_JSON_OBJECT, NULL);

  for (guint i = 0; i < object->keys->len; i++)
    if (strcmp (g_ptr_array_index (object->keys, i), key) == 0)
      return g_ptr_array_index (object->values, i);
  return NULL;
}

void
fit_json_append_string (GString    *out,
                        const char *value)
{
  g_string_append_c (out, '"');
  for (const guchar *c = (const guchar *) value; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\' || *c < 0x20)
        fit_escape_char (out, *c);
      else
        g_string_append_c (out, (char) *c);
    }
  g_string_append_c (out, '"');
}
