/*===- memref_alloc.c - the allocator of generated code ------------------===*
 *
 * Generated code allocates its tensors through MLIR's generic allocation
 * functions (finalize-memref-to-llvm{use-generic-functions}), implemented
 * here. Large blocks are kept in size classes when freed and handed out
 * again: a model run or a training step allocates the same large buffers
 * every time, and fresh memory from the kernel costs a page fault per 4 KiB
 * touched (about a third of a small CNN's training step before this cache).
 * At most DLC_CACHE_LIMIT bytes stay cached; beyond that blocks go back to
 * libc. Results handed to callers must be freed with
 * _mlir_memref_to_llvm_free (the entry points and the Python loader do).
 *
 * While an entry point runs (dlc_entry_run, entry.c), the blocks its
 * calling thread allocates are linked into that call's list, so that a
 * failed allocation can free them all and make the entry point return
 * DLC_STATUS_OUT_OF_MEMORY instead of handing NULL to generated code.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#endif

#include "counters.h"
#include "dlc/runtime.h"
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define HEADER 64                    /* bytes below each user pointer */
#define CACHE_MIN ((size_t)64 << 10) /* smaller blocks: plain malloc/free */
#define NUM_CLASSES 256
#define DLC_CACHE_LIMIT ((size_t)1 << 30)
#define MAGIC UINT64_C(0xd1c0cac4eb10c551)
/* Larger requests are refused: no C object can be that large, and size
 * classes above it would overflow. */
#define MAX_REQUEST ((size_t)PTRDIFF_MAX - 4096)

typedef struct Block {
  void *base;         /* what posix_memalign returned */
  size_t capacity;    /* usable bytes; a size class when cached */
  size_t size;        /* bytes requested while in use (the statistics) */
  struct Block *next; /* free list link while cached */
  uint64_t magic;
  /* While tracked: the call's list and the links in it (under `lock`). */
  dlc_internal_tracked *owner;
  struct Block *prevTracked, *nextTracked;
} Block;

_Static_assert(sizeof(Block) <= HEADER, "the header must fit below the data");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Block *freeLists[NUM_CLASSES];
static size_t cachedBytes;

/* The list of the entry point call running on this thread, or NULL. */
static _Thread_local dlc_internal_tracked *tracking;

/* Statistics of the bytes generated code holds (as requested, so the cache
 * and the size classes do not count): what the compiled model needs. */
static Counters counters;

static void countAllocation(Block *b, size_t size) {
  b->size = size;
  countersAdd(&counters, size);
}

static void countRelease(Block *b) {
  countersSub(&counters, b->size);
  b->size = 0;
}

/* Size classes: four per power of two (1, 1.25, 1.5, 1.75 x 2^k), so a
 * block wastes at most a quarter of its size. Sizes up to MAX_REQUEST
 * round to at most 2^63, which neither overflows nor exceeds NUM_CLASSES. */
static unsigned classOf(size_t size, size_t *capacity) {
  unsigned log = 0;
  while (((size_t)1 << (log + 1)) <= size && log < 62)
    ++log;
  size_t base = (size_t)1 << log, quarter = base >> 2;
  unsigned step = (unsigned)((size - base + quarter - 1) / quarter); /* 0..4 */
  *capacity = base + step * quarter;
  return log * 4 + step;
}

static Block *headerOf(void *ptr) { return (Block *)((char *)ptr - HEADER); }

/* Links `b` into the calling thread's tracked list, if any. */
static void track(Block *b) {
  b->owner = tracking;
  b->prevTracked = NULL;
  b->nextTracked = NULL;
  if (!tracking)
    return;
  pthread_mutex_lock(&lock);
  b->nextTracked = (Block *)tracking->head;
  if (b->nextTracked)
    b->nextTracked->prevTracked = b;
  tracking->head = b;
  pthread_mutex_unlock(&lock);
}

/* Unlinks `b` from its list; the caller holds `lock`. */
static void untrackLocked(Block *b) {
  if (b->prevTracked)
    b->prevTracked->nextTracked = b->nextTracked;
  else
    b->owner->head = b->nextTracked;
  if (b->nextTracked)
    b->nextTracked->prevTracked = b->prevTracked;
  b->owner = NULL;
  b->prevTracked = b->nextTracked = NULL;
}

static void *allocate(size_t size, size_t alignment) {
  if (alignment < HEADER)
    alignment = HEADER;
  if (size > MAX_REQUEST || alignment > MAX_REQUEST)
    return NULL;
  size_t capacity = size ? size : 1;
  unsigned cls = NUM_CLASSES;
  if (alignment == HEADER && size >= CACHE_MIN) {
    cls = classOf(size, &capacity);
    pthread_mutex_lock(&lock);
    Block *b = cls < NUM_CLASSES ? freeLists[cls] : NULL;
    if (b) {
      freeLists[cls] = b->next;
      cachedBytes -= b->capacity;
    }
    pthread_mutex_unlock(&lock);
    if (b) {
      b->next = NULL;
      track(b);
      countAllocation(b, size);
      return (char *)b + HEADER;
    }
  }
  /* The data starts `offset` bytes into the block, a multiple of the
   * alignment, with the header just below it. */
  size_t offset = alignment;
  void *base = NULL;
  if (capacity > SIZE_MAX - offset ||
      posix_memalign(&base, alignment, offset + capacity) != 0 || !base)
    return NULL;
  char *user = (char *)base + offset;
  Block *b = headerOf(user);
  b->base = base;
  b->capacity = cls < NUM_CLASSES ? capacity : 0; /* 0: never cached */
  b->next = NULL;
  b->magic = MAGIC;
  track(b);
  countAllocation(b, size);
  return user;
}

/* A NULL for generated code is a crash: report instead (entry.c returns
 * DLC_STATUS_OUT_OF_MEMORY from the entry point, or aborts loudly where it
 * cannot unwind). */
static void *allocateOrReport(size_t size, size_t alignment) {
  void *p = allocate(size, alignment);
  if (!p)
    dlc_internal_alloc_failed(size);
  return p;
}

DLC_RUNTIME_API void *_mlir_memref_to_llvm_alloc(size_t size) {
  return allocateOrReport(size, HEADER);
}

DLC_RUNTIME_API void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                         size_t size) {
  return allocateOrReport(size, alignment);
}

static void release(Block *b) {
  countRelease(b);
  if (b->capacity) {
    size_t capacity;
    unsigned cls = classOf(b->capacity, &capacity);
    pthread_mutex_lock(&lock);
    if (cls < NUM_CLASSES && cachedBytes + b->capacity <= DLC_CACHE_LIMIT) {
      b->next = freeLists[cls];
      freeLists[cls] = b;
      cachedBytes += b->capacity;
      b = NULL;
    }
    pthread_mutex_unlock(&lock);
    if (!b)
      return;
  }
  b->magic = 0;
  free(b->base);
}

DLC_RUNTIME_API void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Block *b = headerOf(ptr);
  if (b->magic != MAGIC)
    return; /* not ours: leaking beats corrupting the heap */
  if (b->owner) {
    pthread_mutex_lock(&lock);
    if (b->owner)
      untrackLocked(b);
    pthread_mutex_unlock(&lock);
  }
  release(b);
}

/* The calling thread's workspace (set around one entry point call). */
static _Thread_local dlc_internal_workspace workspace;

void dlc_internal_workspace_begin(void *base, size_t size,
                                  dlc_internal_workspace *saved) {
  *saved = workspace;
  workspace.base = (char *)base;
  workspace.size = base ? size : 0;
  workspace.used = 0;
  workspace.live = 0;
}

void dlc_internal_workspace_end(const dlc_internal_workspace *saved) {
  workspace = *saved;
}

/* Arenas are carved from the workspace front to back, each 64-byte
 * aligned; when the last one is released the whole workspace is free
 * again. An arena that does not fit comes from the allocator. */
DLC_RUNTIME_API void *dlc_arena_acquire(int64_t bytes) {
  size_t size = bytes > 0 ? (size_t)bytes : 1;
  size_t start = (workspace.used + 63) & ~(size_t)63;
  if (workspace.base && start <= workspace.size &&
      size <= workspace.size - start) {
    workspace.used = start + size;
    ++workspace.live;
    return workspace.base + start;
  }
  return _mlir_memref_to_llvm_aligned_alloc(64, size);
}

DLC_RUNTIME_API void dlc_arena_release(void *ptr) {
  char *p = (char *)ptr;
  if (workspace.base && p >= workspace.base &&
      p < workspace.base + workspace.size) {
    if (--workspace.live == 0)
      workspace.used = 0;
    return;
  }
  _mlir_memref_to_llvm_free(ptr);
}

dlc_internal_tracked *dlc_internal_track_begin(dlc_internal_tracked *list) {
  dlc_internal_tracked *previous = tracking;
  list->head = NULL;
  tracking = list;
  return previous;
}

void dlc_internal_track_end(dlc_internal_tracked *list,
                            dlc_internal_tracked *previous, int freeBlocks) {
  tracking = previous;
  pthread_mutex_lock(&lock);
  Block *b = (Block *)list->head;
  list->head = NULL;
  for (Block *p = b; p; p = p->nextTracked)
    p->owner = NULL;
  pthread_mutex_unlock(&lock);
  while (b) {
    Block *next = b->nextTracked;
    b->prevTracked = b->nextTracked = NULL;
    if (freeBlocks)
      release(b);
    b = next;
  }
}

dlc_status dlc_model_memory_stats(dlc_memory_usage *usage) {
  if (!usage)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_model_memory_stats: output is NULL");
  countersRead(&counters, usage);
  return DLC_STATUS_OK;
}

void dlc_reset_model_peak(void) { countersResetPeak(&counters); }

void dlc_internal_call_memory_begin(dlc_internal_call_memory *m) {
  dlc_reset_model_peak();
  m->liveAtStart = atomic_load(&counters.live);
  m->countAtStart = atomic_load(&counters.count);
  m->bytesAtStart = atomic_load(&counters.allocated);
}

void dlc_internal_call_memory_end(const dlc_internal_call_memory *m,
                                  dlc_call_memory *out) {
  uint64_t peak = atomic_load(&counters.peak),
           live = atomic_load(&counters.live);
  if (peak < live)
    peak = live;
  out->peak_bytes = peak > m->liveAtStart ? peak - m->liveAtStart : 0;
  out->live_bytes = live > m->liveAtStart ? live - m->liveAtStart : 0;
  out->allocated_bytes = atomic_load(&counters.allocated) - m->bytesAtStart;
  out->allocation_count = atomic_load(&counters.count) - m->countAtStart;
}

/* Returns the cached blocks to libc (at exit, so leak checkers see none). */
__attribute__((destructor)) static void releaseCache(void) {
  pthread_mutex_lock(&lock);
  for (unsigned c = 0; c < NUM_CLASSES; ++c)
    while (freeLists[c]) {
      Block *b = freeLists[c];
      freeLists[c] = b->next;
      b->magic = 0;
      free(b->base);
    }
  cachedBytes = 0;
  pthread_mutex_unlock(&lock);
}
