/*===- allocator.c - Aligned allocation with current/peak tracking -------===*
 *
 * Every block carries a small header just below the pointer handed out; it
 * records the requested size so dlc_free can subtract exactly what
 * dlc_alloc added. The counters are lock-free atomics.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#endif

#include "counters.h"
#include "dlc/runtime.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define DLC_BLOCK_MAGIC UINT64_C(0xd1c0a110c8b10c55)
#define DLC_FREED_MAGIC UINT64_C(0xd1c0f4eed8b10c55)

typedef struct BlockHeader {
  void *base;        /* what posix_memalign returned, for free() */
  size_t size;       /* bytes the caller asked for */
  uint64_t reserved; /* pads the header to 32 bytes, a power of two */
  uint64_t magic;    /* DLC_BLOCK_MAGIC while live; catches foreign pointers */
} BlockHeader;

_Static_assert(sizeof(BlockHeader) == 32, "header must keep 32-byte offsets");

static Counters counters;

void *dlc_alloc(size_t size, size_t alignment) {
  if (alignment == 0)
    alignment = DLC_DEFAULT_ALIGNMENT;
  if ((alignment & (alignment - 1)) != 0) {
    dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                  "dlc_alloc: alignment %zu is not a power of two", alignment);
    return NULL;
  }
  if (size == 0) {
    dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                  "dlc_alloc: zero-byte allocation requested");
    return NULL;
  }
  /* The header sits in the `offset` bytes before the returned pointer; the
   * offset is a multiple of the alignment so the pointer stays aligned. */
  size_t offset =
      alignment >= sizeof(BlockHeader) ? alignment : sizeof(BlockHeader);
  size_t baseAlignment =
      alignment >= sizeof(void *) ? alignment : sizeof(void *);
  /* Requests beyond PTRDIFF_MAX cannot be indexed by C code, and refusing
   * them here keeps huge sizes away from the system allocator. */
  if (size > (size_t)PTRDIFF_MAX - offset) {
    dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                  "dlc_alloc: %zu bytes is more than can be allocated", size);
    return NULL;
  }
  void *base = NULL;
  if (posix_memalign(&base, baseAlignment, offset + size) != 0 || !base) {
    dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                  "dlc_alloc: out of memory allocating %zu bytes", size);
    return NULL;
  }
  char *user = (char *)base + offset;
  BlockHeader *header = (BlockHeader *)(user - sizeof(BlockHeader));
  header->base = base;
  header->size = size;
  header->reserved = 0;
  header->magic = DLC_BLOCK_MAGIC;

  countersAdd(&counters, size);
  return user;
}

void dlc_free(void *ptr) {
  if (!ptr)
    return;
  BlockHeader *header = (BlockHeader *)((char *)ptr - sizeof(BlockHeader));
  if (header->magic != DLC_BLOCK_MAGIC) {
    /* Leaking beats corrupting the heap or the counters. */
    dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                  "dlc_free: %p was not allocated by dlc_alloc or was freed "
                  "twice",
                  ptr);
    return;
  }
  header->magic = DLC_FREED_MAGIC;
  countersSub(&counters, header->size);
  free(header->base);
}

dlc_status dlc_memory_stats(dlc_memory_usage *usage) {
  if (!usage)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_memory_stats: output is NULL");
  countersRead(&counters, usage);
  return DLC_STATUS_OK;
}

void dlc_reset_peak(void) { countersResetPeak(&counters); }
