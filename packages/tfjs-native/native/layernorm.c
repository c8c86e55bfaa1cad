/* LayerNorm over the last axis, forward and backward, one row at a time: statistics in double
 * (two passes), then a fused normalise-scale-shift; the backward kernels recompute the row
 * statistics instead of storing them (dx, dgamma and dbeta each in one pass). */
#include <math.h>
#include <string.h>
#include "common.h"
#include "simd.h"

static void row_stats(const float *x, size_t n, double eps, float *mean_out, float *rstd_out) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  const double mean = sum / (double)n;
  double sq = 0.0;
  for (size_t i = 0; i < n; i++) sq += ((double)x[i] - mean) * ((double)x[i] - mean);
  *mean_out = (float)mean;
  *rstd_out = (float)(1.0 / sqrt(sq / (double)n + eps));
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

LMKIT_DISPATCH static void backward_dbeta_row(const float *dy, float *dbeta, size_t n) {
  for (size_t i = 0; i < n; i++) dbeta[i] += dy[i];
}

/* layerNorm(x, gamma, beta, out, epsilon); beta may be empty (no shift). */
napi_value lmkit_layer_norm(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *gamma, *beta, *out;
  size_t x_len, g_len, b_len, out_len;
  double eps;
  if (argc != 5 || !lmkit_get_f32(env, argv[0], &x, &x_len, "x") ||
      !lmkit_get_f32(env, argv[1], &gamma, &g_len, "gamma") ||
      !lmkit_get_f32(env, argv[2], &beta, &b_len, "beta") ||
      !lmkit_get_f32(env, argv[3], &out, &out_len, "out") ||
      !lmkit_get_float(env, argv[4], &eps, "epsilon")) {
    return NULL;
  }
  if (g_len == 0 || x_len % g_len != 0 || (b_len != 0 && b_len != g_len) || out_len < x_len) {
    LMKIT_THROW(env, "layerNorm: x must be (rows, C) with gamma and beta of length C");
  }
  const size_t n = g_len, rows = x_len / n;
  for (size_t r = 0; r < rows; r++) {
    float mean, rstd;
    row_stats(x + r * n, n, eps, &mean, &rstd);
    forward_row(x + r * n, gamma, b_len ? beta : NULL, out + r * n, n, mean, rstd);
  }
  return NULL;
}

/* layerNormGrad(which, dy, x, gamma, out, epsilon): which 0 = dx (out like x), 1 = dgamma,
 * 2 = dbeta (out of length C). One output per call keeps each gradient its own tensor. */
napi_value lmkit_layer_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t which;
  float *dy, *x, *gamma, *out;
  size_t dy_len, x_len, g_len, out_len;
  double eps;
  if (argc != 6 || !lmkit_get_int(env, argv[0], &which, "which") ||
      !lmkit_get_f32(env, argv[1], &dy, &dy_len, "dy") ||
      !lmkit_get_f32(env, argv[2], &x, &x_len, "x") ||
      !lmkit_get_f32(env, argv[3], &gamma, &g_len, "gamma") ||
      !lmkit_get_f32(env, argv[4], &out, &out_len, "out") ||
      !lmkit_get_float(env, argv[5], &eps, "epsilon")) {
    return NULL;
  }
  if (which < 0 || which > 2) LMKIT_THROW(env, "layerNormGrad: which must be 0 (dx), 1 (dgamma) or 2 (dbeta)");
  if (g_len == 0 || x_len % g_len != 0 || dy_len != x_len || out_len < (which == 0 ? x_len : g_len)) {
    LMKIT_THROW(env, "layerNormGrad: dy and x must be (rows, C), gamma of length C, out sized for the gradient");
  }
  const size_t n = g_len, rows = x_len / n;
  if (which != 0) memset(out, 0, n * sizeof(float));
  for (size_t r = 0; r < rows; r++) {
    if (which == 2) {
      backward_dbeta_row(dy + r * n, out, n);
      continue;
    }
    float mean, rstd;
    row_stats(x + r * n, n, eps, &mean, &rstd);
    if (which == 0) backward_dx_row(dy + r * n, x + r * n, gamma, out + r * n, n, mean, rstd);
    else backward_dgamma_row(dy + r * n, x + r * n, out, n, mean, rstd);
  }
  return NULL;
}
