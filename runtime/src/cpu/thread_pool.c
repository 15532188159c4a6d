/*===- thread_pool.c - Persistent worker pool and dlc_parallel_for -------===*
 *
 * One process-wide pool of num_threads - 1 workers, created on first use.
 * A parallel-for publishes a job (a range cut into chunks) and takes part in
 * it; threads claim chunks through one atomic word (the caller from the
 * front, the workers from the back), so a slow or late thread only delays
 * the chunks it actually took. Calls from different user threads
 * take turns through dispatchMutex; calls from inside a body run serially.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, pthread_setname_np */
#endif

#include "../internal.h"
#include "dlc/runtime.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Chunks per thread: enough to even out imbalance and late wake-ups, few
 * enough that claiming stays cheap next to the loop body. */
#define DLC_CHUNKS_PER_THREAD 4
/* How long (ns) a thread polls for new work (or for the last workers to
 * finish) before it sleeps. Generated code issues parallel loops back to
 * back, with serial kernels of tens of microseconds between them, and a
 * futex wake-up costs more than the poll: at 53 us (2000 pauses on this
 * project's machine) MobileNetV2 at 2 threads ran 8% slower than at
 * 500 us. Timed, not counted, as a pause takes from 1 to 40 ns by CPU. */
#define DLC_SPIN_NS 500000

static uint64_t monotonicNs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Whether a poll that began at `start` has run its time (checked every 64
 * iterations). */
static inline int spinDone(unsigned spin, uint64_t start) {
  return (spin & 63) == 63 && monotonicNs() - start > DLC_SPIN_NS;
}

static inline void cpuRelax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/*===------------------------------------------------------------------===*
 * Thread count
 *===------------------------------------------------------------------===*/

int32_t dlc_internal_parse_num_threads(const char *text, int32_t fallback) {
  if (!text)
    return fallback;
  while (isspace((unsigned char)*text))
    ++text;
  if (!isdigit((unsigned char)*text) && *text != '+')
    return fallback; /* empty, negative or not a number */
  errno = 0;
  char *end = NULL;
  long value = strtol(text, &end, 10);
  if (end == text || errno == ERANGE)
    return fallback;
  while (isspace((unsigned char)*end))
    ++end;
  if (*end != '\0' || value < 1 || value > DLC_MAX_THREADS)
    return fallback;
  return (int32_t)value;
}

int32_t dlc_internal_num_cores(void) {
  long count = 0;
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    count = CPU_COUNT(&set);
#endif
  if (count < 1)
    count = sysconf(_SC_NPROCESSORS_ONLN);
  if (count < 1)
    count = 1;
  return count > DLC_MAX_THREADS ? DLC_MAX_THREADS : (int32_t)count;
}

static pthread_once_t defaultThreadsOnce = PTHREAD_ONCE_INIT;
static int32_t defaultThreads = 1;  /* written once under defaultThreadsOnce */
static atomic_int requestedThreads; /* from dlc_set_num_threads; 0 = default */

static void initDefaultThreads(void) {
  int32_t cores = dlc_internal_num_cores();
  const char *env = getenv("DLC_NUM_THREADS");
  int32_t parsed = dlc_internal_parse_num_threads(env, 0);
  if (parsed == 0 && env && *env)
    fprintf(stderr,
            "dlc: ignoring DLC_NUM_THREADS='%s' (expected an integer from 1 "
            "to %d); using %d threads\n",
            env, DLC_MAX_THREADS, (int)cores);
  defaultThreads = parsed ? parsed : cores;
}

int32_t dlc_get_num_threads(void) {
  int32_t requested = atomic_load(&requestedThreads);
  if (requested > 0)
    return requested;
  pthread_once(&defaultThreadsOnce, initDefaultThreads);
  return defaultThreads;
}

/*===------------------------------------------------------------------===*
 * Jobs and the pool
 *===------------------------------------------------------------------===*/

/* [begin, begin + n) cut into numChunks pieces of chunkSize or chunkSize + 1
 * iterations (the first `remainder` are the longer ones). Unsigned arithmetic
 * so ranges near the ends of int64_t cannot overflow. */
typedef struct Job {
  dlc_parallel_fn fn;
  void *ctx;
  uint64_t begin;
  uint64_t chunkSize;
  uint64_t remainder;
  /* The chunks not yet claimed, [front, back): front in the low 32 bits,
   * back in the high ones. */
  _Atomic uint64_t unclaimed;
} Job;

typedef struct Pool {
  int32_t requestedWorkers; /* what the thread count asked for */
  int32_t numWorkers;       /* how many started */
  pthread_t *threads;
  pthread_mutex_t mutex;
  pthread_cond_t wakeWorkers;        /* a job was published, or stop was set */
  pthread_cond_t jobDone;            /* activeWorkers dropped to zero */
  Job *job;                          /* guarded by mutex; NULL between jobs */
  uint64_t jobSeq;                   /* guarded by mutex */
  atomic_uint_fast64_t publishedSeq; /* jobSeq, for polling without mutex */
  atomic_int activeWorkers;          /* workers holding a pointer to the job */
  int stop;                          /* guarded by mutex */
} Pool;

/* Serializes dispatching callers, pool creation and teardown. */
static pthread_mutex_t dispatchMutex = PTHREAD_MUTEX_INITIALIZER;
static Pool *pool; /* guarded by dispatchMutex */

/* Set on pool workers for their lifetime and on a caller while it runs a
 * body; a parallel-for seen with it set runs serially. */
static _Thread_local int inParallelRegion;

int dlc_internal_in_parallel_region(void) { return inParallelRegion; }

/* Claims the next unclaimed chunk from the front (the calling thread) or the
 * back (the workers): the caller's chunks are a prefix of the range and the
 * worker's (at 2 threads) a suffix, however their number balances out. So
 * consecutive parallel loops keep their data on one core where their splits
 * agree: the rows of C a GEMM's calling thread wrote are the channels it
 * takes in the depthwise conv after it. Taking turns (0, 2, 4 ... and 1, 3,
 * 5 ...), each thread read half its planes from the other core's cache:
 * MobileNetV2's 14 x 14 depthwise convs ran slower at 2 threads than at 1
 * where the host put the two vCPUs far apart. Returns 0 when none is
 * left. */
static int claimChunk(Job *job, int fromFront, uint64_t *index) {
  uint64_t cur = atomic_load_explicit(&job->unclaimed, memory_order_relaxed);
  for (;;) {
    uint64_t front = cur & 0xFFFFFFFFu, back = cur >> 32;
    if (front >= back)
      return 0;
    uint64_t next = fromFront ? cur + 1 : cur - ((uint64_t)1 << 32);
    if (atomic_compare_exchange_weak_explicit(&job->unclaimed, &cur, next,
                                              memory_order_relaxed,
                                              memory_order_relaxed)) {
      *index = fromFront ? front : back - 1;
      return 1;
    }
  }
}

static void runChunks(Job *job, int fromFront) {
  uint64_t i;
  while (claimChunk(job, fromFront, &i)) {
    uint64_t extra = i < job->remainder ? i : job->remainder;
    uint64_t lo = job->begin + i * job->chunkSize + extra;
    uint64_t size = job->chunkSize + (i < job->remainder ? 1 : 0);
    job->fn(job->ctx, (int64_t)lo, (int64_t)(lo + size));
  }
}

static void *workerMain(void *arg) {
  Pool *self = (Pool *)arg;
  inParallelRegion = 1;
  uint64_t seen = 0;
  for (;;) {
    uint64_t start = monotonicNs();
    for (unsigned spin = 0; !spinDone(spin, start) &&
                            atomic_load_explicit(&self->publishedSeq,
                                                 memory_order_acquire) == seen;
         ++spin)
      cpuRelax();

    pthread_mutex_lock(&self->mutex);
    while (!self->stop && (!self->job || self->jobSeq == seen))
      pthread_cond_wait(&self->wakeWorkers, &self->mutex);
    if (self->stop) {
      pthread_mutex_unlock(&self->mutex);
      return NULL;
    }
    seen = self->jobSeq;
    Job *job = self->job;
    atomic_fetch_add(&self->activeWorkers, 1);
    pthread_mutex_unlock(&self->mutex);

    runChunks(job, 0);

    if (atomic_fetch_sub(&self->activeWorkers, 1) == 1) {
      pthread_mutex_lock(&self->mutex);
      pthread_cond_signal(&self->jobDone);
      pthread_mutex_unlock(&self->mutex);
    }
  }
}

static void destroyPool(Pool *p) {
  pthread_mutex_lock(&p->mutex);
  p->stop = 1;
  pthread_cond_broadcast(&p->wakeWorkers);
  pthread_mutex_unlock(&p->mutex);
  for (int32_t i = 0; i < p->numWorkers; ++i)
    pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->jobDone);
  pthread_cond_destroy(&p->wakeWorkers);
  pthread_mutex_destroy(&p->mutex);
  free(p->threads);
  free(p);
}

/* Starts up to `numWorkers` workers; NULL if not even the bookkeeping can be
 * allocated. Fewer workers than asked (pthread_create failing) still make a
 * working pool. */
static Pool *createPool(int32_t numWorkers) {
  Pool *p = (Pool *)calloc(1, sizeof(Pool));
  if (!p)
    return NULL;
  p->threads = (pthread_t *)calloc((size_t)numWorkers, sizeof(pthread_t));
  if (!p->threads) {
    free(p);
    return NULL;
  }
  p->requestedWorkers = numWorkers;
  pthread_mutex_init(&p->mutex, NULL);
  pthread_cond_init(&p->wakeWorkers, NULL);
  pthread_cond_init(&p->jobDone, NULL);
  atomic_init(&p->publishedSeq, 0);
  atomic_init(&p->activeWorkers, 0);

  /* Workers block every signal so that process signals reach user threads. */
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  for (int32_t i = 0; i < numWorkers; ++i) {
    if (pthread_create(&p->threads[i], NULL, workerMain, p) != 0)
      break;
#ifdef __linux__
    char name[16];
    snprintf(name, sizeof(name), "dlc-worker-%d", (int)(i % DLC_MAX_THREADS));
    pthread_setname_np(p->threads[i], name);
#endif
    p->numWorkers = i + 1;
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  return p;
}

/* A forked child has none of the parent's workers: it forgets the pool (its
 * memory leaks, once) and builds a new one on demand. The prepare handler
 * takes dispatchMutex so no job is half-published at the fork. */
static _Thread_local int lockedForFork;
static void prepareFork(void) {
  if (inParallelRegion)
    return;
  pthread_mutex_lock(&dispatchMutex);
  lockedForFork = 1;
}
static void parentAfterFork(void) {
  if (lockedForFork) {
    lockedForFork = 0;
    pthread_mutex_unlock(&dispatchMutex);
  }
}
static void childAfterFork(void) {
  pool = NULL;
  parentAfterFork();
}
static pthread_once_t atforkOnce = PTHREAD_ONCE_INIT;
static void registerAtfork(void) {
  pthread_atfork(prepareFork, parentAfterFork, childAfterFork);
}

/* Stops the workers when the program exits or the shared library holding
 * this runtime is unloaded: their code must not be unmapped under them. */
__attribute__((destructor)) static void shutdownPool(void) {
  if (inParallelRegion || pthread_mutex_trylock(&dispatchMutex) != 0)
    return; /* a job is running; joining could deadlock */
  if (pool) {
    destroyPool(pool);
    pool = NULL;
  }
  pthread_mutex_unlock(&dispatchMutex);
}

/*===------------------------------------------------------------------===*
 * Public entry points
 *===------------------------------------------------------------------===*/

dlc_status dlc_set_num_threads(int32_t num_threads) {
  if (num_threads < 0 || num_threads > DLC_MAX_THREADS)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_set_num_threads: %d is outside [0, %d]",
                         (int)num_threads, DLC_MAX_THREADS);
  if (inParallelRegion)
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                         "dlc_set_num_threads: called inside a "
                         "dlc_parallel_for body");
  pthread_mutex_lock(&dispatchMutex);
  atomic_store(&requestedThreads, num_threads);
  int32_t wanted = dlc_get_num_threads() - 1;
  if (pool && pool->requestedWorkers != wanted) {
    destroyPool(pool);
    pool = NULL;
  }
  pthread_mutex_unlock(&dispatchMutex);
  return DLC_STATUS_OK;
}

static void runSerially(int64_t begin, int64_t end, dlc_parallel_fn fn,
                        void *ctx) {
  int outer = inParallelRegion;
  inParallelRegion = 1;
  fn(ctx, begin, end);
  inParallelRegion = outer;
}

dlc_status dlc_parallel_for(int64_t begin, int64_t end, int64_t grain,
                            dlc_parallel_fn fn, void *ctx) {
  if (!fn)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_parallel_for: fn is NULL");
  if (begin >= end)
    return DLC_STATUS_OK;
  uint64_t n = (uint64_t)end - (uint64_t)begin;
  uint64_t minChunk = grain < 1 ? 1 : (uint64_t)grain;
  int32_t numThreads = dlc_get_num_threads();
  if (inParallelRegion || numThreads == 1 || n / minChunk < 2) {
    runSerially(begin, end, fn, ctx);
    return DLC_STATUS_OK;
  }

  pthread_once(&atforkOnce, registerAtfork);
  pthread_mutex_lock(&dispatchMutex);
  /* The count may have changed since it was read; the pool follows it. */
  numThreads = dlc_get_num_threads();
  if (pool && pool->requestedWorkers != numThreads - 1) {
    destroyPool(pool);
    pool = NULL;
  }
  if (!pool && numThreads > 1)
    pool = createPool(numThreads - 1);
  if (!pool || pool->numWorkers == 0) {
    pthread_mutex_unlock(&dispatchMutex);
    runSerially(begin, end, fn, ctx);
    return DLC_STATUS_OK;
  }

  uint64_t maxChunks = (uint64_t)(pool->numWorkers + 1) * DLC_CHUNKS_PER_THREAD;
  uint64_t numChunks = n / minChunk < maxChunks ? n / minChunk : maxChunks;
  Job job;
  job.fn = fn;
  job.ctx = ctx;
  job.begin = (uint64_t)begin;
  job.chunkSize = n / numChunks;
  job.remainder = n % numChunks;
  atomic_init(&job.unclaimed, numChunks << 32);

  Pool *p = pool;
  pthread_mutex_lock(&p->mutex);
  p->job = &job;
  p->jobSeq += 1;
  atomic_store_explicit(&p->publishedSeq, p->jobSeq, memory_order_release);
  pthread_cond_broadcast(&p->wakeWorkers);
  pthread_mutex_unlock(&p->mutex);

  inParallelRegion = 1;
  runChunks(&job, 1);
  inParallelRegion = 0;

  /* Every chunk is claimed. Unpublish the job so no late worker picks it up,
   * then wait for the workers still running the chunks they took. */
  pthread_mutex_lock(&p->mutex);
  p->job = NULL;
  pthread_mutex_unlock(&p->mutex);
  uint64_t start = monotonicNs();
  for (unsigned spin = 0;
       !spinDone(spin, start) && atomic_load(&p->activeWorkers) > 0; ++spin)
    cpuRelax();
  pthread_mutex_lock(&p->mutex);
  while (atomic_load(&p->activeWorkers) > 0)
    pthread_cond_wait(&p->jobDone, &p->mutex);
  pthread_mutex_unlock(&p->mutex);

  pthread_mutex_unlock(&dispatchMutex);
  return DLC_STATUS_OK;
}
