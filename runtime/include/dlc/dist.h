/*===- dist.h - Data-parallel training over MPI (libdlcrt_mpi) ---*- C -*-===*
 *
 * The optional MPI component of the runtime, built when CMake finds MPI. A
 * library compiled with `dlc --train --data-parallel` links it (and libmpi);
 * the core runtime (runtime.h) knows nothing of MPI.
 *
 * Every rank runs the same compiled train step on its own shard of the
 * batch. NAME_train_init checks that all ranks run the same model (a
 * checksum of the state's names, shapes and the gradient buckets) and
 * broadcasts rank 0's initial state; NAME_train_step all-reduces the
 * gradients (and the loss) in buckets, each started (MPI_Iallreduce) as soon
 * as the backward sweep has computed its gradients and waited for before the
 * optimizer update.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_DIST_H
#define DLC_DIST_H

#include "dlc/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initializes MPI (MPI_Init_thread, funneled) unless it already is, and
 * registers MPI_Finalize at exit when it did. A train step compiled with
 * --data-parallel calls it itself when the process was started by mpirun;
 * otherwise it fails with DLC_STATUS_RUNTIME_ERROR until this is called. */
DLC_RUNTIME_API dlc_status dlc_dist_init(void);
/* 1 when MPI is initialized (by dlc_dist_init or the host) and not
 * finalized. */
DLC_RUNTIME_API int32_t dlc_dist_is_initialized(void);
/* This process's rank and the number of ranks (0 and 1 before init). */
DLC_RUNTIME_API int32_t dlc_dist_rank(void);
DLC_RUNTIME_API int32_t dlc_dist_size(void);
/* A barrier over all ranks (for timing). */
DLC_RUNTIME_API dlc_status dlc_dist_barrier(void);

/* What the data-parallel steps of this process have done since the last
 * reset: collectives started, bytes they reduced or broadcast (per rank),
 * seconds blocked waiting for them, seconds copying into and out of the
 * buckets. */
typedef struct dlc_dist_stats {
  int64_t collectives;
  int64_t bytes;
  double wait_seconds;
  double copy_seconds;
} dlc_dist_stats;
DLC_RUNTIME_API void dlc_dist_get_stats(dlc_dist_stats *stats);
DLC_RUNTIME_API void dlc_dist_reset_stats(void);

/*===------------------------------------------------------------------===*
 * Called by generated code (dl-lower-distributed). Errors go through
 * dlc_entry_fail, so the entry point returns DLC_STATUS_RUNTIME_ERROR.
 * Tensors arrive as the fields of a 1-D f32 memref descriptor.
 *===------------------------------------------------------------------===*/

/* Checks once per process and checksum that every rank runs a model with
 * the same state checksum, tensor count and element count; a mismatch fails
 * on every rank (never a hang). */
void dlc_dist_check(int64_t checksum, int64_t tensors, int64_t elements);
/* Copies a tensor into bucket `bucket` (of `total` elements) at `offset`. */
void dlc_dist_put(int64_t bucket, int64_t total, int64_t offset,
                  float *allocated, float *aligned, int64_t memOffset,
                  int64_t size, int64_t stride);
/* Starts the bucket's collective: kind 0 all-reduce mean, 1 all-reduce
 * sum, 2 broadcast from rank 0. */
void dlc_dist_start(int64_t bucket, int64_t kind);
/* Waits for the bucket's collective. */
void dlc_dist_wait(int64_t bucket);
/* Copies a tensor out of a completed bucket (divided by the size for a
 * mean). */
void dlc_dist_get(int64_t bucket, int64_t offset, float *allocated,
                  float *aligned, int64_t memOffset, int64_t size,
                  int64_t stride);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLC_DIST_H */
