/* fit-train.h: the train layer's public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/data/fit-data.h"
#include "fit-glib/io/fit-io.h"
#include "fit-glib/metrics/fit-metrics.h"
#include "fit-glib/nn/fit-nn.h"
#include "fit-glib/optim/fit-optim.h"
#include "fit-glib/train/fit-train-types.h"
#include "fit-glib/train/fit-train-enums.h"
#include "fit-glib/train/fit-event-handler.h"
#include "fit-glib/train/fit-batch-processor.h"
#include "fit-glib/train/fit-history-record.h"
#include "fit-glib/train/fit-history.h"
#include "fit-glib/train/fit-estimator.h"
#include "fit-glib/train/fit-metric-handler.h"
#include "fit-glib/train/fit-validation-handler.h"
#include "fit-glib/train/fit-history-handler.h"
