/* fit-device.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/core/fit-types.h"

G_BEGIN_DECLS

#define FIT_TYPE_DEVICE (fit_device_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitDevice, fit_device, FIT, DEVICE, GObject)

FIT_AVAILABLE_IN_1_0
FitDevice     *fit_device_get_cpu          (void);
FIT_AVAILABLE_IN_1_0
FitDevice     *fit_device_new_for_name     (const char  *name,
                                            GError     **error);
FIT_AVAILABLE_IN_1_0
FitDeviceType  fit_device_get_device_type  (FitDevice   *self);
FIT_AVAILABLE_IN_1_0
guint          fit_device_get_index        (FitDevice   *self);
FIT_AVAILABLE_IN_1_0
const char    *fit_device_get_name         (FitDevice   *self);
FIT_AVAILABLE_IN_1_0
gboolean       fit_device_equal            (FitDevice   *a,
                                            FitDevice   *b);
FIT_AVAILABLE_IN_1_0
guint          fit_device_get_cuda_count   (void);

G_END_DECLS
