/* fit-history-record.h: the values of one epoch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "fit-glib/fit-version-macros.h"

G_BEGIN_DECLS

#define FIT_TYPE_HISTORY_RECORD (fit_history_record_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitHistoryRecord, fit_history_record, FIT, HISTORY_RECORD, GObject)

FIT_AVAILABLE_IN_1_0
FitHistoryRecord  *fit_history_record_new                (int                epoch);
FIT_AVAILABLE_IN_1_0
int                fit_history_record_get_epoch          (FitHistoryRecord  *self);
FIT_AVAILABLE_IN_1_0
double             fit_history_record_get_learning_rate  (FitHistoryRecord  *self);
FIT_AVAILABLE_IN_1_0
void               fit_history_record_set_learning_rate  (FitHistoryRecord  *self,
                                                          double             learning_rate);
FIT_AVAILABLE_IN_1_0
double             fit_history_record_get_time           (FitHistoryRecord  *self);
FIT_AVAILABLE_IN_1_0
void               fit_history_record_set_time           (FitHistoryRecord  *self,
                                                          double             seconds);
FIT_AVAILABLE_IN_1_0
gboolean           fit_history_record_lookup             (FitHistoryRecord  *self,
                                                          const char        *name,
                                                          double            *value);
FIT_AVAILABLE_IN_1_0
double             fit_history_record_get_value          (FitHistoryRecord  *self,
                                                          const char        *name);
FIT_AVAILABLE_IN_1_0
void               fit_history_record_set_value          (FitHistoryRecord  *self,
                                                          const char        *name,
                                                          double             value);
FIT_AVAILABLE_IN_1_0
char             **fit_history_record_get_names          (FitHistoryRecord  *self);
FIT_AVAILABLE_IN_1_0
GVariant          *fit_history_record_get_values         (FitHistoryRecord  *self);
FIT_AVAILABLE_IN_1_0
char              *fit_history_record_to_string          (FitHistoryRecord  *self);

G_END_DECLS
