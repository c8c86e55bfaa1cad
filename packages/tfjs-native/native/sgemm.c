/* Batched, optionally transposed float32 matrix multiply on OpenBLAS:
 * out[i] = op(a[aIndex[i]]) x op(b[bIndex[i]]) for every output batch i (row-major), where the
 * index arrays carry the broadcasting of batch dimensions worked out on the JS side. */
#include <string.h>
#include "common.h"

/* sgemmBatched(a, b, out, m, n, k, transposeA, transposeB, aIndex, bIndex) */
napi_value lmkit_sgemm_batched(napi_env env, napi_callback_info info) {
  float *a, *b, *out;
  size_t a_len, b_len, out_len, a_index_len, b_index_len;
  int64_t m, n, k;
  int trans_a, trans_b;
  int32_t *a_index, *b_index;
  if (!LMKIT_ARGS(env, info, "sgemmBatched", lmkit_f32("a", &a, &a_len), lmkit_f32("b", &b, &b_len),
                  lmkit_f32("out", &out, &out_len), lmkit_int("m", &m), lmkit_int("n", &n),
                  lmkit_int("k", &k), lmkit_bool("transposeA", &trans_a),
                  lmkit_bool("transposeB", &trans_b), lmkit_i32("aIndex", &a_index, &a_index_len),
                  lmkit_i32("bIndex", &b_index, &b_index_len))) {
    return NULL;
  }
  if (m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    LMKIT_THROW(env, "sgemmBatched: m, n and k must be in [0, 2^31)");
  }
  if (a_index_len != b_index_len) LMKIT_THROW(env, "sgemmBatched: aIndex and bIndex differ in length");
  const size_t batch = a_index_len;
  const size_t a_size = (size_t)m * (size_t)k, b_size = (size_t)k * (size_t)n;
  const size_t out_size = (size_t)m * (size_t)n;
  if (out_len < batch * out_size) LMKIT_THROW(env, "sgemmBatched: out is too small");
  for (size_t i = 0; i < batch; i++) {
    if (a_index[i] < 0 || (size_t)(a_index[i] + 1) * a_size > a_len) {
      LMKIT_THROW(env, "sgemmBatched: aIndex points past the end of a");
    }
    if (b_index[i] < 0 || (size_t)(b_index[i] + 1) * b_size > b_len) {
      LMKIT_THROW(env, "sgemmBatched: bIndex points past the end of b");
    }
  }
  if (out_size == 0) return NULL;
  if (k == 0) {
    memset(out, 0, batch * out_size * sizeof(float));
    return NULL;
  }
  const int lda = trans_a ? (int)m : (int)k;
  const int ldb = trans_b ? (int)k : (int)n;
  for (size_t i = 0; i < batch; i++) {
    cblas_sgemm(LMKIT_CBLAS_ROW_MAJOR, trans_a ? LMKIT_CBLAS_TRANS : LMKIT_CBLAS_NO_TRANS,
                trans_b ? LMKIT_CBLAS_TRANS : LMKIT_CBLAS_NO_TRANS, (int)m, (int)n, (int)k, 1.0f,
                a + (size_t)a_index[i] * a_size, lda, b + (size_t)b_index[i] * b_size, ldb, 0.0f,
                out + i * out_size, (int)n);
  }
  return NULL;
}
