/* fuzz-csv.c: CSV files, plain or gzip-compressed, under every reader setting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first byte chooses the settings: bit 0 compresses the rest with gzip first; bit 1
 * unsets has-header; bits 2-3 choose the delimiter (, ; tab |); bits 4-5 the label
 * column (-1, 0, 1, or the column named "y"); bit 6 sorts the classes. Everything else
 * is the file.
 */

#include "fuzz-common.h"

static const char delimiters[] = { ',', ';', '\t', '|' };
static const int label_columns[] = { -1, 0, 1 };

static void
touch_dataset (FitTensorDataset *ds)
{
  FitTensor *inputs = fit_tensor_dataset_get_inputs (ds);
  FitTensor *labels = fit_tensor_dataset_get_labels (ds);
  const char * const *names = fit_tensor_dataset_get_class_names (ds);
  guint n_names = 0;

  fuzz_touch_tensor (inputs);
  fuzz_touch_tensor (labels);
  if (fit_tensor_get_n_dims (inputs) != 2 || fit_tensor_get_n_dims (labels) != 1 ||
      fit_tensor_get_dim (inputs, 0) != fit_tensor_get_dim (labels, 0))
    abort ();
  if (names == NULL)
    return;

  /* Class names are strings a binding can take, and every label names one. */
  for (; names[n_names] != NULL; n_names++)
    if (!g_utf8_validate (names[n_names], -1, NULL))
      abort ();
  if (fit_tensor_get_dtype (labels) != FIT_DTYPE_INT64)
    abort ();
  for (gint64 i = 0; i < fit_tensor_get_numel (labels); i++)
    {
      gint64 label = ((const gint64 *) fit_tensor_get_data (labels))[i];

      if (label < 0 || label >= n_names)
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(FitCsvReader) reader = NULL;
  g_autoptr(FitTensorDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  char path[64];
  guint8 flags;
  guint label;
  int fd;

  fuzz_init ();
  if (size == 0)
    return 0;
  flags = data[0];
  reader = fit_csv_reader_new ();
  fit_csv_reader_set_has_header (reader, !(flags & 2));
  fit_csv_reader_set_delimiter (reader, delimiters[(flags >> 2) & 3]);
  label = (flags >> 4) & 3;
  if (label < G_N_ELEMENTS (label_columns))
    fit_csv_reader_set_label_column (reader, label_columns[label]);
  else
    fit_csv_reader_set_label_column_name (reader, "y");
  fit_csv_reader_set_class_order (reader, flags & 64 ? FIT_CLASS_ORDER_SORTED
                                                     : FIT_CLASS_ORDER_FIRST_SEEN);

  fd = fuzz_file (data + 1, size - 1, flags & 1, path, sizeof path);
  ds = fit_csv_reader_read (reader, path, NULL, &error);
  close (fd);
  if (ds == NULL)
    fuzz_check_error (error);
  else
    touch_dataset (ds);
  return 0;
}
