/* fit-csv-logger-handler.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/train/fit-estimator.h"
#include "fit-glib/train/fit-event-handler.h"

G_BEGIN_DECLS

#define FIT_TYPE_CSV_LOGGER_HANDLER (fit_csv_logger_handler_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCsvLoggerHandler, fit_csv_logger_handler, FIT, CSV_LOGGER_HANDLER, FitEventHandler)

FIT_AVAILABLE_IN_1_0
FitEventHandler *fit_csv_logger_handler_new (const char *path,
                                                gboolean    append);

G_END_DECLS
