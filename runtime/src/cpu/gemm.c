/*===- gemm.c - f32 matrix multiplication for generated code -------------===*
 *
 * dlc_sgemm computes C = (accumulate ? C : 0) + A * B for a batch of f32
 * matrices with any element strides, so every contraction the compiler
 * finds (matmul, batch matmul, gemm with transposes, im2col'd convolutions,
 * the train step's gradient matmuls) is one call.
 *
 * The scheme is BLIS's (Van Zee & van de Geijn, "BLIS: A Framework for
 * Rapidly Instantiating BLAS Functionality", 2015): K is cut into KC blocks;
 * per block, A is packed into MR x KC micro-panels and B into KC x NR
 * micro-panels (zero padded at the edges, so the microkernel never branches),
 * and an MR x NR register-blocked microkernel runs over every pair, keeping
 * its accumulators in registers across the whole block. The micro-panel of B
 * stays in L1 while the microkernel walks an MC-row block of A held in L2.
 * Threads take (A block, B micro-panel) tiles from dlc_parallel_for.
 *
 * The microkernel is chosen once per process from the CPU: AVX-512 (12 x 32,
 * 24 zmm accumulators), AVX2+FMA (6 x 16, 12 ymm accumulators) or portable C;
 * DLC_GEMM_ISA=avx512|avx2|generic picks a lower one (tests, comparisons).
 *
 *===----------------------------------------------------------------------===*/

#include "../internal.h"
#include "dlc/runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLC_GEMM_X86 1
#include <immintrin.h>
#endif

/* NC: columns of B packed at a time when A is packed once (a model's
 * weights), so one K block of packed B (KC x NC floats, 512 KiB) stays in
 * L2 while every A block passes over it. */
enum { KC = 256, MC = 120, NC = 512, MAX_MR = 12, MAX_NR = 32 };

/* The epilogue of one full tile, applied in registers before the store:
 * c = min(max(c + x + y, lo), hi), each addend one value per element (unit
 * column stride) or one per row. Only the AVX-512 microkernel takes it. */
typedef struct tile_ep {
  const float *x, *y; /* at the tile's (0, 0); NULL: absent */
  int64_t sxm, sym;
  int xCols, yCols; /* 1: per element; 0: per row */
  float lo, hi;
} tile_ep;

typedef void (*kernel_fn)(int64_t kc, const float *a, const float *b,
                          int64_t ldb, float *c, int64_t ldc, int beta,
                          const tile_ep *te);

typedef struct isa {
  int mr, nr;
  kernel_fn kernel;
  const char *name;
} isa;

/*===--- microkernels ---------------------------------------------------===*
 * c[i * ldc + j] = (beta ? c[..] : 0) + sum_p a[p * mr + i] * b[p * ldb + j]
 * for i < mr, j < nr; a is a packed micro-panel, b a packed one (ldb = nr)
 * or nr unit-stride columns of B itself (ldb its row stride), c a full
 * tile with unit stride along j.                                          */

enum { GENERIC_MR = 4, GENERIC_NR = 16 };

static void kernelGeneric(int64_t kc, const float *a, const float *b,
                          int64_t ldb, float *c, int64_t ldc, int beta,
                          const tile_ep *te) {
  (void)te;
  float acc[GENERIC_MR][GENERIC_NR];
  memset(acc, 0, sizeof(acc));
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < GENERIC_MR; ++i)
      for (int j = 0; j < GENERIC_NR; ++j)
        acc[i][j] += a[i] * b[j];
    a += GENERIC_MR;
    b += ldb;
  }
  for (int i = 0; i < GENERIC_MR; ++i)
    for (int j = 0; j < GENERIC_NR; ++j)
      c[i * ldc + j] = (beta ? c[i * ldc + j] : 0.0f) + acc[i][j];
}

#ifdef DLC_GEMM_X86

__attribute__((target("avx2,fma"))) static void
kernelAvx2(int64_t kc, const float *a, const float *b, int64_t ldb, float *c,
           int64_t ldc, int beta, const tile_ep *te) {
  (void)te;
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
         c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
         c51 = c00;
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#define DLC_ROW(i)                                                             \
  do {                                                                         \
    __m256 ai = _mm256_broadcast_ss(a + i);                                    \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);                                \
    c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);                                \
  } while (0)
    DLC_ROW(0);
    DLC_ROW(1);
    DLC_ROW(2);
    DLC_ROW(3);
    DLC_ROW(4);
    DLC_ROW(5);
#undef DLC_ROW
    a += 6;
    b += ldb;
  }
#define DLC_STORE(i)                                                           \
  do {                                                                         \
    float *ci = c + i * ldc;                                                   \
    if (beta) {                                                                \
      c##i##0 = _mm256_add_ps(c##i##0, _mm256_loadu_ps(ci));                   \
      c##i##1 = _mm256_add_ps(c##i##1, _mm256_loadu_ps(ci + 8));               \
    }                                                                          \
    _mm256_storeu_ps(ci, c##i##0);                                             \
    _mm256_storeu_ps(ci + 8, c##i##1);                                         \
  } while (0)
  DLC_STORE(0);
  DLC_STORE(1);
  DLC_STORE(2);
  DLC_STORE(3);
  DLC_STORE(4);
  DLC_STORE(5);
#undef DLC_STORE
}

/* How far ahead (in floats) the AVX-512 kernels prefetch A's packed
 * micro-panels: 128 k-steps, 6 KiB. A model's weights are A of its 1 x 1
 * convs, read once per call and cold in cache (MobileNetV2 has 14 MB of
 * them): with the hardware prefetcher alone, a 160 x 960 by 960 x 49
 * product (a projection at 7 x 7) took 41 % longer with A cold than warm;
 * with this, 11 % longer. Warm, it costs nothing measurable. */
enum { PREFETCH_A = 1536 };

__attribute__((target("avx512f"))) static void
kernelAvx512(int64_t kc, const float *a, const float *b, int64_t ldb, float *c,
             int64_t ldc, int beta, const tile_ep *te) {
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
         c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
         c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00,
         c81 = c00, c90 = c00, c91 = c00, cA0 = c00, cA1 = c00, cB0 = c00,
         cB1 = c00;
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    _mm_prefetch((const char *)(b + 8 * ldb), _MM_HINT_T0);
    _mm_prefetch((const char *)(a + PREFETCH_A), _MM_HINT_T0);
#define DLC_ROW(i, n)                                                          \
  do {                                                                         \
    __m512 ai = _mm512_set1_ps(a[n]);                                          \
    c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);                                \
    c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);                                \
  } while (0)
    DLC_ROW(0, 0);
    DLC_ROW(1, 1);
    DLC_ROW(2, 2);
    DLC_ROW(3, 3);
    DLC_ROW(4, 4);
    DLC_ROW(5, 5);
    DLC_ROW(6, 6);
    DLC_ROW(7, 7);
    DLC_ROW(8, 8);
    DLC_ROW(9, 9);
    DLC_ROW(A, 10);
    DLC_ROW(B, 11);
#undef DLC_ROW
    a += 12;
    b += ldb;
  }
  /* Adds the addend at p (per element or, with !cols, per row) to row
   * (v0, v1) of the tile. */
#define DLC_ADD_ROW(p, cols, v0, v1)                                           \
  do {                                                                         \
    if (cols) {                                                                \
      v0 = _mm512_add_ps(v0, _mm512_loadu_ps(p));                              \
      v1 = _mm512_add_ps(v1, _mm512_loadu_ps((p) + 16));                       \
    } else {                                                                   \
      __m512 e = _mm512_set1_ps(*(p));                                         \
      v0 = _mm512_add_ps(v0, e);                                               \
      v1 = _mm512_add_ps(v1, e);                                               \
    }                                                                          \
  } while (0)
  /* The clamp keeps NaN: max/min return their second operand when either
   * is NaN. */
#define DLC_STORE(i, n)                                                        \
  do {                                                                         \
    float *ci = c + n * ldc;                                                   \
    if (beta) {                                                                \
      c##i##0 = _mm512_add_ps(c##i##0, _mm512_loadu_ps(ci));                   \
      c##i##1 = _mm512_add_ps(c##i##1, _mm512_loadu_ps(ci + 16));              \
    }                                                                          \
    if (te) {                                                                  \
      if (te->x)                                                               \
        DLC_ADD_ROW(te->x + n * te->sxm, te->xCols, c##i##0, c##i##1);         \
      if (te->y)                                                               \
        DLC_ADD_ROW(te->y + n * te->sym, te->yCols, c##i##0, c##i##1);         \
      c##i##0 = _mm512_min_ps(hi, _mm512_max_ps(lo, c##i##0));                 \
      c##i##1 = _mm512_min_ps(hi, _mm512_max_ps(lo, c##i##1));                 \
    }                                                                          \
    _mm512_storeu_ps(ci, c##i##0);                                             \
    _mm512_storeu_ps(ci + 16, c##i##1);                                        \
  } while (0)
  __m512 lo = _mm512_set1_ps(te ? te->lo : 0.0f);
  __m512 hi = _mm512_set1_ps(te ? te->hi : 0.0f);
  DLC_STORE(0, 0);
  DLC_STORE(1, 1);
  DLC_STORE(2, 2);
  DLC_STORE(3, 3);
  DLC_STORE(4, 4);
  DLC_STORE(5, 5);
  DLC_STORE(6, 6);
  DLC_STORE(7, 7);
  DLC_STORE(8, 8);
  DLC_STORE(9, 9);
  DLC_STORE(A, 10);
  DLC_STORE(B, 11);
#undef DLC_STORE
#undef DLC_ADD_ROW
}

/* Edge tiles of the AVX-512 microkernel: the first `rows` (<= ROWS) rows
 * of A's 12-row micro-panel by the first 16 HALVES columns of B's 32, the
 * columns past the tile's cut off by the lane masks m0 / m1. They store
 * straight into C under those masks, with beta and the fused epilogue as
 * kernelAvx512 applies them: a tile of 4 or 8 rows, or of at most 16
 * columns, costs its own FMAs instead of a full 12 x 32 tile's (a model's
 * Cout of 64 leaves 4 rows, a 14 x 14 map 4 columns, a 7 x 7 map 17), and
 * no edge tile goes through a scratch tile and a scalar copy. */
#define DLC_EDGE_KERNEL(NAME, ROWS, HALVES)                                    \
  __attribute__((target("avx512f"))) static void NAME(                         \
      int64_t kc, const float *a, const float *b, int64_t ldb, float *c,       \
      int64_t ldc, int beta, const tile_ep *te, int64_t rows, __mmask16 m0,    \
      __mmask16 m1) {                                                          \
    __m512 acc[ROWS][HALVES];                                                  \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i)                    \
        _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) acc[i][h] =   \
            _mm512_setzero_ps();                                               \
    for (int64_t p = 0; p < kc; ++p) {                                         \
      __m512 bv[HALVES];                                                       \
      _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) bv[h] =         \
          _mm512_loadu_ps(b + 16 * h);                                         \
      _mm_prefetch((const char *)(a + PREFETCH_A), _MM_HINT_T0);               \
      _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                \
        __m512 ai = _mm512_set1_ps(a[i]);                                      \
        _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) acc[i][h] =   \
            _mm512_fmadd_ps(ai, bv[h], acc[i][h]);                             \
      }                                                                        \
      a += 12;                                                                 \
      b += ldb;                                                                \
    }                                                                          \
    __m512 lo = _mm512_set1_ps(te ? te->lo : 0.0f);                            \
    __m512 hi = _mm512_set1_ps(te ? te->hi : 0.0f);                            \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; ++i) {                  \
      if (i >= rows)                                                           \
        break;                                                                 \
      _Pragma("GCC unroll 2") for (int h = 0; h < HALVES; ++h) {               \
        __mmask16 m = h ? m1 : m0;                                             \
        float *ci = c + i * ldc + 16 * h;                                      \
        __m512 v = acc[i][h];                                                  \
        if (beta)                                                              \
          v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, ci));                  \
        if (te) {                                                              \
          if (te->x)                                                           \
            v = _mm512_add_ps(v, te->xCols                                     \
                                     ? _mm512_maskz_loadu_ps(                  \
                                           m, te->x + i * te->sxm + 16 * h)    \
                                     : _mm512_set1_ps(te->x[i * te->sxm]));    \
          if (te->y)                                                           \
            v = _mm512_add_ps(v, te->yCols                                     \
                                     ? _mm512_maskz_loadu_ps(                  \
                                           m, te->y + i * te->sym + 16 * h)    \
                                     : _mm512_set1_ps(te->y[i * te->sym]));    \
          v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));                         \
        }                                                                      \
        _mm512_mask_storeu_ps(ci, m, v);                                       \
      }                                                                        \
    }                                                                          \
  }
DLC_EDGE_KERNEL(edgeAvx512R1H2, 1, 2)
DLC_EDGE_KERNEL(edgeAvx512R4H2, 4, 2)
DLC_EDGE_KERNEL(edgeAvx512R8H2, 8, 2)
DLC_EDGE_KERNEL(edgeAvx512R12H2, 12, 2)
DLC_EDGE_KERNEL(edgeAvx512R1H1, 1, 1)
DLC_EDGE_KERNEL(edgeAvx512R4H1, 4, 1)
DLC_EDGE_KERNEL(edgeAvx512R8H1, 8, 1)
DLC_EDGE_KERNEL(edgeAvx512R12H1, 12, 1)
#undef DLC_EDGE_KERNEL

/* A tile's last COLS (<= 8) columns with the rows in the lanes: per k, A's
 * 12-row micro-panel column is one vector, multiplied by each column's
 * broadcast value of B, so a column costs one FMA per k where a row tile
 * costs one per row (a 7 x 7 map's 49th column, a 14 x 14 map's last 4).
 * PAR interleaved accumulators per column keep COLS x PAR chains in
 * flight. The vectors are stored to `t` and written out with the epilogue
 * by columnsOut. */
#define DLC_COLUMN_KERNEL(NAME, COLS, PAR)                                     \
  __attribute__((target("avx512f"))) static void NAME(                         \
      int64_t kc, const float *a, const float *b, int64_t ldb, float *t) {     \
    __m512 acc[COLS][PAR];                                                     \
    _Pragma("GCC unroll 8") for (int j = 0; j < COLS; ++j)                     \
        _Pragma("GCC unroll 4") for (int u = 0; u < PAR; ++u) acc[j][u] =      \
            _mm512_setzero_ps();                                               \
    int64_t p = 0;                                                             \
    for (; p + PAR <= kc; p += PAR) {                                          \
      _Pragma("GCC unroll 4") for (int u = 0; u < PAR; ++u) {                  \
        __m512 av = _mm512_maskz_loadu_ps(0x0FFF, a + 12 * u);                 \
        const float *bu = b + u * ldb;                                         \
        _Pragma("GCC unroll 8") for (int j = 0; j < COLS; ++j) acc[j][u] =     \
            _mm512_fmadd_ps(av, _mm512_set1_ps(bu[j]), acc[j][u]);             \
      }                                                                        \
      a += 12 * PAR;                                                           \
      b += PAR * ldb;                                                          \
    }                                                                          \
    for (; p < kc; ++p, a += 12, b += ldb) {                                   \
      __m512 av = _mm512_maskz_loadu_ps(0x0FFF, a);                            \
      _Pragma("GCC unroll 8") for (int j = 0; j < COLS; ++j) acc[j][0] =       \
          _mm512_fmadd_ps(av, _mm512_set1_ps(b[j]), acc[j][0]);                \
    }                                                                          \
    _Pragma("GCC unroll 8") for (int j = 0; j < COLS; ++j) {                   \
      __m512 v = acc[j][0];                                                    \
      _Pragma("GCC unroll 4") for (int u = 1; u < PAR; ++u) v =                \
          _mm512_add_ps(v, acc[j][u]);                                         \
      _mm512_storeu_ps(t + 16 * j, v);                                         \
    }                                                                          \
  }

/* The one-column case (a 7 x 7 map's 49th) reads A's micro-panel four
 * k-steps at a time as three full vectors (48 floats) instead of four
 * masked 12-float loads, three of which cross a cache line: lane l of
 * vector v holds row (16 v + l) mod 12 of k-step (16 v + l) / 12, so each
 * vector is multiplied by a blend of the broadcast B values of the k-steps
 * its lanes hold. Three accumulators keep the lanes' sums, folded into the
 * 12 rows at the end (row r's k-steps 1, 2, 3 sit at lane 12 + r of
 * (acc0, acc1), 8 + r of (acc1, acc2), 4 + r of acc2). A 320 x 960 by
 * 960 x 33 product took 30 % longer than the 32-column one with the masked
 * loads. */
__attribute__((target("avx512f"))) static void
columnsAvx512C1(int64_t kc, const float *a, const float *b, int64_t ldb,
                float *t) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0;
  __m512 acc3 = acc0, acc4 = acc0, acc5 = acc0;
#define DLC_C1_STEP4(A0, A1, A2, a, b)                                         \
  do {                                                                         \
    __m512 b0 = _mm512_set1_ps((b)[0]), b1 = _mm512_set1_ps((b)[ldb]);         \
    __m512 b2 = _mm512_set1_ps((b)[2 * ldb]),                                  \
           b3 = _mm512_set1_ps((b)[3 * ldb]);                                  \
    A0 = _mm512_fmadd_ps(_mm512_loadu_ps(a),                                   \
                         _mm512_mask_blend_ps(0xF000, b0, b1), A0);            \
    A1 = _mm512_fmadd_ps(_mm512_loadu_ps((a) + 16),                            \
                         _mm512_mask_blend_ps(0xFF00, b1, b2), A1);            \
    A2 = _mm512_fmadd_ps(_mm512_loadu_ps((a) + 32),                            \
                         _mm512_mask_blend_ps(0xFFF0, b2, b3), A2);            \
  } while (0)
  int64_t p = 0;
  for (; p + 8 <= kc; p += 8, a += 96, b += 8 * ldb) {
    DLC_C1_STEP4(acc0, acc1, acc2, a, b);
    DLC_C1_STEP4(acc3, acc4, acc5, a + 48, b + 4 * ldb);
  }
  if (p + 4 <= kc) {
    DLC_C1_STEP4(acc0, acc1, acc2, a, b);
    p += 4, a += 48, b += 4 * ldb;
  }
#undef DLC_C1_STEP4
  acc0 = _mm512_add_ps(acc0, acc3);
  acc1 = _mm512_add_ps(acc1, acc4);
  acc2 = _mm512_add_ps(acc2, acc5);
  const __m512i k1 = _mm512_setr_epi32(12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                       22, 23, 24, 25, 26, 27);
  const __m512i k2 = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                       19, 20, 21, 22, 23);
  const __m512i k3 =
      _mm512_setr_epi32(4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0);
  __m512 v =
      _mm512_add_ps(_mm512_add_ps(acc0, _mm512_permutex2var_ps(acc0, k1, acc1)),
                    _mm512_add_ps(_mm512_permutex2var_ps(acc1, k2, acc2),
                                  _mm512_permutexvar_ps(k3, acc2)));
  for (; p < kc; ++p, a += 12, b += ldb)
    v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(0x0FFF, a), _mm512_set1_ps(b[0]),
                        v);
  _mm512_storeu_ps(t, v);
}
DLC_COLUMN_KERNEL(columnsAvx512C2, 2, 2)
DLC_COLUMN_KERNEL(columnsAvx512C3, 3, 2)
DLC_COLUMN_KERNEL(columnsAvx512C4, 4, 1)
DLC_COLUMN_KERNEL(columnsAvx512C5, 5, 1)
DLC_COLUMN_KERNEL(columnsAvx512C6, 6, 1)
DLC_COLUMN_KERNEL(columnsAvx512C7, 7, 1)
DLC_COLUMN_KERNEL(columnsAvx512C8, 8, 1)
#undef DLC_COLUMN_KERNEL

/* Columns [0, cols) (cols <= 8) and rows [0, rows) of C at c from a column
 * kernel, with beta and the fused epilogue. */
static void columnsAvx512(int64_t rows, int64_t cols, int64_t kc,
                          const float *a, const float *b, int64_t ldb, float *c,
                          int64_t ldc, int beta, const tile_ep *te) {
  typedef void (*column_fn)(int64_t, const float *, const float *, int64_t,
                            float *);
  static const column_fn kernels[8] = {
      columnsAvx512C1, columnsAvx512C2, columnsAvx512C3, columnsAvx512C4,
      columnsAvx512C5, columnsAvx512C6, columnsAvx512C7, columnsAvx512C8};
  float t[8 * 16];
  kernels[cols - 1](kc, a, b, ldb, t);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float v = t[16 * j + i];
      float *ci = c + i * ldc + j;
      if (beta)
        v += *ci;
      if (te) {
        if (te->x)
          v += te->xCols ? te->x[i * te->sxm + j] : te->x[i * te->sxm];
        if (te->y)
          v += te->yCols ? te->y[i * te->sym + j] : te->y[i * te->sym];
        v = v < te->lo ? te->lo : v;
        v = v > te->hi ? te->hi : v;
      }
      *ci = v;
    }
}

/* The edge tile rows x cols (at most 12 x 32, not both full) of C at c,
 * unit column stride, with the smallest kernel that covers it. */
static void edgeAvx512(int64_t rows, int64_t cols, int64_t kc, const float *a,
                       const float *b, int64_t ldb, float *c, int64_t ldc,
                       int beta, const tile_ep *te) {
  int r = rows == 1 ? 1 : rows <= 4 ? 4 : rows <= 8 ? 8 : 12;
  /* Columns past a multiple of 16 that are fewer than the row kernel's
   * rows cost less as a column kernel's (one FMA per column and k than as
   * one per row). */
  int64_t rest = cols & 15;
  if (rest && rest <= 8 && rest < r) {
    tile_ep at;
    if (cols > 16) {
      edgeAvx512(rows, 16, kc, a, b, ldb, c, ldc, beta, te);
      if (te) {
        at = *te;
        if (at.x && at.xCols)
          at.x += 16;
        if (at.y && at.yCols)
          at.y += 16;
        te = &at;
      }
    }
    int64_t j0 = cols - rest;
    columnsAvx512(rows, rest, kc, a, b + j0, ldb, c + j0, ldc, beta, te);
    return;
  }
  __mmask16 m0 = (__mmask16)(cols >= 16 ? 0xFFFFu : (1u << cols) - 1u);
  __mmask16 m1 = (__mmask16)(cols >= 32  ? 0xFFFFu
                             : cols > 16 ? (1u << (cols - 16)) - 1u
                                         : 0u);
  if (cols > 16)
    (r == 1   ? edgeAvx512R1H2
     : r == 4 ? edgeAvx512R4H2
     : r == 8 ? edgeAvx512R8H2
              : edgeAvx512R12H2)(kc, a, b, ldb, c, ldc, beta, te, rows, m0, m1);
  else
    (r == 1   ? edgeAvx512R1H1
     : r == 4 ? edgeAvx512R4H1
     : r == 8 ? edgeAvx512R8H1
              : edgeAvx512R12H1)(kc, a, b, ldb, c, ldc, beta, te, rows, m0, m1);
}

#endif /* DLC_GEMM_X86 */

static const isa isaGeneric = {GENERIC_MR, GENERIC_NR, kernelGeneric,
                               "generic"};
#ifdef DLC_GEMM_X86
static const isa isaAvx2 = {6, 16, kernelAvx2, "avx2"};
static const isa isaAvx512 = {12, 32, kernelAvx512, "avx512"};
#endif

static const isa *selectIsa(void) {
  const char *forced = getenv("DLC_GEMM_ISA");
#ifdef DLC_GEMM_X86
  __builtin_cpu_init();
  int avx512 = __builtin_cpu_supports("avx512f");
  int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (forced && strcmp(forced, "generic") == 0)
    return &isaGeneric;
  if (forced && strcmp(forced, "avx2") == 0)
    avx512 = 0;
  if (avx512)
    return &isaAvx512;
  if (avx2)
    return &isaAvx2;
#else
  (void)forced;
#endif
  return &isaGeneric;
}

static const isa *_Atomic chosenIsa;

static const isa *currentIsa(void) {
  const isa *s = chosenIsa;
  if (!s) {
    s = selectIsa();
    chosenIsa = s;
  }
  return s;
}

const char *dlc_internal_gemm_isa(void) { return currentIsa()->name; }

int dlc_internal_gemm_set_isa(const char *name) {
  const isa *s = NULL;
  if (strcmp(name, "generic") == 0)
    s = &isaGeneric;
#ifdef DLC_GEMM_X86
  __builtin_cpu_init();
  if (strcmp(name, "avx2") == 0 && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma"))
    s = &isaAvx2;
  if (strcmp(name, "avx512") == 0 && __builtin_cpu_supports("avx512f"))
    s = &isaAvx512;
#endif
  if (!s)
    return 0;
  chosenIsa = s;
  return 1;
}

/*===--- packing --------------------------------------------------------===*/

/* A[m0 + i, k0 + p] for i < mc, p < kc into ceil(mc / mr) micro-panels of
 * kc x mr (p-major), rows past mc zero. */
#ifdef DLC_GEMM_X86
/* One 12-row micro-panel of an A with contiguous rows (sak = 1) on AVX-512:
 * 16 columns at a time, the rows (zero past `rows`) transposed in registers
 * (the usual 16 x 16 transpose: 32-bit, 64-bit, then 128-bit interleaves)
 * and each column stored as a 12-float row of the panel. The scalar loop
 * wrote one float per column and row, 48 bytes apart. */
__attribute__((target("avx512f"))) static void
packAPanelAvx512(const float *src, int64_t sam, int64_t rows, int64_t kc,
                 float *out) {
  for (int64_t p0 = 0; p0 < kc; p0 += 16) {
    int64_t n = kc - p0 < 16 ? kc - p0 : 16;
    __mmask16 in = (__mmask16)(0xFFFFu >> (16 - n));
    __m512 r[16], a[16], b[16];
    for (int i = 0; i < 16; ++i)
      r[i] = i < rows ? _mm512_maskz_loadu_ps(in, src + i * sam + p0)
                      : _mm512_setzero_ps();
    for (int k = 0; k < 8; ++k) {
      a[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
      a[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
    for (int k = 0; k < 4; ++k) {
      __m512d x0 = _mm512_castps_pd(a[4 * k]),
              x1 = _mm512_castps_pd(a[4 * k + 1]);
      __m512d x2 = _mm512_castps_pd(a[4 * k + 2]),
              x3 = _mm512_castps_pd(a[4 * k + 3]);
      /* b[4k + m]: rows 4k..4k+3 at columns 4j + m (128-bit block j). */
      b[4 * k] = _mm512_castpd_ps(_mm512_unpacklo_pd(x0, x2));
      b[4 * k + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x0, x2));
      b[4 * k + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(x1, x3));
      b[4 * k + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(x1, x3));
    }
    for (int m = 0; m < 4; ++m) {
      __m512 e0 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0x44);
      __m512 e1 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0xEE);
      __m512 e2 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0x44);
      __m512 e3 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0xEE);
      /* Column 4j + m is [block j of b[m], b[4+m], b[8+m], b[12+m]]. */
      __m512 col[4] = {_mm512_shuffle_f32x4(e0, e2, 0x88),
                       _mm512_shuffle_f32x4(e0, e2, 0xDD),
                       _mm512_shuffle_f32x4(e1, e3, 0x88),
                       _mm512_shuffle_f32x4(e1, e3, 0xDD)};
      for (int j = 0; j < 4; ++j) {
        int64_t c = 4 * j + m;
        if (c < n)
          _mm512_mask_storeu_ps(out + (p0 + c) * 12, 0x0FFF, col[j]);
      }
    }
  }
}
#endif

static void packA(const isa *s, const float *a, int64_t sam, int64_t sak,
                  int64_t mc, int64_t kc, float *out) {
  int mr = s->mr;
  for (int64_t i0 = 0; i0 < mc; i0 += mr, out += kc * mr) {
    int64_t rows = mc - i0 < mr ? mc - i0 : mr;
    const float *src = a + i0 * sam;
#ifdef DLC_GEMM_X86
    if (sak == 1 && s->kernel == kernelAvx512) {
      packAPanelAvx512(src, sam, rows, kc, out);
      continue;
    }
#endif
    if (sak == 1) {
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t p = 0; p < kc; ++p)
          out[p * mr + i] = src[i * sam + p];
    } else {
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t i = 0; i < rows; ++i)
          out[p * mr + i] = src[i * sam + p * sak];
    }
    for (int64_t i = rows; i < mr; ++i)
      for (int64_t p = 0; p < kc; ++p)
        out[p * mr + i] = 0.0f;
  }
}

/* B[k0 + p, n0 + j] for p < kc, j < nc into ceil(nc / nr) micro-panels of
 * kc x nr (p-major), columns past nc zero. */
static void packBPanel(const isa *s, const float *b, int64_t sbk, int64_t sbn,
                       int64_t kc, int64_t cols, float *out) {
  int nr = s->nr;
  if (sbn == 1 && cols == nr) {
    /* A loop the compiler vectorizes: a libc memcpy call per 64- or
     * 128-byte row cost more than the copy. */
    for (int64_t p = 0; p < kc; ++p) {
      const float *src = b + p * sbk;
      float *dst = out + p * nr;
      for (int j = 0; j < nr; ++j)
        dst[j] = src[j];
    }
    return;
  }
  if (sbk == 1) {
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t p = 0; p < kc; ++p)
        out[p * nr + j] = b[j * sbn + p];
  } else {
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t j = 0; j < cols; ++j)
        out[p * nr + j] = b[p * sbk + j * sbn];
  }
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t j = cols; j < nr; ++j)
      out[p * nr + j] = 0.0f;
}

/* A convolution's input read as B of the implicit GEMM (dlc_sconv2d):
 * B[k, n] with k = (channel, window row r, window column q) and n = the
 * output pixel (oy, ox) is x[channel, oy * sh + r * dh - pt,
 * ox * sw + q * dw - pl], 0 in the padding. */
typedef struct conv_source {
  int64_t h, w, sxc, sxh, sxw;
  int64_t kh, kw, sh, sw, dh, dw, pt, pl, ow;
  int64_t n0; /* the first pixel of the columns being computed */
  /* B is the transpose (dlc_sconv2d_wgrad): B[k, n] with k the pixel and n
   * the (channel, r, q) window position. */
  int transposed;
} conv_source;

/* B rows [k0, k0 + kc), columns (pixels) [j0, j0 + cols) of the sample at
 * x, packed as packBPanel packs them: no im2col matrix in memory. Per k,
 * the panel's pixels are cut into runs of one output row, each a strided
 * (at sw = 1 and unit sxw: contiguous) run of one input row. */
static void packBConv(const conv_source *cv, const float *x, int64_t k0,
                      int64_t kc, int64_t j0, int64_t cols, int nr,
                      float *out) {
  int64_t window = cv->kh * cv->kw;
  int64_t ch = k0 / window, r = k0 % window / cv->kw, q = k0 % cv->kw;
  for (int64_t p = 0; p < kc; ++p) {
    float *dst = out + p * nr;
    const float *xc = x + ch * cv->sxc;
    int64_t oy = (cv->n0 + j0) / cv->ow, ox = (cv->n0 + j0) % cv->ow;
    for (int64_t j = 0; j < cols;) {
      int64_t run = cv->ow - ox < cols - j ? cv->ow - ox : cols - j;
      int64_t iy = oy * cv->sh + r * cv->dh - cv->pt;
      if (iy < 0 || iy >= cv->h) {
        for (int64_t t = 0; t < run; ++t)
          dst[j + t] = 0.0f;
      } else {
        const float *row = xc + iy * cv->sxh;
        int64_t ix0 = ox * cv->sw + q * cv->dw - cv->pl;
        /* The run's pixels t in [lo, hi) read inside the row (no division
         * at unit stride: this runs once per k and run). */
        int64_t lo, hi;
        if (cv->sw == 1) {
          lo = ix0 >= 0 ? 0 : -ix0;
          hi = cv->w - ix0 <= 0 ? 0 : cv->w - ix0;
        } else {
          lo = ix0 >= 0 ? 0 : (-ix0 + cv->sw - 1) / cv->sw;
          hi = cv->w - ix0 <= 0 ? 0 : (cv->w - ix0 + cv->sw - 1) / cv->sw;
        }
        if (hi > run)
          hi = run;
        if (lo > hi)
          lo = hi;
        for (int64_t t = 0; t < lo; ++t)
          dst[j + t] = 0.0f;
        if (cv->sw == 1 && cv->sxw == 1) {
          const float *src = row + ix0;
          for (int64_t t = lo; t < hi; ++t)
            dst[j + t] = src[t];
        } else {
          int64_t step = cv->sw * cv->sxw;
          const float *src = row + ix0 * cv->sxw;
          for (int64_t t = lo; t < hi; ++t)
            dst[j + t] = src[t * step];
        }
        for (int64_t t = hi; t < run; ++t)
          dst[j + t] = 0.0f;
      }
      j += run;
      ox = 0;
      ++oy;
    }
    for (int64_t j = cols; j < nr; ++j)
      dst[j] = 0.0f;
    /* The next k: window column, then row, then channel. */
    if (++q == cv->kw) {
      q = 0;
      if (++r == cv->kh) {
        r = 0;
        ++ch;
      }
    }
  }
}

/* packBConv's transpose: B rows [k0, k0 + kc) are the sample's pixels and
 * columns [j0, j0 + cols) its window positions (channel, r, q); the panel is
 * zeroed, then each column's in-bounds pixels are copied in, one run of an
 * output row at a time. */
static void packBConvT(const conv_source *cv, const float *x, int64_t k0,
                       int64_t kc, int64_t j0, int64_t cols, int nr,
                       float *out) {
  memset(out, 0, sizeof(float) * (size_t)(kc * nr));
  int64_t window = cv->kh * cv->kw, step = cv->sw * cv->sxw;
  for (int64_t jj = 0; jj < cols; ++jj) {
    int64_t tap = j0 + jj;
    int64_t r = tap % window / cv->kw, q = tap % cv->kw;
    const float *xc = x + tap / window * cv->sxc;
    int64_t oy = k0 / cv->ow, ox = k0 % cv->ow;
    for (int64_t p = 0; p < kc;) {
      int64_t run = cv->ow - ox < kc - p ? cv->ow - ox : kc - p;
      int64_t iy = oy * cv->sh + r * cv->dh - cv->pt;
      if (iy >= 0 && iy < cv->h) {
        int64_t ix0 = ox * cv->sw + q * cv->dw - cv->pl;
        int64_t lo = ix0 >= 0 ? 0 : (-ix0 + cv->sw - 1) / cv->sw;
        int64_t hi = cv->w - ix0 <= 0 ? 0 : (cv->w - ix0 + cv->sw - 1) / cv->sw;
        if (hi > run)
          hi = run;
        const float *src = xc + iy * cv->sxh + ix0 * cv->sxw;
        float *dst = out + p * nr + jj;
        for (int64_t t = lo; t < hi; ++t)
          dst[t * nr] = src[t * step];
      }
      p += run;
      ox = 0;
      ++oy;
    }
  }
}

#ifdef DLC_GEMM_X86
/* packBConv for the AVX-512 microkernel (nr = 32) at unit column stride
 * (sw = 1, unit sxw), where most of packBConv's time went to per-run
 * bookkeeping (ResNet's 14 x 14 and 7 x 7 maps have runs of 14 and 7
 * pixels). Where the panel's runs read in a window position (r, q) does not
 * depend on the channel, so it is worked out once per panel: per run, the
 * offset from a channel's base of the element lane 0 would read and the
 * lanes the run fills. Each row of the panel is then two zmm registers
 * built by one masked load per run and half (padding lanes stay 0; masked-
 * off lanes are never read, so the offsets may point outside the row). */
typedef struct conv_read {
  int64_t off;
  uint32_t lanes;
} conv_read;

/* How far ahead along an input row (in bytes) the conv packers prefetch:
 * 8 panels at stride 2. A model's input (the stem conv's) is in no cache,
 * and the packers read 9 to 27 rows at once, more streams than the hardware
 * prefetcher follows: MobileNetV2's stem (3 x 224 x 224, 3 x 3, stride 2)
 * took 336 us with its input cold before, 209 us with this (190 us warm,
 * which this leaves as it was). */
enum { PREFETCH_CONV = 2048 };

enum { CONV_PLAN_MAX = 1024, PANEL_RUNS_MAX = 72 };

/* Whether packBConvAvx512 (sw = 1) or packBConvAvx512S2 (sw = 2) can pack
 * the panels of cv (else packBConv): a 32-pixel panel spans at most
 * 32 / ow + 2 output rows, each cut into runs of at most 32 / sw pixels. */
static int convPlanFits(const conv_source *cv, int64_t sw) {
  if (cv->sw != sw || cv->sxw != 1)
    return 0;
  int64_t runs = sw * (32 / cv->ow + 2);
  return cv->kh * cv->kw * runs <= CONV_PLAN_MAX;
}

/* A run of a panel's pixels in one output row: row oy from column ox, the
 * panel's lanes [js, js + len). */
typedef struct panel_run {
  int64_t oy, ox, js, len;
} panel_run;

/* The panel's pixels [j0, j0 + cols) (of cv's columns from n0) as runs of
 * at most maxLen; returns how many (at most PANEL_RUNS_MAX). */
static int64_t panelRuns(const conv_source *cv, int64_t j0, int64_t cols,
                         int64_t maxLen, panel_run *runs) {
  int64_t n = 0;
  int64_t oy = (cv->n0 + j0) / cv->ow, ox = (cv->n0 + j0) % cv->ow;
  for (int64_t j = 0; j < cols; ++n) {
    int64_t len = cv->ow - ox < cols - j ? cv->ow - ox : cols - j;
    if (len > maxLen)
      len = maxLen;
    runs[n] = (panel_run){oy, ox, j, len};
    j += len;
    ox += len;
    if (ox == cv->ow) {
      ox = 0;
      ++oy;
    }
  }
  return n;
}

__attribute__((target("avx512f"))) static void
packBConvAvx512(const conv_source *cv, const float *x, int64_t k0, int64_t kc,
                int64_t j0, int64_t cols, float *out) {
  conv_read plan[CONV_PLAN_MAX];
  int64_t window = cv->kh * cv->kw;
  panel_run run[PANEL_RUNS_MAX];
  int64_t runs = panelRuns(cv, j0, cols, 32, run);
  for (int64_t t = 0; t < window; ++t) {
    int64_t r = t / cv->kw, q = t % cv->kw;
    for (int64_t u = 0; u < runs; ++u) {
      conv_read *e = &plan[t * runs + u];
      int64_t iy = run[u].oy * cv->sh + r * cv->dh - cv->pt;
      int64_t ix0 = run[u].ox + q * cv->dw - cv->pl;
      int64_t lo = ix0 >= 0 ? 0 : -ix0;
      int64_t hi = cv->w - ix0 < run[u].len ? cv->w - ix0 : run[u].len;
      e->lanes = 0;
      e->off = 0;
      if (iy < 0 || iy >= cv->h || lo >= hi)
        continue;
      e->off = iy * cv->sxh + ix0 - run[u].js;
      uint64_t bits = ((uint64_t)1 << (hi - lo)) - 1;
      e->lanes = (uint32_t)(bits << (run[u].js + lo));
    }
  }
  int64_t ch = k0 / window, t = k0 % window;
  for (int64_t p = 0; p < kc; ++p) {
    const float *xc = x + ch * cv->sxc;
    const conv_read *e = &plan[t * runs];
    __m512 v0 = _mm512_setzero_ps(), v1 = v0;
    for (int64_t u = 0; u < runs; ++u) {
      __mmask16 m0 = (__mmask16)e[u].lanes, m1 = (__mmask16)(e[u].lanes >> 16);
      /* Addresses as integers: lane 0 of a run may lie before the row. */
      const float *src =
          (const float *)((intptr_t)xc + e[u].off * (intptr_t)sizeof(float));
      _mm_prefetch((const char *)src + PREFETCH_CONV, _MM_HINT_T0);
      if (m0)
        v0 = _mm512_mask_loadu_ps(v0, m0, src);
      if (m1)
        v1 = _mm512_mask_loadu_ps(v1, m1, (const float *)((intptr_t)src + 64));
    }
    _mm512_storeu_ps(out + p * 32, v0);
    _mm512_storeu_ps(out + p * 32 + 16, v1);
    if (++t == window) {
      t = 0;
      ++ch;
    }
  }
}

/* packBConvAvx512 at column stride 2 (the 7 x 7 stem, the strided 3 x 3
 * convs): each run of up to 16 output pixels reads 32 consecutive input
 * columns (two masked loads; lanes in the padding load as 0), and one
 * vpermt2ps keeps the even ones; a masked store puts them at the run's
 * lanes of the zeroed panel row. */
typedef struct conv_read2 {
  int64_t off;       /* from the channel's base: the run's first column */
  uint16_t in0, in1; /* input columns [0, 16) and [16, 32) read */
  uint16_t lanes;    /* output lanes written, from js */
  int16_t js;        /* the run's first lane in the panel row */
} conv_read2;

__attribute__((target("avx512f"))) static void
packBConvAvx512S2(const conv_source *cv, const float *x, int64_t k0, int64_t kc,
                  int64_t j0, int64_t cols, float *out) {
  conv_read2 plan[CONV_PLAN_MAX];
  int64_t window = cv->kh * cv->kw;
  /* Runs of at most 16 output pixels. */
  panel_run run[PANEL_RUNS_MAX];
  int64_t pieces = panelRuns(cv, j0, cols, 16, run);
  for (int64_t t = 0; t < window; ++t) {
    int64_t r = t / cv->kw, q = t % cv->kw;
    for (int64_t u = 0; u < pieces; ++u) {
      conv_read2 *e = &plan[t * pieces + u];
      int64_t iy = run[u].oy * cv->sh + r * cv->dh - cv->pt;
      int64_t ix0 = 2 * run[u].ox + q * cv->dw - cv->pl;
      e->js = (int16_t)run[u].js;
      e->lanes = (uint16_t)((1u << run[u].len) - 1);
      e->in0 = e->in1 = 0;
      e->off = 0;
      if (iy < 0 || iy >= cv->h)
        continue;
      e->off = iy * cv->sxh + ix0;
      /* Input column ix0 + c for c < 2 len - 1, inside [0, w). */
      int64_t lo = ix0 >= 0 ? 0 : -ix0;
      int64_t hi =
          cv->w - ix0 < 2 * run[u].len - 1 ? cv->w - ix0 : 2 * run[u].len - 1;
      if (lo >= hi)
        continue;
      uint32_t bits = (uint32_t)(((uint64_t)1 << hi) - ((uint64_t)1 << lo));
      e->in0 = (uint16_t)bits;
      e->in1 = (uint16_t)(bits >> 16);
    }
  }
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                         22, 24, 26, 28, 30);
  int64_t ch = k0 / window, t = k0 % window;
  for (int64_t p = 0; p < kc; ++p) {
    const float *xc = x + ch * cv->sxc;
    const conv_read2 *e = &plan[t * pieces];
    float *dst = out + p * 32;
    _mm512_storeu_ps(dst, _mm512_setzero_ps());
    _mm512_storeu_ps(dst + 16, _mm512_setzero_ps());
    for (int64_t u = 0; u < pieces; ++u) {
      if (!(e[u].in0 | e[u].in1))
        continue;
      /* Addresses as integers: column 0 of a piece may lie before the row. */
      const float *src =
          (const float *)((intptr_t)xc + e[u].off * (intptr_t)sizeof(float));
      _mm_prefetch((const char *)src + PREFETCH_CONV, _MM_HINT_T0);
      __m512 a0 = _mm512_maskz_loadu_ps(e[u].in0, src);
      __m512 a1 =
          _mm512_maskz_loadu_ps(e[u].in1, (const float *)((intptr_t)src + 64));
      _mm512_mask_storeu_ps(dst + e[u].js, e[u].lanes,
                            _mm512_permutex2var_ps(a0, even, a1));
    }
    if (++t == window) {
      t = 0;
      ++ch;
    }
  }
}
#endif

/*===--- the epilogue ---------------------------------------------------===*/

/* c = min(max(c + x + y, lo), hi) over a tile, x and y optional (strided
 * addends), NaN propagated by the clamp. */
typedef struct epilogue {
  const float *x, *y; /* at the tile's batch (NULL: absent) */
  int64_t sxm, sxn, sym, syn;
  float lo, hi;
} epilogue;

/* One contiguous row, the addends' kinds fixed (HX/HY: present; XV/YV:
 * one per column rather than one for the row) so each expansion is a
 * branch-free loop the compiler vectorizes. Adds in the order c + x + y. */
#define DLC_EPILOGUE_ROW(HX, XV, HY, YV)                                       \
  for (int64_t j = 0; j < cols; ++j) {                                         \
    float v = ci[j];                                                           \
    if (HX)                                                                    \
      v += (XV) ? xi[j] : xb;                                                  \
    if (HY)                                                                    \
      v += (YV) ? yi[j] : yb;                                                  \
    v = v < lo ? lo : v;                                                       \
    ci[j] = v > hi ? hi : v;                                                   \
  }

#define DLC_EPILOGUE_BODY                                                      \
  for (int64_t i = 0; i < rows; ++i) {                                         \
    float *ci = c + i * scm;                                                   \
    const float *xi = ep->x ? ep->x + (i0 + i) * ep->sxm + j0 * ep->sxn : 0;   \
    const float *yi = ep->y ? ep->y + (i0 + i) * ep->sym + j0 * ep->syn : 0;   \
    float lo = ep->lo, hi = ep->hi;                                            \
    if (scn == 1 && (!xi || ep->sxn <= 1) && (!yi || ep->syn <= 1)) {          \
      /* Contiguous rows. */                                                   \
      float xb = xi ? xi[0] : 0.0f, yb = yi ? yi[0] : 0.0f;                    \
      int kind =                                                               \
          (xi ? 1 + (ep->sxn == 1) : 0) * 3 + (yi ? 1 + (ep->syn == 1) : 0);   \
      switch (kind) {                                                          \
      case 0:                                                                  \
        DLC_EPILOGUE_ROW(0, 0, 0, 0) break;                                    \
      case 1:                                                                  \
        DLC_EPILOGUE_ROW(0, 0, 1, 0) break;                                    \
      case 2:                                                                  \
        DLC_EPILOGUE_ROW(0, 0, 1, 1) break;                                    \
      case 3:                                                                  \
        DLC_EPILOGUE_ROW(1, 0, 0, 0) break;                                    \
      case 4:                                                                  \
        DLC_EPILOGUE_ROW(1, 0, 1, 0) break;                                    \
      case 5:                                                                  \
        DLC_EPILOGUE_ROW(1, 0, 1, 1) break;                                    \
      case 6:                                                                  \
        DLC_EPILOGUE_ROW(1, 1, 0, 0) break;                                    \
      case 7:                                                                  \
        DLC_EPILOGUE_ROW(1, 1, 1, 0) break;                                    \
      default:                                                                 \
        DLC_EPILOGUE_ROW(1, 1, 1, 1) break;                                    \
      }                                                                        \
      continue;                                                                \
    }                                                                          \
    for (int64_t j = 0; j < cols; ++j) {                                       \
      float v = ci[j * scn];                                                   \
      if (xi)                                                                  \
        v += xi[j * ep->sxn];                                                  \
      if (yi)                                                                  \
        v += yi[j * ep->syn];                                                  \
      v = v < lo ? lo : v;                                                     \
      ci[j * scn] = v > hi ? hi : v;                                           \
    }                                                                          \
  }

/* Rows [i0, i0 + rows) and columns [j0, j0 + cols) of C (c points at
 * (i0, j0)). */
static void applyEpilogue(const epilogue *ep, float *c, int64_t scm,
                          int64_t scn, int64_t i0, int64_t j0, int64_t rows,
                          int64_t cols) {
  DLC_EPILOGUE_BODY
}

#if DLC_GEMM_X86
__attribute__((target("avx512f"))) static void
applyEpilogueAvx512(const epilogue *ep, float *c, int64_t scm, int64_t scn,
                    int64_t i0, int64_t j0, int64_t rows, int64_t cols) {
  DLC_EPILOGUE_BODY
}

__attribute__((target("avx2,fma"))) static void
applyEpilogueAvx2(const epilogue *ep, float *c, int64_t scm, int64_t scn,
                  int64_t i0, int64_t j0, int64_t rows, int64_t cols) {
  DLC_EPILOGUE_BODY
}
#endif
#undef DLC_EPILOGUE_BODY
#undef DLC_EPILOGUE_ROW

static void epilogueTile(const isa *s, const epilogue *ep, float *c,
                         int64_t scm, int64_t scn, int64_t i0, int64_t j0,
                         int64_t rows, int64_t cols) {
#if DLC_GEMM_X86
  if (s->kernel == kernelAvx512) {
    applyEpilogueAvx512(ep, c, scm, scn, i0, j0, rows, cols);
    return;
  }
  if (s->kernel == kernelAvx2) {
    applyEpilogueAvx2(ep, c, scm, scn, i0, j0, rows, cols);
    return;
  }
#endif
  (void)s;
  applyEpilogue(ep, c, scm, scn, i0, j0, rows, cols);
}

/* The epilogue of the full tile at (i0, j0) as the AVX-512 microkernel
 * applies it in registers, if it can: addends per element at unit column
 * stride or per row. */
static int fusedEpilogue(const isa *s, const epilogue *ep, int64_t i0,
                         int64_t j0, tile_ep *te) {
#if DLC_GEMM_X86
  if (s->kernel != kernelAvx512 || (ep->x && ep->sxn > 1) ||
      (ep->y && ep->syn > 1))
    return 0;
  te->x = ep->x ? ep->x + i0 * ep->sxm + j0 * ep->sxn : NULL;
  te->y = ep->y ? ep->y + i0 * ep->sym + j0 * ep->syn : NULL;
  te->sxm = ep->sxm;
  te->sym = ep->sym;
  te->xCols = ep->sxn == 1;
  te->yCols = ep->syn == 1;
  te->lo = ep->lo;
  te->hi = ep->hi;
  return 1;
#else
  (void)s, (void)ep, (void)i0, (void)j0, (void)te;
  return 0;
#endif
}

/*===--- the blocked product --------------------------------------------===*/

typedef struct gemm_job {
  const isa *s;
  int64_t m, n, kc;
  const float *a; /* A at column k0 */
  int64_t sam, sak;
  const float *b; /* B at row k0 */
  int64_t sbk, sbn;
  float *c;
  int64_t scm, scn;
  int beta;
  float *packedA; /* ceil(m / mr) micro-panels */
  float *packedB; /* ceil(n / nr) micro-panels */
  int64_t aBlocks, bPanels;
  const epilogue *ep;      /* applied with the last K block; NULL: none */
  const conv_source *conv; /* B is this conv's input at b (at k0) */
  int64_t k0;
  int directB; /* full micro-panels of B are read in place (unit sbn) */
} gemm_job;

static void packAJob(void *ctx, int64_t lo, int64_t hi) {
  gemm_job *job = ctx;
  int mr = job->s->mr;
  for (int64_t blk = lo; blk < hi; ++blk) {
    int64_t i0 = blk * MC;
    int64_t mc = job->m - i0 < MC ? job->m - i0 : MC;
    packA(job->s, job->a + i0 * job->sam, job->sam, job->sak, mc, job->kc,
          job->packedA + (i0 / mr) * job->kc * mr);
  }
}

static void packBJob(void *ctx, int64_t lo, int64_t hi) {
  gemm_job *job = ctx;
  int nr = job->s->nr;
  for (int64_t panel = lo; panel < hi; ++panel) {
    int64_t j0 = panel * nr;
    int64_t cols = job->n - j0 < nr ? job->n - j0 : nr;
    if (job->directB && cols == nr)
      continue;
    if (job->conv && job->conv->transposed) {
      packBConvT(job->conv, job->b, job->k0, job->kc, j0, cols, nr,
                 job->packedB + panel * job->kc * nr);
    } else if (job->conv) {
#ifdef DLC_GEMM_X86
      if (job->s == &isaAvx512 && convPlanFits(job->conv, 1)) {
        packBConvAvx512(job->conv, job->b, job->k0, job->kc, j0, cols,
                        job->packedB + panel * job->kc * nr);
        continue;
      }
      if (job->s == &isaAvx512 && convPlanFits(job->conv, 2)) {
        packBConvAvx512S2(job->conv, job->b, job->k0, job->kc, j0, cols,
                          job->packedB + panel * job->kc * nr);
        continue;
      }
#endif
      packBConv(job->conv, job->b, job->k0, job->kc, j0, cols, nr,
                job->packedB + panel * job->kc * nr);
    } else
      packBPanel(job->s, job->b + j0 * job->sbn, job->sbk, job->sbn, job->kc,
                 cols, job->packedB + panel * job->kc * nr);
  }
}

/* Tile t = (A block t / bPanels, B micro-panel t % bPanels). */
static void tileJob(void *ctx, int64_t lo, int64_t hi) {
  gemm_job *job = ctx;
  const isa *s = job->s;
  int mr = s->mr, nr = s->nr;
  float tmp[MAX_MR * MAX_NR];
  for (int64_t t = lo; t < hi; ++t) {
    int64_t blk = t / job->bPanels, panel = t % job->bPanels;
    int64_t j0 = panel * nr;
    int64_t cols = job->n - j0 < nr ? job->n - j0 : nr;
    const float *bp = job->packedB + panel * job->kc * nr;
    int64_t ldb = nr;
    if (job->directB && cols == nr) {
      bp = job->b + j0;
      ldb = job->sbk;
    }
    int64_t iEnd = (blk + 1) * MC < job->m ? (blk + 1) * MC : job->m;
    for (int64_t i0 = blk * MC; i0 < iEnd; i0 += mr) {
      int64_t rows = job->m - i0 < mr ? job->m - i0 : mr;
      const float *ap = job->packedA + (i0 / mr) * job->kc * mr;
      float *c = job->c + i0 * job->scm + j0 * job->scn;
      if (rows == mr && cols == nr && job->scn == 1) {
        tile_ep te;
        if (job->ep && fusedEpilogue(s, job->ep, i0, j0, &te)) {
          s->kernel(job->kc, ap, bp, ldb, c, job->scm, job->beta, &te);
          continue;
        }
        s->kernel(job->kc, ap, bp, ldb, c, job->scm, job->beta, NULL);
      } else {
#ifdef DLC_GEMM_X86
        if (s->kernel == kernelAvx512 && job->scn == 1) {
          tile_ep te;
          if (job->ep && fusedEpilogue(s, job->ep, i0, j0, &te)) {
            edgeAvx512(rows, cols, job->kc, ap, bp, ldb, c, job->scm, job->beta,
                       &te);
            continue;
          }
          edgeAvx512(rows, cols, job->kc, ap, bp, ldb, c, job->scm, job->beta,
                     NULL);
          if (job->ep)
            epilogueTile(s, job->ep, c, job->scm, job->scn, i0, j0, rows, cols);
          continue;
        }
#endif
        s->kernel(job->kc, ap, bp, ldb, tmp, nr, 0, NULL);
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j) {
            float *dst = c + i * job->scm + j * job->scn;
            *dst = (job->beta ? *dst : 0.0f) + tmp[i * nr + j];
          }
      }
      if (job->ep)
        epilogueTile(s, job->ep, c, job->scm, job->scn, i0, j0, rows, cols);
    }
  }
}

/* Per-thread scratch for the packed panels, grown on demand and kept (the
 * same shapes recur on every call of a model), freed when the thread exits. */
typedef struct scratch_buffer {
  float *data;
  size_t floats;
} scratch_buffer;

static pthread_key_t scratchKey;
static pthread_once_t scratchOnce = PTHREAD_ONCE_INIT;

static void freeScratch(void *p) {
  scratch_buffer *s = p;
  free(s->data);
  free(s);
}

static void makeScratchKey(void) {
  pthread_key_create(&scratchKey, freeScratch);
}

float *dlc_internal_thread_scratch(size_t floats) {
  pthread_once(&scratchOnce, makeScratchKey);
  scratch_buffer *s = pthread_getspecific(scratchKey);
  if (!s) {
    s = calloc(1, sizeof(scratch_buffer));
    if (!s || pthread_setspecific(scratchKey, s) != 0) {
      free(s);
      dlc_internal_alloc_failed(sizeof(scratch_buffer));
      return NULL;
    }
  }
  if (floats <= s->floats)
    return s->data;
  free(s->data);
  size_t bytes = (floats * sizeof(float) + 63) & ~(size_t)63;
  s->data = aligned_alloc(64, bytes);
  s->floats = s->data ? floats : 0;
  if (!s->data)
    dlc_internal_alloc_failed(bytes);
  return s->data;
}

/* Operands packed once for every K block (dlc_sgemm_cached): A's panels
 * for the block at k0 start at aPanels * mr * k0, B's at bPanels * nr * k0. */
typedef struct prepacked {
  const float *a, *b; /* NULL: pack per call */
  /* For a block of A's rows (rowJob): the panels per K block of the whole
   * packed A (0: this call's own) and the block's first panel in it; for a
   * block of B's columns (columnJob), the same of B. */
  int64_t aPanels, aFirst, bPanels, bFirst;
} prepacked;

static void gemmOne(const isa *s, int64_t m, int64_t n, int64_t k,
                    const float *a, int64_t sam, int64_t sak, const float *b,
                    int64_t sbk, int64_t sbn, float *c, int64_t scm,
                    int64_t scn, int accumulate, int threads, prepacked packed,
                    const epilogue *ep, const conv_source *conv);

/* `ep` moved i steps along strides sxb and syb of its addends (to batch i,
 * or to column i with the column strides). */
static epilogue epilogueAt(const epilogue *ep, int64_t i, int64_t sxb,
                           int64_t syb) {
  epilogue at = *ep;
  if (at.x)
    at.x += i * sxb;
  if (at.y)
    at.y += i * syb;
  return at;
}

/* An epilogue from an entry point's arguments. */
static epilogue makeEpilogue(const float *x, int64_t x_offset, int64_t sxm,
                             int64_t sxn, const float *y, int64_t y_offset,
                             int64_t sym, int64_t syn, float lo, float hi) {
  epilogue ep = {x ? x + x_offset : NULL,
                 y ? y + y_offset : NULL,
                 sxm,
                 sxn,
                 sym,
                 syn,
                 lo,
                 hi};
  return ep;
}

/* Column blocks [lo, hi) of width nb of one product, each run alone. */
typedef struct column_job {
  const isa *s;
  int64_t m, n, k;
  const float *a;
  int64_t sam, sak;
  const float *b;
  int64_t sbk, sbn;
  float *c;
  int64_t scm, scn, nb;
  int accumulate;
  prepacked packed;
  const epilogue *ep;
  const conv_source *conv;
} column_job;

static void columnJob(void *ctx, int64_t lo, int64_t hi) {
  column_job *j = ctx;
  for (int64_t blk = lo; blk < hi; ++blk) {
    int64_t j0 = blk * j->nb;
    epilogue at;
    if (j->ep)
      at = epilogueAt(j->ep, j0, j->ep->sxn, j->ep->syn);
    prepacked p = j->packed;
    if (p.b) {
      if (!p.bPanels)
        p.bPanels = (j->n + j->s->nr - 1) / j->s->nr;
      p.bFirst += j0 / j->s->nr; /* nb is a multiple of nr */
    }
    conv_source cv;
    if (j->conv) {
      cv = *j->conv;
      cv.n0 += j0;
    }
    gemmOne(j->s, j->m, j->n - j0 < j->nb ? j->n - j0 : j->nb, j->k, j->a,
            j->sam, j->sak, j->conv ? j->b : j->b + j0 * j->sbn, j->sbk, j->sbn,
            j->c + j0 * j->scn, j->scm, j->scn, j->accumulate, 1, p,
            j->ep ? &at : NULL, j->conv ? &cv : NULL);
  }
}

/* Blocks [lo, hi) of nb rows of A and C, each one gemmOne on one thread
 * (packing its own B panels). */
static void rowJob(void *ctx, int64_t lo, int64_t hi) {
  column_job *j = ctx;
  for (int64_t blk = lo; blk < hi; ++blk) {
    int64_t i0 = blk * j->nb;
    epilogue at;
    if (j->ep)
      at = epilogueAt(j->ep, i0, j->ep->sxm, j->ep->sym);
    prepacked p = j->packed;
    if (p.a) {
      if (!p.aPanels)
        p.aPanels = (j->m + j->s->mr - 1) / j->s->mr;
      p.aFirst += i0 / j->s->mr;
    }
    gemmOne(j->s, j->m - i0 < j->nb ? j->m - i0 : j->nb, j->n, j->k,
            p.a ? j->a : j->a + i0 * j->sam, j->sam, j->sak, j->b, j->sbk,
            j->sbn, j->c + i0 * j->scm, j->scm, j->scn, j->accumulate, 1, p,
            j->ep ? &at : NULL, j->conv);
  }
}

static void gemmOne(const isa *s, int64_t m, int64_t n, int64_t k,
                    const float *a, int64_t sam, int64_t sak, const float *b,
                    int64_t sbk, int64_t sbn, float *c, int64_t scm,
                    int64_t scn, int accumulate, int threads, prepacked packed,
                    const epilogue *ep, const conv_source *conv) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          c[i * scm + j * scn] = 0.0f;
    if (ep)
      epilogueTile(s, ep, c, scm, scn, 0, 0, m, n);
    return;
  }
  /* With B packed already and too few rows of A for a thread each (a
   * classifier's GEMV), column blocks of B's packed panels, A packed per
   * block (1 to 2 micro-panels): no barrier per K block either. */
  int blockPerThread = threads > 1 && n >= 4 * s->nr * threads;
  if ((packed.a && (n > NC || blockPerThread)) ||
      (packed.b && !packed.a && blockPerThread && m < 2 * s->mr * threads)) {
    /* Column blocks, each with B packed anew and A as it is. With threads,
     * each thread takes whole blocks (packing its own B panels into its
     * own scratch): no barrier per K block, only the one at the end. */
    int64_t nb = NC;
    if (threads > 1) {
      int64_t perThread = (n + 4 * threads - 1) / (4 * threads);
      perThread = (perThread + s->nr - 1) / s->nr * s->nr;
      if (perThread < nb)
        nb = perThread;
    }
    column_job job = {s,   m, n,   k,   a,  sam,        sak,    b,  sbk,
                      sbn, c, scm, scn, nb, accumulate, packed, ep, conv};
    int64_t blocks = (n + nb - 1) / nb;
    if (threads > 1)
      dlc_parallel_for(0, blocks, 1, columnJob, &job);
    else
      columnJob(&job, 0, blocks);
    return;
  }
  if (threads > 1 && m >= 2 * s->mr * threads) {
    /* Row blocks, one per thread, each with its own B panels: no barrier
     * per K block (B is packed once per thread, a small cost next to the
     * block's product when it has 2 micro-panels of rows or more). */
    int64_t nb = (m + threads - 1) / threads;
    nb = (nb + s->mr - 1) / s->mr * s->mr;
    column_job job = {s,   m, n,   k,   a,  sam,        sak,    b,  sbk,
                      sbn, c, scm, scn, nb, accumulate, packed, ep, conv};
    dlc_parallel_for(0, (m + nb - 1) / nb, 1, rowJob, &job);
    return;
  }
  int mr = s->mr, nr = s->nr;
  int64_t aPanels = (m + mr - 1) / mr, bPanels = (n + nr - 1) / nr;
  int64_t kcMax = k < KC ? k : KC;
  size_t aFloats = packed.a ? 0 : (size_t)(aPanels * mr * kcMax);
  size_t bFloats = packed.b ? 0 : (size_t)(bPanels * nr * kcMax);
  float *buf = NULL;
  if (aFloats + bFloats) {
    buf = dlc_internal_thread_scratch(aFloats + bFloats + 16 /* align */);
    if (!buf)
      return;
  }
  gemm_job job = {.s = s,
                  .m = m,
                  .n = n,
                  .sam = sam,
                  .sak = sak,
                  .sbk = sbk,
                  .sbn = sbn,
                  .c = c,
                  .scm = scm,
                  .scn = scn,
                  .packedA = buf,
                  .packedB = buf ? buf + ((aFloats + 15) & ~(size_t)15) : NULL,
                  .aBlocks = (m + MC - 1) / MC,
                  .bPanels = bPanels,
                  .conv = conv,
                  /* With at most 4 micro-panels of A's rows, each B
                   * panel would be packed for as few reads: its rows are
                   * read in place instead (a pointwise conv projecting to
                   * few channels). With more, the packed panel's
                   * contiguous rows win (the strided ones collide in L1's
                   * sets). */
                  .directB = !conv && !packed.b && sbn == 1 && m <= 4 * s->mr};
  for (int64_t k0 = 0; k0 < k; k0 += KC) {
    job.kc = k - k0 < KC ? k - k0 : KC;
    job.a = a + k0 * sak;
    job.b = conv ? b : b + k0 * sbk;
    job.k0 = k0;
    job.beta = accumulate || k0 > 0;
    job.ep = k0 + KC >= k ? ep : NULL;
    if (packed.a)
      job.packedA = (float *)packed.a +
                    (packed.aPanels ? packed.aPanels : aPanels) * mr * k0 +
                    packed.aFirst * job.kc * mr;
    if (packed.b)
      job.packedB = (float *)packed.b +
                    (packed.bPanels ? packed.bPanels : bPanels) * nr * k0 +
                    packed.bFirst * job.kc * nr;
    if (threads > 1) {
      if (!packed.a)
        dlc_parallel_for(0, job.aBlocks, 1, packAJob, &job);
      if (!packed.b)
        dlc_parallel_for(0, bPanels, 1, packBJob, &job);
      dlc_parallel_for(0, job.aBlocks * bPanels, 1, tileJob, &job);
    } else {
      if (!packed.a)
        packAJob(&job, 0, job.aBlocks);
      if (!packed.b)
        packBJob(&job, 0, bPanels);
      tileJob(&job, 0, job.aBlocks * bPanels);
    }
  }
}

typedef struct batch_job {
  const isa *s;
  int64_t m, n, k;
  const float *a;
  int64_t sab, sam, sak;
  const float *b;
  int64_t sbb, sbk, sbn;
  float *c;
  int64_t scb, scm, scn;
  int accumulate;
  prepacked packed;
  const epilogue *ep; /* at batch 0 */
  int64_t sxb, syb;
  const conv_source *conv;
} batch_job;

static void batchJob(void *ctx, int64_t lo, int64_t hi) {
  batch_job *j = ctx;
  for (int64_t i = lo; i < hi; ++i) {
    epilogue at;
    if (j->ep)
      at = epilogueAt(j->ep, i, j->sxb, j->syb);
    gemmOne(j->s, j->m, j->n, j->k, j->a + i * j->sab, j->sam, j->sak,
            j->b + i * j->sbb, j->sbk, j->sbn, j->c + i * j->scb, j->scm,
            j->scn, j->accumulate, 1, j->packed, j->ep ? &at : NULL, j->conv);
  }
}

/*===--- operands packed once ------------------------------------------===*/

/* An operand packed for every K block, as gemmOne reads it, and the call it
 * was packed for. */
typedef struct packed_operand {
  const isa *s;
  const float *src;
  int64_t rows, k, sRow, sK;
  int64_t pad[2]; /* data starts 64-byte aligned */
  float data[];
} packed_operand;

/* The slot's packed copy of `src` (rows x k, strides sRow and sK; A's rows
 * are m, B's are n), packing and publishing it first if the slot is empty;
 * NULL when the slot holds another operand or memory runs out. */
static const float *packedOperand(void **slot, const isa *s, int isA,
                                  const float *src, int64_t rows, int64_t k,
                                  int64_t sRow, int64_t sK) {
  _Atomic(packed_operand *) *atomicSlot = (_Atomic(packed_operand *) *)slot;
  packed_operand *p = *atomicSlot;
  if (!p) {
    int64_t r = isA ? s->mr : s->nr;
    int64_t panels = (rows + r - 1) / r;
    size_t bytes =
        sizeof(packed_operand) + (size_t)(panels * r * k) * sizeof(float);
    packed_operand *fresh = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!fresh)
      return NULL;
    *fresh = (packed_operand){s, src, rows, k, sRow, sK, {0, 0}};
    for (int64_t k0 = 0; k0 < k; k0 += KC) {
      int64_t kc = k - k0 < KC ? k - k0 : KC;
      float *out = fresh->data + panels * r * k0;
      if (isA) {
        for (int64_t i0 = 0; i0 < rows; i0 += MC)
          packA(s, src + k0 * sK + i0 * sRow, sRow, sK,
                rows - i0 < MC ? rows - i0 : MC, kc, out + (i0 / r) * kc * r);
      } else {
        for (int64_t panel = 0; panel < panels; ++panel) {
          int64_t j0 = panel * r;
          packBPanel(s, src + k0 * sK + j0 * sRow, sK, sRow, kc,
                     rows - j0 < r ? rows - j0 : r, out + panel * kc * r);
        }
      }
    }
    packed_operand *expected = NULL;
    if (atomic_compare_exchange_strong(atomicSlot, &expected, fresh)) {
      p = fresh;
    } else {
      free(fresh); /* another thread published first */
      p = expected;
    }
  }
  if (p->s != s || p->src != src || p->rows != rows || p->k != k ||
      p->sRow != sRow || p->sK != sK)
    return NULL;
  return p->data;
}

void dlc_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k, const float *a,
               int64_t a_offset, int64_t sab, int64_t sam, int64_t sak,
               const float *b, int64_t b_offset, int64_t sbb, int64_t sbk,
               int64_t sbn, float *c, int64_t c_offset, int64_t scb,
               int64_t scm, int64_t scn, int32_t accumulate) {
  dlc_sgemm_cached(batch, m, n, k, a, a_offset, sab, sam, sak, b, b_offset, sbb,
                   sbk, sbn, c, c_offset, scb, scm, scn, accumulate, NULL,
                   NULL);
}

/* dlc_sgemm_cached with an optional epilogue (at batch 0, moved by sxb and
 * syb per batch). */
static void sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                  const float *a, int64_t sab, int64_t sam, int64_t sak,
                  const float *b, int64_t sbb, int64_t sbk, int64_t sbn,
                  float *c, int64_t scb, int64_t scm, int64_t scn,
                  int32_t accumulate, void **a_cache, void **b_cache,
                  const epilogue *ep, int64_t sxb, int64_t syb,
                  const conv_source *conv) {
  const isa *s = currentIsa();
  prepacked packed = {NULL, NULL, 0, 0, 0, 0};
  if (m > 0 && n > 0 && k > 0) {
    if (a_cache && (batch <= 1 || sab == 0))
      packed.a = packedOperand(a_cache, s, 1, a, m, k, sam, sak);
    if (b_cache && !conv && (batch <= 1 || sbb == 0))
      packed.b = packedOperand(b_cache, s, 0, b, n, k, sbn, sbk);
  }
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  double work = (double)m * (double)n * (double)k;
  /* Small products are not worth waking the pool for. */
  if (work * (double)batch < 32768.0)
    threads = 1;
  if (batch > 1 && threads > 1 && (batch >= threads || work < 1 << 20)) {
    batch_job job = {s,          m,      n,   k,   a,   sab, sam, sak,
                     b,          sbb,    sbk, sbn, c,   scb, scm, scn,
                     accumulate, packed, ep,  sxb, syb, conv};
    dlc_parallel_for(0, batch, 1, batchJob, &job);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) {
    epilogue at;
    if (ep)
      at = epilogueAt(ep, i, sxb, syb);
    gemmOne(s, m, n, k, a + i * sab, sam, sak, b + i * sbb, sbk, sbn,
            c + i * scb, scm, scn, accumulate, work < 32768.0 ? 1 : threads,
            packed, ep ? &at : NULL, conv);
  }
}

void dlc_sgemm_cached(int64_t batch, int64_t m, int64_t n, int64_t k,
                      const float *a, int64_t a_offset, int64_t sab,
                      int64_t sam, int64_t sak, const float *b,
                      int64_t b_offset, int64_t sbb, int64_t sbk, int64_t sbn,
                      float *c, int64_t c_offset, int64_t scb, int64_t scm,
                      int64_t scn, int32_t accumulate, void **a_cache,
                      void **b_cache) {
  sgemm(batch, m, n, k, a + a_offset, sab, sam, sak, b + b_offset, sbb, sbk,
        sbn, c + c_offset, scb, scm, scn, accumulate, a_cache, b_cache, NULL, 0,
        0, NULL);
}

void dlc_sgemm_epilogue(int64_t batch, int64_t m, int64_t n, int64_t k,
                        const float *a, int64_t a_offset, int64_t sab,
                        int64_t sam, int64_t sak, const float *b,
                        int64_t b_offset, int64_t sbb, int64_t sbk, int64_t sbn,
                        float *c, int64_t c_offset, int64_t scb, int64_t scm,
                        int64_t scn, int32_t accumulate, void **a_cache,
                        void **b_cache, const float *x, int64_t x_offset,
                        int64_t sxb, int64_t sxm, int64_t sxn, const float *y,
                        int64_t y_offset, int64_t syb, int64_t sym, int64_t syn,
                        float lo, float hi) {
  epilogue ep =
      makeEpilogue(x, x_offset, sxm, sxn, y, y_offset, sym, syn, lo, hi);
  sgemm(batch, m, n, k, a + a_offset, sab, sam, sak, b + b_offset, sbb, sbk,
        sbn, c + c_offset, scb, scm, scn, accumulate, a_cache, b_cache, &ep,
        sxb, syb, NULL);
}

void dlc_sconv2d(int64_t batch, int64_t channels, int64_t h, int64_t w,
                 const float *x, int64_t x_offset, int64_t sxb, int64_t sxc,
                 int64_t sxh, int64_t sxw, int64_t m, int64_t kh, int64_t kw,
                 const float *f, int64_t f_offset, int64_t sfm,
                 int64_t stride_h, int64_t stride_w, int64_t dilation_h,
                 int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                 int64_t oh, int64_t ow, float *y, int64_t y_offset,
                 int64_t syb, int64_t sym, int64_t syn, int32_t accumulate,
                 void **f_cache, const float *a, int64_t a_offset, int64_t sab,
                 int64_t sam, int64_t san, const float *r, int64_t r_offset,
                 int64_t srb, int64_t srm, int64_t srn, float lo, float hi) {
  conv_source cv = {
      h,        w,          sxc,        sxh,     sxw,      kh, kw, stride_h,
      stride_w, dilation_h, dilation_w, pad_top, pad_left, ow, 0,  0};
  epilogue ep =
      makeEpilogue(a, a_offset, sam, san, r, r_offset, srm, srn, lo, hi);
  /* A: the filter as [m, channels * kh * kw] (dense inner dims); B: the
   * input through cv; C: [m, oh * ow]. */
  sgemm(batch, m, oh * ow, channels * kh * kw, f + f_offset, 0, sfm, 1,
        x + x_offset, sxb, 0, 0, y + y_offset, syb, sym, syn, accumulate,
        f_cache, NULL, &ep, sab, srb, &cv);
}

/*===--- the weight gradient of a convolution ---------------------------===*/

typedef struct wgrad_job {
  const isa *s;
  conv_source cv;
  int64_t batch, m, ck, pixels, chunks;
  const float *x, *g;
  int64_t sxb, sgb, sgc, sgw;
  float *const *out; /* per chunk, m x ck dense */
} wgrad_job;

/* Chunks [lo, hi) of the samples, each summed into its own output. */
static void wgradJob(void *ctx, int64_t lo, int64_t hi) {
  const wgrad_job *j = ctx;
  for (int64_t t = lo; t < hi; ++t) {
    int64_t first = t * j->batch / j->chunks;
    int64_t last = (t + 1) * j->batch / j->chunks;
    for (int64_t b = first; b < last; ++b)
      gemmOne(j->s, j->m, j->ck, j->pixels, j->g + b * j->sgb, j->sgc, j->sgw,
              j->x + b * j->sxb, 0, 0, j->out[t], j->ck, 1, b > first, 1,
              (prepacked){NULL, NULL, 0, 0, 0, 0}, NULL, &j->cv);
    if (first == last)
      memset(j->out[t], 0, sizeof(float) * (size_t)(j->m * j->ck));
  }
}

void dlc_sconv2d_wgrad(DLC_MEMREF4_PARAMS(x), DLC_MEMREF4_PARAMS(g),
                       DLC_MEMREF4_PARAMS(d), int64_t stride_h,
                       int64_t stride_w, int64_t dilation_h, int64_t dilation_w,
                       int64_t pad_top, int64_t pad_left) {
  (void)x_allocated, (void)g_allocated, (void)d_allocated, (void)g_n, (void)g_c,
      (void)d_c;
  int64_t m = d_n, kh = d_h, kw = d_w, ck = x_c * kh * kw;
  int64_t oh = g_h, ow = g_w;
  if (m <= 0 || ck <= 0)
    return;
  const float *gp = g + g_offset;
  int64_t sgc = g_sc, sgb = g_sn, sgw = g_sw;
  float *gCopy = NULL;
  if (g_sh != ow * g_sw) {
    /* The pixels of G's planes must be one stride apart: copy them so. */
    size_t floats = (size_t)(x_n * m * oh * ow);
    gCopy = malloc(sizeof(float) * (floats ? floats : 1));
    if (!gCopy) {
      dlc_internal_alloc_failed(sizeof(float) * floats);
      return;
    }
    for (int64_t b = 0; b < x_n; ++b)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t q = 0; q < ow; ++q)
            gCopy[((b * m + i) * oh + y) * ow + q] =
                gp[b * g_sn + i * g_sc + y * g_sh + q * g_sw];
    gp = gCopy;
    sgb = m * oh * ow;
    sgc = oh * ow;
    sgw = 1;
  }
  float *dp = d + d_offset;
  int dense = d_sw == 1 && d_sh == kw && d_sc == kh * kw;
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  int64_t chunks = threads < x_n ? threads : x_n;
  if (chunks < 1)
    chunks = 1;
  /* Chunk 0 sums into D itself where D is dense; the others (and chunk 0
   * otherwise) into scratch. */
  size_t each = (size_t)(m * ck);
  size_t scratchFloats = each * (size_t)(chunks - (dense ? 1 : 0));
  float *scratch = NULL;
  if (scratchFloats) {
    scratch = malloc(sizeof(float) * scratchFloats);
    if (!scratch) {
      free(gCopy);
      dlc_internal_alloc_failed(sizeof(float) * scratchFloats);
      return;
    }
  }
  float *outs[DLC_MAX_THREADS];
  for (int64_t t = 0; t < chunks; ++t)
    outs[t] = dense ? (t == 0 ? dp : scratch + each * (size_t)(t - 1))
                    : scratch + each * (size_t)t;
  wgrad_job job = {.s = currentIsa(),
                   .cv = {x_h, x_w, x_sc, x_sh, x_sw, kh, kw, stride_h,
                          stride_w, dilation_h, dilation_w, pad_top, pad_left,
                          ow, 0, 1},
                   .batch = x_n,
                   .m = m,
                   .ck = ck,
                   .pixels = oh * ow,
                   .chunks = chunks,
                   .x = x + x_offset,
                   .g = gp,
                   .sxb = x_sn,
                   .sgb = sgb,
                   .sgc = sgc,
                   .sgw = sgw,
                   .out = outs};
  if (chunks > 1)
    dlc_parallel_for(0, chunks, 1, wgradJob, &job);
  else
    wgradJob(&job, 0, 1);
  float *sum = outs[0];
  for (int64_t t = 1; t < chunks; ++t)
    for (size_t e = 0; e < each; ++e)
      sum[e] += outs[t][e];
  if (!dense)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t c = 0; c < x_c; ++c)
        for (int64_t p = 0; p < kh; ++p)
          for (int64_t q = 0; q < kw; ++q)
            dp[i * d_sn + c * d_sc + p * d_sh + q * d_sw] =
                sum[i * ck + (c * kh + p) * kw + q];
  free(scratch);
  free(gCopy);
}
