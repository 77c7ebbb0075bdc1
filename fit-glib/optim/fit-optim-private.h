/* fit-optim-private.h: what the optim layer's files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fit-glib/core/fit-core-private.h"
#include "fit-glib/optim/fit-optim.h"

G_BEGIN_DECLS

/* Hyper-parameter names shared by the built-in optimizers: the names of their
 * properties, so that group values, properties and saved state agree. */
#define FIT_HYPER_LEARNING_RATE "learning-rate"
#define FIT_HYPER_WEIGHT_DECAY  "weight-decay"

/* An ordered list of named doubles: a group's hyper-parameters or an optimizer's
 * defaults. A dozen entries at most, so a linear search beats hashing. */
typedef struct
{
  char    *name;
  double   value;
} FitHyper;

GArray        *fit_hypers_new               (void);
GArray        *fit_hypers_copy              (GArray         *hypers);
FitHyper      *fit_hypers_find              (GArray         *hypers,
                                             const char     *name);
/* Returns TRUE when the value changed (or the name is new). */
gboolean       fit_hypers_set               (GArray         *hypers,
                                             const char     *name,
                                             double          value);

FitParamGroup *fit_param_group_new          (FitTensor     **params,
                                             guint           n_params,
                                             GArray         *hypers);
GArray        *fit_param_group_get_hypers   (FitParamGroup  *self);

FitParamState *fit_param_state_new          (void);
/* The buffers as (name, tensor) pairs in order, for saving. */
GPtrArray     *fit_param_state_list_buffers (FitParamState  *self);

/* Reads a hyper-parameter an update needs from @group, checking that it is a finite
 * number no smaller than that hyper-parameter's minimum (0 for every built-in one but
 * SGD's dampening). */
gboolean       fit_optimizer_check_hyper    (const char     *op,
                                             FitParamGroup  *group,
                                             const char     *name,
                                             double         *value,
                                             GError        **error);

/* fit_optimizer_load_state() in two steps: reading and checking everything (the
 * optimizer unchanged on error), then applying it, which cannot fail; a checkpoint is
 * checked whole before any part of it is applied. */
typedef struct _FitOptimizerSnapshot FitOptimizerSnapshot;

FitOptimizerSnapshot *fit_optimizer_read_state   (FitOptimizer          *self,
                                                  FitSafetensors        *from,
                                                  const char            *prefix,
                                                  GError               **error);
void           fit_optimizer_apply_state         (FitOptimizer          *self,
                                                  FitOptimizerSnapshot  *snapshot);
void           fit_optimizer_snapshot_free       (FitOptimizerSnapshot  *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FitOptimizerSnapshot, fit_optimizer_snapshot_free)

/* Properties of optimizer subclasses are views of the hyper-parameter of the same name
 * (a double, or a boolean stored as 0/1): these implement get_property/set_property. */
void           fit_optimizer_get_hyper_property  (FitOptimizer   *self,
                                                  GParamSpec     *pspec,
                                                  GValue         *value);
void           fit_optimizer_set_hyper_property  (FitOptimizer   *self,
                                                  GParamSpec     *pspec,
                                                  const GValue   *value);
/* Adds the constructor's parameters as the first group; a programmer error (a
 * parameter given twice, an integer one) is a critical warning. */
void           fit_optimizer_add_initial_group   (FitOptimizer   *self,
                                                  FitTensor     **params,
                                                  guint           n_params);

/* The Adam update, shared with AdamW, whose weight decay is @decoupled from the
 * gradient. */
gboolean       fit_adam_update_param             (const char     *op,
                                                  FitParamGroup  *group,
                                                  FitTensor      *param,
                                                  FitTensor      *grad,
                                                  FitParamState  *state,
                                                  gboolean        decoupled,
                                                  GError        **error);
void           fit_adam_install_properties       (GObjectClass   *object_class);
void           fit_adam_init_hypers              (FitOptimizer   *self);

G_END_DECLS
