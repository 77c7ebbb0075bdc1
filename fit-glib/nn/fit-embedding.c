/* fit-embedding.c: a lookup table of vectors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-nn-private.h"

/**
 * FitEmbedding:
 *
 * A table of [property@Fit.Embedding:num-embeddings] learned vectors of
 * [property@Fit.Embedding:embedding-dim] elements: an integer input of shape `[…]`
 * gives the rows it indexes, of shape `[…, embedding-dim]`, as PyTorch's
 * `nn.Embedding`. The weight is named `weight` and starts from N(0, 1).
 *
 * Since: 1.0
 */

struct _FitEmbedding
{
  FitModule  parent_instance;

  gint64     num_embeddings;
  gint64     embedding_dim;
  FitRng    *rng;      /* construction only */
  FitTensor *weight;
};

enum {
  PROP_0,
  PROP_NUM_EMBEDDINGS,
  PROP_EMBEDDING_DIM,
  PROP_RNG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitEmbedding, fit_embedding, FIT_TYPE_MODULE)

static void
fit_embedding_dispose (GObject *object)
{
  FitEmbedding *self = FIT_EMBEDDING (object);

  g_clear_object (&self->weight);
  g_clear_object (&self->rng);
  G_OBJECT_CLASS (fit_embedding_parent_class)->dispose (object);
}

static void
fit_embedding_constructed (GObject *object)
{
  FitEmbedding *self = FIT_EMBEDDING (object);
  g_autoptr(FitRng) rng = fit_nn_resolve_rng (self->rng);
  gint64 shape[2] = { self->num_embeddings, self->embedding_dim };

  G_OBJECT_CLASS (fit_embedding_parent_class)->constructed (object);
  self->weight = fit_nn_new_param ("FitEmbedding", shape, 2);
  fit_init_normal (self->weight, rng, 0.0, 1.0);
  fit_module_add_parameter (FIT_MODULE (self), "weight", self->weight);
  g_clear_object (&self->rng);
}

static void
fit_embedding_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FitEmbedding *self = FIT_EMBEDDING (object);

  switch (prop_id)
    {
    case PROP_NUM_EMBEDDINGS:
      g_value_set_int64 (value, self->num_embeddings);
      break;
    case PROP_EMBEDDING_DIM:
      g_value_set_int64 (value, self->embedding_dim);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_embedding_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FitEmbedding *self = FIT_EMBEDDING (object);

  switch (prop_id)
    {
    case PROP_NUM_EMBEDDINGS:
      self->num_embeddings = g_value_get_int64 (value);
      break;
    case PROP_EMBEDDING_DIM:
      self->embedding_dim = g_value_get_int64 (value);
      break;
    case PROP_RNG:
      g_set_object (&self->rng, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static FitTensor *
fit_embedding_forward (FitModule  *module,
                       FitTensor  *input,
                       GError    **error)
{
  return fit_tensor_embedding (FIT_EMBEDDING (module)->weight, input, error);
}

static void
fit_embedding_class_init (FitEmbeddingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fit_embedding_dispose;
  object_class->constructed = fit_embedding_constructed;
  object_class->get_property = fit_embedding_get_property;
  object_class->set_property = fit_embedding_set_property;
  FIT_MODULE_CLASS (klass)->forward = fit_embedding_forward;

  /**
   * FitEmbedding:num-embeddings:
   *
   * The number of vectors (the size of the vocabulary).
   *
   * Since: 1.0
   */
  properties[PROP_NUM_EMBEDDINGS] =
    g_param_spec_int64 ("num-embeddings", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitEmbedding:embedding-dim:
   *
   * The number of elements of each vector.
   *
   * Since: 1.0
   */
  properties[PROP_EMBEDDING_DIM] =
    g_param_spec_int64 ("embedding-dim", NULL, NULL, 1, G_MAXINT32, 1, flags);

  /**
   * FitEmbedding:rng:
   *
   * The generator for the initial vectors, or %NULL for one forked from
   * [func@Fit.init_get_default_rng].
   *
   * Since: 1.0
   */
  properties[PROP_RNG] =
    g_param_spec_object ("rng", NULL, NULL, FIT_TYPE_RNG,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_embedding_init (FitEmbedding *self)
{
}

/**
 * fit_embedding_new:
 * @num_embeddings: the number of vectors
 * @embedding_dim: the number of elements of each vector
 * @rng: (nullable): the generator for the initial vectors, or %NULL
 *
 * Creates an embedding table initialised from N(0, 1).
 *
 * Sizes are a programmer's promise, as for every layer: sizes whose weight would have
 * 2^60 elements or more are a critical warning, and the layer then gets empty
 * parameters, so that its forward fails with %FIT_ERROR_SHAPE.
 *
 * Returns: (transfer full): a new #FitEmbedding
 *
 * Since: 1.0
 */
FitEmbedding *
fit_embedding_new (gint64  num_embeddings,
                   gint64  embedding_dim,
                   FitRng *rng)
{
  g_return_val_if_fail (num_embeddings >= 1 && embedding_dim >= 1, NULL);
  g_return_val_if_fail (rng == NULL || FIT_IS_RNG (rng), NULL);
  return g_object_new (FIT_TYPE_EMBEDDING, "num-embeddings", num_embeddings,
                       "embedding-dim", embedding_dim, "rng", rng, NULL);
}

/**
 * fit_embedding_get_weight:
 * @self: a #FitEmbedding
 *
 * Gets the table of vectors.
 *
 * Returns: (transfer none): the table, `[num-embeddings, embedding-dim]`
 *
 * Since: 1.0
 */
FitTensor *
fit_embedding_get_weight (FitEmbedding *self)
{
  g_return_val_if_fail (FIT_IS_EMBEDDING (self), NULL);
  return self->weight;
}
