/* Reading and writing tensors as .npy and ONNX TensorProto (.pb) files, for
 * the executables dlc builds. No protobuf library: TensorProto's few fields
 * are decoded by hand. */
#ifndef DLC_RUNTIME_EXE_TENSOR_IO_H
#define DLC_RUNTIME_EXE_TENSOR_IO_H

#include <dlc/runtime.h>

#define DLC_IO_MAX_RANK 16

/* A tensor that owns its data and shape. */
typedef struct dlc_owned_tensor {
  dlc_tensor view;
  int64_t shape[DLC_IO_MAX_RANK];
  void *data;
} dlc_owned_tensor;

/* Reads PATH (.npy or anything else as TensorProto); sets the last error on
 * failure. */
dlc_status dlc_read_tensor(const char *path, dlc_owned_tensor *out);
/* Writes a contiguous tensor as .npy, or as TensorProto when PATH ends in
 * .pb. */
dlc_status dlc_write_tensor(const char *path, const dlc_tensor *t);
void dlc_free_owned_tensor(dlc_owned_tensor *t);

#endif
