/* fit-param-state.c: what an optimizer remembers about one parameter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fit-optim-private.h"

/**
 * FitParamState:
 *
 * The state an optimizer keeps for one parameter: a step count and named buffers shaped
 * like the parameter (`momentum_buffer` for [class@Fit.SGD], `exp_avg` and `exp_avg_sq`
 * for [class@Fit.Adam], …, named as in PyTorch).
 *
 * [class@Fit.Optimizer] creates one per parameter on its first update and hands it to
 * the [vfunc@Fit.Optimizer.update] virtual function, which reads and updates the
 * buffers. Read one with [method@Fit.Optimizer.get_param_state]; the whole state of an
 * optimizer is saved with [method@Fit.Optimizer.save_state].
 *
 * Since: 1.0
 */

struct _FitParamState
{
  GObject      parent_instance;

  gint64       step;
  GPtrArray   *names;     /* char*, in order of creation */
  GPtrArray   *buffers;   /* FitTensor*, parallel to names */
};

G_DEFINE_FINAL_TYPE (FitParamState, fit_param_state, G_TYPE_OBJECT)

static void
fit_param_state_finalize (GObject *object)
{
  FitParamState *self = (FitParamState *) object;

  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->buffers, g_ptr_array_unref);
  G_OBJECT_CLASS (fit_param_state_parent_class)->finalize (object);
}

static void
fit_param_state_class_init (FitParamStateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fit_param_state_finalize;
}

static void
fit_param_state_init (FitParamState *self)
{
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->buffers = g_ptr_array_new_with_free_func (g_object_unref);
}

FitParamState *
fit_param_state_new (void)
{
  return g_object_new (FIT_TYPE_PARAM_STATE, NULL);
}

/**
 * fit_param_state_get_step:
 * @self: a `FitParamState`
 *
 * Returns the number of updates of the parameter, the current one included while an
 * update runs (as PyTorch's `state["step"]` after its increment).
 *
 * Returns: the step count
 *
 * Since: 1.0
 */
gint64
fit_param_state_get_step (FitParamState *self)
{
  g_return_val_if_fail (FIT_IS_PARAM_STATE (self), 0);
  return self->step;
}

/**
 * fit_param_state_set_step:
 * @self: a `FitParamState`
 * @step: the new step count, not negative
 *
 * Sets the step count.
 *
 * Since: 1.0
 */
void
fit_param_state_set_step (FitParamState *self,
                          gint64         step)
{
  g_return_if_fail (FIT_IS_PARAM_STATE (self));
  g_return_if_fail (step >= 0);
  self->step = step;
}

static int
find (FitParamState *self,
      const char    *name)
{
  for (guint i = 0; i < self->names->len; i++)
    if (strcmp (g_ptr_array_index (self->names, i), name) == 0)
      return (int) i;
  return -1;
}

/**
 * fit_param_state_get_buffer:
 * @self: a `FitParamState`
 * @name: a buffer name, as `"exp_avg"`
 *
 * Looks a buffer up.
 *
 * Returns: (nullable) (transfer none): the buffer, or %NULL when there is none yet
 *
 * Since: 1.0
 */
FitTensor *
fit_param_state_get_buffer (FitParamState *self,
                            const char    *name)
{
  int i;

  g_return_val_if_fail (FIT_IS_PARAM_STATE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  i = find (self, name);
  return i < 0 ? NULL : g_ptr_array_index (self->buffers, i);
}

/**
 * fit_param_state_set_buffer:
 * @self: a `FitParamState`
 * @name: a buffer name
 * @buffer: (nullable): the buffer, shaped like the parameter, or %NULL to remove it
 *
 * Sets (or removes) a buffer. The state keeps a reference, and optimizers update
 * buffers in place.
 *
 * Since: 1.0
 */
void
fit_param_state_set_buffer (FitParamState *self,
                            const char    *name,
                            FitTensor     *buffer)
{
  int i;

  g_return_if_fail (FIT_IS_PARAM_STATE (self));
  g_return_if_fail (name != NULL && name[0] != '\0');
  g_return_if_fail (buffer == NULL || FIT_IS_TENSOR (buffer));

  i = find (self, name);
  if (i >= 0 && buffer != NULL)
    {
      g_object_ref (buffer);
      g_object_unref (g_ptr_array_index (self->buffers, i));
      self->buffers->pdata[i] = buffer;
    }
  else if (i >= 0)
    {
      g_ptr_array_remove_index (self->names, i);
      g_ptr_array_remove_index (self->buffers, i);
    }
  else if (buffer != NULL)
    {
      g_ptr_array_add (self->names, g_strdup (name));
      g_ptr_array_add (self->buffers, g_object_ref (buffer));
    }
}

/**
 * fit_param_state_ensure_buffer:
 * @self: a `FitParamState`
 * @name: a buffer name
 * @like: the parameter, whose shape and element type a new buffer takes
 * @fill_value: the value of every element of a new buffer
 *
 * Returns the buffer named @name, creating it filled with @fill_value when there is
 * none: the usual start of an update.
 *
 * Returns: (transfer none): the buffer
 *
 * Since: 1.0
 */
FitTensor *
fit_param_state_ensure_buffer (FitParamState *self,
                               const char    *name,
                               FitTensor     *like,
                               double         fill_value)
{
  g_autoptr(FitTensor) buffer = NULL;
  FitTensor *existing;
  const gint64 *shape;
  guint n_dims;

  g_return_val_if_fail (FIT_IS_PARAM_STATE (self), NULL);
  g_return_val_if_fail (name != NULL && name[0] != '\0', NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (like), NULL);

  existing = fit_param_state_get_buffer (self, name);
  if (existing != NULL)
    return existing;
  shape = fit_tensor_get_shape (like, &n_dims);
  buffer = fit_tensor_new_empty (fit_tensor_get_dtype (like), shape, n_dims);
  fit_tensor_fill (buffer, fill_value);
  fit_param_state_set_buffer (self, name, buffer);
  return buffer;
}

/**
 * fit_param_state_get_buffer_names:
 * @self: a `FitParamState`
 *
 * Lists the state's buffers.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the buffers, in the
 *   order they were created
 *
 * Since: 1.0
 */
char **
fit_param_state_get_buffer_names (FitParamState *self)
{
  char **names;

  g_return_val_if_fail (FIT_IS_PARAM_STATE (self), NULL);

  names = g_new (char *, self->names->len + 1);
  for (guint i = 0; i < self->names->len; i++)
    names[i] = g_strdup (g_ptr_array_index (self->names, i));
  names[self->names->len] = NULL;
  return names;
}

GPtrArray *
fit_param_state_list_buffers (FitParamState *self)
{
  GPtrArray *pairs = g_ptr_array_new ();

  for (guint i = 0; i < self->names->len; i++)
    {
      g_ptr_array_add (pairs, g_ptr_array_index (self->names, i));
      g_ptr_array_add (pairs, g_ptr_array_index (self->buffers, i));
    }
  return pairs;
}
