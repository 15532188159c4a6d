/*===- cuda_internal.h - The driver API as the runtime loads it -----------===*
 *
 * The driver's handles are opaque pointers and its status an int, so no CUDA
 * header is needed; the signatures are the documented ones of the CUDA
 * driver API (the `_v2` entry points where the driver has them).
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_RUNTIME_CUDA_INTERNAL_H
#define DLC_RUNTIME_CUDA_INTERNAL_H

#include "dlc/cuda.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef void *CUevent;
typedef uint64_t CUdeviceptr;

typedef struct dlc_cuda_driver {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuGetErrorString)(CUresult error, const char **text);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext context);
  CUresult (*cuModuleLoadData)(CUmodule *module, const void *image);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image,
                                 unsigned numOptions, int *options,
                                 void **optionValues);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module,
                                  const char *name);
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute, int value);
  CUresult (*cuLaunchKernel)(CUfunction f, unsigned gridX, unsigned gridY,
                             unsigned gridZ, unsigned blockX, unsigned blockY,
                             unsigned blockZ, unsigned sharedMemBytes,
                             CUstream stream, void **params, void **extra);
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned flags);
  CUresult (*cuStreamDestroy)(CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuStreamWaitEvent)(CUstream stream, CUevent event, unsigned flags);
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags);
  CUresult (*cuEventDestroy)(CUevent event);
  CUresult (*cuEventRecord)(CUevent event, CUstream stream);
  CUresult (*cuEventSynchronize)(CUevent event);
  CUresult (*cuMemAlloc)(CUdeviceptr *ptr, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr ptr);
  CUresult (*cuMemcpy)(CUdeviceptr dst, CUdeviceptr src, size_t bytes);
  CUresult (*cuMemcpyAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                            CUstream stream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr dst, unsigned value, size_t count,
                               CUstream stream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr dst, unsigned short value,
                               size_t count, CUstream stream);
  CUresult (*cuMemHostRegister)(void *ptr, size_t bytes, unsigned flags);
  CUresult (*cuMemHostUnregister)(void *ptr);
} dlc_cuda_driver;

/* The loaded functions (valid once dlc_cuda_init returned OK). */
extern dlc_cuda_driver dlc_cuda_api;

const char *dlc_cuda_error_string(CUresult r);
/* Whether the driver is loaded and a context made (without trying to). */
int dlc_cuda_ready(void);
/* The number of times a driver was loaded (1 after the first load). */
int64_t dlc_cuda_generation(void);
/* Initializes or fails the running entry point with the reason. */
void dlc_cuda_require(void);
/* Fails the running entry point (dlc_entry_fail) with the message. */
void dlc_cuda_fail(const char *format, ...) DLC_RUNTIME_PRINTF(1, 2);
/* Fails the running entry point when `r` is an error of `call`. */
void dlc_cuda_check(CUresult r, const char *call);

/* Drops the pooled streams (of a driver being unloaded). */
void dlc_internal_cuda_forget_streams(void);

/* For the unit tests: forget the driver, so the next call loads it again. */
DLC_RUNTIME_API void dlc_internal_cuda_reset_for_tests(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLC_RUNTIME_CUDA_INTERNAL_H */
