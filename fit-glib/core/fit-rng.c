/* fit-rng.c: a seeded, savable random number generator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * xoshiro256** (Blackman and Vigna), seeded through splitmix64. It is fast, passes
 * BigCrush, and its whole state is 32 bytes, so checkpoints can hold it exactly.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "fit-error.h"
#include "fit-rng.h"

/**
 * FitRng:
 *
 * A random number generator with a seed and a state that can be saved and restored,
 * so that initialisation, shuffling, dropout and augmentation repeat exactly.
 *
 * Every random operation in fit-glib takes a `FitRng`; nothing reads a hidden global
 * generator. [method@Fit.Rng.save_state] and [method@Fit.Rng.restore_state] let a
 * checkpoint continue the same random sequence after a restart.
 *
 * Since: 1.0
 */
struct _FitRng
{
  GObject  parent_instance;
  guint64  seed;
  guint64  s[4];
  double   spare;        /* the second normal deviate of the last Box-Muller pair */
  gboolean has_spare;
};

enum { PROP_0, PROP_SEED, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FitRng, fit_rng, G_TYPE_OBJECT)

#define STATE_MAGIC G_GUINT64_CONSTANT (0x46495452004e4701) /* "FITR" + version 1 */

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static void
fit_rng_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  FitRng *self = FIT_RNG (object);

  switch (prop_id)
    {
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_rng_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  FitRng *self = FIT_RNG (object);

  switch (prop_id)
    {
    case PROP_SEED:
      fit_rng_set_seed (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fit_rng_class_init (FitRngClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fit_rng_get_property;
  object_class->set_property = fit_rng_set_property;

  /**
   * FitRng:seed:
   *
   * The seed the generator was last reset to. Setting it restarts the sequence.
   *
   * Since: 1.0
   */
  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fit_rng_init (FitRng *self)
{
}

/**
 * fit_rng_new:
 * @seed: the seed; the same seed gives the same sequence on every machine
 *
 * Creates a generator.
 *
 * Returns: (transfer full): a new generator
 *
 * Since: 1.0
 */
FitRng *
fit_rng_new (guint64 seed)
{
  return g_object_new (FIT_TYPE_RNG, "seed", seed, NULL);
}

/**
 * fit_rng_get_seed:
 * @self: a generator
 *
 * Gets the seed of the generator.
 *
 * Returns: the seed the generator was last reset to
 *
 * Since: 1.0
 */
guint64
fit_rng_get_seed (FitRng *self)
{
  g_return_val_if_fail (FIT_IS_RNG (self), 0);
  return self->seed;
}

/**
 * fit_rng_set_seed:
 * @self: a generator
 * @seed: the new seed
 *
 * Restarts the generator's sequence from @seed.
 *
 * Since: 1.0
 */
void
fit_rng_set_seed (FitRng  *self,
                  guint64  seed)
{
  guint64 x = seed;
  gboolean changed;

  g_return_if_fail (FIT_IS_RNG (self));

  changed = self->seed != seed;
  self->seed = seed;
  for (guint i = 0; i < 4; i++)
    self->s[i] = splitmix64 (&x);
  self->has_spare = FALSE;
  self->spare = 0;
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
}

/**
 * fit_rng_next_uint64:
 * @self: a generator
 *
 * Draws 64 random bits and advances the generator.
 *
 * Returns: the next 64 random bits
 *
 * Since: 1.0
 */
guint64
fit_rng_next_uint64 (FitRng *self)
{
  guint64 *s = self->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/**
 * fit_rng_next_below:
 * @self: a generator
 * @bound: the exclusive upper bound, at least 1
 *
 * Draws an integer uniformly from [0, @bound), without modulo bias.
 *
 * Returns: the integer, or 0 when @bound is 0
 *
 * Since: 1.0
 */
guint64
fit_rng_next_below (FitRng  *self,
                    guint64  bound)
{
  guint64 threshold, r;

  g_return_val_if_fail (FIT_IS_RNG (self), 0);
  if (bound <= 1)
    return 0;

  /* Rejection sampling on the low end keeps every value equally likely. */
  threshold = (-bound) % bound;
  do
    r = fit_rng_next_uint64 (self);
  while (r < threshold);
  return r % bound;
}

/**
 * fit_rng_next_double:
 * @self: a generator
 *
 * Draws a uniformly distributed double.
 *
 * Returns: a double drawn uniformly from [0, 1), with 53 random bits
 *
 * Since: 1.0
 */
double
fit_rng_next_double (FitRng *self)
{
  return (fit_rng_next_uint64 (self) >> 11) * 0x1.0p-53;
}

/**
 * fit_rng_next_normal:
 * @self: a generator
 *
 * Draws from the standard normal distribution (Box-Muller; the second deviate of each pair is kept for the next call and saved with the state).
 *
 * Returns: a double drawn from the standard normal distribution
 *
 * Since: 1.0
 */
double
fit_rng_next_normal (FitRng *self)
{
  double u1, u2, r;

  if (self->has_spare)
    {
      self->has_spare = FALSE;
      return self->spare;
    }

  /* Box-Muller: u1 in (0, 1] so that log() stays finite. */
  u1 = 1.0 - fit_rng_next_double (self);
  u2 = fit_rng_next_double (self);
  r = sqrt (-2.0 * log (u1));
  self->spare = r * sin (2.0 * G_PI * u2);
  self->has_spare = TRUE;
  return r * cos (2.0 * G_PI * u2);
}

/**
 * fit_rng_shuffle_indices:
 * @self: a generator
 * @indices: (array length=n_indices): the values to permute in place
 * @n_indices: the number of values
 *
 * Permutes @indices uniformly at random (Fisher-Yates). Bindings that pass a copy of
 * the array (Python, JavaScript) do not see the permutation: use
 * [ctor@Fit.Tensor.new_permutation] there.
 *
 * Since: 1.0
 */
void
fit_rng_shuffle_indices (FitRng  *self,
                         gint64  *indices,
                         gsize    n_indices)
{
  g_return_if_fail (FIT_IS_RNG (self));
  g_return_if_fail (indices != NULL || n_indices == 0);

  for (gsize i = n_indices; i > 1; i--)
    {
      gsize j = fit_rng_next_below (self, i);
      gint64 tmp = indices[i - 1];

      indices[i - 1] = indices[j];
      indices[j] = tmp;
    }
}

/**
 * fit_rng_fork:
 * @self: a generator
 *
 * Creates an independent generator seeded from @self's next output, for example one
 * per data-loader worker, and advances @self.
 *
 * Returns: (transfer full): a new generator
 *
 * Since: 1.0
 */
FitRng *
fit_rng_fork (FitRng *self)
{
  g_return_val_if_fail (FIT_IS_RNG (self), NULL);
  return fit_rng_new (fit_rng_next_uint64 (self));
}

/**
 * fit_rng_save_state:
 * @self: a generator
 *
 * Saves the generator's whole state (seed, position and any cached normal deviate) as
 * 56 little-endian bytes.
 *
 * Returns: (transfer full): the state, for [method@Fit.Rng.restore_state]
 *
 * Since: 1.0
 */
GBytes *
fit_rng_save_state (FitRng *self)
{
  guint64 words[7];
  guint64 spare_bits;

  g_return_val_if_fail (FIT_IS_RNG (self), NULL);

  memcpy (&spare_bits, &self->spare, sizeof spare_bits);
  words[0] = GUINT64_TO_LE (STATE_MAGIC);
  words[1] = GUINT64_TO_LE (self->seed);
  for (guint i = 0; i < 4; i++)
    words[2 + i] = GUINT64_TO_LE (self->s[i]);
  words[6] = GUINT64_TO_LE (self->has_spare ? spare_bits : G_MAXUINT64);
  return g_bytes_new (words, sizeof words);
}

/**
 * fit_rng_restore_state:
 * @self: a generator
 * @state: bytes from [method@Fit.Rng.save_state]
 * @error: return location for a #GError
 *
 * Puts the generator back where it was when @state was saved.
 *
 * Returns: %TRUE on success; %FALSE with %FIT_ERROR_PARSE when @state is not a saved
 *   generator state (the generator is then unchanged)
 *
 * Since: 1.0
 */
gboolean
fit_rng_restore_state (FitRng   *self,
                       GBytes   *state,
                       GError  **error)
{
  const guint64 *words;
  guint64 copy[7];
  double spare;
  gsize size = 0;

  g_return_val_if_fail (FIT_IS_RNG (self), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  words = g_bytes_get_data (state, &size);
  if (size == sizeof copy)
    memcpy (copy, words, sizeof copy);
  if (size != sizeof copy || GUINT64_FROM_LE (copy[0]) != STATE_MAGIC)
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("Not a saved random generator state (%zu bytes; "
                     "expected %zu from fit_rng_save_state())"),
                   size, sizeof copy);
      return FALSE;
    }

  for (guint i = 1; i < 7; i++)
    copy[i] = GUINT64_FROM_LE (copy[i]);
  memcpy (&spare, &copy[6], sizeof spare);
  /* xoshiro256** never leaves the all-zero state (it would stay there, giving only
   * zeros), and a Box-Muller deviate is finite: neither is a state it was saved in. */
  if ((copy[2] | copy[3] | copy[4] | copy[5]) == 0 ||
      (copy[6] != G_MAXUINT64 && !isfinite (spare)))
    {
      g_set_error (error, FIT_ERROR, FIT_ERROR_PARSE,
                   _("Not a saved random generator state: %s"),
                   (copy[2] | copy[3] | copy[4] | copy[5]) == 0
                     ? _("the generator state is all zeros")
                     : _("the saved normal deviate is not finite"));
      return FALSE;
    }

  self->seed = copy[1];
  for (guint i = 0; i < 4; i++)
    self->s[i] = copy[2 + i];
  self->has_spare = copy[6] != G_MAXUINT64;
  if (self->has_spare)
    self->spare = spare;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
  return TRUE;
}
