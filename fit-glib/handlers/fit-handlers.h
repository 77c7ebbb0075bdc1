/* fit-handlers.h: the handlers layer's public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/train/fit-train.h"
#include "fit-glib/handlers/fit-checkpoint-handler.h"
#include "fit-glib/handlers/fit-csv-logger-handler.h"
#include "fit-glib/handlers/fit-early-stopping-handler.h"
#include "fit-glib/handlers/fit-gradient-accumulation-handler.h"
#include "fit-glib/handlers/fit-gradient-clipping-handler.h"
#include "fit-glib/handlers/fit-logging-handler.h"
#include "fit-glib/handlers/fit-lr-finder.h"
#include "fit-glib/handlers/fit-lr-scheduler-handler.h"
#include "fit-glib/handlers/fit-progress-handler.h"
#include "fit-glib/handlers/fit-reduce-lr-on-plateau-handler.h"
#include "fit-glib/handlers/fit-stopping-handler.h"
#include "fit-glib/handlers/fit-terminate-on-nan-handler.h"
#include "fit-glib/handlers/fit-time-limit-handler.h"
