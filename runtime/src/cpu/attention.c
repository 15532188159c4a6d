/*===- attention.c - fused scaled dot-product attention -------------------===*
 *
 * dlc_attention computes softmax(scale * Q K^T + M) V per group (batch x
 * heads) in one pass over the keys per query row, as FlashAttention does
 * (Dao et al., 2022): keys are taken in blocks; per block the row's scores
 * are formed, its running maximum and sum are updated and the output row is
 * rescaled and accumulated, so no score matrix (queries x keys) ever
 * exists. Per group, K is first transposed into a D x keys scratch (thread
 * owned), so a block's scores are one FMA per (d, key) along the keys.
 * Threads take groups, or query rows where there are fewer groups.
 *
 *===----------------------------------------------------------------------===*/

#include "../internal.h"
#include "dlc/runtime.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

enum { KEY_BLOCK = 64, MAX_DIM = 1024 };

/* 2^n for integer n in [-75, 64]. */
static inline float pow2i(int n) {
  union {
    uint32_t u;
    float f;
  } a;
  a.u = (uint32_t)(n + 127) << 23;
  return a.f;
}

/* e^x in float within a few ulp, without libm (the runtime links only libc
 * and pthreads): x = n ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor
 * polynomial to r^7 (error below 2e-8 relative), times 2^n. */
static inline float expFloat(float x) {
  if (x != x)
    return x;
  if (x > 88.72284f)
    return INFINITY;
  if (x < -103.97208f)
    return 0.0f;
  float t = x * 1.44269504f;
  int n = (int)(t + (t >= 0 ? 0.5f : -0.5f));
  float r = x - (float)n * 0.693145752f - (float)n * 1.42860677e-6f;
  float p =
      1.0f +
      r * (1.0f +
           r * (0.5f + r * (1.0f / 6 +
                            r * (1.0f / 24 +
                                 r * (1.0f / 120 +
                                      r * (1.0f / 720 + r * (1.0f / 5040)))))));
  /* In two steps: 2^n alone may be subnormal or past the range. */
  return p * pow2i(n / 2) * pow2i(n - n / 2);
}

typedef struct attn_job {
  int64_t groups, queries, keys, dim, dimV;
  const float *q, *k, *v, *mask;
  int64_t sqg, sqi, sqd, skg, skj, skd, svg, svj, svd, smg, smi, smj;
  float *o;
  int64_t sog, soi, sod;
  float scale;
  int divide; /* Q / scale rather than Q * scale (as the model wrote it) */
  int64_t rowSplit; /* query rows per task (tasks = groups x ceil(q / it)) */
  /* Rank-4 operands (dlc_attention4): group g is (g / inner, g % inner) of
   * [batch, heads], the s*g strides the heads', these the batch's. */
  int64_t inner;
  int64_t sqb, skb, svb, smb, sob;
} attn_job;

/* The offset of group g along an operand's head stride sg and batch stride
 * sb. */
static inline int64_t groupAt(const attn_job *j, int64_t g, int64_t sg,
                              int64_t sb) {
  return (g / j->inner) * sb + (g % j->inner) * sg;
}

/* s[t] = e^(s[t] - mx) for t < nb (mx the block's running maximum, so every
 * exponent is <= 0 or NaN), as expFloat computes it but in loops the
 * compiler vectorizes: no branches, 2^n built from its bits. Exponents
 * below -87 (where 2^n would be subnormal) give 0: next to the maximum's
 * weight of 1, their e^x < 2^-125 is far below a float's resolution. */
static inline void expBlock(float *restrict s, int64_t nb, float mx) {
  int32_t bits[KEY_BLOCK];
  float poly[KEY_BLOCK];
  for (int64_t t = 0; t < nb; ++t) {
    float x = s[t] - mx;
    float xc = x < -87.0f ? -87.0f : x;
    /* A NaN x converts as 0 (its poly is NaN anyway): float-to-int of NaN
     * is undefined. */
    float h = xc != xc ? 0.0f : xc * 1.44269504f;
    int32_t n = (int32_t)(h - 0.5f); /* h <= 0: rounds to nearest */
    float r = xc - (float)n * 0.693145752f - (float)n * 1.42860677e-6f;
    poly[t] =
        1.0f +
        r * (1.0f +
             r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 +
                                              r * (1.0f / 120 +
                                                   r * (1.0f / 720 +
                                                        r * (1.0f / 5040)))))));
    bits[t] = (int32_t)((uint32_t)(n + 127) << 23);
  }
  for (int64_t t = 0; t < nb; ++t) {
    float scale;
    memcpy(&scale, &bits[t], sizeof(scale));
    float x = s[t] - mx;
    s[t] = x < -87.0f ? 0.0f : poly[t] * scale;
  }
}

/* Query row i of group g scaled as the model scales it, into qrow. */
static inline void scaledQuery(const attn_job *j, int64_t g, int64_t i,
                               float *qrow) {
  const float *qi = j->q + groupAt(j, g, j->sqg, j->sqb) + i * j->sqi;
  for (int64_t d = 0; d < j->dim; ++d)
    qrow[d] = j->divide ? qi[d * j->sqd] / j->scale : qi[d * j->sqd] * j->scale;
}

/* Query rows [i0, i1) of group g; kt is K's group transposed (dim x keys).
 * Compiled for AVX-512, AVX2 and plain x86-64, picked at load time. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#endif
static void attendRows(const attn_job *j, int64_t g, int64_t i0, int64_t i1,
                       const float *kt) {
  float s[KEY_BLOCK], acc[MAX_DIM], qrow[MAX_DIM];
  int64_t dim = j->dim, dimV = j->dimV, keys = j->keys;
  const float *vg = j->v + groupAt(j, g, j->svg, j->svb);
  for (int64_t i = i0; i < i1; ++i) {
    scaledQuery(j, g, i, qrow);
    const float *mi =
        j->mask ? j->mask + groupAt(j, g, j->smg, j->smb) + i * j->smi : NULL;
    float m = -INFINITY, l = 0.0f;
    for (int64_t d = 0; d < dimV; ++d)
      acc[d] = 0.0f;
    for (int64_t j0 = 0; j0 < keys; j0 += KEY_BLOCK) {
      int64_t nb = keys - j0 < KEY_BLOCK ? keys - j0 : KEY_BLOCK;
      for (int64_t t = 0; t < nb; ++t)
        s[t] = 0.0f;
      for (int64_t d = 0; d < dim; ++d) {
        const float *row = kt + d * keys + j0;
        float qd = qrow[d];
        for (int64_t t = 0; t < nb; ++t)
          s[t] += qd * row[t];
      }
      float bm = -INFINITY;
      for (int64_t t = 0; t < nb; ++t) {
        if (mi)
          s[t] += mi[(j0 + t) * j->smj];
        bm = s[t] > bm ? s[t] : bm;
      }
      /* A NaN score makes the row NaN (through corr and p), as softmax's
       * own lowering does; a NaN maximum stays. */
      int nan = 0;
      for (int64_t t = 0; t < nb; ++t)
        nan |= s[t] != s[t];
      float mNew = nan ? NAN : bm > m ? bm : m;
      if (mNew == -INFINITY)
        continue; /* every key so far masked out: nothing to add */
      float corr = expFloat(m - mNew); /* 0 on the first block (m = -inf) */
      l *= corr;
      for (int64_t d = 0; d < dimV; ++d)
        acc[d] *= corr;
      expBlock(s, nb, mNew);
      for (int64_t t = 0; t < nb; ++t) {
        float p = s[t];
        l += p;
        const float *vj = vg + (j0 + t) * j->svj;
        if (j->svd == 1)
          for (int64_t d = 0; d < dimV; ++d)
            acc[d] += p * vj[d];
        else
          for (int64_t d = 0; d < dimV; ++d)
            acc[d] += p * vj[d * j->svd];
      }
      m = mNew;
    }
    float *oi = j->o + groupAt(j, g, j->sog, j->sob) + i * j->soi;
    /* A row whose keys are all masked out has l = 0: 0 / 0 is NaN, as
     * softmax over -inf scores is. */
    for (int64_t d = 0; d < dimV; ++d)
      oi[d * j->sod] = acc[d] / l;
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLC_ATTN_X86 1
#include <immintrin.h>

/* e^x for 16 exponents x <= 0 (or NaN) as expBlock computes them: 0 below
 * -87, NaN kept. */
__attribute__((target("avx512f"), always_inline)) static inline __m512
exp512(__m512 x) {
  const __m512 lowest = _mm512_set1_ps(-87.0f);
  __m512 xc = _mm512_max_ps(lowest, x); /* a NaN x stays */
  __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145752f), xc);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.42860677e-6f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  __m512i bits = _mm512_slli_epi32(
      _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  __m512 e = _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
  return _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(x, lowest, _CMP_LT_OQ),
                            _mm512_setzero_ps());
}

/* attendRows on AVX-512 for value rows of VECS x 16 floats at most
 * (contiguous) and a mask (if any) contiguous along the keys: the scores of
 * a block, its weights and the output row stay in zmm registers (the
 * portable loops keep them in memory, where each update waits on the one
 * before). */
__attribute__((target("avx512f"), always_inline)) static inline void
attendRowsAvx512V(const attn_job *j, int64_t g, int64_t i0, int64_t i1,
                  const float *kt, const int vecs) {
  enum { BLOCK_VECS = KEY_BLOCK / 16 };
  float qrow[MAX_DIM];
  int64_t dim = j->dim, dimV = j->dimV, keys = j->keys;
  const float *vg = j->v + groupAt(j, g, j->svg, j->svb);
  __mmask16 lastV = (__mmask16)(0xFFFFu >> (16 * vecs - dimV));
  for (int64_t i = i0; i < i1; ++i) {
    scaledQuery(j, g, i, qrow);
    const float *mi =
        j->mask ? j->mask + groupAt(j, g, j->smg, j->smb) + i * j->smi : NULL;
    float m = -INFINITY, l = 0.0f;
    __m512 acc[4];
    for (int k = 0; k < vecs; ++k)
      acc[k] = _mm512_setzero_ps();
    for (int64_t j0 = 0; j0 < keys; j0 += KEY_BLOCK) {
      int64_t nb = keys - j0 < KEY_BLOCK ? keys - j0 : KEY_BLOCK;
      __m512 sv[BLOCK_VECS];
      __mmask16 in[BLOCK_VECS];
      __m512 vmax = _mm512_set1_ps(-INFINITY);
      __mmask16 nan = 0;
      for (int b = 0; b < BLOCK_VECS; ++b) {
        int64_t n = nb - 16 * b;
        n = n < 0 ? 0 : n > 16 ? 16 : n;
        in[b] = (__mmask16)(0xFFFFu >> (16 - n)) & (n ? 0xFFFFu : 0u);
        sv[b] = _mm512_setzero_ps();
      }
      for (int64_t d = 0; d < dim; ++d) {
        __m512 qd = _mm512_set1_ps(qrow[d]);
        const float *row = kt + d * keys + j0;
        for (int b = 0; b < BLOCK_VECS; ++b)
          sv[b] = _mm512_fmadd_ps(
              qd, _mm512_maskz_loadu_ps(in[b], row + 16 * b), sv[b]);
      }
      for (int b = 0; b < BLOCK_VECS; ++b) {
        if (mi)
          sv[b] = _mm512_add_ps(sv[b],
                                _mm512_maskz_loadu_ps(in[b], mi + j0 + 16 * b));
        nan |= _mm512_mask_cmp_ps_mask(in[b], sv[b], sv[b], _CMP_UNORD_Q);
        vmax = _mm512_mask_max_ps(vmax, in[b], vmax, sv[b]);
      }
      float bm = _mm512_reduce_max_ps(vmax);
      float mNew = nan ? NAN : bm > m ? bm : m;
      if (mNew == -INFINITY)
        continue;
      float corr = expFloat(m - mNew);
      l *= corr;
      __m512 vc = _mm512_set1_ps(corr);
      for (int k = 0; k < vecs; ++k)
        acc[k] = _mm512_mul_ps(acc[k], vc);
      __m512 vm = _mm512_set1_ps(mNew);
      float p[KEY_BLOCK];
      __m512 lsum = _mm512_setzero_ps();
      for (int b = 0; b < BLOCK_VECS; ++b) {
        __m512 e = _mm512_maskz_mov_ps(in[b], exp512(_mm512_sub_ps(sv[b], vm)));
        lsum = _mm512_add_ps(lsum, e);
        _mm512_storeu_ps(p + 16 * b, e);
      }
      l += _mm512_reduce_add_ps(lsum);
      for (int64_t t = 0; t < nb; ++t) {
        __m512 vp = _mm512_set1_ps(p[t]);
        const float *vj = vg + (j0 + t) * j->svj;
        for (int k = 0; k < vecs; ++k)
          acc[k] = _mm512_fmadd_ps(
              vp,
              _mm512_maskz_loadu_ps(k + 1 < vecs ? 0xFFFF : lastV, vj + 16 * k),
              acc[k]);
      }
      m = mNew;
    }
    float *oi = j->o + groupAt(j, g, j->sog, j->sob) + i * j->soi;
    __m512 vl = _mm512_set1_ps(l);
    for (int k = 0; k < vecs; ++k) {
      __m512 r = _mm512_div_ps(acc[k], vl);
      __mmask16 lanes = k + 1 < vecs ? 0xFFFF : lastV;
      if (j->sod == 1) {
        _mm512_mask_storeu_ps(oi + 16 * k, lanes, r);
      } else {
        float tmp[16];
        _mm512_storeu_ps(tmp, r);
        for (int64_t d = 16 * k; d < dimV && d < 16 * k + 16; ++d)
          oi[d * j->sod] = tmp[d - 16 * k];
      }
    }
  }
}

/* One copy per value width, so the output row's registers are fixed. */
__attribute__((target("avx512f"))) static void
attendRowsAvx512(const attn_job *j, int64_t g, int64_t i0, int64_t i1,
                 const float *kt) {
  switch ((j->dimV + 15) / 16) {
  case 1:
    attendRowsAvx512V(j, g, i0, i1, kt, 1);
    break;
  case 2:
    attendRowsAvx512V(j, g, i0, i1, kt, 2);
    break;
  case 3:
    attendRowsAvx512V(j, g, i0, i1, kt, 3);
    break;
  default:
    attendRowsAvx512V(j, g, i0, i1, kt, 4);
    break;
  }
}
#endif

static void attnJob(void *ctx, int64_t lo, int64_t hi) {
  const attn_job *j = ctx;
  int64_t perGroup = (j->queries + j->rowSplit - 1) / j->rowSplit;
  float *kt = dlc_internal_thread_scratch((size_t)(j->dim * j->keys));
  if (!kt)
    return;
  int64_t packed = -1;
  for (int64_t t = lo; t < hi; ++t) {
    int64_t g = t / perGroup, part = t % perGroup;
    if (g != packed) {
      const float *kg = j->k + groupAt(j, g, j->skg, j->skb);
      for (int64_t key = 0; key < j->keys; ++key)
        for (int64_t d = 0; d < j->dim; ++d)
          kt[d * j->keys + key] = kg[key * j->skj + d * j->skd];
      packed = g;
    }
    int64_t i0 = part * j->rowSplit;
    int64_t i1 = i0 + j->rowSplit < j->queries ? i0 + j->rowSplit : j->queries;
#ifdef DLC_ATTN_X86
    if (j->dimV <= 64 && j->svd == 1 && (!j->mask || j->smj == 1) &&
        strcmp(dlc_internal_gemm_isa(), "avx512") == 0) {
      attendRowsAvx512(j, g, i0, i1, kt);
      continue;
    }
#endif
    attendRows(j, g, i0, i1, kt);
  }
}

/* Runs a checked job: every group's rows, threaded when there is work. */
static void runAttention(attn_job *job) {
  int64_t groups = job->groups, queries = job->queries;
  if (groups <= 0 || queries <= 0 || job->dimV <= 0)
    return;
  if (job->dim > MAX_DIM || job->dimV > MAX_DIM) {
    /* dl-to-linalg only calls this for head sizes up to MAX_DIM. */
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t i = 0; i < queries; ++i)
        for (int64_t d = 0; d < job->dimV; ++d)
          job->o[groupAt(job, g, job->sog, job->sob) + i * job->soi +
                 d * job->sod] = NAN;
    return;
  }
  job->rowSplit = queries;
  int threads = dlc_internal_in_parallel_region() ? 1 : dlc_get_num_threads();
  double work =
      (double)groups * (double)queries * (double)job->keys * (double)job->dim;
  if (threads > 1 && work >= 65536.0) {
    /* Split each group's rows when there are fewer groups than 4 tasks per
     * thread. */
    int64_t parts = (4 * threads + groups - 1) / groups;
    if (parts > queries)
      parts = queries;
    job->rowSplit = (queries + parts - 1) / parts;
    int64_t tasks = groups * ((queries + job->rowSplit - 1) / job->rowSplit);
    dlc_parallel_for(0, tasks, 1, attnJob, job);
  } else {
    attnJob(job, 0, groups);
  }
}

/* Rank 3 is rank 4 with one batch. */
void dlc_attention(DLC_MEMREF3_PARAMS(q), DLC_MEMREF3_PARAMS(k),
                   DLC_MEMREF3_PARAMS(v), DLC_MEMREF3_PARAMS(m),
                   DLC_MEMREF3_PARAMS(o), float scale, int32_t divide,
                   int32_t has_mask) {
#define DLC_AS_RANK4(X)                                                        \
  X##_allocated, X, X##_offset, 1, X##_g, X##_i, X##_j, 0, X##_sg, X##_si,     \
      X##_sj
  dlc_attention4(DLC_AS_RANK4(q), DLC_AS_RANK4(k), DLC_AS_RANK4(v),
                 DLC_AS_RANK4(m), DLC_AS_RANK4(o), scale, divide, has_mask);
#undef DLC_AS_RANK4
}

void dlc_attention4(DLC_MEMREF4_PARAMS(q), DLC_MEMREF4_PARAMS(k),
                    DLC_MEMREF4_PARAMS(v), DLC_MEMREF4_PARAMS(m),
                    DLC_MEMREF4_PARAMS(o), float scale, int32_t divide,
                    int32_t has_mask) {
  (void)q_allocated, (void)k_allocated, (void)v_allocated, (void)m_allocated;
  (void)o_allocated;
  int64_t batch = q_n, heads = q_c, queries = q_h, keys = k_h, dim = q_w,
          dimV = v_w;
  if (k_n != batch || v_n != batch || o_n != batch || k_c != heads ||
      v_c != heads || o_c != heads || k_w != dim || v_h != keys ||
      o_h != queries || o_w != dimV ||
      (has_mask && ((m_n != 1 && m_n != batch) || (m_c != 1 && m_c != heads) ||
                    (m_h != 1 && m_h != queries) || m_w != keys))) {
    /* With dynamic dims the compiler could not check that the operands
     * agree: a mismatch is an error of the call, not a wild read. */
    dlc_entry_fail("attention: the shapes of its Q, K, V, mask and output "
                   "do not agree");
    return;
  }
  if (has_mask && m_n == 1)
    m_sn = 0;
  if (has_mask && m_c == 1)
    m_sc = 0;
  if (has_mask && m_h == 1)
    m_sh = 0;
  attn_job job = {.groups = batch * heads,
                  .queries = queries,
                  .keys = keys,
                  .dim = dim,
                  .dimV = dimV,
                  .q = q + q_offset,
                  .k = k + k_offset,
                  .v = v + v_offset,
                  .mask = has_mask ? m + m_offset : NULL,
                  .sqg = q_sc,
                  .sqi = q_sh,
                  .sqd = q_sw,
                  .skg = k_sc,
                  .skj = k_sh,
                  .skd = k_sw,
                  .svg = v_sc,
                  .svj = v_sh,
                  .svd = v_sw,
                  .smg = m_sc,
                  .smi = m_sh,
                  .smj = m_sw,
                  .o = o + o_offset,
                  .sog = o_sc,
                  .soi = o_sh,
                  .sod = o_sw,
                  .scale = scale,
                  .divide = divide != 0,
                  .inner = heads > 0 ? heads : 1,
                  .sqb = q_sn,
                  .skb = k_sn,
                  .svb = v_sn,
                  .smb = m_sn,
                  .sob = o_sn};
  runAttention(&job);
}
