/* test-transforms.c: the built-in transforms, composition and per-item use
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fit-glib/fit-glib.h>
#include <string.h>

static FitTensor *
floats (const float  *v,
        const gint64 *shape,
        guint         n_dims)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 1;
  FitTensor *t;

  for (guint i = 0; i < n_dims; i++)
    n *= shape[i];
  t = fit_tensor_new_from_floats (v, n, shape, n_dims, &error);
  g_assert_no_error (error);
  return t;
}

static void
assert_floats (FitTensor   *t,
               const float *expected,
               gint64       n)
{
  const float *v = fit_tensor_get_data (t);

  g_assert_cmpint (fit_tensor_get_numel (t), ==, n);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (v[i], expected[i], 1e-6);
}

static void
test_scale_normalize (void)
{
  /* [N=2, C=2, 2] */
  const float x[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  gint64 shape[3] = { 2, 2, 2 };
  g_autoptr(FitTensor) batch = floats (x, shape, 3);
  g_autoptr(FitTransform) scale = fit_scale_new (0.5, 1);
  double mean[2] = { 1, 5 }, std[2] = { 2, 0.5 };
  g_autoptr(FitTransform) norm = fit_normalize_new (mean, std, 2);
  g_autoptr(FitTransform) both = NULL;
  g_autoptr(FitTensor) out = NULL;
  g_autoptr(GError) error = NULL;
  float expected[8];

  out = fit_transform_apply_batch (scale, batch, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 8; i++)
    expected[i] = x[i] * 0.5f + 1;
  assert_floats (out, expected, 8);
  g_clear_object (&out);

  out = fit_transform_apply_batch (norm, batch, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 8; i++)
    {
      guint c = (i / 2) % 2;

      expected[i] = (x[i] - mean[c]) / std[c];
    }
  assert_floats (out, expected, 8);
  g_clear_object (&out);

  /* Compose applies in order: normalise after scaling. */
  {
    FitTransform *steps[2] = { scale, norm };

    both = fit_compose_new (steps, 2);
  }
  g_assert_cmpuint (fit_compose_get_n_transforms (FIT_COMPOSE (both)), ==, 2);
  out = fit_transform_apply_batch (both, batch, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 8; i++)
    {
      guint c = (i / 2) % 2;

      expected[i] = (x[i] * 0.5f + 1 - mean[c]) / std[c];
    }
  assert_floats (out, expected, 8);
  g_clear_object (&out);

  /* Per item: [C=2, 2] is treated as a batch of one. */
  {
    g_autoptr(FitTensor) item = floats (x, shape + 1, 2);

    out = fit_transform_apply (norm, item, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fit_tensor_get_n_dims (out), ==, 2);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpfloat_with_epsilon (((const float *) fit_tensor_get_data (out))[i],
                                      (x[i] - mean[i / 2]) / std[i / 2], 1e-6);
    g_clear_object (&out);
  }

  /* Wrong channel count, wrong dtype. */
  {
    double m3[3] = { 0, 0, 0 }, s3[3] = { 1, 1, 1 };
    g_autoptr(FitTransform) n3 = fit_normalize_new (m3, s3, 3);
    g_autoptr(FitTensor) ints = fit_tensor_new_zeros (FIT_DTYPE_INT64, shape, 3);

    g_assert_null (fit_transform_apply_batch (n3, batch, NULL, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
    g_clear_error (&error);
    g_assert_null (fit_transform_apply_batch (scale, ints, NULL, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_DTYPE);
  }
}

static void
test_one_hot (void)
{
  gint64 labels[3] = { 2, 0, 1 };
  gint64 shape[1] = { 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) y = fit_tensor_new_from_int64s (labels, 3, shape, 1, &error);
  g_autoptr(FitTransform) oh = fit_one_hot_new (3);
  g_autoptr(FitTensor) out = fit_transform_apply_batch (oh, y, NULL, &error);
  const float expected[9] = { 0, 0, 1, 1, 0, 0, 0, 1, 0 };

  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (out, 1), ==, 3);
  assert_floats (out, expected, 9);

  labels[1] = 3;
  g_clear_object (&y);
  y = fit_tensor_new_from_int64s (labels, 3, shape, 1, &error);
  g_assert_null (fit_transform_apply_batch (oh, y, NULL, &error));
  g_assert_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "label 3 (element 1)"));
}

/* Checks each output image against a crop computed naively, given the offsets found by
 * matching: every output must be some window of the padded input. */
static gboolean
is_window (const float *img,
           gint64       H,
           gint64       W,
           const float *out,
           gint64       h,
           gint64       w,
           gint64       pad)
{
  for (gint64 top = -pad; top <= H + pad - h; top++)
    for (gint64 left = -pad; left <= W + pad - w; left++)
      {
        gboolean ok = TRUE;

        for (gint64 y = 0; y < h && ok; y++)
          for (gint64 x = 0; x < w && ok; x++)
            {
              gint64 sy = top + y, sx = left + x;
              float v = sy >= 0 && sy < H && sx >= 0 && sx < W ? img[sy * W + sx] : 0;

              ok = out[y * w + x] == v;
            }
        if (ok)
          return TRUE;
      }
  return FALSE;
}

static void
test_random_crop_flip (void)
{
  gint64 shape[4] = { 6, 2, 4, 5 };
  float x[6 * 2 * 4 * 5];
  g_autoptr(FitTensor) batch = NULL;
  g_autoptr(FitTransform) crop = fit_random_crop_new (3, 4, 2);
  g_autoptr(FitTransform) flip = fit_random_horizontal_flip_new (0.5);
  g_autoptr(FitRng) rng = fit_rng_new (1);
  g_autoptr(FitRng) rng2 = fit_rng_new (1);
  g_autoptr(FitTensor) out = NULL, out2 = NULL;
  g_autoptr(GError) error = NULL;
  guint n_flipped = 0;

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = i + 1;
  batch = floats (x, shape, 4);

  out = fit_transform_apply_batch (crop, batch, rng, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fit_tensor_get_dim (out, 2), ==, 3);
  g_assert_cmpint (fit_tensor_get_dim (out, 3), ==, 4);
  for (guint i = 0; i < 6; i++)
    {
      const float *o = (const float *) fit_tensor_get_data (out) + i * 2 * 12;

      /* Both channels of an image share the window. */
      g_assert_true (is_window (x + i * 40, 4, 5, o, 3, 4, 2));
      g_assert_true (is_window (x + i * 40 + 20, 4, 5, o + 12, 3, 4, 2));
      for (guint k = 0; k < 12; k++)
        if (o[k] != 0)
          g_assert_cmpfloat (o[12 + k], ==, o[k] + 20);
    }
  /* Same generator state, same crops. */
  out2 = fit_transform_apply_batch (crop, batch, rng2, &error);
  g_assert_cmpmem (fit_tensor_get_data (out), fit_tensor_get_n_bytes (out),
                   fit_tensor_get_data (out2), fit_tensor_get_n_bytes (out2));
  g_clear_object (&out);
  g_clear_object (&out2);

  out = fit_transform_apply_batch (flip, batch, rng, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    {
      const float *o = (const float *) fit_tensor_get_data (out) + i * 40;
      const float *s = x + i * 40;
      gboolean flipped = o[0] != s[0];

      n_flipped += flipped;
      for (guint r = 0; r < 8; r++)
        for (guint c = 0; c < 5; c++)
          g_assert_cmpfloat (o[r * 5 + c], ==, s[r * 5 + (flipped ? 4 - c : c)]);
    }
  g_assert_cmpuint (n_flipped, >, 0);
  g_assert_cmpuint (n_flipped, <, 6);

  /* A window larger than the padded image. */
  {
    g_autoptr(FitTransform) big = fit_random_crop_new (9, 9, 2);

    g_assert_null (fit_transform_apply_batch (big, batch, rng, &error));
    g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  }
}

static void
test_transform_seed (void)
{
  gint64 shape[2] = { 64, 4 };
  float x[256];
  g_autoptr(FitTensor) batch = NULL;
  g_autoptr(FitTransform) a = fit_random_horizontal_flip_new (0.5);
  g_autoptr(FitTransform) b = fit_random_horizontal_flip_new (0.5);
  g_autoptr(FitTensor) oa = NULL, ob = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 256; i++)
    x[i] = i;
  batch = floats (x, shape, 2);
  fit_transform_set_seed (a, 77);
  g_object_set (b, "seed", (guint64) 77, NULL);
  g_assert_cmpuint (fit_transform_get_seed (b), ==, 77);
  oa = fit_transform_apply_batch (a, batch, NULL, &error);
  ob = fit_transform_apply_batch (b, batch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (fit_tensor_get_data (oa), 1024, fit_tensor_get_data (ob), 1024);
}

/* Fit.Normalize() in Python is g_object_new(): no statistics, and applying it read
 * through a NULL array. */
static void
test_normalize_without_statistics (void)
{
  const gint64 shape[] = { 2, 3 };
  g_autoptr(FitTensor) x = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, shape, 2);
  g_autoptr(FitTransform) norm = g_object_new (FIT_TYPE_NORMALIZE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FitTensor) out = fit_transform_apply_batch (norm, x, NULL, &error);

  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "fit_normalize_new"));
}

/* Empty batches keep their other sizes: one-hot rows or crop windows multiplied into
 * them used to give shapes no tensor can have (a critical and a crash for one-hot; for
 * the crop a tensor of that shape, after 2^40 draws from the generator). */
static void
test_transforms_result_too_large (void)
{
  const gint64 labels_shape[] = { G_GINT64_CONSTANT (1) << 40, 0 };
  const gint64 images_shape[] = { G_GINT64_CONSTANT (1) << 40, 0, 1, 1 };
  g_autoptr(FitTensor) labels = fit_tensor_new_zeros (FIT_DTYPE_INT64, labels_shape, 2);
  g_autoptr(FitTensor) images = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, images_shape, 4);
  g_autoptr(FitTransform) one_hot = fit_one_hot_new (G_MAXINT32);
  g_autoptr(FitTransform) crop = fit_random_crop_new (1 << 20, 1 << 20, 1 << 20);
  g_autoptr(GError) error = NULL;
  FitTensor *out;

  out = fit_transform_apply_batch (one_hot, labels, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "FitOneHot"));
  g_clear_error (&error);

  out = fit_transform_apply_batch (crop, images, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, FIT_ERROR, FIT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "FitRandomCrop"));
}

/* A composition inside itself would recurse without end when applied. */
static void
test_compose_cycle (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FitTransform) outer = fit_compose_new (NULL, 0);
      g_autoptr(FitTransform) inner = fit_compose_new (&outer, 1);

      fit_compose_append (FIT_COMPOSE (outer), inner);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*fit_compose_append*contains*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Fit/Transform/scale-normalize", test_scale_normalize);
  g_test_add_func ("/Fit/Transform/one-hot", test_one_hot);
  g_test_add_func ("/Fit/Transform/random-crop-flip", test_random_crop_flip);
  g_test_add_func ("/Fit/Transform/seed", test_transform_seed);
  g_test_add_func ("/Fit/Transform/normalize-without-statistics",
                   test_normalize_without_statistics);
  g_test_add_func ("/Fit/Transform/result-too-large", test_transforms_result_too_large);
  g_test_add_func ("/Fit/Transform/compose-cycle", test_compose_cycle);

  return g_test_run ();
}
