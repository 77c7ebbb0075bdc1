/* fit-glib.h: the one header users include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#define FIT_INSIDE
# include "fit-glib/fit-version.h"
# include "fit-glib/fit-version-macros.h"
# include "fit-glib/core/fit-core.h"
# include "fit-glib/io/fit-io.h"
# include "fit-glib/nn/fit-nn.h"
# include "fit-glib/optim/fit-optim.h"
# include "fit-glib/data/fit-data.h"
# include "fit-glib/metrics/fit-metrics.h"
# include "fit-glib/train/fit-train.h"
# include "fit-glib/handlers/fit-handlers.h"
#undef FIT_INSIDE
