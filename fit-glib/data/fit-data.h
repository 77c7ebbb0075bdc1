/* fit-data.h: the data layer's public headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/data/fit-data-enums.h"
#include "fit-glib/data/fit-dataset.h"
#include "fit-glib/data/fit-subset.h"
#include "fit-glib/data/fit-tensor-dataset.h"
#include "fit-glib/data/fit-transform.h"
#include "fit-glib/data/fit-compose.h"
#include "fit-glib/data/fit-normalize.h"
#include "fit-glib/data/fit-one-hot.h"
#include "fit-glib/data/fit-random-crop.h"
#include "fit-glib/data/fit-random-horizontal-flip.h"
#include "fit-glib/data/fit-scale.h"
#include "fit-glib/data/fit-data-iter.h"
#include "fit-glib/data/fit-data-loader.h"
#include "fit-glib/data/fit-csv-reader.h"
#include "fit-glib/data/fit-idx.h"
#include "fit-glib/data/fit-npy.h"
