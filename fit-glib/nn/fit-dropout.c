/* fit-dropout.c: dropout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitDropout:
 *
 * In training mode, zeroes each element with probability [property@Fit.Dropout:p] and
 * scales the others by `1 / (1 - p)`, so that evaluation (where the layer is the
 * identity) sees activations of the same expected size. The mask comes from the
 * layer's own [property@Fit.Dropout:rng], so a seeded run drops the same elements
 * every time, and its state can be saved with a checkpoint.
 *
 * Since: 1.0
 */

struct _FitDropout
{
  FitModule parent_instance;

  double    p;
  FitRng   *rng;
};

enum {
  PROP_0,
  PROP_P,
  PROP_RNG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitDropout, fit_dropout, FIT_TYPE_MODULE)

static void
fit_dropout_dispose (GObject *object)
{
  g_clear_object (&FIT_DROPOUT (object)->rng);
  G_OBJECT_CLASS (fit_dropout_parent_class)->dispose (object);
}

static void
fit_dropout_constructed (GObject *object)
{
  FitDropout *self = FIT_DROPOUT (object);
  FitRng *rng = fit_nn_resolve_rng (self->rng);

  G_OBJECT_CLASS (fit_dropout_parent_class)->constructed (object);
  g_clear_object (&self->rng);
  self->rng = rng;
}

static void
fit_dropout_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FitDropout *self = FIT_DROPOUT (object);

  switch (prop_id)
    {
    case PROP_P:
      g_value_set_double (value, self->p);
      break;
    case PROP_RNG:
      g_value_set_object (value, self->rng);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_dropout_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FitDropout *self = FIT_DROPOUT (object);

  switch (prop_id)
    {
    case PROP_P:
      if (self->p != g_value_get_double (value))
        {
          self->p = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RNG:
      g_set_object (&self->rng, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_dropout_forward (FitModule  *module,
                     FitTensor  *input,
                     GError    **error)
{
  FitDropout *self = FIT_DROPOUT (module);

  if (!fit_module_get_training (module) || self->p == 0)
    return g_object_ref (input);
  return fit_tensor_dropout (input, self->p, self->rng, TRUE, error);
}

static void
fit_dropout_class_init (FitDropoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_dropout_dispose;
  object_class->constructed = fit_dropout_constructed;
  object_class->get_property = fit_dropout_get_property;
  object_class->set_property = fit_dropout_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_dropout_forward;

  /**
   * FitDropout:p:
   *
   * The probability of zeroing an element, in [0, 1).
   *
   * Since: 1.0
   */
  properties[PROP_P] =
    g_param_spec_double ("p", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * FitDropout:rng:
   *
   * The generator of the masks; at construction %NULL means one forked from
   * [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  properties[PROP_RNG] =
    g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_dropout_init (FitDropout *self)
{
}

/**
 * fit_dropout_new:
 * @p: the probability of zeroing an element, in [0, 1)
 * @rng: (nullable): the generator of the masks, or %NULL for one forked from
 *   [func@Fit.init_get_default_rng]
 *
 * Creates a dropout layer.
 *
 * Returns: (transfer full): a new #FitDropout
 *
 * Since: 1.0
 */
FitDropout *
fit_dropout_new (double  p,
                 FitRng *rng)
{
  g_return_val_if_fail (p >= 0 && p < 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);
  return g_object_new (FIT_TYPE_DROPOUT, "p", p, "rng", rng, NULL);
}

/**
 * fit_dropout_get_p:
 * @self: a #FitDropout
 *
 * Gets [property@Fit.Dropout:p].
 *
 * Returns: the probability of zeroing an element
 *
 * Since: 1.0
 */
double
fit_dropout_get_p (FitDropout *self)
{
  g_return_val_if_fail (FIT_IS_DROPOUT (self), 0);
  return self->p;
}

/**
 * fit_dropout_get_rng:
 * @self: a #FitDropout
 *
 * Gets the generator of the masks.
 *
 * Returns: (transfer none): the generator of the masks (to save or reseed it)
 *
 * Since: 1.0
 */
FitRng *
fit_dropout_get_rng (FitDropout *self)
{
  g_return_val_if_fail (FIT_IS_DROPOUT (self), NULL);
  return self->rng;
}
