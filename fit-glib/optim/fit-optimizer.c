/* fit-optimizer.c: the base class of optimizers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include "fit-glib/core/fit-error-private.h"
#include "fit-optim-private.h"

/**
 * FitOptimizer:
 *
 * The base class of optimizers: it holds parameters in [class@Fit.ParamGroup]s, keeps a
 * [class@Fit.ParamState] per parameter, and [method@Fit.Optimizer.step] updates every
 * parameter that has a gradient through the [vfunc@Fit.Optimizer.update] virtual
 * function.
 *
 * The built-in optimizers ([class@Fit.SGD], [class@Fit.Adam], [class@Fit.AdamW],
 * [class@Fit.RMSprop], [class@Fit.Adagrad]) follow PyTorch 1.13's update rules exactly,
 * and name their hyper-parameters and state buffers alike. A new optimizer, in C,
 * Python, JavaScript or Vala, implements `update`: given one parameter, its gradient,
 * its group (read the hyper-parameters with [method@Fit.ParamGroup.get_hyper]) and its
 * state, it changes the parameter in place. In Python:
 *
 * ```python
 * class PlainSGD(Fit.Optimizer):
 *     def do_update(self, group, param, grad, state):
 *         param.add_inplace(grad, -group.get_learning_rate())
 *         return True
 * ```
 *
 * Updates run with gradient recording off, so in-place changes of leaf parameters are
 * allowed. Parameters without a gradient (%NULL, as for a layer that took no part in the
 * loss) are skipped, as in PyTorch.
 *
 * The [property@Fit.Optimizer:learning-rate] property sets the rate of every group, so
 * a schedule handler can change it between steps. The whole state (step counts,
 * buffers and every group's hyper-parameters) is saved into a [class@Fit.Safetensors]
 * with [method@Fit.Optimizer.save_state] and restored exactly with
 * [method@Fit.Optimizer.load_state]: training resumed from it continues bit for bit as
 * if it had never stopped.
 *
 * Since: 1.0
 */

typedef struct
{
  GPtrArray   *groups;    /* FitParamGroup* */
  GArray      *defaults;  /* FitHyper: the values new groups start from */
  GHashTable  *states;    /* FitTensor* (a parameter) -> FitParamState* */
} FitOptimizerPrivate;

enum {
  PROP_0,
  PROP_LEARNING_RATE,
  PROP_WEIGHT_DECAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (FitOptimizer, fit_optimizer, G_TYPE_OBJECT)

#define PRIV(self) ((FitOptimizerPrivate *) fit_optimizer_get_instance_private (self))

static void
fit_optimizer_finalize (GObject *object)
{
  FitOptimizerPrivate *priv = PRIV (FIT_OPTIMIZER (object));

  g_clear_pointer (&priv->states, g_hash_table_unref);
  g_clear_pointer (&priv->groups, g_ptr_array_unref);
  g_clear_pointer (&priv->defaults, g_array_unref);
  G_OBJECT_CLASS (fit_optimizer_parent_class)->finalize (object);
}

static void
fit_optimizer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitOptimizer *self = FIT_OPTIMIZER (object);

  switch (prop_id)
    {
    case PROP_LEARNING_RATE:
      g_value_set_double (value, fit_optimizer_get_learning_rate (self));
      break;
    case PROP_WEIGHT_DECAY:
      g_value_set_double (value, fit_optimizer_get_weight_decay (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_optimizer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitOptimizer *self = FIT_OPTIMIZER (object);

  switch (prop_id)
    {
    case PROP_LEARNING_RATE:
      fit_optimizer_set_learning_rate (self, g_value_get_double (value));
      break;
    case PROP_WEIGHT_DECAY:
      fit_optimizer_set_weight_decay (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_optimizer_class_init (FitOptimizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_optimizer_finalize;
  object_class->get_property = fit_optimizer_get_property;
  object_class->set_property = fit_optimizer_set_property;

  /**
   * FitOptimizer:learning-rate:
   *
   * The learning rate. Setting it sets the rate of every parameter group and the rate
   * of groups added later; reading it gives the first group's rate.
   *
   * Since: 1.0
   */
  properties[PROP_LEARNING_RATE] =
    g_param_spec_double ("learning-rate", NULL, NULL, 0.0, G_MAXDOUBLE, 1e-3,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * FitOptimizer:weight-decay:
   *
   * The weight decay. Setting it sets the decay of every parameter group and of groups
   * added later; reading it gives the first group's.
   *
   * Since: 1.0
   */
  properties[PROP_WEIGHT_DECAY] =
    g_param_spec_double ("weight-decay", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_optimizer_init (FitOptimizer *self)
{
  FitOptimizerPrivate *priv = PRIV (self);

  priv->groups = g_ptr_array_new_with_free_func (g_object_unref);
  priv->defaults = fit_hypers_new ();
  priv->states = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  fit_hypers_set (priv->defaults, FIT_HYPER_LEARNING_RATE, 1e-3);
  fit_hypers_set (priv->defaults, FIT_HYPER_WEIGHT_DECAY, 0.0);
}

static const char *
param_label (FitTensor *param,
             guint      index,
             char      *buf,
             gsize      size)
{
  const char *name = fit_tensor_get_name (param);

  if (name != NULL)
    return name;
  g_snprintf (buf, size, "#%u", index);
  return buf;
}

/**
 * fit_optimizer_add_param_group:
 * @self: a `FitOptimizer`
 * @params: (array length=n_params): the parameters of the new group
 * @n_params: the number of parameters
 * @learning_rate: the group's learning rate, not negative
 * @weight_decay: the group's weight decay, not negative
 * @error: return location for a #GError
 *
 * Adds a group of parameters with its own learning rate and weight decay; its other
 * hyper-parameters start as the optimizer's (see [method@Fit.Optimizer.set_hyper]) and
 * can be changed on the returned group.
 *
 * Returns: (nullable) (transfer none): the new group, or %NULL with
 *   %FIT_ERROR_INVALID_ARGUMENT for a negative or non-finite rate or decay, or a
 *   parameter that is already optimized (in this or another group), or
 *   %FIT_ERROR_DTYPE for a parameter that is not floating-point
 *
 * Since: 1.0
 */
FitParamGroup *
fit_optimizer_add_param_group (FitOptimizer  *self,
                               FitTensor    **params,
                               guint          n_params,
                               double         learning_rate,
                               double         weight_decay,
                               GError       **error)
{
  FitOptimizerPrivate *priv;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GArray) hypers = NULL;
  FitParamGroup *group;
  char buf[32];

  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), NULL);
  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  for (guint i = 0; i < n_params; i++)
    g_return_val_if_fail (FIT_IS_TENSOR (params[i]), NULL);

  priv = PRIV (self);
  if (!isfinite (learning_rate) || learning_rate < 0.0 ||
      !isfinite (weight_decay) || weight_decay < 0.0)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_optimizer_add_param_group: learning rate %g and weight decay %g must "
                     "both be finite and not negative"), learning_rate, weight_decay);
      return NULL;
    }

  seen = g_hash_table_new (NULL, NULL);
  for (guint g = 0; g < priv->groups->len; g++)
    {
      FitParamGroup *other = g_ptr_array_index (priv->groups, g);
      g_autoptr(GPtrArray) others = fit_param_group_get_params (other);

      for (guint i = 0; i < others->len; i++)
        g_hash_table_add (seen, g_ptr_array_index (others, i));
    }
  for (guint i = 0; i < n_params; i++)
    {
      if (!fit_dtype_is_floating (fit_tensor_get_dtype (params[i])))
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                       _("fit_optimizer_add_param_group: parameter %s is %s; only float32 and "
                         "float64 tensors can be optimized"),
                       param_label (params[i], i, buf, sizeof buf),
                       fit_dtype_get_name (fit_tensor_get_dtype (params[i])));
          return NULL;
        }
      if (!g_hash_table_add (seen, params[i]))
        {
          g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                       _("fit_optimizer_add_param_group: parameter %s is already optimized; "
                         "a parameter may be in one group only, once"),
                       param_label (params[i], i, buf, sizeof buf));
          return NULL;
        }
    }

  hypers = fit_hypers_copy (priv->defaults);
  fit_hypers_set (hypers, FIT_HYPER_LEARNING_RATE, learning_rate);
  fit_hypers_set (hypers, FIT_HYPER_WEIGHT_DECAY, weight_decay);
  group = fit_param_group_new (params, n_params, hypers);
  g_ptr_array_add (priv->groups, group);
  return group;
}

/**
 * fit_optimizer_get_n_param_groups:
 * @self: a `FitOptimizer`
 *
 * Counts the parameter groups, the constructor's first one included.
 *
 * Returns: the number of parameter groups
 *
 * Since: 1.0
 */
guint
fit_optimizer_get_n_param_groups (FitOptimizer *self)
{
  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), 0);
  return PRIV (self)->groups->len;
}

/**
 * fit_optimizer_get_param_group:
 * @self: a `FitOptimizer`
 * @index: a group index, less than [method@Fit.Optimizer.get_n_param_groups]
 *
 * Gives a parameter group, to read or change its hyper-parameters.
 *
 * Returns: (transfer none): the group
 *
 * Since: 1.0
 */
FitParamGroup *
fit_optimizer_get_param_group (FitOptimizer *self,
                               guint         index)
{
  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), NULL);
  g_return_val_if_fail (index < PRIV (self)->groups->len, NULL);
  return g_ptr_array_index (PRIV (self)->groups, index);
}

/**
 * fit_optimizer_get_params:
 * @self: a `FitOptimizer`
 *
 * Lists every parameter, group by group. Saved state refers to parameters by their
 * index in this list.
 *
 * Returns: (transfer container) (element-type FitTensor): the parameters
 *
 * Since: 1.0
 */
GPtrArray *
fit_optimizer_get_params (FitOptimizer *self)
{
  FitOptimizerPrivate *priv;
  GPtrArray *all;

  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), NULL);

  priv = PRIV (self);
  all = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint g = 0; g < priv->groups->len; g++)
    {
      g_autoptr(GPtrArray) params =
        fit_param_group_get_params (g_ptr_array_index (priv->groups, g));

      for (guint i = 0; i < params->len; i++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (params, i)));
    }
  return all;
}

/**
 * fit_optimizer_get_param_state:
 * @self: a `FitOptimizer`
 * @param: one of the optimizer's parameters
 *
 * Gives read (and write) access to what the optimizer keeps about @param.
 *
 * Returns: (nullable) (transfer none): the state, or %NULL before @param's first update
 *
 * Since: 1.0
 */
FitParamState *
fit_optimizer_get_param_state (FitOptimizer *self,
                               FitTensor    *param)
{
  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (param), NULL);
  return g_hash_table_lookup (PRIV (self)->states, param);
}

/**
 * fit_optimizer_get_hyper:
 * @self: a `FitOptimizer`
 * @name: a hyper-parameter name, as `"momentum"`
 *
 * Reads a hyper-parameter: the first group's value, or before there is a group, the
 * value new groups will start from.
 *
 * Returns: the value, or NaN (with a critical warning) for an unknown name
 *
 * Since: 1.0
 */
double
fit_optimizer_get_hyper (FitOptimizer *self,
                         const char   *name)
{
  FitOptimizerPrivate *priv;
  FitHyper *h;

  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), NAN);
  g_return_val_if_fail (name != NULL, NAN);

  priv = PRIV (self);
  if (priv->groups->len > 0)
    {
      FitParamGroup *first = g_ptr_array_index (priv->groups, 0);

      if (fit_param_group_has_hyper (first, name))
        return fit_param_group_get_hyper (first, name);
    }
  h = fit_hypers_find (priv->defaults, name);
  if (h == NULL)
    {
      g_critical ("%s: %s has no hyper-parameter “%s”", G_STRFUNC,
                  G_OBJECT_TYPE_NAME (self), name);
      return NAN;
    }
  return h->value;
}

/**
 * fit_optimizer_set_hyper:
 * @self: a `FitOptimizer`
 * @name: a hyper-parameter name
 * @value: its value
 *
 * Sets a hyper-parameter in every group and for the groups added later. Subclasses
 * call this in their instance init to declare their hyper-parameters and defaults.
 *
 * Since: 1.0
 */
void
fit_optimizer_set_hyper (FitOptimizer *self,
                         const char   *name,
                         double        value)
{
  FitOptimizerPrivate *priv;

  g_return_if_fail (FIT_IS_OPTIMIZER (self));
  g_return_if_fail (name != NULL && name[0] != '\0');

  priv = PRIV (self);
  fit_hypers_set (priv->defaults, name, value);
  for (guint g = 0; g < priv->groups->len; g++)
    fit_param_group_set_hyper (g_ptr_array_index (priv->groups, g), name, value);
}

/**
 * fit_optimizer_get_learning_rate:
 * @self: a `FitOptimizer`
 *
 * Reads the learning rate (see [property@Fit.Optimizer:learning-rate]).
 *
 * Returns: the first group's learning rate (see [property@Fit.Optimizer:learning-rate])
 *
 * Since: 1.0
 */
double
fit_optimizer_get_learning_rate (FitOptimizer *self)
{
  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), 0.0);
  return fit_optimizer_get_hyper (self, FIT_HYPER_LEARNING_RATE);
}

/**
 * fit_optimizer_set_learning_rate:
 * @self: a `FitOptimizer`
 * @learning_rate: the new rate, finite and not negative
 *
 * Sets the learning rate of every group (see [property@Fit.Optimizer:learning-rate]).
 *
 * Since: 1.0
 */
void
fit_optimizer_set_learning_rate (FitOptimizer *self,
                                 double        learning_rate)
{
  double old;

  g_return_if_fail (FIT_IS_OPTIMIZER (self));
  g_return_if_fail (isfinite (learning_rate) && learning_rate >= 0.0);

  old = fit_optimizer_get_learning_rate (self);
  fit_optimizer_set_hyper (self, FIT_HYPER_LEARNING_RATE, learning_rate);
  if (old != learning_rate)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEARNING_RATE]);
}

/**
 * fit_optimizer_get_weight_decay:
 * @self: a `FitOptimizer`
 *
 * Reads the weight decay (see [property@Fit.Optimizer:weight-decay]).
 *
 * Returns: the first group's weight decay (see [property@Fit.Optimizer:weight-decay])
 *
 * Since: 1.0
 */
double
fit_optimizer_get_weight_decay (FitOptimizer *self)
{
  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), 0.0);
  return fit_optimizer_get_hyper (self, FIT_HYPER_WEIGHT_DECAY);
}

/**
 * fit_optimizer_set_weight_decay:
 * @self: a `FitOptimizer`
 * @weight_decay: the new weight decay, finite and not negative
 *
 * Sets the weight decay of every group (see [property@Fit.Optimizer:weight-decay]).
 *
 * Since: 1.0
 */
void
fit_optimizer_set_weight_decay (FitOptimizer *self,
                                double        weight_decay)
{
  double old;

  g_return_if_fail (FIT_IS_OPTIMIZER (self));
  g_return_if_fail (isfinite (weight_decay) && weight_decay >= 0.0);

  old = fit_optimizer_get_weight_decay (self);
  fit_optimizer_set_hyper (self, FIT_HYPER_WEIGHT_DECAY, weight_decay);
  if (old != weight_decay)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEIGHT_DECAY]);
}

void
fit_optimizer_get_hyper_property (FitOptimizer *self,
                                  GParamSpec   *pspec,
                                  GValue       *value)
{
  double v = fit_optimizer_get_hyper (self, pspec->name);

  if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_BOOLEAN)
    g_value_set_boolean (value, v != 0.0);
  else
    g_value_set_double (value, v);
}

void
fit_optimizer_set_hyper_property (FitOptimizer *self,
                                  GParamSpec   *pspec,
                                  const GValue *value)
{
  double v, old = fit_optimizer_get_hyper (self, pspec->name);

  if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_BOOLEAN)
    v = g_value_get_boolean (value) ? 1.0 : 0.0;
  else
    v = g_value_get_double (value);
  fit_optimizer_set_hyper (self, pspec->name, v);
  if (v != old)
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

void
fit_optimizer_add_initial_group (FitOptimizer  *self,
                                 FitTensor    **params,
                                 guint          n_params)
{
  g_autoptr(GError) error = NULL;

  if (fit_optimizer_add_param_group (self, params, n_params,
                                     fit_optimizer_get_learning_rate (self),
                                     fit_optimizer_get_weight_decay (self), &error) == NULL)
    g_critical ("%s", error != NULL ? error->message : "invalid parameters");
}

/* The smallest value of each built-in hyper-parameter: the updates and loading a saved
 * state check against the same table. Every value must also be finite; a name not here
 * (a binding's optimizer's) may be any finite number. */
static const struct
{
  const char  *name;
  double       min;
} hyper_minimums[] = {
  { FIT_HYPER_LEARNING_RATE, 0.0 },
  { FIT_HYPER_WEIGHT_DECAY, 0.0 },
  { "momentum", 0.0 },
  { "nesterov", 0.0 },
  { "beta1", 0.0 },
  { "beta2", 0.0 },
  { "epsilon", 0.0 },
  { "amsgrad", 0.0 },
  { "alpha", 0.0 },
  { "centered", 0.0 },
  { "lr-decay", 0.0 },
  { "initial-accumulator-value", 0.0 },
};

static double
hyper_min (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (hyper_minimums); i++)
    if (strcmp (hyper_minimums[i].name, name) == 0)
      return hyper_minimums[i].min;
  return -G_MAXDOUBLE;
}

static gboolean
hyper_valid (const char *name,
             double      value)
{
  return isfinite (value) && value >= hyper_min (name);
}

gboolean
fit_optimizer_check_hyper (const char     *op,
                           FitParamGroup  *group,
                           const char     *name,
                           double         *value,
                           GError        **error)
{
  FitHyper *h = fit_hypers_find (fit_param_group_get_hypers (group), name);

  if (h == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: the parameter group has no “%s” hyper-parameter"), op, name);
      return FALSE;
    }
  if (!hyper_valid (name, h->value))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("%s: “%s” is %g; it must be a finite number of at least %g"),
                   op, name, h->value, hyper_min (name));
      return FALSE;
    }
  *value = h->value;
  return TRUE;
}

static gboolean
same_dtype_and_shape (FitTensor *a,
                      FitTensor *b)
{
  guint na, nb;
  const gint64 *sa = fit_tensor_get_shape (a, &na);
  const gint64 *sb = fit_tensor_get_shape (b, &nb);

  return fit_tensor_get_dtype (a) == fit_tensor_get_dtype (b) && fit_shape_equal (sa, na, sb, nb);
}

static gboolean
check_param (FitTensor  *param,
             FitTensor  *grad,
             guint       index,
             GError    **error)
{
  char buf[32];

  if (!fit_check_cpu ("fit_optimizer_step", param, error) ||
      !fit_check_cpu ("fit_optimizer_step", grad, error))
    return FALSE;
  if (!same_dtype_and_shape (grad, param))
    {
      g_autofree char *ps = fit_tensor_get_shape_string (param);
      g_autofree char *gs = fit_tensor_get_shape_string (grad);

      g_set_error (error, FIT_ERROR, FIT_ERROR_SHAPE,
                   _("fit_optimizer_step: parameter %s is %s %s but its gradient is %s %s"),
                   param_label (param, index, buf, sizeof buf),
                   fit_dtype_get_name (fit_tensor_get_dtype (param)), ps,
                   fit_dtype_get_name (fit_tensor_get_dtype (grad)), gs);
      return FALSE;
    }
  return TRUE;
}

static gboolean
update_one (FitOptimizer   *self,
            FitParamGroup  *group,
            FitTensor      *param,
            guint           index,
            GError        **error)
{
  FitOptimizerClass *klass = FIT_OPTIMIZER_GET_CLASS (self);
  FitOptimizerPrivate *priv = PRIV (self);
  FitTensor *grad = fit_tensor_get_grad (param);
  FitParamState *state;
  GError *local_error = NULL;

  if (grad == NULL)
    return TRUE;
  if (!check_param (param, grad, index, error))
    return FALSE;

  state = g_hash_table_lookup (priv->states, param);
  if (state == NULL)
    {
      state = fit_param_state_new ();
      g_hash_table_insert (priv->states, param, state);
    }
  /* A step count set by hand or loaded from a file can be anything up to G_MAXINT64. */
  if (fit_param_state_get_step (state) == G_MAXINT64)
    {
      char buf[32];

      g_set_error (error, FIT_ERROR, FIT_ERROR_INVALID_ARGUMENT,
                   _("fit_optimizer_step: parameter %s has taken %" PRId64 " steps, as many "
                     "as can be counted; reset its state"),
                   param_label (param, index, buf, sizeof buf), G_MAXINT64);
      return FALSE;
    }
  fit_param_state_set_step (state, fit_param_state_get_step (state) + 1);
  if (klass->update (self, group, param, grad, state, &local_error))
    return TRUE;

  fit_param_state_set_step (state, fit_param_state_get_step (state) - 1);
  if (local_error == NULL)
    {
      /* A binding whose override forgot to return TRUE, or raised an exception that
       * the binding swallowed: either way the step did not happen. */
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("%s failed to update a parameter without saying why (does its update "
                     "return TRUE?)"), G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * fit_optimizer_step:
 * @self: a `FitOptimizer`
 * @error: return location for a #GError
 *
 * Updates every parameter that has a gradient, group by group, with gradient recording
 * off. Parameters whose gradient is %NULL are skipped and their state is left alone.
 *
 * When an update fails, the parameters before it have been updated and those after it
 * have not.
 *
 * Returns: %TRUE on success; %FALSE with @error set, as %FIT_ERROR_INVALID_ARGUMENT
 *   for a hyper-parameter out of range or a step count (see
 *   [method@Fit.ParamState.set_step]) that cannot grow any more, or %FIT_ERROR_SHAPE
 *   for a gradient whose shape or element type is not its parameter's
 *
 * Since: 1.0
 */
gboolean
fit_optimizer_step (FitOptimizer  *self,
                    GError       **error)
{
  FitOptimizerPrivate *priv;
  gboolean was_enabled;
  gboolean ok = TRUE;
  guint index = 0;

  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (FIT_OPTIMIZER_GET_CLASS (self)->update != NULL, FALSE);

  priv = PRIV (self);
  was_enabled = fit_grad_set_enabled (FALSE);
  for (guint g = 0; ok && g < priv->groups->len; g++)
    {
      FitParamGroup *group = g_ptr_array_index (priv->groups, g);
      g_autoptr(GPtrArray) params = fit_param_group_get_params (group);

      for (guint i = 0; ok && i < params->len; i++, index++)
        ok = update_one (self, group, g_ptr_array_index (params, i), index, error);
    }
  fit_grad_set_enabled (was_enabled);
  return ok;
}

/**
 * fit_optimizer_zero_grad:
 * @self: a `FitOptimizer`
 *
 * Sets the gradient of every parameter to zero, keeping the buffers, as PyTorch 1.13's
 * `zero_grad()` does by default.
 *
 * Since: 1.0
 */
void
fit_optimizer_zero_grad (FitOptimizer *self)
{
  FitOptimizerPrivate *priv;

  g_return_if_fail (FIT_IS_OPTIMIZER (self));

  priv = PRIV (self);
  for (guint g = 0; g < priv->groups->len; g++)
    {
      g_autoptr(GPtrArray) params =
        fit_param_group_get_params (g_ptr_array_index (priv->groups, g));

      for (guint i = 0; i < params->len; i++)
        fit_tensor_zero_grad (g_ptr_array_index (params, i));
    }
}

/* ---- saving and restoring ---- */

/* A copy on the CPU, whatever @t's device. */
static FitTensor *
copy_tensor (FitTensor *t)
{
  guint n_dims;
  const gint64 *shape = fit_tensor_get_shape (t, &n_dims);
  FitTensor *copy = fit_tensor_new_empty (fit_tensor_get_dtype (t), shape, n_dims);
  g_autoptr(GBytes) bytes = NULL;

  if (fit_tensor_get_device_type (t) == FIT_DEVICE_TYPE_CPU)
    {
      memcpy (fit_tensor_get_data_mutable (copy), fit_tensor_get_data (t),
              fit_tensor_get_n_bytes (t));
      return copy;
    }
  bytes = fit_tensor_to_bytes (t);
  memcpy (fit_tensor_get_data_mutable (copy), g_bytes_get_data (bytes, NULL),
          g_bytes_get_size (bytes));
  return copy;
}

static FitTensor *
int64_tensor (const gint64 *values,
              guint         n,
              gboolean      scalar)
{
  gint64 shape[1] = { n };

  return fit_tensor_new_from_int64s (values, n, shape, scalar ? 0 : 1, NULL);
}

/**
 * fit_optimizer_save_state:
 * @self: a `FitOptimizer`
 * @into: where to add the state
 * @prefix: (nullable): a prefix for every entry name, as `"optimizer."`
 *
 * Adds the optimizer's whole state to @into: for group g, `PREFIX group.g.params` (the
 * indices of its parameters in [method@Fit.Optimizer.get_params]) and one float64
 * scalar `PREFIX group.g.NAME` per hyper-parameter; for parameter i that has state,
 * `PREFIX param.i.step` and `PREFIX param.i.BUFFER` per buffer; and the metadata
 * `PREFIX optimizer`, the type name. The buffers are copies, so @into is a snapshot.
 *
 * Since: 1.0
 */
void
fit_optimizer_save_state (FitOptimizer   *self,
                          FitSafetensors *into,
                          const char     *prefix)
{
  FitOptimizerPrivate *priv;
  g_autofree char *meta_key = NULL;
  guint index = 0;

  g_return_if_fail (FIT_IS_OPTIMIZER (self));
  g_return_if_fail (FIT_IS_SAFETENSORS (into));

  priv = PRIV (self);
  if (prefix == NULL)
    prefix = "";
  meta_key = g_strconcat (prefix, "optimizer", NULL);
  fit_safetensors_set_metadata (into, meta_key, G_OBJECT_TYPE_NAME (self));

  for (guint g = 0; g < priv->groups->len; g++)
    {
      FitParamGroup *group = g_ptr_array_index (priv->groups, g);
      GArray *hypers = fit_param_group_get_hypers (group);
      g_autoptr(GPtrArray) params = fit_param_group_get_params (group);
      g_autofree gint64 *indices = g_new (gint64, MAX (params->len, 1));
      g_autofree char *key = g_strdup_printf ("%sgroup.%u.params", prefix, g);
      g_autoptr(FitTensor) list = NULL;

      for (guint i = 0; i < params->len; i++)
        indices[i] = index + i;
      list = int64_tensor (indices, params->len, FALSE);
      fit_safetensors_add (into, key, list);
      for (guint h = 0; h < hypers->len; h++)
        {
          FitHyper *hyper = &g_array_index (hypers, FitHyper, h);
          g_autofree char *hkey = g_strdup_printf ("%sgroup.%u.%s", prefix, g, hyper->name);
          g_autoptr(FitTensor) value = fit_tensor_new_scalar (FIT_DTYPE_FLOAT64, hyper->value);

          fit_safetensors_add (into, hkey, value);
        }

      for (guint i = 0; i < params->len; i++, index++)
        {
          FitParamState *state = g_hash_table_lookup (priv->states, params->pdata[i]);
          g_autoptr(GPtrArray) buffers = NULL;
          g_autofree char *skey = NULL;
          g_autoptr(FitTensor) step = NULL;
          gint64 step_value;

          if (state == NULL)
            continue;
          step_value = fit_param_state_get_step (state);
          skey = g_strdup_printf ("%sparam.%u.step", prefix, index);
          step = int64_tensor (&step_value, 1, TRUE);
          fit_safetensors_add (into, skey, step);
          buffers = fit_param_state_list_buffers (state);
          for (guint b = 0; b < buffers->len; b += 2)
            {
              g_autofree char *bkey =
                g_strdup_printf ("%sparam.%u.%s", prefix, index,
                                 (const char *) g_ptr_array_index (buffers, b));
              g_autoptr(FitTensor) copy = copy_tensor (g_ptr_array_index (buffers, b + 1));

              fit_safetensors_add (into, bkey, copy);
            }
        }
    }
}

static gboolean
mismatch (GError     **error,
          const char  *format,
          ...) G_GNUC_PRINTF (2, 3);

static gboolean
mismatch (GError     **error,
          const char  *format,
          ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FIT_ERROR, FIT_ERROR_MISMATCH,
               _("Cannot load the optimizer state: %s"), message);
  return FALSE;
}

static gboolean
check_scalar (FitTensor   *t,
              const char  *key,
              FitDType     dtype,
              GError     **error)
{
  if (t == NULL)
    return mismatch (error, _("the entry “%s” is missing"), key);
  if (fit_tensor_get_dtype (t) != dtype || fit_tensor_get_numel (t) != 1)
    return mismatch (error, _("the entry “%s” should be one %s, not %s of %" PRId64
                              " elements"), key, fit_dtype_get_name (dtype),
                     fit_dtype_get_name (fit_tensor_get_dtype (t)), fit_tensor_get_numel (t));
  return TRUE;
}

/* Element @i of an int64 entry: a file's tensors are on the CPU, but one added to the
 * collection by hand may be on any device. */
static gint64
read_int64 (FitTensor *t,
            gint64     i)
{
  g_autoptr(FitTensor) host = NULL;

  if (fit_tensor_get_device_type (t) == FIT_DEVICE_TYPE_CPU)
    return ((const gint64 *) fit_tensor_get_data (t))[i];
  host = fit_tensor_to_device (t, fit_device_get_cpu (), NULL);
  return ((const gint64 *) fit_tensor_get_data (host))[i];
}

/* The value of a one-element float64 entry (check_scalar() checked it). */
static double
read_double (FitTensor *t)
{
  double value = 0;

  fit_tensor_item (t, &value, NULL);
  return value;
}

/* Checks the groups' entries: the same parameters per group, and every hyper-parameter
 * the optimizer has, no more, each a valid value; adds each group's values to
 * @hypers_out (GArray of FitHyper per group). */
static gboolean
check_groups (FitOptimizer    *self,
              FitSafetensors  *from,
              const char      *prefix,
              GPtrArray       *hypers_out,
              GError         **error)
{
  FitOptimizerPrivate *priv = PRIV (self);
  g_auto(GStrv) names = fit_safetensors_get_names (from);
  g_autofree char *extra = g_strdup_printf ("%sgroup.%u.params", prefix, priv->groups->len);
  guint index = 0;

  if (fit_safetensors_contains (from, extra))
    return mismatch (error, _("it has more parameter groups than the optimizer's %u (“%s” "
                              "exists)"), priv->groups->len, extra);

  for (guint g = 0; g < priv->groups->len; g++)
    {
      FitParamGroup *group = g_ptr_array_index (priv->groups, g);
      GArray *hypers = fit_param_group_get_hypers (group);
      guint n = fit_param_group_get_n_params (group);
      g_autofree char *key = g_strdup_printf ("%sgroup.%u.params", prefix, g);
      g_autofree char *group_prefix = g_strdup_printf ("%sgroup.%u.", prefix, g);
      FitTensor *list = fit_safetensors_get (from, key);
      g_autoptr(GArray) group_hypers = fit_hypers_new ();

      if (list == NULL)
        return mismatch (error, _("the entry “%s” is missing"), key);
      if (fit_tensor_get_dtype (list) != FIT_DTYPE_INT64 || fit_tensor_get_n_dims (list) != 1 ||
          fit_tensor_get_numel (list) != n)
        return mismatch (error, _("the entry “%s” should list the %u parameters of group %u"),
                         key, n, g);
      for (guint i = 0; i < n; i++)
        if (read_int64 (list, i) != (gint64) (index + i))
          return mismatch (error, _("the entry “%s” puts other parameters in group %u than "
                                    "the optimizer has there"), key, g);
      index += n;

      for (guint h = 0; h < hypers->len; h++)
        {
          const char *name = g_array_index (hypers, FitHyper, h).name;
          g_autofree char *hkey = g_strconcat (group_prefix, name, NULL);
          FitTensor *t = fit_safetensors_get (from, hkey);
          double value;

          if (!check_scalar (t, hkey, FIT_DTYPE_FLOAT64, error))
            return FALSE;
          value = read_double (t);
          if (!hyper_valid (name, value))
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                           _("Cannot load the optimizer state: the entry “%s” is %g; it "
                             "must be a finite number of at least %g"),
                           hkey, value, hyper_min (name));
              return FALSE;
            }
          fit_hypers_set (group_hypers, name, value);
        }
      g_ptr_array_add (hypers_out, g_steal_pointer (&group_hypers));
      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *rest;

          if (!g_str_has_prefix (names[i], group_prefix))
            continue;
          rest = names[i] + strlen (group_prefix);
          if (strcmp (rest, "params") != 0 && fit_hypers_find (hypers, rest) == NULL)
            {
              g_autofree char *quoted = fit_error_quote (names[i], -1);

              return mismatch (error, _("the entry “%s” is a hyper-parameter %s does not "
                                        "have"), quoted, G_OBJECT_TYPE_NAME (self));
            }
        }
    }
  return TRUE;
}

/* The buffers that hold running averages of squares, which no update makes negative
 * (and a square root of a negative one would turn the parameter into NaN). */
static const char *const non_negative_buffers[] = {
  "exp_avg_sq", "max_exp_avg_sq", "square_avg", "sum",
};

/* A healthy run's buffers are finite, and its averages of squares not negative; a file's
 * may be anything. @t is a CPU copy. */
static gboolean
check_buffer (FitTensor   *t,
              const char  *name,
              const char  *key,
              GError     **error)
{
  FitDType dtype = fit_tensor_get_dtype (t);
  gconstpointer data = fit_tensor_get_data (t);
  gboolean non_negative = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (non_negative_buffers); i++)
    non_negative |= strcmp (name, non_negative_buffers[i]) == 0;
  /* A buffer has its parameter's element type, float32 or float64. */
  for (gint64 i = 0; i < fit_tensor_get_numel (t); i++)
    {
      double v = dtype == FIT_DTYPE_FLOAT32 ? ((const float *) data)[i]
                                           : ((const double *) data)[i];

      if (isfinite (v) && (v >= 0.0 || !non_negative))
        continue;
      if (non_negative)
        g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                     _("Cannot load the optimizer state: element %" PRId64 " of the entry "
                       "“%s” is %g; it must be a finite number of at least 0"), i, key, v);
      else
        g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                     _("Cannot load the optimizer state: element %" PRId64 " of the entry "
                       "“%s” is %g; it must be a finite number"), i, key, v);
      return FALSE;
    }
  return TRUE;
}

/* Builds the parameters' new states from @from into @states (index -> FitParamState),
 * checking each entry against its parameter. */
static gboolean
read_states (FitSafetensors  *from,
             const char      *prefix,
             GPtrArray       *params,
             GHashTable      *states,
             GHashTable      *has_step,
             GError         **error)
{
  g_auto(GStrv) names = fit_safetensors_get_names (from);
  g_autofree char *param_prefix = g_strconcat (prefix, "param.", NULL);

  for (guint k = 0; names[k] != NULL; k++)
    {
      const char *rest, *dot;
      g_autofree char *number = NULL;
      g_autofree char *quoted = NULL;
      guint64 index;
      FitTensor *param, *t = fit_safetensors_get (from, names[k]);
      FitParamState *state;

      if (!g_str_has_prefix (names[k], param_prefix))
        continue;
      rest = names[k] + strlen (param_prefix);
      dot = strchr (rest, '.');
      quoted = fit_error_quote (names[k], -1);
      if (dot == NULL || dot[1] == '\0')
        return mismatch (error, _("the entry “%s” is not of the form %sparam.INDEX.NAME"),
                         quoted, prefix);
      number = g_strndup (rest, dot - rest);
      if (!g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT, &index, NULL) ||
          index >= params->len)
        return mismatch (error, _("the entry “%s” is not about one of the optimizer's %u "
                                  "parameters"), quoted, params->len);
      param = g_ptr_array_index (params, index);
      state = g_hash_table_lookup (states, GUINT_TO_POINTER ((guint) index));
      if (state == NULL)
        {
          state = fit_param_state_new ();
          g_hash_table_insert (states, GUINT_TO_POINTER ((guint) index), state);
        }
      if (strcmp (dot + 1, "step") == 0)
        {
          if (!check_scalar (t, quoted, FIT_DTYPE_INT64, error))
            return FALSE;
          /* The next step adds one to it. */
          if (read_int64 (t, 0) < 0 || read_int64 (t, 0) == G_MAXINT64)
            {
              g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                           _("Cannot load the optimizer state: the entry “%s” is the step "
                             "count %" PRId64 "; it must be from 0 to %" PRId64),
                           quoted, read_int64 (t, 0), G_MAXINT64 - 1);
              return FALSE;
            }
          fit_param_state_set_step (state, read_int64 (t, 0));
          g_hash_table_add (has_step, GUINT_TO_POINTER ((guint) index));
          continue;
        }
      if (!same_dtype_and_shape (t, param))
        {
          g_autofree char *ts = fit_tensor_get_shape_string (t);
          g_autofree char *ps = fit_tensor_get_shape_string (param);

          return mismatch (error, _("the entry “%s” is %s %s, but parameter %u is %s %s"),
                           quoted, fit_dtype_get_name (fit_tensor_get_dtype (t)), ts,
                           (guint) index, fit_dtype_get_name (fit_tensor_get_dtype (param)), ps);
        }
      {
        g_autoptr(FitTensor) copy = copy_tensor (t);

        if (!check_buffer (copy, dot + 1, quoted, error))
          return FALSE;
        fit_param_state_set_buffer (state, dot + 1, copy);
      }
    }
  return TRUE;
}

static gboolean
check_steps (GHashTable  *states,
             GHashTable  *has_step,
             const char  *prefix,
             GError     **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, states);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (has_step, key))
      return mismatch (error, _("the entry “%sparam.%u.step” is missing"),
                       prefix, GPOINTER_TO_UINT (key));
  return TRUE;
}

struct _FitOptimizerSnapshot
{
  GPtrArray   *hypers;   /* per group: GArray of FitHyper, the values to set */
  GHashTable  *states;   /* parameter index -> FitParamState */
};

void
fit_optimizer_snapshot_free (FitOptimizerSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_clear_pointer (&snapshot->hypers, g_ptr_array_unref);
  g_clear_pointer (&snapshot->states, g_hash_table_unref);
  g_free (snapshot);
}

FitOptimizerSnapshot *
fit_optimizer_read_state (FitOptimizer    *self,
                          FitSafetensors  *from,
                          const char      *prefix,
                          GError         **error)
{
  g_autoptr(FitOptimizerSnapshot) snapshot = g_new0 (FitOptimizerSnapshot, 1);
  g_autofree char *meta_key = NULL;
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GHashTable) has_step = NULL;
  const char *saved_type;

  if (prefix == NULL)
    prefix = "";
  meta_key = g_strconcat (prefix, "optimizer", NULL);
  saved_type = fit_safetensors_get_metadata (from, meta_key);
  if (saved_type == NULL)
    return mismatch (error, _("the metadata entry “%s” is missing"), meta_key), NULL;
  if (strcmp (saved_type, G_OBJECT_TYPE_NAME (self)) != 0)
    {
      g_autofree char *quoted = fit_error_quote (saved_type, -1);

      mismatch (error, _("it was saved by a %s, not a %s"), quoted, G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  snapshot->hypers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  if (!check_groups (self, from, prefix, snapshot->hypers, error))
    return NULL;

  params = fit_optimizer_get_params (self);
  snapshot->states = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  has_step = g_hash_table_new (NULL, NULL);
  if (!read_states (from, prefix, params, snapshot->states, has_step, error) ||
      !check_steps (snapshot->states, has_step, prefix, error))
    return NULL;
  return g_steal_pointer (&snapshot);
}

void
fit_optimizer_apply_state (FitOptimizer         *self,
                           FitOptimizerSnapshot *snapshot)
{
  FitOptimizerPrivate *priv = PRIV (self);
  g_autoptr(GPtrArray) params = fit_optimizer_get_params (self);
  double old_lr = fit_optimizer_get_learning_rate (self);
  double old_wd = fit_optimizer_get_weight_decay (self);

  for (guint g = 0; g < priv->groups->len && g < snapshot->hypers->len; g++)
    {
      FitParamGroup *group = g_ptr_array_index (priv->groups, g);
      GArray *values = g_ptr_array_index (snapshot->hypers, g);

      for (guint h = 0; h < values->len; h++)
        fit_param_group_set_hyper (group, g_array_index (values, FitHyper, h).name,
                                   g_array_index (values, FitHyper, h).value);
    }
  g_hash_table_remove_all (priv->states);
  for (guint i = 0; i < params->len; i++)
    {
      FitParamState *state = g_hash_table_lookup (snapshot->states, GUINT_TO_POINTER (i));

      if (state != NULL)
        g_hash_table_insert (priv->states, params->pdata[i], g_object_ref (state));
    }
  if (fit_optimizer_get_learning_rate (self) != old_lr)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEARNING_RATE]);
  if (fit_optimizer_get_weight_decay (self) != old_wd)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEIGHT_DECAY]);
}

/**
 * fit_optimizer_load_state:
 * @self: a `FitOptimizer`
 * @from: a collection holding state saved by [method@Fit.Optimizer.save_state]
 * @prefix: (nullable): the prefix given when saving
 * @error: return location for a #GError
 *
 * Restores the state saved by [method@Fit.Optimizer.save_state] from an optimizer of
 * the same type with the same parameter groups. Everything is checked before anything
 * changes: on failure the optimizer is as it was.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_MISMATCH naming the entry that is
 *   missing, unexpected or of the wrong shape or type, or the optimizer type that saved
 *   it, or %FIT_ERROR_PARSE naming the entry whose value is invalid: a hyper-parameter
 *   that is not finite or below its minimum (a negative learning rate), a step count out
 *   of range, a state buffer with a value that is not finite (or a negative running
 *   average of squares)
 *
 * Since: 1.0
 */
gboolean
fit_optimizer_load_state (FitOptimizer    *self,
                          FitSafetensors  *from,
                          const char      *prefix,
                          GError         **error)
{
  g_autoptr(FitOptimizerSnapshot) snapshot = NULL;

  g_return_val_if_fail (FIT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (FIT_IS_SAFETENSORS (from), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  snapshot = fit_optimizer_read_state (self, from, prefix, error);
  if (snapshot == NULL)
    return FALSE;
  fit_optimizer_apply_state (self, snapshot);
  return TRUE;
}
