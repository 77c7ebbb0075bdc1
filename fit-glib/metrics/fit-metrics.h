/* fit-metrics.h: the metrics layer's public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/metrics/fit-metric.h"
#include "fit-glib/metrics/fit-metrics-enums.h"
#include "fit-glib/metrics/fit-accuracy.h"
#include "fit-glib/metrics/fit-binary-accuracy.h"
#include "fit-glib/metrics/fit-cross-entropy-metric.h"
#include "fit-glib/metrics/fit-f1-score.h"
#include "fit-glib/metrics/fit-mae.h"
#include "fit-glib/metrics/fit-mean-loss.h"
#include "fit-glib/metrics/fit-mse.h"
#include "fit-glib/metrics/fit-perplexity.h"
#include "fit-glib/metrics/fit-precision.h"
#include "fit-glib/metrics/fit-recall.h"
#include "fit-glib/metrics/fit-rmse.h"
#include "fit-glib/metrics/fit-top-k-accuracy.h"
