/* fit-optim.h: the optim layer's public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/io/fit-io.h"
#include "fit-glib/optim/fit-param-group.h"
#include "fit-glib/optim/fit-param-state.h"
#include "fit-glib/optim/fit-optimizer.h"
#include "fit-glib/optim/fit-sgd.h"
#include "fit-glib/optim/fit-adam.h"
#include "fit-glib/optim/fit-adamw.h"
#include "fit-glib/optim/fit-rmsprop.h"
#include "fit-glib/optim/fit-adagrad.h"
#include "fit-glib/optim/fit-clip-grad.h"
#include "fit-glib/optim/fit-lr-schedule.h"
#include "fit-glib/optim/fit-step-lr.h"
#include "fit-glib/optim/fit-multi-step-lr.h"
#include "fit-glib/optim/fit-exponential-lr.h"
#include "fit-glib/optim/fit-cosine-lr.h"
#include "fit-glib/optim/fit-one-cycle-lr.h"
#include "fit-glib/optim/fit-linear-warmup-lr.h"
