/* Softmax cross-entropy fused into two kernels. Forward: per row the log-sum-exp (max, then a sum
 * of exps) and the weighted loss Σ w·(lse − z[target]). Backward: one pass writing
 * dz = (exp(z − lse) − onehot(target)) · w · dy. Rows are split across the kernel threads. */
#include <stdio.h>
#include <stdlib.h>
#include "common.h"
#include "fastmath.h"
#include "simd.h"

typedef struct {
  const float *logits, *weights, *lse;
  const int32_t *targets;
  float *out;      /* forward: lse per row; backward: dz */
  double *row_loss; /* forward only */
  size_t vocab;
  float scale;     /* backward: dy */
} ce_job;

LMKIT_DISPATCH static float row_max(const float *z, size_t n) {
  float acc[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) acc[j] = z[i + j] > acc[j] ? z[i + j] : acc[j];
  }
  float m = acc[0];
  for (int j = 1; j < 8; j++) m = acc[j] > m ? acc[j] : m;
  for (; i < n; i++) m = z[i] > m ? z[i] : m;
  return m;
}

/* Σ exp(z − shift). The exps go through a small buffer first: a float reduction with the exp
 * inside the loop stays scalar (no reassociation without -ffast-math); this form runs about 10×
 * faster. */
LMKIT_DISPATCH static float row_sum_exp(const float *z, size_t n, float shift) {
  float buf[256], acc[16] = {0}, s = 0.0f;
  for (size_t i = 0; i < n; i += 256) {
    const size_t len = n - i < 256 ? n - i : 256;
    for (size_t k = 0; k < len; k++) buf[k] = exp_approx(z[i + k] - shift);
    size_t k = 0;
    for (; k + 16 <= len; k += 16) {
      for (int j = 0; j < 16; j++) acc[j] += buf[k + j];
    }
    for (; k < len; k++) s += buf[k];
  }
  for (int j = 0; j < 16; j++) s += acc[j];
  return s;
}

LMKIT_DISPATCH static void row_grad(const float *z, float *dz, size_t n, float lse, float scale) {
  for (size_t i = 0; i < n; i++) dz[i] = exp_approx(z[i] - lse) * scale;
}

static void forward_rows(void *ctx, size_t begin, size_t end) {
  ce_job *job = ctx;
  for (size_t r = begin; r < end; r++) {
    const float *z = job->logits + r * job->vocab;
    const float m = row_max(z, job->vocab);
    const float lse = m + logf(row_sum_exp(z, job->vocab, m));
    job->out[r] = lse;
    job->row_loss[r] = (double)job->weights[r] * ((double)lse - (double)z[job->targets[r]]);
  }
}

static void backward_rows(void *ctx, size_t begin, size_t end) {
  ce_job *job = ctx;
  for (size_t r = begin; r < end; r++) {
    const float w = job->weights[r] * job->scale;
    const float *z = job->logits + r * job->vocab;
    float *dz = job->out + r * job->vocab;
    row_grad(z, dz, job->vocab, job->lse[r], w);
    dz[job->targets[r]] -= w;
  }
}

/* Checks shapes and target ids; returns the row count, or 0 with a JS error pending. */
static size_t check(napi_env env, const char *fn, size_t logits_len, size_t vocab,
                    const int32_t *targets, size_t targets_len, size_t weights_len) {
  char message[200];
  if (vocab == 0 || logits_len % vocab != 0 || logits_len / vocab != targets_len ||
      weights_len != targets_len || targets_len == 0) {
    snprintf(message, sizeof message,
             "%s: logits (%zu values) must be (N, vocab %zu) with N = targets (%zu) = weights (%zu) > 0",
             fn, logits_len, vocab, targets_len, weights_len);
    napi_throw_range_error(env, "ERR_LMKIT_NATIVE", message);
    return 0;
  }
  for (size_t r = 0; r < targets_len; r++) {
    if (targets[r] < 0 || (size_t)targets[r] >= vocab) {
      snprintf(message, sizeof message,
               "%s: target %d at row %zu is outside [0, %zu); targets must be token ids below the vocabulary size",
               fn, targets[r], r, vocab);
      napi_throw_range_error(env, "ERR_LMKIT_NATIVE", message);
      return 0;
    }
  }
  return targets_len;
}

/* crossEntropy(logits, targets, weights, lseOut, vocab) → the weighted loss (a number). */
static napi_value cross_entropy(napi_env env, napi_callback_info info) {
  float *logits, *weights, *lse;
  int32_t *targets;
  size_t logits_len, targets_len, weights_len, lse_len;
  int64_t vocab;
  if (!LMKIT_ARGS(env, info, "crossEntropy", lmkit_f32("logits", &logits, &logits_len),
                  lmkit_i32("targets", &targets, &targets_len),
                  lmkit_f32("weights", &weights, &weights_len), lmkit_f32("lseOut", &lse, &lse_len),
                  lmkit_int("vocab", &vocab))) {
    return NULL;
  }
  const size_t rows = check(env, "crossEntropy", logits_len, vocab > 0 ? (size_t)vocab : 0, targets,
                            targets_len, weights_len);
  if (rows == 0) return NULL;
  if (lse_len < rows) LMKIT_THROW(env, "crossEntropy: lseOut needs one value per row");
  double *row_loss = malloc(rows * sizeof(double));
  if (!row_loss) LMKIT_THROW(env, "crossEntropy: out of memory");
  ce_job job = {logits, weights, NULL, targets, lse, row_loss, (size_t)vocab, 0.0f};
  lmkit_parallel_for(rows, 16, forward_rows, &job);
  double total = 0.0;
  for (size_t r = 0; r < rows; r++) total += row_loss[r];
  free(row_loss);
  napi_value result;
  napi_create_double(env, total, &result);
  return result;
}

/* crossEntropyGrad(logits, targets, weights, lse, dy, out, vocab): out = dL/dlogits · dy. */
static napi_value cross_entropy_grad(napi_env env, napi_callback_info info) {
  float *logits, *weights, *lse, *out;
  int32_t *targets;
  size_t logits_len, targets_len, weights_len, lse_len, out_len;
  double dy;
  int64_t vocab;
  if (!LMKIT_ARGS(env, info, "crossEntropyGrad", lmkit_f32("logits", &logits, &logits_len),
                  lmkit_i32("targets", &targets, &targets_len),
                  lmkit_f32("weights", &weights, &weights_len), lmkit_f32("lse", &lse, &lse_len),
                  lmkit_float("dy", &dy), lmkit_f32("out", &out, &out_len),
                  lmkit_int("vocab", &vocab))) {
    return NULL;
  }
  const size_t rows = check(env, "crossEntropyGrad", logits_len, vocab > 0 ? (size_t)vocab : 0,
                            targets, targets_len, weights_len);
  if (rows == 0) return NULL;
  if (lse_len < rows || out_len < logits_len) {
    LMKIT_THROW(env, "crossEntropyGrad: lse needs one value per row and out one per logit");
  }
  ce_job job = {logits, weights, lse, targets, out, NULL, (size_t)vocab, (float)dy};
  lmkit_parallel_for(rows, 16, backward_rows, &job);
  return NULL;
}

void lmkit_register_cross_entropy(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "crossEntropy", cross_entropy);
  lmkit_define(env, exports, "crossEntropyGrad", cross_entropy_grad);
}
