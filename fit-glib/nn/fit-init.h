/* fit-init.h: parameter initialisers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(FIT_INSIDE) && !defined(FIT_COMPILATION)
# error "Only <fit-glib/fit-glib.h> can be included directly."
#endif

#include "fit-glib/core/fit-core.h"
#include "fit-glib/nn/fit-nn-types.h"

G_BEGIN_DECLS

/**
 * FIT_INIT_DEFAULT_SEED:
 *
 * The seed of the generator that layers draw their initial weights from when they are
 * given no [class@Fit.Rng]; see [func@Fit.init_get_default_rng].
 *
 * Since: 1.0
 */
#define FIT_INIT_DEFAULT_SEED 5489

FIT_AVAILABLE_IN_1_0
FitRng   *fit_init_get_default_rng   (void);
FIT_AVAILABLE_IN_1_0
void      fit_init_set_default_seed  (guint64          seed);

FIT_AVAILABLE_IN_1_0
double    fit_init_calculate_gain    (FitNonlinearity  nonlinearity,
                                      double           param);
FIT_AVAILABLE_IN_1_0
gboolean  fit_init_calculate_fans    (FitTensor       *tensor,
                                      gint64          *fan_in,
                                      gint64          *fan_out,
                                      GError         **error);

FIT_AVAILABLE_IN_1_0
void      fit_init_zeros             (FitTensor       *tensor);
FIT_AVAILABLE_IN_1_0
void      fit_init_ones              (FitTensor       *tensor);
FIT_AVAILABLE_IN_1_0
void      fit_init_constant          (FitTensor       *tensor,
                                      double           value);
FIT_AVAILABLE_IN_1_0
void      fit_init_uniform           (FitTensor       *tensor,
                                      FitRng          *rng,
                                      double           low,
                                      double           high);
FIT_AVAILABLE_IN_1_0
void      fit_init_normal            (FitTensor       *tensor,
                                      FitRng          *rng,
                                      double           mean,
                                      double           std);
FIT_AVAILABLE_IN_1_0
gboolean  fit_init_xavier_uniform    (FitTensor       *tensor,
                                      FitRng          *rng,
                                      double           gain,
                                      GError         **error);
FIT_AVAILABLE_IN_1_0
gboolean  fit_init_xavier_normal     (FitTensor       *tensor,
                                      FitRng          *rng,
                                      double           gain,
                                      GError         **error);
FIT_AVAILABLE_IN_1_0
gboolean  fit_init_kaiming_uniform   (FitTensor       *tensor,
                                      FitRng          *rng,
                                      double           a,
                                      FitFanMode       mode,
                                      FitNonlinearity  nonlinearity,
                                      GError         **error);
FIT_AVAILABLE_IN_1_0
gboolean  fit_init_kaiming_normal    (FitTensor       *tensor,
                                      FitRng          *rng,
                                      double           a,
                                      FitFanMode       mode,
                                      FitNonlinearity  nonlinearity,
                                      GError         **error);

G_END_DECLS
