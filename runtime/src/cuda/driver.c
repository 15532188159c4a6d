/*===- driver.c - The CUDA driver API, loaded with dlopen -----------------===*
 *
 * No CUDA header or library at build time: the few driver types are opaque
 * pointers and ints here, and every function comes from dlsym on
 * libcuda.so.1 (or DLC_CUDA_DRIVER_PATH, which the tests point at a fake
 * driver). Loading happens on the first call that needs the device, never
 * in a constructor, and a failure is a status with the reason.
 *
 *===----------------------------------------------------------------------===*/

#include "cuda_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dlc_cuda_driver dlc_cuda_api;

static pthread_mutex_t initLock = PTHREAD_MUTEX_INITIALIZER;
static int initState; /* 0: not tried, 1: ready, -1: failed */
static char initError[512];
static void *driverHandle;
static CUcontext primaryContext;
static CUdevice device;
static _Thread_local int contextCurrent;

static int loadSymbols(void) {
#define DLC_CUDA_LOAD(field, symbol)                                           \
  do {                                                                         \
    *(void **)(&dlc_cuda_api.field) = dlsym(driverHandle, symbol);             \
    if (!dlc_cuda_api.field) {                                                 \
      snprintf(initError, sizeof initError,                                    \
               "the CUDA driver library has no %s (too old a driver?)",        \
               symbol);                                                        \
      return 0;                                                                \
    }                                                                          \
  } while (0)
  DLC_CUDA_LOAD(cuInit, "cuInit");
  DLC_CUDA_LOAD(cuGetErrorString, "cuGetErrorString");
  DLC_CUDA_LOAD(cuDeviceGetCount, "cuDeviceGetCount");
  DLC_CUDA_LOAD(cuDeviceGet, "cuDeviceGet");
  DLC_CUDA_LOAD(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  DLC_CUDA_LOAD(cuCtxSetCurrent, "cuCtxSetCurrent");
  DLC_CUDA_LOAD(cuModuleLoadData, "cuModuleLoadData");
  DLC_CUDA_LOAD(cuModuleLoadDataEx, "cuModuleLoadDataEx");
  DLC_CUDA_LOAD(cuModuleUnload, "cuModuleUnload");
  DLC_CUDA_LOAD(cuModuleGetFunction, "cuModuleGetFunction");
  DLC_CUDA_LOAD(cuFuncSetAttribute, "cuFuncSetAttribute");
  DLC_CUDA_LOAD(cuLaunchKernel, "cuLaunchKernel");
  DLC_CUDA_LOAD(cuStreamCreate, "cuStreamCreate");
  DLC_CUDA_LOAD(cuStreamDestroy, "cuStreamDestroy_v2");
  DLC_CUDA_LOAD(cuStreamSynchronize, "cuStreamSynchronize");
  DLC_CUDA_LOAD(cuStreamWaitEvent, "cuStreamWaitEvent");
  DLC_CUDA_LOAD(cuEventCreate, "cuEventCreate");
  DLC_CUDA_LOAD(cuEventDestroy, "cuEventDestroy_v2");
  DLC_CUDA_LOAD(cuEventRecord, "cuEventRecord");
  DLC_CUDA_LOAD(cuEventSynchronize, "cuEventSynchronize");
  DLC_CUDA_LOAD(cuMemAlloc, "cuMemAlloc_v2");
  DLC_CUDA_LOAD(cuMemFree, "cuMemFree_v2");
  DLC_CUDA_LOAD(cuMemcpy, "cuMemcpy");
  DLC_CUDA_LOAD(cuMemcpyAsync, "cuMemcpyAsync");
  DLC_CUDA_LOAD(cuMemsetD32Async, "cuMemsetD32Async");
  DLC_CUDA_LOAD(cuMemsetD16Async, "cuMemsetD16Async");
  DLC_CUDA_LOAD(cuMemHostRegister, "cuMemHostRegister_v2");
  DLC_CUDA_LOAD(cuMemHostUnregister, "cuMemHostUnregister");
#undef DLC_CUDA_LOAD
  return 1;
}

const char *dlc_cuda_error_string(CUresult r) {
  const char *text = NULL;
  if (dlc_cuda_api.cuGetErrorString &&
      dlc_cuda_api.cuGetErrorString(r, &text) == 0 && text)
    return text;
  return "unknown CUDA error";
}

static int initialize(void) {
  const char *path = getenv("DLC_CUDA_DRIVER_PATH");
  if (!path || !*path)
    path = "libcuda.so.1";
  driverHandle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!driverHandle) {
    const char *why = dlerror();
    snprintf(initError, sizeof initError,
             "no CUDA driver: cannot load %s (%s); a --target=cuda model "
             "needs an NVIDIA GPU and its driver",
             path, why ? why : "dlopen failed");
    return 0;
  }
  if (!loadSymbols())
    return 0;
  CUresult r = dlc_cuda_api.cuInit(0);
  if (r != 0) {
    snprintf(initError, sizeof initError,
             "the CUDA driver (%s) did not initialize: cuInit: %s (%d)", path,
             dlc_cuda_error_string(r), r);
    return 0;
  }
  int count = 0;
  r = dlc_cuda_api.cuDeviceGetCount(&count);
  if (r != 0 || count == 0) {
    snprintf(initError, sizeof initError, "no CUDA device (%s)",
             r ? dlc_cuda_error_string(r) : "the driver reports 0 devices");
    return 0;
  }
  int ordinal = 0;
  const char *env = getenv("DLC_CUDA_DEVICE");
  if (env && *env) {
    char *end = NULL;
    long v = strtol(env, &end, 10);
    if (*end || v < 0 || v >= count) {
      snprintf(initError, sizeof initError,
               "DLC_CUDA_DEVICE=%s is not a device (this machine has %d)", env,
               count);
      return 0;
    }
    ordinal = (int)v;
  }
  if ((r = dlc_cuda_api.cuDeviceGet(&device, ordinal)) != 0 ||
      (r = dlc_cuda_api.cuDevicePrimaryCtxRetain(&primaryContext, device)) !=
          0) {
    snprintf(initError, sizeof initError, "cannot open CUDA device %d: %s (%d)",
             ordinal, dlc_cuda_error_string(r), r);
    return 0;
  }
  return 1;
}

/* Counts the drivers loaded, so device pointers kept across calls (the
 * weights, dlcCudaConstant) are known stale after a reload. */
static int64_t driverGeneration;

int64_t dlc_cuda_generation(void) {
  pthread_mutex_lock(&initLock);
  int64_t generation = driverGeneration;
  pthread_mutex_unlock(&initLock);
  return generation;
}

dlc_status dlc_cuda_init(void) {
  pthread_mutex_lock(&initLock);
  if (initState == 0) {
    initState = initialize() ? 1 : -1;
    if (initState > 0)
      ++driverGeneration;
  }
  int state = initState;
  pthread_mutex_unlock(&initLock);
  if (state < 0)
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR, "%s", initError);
  if (!contextCurrent) {
    CUresult r = dlc_cuda_api.cuCtxSetCurrent(primaryContext);
    if (r != 0)
      return dlc_set_error(DLC_STATUS_RUNTIME_ERROR, "cuCtxSetCurrent: %s (%d)",
                           dlc_cuda_error_string(r), r);
    contextCurrent = 1;
  }
  return DLC_STATUS_OK;
}

int dlc_cuda_ready(void) {
  pthread_mutex_lock(&initLock);
  int state = initState;
  pthread_mutex_unlock(&initLock);
  return state > 0;
}

void dlc_cuda_fail(const char *format, ...) {
  char message[600];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  /* Inside an entry point this unwinds to dlc_entry_run, which returns
   * DLC_STATUS_RUNTIME_ERROR with the message. */
  dlc_entry_fail(message);
}

void dlc_cuda_require(void) {
  if (dlc_cuda_init() != DLC_STATUS_OK)
    dlc_cuda_fail("%s", dlc_last_error());
}

void dlc_cuda_check(CUresult r, const char *call) {
  if (r != 0)
    dlc_cuda_fail("%s failed: %s (%d)", call, dlc_cuda_error_string(r), r);
}

void dlc_internal_cuda_reset_for_tests(void) {
  dlc_internal_cuda_forget_streams();
  pthread_mutex_lock(&initLock);
  initState = 0;
  initError[0] = 0;
  memset(&dlc_cuda_api, 0, sizeof dlc_cuda_api);
  if (driverHandle)
    dlclose(driverHandle);
  driverHandle = NULL;
  primaryContext = NULL;
  contextCurrent = 0;
  pthread_mutex_unlock(&initLock);
}
