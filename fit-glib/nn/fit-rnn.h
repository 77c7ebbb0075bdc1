/* fit-rnn.h: recurrent layers: LSTM and GRU
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-module.h"

G_BEGIN_DECLS

#define FIT_TYPE_LSTM (fit_lstm_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitLSTM, fit_lstm, FIT, LSTM, FitModule)

FIT_AVAILABLE_IN_1_0
FitLSTM   *fit_lstm_new            (gint64       input_size,
                                    gint64       hidden_size,
                                    guint        num_layers,
                                    gboolean     bidirectional,
                                    gboolean     batch_first,
                                    FitRng      *rng);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_lstm_forward_full   (FitLSTM     *self,
                                    FitTensor   *input,
                                    FitTensor   *h0,
                                    FitTensor   *c0,
                                    FitTensor  **h_n,
                                    FitTensor  **c_n,
                                    GError     **error);

#define FIT_TYPE_GRU (fit_gru_get_type ())

FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitGRU, fit_gru, FIT, GRU, FitModule)

FIT_AVAILABLE_IN_1_0
FitGRU    *fit_gru_new             (gint64       input_size,
                                    gint64       hidden_size,
                                    guint        num_layers,
                                    gboolean     bidirectional,
                                    gboolean     batch_first,
                                    FitRng      *rng);
FIT_AVAILABLE_IN_1_0
FitTensor *fit_gru_forward_full    (FitGRU      *self,
                                    FitTensor   *input,
                                    FitTensor   *h0,
                                    FitTensor  **h_n,
                                    GError     **error);

G_END_DECLS
