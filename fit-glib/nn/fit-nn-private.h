/* fit-nn-private.h: helpers shared by the nn layer's files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib/gi18n-lib.h>

#include "fit-glib/core/fit-tensor-private.h"
#include "fit-glib/nn/fit-nn.h"

G_BEGIN_DECLS

/* @rng itself (a new reference) or, when NULL, a generator forked from the default one
 * (fit_init_get_default_rng()), so that models built without a generator are still
 * reproducible from FIT_INIT_DEFAULT_SEED. */
FitRng     *fit_nn_resolve_rng        (FitRng        *rng);

/* PyTorch's default for Linear and Conv: weight ~ kaiming_uniform(a = √5), which is
 * U(-1/√fan_in, 1/√fan_in), and bias ~ U(-1/√fan_in, 1/√fan_in). */
void        fit_nn_init_linear_like   (FitTensor     *weight,
                                       FitTensor     *bias,
                                       double         fan_in,
                                       FitRng        *rng);

/* A float32 tensor of zeros of @shape, for the layers' constructors. Layer sizes are a
 * programmer's promise (GObject construction cannot fail): sizes whose product is too
 * large for a tensor (fit_shape_is_valid()) are a critical naming @layer, and the layer
 * gets a parameter of the same rank with every size 0, so that its forward fails with
 * FIT_ERROR_SHAPE instead of crashing. */
FitTensor  *fit_nn_new_param          (const char    *layer,
                                       const gint64  *shape,
                                       guint          n_dims);

/* Checks that @input has @n_dims dimensions (or one of two counts) and that dimension
 * @dim is @size, naming @layer and what it expected. */
gboolean    fit_nn_check_input        (const char    *layer,
                                       FitTensor     *input,
                                       guint          n_dims_a,
                                       guint          n_dims_b,
                                       int            dim,
                                       gint64         size,
                                       GError       **error);

/* A process-wide count of structural changes to any module (a parameter or a child
 * added): a list of parameters taken while it had one value is still complete while
 * it keeps it. The training loop lists the parameters once and re-lists them only when
 * this moves. */
guint       fit_module_structure_serial (void);

/* The check of fit_module_set_state(), without the copy: whether @state holds exactly the
 * module's names, shapes and element types (FIT_ERROR_MISMATCH listing what differs). */
gboolean    fit_module_check_state    (FitModule      *self,
                                       FitSafetensors *state,
                                       GError        **error);

/* Whether fit_module_summary_for_input() is recording on this thread: it lists every
 * module's own output, so chains do not fuse their children meanwhile. */
gboolean    fit_module_summary_recording (void);

/* The layer's forward pass followed by a ReLU, in one operation (see
 * fit_tensor_conv2d_relu()). */
FitTensor  *fit_conv2d_forward_relu   (FitConv2d     *self,
                                       FitTensor     *input,
                                       GError       **error);

G_END_DECLS
