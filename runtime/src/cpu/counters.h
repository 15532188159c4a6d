/*===- counters.h - live and peak byte counters of an allocator --*- C -*-===*
 *
 * The counters dlc_alloc (allocator.c) and the allocator of generated code
 * (memref_alloc.c) keep: lock-free atomics, the peak raised with a CAS
 * loop. C only (stdatomic), included by those two files.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_RUNTIME_CPU_COUNTERS_H
#define DLC_RUNTIME_CPU_COUNTERS_H

#include "dlc/runtime.h"

#include <stdatomic.h>
#include <stdint.h>

typedef struct Counters {
  atomic_uint_fast64_t live, peak, count, allocated, liveAllocations;
} Counters;

/* Raises the peak to at least `bytes`. */
static inline void countersRaisePeak(Counters *c, uint_fast64_t bytes) {
  uint_fast64_t peak = atomic_load(&c->peak);
  while (peak < bytes &&
         !atomic_compare_exchange_weak(&c->peak, &peak, bytes)) {
  }
}

static inline void countersAdd(Counters *c, size_t size) {
  countersRaisePeak(c, atomic_fetch_add(&c->live, size) + size);
  atomic_fetch_add(&c->allocated, size);
  atomic_fetch_add(&c->count, 1);
  atomic_fetch_add(&c->liveAllocations, 1);
}

static inline void countersSub(Counters *c, size_t size) {
  atomic_fetch_sub(&c->live, size);
  atomic_fetch_sub(&c->liveAllocations, 1);
}

static inline void countersRead(Counters *c, dlc_memory_usage *usage) {
  usage->current_bytes = atomic_load(&c->live);
  usage->peak_bytes = atomic_load(&c->peak);
  usage->allocation_count = atomic_load(&c->count);
  usage->live_allocations = atomic_load(&c->liveAllocations);
  /* A concurrent allocation may have raised the live count but not yet the
   * peak; never report a peak below the live count. */
  if (usage->peak_bytes < usage->current_bytes)
    usage->peak_bytes = usage->current_bytes;
}

/* Lowers the peak to the live bytes. An allocation that raised the live
 * count before the store but whose own raise ran earlier still counts. */
static inline void countersResetPeak(Counters *c) {
  atomic_store(&c->peak, atomic_load(&c->live));
  countersRaisePeak(c, atomic_load(&c->live));
}

#endif /* DLC_RUNTIME_CPU_COUNTERS_H */
