//===- QConvTest.cpp - Unit tests for dlc_qconv2d -------------------------===//
//
// dlc_qconv2d against a direct sum over the unpacked weights and the
// requantize as dl.requantize's lowering computes it (f32 multiply, round
// half to even, zero point, clamp), compared exactly: channel counts that
// are not a multiple of 4 and row counts past a 12-row tile, pixel panels
// that end inside a vector and span several output rows, strides 1, 2 and
// 3, dilation, asymmetric padding, a strided input view, uint8 and int8
// outputs, ties at .5, saturation at both ends, batch and threads; on the
// VNNI path and the portable one. Operands that disagree fail the call.
//
//===----------------------------------------------------------------------===//

#include "IsaTest.h"
#include "dlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

struct QCase {
  int64_t batch, c, h, w, m, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool yUnsigned = true;
  int xZero = 128, yZero = 3;
  float scaleBase = 0.01f;
  int64_t lo = 0, hi = 255; // within the output type
  int threads = 1;
  bool stridedInput = false; // x read from a wider buffer
};

/// F packed as runtime.h documents it.
std::vector<int8_t> pack(const std::vector<int8_t> &f, const QCase &q) {
  int64_t reduction = q.kh * q.kw * q.c, k4 = (reduction + 3) / 4,
          quads = (q.m + 3) / 4;
  std::vector<int8_t> w(quads * k4 * 16, 0);
  for (int64_t o = 0; o < q.m; ++o)
    for (int64_t k = 0; k < reduction; ++k) {
      int64_t tap = k / q.c, c = k % q.c, p = tap / q.kw, s = tap % q.kw;
      w[((o / 4 * k4 + k / 4) * 4 + o % 4) * 4 + k % 4] =
          f[((o * q.c + c) * q.kh + p) * q.kw + s];
    }
  return w;
}

void check(const QCase &q) {
  SCOPED_TRACE(::testing::Message()
               << "c " << q.c << " h " << q.h << " w " << q.w << " m " << q.m
               << " k " << q.kh << "x" << q.kw << " stride " << q.sh << ","
               << q.sw << " dilation " << q.dh << "," << q.dw << " isa "
               << dlc_internal_gemm_isa() << " threads " << q.threads);
  std::mt19937 rng(static_cast<uint32_t>(q.c * 131 + q.h * 7 + q.m));
  std::uniform_int_distribution<int> byte(0, 255), weight(-128, 127),
      bias(-3000, 3000);
  int64_t oh = (q.h + q.pt + q.pb - (q.kh - 1) * q.dh - 1) / q.sh + 1;
  int64_t ow = (q.w + q.pl + q.pr - (q.kw - 1) * q.dw - 1) / q.sw + 1;
  int64_t xsw = q.stridedInput ? 2 : 1, xsh = q.w * xsw, xsc = q.h * xsh,
          xsn = q.c * xsc;
  std::vector<int8_t> x(q.batch * xsn + 1), f(q.m * q.c * q.kh * q.kw);
  for (auto &v : x)
    v = static_cast<int8_t>(byte(rng));
  for (auto &v : f)
    v = static_cast<int8_t>(weight(rng));
  std::vector<int32_t> b(q.m), off(q.m);
  std::vector<float> scale(q.m);
  for (int64_t o = 0; o < q.m; ++o) {
    b[o] = bias(rng);
    scale[o] = q.scaleBase * (1.0f + 0.25f * static_cast<float>(o % 5));
    int64_t sum = 0;
    for (int64_t i = 0; i < q.c * q.kh * q.kw; ++i)
      sum += f[o * q.c * q.kh * q.kw + i];
    off[o] = static_cast<int32_t>(b[o] - q.xZero * sum);
  }
  std::vector<int8_t> w = pack(f, q);
  std::vector<int8_t> y(q.batch * q.m * oh * ow + 7, 0x55);
  dlc_set_num_threads(q.threads);
  dlc_qconv2d(x.data(), x.data(), 1, q.batch, q.c, q.h, q.w, xsn, xsc, xsh, xsw,
              w.data(), w.data(), 0, static_cast<int64_t>(w.size()), 1,
              off.data(), off.data(), 0, q.m, 1, scale.data(), scale.data(), 0,
              q.m, 1, y.data(), y.data(), 2, q.batch, q.m, oh, ow,
              q.m * oh * ow, oh * ow, ow, 1, q.kh, q.kw, q.sh, q.sw, q.dh, q.dw,
              q.pt, q.pl, q.xZero, q.yZero, q.lo, q.hi, q.yUnsigned ? 1 : 0);
  dlc_set_num_threads(0);
  EXPECT_EQ(y[0], 0x55);
  EXPECT_EQ(y[1], 0x55);
  for (int64_t n = 0; n < q.batch; ++n)
    for (int64_t o = 0; o < q.m; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t acc = 0;
          for (int64_t c = 0; c < q.c; ++c)
            for (int64_t p = 0; p < q.kh; ++p)
              for (int64_t s = 0; s < q.kw; ++s) {
                int64_t r = i * q.sh + p * q.dh - q.pt,
                        t = j * q.sw + s * q.dw - q.pl;
                int xv = q.xZero;
                if (r >= 0 && r < q.h && t >= 0 && t < q.w)
                  xv = static_cast<uint8_t>(
                      x[1 + n * xsn + c * xsc + r * xsh + t * xsw]);
                acc += static_cast<int64_t>(xv - q.xZero) *
                       f[((o * q.c + c) * q.kh + p) * q.kw + s];
              }
          float v =
              static_cast<float>(static_cast<int32_t>(acc + b[o])) * scale[o];
          v = std::nearbyint(v) + static_cast<float>(q.yZero);
          v = std::fmin(std::fmax(v, static_cast<float>(q.lo)),
                        static_cast<float>(q.hi));
          int want = static_cast<int>(v);
          int8_t got = y[2 + ((n * q.m + o) * oh + i) * ow + j];
          int gotValue = q.yUnsigned ? static_cast<uint8_t>(got) : got;
          ASSERT_EQ(gotValue, want) << "at " << n << "," << o << "," << i << ","
                                    << j << " acc " << acc;
        }
  for (size_t i = 2 + q.batch * q.m * oh * ow; i < y.size(); ++i)
    ASSERT_EQ(y[i], 0x55) << "written past the output";
}

class QConvTest : public IsaTest {};

TEST_P(QConvTest, Shapes) {
  // ResNet's 3x3 at pad 1, stride 1 and 2; maps of 7 x 7 (49 pixels: a
  // panel of 32 and one of 17) and 9 x 9; channels 5 (a partial group of
  // 4, the planar copy) and 8 (the 4-channel copy); rows 13 (a 12-row tile
  // and a 1-row one).
  for (int64_t channels : {5, 8})
    for (int64_t size : {1, 3, 7, 9, 16})
      for (int64_t stride : {1, 2})
        check({1, channels, size, size, 13, 3, 3, stride, stride, 1, 1, 1, 1, 1,
               1});
  // The stem: 3 channels, 7 x 7 at stride 2, pad 3; rows 8.
  check({1, 3, 20, 22, 8, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3});
  // A stem whose output rows are whole halves of 16 (224's 112 is): one
  // byte permute of 4 input rows per step.
  check({1, 3, 9, 64, 8, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3});
  // Pointwise at stride 2 (a downsample), rows 24 and 64 channels.
  check({1, 64, 14, 14, 24, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0});
  // Stride 3 (the scalar gather), dilation 2, asymmetric padding.
  check({1, 4, 11, 13, 6, 3, 3, 3, 3, 1, 1, 0, 2, 1, 0});
  check({1, 7, 12, 12, 12, 3, 3, 1, 2, 2, 2, 2, 1, 2, 1});
  // A wide row: runs of one output row across whole panels.
  check({1, 8, 3, 70, 20, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1});
  check({1, 8, 5, 71, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
  // Channels a multiple of 4 (the 4-channel copy): stride 3, dilation,
  // asymmetric pads, a pad wider than the input, a 1x1.
  check({1, 12, 11, 13, 6, 3, 3, 3, 3, 1, 1, 0, 2, 1, 0});
  check({1, 4, 12, 12, 12, 3, 3, 1, 2, 2, 2, 2, 1, 2, 1});
  check({1, 4, 2, 3, 5, 3, 3, 1, 1, 1, 1, 4, 4, 4, 4});
  check({1, 32, 20, 37, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
  // Panels of 1 to 4 pixels (rows in the lanes): 81 = 32 + 32 + 16 + 1,
  // 34 = 32 + 2, 35 = 32 + 3, 36 = 32 + 4; rows 13 = 12 + 1, 28 and 7.
  check({1, 8, 9, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  check({1, 8, 2, 17, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  check({1, 5, 5, 7, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  check({1, 12, 6, 6, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  // Rows 64 and 28: tiles of 12 and the last 16 rows as 8 + 8.
  check({1, 8, 9, 9, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  check({1, 4, 6, 6, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
}

TEST_P(QConvTest, WithoutVbmi) {
  // The unpack interleave of CPUs with VNNI but without VBMI (Cascade
  // Lake): strides 1, 2 and 3, partial runs, the stem's 3 channels.
  int previous = dlc_internal_qconv_use_vbmi(0);
  check({1, 5, 9, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  check({1, 5, 16, 16, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
  check({1, 3, 20, 22, 8, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3});
  check({1, 4, 11, 13, 6, 3, 3, 3, 3, 1, 1, 0, 2, 1, 0});
  check({1, 8, 5, 71, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1});
  check({1, 8, 19, 21, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  dlc_internal_qconv_use_vbmi(previous);
}

TEST_P(QConvTest, EpilogueEdges) {
  // int8 output with a ReLU-like clamp at its zero point.
  QCase s{1, 6, 8, 8, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  s.yUnsigned = false;
  s.yZero = -5;
  s.lo = -5;
  s.hi = 127;
  check(s);
  // Saturation at both ends of uint8 and of int8.
  QCase big = s;
  big.scaleBase = 0.5f;
  big.yUnsigned = true;
  big.yZero = 128;
  big.lo = 0;
  big.hi = 255;
  check(big);
  big.yUnsigned = false;
  big.yZero = 0;
  big.lo = -128;
  big.hi = 127;
  check(big);
  // The same at 7 x 7 (the 49th pixel's panel has the rows in the lanes).
  big.h = big.w = 7;
  check(big);
  big.yUnsigned = true;
  big.yZero = 128;
  big.lo = 0;
  big.hi = 255;
  check(big);
  // Ties: a scale of 0.5 puts every odd sum at .5, rounded to even.
  QCase ties = s;
  ties.scaleBase = 0.5f;
  ties.c = 1;
  ties.kh = ties.kw = 1;
  ties.pt = ties.pl = ties.pb = ties.pr = 0;
  ties.yUnsigned = true;
  ties.yZero = 0;
  ties.lo = 0;
  ties.hi = 255;
  ties.xZero = 0;
  check(ties);
}

TEST_P(QConvTest, BatchThreadsAndViews) {
  QCase q{3, 9, 10, 10, 30, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  q.threads = 2;
  check(q);
  q.threads = 1;
  q.stridedInput = true;
  check(q);
  // The same in the 4-channel copy.
  q.c = 12;
  check(q);
  q.stridedInput = false;
  q.threads = 2;
  check(q);
  // A copy large enough that threads split its planes.
  QCase wide{2, 16, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  wide.threads = 2;
  check(wide);
  // Few panels, many rows: the rows split into chunks across threads.
  QCase tall{1, 16, 7, 7, 100, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  tall.threads = 2;
  check(tall);
}

/// dlc_maxpool2d_i8 against a direct max (padding never wins).
void checkPool(int64_t c, int64_t h, int64_t w, int64_t k, int64_t s, int64_t d,
               int64_t pt, int64_t pl, int64_t pb, int64_t pr, bool isUnsigned,
               int threads) {
  SCOPED_TRACE(::testing::Message()
               << h << "x" << w << " k " << k << " stride " << s << " dil " << d
               << " unsigned " << isUnsigned << " isa "
               << dlc_internal_gemm_isa());
  std::mt19937 rng(static_cast<uint32_t>(h * 31 + w + k));
  std::uniform_int_distribution<int> byte(0, 255);
  int64_t oh = (h + pt + pb - (k - 1) * d - 1) / s + 1;
  int64_t ow = (w + pl + pr - (k - 1) * d - 1) / s + 1;
  std::vector<int8_t> x(2 * c * h * w), y(2 * c * oh * ow + 3, 0x11);
  for (auto &v : x)
    v = static_cast<int8_t>(byte(rng));
  dlc_set_num_threads(threads);
  dlc_maxpool2d_i8(x.data(), x.data(), 0, 2, c, h, w, c * h * w, h * w, w, 1,
                   y.data(), y.data(), 0, 2, c, oh, ow, c * oh * ow, oh * ow,
                   ow, 1, k, k, s, s, d, d, pt, pl, isUnsigned ? 1 : 0);
  dlc_set_num_threads(0);
  for (int64_t n = 0; n < 2 * c; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        int best = -1000;
        for (int64_t u = 0; u < k; ++u)
          for (int64_t v = 0; v < k; ++v) {
            int64_t r = i * s + u * d - pt, t = j * s + v * d - pl;
            if (r < 0 || r >= h || t < 0 || t >= w)
              continue;
            int8_t e = x[n * h * w + r * w + t];
            int value = isUnsigned ? static_cast<uint8_t>(e) : e;
            best = value > best ? value : best;
          }
        int8_t got = y[n * oh * ow + i * ow + j];
        ASSERT_EQ(isUnsigned ? static_cast<uint8_t>(got) : got, best)
            << "at " << n << "," << i << "," << j;
      }
  for (size_t i = 2 * c * oh * ow; i < y.size(); ++i)
    ASSERT_EQ(y[i], 0x11) << "written past the output";
}

TEST_P(QConvTest, MaxPool) {
  // ResNet's stem pool (3x3 / 2, pad 1), stride 1, rows wider than a
  // vector, dilation, asymmetric and no padding, uint8 and int8.
  for (bool u : {true, false}) {
    checkPool(3, 112, 112, 3, 2, 1, 1, 1, 1, 1, u, 1);
    checkPool(2, 9, 70, 3, 1, 1, 1, 1, 1, 1, u, 2);
    checkPool(2, 13, 11, 2, 2, 2, 0, 1, 1, 0, u, 1);
    checkPool(1, 5, 5, 5, 3, 1, 2, 2, 2, 2, u, 1);
    // Stride 2 and dilation 2 with pads of 2: taps masked at both ends.
    checkPool(2, 9, 67, 3, 2, 2, 2, 2, 2, 2, u, 1);
    checkPool(1, 4, 40, 3, 1, 2, 0, 2, 1, 2, u, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QConvTest, ::testing::Values("avx512", "generic"),
                         [](const auto &info) { return info.param; });

TEST(QConvDeathTest, OperandsThatDisagree) {
  std::vector<int8_t> x(2 * 4 * 4), w(16 * 9), y(2 * 4 * 4);
  std::vector<int32_t> off(4);
  std::vector<float> scale(4);
  // 3 offsets for 4 rows.
  EXPECT_DEATH(dlc_qconv2d(x.data(), x.data(), 0, 1, 2, 4, 4, 32, 16, 4, 1,
                           w.data(), w.data(), 0, 16 * 9, 1, off.data(),
                           off.data(), 0, 3, 1, scale.data(), scale.data(), 0,
                           4, 1, y.data(), y.data(), 0, 1, 4, 2, 2, 16, 4, 2, 1,
                           3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 255, 1),
               "qconv2d: the shapes of its input, packed weights, offsets, "
               "scales and output do not agree");
  // Packed weights of the wrong size.
  EXPECT_DEATH(dlc_qconv2d(x.data(), x.data(), 0, 1, 2, 4, 4, 32, 16, 4, 1,
                           w.data(), w.data(), 0, 16 * 8, 1, off.data(),
                           off.data(), 0, 4, 1, scale.data(), scale.data(), 0,
                           4, 1, y.data(), y.data(), 0, 1, 4, 2, 2, 16, 4, 2, 1,
                           3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 255, 1),
               "do not agree");
}

} // namespace
