/* fit-csv-reader.h: comma-separated values into a tensor dataset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fit-glib/data/fit-tensor-dataset.h"

G_BEGIN_DECLS

/**
 * FitClassOrder:
 * @FIT_CLASS_ORDER_FIRST_SEEN: class names get indices 0, 1, 2, … in the order in which
 *   they first appear in the file
 * @FIT_CLASS_ORDER_SORTED: class names get indices in the byte order of their names
 *   (strcmp), so the mapping does not depend on the order of the rows
 *
 * How [class@Fit.CsvReader] maps class names in the label column to class indices.
 *
 * Since: 1.0
 */
typedef enum
{
  FIT_CLASS_ORDER_FIRST_SEEN,
  FIT_CLASS_ORDER_SORTED,
} FitClassOrder;

#define FIT_TYPE_CSV_READER (fit_csv_reader_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCsvReader, fit_csv_reader, FIT, CSV_READER, GObject)

FIT_AVAILABLE_IN_1_0
FitCsvReader      *fit_csv_reader_new                    (void);
FIT_AVAILABLE_IN_1_0
gboolean           fit_csv_reader_get_has_header         (FitCsvReader   *self);
FIT_AVAILABLE_IN_1_0
void               fit_csv_reader_set_has_header         (FitCsvReader   *self,
                                                          gboolean        has_header);
FIT_AVAILABLE_IN_1_0
gunichar           fit_csv_reader_get_delimiter          (FitCsvReader   *self);
FIT_AVAILABLE_IN_1_0
void               fit_csv_reader_set_delimiter          (FitCsvReader   *self,
                                                          gunichar        delimiter);
FIT_AVAILABLE_IN_1_0
int                fit_csv_reader_get_label_column       (FitCsvReader   *self);
FIT_AVAILABLE_IN_1_0
void               fit_csv_reader_set_label_column       (FitCsvReader   *self,
                                                          int             column);
FIT_AVAILABLE_IN_1_0
const char        *fit_csv_reader_get_label_column_name  (FitCsvReader   *self);
FIT_AVAILABLE_IN_1_0
void               fit_csv_reader_set_label_column_name  (FitCsvReader   *self,
                                                          const char     *name);
FIT_AVAILABLE_IN_1_0
FitClassOrder      fit_csv_reader_get_class_order        (FitCsvReader   *self);
FIT_AVAILABLE_IN_1_0
void               fit_csv_reader_set_class_order        (FitCsvReader   *self,
                                                          FitClassOrder   order);
FIT_AVAILABLE_IN_1_0
FitTensorDataset  *fit_csv_reader_read                   (FitCsvReader   *self,
                                                          const char     *path,
                                                          GCancellable   *cancellable,
                                                          GError        **error);

G_END_DECLS
