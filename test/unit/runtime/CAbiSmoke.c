/*===- CAbiSmoke.c - The runtime from a plain C99 program -----------------===*
 *
 * Compiled as strict C99 with -Wpedantic and linked by the C driver, with no
 * C++ runtime: proves the header is C and the library needs only libc and
 * pthreads, as generated code and C users will.
 *
 *===----------------------------------------------------------------------===*/

#include "dlc/runtime.h"

#include <stdio.h>
#include <string.h>

static void square(void *ctx, int64_t lo, int64_t hi) {
  float *values = (float *)ctx;
  for (int64_t i = lo; i < hi; ++i)
    values[i] = (float)(i * i);
}

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "CAbiSmoke.c:%d: failed: %s\n", __LINE__, #cond);        \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(void) {
  CHECK(dlc_runtime_abi_version() == DLC_RUNTIME_ABI_VERSION);
  CHECK(strcmp(dlc_runtime_version(), DLC_RUNTIME_VERSION) == 0);

  int64_t shape[2] = {64, 16};
  dlc_memory_usage before, during, after;
  CHECK(dlc_memory_stats(&before) == DLC_STATUS_OK);
  float *data = (float *)dlc_alloc(64 * 16 * sizeof(float), 0);
  CHECK(data != NULL);
  CHECK(dlc_memory_stats(&during) == DLC_STATUS_OK);
  CHECK(during.current_bytes == before.current_bytes + 64 * 16 * sizeof(float));

  dlc_tensor tensor = {data, DLC_DTYPE_F32, 2, shape, NULL};
  CHECK(dlc_tensor_check(&tensor, DLC_DTYPE_F32, 2, shape) == DLC_STATUS_OK);
  CHECK(dlc_set_num_threads(2) == DLC_STATUS_OK);
  CHECK(dlc_parallel_for(0, dlc_tensor_num_elements(&tensor), 8, square,
                         data) == DLC_STATUS_OK);
  for (int64_t i = 0; i < 64 * 16; ++i)
    CHECK(data[i] == (float)(i * i));

  dlc_free(data);
  CHECK(dlc_memory_stats(&after) == DLC_STATUS_OK);
  CHECK(after.current_bytes == before.current_bytes);
  CHECK(dlc_alloc(0, 0) == NULL);
  CHECK(dlc_last_error_code() == DLC_STATUS_INVALID_ARGUMENT);
  printf("dlc runtime %s: C ABI ok\n", dlc_runtime_version());
  return 0;
}
