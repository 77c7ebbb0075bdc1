/* fit-history.h: the per-epoch records of a fit, as a list model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/train/fit-history-record.h"

G_BEGIN_DECLS

#define FIT_TYPE_HISTORY (fit_history_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitHistory, fit_history, FIT, HISTORY, GObject)

FIT_AVAILABLE_IN_1_0
FitHistory        *fit_history_new          (void);
FIT_AVAILABLE_IN_1_0
void               fit_history_append       (FitHistory        *self,
                                             FitHistoryRecord  *record);
FIT_AVAILABLE_IN_1_0
void               fit_history_clear        (FitHistory        *self);
FIT_AVAILABLE_IN_1_0
FitHistoryRecord  *fit_history_get_record   (FitHistory        *self,
                                             guint              position);
FIT_AVAILABLE_IN_1_0
FitHistoryRecord  *fit_history_get_last     (FitHistory        *self);
FIT_AVAILABLE_IN_1_0
double            *fit_history_get_values   (FitHistory        *self,
                                             const char        *name,
                                             guint             *n_values);
FIT_AVAILABLE_IN_1_0
char              *fit_history_to_json      (FitHistory        *self);
FIT_AVAILABLE_IN_1_0
gboolean           fit_history_load_json    (FitHistory        *self,
                                             const char        *json,
                                             GError           **error);

G_END_DECLS
