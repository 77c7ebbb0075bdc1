/* fit-sequential.c: a chain of modules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitSequential:
 *
 * A module that applies its children one after the other, each to the previous one's
 * output. The children are named `"0"`, `"1"`, …, so their parameters are
 * `"0.weight"`, `"0.bias"`, `"2.weight"`, … as in PyTorch's `nn.Sequential`.
 *
 * ```c
 * g_autoptr(FitSequential) mlp =
 *   fit_sequential_new_with_modules (FIT_MODULE (fit_linear_new (784, 128, TRUE, rng)),
 *                                    FIT_MODULE (fit_relu_new ()),
 *                                    FIT_MODULE (fit_linear_new (128, 10, TRUE, rng)),
 *                                    NULL);
 * ```
 *
 * A [class@Fit.Conv2d] directly followed by a [class@Fit.ReLU] runs as one operation:
 * the ReLU is applied as the convolution writes its output, and its gradient as the
 * convolution's backward pass reads the incoming one. Values and gradients are the same
 * bit for bit as with the two apart; a training step saves a pass over the activation
 * and the memory of the tensor between the two. [method@Fit.Module.summary] still lists
 * both.
 *
 * Since: 1.0
 */

struct _FitSequential
{
  FitModule  parent_instance;

  GPtrArray *modules;   /* the children, for the hot path; the module holds the refs */
};

G_DEFINE_FINAL_TYPE (FitSequential, fit_sequential, FIT_TYPE_MODULE)

static void
fit_sequential_finalize (GObject *object)
{
  FitSequential *self = FIT_SEQUENTIAL (object);

  g_clear_pointer (&self->modules, g_ptr_array_unref);
  G_OBJECT_CLASS (fit_sequential_parent_class)->finalize (object);
}

static FitTensor *
fit_sequential_forward (FitModule  *module,
                        FitTensor  *input,
                        GError    **error)
{
  FitSequential *self = FIT_SEQUENTIAL (module);
  FitTensor *x = g_object_ref (input);

  for (guint i = 0; i < self->modules->len && x != NULL; i++)
    {
      FitModule *child = self->modules->pdata[i];
      FitTensor *y;

      /* A convolution followed by a ReLU runs as one operation: the same values and
       * gradients, without a pass over the output and the tensor between the two. */
      if (FIT_IS_CONV2D (child) && i + 1 < self->modules->len &&
          FIT_IS_RELU (self->modules->pdata[i + 1]) && !fit_module_summary_recording ())
        {
          y = fit_conv2d_forward_relu (FIT_CONV2D (child), x, error);
          i++;
        }
      else
        y = fit_module_forward (child, x, error);

      g_object_unref (x);
      x = y;
    }
  return x;
}

static void
fit_sequential_class_init (FitSequentialClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitModuleClass *module_class = FIT_MODULE_CLASS (klass);

  object_class->finalize = fit_sequential_finalize;
  module_class->forward = fit_sequential_forward;
}

static void
fit_sequential_init (FitSequential *self)
{
  self->modules = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * fit_sequential_new:
 *
 * Creates an empty chain; add modules with [method@Fit.Sequential.append]. An empty
 * chain returns its input.
 *
 * Returns: (transfer full): a new #FitSequential
 *
 * Since: 1.0
 */
FitSequential *
fit_sequential_new (void)
{
  return g_object_new (FIT_TYPE_SEQUENTIAL, NULL);
}

/**
 * fit_sequential_new_from_modules:
 * @modules: (array length=n_modules): the modules, in the order they run
 * @n_modules: the number of modules
 *
 * Creates a chain of @modules.
 *
 * Returns: (transfer full): a new #FitSequential
 *
 * Since: 1.0
 */
FitSequential *
fit_sequential_new_from_modules (FitModule **modules,
                                 guint       n_modules)
{
  FitSequential *self;

  g_return_val_if_fail (modules != NULL || n_modules == 0, NULL);

  self = fit_sequential_new ();
  for (guint i = 0; i < n_modules; i++)
    fit_sequential_append (self, modules[i]);
  return self;
}

/**
 * fit_sequential_new_with_modules: (skip)
 * @first: (transfer full): the first module
 * @...: (transfer full): more modules, then %NULL
 *
 * Creates a chain of the given modules, taking over the caller's reference to each,
 * so that the modules can be created in the argument list. Bindings use
 * [ctor@Fit.Sequential.new_from_modules].
 *
 * Returns: (transfer full): a new #FitSequential
 *
 * Since: 1.0
 */
FitSequential *
fit_sequential_new_with_modules (FitModule *first,
                                 ...)
{
  FitSequential *self = fit_sequential_new ();
  va_list args;

  va_start (args, first);
  for (FitModule *m = first; m != NULL; m = va_arg (args, FitModule *))
    {
      fit_sequential_append (self, m);
      g_object_unref (m);
    }
  va_end (args);
  return self;
}

/**
 * fit_sequential_append:
 * @self: a #FitSequential
 * @module: the module to run after the current last one
 *
 * Appends @module, naming it by its position (`"0"`, `"1"`, …).
 *
 * Since: 1.0
 */
void
fit_sequential_append (FitSequential *self,
                       FitModule     *module)
{
  char name[16];

  g_return_if_fail (FIT_IS_SEQUENTIAL (self));
  g_return_if_fail (FIT_IS_MODULE (module));

  g_snprintf (name, sizeof name, "%u", self->modules->len);
  fit_module_add_child (FIT_MODULE (self), name, module);
  g_ptr_array_add (self->modules, g_object_ref (module));
}

/**
 * fit_sequential_get_n_modules:
 * @self: a #FitSequential
 *
 * Counts the modules in the chain.
 *
 * Returns: the number of modules in the chain
 *
 * Since: 1.0
 */
guint
fit_sequential_get_n_modules (FitSequential *self)
{
  g_return_val_if_fail (FIT_IS_SEQUENTIAL (self), 0);
  return self->modules->len;
}

/**
 * fit_sequential_get_module:
 * @self: a #FitSequential
 * @index: a position in the chain
 *
 * Gets the module at a position.
 *
 * Returns: (transfer none) (nullable): the module at @index, or %NULL when @index is
 *   past the end
 *
 * Since: 1.0
 */
FitModule *
fit_sequential_get_module (FitSequential *self,
                           guint          index)
{
  g_return_val_if_fail (FIT_IS_SEQUENTIAL (self), NULL);
  return index < self->modules->len ? self->modules->pdata[index] : NULL;
}
