/* fit-gradient-accumulation-handler.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fit-handlers.h"

/**
 * FitGradientAccumulationHandler:
 *
 * Sums the gradients of [property@Fit.GradientAccumulationHandler:n-batches]
 * consecutive batches before each optimizer step, so training behaves as with batches
 * that many times larger, in the memory of one.
 *
 * The batches of an epoch form groups of n from its first batch; the last group of an
 * epoch whose length is not a multiple of n is shorter, and its step still happens at
 * the epoch's last batch. Each batch's loss is scaled for the backward pass by its share
 * of the group's samples ([method@Fit.Estimator.scale_loss]), which makes the summed
 * gradient that of the mean loss over the whole group: the same as one batch of the
 * group's samples, also for a short last batch or group. At `backward-end` of every
 * batch but a group's last it requests %FIT_STOP_SCOPE_BATCH, so the step is skipped and
 * the gradients kept. Reported losses are not scaled.
 *
 * A group cut short by an epoch or training stop is dropped: its gradients are zeroed at
 * `epoch-end`. Its priority is %FIT_PRIORITY_GRADIENT_ACCUMULATION, before gradient
 * clipping. Losses must be means over the batch (the default reduction).
 *
 * Since: 1.0
 */
struct _FitGradientAccumulationHandler
{
  FitEventHandler parent_instance;
  guint           n_batches;
  gboolean        pending;
};

enum { PROP_0, PROP_N_BATCHES, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitGradientAccumulationHandler, fit_gradient_accumulation_handler,
                     FIT_TYPE_EVENT_HANDLER)

/* The size of batch @i of @loader. */
static guint64
batch_size_of (FitDataLoader *loader,
               guint64        i)
{
  guint64 bs = fit_data_loader_get_batch_size (loader);
  guint64 n = fit_dataset_get_n_items (fit_data_loader_get_dataset (loader));

  return i * bs >= n ? 0 : MIN (bs, n - i * bs);
}

static void
group_of (FitGradientAccumulationHandler *self,
          FitEstimator                   *estimator,
          guint64                        *first,
          guint64                        *end)
{
  guint64 k = fit_estimator_get_batch_index (estimator);

  *first = k - k % self->n_batches;
  *end = MIN (*first + self->n_batches, fit_estimator_get_n_batches (estimator));
}

static gboolean
fit_gradient_accumulation_handler_loss_end (FitEventHandler  *handler,
                                            FitEstimator     *estimator,
                                            GError          **error)
{
  FitGradientAccumulationHandler *self = FIT_GRADIENT_ACCUMULATION_HANDLER (handler);
  FitDataLoader *loader = fit_estimator_get_train_data (estimator);
  guint64 first, end, samples = 0;

  if (self->n_batches <= 1)
    return TRUE;
  group_of (self, estimator, &first, &end);
  for (guint64 i = first; i < end; i++)
    samples += batch_size_of (loader, i);
  if (samples > 0)
    fit_estimator_scale_loss (estimator,
                              (double) fit_estimator_get_batch_size (estimator) / (double) samples);
  return TRUE;
}

static gboolean
fit_gradient_accumulation_handler_backward_end (FitEventHandler  *handler,
                                                FitEstimator     *estimator,
                                                GError          **error)
{
  FitGradientAccumulationHandler *self = FIT_GRADIENT_ACCUMULATION_HANDLER (handler);
  guint64 first, end;

  if (self->n_batches <= 1)
    return TRUE;
  group_of (self, estimator, &first, &end);
  self->pending = fit_estimator_get_batch_index (estimator) + 1 < end;
  if (self->pending)
    fit_estimator_request_stop (estimator, FIT_STOP_SCOPE_BATCH);
  return TRUE;
}

static gboolean
fit_gradient_accumulation_handler_epoch_end (FitEventHandler  *handler,
                                             FitEstimator     *estimator,
                                             GError          **error)
{
  FitGradientAccumulationHandler *self = FIT_GRADIENT_ACCUMULATION_HANDLER (handler);

  if (self->pending)
    fit_module_zero_grad (fit_estimator_get_net (estimator));
  self->pending = FALSE;
  return TRUE;
}

static void
fit_gradient_accumulation_handler_get_property (GObject    *object,
                                                guint       prop_id,
                                                GValue     *value,
                                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_BATCHES:
      g_value_set_uint (value, FIT_GRADIENT_ACCUMULATION_HANDLER (object)->n_batches);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_gradient_accumulation_handler_set_property (GObject      *object,
                                                guint         prop_id,
                                                const GValue *value,
                                                GParamSpec   *pspec)
{
  FitGradientAccumulationHandler *self = FIT_GRADIENT_ACCUMULATION_HANDLER (object);

  switch (prop_id)
    {
    case PROP_N_BATCHES:
      if (self->n_batches != g_value_get_uint (value))
        {
          self->n_batches = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_gradient_accumulation_handler_class_init (FitGradientAccumulationHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  FitEventHandlerClass *handler_class = FIT_EVENT_HANDLER_CLASS (klass);

  object_class->get_property = fit_gradient_accumulation_handler_get_property;
  object_class->set_property = fit_gradient_accumulation_handler_set_property;
  handler_class->loss_end = fit_gradient_accumulation_handler_loss_end;
  handler_class->backward_end = fit_gradient_accumulation_handler_backward_end;
  handler_class->epoch_end = fit_gradient_accumulation_handler_epoch_end;

  /**
   * FitGradientAccumulationHandler:n-batches:
   *
   * How many batches each optimizer step accumulates.
   *
   * Since: 1.0
   */
  properties[PROP_N_BATCHES] =
    g_param_spec_uint ("n-batches", NULL, NULL, 1, G_MAXUINT, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_gradient_accumulation_handler_init (FitGradientAccumulationHandler *self)
{
  fit_event_handler_set_priority (FIT_EVENT_HANDLER (self), FIT_PRIORITY_GRADIENT_ACCUMULATION);
}

/**
 * fit_gradient_accumulation_handler_new:
 * @n_batches: how many batches each optimizer step accumulates (at least 1)
 *
 * Creates a gradient accumulation handler.
 *
 * Returns: (transfer full): the new handler
 *
 * Since: 1.0
 */
FitEventHandler *
fit_gradient_accumulation_handler_new (guint n_batches)
{
  g_return_val_if_fail (n_batches >= 1, NULL);
  return g_object_new (FIT_TYPE_GRADIENT_ACCUMULATION_HANDLER, "n-batches", n_batches, NULL);
}
