/* test-safetensors.c: FitSafetensors round trips, atomic saving, and every kind of
 * malformed file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <glib/gstdio.h>
#include <string.h>

static char *tmp_dir;

static FitTensor *
ramp (FitDType      dtype,
      const gint64 *shape,
      guint         n_dims,
      double        start)
{
  gint64 n = 1;
  g_autofree double *values = NULL;
  g_autoptr(FitTensor) t = NULL;

  for (guint d = 0; d < n_dims; d++)
    n *= shape[d];
  values = g_new (double, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    values[i] = start + 0.5 * (double) i;
  t = fit_tensor_new_from_doubles (values, n, shape, n_dims, NULL);
  return fit_tensor_to_dtype (t, dtype, NULL);
}

static FitSafetensors *
sample (void)
{
  FitSafetensors *st = fit_safetensors_new ();
  const gint64 s23[] = { 2, 3 }, s4[] = { 4 }, s0[] = { 0, 5 }, s1111[] = { 1, 1, 1, 1 };
  g_autoptr(FitTensor) a = ramp (FIT_DTYPE_FLOAT32, s23, 2, -1.0);
  g_autoptr(FitTensor) b = ramp (FIT_DTYPE_FLOAT64, s4, 1, 0.25);
  g_autoptr(FitTensor) c = ramp (FIT_DTYPE_INT32, s4, 1, 7);
  g_autoptr(FitTensor) d = ramp (FIT_DTYPE_INT64, s1111, 4, -3);
  g_autoptr(FitTensor) e = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, s0, 2);
  g_autoptr(FitTensor) f = fit_tensor_new_scalar (FIT_DTYPE_FLOAT64, 2.5);

  fit_safetensors_add (st, "layer.weight", a);
  fit_safetensors_add (st, "x\"quoted\\\n\x01é", b);
  fit_safetensors_add (st, "labels", c);
  fit_safetensors_add (st, "big", d);
  fit_safetensors_add (st, "empty", e);
  fit_safetensors_add (st, "scalar", f);
  fit_safetensors_set_metadata (st, "format", "pt");
  fit_safetensors_set_metadata (st, "note", "tab\there, “quotes”");
  return st;
}

static void
assert_same (FitSafetensors *a,
             FitSafetensors *b)
{
  g_auto(GStrv) names_a = fit_safetensors_get_names (a);
  g_auto(GStrv) names_b = fit_safetensors_get_names (b);
  g_auto(GStrv) keys = fit_safetensors_get_metadata_keys (a);

  g_assert_cmpstrv (names_a, names_b);
  for (guint i = 0; names_a[i] != NULL; i++)
    {
      FitTensor *x = fit_safetensors_get (a, names_a[i]);
      FitTensor *y = fit_safetensors_get (b, names_a[i]);
      guint nx, ny;
      const gint64 *sx = fit_tensor_get_shape (x, &nx);
      const gint64 *sy = fit_tensor_get_shape (y, &ny);

      g_assert_cmpint (fit_tensor_get_dtype (x), ==, fit_tensor_get_dtype (y));
      g_assert_cmpmem (sx, nx * sizeof (gint64), sy, ny * sizeof (gint64));
      g_assert_cmpmem (fit_tensor_get_data (x), fit_tensor_get_n_bytes (x),
                       fit_tensor_get_data (y), fit_tensor_get_n_bytes (y));
    }
  for (guint i = 0; keys[i] != NULL; i++)
    g_assert_cmpstr (fit_safetensors_get_metadata (a, keys[i]), ==,
                     fit_safetensors_get_metadata (b, keys[i]));
  g_assert_cmpuint (fit_safetensors_get_n_tensors (a), ==, fit_safetensors_get_n_tensors (b));
}

static void
test_roundtrip_bytes (void)
{
  g_autoptr(FitSafetensors) st = sample ();
  g_autoptr(FitSafetensors) back = NULL;
  g_autoptr(GBytes) bytes = fit_safetensors_to_bytes (st);
  g_autoptr(GError) error = NULL;
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  guint64 header_len;

  /* The header is padded so that the data starts 8-byte aligned, and starts with '{'. */
  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  g_assert_cmpuint ((8 + header_len) % 8, ==, 0);
  g_assert_cmpint (data[8], ==, '{');

  back = fit_safetensors_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  assert_same (st, back);
}

static void
test_roundtrip_file (void)
{
  g_autoptr(FitSafetensors) st = sample ();
  g_autoptr(FitSafetensors) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "model.safetensors", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  guint n_entries = 0;

  g_assert_true (fit_safetensors_save (st, path, NULL, &error));
  g_assert_no_error (error);
  /* Saving again replaces the file. */
  fit_safetensors_set_metadata (st, "epoch", "2");
  g_assert_true (fit_safetensors_save (st, path, NULL, &error));
  g_assert_no_error (error);

  back = fit_safetensors_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  assert_same (st, back);
  g_assert_cmpstr (fit_safetensors_get_metadata (back, "epoch"), ==, "2");

  /* No temporary file is left behind. */
  dir = g_dir_open (tmp_dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_assert_cmpstr (entry, ==, "model.safetensors");
      n_entries++;
    }
  g_assert_cmpuint (n_entries, ==, 1);
  g_unlink (path);
}

static void
test_save_errors (void)
{
  g_autoptr(FitSafetensors) st = sample ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *missing = g_build_filename (tmp_dir, "no", "such", "dir.safetensors", NULL);
  g_autofree char *path = g_build_filename (tmp_dir, "keep.safetensors", NULL);
  g_autofree char *contents = NULL;

  g_assert_false (fit_safetensors_save (st, missing, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  /* A cancelled save leaves the old file as it was. */
  g_assert_true (g_file_set_contents (path, "old", 3, NULL));
  g_cancellable_cancel (cancellable);
  g_assert_false (fit_safetensors_save (st, path, cancellable, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_CANCELLED);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_unlink (path);
  g_clear_error (&error);

  g_assert_null (fit_safetensors_new_from_file (missing, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_IO);
}

static void
test_collection (void)
{
  g_autoptr(FitSafetensors) st = fit_safetensors_new ();
  const gint64 shape[] = { 2 };
  g_autoptr(FitTensor) a = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 1);
  g_autoptr(FitTensor) b = fit_tensor_new_zeros (FIT_DTYPE_FLOAT64, shape, 1);
  g_auto(GStrv) names = NULL;

  fit_safetensors_add (st, "a", a);
  fit_safetensors_add (st, "b", a);
  fit_safetensors_add (st, "a", b);     /* replaces in place */
  names = fit_safetensors_get_names (st);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "a");
  g_assert_true (fit_safetensors_get (st, "a") == b);
  g_assert_true (fit_safetensors_contains (st, "b"));
  g_assert_true (fit_safetensors_remove (st, "b"));
  g_assert_false (fit_safetensors_remove (st, "b"));
  g_assert_null (fit_safetensors_get (st, "b"));
  fit_safetensors_set_metadata (st, "k", "v");
  fit_safetensors_set_metadata (st, "k", NULL);
  g_assert_null (fit_safetensors_get_metadata (st, "k"));
}

/* ---- malformed files, built byte by byte ---- */

static GBytes *
make_file (const char *header,
           gsize       data_size)
{
  gsize len = strlen (header);
  guint64 le = GUINT64_TO_LE ((guint64) len);
  guint8 *buf = g_malloc0 (8 + len + data_size);

  memcpy (buf, &le, 8);
  memcpy (buf + 8, header, len);
  return g_bytes_new_take (buf, 8 + len + data_size);
}

/* Loads @bytes from memory and from a file: both must fail with FIT_ERROR_PARSE whose
 * message contains @expect, and the file's message names the file. */
static void
assert_malformed (GBytes     *bytes,
                  const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitSafetensors) st = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "broken.safetensors", NULL);

  st = fit_safetensors_new_from_bytes (bytes, &error);
  g_assert_null (st);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  if (strstr (error->message, expect) == NULL)
    g_error ("“%s” does not say “%s”", error->message, expect);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL));
  st = fit_safetensors_new_from_file (path, NULL, &error);
  g_assert_null (st);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, expect));
  g_unlink (path);
}

static void
assert_header_malformed (const char *header,
                         gsize       data_size,
                         const char *expect)
{
  g_autoptr(GBytes) bytes = make_file (header, data_size);

  assert_malformed (bytes, expect);
}

static void
test_truncated (void)
{
  g_autoptr(FitSafetensors) st = sample ();
  g_autoptr(GBytes) good = fit_safetensors_to_bytes (st);
  g_autoptr(GBytes) tiny = g_bytes_new_static ("\x10\0\0", 3);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (good, 0, g_bytes_get_size (good) - 5);
  g_autoptr(GBytes) cut_header = g_bytes_new_from_bytes (good, 0, 20);

  assert_malformed (empty, "too short");
  assert_malformed (tiny, "too short");
  assert_malformed (cut_header, "larger than");
  /* Losing the end of the data shows as tensors reaching past the data. */
  assert_malformed (cut, "beyond");
}

static void
test_header_length (void)
{
  guint8 huge[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}' };
  guint8 zero[8] = { 0 };
  g_autoptr(GBytes) a = g_bytes_new (huge, sizeof huge);
  g_autoptr(GBytes) b = g_bytes_new (zero, sizeof zero);

  assert_malformed (a, "larger than");
  assert_malformed (b, "JSON object");
}

static void
test_bad_json (void)
{
  assert_header_malformed ("[1, 2]", 0, "JSON object");
  assert_header_malformed ("{\"a\": ", 0, "ends");
  assert_header_malformed ("{\"a\": {}} trailing", 0, "end of the JSON");
  assert_header_malformed ("{\"a\\q\": 1}", 0, "\\u");
  assert_header_malformed ("{\"a\": 01}", 0, "unexpected byte");
  assert_header_malformed ("{\"a\": [1,]}", 0, "value");
  assert_header_malformed ("{\"a\": \"\\ud800\"}", 0, "surrogate");
  assert_header_malformed ("{\"a\": \"tab\there\"}", 0, "control character");
  assert_header_malformed ("{\"a\": \"\xff\"}", 0, "UTF-8");
  assert_header_malformed ("{\"__metadata__\": {}, \"__metadata__\": {}}", 0, "twice");
  {
    g_autoptr(GString) deep = g_string_new ("{\"a\": ");

    for (guint i = 0; i < 200; i++)
      g_string_append_c (deep, '[');
    assert_header_malformed (deep->str, 0, "nests deeper");
  }
}

static void
test_bad_entries (void)
{
  assert_header_malformed ("{\"w\": {\"dtype\": \"BF16\", \"shape\": [2], "
                           "\"data_offsets\": [0, 4]}}", 4, "BF16");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], "
                           "\"data_offsets\": [0, 8]}}", 8, "needs 12 bytes");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], "
                           "\"data_offsets\": [0, 8]}}", 4, "beyond");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], "
                           "\"data_offsets\": [8, 0]}}", 8, "end before");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], "
                           "\"data_offsets\": [0, 8]}}", 8, "non-negative");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], "
                           "\"data_offsets\": [0, 8]}}", 8, "non-negative");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                           "[1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 4]}}", 4, "dimensions");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                           "[4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 4]}}",
                           4, "overflowing");
  /* A shape whose element count fits but whose byte count does not. */
  assert_header_malformed ("{\"w\": {\"dtype\": \"F64\", \"shape\": "
                           "[4611686018427387904], \"data_offsets\": [0, 4]}}",
                           4, "overflowing");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, "data_offsets");
  assert_header_malformed ("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "dtype");
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], "
                           "\"data_offsets\": [0, 4], \"extra\": 1}}", 4, "extra");
  assert_header_malformed ("{\"w\": [1, 2]}", 0, "not an object");
  assert_header_malformed ("{\"__metadata__\": {\"a\": 1}}", 0, "not a string");
  assert_header_malformed ("{\"__metadata__\": [\"a\"]}", 0, "not an object");
}

/* The regression: [2^62, 0] holds no bytes, but no tensor can have that shape; it was a
 * critical and NULL without an error. */
static void
test_empty_huge_dims (void)
{
  assert_header_malformed ("{\"w\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 0], "
                           "\"data_offsets\": [0, 0]}}", 0,
                           "tensor “w”: shape [4611686018427387904, 0] has a negative or "
                           "overflowing size");
  assert_header_malformed ("{\"w\": {\"dtype\": \"I64\", \"shape\": [0, 4611686018427387904, 4], "
                           "\"data_offsets\": [0, 0]}}", 0, "overflowing");
  assert_header_malformed ("{\"w\": {\"dtype\": \"I32\", \"shape\": [9223372036854775807, 2, 0], "
                           "\"data_offsets\": [0, 0]}}", 0, "overflowing");

  /* Empty with a large dimension whose size in bytes still fits: a valid empty tensor. */
  {
    g_autoptr(GBytes) bytes = make_file ("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                                         "[576460752303423488, 0], \"data_offsets\": [0, 0]}}",
                                         0);
    g_autoptr(GError) error = NULL;
    g_autoptr(FitSafetensors) st = fit_safetensors_new_from_bytes (bytes, &error);
    FitTensor *w;

    g_assert_no_error (error);
    w = fit_safetensors_get (st, "w");
    g_assert_cmpint (fit_tensor_get_numel (w), ==, 0);
    g_assert_cmpint (fit_tensor_get_shape (w, NULL)[0], ==, G_GINT64_CONSTANT (1) << 59);
  }
}

/* Names and values from a file reach messages escaped: no control character, no
 * terminal escape sequence, no unbounded length; and the strings the API returns are the
 * decoded UTF-8, escapes and all. */
static void
test_untrusted_strings (void)
{
  g_autoptr(GString) long_name = g_string_new ("{\"");
  g_autoptr(GError) error = NULL;

  assert_header_malformed ("{\"a\\u001b[31m\\nb\": {\"dtype\": \"BF16\\u0007\", \"shape\": [1], "
                           "\"data_offsets\": [0, 2]}}", 2,
                           "tensor “a\\u001b[31m\\nb” has dtype “BF16\\u0007”");
  assert_header_malformed ("{\"\\u202eevil\": [1]}", 0, "tensor “\\u202eevil”");
  assert_header_malformed ("{\"\\ud800\\u0041\": 1}", 0, "low surrogate");
  assert_header_malformed ("{\"\\udc00\": 1}", 0, "high surrogate");
  assert_header_malformed ("{\"a\\u0000b\": 1}", 0, "\\u0000");
  assert_header_malformed ("{\"__metadata__\": {\"k\\t\": 1}}", 0, "“k\\t”");
  assert_header_malformed ("{\"x\\u0001\": [], \"x\\u0001\": []}", 0,
                           "the key “x\\u0001” appears twice");
  assert_header_malformed ("{\"a\": 1e999999}", 0, "not an object");

  for (guint i = 0; i < 2000; i++)
    g_string_append_c (long_name, 'n');
  g_string_append (long_name, "\": 7}");
  {
    g_autoptr(GBytes) bytes = make_file (long_name->str, 0);
    g_autoptr(FitSafetensors) st = fit_safetensors_new_from_bytes (bytes, &error);

    g_assert_null (st);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "…"));
    g_assert_cmpuint (strlen (error->message), <, 300);
    g_clear_error (&error);
  }

  /* A valid file whose name and metadata hold escapes: the API gives them decoded. */
  {
    g_autoptr(GBytes) bytes = make_file ("{\"__metadata__\": {\"k\": \"tab\\there\\u00e9\"}, "
                                         "\"\\u001bx\\n\": {\"dtype\": \"I32\", \"shape\": [], "
                                         "\"data_offsets\": [0, 4]}}", 4);
    g_autoptr(FitSafetensors) st = fit_safetensors_new_from_bytes (bytes, &error);

    g_assert_no_error (error);
    g_assert_nonnull (fit_safetensors_get (st, "\033x\n"));
    g_assert_cmpstr (fit_safetensors_get_metadata (st, "k"), ==, "tab\there\xc3\xa9");
  }
}

#define ENTRY(name, dtype, shape, begin, end)                                              \
  "\"" name "\": {\"dtype\": \"" dtype "\", \"shape\": [" shape "], "                          \
  "\"data_offsets\": [" #begin ", " #end "]}"

static void
test_bad_layout (void)
{
  assert_header_malformed ("{" ENTRY ("a", "F32", "2", 0, 8) ", "
                           ENTRY ("b", "F32", "2", 4, 12) "}", 12, "overlap");
  assert_header_malformed ("{" ENTRY ("a", "F32", "2", 0, 8) ", "
                           ENTRY ("b", "F32", "2", 0, 8) "}", 8, "overlap");
  assert_header_malformed ("{" ENTRY ("a", "F32", "1", 4, 8) "}", 8, "belong to no tensor");
  assert_header_malformed ("{" ENTRY ("a", "F32", "1", 0, 4) "}", 12, "cover only 4");
}

/* A valid file whose header lists the tensors out of data order and pads with spaces. */
static void
test_foreign_order (void)
{
  const char *header = "{\"b\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [4, 12]}, "
                       "\"a\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [0, 4]}}   ";
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(FitSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *data;
  gsize size, len = strlen (header);
  gint32 a = GINT32_TO_LE (-5);
  gint64 b = GINT64_TO_LE (G_GINT64_CONSTANT (1) << 40);
  g_auto(GStrv) names = NULL;

  bytes = make_file (header, 12);
  data = g_bytes_unref_to_data (g_steal_pointer (&bytes), &size);
  memcpy (data + 8 + len, &a, 4);
  memcpy (data + 8 + len + 4, &b, 8);
  bytes = g_bytes_new_take (data, size);

  st = fit_safetensors_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  names = fit_safetensors_get_names (st);
  g_assert_cmpstr (names[0], ==, "a");
  g_assert_cmpuint (fit_tensor_get_n_dims (fit_safetensors_get (st, "a")), ==, 0);
  g_assert_cmpint (*(const gint32 *) fit_tensor_get_data (fit_safetensors_get (st, "a")), ==, -5);
  g_assert_cmpint (*(const gint64 *) fit_tensor_get_data (fit_safetensors_get (st, "b")), ==,
                   G_GINT64_CONSTANT (1) << 40);
}

/* Damaged copies of a valid file (bytes flipped, cut, header bytes changed) either load
 * or fail with FIT_ERROR_PARSE; never anything else, and never a crash. */
static void
test_random_damage (void)
{
  g_autoptr(FitSafetensors) st = sample ();
  g_autoptr(GBytes) good = fit_safetensors_to_bytes (st);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  gsize size = g_bytes_get_size (good);
  guint n_loaded = 0;

  for (guint round = 0; round < 3000; round++)
    {
      g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (good, NULL), size);
      gsize len = size;
      guint n_changes = g_rand_int_range (rand, 1, 4);
      g_autoptr(GBytes) damaged = NULL;
      g_autoptr(FitSafetensors) back = NULL;
      g_autoptr(GError) error = NULL;

      for (guint c = 0; c < n_changes; c++)
        {
          /* Mostly the header, where parsing happens. */
          gsize at = g_rand_int_range (rand, 0, MIN (len, 200));

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              data[at] = (guint8) g_rand_int (rand);
              break;
            case 1:
              data[at] ^= 1u << g_rand_int_range (rand, 0, 8);
              break;
            case 2:
              {
                static const char json_bytes[] = "{}[]\\\",:0123456789-.eE u";

                data[at] = json_bytes[g_rand_int_range (rand, 0, sizeof json_bytes - 1)];
              }
              break;
            default:
              len = g_rand_int_range (rand, 0, len + 1);
              break;
            }
          if (len == 0)
            break;
        }
      damaged = g_bytes_new (data, len);
      back = fit_safetensors_new_from_bytes (damaged, &error);
      if (back == NULL)
        g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
      else
        n_loaded++;
    }
  /* Some damage (inside tensor data, or a digit for a digit) leaves a valid file. */
  g_assert_cmpuint (n_loaded, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("fit-safetensors-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/Fit/Safetensors/roundtrip/bytes", test_roundtrip_bytes);
  g_test_add_func ("/Fit/Safetensors/roundtrip/file", test_roundtrip_file);
  g_test_add_func ("/Fit/Safetensors/save/errors", test_save_errors);
  g_test_add_func ("/Fit/Safetensors/collection", test_collection);
  g_test_add_func ("/Fit/Safetensors/malformed/truncated", test_truncated);
  g_test_add_func ("/Fit/Safetensors/malformed/header-length", test_header_length);
  g_test_add_func ("/Fit/Safetensors/malformed/json", test_bad_json);
  g_test_add_func ("/Fit/Safetensors/malformed/entries", test_bad_entries);
  g_test_add_func ("/Fit/Safetensors/malformed/layout", test_bad_layout);
  g_test_add_func ("/Fit/Safetensors/malformed/empty-huge-dims", test_empty_huge_dims);
  g_test_add_func ("/Fit/Safetensors/malformed/untrusted-strings", test_untrusted_strings);
  g_test_add_func ("/Fit/Safetensors/malformed/random-damage", test_random_damage);
  g_test_add_func ("/Fit/Safetensors/foreign-order", test_foreign_order);
  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
