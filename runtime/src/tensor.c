/*===- tensor.c - Element types and tensor descriptors -------------------===*/

#include "dlc/runtime.h"

#include <inttypes.h>

size_t dlc_dtype_size(dlc_dtype dtype) {
  switch (dtype) {
  case DLC_DTYPE_F32:
  case DLC_DTYPE_I32:
  case DLC_DTYPE_U32:
    return 4;
  case DLC_DTYPE_F16:
  case DLC_DTYPE_BF16:
  case DLC_DTYPE_U16:
  case DLC_DTYPE_I16:
    return 2;
  case DLC_DTYPE_F64:
  case DLC_DTYPE_I64:
  case DLC_DTYPE_U64:
    return 8;
  case DLC_DTYPE_I8:
  case DLC_DTYPE_I1:
  case DLC_DTYPE_U8:
    return 1;
  }
  return 0;
}

const char *dlc_dtype_name(dlc_dtype dtype) {
  switch (dtype) {
  case DLC_DTYPE_F32:
    return "f32";
  case DLC_DTYPE_F16:
    return "f16";
  case DLC_DTYPE_BF16:
    return "bf16";
  case DLC_DTYPE_F64:
    return "f64";
  case DLC_DTYPE_I8:
    return "i8";
  case DLC_DTYPE_I32:
    return "i32";
  case DLC_DTYPE_I64:
    return "i64";
  case DLC_DTYPE_I1:
    return "i1";
  case DLC_DTYPE_U8:
    return "u8";
  case DLC_DTYPE_U16:
    return "u16";
  case DLC_DTYPE_U32:
    return "u32";
  case DLC_DTYPE_U64:
    return "u64";
  case DLC_DTYPE_I16:
    return "i16";
  }
  return "invalid";
}

/* Checks the parts of a descriptor every query relies on. */
static dlc_status checkWellFormed(const dlc_tensor *tensor) {
  if (!tensor)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT, "tensor is NULL");
  if (tensor->rank < 0)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "tensor has negative rank %" PRId32, tensor->rank);
  if (tensor->rank > 0 && !tensor->shape)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "tensor of rank %" PRId32 " has no shape",
                         tensor->rank);
  for (int32_t i = 0; i < tensor->rank; ++i)
    if (tensor->shape[i] < 0)
      return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                           "tensor dim %" PRId32 " is negative (%" PRId64 ")",
                           i, tensor->shape[i]);
  return DLC_STATUS_OK;
}

int64_t dlc_tensor_num_elements(const dlc_tensor *tensor) {
  if (checkWellFormed(tensor) != DLC_STATUS_OK)
    return -1;
  int64_t count = 1;
  for (int32_t i = 0; i < tensor->rank; ++i) {
    int64_t dim = tensor->shape[i];
    if (dim == 0)
      return 0;
    if (count > INT64_MAX / dim) {
      /* Keep scanning: a later zero dim makes the tensor empty. */
      for (int32_t j = i + 1; j < tensor->rank; ++j)
        if (tensor->shape[j] == 0)
          return 0;
      dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                    "tensor element count overflows int64");
      return -1;
    }
    count *= dim;
  }
  return count;
}

int dlc_tensor_is_contiguous(const dlc_tensor *tensor) {
  if (checkWellFormed(tensor) != DLC_STATUS_OK)
    return 0;
  if (!tensor->strides)
    return 1;
  int64_t expected = 1;
  for (int32_t i = tensor->rank - 1; i >= 0; --i) {
    int64_t dim = tensor->shape[i];
    if (dim == 0)
      return 1; /* no elements: any strides describe the same (empty) data */
    if (dim != 1 && tensor->strides[i] != expected)
      return 0;
    if (expected > INT64_MAX / dim)
      return 0;
    expected *= dim;
  }
  return 1;
}

dlc_status dlc_tensor_check(const dlc_tensor *tensor, dlc_dtype expected_dtype,
                            int32_t expected_rank,
                            const int64_t *expected_shape) {
  dlc_status status = checkWellFormed(tensor);
  if (status != DLC_STATUS_OK)
    return status;
  if (expected_rank < 0 || (expected_rank > 0 && !expected_shape))
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "bad expected rank %" PRId32 " or shape",
                         expected_rank);
  if (tensor->dtype != expected_dtype)
    return dlc_set_error(
        DLC_STATUS_DTYPE_MISMATCH, "expected a tensor of %s, got %s",
        dlc_dtype_name(expected_dtype), dlc_dtype_name(tensor->dtype));
  if (tensor->rank != expected_rank)
    return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                         "expected rank %" PRId32 ", got rank %" PRId32,
                         expected_rank, tensor->rank);
  for (int32_t i = 0; i < expected_rank; ++i)
    if (expected_shape[i] >= 0 && tensor->shape[i] != expected_shape[i])
      return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                           "dim %" PRId32 ": expected %" PRId64
                           ", got %" PRId64,
                           i, expected_shape[i], tensor->shape[i]);
  int64_t count = dlc_tensor_num_elements(tensor);
  if (count < 0)
    return dlc_last_error_code();
  if (count > 0 && !tensor->data)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "tensor of %" PRId64 " elements has NULL data", count);
  return DLC_STATUS_OK;
}
