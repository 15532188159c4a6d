/*===- internal.h - Runtime functions not in the public ABI -----*- C -*-===*
 *
 * Shared between the runtime's sources and its unit tests. The shared
 * library hides these (-fvisibility=hidden); the static one keeps them
 * linkable so the tests can reach them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_RUNTIME_INTERNAL_H
#define DLC_RUNTIME_INTERNAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses a thread count as DLC_NUM_THREADS spells it: a decimal integer in
 * [1, DLC_MAX_THREADS], surrounding blanks allowed. Returns `fallback` for
 * NULL, empty, malformed, out-of-range or overflowing text. */
int32_t dlc_internal_parse_num_threads(const char *text, int32_t fallback);

/* The number of CPUs this process may run on (its affinity mask), at least
 * 1 and at most DLC_MAX_THREADS. */
int32_t dlc_internal_num_cores(void);

/* 1 while the calling thread runs a dlc_parallel_for body or is a pool
 * worker, else 0. */
int dlc_internal_in_parallel_region(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLC_RUNTIME_INTERNAL_H */
