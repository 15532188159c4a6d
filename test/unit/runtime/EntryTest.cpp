//===- EntryTest.cpp - Unit tests for dlc_entry_run -----------------------===//
//
// dlc_entry_run over hand-written tables and a fake model (what dlc emits
// for `y = a + b` with a: f32[batch, 4], b: f32[batch, 4]), in both runtime
// test binaries (the second under ASan and UBSan, which also catch leaks of
// the blocks an interrupted call allocated).
//
//===----------------------------------------------------------------------===//

#include "dlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const int64_t kShape[2] = {-1, 4};
const int32_t kClasses[2] = {0, -1};
const char *const kDimNames[2] = {"batch", ""};
const int64_t kClassSize[1] = {-1};

const dlc_entry_tensor kInputs[2] = {
    {"a", DLC_DTYPE_F32, 2, kShape, kClasses, kDimNames, -1, 0},
    {"b", DLC_DTYPE_F32, 2, kShape, kClasses, kDimNames, -1, 0}};
const dlc_entry_tensor kOutputs[1] = {
    {"y", DLC_DTYPE_F32, 2, kShape, nullptr, nullptr, -1, 0}};
const dlc_entry kAdd = {2,       1,        1,          0,      "add_run",
                        kInputs, kOutputs, kClassSize, nullptr};

/// A memref descriptor of rank 2.
struct Desc2 {
  void *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

enum class Mode { Add, OutOfMemory, FailCheck, Temporaries, Arenas };
/// Mode::Arenas: the arenas the fake model acquired, in order.
char *arenas[4];
Mode mode = Mode::Add;

/// The fake model: y = a + b into a block of the generated code's
/// allocator; or a failure halfway.
void fakeAdd(void *results, void *const *inputs) {
  auto *y = static_cast<Desc2 *>(results);
  auto *a = static_cast<const Desc2 *>(inputs[0]);
  auto *b = static_cast<const Desc2 *>(inputs[1]);
  int64_t n = a->sizes[0] * a->sizes[1];
  auto *out = static_cast<float *>(
      _mlir_memref_to_llvm_alloc(static_cast<size_t>(n) * sizeof(float)));
  if (mode == Mode::OutOfMemory) {
    // 2^44 bytes: more than this machine has; dlc_entry_run must free `out`.
    (void)_mlir_memref_to_llvm_alloc(size_t(1) << 44);
    ADD_FAILURE() << "the failed allocation returned";
  }
  if (mode == Mode::Temporaries) {
    // Intermediate tensors freed at last use: 1000 + 2000 bytes live at
    // most, then 500 + the result.
    void *t1 = _mlir_memref_to_llvm_alloc(1000);
    void *t2 = _mlir_memref_to_llvm_alloc(2000);
    _mlir_memref_to_llvm_free(t1);
    void *t3 = _mlir_memref_to_llvm_alloc(500);
    _mlir_memref_to_llvm_free(t2);
    _mlir_memref_to_llvm_free(t3);
  }
  if (mode == Mode::Arenas) {
    // Three arenas live at once, as nested functions would hold them, then
    // a fourth after all are released; each written whole.
    const int64_t sizes[4] = {1000, 3000, 5000, 1000};
    for (int i = 0; i < 3; ++i) {
      arenas[i] = static_cast<char *>(dlc_arena_acquire(sizes[i]));
      memset(arenas[i], i + 1, static_cast<size_t>(sizes[i]));
    }
    for (int i = 2; i >= 0; --i)
      dlc_arena_release(arenas[i]);
    arenas[3] = static_cast<char *>(dlc_arena_acquire(sizes[3]));
    memset(arenas[3], 4, static_cast<size_t>(sizes[3]));
    dlc_arena_release(arenas[3]);
  }
  if (mode == Mode::FailCheck) {
    dlc_entry_fail("dims differ at run time");
    ADD_FAILURE() << "dlc_entry_fail returned";
  }
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<const float *>(a->aligned)[i] +
             static_cast<const float *>(b->aligned)[i];
  *y = {out, out, 0, {a->sizes[0], 4}, {4, 1}};
}

struct Call {
  float a[20] = {}, b[20] = {};
  int64_t shapeA[2] = {3, 4}, shapeB[2] = {3, 4}, outShape[2] = {0, 0};
  dlc_tensor in[2];
  dlc_tensor out;
  Call() {
    for (int i = 0; i < 20; ++i) {
      a[i] = float(i);
      b[i] = 100.0f * float(i);
    }
    in[0] = {a, DLC_DTYPE_F32, 2, shapeA, nullptr};
    in[1] = {b, DLC_DTYPE_F32, 2, shapeB, nullptr};
    out = {nullptr, DLC_DTYPE_F32, 0, outShape, nullptr};
  }
  dlc_status run() {
    mode = Mode::Add;
    return dlc_entry_run(&kAdd, in, &out, fakeAdd);
  }
};

std::string lastError() { return dlc_last_error(); }

TEST(Entry, GoodCall) {
  Call c;
  ASSERT_EQ(c.run(), DLC_STATUS_OK) << lastError();
  EXPECT_EQ(c.out.rank, 2);
  EXPECT_EQ(c.outShape[0], 3);
  EXPECT_EQ(c.outShape[1], 4);
  const float *y = static_cast<const float *>(c.out.data);
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(y[i], 101.0f * float(i));
  free(c.out.data);
}

// Each call reports its own peak and live bytes, from its start.
TEST(Entry, CallMemoryIsMeasuredPerCall) {
  // Blocks live before the call do not count in it.
  void *before = _mlir_memref_to_llvm_alloc(100000);
  Call c;
  mode = Mode::Temporaries;
  ASSERT_EQ(dlc_entry_run(&kAdd, c.in, &c.out, fakeAdd), DLC_STATUS_OK)
      << lastError();
  dlc_call_memory m;
  ASSERT_EQ(dlc_last_call_memory(&m), DLC_STATUS_OK);
  const uint64_t result = 12 * sizeof(float);
  EXPECT_EQ(m.peak_bytes, 3000u + result);
  EXPECT_EQ(m.live_bytes, result); // the result, before it is copied out
  EXPECT_EQ(m.allocated_bytes, 3500u + result);
  EXPECT_EQ(m.allocation_count, 4u);
  free(c.out.data);
  _mlir_memref_to_llvm_free(before);

  // The next call starts from zero again.
  Call d;
  ASSERT_EQ(d.run(), DLC_STATUS_OK) << lastError();
  ASSERT_EQ(dlc_last_call_memory(&m), DLC_STATUS_OK);
  EXPECT_EQ(m.peak_bytes, result);
  EXPECT_EQ(m.allocation_count, 1u);
  free(d.out.data);
  // Nothing of either call stays live.
  dlc_memory_usage u;
  ASSERT_EQ(dlc_model_memory_stats(&u), DLC_STATUS_OK);
  EXPECT_EQ(u.live_allocations, 0u);
  EXPECT_EQ(u.current_bytes, 0u);
  EXPECT_EQ(dlc_last_call_memory(nullptr), DLC_STATUS_INVALID_ARGUMENT);
}

// Arenas come from the caller's workspace, front to back and 64-byte
// aligned, while they fit; the rest from the allocator (counted in the
// call's memory); released, the workspace is whole again.
TEST(Entry, ArenasComeFromTheWorkspace) {
  alignas(64) static char workspace[4096 + 64];
  Call c;
  mode = Mode::Arenas;
  ASSERT_EQ(dlc_entry_run_workspace(&kAdd, c.in, &c.out, fakeAdd, workspace,
                                    sizeof(workspace)),
            DLC_STATUS_OK)
      << lastError();
  EXPECT_EQ(arenas[0], workspace);
  EXPECT_EQ(arenas[1], workspace + 1024);
  EXPECT_TRUE(arenas[2] < workspace || arenas[2] >= workspace + 4160);
  EXPECT_EQ(arenas[3], workspace);
  EXPECT_EQ(workspace[999], 4);  // arena 3 over arena 0
  EXPECT_EQ(workspace[1024], 2); // arena 1, whole
  EXPECT_EQ(workspace[4023], 2);
  EXPECT_EQ(workspace[4024], 0); // past it: untouched
  dlc_call_memory m;
  ASSERT_EQ(dlc_last_call_memory(&m), DLC_STATUS_OK);
  const uint64_t result = 12 * sizeof(float);
  EXPECT_EQ(m.peak_bytes, 5000u + result); // only the arena that did not fit
  EXPECT_EQ(m.allocation_count, 2u);
  free(c.out.data);

  // Without a workspace every arena is allocated.
  Call d;
  mode = Mode::Arenas;
  ASSERT_EQ(dlc_entry_run(&kAdd, d.in, &d.out, fakeAdd), DLC_STATUS_OK);
  ASSERT_EQ(dlc_last_call_memory(&m), DLC_STATUS_OK);
  EXPECT_EQ(m.peak_bytes, 9000u + result);
  EXPECT_TRUE(arenas[0] < workspace || arenas[0] >= workspace + 4160);
  free(d.out.data);

  // A call that fails halfway leaves no workspace behind for the next call
  // on this thread.
  Call e;
  mode = Mode::OutOfMemory;
  EXPECT_EQ(dlc_entry_run_workspace(&kAdd, e.in, &e.out, fakeAdd, workspace,
                                    sizeof(workspace)),
            DLC_STATUS_OUT_OF_MEMORY);
  void *after = dlc_arena_acquire(100);
  EXPECT_TRUE(static_cast<char *>(after) < workspace ||
              static_cast<char *>(after) >= workspace + 4160);
  dlc_arena_release(after);

  // A misaligned or missing workspace is refused before anything runs.
  Call f;
  EXPECT_EQ(dlc_entry_run_workspace(&kAdd, f.in, &f.out, fakeAdd, workspace + 8,
                                    4096),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("not 64-byte aligned"), std::string::npos)
      << lastError();
  EXPECT_EQ(dlc_entry_run_workspace(&kAdd, f.in, &f.out, fakeAdd, nullptr, 64),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(f.out.data, nullptr);
}

// The workspace a call needs: the static part plus each term's input dim
// times its bytes, for the shapes given; terms that do not apply to them
// count nothing, and an overflowing sum is SIZE_MAX.
TEST(Entry, WorkspaceBytesForTheInputs) {
  const int64_t terms[6] = {0, 0, 1000, 1, 1, 10};
  int64_t a[2] = {7, 4}, b[2] = {3, 5};
  dlc_tensor in[2] = {{nullptr, DLC_DTYPE_F32, 2, a, nullptr},
                      {nullptr, DLC_DTYPE_F32, 2, b, nullptr}};
  EXPECT_EQ(dlc_entry_workspace_bytes(in, 2, 64, terms, 2),
            64u + 7 * 1000 + 5 * 10);
  EXPECT_EQ(dlc_entry_workspace_bytes(nullptr, 2, 64, terms, 2), 64u);
  EXPECT_EQ(dlc_entry_workspace_bytes(in, 2, 0, nullptr, 0), 0u);
  // Input 1 missing (one input given), a NULL shape, a rank too small.
  EXPECT_EQ(dlc_entry_workspace_bytes(in, 1, 0, terms, 2), 7000u);
  in[1].shape = nullptr;
  EXPECT_EQ(dlc_entry_workspace_bytes(in, 2, 0, terms, 2), 7000u);
  in[1].shape = b;
  in[1].rank = 1;
  EXPECT_EQ(dlc_entry_workspace_bytes(in, 2, 0, terms, 2), 7000u);
  a[0] = INT64_MAX;
  EXPECT_EQ(dlc_entry_workspace_bytes(in, 2, 0, terms, 1), SIZE_MAX);
}

TEST(Entry, NullArrays) {
  Call c;
  EXPECT_EQ(dlc_entry_run(&kAdd, nullptr, &c.out, fakeAdd),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(),
            "add_run: `inputs` is NULL (expected an array of 2 tensors)");
  EXPECT_EQ(dlc_entry_run(&kAdd, c.in, nullptr, fakeAdd),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(),
            "add_run: `outputs` is NULL (expected an array of 1 tensors)");
}

TEST(Entry, NullDataAndShapes) {
  Call c;
  c.in[1].data = nullptr;
  EXPECT_EQ(c.run(), DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "add_run: input 1 'b' has NULL data (12 elements)");
  Call d;
  d.in[0].shape = nullptr;
  EXPECT_EQ(d.run(), DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "add_run: input 0 'a' has a NULL shape (rank 2)");
  Call e;
  e.out.shape = nullptr;
  EXPECT_EQ(e.run(), DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "add_run: output 0 'y' has a NULL shape (set it to "
                         "an int64_t[2] array)");
  // An empty tensor needs no data.
  Call f;
  f.shapeA[0] = f.shapeB[0] = 0;
  f.in[0].data = f.in[1].data = nullptr;
  EXPECT_EQ(f.run(), DLC_STATUS_OK) << lastError();
  free(f.out.data);
}

TEST(Entry, DtypeRankAndStaticDims) {
  Call c;
  c.in[1].dtype = DLC_DTYPE_F64;
  EXPECT_EQ(c.run(), DLC_STATUS_DTYPE_MISMATCH);
  EXPECT_EQ(lastError(), "add_run: input 1 'b' has dtype f64, expected f32");
  Call d;
  d.in[0].rank = 3;
  EXPECT_EQ(d.run(), DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "add_run: input 0 'a' has rank 3, expected 2");
  Call e;
  e.shapeB[1] = 5;
  EXPECT_EQ(e.run(), DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "add_run: input 1 'b' dim 1 is 5, expected 4");
  EXPECT_EQ(e.out.data, nullptr);
  Call f;
  f.shapeA[0] = -2;
  EXPECT_EQ(f.run(), DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "add_run: input 0 'a' dim 0 (batch) is -2 (negative)");
}

TEST(Entry, DynamicDimsMustAgree) {
  Call c;
  c.shapeB[0] = 5;
  EXPECT_EQ(c.run(), DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(),
            "add_run: input 1 'b' dim 0 (batch) is 5, but input 0 'a' dim 0 "
            "(batch) is 3; the model combines them, so they must be equal");
  EXPECT_EQ(c.out.data, nullptr);
  EXPECT_EQ(c.outShape[0], 0);

  const int64_t pinned[1] = {3};
  dlc_entry e = kAdd;
  e.class_size = pinned;
  Call d;
  d.shapeA[0] = d.shapeB[0] = 2;
  EXPECT_EQ(dlc_entry_run(&e, d.in, &d.out, fakeAdd),
            DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "add_run: input 0 'a' dim 0 (batch) is 2, but the "
                         "model needs 3 there (it meets a dim of that static "
                         "size)");
}

TEST(Entry, StridedInputIsCopied) {
  Call c;
  // b: the transpose of a 4x3 row-major array, a 3x4 view.
  float t[12];
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 4; ++k)
      t[k * 3 + r] = 1000.0f * float(r * 4 + k);
  const int64_t strides[2] = {1, 3};
  c.in[1].data = t;
  c.in[1].strides = strides;
  ASSERT_EQ(c.run(), DLC_STATUS_OK) << lastError();
  const float *y = static_cast<const float *>(c.out.data);
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(y[i], 1001.0f * float(i));
  free(c.out.data);
}

TEST(Entry, OutOfMemoryUnwindsAndFrees) {
  Call c;
  mode = Mode::OutOfMemory;
  EXPECT_EQ(dlc_entry_run(&kAdd, c.in, &c.out, fakeAdd),
            DLC_STATUS_OUT_OF_MEMORY);
  EXPECT_NE(lastError().find("add_run: out of memory allocating "
                             "17592186044416 bytes (16384.0 GiB)"),
            std::string::npos)
      << lastError();
  EXPECT_EQ(c.out.data, nullptr);
  // The next call works.
  ASSERT_EQ(c.run(), DLC_STATUS_OK) << lastError();
  free(c.out.data);
}

TEST(Entry, FailedCheckReturnsAnError) {
  Call c;
  mode = Mode::FailCheck;
  EXPECT_EQ(dlc_entry_run(&kAdd, c.in, &c.out, fakeAdd),
            DLC_STATUS_RUNTIME_ERROR);
  EXPECT_EQ(lastError(), "add_run: dims differ at run time");
  EXPECT_EQ(c.out.data, nullptr);
  ASSERT_EQ(c.run(), DLC_STATUS_OK) << lastError();
  free(c.out.data);
}

TEST(Entry, WeightsNotLoaded) {
  Call c;
  const int32_t notReady = 0;
  dlc_entry e = kAdd;
  e.ready = &notReady;
  EXPECT_EQ(dlc_entry_run(&e, c.in, &c.out, fakeAdd), DLC_STATUS_RUNTIME_ERROR);
}

/// State updated in place: out 0 goes into input 0's buffer.
void fakeIncrement(void *results, void *const *inputs) {
  auto *in = static_cast<const Desc2 *>(inputs[0]);
  auto *out = static_cast<float *>(_mlir_memref_to_llvm_alloc(8));
  out[0] = static_cast<const float *>(in->aligned)[0] + 1;
  out[1] = static_cast<const float *>(in->aligned)[1] + 1;
  *static_cast<Desc2 *>(results) = {out, out, 0, {1, 2}, {2, 1}};
}

TEST(Entry, InPlaceStateMustBeContiguous) {
  const int64_t shape[2] = {1, 2};
  const dlc_entry_tensor ins[1] = {
      {"w", DLC_DTYPE_F32, 2, shape, nullptr, nullptr, -1, 0}};
  const dlc_entry_tensor outs[1] = {
      {"w", DLC_DTYPE_F32, 2, shape, nullptr, nullptr, 0, 0}};
  const dlc_entry e = {1, 1, 0, 0, "step", ins, outs, nullptr, nullptr};
  float w[4] = {1, 0, 2, 0};
  int64_t dims[2] = {1, 2};
  dlc_tensor in = {w, DLC_DTYPE_F32, 2, dims, nullptr};
  ASSERT_EQ(dlc_entry_run(&e, &in, nullptr, fakeIncrement), DLC_STATUS_OK)
      << lastError();
  EXPECT_EQ(w[0], 2.0f);
  EXPECT_EQ(w[1], 1.0f);
  const int64_t strides[2] = {4, 2};
  in.strides = strides;
  EXPECT_EQ(dlc_entry_run(&e, &in, nullptr, fakeIncrement),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "step: input 0 'w' is updated in place and must be "
                         "contiguous (its strides are not row-major)");
}

extern "C" void __kmpc_fork_call(void *loc, int32_t argc,
                                 void (*task)(int32_t *, int32_t *, ...), ...);

void emptyTask(int32_t *, int32_t *, ...) {}

/// A parallel region with more captured values than the OpenMP shim passes
/// on (dlc refuses to compile one) fails the call instead of running
/// with missing arguments.
void fakeWideRegion(void *, void *const *) {
  __kmpc_fork_call(nullptr, 40, emptyTask);
  ADD_FAILURE() << "the region ran";
}

TEST(Entry, TooManyParallelArgumentsFail) {
  Call c;
  EXPECT_EQ(dlc_entry_run(&kAdd, c.in, &c.out, fakeWideRegion),
            DLC_STATUS_RUNTIME_ERROR);
  EXPECT_EQ(lastError(), "add_run: a parallel region captures 40 values; the "
                         "runtime passes at most 32");
}

TEST(MemrefAlloc, HugeRequestsFailOutsideEntryPoints) {
  // No size class may wrap a huge request around to a small block.
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX - 100), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_alloc((SIZE_MAX >> 1) + 1), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(4096, SIZE_MAX - 4000), nullptr);
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_OUT_OF_MEMORY);
}

} // namespace
