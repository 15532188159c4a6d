//===- CudaTest.cpp - the CUDA runtime against a fake driver --------------===//
//
// runtime/src/cuda/ loads FakeCuda.c's library through its own dlopen path
// (DLC_CUDA_DRIVER_PATH) and these tests read back what it was asked to do:
// lazy module loads, launch geometry, copies and their sizes, the pool,
// errors turned into statuses, and the path where no driver exists. Built
// into both runtime test binaries (the second under ASan and UBSan).
//
//===----------------------------------------------------------------------===//

#include "dlc/cuda.h"
#include "cuda/cuda_internal.h"
#include "dlc/runtime.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void *mgpuMemAlloc(uint64_t size, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t size, void *stream);
void *dlcCudaConstant(int64_t *slot, const void *host, uint64_t bytes);
}

namespace {

struct FakeCall {
  char name[32];
  uint64_t a[8];
  const void *ptr;
  char text[64];
};

/// The fake driver's controls, from the same library the runtime loaded.
struct Fake {
  void *handle = nullptr;
  void (*reset)() = nullptr;
  void (*fail)(const char *, int) = nullptr;
  void (*setDeviceCount)(int) = nullptr;
  int (*numCalls)() = nullptr;
  const void *(*rawCall)(int) = nullptr;
  int (*liveAllocations)() = nullptr;

  const FakeCall *call(int i) {
    return static_cast<const FakeCall *>(rawCall(i));
  }

  std::vector<const FakeCall *> calls(const char *name) {
    std::vector<const FakeCall *> out;
    for (int i = 0; i < numCalls(); ++i)
      if (!strcmp(call(i)->name, name))
        out.push_back(call(i));
    return out;
  }
};

class CudaRuntime : public ::testing::Test {
protected:
  Fake fake;

  void SetUp() override {
    setenv("DLC_CUDA_DRIVER_PATH", DLC_FAKE_CUDA_PATH, 1);
    unsetenv("DLC_CUDA_DEVICE");
    dlc_cuda_release_cached();
    dlc_internal_cuda_reset_for_tests();
    fake.handle = dlopen(DLC_FAKE_CUDA_PATH, RTLD_NOW);
    ASSERT_NE(fake.handle, nullptr) << dlerror();
    auto sym = [&](auto &field, const char *name) {
      *reinterpret_cast<void **>(&field) = dlsym(fake.handle, name);
      ASSERT_NE(reinterpret_cast<void *>(field), nullptr) << name;
    };
    sym(fake.reset, "fake_cuda_reset");
    sym(fake.fail, "fake_cuda_fail");
    sym(fake.setDeviceCount, "fake_cuda_set_device_count");
    sym(fake.numCalls, "fake_cuda_num_calls");
    sym(fake.rawCall, "fake_cuda_call");
    sym(fake.liveAllocations, "fake_cuda_live_allocations");
    fake.reset();
  }

  void TearDown() override {
    if (fake.handle) {
      fake.reset();
      dlc_cuda_release_cached();
      dlc_internal_cuda_reset_for_tests();
      dlclose(fake.handle);
    }
    unsetenv("DLC_CUDA_DRIVER_PATH");
  }
};

// What the generated code's entry points run: one call of dlc_entry_run
// with no inputs or outputs, whose body is `body`.
void (*entryBody)() = nullptr;
void invokeBody(void *, void *const *) { entryBody(); }
const dlc_entry kEmptyEntry = {0,       0,       0,       0,      "model_run",
                               nullptr, nullptr, nullptr, nullptr};

dlc_status runEntry(void (*body)()) {
  entryBody = body;
  return dlc_entry_run(&kEmptyEntry, nullptr, nullptr, invokeBody);
}

const char kPtx[] = "//\n.version 7.0\n.target sm_80\n.address_size 64\n";

TEST_F(CudaRuntime, InitializesOnFirstUseOnly) {
  EXPECT_EQ(fake.numCalls(), 0);
  ASSERT_EQ(dlc_cuda_init(), DLC_STATUS_OK) << dlc_last_error();
  EXPECT_EQ(fake.calls("cuInit").size(), 1u);
  EXPECT_EQ(fake.calls("cuDevicePrimaryCtxRetain").size(), 1u);
  EXPECT_EQ(fake.calls("cuCtxSetCurrent").size(), 1u);
  ASSERT_EQ(dlc_cuda_init(), DLC_STATUS_OK);
  EXPECT_EQ(fake.calls("cuInit").size(), 1u);
}

TEST_F(CudaRuntime, ModulesLoadLazilyAndOnce) {
  // What the model's global constructor does: no driver call at all.
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kPtx), 3);
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(fake.numCalls(), 0);
  static void *m;
  m = module;
  ASSERT_EQ(runEntry([] {
              void *f1 = mgpuModuleGetFunction(m, "main_kernel");
              void *f2 = mgpuModuleGetFunction(m, "main_kernel_0");
              EXPECT_EQ(f1, f2); // the fake's one function handle
            }),
            DLC_STATUS_OK)
      << dlc_last_error();
  auto loads = fake.calls("cuModuleLoadDataEx");
  ASSERT_EQ(loads.size(), 1u);
  EXPECT_EQ(loads[0]->ptr, static_cast<const void *>(kPtx));
  EXPECT_EQ(std::string(loads[0]->text).substr(0, 3), "//\n");
  auto gets = fake.calls("cuModuleGetFunction");
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_STREQ(gets[0]->text, "main_kernel");
  EXPECT_STREQ(gets[1]->text, "main_kernel_0");
  mgpuModuleUnload(module);
  EXPECT_EQ(fake.calls("cuModuleUnload").size(), 1u);
}

TEST_F(CudaRuntime, LaunchGeometry) {
  ASSERT_EQ(runEntry([] {
              void *m = mgpuModuleLoadJIT(const_cast<char *>(kPtx), 2);
              void *f = mgpuModuleGetFunction(m, "k");
              void *s = mgpuStreamCreate();
              int64_t arg = 42;
              void *params[1] = {&arg};
              mgpuLaunchKernel(f, 196, 1, 1, 256, 1, 1, 0, s, params, nullptr,
                               1);
              mgpuLaunchKernel(f, 0, 1, 1, 256, 1, 1, 0, s, params, nullptr,
                               1); // empty: not launched
              mgpuStreamSynchronize(s);
              mgpuStreamDestroy(s);
              mgpuModuleUnload(m);
            }),
            DLC_STATUS_OK)
      << dlc_last_error();
  auto launches = fake.calls("cuLaunchKernel");
  ASSERT_EQ(launches.size(), 1u);
  const uint64_t expected[7] = {196, 1, 1, 256, 1, 1, 0};
  for (int i = 0; i < 7; ++i)
    EXPECT_EQ(launches[0]->a[i], expected[i]) << "argument " << i;
  EXPECT_STREQ(launches[0]->text, "params");
  EXPECT_EQ(fake.calls("cuStreamSynchronize").size(), 1u);
}

TEST_F(CudaRuntime, StreamsAreReused) {
  ASSERT_EQ(runEntry([] {
              for (int i = 0; i < 5; ++i) {
                void *s = mgpuStreamCreate();
                mgpuStreamSynchronize(s);
                mgpuStreamDestroy(s);
              }
            }),
            DLC_STATUS_OK);
  EXPECT_LE(fake.calls("cuStreamCreate").size(), 1u);
  EXPECT_EQ(fake.calls("cuStreamDestroy_v2").size(), 0u);
}

TEST_F(CudaRuntime, CopiesAndTheirSizes) {
  static float host[250], back[250];
  for (int i = 0; i < 250; ++i)
    host[i] = float(i) * 0.5f;
  ASSERT_EQ(runEntry([] {
              void *s = mgpuStreamCreate();
              void *d = mgpuMemAlloc(1000, s, false);
              mgpuMemcpy(d, host, 1000, s);
              mgpuMemcpy(back, d, 1000, s);
              mgpuStreamSynchronize(s);
              mgpuMemFree(d, s);
              mgpuStreamDestroy(s);
            }),
            DLC_STATUS_OK)
      << dlc_last_error();
  EXPECT_EQ(memcmp(host, back, sizeof host), 0);
  auto allocs = fake.calls("cuMemAlloc_v2");
  ASSERT_EQ(allocs.size(), 1u);
  EXPECT_EQ(allocs[0]->a[0], 1024u); // rounded to the pool's 512 bytes
  auto copies = fake.calls("cuMemcpyAsync");
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0]->a[2], 1000u);
  EXPECT_EQ(copies[0]->a[1], uint64_t(uintptr_t(host)));
  EXPECT_EQ(copies[1]->a[0], uint64_t(uintptr_t(back)));
  EXPECT_EQ(copies[1]->a[1], copies[0]->a[0]); // from the device buffer
}

TEST_F(CudaRuntime, PoolReusesBlocksInStreamOrder) {
  static void *first, *second, *third, *s1, *s2;
  dlc_cuda_memory_usage before;
  ASSERT_EQ(dlc_cuda_memory_stats(&before), DLC_STATUS_OK);
  ASSERT_EQ(runEntry([] {
              s1 = mgpuStreamCreate();
              s2 = mgpuStreamCreate();
              first = mgpuMemAlloc(4096, s1, false);
              mgpuMemFree(first, s1);
              // Same stream: reused at once.
              second = mgpuMemAlloc(4000, s1, false);
              mgpuMemFree(second, s1);
              // Another stream, before s1 synchronized: a new block.
              third = mgpuMemAlloc(4096, s2, false);
              mgpuMemFree(third, s2);
            }),
            DLC_STATUS_OK);
  EXPECT_NE(s1, s2);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, third) << s1 << " " << s2;
  EXPECT_EQ(fake.calls("cuMemAlloc_v2").size(), 2u);
  dlc_cuda_memory_usage usage;
  ASSERT_EQ(dlc_cuda_memory_stats(&usage), DLC_STATUS_OK);
  EXPECT_EQ(usage.bytes_in_use, 0u);
  EXPECT_EQ(usage.bytes_cached, 2u * 4096);
  EXPECT_GE(usage.peak_bytes_in_use, 4096u);
  EXPECT_EQ(usage.driver_allocations - before.driver_allocations, 2u);
  ASSERT_EQ(runEntry([] {
              mgpuStreamSynchronize(s1);
              // After the sync, s1's block is free for s2.
              void *again = mgpuMemAlloc(4096, s2, false);
              EXPECT_TRUE(again == first || again == third);
              mgpuMemFree(again, s2);
              mgpuStreamDestroy(s1);
              mgpuStreamDestroy(s2);
            }),
            DLC_STATUS_OK);
  EXPECT_EQ(fake.calls("cuMemAlloc_v2").size(), 2u);
  dlc_cuda_release_cached();
  EXPECT_EQ(fake.calls("cuMemFree_v2").size(), 2u);
  EXPECT_EQ(fake.liveAllocations(), 0);
}

TEST_F(CudaRuntime, LaunchErrorBecomesAStatus) {
  fake.fail("cuLaunchKernel", 700);
  dlc_status status = runEntry([] {
    void *m = mgpuModuleLoadJIT(const_cast<char *>(kPtx), 2);
    void *f = mgpuModuleGetFunction(m, "k");
    mgpuModuleUnload(m);
    mgpuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
    ADD_FAILURE() << "the failed launch returned";
  });
  EXPECT_EQ(status, DLC_STATUS_RUNTIME_ERROR);
  std::string message = dlc_last_error();
  EXPECT_NE(message.find("model_run: cuLaunchKernel failed: an illegal memory "
                         "access was encountered (700)"),
            std::string::npos)
      << message;
}

TEST_F(CudaRuntime, JitErrorNamesTheKernel) {
  fake.fail("cuModuleLoadDataEx", 218);
  static void *m;
  m = mgpuModuleLoadJIT(const_cast<char *>(kPtx), 2);
  dlc_status status = runEntry([] { mgpuModuleGetFunction(m, "conv_kernel"); });
  mgpuModuleUnload(m);
  EXPECT_EQ(status, DLC_STATUS_RUNTIME_ERROR);
  std::string message = dlc_last_error();
  EXPECT_NE(message.find("loading the kernels of 'conv_kernel' failed: a PTX "
                         "JIT compilation failed (218): ptxas application ptx "
                         "input: fake"),
            std::string::npos)
      << message;
}

TEST_F(CudaRuntime, OutOfDeviceMemoryBecomesAStatus) {
  fake.fail("cuMemAlloc_v2", 2);
  dlc_status status =
      runEntry([] { mgpuMemAlloc(uint64_t(1) << 34, nullptr, false); });
  EXPECT_EQ(status, DLC_STATUS_RUNTIME_ERROR);
  EXPECT_NE(std::string(dlc_last_error())
                .find("out of GPU memory allocating "
                      "17179869184 bytes"),
            std::string::npos)
      << dlc_last_error();
}

TEST_F(CudaRuntime, NoDevice) {
  fake.setDeviceCount(0);
  EXPECT_EQ(dlc_cuda_init(), DLC_STATUS_RUNTIME_ERROR);
  EXPECT_NE(std::string(dlc_last_error()).find("no CUDA device"),
            std::string::npos)
      << dlc_last_error();
}

TEST_F(CudaRuntime, DevicePointerEntry) {
  static float result[6] = {1, 2, 3, 4, 5, 6};
  auto run = [](const dlc_tensor *, dlc_tensor *outputs) -> dlc_status {
    void *data = malloc(sizeof result);
    memcpy(data, result, sizeof result);
    outputs[0].data = data;
    outputs[0].dtype = DLC_DTYPE_F32;
    outputs[0].rank = 2;
    const_cast<int64_t *>(outputs[0].shape)[0] = 2;
    const_cast<int64_t *>(outputs[0].shape)[1] = 3;
    return DLC_STATUS_OK;
  };
  int64_t shape[2];
  dlc_tensor out = {nullptr, DLC_DTYPE_F32, 2, shape, nullptr};
  ASSERT_EQ(dlc_cuda_run_device(run, 1, nullptr, &out), DLC_STATUS_OK)
      << dlc_last_error();
  auto allocs = fake.calls("cuMemAlloc_v2");
  ASSERT_EQ(allocs.size(), 1u);
  EXPECT_EQ(out.data, allocs[0]->ptr); // the output lives on the "device"
  auto copies = fake.calls("cuMemcpy");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0]->a[2], sizeof result);
  EXPECT_EQ(memcmp(out.data, result, sizeof result), 0);
  dlc_cuda_release_device(1, &out);
  EXPECT_EQ(out.data, nullptr);
}

// A weight goes to the device at its first use only; the slot (the model
// library's record of it) brings back the same device copy at every later
// call, until the driver is loaded again. A failed upload is a status and
// leaves the slot empty.
TEST_F(CudaRuntime, WeightsGoUpOncePerDriver) {
  static float weight[256];
  static int64_t slot[2];
  static void *first, *second, *third;
  for (int i = 0; i < 256; ++i)
    weight[i] = float(i);
  ASSERT_EQ(
      runEntry([] { first = dlcCudaConstant(slot, weight, sizeof weight); }),
      DLC_STATUS_OK)
      << dlc_last_error();
  ASSERT_EQ(
      runEntry([] { second = dlcCudaConstant(slot, weight, sizeof weight); }),
      DLC_STATUS_OK)
      << dlc_last_error();
  EXPECT_EQ(first, second);
  auto copies = fake.calls("cuMemcpy");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0]->a[0], uint64_t(uintptr_t(first)));
  EXPECT_EQ(copies[0]->a[1], uint64_t(uintptr_t(weight)));
  EXPECT_EQ(copies[0]->a[2], sizeof weight);
  EXPECT_EQ(memcmp(first, weight, sizeof weight), 0);
  EXPECT_EQ(fake.calls("cuMemAlloc_v2").size(), 1u);

  // A driver loaded again has none of the old device memory.
  mgpuMemFree(first, nullptr);
  dlc_cuda_release_cached();
  dlc_internal_cuda_reset_for_tests();
  ASSERT_EQ(
      runEntry([] { third = dlcCudaConstant(slot, weight, sizeof weight); }),
      DLC_STATUS_OK)
      << dlc_last_error();
  EXPECT_EQ(fake.calls("cuMemcpy").size(), 2u);
  mgpuMemFree(third, nullptr);

  static int64_t other[2];
  fake.fail("cuMemcpy", 700);
  EXPECT_EQ(runEntry([] { dlcCudaConstant(other, weight, sizeof weight); }),
            DLC_STATUS_RUNTIME_ERROR);
  EXPECT_NE(std::string(dlc_last_error())
                .find("uploading a weight of 1024 bytes: cuMemcpy failed"),
            std::string::npos)
      << dlc_last_error();
  EXPECT_EQ(other[0], 0);
}

// No driver: no abort, a status naming libcuda, and the process goes on.
TEST(CudaRuntimeNoDriver, EntryPointReturnsAnErrorNamingLibcuda) {
  unsetenv("DLC_CUDA_DRIVER_PATH");
  setenv("DLC_CUDA_DRIVER_PATH", "/nonexistent/libcuda.so.1", 1);
  dlc_internal_cuda_reset_for_tests();
  EXPECT_EQ(dlc_cuda_init(), DLC_STATUS_RUNTIME_ERROR);
  std::string message = dlc_last_error();
  EXPECT_NE(message.find("no CUDA driver: cannot load "
                         "/nonexistent/libcuda.so.1"),
            std::string::npos)
      << message;
  dlc_status status = runEntry([] {
    void *s = mgpuStreamCreate();
    (void)s;
    ADD_FAILURE() << "ran on without a driver";
  });
  EXPECT_EQ(status, DLC_STATUS_RUNTIME_ERROR);
  message = dlc_last_error();
  EXPECT_EQ(message.rfind("model_run: no CUDA driver", 0), 0u) << message;
  EXPECT_NE(message.find("libcuda.so.1"), std::string::npos) << message;
  EXPECT_EQ(dlc_cuda_alloc(16), nullptr);
  unsetenv("DLC_CUDA_DRIVER_PATH");
  dlc_internal_cuda_reset_for_tests();
}

} // namespace
