/*===- qpeak.c - the machine's int8 VNNI peak and dlc_qconv2d against it --===*
 *
 * Prints the single-thread int8 peak measured with independent zmm
 * vpdpbusd chains (64 multiply-adds each, counted as 128 ops), then
 * dlc_qconv2d's GOP/s on ResNet-18's conv layers (batch 1, 224 x 224
 * input) as a share of it, and their sum.
 *   qpeak [--json]
 * DLC_NUM_THREADS sets the threads dlc_qconv2d uses (the peak is per
 * thread). Needs AVX-512 VNNI; prints a line saying so and exits 0
 * without it.
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

/* 12 independent chains x 64 multiply-adds per iteration. */
__attribute__((target("avx512f,avx512vnni"), noinline)) static int
dotLoop(long iters) {
  __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0, c4 = c0,
          c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (long i = 0; i < iters; ++i) {
    c0 = _mm512_dpbusd_epi32(c0, a, b);
    c1 = _mm512_dpbusd_epi32(c1, a, b);
    c2 = _mm512_dpbusd_epi32(c2, a, b);
    c3 = _mm512_dpbusd_epi32(c3, a, b);
    c4 = _mm512_dpbusd_epi32(c4, a, b);
    c5 = _mm512_dpbusd_epi32(c5, a, b);
    c6 = _mm512_dpbusd_epi32(c6, a, b);
    c7 = _mm512_dpbusd_epi32(c7, a, b);
    c8 = _mm512_dpbusd_epi32(c8, a, b);
    c9 = _mm512_dpbusd_epi32(c9, a, b);
    c10 = _mm512_dpbusd_epi32(c10, a, b);
    c11 = _mm512_dpbusd_epi32(c11, a, b);
    /* Every chain opaque to the compiler, so none is merged. */
    __asm__ volatile(""
                     : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4),
                       "+v"(c5), "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9),
                       "+v"(c10), "+v"(c11));
  }
  __m512i s = _mm512_add_epi32(
      _mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
      _mm512_add_epi32(
          _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7)),
          _mm512_add_epi32(_mm512_add_epi32(c8, c9),
                           _mm512_add_epi32(c10, c11))));
  return _mm512_reduce_add_epi32(s);
}

static int cmpDouble(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median GOP/s of 7 runs of the dot-product loop. */
static double peak(void) {
  long iters = 10 * 1000 * 1000;
  double r[7];
  volatile int sink = 0;
  for (int t = 0; t < 7; ++t) {
    double t0 = now();
    sink += dotLoop(iters);
    r[t] = 12.0 * 128 * iters / (now() - t0) * 1e-9;
  }
  (void)sink;
  qsort(r, 7, sizeof(double), cmpDouble);
  return r[3];
}

typedef struct layer {
  const char *name;
  long c, h, m, k, s, pad, count; /* count: how many ResNet-18 has */
} layer;

static const layer layers[] = {
    {"conv1 7x7/2", 3, 224, 64, 7, 2, 3, 1},
    {"layer1 3x3", 64, 56, 64, 3, 1, 1, 4},
    {"layer2 3x3/2", 64, 56, 128, 3, 2, 1, 1},
    {"layer2 1x1/2", 64, 56, 128, 1, 2, 0, 1},
    {"layer2 3x3", 128, 28, 128, 3, 1, 1, 3},
    {"layer3 3x3/2", 128, 28, 256, 3, 2, 1, 1},
    {"layer3 1x1/2", 128, 28, 256, 1, 2, 0, 1},
    {"layer3 3x3", 256, 14, 256, 3, 1, 1, 3},
    {"layer4 3x3/2", 256, 14, 512, 3, 2, 1, 1},
    {"layer4 1x1/2", 256, 14, 512, 1, 2, 0, 1},
    {"layer4 3x3", 512, 7, 512, 3, 1, 1, 3},
};

/* Median seconds of one dlc_qconv2d call on the layer. */
static double timeLayer(const layer *l, double *macs) {
  long c = l->c, h = l->h, m = l->m, k = l->k;
  long oh = (h + 2 * l->pad - k) / l->s + 1;
  long k4 = (k * k * c + 3) / 4, quads = (m + 3) / 4;
  int8_t *x = malloc((size_t)(c * h * h)),
         *w = malloc((size_t)(quads * k4 * 16));
  int8_t *y = malloc((size_t)(m * oh * oh));
  int32_t *off = calloc((size_t)m, sizeof(int32_t));
  float *scale = malloc(sizeof(float) * (size_t)m);
  for (long i = 0; i < c * h * h; ++i)
    x[i] = (int8_t)(i * 7 % 251);
  for (long i = 0; i < quads * k4 * 16; ++i)
    w[i] = (int8_t)(i * 13 % 255 - 127);
  for (long i = 0; i < m; ++i)
    scale[i] = 1e-3f;
  int reps = (int)(0.05 / (2.0 * m * oh * oh * c * k * k / 3e11)) + 1;
  double r[9];
  for (int t = -1; t < 9; ++t) {
    double t0 = now();
    for (int q = 0; q < reps; ++q)
      dlc_qconv2d(x, x, 0, 1, c, h, h, c * h * h, h * h, h, 1, w, w, 0,
                  quads * k4 * 16, 1, off, off, 0, m, 1, scale, scale, 0, m, 1,
                  y, y, 0, 1, m, oh, oh, m * oh * oh, oh * oh, oh, 1, k, k,
                  l->s, l->s, 1, 1, l->pad, l->pad, 128, 0, 0, 255, 1);
    if (t >= 0)
      r[t] = (now() - t0) / reps;
  }
  qsort(r, 9, sizeof(double), cmpDouble);
  *macs = (double)m * oh * oh * c * k * k;
  free(x);
  free(w);
  free(y);
  free(off);
  free(scale);
  return r[4];
}

int main(int argc, char **argv) {
  int json = argc > 1 && strcmp(argv[1], "--json") == 0;
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512vnni") ||
      !__builtin_cpu_supports("avx512bw")) {
    printf(json ? "{\"peak_gops\": null}\n"
                : "this CPU has no AVX-512 VNNI: no int8 peak to measure\n");
    return 0;
  }
  double pk = peak();
  if (json)
    printf("{\"peak_gops\": %.1f, \"threads\": %d, \"layers\": [", pk,
           dlc_get_num_threads());
  else
    printf("single-thread int8 peak (zmm vpdpbusd, 12 independent chains): "
           "%.1f GOP/s\ndlc_qconv2d on ResNet-18's convs, %d thread(s):\n",
           pk, dlc_get_num_threads());
  double total = 0, totalMacs = 0;
  int n = (int)(sizeof layers / sizeof layers[0]);
  for (int i = 0; i < n; ++i) {
    double macs, t = timeLayer(&layers[i], &macs);
    double gops = 2 * macs / t * 1e-9;
    total += t * layers[i].count;
    totalMacs += macs * layers[i].count;
    if (json)
      printf("%s{\"layer\": \"%s\", \"count\": %ld, \"ms\": %.4f, \"gops\": "
             "%.1f, \"pct_peak\": %.1f}",
             i ? ", " : "", layers[i].name, layers[i].count, t * 1e3, gops,
             100 * gops / pk);
    else
      printf("  %-14s x%ld: %7.3f ms  %6.1f GOP/s = %5.1f%% of peak\n",
             layers[i].name, layers[i].count, t * 1e3, gops, 100 * gops / pk);
  }
  double gops = 2 * totalMacs / total * 1e-9;
  if (json)
    printf("], \"total_ms\": %.3f, \"total_gops\": %.1f, \"total_pct_peak\": "
           "%.1f}\n",
           total * 1e3, gops, 100 * gops / pk);
  else
    printf("  all convs: %.2f ms for %.3f GMAC, %.1f GOP/s = %.1f%% of peak\n",
           total * 1e3, totalMacs * 1e-9, gops, 100 * gops / pk);
  return 0;
}
