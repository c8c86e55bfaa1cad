/* Fused causal self-attention over GPT-2's packed qkv (B·T, 3C): forward y = softmax(QKᵀ/√hs,
 * causal) V with heads merged into (B·T, C), and backward dqkv from dy. One (batch, head) pair
 * per task on the kernel threads; heads are read with strides straight out of qkv, the masked
 * upper triangle is skipped, and backward recomputes P row by row (no B·H·T² buffer is kept). */
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

/* out[d·T + j] = src[j·ld + d]: one head's keys (or values) transposed into contiguous rows. */
static inline void pack_transposed(const float *restrict src, size_t ld, float *restrict out,
                                   size_t steps, size_t head_size) {
  for (size_t j = 0; j < steps; j++) {
    for (size_t d = 0; d < head_size; d++) out[d * steps + j] = src[j * ld + d];
  }
}

/* s[j] = scale · Σ_d a[d]·bt[d·T + j] for j < n; four d at a time to cut traffic on s. */
static inline void row_dots(const float *restrict a, const float *restrict bt, size_t steps,
                            size_t head_size, size_t n, float scale, float *restrict s) {
  for (size_t j = 0; j < n; j++) s[j] = 0.0f;
  size_t d = 0;
  for (; d + 4 <= head_size; d += 4) {
    const float a0 = a[d] * scale, a1 = a[d + 1] * scale, a2 = a[d + 2] * scale,
                a3 = a[d + 3] * scale;
    const float *restrict b0 = bt + d * steps, *restrict b1 = b0 + steps,
                          *restrict b2 = b1 + steps, *restrict b3 = b2 + steps;
    for (size_t j = 0; j < n; j++) s[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
  }
  for (; d < head_size; d++) {
    const float a0 = a[d] * scale;
    const float *restrict b0 = bt + d * steps;
    for (size_t j = 0; j < n; j++) s[j] += a0 * b0[j];
  }
}

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

/* acc[d] = Σ_{j<n} w[j]·rows[j·ld + d]. */
static inline void weighted_rows(const float *restrict w, const float *restrict rows, size_t ld,
                                 size_t n, size_t head_size, float *restrict acc) {
  for (size_t d = 0; d < head_size; d++) acc[d] = 0.0f;
  for (size_t j = 0; j < n; j++) {
    const float wj = w[j];
    const float *restrict row = rows + j * ld;
    for (size_t d = 0; d < head_size; d++) acc[d] += wj * row[d];
  }
}

LMKIT_DISPATCH static void forward_head(const attention_job *job, size_t b, size_t h,
                                        float *scratch) {
  const size_t T = job->steps, hs = job->head_size, C = job->width, ld = 3 * C;
  const float *q = job->qkv + b * T * ld + h * hs, *k = q + C, *v = q + 2 * C;
  float *y = job->out + b * T * C + h * hs;
  float *kt = scratch, *s = kt + hs * T, *acc = s + T;
  pack_transposed(k, ld, kt, T, hs);
  for (size_t i = 0; i < T; i++) {
    const size_t n = i + 1; /* keys 0..i are visible from query i */
    row_dots(q + i * ld, kt, T, hs, n, job->scale, s);
    softmax_row(s, n);
    weighted_rows(s, v, ld, n, hs, acc);
    memcpy(y + i * C, acc, hs * sizeof(float));
  }
}

LMKIT_DISPATCH static void backward_head(const attention_job *job, size_t b, size_t h,
                                         float *scratch) {
  const size_t T = job->steps, hs = job->head_size, C = job->width, ld = 3 * C;
  const float *q = job->qkv + b * T * ld + h * hs, *k = q + C, *v = q + 2 * C;
  const float *dout = job->dy + b * T * C + h * hs;
  float *dq = job->out + b * T * ld + h * hs, *dk = dq + C, *dv = dq + 2 * C;
  float *kt = scratch, *vt = kt + hs * T, *p = vt + hs * T, *ds = p + T, *acc = ds + T;
  const float scale = job->scale;
  pack_transposed(k, ld, kt, T, hs);
  pack_transposed(v, ld, vt, T, hs);
  for (size_t j = 0; j < T; j++) {
    memset(dk + j * ld, 0, hs * sizeof(float));
    memset(dv + j * ld, 0, hs * sizeof(float));
  }
  for (size_t i = 0; i < T; i++) {
    const size_t n = i + 1;
    const float *qi = q + i * ld, *doi = dout + i * C;
    row_dots(qi, kt, T, hs, n, scale, p); /* recompute P's row i */
    softmax_row(p, n);
    row_dots(doi, vt, T, hs, n, 1.0f, ds); /* dP row i = dO_i Vᵀ */
    const float centre = dot(p, ds, n);
    for (size_t j = 0; j < n; j++) ds[j] = p[j] * (ds[j] - centre) * scale;
    weighted_rows(ds, k, ld, n, hs, acc); /* dQ_i = dS_i K */
    memcpy(dq + i * ld, acc, hs * sizeof(float));
    for (size_t j = 0; j < n; j++) {
      const float dsj = ds[j], pj = p[j];
      float *restrict dkj = dk + j * ld, *restrict dvj = dv + j * ld;
      for (size_t d = 0; d < hs; d++) {
        dkj[d] += dsj * qi[d]; /* dK += dSᵀ Q */
        dvj[d] += pj * doi[d]; /* dV += Pᵀ dO */
      }
    }
  }
}

static void forward_range(void *ctx, size_t begin, size_t end) {
  attention_job *job = ctx;
  const size_t T = job->steps, hs = job->head_size;
  float *scratch = malloc((hs * T + T + hs) * sizeof(float));
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
  const size_t T = job->steps, hs = job->head_size;
  float *scratch = malloc((2 * hs * T + 2 * T + hs) * sizeof(float));
  if (!scratch) {
    job->failed = 1;
    return;
  }
  for (size_t task = begin; task < end; task++) {
    backward_head(job, task / job->heads, task % job->heads, scratch);
  }
  free(scratch);
}

/* Reads (batch, steps, nHead) and checks the packed shapes; returns 0 with an exception pending. */
static int read_shape(napi_env env, napi_value *argv, size_t qkv_len, attention_job *job,
                      size_t *batch) {
  int64_t b, t, h;
  if (!lmkit_get_int(env, argv[0], &b, "batch") || !lmkit_get_int(env, argv[1], &t, "steps") ||
      !lmkit_get_int(env, argv[2], &h, "nHead")) {
    return 0;
  }
  char message[256];
  if (b < 1 || t < 1 || h < 1 || qkv_len % (size_t)(b * t * 3 * h) != 0) {
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
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *qkv, *y;
  size_t qkv_len, y_len, batch;
  attention_job job = {0};
  if (argc != 5 || !lmkit_get_f32(env, argv[3], &qkv, &qkv_len, "qkv") ||
      !lmkit_get_f32(env, argv[4], &y, &y_len, "y") ||
      !read_shape(env, argv, qkv_len, &job, &batch)) {
    return NULL;
  }
  if (y_len != qkv_len / 3) LMKIT_THROW(env, "causalAttention: y must hold (B·T, C) floats");
  job.qkv = qkv;
  job.out = y;
  lmkit_parallel_for(batch * job.heads, 1, forward_range, &job);
  if (job.failed) LMKIT_THROW(env, "causalAttention: out of memory for the per-thread scratch");
  return NULL;
}

/* causalAttentionGrad(batch, steps, nHead, qkv, dy, dqkv) */
static napi_value causal_attention_grad(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *qkv, *dy, *dqkv;
  size_t qkv_len, dy_len, dqkv_len, batch;
  attention_job job = {0};
  if (argc != 6 || !lmkit_get_f32(env, argv[3], &qkv, &qkv_len, "qkv") ||
      !lmkit_get_f32(env, argv[4], &dy, &dy_len, "dy") ||
      !lmkit_get_f32(env, argv[5], &dqkv, &dqkv_len, "dqkv") ||
      !read_shape(env, argv, qkv_len, &job, &batch)) {
    return NULL;
  }
  if (dy_len != qkv_len / 3 || dqkv_len != qkv_len) {
    LMKIT_THROW(env, "causalAttentionGrad: dy must hold (B·T, C) floats and dqkv (B·T, 3C)");
  }
  job.qkv = qkv;
  job.dy = dy;
  job.out = dqkv;
  lmkit_parallel_for(batch * job.heads, 1, backward_range, &job);
  if (job.failed) LMKIT_THROW(env, "causalAttentionGrad: out of memory for the per-thread scratch");
  return NULL;
}

void lmkit_register_attention(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "causalAttention", causal_attention);
  lmkit_define(env, exports, "causalAttentionGrad", causal_attention_grad);
}
