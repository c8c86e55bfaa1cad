/* Broadcasting binary float32 ops (add, sub, mul, div, equal) over shapes the JS side has
 * already collapsed: an outer index walks all but the last dim, the inner loop is specialised
 * for the contiguous, scalar-broadcast and strided cases so it vectorises. */
#include "common.h"
#include "simd.h"

enum { BIN_ADD = 0, BIN_SUB = 1, BIN_MUL = 2, BIN_DIV = 3, BIN_EQUAL = 4, BIN_MAX_RANK = 8 };

#define INNER_LOOPS(OUT_T, EXPR)                                                           \
  if (sa == 1 && sb == 1) {                                                                \
    for (size_t i = 0; i < n; i++) { float x = a[i], y = b[i]; out[i] = (OUT_T)(EXPR); }  \
  } else if (sa == 1 && sb == 0) {                                                         \
    const float y = b[0];                                                                  \
    for (size_t i = 0; i < n; i++) { float x = a[i]; out[i] = (OUT_T)(EXPR); }             \
  } else if (sa == 0 && sb == 1) {                                                         \
    const float x = a[0];                                                                  \
    for (size_t i = 0; i < n; i++) { float y = b[i]; out[i] = (OUT_T)(EXPR); }             \
  } else {                                                                                 \
    for (size_t i = 0; i < n; i++) {                                                       \
      float x = a[i * sa], y = b[i * sb];                                                  \
      out[i] = (OUT_T)(EXPR);                                                              \
    }                                                                                      \
  }

LMKIT_DISPATCH static void row_f32(int op, const float *a, const float *b, float *out, size_t n,
                                   size_t sa, size_t sb) {
  switch (op) {
    case BIN_ADD: INNER_LOOPS(float, x + y) break;
    case BIN_SUB: INNER_LOOPS(float, x - y) break;
    case BIN_MUL: INNER_LOOPS(float, x * y) break;
    default: INNER_LOOPS(float, x / y) break;
  }
}

LMKIT_DISPATCH static void row_equal(const float *a, const float *b, uint8_t *out, size_t n,
                                     size_t sa, size_t sb) {
  INNER_LOOPS(uint8_t, x == y)
}

/* binary(op, a, b, out, outShape, aStrides, bStrides); out is a Float32Array, or a Uint8Array
 * for equal. Strides are in elements, 0 on broadcast dims. */
napi_value lmkit_binary(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int64_t op;
  float *a, *b, *out_f32 = NULL;
  uint8_t *out_u8 = NULL;
  size_t a_len, b_len, out_len, rank, sa_len, sb_len;
  int32_t *shape, *sa, *sb;
  if (!lmkit_argv(env, info, "binary", argv, 7) ||
      !LMKIT_UNPACK(env, "binary", argv, lmkit_int("op", &op), lmkit_f32("a", &a, &a_len),
                    lmkit_f32("b", &b, &b_len))) {
    return NULL;
  }
  if (op < BIN_ADD || op > BIN_EQUAL) LMKIT_THROW(env, "binary: unknown op");
  /* out: a Uint8Array for equal, else a Float32Array. */
  const lmkit_arg out_arg = op == BIN_EQUAL ? lmkit_u8("out", &out_u8, &out_len)
                                            : lmkit_f32("out", &out_f32, &out_len);
  if (!LMKIT_UNPACK(env, "binary", argv + 3, out_arg, lmkit_i32("outShape", &shape, &rank),
                    lmkit_i32("aStrides", &sa, &sa_len), lmkit_i32("bStrides", &sb, &sb_len))) {
    return NULL;
  }
  if (rank < 1 || rank > BIN_MAX_RANK || sa_len != rank || sb_len != rank) {
    LMKIT_THROW(env, "binary: shape and strides must have the same rank, 1 to 8");
  }
  size_t total = 1, a_last = 0, b_last = 0;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] < 0 || sa[d] < 0 || sb[d] < 0) LMKIT_THROW(env, "binary: negative shape or stride");
    total *= (size_t)shape[d];
    if (shape[d] > 0) {
      a_last += (size_t)(shape[d] - 1) * (size_t)sa[d];
      b_last += (size_t)(shape[d] - 1) * (size_t)sb[d];
    }
  }
  if (total == 0) return NULL;
  if (out_len < total || a_last >= a_len || b_last >= b_len) {
    LMKIT_THROW(env, "binary: an array is too small for the shape and strides");
  }
  const size_t n = (size_t)shape[rank - 1];
  const size_t rows = total / n;
  size_t index[BIN_MAX_RANK] = {0};
  size_t a_off = 0, b_off = 0;
  for (size_t row = 0; row < rows; row++) {
    if (op == BIN_EQUAL) {
      row_equal(a + a_off, b + b_off, out_u8 + row * n, n, sa[rank - 1], sb[rank - 1]);
    } else {
      row_f32((int)op, a + a_off, b + b_off, out_f32 + row * n, n, sa[rank - 1], sb[rank - 1]);
    }
    for (size_t d = rank - 1; d-- > 0;) {
      index[d]++;
      a_off += (size_t)sa[d];
      b_off += (size_t)sb[d];
      if (index[d] < (size_t)shape[d]) break;
      a_off -= (size_t)sa[d] * index[d];
      b_off -= (size_t)sb[d] * index[d];
      index[d] = 0;
    }
  }
  return NULL;
}
