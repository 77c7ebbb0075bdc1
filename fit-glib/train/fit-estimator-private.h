/* fit-estimator-private.h: what the files of the estimator share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only the estimator's own files include this header. The built-in handlers see the
 * estimator through its public API and fit-estimator-handlers-private.h.
 */

#pragma once

#include "fit-glib/train/fit-estimator-handlers-private.h"

G_BEGIN_DECLS

G_END_DECLS
