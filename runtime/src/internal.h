/*===- internal.h - Runtime functions not in the public ABI -----*- C -*-===*
 *
 * Shared between the runtime's sources and its unit tests. The shared
 * library hides these (-fvisibility=hidden); the static one keeps them
 * linkable so the tests can reach them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_RUNTIME_INTERNAL_H
#define DLC_RUNTIME_INTERNAL_H

#include <stddef.h>
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

/* The blocks of generated code (_mlir_memref_to_llvm_alloc) that one entry
 * point call allocated on its thread and has not freed yet. */
typedef struct dlc_internal_tracked {
  void *head;
} dlc_internal_tracked;

/* Starts tracking the calling thread's allocations in `list`; returns the
 * list tracked before (restore it with dlc_internal_track_end). */
dlc_internal_tracked *dlc_internal_track_begin(dlc_internal_tracked *list);
/* Stops tracking into `list` (tracking `previous` again); with `freeBlocks`
 * frees every block still in it, else just forgets them. */
void dlc_internal_track_end(dlc_internal_tracked *list,
                            dlc_internal_tracked *previous, int freeBlocks);

/* Called by the allocator of generated code when it cannot serve `size`
 * bytes (entry.c): unwinds to the running entry point, or aborts with a
 * message where it cannot (another thread, a parallel-for body). */
void dlc_internal_alloc_failed(size_t size);

/* The microkernel dlc_sgemm uses in this process: "avx512", "avx2" or
 * "generic". */
const char *dlc_internal_gemm_isa(void);
/* Makes dlc_sgemm use the named microkernel from now on; returns 0 (and
 * changes nothing) if the name is unknown or this CPU lacks it. */
int dlc_internal_gemm_set_isa(const char *name);

/* A 64-byte aligned buffer of at least `floats` floats owned by the calling
 * thread: the next call on the thread reuses (or grows) it, and it is freed
 * when the thread exits. NULL, after dlc_internal_alloc_failed, when memory
 * runs out. dlc_sgemm packs its operands in it; dlc_dwconv2d its planes. */
float *dlc_internal_thread_scratch(size_t floats);

/* Whether dlc_qconv2d may interleave its panels with VBMI's byte permute
 * where the CPU has it (1, the default) or must use the unpack sequence
 * (0, as on a CPU without VBMI); returns the previous setting. */
int dlc_internal_qconv_use_vbmi(int on);

struct dlc_call_memory; /* runtime.h */

/* The generated code's allocator counters when an entry point call began
 * (memref_alloc.c); entry.c turns them into the call's dlc_call_memory. */
typedef struct dlc_internal_call_memory {
  uint64_t liveAtStart, countAtStart, bytesAtStart;
} dlc_internal_call_memory;

/* Lowers the peak to the live bytes and records the counters. */
void dlc_internal_call_memory_begin(dlc_internal_call_memory *m);
/* The caller's workspace (NAME_run_with_workspace) for the entry point call
 * running on this thread: dlc_arena_acquire hands out its bytes. */
typedef struct dlc_internal_workspace {
  char *base;
  size_t size, used;
  int live; /* arenas handed out and not yet released */
} dlc_internal_workspace;
/* Makes `base` (`size` bytes, 64-byte aligned; NULL for none) the calling
 * thread's workspace and saves the previous one in `saved`. */
void dlc_internal_workspace_begin(void *base, size_t size,
                                  dlc_internal_workspace *saved);
/* Restores the workspace saved by dlc_internal_workspace_begin. */
void dlc_internal_workspace_end(const dlc_internal_workspace *saved);

/* What the call allocated since dlc_internal_call_memory_begin. */
void dlc_internal_call_memory_end(const dlc_internal_call_memory *m,
                                  struct dlc_call_memory *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLC_RUNTIME_INTERNAL_H */
