/*===- peak.c - the machine's f32 FMA peak and dlc_sgemm against it ------===*
 *
 * Prints the single-thread FMA peak measured with independent zmm (or ymm)
 * FMA chains, then dlc_sgemm's GFLOP/s for square sizes as a share of it.
 *   peak [--json] [sizes...]    (default sizes 256 512 1024)
 * DLC_NUM_THREADS sets the threads dlc_sgemm uses (the peak is per thread).
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 199309L
#include "dlc/runtime.h"

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* 12 independent chains x 16 lanes x 2 flops per iteration. */
__attribute__((target("avx512f"), noinline)) static double
fmaLoop512(long iters) {
  __m512 a = _mm512_set1_ps(1.0000001f), b = _mm512_set1_ps(0.9999999f);
  __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
         c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (long i = 0; i < iters; ++i) {
    c0 = _mm512_fmadd_ps(a, c0, b);
    c1 = _mm512_fmadd_ps(a, c1, b);
    c2 = _mm512_fmadd_ps(a, c2, b);
    c3 = _mm512_fmadd_ps(a, c3, b);
    c4 = _mm512_fmadd_ps(a, c4, b);
    c5 = _mm512_fmadd_ps(a, c5, b);
    c6 = _mm512_fmadd_ps(a, c6, b);
    c7 = _mm512_fmadd_ps(a, c7, b);
    c8 = _mm512_fmadd_ps(a, c8, b);
    c9 = _mm512_fmadd_ps(a, c9, b);
    c10 = _mm512_fmadd_ps(a, c10, b);
    c11 = _mm512_fmadd_ps(a, c11, b);
    /* Every chain is opaque to the compiler: the 12 chains compute the
     * same values, and a chain left out here is merged with another. */
    __asm__ volatile(""
                     : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4),
                       "+v"(c5), "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9),
                       "+v"(c10), "+v"(c11));
  }
  __m512 s = _mm512_add_ps(
      _mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
      _mm512_add_ps(
          _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)),
          _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11))));
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"), noinline)) static double
fmaLoop256(long iters) {
  __m256 a = _mm256_set1_ps(1.0000001f), b = _mm256_set1_ps(0.9999999f);
  __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
         c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (long i = 0; i < iters; ++i) {
    c0 = _mm256_fmadd_ps(a, c0, b);
    c1 = _mm256_fmadd_ps(a, c1, b);
    c2 = _mm256_fmadd_ps(a, c2, b);
    c3 = _mm256_fmadd_ps(a, c3, b);
    c4 = _mm256_fmadd_ps(a, c4, b);
    c5 = _mm256_fmadd_ps(a, c5, b);
    c6 = _mm256_fmadd_ps(a, c6, b);
    c7 = _mm256_fmadd_ps(a, c7, b);
    c8 = _mm256_fmadd_ps(a, c8, b);
    c9 = _mm256_fmadd_ps(a, c9, b);
    c10 = _mm256_fmadd_ps(a, c10, b);
    c11 = _mm256_fmadd_ps(a, c11, b);
    /* Every chain is opaque to the compiler: the 12 chains compute the
     * same values, and a chain left out here is merged with another. */
    __asm__ volatile(""
                     : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4),
                       "+v"(c5), "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9),
                       "+v"(c10), "+v"(c11));
  }
  float out[8];
  _mm256_storeu_ps(
      out,
      _mm256_add_ps(
          _mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
          _mm256_add_ps(
              _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)),
              _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)))));
  return out[0];
}

static int cmpDouble(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median GFLOP/s of 7 runs of the FMA loop. */
static double peak(int avx512) {
  long iters = 20 * 1000 * 1000;
  double flopsPerIter = 12.0 * (avx512 ? 16 : 8) * 2;
  double r[7];
  volatile double sink = 0;
  for (int t = 0; t < 7; ++t) {
    double t0 = now();
    sink += avx512 ? fmaLoop512(iters) : fmaLoop256(iters);
    r[t] = flopsPerIter * iters / (now() - t0) * 1e-9;
  }
  (void)sink;
  qsort(r, 7, sizeof(double), cmpDouble);
  return r[3];
}

int main(int argc, char **argv) {
  int json = 0;
  long sizes[16];
  int nSizes = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (nSizes < 16)
      sizes[nSizes++] = atol(argv[i]);
  }
  if (!nSizes) {
    sizes[0] = 256;
    sizes[1] = 512;
    sizes[2] = 1024;
    nSizes = 3;
  }
  __builtin_cpu_init();
  int avx512 = __builtin_cpu_supports("avx512f");
  double pk = peak(avx512);
  if (json)
    printf(
        "{\"peak_gflops\": %.1f, \"isa\": \"%s\", \"threads\": %d, \"gemm\": [",
        pk, avx512 ? "avx512" : "avx2", dlc_get_num_threads());
  else
    printf("single-thread FMA peak (%s, 12 independent chains): %.1f GFLOP/s\n"
           "dlc_sgemm, %d thread(s):\n",
           avx512 ? "zmm" : "ymm", pk, dlc_get_num_threads());
  for (int s = 0; s < nSizes; ++s) {
    long n = sizes[s];
    float *a = malloc(sizeof(float) * n * n),
          *b = malloc(sizeof(float) * n * n),
          *c = malloc(sizeof(float) * n * n);
    for (long i = 0; i < n * n; ++i) {
      a[i] = (float)((i * 7 % 13) - 6) / 8;
      b[i] = (float)((i * 5 % 11) - 5) / 8;
    }
    /* Check a few entries against a direct sum. */
    dlc_sgemm(1, n, n, n, a, 0, 0, n, 1, b, 0, 0, n, 1, c, 0, 0, n, 1, 0);
    double maxErr = 0;
    for (long t = 0; t < 64; ++t) {
      long i = (t * 37) % n, j = (t * 91) % n;
      double ref = 0;
      for (long k = 0; k < n; ++k)
        ref += (double)a[i * n + k] * b[k * n + j];
      double e = ref - c[i * n + j];
      if (e < 0)
        e = -e;
      if (e > maxErr)
        maxErr = e;
    }
    int reps = (int)(2e9 / (2.0 * n * n * n)) + 1;
    if (reps > 200)
      reps = 200;
    double r[9];
    for (int t = 0; t < 9; ++t) {
      double t0 = now();
      for (int q = 0; q < reps; ++q)
        dlc_sgemm(1, n, n, n, a, 0, 0, n, 1, b, 0, 0, n, 1, c, 0, 0, n, 1, 0);
      r[t] = 2.0 * n * n * n * reps / (now() - t0) * 1e-9;
    }
    qsort(r, 9, sizeof(double), cmpDouble);
    if (json)
      printf("%s{\"n\": %ld, \"gflops\": %.1f, \"pct_peak\": %.1f, "
             "\"max_abs_err\": %.2e}",
             s ? ", " : "", n, r[4], 100 * r[4] / pk, maxErr);
    else
      printf("  %4ld^3: %6.1f GFLOP/s = %5.1f%% of one core's peak (max abs "
             "err %.1e)\n",
             n, r[4], 100 * r[4] / pk, maxErr);
    free(a);
    free(b);
    free(c);
  }
  if (json)
    printf("]}\n");
  return 0;
}
