/* fit-module-list.c: a list of modules that the owner runs itself
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitModuleList:
 *
 * A list of modules that a parent module holds so that their parameters are its own,
 * and that the parent runs itself in its forward, as PyTorch's `nn.ModuleList`: the
 * children are named `"0"`, `"1"`, …, so a list added as `"convs"` gives parameters
 * `"convs.0.weight"`, `"convs.1.weight"`, …. It is a [iface@Gio.ListModel] of its
 * modules, so bindings iterate it like a list. It has no forward of its own:
 * [method@Fit.Module.forward] fails with %FIT_ERROR_STATE.
 *
 * Since: 1.0
 */
struct _FitModuleList
{
  FitModule  parent_instance;

  GPtrArray *modules;   /* the children in order; the module holds its own refs too */
};

static void fit_module_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FitModuleList, fit_module_list, FIT_TYPE_MODULE,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      fit_module_list_list_model_init))

static GType
fit_module_list_get_item_type (GListModel *model)
{
  return FIT_TYPE_MODULE;
}

static guint
fit_module_list_get_n_items (GListModel *model)
{
  return FIT_MODULE_LIST (model)->modules->len;
}

static gpointer
fit_module_list_get_item (GListModel *model,
                          guint       position)
{
  FitModuleList *self = FIT_MODULE_LIST (model);

  return position < self->modules->len ? g_object_ref (self->modules->pdata[position]) : NULL;
}

static void
fit_module_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fit_module_list_get_item_type;
  iface->get_n_items = fit_module_list_get_n_items;
  iface->get_item = fit_module_list_get_item;
}

static void
fit_module_list_finalize (GObject *object)
{
  FitModuleList *self = FIT_MODULE_LIST (object);

  g_clear_pointer (&self->modules, g_ptr_array_unref);
  G_OBJECT_CLASS (fit_module_list_parent_class)->finalize (object);
}

static FitTensor *
fit_module_list_forward (FitModule  *module,
                         FitTensor  *input,
                         GError    **error)
{
  g_set_error_literal (error, FIT_ERROR, FIT_ERROR_STATE,
                       _("a ModuleList has no forward; iterate its modules"));
  return NULL;
}

static void
fit_module_list_class_init (FitModuleListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fit_module_list_finalize;
  FIT_MODULE_CLASS (klass)->forward = fit_module_list_forward;
}

static void
fit_module_list_init (FitModuleList *self)
{
  self->modules = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * fit_module_list_new:
 *
 * Creates an empty list; add modules with [method@Fit.ModuleList.append].
 *
 * Returns: (transfer full): a new #FitModuleList
 *
 * Since: 1.0
 */
FitModuleList *
fit_module_list_new (void)
{
  return g_object_new (FIT_TYPE_MODULE_LIST, NULL);
}

/**
 * fit_module_list_new_from_modules:
 * @modules: (array length=n_modules): the modules
 * @n_modules: the number of modules
 *
 * Creates a list of @modules, named `"0"` … in their order.
 *
 * Returns: (transfer full): a new #FitModuleList
 *
 * Since: 1.0
 */
FitModuleList *
fit_module_list_new_from_modules (FitModule **modules,
                                  guint       n_modules)
{
  FitModuleList *self;

  g_return_val_if_fail (modules != NULL || n_modules == 0, NULL);

  self = fit_module_list_new ();
  for (guint i = 0; i < n_modules; i++)
    fit_module_list_append (self, modules[i]);
  return self;
}

/**
 * fit_module_list_append:
 * @self: a #FitModuleList
 * @module: the module to add at the end
 *
 * Appends @module, naming it by its position (`"0"`, `"1"`, …), and emits
 * [signal@Gio.ListModel::items-changed].
 *
 * Since: 1.0
 */
void
fit_module_list_append (FitModuleList *self,
                        FitModule     *module)
{
  char name[16];
  guint position;

  g_return_if_fail (FIT_IS_MODULE_LIST (self));
  g_return_if_fail (FIT_IS_MODULE (module));

  position = self->modules->len;
  g_snprintf (name, sizeof name, "%u", position);
  fit_module_add_child (FIT_MODULE (self), name, module);
  g_ptr_array_add (self->modules, g_object_ref (module));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

/**
 * fit_module_list_get:
 * @self: a #FitModuleList
 * @index: a position in the list
 *
 * Gets the module at a position, without the new reference that
 * [method@Gio.ListModel.get_item] returns. [method@Gio.ListModel.get_n_items] counts the
 * modules.
 *
 * Returns: (transfer none) (nullable): the module at @index, or %NULL when @index is
 *   past the end
 *
 * Since: 1.0
 */
FitModule *
fit_module_list_get (FitModuleList *self,
                     guint          index)
{
  g_return_val_if_fail (FIT_IS_MODULE_LIST (self), NULL);
  return index < self->modules->len ? self->modules->pdata[index] : NULL;
}
