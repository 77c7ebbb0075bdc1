/* fit-safetensors.c: named tensors in the safetensors file format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gstdio.h>
#ifdef G_OS_UNIX
# include <sys/file.h>
# include <sys/stat.h>
# include <unistd.h>
#endif

#include "fit-glib/core/fit-error-private.h"
#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/io/fit-json-private.h"
#include "fit-glib/io/fit-safetensors.h"
#include "fit-glib/io/fit-safetensors-private.h"

/**
 * FitSafetensors:
 *
 * An ordered collection of named tensors with string metadata, read from and written to
 * the [safetensors](https://huggingface.co/docs/safetensors) format.
 *
 * A safetensors file is an 8-byte little-endian header length, a JSON header that gives
 * each tensor's element type (`F32`, `F64`, `I32` or `I64` here), shape and byte range,
 * an optional `"__metadata__"` object of strings, and then the raw little-endian data of
 * every tensor, back to back. Other tools (PyTorch, NumPy, JAX through the safetensors
 * package) read the files fit-glib writes, and fit-glib reads theirs.
 *
 * Model weights ([method@Fit.Module.get_state]), optimizer state
 * ([method@Fit.Optimizer.save_state]) and checkpoints all travel in a `FitSafetensors`.
 * Loading checks the whole file before anything is used: a truncated file, a header that
 * claims more bytes than the file has, tensors that overlap, leave holes or reach past
 * the end, an element type it does not know, a shape that no tensor can have (more than
 * %FIT_MAX_DIMS dimensions, or sizes whose product overflows, a 0 among them or not) or
 * whose size disagrees with the byte range are each reported as %FIT_ERROR_PARSE naming
 * the file and what is wrong. Names and values from the file appear in messages escaped
 * (control characters as `\n` or `\u001b`, long ones cut short); the strings the API
 * returns are the decoded UTF-8.
 * [method@Fit.Safetensors.save] writes to a temporary file in the same folder, flushes it
 * to the disk and renames it over the target, so a crash leaves either the old file or
 * the new one, never a torn one.
 *
 * Since: 1.0
 */

/* Reading a header is parsing untrusted JSON; real headers are far smaller. */
#define MAX_HEADER_SIZE (100 * 1024 * 1024)
#define METADATA_KEY "__metadata__"
/* A save writes ".NAME.TEMP_RANDOM" and renames it NAME; g_mkstemp_full() fills it in. */
#define TEMP_RANDOM "XXXXXX"

struct _FitSafetensors
{
  GObject      parent_instance;

  GPtrArray   *names;       /* char*, in order */
  GHashTable  *tensors;     /* name (owned by names) -> FitTensor* (strong) */
  GPtrArray   *meta_keys;   /* char*, in order */
  GHashTable  *metadata;    /* key (owned by meta_keys) -> char* */
};

G_DEFINE_FINAL_TYPE (FitSafetensors, fit_safetensors, G_TYPE_OBJECT)

static void
fit_safetensors_finalize (GObject *object)
{
  FitSafetensors *self = (FitSafetensors *) object;

  g_clear_pointer (&self->tensors, g_hash_table_unref);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_clear_pointer (&self->meta_keys, g_ptr_array_unref);
  G_OBJECT_CLASS (fit_safetensors_parent_class)->finalize (object);
}

static void
fit_safetensors_class_init (FitSafetensorsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fit_safetensors_finalize;
}

static void
fit_safetensors_init (FitSafetensors *self)
{
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->meta_keys = g_ptr_array_new_with_free_func (g_free);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

/**
 * fit_safetensors_new:
 *
 * Creates an empty collection.
 *
 * Returns: (transfer full): a new `FitSafetensors`
 *
 * Since: 1.0
 */
FitSafetensors *
fit_safetensors_new (void)
{
  return g_object_new (FIT_TYPE_SAFETENSORS, NULL);
}

/**
 * fit_safetensors_add:
 * @self: a `FitSafetensors`
 * @name: the tensor's name, non-empty UTF-8 other than `"__metadata__"`
 * @tensor: the tensor
 *
 * Adds @tensor under @name, after the tensors already there, or replaces the tensor of
 * that name in its place. The collection keeps a reference, not a copy: later in-place
 * changes to @tensor are what [method@Fit.Safetensors.save] writes.
 *
 * Since: 1.0
 */
void
fit_safetensors_add (FitSafetensors *self,
                     const char     *name,
                     FitTensor      *tensor)
{
  char *key;

  g_return_if_fail (FIT_IS_SAFETENSORS (self));
  g_return_if_fail (name != NULL && name[0] != '\0');
  g_return_if_fail (g_utf8_validate (name, -1, NULL));
  g_return_if_fail (strcmp (name, METADATA_KEY) != 0);
  g_return_if_fail (FIT_IS_TENSOR (tensor));

  if (g_hash_table_lookup_extended (self->tensors, name, (gpointer *) &key, NULL))
    {
      g_hash_table_insert (self->tensors, key, g_object_ref (tensor));
      return;
    }
  key = g_strdup (name);
  g_ptr_array_add (self->names, key);
  g_hash_table_insert (self->tensors, key, g_object_ref (tensor));
}

/**
 * fit_safetensors_get:
 * @self: a `FitSafetensors`
 * @name: a tensor name
 *
 * Looks a tensor up by name.
 *
 * Returns: (nullable) (transfer none): the tensor, or %NULL when there is none of that
 *   name
 *
 * Since: 1.0
 */
FitTensor *
fit_safetensors_get (FitSafetensors *self,
                     const char     *name)
{
  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (self->tensors, name);
}

/**
 * fit_safetensors_contains:
 * @self: a `FitSafetensors`
 * @name: a tensor name
 *
 * Checks whether the collection has a tensor of that name.
 *
 * Returns: whether a tensor named @name is in the collection
 *
 * Since: 1.0
 */
gboolean
fit_safetensors_contains (FitSafetensors *self,
                          const char     *name)
{
  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_hash_table_contains (self->tensors, name);
}

/**
 * fit_safetensors_remove:
 * @self: a `FitSafetensors`
 * @name: a tensor name
 *
 * Removes the tensor named @name.
 *
 * Returns: %TRUE if there was one
 *
 * Since: 1.0
 */
gboolean
fit_safetensors_remove (FitSafetensors *self,
                        const char     *name)
{
  char *key;

  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_hash_table_lookup_extended (self->tensors, name, (gpointer *) &key, NULL))
    return FALSE;
  g_hash_table_remove (self->tensors, key);
  g_ptr_array_remove (self->names, key);
  return TRUE;
}

/**
 * fit_safetensors_get_n_tensors:
 * @self: a `FitSafetensors`
 *
 * Counts the tensors.
 *
 * Returns: the number of tensors
 *
 * Since: 1.0
 */
guint
fit_safetensors_get_n_tensors (FitSafetensors *self)
{
  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), 0);
  return self->names->len;
}

static char **
strv_from_array (GPtrArray *array)
{
  char **strv = g_new (char *, array->len + 1);

  for (guint i = 0; i < array->len; i++)
    strv[i] = g_strdup (g_ptr_array_index (array, i));
  strv[array->len] = NULL;
  return strv;
}

/**
 * fit_safetensors_get_names:
 * @self: a `FitSafetensors`
 *
 * Lists the tensor names in order: the order they were added in, or for a loaded file,
 * the order of their data in the file.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 1.0
 */
char **
fit_safetensors_get_names (FitSafetensors *self)
{
  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), NULL);
  return strv_from_array (self->names);
}

/**
 * fit_safetensors_set_metadata:
 * @self: a `FitSafetensors`
 * @key: the key, UTF-8
 * @value: (nullable): the value, UTF-8, or %NULL to remove the key
 *
 * Sets a string in the file's `"__metadata__"` (a format name, an epoch count, …).
 *
 * Since: 1.0
 */
void
fit_safetensors_set_metadata (FitSafetensors *self,
                              const char     *key,
                              const char     *value)
{
  char *owned;

  g_return_if_fail (FIT_IS_SAFETENSORS (self));
  g_return_if_fail (key != NULL && g_utf8_validate (key, -1, NULL));
  g_return_if_fail (value == NULL || g_utf8_validate (value, -1, NULL));

  if (g_hash_table_lookup_extended (self->metadata, key, (gpointer *) &owned, NULL))
    {
      if (value != NULL)
        {
          g_hash_table_insert (self->metadata, owned, g_strdup (value));
          return;
        }
      g_hash_table_remove (self->metadata, owned);
      g_ptr_array_remove (self->meta_keys, owned);
      return;
    }
  if (value == NULL)
    return;
  owned = g_strdup (key);
  g_ptr_array_add (self->meta_keys, owned);
  g_hash_table_insert (self->metadata, owned, g_strdup (value));
}

/**
 * fit_safetensors_get_metadata:
 * @self: a `FitSafetensors`
 * @key: a key
 *
 * Reads a metadata string.
 *
 * Returns: (nullable) (transfer none): the metadata string of @key, or %NULL
 *
 * Since: 1.0
 */
const char *
fit_safetensors_get_metadata (FitSafetensors *self,
                              const char     *key)
{
  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (self->metadata, key);
}

/**
 * fit_safetensors_get_metadata_keys:
 * @self: a `FitSafetensors`
 *
 * Lists the metadata keys.
 *
 * Returns: (transfer full) (array zero-terminated=1): the metadata keys, in order
 *
 * Since: 1.0
 */
char **
fit_safetensors_get_metadata_keys (FitSafetensors *self)
{
  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), NULL);
  return strv_from_array (self->meta_keys);
}

/* ---- writing ---- */

static const char *
dtype_code (FitDType dtype)
{
  switch (dtype)
    {
    case FIT_DTYPE_FLOAT32:
      return "F32";
    case FIT_DTYPE_FLOAT64:
      return "F64";
    case FIT_DTYPE_INT32:
      return "I32";
    case FIT_DTYPE_INT64:
      return "I64";
    default:
      g_return_val_if_reached ("F32");
    }
}

/* The JSON header, padded with spaces (as the reference implementation does) so that
 * the data starts 8-byte aligned: then a loaded file's tensors can share its buffer. */
static GString *
build_header (FitSafetensors *self,
              guint64        *data_size)
{
  GString *json = g_string_new ("{");
  guint64 offset = 0;
  gboolean first = TRUE;

  if (self->meta_keys->len > 0)
    {
      g_string_append (json, "\"" METADATA_KEY "\":{");
      for (guint i = 0; i < self->meta_keys->len; i++)
        {
          const char *key = g_ptr_array_index (self->meta_keys, i);

          if (i > 0)
            g_string_append_c (json, ',');
          fit_json_append_string (json, key);
          g_string_append_c (json, ':');
          fit_json_append_string (json, g_hash_table_lookup (self->metadata, key));
        }
      g_string_append_c (json, '}');
      first = FALSE;
    }
  for (guint i = 0; i < self->names->len; i++)
    {
      const char *name = g_ptr_array_index (self->names, i);
      FitTensor *t = g_hash_table_lookup (self->tensors, name);
      guint64 n_bytes = fit_tensor_get_n_bytes (t);
      guint n_dims;
      const gint64 *shape = fit_tensor_get_shape (t, &n_dims);

      if (!first)
        g_string_append_c (json, ',');
      first = FALSE;
      fit_json_append_string (json, name);
      g_string_append_printf (json, ":{\"dtype\":\"%s\",\"shape\":[",
                              dtype_code (fit_tensor_get_dtype (t)));
      for (guint d = 0; d < n_dims; d++)
        g_string_append_printf (json, d > 0 ? ",%" PRId64 : "%" PRId64, shape[d]);
      g_string_append_printf (json, "],\"data_offsets\":[%" PRIu64 ",%"
                              PRIu64 "]}", offset, offset + n_bytes);
      offset += n_bytes;
    }
  g_string_append_c (json, '}');
  while ((json->len + 8) % 8 != 0)
    g_string_append_c (json, ' ');
  *data_size = offset;
  return json;
}

static void
swap_to_le (guint8 *data,
            gsize   n_bytes,
            gsize   elem_size)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i + elem_size <= n_bytes; i += elem_size)
    for (gsize a = 0, b = elem_size - 1; a < b; a++, b--)
      {
        guint8 tmp = data[i + a];

        data[i + a] = data[i + b];
        data[i + b] = tmp;
      }
#else
  (void) data;
  (void) n_bytes;
  (void) elem_size;
#endif
}

/* The tensor's elements in little-endian order: its own memory when that already is,
 * else a copy. */
static GBytes *
tensor_le_bytes (FitTensor *t)
{
  GBytes *bytes;
  gsize n;
  guint8 *copy;

  if (G_BYTE_ORDER == G_LITTLE_ENDIAN && fit_tensor_get_device_type (t) == FIT_DEVICE_TYPE_CPU)
    return g_bytes_new_with_free_func (fit_tensor_get_data (t), fit_tensor_get_n_bytes (t),
                                       g_object_unref, g_object_ref (t));
  bytes = fit_tensor_to_bytes (t);
  copy = g_bytes_unref_to_data (bytes, &n);
  swap_to_le (copy, n, fit_dtype_get_size (fit_tensor_get_dtype (t)));
  return g_bytes_new_take (copy, n);
}

/**
 * fit_safetensors_to_bytes:
 * @self: a `FitSafetensors`
 *
 * Serialises the collection into the safetensors format in memory.
 *
 * Returns: (transfer full): the bytes of a safetensors file
 *
 * Since: 1.0
 */
GBytes *
fit_safetensors_to_bytes (FitSafetensors *self)
{
  g_autoptr(GString) header = NULL;
  guint64 data_size, header_len;
  guint8 *out, *p;
  gsize total;

  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), NULL);

  header = build_header (self, &data_size);
  header_len = GUINT64_TO_LE ((guint64) header->len);
  total = 8 + header->len + data_size;
  out = g_malloc (total);
  memcpy (out, &header_len, 8);
  memcpy (out + 8, header->str, header->len);
  p = out + 8 + header->len;
  for (guint i = 0; i < self->names->len; i++)
    {
      FitTensor *t = g_hash_table_lookup (self->tensors, g_ptr_array_index (self->names, i));
      g_autoptr(GBytes) data = tensor_le_bytes (t);
      gsize n = 0;
      gconstpointer src = g_bytes_get_data (data, &n);

      if (n > 0)
        memcpy (p, src, n);
      p += n;
    }
  return g_bytes_new_take (out, total);
}

static gboolean
set_io_error (GError     **error,
              int          errsv,
              const char  *what,
              const char  *path)
{
  g_set_error (error, FIT_ERROR, FIT_ERROR_IO, _("Cannot save “%s”: %s failed: %s"),
               path, what, g_strerror (errsv));
  return FALSE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         n,
           const char   *path,
           GError      **error)
{
  while (n > 0)
    {
      gssize written = write (fd, data, MIN (n, (gsize) G_MAXSSIZE));

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          return set_io_error (error, errno, "write", path);
        }
      data += written;
      n -= (gsize) written;
    }
  return TRUE;
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 const char    *path,
                 GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return TRUE;
  g_set_error (error, FIT_ERROR, FIT_ERROR_CANCELLED, _("Saving “%s” was cancelled"), path);
  return FALSE;
}

static gboolean
write_contents (FitSafetensors  *self,
                int              fd,
                const char      *path,
                GCancellable    *cancellable,
                GError         **error)
{
  g_autoptr(GString) header = NULL;
  guint64 data_size, header_len;

  header = build_header (self, &data_size);
  header_len = GUINT64_TO_LE ((guint64) header->len);
  if (!write_all (fd, (const guint8 *) &header_len, 8, path, error) ||
      !write_all (fd, (const guint8 *) header->str, header->len, path, error))
    return FALSE;
  for (guint i = 0; i < self->names->len; i++)
    {
      FitTensor *t = g_hash_table_lookup (self->tensors, g_ptr_array_index (self->names, i));
      g_autoptr(GBytes) data = NULL;
      gsize n = 0;
      gconstpointer src;

      if (!check_cancelled (cancellable, path, error))
        return FALSE;
      data = tensor_le_bytes (t);
      src = g_bytes_get_data (data, &n);
      if (!write_all (fd, src, n, path, error))
        return FALSE;
    }
  return TRUE;
}

/* Makes the rename itself durable; some file systems cannot sync a folder, which only
 * weakens durability, never atomicity, so failures here are not errors. */
static void
sync_folder (const char *path)
{
#ifdef G_OS_UNIX
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
#endif
}

/* What a killed save leaves behind. */

static gboolean
is_temp_random (const char *s)
{
  gsize n = strlen (TEMP_RANDOM);

  /* g_mkstemp_full() fills the Xs with letters and digits. */
  if (strlen (s) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (s[i]))
      return FALSE;
  return TRUE;
}

/* The base name of the file whose save @name is the temporary file of, or NULL. */
static char *
temporary_target (const char *name)
{
  gsize len = strlen (name), n = strlen (TEMP_RANDOM);

  if (len < n + 3 || name[0] != '.' || name[len - n - 1] != '.' ||
      !is_temp_random (name + len - n))
    return NULL;
  return g_strndup (name + 1, len - n - 2);
}

#ifdef G_OS_UNIX
/* Removes @path if it is a regular file that no save holds a lock on, and still the
 * file that was checked when it is removed. */
static gboolean
remove_if_unlocked (const char *path)
{
  struct stat before, now;
  gboolean removed = FALSE;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  if (fstat (fd, &before) == 0 && S_ISREG (before.st_mode) &&
      flock (fd, LOCK_EX | LOCK_NB) == 0 &&
      lstat (path, &now) == 0 && now.st_dev == before.st_dev && now.st_ino == before.st_ino)
    removed = unlink (path) == 0;
  close (fd);
  return removed;
}
#else
static gboolean
remove_if_unlocked (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_unlink (path) == 0;
}
#endif

guint
fit_safetensors_remove_stale_temporaries (const char               *directory,
                                          FitSafetensorsTargetFunc  is_target,
                                          gpointer                  data)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint removed = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *target = temporary_target (name);

      if (target != NULL && is_target (target, data))
        g_ptr_array_add (stale, g_build_filename (directory, name, NULL));
    }
  for (guint i = 0; i < stale->len; i++)
    if (remove_if_unlocked (g_ptr_array_index (stale, i)))
      removed++;
  return removed;
}

/**
 * fit_safetensors_save:
 * @self: a `FitSafetensors`
 * @path: (type filename): where to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the collection to @path in the safetensors format, atomically: the data goes
 * to a temporary file in the same folder (`.NAME.XXXXXX`, NAME being @path's base name),
 * is flushed to the disk and then renamed over @path. A failure (a full disk, a
 * cancellation) removes the temporary file and leaves @path as it was; a crash or a kill
 * leaves @path as it was too, and the temporary file behind.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_IO (naming the file and the system
 *   error) or %FIT_ERROR_CANCELLED
 *
 * Since: 1.0
 */
gboolean
fit_safetensors_save (FitSafetensors  *self,
                      const char      *path,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  int fd;

  g_return_val_if_fail (FIT_IS_SAFETENSORS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_cancelled (cancellable, path, error))
    return FALSE;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp = g_strdup_printf ("%s%c.%s." TEMP_RANDOM, dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    return set_io_error (error, errno, "creating a temporary file", path);
#ifdef G_OS_UNIX
  /* Held until the file is closed, by this process or by its death: it tells
   * fit_safetensors_remove_stale_temporaries() that the file is not stale. */
  flock (fd, LOCK_EX | LOCK_NB);
#endif

  if (!write_contents (self, fd, path, cancellable, error))
    goto fail;
  if (fsync (fd) != 0)
    {
      set_io_error (error, errno, "fsync", path);
      goto fail;
    }
  if (close (fd) != 0)
    {
      fd = -1;
      set_io_error (error, errno, "close", path);
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, path) != 0)
    {
      set_io_error (error, errno, "rename", path);
      goto fail;
    }
  sync_folder (path);
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  return FALSE;
}

/* ---- reading ---- */

typedef struct
{
  const char  *name;
  FitDType     dtype;
  gint64       shape[FIT_MAX_DIMS];
  guint        n_dims;
  guint64      begin;
  guint64      end;
} Entry;

static gboolean
parse_dtype (const char  *code,
             FitDType    *dtype)
{
  static const struct { const char *code; FitDType dtype; } known[] = {
    { "F32", FIT_DTYPE_FLOAT32 },
    { "F64", FIT_DTYPE_FLOAT64 },
    { "I32", FIT_DTYPE_INT32 },
    { "I64", FIT_DTYPE_INT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strcmp (code, known[i].code) == 0)
      {
        *dtype = known[i].dtype;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_entry (const char  *name,
             FitJson     *info,
             guint64      data_size,
             Entry       *entry,
             GError     **error)
{
  g_autofree char *quoted = fit_error_quote (name, -1);
  g_autofree char *what = NULL;
  g_autoptr(GError) shape_error = NULL;
  FitJson *dtype, *shape, *offsets;
  guint64 n_bytes;

  entry->name = name;
  if (info->type != FIT_JSON_OBJECT)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("the header entry of tensor “%s” is a %s, not an object"),
                   quoted, fit_json_type_name (info->type));
      return FALSE;
    }
  for (guint i = 0; i < info->keys->len; i++)
    {
      const char *key = g_ptr_array_index (info->keys, i);

      if (strcmp (key, "dtype") != 0 && strcmp (key, "shape") != 0 &&
          strcmp (key, "data_offsets") != 0)
        {
          g_autofree char *quoted_key = fit_error_quote (key, -1);

          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("the header entry of tensor “%s” has an unknown field “%s” "
                         "(expected dtype, shape and data_offsets)"), quoted, quoted_key);
          return FALSE;
        }
    }

  dtype = fit_json_object_get (info, "dtype");
  if (dtype == NULL || dtype->type != FIT_JSON_STRING)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has no dtype string"), quoted);
      return FALSE;
    }
  if (!parse_dtype (dtype->string, &entry->dtype))
    {
      g_autofree char *quoted_dtype = fit_error_quote (dtype->string, -1);

      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has dtype “%s”, which fit-glib does not read "
                     "(it reads F32, F64, I32 and I64)"), quoted, quoted_dtype);
      return FALSE;
    }

  shape = fit_json_object_get (info, "shape");
  if (shape == NULL || shape->type != FIT_JSON_ARRAY)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has no shape array"), quoted);
      return FALSE;
    }
  if (shape->values->len > FIT_MAX_DIMS)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has %u dimensions, more than the %d a tensor can have"),
                   quoted, shape->values->len, FIT_MAX_DIMS);
      return FALSE;
    }
  entry->n_dims = shape->values->len;
  for (guint d = 0; d < entry->n_dims; d++)
    {
      FitJson *dim = g_ptr_array_index (shape->values, d);

      if (dim->type != FIT_JSON_NUMBER || !dim->is_integer || dim->integer < 0)
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("dimension %u of tensor “%s” is not a non-negative integer"),
                       d, quoted);
          return FALSE;
        }
      entry->shape[d] = dim->integer;
    }
  /* An empty tensor too: [2^62, 0] holds no bytes, but no tensor can have that shape. */
  what = g_strdup_printf (_("tensor “%s”"), quoted);
  if (!fit_shape_check (what, entry->shape, entry->n_dims, &shape_error))
    {
      /* Still a malformed file, as every other error of the reader. */
      g_set_error_literal (error, FIT_ERROR, FIT_ERROR_PARSE, shape_error->message);
      return FALSE;
    }
  /* A valid shape's size in bytes fits in a gint64. */
  n_bytes = (guint64) fit_shape_numel (entry->shape, entry->n_dims) *
            fit_dtype_get_size (entry->dtype);

  offsets = fit_json_object_get (info, "data_offsets");
  if (offsets == NULL || offsets->type != FIT_JSON_ARRAY || offsets->values->len != 2 ||
      ((FitJson *) g_ptr_array_index (offsets->values, 0))->type != FIT_JSON_NUMBER ||
      ((FitJson *) g_ptr_array_index (offsets->values, 1))->type != FIT_JSON_NUMBER ||
      !((FitJson *) g_ptr_array_index (offsets->values, 0))->is_integer ||
      !((FitJson *) g_ptr_array_index (offsets->values, 1))->is_integer ||
      ((FitJson *) g_ptr_array_index (offsets->values, 0))->integer < 0 ||
      ((FitJson *) g_ptr_array_index (offsets->values, 1))->integer < 0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has no data_offsets pair of non-negative integers"), quoted);
      return FALSE;
    }
  entry->begin = (guint64) ((FitJson *) g_ptr_array_index (offsets->values, 0))->integer;
  entry->end = (guint64) ((FitJson *) g_ptr_array_index (offsets->values, 1))->integer;
  if (entry->begin > entry->end)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has data_offsets [%" PRIu64 ", %" PRIu64
                     "] that end before they begin"), quoted, entry->begin, entry->end);
      return FALSE;
    }
  if (entry->end > data_size)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” has data_offsets [%" PRIu64 ", %" PRIu64
                     "] beyond the %" PRIu64 " bytes of data in the file"),
                   quoted, entry->begin, entry->end, data_size);
      return FALSE;
    }
  if (n_bytes != entry->end - entry->begin)
    {
      g_autofree char *s = fit_shape_to_string (entry->shape, entry->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("tensor “%s” of dtype %s and shape %s needs %" PRIu64 " bytes, "
                     "but its data_offsets [%" PRIu64 ", %" PRIu64 "] hold %"
                     PRIu64),
                   quoted, dtype->string, s, n_bytes, entry->begin, entry->end,
                   entry->end - entry->begin);
      return FALSE;
    }
  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

/* The format wants the data fully covered, in order, without overlaps or holes. */
static gboolean
check_layout (GArray   *entries,
              guint64   data_size,
              GError  **error)
{
  guint64 covered = 0;

  g_array_sort (entries, compare_entries);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);

      if (e->begin < covered)
        {
          g_autofree char *a = fit_error_quote (g_array_index (entries, Entry, i - 1).name, -1);
          g_autofree char *b = fit_error_quote (e->name, -1);

          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("the data of tensors “%s” and “%s” overlap"), a, b);
          return FALSE;
        }
      if (e->begin > covered)
        {
          g_autofree char *b = fit_error_quote (e->name, -1);

          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("bytes %" PRIu64 " to %" PRIu64 " of the data "
                         "belong to no tensor (the next is “%s”)"),
                       covered, e->begin, b);
          return FALSE;
        }
      covered = e->end;
    }
  if (covered != data_size)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("the file has %" PRIu64 " bytes of data but its tensors "
                     "cover only %" PRIu64), data_size, covered);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_metadata (FitSafetensors  *self,
                FitJson         *meta,
                GError         **error)
{
  if (meta->type != FIT_JSON_OBJECT)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("“" METADATA_KEY "” is a %s, not an object of strings"),
                   fit_json_type_name (meta->type));
      return FALSE;
    }
  for (guint i = 0; i < meta->keys->len; i++)
    {
      FitJson *value = g_ptr_array_index (meta->values, i);

      if (value->type != FIT_JSON_STRING)
        {
          g_autofree char *key = fit_error_quote (g_ptr_array_index (meta->keys, i), -1);

          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                       _("the metadata value of “%s” is a %s, not a string"),
                       key, fit_json_type_name (value->type));
          return FALSE;
        }
      fit_safetensors_set_metadata (self, g_ptr_array_index (meta->keys, i), value->string);
    }
  return TRUE;
}

static FitTensor *
entry_tensor (Entry    *e,
              GBytes   *bytes,
              gsize     data_start,
              GError  **error)
{
  g_autoptr(GBytes) slice = NULL;

  slice = g_bytes_new_from_bytes (bytes, data_start + e->begin, e->end - e->begin);
  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    {
      gsize n;
      guint8 *copy = g_bytes_unref_to_data (g_steal_pointer (&slice), &n);

      swap_to_le (copy, n, fit_dtype_get_size (e->dtype));
      slice = g_bytes_new_take (copy, n);
    }
  if (e->end == e->begin)
    return fit_tensor_new_zeros (e->dtype, e->shape, e->n_dims);
  return fit_tensor_new_from_bytes (e->dtype, e->shape, e->n_dims, slice, error);
}

static FitSafetensors *
parse (GBytes   *bytes,
       GError  **error)
{
  g_autoptr(FitSafetensors) self = NULL;
  g_autoptr(FitJson) header = NULL;
  g_autoptr(GArray) entries = NULL;
  const guint8 *data;
  gsize size = 0;
  guint64 header_len, data_size;

  data = g_bytes_get_data (bytes, &size);
  if (size < 8)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("it is %zu bytes long, too short for the 8-byte header "
                     "length (a truncated file?)"), size);
      return NULL;
    }
  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  if (header_len > size - 8)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("its header length of %" PRIu64 " bytes is larger than the "
                     "%zu bytes that follow it (a truncated file?)"),
                   header_len, size - 8);
      return NULL;
    }
  if (header_len > MAX_HEADER_SIZE)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("its header length of %" PRIu64 " bytes is more than the "
                     "%d that a safetensors header may have"), header_len, MAX_HEADER_SIZE);
      return NULL;
    }
  if (header_len == 0 || data[8] != '{')
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("its header does not start with a JSON object"));
      return NULL;
    }
  header = fit_json_parse ((const char *) data + 8, header_len, error);
  if (header == NULL)
    {
      g_prefix_error (error, _("its header is not valid JSON: "));
      return NULL;
    }

  self = fit_safetensors_new ();
  data_size = size - 8 - header_len;
  entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  for (guint i = 0; i < header->keys->len; i++)
    {
      const char *key = g_ptr_array_index (header->keys, i);
      FitJson *value = g_ptr_array_index (header->values, i);
      Entry e = { 0 };

      if (strcmp (key, METADATA_KEY) == 0)
        {
          if (!parse_metadata (self, value, error))
            return NULL;
          continue;
        }
      if (key[0] == '\0')
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE, _("a tensor has an empty name"));
          return NULL;
        }
      if (!parse_entry (key, value, data_size, &e, error))
        return NULL;
      g_array_append_val (entries, e);
    }
  if (!check_layout (entries, data_size, error))
    return NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);
      g_autoptr(FitTensor) t = entry_tensor (e, bytes, 8 + header_len, error);

      if (t == NULL)
        return NULL;
      fit_safetensors_add (self, e->name, t);
    }
  return g_steal_pointer (&self);
}

/**
 * fit_safetensors_new_from_bytes:
 * @bytes: the contents of a safetensors file
 * @error: return location for a #GError
 *
 * Reads a collection from the bytes of a safetensors file. The tensors share @bytes
 * where their data is suitably aligned; it is never written to.
 *
 * Returns: (transfer full): a new `FitSafetensors`, or %NULL with %FIT_ERROR_PARSE
 *   saying what is malformed
 *
 * Since: 1.0
 */
FitSafetensors *
fit_safetensors_new_from_bytes (GBytes  *bytes,
                                GError **error)
{
  FitSafetensors *self;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = parse (bytes, error);
  if (self == NULL)
    g_prefix_error (error, _("The safetensors data is malformed: "));
  return self;
}

/**
 * fit_safetensors_new_from_file:
 * @path: (type filename): a safetensors file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a safetensors file. The whole file is checked before a tensor is created.
 *
 * Returns: (transfer full): a new `FitSafetensors`, or %NULL with %FIT_ERROR_PARSE
 *   (naming the file and what is malformed), %FIT_ERROR_IO or %FIT_ERROR_CANCELLED
 *
 * Since: 1.0
 */
FitSafetensors *
fit_safetensors_new_from_file (const char    *path,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  FitSafetensors *self;
  char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, FIT_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                     ? FIT_ERROR_CANCELLED : FIT_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, local_error->message);
      return NULL;
    }
  bytes = g_bytes_new_take (contents, length);
  self = parse (bytes, error);
  if (self == NULL)
    g_prefix_error (error, _("“%s” is not a valid safetensors file: "), path);
  return self;
}
