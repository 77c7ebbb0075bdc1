/* fit-nn.h: the nn layer's public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/nn/fit-nn-types.h"
#include "fit-glib/nn/fit-nn-enums.h"
#include "fit-glib/nn/fit-init.h"
#include "fit-glib/nn/fit-module.h"
#include "fit-glib/nn/fit-sequential.h"
#include "fit-glib/nn/fit-module-list.h"
#include "fit-glib/nn/fit-residual.h"
#include "fit-glib/nn/fit-linear.h"
#include "fit-glib/nn/fit-conv1d.h"
#include "fit-glib/nn/fit-conv2d.h"
#include "fit-glib/nn/fit-pooling.h"
#include "fit-glib/nn/fit-pooling1d.h"
#include "fit-glib/nn/fit-normalization.h"
#include "fit-glib/nn/fit-dropout.h"
#include "fit-glib/nn/fit-embedding.h"
#include "fit-glib/nn/fit-activations.h"
#include "fit-glib/nn/fit-rnn.h"
#include "fit-glib/nn/fit-loss.h"
#include "fit-glib/nn/fit-losses.h"
