/*===- mgpu.c - The mgpu* functions lowered host code calls ---------------===*
 *
 * MLIR's gpu-to-llvm lowering calls these (the names and signatures of
 * upstream's CudaRuntimeWrappers); here they run on the driver API loaded by
 * driver.c. Differences from upstream's wrappers, for an AOT library:
 *
 * - Modules load lazily. mgpuModuleLoad/JIT run in a global constructor of
 *   the model's library, so they only record the image; the driver loads
 *   (and JIT-compiles PTX) at the first mgpuModuleGetFunction, inside an
 *   entry point, where a failure can be reported.
 * - A failure never aborts: it goes to dlc_entry_fail, so NAME_run returns
 *   DLC_STATUS_RUNTIME_ERROR with the driver's message.
 * - Streams are pooled, and device memory comes from a caching pool. A block
 *   freed on a stream is reused on that stream at once (stream order makes
 *   it safe) and by other streams only after that stream synchronized.
 *
 *===----------------------------------------------------------------------===*/

#include "cuda_internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*===------------------------------------------------------------------===*
 * Modules and launches
 *===------------------------------------------------------------------===*/

typedef struct LazyModule {
  const void *image;
  int isText; /* PTX */
  int optLevel;
  CUmodule module;
  pthread_mutex_t lock;
} LazyModule;

static LazyModule *newModule(const void *image, int isText, int optLevel) {
  LazyModule *m = (LazyModule *)calloc(1, sizeof *m);
  if (!m)
    return NULL;
  m->image = image;
  m->isText = isText;
  m->optLevel = optLevel;
  pthread_mutex_init(&m->lock, NULL);
  return m;
}

DLC_RUNTIME_API void *mgpuModuleLoad(void *data, size_t size);
DLC_RUNTIME_API void *mgpuModuleLoadJIT(void *data, int optLevel);
DLC_RUNTIME_API void mgpuModuleUnload(void *module);
DLC_RUNTIME_API void *mgpuModuleGetFunction(void *module, const char *name);
DLC_RUNTIME_API void mgpuLaunchKernel(void *function, intptr_t gridX,
                                      intptr_t gridY, intptr_t gridZ,
                                      intptr_t blockX, intptr_t blockY,
                                      intptr_t blockZ, int32_t smem,
                                      void *stream, void **params, void **extra,
                                      size_t paramsCount);
DLC_RUNTIME_API void *mgpuStreamCreate(void);
DLC_RUNTIME_API void mgpuStreamDestroy(void *stream);
DLC_RUNTIME_API void mgpuStreamSynchronize(void *stream);
DLC_RUNTIME_API void mgpuStreamWaitEvent(void *stream, void *event);
DLC_RUNTIME_API void *mgpuEventCreate(void);
DLC_RUNTIME_API void mgpuEventDestroy(void *event);
DLC_RUNTIME_API void mgpuEventSynchronize(void *event);
DLC_RUNTIME_API void mgpuEventRecord(void *event, void *stream);
DLC_RUNTIME_API void *mgpuMemAlloc(uint64_t size, void *stream,
                                   bool isHostShared);
DLC_RUNTIME_API void mgpuMemFree(void *ptr, void *stream);
DLC_RUNTIME_API void mgpuMemcpy(void *dst, void *src, size_t size,
                                void *stream);
DLC_RUNTIME_API void mgpuMemset32(void *dst, unsigned value, size_t count,
                                  void *stream);
DLC_RUNTIME_API void mgpuMemset16(void *dst, unsigned short value, size_t count,
                                  void *stream);
DLC_RUNTIME_API void mgpuMemHostRegister(void *ptr, uint64_t size);
DLC_RUNTIME_API void mgpuMemHostUnregister(void *ptr);
DLC_RUNTIME_API void mgpuSetDefaultDevice(int32_t device);
DLC_RUNTIME_API void *dlcCudaConstant(int64_t *slot, const void *host,
                                      uint64_t bytes);

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  return newModule(data, 0, 0);
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return newModule(data, 1, optLevel);
}

void mgpuModuleUnload(void *module) {
  LazyModule *m = (LazyModule *)module;
  if (!m)
    return;
  /* At exit: the driver may be going away too; errors are of no use. */
  if (m->module && dlc_cuda_ready())
    dlc_cuda_api.cuModuleUnload(m->module);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  LazyModule *m = (LazyModule *)module;
  if (!m)
    dlc_cuda_fail("kernel module of '%s' was not registered (out of memory "
                  "at load time)",
                  name);
  dlc_cuda_require();
  pthread_mutex_lock(&m->lock);
  if (!m->module) {
    CUresult r;
    char log[1024] = "";
    if (m->isText) {
      /* CU_JIT_ERROR_LOG_BUFFER (5) and its size (6), so a failed JIT says
       * why; CU_JIT_OPTIMIZATION_LEVEL (7), 0-4. */
      int options[3] = {5, 6, 7};
      void *values[3] = {log, (void *)(uintptr_t)(sizeof log - 1),
                         (void *)(intptr_t)(m->optLevel > 4 ? 4 : m->optLevel)};
      r = dlc_cuda_api.cuModuleLoadDataEx(&m->module, m->image, 3, options,
                                          values);
    } else {
      r = dlc_cuda_api.cuModuleLoadData(&m->module, m->image);
    }
    if (r != 0) {
      m->module = NULL;
      pthread_mutex_unlock(&m->lock);
      log[sizeof log - 1] = 0;
      dlc_cuda_fail("loading the kernels of '%s' failed: %s (%d)%s%s", name,
                    dlc_cuda_error_string(r), r, log[0] ? ": " : "", log);
    }
  }
  pthread_mutex_unlock(&m->lock);
  CUfunction f = NULL;
  CUresult r = dlc_cuda_api.cuModuleGetFunction(&f, m->module, name);
  if (r != 0)
    dlc_cuda_fail("cuModuleGetFunction(%s) failed: %s (%d)", name,
                  dlc_cuda_error_string(r), r);
  return f;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  dlc_cuda_require();
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return; /* an empty tensor: nothing to run */
  if (gridX > 0x7fffffff || gridY > 65535 || gridZ > 65535 || blockX > 1024 ||
      blockY > 1024 || blockZ > 64)
    dlc_cuda_fail("kernel launch of %ld x %ld x %ld blocks of %ld x %ld x "
                  "%ld threads exceeds the device's limits",
                  (long)gridX, (long)gridY, (long)gridZ, (long)blockX,
                  (long)blockY, (long)blockZ);
  if (smem > 48 * 1024)
    /* CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (8) */
    dlc_cuda_check(dlc_cuda_api.cuFuncSetAttribute(function, 8, smem),
                   "cuFuncSetAttribute");
  dlc_cuda_check(dlc_cuda_api.cuLaunchKernel(
                     function, (unsigned)gridX, (unsigned)gridY,
                     (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                     (unsigned)blockZ, (unsigned)smem, stream, params, extra),
                 "cuLaunchKernel");
}

/*===------------------------------------------------------------------===*
 * Streams and events
 *===------------------------------------------------------------------===*/

#define MAX_POOLED_STREAMS 16
static pthread_mutex_t streamLock = PTHREAD_MUTEX_INITIALIZER;
static CUstream pooledStreams[MAX_POOLED_STREAMS];
static int numPooledStreams;

static void releaseDeferred(CUstream stream);

void dlc_internal_cuda_forget_streams(void) {
  pthread_mutex_lock(&streamLock);
  numPooledStreams = 0;
  pthread_mutex_unlock(&streamLock);
}

void *mgpuStreamCreate(void) {
  dlc_cuda_require();
  pthread_mutex_lock(&streamLock);
  CUstream s = numPooledStreams ? pooledStreams[--numPooledStreams] : NULL;
  pthread_mutex_unlock(&streamLock);
  if (s)
    return s;
  /* CU_STREAM_NON_BLOCKING */
  dlc_cuda_check(dlc_cuda_api.cuStreamCreate(&s, 1), "cuStreamCreate");
  return s;
}

void mgpuStreamDestroy(void *stream) {
  if (!stream || !dlc_cuda_ready())
    return;
  pthread_mutex_lock(&streamLock);
  if (numPooledStreams < MAX_POOLED_STREAMS) {
    pooledStreams[numPooledStreams++] = stream;
    stream = NULL;
  }
  pthread_mutex_unlock(&streamLock);
  if (stream) {
    dlc_cuda_api.cuStreamSynchronize(stream);
    releaseDeferred(stream);
    dlc_cuda_api.cuStreamDestroy(stream);
  }
}

void mgpuStreamSynchronize(void *stream) {
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuStreamSynchronize(stream),
                 "cuStreamSynchronize (a kernel or copy failed)");
  releaseDeferred(stream);
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuStreamWaitEvent(stream, event, 0),
                 "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  dlc_cuda_require();
  CUevent e = NULL;
  /* CU_EVENT_DISABLE_TIMING */
  dlc_cuda_check(dlc_cuda_api.cuEventCreate(&e, 2), "cuEventCreate");
  return e;
}

void mgpuEventDestroy(void *event) {
  if (event && dlc_cuda_ready())
    dlc_cuda_api.cuEventDestroy(event);
}

void mgpuEventSynchronize(void *event) {
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuEventSynchronize(event),
                 "cuEventSynchronize (a kernel or copy failed)");
}

void mgpuEventRecord(void *event, void *stream) {
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuEventRecord(event, stream), "cuEventRecord");
}

/*===------------------------------------------------------------------===*
 * Device memory pool
 *===------------------------------------------------------------------===*/

typedef struct Block {
  void *ptr;
  size_t size;     /* rounded */
  CUstream stream; /* freed on, not yet synchronized; NULL: free for all */
  struct Block *next;
} Block;

static pthread_mutex_t poolLock = PTHREAD_MUTEX_INITIALIZER;
static Block *freeBlocks; /* cached, by any stream's rules above */
static Block *liveBlocks; /* handed out */
static dlc_cuda_memory_usage usage;

static size_t roundSize(uint64_t size) {
  if (size == 0)
    size = 1;
  size_t granule = size < (1u << 20) ? 512 : (2u << 20);
  return (size_t)((size + granule - 1) / granule * granule);
}

static void releaseDeferred(CUstream stream) {
  if (!stream)
    return;
  pthread_mutex_lock(&poolLock);
  for (Block *b = freeBlocks; b; b = b->next)
    if (b->stream == stream)
      b->stream = NULL;
  pthread_mutex_unlock(&poolLock);
}

static void *poolAlloc(uint64_t size, CUstream stream, int *failedCode) {
  size_t rounded = roundSize(size);
  pthread_mutex_lock(&poolLock);
  Block **link = &freeBlocks, *found = NULL;
  for (; *link; link = &(*link)->next) {
    Block *b = *link;
    if (b->size == rounded && (b->stream == NULL || b->stream == stream)) {
      found = b;
      *link = b->next;
      break;
    }
  }
  if (found) {
    usage.bytes_cached -= found->size;
  } else {
    pthread_mutex_unlock(&poolLock);
    CUdeviceptr ptr = 0;
    CUresult r = dlc_cuda_api.cuMemAlloc(&ptr, rounded);
    if (r != 0) {
      /* Out of memory: give the cache back and try once more. */
      dlc_cuda_release_cached();
      r = dlc_cuda_api.cuMemAlloc(&ptr, rounded);
    }
    if (r != 0) {
      *failedCode = r;
      return NULL;
    }
    found = (Block *)malloc(sizeof *found);
    if (!found) {
      dlc_cuda_api.cuMemFree(ptr);
      *failedCode = -1;
      return NULL;
    }
    found->ptr = (void *)(uintptr_t)ptr;
    found->size = rounded;
    pthread_mutex_lock(&poolLock);
    usage.driver_allocations++;
  }
  found->stream = NULL;
  found->next = liveBlocks;
  liveBlocks = found;
  usage.bytes_in_use += found->size;
  if (usage.bytes_in_use > usage.peak_bytes_in_use)
    usage.peak_bytes_in_use = usage.bytes_in_use;
  pthread_mutex_unlock(&poolLock);
  return found->ptr;
}

/* 0 if `ptr` is not a block of the pool. */
static int poolFree(void *ptr, CUstream stream) {
  pthread_mutex_lock(&poolLock);
  for (Block **link = &liveBlocks; *link; link = &(*link)->next) {
    Block *b = *link;
    if (b->ptr != ptr)
      continue;
    *link = b->next;
    b->stream = stream;
    b->next = freeBlocks;
    freeBlocks = b;
    usage.bytes_in_use -= b->size;
    usage.bytes_cached += b->size;
    pthread_mutex_unlock(&poolLock);
    return 1;
  }
  pthread_mutex_unlock(&poolLock);
  return 0;
}

void dlc_cuda_release_cached(void) {
  pthread_mutex_lock(&poolLock);
  Block *list = freeBlocks;
  freeBlocks = NULL;
  usage.bytes_cached = 0;
  pthread_mutex_unlock(&poolLock);
  while (list) {
    Block *next = list->next;
    if (dlc_cuda_ready()) {
      /* A block freed on a stream may still be read by its kernels. */
      if (list->stream)
        dlc_cuda_api.cuStreamSynchronize(list->stream);
      dlc_cuda_api.cuMemFree((CUdeviceptr)(uintptr_t)list->ptr);
    }
    free(list);
    list = next;
  }
}

dlc_status dlc_cuda_memory_stats(dlc_cuda_memory_usage *out) {
  if (!out)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_cuda_memory_stats: output is NULL");
  pthread_mutex_lock(&poolLock);
  *out = usage;
  pthread_mutex_unlock(&poolLock);
  return DLC_STATUS_OK;
}

void *mgpuMemAlloc(uint64_t size, void *stream, bool isHostShared) {
  if (isHostShared)
    dlc_cuda_fail("host-shared (managed) GPU memory is not supported");
  dlc_cuda_require();
  int code = 0;
  void *p = poolAlloc(size, stream, &code);
  if (!p)
    dlc_cuda_fail("out of GPU memory allocating %llu bytes (%s)",
                  (unsigned long long)size,
                  code > 0 ? dlc_cuda_error_string(code) : "host malloc");
  return p;
}

void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  if (!poolFree(ptr, stream) && dlc_cuda_ready())
    dlc_cuda_api.cuMemFree((CUdeviceptr)(uintptr_t)ptr);
}

void mgpuMemcpy(void *dst, void *src, size_t size, void *stream) {
  if (size == 0)
    return;
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                                            (CUdeviceptr)(uintptr_t)src, size,
                                            stream),
                 "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst,
                                               value, count, stream),
                 "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  dlc_cuda_require();
  dlc_cuda_check(dlc_cuda_api.cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst,
                                               value, count, stream),
                 "cuMemsetD16Async");
}

void mgpuMemHostRegister(void *ptr, uint64_t size) {
  dlc_cuda_require();
  /* CU_MEMHOSTREGISTER_PORTABLE */
  dlc_cuda_check(dlc_cuda_api.cuMemHostRegister(ptr, size, 1),
                 "cuMemHostRegister");
}

void mgpuMemHostUnregister(void *ptr) {
  if (dlc_cuda_ready())
    dlc_cuda_api.cuMemHostUnregister(ptr);
}

void mgpuSetDefaultDevice(int32_t device) {
  /* The device is chosen once, at initialization (DLC_CUDA_DEVICE). */
  (void)device;
}

/*===------------------------------------------------------------------===*
 * Weights
 *===------------------------------------------------------------------===*/

static pthread_mutex_t constantLock = PTHREAD_MUTEX_INITIALIZER;

/* The device copy of a model's weight (a constant global of `bytes` at
 * `host`), uploaded at its first use and kept in the pool, so weights cross
 * once and not at each call. `slot` is the model library's own record of
 * it, {device pointer, driver generation}: a slot of an earlier driver (the
 * unit tests reload it) is stale, and a library loaded again at the same
 * address starts with empty slots. The copy is synchronous, so a call on
 * another stream never sees a weight half uploaded. */
void *dlcCudaConstant(int64_t *slot, const void *host, uint64_t bytes) {
  dlc_cuda_require();
  int64_t generation = dlc_cuda_generation();
  pthread_mutex_lock(&constantLock);
  if (slot[0] && slot[1] == generation) {
    void *kept = (void *)(uintptr_t)slot[0];
    pthread_mutex_unlock(&constantLock);
    return kept;
  }
  int code = 0;
  void *p = poolAlloc(bytes, NULL, &code);
  CUresult r = 0;
  if (p && bytes)
    r = dlc_cuda_api.cuMemcpy((CUdeviceptr)(uintptr_t)p,
                              (CUdeviceptr)(uintptr_t)host, bytes);
  if (p && r == 0) {
    slot[0] = (int64_t)(uintptr_t)p;
    slot[1] = generation;
  }
  pthread_mutex_unlock(&constantLock);
  if (!p)
    dlc_cuda_fail("out of GPU memory uploading a weight of %llu bytes (%s)",
                  (unsigned long long)bytes,
                  code > 0 ? dlc_cuda_error_string(code) : "host malloc");
  if (r != 0) {
    mgpuMemFree(p, NULL);
    dlc_cuda_fail("uploading a weight of %llu bytes: cuMemcpy failed: %s (%d)",
                  (unsigned long long)bytes, dlc_cuda_error_string(r), r);
  }
  return p;
}

/*===------------------------------------------------------------------===*
 * The public API (dlc/cuda.h)
 *===------------------------------------------------------------------===*/

void *dlc_cuda_alloc(size_t size) {
  if (dlc_cuda_init() != DLC_STATUS_OK)
    return NULL;
  int code = 0;
  void *p = poolAlloc(size, NULL, &code);
  if (!p)
    dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                  "out of GPU memory allocating %zu bytes", size);
  return p;
}

void dlc_cuda_free(void *ptr) { mgpuMemFree(ptr, NULL); }

dlc_status dlc_cuda_memcpy(void *dst, const void *src, size_t size) {
  dlc_status s = dlc_cuda_init();
  if (s != DLC_STATUS_OK)
    return s;
  CUresult r = dlc_cuda_api.cuMemcpy((CUdeviceptr)(uintptr_t)dst,
                                     (CUdeviceptr)(uintptr_t)src, size);
  if (r != 0)
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR, "cuMemcpy failed: %s (%d)",
                         dlc_cuda_error_string(r), r);
  return DLC_STATUS_OK;
}

dlc_status dlc_cuda_run_device(dlc_cuda_run_fn run, int32_t num_outputs,
                               const dlc_tensor *inputs, dlc_tensor *outputs) {
  dlc_status s = dlc_cuda_init();
  if (s != DLC_STATUS_OK)
    return s;
  if (!run || num_outputs < 0 || (num_outputs && !outputs))
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_cuda_run_device: bad arguments");
  /* Device inputs are read by the generated code's copies only (unified
   * addressing), so they must be contiguous: the host cannot gather them. */
  s = run(inputs, outputs);
  if (s != DLC_STATUS_OK)
    return s;
  for (int32_t i = 0; i < num_outputs; ++i) {
    dlc_tensor *t = &outputs[i];
    size_t bytes =
        (size_t)dlc_tensor_num_elements(t) * dlc_dtype_size(t->dtype);
    void *device = dlc_cuda_alloc(bytes);
    if (!device && bytes) {
      for (int32_t j = 0; j < num_outputs; ++j) {
        if (j < i)
          dlc_cuda_free(outputs[j].data);
        else
          free(outputs[j].data);
        outputs[j].data = NULL;
      }
      return DLC_STATUS_OUT_OF_MEMORY;
    }
    if (bytes && (s = dlc_cuda_memcpy(device, t->data, bytes)) != DLC_STATUS_OK)
      return s;
    free(t->data);
    t->data = device;
  }
  return DLC_STATUS_OK;
}

void dlc_cuda_release_device(int32_t num_outputs, dlc_tensor *outputs) {
  if (!outputs)
    return;
  for (int32_t i = 0; i < num_outputs; ++i) {
    dlc_cuda_free(outputs[i].data);
    outputs[i].data = NULL;
  }
}
