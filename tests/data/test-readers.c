/* test-readers.c: IDX, NPY and CSV readers against files the tests write themselves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <glib/gstdio.h>

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmp_dir;

static char *
write_file (const char   *name,
            gconstpointer data,
            gsize         len)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

static GBytes *
gzip (gconstpointer data,
      gsize         len)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (z));
  g_autoptr(GError) error = NULL;
  gsize written;

  g_output_stream_write_all (out, data, len, &written, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

static char *
write_gzip (const char   *name,
            gconstpointer data,
            gsize         len,
            gssize        keep)
{
  g_autoptr(GBytes) z = gzip (data, len);
  gsize size;
  const guint8 *p = g_bytes_get_data (z, &size);

  return write_file (name, p, keep >= 0 ? MIN ((gsize) keep, size) : size);
}

/* ---- IDX ---- */

static GByteArray *
make_idx (guint8        type,
          guint         n_dims,
          const guint32 *dims,
          gconstpointer  data,
          gsize          n_bytes)
{
  GByteArray *a = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, type, n_dims };

  g_byte_array_append (a, magic, 4);
  for (guint i = 0; i < n_dims; i++)
    {
      guint32 be = GUINT32_TO_BE (dims[i]);

      g_byte_array_append (a, (guint8 *) &be, 4);
    }
  if (n_bytes > 0)
    g_byte_array_append (a, data, n_bytes);
  return a;
}

static GByteArray *
make_images (guint n,
             guint h,
             guint w)
{
  guint32 dims[3] = { n, h, w };
  g_autofree guint8 *pix = g_malloc (n * h * w);

  for (guint i = 0; i < n * h * w; i++)
    pix[i] = (i * 7 + 3) % 256;
  return make_idx (0x08, 3, dims, pix, n * h * w);
}

static GByteArray *
make_labels (guint n)
{
  guint32 dims[1] = { n };
  g_autofree guint8 *lab = g_malloc (n);

  for (guint i = 0; i < n; i++)
    lab[i] = i % 10;
  return make_idx (0x08, 1, dims, lab, n);
}

static void
test_idx_dataset (void)
{
  g_autoptr(GByteArray) img = make_images (5, 3, 4);
  g_autoptr(GByteArray) lab = make_labels (5);
  g_autofree char *ip = write_file ("img.idx", img->data, img->len);
  g_autofree char *lp = write_gzip ("lab.idx.gz", lab->data, lab->len, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = fit_idx_dataset_new (ip, lp, 1.0 / 255, NULL, &error);
  FitTensor *x, *y;
  const float *xf;
  const gint64 *yl;
  guint n_dims;
  const gint64 *shape;

  g_assert_no_error (error);
  g_assert_cmpuint (fit_dataset_get_n_items (FIT_DATASET (ds)), ==, 5);
  x = fit_tensor_dataset_get_inputs (ds);
  y = fit_tensor_dataset_get_labels (ds);
  shape = fit_tensor_get_shape (x, &n_dims);
  g_assert_cmpuint (n_dims, ==, 4);
  g_assert_cmpint (shape[0], ==, 5);
  g_assert_cmpint (shape[1], ==, 1);
  g_assert_cmpint (shape[2], ==, 3);
  g_assert_cmpint (shape[3], ==, 4);
  g_assert_cmpint (fit_tensor_get_dtype (x), ==, FIT_DTYPE_FLOAT32);
  g_assert_cmpint (fit_tensor_get_dtype (y), ==, FIT_DTYPE_INT64);
  xf = fit_tensor_get_data (x);
  for (guint i = 0; i < 60; i++)
    g_assert_cmpfloat_with_epsilon (xf[i], ((i * 7 + 3) % 256) / 255.0f, 1e-6);
  yl = fit_tensor_get_data (y);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (yl[i], ==, i % 10);
}

static void
test_idx_types (void)
{
  /* Big-endian int32, float and double, read into every dtype. */
  guint32 dims[2] = { 2, 2 };
  guint8 ints[16], floats[16], doubles[32];
  gint32 iv[4] = { -70000, 1, 2, 300000 };
  float fv[4] = { 0.5f, -1.25f, 3.0f, 1e6f };
  double dv[4] = { 0.1, -2.5, 3.75, 1e-3 };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 4; i++)
    {
      guint32 u;
      guint64 u64;

      u = GUINT32_TO_BE ((guint32) iv[i]);
      memcpy (ints + 4 * i, &u, 4);
      memcpy (&u, &fv[i], 4);
      u = GUINT32_TO_BE (u);
      memcpy (floats + 4 * i, &u, 4);
      memcpy (&u64, &dv[i], 8);
      u64 = GUINT64_TO_BE (u64);
      memcpy (doubles + 8 * i, &u64, 8);
    }

  {
    g_autoptr(GByteArray) f = make_idx (0x0c, 2, dims, ints, 16);
    g_autofree char *p = write_file ("int.idx", f->data, f->len);
    g_autoptr(FitTensor) t = fit_idx_read (p, FIT_DTYPE_INT64, NULL, &error);
    const gint64 *v;

    g_assert_no_error (error);
    v = fit_tensor_get_data (t);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (v[i], ==, iv[i]);
  }
  {
    g_autoptr(GByteArray) f = make_idx (0x0d, 2, dims, floats, 16);
    g_autofree char *p = write_file ("float.idx", f->data, f->len);
    g_autoptr(FitTensor) t = fit_idx_read (p, FIT_DTYPE_FLOAT64, NULL, &error);
    const double *v;

    g_assert_no_error (error);
    v = fit_tensor_get_data (t);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpfloat (v[i], ==, fv[i]);
  }
  {
    g_autoptr(GByteArray) f = make_idx (0x0e, 2, dims, doubles, 32);
    g_autofree char *p = write_file ("double.idx", f->data, f->len);
    g_autoptr(FitTensor) t = fit_idx_read (p, FIT_DTYPE_FLOAT64, NULL, &error);
    const double *v;

    g_assert_no_error (error);
    v = fit_tensor_get_data (t);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpfloat (v[i], ==, dv[i]);
  }
}

static void
assert_idx_error (const char *path,
                  int         code,
                  const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_idx_read (path, FIT_DTYPE_FLOAT32, NULL, &error);

  g_assert_null (t);
  g_assert_error (error, FIT_ERROR, code);
  /* Every message names the file. */
  g_assert_nonnull (strstr (error->message, path));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_idx_errors (void)
{
  g_autoptr(GByteArray) img = make_images (4, 5, 5);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-file", NULL);
  g_autofree char *bad_magic = NULL, *short_data = NULL, *trunc_gz = NULL, *corrupt_gz = NULL;
  g_autofree char *trailing = NULL, *header_only = NULL, *huge = NULL, *huge_gz = NULL;
  g_autofree char *bad_type = NULL, *empty = NULL, *zero_dims = NULL;
  g_autoptr(GByteArray) copy = NULL;
  g_autoptr(GBytes) z = NULL;
  guint32 big_dims[3] = { 0xffffffffu, 0xffffffffu, 0xffffffffu };
  g_autoptr(GByteArray) big = make_idx (0x08, 3, big_dims, "abcd", 4);
  guint8 zero_magic[4] = { 0, 0, 8, 0 };

  assert_idx_error (missing, FIT_ERROR_IO, NULL);

  copy = g_byte_array_sized_new (img->len);
  g_byte_array_append (copy, img->data, img->len);
  copy->data[0] = 0x12;
  bad_magic = write_file ("bad-magic.idx", copy->data, copy->len);
  assert_idx_error (bad_magic, FIT_ERROR_PARSE, "magic number");

  copy->data[0] = 0;
  copy->data[2] = 0x07;
  bad_type = write_file ("bad-type.idx", copy->data, copy->len);
  assert_idx_error (bad_type, FIT_ERROR_PARSE, "magic number");

  empty = write_file ("empty.idx", "", 0);
  assert_idx_error (empty, FIT_ERROR_PARSE, "byte 0");

  zero_dims = write_file ("zero-dims.idx", zero_magic, 4);
  assert_idx_error (zero_dims, FIT_ERROR_PARSE, "dimensions");

  header_only = write_file ("header-only.idx", img->data, 10);
  assert_idx_error (header_only, FIT_ERROR_PARSE, "byte 10");

  /* The header promises 100 bytes but only 60 follow. */
  short_data = write_file ("short.idx", img->data, img->len - 40);
  assert_idx_error (short_data, FIT_ERROR_PARSE, "more than the file can hold");

  trailing = write_file ("trailing.idx", img->data, img->len);
  {
    g_autoptr(GByteArray) t = g_byte_array_new ();

    g_byte_array_append (t, img->data, img->len);
    g_byte_array_append (t, (guint8 *) "xyz", 3);
    g_free (trailing);
    trailing = write_file ("trailing.idx", t->data, t->len);
  }
  assert_idx_error (trailing, FIT_ERROR_PARSE, "3 bytes follow");

  /* 2^96 elements: refused from the header, before any allocation. */
  huge = write_file ("huge.idx", big->data, big->len);
  assert_idx_error (huge, FIT_ERROR_PARSE, "promises");
  huge_gz = write_gzip ("huge.idx.gz", big->data, big->len, -1);
  assert_idx_error (huge_gz, FIT_ERROR_PARSE, "uncompressed");

  /* Truncated gzip: the stream ends early, and a stream cut just before its trailer. */
  z = gzip (img->data, img->len);
  trunc_gz = write_gzip ("trunc.idx.gz", img->data, img->len, g_bytes_get_size (z) / 2);
  assert_idx_error (trunc_gz, FIT_ERROR_PARSE, "gzip");
  g_free (trunc_gz);
  trunc_gz = write_gzip ("trunc2.idx.gz", img->data, img->len, g_bytes_get_size (z) - 4);
  assert_idx_error (trunc_gz, FIT_ERROR_PARSE, "gzip");

  /* A corrupt CRC in the trailer. */
  {
    g_autoptr(GByteArray) c = g_byte_array_new ();
    gsize size;
    const guint8 *p = g_bytes_get_data (z, &size);

    g_byte_array_append (c, p, size);
    c->data[size - 8] ^= 0xff;
    corrupt_gz = write_file ("corrupt.idx.gz", c->data, c->len);
    assert_idx_error (corrupt_gz, FIT_ERROR_PARSE, "gzip");
  }
}

static void
test_idx_label_mismatch (void)
{
  g_autoptr(GByteArray) img = make_images (5, 2, 2);
  g_autoptr(GByteArray) lab = make_labels (4);
  g_autofree char *ip = write_file ("mm-img.idx", img->data, img->len);
  g_autofree char *lp = write_file ("mm-lab.idx", lab->data, lab->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = fit_idx_dataset_new (ip, lp, 1.0, NULL, &error);

  g_assert_null (ds);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, lp));
}

static void
test_idx_cancel (void)
{
  g_autoptr(GByteArray) img = make_images (5, 2, 2);
  g_autofree char *ip = write_gzip ("cancel.idx.gz", img->data, img->len, -1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = NULL;

  g_cancellable_cancel (cancellable);
  t = fit_idx_read (ip, FIT_DTYPE_FLOAT32, cancellable, &error);
  g_assert_null (t);
  g_assert_true (g_error_matches (error, FIT_ERROR, FIT_ERROR_CANCELLED) ||
                 g_error_matches (error, FIT_ERROR, FIT_ERROR_IO));
}

/* ---- NPY ---- */

static GByteArray *
make_npy (guint        major,
          const char  *dict,
          gconstpointer data,
          gsize        n_bytes)
{
  GByteArray *a = g_byte_array_new ();
  gsize prefix = major == 1 ? 10 : 12;
  gsize len = strlen (dict) + 1;
  gsize padded = ((prefix + len + 63) / 64) * 64 - prefix;
  g_autofree char *header = g_malloc (padded);
  guint8 pre[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', major, 0 };

  memset (header, ' ', padded);
  memcpy (header, dict, strlen (dict));
  header[padded - 1] = '\n';
  if (major == 1)
    {
      pre[8] = padded & 0xff;
      pre[9] = padded >> 8;
    }
  else
    {
      guint32 le = GUINT32_TO_LE ((guint32) padded);

      memcpy (pre + 8, &le, 4);
    }
  g_byte_array_append (a, pre, prefix);
  g_byte_array_append (a, (guint8 *) header, padded);
  if (n_bytes > 0)
    g_byte_array_append (a, data, n_bytes);
  return a;
}

static void
test_npy_dtypes (void)
{
  float f4[6] = { 1, 2, 3, 4, 5, 6.5f };
  double f8[3] = { 0.1, 0.2, -0.3 };
  gint32 i4[4] = { -1, 0, 1, 2147483647 };
  gint64 i8[2] = { G_GINT64_CONSTANT (-5000000000), 7 };
  guint8 u1[4] = { 0, 1, 128, 255 };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GByteArray) f = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (2, 3), }", f4, sizeof f4);
    g_autofree char *p = write_file ("f4.npy", f->data, f->len);
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);
    guint n_dims;
    const gint64 *shape;

    g_assert_no_error (error);
    shape = fit_tensor_get_shape (t, &n_dims);
    g_assert_cmpuint (n_dims, ==, 2);
    g_assert_cmpint (shape[0], ==, 2);
    g_assert_cmpint (shape[1], ==, 3);
    g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_FLOAT32);
    g_assert_cmpmem (fit_tensor_get_data (t), sizeof f4, f4, sizeof f4);
  }
  {
    g_autoptr(GByteArray) f = make_npy (2, "{'descr': '<f8', 'fortran_order': False, "
                                           "'shape': (3,), }", f8, sizeof f8);
    g_autofree char *p = write_file ("f8.npy", f->data, f->len);
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_FLOAT64);
    g_assert_cmpmem (fit_tensor_get_data (t), sizeof f8, f8, sizeof f8);
  }
  {
    g_autoptr(GByteArray) f = make_npy (3, "{\"descr\": \"<i4\", \"fortran_order\": False, "
                                           "\"shape\": (2, 2)}", i4, sizeof i4);
    g_autofree char *p = write_file ("i4.npy", f->data, f->len);
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_INT32);
    g_assert_cmpmem (fit_tensor_get_data (t), sizeof i4, i4, sizeof i4);
  }
  {
    g_autoptr(GByteArray) f = make_npy (1, "{'descr': '<i8', 'fortran_order': False, "
                                           "'shape': (2,), }", i8, sizeof i8);
    g_autofree char *p = write_gzip ("i8.npy.gz", f->data, f->len, -1);
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_INT64);
    g_assert_cmpmem (fit_tensor_get_data (t), sizeof i8, i8, sizeof i8);
  }
  {
    g_autoptr(GByteArray) f = make_npy (1, "{'descr': '|u1', 'fortran_order': False, "
                                           "'shape': (4,), }", u1, sizeof u1);
    g_autofree char *p = write_file ("u1.npy", f->data, f->len);
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);
    g_autoptr(FitTensor) l = NULL;
    const float *v;
    const gint64 *lv;

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_FLOAT32);
    v = fit_tensor_get_data (t);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpfloat (v[i], ==, u1[i]);

    l = fit_npy_load_as (p, FIT_DTYPE_INT64, NULL, &error);
    g_assert_no_error (error);
    lv = fit_tensor_get_data (l);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (lv[i], ==, u1[i]);
  }
  {
    double one = 2.5;
    g_autoptr(GByteArray) f = make_npy (1, "{'descr': '<f8', 'fortran_order': False, "
                                           "'shape': (), }", &one, sizeof one);
    g_autofree char *p = write_file ("scalar.npy", f->data, f->len);
    g_autoptr(FitTensor) t = fit_npy_load_as (p, FIT_DTYPE_FLOAT32, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (fit_tensor_get_n_dims (t), ==, 0);
    g_assert_cmpfloat (*(const float *) fit_tensor_get_data (t), ==, 2.5f);
  }
}

static void
assert_npy_error (const char *name,
                  GByteArray *file,
                  int         code,
                  const char *fragment)
{
  g_autofree char *path = write_file (name, file->data, file->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_npy_load (path, NULL, &error);

  g_assert_null (t);
  g_assert_error (error, FIT_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_npy_errors (void)
{
  float data[4] = { 1, 2, 3, 4 };
  g_autoptr(GByteArray) fortran = make_npy (1, "{'descr': '<f4', 'fortran_order': True, "
                                               "'shape': (2, 2), }", data, 16);
  g_autoptr(GByteArray) big_endian = make_npy (1, "{'descr': '>f4', 'fortran_order': False, "
                                                  "'shape': (4,), }", data, 16);
  g_autoptr(GByteArray) complex = make_npy (1, "{'descr': '<c8', 'fortran_order': False, "
                                               "'shape': (2,), }", data, 16);
  g_autoptr(GByteArray) structured = make_npy (1, "{'descr': [('a', '<f4')], "
                                                  "'fortran_order': False, 'shape': (4,), }",
                                               data, 16);
  g_autoptr(GByteArray) too_many_dims = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                     "'shape': (1,1,1,1,1,1,1,1,4), }", data, 16);
  g_autoptr(GByteArray) malformed = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': (2, x), }", data, 16);
  g_autoptr(GByteArray) missing_key = make_npy (1, "{'descr': '<f4', 'shape': (4,), }",
                                                data, 16);
  g_autoptr(GByteArray) huge = make_npy (1, "{'descr': '<f8', 'fortran_order': False, "
                                            "'shape': (100000000000, 100000000000), }", data, 16);
  g_autoptr(GByteArray) promises_more = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                     "'shape': (8,), }", data, 16);
  g_autoptr(GByteArray) trailing = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                "'shape': (3,), }", data, 16);
  g_autoptr(GByteArray) bad_magic = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': (4,), }", data, 16);
  g_autoptr(GByteArray) bad_version = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                   "'shape': (4,), }", data, 16);
  g_autoptr(GByteArray) short_header = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                                    "'shape': (4,), }", NULL, 0);

  assert_npy_error ("fortran.npy", fortran, FIT_ERROR_SHAPE, "Fortran");
  assert_npy_error ("be.npy", big_endian, FIT_ERROR_DTYPE, ">f4");
  assert_npy_error ("complex.npy", complex, FIT_ERROR_DTYPE, "<c8");
  assert_npy_error ("structured.npy", structured, FIT_ERROR_DTYPE, NULL);
  assert_npy_error ("dims.npy", too_many_dims, FIT_ERROR_SHAPE, "9 dimensions");
  assert_npy_error ("malformed.npy", malformed, FIT_ERROR_PARSE, "malformed");
  assert_npy_error ("missing-key.npy", missing_key, FIT_ERROR_PARSE, "fortran_order");
  assert_npy_error ("huge.npy", huge, FIT_ERROR_PARSE, "more than the file can hold");
  assert_npy_error ("more.npy", promises_more, FIT_ERROR_PARSE, "more than the file can hold");
  assert_npy_error ("trailing.npy", trailing, FIT_ERROR_PARSE, "4 bytes follow");
  bad_magic->data[1] = 'X';
  assert_npy_error ("magic.npy", bad_magic, FIT_ERROR_PARSE, "magic");
  bad_version->data[6] = 9;
  assert_npy_error ("version.npy", bad_version, FIT_ERROR_PARSE, "version");
  g_byte_array_set_size (short_header, 30);
  assert_npy_error ("short-header.npy", short_header, FIT_ERROR_PARSE, "byte 30");

  /* A gzip file whose data stops short of the header's promise. */
  {
    g_autoptr(GByteArray) f = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (64,), }", data, 16);
    g_autofree char *p = write_gzip ("short.npy.gz", f->data, f->len, -1);
    g_autoptr(GError) error = NULL;
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);

    g_assert_null (t);
    g_assert_error (error, FIT_ERROR, FIT_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "data ends at byte"));
  }
}

/* ---- CSV ---- */

static FitTensorDataset *
read_csv (FitCsvReader *reader,
          const char   *name,
          const char   *text,
          GError      **error)
{
  g_autofree char *path = write_file (name, text, strlen (text));

  return fit_csv_reader_read (reader, path, NULL, error);
}

static void
assert_floats (FitTensor   *t,
               const float *expected,
               guint        n)
{
  const float *v = fit_tensor_get_data (t);

  g_assert_cmpint (fit_tensor_get_numel (t), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (v[i], expected[i], 1e-6);
}

static void
assert_int64s (FitTensor    *t,
               const gint64 *expected,
               guint         n)
{
  const gint64 *v = fit_tensor_get_data (t);

  g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_INT64);
  g_assert_cmpint (fit_tensor_get_numel (t), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (v[i], ==, expected[i]);
}

static void
test_csv_class_names (void)
{
  const char *text = "sepal,petal,species\r\n"
                     "1.5,2,virginica\r\n"
                     "\r\n"
                     "3,4.25,setosa\r\n"
                     "-5e-1, 6 ,\"virginica\"\r\n"
                     "7,8,\"versi,\"\"color\"\"\"\r\n";
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = read_csv (reader, "iris.csv", text, &error);
  const float features[] = { 1.5f, 2, 3, 4.25f, -0.5f, 6, 7, 8 };
  const gint64 first_seen[] = { 0, 1, 0, 2 };
  const gint64 sorted[] = { 2, 0, 2, 1 };
  const char * const *names;

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (fit_tensor_dataset_get_inputs (ds), 0), ==, 4);
  g_assert_cmpint (fit_tensor_get_dim (fit_tensor_dataset_get_inputs (ds), 1), ==, 2);
  assert_floats (fit_tensor_dataset_get_inputs (ds), features, 8);
  assert_int64s (fit_tensor_dataset_get_labels (ds), first_seen, 4);
  names = fit_tensor_dataset_get_class_names (ds);
  g_assert_cmpstr (names[0], ==, "virginica");
  g_assert_cmpstr (names[1], ==, "setosa");
  g_assert_cmpstr (names[2], ==, "versi,\"color\"");
  g_assert_null (names[3]);

  g_clear_object (&ds);
  fit_csv_reader_set_class_order (reader, FIT_CLASS_ORDER_SORTED);
  ds = read_csv (reader, "iris.csv", text, &error);
  g_assert_no_error (error);
  assert_int64s (fit_tensor_dataset_get_labels (ds), sorted, 4);
  names = fit_tensor_dataset_get_class_names (ds);
  g_assert_cmpstr (names[0], ==, "setosa");
  g_assert_cmpstr (names[1], ==, "versi,\"color\"");
  g_assert_cmpstr (names[2], ==, "virginica");
}

static void
test_csv_label_column (void)
{
  const char *text = "a;label;b\n1;3;2\n4;0;5\n";
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;
  const float features[] = { 1, 2, 4, 5 };
  const gint64 labels[] = { 3, 0 };
  const float by_index_features[] = { 3, 2, 0, 5 };
  const gint64 by_index_labels[] = { 1, 4 };

  fit_csv_reader_set_delimiter (reader, ';');
  fit_csv_reader_set_label_column_name (reader, "label");
  ds = read_csv (reader, "named.csv", text, &error);
  g_assert_no_error (error);
  assert_floats (fit_tensor_dataset_get_inputs (ds), features, 4);
  assert_int64s (fit_tensor_dataset_get_labels (ds), labels, 2);
  g_assert_null (fit_tensor_dataset_get_class_names (ds));

  /* By index, counting from 0; the name, when set, wins, so clear it. */
  g_clear_object (&ds);
  fit_csv_reader_set_label_column_name (reader, NULL);
  fit_csv_reader_set_label_column (reader, 0);
  ds = read_csv (reader, "named.csv", text, &error);
  g_assert_no_error (error);
  assert_floats (fit_tensor_dataset_get_inputs (ds), by_index_features, 4);
  assert_int64s (fit_tensor_dataset_get_labels (ds), by_index_labels, 2);

  /* No header, float labels (regression) in the last column. */
  g_clear_object (&ds);
  fit_csv_reader_set_has_header (reader, FALSE);
  fit_csv_reader_set_label_column (reader, -1);
  ds = read_csv (reader, "regression.csv", "1;2;0.5\n3;4;-1.5\n", &error);
  g_assert_no_error (error);
  {
    const float f[] = { 1, 2, 3, 4 }, y[] = { 0.5f, -1.5f };

    assert_floats (fit_tensor_dataset_get_inputs (ds), f, 4);
    g_assert_cmpint (fit_tensor_get_dtype (fit_tensor_dataset_get_labels (ds)), ==,
                     FIT_DTYPE_FLOAT32);
    assert_floats (fit_tensor_dataset_get_labels (ds), y, 2);
  }

  /* gzip, read by content. */
  g_clear_object (&ds);
  {
    const char *csv = "1;2;7\n3;4;8\n";
    g_autofree char *p = write_gzip ("gz.csv.gz", csv, strlen (csv), -1);
    const gint64 y[] = { 7, 8 };

    ds = fit_csv_reader_read (reader, p, NULL, &error);
    g_assert_no_error (error);
    assert_int64s (fit_tensor_dataset_get_labels (ds), y, 2);
  }
}

static void
assert_csv_error (FitCsvReader *reader,
                  const char   *name,
                  const char   *text,
                  int           code,
                  const char   *fragment)
{
  g_autofree char *path = write_file (name, text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = fit_csv_reader_read (reader, path, NULL, &error);

  g_assert_null (ds);
  g_assert_error (error, FIT_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_csv_errors (void)
{
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.csv", NULL);
  g_autoptr(GError) error = NULL;

  /* Ragged rows, with the line (the blank line 3 still counts). */
  assert_csv_error (reader, "ragged.csv", "a,b,y\n1,2,0\n\n3,0\n", FIT_ERROR_PARSE,
                    "ragged.csv:4: the row has 2 fields but the header has 3");
  assert_csv_error (reader, "long.csv", "a,b,y\n1,2,0\n3,4,5,6\n", FIT_ERROR_PARSE, ":3:");
  /* A non-numeric feature, with line and column. */
  assert_csv_error (reader, "text.csv", "a,b,y\n1,2,0\n3,abc,1\n", FIT_ERROR_PARSE,
                    ":3: column 2 (“b”) holds “abc”");
  assert_csv_error (reader, "blank.csv", "a,b,y\n1,,0\n", FIT_ERROR_PARSE, ":2:");
  assert_csv_error (reader, "quote.csv", "a,b,y\n1,2,\"open\n", FIT_ERROR_PARSE,
                    "not closed");
  assert_csv_error (reader, "after-quote.csv", "a,b,y\n1,2,\"x\"y\n", FIT_ERROR_PARSE, ":2:");
  assert_csv_error (reader, "empty.csv", "", FIT_ERROR_PARSE, "no rows");
  assert_csv_error (reader, "header-only.csv", "a,b,y\n", FIT_ERROR_PARSE, "no rows");

  fit_csv_reader_set_label_column_name (reader, "label");
  assert_csv_error (reader, "no-label.csv", "a,b,y\n1,2,0\n", FIT_ERROR_NOT_FOUND, "a, b, y");
  fit_csv_reader_set_label_column_name (reader, NULL);
  fit_csv_reader_set_label_column (reader, 5);
  assert_csv_error (reader, "no-col.csv", "a,b,y\n1,2,0\n", FIT_ERROR_NOT_FOUND, "3 columns");

  g_assert_null (fit_csv_reader_read (reader, missing, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_IO);
}

/* ---- hostile files: each test is built from an input that once crashed a reader,
 * made it allocate from a header, or gave a message bindings could not convert ---- */

/* An error as bindings see it: the right domain and code, the file named, valid UTF-8
 * and no longer than the file name plus a few lines. */
static void
assert_hostile_error (const GError *error,
                      int           code,
                      const char   *display_name,
                      const char   *fragment)
{
  g_assert_error (error, FIT_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (strstr (error->message, display_name) == NULL)
    g_error ("“%s” does not name “%s”", error->message, display_name);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
  g_assert_cmpuint (strlen (error->message), <, strlen (display_name) + 400);
}

static void
test_npy_too_many_dims (void)
{
  /* 49 dimensions once wrote 41 sizes past the end of an array on the stack. */
  g_autoptr(GString) dict = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  float one = 1;

  for (guint i = 0; i < 49; i++)
    g_string_append (dict, "1, ");
  g_string_append (dict, "), }");
  {
    g_autoptr(GByteArray) f = make_npy (1, dict->str, &one, sizeof one);

    assert_npy_error ("49-dims.npy", f, FIT_ERROR_SHAPE, "49 dimensions");
  }
}

static void
test_empty_huge_shape (void)
{
  /* An empty array whose other sizes overflow: no data to read, but no tensor either. */
  g_autoptr(GByteArray) npy = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (1099511627776, 1099511627776, 0), }",
                                        NULL, 0);
  guint32 dims[4] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0 };
  g_autoptr(GByteArray) idx = make_idx (0x08, 4, dims, NULL, 0);
  g_autofree char *idx_path = write_file ("empty-huge.idx", idx->data, idx->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = NULL;

  assert_npy_error ("empty-huge.npy", npy, FIT_ERROR_SHAPE, "[1099511627776, 1099511627776, 0]");
  t = fit_idx_read (idx_path, FIT_DTYPE_FLOAT32, NULL, &error);
  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_SHAPE, idx_path, "overflowing");

  /* Empty arrays with sensible sizes are fine. */
  g_clear_error (&error);
  {
    g_autoptr(GByteArray) ok = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                            "'shape': (3, 0), }", NULL, 0);
    g_autofree char *p = write_file ("empty.npy", ok->data, ok->len);

    t = fit_npy_load (p, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_dim (t, 0), ==, 3);
    g_assert_cmpint (fit_tensor_get_numel (t), ==, 0);
  }
}

/* Limits the address space to what the process uses now plus @extra bytes, so that an
 * allocation beyond that fails (and aborts the process). */
static void
limit_address_space (guint64 extra)
{
  g_autofree char *status = NULL;
  const char *line;
  struct rlimit limit;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmSize:");
  g_assert_nonnull (line);
  limit.rlim_cur = limit.rlim_max = g_ascii_strtoull (line + 7, NULL, 10) * 1024 + extra;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
}

/* A header promising 200 million bytes, then 200 KB of random bytes, compressed: the
 * file could hold the promise once uncompressed, but does not. */
static char *
write_bomb (const char   *name,
            GByteArray   *header)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autoptr(GByteArray) f = g_byte_array_new ();

  g_byte_array_append (f, header->data, header->len);
  for (guint i = 0; i < 200 * 1024; i++)
    {
      guint8 b = g_rand_int (rand);

      g_byte_array_append (f, &b, 1);
    }
  return write_gzip (name, f->data, f->len, -1);
}

static void
test_gzip_bomb (void)
{
  guint32 dims[1] = { 200000000 };
  g_autoptr(GByteArray) idx = make_idx (0x08, 1, dims, NULL, 0);
  g_autoptr(GByteArray) npy = make_npy (1, "{'descr': '|u1', 'fortran_order': False, "
                                           "'shape': (200000000,), }", NULL, 0);
  g_autofree char *idx_path = write_bomb ("bomb.idx.gz", idx);
  g_autofree char *npy_path = write_bomb ("bomb.npy.gz", npy);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;

  if (!g_test_subprocess ())
    {
      /* The readers once allocated the 800 MB float32 tensor before reading. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  limit_address_space (256 * 1024 * 1024);
  t = fit_idx_read (idx_path, FIT_DTYPE_FLOAT32, NULL, &error);
  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_PARSE, idx_path, "the data ends at byte");
  g_clear_error (&error);
  t = fit_npy_load (npy_path, NULL, &error);
  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_PARSE, npy_path, "the data ends at byte");
  g_clear_error (&error);
  /* Labels become int64, eight times the bytes. */
  ds = fit_idx_dataset_new (idx_path, idx_path, 1.0, NULL, &error);
  g_assert_null (ds);
  assert_hostile_error (error, FIT_ERROR_PARSE, idx_path, "the data ends at byte");
}

static void
test_gzip_grows (void)
{
  /* Larger than the first allocation for data whose size the file cannot vouch for, so
   * that the buffer it is staged in grows several times. */
  guint n = 300001;
  g_autofree float *values = g_new (float, n);
  g_autofree guint8 *bytes = g_new (guint8, n);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      values[i] = i * 0.5f - 7;
      bytes[i] = (i * 31) % 251;
    }
  {
    g_autofree char *dict = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, "
                                             "'shape': (%u, 1), }", n);
    g_autoptr(GByteArray) f = make_npy (1, dict, values, n * sizeof (float));
    g_autofree char *p = write_gzip ("grow.npy.gz", f->data, f->len, -1);
    g_autoptr(FitTensor) t = fit_npy_load (p, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (fit_tensor_get_n_dims (t), ==, 2);
    g_assert_cmpint (fit_tensor_get_dim (t, 0), ==, n);
    g_assert_cmpmem (fit_tensor_get_data (t), n * sizeof (float), values, n * sizeof (float));
  }
  {
    guint32 dims[1] = { n };
    g_autoptr(GByteArray) f = make_idx (0x08, 1, dims, bytes, n);
    g_autofree char *p = write_gzip ("grow.idx.gz", f->data, f->len, -1);
    g_autoptr(FitTensor) t = fit_idx_read (p, FIT_DTYPE_INT64, NULL, &error);
    const gint64 *v;

    g_assert_no_error (error);
    g_assert_cmpint (fit_tensor_get_numel (t), ==, n);
    v = fit_tensor_get_data (t);
    for (guint i = 0; i < n; i++)
      g_assert_cmpint (v[i], ==, bytes[i]);
  }
}

typedef struct
{
  const char *path;
  GByteArray *data;
} FifoJob;

static gpointer
write_fifo (gpointer user_data)
{
  FifoJob *job = user_data;
  int fd = open (job->path, O_WRONLY);
  gsize done = 0;

  g_assert_cmpint (fd, >=, 0);
  while (done < job->data->len)
    {
      gssize n = write (fd, job->data->data + done, job->data->len - done);

      if (n <= 0)
        break;
      done += n;
    }
  close (fd);
  return NULL;
}

static void
test_npy_pipe (void)
{
  /* A pipe has no size to allocate by: the data is staged as it arrives. */
  guint n = 100000;
  g_autofree gint32 *values = g_new (gint32, n);
  g_autofree char *dict = g_strdup_printf ("{'descr': '<i4', 'fortran_order': False, "
                                           "'shape': (%u,), }", n);
  g_autofree char *path = g_build_filename (tmp_dir, "pipe.npy", NULL);
  g_autoptr(GByteArray) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = NULL;
  FifoJob job;
  GThread *writer;

  for (guint i = 0; i < n; i++)
    values[i] = (gint32) (i * 2654435761u);
  f = make_npy (1, dict, values, n * sizeof (gint32));
  signal (SIGPIPE, SIG_IGN);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  job.path = path;
  job.data = f;
  writer = g_thread_new ("fifo", write_fifo, &job);
  t = fit_npy_load (path, NULL, &error);
  g_thread_join (writer);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (t), ==, FIT_DTYPE_INT32);
  g_assert_cmpmem (fit_tensor_get_data (t), n * sizeof (gint32), values, n * sizeof (gint32));
}

static void
test_npy_not_utf8 (void)
{
  float data[2] = { 1, 2 };
  g_autoptr(GByteArray) bad = make_npy (1, "{'descr': '\xff\xfe\x01<f4', 'fortran_order': "
                                           "False, 'shape': (2,), }", data, sizeof data);
  g_autoptr(GString) dict = g_string_new ("{'descr': '");
  g_autoptr(GByteArray) long_descr = NULL;
  g_autofree char *path = write_file ("descr.npy", bad->data, bad->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_npy_load (path, NULL, &error);

  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_DTYPE, path, "'\\xff\\xfe\\x01<f4'");

  /* Quoted file text is cut short. */
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (dict, 'x');
  g_string_append (dict, "', 'fortran_order': False, 'shape': (2,), }");
  long_descr = make_npy (1, dict->str, data, sizeof data);
  g_clear_error (&error);
  g_free (path);
  path = write_file ("long-descr.npy", long_descr->data, long_descr->len);
  t = fit_npy_load (path, NULL, &error);
  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_DTYPE, path, "xxxx…'");
}

static void
test_file_name_not_utf8 (void)
{
  /* File names are bytes; messages show them as valid UTF-8. */
  g_autofree char *path = write_file ("bad-\xff-name.npy", "not an npy file", 15);
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_npy_load (path, NULL, &error);
  g_autoptr(FitTensorDataset) ds = NULL;

  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_PARSE, display, "magic");
  g_clear_error (&error);
  t = fit_idx_read (path, FIT_DTYPE_FLOAT32, NULL, &error);
  assert_hostile_error (error, FIT_ERROR_PARSE, display, "magic");
  g_clear_error (&error);
  ds = fit_csv_reader_read (reader, path, NULL, &error);
  assert_hostile_error (error, FIT_ERROR_PARSE, display, "no rows");
  g_clear_error (&error);
  g_unlink (path);
  ds = fit_csv_reader_read (reader, path, NULL, &error);
  assert_hostile_error (error, FIT_ERROR_IO, display, NULL);
}

static void
assert_npy_int_error (const char   *name,
                      const char   *dict,
                      gconstpointer data,
                      gsize         n_bytes,
                      FitDType      dtype,
                      const char   *fragment)
{
  g_autoptr(GByteArray) f = make_npy (1, dict, data, n_bytes);
  g_autofree char *path = write_file (name, f->data, f->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) t = fit_npy_load_as (path, dtype, NULL, &error);

  g_assert_null (t);
  assert_hostile_error (error, FIT_ERROR_INVALID_ARGUMENT, path, fragment);
}

static void
test_npy_int_conversion (void)
{
  float f4[3] = { 1, NAN, 2 };
  double f8[3] = { 0, -2.5, 3e9 };
  gint64 i8[2] = { -5, G_GINT64_CONSTANT (1) << 40 };
  float ok[4] = { -1.5f, 2.75f, -2147483648.0f, 1e9f };
  const gint32 truncated[4] = { -1, 2, G_MININT32, 1000000000 };
  g_autoptr(GError) error = NULL;

  /* Once undefined behaviour (cvttss2si gives INT_MIN on x86); now an error naming the
   * element. */
  assert_npy_int_error ("nan.npy", "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (3,), }", f4, sizeof f4, FIT_DTYPE_INT64,
                        "element 1 of the data is nan, which is not a value of int64");
  assert_npy_int_error ("big.npy", "{'descr': '<f8', 'fortran_order': False, "
                        "'shape': (3,), }", f8, sizeof f8, FIT_DTYPE_INT32,
                        "element 2 of the data is 3000000000");
  assert_npy_int_error ("wide.npy", "{'descr': '<i8', 'fortran_order': False, "
                        "'shape': (2,), }", i8, sizeof i8, FIT_DTYPE_INT32,
                        "element 1 of the data is 1099511627776");
  {
    g_autoptr(GByteArray) f = make_npy (1, "{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (4,), }", ok, sizeof ok);
    g_autofree char *p = write_file ("truncate.npy", f->data, f->len);
    g_autoptr(FitTensor) t = fit_npy_load_as (p, FIT_DTYPE_INT32, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (fit_tensor_get_data (t), sizeof truncated, truncated, sizeof truncated);
  }
}

static void
test_idx_int_conversion (void)
{
  guint32 dims[1] = { 3 };
  float fv[3] = { 0.5f, -1, INFINITY };
  double dv[1] = { 1e19 };
  guint8 floats[12], doubles[8];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    {
      guint32 u;

      memcpy (&u, &fv[i], 4);
      u = GUINT32_TO_BE (u);
      memcpy (floats + 4 * i, &u, 4);
    }
  {
    guint64 u;

    memcpy (&u, &dv[0], 8);
    u = GUINT64_TO_BE (u);
    memcpy (doubles, &u, 8);
  }
  {
    g_autoptr(GByteArray) f = make_idx (0x0d, 1, dims, floats, sizeof floats);
    g_autofree char *p = write_file ("inf.idx", f->data, f->len);
    g_autoptr(FitTensor) t = fit_idx_read (p, FIT_DTYPE_INT32, NULL, &error);

    g_assert_null (t);
    assert_hostile_error (error, FIT_ERROR_INVALID_ARGUMENT, p, "element 2 of the data is inf");
    g_clear_error (&error);
  }
  {
    g_autoptr(GByteArray) f = make_idx (0x0e, 1, dims, doubles, sizeof doubles);
    g_autofree char *p = NULL;
    g_autoptr(FitTensor) t = NULL;

    f->data[7] = 1;    /* one element */
    p = write_file ("big.idx", f->data, f->len);
    t = fit_idx_read (p, FIT_DTYPE_INT64, NULL, &error);
    g_assert_null (t);
    assert_hostile_error (error, FIT_ERROR_INVALID_ARGUMENT, p, "element 0 of the data is 1e+19");
  }
}

static void
test_idx_empty_images (void)
{
  /* Items without pixels and without labels: a dataset of 4 billion nothings, which a
   * loader would need 32 GB just to shuffle. */
  guint32 dims[3] = { 0xffffffffu, 0, 28 };
  g_autoptr(GByteArray) f = make_idx (0x08, 3, dims, NULL, 0);
  g_autofree char *p = write_file ("no-pixels.idx", f->data, f->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = fit_idx_dataset_new (p, NULL, 1.0, NULL, &error);

  g_assert_null (ds);
  assert_hostile_error (error, FIT_ERROR_SHAPE, p, "[4294967295, 0, 28]");
}

static void
test_csv_not_utf8 (void)
{
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;
  g_autoptr(GString) wide = g_string_new ("a,b,y\n1,");

  /* Latin-1 class names: once returned as they were, which bindings cannot convert. */
  assert_csv_error (reader, "latin1.csv", "a,b,y\n1,2,cat\n3,4,caf\xe9\n", FIT_ERROR_PARSE,
                    "latin1.csv:3: byte 21 is not UTF-8");
  {
    const char text[] = "a,b,y\n1,2,c\0t\n";
    g_autofree char *path = write_file ("nul.csv", text, sizeof text - 1);

    ds = fit_csv_reader_read (reader, path, NULL, &error);
    g_assert_null (ds);
    assert_hostile_error (error, FIT_ERROR_PARSE, path, ":2: byte 11 is a NUL byte");
    g_clear_error (&error);
  }

  /* Quoted cells are escaped and cut short. */
  assert_csv_error (reader, "tab.csv", "a,b,y\n1,\"x\ty\\\",0\n", FIT_ERROR_PARSE,
                    "column 2 (“b”) holds “x\\ty\\\\”");
  for (guint i = 0; i < 5000; i++)
    g_string_append (wide, "é");
  g_string_append (wide, ",0\n");
  {
    g_autofree char *path = write_file ("wide.csv", wide->str, wide->len);

    ds = fit_csv_reader_read (reader, path, NULL, &error);
    g_assert_null (ds);
    assert_hostile_error (error, FIT_ERROR_PARSE, path, "“éééé");
    g_assert_nonnull (strstr (error->message, "é…”"));
    g_clear_error (&error);
  }

  /* Offsets count from the start of the file, byte-order mark included. */
  assert_csv_error (reader, "bom-latin1.csv", "\xef\xbb\xbf" "a,b,y\n1,2,\xe9\n",
                    FIT_ERROR_PARSE, "bom-latin1.csv:2: byte 13 is not UTF-8");

  /* UTF-8 class names, after a byte-order mark, come back as they were. */
  ds = read_csv (reader, "utf8.csv", "\xef\xbb\xbf" "a,b,y\n1,2,caf\xc3\xa9\n3,4,\xe7\x8c\xab\n",
                 &error);
  g_assert_no_error (error);
  {
    const char * const *names = fit_tensor_dataset_get_class_names (ds);

    g_assert_cmpstr (names[0], ==, "caf\xc3\xa9");
    g_assert_cmpstr (names[1], ==, "\xe7\x8c\xab");
    g_assert_null (names[2]);
  }
  g_clear_object (&ds);
  fit_csv_reader_set_label_column_name (reader, "a");
  ds = read_csv (reader, "bom.csv", "\xef\xbb\xbf" "a,b,y\n1,2,3\n", &error);
  g_assert_no_error (error);
  g_assert_cmpint (*(const gint64 *) fit_tensor_get_data (fit_tensor_dataset_get_labels (ds)),
                   ==, 1);
}

static void
test_csv_wide_header (void)
{
  /* A missing label column lists the first columns, not all of them. */
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text, i ? ",column%u" : "column%u", i);
  g_string_append (text, "\n");
  for (guint i = 0; i < 1000; i++)
    g_string_append (text, i ? ",1" : "1");
  g_string_append (text, "\n");
  path = write_file ("wide-header.csv", text->str, text->len);
  fit_csv_reader_set_label_column_name (reader, "label\n");
  ds = fit_csv_reader_read (reader, path, NULL, &error);
  g_assert_null (ds);
  assert_hostile_error (error, FIT_ERROR_NOT_FOUND, path,
                        "no column “label\\n” for the labels; the columns are column0, ");
  g_assert_nonnull (strstr (error->message, "column11, and 988 more"));
}

static void
test_csv_integer_overflow (void)
{
  /* An integer past int64 is a number, not a class index saturated to 2^63 - 1. */
  g_autoptr(FitCsvReader) reader = fit_csv_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensorDataset) ds = read_csv (reader, "overflow.csv",
                                             "a,y\n1,3\n2,99999999999999999999\n", &error);
  const float y[] = { 3, 1e20f };

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dtype (fit_tensor_dataset_get_labels (ds)), ==,
                   FIT_DTYPE_FLOAT32);
  assert_floats (fit_tensor_dataset_get_labels (ds), y, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("fit-data-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/Fit/Idx/dataset", test_idx_dataset);
  g_test_add_func ("/Fit/Idx/types", test_idx_types);
  g_test_add_func ("/Fit/Idx/errors", test_idx_errors);
  g_test_add_func ("/Fit/Idx/label-mismatch", test_idx_label_mismatch);
  g_test_add_func ("/Fit/Idx/cancel", test_idx_cancel);
  g_test_add_func ("/Fit/Npy/dtypes", test_npy_dtypes);
  g_test_add_func ("/Fit/Npy/errors", test_npy_errors);
  g_test_add_func ("/Fit/CsvReader/class-names", test_csv_class_names);
  g_test_add_func ("/Fit/CsvReader/label-column", test_csv_label_column);
  g_test_add_func ("/Fit/CsvReader/errors", test_csv_errors);
  g_test_add_func ("/Fit/Npy/too-many-dims", test_npy_too_many_dims);
  g_test_add_func ("/Fit/Readers/empty-huge-shape", test_empty_huge_shape);
  g_test_add_func ("/Fit/Readers/gzip-bomb", test_gzip_bomb);
  g_test_add_func ("/Fit/Readers/gzip-grows", test_gzip_grows);
  g_test_add_func ("/Fit/Npy/pipe", test_npy_pipe);
  g_test_add_func ("/Fit/Npy/not-utf8", test_npy_not_utf8);
  g_test_add_func ("/Fit/Readers/file-name-not-utf8", test_file_name_not_utf8);
  g_test_add_func ("/Fit/Npy/int-conversion", test_npy_int_conversion);
  g_test_add_func ("/Fit/Idx/int-conversion", test_idx_int_conversion);
  g_test_add_func ("/Fit/Idx/empty-images", test_idx_empty_images);
  g_test_add_func ("/Fit/CsvReader/not-utf8", test_csv_not_utf8);
  g_test_add_func ("/Fit/CsvReader/wide-header", test_csv_wide_header);
  g_test_add_func ("/Fit/CsvReader/integer-overflow", test_csv_integer_overflow);

  ret = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmp_dir, name, NULL);

        g_unlink (p);
      }
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  return ret;
}
