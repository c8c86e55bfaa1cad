/* Fused optimizer kernels: one pass of PyTorch's AdamW (gradient scale, moments, decoupled weight
 * decay, bias-corrected step) into new param/m/v arrays, and a deterministic sum of squares for
 * global-norm gradient clipping. Float32 arithmetic in the same order as the tfjs-ops fallback. */
#include <stdlib.h>
#include <math.h>
#include "common.h"
#include "simd.h"

/* No fused multiply-add: keep each product rounded as the tfjs ops round it (GCC in -std=c11 mode
 * already does not contract; clang honours this pragma). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* The update's float32 constants (derived from the hyper-parameters in double by the caller). */
typedef struct {
  const float *param, *grad, *m, *v;
  float *out_param, *out_m, *out_v;
  float beta1, one_minus_beta1, beta2, one_minus_beta2, epsilon;
  float shrink, step_size, sqrt_correction2, grad_scale;
} adamw_job;

/* Per element: g = grad·scale; m' = β1·m + (1−β1)·g; v' = β2·v + (1−β2)·g²;
 * p' = p·shrink − step_size · m' / (√v' / √(1−β2ᵗ) + ε). A scale or shrink of 1 multiplies
 * exactly, so the fallback's skipped multiplications give the same bits. */
LMKIT_DISPATCH static void adamw_range(const adamw_job *job, size_t begin, size_t end) {
  const float b1 = job->beta1, c1 = job->one_minus_beta1, b2 = job->beta2,
              c2 = job->one_minus_beta2, eps = job->epsilon, shrink = job->shrink,
              step = job->step_size, sc2 = job->sqrt_correction2, scale = job->grad_scale;
  for (size_t i = begin; i < end; i++) {
    const float g = job->grad[i] * scale;
    const float m = job->m[i] * b1 + g * c1;
    const float v = job->v[i] * b2 + (g * g) * c2;
    const float denominator = sqrtf(v) / sc2 + eps;
    const float base = job->param[i] * shrink;
    job->out_param[i] = base - (m / denominator) * step;
    job->out_m[i] = m;
    job->out_v[i] = v;
  }
}

static void adamw_chunk(void *ctx, size_t begin, size_t end) {
  adamw_range((const adamw_job *)ctx, begin, end);
}

/* adamw(param, grad, m, v, outParam, outM, outV, beta1, beta2, epsilon, shrink, stepSize,
 *       sqrtCorrection2, gradScale): shrink 1 means no weight decay, gradScale 1 no scaling. */
static napi_value lmkit_adamw(napi_env env, napi_callback_info info) {
  float *arrays[7];
  size_t lengths[7];
  static const char *names[7] = {"param", "grad", "m", "v", "outParam", "outM", "outV"};
  double hyper[7];
  static const char *hyper_names[7] = {"beta1", "beta2", "epsilon", "shrink",
                                       "stepSize", "sqrtCorrection2", "gradScale"};
  lmkit_arg args[14]; /* 7 arrays, then 7 numbers */
  for (int i = 0; i < 7; i++) {
    args[i] = lmkit_f32(names[i], &arrays[i], &lengths[i]);
    args[7 + i] = lmkit_float(hyper_names[i], &hyper[i]);
  }
  if (!lmkit_args(env, info, "adamw", args, 14)) return NULL;
  for (int i = 1; i < 7; i++) {
    if (lengths[i] != lengths[0]) {
      LMKIT_THROW(env, "adamw: param, grad, m, v and the three outputs must have the same length");
    }
  }
  if (!(hyper[5] > 0.0)) LMKIT_THROW(env, "adamw: sqrtCorrection2 must be > 0 (step ≥ 1)");
  adamw_job job = {
      .param = arrays[0], .grad = arrays[1], .m = arrays[2], .v = arrays[3],
      .out_param = arrays[4], .out_m = arrays[5], .out_v = arrays[6],
      .beta1 = (float)hyper[0], .one_minus_beta1 = (float)(1.0 - hyper[0]),
      .beta2 = (float)hyper[1], .one_minus_beta2 = (float)(1.0 - hyper[1]),
      .epsilon = (float)hyper[2], .shrink = (float)hyper[3], .step_size = (float)hyper[4],
      .sqrt_correction2 = (float)hyper[5], .grad_scale = (float)hyper[6],
  };
  /* Memory-bound: split only tensors big enough to cover the pool's wake-up cost. */
  lmkit_parallel_for(lengths[0], 1 << 15, adamw_chunk, &job);
  return NULL;
}

/* Sum of squares in fixed blocks (so the result does not depend on the thread count), each block
 * accumulated in double across 8 lanes, the block sums added in order. */
enum { SQUARES_BLOCK = 1 << 14 };

typedef struct {
  const float *x;
  size_t n;
  double *partial;
} squares_job;

LMKIT_DISPATCH static double squares_block(const float *x, size_t n) {
  double acc[8] = {0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) acc[j] += (double)x[i + j] * (double)x[i + j];
  }
  double total = 0.0;
  for (int j = 0; j < 8; j++) total += acc[j];
  for (; i < n; i++) total += (double)x[i] * (double)x[i];
  return total;
}

static void squares_chunk(void *ctx, size_t begin, size_t end) {
  const squares_job *job = (const squares_job *)ctx;
  for (size_t b = begin; b < end; b++) {
    const size_t start = b * SQUARES_BLOCK;
    const size_t stop = start + SQUARES_BLOCK < job->n ? start + SQUARES_BLOCK : job->n;
    job->partial[b] = squares_block(job->x + start, stop - start);
  }
}

/* sumOfSquares(x) → Σ x² as a double. */
static napi_value lmkit_sum_of_squares(napi_env env, napi_callback_info info) {
  float *x;
  size_t n;
  if (!LMKIT_ARGS(env, info, "sumOfSquares", lmkit_f32("x", &x, &n))) return NULL;
  const size_t blocks = (n + SQUARES_BLOCK - 1) / SQUARES_BLOCK;
  double total = 0.0;
  if (blocks <= 1) {
    total = squares_block(x, n);
  } else {
    double *partial = malloc(blocks * sizeof(double));
    if (!partial) LMKIT_THROW(env, "sumOfSquares: out of memory for block sums");
    squares_job job = {.x = x, .n = n, .partial = partial};
    lmkit_parallel_for(blocks, 4, squares_chunk, &job);
    for (size_t b = 0; b < blocks; b++) total += partial[b];
    free(partial);
  }
  napi_value result;
  napi_create_double(env, total, &result);
  return result;
}

void lmkit_register_optimizer(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "adamw", lmkit_adamw);
  lmkit_define(env, exports, "sumOfSquares", lmkit_sum_of_squares);
}
