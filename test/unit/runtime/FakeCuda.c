/*===- FakeCuda.c - A test double of the CUDA driver API ------------------===*
 *
 * Built as a shared library that the CUDA runtime tests load through the
 * runtime's own dlopen path (DLC_CUDA_DRIVER_PATH). It runs no kernel: it
 * records each call (name, sizes, launch geometry) for the tests to read
 * back, hands out host memory as "device" memory (so copies really copy and
 * ASan sees misuse), and fails the call a test asks it to.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct FakeCall {
  char name[32];
  uint64_t a[8]; /* the call's integer arguments, by position */
  const void *ptr;
  char text[64];
} FakeCall;

#define MAX_CALLS 256
static FakeCall calls[MAX_CALLS];
static int numCalls;
static char failName[32];
static int failCode;
static int deviceCount = 1;
static int liveAllocations;

static FakeCall *record(const char *name) {
  FakeCall *c = &calls[numCalls < MAX_CALLS ? numCalls++ : MAX_CALLS - 1];
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  return c;
}

static int result(const char *name) {
  return failName[0] && strcmp(failName, name) == 0 ? failCode : 0;
}

/* The controls (not CUDA). */
EXPORT void fake_cuda_reset(void) {
  numCalls = 0;
  failName[0] = 0;
  failCode = 0;
  deviceCount = 1;
}
EXPORT void fake_cuda_fail(const char *name, int code) {
  snprintf(failName, sizeof failName, "%s", name);
  failCode = code;
}
EXPORT void fake_cuda_set_device_count(int n) { deviceCount = n; }
EXPORT int fake_cuda_num_calls(void) { return numCalls; }
/* Returns `const void *`: the test reads it as its own copy of FakeCall, a
 * C++ type of another name (UBSan's -fsanitize=function compares the
 * function types of caller and callee). */
EXPORT const void *fake_cuda_call(int i) {
  return i >= 0 && i < numCalls ? &calls[i] : NULL;
}
EXPORT int fake_cuda_live_allocations(void) { return liveAllocations; }

/* The driver API. */
EXPORT int cuInit(unsigned flags) {
  record("cuInit")->a[0] = flags;
  return result("cuInit");
}
EXPORT int cuGetErrorString(int error, const char **text) {
  *text = error == 700   ? "an illegal memory access was encountered"
          : error == 218 ? "a PTX JIT compilation failed"
                         : "fake error";
  return 0;
}
EXPORT int cuDeviceGetCount(int *count) {
  record("cuDeviceGetCount");
  *count = deviceCount;
  return result("cuDeviceGetCount");
}
EXPORT int cuDeviceGet(int *device, int ordinal) {
  record("cuDeviceGet")->a[0] = (uint64_t)ordinal;
  *device = ordinal;
  return result("cuDeviceGet");
}
EXPORT int cuDevicePrimaryCtxRetain(void **context, int device) {
  record("cuDevicePrimaryCtxRetain")->a[0] = (uint64_t)device;
  *context = (void *)0x1000;
  return result("cuDevicePrimaryCtxRetain");
}
EXPORT int cuCtxSetCurrent(void *context) {
  record("cuCtxSetCurrent")->ptr = context;
  return result("cuCtxSetCurrent");
}
static int loadModule(const char *name, void **module, const void *image) {
  FakeCall *c = record(name);
  c->ptr = image;
  snprintf(c->text, sizeof c->text, "%.63s", (const char *)image);
  *module = (void *)0x2000;
  return result(name);
}
EXPORT int cuModuleLoadData(void **module, const void *image) {
  return loadModule("cuModuleLoadData", module, image);
}
EXPORT int cuModuleLoadDataEx(void **module, const void *image, unsigned n,
                              int *options, void **values) {
  int r = loadModule("cuModuleLoadDataEx", module, image);
  calls[numCalls - 1].a[0] = n;
  /* A failed JIT writes its log where CU_JIT_ERROR_LOG_BUFFER (5) says. */
  for (unsigned i = 0; r && i < n; ++i)
    if (options[i] == 5)
      snprintf((char *)values[i], 64, "ptxas application ptx input: fake");
  return r;
}
EXPORT int cuModuleUnload(void *module) {
  record("cuModuleUnload")->ptr = module;
  return 0;
}
EXPORT int cuModuleGetFunction(void **function, void *module,
                               const char *name) {
  FakeCall *c = record("cuModuleGetFunction");
  c->ptr = module;
  snprintf(c->text, sizeof c->text, "%s", name);
  *function = (void *)0x3000;
  return result("cuModuleGetFunction");
}
EXPORT int cuFuncSetAttribute(void *function, int attribute, int value) {
  FakeCall *c = record("cuFuncSetAttribute");
  c->ptr = function;
  c->a[0] = (uint64_t)attribute;
  c->a[1] = (uint64_t)value;
  return result("cuFuncSetAttribute");
}
EXPORT int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                          unsigned bx, unsigned by, unsigned bz, unsigned smem,
                          void *stream, void **params, void **extra) {
  (void)extra;
  FakeCall *c = record("cuLaunchKernel");
  c->ptr = f;
  uint64_t v[8] = {gx, gy, gz, bx, by, bz, smem, (uint64_t)(uintptr_t)stream};
  memcpy(c->a, v, sizeof v);
  snprintf(c->text, sizeof c->text, "%s", params ? "params" : "");
  return result("cuLaunchKernel");
}
EXPORT int cuStreamCreate(void **stream, unsigned flags) {
  static uintptr_t next = 0x4000;
  record("cuStreamCreate")->a[0] = flags;
  *stream = (void *)(next += 16);
  return result("cuStreamCreate");
}
EXPORT int cuStreamDestroy_v2(void *stream) {
  record("cuStreamDestroy_v2")->ptr = stream;
  return 0;
}
EXPORT int cuStreamSynchronize(void *stream) {
  record("cuStreamSynchronize")->ptr = stream;
  return result("cuStreamSynchronize");
}
EXPORT int cuStreamWaitEvent(void *stream, void *event, unsigned flags) {
  (void)event;
  (void)flags;
  record("cuStreamWaitEvent")->ptr = stream;
  return 0;
}
EXPORT int cuEventCreate(void **event, unsigned flags) {
  record("cuEventCreate")->a[0] = flags;
  *event = (void *)0x5000;
  return 0;
}
EXPORT int cuEventDestroy_v2(void *event) {
  record("cuEventDestroy_v2")->ptr = event;
  return 0;
}
EXPORT int cuEventRecord(void *event, void *stream) {
  (void)stream;
  record("cuEventRecord")->ptr = event;
  return 0;
}
EXPORT int cuEventSynchronize(void *event) {
  record("cuEventSynchronize")->ptr = event;
  return 0;
}
EXPORT int cuMemAlloc_v2(uint64_t *ptr, size_t bytes) {
  FakeCall *c = record("cuMemAlloc_v2");
  c->a[0] = bytes;
  int r = result("cuMemAlloc_v2");
  if (r)
    return r;
  void *p = malloc(bytes);
  if (!p)
    return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
  ++liveAllocations;
  *ptr = (uint64_t)(uintptr_t)p;
  c->ptr = p;
  return 0;
}
EXPORT int cuMemFree_v2(uint64_t ptr) {
  record("cuMemFree_v2")->ptr = (void *)(uintptr_t)ptr;
  --liveAllocations;
  free((void *)(uintptr_t)ptr);
  return 0;
}
static int copy(const char *name, uint64_t dst, uint64_t src, size_t bytes) {
  FakeCall *c = record(name);
  c->a[0] = dst;
  c->a[1] = src;
  c->a[2] = bytes;
  int r = result(name);
  if (!r)
    memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return r;
}
EXPORT int cuMemcpy(uint64_t dst, uint64_t src, size_t bytes) {
  return copy("cuMemcpy", dst, src, bytes);
}
EXPORT int cuMemcpyAsync(uint64_t dst, uint64_t src, size_t bytes,
                         void *stream) {
  int r = copy("cuMemcpyAsync", dst, src, bytes);
  calls[numCalls - 1].ptr = stream;
  return r;
}
EXPORT int cuMemsetD32Async(uint64_t dst, unsigned value, size_t count,
                            void *stream) {
  (void)stream;
  FakeCall *c = record("cuMemsetD32Async");
  c->a[0] = dst;
  c->a[1] = value;
  c->a[2] = count;
  for (size_t i = 0; i < count; ++i)
    ((unsigned *)(uintptr_t)dst)[i] = value;
  return 0;
}
EXPORT int cuMemsetD16Async(uint64_t dst, unsigned short value, size_t count,
                            void *stream) {
  (void)stream;
  record("cuMemsetD16Async")->a[2] = count;
  for (size_t i = 0; i < count; ++i)
    ((unsigned short *)(uintptr_t)dst)[i] = value;
  return 0;
}
EXPORT int cuMemHostRegister_v2(void *ptr, size_t bytes, unsigned flags) {
  (void)flags;
  FakeCall *c = record("cuMemHostRegister_v2");
  c->ptr = ptr;
  c->a[0] = bytes;
  return 0;
}
EXPORT int cuMemHostUnregister(void *ptr) {
  record("cuMemHostUnregister")->ptr = ptr;
  return 0;
}
