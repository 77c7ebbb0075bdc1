/* fit-residual.c: a residual block
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitResidual:
 *
 * A residual connection: the output is `body(x) + shortcut(x)`, or `body(x) + x` when
 * there is no shortcut. ResNet's basic block is a residual whose body is
 * conv-bn-relu-conv-bn and whose shortcut, where the shape changes, is a strided 1×1
 * convolution and batch normalisation; put it in a [class@Fit.Sequential] followed by
 * a [class@Fit.ReLU] for the activation after the sum.
 *
 * The children are named `body` and `shortcut`.
 *
 * Since: 1.0
 */

struct _FitResidual
{
  FitModule  parent_instance;

  FitModule *body;
  FitModule *shortcut;
};

enum {
  PROP_0,
  PROP_BODY,
  PROP_SHORTCUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitResidual, fit_residual, FIT_TYPE_MODULE)

static void
fit_residual_dispose (GObject *object)
{
  FitResidual *self = FIT_RESIDUAL (object);

  g_clear_object (&self->body);
  g_clear_object (&self->shortcut);
  G_OBJECT_CLASS (fit_residual_parent_class)->dispose (object);
}

static void
fit_residual_constructed (GObject *object)
{
  FitResidual *self = FIT_RESIDUAL (object);

  G_OBJECT_CLASS (fit_residual_parent_class)->constructed (object);
  if (self->body == NULL)
    self->body = FIT_MODULE (fit_identity_new ());
  fit_module_add_child (FIT_MODULE (self), "body", self->body);
  if (self->shortcut != NULL)
    fit_module_add_child (FIT_MODULE (self), "shortcut", self->shortcut);
}

static void
fit_residual_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FitResidual *self = FIT_RESIDUAL (object);

  switch (prop_id)
    {
    case PROP_BODY:
      g_value_set_object (value, self->body);
      break;
    case PROP_SHORTCUT:
      g_value_set_object (value, self->shortcut);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_residual_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FitResidual *self = FIT_RESIDUAL (object);

  switch (prop_id)
    {
    case PROP_BODY:
      self->body = g_value_dup_object (value);
      break;
    case PROP_SHORTCUT:
      self->shortcut = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_residual_forward (FitModule  *module,
                      FitTensor  *input,
                      GError    **error)
{
  FitResidual *self = FIT_RESIDUAL (module);
  g_autoptr(FitTensor) y = NULL;
  g_autoptr(FitTensor) s = NULL;
  FitTensor *out;

  y = fit_module_forward (self->body, input, error);
  if (y == NULL)
    return NULL;
  s = self->shortcut != NULL ? fit_module_forward (self->shortcut, input, error)
                             : g_object_ref (input);
  if (s == NULL)
    return NULL;
  if (!fit_shape_equal (y->shape, y->n_dims, s->shape, s->n_dims))
    {
      g_autofree char *a = fit_shape_to_string (y->shape, y->n_dims);
      g_autofree char *b = fit_shape_to_string (s->shape, s->n_dims);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("FitResidual: the body's output has shape %s but the shortcut's has "
                     "shape %s; give the block a shortcut that maps the input to the "
                     "body's output shape"), a, b);
      return NULL;
    }
  out = fit_tensor_add (y, s, error);
  return out;
}

static void
fit_residual_class_init (FitResidualClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitModuleClass *module_class = FIT_MODULE_CLASS (klass);

  object_class->dispose = fit_residual_dispose;
  object_class->constructed = fit_residual_constructed;
  object_class->get_property = fit_residual_get_property;
  object_class->set_property = fit_residual_set_property;
  module_class->forward = fit_residual_forward;

  /**
   * FitResidual:body:
   *
   * The main branch (an identity when not set).
   *
   * Since: 1.0
   */
  properties[PROP_BODY] =
    g_param_spec_object ("body", NULL, NULL, FIT_TYPE_MODULE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * FitResidual:shortcut:
   *
   * The branch added to the body's output, or %NULL for the input itself.
   *
   * Since: 1.0
   */
  properties[PROP_SHORTCUT] =
    g_param_spec_object ("shortcut", NULL, NULL, FIT_TYPE_MODULE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_residual_init (FitResidual *self)
{
}

/**
 * fit_residual_new:
 * @body: the main branch
 * @shortcut: (nullable): the branch added to it, or %NULL for the identity
 *
 * Creates a residual block computing `body(x) + shortcut(x)`.
 *
 * Returns: (transfer full): a new #FitResidual
 *
 * Since: 1.0
 */
FitResidual *
fit_residual_new (FitModule *body,
                  FitModule *shortcut)
{
  g_return_val_if_fail (FIT_IS_MODULE (body), NULL);
  g_return_val_if_fail (shortcut == NULL || FIT_IS_MODULE (shortcut), NULL);

  return g_object_new (FIT_TYPE_RESIDUAL, "body", body, "shortcut", shortcut, NULL);
}

/**
 * fit_residual_get_body:
 * @self: a #FitResidual
 *
 * Gets the main branch.
 *
 * Returns: (transfer none): the main branch
 *
 * Since: 1.0
 */
FitModule *
fit_residual_get_body (FitResidual *self)
{
  g_return_val_if_fail (FIT_IS_RESIDUAL (self), NULL);
  return self->body;
}

/**
 * fit_residual_get_shortcut:
 * @self: a #FitResidual
 *
 * Gets the shortcut branch.
 *
 * Returns: (transfer none) (nullable): the shortcut branch, or %NULL for the identity
 *
 * Since: 1.0
 */
FitModule *
fit_residual_get_shortcut (FitResidual *self)
{
  g_return_val_if_fail (FIT_IS_RESIDUAL (self), NULL);
  return self->shortcut;
}
