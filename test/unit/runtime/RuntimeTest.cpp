//===- RuntimeTest.cpp - Unit tests for the dlc C runtime -----------------===//
//
// Built twice: against the static library, and with the runtime's sources
// compiled in under AddressSanitizer and UndefinedBehaviorSanitizer.
//
//===----------------------------------------------------------------------===//

#include "dlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
// The huge-allocation tests expect a clean NULL from the system allocator;
// by default ASan aborts on requests it cannot serve.
extern "C" __attribute__((used, visibility("default"))) const char *
__asan_default_options() {
  return "allocator_may_return_null=1";
}
#endif

namespace {

//===----------------------------------------------------------------------===//
// Version, dtypes, status and errors
//===----------------------------------------------------------------------===//

TEST(Version, MatchesHeader) {
  EXPECT_STREQ(dlc_runtime_version(), DLC_RUNTIME_VERSION);
  EXPECT_EQ(dlc_runtime_abi_version(), DLC_RUNTIME_ABI_VERSION);
  std::string expected = std::to_string(DLC_RUNTIME_VERSION_MAJOR) + "." +
                         std::to_string(DLC_RUNTIME_VERSION_MINOR) + "." +
                         std::to_string(DLC_RUNTIME_VERSION_PATCH);
  EXPECT_EQ(expected, dlc_runtime_version());
}

TEST(Dtype, Sizes) {
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_F32), 4u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_F16), 2u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_BF16), 2u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_F64), 8u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_I8), 1u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_I32), 4u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_I64), 8u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_I1), 1u);
  EXPECT_EQ(DLC_DTYPE_BOOL, DLC_DTYPE_I1);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_U8), 1u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_U16), 2u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_U32), 4u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_U64), 8u);
  EXPECT_EQ(dlc_dtype_size(DLC_DTYPE_I16), 2u);
  EXPECT_EQ(dlc_dtype_size(static_cast<dlc_dtype>(13)), 0u);
  EXPECT_EQ(dlc_dtype_size(static_cast<dlc_dtype>(99)), 0u);
  EXPECT_EQ(dlc_dtype_size(static_cast<dlc_dtype>(-1)), 0u);
}

TEST(Dtype, Names) {
  EXPECT_STREQ(dlc_dtype_name(DLC_DTYPE_F32), "f32");
  EXPECT_STREQ(dlc_dtype_name(DLC_DTYPE_BF16), "bf16");
  EXPECT_STREQ(dlc_dtype_name(DLC_DTYPE_I1), "i1");
  EXPECT_STREQ(dlc_dtype_name(DLC_DTYPE_U8), "u8");
  EXPECT_STREQ(dlc_dtype_name(DLC_DTYPE_U64), "u64");
  EXPECT_STREQ(dlc_dtype_name(DLC_DTYPE_I16), "i16");
  EXPECT_STREQ(dlc_dtype_name(static_cast<dlc_dtype>(99)), "invalid");
}

TEST(Status, MessagesAreDistinct) {
  const dlc_status all[] = {DLC_STATUS_OK,
                            DLC_STATUS_INVALID_ARGUMENT,
                            DLC_STATUS_OUT_OF_MEMORY,
                            DLC_STATUS_SHAPE_MISMATCH,
                            DLC_STATUS_DTYPE_MISMATCH,
                            DLC_STATUS_IO_ERROR,
                            DLC_STATUS_UNSUPPORTED,
                            DLC_STATUS_RUNTIME_ERROR};
  std::set<std::string> seen;
  for (dlc_status status : all) {
    const char *message = dlc_status_message(status);
    ASSERT_NE(message, nullptr);
    EXPECT_GT(std::strlen(message), 0u);
    EXPECT_TRUE(seen.insert(message).second) << message;
  }
  EXPECT_STREQ(dlc_status_message(DLC_STATUS_OK), "ok");
  EXPECT_STREQ(dlc_status_message(DLC_STATUS_OUT_OF_MEMORY), "out of memory");
  EXPECT_STREQ(dlc_status_message(static_cast<dlc_status>(1234)),
               "unknown status");
}

TEST(LastError, SetFormatAndClear) {
  dlc_clear_error();
  EXPECT_STREQ(dlc_last_error(), "");
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_OK);
  EXPECT_EQ(dlc_set_error(DLC_STATUS_SHAPE_MISMATCH, "dim %d: %s", 2, "bad"),
            DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_STREQ(dlc_last_error(), "dim 2: bad");
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_SHAPE_MISMATCH);
  dlc_clear_error();
  EXPECT_STREQ(dlc_last_error(), "");
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_OK);
}

TEST(LastError, LongMessagesAreTruncated) {
  std::string longText(5000, 'x');
  dlc_set_error(DLC_STATUS_RUNTIME_ERROR, "%s", longText.c_str());
  EXPECT_EQ(std::strlen(dlc_last_error()), 511u);
  dlc_clear_error();
}

TEST(LastError, IsPerThread) {
  dlc_set_error(DLC_STATUS_IO_ERROR, "main thread");
  std::string otherBefore, otherAfter;
  dlc_status otherCode = DLC_STATUS_RUNTIME_ERROR;
  std::thread other([&] {
    otherBefore = dlc_last_error();
    dlc_set_error(DLC_STATUS_UNSUPPORTED, "other thread");
    otherAfter = dlc_last_error();
    otherCode = dlc_last_error_code();
  });
  other.join();
  EXPECT_EQ(otherBefore, "");
  EXPECT_EQ(otherAfter, "other thread");
  EXPECT_EQ(otherCode, DLC_STATUS_UNSUPPORTED);
  EXPECT_STREQ(dlc_last_error(), "main thread");
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_IO_ERROR);
  dlc_clear_error();
}

//===----------------------------------------------------------------------===//
// Tensor descriptors
//===----------------------------------------------------------------------===//

TEST(Tensor, LayoutIsStable) {
  // Generated code builds these by offset; the layout is part of the ABI.
  EXPECT_EQ(sizeof(dlc_tensor), 32u);
  EXPECT_EQ(offsetof(dlc_tensor, data), 0u);
  EXPECT_EQ(offsetof(dlc_tensor, dtype), 8u);
  EXPECT_EQ(offsetof(dlc_tensor, rank), 12u);
  EXPECT_EQ(offsetof(dlc_tensor, shape), 16u);
  EXPECT_EQ(offsetof(dlc_tensor, strides), 24u);
}

TEST(Tensor, NumElements) {
  int64_t shape[] = {2, 3, 4};
  dlc_tensor t = {nullptr, DLC_DTYPE_F32, 3, shape, nullptr};
  EXPECT_EQ(dlc_tensor_num_elements(&t), 24);
  dlc_tensor scalar = {nullptr, DLC_DTYPE_F32, 0, nullptr, nullptr};
  EXPECT_EQ(dlc_tensor_num_elements(&scalar), 1);
  int64_t empty[] = {4, 0, 5};
  t.shape = empty;
  EXPECT_EQ(dlc_tensor_num_elements(&t), 0);
  int64_t overflowThenZero[] = {INT64_MAX, 4, 0};
  t.shape = overflowThenZero;
  EXPECT_EQ(dlc_tensor_num_elements(&t), 0);
  int64_t overflow[] = {INT64_MAX, 4, 1};
  t.shape = overflow;
  EXPECT_EQ(dlc_tensor_num_elements(&t), -1);
  int64_t negative[] = {2, -1, 3};
  t.shape = negative;
  EXPECT_EQ(dlc_tensor_num_elements(&t), -1);
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(dlc_tensor_num_elements(nullptr), -1);
  dlc_tensor noShape = {nullptr, DLC_DTYPE_F32, 2, nullptr, nullptr};
  EXPECT_EQ(dlc_tensor_num_elements(&noShape), -1);
  dlc_clear_error();
}

TEST(Tensor, IsContiguous) {
  int64_t shape[] = {2, 3, 4};
  int64_t rowMajor[] = {12, 4, 1};
  int64_t transposed[] = {1, 2, 6};
  dlc_tensor t = {nullptr, DLC_DTYPE_F32, 3, shape, nullptr};
  EXPECT_TRUE(dlc_tensor_is_contiguous(&t));
  t.strides = rowMajor;
  EXPECT_TRUE(dlc_tensor_is_contiguous(&t));
  t.strides = transposed;
  EXPECT_FALSE(dlc_tensor_is_contiguous(&t));
  // Strides of size-1 dims do not matter (PyTorch and NumPy vary them).
  int64_t unitShape[] = {1, 3};
  int64_t unitStrides[] = {7, 1};
  dlc_tensor u = {nullptr, DLC_DTYPE_F32, 2, unitShape, unitStrides};
  EXPECT_TRUE(dlc_tensor_is_contiguous(&u));
  EXPECT_FALSE(dlc_tensor_is_contiguous(nullptr));
  dlc_clear_error();
}

TEST(Tensor, Check) {
  float data[6] = {};
  int64_t shape[] = {2, 3};
  dlc_tensor t = {data, DLC_DTYPE_F32, 2, shape, nullptr};
  int64_t exact[] = {2, 3};
  int64_t dynamicBatch[] = {-1, 3};
  int64_t wrong[] = {2, 4};
  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_F32, 2, exact), DLC_STATUS_OK);
  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_F32, 2, dynamicBatch),
            DLC_STATUS_OK);

  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_F32, 2, wrong),
            DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_STREQ(dlc_last_error(), "dim 1: expected 4, got 3");
  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_F32, 3, exact),
            DLC_STATUS_SHAPE_MISMATCH);
  EXPECT_STREQ(dlc_last_error(), "expected rank 3, got rank 2");
  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_I64, 2, exact),
            DLC_STATUS_DTYPE_MISMATCH);
  EXPECT_STREQ(dlc_last_error(), "expected a tensor of i64, got f32");

  t.data = nullptr;
  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_F32, 2, exact),
            DLC_STATUS_INVALID_ARGUMENT);
  int64_t empty[] = {0, 3};
  t.shape = empty;
  EXPECT_EQ(dlc_tensor_check(&t, DLC_DTYPE_F32, 2, dynamicBatch),
            DLC_STATUS_OK);
  EXPECT_EQ(dlc_tensor_check(nullptr, DLC_DTYPE_F32, 0, nullptr),
            DLC_STATUS_INVALID_ARGUMENT);
  dlc_clear_error();
}

//===----------------------------------------------------------------------===//
// Allocator
//===----------------------------------------------------------------------===//

dlc_memory_usage usage() {
  dlc_memory_usage u;
  EXPECT_EQ(dlc_memory_stats(&u), DLC_STATUS_OK);
  return u;
}

TEST(Allocator, CurrentPeakAndReset) {
  dlc_memory_usage base = usage();
  dlc_reset_peak();
  EXPECT_EQ(usage().peak_bytes, base.current_bytes);

  void *a = dlc_alloc(1000, 0);
  void *b = dlc_alloc(500, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::memset(a, 1, 1000);
  std::memset(b, 2, 500);
  dlc_memory_usage both = usage();
  EXPECT_EQ(both.current_bytes, base.current_bytes + 1500);
  EXPECT_EQ(both.peak_bytes, base.current_bytes + 1500);
  EXPECT_EQ(both.allocation_count, base.allocation_count + 2);
  EXPECT_EQ(both.live_allocations, base.live_allocations + 2);

  dlc_free(a);
  dlc_memory_usage afterFree = usage();
  EXPECT_EQ(afterFree.current_bytes, base.current_bytes + 500);
  EXPECT_EQ(afterFree.peak_bytes, base.current_bytes + 1500);
  EXPECT_EQ(afterFree.allocation_count, base.allocation_count + 2);
  EXPECT_EQ(afterFree.live_allocations, base.live_allocations + 1);

  dlc_reset_peak();
  EXPECT_EQ(usage().peak_bytes, base.current_bytes + 500);
  void *c = dlc_alloc(100, 0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(usage().peak_bytes, base.current_bytes + 600);

  dlc_free(b);
  dlc_free(c);
  dlc_memory_usage end = usage();
  EXPECT_EQ(end.current_bytes, base.current_bytes);
  EXPECT_EQ(end.live_allocations, base.live_allocations);
  EXPECT_EQ(end.peak_bytes, base.current_bytes + 600);
}

TEST(Allocator, AlignmentIsHonoured) {
  for (size_t alignment :
       {size_t(0), size_t(1), size_t(2), size_t(4), size_t(8), size_t(16),
        size_t(32), size_t(64), size_t(128), size_t(4096), size_t(1) << 16}) {
    for (size_t size : {size_t(1), size_t(3), size_t(64), size_t(1000)}) {
      void *p = dlc_alloc(size, alignment);
      ASSERT_NE(p, nullptr) << "size " << size << " alignment " << alignment;
      size_t expected = alignment ? alignment : DLC_DEFAULT_ALIGNMENT;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % expected, 0u)
          << "size " << size << " alignment " << alignment;
      std::memset(p, 0xab, size); // the whole block is usable
      dlc_free(p);
    }
  }
  EXPECT_EQ(DLC_DEFAULT_ALIGNMENT, 64);
}

TEST(Allocator, BadRequestsFailCleanly) {
  dlc_memory_usage base = usage();
  struct Case {
    size_t size, alignment;
    dlc_status status;
  } cases[] = {
      {0, 0, DLC_STATUS_INVALID_ARGUMENT},
      {0, 64, DLC_STATUS_INVALID_ARGUMENT},
      {16, 3, DLC_STATUS_INVALID_ARGUMENT},
      {16, 48, DLC_STATUS_INVALID_ARGUMENT},
      {SIZE_MAX, 0, DLC_STATUS_OUT_OF_MEMORY},
      {SIZE_MAX - 63, 64, DLC_STATUS_OUT_OF_MEMORY},
      {SIZE_MAX / 2, 0, DLC_STATUS_OUT_OF_MEMORY},
      {size_t(1) << 56, 0, DLC_STATUS_OUT_OF_MEMORY}, // reaches the system
      {size_t(1) << 48, 4096, DLC_STATUS_OUT_OF_MEMORY},
  };
  for (const Case &c : cases) {
    dlc_clear_error();
    EXPECT_EQ(dlc_alloc(c.size, c.alignment), nullptr)
        << "size " << c.size << " alignment " << c.alignment;
    EXPECT_EQ(dlc_last_error_code(), c.status)
        << "size " << c.size << " alignment " << c.alignment;
    EXPECT_GT(std::strlen(dlc_last_error()), 0u);
  }
  dlc_memory_usage after = usage();
  EXPECT_EQ(after.current_bytes, base.current_bytes);
  EXPECT_EQ(after.allocation_count, base.allocation_count);
  EXPECT_EQ(after.live_allocations, base.live_allocations);
  dlc_free(nullptr); // a no-op
  EXPECT_EQ(dlc_memory_stats(nullptr), DLC_STATUS_INVALID_ARGUMENT);
  dlc_clear_error();
}

TEST(Allocator, ConcurrentCountsAreExact) {
  constexpr int numThreads = 8;
  constexpr int iterations = 5000;
  dlc_memory_usage base = usage();
  std::vector<std::vector<std::pair<void *, size_t>>> kept(numThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < numThreads; ++t)
    threads.emplace_back([&, t] {
      std::vector<std::pair<void *, size_t>> live;
      for (int i = 0; i < iterations; ++i) {
        size_t size = 1 + static_cast<size_t>((i * 7919 + t * 131) % 4096);
        void *p = dlc_alloc(size, i % 2 ? 0 : 16);
        if (!p) {
          ++failures;
          continue;
        }
        static_cast<char *>(p)[size - 1] = 1;
        live.emplace_back(p, size);
        if (i % 3 == 0) { // free some as we go, keep the rest
          dlc_free(live.front().first);
          live.erase(live.begin());
        }
      }
      kept[t] = std::move(live);
    });
  for (std::thread &thread : threads)
    thread.join();
  ASSERT_EQ(failures.load(), 0);

  uint64_t keptBytes = 0, keptCount = 0;
  for (auto &list : kept)
    for (auto &entry : list) {
      keptBytes += entry.second;
      ++keptCount;
    }
  dlc_memory_usage during = usage();
  EXPECT_EQ(during.current_bytes, base.current_bytes + keptBytes);
  EXPECT_EQ(during.live_allocations, base.live_allocations + keptCount);
  EXPECT_EQ(during.allocation_count,
            base.allocation_count + uint64_t(numThreads) * iterations);
  EXPECT_GE(during.peak_bytes, during.current_bytes);

  for (auto &list : kept)
    for (auto &entry : list)
      dlc_free(entry.first);
  dlc_memory_usage after = usage();
  EXPECT_EQ(after.current_bytes, base.current_bytes);
  EXPECT_EQ(after.live_allocations, base.live_allocations);
}

TEST(Allocator, PeakSeesConcurrentHighWaterMark) {
  // Every thread holds its block across a barrier, so the peak must include
  // all of them at once.
  constexpr int numThreads = 6;
  constexpr size_t blockSize = 1 << 20;
  dlc_memory_usage base = usage();
  dlc_reset_peak();
  std::atomic<int> arrived{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < numThreads; ++t)
    threads.emplace_back([&] {
      void *p = dlc_alloc(blockSize, 0);
      ++arrived;
      while (arrived.load() < numThreads)
        std::this_thread::yield();
      dlc_free(p);
    });
  for (std::thread &thread : threads)
    thread.join();
  dlc_memory_usage after = usage();
  EXPECT_EQ(after.peak_bytes, base.current_bytes + numThreads * blockSize);
  EXPECT_EQ(after.current_bytes, base.current_bytes);
}

//===----------------------------------------------------------------------===//
// Thread count
//===----------------------------------------------------------------------===//

// Restores the default thread count after each test that changes it.
class Threads : public ::testing::Test {
protected:
  void TearDown() override { EXPECT_EQ(dlc_set_num_threads(0), DLC_STATUS_OK); }
};

TEST(ThreadCount, ParseEnvironmentValue) {
  const int32_t fb = 7;
  EXPECT_EQ(dlc_internal_parse_num_threads("4", fb), 4);
  EXPECT_EQ(dlc_internal_parse_num_threads("1", fb), 1);
  EXPECT_EQ(dlc_internal_parse_num_threads(" 8 ", fb), 8);
  EXPECT_EQ(dlc_internal_parse_num_threads("\t3\n", fb), 3);
  EXPECT_EQ(dlc_internal_parse_num_threads("+2", fb), 2);
  EXPECT_EQ(dlc_internal_parse_num_threads("016", fb), 16);
  EXPECT_EQ(dlc_internal_parse_num_threads("1024", fb), 1024);
  for (const char *bad :
       {"", " ", "0", "-1", "-0", "1025", "abc", "4abc", "4 4", "2.5", "1e3",
        "0x10", "+", "+-3", "99999999999999999999999999", "-99999999999"})
    EXPECT_EQ(dlc_internal_parse_num_threads(bad, fb), fb) << '"' << bad << '"';
  EXPECT_EQ(dlc_internal_parse_num_threads(nullptr, fb), fb);
}

TEST(ThreadCount, CoresAreCounted) {
  int32_t cores = dlc_internal_num_cores();
  EXPECT_GE(cores, 1);
  EXPECT_LE(cores, DLC_MAX_THREADS);
  EXPECT_LE(cores, static_cast<int32_t>(sysconf(_SC_NPROCESSORS_CONF)));
}

TEST_F(Threads, DefaultFollowsEnvironmentOrCores) {
  ASSERT_EQ(dlc_set_num_threads(0), DLC_STATUS_OK);
  int32_t expected = dlc_internal_parse_num_threads(
      std::getenv("DLC_NUM_THREADS"), dlc_internal_num_cores());
  EXPECT_EQ(dlc_get_num_threads(), expected);
}

TEST_F(Threads, SetAndGet) {
  EXPECT_EQ(dlc_set_num_threads(3), DLC_STATUS_OK);
  EXPECT_EQ(dlc_get_num_threads(), 3);
  EXPECT_EQ(dlc_set_num_threads(1), DLC_STATUS_OK);
  EXPECT_EQ(dlc_get_num_threads(), 1);
  EXPECT_EQ(dlc_set_num_threads(-1), DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(dlc_set_num_threads(DLC_MAX_THREADS + 1),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(dlc_get_num_threads(), 1); // unchanged by the bad calls
  dlc_clear_error();
}

//===----------------------------------------------------------------------===//
// Parallel-for
//===----------------------------------------------------------------------===//

// Records every subrange a parallel-for hands out and who ran it.
struct Recorder {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::set<std::thread::id> threads;
  std::atomic<int> sawRegionFlagOff{0};

  static void record(void *ctx, int64_t lo, int64_t hi) {
    auto *self = static_cast<Recorder *>(ctx);
    if (!dlc_internal_in_parallel_region())
      ++self->sawRegionFlagOff;
    std::lock_guard<std::mutex> lock(self->mutex);
    self->chunks.emplace_back(lo, hi);
    self->threads.insert(std::this_thread::get_id());
  }
};

// Checks that the recorded chunks tile [begin, end) exactly, each at least
// `grain` long unless the whole range is shorter.
::testing::AssertionResult coversExactly(Recorder &r, int64_t begin,
                                         int64_t end, int64_t grain) {
  auto chunks = r.chunks;
  std::sort(chunks.begin(), chunks.end());
  if (begin >= end) {
    if (chunks.empty())
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "empty range made calls";
  }
  if (chunks.empty())
    return ::testing::AssertionFailure() << "no calls";
  uint64_t n = uint64_t(end) - uint64_t(begin);
  uint64_t minSize = std::min<uint64_t>(grain < 1 ? 1 : uint64_t(grain), n);
  int64_t expectedLo = begin;
  for (auto [lo, hi] : chunks) {
    if (lo != expectedLo)
      return ::testing::AssertionFailure()
             << "gap or overlap at " << lo << " (expected " << expectedLo
             << ")";
    if (hi <= lo)
      return ::testing::AssertionFailure() << "empty chunk at " << lo;
    if (uint64_t(hi) - uint64_t(lo) < minSize)
      return ::testing::AssertionFailure()
             << "chunk [" << lo << ", " << hi << ") below grain " << grain;
    expectedLo = hi;
  }
  if (expectedLo != end)
    return ::testing::AssertionFailure() << "ends at " << expectedLo;
  if (r.sawRegionFlagOff)
    return ::testing::AssertionFailure() << "body ran outside a region";
  return ::testing::AssertionSuccess();
}

TEST_F(Threads, EveryIndexExactlyOnce) {
  const int64_t ranges[][2] = {{0, 0},
                               {5, 5},
                               {5, 2},
                               {0, 1},
                               {-1, 0},
                               {0, 2},
                               {0, 7},
                               {0, 100},
                               {-50, 50},
                               {3, 1003},
                               {0, 4096},
                               {0, 100003},
                               {INT64_MIN, INT64_MIN + 1000},
                               {INT64_MAX - 1000, INT64_MAX},
                               {-1000, 1000},
                               {INT64_MIN / 2, INT64_MIN / 2 + 77}};
  const int64_t grains[] = {-5, 0, 1, 2, 3, 7, 64, 1000, 5000, INT64_MAX};
  for (int32_t threads : {1, 2, 3, 4, 8}) {
    ASSERT_EQ(dlc_set_num_threads(threads), DLC_STATUS_OK);
    for (auto &range : ranges)
      for (int64_t grain : grains) {
        Recorder r;
        ASSERT_EQ(
            dlc_parallel_for(range[0], range[1], grain, Recorder::record, &r),
            DLC_STATUS_OK);
        EXPECT_TRUE(coversExactly(r, range[0], range[1], grain))
            << "threads " << threads << " range [" << range[0] << ", "
            << range[1] << ") grain " << grain;
        EXPECT_LE(r.threads.size(), size_t(threads));
      }
  }
  EXPECT_FALSE(dlc_internal_in_parallel_region());
}

TEST_F(Threads, GrainAtLeastRangeRunsOnce) {
  ASSERT_EQ(dlc_set_num_threads(4), DLC_STATUS_OK);
  for (int64_t grain : {10, 11, 19, 1000}) {
    Recorder r;
    ASSERT_EQ(dlc_parallel_for(0, 10, grain, Recorder::record, &r),
              DLC_STATUS_OK);
    ASSERT_EQ(r.chunks.size(), 1u) << "grain " << grain;
    EXPECT_EQ(r.chunks[0], std::make_pair(int64_t(0), int64_t(10)));
    EXPECT_EQ(*r.threads.begin(), std::this_thread::get_id());
  }
}

TEST_F(Threads, OneThreadRunsOnTheCaller) {
  ASSERT_EQ(dlc_set_num_threads(1), DLC_STATUS_OK);
  Recorder r;
  ASSERT_EQ(dlc_parallel_for(0, 1000000, 1, Recorder::record, &r),
            DLC_STATUS_OK);
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(*r.threads.begin(), std::this_thread::get_id());
}

TEST_F(Threads, WorkIsSpreadOverThePool) {
  ASSERT_EQ(dlc_set_num_threads(4), DLC_STATUS_OK);
  Recorder r;
  auto slow = [](void *ctx, int64_t lo, int64_t hi) {
    Recorder::record(ctx, lo, hi);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };
  ASSERT_EQ(dlc_parallel_for(0, 16, 1, slow, &r), DLC_STATUS_OK);
  EXPECT_TRUE(coversExactly(r, 0, 16, 1));
  EXPECT_GE(r.threads.size(), 2u);
  EXPECT_LE(r.threads.size(), 4u);
}

TEST_F(Threads, CallerTakesAPrefixWorkersASuffix) {
  // The caller claims chunks from the front and the workers from the back:
  // however the chunks balance out, the caller's are [0, j) and the
  // others' [j, n), so two loops split alike keep their data on one core.
  ASSERT_EQ(dlc_set_num_threads(2), DLC_STATUS_OK);
  auto slowish = [](void *ctx, int64_t lo, int64_t hi) {
    auto *owner = static_cast<std::vector<std::thread::id> *>(ctx);
    for (int64_t i = lo; i < hi; ++i)
      (*owner)[i] = std::this_thread::get_id();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  };
  for (int repeat = 0; repeat < 20; ++repeat) {
    std::vector<std::thread::id> owner(64);
    ASSERT_EQ(dlc_parallel_for(0, 64, 1, slowish, &owner), DLC_STATUS_OK);
    auto self = std::this_thread::get_id();
    auto firstOther =
        std::find_if(owner.begin(), owner.end(),
                     [&](std::thread::id t) { return t != self; });
    EXPECT_TRUE(std::all_of(firstOther, owner.end(),
                            [&](std::thread::id t) { return t != self; }))
        << "repeat " << repeat;
  }
}

TEST_F(Threads, EveryElementWritten) {
  // A real loop body: per-index counters, bumped by plain stores.
  ASSERT_EQ(dlc_set_num_threads(4), DLC_STATUS_OK);
  for (int repeat = 0; repeat < 50; ++repeat) {
    std::vector<int> hits(10007, 0);
    auto body = [](void *ctx, int64_t lo, int64_t hi) {
      int *h = static_cast<int *>(ctx);
      for (int64_t i = lo; i < hi; ++i)
        h[i] += 1;
    };
    ASSERT_EQ(dlc_parallel_for(0, int64_t(hits.size()), 16, body, hits.data()),
              DLC_STATUS_OK);
    ASSERT_EQ(std::count(hits.begin(), hits.end(), 1), int64_t(hits.size()));
  }
}

TEST(ParallelFor, NullBodyIsRejected) {
  EXPECT_EQ(dlc_parallel_for(0, 10, 1, nullptr, nullptr),
            DLC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(dlc_last_error_code(), DLC_STATUS_INVALID_ARGUMENT);
  dlc_clear_error();
}

struct NestedState {
  std::atomic<int64_t> innerHits[8][100];
  std::atomic<int> innerOnOtherThread{0};
  std::atomic<int> setThreadsRejected{0};
};

TEST_F(Threads, NestedCallsRunSerially) {
  ASSERT_EQ(dlc_set_num_threads(4), DLC_STATUS_OK);
  NestedState state;
  for (auto &row : state.innerHits)
    for (auto &hit : row)
      hit = 0;
  auto outer = [](void *ctx, int64_t lo, int64_t hi) {
    auto *s = static_cast<NestedState *>(ctx);
    if (dlc_set_num_threads(2) == DLC_STATUS_RUNTIME_ERROR)
      ++s->setThreadsRejected;
    for (int64_t o = lo; o < hi; ++o) {
      struct Inner {
        NestedState *state;
        int64_t row;
        std::thread::id owner;
      } inner{s, o, std::this_thread::get_id()};
      auto body = [](void *ctx, int64_t ilo, int64_t ihi) {
        auto *in = static_cast<Inner *>(ctx);
        if (std::this_thread::get_id() != in->owner)
          ++in->state->innerOnOtherThread;
        for (int64_t i = ilo; i < ihi; ++i)
          ++in->state->innerHits[in->row][i];
      };
      EXPECT_EQ(dlc_parallel_for(0, 100, 1, body, &inner), DLC_STATUS_OK);
    }
  };
  ASSERT_EQ(dlc_parallel_for(0, 8, 1, outer, &state), DLC_STATUS_OK);
  for (auto &row : state.innerHits)
    for (auto &hit : row)
      EXPECT_EQ(hit.load(), 1);
  EXPECT_EQ(state.innerOnOtherThread.load(), 0);
  EXPECT_GT(state.setThreadsRejected.load(), 0);
  EXPECT_EQ(dlc_get_num_threads(), 4);
  dlc_clear_error();
}

TEST_F(Threads, ConcurrentCallersFromUserThreads) {
  ASSERT_EQ(dlc_set_num_threads(3), DLC_STATUS_OK);
  constexpr int numCallers = 4;
  constexpr int callsEach = 200;
  std::atomic<int> bad{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < numCallers; ++c)
    callers.emplace_back([&, c] {
      for (int call = 0; call < callsEach; ++call) {
        int64_t begin = c * 1000 + call;
        int64_t end = begin + 1 + (call * 37) % 500;
        int64_t grain = 1 + call % 7;
        Recorder r;
        if (dlc_parallel_for(begin, end, grain, Recorder::record, &r) !=
                DLC_STATUS_OK ||
            !coversExactly(r, begin, end, grain))
          ++bad;
      }
    });
  for (std::thread &caller : callers)
    caller.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(Threads, ResizingWhileOthersRun) {
  // Callers keep going until the resizer has rebuilt the pool many times.
  constexpr int resizes = 200;
  std::atomic<int> resized{0};
  std::atomic<int> bad{0};
  std::thread resizer([&] {
    for (int i = 0; i < resizes; ++i) {
      if (dlc_set_num_threads(1 + i % 5) != DLC_STATUS_OK)
        ++bad;
      ++resized;
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> callers;
  std::atomic<int> calls{0};
  for (int c = 0; c < 2; ++c)
    callers.emplace_back([&] {
      for (int call = 0; call < 300 || resized.load() < resizes; ++call) {
        Recorder r;
        int64_t end = 64 + call % 300;
        if (dlc_parallel_for(0, end, 2, Recorder::record, &r) !=
                DLC_STATUS_OK ||
            !coversExactly(r, 0, end, 2))
          ++bad;
        ++calls;
      }
    });
  for (std::thread &caller : callers)
    caller.join();
  resizer.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GE(calls.load(), 600);
}

TEST_F(Threads, ForkedChildGetsAWorkingPool) {
  ASSERT_EQ(dlc_set_num_threads(3), DLC_STATUS_OK);
  Recorder warm;
  ASSERT_EQ(dlc_parallel_for(0, 100, 1, Recorder::record, &warm),
            DLC_STATUS_OK); // the parent's pool exists now
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    Recorder r;
    bool ok =
        dlc_parallel_for(0, 1000, 1, Recorder::record, &r) == DLC_STATUS_OK &&
        coversExactly(r, 0, 1000, 1);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace

// The allocator of generated code: 64-byte aligned, large blocks reused
// from their size class after a free, other alignments honoured, foreign
// pointers ignored.
TEST(MemrefAllocator, AlignsAndReusesLargeBlocks) {
  void *small = _mlir_memref_to_llvm_alloc(100);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small) % 64, 0u);
  std::memset(small, 1, 100);
  _mlir_memref_to_llvm_free(small);

  const size_t big = (size_t)3 << 20;
  void *a = _mlir_memref_to_llvm_alloc(big);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::memset(a, 2, big);
  _mlir_memref_to_llvm_free(a);
  // A request of the same size class gets the cached block back.
  void *b = _mlir_memref_to_llvm_alloc(big - 1000);
  EXPECT_EQ(a, b);
  std::memset(b, 3, big - 1000);
  // While it is live, another request gets another block.
  void *c = _mlir_memref_to_llvm_alloc(big);
  ASSERT_NE(c, nullptr);
  EXPECT_NE(b, c);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);

  void *aligned = _mlir_memref_to_llvm_aligned_alloc(4096, (size_t)1 << 20);
  ASSERT_NE(aligned, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(aligned) % 4096, 0u);
  _mlir_memref_to_llvm_free(aligned);
  _mlir_memref_to_llvm_free(nullptr);
}

// The statistics of generated code's buffers count the bytes requested,
// whether a block comes fresh or from the cache.
TEST(MemrefAllocator, CountsLiveAndPeakBytes) {
  dlc_memory_usage u0, u;
  ASSERT_EQ(dlc_model_memory_stats(&u0), DLC_STATUS_OK);
  dlc_reset_model_peak();
  void *a = _mlir_memref_to_llvm_alloc(1000);
  void *b = _mlir_memref_to_llvm_alloc((size_t)1 << 20);
  ASSERT_EQ(dlc_model_memory_stats(&u), DLC_STATUS_OK);
  EXPECT_EQ(u.current_bytes, u0.current_bytes + 1000 + (1 << 20));
  EXPECT_EQ(u.live_allocations, u0.live_allocations + 2);
  EXPECT_EQ(u.allocation_count, u0.allocation_count + 2);
  _mlir_memref_to_llvm_free(b);
  // From the cache now: counted as asked, not as the cached block's size.
  void *c = _mlir_memref_to_llvm_alloc(((size_t)1 << 20) - 64);
  ASSERT_EQ(dlc_model_memory_stats(&u), DLC_STATUS_OK);
  EXPECT_EQ(u.current_bytes, u0.current_bytes + 1000 + (1 << 20) - 64);
  EXPECT_EQ(u.peak_bytes, u0.current_bytes + 1000 + (1 << 20));
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(c);
  ASSERT_EQ(dlc_model_memory_stats(&u), DLC_STATUS_OK);
  EXPECT_EQ(u.current_bytes, u0.current_bytes);
  EXPECT_EQ(u.live_allocations, u0.live_allocations);
  dlc_reset_model_peak();
  ASSERT_EQ(dlc_model_memory_stats(&u), DLC_STATUS_OK);
  EXPECT_EQ(u.peak_bytes, u0.current_bytes);
  EXPECT_EQ(dlc_model_memory_stats(nullptr), DLC_STATUS_INVALID_ARGUMENT);
}
