/* fit-param-group.c: parameters that share hyper-parameters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fit-optim-private.h"

/**
 * FitParamGroup:
 *
 * A set of parameters of a [class@Fit.Optimizer] that share hyper-parameters: a
 * learning rate, a weight decay and whatever else the optimizer reads (`momentum`,
 * `beta1`, …), as in PyTorch's `param_groups`.
 *
 * An optimizer starts with one group holding the parameters given to its constructor;
 * [method@Fit.Optimizer.add_param_group] adds more, for example a smaller learning
 * rate for a pretrained backbone or no weight decay for biases. Each group's values
 * start as the optimizer's and can then be changed on their own.
 *
 * Since: 1.0
 */

struct _FitParamGroup
{
  GObject      parent_instance;

  GPtrArray   *params;    /* FitTensor*, strong */
  GArray      *hypers;    /* FitHyper */
};

enum {
  PROP_0,
  PROP_LEARNING_RATE,
  PROP_WEIGHT_DECAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitParamGroup, fit_param_group, G_TYPE_OBJECT)

/* ---- FitHyper lists ---- */

static void
hyper_clear (gpointer data)
{
  g_free (((FitHyper *) data)->name);
}

GArray *
fit_hypers_new (void)
{
  GArray *hypers = g_array_new (FALSE, FALSE, sizeof (FitHyper));

  g_array_set_clear_func (hypers, hyper_clear);
  return hypers;
}

GArray *
fit_hypers_copy (GArray *hypers)
{
  GArray *copy = fit_hypers_new ();

  for (guint i = 0; i < hypers->len; i++)
    fit_hypers_set (copy, g_array_index (hypers, FitHyper, i).name,
                    g_array_index (hypers, FitHyper, i).value);
  return copy;
}

FitHyper *
fit_hypers_find (GArray     *hypers,
                 const char *name)
{
  for (guint i = 0; i < hypers->len; i++)
    if (strcmp (g_array_index (hypers, FitHyper, i).name, name) == 0)
      return &g_array_index (hypers, FitHyper, i);
  return NULL;
}

gboolean
fit_hypers_set (GArray     *hypers,
                const char *name,
                double      value)
{
  FitHyper *h = fit_hypers_find (hypers, name);
  FitHyper added;

  if (h != NULL)
    {
      /* Bitwise, so that NaN and -0.0 count as changes too. */
      if (memcmp (&h->value, &value, sizeof value) == 0)
        return FALSE;
      h->value = value;
      return TRUE;
    }
  added.name = g_strdup (name);
  added.value = value;
  g_array_append_val (hypers, added);
  return TRUE;
}

/* ---- the group ---- */

static void
fit_param_group_finalize (GObject *object)
{
  FitParamGroup *self = (FitParamGroup *) object;

  g_clear_pointer (&self->params, g_ptr_array_unref);
  g_clear_pointer (&self->hypers, g_array_unref);
  G_OBJECT_CLASS (fit_param_group_parent_class)->finalize (object);
}

static void
fit_param_group_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FitParamGroup *self = FIT_PARAM_GROUP (object);

  switch (prop_id)
    {
    case PROP_LEARNING_RATE:
      g_value_set_double (value, fit_param_group_get_learning_rate (self));
      break;
    case PROP_WEIGHT_DECAY:
      g_value_set_double (value, fit_param_group_get_weight_decay (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_param_group_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FitParamGroup *self = FIT_PARAM_GROUP (object);

  switch (prop_id)
    {
    case PROP_LEARNING_RATE:
      fit_param_group_set_learning_rate (self, g_value_get_double (value));
      break;
    case PROP_WEIGHT_DECAY:
      fit_param_group_set_weight_decay (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_param_group_class_init (FitParamGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_param_group_finalize;
  object_class->get_property = fit_param_group_get_property;
  object_class->set_property = fit_param_group_set_property;

  /**
   * FitParamGroup:learning-rate:
   *
   * The group's learning rate, the `"learning-rate"` hyper-parameter.
   *
   * Since: 1.0
   */
  properties[PROP_LEARNING_RATE] =
    g_param_spec_double ("learning-rate", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-3,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitParamGroup:weight-decay:
   *
   * The group's weight decay, the `"weight-decay"` hyper-parameter.
   *
   * Since: 1.0
   */
  properties[PROP_WEIGHT_DECAY] =
    g_param_spec_double ("weight-decay", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_param_group_init (FitParamGroup *self)
{
  self->params = g_ptr_array_new_with_free_func (g_object_unref);
  self->hypers = fit_hypers_new ();
}

FitParamGroup *
fit_param_group_new (FitTensor **params,
                     guint       n_params,
                     GArray     *hypers)
{
  FitParamGroup *self = g_object_new (FIT_TYPE_PARAM_GROUP, NULL);

  for (guint i = 0; i < n_params; i++)
    g_ptr_array_add (self->params, g_object_ref (params[i]));
  g_array_unref (self->hypers);
  self->hypers = fit_hypers_copy (hypers);
  return self;
}

GArray *
fit_param_group_get_hypers (FitParamGroup *self)
{
  return self->hypers;
}

/**
 * fit_param_group_get_params:
 * @self: a `FitParamGroup`
 *
 * Lists the group's parameters, in the order they were given.
 *
 * Returns: (transfer container) (element-type FitTensor): the group's parameters
 *
 * Since: 1.0
 */
GPtrArray *
fit_param_group_get_params (FitParamGroup *self)
{
  GPtrArray *params;

  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), NULL);

  params = g_ptr_array_new_full (self->params->len, g_object_unref);
  for (guint i = 0; i < self->params->len; i++)
    g_ptr_array_add (params, g_object_ref (g_ptr_array_index (self->params, i)));
  return params;
}

/**
 * fit_param_group_get_n_params:
 * @self: a `FitParamGroup`
 *
 * Counts the group's parameters.
 *
 * Returns: the number of parameters in the group
 *
 * Since: 1.0
 */
guint
fit_param_group_get_n_params (FitParamGroup *self)
{
  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), 0);
  return self->params->len;
}

/**
 * fit_param_group_has_hyper:
 * @self: a `FitParamGroup`
 * @name: a hyper-parameter name, as `"momentum"`
 *
 * Checks whether the group has a hyper-parameter.
 *
 * Returns: whether the group has a hyper-parameter of that name
 *
 * Since: 1.0
 */
gboolean
fit_param_group_has_hyper (FitParamGroup *self,
                           const char    *name)
{
  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return fit_hypers_find (self->hypers, name) != NULL;
}

/**
 * fit_param_group_get_hyper:
 * @self: a `FitParamGroup`
 * @name: a hyper-parameter name, as `"momentum"`
 *
 * Reads a hyper-parameter. Booleans (`"nesterov"`, `"amsgrad"`, `"centered"`) are 0 or 1.
 *
 * Returns: the value, or NaN (with a critical warning) when the group has none of that
 *   name
 *
 * Since: 1.0
 */
double
fit_param_group_get_hyper (FitParamGroup *self,
                           const char    *name)
{
  FitHyper *h;

  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), NAN);
  g_return_val_if_fail (name != NULL, NAN);

  h = fit_hypers_find (self->hypers, name);
  if (h == NULL)
    {
      g_critical ("%s: the parameter group has no hyper-parameter “%s”", G_STRFUNC, name);
      return NAN;
    }
  return h->value;
}

/**
 * fit_param_group_set_hyper:
 * @self: a `FitParamGroup`
 * @name: a hyper-parameter name
 * @value: its new value
 *
 * Sets (or adds) one of the group's hyper-parameters. Values are checked when the
 * optimizer uses them: [method@Fit.Optimizer.step] fails on, say, a negative momentum.
 *
 * Since: 1.0
 */
void
fit_param_group_set_hyper (FitParamGroup *self,
                           const char    *name,
                           double         value)
{
  g_return_if_fail (FIT_IS_PARAM_GROUP (self));
  g_return_if_fail (name != NULL && name[0] != '\0');

  if (!fit_hypers_set (self->hypers, name, value))
    return;
  if (strcmp (name, FIT_HYPER_LEARNING_RATE) == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEARNING_RATE]);
  else if (strcmp (name, FIT_HYPER_WEIGHT_DECAY) == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEIGHT_DECAY]);
}

/**
 * fit_param_group_get_hyper_names:
 * @self: a `FitParamGroup`
 *
 * Lists the group's hyper-parameters: the learning rate, the weight decay and those of
 * the optimizer.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the group's
 *   hyper-parameters
 *
 * Since: 1.0
 */
char **
fit_param_group_get_hyper_names (FitParamGroup *self)
{
  char **names;

  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), NULL);

  names = g_new (char *, self->hypers->len + 1);
  for (guint i = 0; i < self->hypers->len; i++)
    names[i] = g_strdup (g_array_index (self->hypers, FitHyper, i).name);
  names[self->hypers->len] = NULL;
  return names;
}

/**
 * fit_param_group_get_learning_rate:
 * @self: a `FitParamGroup`
 *
 * Reads the group's learning rate.
 *
 * Returns: the group's learning rate
 *
 * Since: 1.0
 */
double
fit_param_group_get_learning_rate (FitParamGroup *self)
{
  FitHyper *h;

  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), 0.0);
  h = fit_hypers_find (self->hypers, FIT_HYPER_LEARNING_RATE);
  return h != NULL ? h->value : 0.0;
}

/**
 * fit_param_group_set_learning_rate:
 * @self: a `FitParamGroup`
 * @learning_rate: the new learning rate, finite and not negative
 *
 * Sets the group's learning rate; a schedule handler calls this (or
 * [method@Fit.Optimizer.set_learning_rate] for every group) between steps.
 *
 * Since: 1.0
 */
void
fit_param_group_set_learning_rate (FitParamGroup *self,
                                   double         learning_rate)
{
  g_return_if_fail (FIT_IS_PARAM_GROUP (self));
  g_return_if_fail (isfinite (learning_rate) && learning_rate >= 0.0);
  fit_param_group_set_hyper (self, FIT_HYPER_LEARNING_RATE, learning_rate);
}

/**
 * fit_param_group_get_weight_decay:
 * @self: a `FitParamGroup`
 *
 * Reads the group's weight decay.
 *
 * Returns: the group's weight decay
 *
 * Since: 1.0
 */
double
fit_param_group_get_weight_decay (FitParamGroup *self)
{
  FitHyper *h;

  g_return_val_if_fail (FIT_IS_PARAM_GROUP (self), 0.0);
  h = fit_hypers_find (self->hypers, FIT_HYPER_WEIGHT_DECAY);
  return h != NULL ? h->value : 0.0;
}

/**
 * fit_param_group_set_weight_decay:
 * @self: a `FitParamGroup`
 * @weight_decay: the new weight decay, finite and not negative
 *
 * Sets the group's weight decay (an L2 penalty added to the gradient, or for
 * [class@Fit.AdamW] a decoupled decay of the weights).
 *
 * Since: 1.0
 */
void
fit_param_group_set_weight_decay (FitParamGroup *self,
                                  double         weight_decay)
{
  g_return_if_fail (FIT_IS_PARAM_GROUP (self));
  g_return_if_fail (isfinite (weight_decay) && weight_decay >= 0.0);
  fit_param_group_set_hyper (self, FIT_HYPER_WEIGHT_DECAY, weight_decay);
}
