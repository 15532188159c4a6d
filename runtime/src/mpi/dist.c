/*===- dist.c - Gradient buckets all-reduced over MPI ---------------------===*
 *
 * The generated train step copies each bucket's gradients into one
 * contiguous buffer (as PyTorch DDP's buckets are) and starts a
 * non-blocking collective on it at once, so communication can overlap the
 * rest of the backward sweep; before the optimizer update it waits and
 * copies the averaged values out. OpenMPI progresses non-blocking
 * collectives only inside MPI calls, so each start also tests the buckets
 * still in flight.
 *
 * Every failure is reported through dlc_entry_fail: the entry point returns
 * DLC_STATUS_RUNTIME_ERROR with the message, on every rank where it applies.
 *
 *===----------------------------------------------------------------------===*/

#include "dlc/dist.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Bucket {
  float *data;
  int64_t size;
  int64_t kind;
  int active;
  MPI_Request request;
} Bucket;

static Bucket *buckets;
static int64_t numBuckets;
static MPI_Comm comm = MPI_COMM_NULL;
static int64_t verifiedChecksum;
static int verified;
static dlc_dist_stats stats;

static int mpiUp(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

static void finalizeAtExit(void) {
  if (mpiUp())
    MPI_Finalize();
}

/* Our own communicator, returning errors instead of aborting. */
static int ensureComm(void) {
  if (comm != MPI_COMM_NULL)
    return 1;
  if (MPI_Comm_dup(MPI_COMM_WORLD, &comm) != MPI_SUCCESS)
    return 0;
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  return 1;
}

dlc_status dlc_dist_init(void) {
  if (!mpiUp()) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (fin)
      return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                           "dlc_dist_init: MPI was already finalized");
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
      return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                           "dlc_dist_init: MPI_Init_thread failed");
    atexit(finalizeAtExit);
  }
  if (!ensureComm())
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                         "dlc_dist_init: MPI_Comm_dup failed");
  return DLC_STATUS_OK;
}

int32_t dlc_dist_is_initialized(void) { return mpiUp(); }

int32_t dlc_dist_rank(void) {
  int r = 0;
  if (mpiUp())
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int32_t dlc_dist_size(void) {
  int s = 1;
  if (mpiUp())
    MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

dlc_status dlc_dist_barrier(void) {
  if (!mpiUp() || !ensureComm())
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                         "dlc_dist_barrier: MPI is not initialized");
  if (MPI_Barrier(comm) != MPI_SUCCESS)
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                         "dlc_dist_barrier: MPI_Barrier failed");
  return DLC_STATUS_OK;
}

void dlc_dist_get_stats(dlc_dist_stats *out) {
  if (out)
    *out = stats;
}

void dlc_dist_reset_stats(void) { memset(&stats, 0, sizeof stats); }

static void failMpi(const char *what, int code) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int length = 0;
  MPI_Error_string(code, text, &length);
  char message[512];
  snprintf(message, sizeof message,
           "data-parallel step: %s failed on rank %d: %s", what,
           (int)dlc_dist_rank(), text);
  dlc_entry_fail(message);
}

/* Generated code calls this first: MPI must be up (mpirun starts the
 * process: initialize it here; otherwise the host must have). */
static void ensureReady(void) {
  if (!mpiUp()) {
    int launched = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") ||
                   getenv("PMI_RANK");
    if (!launched)
      dlc_entry_fail(
          "this model was compiled with --data-parallel, but MPI is not "
          "initialized: run it under mpirun (e.g. mpirun -np 2 ...) or call "
          "dlc_dist_init() first");
    if (dlc_dist_init() != DLC_STATUS_OK)
      dlc_entry_fail(dlc_last_error());
  }
  if (!ensureComm())
    dlc_entry_fail("data-parallel step: MPI_Comm_dup failed");
}

void dlc_dist_check(int64_t checksum, int64_t tensors, int64_t elements) {
  ensureReady();
  if (verified && verifiedChecksum == checksum)
    return;
  int size = dlc_dist_size(), rank = dlc_dist_rank();
  int64_t mine[3] = {checksum, tensors, elements};
  int64_t *all = malloc(sizeof(int64_t) * 3 * (size_t)size);
  if (!all)
    dlc_entry_fail("data-parallel check: out of memory");
  int rc = MPI_Allgather(mine, 3, MPI_INT64_T, all, 3, MPI_INT64_T, comm);
  if (rc != MPI_SUCCESS) {
    free(all);
    failMpi("the model check (MPI_Allgather)", rc);
  }
  for (int r = 1; r < size; ++r) {
    const int64_t *o = all + 3 * r;
    if (o[0] == all[0] && o[1] == all[1] && o[2] == all[2])
      continue;
    char message[512];
    snprintf(message, sizeof message,
             "data-parallel ranks run different models: rank 0's has %lld "
             "state tensors (%lld parameter elements, checksum %016llx), rank "
             "%d's has %lld (%lld elements, checksum %016llx); every rank must "
             "run the same library (this is rank %d)",
             (long long)all[1], (long long)all[2], (unsigned long long)all[0],
             r, (long long)o[1], (long long)o[2], (unsigned long long)o[0],
             rank);
    free(all);
    dlc_entry_fail(message);
  }
  free(all);
  verified = 1;
  verifiedChecksum = checksum;
}

static Bucket *bucketAt(int64_t index) {
  if (index < 0)
    dlc_entry_fail("data-parallel step: negative bucket index");
  if (index >= numBuckets) {
    int64_t n = index + 1;
    Bucket *grown = realloc(buckets, sizeof(Bucket) * (size_t)n);
    if (!grown)
      dlc_entry_fail("data-parallel step: out of memory for the buckets");
    memset(grown + numBuckets, 0, sizeof(Bucket) * (size_t)(n - numBuckets));
    buckets = grown;
    numBuckets = n;
  }
  return &buckets[index];
}

static void complete(Bucket *b) {
  if (!b->active)
    return;
  double t0 = MPI_Wtime();
  int rc = MPI_Wait(&b->request, MPI_STATUS_IGNORE);
  stats.wait_seconds += MPI_Wtime() - t0;
  b->active = 0;
  if (rc != MPI_SUCCESS)
    failMpi("MPI_Wait", rc);
}

void dlc_dist_put(int64_t bucket, int64_t total, int64_t offset,
                  float *allocated, float *aligned, int64_t memOffset,
                  int64_t size, int64_t stride) {
  (void)allocated;
  Bucket *b = bucketAt(bucket);
  complete(b); /* a step that failed part way may have left it in flight */
  if (b->size != total) {
    float *data = realloc(b->data, sizeof(float) * (size_t)total);
    if (!data)
      dlc_entry_fail("data-parallel step: out of memory for a bucket");
    b->data = data;
    b->size = total;
  }
  if (offset < 0 || size < 0 || offset + size > total)
    dlc_entry_fail("data-parallel step: a tensor does not fit its bucket");
  double t0 = MPI_Wtime();
  const float *src = aligned + memOffset;
  if (stride == 1)
    memcpy(b->data + offset, src, sizeof(float) * (size_t)size);
  else
    for (int64_t i = 0; i < size; ++i)
      b->data[offset + i] = src[i * stride];
  stats.copy_seconds += MPI_Wtime() - t0;
}

void dlc_dist_start(int64_t bucket, int64_t kind) {
  ensureReady();
  Bucket *b = bucketAt(bucket);
  if (b->size > 0x7fffffff)
    dlc_entry_fail("data-parallel step: a bucket exceeds 2^31 elements");
  int rc;
  if (kind == 2)
    rc = MPI_Ibcast(b->data, (int)b->size, MPI_FLOAT, 0, comm, &b->request);
  else
    rc = MPI_Iallreduce(MPI_IN_PLACE, b->data, (int)b->size, MPI_FLOAT, MPI_SUM,
                        comm, &b->request);
  if (rc != MPI_SUCCESS)
    failMpi(kind == 2 ? "MPI_Ibcast" : "MPI_Iallreduce", rc);
  b->active = 1;
  b->kind = kind;
  stats.collectives += 1;
  stats.bytes += b->size * (int64_t)sizeof(float);
  /* Let the buckets in flight progress. */
  for (int64_t i = 0; i < numBuckets; ++i)
    if (buckets[i].active && i != bucket) {
      int done = 0;
      MPI_Test(&buckets[i].request, &done, MPI_STATUS_IGNORE);
      if (done)
        buckets[i].active = 0;
    }
}

void dlc_dist_wait(int64_t bucket) { complete(bucketAt(bucket)); }

void dlc_dist_get(int64_t bucket, int64_t offset, float *allocated,
                  float *aligned, int64_t memOffset, int64_t size,
                  int64_t stride) {
  (void)allocated;
  Bucket *b = bucketAt(bucket);
  complete(b);
  if (offset < 0 || size < 0 || offset + size > b->size)
    dlc_entry_fail("data-parallel step: a tensor does not fit its bucket");
  double t0 = MPI_Wtime();
  float scale = b->kind == 0 ? 1.0f / (float)dlc_dist_size() : 1.0f;
  float *dst = aligned + memOffset;
  for (int64_t i = 0; i < size; ++i)
    dst[i * stride] = b->data[offset + i] * scale;
  stats.copy_seconds += MPI_Wtime() - t0;
}
