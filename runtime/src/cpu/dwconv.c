/*===- dwconv.c - depthwise 2-D convolution for generated code -----------===*
 *
 * dlc_dwconv2d computes a depthwise convolution (one filter per channel,
 * channel multiplier 1: MobileNet's 3x3 layers) with zero padding, any
 * strides and dilations, and the conv's elementwise epilogue (per-channel
 * bias, residual, ReLU/ReLU6/Clip) in one pass over each output plane.
 *
 * Per (sample, channel) plane, the input rows the window touches are first
 * copied into a zero-padded scratch plane that stays in L1/L2, split by
 * column into `stride_w` phases: phase p holds padded columns p, p + sw,
 * p + 2 sw, ... . Output column j then reads tap q at phase (q dw) mod sw,
 * index j + (q dw) div sw: every tap is a contiguous run for any stride and
 * dilation, so the column loop vectorizes (16 lanes on AVX-512) with no
 * edge tests and no gathers. A 3x3 filter keeps its nine weights and the
 * output vector in registers across the taps; other sizes accumulate into
 * a row buffer in L1. Planes are spread over the thread pool.
 *
 * 3x3 windows at unit dilations and equal strides of 1 or 2 (MobileNet's
 * convs, ResNet's max pool) skip the copy on AVX-512: strips of 16 output
 * columns read straight from the input under masks (see DLC_DW_STRIPS and
 * DLC_POOL_STRIPS).
 *
 * The code is one C body compiled for AVX-512, AVX2+FMA and portable C,
 * chosen like dlc_sgemm's microkernel (DLC_GEMM_ISA lowers it).
 *
 *===----------------------------------------------------------------------===*/

#include "../internal.h"
#include "dlc/runtime.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

typedef struct dw_job {
  int64_t channels, h, w;
  const float *x;
  int64_t sxb, sxc, sxh, sxw;
  int64_t kh, kw;
  const float *f;
  int64_t sfc, sfh, sfw;
  int64_t sh, sw, dh, dw, pt, pl;
  int64_t oh, ow;
  float *y;
  int64_t syb, syc, syh, syw;
  int accumulate;
  int max;             /* a max pool (dlc_maxpool2d): no filter, -inf padding */
  const float *add[2]; /* addends, NULL when absent */
  int64_t sab[2], sac[2], sah[2], saw[2];
  float lo, hi;
  /* The scratch plane: rows x sw phases x len floats. */
  int64_t rows, len;
} dw_job;

/* Padded row r of plane (b, c), phase p, into dst[0, len). */
#define DLC_DW_COPY_ROW                                                        \
  do {                                                                         \
    int64_t ir = r - j->pt;                                                    \
    if (ir < 0 || ir >= j->h) {                                                \
      for (int64_t t = 0; t < j->sw * j->len; ++t)                             \
        dst[t] = padValue;                                                     \
      break;                                                                   \
    }                                                                          \
    const float *src = xp + ir * j->sxh;                                       \
    for (int64_t p = 0; p < j->sw; ++p) {                                      \
      float *d = dst + p * j->len;                                             \
      /* Column t * sw + p - pl of the input, in range for t in [t0, t1). */   \
      int64_t first = j->pl - p; /* t * sw >= first */                         \
      int64_t t0 = first <= 0 ? 0 : (first + j->sw - 1) / j->sw;               \
      int64_t last = j->w - 1 + j->pl - p; /* t * sw <= last */                \
      int64_t t1 = last < 0 ? 0 : last / j->sw + 1;                            \
      if (t1 > j->len)                                                         \
        t1 = j->len;                                                           \
      if (t0 > t1)                                                             \
        t0 = t1;                                                               \
      for (int64_t t = 0; t < t0; ++t)                                         \
        d[t] = padValue;                                                       \
      const float *s = src + (t0 * j->sw + p - j->pl) * j->sxw;                \
      if (j->sw == 1 && j->sxw == 1) {                                         \
        memcpy(d + t0, s, (size_t)(t1 - t0) * sizeof(float));                  \
      } else if (j->sw == 2 && j->sxw == 1) {                                  \
        for (int64_t t = t0; t < t1; ++t)                                      \
          d[t] = s[2 * (t - t0)];                                              \
      } else {                                                                 \
        int64_t step = j->sw * j->sxw;                                         \
        for (int64_t t = t0; t < t1; ++t)                                      \
          d[t] = s[(t - t0) * step];                                           \
      }                                                                        \
      for (int64_t t = t1; t < j->len; ++t)                                    \
        d[t] = padValue;                                                       \
    }                                                                          \
  } while (0)

/* Channel c's 3x3 filter into w[0..8], row-major. */
static inline void weights3x3(const struct dw_job *j, int64_t c, float *w) {
  const float *fp = j->f + c * j->sfc;
  for (int64_t p = 0; p < 3; ++p)
    for (int64_t k = 0; k < 3; ++k)
      w[p * 3 + k] = fp[p * j->sfh + k * j->sfw];
}

/* out[q] = clamp(init + sum over k < 9 of w[k] * t[k][q]) for q < ow. */
#define DLC_DW_ROW3X3_BODY                                                     \
  {                                                                            \
    const float *restrict t0 = t[0], *restrict t1 = t[1], *restrict t2 = t[2], \
                          *restrict t3 = t[3], *restrict t4 = t[4],            \
                          *restrict t5 = t[5], *restrict t6 = t[6],            \
                          *restrict t7 = t[7], *restrict t8 = t[8];            \
    for (int64_t q = 0; q < ow; ++q) {                                         \
      float v = init + w[0] * t0[q] + w[1] * t1[q] + w[2] * t2[q] +            \
                w[3] * t3[q] + w[4] * t4[q] + w[5] * t5[q] + w[6] * t6[q] +    \
                w[7] * t7[q] + w[8] * t8[q];                                   \
      v = v < lo ? lo : v;                                                     \
      out[q] = v > hi ? hi : v;                                                \
    }                                                                          \
  }

static void row3x3Generic(const float *const *t, const float *w, float init,
                          float *restrict out, int64_t ow, float lo,
                          float hi) DLC_DW_ROW3X3_BODY

    /* No fast path for the plane: the caller goes on. */
    static int planeNone(const struct dw_job *j, const float *xp,
                         const float *w, float init, float *yp,
                         const float *zeros) {
  (void)j, (void)xp, (void)w, (void)init, (void)yp, (void)zeros;
  return 0;
}

/* Planes [begin, end) of the job; scratch holds rows * sw * len + ow + w
 * floats. */
#define DLC_DW_PLANES_BODY(row3x3, plane3x3)                                   \
  {                                                                            \
    int64_t planeSize = j->rows * j->sw * j->len;                              \
    float *restrict acc = scratch + planeSize;                                 \
    /* j->w zeros: the input row of a window row in the padding. */            \
    float *zeros = acc + j->ow;                                                \
    memset(zeros, 0, (size_t)j->w * sizeof(float));                            \
    for (int64_t plane = begin; plane < end; ++plane) {                        \
      int64_t b = plane / j->channels, c = plane % j->channels;                \
      const float *xp = j->x + b * j->sxb + c * j->sxc;                        \
      const float *fp = j->max ? NULL : j->f + c * j->sfc;                     \
      /* A 3x3 filter's weights. */                                            \
      float wv[9] = {0};                                                       \
      if (j->kh == 3 && j->kw == 3 && !j->max)                                 \
        weights3x3(j, c, wv);                                                  \
      float *yp = j->y + b * j->syb + c * j->syc;                              \
      /* Addends constant over the plane (a bias) start the sum; the           \
       * others are added per row. */                                          \
      float init = j->max ? -INFINITY : 0.0f;                                  \
      float padValue = j->max ? -INFINITY : 0.0f;                              \
      const float *rowAdd[2] = {NULL, NULL};                                   \
      for (int i = 0; i < 2; ++i) {                                            \
        if (!j->add[i])                                                        \
          continue;                                                            \
        const float *ap = j->add[i] + b * j->sab[i] + c * j->sac[i];           \
        if (j->sah[i] == 0 && j->saw[i] == 0)                                  \
          init += *ap;                                                         \
        else                                                                   \
          rowAdd[i] = ap;                                                      \
      }                                                                        \
      int direct = !j->accumulate && j->syw == 1 && !rowAdd[0] && !rowAdd[1];  \
      float lo = j->lo, hi = j->hi;                                            \
      if (direct && plane3x3(j, xp, wv, init, yp, zeros))                      \
        continue;                                                              \
      /* The 3x3 taps' offsets in the scratch plane from the first row of an   \
       * output row's window (after the fast path, which needs none: the       \
       * divisions cost more than a small plane's whole convolution). */       \
      int64_t tapOff[9] = {0};                                                 \
      if (j->kh == 3 && j->kw == 3 && !j->max)                                 \
        for (int64_t p = 0; p < 3; ++p)                                        \
          for (int64_t k = 0; k < 3; ++k) {                                    \
            int64_t col = k * j->dw;                                           \
            tapOff[p * 3 + k] =                                                \
                (p * j->dh * j->sw + col % j->sw) * j->len + col / j->sw;      \
          }                                                                    \
      for (int64_t r = 0; r < j->rows; ++r) {                                  \
        float *dst = scratch + r * j->sw * j->len;                             \
        DLC_DW_COPY_ROW;                                                       \
      }                                                                        \
      for (int64_t i = 0; i < j->oh; ++i) {                                    \
        float *restrict yr = yp + i * j->syh;                                  \
        float *restrict out = direct ? yr : acc;                               \
        if (j->kh == 3 && j->kw == 3 && !j->max) {                             \
          const float *t[9];                                                   \
          for (int k = 0; k < 9; ++k)                                          \
            t[k] = scratch + i * j->sh * j->sw * j->len + tapOff[k];           \
          if (direct) {                                                        \
            row3x3(t, wv, init, out, j->ow, lo, hi);                           \
            continue;                                                          \
          }                                                                    \
          row3x3(t, wv, init, out, j->ow, -INFINITY, INFINITY);                \
        } else {                                                               \
          for (int64_t q = 0; q < j->ow; ++q)                                  \
            out[q] = init;                                                     \
          for (int64_t p = 0; p < j->kh; ++p)                                  \
            for (int64_t k = 0; k < j->kw; ++k) {                              \
              int64_t r = i * j->sh + p * j->dh, col = k * j->dw;              \
              const float *restrict tap =                                      \
                  scratch + (r * j->sw + col % j->sw) * j->len + col / j->sw;  \
              if (j->max) {                                                    \
                /* NaN wins, as arith.maximumf. */                             \
                for (int64_t q = 0; q < j->ow; ++q) {                          \
                  float a = out[q], v = tap[q];                                \
                  out[q] = a > v || a != a ? a : v;                            \
                }                                                              \
                continue;                                                      \
              }                                                                \
              float wk = fp[p * j->sfh + k * j->sfw];                          \
              for (int64_t q = 0; q < j->ow; ++q)                              \
                out[q] += wk * tap[q];                                         \
            }                                                                  \
          if (direct) {                                                        \
            for (int64_t q = 0; q < j->ow; ++q) {                              \
              float v = out[q] < lo ? lo : out[q];                             \
              out[q] = v > hi ? hi : v;                                        \
            }                                                                  \
            continue;                                                          \
          }                                                                    \
        }                                                                      \
        /* The epilogue through strides. */                                    \
        const float *a0 = rowAdd[0] ? rowAdd[0] + i * j->sah[0] : NULL;        \
        const float *a1 = rowAdd[1] ? rowAdd[1] + i * j->sah[1] : NULL;        \
        int64_t s0 = j->saw[0], s1 = j->saw[1], sy = j->syw;                   \
        for (int64_t q = 0; q < j->ow; ++q) {                                  \
          float v = acc[q];                                                    \
          if (j->accumulate)                                                   \
            v += yr[q * sy];                                                   \
          if (a0)                                                              \
            v += a0[q * s0];                                                   \
          if (a1)                                                              \
            v += a1[q * s1];                                                   \
          v = v < lo ? lo : v;                                                 \
          yr[q * sy] = v > hi ? hi : v;                                        \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }

static void planesGeneric(const dw_job *j, float *scratch, int64_t begin,
                          int64_t end){
    DLC_DW_PLANES_BODY(row3x3Generic, planeNone)}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLC_DW_X86 1

__attribute__((target("avx2,fma"))) static void row3x3Avx2(
    const float *const *t, const float *w, float init, float *restrict out,
    int64_t ow, float lo, float hi) DLC_DW_ROW3X3_BODY

    /* One 16-lane vector of outputs per step, the last one masked (masked-off
     * lanes neither load nor store); the clamp's operand order keeps a NaN
     * sum, as maxps/minps return their second operand when either is NaN. */
    __attribute__((target("avx512f"))) static void row3x3Avx512(
        const float *const *t, const float *w, float init, float *restrict out,
        int64_t ow, float lo, float hi) {
  __m512 w0 = _mm512_set1_ps(w[0]), w1 = _mm512_set1_ps(w[1]),
         w2 = _mm512_set1_ps(w[2]), w3 = _mm512_set1_ps(w[3]),
         w4 = _mm512_set1_ps(w[4]), w5 = _mm512_set1_ps(w[5]),
         w6 = _mm512_set1_ps(w[6]), w7 = _mm512_set1_ps(w[7]),
         w8 = _mm512_set1_ps(w[8]);
  __m512 vinit = _mm512_set1_ps(init), vlo = _mm512_set1_ps(lo),
         vhi = _mm512_set1_ps(hi);
  const float *t0 = t[0], *t1 = t[1], *t2 = t[2], *t3 = t[3], *t4 = t[4],
              *t5 = t[5], *t6 = t[6], *t7 = t[7], *t8 = t[8];
#define DLC_DW_STEP(LOAD, STORE)                                               \
  {                                                                            \
    __m512 a = _mm512_fmadd_ps(LOAD(t0 + q), w0, vinit);                       \
    __m512 b = _mm512_mul_ps(LOAD(t1 + q), w1);                                \
    a = _mm512_fmadd_ps(LOAD(t2 + q), w2, a);                                  \
    b = _mm512_fmadd_ps(LOAD(t3 + q), w3, b);                                  \
    a = _mm512_fmadd_ps(LOAD(t4 + q), w4, a);                                  \
    b = _mm512_fmadd_ps(LOAD(t5 + q), w5, b);                                  \
    a = _mm512_fmadd_ps(LOAD(t6 + q), w6, a);                                  \
    b = _mm512_fmadd_ps(LOAD(t7 + q), w7, b);                                  \
    a = _mm512_fmadd_ps(LOAD(t8 + q), w8, a);                                  \
    __m512 v = _mm512_max_ps(vlo, _mm512_add_ps(a, b));                        \
    STORE(out + q, _mm512_min_ps(vhi, v));                                     \
  }
  int64_t q = 0;
  for (; q + 16 <= ow; q += 16)
    DLC_DW_STEP(_mm512_loadu_ps, _mm512_storeu_ps)
  if (q < ow) {
    __mmask16 m = (__mmask16)((1u << (ow - q)) - 1u);
#define DLC_DW_LOAD_TAIL(p) _mm512_maskz_loadu_ps(m, p)
#define DLC_DW_STORE_TAIL(p, v) _mm512_mask_storeu_ps(p, m, v)
    DLC_DW_STEP(DLC_DW_LOAD_TAIL, DLC_DW_STORE_TAIL)
#undef DLC_DW_LOAD_TAIL
#undef DLC_DW_STORE_TAIL
  }
#undef DLC_DW_STEP
}

/* The lanes l < 16 with 0 <= start + l < width, as a bit mask. */
static inline uint32_t lanesIn(int64_t start, int64_t width) {
  int64_t first = start < 0 ? -start : 0, end = width - start;
  if (end > 16)
    end = 16;
  if (end <= first)
    return 0;
  return ((end == 16 ? 0xFFFFu : (1u << end) - 1u) >> first) << first;
}

/* vpermt2ps indices of the even and odd elements of two vectors' 32. */
__attribute__((target("avx512f"))) static inline __m512i evenLanes(void) {
  return _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4,
                          2, 0);
}

__attribute__((target("avx512f"))) static inline __m512i oddLanes(void) {
  return _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5,
                          3, 1);
}

/* clamp(init + the 9 taps): rows r0 (a), r1 (b), r2 (d) of a 3x3 window,
 * each as its three column shifts, times weights w[0..8] (row-major); one
 * accumulator per window row, summed last. */
__attribute__((target("avx512f"))) static inline __m512
taps3x3Avx512(__m512 a0, __m512 a1, __m512 a2, __m512 b0, __m512 b1, __m512 b2,
              __m512 d0, __m512 d1, __m512 d2, const __m512 *w, __m512 init,
              __m512 lo, __m512 hi) {
  __m512 a = _mm512_fmadd_ps(a0, w[0], init);
  __m512 b = _mm512_mul_ps(b0, w[3]);
  __m512 c = _mm512_mul_ps(d0, w[6]);
  a = _mm512_fmadd_ps(a1, w[1], a);
  b = _mm512_fmadd_ps(b1, w[4], b);
  c = _mm512_fmadd_ps(d1, w[7], c);
  a = _mm512_fmadd_ps(a2, w[2], a);
  b = _mm512_fmadd_ps(b2, w[5], b);
  c = _mm512_fmadd_ps(d2, w[8], c);
  __m512 v = _mm512_max_ps(lo, _mm512_add_ps(_mm512_add_ps(a, b), c));
  return _mm512_min_ps(hi, v);
}

/* The masks of the strip of 16 output columns from q, for a 3x3 window at
 * stride sw (1 or 2), unit dilation, pad_left pl, over rows `width` wide:
 * the output lanes (tail) and the input lanes of each load, from input
 * column s0. Stride 1: tap k reads columns s0 + k + l (m0, m1, m2). Stride
 * 2: taps 0 and 1 are the even and odd columns of the 32 from s0 (m0, m1),
 * tap 2 the even ones of the 32 from s0 + 2 (m2, h2). */
typedef struct strip_masks {
  __mmask16 tail, m0, m1, m2, h2;
  int64_t s0;
} strip_masks;

static inline strip_masks stripMasks(int64_t sw, int64_t q, int64_t pl,
                                     int64_t ow, int64_t width) {
  strip_masks sm;
  sm.tail = (__mmask16)(ow - q >= 16 ? 0xFFFFu : (1u << (ow - q)) - 1u);
  sm.s0 = sw * q - pl;
  if (sw == 1) {
    sm.m0 = (__mmask16)(sm.tail & lanesIn(sm.s0, width));
    sm.m1 = (__mmask16)(sm.tail & lanesIn(sm.s0 + 1, width));
    sm.m2 = (__mmask16)(sm.tail & lanesIn(sm.s0 + 2, width));
  } else {
    sm.m0 = (__mmask16)lanesIn(sm.s0, width);
    sm.m1 = (__mmask16)lanesIn(sm.s0 + 16, width);
    sm.m2 = (__mmask16)lanesIn(sm.s0 + 2, width);
  }
  sm.h2 = (__mmask16)lanesIn(sm.s0 + 18, width);
  return sm;
}

/* max as arith.maximumf: a NaN in either operand wins. */
__attribute__((target("avx512f"))) static inline __m512 maxNaN(__m512 a,
                                                               __m512 b) {
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q),
                              _mm512_max_ps(a, b), a);
}

/* A 3x3 max pool at equal strides of 1 or 2, unit dilations (ResNet's
 * 3x3 / 2 after its stem), as the conv strips below: 16 output columns at
 * a time walked down the rows, each input row reduced once to the max of
 * its three column shifts (at stride 2 the even, odd and next even
 * columns, split by vpermt2ps), columns in the padding loaded as -inf. A
 * window row in the padding is read as the nearest input row, which the
 * window also holds: the max is the same. */
#define DLC_POOL_STRIPS(NAME, SW)                                              \
  __attribute__((target("avx512f"))) static void NAME(                         \
      const dw_job *j, const float *xp, float *yp) {                           \
    const __m512i even = evenLanes(), odd = oddLanes();                        \
    const __m512 ninf = _mm512_set1_ps(-INFINITY);                             \
    const int64_t ow = j->ow, width = j->w, sxh = j->sxh, syh = j->syh;        \
    const int64_t h = j->h, pt = j->pt, sw = SW;                               \
    for (int64_t q = 0; q < ow; q += 16) {                                     \
      const strip_masks sm = stripMasks(SW, q, j->pl, ow, width);              \
      const __mmask16 tail = sm.tail, m0 = sm.m0, m1 = sm.m1, m2 = sm.m2,      \
                      h2 = sm.h2;                                              \
      const int64_t s0 = sm.s0;                                                \
      __m512 a, b, d;                                                          \
      DLC_POOL_ROW(-pt, a);                                                    \
      if (SW == 1)                                                             \
        DLC_POOL_ROW(1 - pt, b);                                               \
      float *out = yp + q;                                                     \
      for (int64_t i = 0; i < j->oh; ++i, out += syh) {                        \
        if (SW == 2)                                                           \
          DLC_POOL_ROW(2 * i + 1 - pt, b);                                     \
        DLC_POOL_ROW(SW * i + 2 - pt, d);                                      \
        _mm512_mask_storeu_ps(out, tail, maxNaN(maxNaN(a, b), d));             \
        if (SW == 1)                                                           \
          a = b, b = d;                                                        \
        else                                                                   \
          a = d;                                                               \
      }                                                                        \
    }                                                                          \
  }
#define DLC_POOL_ROW(ir, v)                                                    \
  do {                                                                         \
    int64_t at = (ir);                                                         \
    at = at < 0 ? 0 : at >= h ? h - 1 : at;                                    \
    const float *row = xp + at * sxh;                                          \
    if (sw == 1) {                                                             \
      v = maxNaN(maxNaN(_mm512_mask_loadu_ps(ninf, m0, row + s0),              \
                        _mm512_mask_loadu_ps(ninf, m1, row + s0 + 1)),         \
                 _mm512_mask_loadu_ps(ninf, m2, row + s0 + 2));                \
    } else {                                                                   \
      __m512 lo = _mm512_mask_loadu_ps(ninf, m0, row + s0);                    \
      __m512 hi = _mm512_mask_loadu_ps(ninf, m1, row + s0 + 16);               \
      v = maxNaN(maxNaN(_mm512_permutex2var_ps(lo, even, hi),                  \
                        _mm512_permutex2var_ps(lo, odd, hi)),                  \
                 _mm512_permutex2var_ps(                                       \
                     _mm512_mask_loadu_ps(ninf, m2, row + s0 + 2), even,       \
                     _mm512_mask_loadu_ps(ninf, h2, row + s0 + 18)));          \
    }                                                                          \
  } while (0)
DLC_POOL_STRIPS(pool3x3S1Avx512, 1)
DLC_POOL_STRIPS(pool3x3S2Avx512, 2)
#undef DLC_POOL_ROW
#undef DLC_POOL_STRIPS

/* The 3x3 pool strips for a plane they fit; 0 (doing nothing) otherwise,
 * also when some window holds no input row (a padding of 3 or more). */
__attribute__((target("avx512f"))) static int
pool3x3Avx512(const dw_job *j, const float *xp, float *yp) {
  if (j->kh != 3 || j->kw != 3 || j->dh != 1 || j->dw != 1 || j->sh != j->sw ||
      (j->sw != 1 && j->sw != 2) || j->sxw != 1 || j->h < 1 || j->pt > 2 ||
      (j->oh - 1) * j->sh - j->pt > j->h - 1)
    return 0;
  if (j->sw == 1)
    pool3x3S1Avx512(j, xp, yp);
  else
    pool3x3S2Avx512(j, xp, yp);
  return 1;
}

/* Unit dilations, equal strides of 1 or 2 (MobileNet's layers): strips of
 * 16 output columns, each walked down its rows with the window's input
 * rows in registers. An input row is loaded once per strip, as the three
 * column shifts its taps read (at stride 2, the even and odd columns of
 * two masked loads, split by vpermt2ps), for every output row that reads
 * it; the masks, fixed per strip, drop the columns in the padding and past
 * the row, and a row in the padding reads `zeros` (w floats) under the
 * same masks, so the row loop has no branch. One function per stride: with
 * the stride a constant the loop keeps its state in registers. */
#define DLC_DW_STRIPS(NAME, SW)                                                \
  __attribute__((target("avx512f"))) static void NAME(                         \
      const dw_job *j, const float *xp, const __m512 *wv, __m512 vinit,        \
      __m512 vlo, __m512 vhi, float *yp, const float *zeros) {                 \
    const __m512i even = evenLanes(), odd = oddLanes();                        \
    const int64_t ow = j->ow, width = j->w, sxh = j->sxh, syh = j->syh;        \
    const uint64_t h = (uint64_t)j->h;                                         \
    const int64_t pt = j->pt, sw = SW;                                         \
    for (int64_t q = 0; q < ow; q += 16) {                                     \
      const strip_masks sm = stripMasks(SW, q, j->pl, ow, width);              \
      const __mmask16 tail = sm.tail, m0 = sm.m0, m1 = sm.m1, m2 = sm.m2,      \
                      h2 = sm.h2;                                              \
      const int64_t s0 = sm.s0;                                                \
      /* Row `at` of the input, or zeros in the padding. */                    \
      const float *rowAt;                                                      \
      __m512 a0, a1, a2, b0, b1, b2, d0, d1, d2;                               \
      DLC_DW_LOAD(-pt, a0, a1, a2);                                            \
      if (SW == 1)                                                             \
        DLC_DW_LOAD(1 - pt, b0, b1, b2);                                       \
      float *out = yp + q;                                                     \
      for (int64_t i = 0; i < j->oh; ++i, out += syh) {                        \
        if (SW == 2)                                                           \
          DLC_DW_LOAD(2 * i + 1 - pt, b0, b1, b2);                             \
        DLC_DW_LOAD(SW * i + 2 - pt, d0, d1, d2);                              \
        _mm512_mask_storeu_ps(out, tail,                                       \
                              taps3x3Avx512(a0, a1, a2, b0, b1, b2, d0, d1,    \
                                            d2, wv, vinit, vlo, vhi));         \
        if (SW == 1)                                                           \
          a0 = b0, a1 = b1, a2 = b2, b0 = d0, b1 = d1, b2 = d2;                \
        else                                                                   \
          a0 = d0, a1 = d1, a2 = d2;                                           \
      }                                                                        \
    }                                                                          \
  }
#define DLC_DW_LOAD(ir, v0, v1, v2)                                            \
  do {                                                                         \
    int64_t at = (ir);                                                         \
    rowAt = (uint64_t)at < h ? xp + at * sxh : zeros;                          \
    if (sw == 1) {                                                             \
      v0 = _mm512_maskz_loadu_ps(m0, rowAt + s0);                              \
      v1 = _mm512_maskz_loadu_ps(m1, rowAt + s0 + 1);                          \
      v2 = _mm512_maskz_loadu_ps(m2, rowAt + s0 + 2);                          \
    } else {                                                                   \
      __m512 lo = _mm512_maskz_loadu_ps(m0, rowAt + s0);                       \
      __m512 hi = _mm512_maskz_loadu_ps(m1, rowAt + s0 + 16);                  \
      v0 = _mm512_permutex2var_ps(lo, even, hi);                               \
      v1 = _mm512_permutex2var_ps(lo, odd, hi);                                \
      v2 = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m2, rowAt + s0 + 2),   \
                                  even,                                        \
                                  _mm512_maskz_loadu_ps(h2, rowAt + s0 + 18)); \
    }                                                                          \
  } while (0)
DLC_DW_STRIPS(strips3x3S1Avx512, 1)
DLC_DW_STRIPS(strips3x3S2Avx512, 2)
#undef DLC_DW_LOAD
#undef DLC_DW_STRIPS

/* A 3x3 plane with column stride 1 or 2 (any row stride and dilations),
 * written straight to a dense-row output with the clamp: read from the
 * input itself, no scratch copy. Each tap is a masked load whose mask drops
 * the lanes past the output row and those whose column is in the padding;
 * a window row in the padding reads `zeros`. Three accumulators, one per
 * window row. A max pool's plane goes to pool3x3Avx512. Returns 0 (doing
 * nothing) for any other plane. */
__attribute__((target("avx512f"))) static int
plane3x3Avx512(const dw_job *j, const float *xp, const float *w, float init,
               float *yp, const float *zeros) {
  if (j->max)
    return pool3x3Avx512(j, xp, yp);
  if (j->kh != 3 || j->kw != 3 || (j->sw != 1 && j->sw != 2) || j->sxw != 1)
    return 0;
  __m512 w0 = _mm512_set1_ps(w[0]), w1 = _mm512_set1_ps(w[1]),
         w2 = _mm512_set1_ps(w[2]), w3 = _mm512_set1_ps(w[3]),
         w4 = _mm512_set1_ps(w[4]), w5 = _mm512_set1_ps(w[5]),
         w6 = _mm512_set1_ps(w[6]), w7 = _mm512_set1_ps(w[7]),
         w8 = _mm512_set1_ps(w[8]);
  __m512 vinit = _mm512_set1_ps(init), vlo = _mm512_set1_ps(j->lo),
         vhi = _mm512_set1_ps(j->hi);
  int64_t ow = j->ow, width = j->w;
  int64_t c0 = -j->pl, c1 = j->dw - j->pl, c2 = 2 * j->dw - j->pl;
  if (j->dh == 1 && j->dw == 1 &&
      ((j->sw == 1 && j->sh == 1) || (j->sw == 2 && j->sh == 2))) {
    __m512 wv[9] = {w0, w1, w2, w3, w4, w5, w6, w7, w8};
    if (j->sw == 1)
      strips3x3S1Avx512(j, xp, wv, vinit, vlo, vhi, yp, zeros);
    else
      strips3x3S2Avx512(j, xp, wv, vinit, vlo, vhi, yp, zeros);
    return 1;
  }
  for (int64_t i = 0; i < j->oh; ++i) {
    const float *r[3];
    for (int p = 0; p < 3; ++p) {
      int64_t ir = i * j->sh + p * j->dh - j->pt;
      r[p] = ir >= 0 && ir < j->h ? xp + ir * j->sxh : zeros;
    }
    const float *r0 = r[0], *r1 = r[1], *r2 = r[2];
    float *out = yp + i * j->syh;
    if (j->sw == 2) {
      /* Output lane l of tap k reads column 2 (q + l) + ck: the even lanes
       * of the 32 columns from 2 q + ck, gathered from two masked loads by
       * one permute. Lanes past the row's width load 0; those past the
       * output row are dropped by the store's mask. */
      const __m512i even = evenLanes();
      for (int64_t q = 0; q < ow; q += 16) {
        uint32_t tail = ow - q >= 16 ? 0xFFFFu : (1u << (ow - q)) - 1u;
        int64_t s0 = 2 * q + c0, s1 = 2 * q + c1, s2 = 2 * q + c2;
        __mmask16 a0 = (__mmask16)lanesIn(s0, width),
                  b0 = (__mmask16)lanesIn(s0 + 16, width),
                  a1 = (__mmask16)lanesIn(s1, width),
                  b1 = (__mmask16)lanesIn(s1 + 16, width),
                  a2 = (__mmask16)lanesIn(s2, width),
                  b2 = (__mmask16)lanesIn(s2 + 16, width);
#define DLC_DW_TAP2(row, s, ma, mb)                                            \
  _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(ma, row + (s)), even,           \
                         _mm512_maskz_loadu_ps(mb, row + (s) + 16))
        __m512 a = _mm512_fmadd_ps(DLC_DW_TAP2(r0, s0, a0, b0), w0, vinit);
        __m512 b = _mm512_mul_ps(DLC_DW_TAP2(r1, s0, a0, b0), w3);
        __m512 c = _mm512_mul_ps(DLC_DW_TAP2(r2, s0, a0, b0), w6);
        a = _mm512_fmadd_ps(DLC_DW_TAP2(r0, s1, a1, b1), w1, a);
        b = _mm512_fmadd_ps(DLC_DW_TAP2(r1, s1, a1, b1), w4, b);
        c = _mm512_fmadd_ps(DLC_DW_TAP2(r2, s1, a1, b1), w7, c);
        a = _mm512_fmadd_ps(DLC_DW_TAP2(r0, s2, a2, b2), w2, a);
        b = _mm512_fmadd_ps(DLC_DW_TAP2(r1, s2, a2, b2), w5, b);
        c = _mm512_fmadd_ps(DLC_DW_TAP2(r2, s2, a2, b2), w8, c);
#undef DLC_DW_TAP2
        __m512 v = _mm512_max_ps(vlo, _mm512_add_ps(_mm512_add_ps(a, b), c));
        v = _mm512_min_ps(vhi, v);
        if (tail == 0xFFFFu)
          _mm512_storeu_ps(out + q, v);
        else
          _mm512_mask_storeu_ps(out + q, (__mmask16)tail, v);
      }
      continue;
    }
    for (int64_t q = 0; q < ow; q += 16) {
      uint32_t tail = ow - q >= 16 ? 0xFFFFu : (1u << (ow - q)) - 1u;
      __mmask16 m0 = (__mmask16)(tail & lanesIn(q + c0, width));
      __mmask16 m1 = (__mmask16)(tail & lanesIn(q + c1, width));
      __mmask16 m2 = (__mmask16)(tail & lanesIn(q + c2, width));
      __m512 a, b, c;
#define DLC_DW_TAPS(LOAD)                                                      \
  a = _mm512_fmadd_ps(LOAD(m0, r0 + q + c0), w0, vinit);                       \
  b = _mm512_mul_ps(LOAD(m0, r1 + q + c0), w3);                                \
  c = _mm512_mul_ps(LOAD(m0, r2 + q + c0), w6);                                \
  a = _mm512_fmadd_ps(LOAD(m1, r0 + q + c1), w1, a);                           \
  b = _mm512_fmadd_ps(LOAD(m1, r1 + q + c1), w4, b);                           \
  c = _mm512_fmadd_ps(LOAD(m1, r2 + q + c1), w7, c);                           \
  a = _mm512_fmadd_ps(LOAD(m2, r0 + q + c2), w2, a);                           \
  b = _mm512_fmadd_ps(LOAD(m2, r1 + q + c2), w5, b);                           \
  c = _mm512_fmadd_ps(LOAD(m2, r2 + q + c2), w8, c);
#define DLC_DW_FULL(m, p) _mm512_loadu_ps(p)
      /* Interior vectors load unmasked. */
      if ((m0 & m1 & m2) == 0xFFFFu) {
        DLC_DW_TAPS(DLC_DW_FULL)
      } else {
        DLC_DW_TAPS(_mm512_maskz_loadu_ps)
      }
#undef DLC_DW_FULL
#undef DLC_DW_TAPS
      __m512 v = _mm512_max_ps(vlo, _mm512_add_ps(_mm512_add_ps(a, b), c));
      v = _mm512_min_ps(vhi, v);
      if (tail == 0xFFFFu)
        _mm512_storeu_ps(out + q, v);
      else
        _mm512_mask_storeu_ps(out + q, (__mmask16)tail, v);
    }
  }
  return 1;
}

/* Planes [begin, end) two at a time when their rows are at most 8 wide
 * (MobileNet's 7x7 layers): plane c in lanes 0-7 and plane c + 1 in lanes
 * 8-15 of one vector, so a row fills 14 of 16 lanes instead of 7. 3x3,
 * unit dilations, equal strides of 1 or 2, dense rows, the epilogue only
 * constant addends and the clamp. The sums are those of plane3x3Avx512,
 * in the same order. Returns the first plane left to the caller: `begin`
 * when the job does not fit, else the last one of an odd count. */
__attribute__((target("avx512f"))) static int64_t
pairs3x3Avx512(const dw_job *j, int64_t begin, int64_t end) {
  int64_t sw = j->sw;
  if (j->kh != 3 || j->kw != 3 || j->max || j->accumulate || j->ow > 8 ||
      j->dh != 1 || j->dw != 1 || sw != j->sh || (sw != 1 && sw != 2) ||
      j->sxw != 1 || j->syw != 1)
    return begin;
  for (int i = 0; i < 2; ++i)
    if (j->add[i] && (j->sah[i] != 0 || j->saw[i] != 0))
      return begin;
  const __m512i even = evenLanes(), odd = oddLanes();
  const __m512 zero = _mm512_setzero_ps();
  const __m512 vlo = _mm512_set1_ps(j->lo), vhi = _mm512_set1_ps(j->hi);
  int64_t width = j->w, c0 = -j->pl, c1 = 1 - j->pl, c2 = 2 - j->pl;
  /* Stride 1: tap k of lane l reads column l + ck (l < 8); stride 2, taps 0
   * and 1 are the even and odd of the 16 columns from c0, tap 2 the even
   * ones of the 16 from c2. */
  __mmask16 m0 = (__mmask16)(lanesIn(c0, width) & 0xFFu),
            m1 = (__mmask16)(lanesIn(c1, width) & 0xFFu),
            m2 = (__mmask16)(lanesIn(c2, width) & 0xFFu);
  __mmask16 w0 = (__mmask16)lanesIn(c0, width),
            w2 = (__mmask16)lanesIn(c2, width);
  __mmask16 store = (__mmask16)((1u << j->ow) - 1u);
  int64_t plane = begin;
  for (; plane + 1 < end; plane += 2) {
    const float *xp[2];
    float *yp[2];
    float wk[2][9], init[2];
    for (int h = 0; h < 2; ++h) {
      int64_t b = (plane + h) / j->channels, c = (plane + h) % j->channels;
      xp[h] = j->x + b * j->sxb + c * j->sxc;
      yp[h] = j->y + b * j->syb + c * j->syc;
      weights3x3(j, c, wk[h]);
      init[h] = 0.0f;
      for (int i = 0; i < 2; ++i)
        if (j->add[i])
          init[h] += j->add[i][b * j->sab[i] + c * j->sac[i]];
    }
    __m512 w[9];
    for (int k = 0; k < 9; ++k)
      w[k] = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(wk[0][k]),
                                  _mm512_set1_ps(wk[1][k]));
    __m512 vinit = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(init[0]),
                                        _mm512_set1_ps(init[1]));
#define DLC_DW_PAIR_ROW(ir, v0, v1, v2)                                        \
  do {                                                                         \
    int64_t at = (ir);                                                         \
    if (at < 0 || at >= j->h) {                                                \
      v0 = v1 = v2 = zero;                                                     \
    } else if (sw == 1) {                                                      \
      const float *ra = xp[0] + at * j->sxh, *rb = xp[1] + at * j->sxh;        \
      v0 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(m0, ra + c0),            \
                                (__mmask16)(m0 << 8), rb + c0 - 8);            \
      v1 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(m1, ra + c1),            \
                                (__mmask16)(m1 << 8), rb + c1 - 8);            \
      v2 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(m2, ra + c2),            \
                                (__mmask16)(m2 << 8), rb + c2 - 8);            \
    } else {                                                                   \
      const float *ra = xp[0] + at * j->sxh, *rb = xp[1] + at * j->sxh;        \
      __m512 la = _mm512_maskz_loadu_ps(w0, ra + c0);                          \
      __m512 lb = _mm512_maskz_loadu_ps(w0, rb + c0);                          \
      v0 = _mm512_permutex2var_ps(la, even, lb);                               \
      v1 = _mm512_permutex2var_ps(la, odd, lb);                                \
      v2 = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(w2, ra + c2), even,    \
                                  _mm512_maskz_loadu_ps(w2, rb + c2));         \
    }                                                                          \
  } while (0)
    __m512 a0, a1, a2, b0 = zero, b1 = zero, b2 = zero, d0, d1, d2;
    DLC_DW_PAIR_ROW(-j->pt, a0, a1, a2);
    if (sw == 1)
      DLC_DW_PAIR_ROW(1 - j->pt, b0, b1, b2);
    for (int64_t i = 0; i < j->oh; ++i) {
      if (sw == 2)
        DLC_DW_PAIR_ROW(2 * i + 1 - j->pt, b0, b1, b2);
      DLC_DW_PAIR_ROW(sw * i + 2 - j->pt, d0, d1, d2);
      __m512 v =
          taps3x3Avx512(a0, a1, a2, b0, b1, b2, d0, d1, d2, w, vinit, vlo, vhi);
      _mm512_mask_storeu_ps(yp[0] + i * j->syh, store, v);
      _mm512_mask_storeu_ps(yp[1] + i * j->syh - 8, (__mmask16)(store << 8), v);
      if (sw == 1)
        a0 = b0, a1 = b1, a2 = b2, b0 = d0, b1 = d1, b2 = d2;
      else
        a0 = d0, a1 = d1, a2 = d2;
    }
#undef DLC_DW_PAIR_ROW
  }
  return plane;
}

__attribute__((target("avx512f"))) static void
planesAvx512(const dw_job *j, float *scratch, int64_t begin, int64_t end) {
  begin = pairs3x3Avx512(j, begin, end);
  DLC_DW_PLANES_BODY(row3x3Avx512, plane3x3Avx512)
}

__attribute__((target("avx2,fma"))) static void
planesAvx2(const dw_job *j, float *scratch, int64_t begin, int64_t end) {
  DLC_DW_PLANES_BODY(row3x3Avx2, planeNone)
}
#endif

#undef DLC_DW_PLANES_BODY
#undef DLC_DW_COPY_ROW
#undef DLC_DW_ROW3X3_BODY

typedef void (*planes_fn)(const dw_job *, float *, int64_t, int64_t);

static planes_fn planesFor(void) {
#if DLC_DW_X86
  const char *isa = dlc_internal_gemm_isa();
  if (strcmp(isa, "avx512") == 0)
    return planesAvx512;
  if (strcmp(isa, "avx2") == 0)
    return planesAvx2;
#endif
  return planesGeneric;
}

typedef struct dw_task {
  const dw_job *job;
  planes_fn fn;
} dw_task;

static void planesJob(void *ctx, int64_t lo, int64_t hi) {
  dw_task *task = ctx;
  const dw_job *j = task->job;
  float *scratch = dlc_internal_thread_scratch(
      (size_t)(j->rows * j->sw * j->len + j->ow + j->w));
  if (scratch)
    task->fn(j, scratch, lo, hi);
}

/* Runs the job's planes, threaded when there is enough work. */
static void run(dw_job *j, int64_t batch) {
  /* The padded rows the windows read, and per phase the columns. */
  j->rows = (j->oh - 1) * j->sh + (j->kh - 1) * j->dh + 1;
  j->len = j->ow + ((j->kw - 1) * j->dw) / j->sw;
  dw_task task = {j, planesFor()};
  int64_t planes = batch * j->channels;
  double work =
      (double)planes * (double)(j->oh * j->ow) * (double)(j->kh * j->kw);
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  if (threads > 1 && planes > 1 && work >= 32768.0)
    dlc_parallel_for(0, planes, 1, planesJob, &task);
  else
    planesJob(&task, 0, planes);
}

void dlc_dwconv2d(int64_t batch, int64_t channels, int64_t h, int64_t w,
                  const float *x, int64_t x_offset, int64_t sxb, int64_t sxc,
                  int64_t sxh, int64_t sxw, int64_t kh, int64_t kw,
                  const float *f, int64_t f_offset, int64_t sfc, int64_t sfh,
                  int64_t sfw, int64_t stride_h, int64_t stride_w,
                  int64_t dilation_h, int64_t dilation_w, int64_t pad_top,
                  int64_t pad_left, int64_t oh, int64_t ow, float *y,
                  int64_t y_offset, int64_t syb, int64_t syc, int64_t syh,
                  int64_t syw, int32_t accumulate, const float *a,
                  int64_t a_offset, int64_t sab, int64_t sac, int64_t sah,
                  int64_t saw, const float *r, int64_t r_offset, int64_t srb,
                  int64_t src, int64_t srh, int64_t srw, float lo, float hi) {
  if (batch <= 0 || channels <= 0 || oh <= 0 || ow <= 0)
    return;
  dw_job j = {.channels = channels,
              .h = h,
              .w = w,
              .x = x + x_offset,
              .sxb = sxb,
              .sxc = sxc,
              .sxh = sxh,
              .sxw = sxw,
              .kh = kh,
              .kw = kw,
              .f = f + f_offset,
              .sfc = sfc,
              .sfh = sfh,
              .sfw = sfw,
              .sh = stride_h,
              .sw = stride_w,
              .dh = dilation_h,
              .dw = dilation_w,
              .pt = pad_top,
              .pl = pad_left,
              .oh = oh,
              .ow = ow,
              .y = y + y_offset,
              .syb = syb,
              .syc = syc,
              .syh = syh,
              .syw = syw,
              .accumulate = accumulate,
              .add = {a ? a + a_offset : NULL, r ? r + r_offset : NULL},
              .sab = {sab, srb},
              .sac = {sac, src},
              .sah = {sah, srh},
              .saw = {saw, srw},
              .lo = lo,
              .hi = hi};
  run(&j, batch);
}

/*===--- 2 x 2 pools at stride 2 -----------------------------------------===*
 * The common max pool (kernel 2 x 2, stride 2, no padding or dilation,
 * unit column strides) and its gradient, 16 windows at a time on AVX-512:
 * the two input rows are loaded as 32 columns each and split into even and
 * odd columns with one vpermt2ps each.                                      */

typedef struct pool2x2_job {
  int64_t channels, h, w, oh, ow;
  const float *x;
  int64_t sxb, sxc, sxh;
  const float *g; /* the gradient: NULL for the forward pool */
  int64_t sgb, sgc, sgh;
  float *y; /* the pool's output, or the gradient's (shaped as x) */
  int64_t syb, syc, syh;
} pool2x2_job;

/* Whether a pool of this geometry takes the 2 x 2 path on this CPU. */
static int pool2x2Applies(int64_t h, int64_t w, int64_t sxw, int64_t kh,
                          int64_t kw, int64_t sh, int64_t sw, int64_t dh,
                          int64_t dw, int64_t pt, int64_t pl, int64_t oh,
                          int64_t ow, int64_t syw, int64_t sgw) {
#if DLC_DW_X86
  return kh == 2 && kw == 2 && sh == 2 && sw == 2 && dh == 1 && dw == 1 &&
         pt == 0 && pl == 0 && 2 * oh <= h && 2 * ow <= w && sxw == 1 &&
         syw == 1 && sgw == 1 && strcmp(dlc_internal_gemm_isa(), "avx512") == 0;
#else
  (void)h, (void)w, (void)sxw, (void)kh, (void)kw, (void)sh, (void)sw;
  (void)dh, (void)dw, (void)pt, (void)pl, (void)oh, (void)ow, (void)syw;
  (void)sgw;
  return 0;
#endif
}

#if DLC_DW_X86

__attribute__((target("avx512f"))) static void pool2x2Job(void *ctx, int64_t lo,
                                                          int64_t hi) {
  const pool2x2_job *j = ctx;
  const __m512i even = evenLanes(), odd = oddLanes();
  const __m512i zipLo =
      _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i zipHi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28,
                                          13, 29, 14, 30, 15, 31);
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t plane = lo; plane < hi; ++plane) {
    int64_t b = plane / j->channels, c = plane % j->channels;
    const float *xp = j->x + b * j->sxb + c * j->sxc;
    float *yp = j->y + b * j->syb + c * j->syc;
    const float *gp = j->g ? j->g + b * j->sgb + c * j->sgc : NULL;
    for (int64_t i = 0; i < j->oh; ++i) {
      const float *r0 = xp + 2 * i * j->sxh, *r1 = r0 + j->sxh;
      for (int64_t q = 0; q < j->ow; q += 16) {
        int64_t n = j->ow - q < 16 ? j->ow - q : 16;
        __mmask16 out = (__mmask16)((1u << n) - 1);
        __mmask16 in0 = (__mmask16)((1u << (2 * n < 16 ? 2 * n : 16)) - 1);
        __mmask16 in1 = (__mmask16)((1u << (2 * n > 16 ? 2 * n - 16 : 0)) - 1);
        __m512 a0 = _mm512_maskz_loadu_ps(in0, r0 + 2 * q);
        __m512 a1 = _mm512_maskz_loadu_ps(in1, r0 + 2 * q + 16);
        __m512 b0 = _mm512_maskz_loadu_ps(in0, r1 + 2 * q);
        __m512 b1 = _mm512_maskz_loadu_ps(in1, r1 + 2 * q + 16);
        /* The window's four values in row-major order. */
        __m512 va = _mm512_permutex2var_ps(a0, even, a1);
        __m512 vb = _mm512_permutex2var_ps(a0, odd, a1);
        __m512 vc = _mm512_permutex2var_ps(b0, even, b1);
        __m512 vd = _mm512_permutex2var_ps(b0, odd, b1);
        if (!gp) {
          __m512 m = maxNaN(maxNaN(va, vb), maxNaN(vc, vd));
          _mm512_mask_storeu_ps(yp + i * j->syh + q, out, m);
          continue;
        }
        /* The first maximum: a later value wins only if strictly greater
         * (a NaN never does; a NaN first stays). */
        __mmask16 selB = _mm512_cmp_ps_mask(vb, va, _CMP_GT_OQ);
        __m512 best = _mm512_mask_blend_ps(selB, va, vb);
        __mmask16 selC = _mm512_cmp_ps_mask(vc, best, _CMP_GT_OQ);
        best = _mm512_mask_blend_ps(selC, best, vc);
        __mmask16 selD = _mm512_cmp_ps_mask(vd, best, _CMP_GT_OQ);
        __mmask16 atD = selD, atC = selC & ~selD, atB = selB & ~selC & ~selD;
        __mmask16 atA = ~(selB | selC | selD);
        __m512 gv = _mm512_maskz_loadu_ps(out, gp + i * j->sgh + q);
        __m512 ga = _mm512_mask_blend_ps(atA, zero, gv);
        __m512 gb = _mm512_mask_blend_ps(atB, zero, gv);
        __m512 gc = _mm512_mask_blend_ps(atC, zero, gv);
        __m512 gd = _mm512_mask_blend_ps(atD, zero, gv);
        float *d0 = yp + 2 * i * j->syh + 2 * q, *d1 = d0 + j->syh;
        _mm512_mask_storeu_ps(d0, in0, _mm512_permutex2var_ps(ga, zipLo, gb));
        _mm512_mask_storeu_ps(d0 + 16, in1,
                              _mm512_permutex2var_ps(ga, zipHi, gb));
        _mm512_mask_storeu_ps(d1, in0, _mm512_permutex2var_ps(gc, zipLo, gd));
        _mm512_mask_storeu_ps(d1 + 16, in1,
                              _mm512_permutex2var_ps(gc, zipHi, gd));
      }
      if (gp) /* the columns no window covers */
        for (int64_t r = 2 * i; r < 2 * i + 2; ++r)
          for (int64_t col = 2 * j->ow; col < j->w; ++col)
            yp[r * j->syh + col] = 0.0f;
    }
    if (gp) /* the rows no window covers */
      for (int64_t r = 2 * j->oh; r < j->h; ++r)
        for (int64_t col = 0; col < j->w; ++col)
          yp[r * j->syh + col] = 0.0f;
  }
}
#endif

/* Runs a 2 x 2 job's planes, threaded like the other pools. */
static void runPool2x2(pool2x2_job *j, int64_t batch) {
#if DLC_DW_X86
  int64_t planes = batch * j->channels;
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  if (threads > 1 && planes > 1 && planes * j->h * j->w >= 32768)
    dlc_parallel_for(0, planes, 1, pool2x2Job, j);
  else
    pool2x2Job(j, 0, planes);
#else
  (void)j, (void)batch;
#endif
}

void dlc_maxpool2d(int64_t batch, int64_t channels, int64_t h, int64_t w,
                   const float *x, int64_t x_offset, int64_t sxb, int64_t sxc,
                   int64_t sxh, int64_t sxw, int64_t kh, int64_t kw,
                   int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                   int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                   int64_t oh, int64_t ow, float *y, int64_t y_offset,
                   int64_t syb, int64_t syc, int64_t syh, int64_t syw) {
  if (batch <= 0 || channels <= 0 || oh <= 0 || ow <= 0)
    return;
  if (pool2x2Applies(h, w, sxw, kh, kw, stride_h, stride_w, dilation_h,
                     dilation_w, pad_top, pad_left, oh, ow, syw, 1)) {
    pool2x2_job p = {channels, h,    w, oh, ow, x + x_offset, sxb, sxc,
                     sxh,      NULL, 0, 0,  0,  y + y_offset, syb, syc,
                     syh};
    runPool2x2(&p, batch);
    return;
  }
  dw_job j = {.channels = channels,
              .h = h,
              .w = w,
              .x = x + x_offset,
              .sxb = sxb,
              .sxc = sxc,
              .sxh = sxh,
              .sxw = sxw,
              .kh = kh,
              .kw = kw,
              .sh = stride_h,
              .sw = stride_w,
              .dh = dilation_h,
              .dw = dilation_w,
              .pt = pad_top,
              .pl = pad_left,
              .oh = oh,
              .ow = ow,
              .y = y + y_offset,
              .syb = syb,
              .syc = syc,
              .syh = syh,
              .syw = syw,
              .max = 1,
              .lo = -INFINITY,
              .hi = INFINITY};
  run(&j, batch);
}

/*===--- max pool gradient -----------------------------------------------===*/

typedef struct pool_grad_job {
  int64_t channels, h, w;
  const float *x;
  int64_t sxb, sxc, sxh, sxw;
  int64_t kh, kw, sh, sw, dh, dw, pt, pl, oh, ow;
  const float *g;
  int64_t sgb, sgc, sgh, sgw;
  float *d;
  int64_t sdb, sdc, sdh, sdw;
} pool_grad_job;

/* Planes [lo, hi): zero the plane of d, then route each window's gradient
 * to its first maximum in row-major window order (the first in-bounds
 * position, then any strictly greater one: padding never wins, a NaN at the
 * start stays, a later NaN does not replace), as dl.max_pool_grad's
 * lowering to linalg does. */
static void poolGradJob(void *ctx, int64_t lo, int64_t hi) {
  const pool_grad_job *j = ctx;
  for (int64_t plane = lo; plane < hi; ++plane) {
    int64_t b = plane / j->channels, c = plane % j->channels;
    const float *xp = j->x + b * j->sxb + c * j->sxc;
    const float *gp = j->g + b * j->sgb + c * j->sgc;
    float *dp = j->d + b * j->sdb + c * j->sdc;
    for (int64_t i = 0; i < j->h; ++i)
      for (int64_t q = 0; q < j->w; ++q)
        dp[i * j->sdh + q * j->sdw] = 0.0f;
    for (int64_t oy = 0; oy < j->oh; ++oy)
      for (int64_t ox = 0; ox < j->ow; ++ox) {
        int64_t best = -1;
        float bestValue = 0.0f;
        for (int64_t p = 0; p < j->kh; ++p) {
          int64_t iy = oy * j->sh + p * j->dh - j->pt;
          if (iy < 0 || iy >= j->h)
            continue;
          for (int64_t k = 0; k < j->kw; ++k) {
            int64_t ix = ox * j->sw + k * j->dw - j->pl;
            if (ix < 0 || ix >= j->w)
              continue;
            float v = xp[iy * j->sxh + ix * j->sxw];
            if (best < 0 || v > bestValue) {
              best = iy * j->sdh + ix * j->sdw;
              bestValue = v;
            }
          }
        }
        if (best >= 0)
          dp[best] += gp[oy * j->sgh + ox * j->sgw];
      }
  }
}

void dlc_maxpool2d_grad(DLC_MEMREF4_PARAMS(x), DLC_MEMREF4_PARAMS(g),
                        DLC_MEMREF4_PARAMS(d), int64_t kh, int64_t kw,
                        int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                        int64_t dilation_w, int64_t pad_top, int64_t pad_left) {
  (void)x_allocated, (void)g_allocated, (void)d_allocated;
  (void)g_n, (void)g_c, (void)d_n, (void)d_c, (void)d_h, (void)d_w;
  pool_grad_job j = {x_c,      x_h,      x_w,        x + x_offset, x_sn,
                     x_sc,     x_sh,     x_sw,       kh,           kw,
                     stride_h, stride_w, dilation_h, dilation_w,   pad_top,
                     pad_left, g_h,      g_w,        g + g_offset, g_sn,
                     g_sc,     g_sh,     g_sw,       d + d_offset, d_sn,
                     d_sc,     d_sh,     d_sw};
  int64_t planes = x_n * x_c;
  if (planes <= 0)
    return;
  if (pool2x2Applies(x_h, x_w, x_sw, kh, kw, stride_h, stride_w, dilation_h,
                     dilation_w, pad_top, pad_left, g_h, g_w, d_sw, g_sw)) {
    pool2x2_job p = {x_c,  x_h,          x_w,  g_h,          g_w,  x + x_offset,
                     x_sn, x_sc,         x_sh, g + g_offset, g_sn, g_sc,
                     g_sh, d + d_offset, d_sn, d_sc,         d_sh};
    runPool2x2(&p, x_n);
    return;
  }
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  if (threads > 1 && planes > 1 && planes * x_h * x_w >= 32768)
    dlc_parallel_for(0, planes, 1, poolGradJob, &j);
  else
    poolGradJob(&j, 0, planes);
}
