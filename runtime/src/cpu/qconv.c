/*===- qconv.c - int8 2-D convolution with its requantize epilogue -------===*
 *
 * dlc_qconv2d: a quantized conv (uint8 activations, int8 weights packed at
 * compile time, i32 accumulation) and its requantize epilogue in one pass,
 * as an implicit GEMM whose rows are output channels and whose columns are
 * output pixels. On AVX-512 VNNI each step of 4 reduction indices is one
 * vpdpbusd per (row, 16 pixels): the packed weights give 4 bytes per row
 * (broadcast), the pixels' 4 input bytes per lane come from a B panel
 * packed per call. The panel is gathered from a copy of the input padded
 * with its zero point (so padding adds nothing), 16 pixels of one channel
 * and tap at a time (masked loads of each output row's run of pixels;
 * stride 2 keeps the even bytes of 32) for each reduction index (tap and
 * channel), and 4 of them are interleaved in registers (one vpermb with
 * VBMI). The epilogue (offset, scale, round half to even, zero point,
 * clamp, saturate to 8 bits) runs on the accumulators before the store.
 * Elsewhere (no VNNI, or DLC_GEMM_ISA naming a lower level) the same sums
 * and the same float epilogue run as scalar C, bit for bit equal.
 *
 *===----------------------------------------------------------------------===*/

#include "../internal.h"
#include "dlc/runtime.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLC_QCONV_X86 1
#include <immintrin.h>
#endif

enum {
  PANEL = 32,               /* pixels per B panel (two vectors of 16) */
  MR = 12,                  /* rows of the register tile */
  BLOCK_BYTES = 384 * 1024, /* packed B panels one job keeps (in L2) */
  SLACK = 64                /* bytes before and after the padded copy */
};

typedef struct qconv_job {
  const uint8_t *xp; /* padded input: batch x channels x hp x wp */
  int64_t channels, hp, wp, plane;
  int64_t kh, kw, sh, sw, dh, dw, oh, ow, pixels;
  const int8_t *w; /* [ceil(m / 4)][k4][4][4] */
  int64_t k4, m, quad;
  /* Per reduction index its byte in a sample; in the 4-channel layout
   * (x4) per step of 4 indices (one tap, 4 channels) its 4 bytes' offset. */
  const int64_t *koff;
  int vbmi; /* interleave with vpermb */
  /* The padded copy as batch x channels / 4 x hp x wp x 4 (each pixel's 4
   * channels side by side, the panel's layout): a panel step is then 16
   * pixels' 4-byte words of one tap, copied, not interleaved per tap. */
  int x4;
  const int32_t *off;
  const float *scale;
  int8_t *y;
  int64_t syb, syc;
  float zp, lo, hi;
  int yUnsigned;
  int64_t panels, panelsPerBlock, blocks, chunkRows, chunks;
} qconv_job;

/* x rounded half to even, as math.roundeven (no libm in the runtime): for
 * |x| < 2^23, adding and subtracting 2^23 rounds in the current (nearest
 * even) mode; larger floats are integers already. */
static inline float roundEven(float x) {
  float a = x < 0 ? -x : x;
  if (!(a < 8388608.0f))
    return x;
  float r = (a + 8388608.0f) - 8388608.0f;
  return x < 0 ? -r : r;
}

/* The requantize of one accumulator, as dl.requantize's lowering computes
 * it: f32(acc + off) * scale, rounded, plus the zero point, clamped. */
static inline int32_t requantize(int32_t acc, int32_t off, float scale,
                                 const qconv_job *j) {
  float v = roundEven((float)(int32_t)((uint32_t)acc + (uint32_t)off) * scale);
  v += j->zp;
  v = v > j->lo ? v : j->lo;
  v = v < j->hi ? v : j->hi;
  return (int32_t)v;
}

/* The packed weight of row r at reduction index k. */
static inline int32_t weightAt(const qconv_job *j, int64_t r, int64_t k) {
  return j->w[((r / 4 * j->k4 + k / 4) * 4 + r % 4) * 4 + k % 4];
}

/* Portable: every output by its sum over the padded input. */
static void qconvGeneric(const qconv_job *j, int64_t batch) {
  int64_t reduction = j->kh * j->kw * j->channels;
  for (int64_t b = 0; b < batch; ++b) {
    const uint8_t *xb = j->xp + b * j->channels * j->plane;
    for (int64_t r = 0; r < j->m; ++r)
      for (int64_t p = 0; p < j->pixels; ++p) {
        int64_t i = p / j->ow, jj = p % j->ow;
        uint32_t acc = 0;
        for (int64_t k = 0; k < reduction; ++k) {
          int32_t x = xb[j->koff[k] + i * j->sh * j->wp + jj * j->sw];
          acc += (uint32_t)(x * weightAt(j, r, k));
        }
        j->y[b * j->syb + r * j->syc + p] =
            (int8_t)requantize((int32_t)acc, j->off[r], j->scale[r], j);
      }
  }
}

static int useVbmi = 1;

int dlc_internal_qconv_use_vbmi(int on) {
  int previous = useVbmi;
  useVbmi = on != 0;
  return previous;
}

#ifdef DLC_QCONV_X86

/* One run of a panel half's pixels within one output row: lanes
 * [lane, lane + len) read from input offset `src` (row * sh * wp + col *
 * sw of the padded plane, for tap (0, 0)) onwards; `at` is where lane 0
 * would read (src - lane * sw), `m16` / `m32` the lane masks of 16 bytes
 * (stride 1, the result) and of 32 (stride 2, before keeping the even
 * bytes). */
typedef struct pixel_run {
  int lane, len;
  int64_t src, at;
  __mmask16 m16;
  __mmask32 m32;
} pixel_run;

static inline __mmask16 laneMask(int lane, int len) {
  return (__mmask16)((((uint32_t)1 << len) - 1) << lane);
}

/* The runs of 16 pixels from p0 (count n <= 16). */
static int pixelRuns(const qconv_job *j, int64_t p0, int n, pixel_run *runs) {
  int count = 0;
  for (int l = 0; l < n;) {
    int64_t p = p0 + l, i = p / j->ow, c = p % j->ow;
    int len = (int)(j->ow - c < n - l ? j->ow - c : n - l);
    pixel_run *r = &runs[count++];
    r->lane = l;
    r->len = len;
    r->src = i * j->sh * j->wp + c * j->sw;
    r->at = r->src - l * j->sw;
    r->m16 = laneMask(l, len);
    r->m32 = (__mmask32)((((uint64_t)1 << (2 * len)) - 1) << (2 * l));
    l += len;
  }
  return count;
}

/* The 16 bytes of one channel and tap for a panel half's pixels (zero in
 * lanes past its pixels) at column stride SW (1, 2, or any other through
 * bytes). `base` is the channel's padded plane at the tap's offset. One
 * full run (16 pixels of one output row) is one plain load. */
__attribute__((target("avx512f,avx512bw,avx512vl"),
               always_inline)) static inline __m128i
gatherRow(const uint8_t *base, const pixel_run *runs, int nruns, int64_t sw,
          int full) {
  if (sw == 1) {
    if (full)
      return _mm_loadu_si128((const __m128i *)(base + runs[0].at));
    /* Independent zero-masked loads, or-ed: no chain through the runs. */
    __m128i v = _mm_maskz_loadu_epi8(runs[0].m16, base + runs[0].at);
    for (int r = 1; r < nruns; ++r)
      v = _mm_or_si128(v, _mm_maskz_loadu_epi8(runs[r].m16, base + runs[r].at));
    return v;
  }
  if (sw == 2) {
    if (full)
      return _mm256_cvtepi16_epi8(
          _mm256_loadu_si256((const __m256i *)(base + runs[0].at)));
    __m128i v = _mm256_cvtepi16_epi8(
        _mm256_maskz_loadu_epi8(runs[0].m32, base + runs[0].at));
    for (int r = 1; r < nruns; ++r)
      v = _mm_or_si128(v, _mm256_cvtepi16_epi8(_mm256_maskz_loadu_epi8(
                              runs[r].m32, base + runs[r].at)));
    return v;
  }
  uint8_t bytes[16] = {0};
  for (int r = 0; r < nruns; ++r)
    for (int l = 0; l < runs[r].len; ++l)
      bytes[runs[r].lane + l] = base[runs[r].src + l * sw];
  return _mm_loadu_si128((const __m128i *)bytes);
}

/* Interleaves 4 rows of 16 pixels into 64 bytes: each pixel's 4 bytes
 * side by side (with VBMI one byte permute of the 4 rows). */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"),
               always_inline)) static inline void
interleave4(__m128i r0, __m128i r1, __m128i r2, __m128i r3, uint8_t *o,
            int vbmi) {
  if (vbmi) {
    /* Output byte 4p + q is row q's byte p, at 16q + p of the 4 rows. */
    const __m512i index = _mm512_set_epi32(
        0x3f2f1f0f, 0x3e2e1e0e, 0x3d2d1d0d, 0x3c2c1c0c, 0x3b2b1b0b, 0x3a2a1a0a,
        0x39291909, 0x38281808, 0x37271707, 0x36261606, 0x35251505, 0x34241404,
        0x33231303, 0x32221202, 0x31211101, 0x30201000);
    __m512i z = _mm512_inserti32x4(
        _mm512_inserti32x4(
            _mm512_inserti32x4(_mm512_castsi128_si512(r0), r1, 1), r2, 2),
        r3, 3);
    _mm512_storeu_si512((void *)o, _mm512_permutexvar_epi8(index, z));
    return;
  }
  __m128i t0 = _mm_unpacklo_epi8(r0, r1), t1 = _mm_unpackhi_epi8(r0, r1);
  __m128i t2 = _mm_unpacklo_epi8(r2, r3), t3 = _mm_unpackhi_epi8(r2, r3);
  _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi16(t0, t2));
  _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi16(t0, t2));
  _mm_storeu_si128((__m128i *)(o + 32), _mm_unpacklo_epi16(t1, t3));
  _mm_storeu_si128((__m128i *)(o + 48), _mm_unpackhi_epi16(t1, t3));
}

/* One panel half at column stride SW (a constant where inlined): per step
 * of 4 reduction indices, their 4 rows of the half's pixels. */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"),
               always_inline)) static inline void
packHalf(const qconv_job *j, const uint8_t *xb, const pixel_run *runs,
         int nruns, int full, int64_t sw, uint8_t *o, int64_t step, int vbmi) {
  const int64_t *ko = j->koff;
  if (sw == 2 && full && vbmi) {
    /* The even bytes of 4 rows of 32 in one two-source byte permute:
     * output byte 4p + q is row q's byte 2p. */
    static const uint8_t index[64] = {
        0,  32, 64, 96,  2,  34, 66, 98,  4,  36, 68, 100, 6,  38, 70, 102,
        8,  40, 72, 104, 10, 42, 74, 106, 12, 44, 76, 108, 14, 46, 78, 110,
        16, 48, 80, 112, 18, 50, 82, 114, 20, 52, 84, 116, 22, 54, 86, 118,
        24, 56, 88, 120, 26, 58, 90, 122, 28, 60, 92, 124, 30, 62, 94, 126};
    const __m512i pick = _mm512_loadu_si512((const void *)index);
    int64_t at = runs[0].at;
    for (int64_t g = 0; g < j->k4; ++g, ko += 4, o += step) {
      __m512i a = _mm512_inserti64x4(
          _mm512_castsi256_si512(
              _mm256_loadu_si256((const __m256i *)(xb + ko[0] + at))),
          _mm256_loadu_si256((const __m256i *)(xb + ko[1] + at)), 1);
      __m512i b = _mm512_inserti64x4(
          _mm512_castsi256_si512(
              _mm256_loadu_si256((const __m256i *)(xb + ko[2] + at))),
          _mm256_loadu_si256((const __m256i *)(xb + ko[3] + at)), 1);
      _mm512_storeu_si512((void *)o, _mm512_permutex2var_epi8(a, pick, b));
    }
    return;
  }
  for (int64_t g = 0; g < j->k4; ++g, ko += 4, o += step)
    interleave4(gatherRow(xb + ko[0], runs, nruns, sw, full),
                gatherRow(xb + ko[1], runs, nruns, sw, full),
                gatherRow(xb + ko[2], runs, nruns, sw, full),
                gatherRow(xb + ko[3], runs, nruns, sw, full), o, vbmi);
}

/* One panel half from the 4-channel layout: per step (one tap, 4
 * channels) the half's pixels' 4-byte words, at column stride SW (1 and 2
 * as vectors, any other word by word). */
__attribute__((target("avx512f,avx512bw,avx512vl"),
               always_inline)) static inline void
packHalfX4(const qconv_job *j, const uint8_t *xb, const pixel_run *runs,
           int nruns, int full, int64_t sw, uint8_t *o, int64_t step) {
  const int64_t *ko = j->koff;
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12,
                                        10, 8, 6, 4, 2, 0);
  for (int64_t g = 0; g < j->k4; ++g, o += step) {
    const uint8_t *base = xb + ko[g];
    __m512i v;
    if (sw == 1 && full) {
      v = _mm512_loadu_si512((const void *)(base + 4 * runs[0].at));
    } else if (sw == 1) {
      v = _mm512_maskz_loadu_epi32(runs[0].m16, base + 4 * runs[0].at);
      for (int r = 1; r < nruns; ++r)
        v = _mm512_or_si512(
            v, _mm512_maskz_loadu_epi32(runs[r].m16, base + 4 * runs[r].at));
    } else if (sw == 2) {
      v = _mm512_setzero_si512();
      for (int r = 0; r < nruns; ++r) {
        const uint8_t *p = base + 4 * runs[r].at;
        __m512i lo = full ? _mm512_loadu_si512((const void *)p)
                          : _mm512_maskz_loadu_epi32((__mmask16)runs[r].m32, p);
        __m512i hi = full ? _mm512_loadu_si512((const void *)(p + 64))
                          : _mm512_maskz_loadu_epi32(
                                (__mmask16)(runs[r].m32 >> 16), p + 64);
        v = _mm512_or_si512(v, _mm512_permutex2var_epi32(lo, even, hi));
      }
    } else {
      uint32_t words[16] = {0};
      for (int r = 0; r < nruns; ++r)
        for (int l = 0; l < runs[r].len; ++l)
          memcpy(&words[runs[r].lane + l], base + 4 * (runs[r].src + l * sw),
                 4);
      v = _mm512_loadu_si512((const void *)words);
    }
    _mm512_storeu_si512((void *)o, v);
  }
}

/* One panel of `halves` x 16 pixels from p0 (n of them) packed as
 * [k4][halves * 16][4]: per step of 4 reduction indices, each pixel's 4
 * bytes side by side. */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"))) static void
packPanel(const qconv_job *j, const uint8_t *xb, int64_t p0, int n, int halves,
          uint8_t *out) {
  /* A panel of at most 8 pixels keeps 32 bytes per step (the 8-lane
   * kernel's); the 32 written past them are overwritten by the next step
   * or lie in the panel's unused space. */
  int64_t step = n <= 8 ? 32 : 64 * halves;
  for (int h = 0; h < halves; ++h) {
    pixel_run runs[16];
    int count = n - 16 * h < 16 ? n - 16 * h : 16;
    int nruns = count > 0 ? pixelRuns(j, p0 + 16 * h, count, runs) : 0;
    int full = nruns == 1 && count == 16;
    uint8_t *o = out + 64 * h;
    if (j->x4 && j->sw == 1)
      packHalfX4(j, xb, runs, nruns, full, 1, o, step);
    else if (j->x4 && j->sw == 2)
      packHalfX4(j, xb, runs, nruns, full, 2, o, step);
    else if (j->x4)
      packHalfX4(j, xb, runs, nruns, 0, j->sw, o, step);
    else if (j->sw == 1 && j->vbmi)
      packHalf(j, xb, runs, nruns, full, 1, o, step, 1);
    else if (j->sw == 1)
      packHalf(j, xb, runs, nruns, full, 1, o, step, 0);
    else if (j->sw == 2 && j->vbmi)
      packHalf(j, xb, runs, nruns, full, 2, o, step, 1);
    else if (j->sw == 2)
      packHalf(j, xb, runs, nruns, full, 2, o, step, 0);
    else
      packHalf(j, xb, runs, nruns, 0, j->sw, o, step, j->vbmi);
  }
}

/* ROWS (4, 8 or 12) rows of packed weights by HALVES x 16 pixels of a
 * packed panel, over all k4 steps, then the epilogue into the first `rows`
 * rows of y (row stride ldy), the pixels past the panel's cut off by the
 * lane masks m0 / m1. 12 x 32 keeps 24 accumulators, 2 panel vectors and a
 * broadcast weight in the 32 registers. */
#define DLC_QCONV_KERNEL(NAME, ROWS, HALVES)                                   \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) static void  \
  NAME(const qconv_job *j, const int8_t *w, const uint8_t *b, int64_t m0,      \
       int8_t *y, int64_t rows, __mmask16 mk0, __mmask16 mk1) {                \
    __m512i acc[ROWS][HALVES];                                                 \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i)                    \
        _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) acc[i][h] =   \
            _mm512_setzero_si512();                                            \
    int64_t quad = j->quad;                                                    \
    for (int64_t p = 0; p < j->k4; ++p) {                                      \
      __m512i bv[HALVES];                                                      \
      _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) bv[h] =         \
          _mm512_loadu_si512((const void *)(b + 64 * h));                      \
      _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                \
        int32_t wi;                                                            \
        memcpy(&wi, w + (i / 4) * quad + p * 16 + (i % 4) * 4, 4);             \
        __m512i wv = _mm512_set1_epi32(wi);                                    \
        _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) acc[i][h] =   \
            _mm512_dpbusd_epi32(acc[i][h], bv[h], wv);                         \
      }                                                                        \
      b += 64 * HALVES;                                                        \
    }                                                                          \
    __m512 zp = _mm512_set1_ps(j->zp), lo = _mm512_set1_ps(j->lo),             \
           hi = _mm512_set1_ps(j->hi);                                         \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                  \
      if (i >= rows)                                                           \
        break;                                                                 \
      __m512i off = _mm512_set1_epi32(j->off[m0 + i]);                         \
      __m512 sc = _mm512_set1_ps(j->scale[m0 + i]);                            \
      _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) {               \
        __m512 v = _mm512_mul_ps(                                              \
            _mm512_cvtepi32_ps(_mm512_add_epi32(acc[i][h], off)), sc);         \
        v = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT |                \
                                        _MM_FROUND_NO_EXC);                    \
        v = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(v, zp), lo), hi);        \
        __m512i q = _mm512_cvtps_epi32(v);                                     \
        __m128i bytes = j->yUnsigned ? _mm512_cvtusepi32_epi8(q)               \
                                     : _mm512_cvtsepi32_epi8(q);               \
        _mm_mask_storeu_epi8(y + i * j->syc + 16 * h, h ? mk1 : mk0, bytes);   \
      }                                                                        \
    }                                                                          \
  }
DLC_QCONV_KERNEL(qkernelR12H2, 12, 2)
DLC_QCONV_KERNEL(qkernelR8H2, 8, 2)
DLC_QCONV_KERNEL(qkernelR4H2, 4, 2)
DLC_QCONV_KERNEL(qkernelR12H1, 12, 1)
DLC_QCONV_KERNEL(qkernelR8H1, 8, 1)
DLC_QCONV_KERNEL(qkernelR4H1, 4, 1)
#undef DLC_QCONV_KERNEL

/* A panel of at most 8 pixels in 256-bit vectors (half a 512-bit
 * vpdpbusd's cost): a 7 x 7 map's 49th pixel, a 14 x 14 map's last 4. */
#define DLC_QCONV_KERNEL8(NAME, ROWS)                                          \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) static void  \
  NAME(const qconv_job *j, const int8_t *w, const uint8_t *b, int64_t m0,      \
       int8_t *y, int64_t rows, __mmask16 mk0) {                               \
    __m256i acc[ROWS];                                                         \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) acc[i] =           \
        _mm256_setzero_si256();                                                \
    int64_t quad = j->quad;                                                    \
    for (int64_t p = 0; p < j->k4; ++p) {                                      \
      __m256i bv = _mm256_loadu_si256((const __m256i *)b);                     \
      _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                \
        int32_t wi;                                                            \
        memcpy(&wi, w + (i / 4) * quad + p * 16 + (i % 4) * 4, 4);             \
        acc[i] = _mm256_dpbusd_epi32(acc[i], bv, _mm256_set1_epi32(wi));       \
      }                                                                        \
      b += 32;                                                                 \
    }                                                                          \
    __m256 zp = _mm256_set1_ps(j->zp), lo = _mm256_set1_ps(j->lo),             \
           hi = _mm256_set1_ps(j->hi);                                         \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                  \
      if (i >= rows)                                                           \
        break;                                                                 \
      __m256 v =                                                               \
          _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(                   \
                            acc[i], _mm256_set1_epi32(j->off[m0 + i]))),       \
                        _mm256_set1_ps(j->scale[m0 + i]));                     \
      v = _mm256_roundscale_ps(v,                                              \
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); \
      v = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(v, zp), lo), hi);          \
      __m256i q = _mm256_cvtps_epi32(v);                                       \
      __m128i bytes =                                                          \
          j->yUnsigned ? _mm256_cvtusepi32_epi8(q) : _mm256_cvtsepi32_epi8(q); \
      _mm_mask_storeu_epi8(y + i * j->syc, mk0, bytes);                        \
    }                                                                          \
  }
DLC_QCONV_KERNEL8(qkernelR12Q, 12)
DLC_QCONV_KERNEL8(qkernelR8Q, 8)
DLC_QCONV_KERNEL8(qkernelR4Q, 4)
#undef DLC_QCONV_KERNEL8

/* A panel of at most 4 pixels with the rows in the lanes: per step, one
 * vpdpbusd per pixel takes the tile's weights (its 4-row quads side by
 * side: 4 bytes of each of up to 12 rows) against the pixel's 4 bytes
 * broadcast, where the 8-lane kernel spends one vpdpbusd per row on 1-4
 * useful lanes (a 7 x 7 map's 49th pixel, a 14 x 14 map's last 4). CHAINS
 * accumulators per pixel over successive steps keep vpdpbusd's latency
 * hidden; the lanes past the tile's rows are never stored. */
#define DLC_QCONV_LANES(NAME, NPIX, CHAINS)                                    \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) static void  \
  NAME(const qconv_job *j, const int8_t *w, const uint8_t *b, int64_t m0,      \
       int8_t *y, int64_t rows, int n) {                                       \
    __m512i acc[NPIX][CHAINS];                                                 \
    _Pragma("GCC unroll 4") for (int i = 0; i < NPIX; ++i)                     \
        _Pragma("GCC unroll 8") for (int c = 0; c < CHAINS; ++c) acc[i][c] =   \
            _mm512_setzero_si512();                                            \
    int64_t quad = j->quad;                                                    \
    /* Quads past the tile's rows are not read (the last tile's may lie past   \
     * the packed weights). */                                                 \
    __mmask8 q1 = rows > 4 ? 0xf : 0, q2 = rows > 8 ? 0xf : 0;                 \
    int64_t p = 0;                                                             \
    for (; p < j->k4; p += CHAINS) {                                           \
      _Pragma("GCC unroll 8") for (int c = 0; c < CHAINS; ++c) {               \
        if (p + c >= j->k4)                                                    \
          break;                                                               \
        const int8_t *wp = w + (p + c) * 16;                                   \
        __m512i wv = _mm512_inserti32x4(                                       \
            _mm512_inserti32x4(                                                \
                _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)wp)),  \
                _mm_maskz_loadu_epi32(q1, wp + quad), 1),                      \
            _mm_maskz_loadu_epi32(q2, wp + 2 * quad), 2);                      \
        _Pragma("GCC unroll 4") for (int i = 0; i < NPIX; ++i) {               \
          int32_t xi;                                                          \
          memcpy(&xi, b + (p + c) * 32 + 4 * i, 4);                            \
          acc[i][c] =                                                          \
              _mm512_dpbusd_epi32(acc[i][c], _mm512_set1_epi32(xi), wv);       \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    __mmask16 rm = (__mmask16)((1u << rows) - 1);                              \
    __m512i off = _mm512_maskz_loadu_epi32(rm, j->off + m0);                   \
    __m512 sc = _mm512_maskz_loadu_ps(rm, j->scale + m0);                      \
    __m512 zp = _mm512_set1_ps(j->zp), lo = _mm512_set1_ps(j->lo),             \
           hi = _mm512_set1_ps(j->hi);                                         \
    _Pragma("GCC unroll 4") for (int i = 0; i < NPIX; ++i) {                   \
      if (i >= n)                                                              \
        break;                                                                 \
      __m512i sum = acc[i][0];                                                 \
      _Pragma("GCC unroll 8") for (int c = 1; c < CHAINS; ++c) sum =           \
          _mm512_add_epi32(sum, acc[i][c]);                                    \
      __m512 v =                                                               \
          _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(sum, off)), sc);   \
      v = _mm512_roundscale_ps(v,                                              \
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); \
      v = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(v, zp), lo), hi);          \
      __m512i q = _mm512_cvtps_epi32(v);                                       \
      int8_t bytes[16];                                                        \
      _mm_storeu_si128((__m128i *)bytes, j->yUnsigned                          \
                                             ? _mm512_cvtusepi32_epi8(q)       \
                                             : _mm512_cvtsepi32_epi8(q));      \
      for (int64_t r = 0; r < rows; ++r)                                       \
        y[r * j->syc + i] = bytes[r];                                          \
    }                                                                          \
  }
DLC_QCONV_LANES(qkernelLanes1, 1, 8)
DLC_QCONV_LANES(qkernelLanes2, 2, 4)
DLC_QCONV_LANES(qkernelLanes4, 4, 2)
#undef DLC_QCONV_LANES

/* Panel q of a sample: whole panels of 32 pixels, then the rest as one
 * panel, or as 16 + the rest when 17 to 24 remain (a 16-lane and an 8-lane
 * kernel cost less than two 16-lane ones). */
static int64_t panelCount(int64_t pixels) {
  int64_t r = pixels % PANEL;
  return pixels / PANEL + (r == 0 ? 0 : r > 16 && r <= 24 ? 2 : 1);
}

static void panelAt(const qconv_job *j, int64_t q, int64_t *p0, int *n) {
  int64_t whole = j->pixels / PANEL, r = j->pixels % PANEL;
  *p0 = q * PANEL;
  *n = PANEL;
  if (q < whole)
    return;
  *p0 = whole * PANEL;
  *n = (int)r;
  if (r > 16 && r <= 24) {
    *n = q == whole ? 16 : (int)r - 16;
    *p0 += q == whole ? 0 : 16;
  }
}

/* Job t: one sample's block of panels by one chunk of rows. */
static void qconvJob(void *ctx, int64_t lo, int64_t hi) {
  const qconv_job *j = ctx;
  int64_t panelBytes = j->k4 * 64 * 2;
  uint8_t *scratch = (uint8_t *)dlc_internal_thread_scratch(
      (size_t)(j->panelsPerBlock * panelBytes / 4 + 16));
  if (!scratch)
    return;
  for (int64_t t = lo; t < hi; ++t) {
    int64_t chunk = t % j->chunks, block = t / j->chunks % j->blocks,
            b = t / j->chunks / j->blocks;
    const uint8_t *xb = j->xp + b * j->channels * j->plane;
    int64_t first = block * j->panelsPerBlock;
    int64_t last = first + j->panelsPerBlock < j->panels
                       ? first + j->panelsPerBlock
                       : j->panels;
    for (int64_t q = first; q < last; ++q) {
      int64_t p0;
      int n;
      panelAt(j, q, &p0, &n);
      packPanel(j, xb, p0, n, n > 16 ? 2 : 1,
                scratch + (q - first) * panelBytes);
    }
    int64_t r0 = chunk * j->chunkRows;
    int64_t r1 = r0 + j->chunkRows < j->m ? r0 + j->chunkRows : j->m;
    for (int64_t m0 = r0, rows; m0 < r1; m0 += rows) {
      /* 16 rows left as 8 + 8, not 12 + 4: a 4-row tile's 8 accumulator
       * chains leave vpdpbusd's latency exposed. */
      rows = r1 - m0 == 16 ? 8 : r1 - m0 < MR ? r1 - m0 : MR;
      const int8_t *w = j->w + m0 / 4 * j->quad;
      for (int64_t q = first; q < last; ++q) {
        int64_t p0;
        int n;
        panelAt(j, q, &p0, &n);
        __mmask16 mk0 = laneMask(0, n < 16 ? n : 16);
        __mmask16 mk1 = n > 16 ? laneMask(0, n - 16) : 0;
        const uint8_t *bp = scratch + (q - first) * panelBytes;
        int8_t *y = j->y + b * j->syb + m0 * j->syc + p0;
        if (n <= 4)
          (n == 1   ? qkernelLanes1
           : n == 2 ? qkernelLanes2
                    : qkernelLanes4)(j, w, bp, m0, y, rows, n);
        else if (n <= 8)
          (rows > 8   ? qkernelR12Q
           : rows > 4 ? qkernelR8Q
                      : qkernelR4Q)(j, w, bp, m0, y, rows, mk0);
        else if (n > 16)
          (rows > 8   ? qkernelR12H2
           : rows > 4 ? qkernelR8H2
                      : qkernelR4H2)(j, w, bp, m0, y, rows, mk0, mk1);
        else
          (rows > 8   ? qkernelR12H1
           : rows > 4 ? qkernelR8H1
                      : qkernelR4H1)(j, w, bp, m0, y, rows, mk0, mk1);
      }
    }
  }
}

/* The padded copy in the 4-channel layout, row by row: pad rows and
 * columns the zero point, each input row's 4 channels interleaved 16
 * columns at a time; threads split the planes (sample, group of 4). */
typedef struct x4_copy {
  const uint8_t *x;
  int64_t sn, sc, sh, sw, h, w;
  uint8_t *xp;
  int64_t groups, hp, wp, padTop, padLeft;
  int zp, vbmi;
} x4_copy;

/* Planes [lo, hi) of batch x channels / 4. */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"))) static void
copyX4(void *ctx, int64_t lo, int64_t hi) {
  const x4_copy *c = ctx;
  int64_t i0 = c->padTop > 0 ? c->padTop : 0;
  int64_t i1 = c->padTop + c->h < c->hp ? c->padTop + c->h : c->hp;
  int64_t c0 = c->padLeft < c->wp ? c->padLeft : c->wp;
  int64_t c1 = c->padLeft + c->w < c->wp ? c->padLeft + c->w : c->wp;
  if (c1 < c0)
    c1 = c0;
  for (int64_t t = lo; t < hi; ++t) {
    int64_t b = t / c->groups, g = t % c->groups;
    uint8_t *o = c->xp + t * c->hp * c->wp * 4;
    for (int64_t i = 0; i < c->hp; ++i, o += 4 * c->wp) {
      if (i < i0 || i >= i1) {
        memset(o, c->zp, (size_t)(4 * c->wp));
        continue;
      }
      memset(o, c->zp, (size_t)(4 * c0));
      memset(o + 4 * c1, c->zp, (size_t)(4 * (c->wp - c1)));
      const uint8_t *in = c->x + b * c->sn + 4 * g * c->sc +
                          (i - c->padTop) * c->sh + (c0 - c->padLeft) * c->sw;
      uint8_t *row = o + 4 * c0;
      if (c->sw != 1) {
        for (int64_t q = 0; q < c1 - c0; ++q)
          for (int64_t ch = 0; ch < 4; ++ch)
            row[4 * q + ch] = in[ch * c->sc + q * c->sw];
        continue;
      }
      for (int64_t q = 0; q < c1 - c0; q += 16) {
        int n = c1 - c0 - q < 16 ? (int)(c1 - c0 - q) : 16;
        __mmask16 m = laneMask(0, n);
        __m128i r0 = _mm_maskz_loadu_epi8(m, in + q);
        __m128i r1 = _mm_maskz_loadu_epi8(m, in + c->sc + q);
        __m128i r2 = _mm_maskz_loadu_epi8(m, in + 2 * c->sc + q);
        __m128i r3 = _mm_maskz_loadu_epi8(m, in + 3 * c->sc + q);
        if (n == 16) {
          interleave4(r0, r1, r2, r3, row + 4 * q, c->vbmi);
        } else {
          uint8_t words[64];
          interleave4(r0, r1, r2, r3, words, c->vbmi);
          memcpy(row + 4 * q, words, (size_t)(4 * n));
        }
      }
    }
  }
}

static int haveVnni(void) {
  __builtin_cpu_init();
  return strcmp(dlc_internal_gemm_isa(), "avx512") == 0 &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512vnni");
}

#endif /* DLC_QCONV_X86 */

void dlc_qconv2d(DLC_MEMREF4_PARAMS_OF(int8_t, x),
                 DLC_MEMREF1_PARAMS_OF(int8_t, w),
                 DLC_MEMREF1_PARAMS_OF(int32_t, off),
                 DLC_MEMREF1_PARAMS_OF(float, scale),
                 DLC_MEMREF4_PARAMS_OF(int8_t, y), int64_t kh, int64_t kw,
                 int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                 int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                 int64_t x_zero_point, int64_t y_zero_point, int64_t lo,
                 int64_t hi, int32_t y_unsigned) {
  (void)x_allocated, (void)w_allocated, (void)off_allocated;
  (void)scale_allocated, (void)y_allocated;
  int64_t batch = x_n, channels = x_c, m = y_c, oh = y_h, ow = y_w;
  int64_t reduction = kh * kw * channels;
  int64_t k4 = (reduction + 3) / 4, quads = (m + 3) / 4;
  if (y_n != batch || kh < 1 || kw < 1 || stride_h < 1 || stride_w < 1 ||
      dilation_h < 1 || dilation_w < 1 || w_n != quads * k4 * 16 || w_s != 1 ||
      off_n != m || off_s != 1 || scale_n != m || scale_s != 1 || y_sw != 1 ||
      y_sh != ow) {
    dlc_entry_fail("qconv2d: the shapes of its input, packed weights, "
                   "offsets, scales and output do not agree");
    return;
  }
  if (batch <= 0 || m <= 0 || oh <= 0 || ow <= 0)
    return;
  /* The input padded with its zero point, rows and columns as the windows
   * reach them. */
  int64_t hp = (oh - 1) * stride_h + (kh - 1) * dilation_h + 1;
  int64_t wp = (ow - 1) * stride_w + (kw - 1) * dilation_w + 1;
  size_t bytes = (size_t)(batch * channels * hp * wp) + 2 * SLACK;
  int vnni = 0, x4 = 0, vbmi = 0;
#ifdef DLC_QCONV_X86
  vnni = haveVnni();
  x4 = vnni && channels % 4 == 0;
  vbmi = vnni && useVbmi && __builtin_cpu_supports("avx512vbmi");
#endif
  uint8_t *mem = malloc(bytes);
  /* Per reduction index (per step of 4 in the 4-channel layout). */
  int64_t *koff = malloc(sizeof(int64_t) * (size_t)(4 * k4 + 4));
  if (!mem || !koff) {
    free(mem);
    free(koff);
    dlc_internal_alloc_failed(!mem ? bytes
                                   : sizeof(int64_t) * (size_t)(4 * k4 + 4));
    return;
  }
  memset(mem, 0, SLACK);
  memset(mem + bytes - SLACK, 0, SLACK);
  uint8_t *xp = mem + SLACK;
  const uint8_t *xs = (const uint8_t *)x + x_offset;
#ifdef DLC_QCONV_X86
  if (x4) {
    x4_copy copy = {.x = xs,
                    .sn = x_sn,
                    .sc = x_sc,
                    .sh = x_sh,
                    .sw = x_sw,
                    .h = x_h,
                    .w = x_w,
                    .xp = xp,
                    .groups = channels / 4,
                    .hp = hp,
                    .wp = wp,
                    .padTop = pad_top,
                    .padLeft = pad_left,
                    .zp = (int)x_zero_point,
                    .vbmi = vbmi};
    int64_t planes = batch * (channels / 4);
    int copyThreads =
        dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
    if (copyThreads > 1 && planes > 1 && batch * channels * hp * wp >= 65536)
      dlc_parallel_for(0, planes, 1, copyX4, &copy);
    else
      copyX4(&copy, 0, planes);
    /* Step g is tap g / (channels / 4), channels 4 (g % (channels / 4))
     * onwards: their 4 bytes of pixel (0, 0). */
    for (int64_t g = 0; g < k4; ++g) {
      int64_t tap = g / (channels / 4), c4 = g % (channels / 4);
      koff[g] = 4 * (c4 * hp * wp + tap / kw * dilation_h * wp +
                     tap % kw * dilation_w);
    }
  }
#endif
  if (!x4) {
    /* Zero point everywhere, then each input row over it: one call for the
     * fill, and the rows (tens of bytes each) copied inline rather than by a
     * library call apiece. */
    memset(xp, (int)x_zero_point, (size_t)(batch * channels * hp * wp));
    int64_t i0 = pad_top > 0 ? pad_top : 0;
    int64_t i1 = pad_top + x_h < hp ? pad_top + x_h : hp;
    int64_t c0 = pad_left < wp ? pad_left : wp;
    int64_t c1 = pad_left + x_w < wp ? pad_left + x_w : wp;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = 0; c < channels; ++c) {
        uint8_t *plane = xp + (b * channels + c) * hp * wp;
        const uint8_t *src = xs + b * x_sn + c * x_sc;
        for (int64_t i = i0; i < i1; ++i) {
          uint8_t *row = plane + i * wp;
          const uint8_t *in =
              src + (i - pad_top) * x_sh + (c0 - pad_left) * x_sw;
          if (x_sw == 1)
            for (int64_t q = 0; q < c1 - c0; ++q)
              row[c0 + q] = in[q];
          else
            for (int64_t q = 0; q < c1 - c0; ++q)
              row[c0 + q] = in[q * x_sw];
        }
      }
    /* Where reduction index k = (p * kw + q) * channels + c reads in a
     * padded sample, for output pixel (0, 0); indices past the reduction
     * read byte 0 (their weights are 0). */
    for (int64_t k = 0; k < 4 * k4; ++k) {
      int64_t tap = k / channels, c = k % channels;
      koff[k] = k < reduction ? c * hp * wp + tap / kw * dilation_h * wp +
                                    tap % kw * dilation_w
                              : 0;
    }
  }
  qconv_job job = {.xp = xp,
                   .koff = koff,
                   .channels = channels,
                   .hp = hp,
                   .wp = wp,
                   .plane = hp * wp,
                   .kh = kh,
                   .kw = kw,
                   .sh = stride_h,
                   .sw = stride_w,
                   .dh = dilation_h,
                   .dw = dilation_w,
                   .oh = oh,
                   .ow = ow,
                   .pixels = oh * ow,
                   .w = w + w_offset,
                   .k4 = k4,
                   .m = m,
                   .quad = k4 * 16,
                   .off = off + off_offset,
                   .scale = scale + scale_offset,
                   .y = y + y_offset,
                   .syb = y_sn,
                   .syc = y_sc,
                   .zp = (float)y_zero_point,
                   .lo = (float)lo,
                   .hi = (float)hi,
                   .yUnsigned = y_unsigned != 0};
#ifdef DLC_QCONV_X86
  if (vnni) {
    job.vbmi = vbmi;
    job.x4 = x4;
    job.panels = panelCount(job.pixels);
    int64_t panelBytes = k4 * 64 * 2;
    job.panelsPerBlock = BLOCK_BYTES / panelBytes;
    if (job.panelsPerBlock < 1)
      job.panelsPerBlock = 1;
    if (job.panelsPerBlock > job.panels)
      job.panelsPerBlock = job.panels;
    int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
    /* Smaller blocks, then chunks of rows, until there are 4 jobs per
     * thread. */
    int64_t want = 4 * (int64_t)threads;
    if (threads > 1)
      while (
          job.panelsPerBlock > 1 &&
          batch * ((job.panels + job.panelsPerBlock - 1) / job.panelsPerBlock) <
              want)
        job.panelsPerBlock = (job.panelsPerBlock + 1) / 2;
    job.blocks = (job.panels + job.panelsPerBlock - 1) / job.panelsPerBlock;
    int64_t tiles = (m + MR - 1) / MR, jobs = batch * job.blocks;
    job.chunks = 1;
    if (threads > 1 && jobs < want) {
      job.chunks = (want + jobs - 1) / jobs;
      if (job.chunks > tiles)
        job.chunks = tiles;
    }
    job.chunkRows = (tiles + job.chunks - 1) / job.chunks * MR;
    job.chunks = (m + job.chunkRows - 1) / job.chunkRows;
    jobs *= job.chunks;
    if (threads > 1 && jobs > 1)
      dlc_parallel_for(0, jobs, 1, qconvJob, &job);
    else
      qconvJob(&job, 0, jobs);
    free(koff);
    free(mem);
    return;
  }
#endif
  qconvGeneric(&job, batch);
  free(koff);
  free(mem);
}

/*===--- 8-bit max pool ---------------------------------------------------===*/

typedef struct qpool_job {
  const uint8_t *x;
  int64_t channels, h, w, sxn, sxc, sxh, sxw;
  int64_t kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, hp, wp;
  uint8_t *y;
  int64_t syn, syc, syh;
  int isUnsigned, simd;
} qpool_job;

#ifdef DLC_QCONV_X86
/* One output row: the max over the window's taps, 32 columns at a time
 * (stride 2 keeps the even bytes of 64). Bytes are in key order (signed
 * ones flipped), so one unsigned max serves both. */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static void
poolRowAvx512(const qpool_job *j, const uint8_t *pad, int64_t i, uint8_t *out) {
  for (int64_t c0 = 0; c0 < j->ow; c0 += 32) {
    int64_t n = j->ow - c0 < 32 ? j->ow - c0 : 32;
    __m256i acc = _mm256_setzero_si256();
    for (int64_t u = 0; u < j->kh; ++u) {
      const uint8_t *row = pad + (i * j->sh + u * j->dh) * j->wp + c0 * j->sw;
      for (int64_t v = 0; v < j->kw; ++v) {
        const uint8_t *p = row + v * j->dw;
        __m256i t;
        if (j->sw == 1)
          t = _mm256_loadu_si256((const __m256i *)p);
        else
          t = _mm512_cvtepi16_epi8(_mm512_loadu_si512((const void *)p));
        acc = _mm256_max_epu8(acc, t);
      }
    }
    _mm256_mask_storeu_epi8(out + c0, (__mmask32)(((uint64_t)1 << n) - 1), acc);
  }
}

/* One output row straight from the input plane (unit column stride): taps
 * in padding are masked off and read as the type's least byte, so they
 * never win; no padded copy. */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static void
poolRowDirect(const qpool_job *j, const uint8_t *plane, int64_t i,
              uint8_t *out) {
  const int isU = j->isUnsigned;
  const __m256i least = _mm256_set1_epi8(isU ? 0 : (char)0x80);
  const __m512i least512 = _mm512_set1_epi8(isU ? 0 : (char)0x80);
  for (int64_t c0 = 0; c0 < j->ow; c0 += 32) {
    int64_t n = j->ow - c0 < 32 ? j->ow - c0 : 32;
    __m256i acc = least;
    for (int64_t u = 0; u < j->kh; ++u) {
      int64_t r = i * j->sh + u * j->dh - j->pt;
      if (r < 0 || r >= j->h)
        continue;
      const uint8_t *row = plane + r * j->sxh;
      for (int64_t v = 0; v < j->kw; ++v) {
        /* Input column of lane 0; the lanes' bytes are at first + t for
         * t in [0, span), valid where the column lies in [0, w). */
        int64_t first = c0 * j->sw + v * j->dw - j->pl;
        int64_t span = j->sw == 1 ? n : 2 * n - 1;
        int64_t t0 = first < 0 ? -first : 0;
        int64_t t1 = j->w - first < span ? j->w - first : span;
        if (t1 <= t0)
          continue;
        uint64_t mask =
            (t1 - t0 >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << (t1 - t0)) - 1))
            << t0;
        __m256i t;
        if (j->sw == 1)
          t = _mm256_mask_loadu_epi8(least, (__mmask32)mask, row + first);
        else
          t = _mm512_cvtepi16_epi8(
              _mm512_mask_loadu_epi8(least512, (__mmask64)mask, row + first));
        acc = isU ? _mm256_max_epu8(acc, t) : _mm256_max_epi8(acc, t);
      }
    }
    _mm256_mask_storeu_epi8(out + c0, (__mmask32)(((uint64_t)1 << n) - 1), acc);
  }
}
#endif

static void qpoolPlanes(void *ctx, int64_t lo, int64_t hi) {
  const qpool_job *j = ctx;
#ifdef DLC_QCONV_X86
  /* Unit column stride: rows straight from the input, no padded plane. */
  if (j->simd && j->sxw == 1) {
    for (int64_t t = lo; t < hi; ++t) {
      int64_t b = t / j->channels, c = t % j->channels;
      for (int64_t i = 0; i < j->oh; ++i)
        poolRowDirect(j, j->x + b * j->sxn + c * j->sxc, i,
                      j->y + b * j->syn + c * j->syc + i * j->syh);
    }
    return;
  }
#endif
  /* The padded plane in key order, with 128 bytes of slack for the
   * vectors' reads past a row's end. */
  uint8_t *pad = (uint8_t *)dlc_internal_thread_scratch(
      (size_t)((j->hp * j->wp + 128) / 4 + 1));
  if (!pad)
    return;
  for (int64_t t = lo; t < hi; ++t) {
    int64_t b = t / j->channels, c = t % j->channels;
    const uint8_t *src = j->x + b * j->sxn + c * j->sxc;
    memset(pad, 0, (size_t)(j->hp * j->wp + 128));
    uint8_t flip = j->isUnsigned ? 0 : 0x80;
    int64_t rows = j->h < j->hp - j->pt ? j->h : j->hp - j->pt;
    int64_t cols = j->w < j->wp - j->pl ? j->w : j->wp - j->pl;
    for (int64_t r = 0; r < rows; ++r) {
      uint8_t *dst = pad + (r + j->pt) * j->wp + j->pl;
      const uint8_t *in = src + r * j->sxh;
      if (j->sxw == 1)
        for (int64_t q = 0; q < cols; ++q)
          dst[q] = in[q] ^ flip;
      else
        for (int64_t q = 0; q < cols; ++q)
          dst[q] = in[q * j->sxw] ^ flip;
    }
    uint8_t *dst = j->y + b * j->syn + c * j->syc;
    for (int64_t i = 0; i < j->oh; ++i) {
      uint8_t *out = dst + i * j->syh;
#ifdef DLC_QCONV_X86
      if (j->simd) {
        poolRowAvx512(j, pad, i, out);
      } else
#endif
      {
        for (int64_t q = 0; q < j->ow; ++q) {
          uint8_t m = 0;
          for (int64_t u = 0; u < j->kh; ++u)
            for (int64_t v = 0; v < j->kw; ++v) {
              uint8_t e =
                  pad[(i * j->sh + u * j->dh) * j->wp + q * j->sw + v * j->dw];
              m = e > m ? e : m;
            }
          out[q] = m;
        }
      }
      /* Signed bytes compare as unsigned ones with their top bit flipped. */
      if (!j->isUnsigned)
        for (int64_t q = 0; q < j->ow; ++q)
          out[q] ^= 0x80;
    }
  }
}

void dlc_maxpool2d_i8(DLC_MEMREF4_PARAMS_OF(int8_t, x),
                      DLC_MEMREF4_PARAMS_OF(int8_t, y), int64_t kh, int64_t kw,
                      int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                      int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                      int32_t is_unsigned) {
  (void)x_allocated, (void)y_allocated;
  if (y_n != x_n || y_c != x_c || kh < 1 || kw < 1 || stride_h < 1 ||
      stride_w < 1 || dilation_h < 1 || dilation_w < 1 || pad_top < 0 ||
      pad_left < 0 || y_sw != 1) {
    dlc_entry_fail("maxpool2d_i8: the shapes of its input and output do not "
                   "agree");
    return;
  }
  if (y_n <= 0 || y_c <= 0 || y_h <= 0 || y_w <= 0)
    return;
  qpool_job job = {.x = (const uint8_t *)x + x_offset,
                   .channels = x_c,
                   .h = x_h,
                   .w = x_w,
                   .sxn = x_sn,
                   .sxc = x_sc,
                   .sxh = x_sh,
                   .sxw = x_sw,
                   .kh = kh,
                   .kw = kw,
                   .sh = stride_h,
                   .sw = stride_w,
                   .dh = dilation_h,
                   .dw = dilation_w,
                   .pt = pad_top,
                   .pl = pad_left,
                   .oh = y_h,
                   .ow = y_w,
                   .hp = (y_h - 1) * stride_h + (kh - 1) * dilation_h + 1,
                   .wp = (y_w - 1) * stride_w + (kw - 1) * dilation_w + 1,
                   .y = (uint8_t *)y + y_offset,
                   .syn = y_sn,
                   .syc = y_sc,
                   .syh = y_sh,
                   .isUnsigned = is_unsigned != 0};
#ifdef DLC_QCONV_X86
  __builtin_cpu_init();
  job.simd = (stride_w == 1 || stride_w == 2) &&
             strcmp(dlc_internal_gemm_isa(), "avx512") == 0 &&
             __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl");
#endif
  int64_t planes = x_n * x_c;
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  if (threads > 1 && planes > 1 && y_h * y_w * kh * kw * planes >= 65536)
    dlc_parallel_for(0, planes, 1, qpoolPlanes, &job);
  else
    qpoolPlanes(&job, 0, planes);
}
