//===- AttentionTest.cpp - Unit tests for dlc_attention -------------------===//
//
// dlc_attention against softmax(scale Q K^T + M) V in double: key counts
// across several key blocks (the online softmax rescales), a value width
// unlike the key width, strided (transposed) operands, a mask broadcast over
// groups and over query rows, -inf entries including a first key block
// masked out entirely, a row masked out entirely (NaN, as softmax), a NaN
// score, the divide form, and threads; dlc_attention4 over [batch, heads]
// groups with a padding mask per sample.
//
//===----------------------------------------------------------------------===//

#include "dlc/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

/// A rank-3 view over `data`: offset and strides per dim.
struct View {
  float *data;
  int64_t offset, size[3], stride[3];
  float &at(int64_t g, int64_t i, int64_t j) const {
    return data[offset + g * stride[0] + i * stride[1] + j * stride[2]];
  }
};
#define DLC_TEST_VIEW(V)                                                       \
  (V).data, (V).data, (V).offset, (V).size[0], (V).size[1], (V).size[2],       \
      (V).stride[0], (V).stride[1], (V).stride[2]

struct Case {
  int64_t groups, queries, keys, dim, dimV;
  bool mask = false, maskBroadcast = false, divide = false;
  bool transposedK = false; // K stored as [keys, groups, dim]
  int threads = 1;
};

void checkLayout(const Case &c, float scale,
                 void (*editMask)(View &, const Case &), bool contiguousV) {
  std::mt19937 rng(static_cast<uint32_t>(c.keys * 7 + c.dim));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> qs(3 + c.groups * c.queries * c.dim),
      ks(c.groups * c.keys * c.dim), vs(c.groups * c.keys * c.dimV + 5),
      ms(c.groups * c.queries * c.keys), os(c.groups * c.queries * c.dimV);
  for (auto *v : {&qs, &ks, &vs, &ms})
    for (float &x : *v)
      x = dist(rng);
  View q{qs.data(),
         3,
         {c.groups, c.queries, c.dim},
         {c.queries * c.dim, c.dim, 1}};
  View k = c.transposedK ? View{ks.data(),
                                0,
                                {c.groups, c.keys, c.dim},
                                {c.dim, c.groups * c.dim, 1}}
                         : View{ks.data(),
                                0,
                                {c.groups, c.keys, c.dim},
                                {c.keys * c.dim, c.dim, 1}};
  // V with contiguous rows (the AVX-512 path up to 64 wide) or with its
  // dims in (dimV, keys) order in memory: a column stride (the portable
  // loops).
  View v = contiguousV ? View{vs.data(),
                              5,
                              {c.groups, c.keys, c.dimV},
                              {c.keys * c.dimV, c.dimV, 1}}
                       : View{vs.data(),
                              5,
                              {c.groups, c.keys, c.dimV},
                              {c.keys * c.dimV, 1, c.keys}};
  View m = c.maskBroadcast ? View{ms.data(), 0, {1, 1, c.keys}, {0, 0, 1}}
                           : View{ms.data(),
                                  0,
                                  {c.groups, c.queries, c.keys},
                                  {c.queries * c.keys, c.keys, 1}};
  if (editMask)
    editMask(m, c);
  View o{os.data(),
         0,
         {c.groups, c.queries, c.dimV},
         {c.queries * c.dimV, c.dimV, 1}};
  dlc_set_num_threads(c.threads);
  dlc_attention(DLC_TEST_VIEW(q), DLC_TEST_VIEW(k), DLC_TEST_VIEW(v),
                DLC_TEST_VIEW(m), DLC_TEST_VIEW(o), scale, c.divide,
                c.mask || c.maskBroadcast);
  dlc_set_num_threads(0);
  for (int64_t g = 0; g < c.groups; ++g)
    for (int64_t i = 0; i < c.queries; ++i) {
      std::vector<double> s(c.keys);
      double mx = -std::numeric_limits<double>::infinity();
      bool nan = false;
      for (int64_t j = 0; j < c.keys; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < c.dim; ++d) {
          double qd = c.divide ? double(q.at(g, i, d)) / scale
                               : double(q.at(g, i, d)) * scale;
          dot += qd * k.at(g, j, d);
        }
        if (c.mask || c.maskBroadcast)
          dot += c.maskBroadcast ? m.at(0, 0, j) : m.at(g, i, j);
        s[j] = dot;
        nan |= std::isnan(dot);
        mx = std::fmax(mx, dot);
      }
      double sum = 0;
      for (double &x : s)
        sum += x = std::exp(x - mx);
      for (int64_t d = 0; d < c.dimV; ++d) {
        double want = 0;
        for (int64_t j = 0; j < c.keys; ++j)
          want += s[j] / sum * v.at(g, j, d);
        float got = o.at(g, i, d);
        if (nan || mx == -std::numeric_limits<double>::infinity()) {
          ASSERT_TRUE(std::isnan(got)) << "g " << g << " i " << i;
          continue;
        }
        ASSERT_NEAR(got, want, 1e-5 + 1e-4 * std::fabs(want))
            << "g " << g << " i " << i << " d " << d;
      }
    }
}

void check(const Case &c, float scale,
           void (*editMask)(View &, const Case &) = nullptr) {
  checkLayout(c, scale, editMask, true);
  checkLayout(c, scale, editMask, false);
}

TEST(AttentionTest, Shapes) {
  check({2, 5, 7, 8, 8}, 0.35f);
  check({3, 9, 200, 16, 24}, 0.25f); // 4 key blocks, dimV != dim
  check({1, 3, 64, 32, 32}, 5.65685415f, nullptr);
  check({2, 4, 65, 12, 5, false, false, true}, 3.0f);       // Q / scale
  check({2, 6, 70, 8, 8, false, false, false, true}, 0.5f); // strided K
  check({2, 5, 80, 16, 64}, 0.3f);                          // 4 output vectors
  check({2, 5, 80, 16, 48}, 0.3f);
  check({2, 5, 80, 16, 70}, 0.3f); // past the AVX-512 path's 64
}

TEST(AttentionTest, Masks) {
  check({2, 5, 130, 8, 8, true}, 0.5f);
  check({3, 4, 100, 8, 8, false, true}, 0.5f); // one row for every group
  // -inf over the whole first key block of every row: the online softmax
  // starts at the second.
  check({2, 3, 150, 8, 8, true}, 0.5f, [](View &m, const Case &c) {
    for (int64_t g = 0; g < c.groups; ++g)
      for (int64_t i = 0; i < c.queries; ++i)
        for (int64_t j = 0; j < 64; ++j)
          m.at(g, i, j) = -std::numeric_limits<float>::infinity();
  });
  // A row masked out entirely is NaN; a NaN in the mask makes its row NaN.
  check({1, 4, 90, 8, 8, true}, 0.5f, [](View &m, const Case &c) {
    for (int64_t j = 0; j < c.keys; ++j)
      m.at(0, 1, j) = -std::numeric_limits<float>::infinity();
    m.at(0, 2, 70) = std::numeric_limits<float>::quiet_NaN();
  });
}

TEST(AttentionTest, Threads) {
  check({1, 40, 96, 16, 16, true, false, false, false, 2}, 0.25f);
  check({7, 9, 33, 8, 8, false, false, false, false, 2}, 0.25f);
}

/// dlc_attention4: Q, K, V stored [batch, rows, heads, dims] (as a
/// Transformer's projections are before the per-head transpose) and read
/// as [batch, heads, rows, dims] through strides, a padding mask
/// [batch, 1, 1, keys] (-inf past each sample's length), the output
/// [batch, heads, queries, dimV] contiguous; against double, 1 and 2
/// threads.
TEST(AttentionTest, RankFourPaddingMask) {
  const int64_t B = 3, H = 4, S = 70, D = 16;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> q(B * S * H * D), k(q.size()), v(q.size()), m(B * S, 0.0f),
      o(B * H * S * D);
  for (auto *x : {&q, &k, &v})
    for (float &e : *x)
      e = dist(rng);
  const int64_t lengths[B] = {70, 33, 1};
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = lengths[b]; j < S; ++j)
      m[b * S + j] = -std::numeric_limits<float>::infinity();
  // [b, h, i, d] at b * S*H*D + i * H*D + h * D + d.
  const int64_t sb = S * H * D, sh = D, si = H * D;
  auto at = [&](const std::vector<float> &x, int64_t b, int64_t h, int64_t i,
                int64_t d) { return double(x[b * sb + i * si + h * sh + d]); };
  const float scale = 0.25f;
  for (int threads : {1, 2}) {
    std::fill(o.begin(), o.end(), 42.0f);
    dlc_set_num_threads(threads);
    dlc_attention4(q.data(), q.data(), 0, B, H, S, D, sb, sh, si, 1, k.data(),
                   k.data(), 0, B, H, S, D, sb, sh, si, 1, v.data(), v.data(),
                   0, B, H, S, D, sb, sh, si, 1, m.data(), m.data(), 0, B, 1, 1,
                   S, S, 0, 0, 1, o.data(), o.data(), 0, B, H, S, D, H * S * D,
                   S * D, D, 1, scale, 0, 1);
    dlc_set_num_threads(0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < S; ++i) {
          std::vector<double> w(S);
          double mx = -INFINITY, sum = 0;
          for (int64_t j = 0; j < S; ++j) {
            double dot = 0;
            for (int64_t d = 0; d < D; ++d)
              dot +=
                  double(float(at(q, b, h, i, d) * scale)) * at(k, b, h, j, d);
            w[j] = dot + m[b * S + j];
            mx = std::max(mx, w[j]);
          }
          for (int64_t j = 0; j < S; ++j)
            sum += w[j] = std::exp(w[j] - mx);
          for (int64_t d = 0; d < D; ++d) {
            double want = 0;
            for (int64_t j = 0; j < S; ++j)
              want += w[j] / sum * at(v, b, h, j, d);
            ASSERT_NEAR(o[((b * H + h) * S + i) * D + d], want, 1e-5)
                << "threads " << threads << " at (" << b << ", " << h << ", "
                << i << ", " << d << ")";
          }
        }
  }
}

/// Operands whose dims disagree (possible only when the compiler saw them
/// dynamic): the call fails through dlc_entry_fail (outside an entry point:
/// a message and abort) instead of reading past a buffer.
TEST(AttentionDeathTest, ShapesThatDisagree) {
  std::vector<float> qs(2 * 4 * 8), ks(3 * 5 * 8), vs(3 * 5 * 8), os(2 * 4 * 8);
  View q{qs.data(), 0, {2, 4, 8}, {32, 8, 1}};
  View k{ks.data(), 0, {3, 5, 8}, {40, 8, 1}}; // 3 groups, not 2
  View v{vs.data(), 0, {3, 5, 8}, {40, 8, 1}};
  View o{os.data(), 0, {2, 4, 8}, {32, 8, 1}};
  EXPECT_DEATH(dlc_attention(DLC_TEST_VIEW(q), DLC_TEST_VIEW(k),
                             DLC_TEST_VIEW(v), DLC_TEST_VIEW(q),
                             DLC_TEST_VIEW(o), 1.0f, 0, 0),
               "attention: the shapes of its Q, K, V, mask and output do "
               "not agree");
  View k2{ks.data(), 0, {2, 5, 8}, {40, 8, 1}};
  View v2{vs.data(), 0, {2, 5, 8}, {40, 8, 1}};
  View m{qs.data(), 0, {1, 4, 4}, {0, 8, 1}}; // 4 keys, not 5
  std::vector<float> big(2 * 2 * 4 * 8);
  EXPECT_DEATH(dlc_attention4(big.data(), big.data(), 0, 2, 2, 4, 8, 64, 32, 8,
                              1, big.data(), big.data(), 0, 2, 3, 4, 8, 64, 32,
                              8, 1, big.data(), big.data(), 0, 2, 2, 4, 8, 64,
                              32, 8, 1, big.data(), big.data(), 0, 2, 2, 4, 8,
                              64, 32, 8, 1, big.data(), big.data(), 0, 2, 2, 4,
                              8, 64, 32, 8, 1, 1.0f, 0, 0),
               "do not agree"); // K has 3 heads, not 2
  EXPECT_DEATH(dlc_attention(DLC_TEST_VIEW(q), DLC_TEST_VIEW(k2),
                             DLC_TEST_VIEW(v2), DLC_TEST_VIEW(m),
                             DLC_TEST_VIEW(o), 1.0f, 0, 1),
               "do not agree");
}

} // namespace
