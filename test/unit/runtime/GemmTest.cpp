//===- GemmTest.cpp - Unit tests for dlc_sgemm ----------------------------===//
//
// dlc_sgemm against a double-precision reference for every microkernel this
// CPU has, over edge sizes (below, at and past the register and K blocks),
// transposed and broadcast operands, strided outputs, accumulation and
// threads.
//
//===----------------------------------------------------------------------===//

#include "IsaTest.h"
#include "dlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

struct Layout {
  bool transA, transB, transC;
};

/// C = (accumulate ? C : 0) + A * B over `batch` matrices laid out by
/// `layout`, B broadcast over the batch when `broadcastB`; checks every
/// element against a double-precision sum.
void check(int64_t batch, int64_t m, int64_t n, int64_t k, Layout layout,
           bool broadcastB, bool accumulate) {
  std::mt19937 rng(static_cast<uint32_t>(m * 131 + n * 17 + k));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  // A little slack in every leading dimension, so strides differ from sizes.
  int64_t lda = (layout.transA ? m : k) + 3;
  int64_t ldb = (layout.transB ? k : n) + 5;
  int64_t ldc = (layout.transC ? m : n) + 2;
  int64_t aRows = layout.transA ? k : m, bRows = layout.transB ? n : k,
          cRows = layout.transC ? n : m;
  int64_t sab = aRows * lda, sbb = broadcastB ? 0 : bRows * ldb,
          scb = cRows * ldc;
  const int64_t offset = 7;
  std::vector<float> a(offset + batch * sab), b(offset + bRows * ldb * batch),
      c(offset + batch * scb);
  for (float &x : a)
    x = dist(rng);
  for (float &x : b)
    x = dist(rng);
  for (float &x : c)
    x = dist(rng);
  std::vector<float> c0 = c;
  int64_t sam = layout.transA ? 1 : lda, sak = layout.transA ? lda : 1;
  int64_t sbk = layout.transB ? 1 : ldb, sbn = layout.transB ? ldb : 1;
  int64_t scm = layout.transC ? 1 : ldc, scn = layout.transC ? ldc : 1;
  dlc_sgemm(batch, m, n, k, a.data(), offset, sab, sam, sak, b.data(), offset,
            sbb, sbk, sbn, c.data(), offset, scb, scm, scn, accumulate);
  for (int64_t q = 0; q < batch; ++q)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t at = offset + q * scb + i * scm + j * scn;
        double ref = accumulate ? c0[at] : 0.0;
        for (int64_t p = 0; p < k; ++p)
          ref += double(a[offset + q * sab + i * sam + p * sak]) *
                 double(b[offset + q * sbb + p * sbk + j * sbn]);
        ASSERT_NEAR(c[at], ref, 1e-4 * (1.0 + std::sqrt(double(k))))
            << "isa " << dlc_internal_gemm_isa() << " batch " << batch << " m "
            << m << " n " << n << " k " << k << " at (" << q << ", " << i
            << ", " << j << ")";
      }
  // Nothing outside C's elements was written (the slack columns).
  for (int64_t q = 0; q < batch; ++q)
    for (int64_t r = 0; r < cRows; ++r)
      for (int64_t col = (layout.transC ? m : n); col < ldc; ++col) {
        int64_t at = offset + q * scb + r * ldc + col;
        ASSERT_EQ(c[at], c0[at]) << "wrote outside C at " << at;
      }
  for (int64_t i = 0; i < offset; ++i)
    ASSERT_EQ(c[i], c0[i]) << "wrote before C";
}

class GemmTest : public IsaTest {};

TEST_P(GemmTest, EdgeSizes) {
  EXPECT_EQ(GetParam(), dlc_internal_gemm_isa());
  const int64_t sizes[] = {1, 3, 6, 12, 13, 16, 31, 33, 65};
  for (int64_t m : sizes)
    for (int64_t n : sizes)
      for (int64_t k : {1, 7, 64})
        check(1, m, n, k, {false, false, false}, false, false);
}

TEST_P(GemmTest, PastTheKAndMBlocks) {
  // K past one 256 block and M past one 120-row block.
  check(1, 130, 70, 600, {false, false, false}, false, false);
  check(1, 250, 40, 257, {false, false, false}, false, true);
}

TEST_P(GemmTest, TransposedOperandsAndOutput) {
  for (int mask = 1; mask < 8; ++mask)
    check(1, 29, 45, 37, {bool(mask & 1), bool(mask & 2), bool(mask & 4)},
          false, mask & 1);
}

TEST_P(GemmTest, BatchAndBroadcast) {
  check(5, 17, 40, 23, {false, false, false}, false, false);
  check(4, 33, 18, 50, {false, true, false}, true, true);
}

TEST_P(GemmTest, Threads) {
  ASSERT_EQ(DLC_STATUS_OK, dlc_set_num_threads(2));
  check(1, 200, 150, 300, {false, false, false}, false, false);
  check(1, 20, 600, 64, {false, true, false}, false, false);
  check(6, 64, 64, 32, {false, false, false}, false, true);
}

TEST_P(GemmTest, EmptyAndZeroK) {
  std::vector<float> c(12, 5.0f);
  float a = 1.0f, b = 1.0f;
  // k = 0: C becomes 0 without accumulate, stays with it.
  dlc_sgemm(1, 3, 4, 0, &a, 0, 0, 0, 0, &b, 0, 0, 0, 0, c.data(), 0, 0, 4, 1,
            1);
  EXPECT_EQ(c[11], 5.0f);
  dlc_sgemm(1, 3, 4, 0, &a, 0, 0, 0, 0, &b, 0, 0, 0, 0, c.data(), 0, 0, 4, 1,
            0);
  for (float x : c)
    EXPECT_EQ(x, 0.0f);
  // m = 0 or n = 0 or batch = 0 touch nothing.
  c.assign(12, 5.0f);
  dlc_sgemm(1, 0, 4, 3, &a, 0, 0, 0, 0, &b, 0, 0, 0, 0, c.data(), 0, 0, 4, 1,
            0);
  dlc_sgemm(0, 3, 4, 3, &a, 0, 0, 0, 0, &b, 0, 0, 0, 0, c.data(), 0, 0, 4, 1,
            0);
  for (float x : c)
    EXPECT_EQ(x, 5.0f);
}

TEST_P(GemmTest, CachedOperands) {
  // Past the K and M blocks, so the packed copies hold several blocks.
  const int64_t m = 130, n = 70, k = 600;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(2 * m * k), b(k * n);
  for (float &x : a)
    x = dist(rng);
  for (float &x : b)
    x = dist(rng);
  auto run = [&](int64_t batch, const float *pa, int64_t sab, void **slotA,
                 void **slotB) {
    std::vector<float> c(batch * m * n);
    dlc_sgemm_cached(batch, m, n, k, pa, 0, sab, k, 1, b.data(), 0, 0, n, 1,
                     c.data(), 0, m * n, n, 1, 0, slotA, slotB);
    return c;
  };
  std::vector<float> plain = run(1, a.data(), 0, nullptr, nullptr);
  void *slotA = nullptr, *slotB = nullptr;
  // The first call packs and publishes both operands; later calls read the
  // packed copies. The sums are the same, in the same order.
  EXPECT_EQ(run(1, a.data(), 0, &slotA, &slotB), plain);
  ASSERT_NE(slotA, nullptr);
  ASSERT_NE(slotB, nullptr);
  void *packedA = slotA;
  EXPECT_EQ(run(1, a.data(), 0, &slotA, &slotB), plain);
  EXPECT_EQ(slotA, packedA);
  // Another A through the same slot is packed per call, not taken from it.
  const float *otherA = a.data() + m * k;
  EXPECT_EQ(run(1, otherA, 0, &slotA, &slotB),
            run(1, otherA, 0, nullptr, nullptr));
  EXPECT_EQ(slotA, packedA);
  // An A that moves with the batch is never cached; a broadcast one is.
  void *batchSlot = nullptr;
  EXPECT_EQ(run(2, a.data(), m * k, &batchSlot, nullptr),
            run(2, a.data(), m * k, nullptr, nullptr));
  EXPECT_EQ(batchSlot, nullptr);
  std::vector<float> broadcast = run(2, a.data(), 0, &batchSlot, nullptr);
  EXPECT_NE(batchSlot, nullptr);
  EXPECT_EQ(broadcast, run(2, a.data(), 0, nullptr, nullptr));
  // Threaded, the packed A is read in blocks of rows, one per thread (n is
  // too small for column blocks): the same sums in the same order.
  ASSERT_EQ(DLC_STATUS_OK, dlc_set_num_threads(2));
  EXPECT_EQ(run(1, a.data(), 0, &slotA, &slotB), plain);
  EXPECT_EQ(run(1, a.data(), 0, nullptr, nullptr), plain);
  // The slots' copies live until the process exits (as in generated code);
  // here the test frees them.
  free(slotA);
  free(slotB);
  free(batchSlot);
}

TEST_P(GemmTest, CachedOperandsInBlocks) {
  // The paths that read packed copies in blocks, each against the plain
  // call (the same sums in the same order):
  // - a classifier's GEMV (B the packed weights, a row or a few of A): on 2
  //   threads, column blocks of the packed panels;
  // - A and B packed and n past NC: column blocks reading both;
  // - A packed alone and n too small for column blocks (a 1x1 conv at 14x14
  //   or 7x7): on 2 threads, a block of A's rows per thread.
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  struct Case {
    int64_t m, n, k;
    bool cacheA, cacheB;
  };
  for (int64_t threads : {1, 2})
    for (Case cs : {Case{1, 1000, 1280, false, true},
                    {3, 700, 600, false, true},
                    {13, 333, 300, false, true},
                    {130, 1100, 600, true, true},
                    {64, 196, 384, true, false},
                    {160, 49, 576, true, false},
                    {100, 70, 600, true, false}}) {
      int64_t m = cs.m, n = cs.n, k = cs.k;
      std::vector<float> a(m * k), b(k * n), bias(std::max(m, n));
      for (auto *v : {&a, &b, &bias})
        for (float &x : *v)
          x = dist(rng);
      // A bias per column with B cached, per row with A cached alone.
      int64_t sxm = cs.cacheB ? 0 : 1, sxn = cs.cacheB ? 1 : 0;
      ASSERT_EQ(DLC_STATUS_OK, dlc_set_num_threads(1));
      std::vector<float> plain(m * n), cached(m * n, 42.0f);
      float inf = std::numeric_limits<float>::infinity();
      dlc_sgemm_epilogue(1, m, n, k, a.data(), 0, 0, k, 1, b.data(), 0, 0, n, 1,
                         plain.data(), 0, 0, n, 1, 0, nullptr, nullptr,
                         bias.data(), 0, 0, sxm, sxn, nullptr, 0, 0, 0, 0, -inf,
                         inf);
      ASSERT_EQ(DLC_STATUS_OK, dlc_set_num_threads(threads));
      void *slotA = nullptr, *slotB = nullptr;
      for (int call = 0; call < 2; ++call) { // packs, then reads the copies
        dlc_sgemm_epilogue(1, m, n, k, a.data(), 0, 0, k, 1, b.data(), 0, 0, n,
                           1, cached.data(), 0, 0, n, 1, 0,
                           cs.cacheA ? &slotA : nullptr,
                           cs.cacheB ? &slotB : nullptr, bias.data(), 0, 0, sxm,
                           sxn, nullptr, 0, 0, 0, 0, -inf, inf);
        EXPECT_EQ(cached, plain) << "m " << m << " n " << n << " threads "
                                 << threads << " call " << call;
      }
      ASSERT_EQ(slotA != nullptr, cs.cacheA);
      ASSERT_EQ(slotB != nullptr, cs.cacheB);
      free(slotA);
      free(slotB);
    }
}

/// dlc_sgemm_epilogue: C = clamp(A * B + X + Y, lo, hi) with X a bias per
/// row or per column and Y a full matrix (strided, its own batch stride),
/// against the plain product plus the epilogue in double; exactly the
/// plain call's result without an epilogue (no addends, infinite bounds).
void checkEpilogue(int64_t batch, int64_t m, int64_t n, int64_t k,
                   bool biasPerRow, bool withY, float lo, float hi,
                   bool transC) {
  std::mt19937 rng(static_cast<uint32_t>(m * 7 + n * 3 + k));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(batch * m * k), b(k * n), x(biasPerRow ? m : n),
      y(2 + batch * m * (n + 1));
  for (auto *v : {&a, &b, &x, &y})
    for (float &e : *v)
      e = dist(rng);
  // C column-major when transC (the epilogue's strided path).
  int64_t scm = transC ? 1 : n, scn = transC ? m : 1;
  std::vector<float> plain(batch * m * n), fused(batch * m * n, 42.0f);
  dlc_sgemm(batch, m, n, k, a.data(), 0, m * k, k, 1, b.data(), 0, 0, n, 1,
            plain.data(), 0, m * n, scm, scn, 0);
  float inf = std::numeric_limits<float>::infinity();
  int64_t sxm = biasPerRow ? 1 : 0, sxn = biasPerRow ? 0 : 1;
  // Y rows of n + 1 floats from offset 2, batch stride m * (n + 1).
  dlc_sgemm_epilogue(
      batch, m, n, k, a.data(), 0, m * k, k, 1, b.data(), 0, 0, n, 1,
      fused.data(), 0, m * n, scm, scn, 0, nullptr, nullptr, x.data(), 0, 0,
      sxm, sxn, withY ? y.data() : nullptr, 2, m * (n + 1), n + 1, 1, lo, hi);
  for (int64_t q = 0; q < batch; ++q)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t at = q * m * n + i * scm + j * scn;
        double v = double(plain[at]) + x[i * sxm + j * sxn];
        if (withY)
          v += y[2 + q * m * (n + 1) + i * (n + 1) + j];
        v = std::min<double>(std::max<double>(v, lo), hi);
        ASSERT_NEAR(fused[at], v, 1e-5)
            << "isa " << dlc_internal_gemm_isa() << " batch " << batch << " m "
            << m << " n " << n << " k " << k << " at (" << q << ", " << i
            << ", " << j << ")";
      }
  // No addends and no bounds: the plain call's bits.
  std::vector<float> none(batch * m * n);
  dlc_sgemm_epilogue(batch, m, n, k, a.data(), 0, m * k, k, 1, b.data(), 0, 0,
                     n, 1, none.data(), 0, m * n, scm, scn, 0, nullptr, nullptr,
                     nullptr, 0, 0, 0, 0, nullptr, 0, 0, 0, 0, -inf, inf);
  ASSERT_EQ(none, plain);
}

TEST_P(GemmTest, Epilogue) {
  float inf = std::numeric_limits<float>::infinity();
  // Edge tiles, the K block boundary (applied once, after the last block),
  // per-row and per-column bias, a residual, ReLU and ReLU6 bounds.
  for (int64_t m : {1, 12, 13, 64})
    for (int64_t n : {1, 32, 45})
      checkEpilogue(1, m, n, 37, true, true, 0.0f, inf, false);
  // A 7 x 7 map's 17-column edge, 8 and 4 row edges, a per-column bias.
  checkEpilogue(1, 20, 49, 37, false, true, 0.0f, 6.0f, false);
  checkEpilogue(1, 16, 49, 300, true, false, -1.0f, 1.0f, false);
  checkEpilogue(1, 40, 70, 600, false, true, 0.0f, 6.0f, false);
  checkEpilogue(3, 17, 40, 23, true, false, -inf, inf, false);
  checkEpilogue(2, 29, 45, 37, false, true, -0.5f, 0.5f, true);
  checkEpilogue(1, 20, 33, 0, true, true, 0.0f, inf, false); // k = 0
  ASSERT_EQ(DLC_STATUS_OK, dlc_set_num_threads(2));
  checkEpilogue(1, 200, 150, 300, true, true, 0.0f, 6.0f, false);
  checkEpilogue(6, 64, 64, 32, false, true, 0.0f, inf, false);
}

TEST_P(GemmTest, EpilogueClampPropagatesNaN) {
  // As arith.maximumf / minimumf: NaN stays NaN through the clamp.
  float a = 1.0f, b = std::numeric_limits<float>::quiet_NaN(), c = 0.0f;
  dlc_sgemm_epilogue(1, 1, 1, 1, &a, 0, 0, 1, 1, &b, 0, 0, 1, 1, &c, 0, 0, 1, 1,
                     0, nullptr, nullptr, nullptr, 0, 0, 0, 0, nullptr, 0, 0, 0,
                     0, 0.0f, 6.0f);
  EXPECT_TRUE(std::isnan(c));
}

INSTANTIATE_TEST_SUITE_P(Isa, GemmTest,
                         ::testing::Values("avx512", "avx2", "generic"),
                         [](const auto &info) { return info.param; });

} // namespace
