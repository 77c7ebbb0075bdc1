/* fit-module.c: the base class of layers and models
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include "fit-glib/core/fit-error-private.h"
#include "fit-glib/core/fit-tensor-private.h"
#include "fit-module.h"
#include "fit-nn-private.h"

/**
 * FitModule:
 *
 * The base class of layers and models.
 *
 * A module computes an output tensor from an input tensor in its
 * [vfunc@Fit.Module.forward] virtual function, which subclasses in C, Python
 * (`do_forward`), JavaScript (`vfunc_forward`) and Vala (`override`) implement. It owns
 * named parameters (tensors that require a gradient and that an optimizer updates),
 * named buffers (state that is saved with the weights but not trained, such as the
 * running statistics of batch normalisation) and named child modules.
 *
 * Names are hierarchical: a parameter `weight` of a child `fc1` of a child `encoder` is
 * `encoder.fc1.weight`, as in PyTorch, and [method@Fit.Module.get_parameters] lists the
 * parameters in a stable order: the module's own in the order they were added, then
 * each child's, depth first, in the order the children were added. A tensor shared by
 * two modules is listed once.
 *
 * The [property@Fit.Module:training] flag switches layers such as dropout and batch
 * normalisation between training and evaluation behaviour; setting it reaches every
 * descendant.
 *
 * ```python
 * class Net(Fit.Module):
 *     def __init__(self):
 *         super().__init__()
 *         self.fc = Fit.Linear.new(4, 2, True, None)
 *         self.add_child("fc", self.fc)
 *
 *     def do_forward(self, x):
 *         return Fit.Tensor.relu(self.fc.forward(x))
 * ```
 *
 * Since: 1.0
 */

typedef struct
{
  char     *name;
  gpointer  object;   /* a FitTensor (parameters, buffers) or a FitModule (children) */
} Entry;

typedef struct
{
  GArray   *params;
  GArray   *buffers;
  GArray   *children;
  gboolean  training;
} FitModulePrivate;

enum {
  PROP_0,
  PROP_TRAINING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint structure_serial;   /* atomic; see fit_module_structure_serial() */

G_DEFINE_TYPE_WITH_PRIVATE (FitModule, fit_module, G_TYPE_OBJECT)

#define GET_PRIV(m) ((FitModulePrivate *) fit_module_get_instance_private (m))

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_clear_pointer (&e->name, g_free);
  g_clear_object (&e->object);
}

static GArray *
entry_array_new (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Entry));

  g_array_set_clear_func (a, entry_clear);
  return a;
}

static Entry *
entry_find (GArray     *entries,
            const char *name,
            gsize       len)
{
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);

      if (strncmp (e->name, name, len) == 0 && e->name[len] == '\0')
        return e;
    }
  return NULL;
}

static void
fit_module_dispose (GObject *object)
{
  FitModulePrivate *priv = GET_PRIV (FIT_MODULE (object));

  g_clear_pointer (&priv->children, g_array_unref);
  g_clear_pointer (&priv->params, g_array_unref);
  g_clear_pointer (&priv->buffers, g_array_unref);
  G_OBJECT_CLASS (fit_module_parent_class)->dispose (object);
}

static void
fit_module_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FitModule *self = FIT_MODULE (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      g_value_set_boolean (value, fit_module_get_training (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_module_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FitModule *self = FIT_MODULE (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      fit_module_set_training (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_module_class_init (FitModuleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fit_module_dispose;
  object_class->get_property = fit_module_get_property;
  object_class->set_property = fit_module_set_property;

  /**
   * FitModule:training:
   *
   * Whether the module behaves as in training (dropout drops, batch normalisation uses
   * and updates batch statistics) or as in evaluation. Setting it sets every
   * descendant's too. New modules are in training mode.
   *
   * Since: 1.0
   */
  properties[PROP_TRAINING] =
    g_param_spec_boolean ("training", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_module_init (FitModule *self)
{
  FitModulePrivate *priv = GET_PRIV (self);

  priv->params = entry_array_new ();
  priv->buffers = entry_array_new ();
  priv->children = entry_array_new ();
  priv->training = TRUE;
}

/* ---- forward, with the hook that fit_module_summary() uses ---- */

typedef struct
{
  FitModule *module;
  char      *name;
  char      *shape;
  guint      depth;
} SummaryRow;

typedef struct
{
  GHashTable *names;     /* FitModule* -> hierarchical name (owned by the table) */
  GArray     *rows;      /* SummaryRow */
  guint       depth;
} SummaryRecorder;

static GPrivate summary_recorder;

gboolean
fit_module_summary_recording (void)
{
  return g_private_get (&summary_recorder) != NULL;
}

static void
summary_row_clear (gpointer data)
{
  SummaryRow *row = data;

  g_free (row->name);
  g_free (row->shape);
}

/**
 * fit_module_forward: (virtual forward)
 * @self: a module
 * @input: the input tensor
 * @error: return location for a #GError
 *
 * Computes the module's output for @input by calling its [vfunc@Fit.Module.forward]
 * implementation. When gradient recording is on (see [func@Fit.grad_set_enabled]) the
 * computation is recorded, so that a backward pass from a loss computed from the
 * output reaches the module's parameters.
 *
 * Returns: (transfer full): the output, or %NULL with @error set
 *
 * Since: 1.0
 */
FitTensor *
fit_module_forward (FitModule  *self,
                    FitTensor  *input,
                    GError    **error)
{
  FitModuleClass *klass;
  SummaryRecorder *rec;
  FitTensor *out;
  GError *local_error = NULL;
  guint row_index = 0;

  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = FIT_MODULE_GET_CLASS (self);
  if (klass->forward == NULL)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("%s does not implement forward(); override the forward virtual "
                     "function of Fit.Module"), G_OBJECT_TYPE_NAME (self));
      return NULL;
    }

  rec = g_private_get (&summary_recorder);
  if (rec != NULL)
    {
      SummaryRow row = { self, NULL, NULL, rec->depth };
      const char *name = g_hash_table_lookup (rec->names, self);

      row.name = g_strdup (name != NULL ? name : "");
      row_index = rec->rows->len;
      g_array_append_val (rec->rows, row);
      rec->depth++;
    }

  out = klass->forward (self, input, &local_error);

  if (rec != NULL)
    {
      rec->depth--;
      if (out != NULL)
        g_array_index (rec->rows, SummaryRow, row_index).shape =
          fit_tensor_get_shape_string (out);
    }

  if (local_error != NULL)
    {
      g_clear_object (&out);
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (out == NULL)
    {
      /* A Python or JavaScript exception in an override is printed and swallowed by the
       * binding, which then returns NULL without an error. */
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("forward() of %s returned no tensor and no error (an exception in a "
                     "language binding?)"), G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  if (!FIT_IS_TENSOR (out))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_FAILED,
                   _("forward() of %s returned a %s instead of a Fit.Tensor"),
                   G_OBJECT_TYPE_NAME (self), G_OBJECT_TYPE_NAME (out));
      g_object_unref (out);
      return NULL;
    }
  return out;
}

/* ---- registration ---- */

static gboolean
name_is_valid (FitModule  *self,
               const char *name)
{
  FitModulePrivate *priv = GET_PRIV (self);
  gsize len = strlen (name);

  /* Names end up in messages, summaries and saved files, all UTF-8. */
  if (!g_utf8_validate (name, len, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (name, len);

      g_critical ("%s: “%s” is not a valid name: names are UTF-8", G_OBJECT_TYPE_NAME (self),
                  shown);
      return FALSE;
    }
  if (len == 0 || strchr (name, '.') != NULL)
    {
      g_critical ("%s: “%s” is not a valid name: names are not empty and have no “.”",
                  G_OBJECT_TYPE_NAME (self), name);
      return FALSE;
    }
  if (entry_find (priv->params, name, len) != NULL ||
      entry_find (priv->buffers, name, len) != NULL ||
      entry_find (priv->children, name, len) != NULL)
    {
      g_critical ("%s already has a parameter, buffer or child named “%s”",
                  G_OBJECT_TYPE_NAME (self), name);
      return FALSE;
    }
  return TRUE;
}

static void
entry_append (GArray     *entries,
              const char *name,
              gpointer    object)
{
  Entry e = { g_strdup (name), g_object_ref (object) };

  g_array_append_val (entries, e);
}

/**
 * fit_module_add_parameter:
 * @self: a module
 * @name: the parameter's name within @self (UTF-8, not empty, without “.”)
 * @tensor: a floating-point tensor
 *
 * Registers @tensor as a trainable parameter of @self: it is marked as requiring a
 * gradient, appears in [method@Fit.Module.get_parameters] and in the saved state, and
 * is named @name (prefixed by the names of the modules above @self).
 *
 * Since: 1.0
 */
void
fit_module_add_parameter (FitModule  *self,
                          const char *name,
                          FitTensor  *tensor)
{
  g_return_if_fail (FIT_IS_MODULE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (FIT_IS_TENSOR (tensor));
  g_return_if_fail (fit_dtype_is_floating (fit_tensor_get_dtype (tensor)));
  g_return_if_fail (fit_tensor_is_leaf (tensor));

  if (!name_is_valid (self, name))
    return;
  fit_tensor_set_requires_grad (tensor, TRUE);
  if (fit_tensor_get_name (tensor) == NULL)
    fit_tensor_set_name (tensor, name);
  entry_append (GET_PRIV (self)->params, name, tensor);
  g_atomic_int_inc (&structure_serial);
}

/**
 * fit_module_add_buffer:
 * @self: a module
 * @name: the buffer's name within @self (UTF-8, not empty, without “.”)
 * @tensor: a tensor
 *
 * Registers @tensor as state of @self that is saved and loaded with the parameters but
 * not trained, such as batch normalisation's `running_mean`.
 *
 * Since: 1.0
 */
void
fit_module_add_buffer (FitModule  *self,
                       const char *name,
                       FitTensor  *tensor)
{
  g_return_if_fail (FIT_IS_MODULE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (FIT_IS_TENSOR (tensor));

  if (!name_is_valid (self, name))
    return;
  if (fit_tensor_get_name (tensor) == NULL)
    fit_tensor_set_name (tensor, name);
  entry_append (GET_PRIV (self)->buffers, name, tensor);
}

static gboolean
is_descendant (FitModule *self,
               FitModule *other)
{
  GArray *children = GET_PRIV (self)->children;

  if (self == other)
    return TRUE;
  for (guint i = 0; i < children->len; i++)
    if (is_descendant (g_array_index (children, Entry, i).object, other))
      return TRUE;
  return FALSE;
}

/**
 * fit_module_add_child:
 * @self: a module
 * @name: the child's name within @self (UTF-8, not empty, without “.”)
 * @child: the module to add
 *
 * Adds @child as a submodule of @self: its parameters, buffers and training mode become
 * part of @self's. A module may be the child of several parents (weight sharing), but
 * not of itself or of its own descendants.
 *
 * Since: 1.0
 */
void
fit_module_add_child (FitModule  *self,
                      const char *name,
                      FitModule  *child)
{
  g_return_if_fail (FIT_IS_MODULE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (FIT_IS_MODULE (child));
  g_return_if_fail (!is_descendant (child, self));

  if (!name_is_valid (self, name))
    return;
  entry_append (GET_PRIV (self)->children, name, child);
  g_atomic_int_inc (&structure_serial);
}

guint
fit_module_structure_serial (void)
{
  return (guint) g_atomic_int_get (&structure_serial);
}

/* ---- lookup ---- */

/* Follows the dotted prefix of @name to the module that owns its last component. */
static FitModule *
resolve (FitModule   *self,
         const char  *name,
         const char **leaf)
{
  const char *dot;

  while ((dot = strchr (name, '.')) != NULL)
    {
      Entry *e = entry_find (GET_PRIV (self)->children, name, dot - name);

      if (e == NULL)
        return NULL;
      self = e->object;
      name = dot + 1;
    }
  *leaf = name;
  return self;
}

static gpointer
lookup (FitModule  *self,
        const char *name,
        gsize       offset)
{
  const char *leaf;
  FitModule *owner = resolve (self, name, &leaf);
  Entry *e;

  if (owner == NULL)
    return NULL;
  e = entry_find (G_STRUCT_MEMBER (GArray *, GET_PRIV (owner), offset), leaf, strlen (leaf));
  return e != NULL ? e->object : NULL;
}

/**
 * fit_module_get_parameter:
 * @self: a module
 * @name: a hierarchical name, as in `"encoder.fc1.weight"`
 *
 * Looks up a parameter by its hierarchical name.
 *
 * Returns: (transfer none) (nullable): the parameter, or %NULL if there is none of
 *   that name
 *
 * Since: 1.0
 */
FitTensor *
fit_module_get_parameter (FitModule  *self,
                          const char *name)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return lookup (self, name, G_STRUCT_OFFSET (FitModulePrivate, params));
}

/**
 * fit_module_get_buffer:
 * @self: a module
 * @name: a hierarchical name, as in `"1.running_mean"`
 *
 * Looks up a buffer by its hierarchical name.
 *
 * Returns: (transfer none) (nullable): the buffer, or %NULL if there is none of that
 *   name
 *
 * Since: 1.0
 */
FitTensor *
fit_module_get_buffer (FitModule  *self,
                       const char *name)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return lookup (self, name, G_STRUCT_OFFSET (FitModulePrivate, buffers));
}

/**
 * fit_module_get_child:
 * @self: a module
 * @name: a hierarchical name, as in `"encoder.fc1"`
 *
 * Looks up a descendant by its hierarchical name.
 *
 * Returns: (transfer none) (nullable): the descendant, or %NULL if there is none of
 *   that name
 *
 * Since: 1.0
 */
FitModule *
fit_module_get_child (FitModule  *self,
                      const char *name)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return lookup (self, name, G_STRUCT_OFFSET (FitModulePrivate, children));
}

/* Calls @func for every entry of the kind at @offset in @self and its descendants, in
 * the documented order, with its hierarchical name; skips objects already seen. */
typedef void (*VisitFunc) (const char *name,
                           gpointer    object,
                           gpointer    user_data);

static void
visit (FitModule  *self,
       gsize       offset,
       GString    *prefix,
       GHashTable *seen,
       VisitFunc   func,
       gpointer    user_data)
{
  FitModulePrivate *priv = GET_PRIV (self);
  GArray *entries = G_STRUCT_MEMBER (GArray *, priv, offset);
  gsize len = prefix->len;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);

      if (!g_hash_table_add (seen, e->object))
        continue;
      g_string_append (prefix, e->name);
      func (prefix->str, e->object, user_data);
      g_string_truncate (prefix, len);
    }
  for (guint i = 0; i < priv->children->len; i++)
    {
      Entry *e = &g_array_index (priv->children, Entry, i);

      g_string_append (prefix, e->name);
      g_string_append_c (prefix, '.');
      visit (e->object, offset, prefix, seen, func, user_data);
      g_string_truncate (prefix, len);
    }
}

static void
walk (FitModule *self,
      gsize      offset,
      VisitFunc  func,
      gpointer   user_data)
{
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  visit (self, offset, prefix, seen, func, user_data);
}

static guint
count_entries (FitModule *self,
               gsize      offset)
{
  FitModulePrivate *priv = GET_PRIV (self);
  guint n = G_STRUCT_MEMBER (GArray *, priv, offset)->len;

  for (guint i = 0; i < priv->children->len; i++)
    n += count_entries (g_array_index (priv->children, Entry, i).object, offset);
  return n;
}

static void
collect_object (const char *name,
                gpointer    object,
                gpointer    user_data)
{
  g_ptr_array_add (user_data, object);
}

static void
collect_name (const char *name,
              gpointer    object,
              gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (name));
}

/* The objects alone, in the order of walk() but without building names: a hand-written
 * loop lists the parameters every step through fit_module_zero_grad(). An object shared
 * by several modules is listed once; a scan of the short list so far is cheaper than
 * walk()'s hash set. */
static void
collect_objects_into (FitModule *self,
                      gsize      offset,
                      GPtrArray *out)
{
  FitModulePrivate *priv = GET_PRIV (self);
  GArray *entries = G_STRUCT_MEMBER (GArray *, priv, offset);

  for (guint i = 0; i < entries->len; i++)
    {
      gpointer object = g_array_index (entries, Entry, i).object;

      if (!g_ptr_array_find (out, object, NULL))
        g_ptr_array_add (out, object);
    }
  for (guint i = 0; i < priv->children->len; i++)
    collect_objects_into (g_array_index (priv->children, Entry, i).object, offset, out);
}

static GPtrArray *
collect_objects (FitModule *self,
                 gsize      offset)
{
  GPtrArray *out = g_ptr_array_new ();

  /* Past a few hundred objects the quadratic scan would lose to the hash set. */
  if (count_entries (self, offset) > 256)
    walk (self, offset, collect_object, out);
  else
    collect_objects_into (self, offset, out);
  return out;
}

static char **
collect_names (FitModule *self,
               gsize      offset)
{
  GPtrArray *out = g_ptr_array_new ();

  walk (self, offset, collect_name, out);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/**
 * fit_module_get_parameters:
 * @self: a module
 *
 * Lists the trainable parameters of @self and its descendants, in the order of
 * [method@Fit.Module.get_parameter_names]. This is what an optimizer is built from.
 *
 * Returns: (transfer container) (element-type FitTensor): the parameters
 *
 * Since: 1.0
 */
GPtrArray *
fit_module_get_parameters (FitModule *self)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  return collect_objects (self, G_STRUCT_OFFSET (FitModulePrivate, params));
}

/**
 * fit_module_get_parameter_names:
 * @self: a module
 *
 * Lists the hierarchical names of the parameters, as in `"0.weight"` or
 * `"encoder.fc1.bias"`: @self's own parameters in the order they were added, then each
 * child's, depth first, in the order the children were added. A parameter shared by
 * several modules appears once, under its first name.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 1.0
 */
char **
fit_module_get_parameter_names (FitModule *self)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  return collect_names (self, G_STRUCT_OFFSET (FitModulePrivate, params));
}

/**
 * fit_module_get_buffers:
 * @self: a module
 *
 * Lists the buffers of @self and its descendants.
 *
 * Returns: (transfer container) (element-type FitTensor): the buffers of @self and its
 *   descendants, in the order of [method@Fit.Module.get_buffer_names]
 *
 * Since: 1.0
 */
GPtrArray *
fit_module_get_buffers (FitModule *self)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  return collect_objects (self, G_STRUCT_OFFSET (FitModulePrivate, buffers));
}

/**
 * fit_module_get_buffer_names:
 * @self: a module
 *
 * Lists the hierarchical names of the buffers.
 *
 * Returns: (transfer full) (array zero-terminated=1): the hierarchical names of the
 *   buffers, ordered like the parameters'
 *
 * Since: 1.0
 */
char **
fit_module_get_buffer_names (FitModule *self)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  return collect_names (self, G_STRUCT_OFFSET (FitModulePrivate, buffers));
}

/**
 * fit_module_get_children:
 * @self: a module
 *
 * Lists the direct children.
 *
 * Returns: (transfer container) (element-type FitModule): the direct children, in the
 *   order they were added
 *
 * Since: 1.0
 */
GPtrArray *
fit_module_get_children (FitModule *self)
{
  GArray *children;
  GPtrArray *out;

  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);

  children = GET_PRIV (self)->children;
  out = g_ptr_array_sized_new (children->len);
  for (guint i = 0; i < children->len; i++)
    g_ptr_array_add (out, g_array_index (children, Entry, i).object);
  return out;
}

/**
 * fit_module_get_child_names:
 * @self: a module
 *
 * Lists the names of the direct children.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the direct children,
 *   in the order they were added
 *
 * Since: 1.0
 */
char **
fit_module_get_child_names (FitModule *self)
{
  GArray *children;
  char **out;

  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);

  children = GET_PRIV (self)->children;
  out = g_new0 (char *, children->len + 1);
  for (guint i = 0; i < children->len; i++)
    out[i] = g_strdup (g_array_index (children, Entry, i).name);
  return out;
}

/* ---- whole-model operations ---- */

/**
 * fit_module_get_training:
 * @self: a module
 *
 * Gets [property@Fit.Module:training].
 *
 * Returns: whether @self is in training mode
 *
 * Since: 1.0
 */
gboolean
fit_module_get_training (FitModule *self)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), FALSE);
  return GET_PRIV (self)->training;
}

/**
 * fit_module_set_training:
 * @self: a module
 * @training: %TRUE for training mode, %FALSE for evaluation mode
 *
 * Switches @self and all its descendants between training and evaluation behaviour.
 *
 * Since: 1.0
 */
void
fit_module_set_training (FitModule *self,
                         gboolean   training)
{
  FitModulePrivate *priv;

  g_return_if_fail (FIT_IS_MODULE (self));

  priv = GET_PRIV (self);
  training = !!training;
  for (guint i = 0; i < priv->children->len; i++)
    fit_module_set_training (g_array_index (priv->children, Entry, i).object, training);
  if (priv->training == training)
    return;
  priv->training = training;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);
}

/**
 * fit_module_zero_grad:
 * @self: a module
 *
 * Sets the gradient of every parameter to zero, keeping the gradient buffers so that
 * the next backward pass accumulates into them without allocating.
 *
 * Since: 1.0
 */
void
fit_module_zero_grad (FitModule *self)
{
  g_autoptr(GPtrArray) params = NULL;

  g_return_if_fail (FIT_IS_MODULE (self));

  params = fit_module_get_parameters (self);
  for (guint i = 0; i < params->len; i++)
    fit_tensor_zero_grad (params->pdata[i]);
}

/**
 * fit_module_count_parameters:
 * @self: a module
 *
 * Counts the trainable numbers of the model.
 *
 * Returns: the number of elements of all parameters of @self and its descendants
 *   (shared parameters counted once; buffers not counted)
 *
 * Since: 1.0
 */
gint64
fit_module_count_parameters (FitModule *self)
{
  g_autoptr(GPtrArray) params = NULL;
  gint64 n = 0;

  g_return_val_if_fail (FIT_IS_MODULE (self), 0);

  params = fit_module_get_parameters (self);
  for (guint i = 0; i < params->len; i++)
    n += fit_tensor_get_numel (params->pdata[i]);
  return n;
}

/* Converts @t to @dtype in place, keeping the object (which layers and optimizers hold). */
static gboolean
convert_in_place (FitTensor  *t,
                  FitDType    dtype,
                  GError    **error)
{
  g_autoptr(FitTensor) converted = NULL;
  gboolean was;

  if (t->dtype == dtype || !fit_dtype_is_floating (t->dtype))
    return TRUE;
  was = fit_grad_set_enabled (FALSE);
  converted = fit_tensor_to_dtype (t, dtype, error);
  fit_grad_set_enabled (was);
  if (converted == NULL)
    return FALSE;
  fit_storage_unref (t->storage);
  t->storage = fit_storage_ref (converted->storage);
  t->offset = converted->offset;
  t->dtype = dtype;
  g_clear_object (&t->grad);
  return TRUE;
}

/**
 * fit_module_to_dtype:
 * @self: a module
 * @dtype: %FIT_DTYPE_FLOAT32 or %FIT_DTYPE_FLOAT64
 * @error: return location for a #GError
 *
 * Converts every floating-point parameter and buffer of @self and its descendants to
 * @dtype, in place: the tensor objects stay the same, so optimizers built on them keep
 * working, but their gradients are dropped. Float64 models are for gradient checks.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
fit_module_to_dtype (FitModule  *self,
                     FitDType    dtype,
                     GError    **error)
{
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GPtrArray) buffers = NULL;

  g_return_val_if_fail (FIT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!fit_dtype_is_floating (dtype))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_DTYPE,
                   _("fit_module_to_dtype: parameters must be floating point, not %s"),
                   fit_dtype_get_name (dtype));
      return FALSE;
    }
  params = fit_module_get_parameters (self);
  buffers = fit_module_get_buffers (self);
  for (guint i = 0; i < params->len; i++)
    if (!convert_in_place (params->pdata[i], dtype, error))
      return FALSE;
  for (guint i = 0; i < buffers->len; i++)
    if (!convert_in_place (buffers->pdata[i], dtype, error))
      return FALSE;
  return TRUE;
}

/* ---- summary ---- */

static void
name_modules (FitModule  *self,
              GString    *prefix,
              GHashTable *names)
{
  GArray *children = GET_PRIV (self)->children;
  gsize len = prefix->len;

  if (!g_hash_table_contains (names, self))
    g_hash_table_insert (names, self, g_strdup (prefix->str));
  for (guint i = 0; i < children->len; i++)
    {
      Entry *e = &g_array_index (children, Entry, i);

      if (len > 0)
        g_string_append_c (prefix, '.');
      g_string_append (prefix, e->name);
      name_modules (e->object, prefix, names);
      g_string_truncate (prefix, len);
    }
}

static void
save_training (FitModule  *self,
               GHashTable *modes)
{
  GArray *children = GET_PRIV (self)->children;

  g_hash_table_insert (modes, self, GINT_TO_POINTER (GET_PRIV (self)->training));
  for (guint i = 0; i < children->len; i++)
    save_training (g_array_index (children, Entry, i).object, modes);
}

static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" PRId64, n);
  GString *s = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static char *
format_summary (FitModule *self,
                GArray    *rows)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GPtrArray) params = fit_module_get_parameters (self);
  g_autofree char *total = NULL;
  g_autofree char *trainable = NULL;
  gint64 n_trainable = 0;
  int w_layer = strlen ("Layer (type)"), w_shape = strlen ("Output shape");
  int width;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < rows->len; i++)
    {
      SummaryRow *row = &g_array_index (rows, SummaryRow, i);
      char *label;

      if (row->name[0] == '\0')
        label = g_strdup_printf ("%*s%s", 2 * row->depth, "", G_OBJECT_TYPE_NAME (row->module));
      else
        label = g_strdup_printf ("%*s%s (%s)", 2 * row->depth, "", row->name,
                                 G_OBJECT_TYPE_NAME (row->module));
      w_layer = MAX (w_layer, (int) g_utf8_strlen (label, -1));
      w_shape = MAX (w_shape, row->shape ? (int) strlen (row->shape) : 1);
      g_ptr_array_add (labels, label);
    }
  width = w_layer + 2 + w_shape + 2 + 14;

  g_string_append_printf (s, "%-*s  %-*s  %14s\n", w_layer, "Layer (type)", w_shape,
                          "Output shape", "Param #");
  for (int i = 0; i < width; i++)
    g_string_append_c (s, '=');
  g_string_append_c (s, '\n');
  for (guint i = 0; i < rows->len; i++)
    {
      SummaryRow *row = &g_array_index (rows, SummaryRow, i);
      g_autofree char *count = format_count (fit_module_count_parameters (row->module));
      const char *label = labels->pdata[i];
      int pad = w_layer - (int) g_utf8_strlen (label, -1);

      g_string_append_printf (s, "%s%*s  %-*s  %14s\n", label, pad, "", w_shape,
                              row->shape ? row->shape : "-", count);
    }
  for (int i = 0; i < width; i++)
    g_string_append_c (s, '=');
  g_string_append_c (s, '\n');

  for (guint i = 0; i < params->len; i++)
    if (fit_tensor_get_requires_grad (params->pdata[i]))
      n_trainable += fit_tensor_get_numel (params->pdata[i]);
  total = format_count (fit_module_count_parameters (self));
  trainable = format_count (n_trainable);
  g_string_append_printf (s, "Total params: %s\n", total);
  g_string_append_printf (s, "Trainable params: %s\n", trainable);
  return g_string_free (s, FALSE);
}

/**
 * fit_module_summary_for_input:
 * @self: a module
 * @input: an example input (only its shape and element type matter)
 * @error: return location for a #GError
 *
 * Describes the model as a table: one row per module that runs when @input goes
 * through @self (nested modules indented, with their hierarchical names), the shape of
 * that module's output and its number of parameters, then the totals. The example runs
 * in evaluation mode with gradient recording off, so it changes no state (no running
 * statistics, no random numbers drawn); the training flags are restored afterwards.
 *
 * Returns: (transfer full): the table, or %NULL with @error set when the forward fails
 *   (for example because the input has the wrong shape)
 *
 * Since: 1.0
 */
char *
fit_module_summary_for_input (FitModule  *self,
                              FitTensor  *input,
                              GError    **error)
{
  SummaryRecorder rec;
  g_autoptr(GHashTable) modes = g_hash_table_new (NULL, NULL);
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autoptr(FitTensor) out = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gboolean was;
  char *text = NULL;

  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  g_return_val_if_fail (FIT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rec.names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  rec.rows = g_array_new (FALSE, TRUE, sizeof (SummaryRow));
  g_array_set_clear_func (rec.rows, summary_row_clear);
  rec.depth = 0;
  name_modules (self, prefix, rec.names);
  save_training (self, modes);

  fit_module_set_training (self, FALSE);
  was = fit_grad_set_enabled (FALSE);
  g_private_set (&summary_recorder, &rec);
  out = fit_module_forward (self, input, error);
  g_private_set (&summary_recorder, NULL);
  fit_grad_set_enabled (was);

  g_hash_table_iter_init (&iter, modes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    GET_PRIV (key)->training = GPOINTER_TO_INT (value);

  if (out != NULL)
    text = format_summary (self, rec.rows);
  g_array_unref (rec.rows);
  g_hash_table_unref (rec.names);
  return text;
}

/**
 * fit_module_summary:
 * @self: a module
 * @input_shape: (array length=n_dims): the shape of an input batch, as in `{1, 1, 28, 28}`
 * @n_dims: the number of dimensions of @input_shape
 * @error: return location for a #GError
 *
 * Like [method@Fit.Module.summary_for_input] with a float32 input of zeros of the
 * given shape.
 *
 * Returns: (transfer full): the table, or %NULL with @error set, %FIT_ERROR_SHAPE for
 *   an input shape no tensor can have (more than %FIT_MAX_DIMS dimensions, a negative
 *   size, or non-zero sizes that multiply to 2^60 or more)
 *
 * Since: 1.0
 */
char *
fit_module_summary (FitModule     *self,
                    const gint64  *input_shape,
                    guint          n_dims,
                    GError       **error)
{
  g_autoptr(FitTensor) input = NULL;

  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  g_return_val_if_fail (input_shape != NULL || n_dims == 0, NULL);

  if (!fit_shape_check ("fit_module_summary", input_shape, n_dims, error))
    return NULL;
  input = fit_tensor_new_zeros (FIT_DTYPE_FLOAT32, input_shape, n_dims);
  return fit_module_summary_for_input (self, input, error);
}

/* ---- weights ---- */

typedef struct
{
  FitSafetensors *state;
  gboolean        copy;
} StateBuilder;

static void
add_to_state (const char *name,
              gpointer    object,
              gpointer    user_data)
{
  StateBuilder *b = user_data;
  g_autoptr(FitTensor) t = NULL;

  if (b->copy)
    {
      gboolean was = fit_grad_set_enabled (FALSE);

      t = fit_tensor_clone (object);
      fit_grad_set_enabled (was);
    }
  else
    t = fit_tensor_detach (object);
  fit_safetensors_add (b->state, name, t);
}

/* Parameters then buffers, each module's own before its children's, as PyTorch's
 * state_dict() orders them. */
static void
state_visit (FitModule    *self,
             GString      *prefix,
             GHashTable   *seen,
             StateBuilder *b)
{
  FitModulePrivate *priv = GET_PRIV (self);
  GArray *kinds[2] = { priv->params, priv->buffers };
  gsize len = prefix->len;

  for (guint k = 0; k < 2; k++)
    for (guint i = 0; i < kinds[k]->len; i++)
      {
        Entry *e = &g_array_index (kinds[k], Entry, i);

        if (!g_hash_table_add (seen, e->object))
          continue;
        g_string_append (prefix, e->name);
        add_to_state (prefix->str, e->object, b);
        g_string_truncate (prefix, len);
      }
  for (guint i = 0; i < priv->children->len; i++)
    {
      Entry *e = &g_array_index (priv->children, Entry, i);

      g_string_append (prefix, e->name);
      g_string_append_c (prefix, '.');
      state_visit (e->object, prefix, seen, b);
      g_string_truncate (prefix, len);
    }
}

static FitSafetensors *
build_state (FitModule *self,
             gboolean   copy)
{
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  StateBuilder b = { fit_safetensors_new (), copy };

  state_visit (self, prefix, seen, &b);
  return b.state;
}

/**
 * fit_module_get_state:
 * @self: a module
 *
 * Takes a snapshot of the module's weights: every parameter and buffer of @self and its
 * descendants, under its hierarchical name, in PyTorch's `state_dict()` order (each
 * module's parameters, then its buffers, then its children's). The tensors are copies,
 * so the snapshot stays as it is while training goes on (to keep the best weights, for
 * example); save it with [method@Fit.Safetensors.save] or restore it with
 * [method@Fit.Module.set_state].
 *
 * Returns: (transfer full): the weights
 *
 * Since: 1.0
 */
FitSafetensors *
fit_module_get_state (FitModule *self)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), NULL);
  return build_state (self, TRUE);
}

/* Lists the first 8 of @items, which stand for @n names in all. */
static void
append_list (GString    *s,
             const char *what,
             GPtrArray  *items,
             guint       n)
{
  if (n == 0)
    return;
  if (s->len > 0)
    g_string_append (s, "; ");
  g_string_append_printf (s, "%s: ", what);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      if (i == 8)
        {
          g_string_append_printf (s, _("and %u more"), n - 8);
          break;
        }
      g_string_append (s, items->pdata[i]);
    }
}

static guint
count_unexpected (FitSafetensors  *mine,
                  char           **theirs)
{
  guint n = 0;

  for (guint i = 0; theirs[i] != NULL; i++)
    if (!fit_safetensors_contains (mine, theirs[i]))
      n++;
  return n;
}

/* Checks that @state holds exactly @self's names with the same shapes and element types;
 * @source names where it came from in the message, if known. */
static gboolean
check_state (FitModule       *self,
             FitSafetensors  *state,
             const char      *source,
             GError         **error)
{
  g_autoptr(FitSafetensors) mine = build_state (self, FALSE);
  g_auto(GStrv) names = fit_safetensors_get_names (mine);
  g_auto(GStrv) theirs = fit_safetensors_get_names (state);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) unexpected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) differ = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) s = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      FitTensor *a = fit_safetensors_get (mine, names[i]);
      FitTensor *b = fit_safetensors_get (state, names[i]);

      if (b == NULL)
        g_ptr_array_add (missing, g_strdup (names[i]));
      else if (!fit_shape_equal (a->shape, a->n_dims, b->shape, b->n_dims) ||
               a->dtype != b->dtype)
        {
          g_autofree char *sa = fit_shape_to_string (a->shape, a->n_dims);
          g_autofree char *sb = fit_shape_to_string (b->shape, b->n_dims);

          g_ptr_array_add (differ, g_strdup_printf (_("%s (%s %s in the model, %s %s given)"),
                                                    names[i], fit_dtype_get_name (a->dtype),
                                                    sa, fit_dtype_get_name (b->dtype), sb));
        }
    }
  /* The only names here that may come from a file: quoted for the message. */
  for (guint i = 0; theirs[i] != NULL && unexpected->len <= 8; i++)
    if (!fit_safetensors_contains (mine, theirs[i]))
      g_ptr_array_add (unexpected, fit_error_quote (theirs[i], -1));
  if (missing->len == 0 && unexpected->len == 0 && differ->len == 0)
    return TRUE;

  s = g_string_new (NULL);
  append_list (s, _("missing"), missing, missing->len);
  append_list (s, _("unexpected"), unexpected, count_unexpected (mine, theirs));
  append_list (s, _("different shape or type"), differ, differ->len);
  if (source != NULL)
    g_set_error (error, FIT_ERROR, FIT_ERROR_MISMATCH,
                 _("The weights in “%s” do not match %s: %s"), source,
                 G_OBJECT_TYPE_NAME (self), s->str);
  else
    g_set_error (error, FIT_ERROR, FIT_ERROR_MISMATCH,
                 _("The weights do not match %s: %s"), G_OBJECT_TYPE_NAME (self), s->str);
  return FALSE;
}

gboolean
fit_module_check_state (FitModule       *self,
                        FitSafetensors  *state,
                        GError         **error)
{
  return check_state (self, state, NULL, error);
}

/* Copies checked weights in. */
static gboolean
assign_state (FitModule       *self,
              FitSafetensors  *state,
              GError         **error)
{
  g_auto(GStrv) names = fit_safetensors_get_names (state);
  gboolean was, ok = TRUE;

  was = fit_grad_set_enabled (FALSE);
  for (guint i = 0; names[i] != NULL && ok; i++)
    {
      FitTensor *target = lookup (self, names[i], G_STRUCT_OFFSET (FitModulePrivate, params));

      if (target == NULL)
        target = lookup (self, names[i], G_STRUCT_OFFSET (FitModulePrivate, buffers));
      ok = fit_tensor_assign (target, fit_safetensors_get (state, names[i]), error);
    }
  fit_grad_set_enabled (was);
  return ok;
}

/**
 * fit_module_set_state:
 * @self: a module
 * @state: weights, as from [method@Fit.Module.get_state], a file written by
 *   [method@Fit.Module.save], or a PyTorch model's `state_dict()` saved as safetensors
 * @error: return location for a #GError
 *
 * Copies the weights in @state into @self's parameters and buffers (in place: the
 * tensor objects, and so any optimizer built on them, stay the same). @state must hold
 * exactly the names of [method@Fit.Module.get_state], with the same shapes and element
 * types; otherwise nothing is changed and the error lists the missing names, the
 * unexpected ones and those whose shape or type differs.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_MISMATCH
 *
 * Since: 1.0
 */
gboolean
fit_module_set_state (FitModule       *self,
                      FitSafetensors  *state,
                      GError         **error)
{
  g_return_val_if_fail (FIT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (FIT_IS_SAFETENSORS (state), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_state (self, state, NULL, error) && assign_state (self, state, error);
}

/**
 * fit_module_save:
 * @self: a module
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes the module's weights (see [method@Fit.Module.get_state]) to a safetensors file,
 * atomically: a crash never leaves a torn file. PyTorch reads it with
 * `safetensors.torch.load_file()` and `load_state_dict()`.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%FIT_ERROR_IO)
 *
 * Since: 1.0
 */
gboolean
fit_module_save (FitModule   *self,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(FitSafetensors) state = NULL;

  g_return_val_if_fail (FIT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The file is written right away, so the tensors need not be copied first. */
  state = build_state (self, FALSE);
  return fit_safetensors_save (state, path, NULL, error);
}

/**
 * fit_module_load:
 * @self: a module
 * @path: (type filename): a safetensors file
 * @error: return location for a #GError
 *
 * Reads weights from a safetensors file (written by [method@Fit.Module.save] or by
 * PyTorch for the same architecture) into @self, as [method@Fit.Module.set_state].
 *
 * Returns: %TRUE on success, %FALSE with @error set (%FIT_ERROR_IO, %FIT_ERROR_PARSE,
 *   %FIT_ERROR_MISMATCH)
 *
 * Since: 1.0
 */
gboolean
fit_module_load (FitModule   *self,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(FitSafetensors) state = NULL;

  g_return_val_if_fail (FIT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  state = fit_safetensors_new_from_file (path, NULL, error);
  if (state == NULL)
    return FALSE;
  return check_state (self, state, path, error) && assign_state (self, state, error);
}
