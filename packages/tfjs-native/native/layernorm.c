/* LayerNorm over the last axis, forward and backward, one row at a time: statistics in two
 * vectorised passes (mean, then centred squares), then a fused normalise-scale-shift; the backward kernels recompute the row
 * statistics instead of storing them (dx, dgamma and dbeta each in one pass). Rows (forward,
 * dx) or column blocks (dgamma, dbeta) are split across the kernel threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "simd.h"

/* Σ x and Σ (x − mean)² with 16 float accumulators (vectorised; the pairwise-like split keeps
 * the error near a double accumulation for rows of GPT widths). */
LMKIT_DISPATCH static void row_stats(const float *x, size_t n, double eps, float *mean_out,
                                     float *rstd_out) {
  float acc[16] = {0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; j++) acc[j] += x[i + j];
  }
  double sum = 0.0;
  for (int j = 0; j < 16; j++) sum += acc[j];
  for (; i < n; i++) sum += x[i];
  const float mean = (float)(sum / (double)n);
  float sq[16] = {0};
  for (i = 0; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; j++) sq[j] += (x[i + j] - mean) * (x[i + j] - mean);
  }
  double total = 0.0;
  for (int j = 0; j < 16; j++) total += sq[j];
  for (; i < n; i++) total += ((double)x[i] - mean) * ((double)x[i] - mean);
  *mean_out = mean;
  *rstd_out = (float)(1.0 / sqrt(total / (double)n + eps));
}

LMKIT_DISPATCH static void forward_row(const float *x, const float *gamma, const float *beta,
                                       float *y, size_t n, float mean, float rstd) {
  for (size_t i = 0; i < n; i++) y[i] = (x[i] - mean) * rstd * gamma[i] + (beta ? beta[i] : 0.0f);
}

/* dx of one row (needs the whole row's sums of g = dy·gamma and g·xhat). */
LMKIT_DISPATCH static void backward_dx_row(const float *dy, const float *x, const float *gamma,
                                           float *dx, size_t n, float mean, float rstd) {
  float sum_g = 0.0f, sum_gx = 0.0f;
  for (size_t i = 0; i < n; i++) {
    const float g = dy[i] * gamma[i];
    sum_g += g;
    sum_gx += g * (x[i] - mean) * rstd;
  }
  const float mean_g = sum_g / (float)n, mean_gx = sum_gx / (float)n;
  for (size_t i = 0; i < n; i++) {
    dx[i] = rstd * (dy[i] * gamma[i] - mean_g - (x[i] - mean) * rstd * mean_gx);
  }
}

LMKIT_DISPATCH static void backward_dgamma_row(const float *dy, const float *x, float *dgamma,
                                               size_t n, float mean, float rstd) {
  for (size_t i = 0; i < n; i++) dgamma[i] += dy[i] * (x[i] - mean) * rstd;
}

typedef struct {
  const float *x, *dy, *gamma, *beta;
  float *out;
  float *stats; /* mean and rstd per row (dgamma only) */
  size_t n;
  double eps;
  size_t rows;
} ln_job;

/* Enough rows per task that a pool hand-off (microseconds) is small against the work. */
static size_t rows_per_task(size_t n) { return n >= 4096 ? 1 : 4096 / n; }

static void forward_rows(void *ctx, size_t begin, size_t end) {
  const ln_job *job = ctx;
  for (size_t r = begin; r < end; r++) {
    float mean, rstd;
    row_stats(job->x + r * job->n, job->n, job->eps, &mean, &rstd);
    forward_row(job->x + r * job->n, job->gamma, job->beta, job->out + r * job->n, job->n, mean, rstd);
  }
}

static void dx_rows(void *ctx, size_t begin, size_t end) {
  const ln_job *job = ctx;
  for (size_t r = begin; r < end; r++) {
    float mean, rstd;
    row_stats(job->x + r * job->n, job->n, job->eps, &mean, &rstd);
    backward_dx_row(job->dy + r * job->n, job->x + r * job->n, job->gamma, job->out + r * job->n,
                    job->n, mean, rstd);
  }
}

static void stats_rows(void *ctx, size_t begin, size_t end) {
  const ln_job *job = ctx;
  for (size_t r = begin; r < end; r++) {
    row_stats(job->x + r * job->n, job->n, job->eps, &job->stats[2 * r], &job->stats[2 * r + 1]);
  }
}

static void dgamma_columns(void *ctx, size_t begin, size_t end) {
  const ln_job *job = ctx;
  memset(job->out + begin, 0, (end - begin) * sizeof(float));
  for (size_t r = 0; r < job->rows; r++) {
    const size_t at = r * job->n + begin;
    backward_dgamma_row(job->dy + at, job->x + at, job->out + begin, end - begin,
                        job->stats[2 * r], job->stats[2 * r + 1]);
  }
}

/* layerNorm(x, gamma, beta, out, epsilon); beta may be empty (no shift). */
napi_value lmkit_layer_norm(napi_env env, napi_callback_info info) {
  float *x, *gamma, *beta, *out;
  size_t x_len, g_len, b_len, out_len;
  double eps;
  if (!LMKIT_ARGS(env, info, "layerNorm", lmkit_f32("x", &x, &x_len),
                  lmkit_f32("gamma", &gamma, &g_len), lmkit_f32("beta", &beta, &b_len),
                  lmkit_f32("out", &out, &out_len), lmkit_float("epsilon", &eps))) {
    return NULL;
  }
  if (g_len == 0 || x_len % g_len != 0 || (b_len != 0 && b_len != g_len) || out_len < x_len) {
    LMKIT_THROW(env, "layerNorm: x must be (rows, C) with gamma and beta of length C");
  }
  const size_t n = g_len, rows = x_len / n;
  ln_job job = {x, NULL, gamma, b_len ? beta : NULL, out, NULL, n, eps, 0};
  lmkit_parallel_for(rows, rows_per_task(n), forward_rows, &job);
  return NULL;
}

/* layerNormGrad(which, dy, x, gamma, out, epsilon): which 0 = dx (out like x), 1 = dgamma,
 * 2 = dbeta (out of length C). One output per call keeps each gradient its own tensor. */
napi_value lmkit_layer_norm_grad(napi_env env, napi_callback_info info) {
  int64_t which;
  float *dy, *x, *gamma, *out;
  size_t dy_len, x_len, g_len, out_len;
  double eps;
  if (!LMKIT_ARGS(env, info, "layerNormGrad", lmkit_int("which", &which),
                  lmkit_f32("dy", &dy, &dy_len), lmkit_f32("x", &x, &x_len),
                  lmkit_f32("gamma", &gamma, &g_len), lmkit_f32("out", &out, &out_len),
                  lmkit_float("epsilon", &eps))) {
    return NULL;
  }
  if (which < 0 || which > 2) LMKIT_THROW(env, "layerNormGrad: which must be 0 (dx), 1 (dgamma) or 2 (dbeta)");
  if (g_len == 0 || x_len % g_len != 0 || dy_len != x_len || out_len < (which == 0 ? x_len : g_len)) {
    LMKIT_THROW(env, "layerNormGrad: dy and x must be (rows, C), gamma of length C, out sized for the gradient");
  }
  const size_t n = g_len, rows = x_len / n;
  ln_job job = {x, dy, gamma, NULL, out, NULL, n, eps, rows};
  if (which == 0) {
    lmkit_parallel_for(rows, rows_per_task(n), dx_rows, &job);
    return NULL;
  }
  if (which == 2) {
    lmkit_column_sum(dy, out, rows, n); /* dbeta: the column sums of dy */
    return NULL;
  }
  /* dgamma: row statistics first (rows in parallel), then columns in parallel blocks. */
  job.stats = malloc(rows * 2 * sizeof(float));
  if (!job.stats) LMKIT_THROW(env, "layerNormGrad: out of memory");
  lmkit_parallel_for(rows, rows_per_task(n), stats_rows, &job);
  lmkit_parallel_for(n, 64, dgamma_columns, &job);
  free(job.stats);
  return NULL;
}
