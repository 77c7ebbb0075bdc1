/* fit-backend-private.h: the table of operations each device backend fills
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every kernel the library runs is an entry of FitBackend: memory and copies, and one
 * section per operation family. The CPU backend (backends/cpu/) fills the table today,
 * the CUDA backend (backends/cuda/) fills what it has. A front door in core/ checks its
 * arguments, records the autograd node, allocates the result on the operands' device
 * and calls the entry of that device's table; it never knows which backend runs. An
 * entry a backend leaves NULL is an operation that device does not have: the core then
 * answers with one FIT_ERROR_DEVICE message naming the operation and the device
 * (fit_backend_lookup() in core/fit-dispatch.c), from one place.
 *
 * Why a struct of function pointers and not a private GObject class with virtual
 * methods (libdex's DexAioBackend, GIO's GLocalFileMonitor): those backends have
 * instances with state and a lifetime (an io_uring, a thread, a watch), chosen at run
 * time among several for one job. A fit-glib backend has none of that: one constant
 * table per device type, filled at compile time, consulted on every operation. A struct
 * costs one load and an indirect call, needs no type registration or class
 * initialisation on the first operation of a thread, can be `const` and shared, and a
 * NULL entry says "not on this device" without a stub. Kernels keep their state (a CPU
 * buffer pool, a CUDA stream per device) in their own files.
 *
 * Entries receive tensors whose results the front door has already allocated on the
 * right device with the right shape; they may read the tensors' private fields
 * (core/fit-tensor-private.h), which is why this header only forward-declares them and
 * includes nothing from core/ but the public element and device types: core/ includes
 * this file, backends/ include core's private tensor header, and no file includes
 * itself back through the other.
 */

#pragma once

#include <glib.h>

#include "fit-glib/core/fit-types.h"

G_BEGIN_DECLS

typedef struct _FitTensor FitTensor;
typedef struct _FitBackend FitBackend;
typedef struct _FitOptimUpdate FitOptimUpdate;

struct _FitBackend
{
  /* The device type's name in messages, as in "cuda:0". */
  const char   *name;

  /* ---- devices and memory ---- */

  /* How many devices of this type the machine has (the CPU: 1). */
  guint       (*device_count)    (void);
  /* @n_bytes of device memory, zeroed when asked, or NULL when the device is out of
   * memory (the caller reports it). */
  gpointer    (*alloc)           (guint           device,
                                  gsize           n_bytes,
                                  gboolean        zero);
  void        (*free)            (guint           device,
                                  gpointer        mem,
                                  gsize           n_bytes);
  /* Copies between host memory and this device's memory; NULL for the CPU, whose
   * memory is host memory. */
  gboolean    (*upload)          (guint           device,
                                  gpointer        dst,
                                  gconstpointer   host,
                                  gsize           n_bytes,
                                  GError        **error);
  gboolean    (*download)        (guint           device,
                                  gpointer        host,
                                  gconstpointer   src,
                                  gsize           n_bytes,
                                  GError        **error);

  /* ---- threads (the CPU backend's own pool; NULL elsewhere) ---- */

  void        (*set_num_threads) (guint           n_threads);
  guint       (*get_num_threads) (void);
  /* A description of the math libraries for logs ("OpenBLAS Haswell (OpenMP) x2"). */
  char       *(*describe)        (void);

  /* ---- fill, conversion and random fill ---- */

  /* ---- pointwise and activations, forward and backward ---- */

  /* ---- reductions, softmax and log-softmax ---- */

  /* ---- matrix products ---- */

  /* ---- shapes: copies, joins, slices, indexing, embedding ---- */

  /* ---- convolutions and their gradients ---- */

  /* ---- pooling ---- */

  /* ---- dropout ---- */

  /* ---- normalization ---- */

  /* ---- losses' fused kernels ---- */

  /* ---- recurrent cells ---- */

  /* ---- optimizer updates and clipping ---- */

  /* One step of @update's rule on @param, in place, from @grad and the rule's state
   * buffers in @update (all of @param's element type, size and device). The rules,
   * their buffers and hyper-parameters are FitOptimUpdate's, defined with the core
   * operation that builds it (core/fit-core-private.h), as optim/ computes them.
   * One entry for every rule, so that a backend implements them with one switch. */
  gboolean    (*optim_update)    (const FitOptimUpdate *update,
                                  FitTensor            *param,
                                  FitTensor            *grad,
                                  GError              **error);
  /* The sum of the squares of @t's (float32 or float64) elements, accumulated in
   * double: clipping by norm. */
  gboolean    (*clip_sum_squares) (FitTensor           *t,
                                   double              *sum,
                                   GError             **error);
  /* Clamps every element of @t (float32 or float64) into [−@clip_value, @clip_value]
   * in place, @clip_value rounded to @t's element type first; NaN stays NaN. */
  gboolean    (*clip_value)      (FitTensor            *t,
                                  double                clip_value,
                                  GError              **error);
};

/* The table of @type, or NULL when the library was built without that backend
 * (backends/fit-backend.c). */
const FitBackend *fit_backend_get (FitDeviceType type);

G_END_DECLS
