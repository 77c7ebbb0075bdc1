/* fit-train-types.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-train.h"

/**
 * fit_event_get_name:
 * @event: an event
 *
 * Returns the name of the estimator's signal for @event, such as `batch-end`.
 *
 * Returns: (transfer none): the signal name
 *
 * Since: 1.0
 */
const char *
fit_event_get_name (FitEvent event)
{
  static const char * const names[FIT_N_EVENTS] = {
    "train-begin", "epoch-begin", "batch-begin", "forward-end", "loss-end", "backward-end",
    "step-end", "batch-end", "validate-begin", "validate-batch-end", "validate-end",
    "epoch-end", "train-end",
  };

  g_return_val_if_fail ((guint) event < FIT_N_EVENTS, NULL);
  return names[event];
}
