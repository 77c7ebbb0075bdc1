/* fit-losses.h: the built-in loss functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/nn/fit-loss.h"

G_BEGIN_DECLS

/* Class indices: fit-loss-classification.c; binary cross-entropy: fit-loss-elementwise.c */

#define FIT_TYPE_CROSS_ENTROPY_LOSS (fit_cross_entropy_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitCrossEntropyLoss, fit_cross_entropy_loss, FIT, CROSS_ENTROPY_LOSS,
                      FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_cross_entropy_loss_new       (void);
FIT_AVAILABLE_IN_1_0
FitLoss *fit_cross_entropy_loss_new_full  (FitReduction   reduction,
                                           FitTensor     *weight,
                                           gint64         ignore_index,
                                           double         label_smoothing);

#define FIT_TYPE_NLL_LOSS (fit_nll_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitNLLLoss, fit_nll_loss, FIT, NLL_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_nll_loss_new                 (void);
FIT_AVAILABLE_IN_1_0
FitLoss *fit_nll_loss_new_full            (FitReduction   reduction,
                                           FitTensor     *weight,
                                           gint64         ignore_index);

#define FIT_TYPE_BCE_LOSS (fit_bce_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitBCELoss, fit_bce_loss, FIT, BCE_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_bce_loss_new                 (void);
FIT_AVAILABLE_IN_1_0
FitLoss *fit_bce_loss_new_full            (FitReduction   reduction,
                                           FitTensor     *weight);

#define FIT_TYPE_BCE_WITH_LOGITS_LOSS (fit_bce_with_logits_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitBCEWithLogitsLoss, fit_bce_with_logits_loss, FIT,
                      BCE_WITH_LOGITS_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_bce_with_logits_loss_new     (void);
FIT_AVAILABLE_IN_1_0
FitLoss *fit_bce_with_logits_loss_new_full (FitReduction  reduction,
                                            FitTensor    *weight,
                                            FitTensor    *pos_weight);

/* Regression and divergences: fit-loss-elementwise.c */

#define FIT_TYPE_MSE_LOSS (fit_mse_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitMSELoss, fit_mse_loss, FIT, MSE_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_mse_loss_new                 (FitReduction   reduction);

#define FIT_TYPE_L1_LOSS (fit_l1_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitL1Loss, fit_l1_loss, FIT, L1_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_l1_loss_new                  (FitReduction   reduction);

#define FIT_TYPE_SMOOTH_L1_LOSS (fit_smooth_l1_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitSmoothL1Loss, fit_smooth_l1_loss, FIT, SMOOTH_L1_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_smooth_l1_loss_new           (FitReduction   reduction,
                                           double         beta);

#define FIT_TYPE_HUBER_LOSS (fit_huber_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitHuberLoss, fit_huber_loss, FIT, HUBER_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_huber_loss_new               (FitReduction   reduction,
                                           double         delta);

#define FIT_TYPE_KL_DIV_LOSS (fit_kl_div_loss_get_type ())
FIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (FitKLDivLoss, fit_kl_div_loss, FIT, KL_DIV_LOSS, FitLoss)
FIT_AVAILABLE_IN_1_0
FitLoss *fit_kl_div_loss_new              (FitReduction   reduction,
                                           gboolean       log_target);

G_END_DECLS
