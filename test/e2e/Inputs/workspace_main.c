/* A caller's workspace for a model's planned arena (test/e2e/workspace.test):
 * ws_net_run_with_workspace gives the same bits as ws_net_run, takes the
 * arena from the workspace (the call's allocator peak drops by exactly
 * ws_net_workspace_bytes()), falls back to the allocator when the workspace
 * is too small, and refuses a misaligned or NULL workspace. ws_dyn's arenas
 * are sized by its dynamic batch: ws_dyn_workspace_bytes(inputs) holds them
 * for those inputs. */
#include "ws_dyn.h"
#include "ws_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static float x[64 * 96], w[96 * 64];

/* Runs the model (with `ws` when `bytes` or `ws` is set); the result is
 * malloc'd into *y, the call's peak into *peak. Returns the status. */
static int32_t run(void *ws, size_t bytes, int useWorkspace, float **y,
                   uint64_t *peak) {
  int64_t xs[2] = {64, 96}, wsh[2] = {96, 64}, ys[2];
  dlc_tensor in[2] = {{x, DLC_DTYPE_F32, 2, xs, NULL},
                      {w, DLC_DTYPE_F32, 2, wsh, NULL}};
  dlc_tensor out[1] = {{NULL, DLC_DTYPE_F32, 2, ys, NULL}};
  int32_t status = useWorkspace ? ws_net_run_with_workspace(in, out, ws, bytes)
                                : ws_net_run(in, out);
  dlc_call_memory m;
  dlc_last_call_memory(&m);
  *peak = m.peak_bytes;
  *y = (float *)out[0].data;
  return status;
}

static void expectSame(const char *label, const float *a, const float *b) {
  int same = a && b && memcmp(a, b, sizeof(float) * 64 * 64) == 0;
  printf("%s: %s\n", label, same ? "same bits" : "DIFFERENT");
  failures += !same;
}

/* ws_dyn at batch 5 and 9: its arenas grow with the batch, and a workspace
 * of ws_dyn_workspace_bytes(inputs) holds all of them. */
static void dynamicBatch(void) {
  static float v[64 * 64];
  for (int i = 0; i < 64 * 64; ++i)
    v[i] = (float)((i * 29) % 89) / 89.0f - 0.5f;
  printf("dynamic: without inputs %zu\n", ws_dyn_workspace_bytes(NULL));
  for (int64_t batch = 5; batch <= 9; batch += 4) {
    int64_t xs[2] = {batch, 96}, wsh[2] = {96, 64}, vs[2] = {64, 64}, ys[2];
    dlc_tensor in[3] = {{x, DLC_DTYPE_F32, 2, xs, NULL},
                        {w, DLC_DTYPE_F32, 2, wsh, NULL},
                        {v, DLC_DTYPE_F32, 2, vs, NULL}};
    size_t bytes = ws_dyn_workspace_bytes(in);
    printf("dynamic batch %d: workspace bytes %zu\n", (int)batch, bytes);
    dlc_call_memory m;
    dlc_tensor plain = {NULL, DLC_DTYPE_F32, 2, ys, NULL};
    if (ws_dyn_run(in, &plain) != 0) {
      printf("dynamic: plain run failed: %s\n", dlc_last_error());
      ++failures;
      return;
    }
    dlc_last_call_memory(&m);
    uint64_t peakPlain = m.peak_bytes;
    void *ws = aligned_alloc(64, bytes);
    dlc_tensor out = {NULL, DLC_DTYPE_F32, 2, ys, NULL};
    int32_t status = ws_dyn_run_with_workspace(in, &out, ws, bytes);
    dlc_last_call_memory(&m);
    printf("dynamic batch %d: status %d\n", (int)batch, status);
    int same = out.data && memcmp(plain.data, out.data,
                                  sizeof(float) * (size_t)batch * 64) == 0;
    printf("dynamic batch %d: %s\n", (int)batch,
           same ? "same bits" : "DIFFERENT");
    failures += !same;
    printf("dynamic batch %d: peak lower by the workspace: %s\n", (int)batch,
           peakPlain - m.peak_bytes == bytes ? "yes" : "NO");
    failures += peakPlain - m.peak_bytes != bytes;
    free(ws);
    free(plain.data);
    free(out.data);
  }
}

int main(void) {
  for (int i = 0; i < 64 * 96; ++i) {
    x[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
    w[i] = (float)((i * 53) % 97) / 97.0f - 0.5f;
  }
  int64_t xs[2] = {64, 96}, wsh[2] = {96, 64};
  dlc_tensor in[2] = {{x, DLC_DTYPE_F32, 2, xs, NULL},
                      {w, DLC_DTYPE_F32, 2, wsh, NULL}};
  size_t bytes = ws_net_workspace_bytes(in);
  printf("workspace bytes: %zu (without inputs %zu)\n", bytes,
         ws_net_workspace_bytes(NULL));

  float *plain, *y;
  uint64_t peakPlain, peak;
  if (run(NULL, 0, 0, &plain, &peakPlain) != 0) {
    printf("plain run failed: %s\n", dlc_last_error());
    return 1;
  }

  unsigned char *ws = aligned_alloc(64, bytes + 64);
  memset(ws, 0xAB, bytes + 64);
  for (int round = 0; round < 2; ++round) {
    int32_t status = run(ws, bytes, 1, &y, &peak);
    printf("with workspace: status %d\n", status);
    expectSame("with workspace", plain, y);
    printf("with workspace: peak lower by %llu bytes\n",
           (unsigned long long)(peakPlain - peak));
    free(y);
  }
  size_t touched = 0;
  for (size_t i = 0; i < bytes; ++i)
    touched += ws[i] != 0xAB;
  printf("workspace written: %s\n", touched > bytes / 2 ? "yes" : "NO");
  failures += touched <= bytes / 2;
  int tail = 1;
  for (size_t i = bytes; i < bytes + 64; ++i)
    tail &= ws[i] == 0xAB;
  printf("bytes past the workspace untouched: %s\n", tail ? "yes" : "NO");
  failures += !tail;

  int32_t status = run(ws, bytes / 2, 1, &y, &peak);
  printf("half workspace: status %d\n", status);
  expectSame("half workspace", plain, y);
  printf("half workspace: peak lower by %llu bytes\n",
         (unsigned long long)(peakPlain - peak));
  free(y);

  status = run(NULL, 0, 1, &y, &peak);
  printf("no workspace: status %d\n", status);
  expectSame("no workspace", plain, y);
  free(y);

  dlc_clear_error();
  status = run(ws + 1, bytes, 1, &y, &peak);
  printf("misaligned: status %d: %s\n", status, dlc_last_error());
  failures += y != NULL;
  status = run(NULL, 100, 1, &y, &peak);
  printf("NULL: status %d: %s\n", status, dlc_last_error());
  failures += y != NULL;

  status = run(ws, bytes, 1, &y, &peak);
  expectSame("after the bad calls", plain, y);
  free(y);
  free(ws);
  free(plain);
  dynamicBatch();
  printf("failures: %d\n", failures);
  return failures != 0;
}
