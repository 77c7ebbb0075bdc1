/* fit-device.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "fit-device.h"
#include "fit-error.h"
#include "fit-glib/backends/fit-backend-private.h"

/**
 * FitDevice:
 *
 * Where a [class@Fit.Tensor]'s data lives: the host processor (`"cpu"`) or an NVIDIA
 * GPU (`"cuda"`, `"cuda:1"`).
 *
 * Devices are immutable; two devices with the same name compare equal with
 * [method@Fit.Device.equal].
 *
 * Since: 1.0
 */
struct _FitDevice
{
  GObject        parent_instance;
  FitDeviceType  device_type;
  guint          index;
  char          *name;
};

G_DEFINE_FINAL_TYPE (FitDevice, fit_device, G_TYPE_OBJECT)

static void
fit_device_finalize (GObject *object)
{
  FitDevice *self = (FitDevice *) object;

  g_free (self->name);
  G_OBJECT_CLASS (fit_device_parent_class)->finalize (object);
}

static void
fit_device_class_init (FitDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fit_device_finalize;
}

static void
fit_device_init (FitDevice *self)
{
}

static FitDevice *
device_new (FitDeviceType type,
            guint         index)
{
  FitDevice *self = g_object_new (FIT_TYPE_DEVICE, NULL);

  self->device_type = type;
  self->index = index;
  self->name = type == FIT_DEVICE_TYPE_CPU ? g_strdup ("cpu") : g_strdup_printf ("cuda:%u", index);
  return self;
}

/**
 * fit_device_get_cpu:
 *
 * Returns the host processor, where tensors are created.
 *
 * Returns: (transfer none): the CPU device
 *
 * Since: 1.0
 */
FitDevice *
fit_device_get_cpu (void)
{
  static FitDevice *cpu;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      cpu = device_new (FIT_DEVICE_TYPE_CPU, 0);
      g_once_init_leave (&initialized, 1);
    }
  return cpu;
}

/**
 * fit_device_new_for_name:
 * @name: `"cpu"`, `"cuda"` (the first GPU) or `"cuda:N"`
 * @error: return location for a #GError
 *
 * Looks up a device by name. Asking for a GPU that this build or this machine does
 * not have is a %FIT_ERROR_DEVICE error that says how many GPUs there are; any other
 * name is %FIT_ERROR_INVALID_ARGUMENT. Messages quote @name with bytes that are not
 * UTF-8 replaced, as it may come from a command line or a file.
 *
 * Returns: (transfer full): the device, or %NULL with @error set
 *
 * Since: 1.0
 */
FitDevice *
fit_device_new_for_name (const char  *name,
                         GError     **error)
{
  guint64 index = 0;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The name may come from a command line or a file: messages quote it in UTF-8. */
  shown = g_utf8_make_valid (name, -1);

  if (g_str_equal (name, "cpu"))
    return g_object_ref (fit_device_get_cpu ());

  if (g_str_has_prefix (name, "cuda"))
    {
      const char *rest = name + 4;

      if (*rest == ':' && !g_ascii_string_to_unsigned (rest + 1, 10, 0, G_MAXUINT, &index, NULL))
        rest = NULL;
      else if (*rest != ':' && *rest != '\0')
        rest = NULL;

      if (rest != NULL)
        {
          const FitBackend *cuda = fit_backend_get (FIT_DEVICE_TYPE_CUDA);
          guint count = cuda != NULL ? cuda->device_count () : 0;

          if (cuda == NULL)
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
                           _("Device “%s” is not available: fit-glib was built without CUDA "
                             "(rebuild with -Dcuda=enabled), use “cpu”"), shown);
              return NULL;
            }
          if (count == 0)
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
                           _("Device “%s” is not available: this machine has no CUDA "
                             "device; use “cpu”"), shown);
              return NULL;
            }
          if (index >= count)
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_DEVICE,
                           _("Device “%s” is not available: this machine has %u CUDA "
                             "device(s); use “cpu” or an index below %u"),
                           shown, count, count);
              return NULL;
            }
          return device_new (FIT_DEVICE_TYPE_CUDA, (guint) index);
        }
    }

  g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
               _("Unknown device name “%s”: use “cpu”, “cuda” or “cuda:N”"), shown);
  return NULL;
}

/**
 * fit_device_get_device_type:
 * @self: a device
 *
 * Gets the kind of device, CPU or CUDA.
 *
 * Returns: the kind of device
 *
 * Since: 1.0
 */
FitDeviceType
fit_device_get_device_type (FitDevice *self)
{
  g_return_val_if_fail (FIT_IS_DEVICE (self), FIT_DEVICE_TYPE_CPU);
  return self->device_type;
}

/**
 * fit_device_get_index:
 * @self: a device
 *
 * Gets the device's ordinal among devices of its kind.
 *
 * Returns: the GPU's ordinal, 0 for the CPU
 *
 * Since: 1.0
 */
guint
fit_device_get_index (FitDevice *self)
{
  g_return_val_if_fail (FIT_IS_DEVICE (self), 0);
  return self->index;
}

/**
 * fit_device_get_name:
 * @self: a device
 *
 * Gets the device's name, which [ctor@Fit.Device.new_for_name] accepts.
 *
 * Returns: (transfer none): the device's name, as in `"cpu"` or `"cuda:0"`
 *
 * Since: 1.0
 */
const char *
fit_device_get_name (FitDevice *self)
{
  g_return_val_if_fail (FIT_IS_DEVICE (self), NULL);
  return self->name;
}

/**
 * fit_device_equal:
 * @a: a device
 * @b: another device
 *
 * Compares two devices.
 *
 * Returns: whether @a and @b are the same device
 *
 * Since: 1.0
 */
gboolean
fit_device_equal (FitDevice *a,
                  FitDevice *b)
{
  g_return_val_if_fail (FIT_IS_DEVICE (a), FALSE);
  g_return_val_if_fail (FIT_IS_DEVICE (b), FALSE);
  return a->device_type == b->device_type && a->index == b->index;
}

/**
 * fit_device_get_cuda_count:
 *
 * Counts the CUDA devices this process can use.
 *
 * Returns: the number of CUDA devices usable by this build, 0 without CUDA
 *
 * Since: 1.0
 */
guint
fit_device_get_cuda_count (void)
{
  const FitBackend *cuda = fit_backend_get (FIT_DEVICE_TYPE_CUDA);

  return cuda != NULL ? cuda->device_count () : 0;
}
