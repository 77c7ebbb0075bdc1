/* fuzz-json.c: the JSON reader of safetensors headers, and the history's JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The reader (fit-glib/io/fit-json.c) is private to the library, so it is compiled into
 * this harness. Whatever parses must hold only valid UTF-8 strings without nul bytes and
 * numbers whose integer flag agrees with their text, and must parse again, unchanged,
 * from the JSON written back. The same bytes go to fit_history_load_json(), whose history
 * must survive fit_history_to_json() and loading again.
 */

#include "fuzz-common.h"

#include <math.h>
#include <string.h>

#include "fit-glib/io/fit-json-private.h"

/* Writes @json back as JSON text: numbers so that they read back the same, integers as
 * integers and others with a fraction or an exponent, infinities (from 1e999) as 1e999. */
static void
write_json (GString *out,
            FitJson *json)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (json->type)
    {
    case FIT_JSON_NULL:
      g_string_append (out, "null");
      break;
    case FIT_JSON_BOOLEAN:
      g_string_append (out, json->boolean ? "true" : "false");
      break;
    case FIT_JSON_NUMBER:
      if (json->is_integer)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json->integer);
      else if (isinf (json->number))
        g_string_append (out, json->number > 0 ? "1e999" : "-1e999");
      else
        {
          g_ascii_formatd (buf, sizeof buf, "%.17g", json->number);
          g_string_append (out, buf);
          if (strpbrk (buf, ".e") == NULL)
            g_string_append (out, ".0");
        }
      break;
    case FIT_JSON_STRING:
      fit_json_append_string (out, json->string);
      break;
    case FIT_JSON_ARRAY:
    case FIT_JSON_OBJECT:
      g_string_append_c (out, json->type == FIT_JSON_ARRAY ? '[' : '{');
      for (guint i = 0; i < json->values->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          if (json->type == FIT_JSON_OBJECT)
            {
              fit_json_append_string (out, g_ptr_array_index (json->keys, i));
              g_string_append_c (out, ':');
            }
          write_json (out, g_ptr_array_index (json->values, i));
        }
      g_string_append_c (out, json->type == FIT_JSON_ARRAY ? ']' : '}');
      break;
    default:
      abort ();
    }
}

static void
check_string (const char *s)
{
  if (s == NULL || !g_utf8_validate (s, -1, NULL))
    abort ();
}

static void
check_tree (FitJson *json)
{
  switch (json->type)
    {
    case FIT_JSON_STRING:
      check_string (json->string);
      break;
    case FIT_JSON_NUMBER:
      if (isnan (json->number) || (json->is_integer && (double) json->integer != json->number))
        abort ();
      break;
    case FIT_JSON_ARRAY:
    case FIT_JSON_OBJECT:
      if (json->type == FIT_JSON_OBJECT && json->keys->len != json->values->len)
        abort ();
      for (guint i = 0; i < json->values->len; i++)
        {
          if (json->type == FIT_JSON_OBJECT)
            check_string (g_ptr_array_index (json->keys, i));
          check_tree (g_ptr_array_index (json->values, i));
        }
      break;
    case FIT_JSON_NULL:
    case FIT_JSON_BOOLEAN:
      break;
    default:
      abort ();
    }
}

static gboolean
same_tree (FitJson *a,
           FitJson *b)
{
  if (a->type != b->type)
    return FALSE;
  switch (a->type)
    {
    case FIT_JSON_BOOLEAN:
      return a->boolean == b->boolean;
    case FIT_JSON_NUMBER:
      return a->is_integer == b->is_integer &&
             (a->is_integer ? a->integer == b->integer : a->number == b->number);
    case FIT_JSON_STRING:
      return strcmp (a->string, b->string) == 0;
    case FIT_JSON_ARRAY:
    case FIT_JSON_OBJECT:
      if (a->values->len != b->values->len)
        return FALSE;
      for (guint i = 0; i < a->values->len; i++)
        if ((a->type == FIT_JSON_OBJECT &&
             strcmp (g_ptr_array_index (a->keys, i), g_ptr_array_index (b->keys, i)) != 0) ||
            !same_tree (g_ptr_array_index (a->values, i), g_ptr_array_index (b->values, i)))
          return FALSE;
      return TRUE;
    case FIT_JSON_NULL:
      return TRUE;
    default:
      abort ();
    }
}

static void
fuzz_parser (const uint8_t *data,
             size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitJson) json = fit_json_parse ((const char *) data, size, &error);
  g_autoptr(FitJson) again = NULL;
  g_autoptr(GString) text = NULL;

  if (json == NULL)
    {
      fuzz_check_error (error);
      return;
    }
  check_tree (json);
  text = g_string_new (NULL);
  write_json (text, json);
  again = fit_json_parse (text->str, text->len, &error);
  if (again == NULL || !same_tree (json, again))
    abort ();
}

static void
fuzz_history (const uint8_t *data,
              size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(FitHistory) history = fit_history_new ();
  g_autoptr(FitHistory) again = fit_history_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  if (!fit_history_load_json (history, text, &error))
    {
      fuzz_check_error (error);
      if (g_list_model_get_n_items (G_LIST_MODEL (history)) != 0)
        abort ();
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (history)); i++)
    {
      FitHistoryRecord *record = fit_history_get_record (history, i);
      g_auto(GStrv) names = fit_history_record_get_names (record);

      if (fit_history_record_get_epoch (record) < -1 ||
          fit_history_record_get_time (record) < 0)
        abort ();
      for (guint j = 0; names[j] != NULL; j++)
        {
          check_string (names[j]);
          if (!fit_history_record_lookup (record, names[j], NULL))
            abort ();
        }
    }
  json = fit_history_to_json (history);
  if (!fit_history_load_json (again, json, &error))
    abort ();
  json_again = fit_history_to_json (again);
  if (strcmp (json, json_again) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_init ();
  fuzz_parser (data, size);
  fuzz_history (data, size);
  return 0;
}
