/* Fused causal self-attention over GPT-2's packed qkv (B·T, 3C): forward y = softmax(QKᵀ/√hs,
 * causal) V with heads merged into (B·T, C), and backward dqkv from dy. One (batch, head) pair
 * per task on the kernel threads, each running single-threaded OpenBLAS products on blocks of 64
 * query rows read with strides straight out of qkv; key blocks above the diagonal are skipped, and
 * backward recomputes P block by block (no B·H·T² buffer is kept between the passes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "fastmath.h"
#include "simd.h"

typedef struct {
  const float *qkv, *dy;
  float *out; /* forward: y (B·T, C); backward: dqkv (B·T, 3C) */
  size_t steps, heads, head_size, width;
  float scale;
  volatile int failed; /* a worker could not allocate its scratch */
} attention_job;

/* Softmax of s[0..n) in place (row max subtracted). */
static inline void softmax_row(float *restrict s, size_t n) {
  float best[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY,
                   -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (int l = 0; l < 8; l++) best[l] = s[j + l] > best[l] ? s[j + l] : best[l];
  }
  float m = best[0];
  for (int l = 1; l < 8; l++) m = best[l] > m ? best[l] : m;
  for (; j < n; j++) m = s[j] > m ? s[j] : m;
  for (j = 0; j < n; j++) s[j] = exp_approx(s[j] - m);
  float acc[8] = {0};
  for (j = 0; j + 8 <= n; j += 8) {
    for (int l = 0; l < 8; l++) acc[l] += s[j + l];
  }
  float sum = 0.0f;
  for (int l = 0; l < 8; l++) sum += acc[l];
  for (; j < n; j++) sum += s[j];
  const float inv = 1.0f / sum;
  for (j = 0; j < n; j++) s[j] *= inv;
}

/* Σ_j a[j]·b[j] with eight partial sums (so it vectorises without reassociation). */
static inline float dot(const float *restrict a, const float *restrict b, size_t n) {
  float acc[8] = {0};
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (int l = 0; l < 8; l++) acc[l] += a[j + l] * b[j + l];
  }
  float sum = 0.0f;
  for (int l = 0; l < 8; l++) sum += acc[l];
  for (; j < n; j++) sum += a[j] * b[j];
  return sum;
}

enum { BLOCK_ROWS = 64 }; /* query rows per block of sgemm calls */

static void sgemm(int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *a,
                  size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc) {
  cblas_sgemm(LMKIT_CBLAS_ROW_MAJOR, ta ? LMKIT_CBLAS_TRANS : LMKIT_CBLAS_NO_TRANS,
              tb ? LMKIT_CBLAS_TRANS : LMKIT_CBLAS_NO_TRANS, (int)m, (int)n, (int)k, alpha, a,
              (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

/* Rows i0..i0+m of P (keys 0..i0+m, ld = keys): causal softmax of the scaled scores in place,
 * masked entries set to zero. */
LMKIT_DISPATCH static void softmax_block(float *p, size_t i0, size_t m, size_t keys) {
  for (size_t r = 0; r < m; r++) {
    float *row = p + r * keys;
    const size_t n = i0 + r + 1;
    softmax_row(row, n);
    for (size_t j = n; j < keys; j++) row[j] = 0.0f;
  }
}

/* One head: per block of query rows, S = Q Kᵀ/√hs over the keys up to the block's last row
 * (single-threaded OpenBLAS; the blocks above the diagonal are skipped), softmax, O = P V. */
LMKIT_DISPATCH static void forward_head(const attention_job *job, size_t b, size_t h,
                                        float *scratch) {
  const size_t T = job->steps, hs = job->head_size, C = job->width, ld = 3 * C;
  const float *q = job->qkv + b * T * ld + h * hs, *k = q + C, *v = q + 2 * C;
  float *y = job->out + b * T * C + h * hs;
  for (size_t i0 = 0; i0 < T; i0 += BLOCK_ROWS) {
    const size_t m = T - i0 < BLOCK_ROWS ? T - i0 : BLOCK_ROWS, keys = i0 + m;
    sgemm(0, 1, m, keys, hs, job->scale, q + i0 * ld, ld, k, ld, 0.0f, scratch, keys);
    softmax_block(scratch, i0, m, keys);
    sgemm(0, 0, m, hs, keys, 1.0f, scratch, keys, v, ld, 0.0f, y + i0 * C, C);
  }
}

/* One head backward, per block of query rows: P recomputed as in forward, dP = dO Vᵀ,
 * dS = P ∘ (dP − rowsum(dP ∘ P)) / √hs, dQ = dS K, dK += dSᵀ Q, dV += Pᵀ dO. */
LMKIT_DISPATCH static void backward_head(const attention_job *job, size_t b, size_t h,
                                         float *scratch) {
  const size_t T = job->steps, hs = job->head_size, C = job->width, ld = 3 * C;
  const float *q = job->qkv + b * T * ld + h * hs, *k = q + C, *v = q + 2 * C;
  const float *dout = job->dy + b * T * C + h * hs;
  float *dq = job->out + b * T * ld + h * hs, *dk = dq + C, *dv = dq + 2 * C;
  float *p = scratch, *ds = scratch + BLOCK_ROWS * T;
  for (size_t j = 0; j < T; j++) {
    memset(dk + j * ld, 0, hs * sizeof(float));
    memset(dv + j * ld, 0, hs * sizeof(float));
  }
  for (size_t i0 = 0; i0 < T; i0 += BLOCK_ROWS) {
    const size_t m = T - i0 < BLOCK_ROWS ? T - i0 : BLOCK_ROWS, keys = i0 + m;
    sgemm(0, 1, m, keys, hs, job->scale, q + i0 * ld, ld, k, ld, 0.0f, p, keys);
    softmax_block(p, i0, m, keys);
    sgemm(0, 1, m, keys, hs, 1.0f, dout + i0 * C, C, v, ld, 0.0f, ds, keys); /* dP */
    for (size_t r = 0; r < m; r++) {
      float *pr = p + r * keys, *dr = ds + r * keys;
      const size_t n = i0 + r + 1;
      const float centre = dot(pr, dr, n);
      for (size_t j = 0; j < n; j++) dr[j] = pr[j] * (dr[j] - centre) * job->scale;
      for (size_t j = n; j < keys; j++) dr[j] = 0.0f;
    }
    sgemm(0, 0, m, hs, keys, 1.0f, ds, keys, k, ld, 0.0f, dq + i0 * ld, ld); /* dQ */
    sgemm(1, 0, keys, hs, m, 1.0f, ds, keys, q + i0 * ld, ld, 1.0f, dk, ld); /* dK */
    sgemm(1, 0, keys, hs, m, 1.0f, p, keys, dout + i0 * C, C, 1.0f, dv, ld); /* dV */
  }
}

static void forward_range(void *ctx, size_t begin, size_t end) {
  attention_job *job = ctx;
  float *scratch = malloc(BLOCK_ROWS * job->steps * sizeof(float));
  if (!scratch) {
    job->failed = 1;
    return;
  }
  for (size_t task = begin; task < end; task++) {
    forward_head(job, task / job->heads, task % job->heads, scratch);
  }
  free(scratch);
}

static void backward_range(void *ctx, size_t begin, size_t end) {
  attention_job *job = ctx;
  float *scratch = malloc(2 * BLOCK_ROWS * job->steps * sizeof(float));
  if (!scratch) {
    job->failed = 1;
    return;
  }
  for (size_t task = begin; task < end; task++) {
    backward_head(job, task / job->heads, task % job->heads, scratch);
  }
  free(scratch);
}

/* Checks (batch, steps, nHead) against the packed qkv; returns 0 with an exception pending. */
static int read_shape(napi_env env, int64_t b, int64_t t, int64_t h, size_t qkv_len,
                      attention_job *job, size_t *batch) {
  char message[256];
  if (b < 1 || t < 1 || h < 1 || qkv_len == 0 || qkv_len % (size_t)(b * t * 3 * h) != 0) {
    snprintf(message, sizeof message,
             "causalAttention: qkv of %zu floats is not batch %lld × steps %lld × 3 × nHead %lld "
             "× head size; pass the (B·T, 3C) output of c_attn with C divisible by nHead",
             qkv_len, (long long)b, (long long)t, (long long)h);
    napi_throw_range_error(env, "ERR_LMKIT_NATIVE", message);
    return 0;
  }
  *batch = (size_t)b;
  job->steps = (size_t)t;
  job->heads = (size_t)h;
  job->width = qkv_len / (size_t)(b * t * 3);
  job->head_size = job->width / job->heads;
  job->scale = 1.0f / sqrtf((float)job->head_size);
  job->failed = 0;
  return 1;
}

/* causalAttention(batch, steps, nHead, qkv, y) */
static napi_value causal_attention(napi_env env, napi_callback_info info) {
  int64_t b, t, h;
  float *qkv, *y;
  size_t qkv_len, y_len, batch;
  attention_job job = {0};
  if (!LMKIT_ARGS(env, info, "causalAttention", lmkit_int("batch", &b), lmkit_int("steps", &t),
                  lmkit_int("nHead", &h), lmkit_f32("qkv", &qkv, &qkv_len),
                  lmkit_f32("y", &y, &y_len)) ||
      !read_shape(env, b, t, h, qkv_len, &job, &batch)) {
    return NULL;
  }
  if (y_len != qkv_len / 3) LMKIT_THROW(env, "causalAttention: y must hold (B·T, C) floats");
  job.qkv = qkv;
  job.out = y;
  const int blas_threads = openblas_get_num_threads();
  if (blas_threads != 1) openblas_set_num_threads(1); /* one sgemm per worker, no nesting */
  lmkit_parallel_for(batch * job.heads, 1, forward_range, &job);
  if (blas_threads != 1) openblas_set_num_threads(blas_threads);
  if (job.failed) LMKIT_THROW(env, "causalAttention: out of memory for the per-thread scratch");
  return NULL;
}

/* causalAttentionGrad(batch, steps, nHead, qkv, dy, dqkv) */
static napi_value causal_attention_grad(napi_env env, napi_callback_info info) {
  int64_t b, t, h;
  float *qkv, *dy, *dqkv;
  size_t qkv_len, dy_len, dqkv_len, batch;
  attention_job job = {0};
  if (!LMKIT_ARGS(env, info, "causalAttentionGrad", lmkit_int("batch", &b), lmkit_int("steps", &t),
                  lmkit_int("nHead", &h), lmkit_f32("qkv", &qkv, &qkv_len),
                  lmkit_f32("dy", &dy, &dy_len), lmkit_f32("dqkv", &dqkv, &dqkv_len)) ||
      !read_shape(env, b, t, h, qkv_len, &job, &batch)) {
    return NULL;
  }
  if (dy_len != qkv_len / 3 || dqkv_len != qkv_len) {
    LMKIT_THROW(env, "causalAttentionGrad: dy must hold (B·T, C) floats and dqkv (B·T, 3C)");
  }
  job.qkv = qkv;
  job.dy = dy;
  job.out = dqkv;
  const int blas_threads = openblas_get_num_threads();
  if (blas_threads != 1) openblas_set_num_threads(1);
  lmkit_parallel_for(batch * job.heads, 1, backward_range, &job);
  if (blas_threads != 1) openblas_set_num_threads(blas_threads);
  if (job.failed) LMKIT_THROW(env, "causalAttentionGrad: out of memory for the per-thread scratch");
  return NULL;
}

void lmkit_register_attention(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "causalAttention", causal_attention);
  lmkit_define(env, exports, "causalAttentionGrad", causal_attention_grad);
}
