/* Sum over one contiguous block of axes: x viewed as (outer, reduce, inner) gives out (outer,
 * inner). Rows are summed with several accumulators (inner = 1) or added as vectors (inner > 1). */
#include <string.h>
#include "common.h"
#include "simd.h"

LMKIT_DISPATCH static float sum_row(const float *x, size_t n) {
  float acc[16] = {0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; j++) acc[j] += x[i + j];
  }
  float total = 0.0f;
  for (int j = 0; j < 16; j++) total += acc[j];
  for (; i < n; i++) total += x[i];
  return total;
}

LMKIT_DISPATCH void lmkit_add_into(float *out, const float *x, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] += x[i];
}

/* sum(x, out, outer, reduce, inner) */
napi_value lmkit_sum(napi_env env, napi_callback_info info) {
  float *x, *out;
  size_t x_len, out_len;
  int64_t outer, reduce, inner;
  if (!LMKIT_ARGS(env, info, "sum", lmkit_f32("x", &x, &x_len), lmkit_f32("out", &out, &out_len),
                  lmkit_int("outer", &outer), lmkit_int("reduce", &reduce),
                  lmkit_int("inner", &inner))) {
    return NULL;
  }
  if (outer < 0 || reduce < 0 || inner < 0) LMKIT_THROW(env, "sum: negative size");
  if ((size_t)(outer * reduce * inner) > x_len || (size_t)(outer * inner) > out_len) {
    LMKIT_THROW(env, "sum: arrays too small for (outer, reduce, inner)");
  }
  for (int64_t o = 0; o < outer; o++) {
    const float *block = x + (size_t)(o * reduce * inner);
    float *dst = out + (size_t)(o * inner);
    if (inner == 1) {
      dst[0] = sum_row(block, (size_t)reduce);
      continue;
    }
    memset(dst, 0, (size_t)inner * sizeof(float));
    for (int64_t r = 0; r < reduce; r++) lmkit_add_into(dst, block + (size_t)(r * inner), (size_t)inner);
  }
  return NULL;
}
