//===- ConvTest.cpp - Unit tests for dlc_dwconv2d and dlc_sconv2d ---------===//
//
// dlc_dwconv2d against a double-precision reference for every ISA this CPU
// has: 3x3 (the unrolled path) and other filter sizes, strides 1 to 3,
// dilations, pads on either side (and larger than the filter), planes
// narrower than a vector, strided and batched operands, bias and residual
// addends, accumulation, the clamp and its NaN, and threads. dlc_sconv2d
// (the implicit GEMM) likewise, over channel counts past the K block and
// output pixels across rows of the micro-panels, with a cached filter.
//
//===----------------------------------------------------------------------===//

#include "IsaTest.h"
#include "dlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

struct Conv {
  int64_t batch, channels, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

struct Epi {
  bool bias = false, residual = false, accumulate = false;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  int64_t yStrideW = 1; // the output's column stride
};

void check(const Conv &cv, const Epi &ep = {}) {
  std::mt19937 rng(static_cast<uint32_t>(cv.h * 131 + cv.w * 17 + cv.kh * 7 +
                                         cv.sw * 3 + cv.dw));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t oh = (cv.h + cv.pt + cv.pb - (cv.kh - 1) * cv.dh - 1) / cv.sh + 1;
  int64_t ow = (cv.w + cv.pl + cv.pr - (cv.kw - 1) * cv.dw - 1) / cv.sw + 1;
  ASSERT_GT(oh, 0);
  ASSERT_GT(ow, 0);
  // X with padding in its row and sample strides, and channels-minor order
  // in one case so no stride is assumed.
  const int64_t off = 5;
  int64_t sxw = 1, sxh = cv.w + 3, sxc = sxh * cv.h + 1,
          sxb = sxc * cv.channels + 2;
  std::vector<float> x(off + sxb * cv.batch), f(off + cv.channels * 16 * 16);
  for (float &v : x)
    v = dist(rng);
  for (float &v : f)
    v = dist(rng);
  int64_t sfw = 1, sfh = cv.kw, sfc = cv.kh * cv.kw + 1;
  int64_t syw = ep.yStrideW, syh = ow * syw + 2, syc = syh * oh,
          syb = syc * cv.channels + 1;
  std::vector<float> y(off + syb * cv.batch);
  for (float &v : y)
    v = dist(rng);
  std::vector<float> y0 = y;
  std::vector<float> bias(off + cv.channels),
      res(off + cv.batch * cv.channels * oh * ow);
  for (float &v : bias)
    v = dist(rng);
  for (float &v : res)
    v = dist(rng);
  // The residual in its own dense NCHW order.
  int64_t srw = 1, srh = ow, src = ow * oh, srb = src * cv.channels;
  dlc_dwconv2d(cv.batch, cv.channels, cv.h, cv.w, x.data(), off, sxb, sxc, sxh,
               sxw, cv.kh, cv.kw, f.data(), off, sfc, sfh, sfw, cv.sh, cv.sw,
               cv.dh, cv.dw, cv.pt, cv.pl, oh, ow, y.data(), off, syb, syc, syh,
               syw, ep.accumulate, ep.bias ? bias.data() : nullptr, off, 0, 1,
               0, 0, ep.residual ? res.data() : nullptr, off, srb, src, srh,
               srw, ep.lo, ep.hi);
  for (int64_t b = 0; b < cv.batch; ++b)
    for (int64_t c = 0; c < cv.channels; ++c)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = 0, mag = 0;
          for (int64_t p = 0; p < cv.kh; ++p)
            for (int64_t q = 0; q < cv.kw; ++q) {
              int64_t r = i * cv.sh + p * cv.dh - cv.pt;
              int64_t s = j * cv.sw + q * cv.dw - cv.pl;
              if (r < 0 || r >= cv.h || s < 0 || s >= cv.w)
                continue;
              double t = double(f[off + c * sfc + p * sfh + q * sfw]) *
                         x[off + b * sxb + c * sxc + r * sxh + s * sxw];
              sum += t;
              mag += std::fabs(t);
            }
          int64_t yi = off + b * syb + c * syc + i * syh + j * syw;
          if (ep.accumulate)
            sum += y0[yi];
          if (ep.bias)
            sum += bias[off + c];
          if (ep.residual)
            sum += res[off + b * srb + c * src + i * srh + j * srw];
          double want = std::fmin(std::fmax(sum, ep.lo), ep.hi);
          ASSERT_NEAR(y[yi], want, 1e-5 * (mag + 1))
              << "b " << b << " c " << c << " i " << i << " j " << j;
        }
  // Nothing between the output's elements is written.
  if (syw > 1)
    for (int64_t b = 0; b < cv.batch; ++b)
      for (int64_t c = 0; c < cv.channels; ++c)
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j)
            for (int64_t g = 1; g < syw; ++g) {
              int64_t yi = off + b * syb + c * syc + i * syh + j * syw + g;
              ASSERT_EQ(y[yi], y0[yi]);
            }
}

class ConvTest : public IsaTest {};

TEST_P(ConvTest, ThreeByThree) {
  // MobileNet's: pad 1, stride 1 and 2, planes wider and narrower than a
  // vector, odd and even sizes.
  for (int64_t size : {1, 2, 7, 14, 17, 33, 56})
    for (int64_t stride : {1, 2})
      check({1, 3, size, size, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1});
  // No padding, one-sided padding, rectangular planes.
  check({1, 2, 9, 21, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0});
  check({1, 2, 9, 21, 3, 3, 2, 1, 1, 1, 0, 2, 1, 0});
  check({2, 5, 12, 40, 3, 3, 1, 2, 1, 1, 1, 0, 1, 1});
  // Planes of at most 16 output columns at unit strides (one vector per
  // row, each input row loaded once): no padding, one-sided and uneven
  // padding, exactly 16 columns.
  check({1, 2, 9, 13, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0});
  check({1, 2, 9, 13, 3, 3, 1, 1, 1, 1, 2, 0, 1, 3});
  check({1, 2, 4, 15, 3, 3, 1, 1, 1, 1, 0, 2, 0, 1});
  check({1, 2, 3, 3, 3, 3, 1, 1, 1, 1, 3, 1, 0, 2});
  // The same strips at stride 2: no padding, uneven padding, rows wider
  // than two vectors.
  check({1, 2, 9, 13, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0});
  check({1, 2, 10, 40, 3, 3, 2, 2, 1, 1, 2, 1, 0, 3});
  check({1, 3, 7, 70, 3, 3, 2, 2, 1, 1, 1, 0, 2, 2});
}

TEST_P(ConvTest, PairsOfNarrowPlanes) {
  // At most 8 output columns: two planes share a vector (MobileNet's 7x7
  // layers). Odd and even plane counts, pairs across samples, one to 8
  // columns, uneven and past-the-filter padding, both strides.
  Epi relu6;
  relu6.bias = true;
  relu6.lo = 0;
  relu6.hi = 6;
  for (int64_t size : {1, 3, 7, 8})
    for (int64_t stride : {1, 2}) {
      check({1, 5, size, size, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1});
      check({3, 3, size, size, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1}, relu6);
    }
  check({2, 3, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, relu6);
  check({1, 4, 9, 6, 3, 3, 1, 1, 1, 1, 0, 2, 3, 0});
  check({1, 4, 5, 16, 3, 3, 2, 2, 1, 1, 2, 0, 0, 1});
  check({1, 2, 3, 3, 3, 3, 1, 1, 1, 1, 3, 3, 3, 3});
  // The epilogues the pairs leave to one plane at a time.
  Conv narrow{1, 4, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  Epi residual = relu6;
  residual.residual = true;
  check(narrow, residual);
  Epi acc;
  acc.accumulate = true;
  check(narrow, acc);
  Epi strided = relu6;
  strided.yStrideW = 2;
  check(narrow, strided);
  dlc_set_num_threads(2);
  // Enough work to be threaded; the chunks hold odd plane counts.
  check({1, 101, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, relu6);
  check({1, 91, 14, 14, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1}, relu6);
}

TEST_P(ConvTest, StridesDilationsAndSizes) {
  check({1, 2, 20, 20, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1});
  check({1, 2, 20, 31, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2});
  check({1, 2, 20, 31, 3, 3, 2, 2, 2, 3, 2, 3, 2, 3});
  check({1, 2, 19, 19, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2});
  check({1, 2, 15, 15, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3});
  check({1, 2, 1, 50, 1, 9, 1, 1, 1, 1, 0, 4, 0, 4}); // 1-D along w
  check({1, 2, 30, 1, 4, 1, 1, 1, 1, 1, 2, 0, 1, 0}); // 1-D along h
  check({1, 2, 11, 13, 2, 4, 3, 2, 2, 1, 0, 1, 3, 2});
  check({1, 2, 6, 6, 3, 3, 1, 1, 1, 1, 5, 5, 5, 5}); // pads past the filter
  check({1, 2, 5, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
}

TEST_P(ConvTest, Epilogues) {
  Conv cv{2, 4, 15, 15, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  Epi bias;
  bias.bias = true;
  check(cv, bias);
  Epi relu6 = bias;
  relu6.lo = 0;
  relu6.hi = 6;
  check(cv, relu6);
  check({2, 4, 15, 15, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2}, relu6);
  Epi residual = relu6;
  residual.residual = true;
  check(cv, residual);
  check({1, 3, 9, 9, 5, 3, 1, 1, 1, 1, 2, 1, 2, 1}, residual);
  Epi acc;
  acc.accumulate = true;
  check(cv, acc);
  check({1, 3, 9, 9, 5, 3, 1, 1, 1, 1, 2, 1, 2, 1}, acc);
  Epi strided = bias;
  strided.yStrideW = 3;
  check(cv, strided);
  check({1, 3, 9, 9, 5, 3, 1, 1, 1, 1, 2, 1, 2, 1}, strided);
}

TEST_P(ConvTest, NaNPassesTheClamp) {
  // A 1x1 filter of 1 (0 * NaN would spread the NaN to every window).
  float x[4] = {-1.0f, 3.0f, std::numeric_limits<float>::quiet_NaN(), 7.0f};
  float f[1] = {1.0f}, y[4];
  dlc_dwconv2d(1, 1, 1, 4, x, 0, 4, 4, 4, 1, 1, 1, f, 0, 1, 1, 1, 1, 1, 1, 1, 0,
               0, 1, 4, y, 0, 4, 4, 4, 1, 0, nullptr, 0, 0, 0, 0, 0, nullptr, 0,
               0, 0, 0, 0, 0.0f, 6.0f);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 3.0f);
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(y[3], 6.0f);
}

TEST_P(ConvTest, Threads) {
  dlc_set_num_threads(2);
  check({3, 37, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  check({2, 19, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
  check({2, 19, 28, 28, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2});
}

struct Conv2d {
  int64_t batch, channels, m, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

void checkConv(const Conv2d &cv, const Epi &ep = {}, int calls = 1) {
  std::mt19937 rng(static_cast<uint32_t>(cv.channels * 7 + cv.m * 3 + cv.h));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t oh = (cv.h + cv.pt + cv.pb - (cv.kh - 1) * cv.dh - 1) / cv.sh + 1;
  int64_t ow = (cv.w + cv.pl + cv.pr - (cv.kw - 1) * cv.dw - 1) / cv.sw + 1;
  ASSERT_GT(oh, 0);
  ASSERT_GT(ow, 0);
  const int64_t off = 3;
  // X with slack in every stride (not dense), Y dense per plane.
  int64_t sxw = 1, sxh = cv.w + 2, sxc = sxh * cv.h + 1,
          sxb = sxc * cv.channels + 5;
  int64_t k = cv.channels * cv.kh * cv.kw, sfm = k + 1;
  int64_t syn = 1, sym = oh * ow + 3, syb = sym * cv.m;
  std::vector<float> x(off + sxb * cv.batch), f(off + sfm * cv.m),
      y(off + syb * cv.batch), bias(off + cv.m),
      res(off + cv.batch * cv.m * oh * ow);
  for (auto *v : {&x, &f, &y, &bias, &res})
    for (float &e : *v)
      e = dist(rng);
  std::vector<float> y0 = y;
  int64_t srn = 1, srm = oh * ow, srb = srm * cv.m;
  void *slot = nullptr;
  for (int call = 0; call < calls; ++call) {
    y = y0;
    dlc_sconv2d(cv.batch, cv.channels, cv.h, cv.w, x.data(), off, sxb, sxc, sxh,
                sxw, cv.m, cv.kh, cv.kw, f.data(), off, sfm, cv.sh, cv.sw,
                cv.dh, cv.dw, cv.pt, cv.pl, oh, ow, y.data(), off, syb, sym,
                syn, ep.accumulate, calls > 1 ? &slot : nullptr,
                ep.bias ? bias.data() : nullptr, off, 0, 1, 0,
                ep.residual ? res.data() : nullptr, off, srb, srm, srn, ep.lo,
                ep.hi);
  }
  // The slot's packed filter lives until the process exits (as in
  // generated code); here the test frees it.
  free(slot);
  for (int64_t b = 0; b < cv.batch; ++b)
    for (int64_t o = 0; o < cv.m; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = 0, mag = 0;
          for (int64_t c = 0; c < cv.channels; ++c)
            for (int64_t p = 0; p < cv.kh; ++p)
              for (int64_t q = 0; q < cv.kw; ++q) {
                int64_t r = i * cv.sh + p * cv.dh - cv.pt;
                int64_t s = j * cv.sw + q * cv.dw - cv.pl;
                if (r < 0 || r >= cv.h || s < 0 || s >= cv.w)
                  continue;
                double t =
                    double(f[off + o * sfm + (c * cv.kh + p) * cv.kw + q]) *
                    x[off + b * sxb + c * sxc + r * sxh + s * sxw];
                sum += t;
                mag += std::fabs(t);
              }
          int64_t n = i * ow + j;
          int64_t yi = off + b * syb + o * sym + n * syn;
          if (ep.accumulate)
            sum += y0[yi];
          if (ep.bias)
            sum += bias[off + o];
          if (ep.residual)
            sum += res[off + b * srb + o * srm + n * srn];
          double want = std::fmin(std::fmax(sum, ep.lo), ep.hi);
          ASSERT_NEAR(y[yi], want, 1e-5 * (mag + 1))
              << "b " << b << " o " << o << " i " << i << " j " << j;
        }
}

TEST_P(ConvTest, ImplicitGemmConv) {
  // ResNet's: 3x3 pad 1 at stride 1 and 2, the 7x7 stride-2 stem, and
  // channel counts whose K (c * 9) passes the 256-deep K block.
  checkConv({1, 3, 8, 20, 20, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3});
  checkConv({1, 16, 24, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  checkConv({2, 40, 13, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
  checkConv({1, 5, 7, 9, 40, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0});
  checkConv({1, 3, 5, 12, 12, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2});
  checkConv({1, 2, 3, 6, 17, 2, 5, 1, 3, 1, 2, 0, 4, 3, 1});
  checkConv({1, 2, 3, 3, 3, 3, 3, 1, 1, 1, 1, 5, 5, 5, 5});
  // Right pads past the filter: some runs of a panel's pixels read only
  // padding while the runs before them read the input.
  checkConv({1, 5, 7, 17, 23, 3, 3, 1, 1, 1, 1, 2, 1, 0, 3});
  checkConv({1, 3, 4, 9, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 6});
}

TEST_P(ConvTest, ImplicitGemmConvEpilogues) {
  Epi relu6;
  relu6.bias = true;
  relu6.lo = 0;
  relu6.hi = 6;
  checkConv({2, 8, 20, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, relu6);
  Epi residual = relu6;
  residual.residual = true;
  residual.lo = -std::numeric_limits<float>::infinity();
  checkConv({2, 8, 20, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, residual);
  Epi acc;
  acc.accumulate = true;
  checkConv({1, 4, 6, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, acc);
  // A cached filter, packed on the first call and reused.
  checkConv({1, 32, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, relu6, 3);
  // With the filter packed once, the output's pixels go in column blocks
  // (900 pixels: past one 512-column block; threaded: blocks per thread).
  checkConv({2, 8, 20, 30, 30, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, residual, 2);
  dlc_set_num_threads(2);
  checkConv({2, 8, 20, 30, 30, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, residual, 2);
  checkConv({1, 16, 24, 17, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, relu6, 2);
  checkConv({3, 24, 40, 15, 15, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, residual);
  checkConv({1, 64, 64, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, relu6);
  // Few pixels and a cached filter past the K block (ResNet's 14 x 14 and
  // 7 x 7 layers): one block of rows per thread, each reading its panels of
  // the packed filter.
  checkConv({1, 40, 70, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, residual, 2);
  checkConv({1, 60, 100, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, relu6, 3);
}

/// dlc_maxpool2d against the window max (padding never wins).
void checkMaxPool(const Conv &cv, bool withNaN = false) {
  std::mt19937 rng(static_cast<uint32_t>(cv.h * 31 + cv.kw));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t oh = (cv.h + cv.pt + cv.pb - (cv.kh - 1) * cv.dh - 1) / cv.sh + 1;
  int64_t ow = (cv.w + cv.pl + cv.pr - (cv.kw - 1) * cv.dw - 1) / cv.sw + 1;
  int64_t sxw = 1, sxh = cv.w + 1, sxc = sxh * cv.h, sxb = sxc * cv.channels;
  int64_t syw = 1, syh = ow + 2, syc = syh * oh, syb = syc * cv.channels;
  std::vector<float> x(sxb * cv.batch), y(syb * cv.batch, 7.0f);
  for (float &v : x)
    v = dist(rng);
  if (withNaN)
    x[sxh * (cv.h / 2) + cv.w / 2] = std::numeric_limits<float>::quiet_NaN();
  dlc_maxpool2d(cv.batch, cv.channels, cv.h, cv.w, x.data(), 0, sxb, sxc, sxh,
                sxw, cv.kh, cv.kw, cv.sh, cv.sw, cv.dh, cv.dw, cv.pt, cv.pl, oh,
                ow, y.data(), 0, syb, syc, syh, syw);
  for (int64_t b = 0; b < cv.batch; ++b)
    for (int64_t c = 0; c < cv.channels; ++c)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          float want = -std::numeric_limits<float>::infinity();
          bool nan = false;
          for (int64_t p = 0; p < cv.kh; ++p)
            for (int64_t q = 0; q < cv.kw; ++q) {
              int64_t r = i * cv.sh + p * cv.dh - cv.pt;
              int64_t s = j * cv.sw + q * cv.dw - cv.pl;
              if (r < 0 || r >= cv.h || s < 0 || s >= cv.w)
                continue;
              float v = x[b * sxb + c * sxc + r * sxh + s * sxw];
              nan |= std::isnan(v);
              want = std::max(want, v);
            }
          float got = y[b * syb + c * syc + i * syh + j * syw];
          if (nan)
            ASSERT_TRUE(std::isnan(got)) << "i " << i << " j " << j;
          else
            ASSERT_EQ(got, want)
                << "b " << b << " c " << c << " i " << i << " j " << j;
        }
}

TEST_P(ConvTest, MaxPool) {
  checkMaxPool({1, 3, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}); // ResNet's
  checkMaxPool({2, 2, 9, 13, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0});
  // 2 x 2 at stride 2 (its own path): rows past 16 windows, odd sizes, NaN.
  checkMaxPool({1, 3, 37, 75, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0});
  checkMaxPool({1, 2, 8, 66, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, /*withNaN=*/true);
  checkMaxPool({1, 2, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2});
  checkMaxPool({1, 2, 7, 7, 5, 3, 3, 1, 1, 1, 2, 0, 2, 3});
  checkMaxPool({1, 1, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, /*withNaN=*/true);
  // 3 x 3 at strides 1 and 2 (strips of 16 windows): rows narrower and
  // wider than a strip, padding 0 to 2 on either side, NaN; padding 3
  // leaves windows with no input row (-inf, the general path's).
  for (int64_t size : {1, 2, 15, 16, 17, 33, 40})
    for (int64_t stride : {1, 2})
      checkMaxPool({1, 2, size, size, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1});
  checkMaxPool({1, 2, 11, 35, 3, 3, 2, 2, 1, 1, 2, 0, 1, 2}, /*withNaN=*/true);
  checkMaxPool({1, 2, 12, 20, 3, 3, 1, 1, 1, 1, 0, 2, 2, 1}, /*withNaN=*/true);
  checkMaxPool({1, 2, 5, 6, 3, 3, 1, 1, 1, 1, 3, 1, 3, 1});
  dlc_set_num_threads(2);
  checkMaxPool({2, 16, 20, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
}

/// A rank-4 memref as generated code passes it (DLC_MEMREF4_PARAMS).
struct Memref4 {
  float *data;
  int64_t offset, size[4], stride[4];
};
#define DLC_TEST_MEMREF(M)                                                     \
  (M).data, (M).data, (M).offset, (M).size[0], (M).size[1], (M).size[2],       \
      (M).size[3], (M).stride[0], (M).stride[1], (M).stride[2], (M).stride[3]

/// A memref over `store` of the given sizes with slack in every stride but
/// the last (so no stride is assumed dense), filled from `rng`.
Memref4 slackMemref(std::vector<float> &store, std::array<int64_t, 4> size,
                    std::mt19937 &rng, bool dense = false) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t slack = dense ? 0 : 1, offset = dense ? 0 : 3;
  int64_t sw = 1, sh = size[3] * sw + slack, sc = size[2] * sh + slack,
          sn = size[1] * sc + slack;
  store.assign(static_cast<size_t>(offset + size[0] * sn), 0.0f);
  for (float &v : store)
    v = dist(rng);
  return {store.data(),
          offset,
          {size[0], size[1], size[2], size[3]},
          {sn, sc, sh, sw}};
}

float &at(const Memref4 &m, int64_t a, int64_t b, int64_t c, int64_t d) {
  return m.data[m.offset + a * m.stride[0] + b * m.stride[1] + c * m.stride[2] +
                d * m.stride[3]];
}

/// dlc_sconv2d_wgrad against a double-precision sum; `denseOut` gives D the
/// dense layout the compiler allocates, else slack (the copy-out path).
void checkWeightGrad(const Conv2d &cv, bool denseOut = true,
                     bool denseGrad = false) {
  std::mt19937 rng(static_cast<uint32_t>(cv.channels * 5 + cv.m + cv.h * 3));
  int64_t oh = (cv.h + cv.pt + cv.pb - (cv.kh - 1) * cv.dh - 1) / cv.sh + 1;
  int64_t ow = (cv.w + cv.pl + cv.pr - (cv.kw - 1) * cv.dw - 1) / cv.sw + 1;
  ASSERT_GT(oh, 0);
  ASSERT_GT(ow, 0);
  std::vector<float> xs, gs, ds;
  Memref4 x = slackMemref(xs, {cv.batch, cv.channels, cv.h, cv.w}, rng);
  Memref4 g = slackMemref(gs, {cv.batch, cv.m, oh, ow}, rng, denseGrad);
  Memref4 d = slackMemref(ds, {cv.m, cv.channels, cv.kh, cv.kw}, rng, denseOut);
  std::vector<float> d0 = ds;
  dlc_sconv2d_wgrad(DLC_TEST_MEMREF(x), DLC_TEST_MEMREF(g), DLC_TEST_MEMREF(d),
                    cv.sh, cv.sw, cv.dh, cv.dw, cv.pt, cv.pl);
  for (int64_t o = 0; o < cv.m; ++o)
    for (int64_t c = 0; c < cv.channels; ++c)
      for (int64_t p = 0; p < cv.kh; ++p)
        for (int64_t q = 0; q < cv.kw; ++q) {
          double sum = 0, mag = 0;
          for (int64_t b = 0; b < cv.batch; ++b)
            for (int64_t i = 0; i < oh; ++i)
              for (int64_t j = 0; j < ow; ++j) {
                int64_t r = i * cv.sh + p * cv.dh - cv.pt;
                int64_t s = j * cv.sw + q * cv.dw - cv.pl;
                if (r < 0 || r >= cv.h || s < 0 || s >= cv.w)
                  continue;
                double t = double(at(g, b, o, i, j)) * at(x, b, c, r, s);
                sum += t;
                mag += std::fabs(t);
              }
          ASSERT_NEAR(at(d, o, c, p, q), sum, 1e-5 * (mag + 1))
              << "m " << o << " c " << c << " p " << p << " q " << q;
        }
  // Only D's elements are written.
  for (size_t e = 0; e < ds.size(); ++e) {
    int64_t rel = static_cast<int64_t>(e) - d.offset;
    bool inside = false;
    for (int64_t o = 0; o < cv.m && !inside; ++o)
      for (int64_t c = 0; c < cv.channels && !inside; ++c)
        for (int64_t p = 0; p < cv.kh && !inside; ++p)
          for (int64_t q = 0; q < cv.kw && !inside; ++q)
            inside = rel == o * d.stride[0] + c * d.stride[1] +
                                p * d.stride[2] + q * d.stride[3];
    if (!inside) {
      ASSERT_EQ(ds[e], d0[e]) << "element " << e << " outside D was written";
    }
  }
}

TEST_P(ConvTest, WeightGradient) {
  checkWeightGrad({2, 3, 5, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  // The train CNN's shapes (fewer samples): 1 input channel, and 32.
  checkWeightGrad({3, 1, 32, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  checkWeightGrad({2, 32, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  // Strides, dilations, uneven pads, K blocks of pixels across rows.
  checkWeightGrad({2, 4, 7, 33, 21, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1});
  checkWeightGrad({1, 3, 13, 20, 31, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3});
  checkWeightGrad({2, 2, 5, 19, 19, 5, 4, 3, 2, 1, 1, 2, 0, 2, 3});
  checkWeightGrad({2, 5, 3, 6, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
  checkWeightGrad({1, 2, 3, 6, 6, 3, 3, 1, 1, 1, 1, 5, 5, 5, 5});
  // D with slack (copied out), G with dense planes.
  checkWeightGrad({2, 3, 5, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, false, true);
  dlc_set_num_threads(2);
  checkWeightGrad({5, 6, 16, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  checkWeightGrad({1, 6, 16, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, false);
}

/// dlc_maxpool2d_grad against a direct routing of each window's gradient.
void checkMaxPoolGrad(const Conv &cv, bool ties = false) {
  std::mt19937 rng(static_cast<uint32_t>(cv.h * 3 + cv.kw + cv.sw));
  int64_t oh = (cv.h + cv.pt + cv.pb - (cv.kh - 1) * cv.dh - 1) / cv.sh + 1;
  int64_t ow = (cv.w + cv.pl + cv.pr - (cv.kw - 1) * cv.dw - 1) / cv.sw + 1;
  ASSERT_GT(oh, 0);
  ASSERT_GT(ow, 0);
  std::vector<float> xs, gs, ds;
  Memref4 x = slackMemref(xs, {cv.batch, cv.channels, cv.h, cv.w}, rng);
  if (ties) // few distinct values: the first maximum must win
    for (float &v : xs)
      v = std::round(v * 2);
  Memref4 g = slackMemref(gs, {cv.batch, cv.channels, oh, ow}, rng);
  Memref4 d = slackMemref(ds, {cv.batch, cv.channels, cv.h, cv.w}, rng);
  dlc_maxpool2d_grad(DLC_TEST_MEMREF(x), DLC_TEST_MEMREF(g), DLC_TEST_MEMREF(d),
                     cv.kh, cv.kw, cv.sh, cv.sw, cv.dh, cv.dw, cv.pt, cv.pl);
  std::vector<double> want(
      static_cast<size_t>(cv.batch * cv.channels * cv.h * cv.w), 0.0);
  for (int64_t b = 0; b < cv.batch; ++b)
    for (int64_t c = 0; c < cv.channels; ++c)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t best = -1;
          float bestValue = 0;
          for (int64_t p = 0; p < cv.kh; ++p)
            for (int64_t q = 0; q < cv.kw; ++q) {
              int64_t r = i * cv.sh + p * cv.dh - cv.pt;
              int64_t s = j * cv.sw + q * cv.dw - cv.pl;
              if (r < 0 || r >= cv.h || s < 0 || s >= cv.w)
                continue;
              float v = at(x, b, c, r, s);
              if (best < 0 || v > bestValue) {
                best = ((b * cv.channels + c) * cv.h + r) * cv.w + s;
                bestValue = v;
              }
            }
          if (best >= 0)
            want[static_cast<size_t>(best)] += at(g, b, c, i, j);
        }
  for (int64_t b = 0; b < cv.batch; ++b)
    for (int64_t c = 0; c < cv.channels; ++c)
      for (int64_t r = 0; r < cv.h; ++r)
        for (int64_t s = 0; s < cv.w; ++s)
          ASSERT_NEAR(at(d, b, c, r, s),
                      want[((b * cv.channels + c) * cv.h + r) * cv.w + s], 1e-5)
              << "b " << b << " c " << c << " r " << r << " s " << s;
}

TEST_P(ConvTest, MaxPoolGradient) {
  checkMaxPoolGrad({2, 3, 28, 28, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0});
  checkMaxPoolGrad({2, 3, 28, 28, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, true);
  checkMaxPoolGrad({1, 2, 37, 75, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0});
  checkMaxPoolGrad({1, 2, 9, 66, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, true);
  checkMaxPoolGrad({1, 3, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, true);
  checkMaxPoolGrad({1, 2, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2});
  checkMaxPoolGrad(
      {1, 2, 6, 6, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2}); // pad-only windows
  dlc_set_num_threads(2);
  checkMaxPoolGrad({2, 16, 40, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
}

INSTANTIATE_TEST_SUITE_P(Isa, ConvTest,
                         ::testing::Values("avx512", "avx2", "generic"),
                         [](const auto &info) { return info.param; });

} // namespace
