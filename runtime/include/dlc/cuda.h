/*===- dlc/cuda.h - The CUDA part of the dlc runtime ----------------------===*
 *
 * Models compiled with `dlc --target=cuda` link libdlcrt_cuda.a beside
 * libdlcrt.a. It drives the GPU through the CUDA driver API, loaded at run
 * time with dlopen("libcuda.so.1"): nothing of CUDA is needed to build or
 * link, and on a machine without the driver or a device every entry point
 * returns DLC_STATUS_RUNTIME_ERROR with a message naming what is missing
 * (the process is not aborted; nothing runs in a global constructor that
 * can fail).
 *
 * NAME_run takes and returns host memory (inputs are copied to the device,
 * results back). NAME_run_device, declared in the model's header too, takes
 * inputs whose `data` are device pointers (from dlc_cuda_alloc or the
 * host's own CUDA code) and returns outputs in device memory, to be freed by
 * NAME_release_device.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_CUDA_H
#define DLC_CUDA_H

#include "dlc/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads the driver and initializes device 0 (or DLC_CUDA_DEVICE); OK, or
 * DLC_STATUS_RUNTIME_ERROR with dlc_last_error() saying why not (no
 * libcuda.so.1, no device, ...). Entry points call it themselves. The
 * driver library is DLC_CUDA_DRIVER_PATH if set, else libcuda.so.1. */
DLC_RUNTIME_API dlc_status dlc_cuda_init(void);

/* Device memory from the runtime's pool (NULL and the message on failure). */
DLC_RUNTIME_API void *dlc_cuda_alloc(size_t size);
DLC_RUNTIME_API void dlc_cuda_free(void *device_ptr);

/* Copies between host and device memory (either way, unified addressing). */
DLC_RUNTIME_API dlc_status dlc_cuda_memcpy(void *dst, const void *src,
                                           size_t size);

typedef struct dlc_cuda_memory_usage {
  uint64_t bytes_in_use; /* handed out by the pool */
  uint64_t bytes_cached; /* freed, kept for reuse */
  uint64_t peak_bytes_in_use;
  uint64_t driver_allocations; /* cuMemAlloc calls so far */
} dlc_cuda_memory_usage;

DLC_RUNTIME_API dlc_status dlc_cuda_memory_stats(dlc_cuda_memory_usage *usage);

/* Returns the pool's cached blocks to the driver. */
DLC_RUNTIME_API void dlc_cuda_release_cached(void);

/* What NAME_run_device calls: `run` (NAME_run) on inputs in device memory,
 * then the `num_outputs` returned outputs moved to device memory. */
typedef dlc_status (*dlc_cuda_run_fn)(const dlc_tensor *inputs,
                                      dlc_tensor *outputs);
DLC_RUNTIME_API dlc_status dlc_cuda_run_device(dlc_cuda_run_fn run,
                                               int32_t num_outputs,
                                               const dlc_tensor *inputs,
                                               dlc_tensor *outputs);
/* NAME_release_device: frees the device outputs of NAME_run_device. */
DLC_RUNTIME_API void dlc_cuda_release_device(int32_t num_outputs,
                                             dlc_tensor *outputs);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLC_CUDA_H */
