/* Bad calls of compiled entry points (test/e2e/entry_abi.test): each must
 * return an error status whose dlc_last_error() names the input, the dim and
 * both values, leave the outputs untouched, and let the next good call
 * succeed. Also run under AddressSanitizer. */
#include "abi_add.h"
#include "abi_concat.h"
#include "abi_gather.h"
#include "abi_matmul.h"
#include "abi_outer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*run_fn)(const dlc_tensor *, dlc_tensor *);

static int failures;

/* Calls `run`, prints the status and message under `label`. */
static int32_t call(const char *label, run_fn run, const dlc_tensor *inputs,
                    dlc_tensor *outputs) {
  dlc_clear_error();
  int32_t status = run(inputs, outputs);
  printf("%s: status %d (%s): %s\n", label, status,
         dlc_status_message((dlc_status)status), dlc_last_error());
  return status;
}

static void expectUntouched(const char *label, const dlc_tensor *out) {
  if (out->data != NULL) {
    printf("%s: FAIL: output written on failure\n", label);
    ++failures;
  }
}

/* A good call of abi_add with `rows` rows; checks y = a + b. */
static void goodAdd(const char *label, int64_t rows) {
  float a[32], b[32];
  for (int i = 0; i < rows * 4; ++i) {
    a[i] = (float)i;
    b[i] = 100.0f * (float)i;
  }
  int64_t shape[2] = {rows, 4}, outShape[2] = {0, 0};
  dlc_tensor in[2] = {{a, DLC_DTYPE_F32, 2, shape, NULL},
                      {b, DLC_DTYPE_F32, 2, shape, NULL}};
  dlc_tensor out = {NULL, DLC_DTYPE_F32, 2, outShape, NULL};
  if (call(label, abi_add_run, in, &out) != DLC_STATUS_OK) {
    ++failures;
    return;
  }
  const float *y = (const float *)out.data;
  int ok = outShape[0] == rows && outShape[1] == 4;
  for (int i = 0; ok && i < rows * 4; ++i)
    ok = y[i] == 101.0f * (float)i;
  printf("%s: %s\n", label, ok ? "correct" : "WRONG");
  failures += !ok;
  abi_add_release(&out);
}

static void addModel(void) {
  float a[20] = {0}, b[20] = {0};
  int64_t s34[2] = {3, 4}, s54[2] = {5, 4}, s35[2] = {3, 5},
          s334[3] = {3, 3, 4};
  int64_t outShape[2];
  dlc_tensor out = {NULL, DLC_DTYPE_F32, 2, outShape, NULL};

  dlc_tensor rank[2] = {{a, DLC_DTYPE_F32, 3, s334, NULL},
                        {b, DLC_DTYPE_F32, 2, s34, NULL}};
  call("add wrong rank", abi_add_run, rank, &out);
  expectUntouched("add wrong rank", &out);
  dlc_tensor dim[2] = {{a, DLC_DTYPE_F32, 2, s34, NULL},
                       {b, DLC_DTYPE_F32, 2, s35, NULL}};
  call("add wrong static dim", abi_add_run, dim, &out);
  dlc_tensor dtype[2] = {{a, DLC_DTYPE_F32, 2, s34, NULL},
                         {b, DLC_DTYPE_I32, 2, s34, NULL}};
  call("add wrong dtype", abi_add_run, dtype, &out);
  dlc_tensor batch[2] = {{a, DLC_DTYPE_F32, 2, s34, NULL},
                         {b, DLC_DTYPE_F32, 2, s54, NULL}};
  call("add batch 3 vs 5", abi_add_run, batch, &out);
  expectUntouched("add batch 3 vs 5", &out);

  call("add NULL inputs", abi_add_run, NULL, &out);
  dlc_tensor good[2] = {{a, DLC_DTYPE_F32, 2, s34, NULL},
                        {b, DLC_DTYPE_F32, 2, s34, NULL}};
  call("add NULL outputs", abi_add_run, good, NULL);
  dlc_tensor noData[2] = {{a, DLC_DTYPE_F32, 2, s34, NULL},
                          {NULL, DLC_DTYPE_F32, 2, s34, NULL}};
  call("add NULL data", abi_add_run, noData, &out);
  dlc_tensor noShape[2] = {{a, DLC_DTYPE_F32, 2, NULL, NULL},
                           {b, DLC_DTYPE_F32, 2, s34, NULL}};
  call("add NULL shape", abi_add_run, noShape, &out);
  dlc_tensor noOutShape = {NULL, DLC_DTYPE_F32, 2, NULL, NULL};
  call("add NULL output shape", abi_add_run, good, &noOutShape);
  expectUntouched("add after errors", &out);
  goodAdd("add good call", 3);

  /* b is the transpose of a 4x3 row-major array: a strided 3x4 view. */
  float x[12], bt[12];
  for (int i = 0; i < 12; ++i)
    x[i] = (float)i;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c)
      bt[c * 3 + r] = 1000.0f * (float)(r * 4 + c);
  int64_t strides[2] = {1, 3};
  dlc_tensor strided[2] = {{x, DLC_DTYPE_F32, 2, s34, NULL},
                           {bt, DLC_DTYPE_F32, 2, s34, strides}};
  if (call("add transposed input", abi_add_run, strided, &out) == 0) {
    const float *y = (const float *)out.data;
    int ok = 1;
    for (int i = 0; i < 12; ++i)
      ok &= y[i] == 1001.0f * (float)i;
    printf("add transposed input: %s\n", ok ? "correct" : "WRONG");
    failures += !ok;
    abi_add_release(&out);
  } else {
    ++failures;
  }
}

static void concatModel(void) {
  float a[20] = {0}, b[10] = {0};
  int64_t sa[2] = {3, 4}, sb[2] = {5, 2}, outShape[2];
  dlc_tensor out = {NULL, DLC_DTYPE_F32, 2, outShape, NULL};
  dlc_tensor in[2] = {{a, DLC_DTYPE_F32, 2, sa, NULL},
                      {b, DLC_DTYPE_F32, 2, sb, NULL}};
  call("concat batch 3 vs 5", abi_concat_run, in, &out);
  expectUntouched("concat batch 3 vs 5", &out);
  sb[0] = 3;
  if (call("concat good call", abi_concat_run, in, &out) == 0) {
    printf("concat good call: %lldx%lld\n", (long long)outShape[0],
           (long long)outShape[1]);
    abi_concat_release(&out);
  } else {
    ++failures;
  }
}

static void matmulModel(void) {
  float x[12] = {0}, w[9] = {0}, s[256] = {0};
  int64_t sx[2] = {4, 3}, sw[2] = {2, 3}, ss[2] = {15, 15};
  int64_t shapes[2][2];
  dlc_tensor out[2] = {{NULL, DLC_DTYPE_F32, 2, shapes[0], NULL},
                       {NULL, DLC_DTYPE_F32, 2, shapes[1], NULL}};
  dlc_tensor in[3] = {{x, DLC_DTYPE_F32, 2, sx, NULL},
                      {w, DLC_DTYPE_F32, 2, sw, NULL},
                      {s, DLC_DTYPE_F32, 2, ss, NULL}};
  call("matmul 15x15", abi_matmul_run, in, out);
  ss[0] = ss[1] = 16;
  call("matmul K 3 vs 2", abi_matmul_run, in, out);
  sw[0] = 3;
  if (call("matmul good call", abi_matmul_run, in, out) == 0)
    abi_matmul_release(out);
  else
    ++failures;
}

static void outerModel(void) {
  const int64_t n = (int64_t)1 << 21;
  float *a = (float *)calloc((size_t)n, sizeof(float));
  float *b = (float *)calloc((size_t)n, sizeof(float));
  int64_t sa[2] = {n, 1}, sb[2] = {1, n}, outShape[2];
  dlc_tensor out = {NULL, DLC_DTYPE_F32, 2, outShape, NULL};
  dlc_tensor in[2] = {{a, DLC_DTYPE_F32, 2, sa, NULL},
                      {b, DLC_DTYPE_F32, 2, sb, NULL}};
  call("outer 2^21 x 2^21", abi_outer_run, in, &out);
  expectUntouched("outer 2^21 x 2^21", &out);
  sa[0] = 3;
  sb[1] = 2;
  if (call("outer good call", abi_outer_run, in, &out) == 0) {
    printf("outer good call: %lldx%lld\n", (long long)outShape[0],
           (long long)outShape[1]);
    abi_outer_release(&out);
  } else {
    ++failures;
  }
  free(a);
  free(b);
}

/* Gather indices outside [-4, 4) are an error status naming the node (ONNX
 * calls them invalid), not a read outside the table. */
static void gatherModel(void) {
  float table[12];
  for (int i = 0; i < 12; ++i)
    table[i] = (float)i;
  int64_t idx[3] = {1, 7, -1}, st[2] = {4, 3}, si[1] = {3}, outShape[2];
  dlc_tensor in[2] = {{table, DLC_DTYPE_F32, 2, st, NULL},
                      {idx, DLC_DTYPE_I64, 1, si, NULL}};
  dlc_tensor out = {NULL, DLC_DTYPE_F32, 2, outShape, NULL};
  call("gather index 7 of 4", abi_gather_run, in, &out);
  expectUntouched("gather index 7 of 4", &out);
  idx[1] = -5;
  call("gather index -5 of 4", abi_gather_run, in, &out);
  expectUntouched("gather index -5 of 4", &out);
  idx[1] = -4;
  if (call("gather good call", abi_gather_run, in, &out) == 0) {
    const float *y = (const float *)out.data;
    int ok = outShape[0] == 3 && y[0] == 3.0f && y[3] == 0.0f && y[6] == 9.0f;
    printf("gather good call: %s\n", ok ? "correct" : "WRONG");
    failures += !ok;
    abi_gather_release(&out);
  } else {
    ++failures;
  }
}

int main(void) {
  addModel();
  concatModel();
  matmulModel();
  outerModel();
  gatherModel();
  goodAdd("add after everything", 5);
  printf("failures: %d\n", failures);
  return failures != 0;
}
