/* The five OpenMP runtime entry points that MLIR's OpenMP lowering calls for
 * the parallel loops dlc generates, implemented on dlc's thread pool: a
 * parallel region is one dlc_parallel_for over the team's thread ids, and a
 * worksharing loop takes a static, even share of the iterations.
 *
 * dlc only generates regions that hold one worksharing loop, whose implicit
 * barrier sits at the region's end; the region joins there anyway, so
 * __kmpc_barrier has nothing left to wait for. A region entered from inside
 * another runs serially as a team of one, as dlc_parallel_for does. */
#include "internal.h"

#include <dlc/runtime.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#define KMP_API __attribute__((visibility("default")))
#define MAX_ARGS 32

typedef void (*microtask_t)(int32_t *gtid, int32_t *btid, ...);

/* The calling thread's id in the current team and the team's size. */
static _Thread_local int32_t teamId;
static _Thread_local int32_t teamSize = 1;

typedef struct Region {
  microtask_t task;
  int32_t argc;
  void *args[MAX_ARGS];
  int32_t size;
} Region;

static void callTask(const Region *r, int32_t id) {
  int32_t gtid = id, btid = id;
  void *const *a = r->args;
  switch (r->argc) {
#define A(n) a[n]
  case 0:
    r->task(&gtid, &btid);
    break;
  case 1:
    r->task(&gtid, &btid, A(0));
    break;
  case 2:
    r->task(&gtid, &btid, A(0), A(1));
    break;
  case 3:
    r->task(&gtid, &btid, A(0), A(1), A(2));
    break;
  case 4:
    r->task(&gtid, &btid, A(0), A(1), A(2), A(3));
    break;
  case 5:
    r->task(&gtid, &btid, A(0), A(1), A(2), A(3), A(4));
    break;
  case 6:
    r->task(&gtid, &btid, A(0), A(1), A(2), A(3), A(4), A(5));
    break;
  case 7:
    r->task(&gtid, &btid, A(0), A(1), A(2), A(3), A(4), A(5), A(6));
    break;
  case 8:
    r->task(&gtid, &btid, A(0), A(1), A(2), A(3), A(4), A(5), A(6), A(7));
    break;
  default:
    r->task(&gtid, &btid, A(0), A(1), A(2), A(3), A(4), A(5), A(6), A(7), A(8),
            A(9), A(10), A(11), A(12), A(13), A(14), A(15), A(16), A(17), A(18),
            A(19), A(20), A(21), A(22), A(23), A(24), A(25), A(26), A(27),
            A(28), A(29), A(30), A(31));
    break;
#undef A
  }
}

static void runMember(void *ctx, int64_t lo, int64_t hi) {
  const Region *r = (const Region *)ctx;
  for (int64_t id = lo; id < hi; ++id) {
    int32_t savedId = teamId, savedSize = teamSize;
    teamId = (int32_t)id;
    teamSize = r->size;
    callTask(r, (int32_t)id);
    teamId = savedId;
    teamSize = savedSize;
  }
}

KMP_API int32_t __kmpc_global_thread_num(void *loc);
KMP_API void __kmpc_fork_call(void *loc, int32_t argc, microtask_t task, ...);
KMP_API void __kmpc_for_static_init_8u(void *loc, int32_t gtid,
                                       int32_t schedule, int32_t *last,
                                       uint64_t *lower, uint64_t *upper,
                                       int64_t *stride, int64_t incr,
                                       int64_t chunk);
KMP_API void __kmpc_for_static_fini(void *loc, int32_t gtid);
KMP_API void __kmpc_barrier(void *loc, int32_t gtid);

int32_t __kmpc_global_thread_num(void *loc) {
  (void)loc;
  return teamId;
}

void __kmpc_fork_call(void *loc, int32_t argc, microtask_t task, ...) {
  (void)loc;
  if (argc < 0 || argc > MAX_ARGS) {
    /* dlc refuses to compile such a region (EntryABI.cpp); code from
     * elsewhere gets an error from its entry point, or an abort, never a
     * region run with missing arguments. */
    char message[128];
    snprintf(message, sizeof message,
             "a parallel region captures %d values; the runtime passes at "
             "most %d",
             (int)argc, MAX_ARGS);
    dlc_entry_fail(message);
    return;
  }
  Region r;
  r.task = task;
  r.argc = argc;
  va_list ap;
  va_start(ap, task);
  for (int32_t i = 0; i < r.argc; ++i)
    r.args[i] = va_arg(ap, void *);
  va_end(ap);
  for (int32_t i = r.argc; i < MAX_ARGS; ++i)
    r.args[i] = 0;
  r.size = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  if (r.size <= 1) {
    r.size = 1;
    runMember(&r, 0, 1);
    return;
  }
  dlc_parallel_for(0, r.size, 1, runMember, &r);
}

/* Static schedule: iterations [lower, upper] (inclusive, step incr) split
 * into teamSize contiguous shares, the first ones one longer. */
void __kmpc_for_static_init_8u(void *loc, int32_t gtid, int32_t schedule,
                               int32_t *last, uint64_t *lower, uint64_t *upper,
                               int64_t *stride, int64_t incr, int64_t chunk) {
  (void)loc;
  (void)schedule;
  (void)chunk;
  uint64_t step = incr > 0 ? (uint64_t)incr : 1;
  uint64_t trips = *upper >= *lower ? (*upper - *lower) / step + 1 : 0;
  uint64_t n = (uint64_t)(teamSize > 0 ? teamSize : 1);
  uint64_t id = (uint64_t)(gtid >= 0 ? gtid : 0);
  uint64_t base = trips / n, extra = trips % n;
  uint64_t begin = id * base + (id < extra ? id : extra);
  uint64_t count = base + (id < extra ? 1 : 0);
  if (count == 0) {
    /* No iterations: an empty range (lower > upper). */
    *lower = 1;
    *upper = 0;
    if (last)
      *last = 0;
  } else {
    uint64_t first = *lower + begin * step;
    *lower = first;
    *upper = first + (count - 1) * step;
    if (last)
      *last = begin + count == trips;
  }
  if (stride)
    *stride = (int64_t)(trips * step);
}

void __kmpc_for_static_fini(void *loc, int32_t gtid) {
  (void)loc;
  (void)gtid;
}

void __kmpc_barrier(void *loc, int32_t gtid) {
  (void)loc;
  (void)gtid;
}
