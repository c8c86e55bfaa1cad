/* A dense layer in one kernel, y = x·W + b (the bias is written into y first, then sgemm adds
 * x·W with beta = 1), and the column sums its bias gradient needs, split by column blocks
 * across the kernel threads. */
#include <string.h>
#include "common.h"

/* linear(x, w, b, out, n, k, m): x (n, k), w (k, m), b (m) or empty, out (n, m). */
static napi_value linear(napi_env env, napi_callback_info info) {
  float *x, *w, *b, *out;
  size_t x_len, w_len, b_len, out_len;
  int64_t n, k, m;
  if (!LMKIT_ARGS(env, info, "linear", lmkit_f32("x", &x, &x_len), lmkit_f32("w", &w, &w_len),
                  lmkit_f32("b", &b, &b_len), lmkit_f32("out", &out, &out_len), lmkit_int("n", &n),
                  lmkit_int("k", &k), lmkit_int("m", &m))) {
    return NULL;
  }
  if (n < 0 || k < 0 || m < 0 || n > INT32_MAX || k > INT32_MAX || m > INT32_MAX ||
      x_len != (size_t)(n * k) || w_len != (size_t)(k * m) || (b_len != 0 && b_len != (size_t)m) ||
      out_len < (size_t)(n * m)) {
    LMKIT_THROW(env, "linear: x must be (n, k), w (k, m), b (m) or empty, out (n, m)");
  }
  if (n == 0 || m == 0) return NULL;
  if (b_len != 0) {
    for (int64_t r = 0; r < n; r++) memcpy(out + r * m, b, (size_t)m * sizeof(float));
  } else if (k == 0) {
    memset(out, 0, (size_t)(n * m) * sizeof(float));
  }
  if (k == 0) return NULL;
  cblas_sgemm(LMKIT_CBLAS_ROW_MAJOR, LMKIT_CBLAS_NO_TRANS, LMKIT_CBLAS_NO_TRANS, (int)n, (int)m,
              (int)k, 1.0f, x, (int)k, w, (int)m, b_len != 0 ? 1.0f : 0.0f, out, (int)m);
  return NULL;
}

typedef struct {
  const float *x;
  float *out;
  size_t rows, cols;
} colsum_job;

static void colsum_block(void *ctx, size_t begin, size_t end) {
  colsum_job *job = ctx;
  float *acc = job->out + begin;
  memset(acc, 0, (end - begin) * sizeof(float));
  for (size_t r = 0; r < job->rows; r++) lmkit_add_into(acc, job->x + r * job->cols + begin, end - begin);
}

void lmkit_column_sum(const float *x, float *out, size_t rows, size_t cols) {
  colsum_job job = {x, out, rows, cols};
  /* Blocks of at least 64 columns; a thread's block stays in its cache across the rows. */
  lmkit_parallel_for(cols, 64, colsum_block, &job);
}

/* columnSum(x, out, rows, cols): out[c] = Σ_r x[r, c]. */
static napi_value column_sum(napi_env env, napi_callback_info info) {
  float *x, *out;
  size_t x_len, out_len;
  int64_t rows, cols;
  if (!LMKIT_ARGS(env, info, "columnSum", lmkit_f32("x", &x, &x_len),
                  lmkit_f32("out", &out, &out_len), lmkit_int("rows", &rows),
                  lmkit_int("cols", &cols))) {
    return NULL;
  }
  if (rows < 0 || cols < 0 || x_len != (size_t)(rows * cols) || out_len < (size_t)cols) {
    LMKIT_THROW(env, "columnSum: x must be (rows, cols) and out (cols)");
  }
  lmkit_column_sum(x, out, (size_t)rows, (size_t)cols);
  return NULL;
}

void lmkit_register_linear(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "linear", linear);
  lmkit_define(env, exports, "columnSum", column_sum);
}
