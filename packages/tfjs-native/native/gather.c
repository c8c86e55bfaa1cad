/* Row gathers and their gradient: x viewed as (outer, rows, inner) gathered along the middle axis
 * by int32 indices (embedding lookups), and an unsorted segment sum of rows (the embedding
 * gradient). Plain memcpy / vector adds; indices are checked first. */
#include <stdio.h>
#include <string.h>
#include "common.h"

/* gatherRows(x, indices, out, outer, rows, inner) */
static napi_value gather_rows(napi_env env, napi_callback_info info) {
  float *x, *out;
  int32_t *indices;
  size_t x_len, idx_len, out_len;
  int64_t outer, rows, inner;
  if (!LMKIT_ARGS(env, info, "gatherRows", lmkit_f32("x", &x, &x_len),
                  lmkit_i32("indices", &indices, &idx_len), lmkit_f32("out", &out, &out_len),
                  lmkit_int("outer", &outer), lmkit_int("rows", &rows), lmkit_int("inner", &inner))) {
    return NULL;
  }
  if (outer < 0 || rows < 0 || inner < 0 || (size_t)(outer * rows * inner) != x_len ||
      out_len < (size_t)outer * idx_len * (size_t)inner) {
    LMKIT_THROW(env, "gatherRows: x must hold outer·rows·inner values and out outer·indices·inner");
  }
  for (size_t i = 0; i < idx_len; i++) {
    if (indices[i] < 0 || indices[i] >= rows) {
      char message[160];
      snprintf(message, sizeof message,
               "gather: index %d at position %zu is outside [0, %lld); indices must address existing rows",
               indices[i], i, (long long)rows);
      napi_throw_range_error(env, "ERR_LMKIT_NATIVE", message);
      return NULL;
    }
  }
  const size_t row_bytes = (size_t)inner * sizeof(float);
  for (int64_t o = 0; o < outer; o++) {
    const float *src = x + (size_t)o * rows * inner;
    float *dst = out + (size_t)o * idx_len * inner;
    for (size_t i = 0; i < idx_len; i++) memcpy(dst + i * inner, src + (size_t)indices[i] * inner, row_bytes);
  }
  return NULL;
}

/* segmentSumRows(x, segmentIds, out, inner, numSegments): out[s] = Σ x[i] over ids[i] = s; rows
 * with an id outside [0, numSegments) are dropped, as in TensorFlow. */
static napi_value segment_sum_rows(napi_env env, napi_callback_info info) {
  float *x, *out;
  int32_t *ids;
  size_t x_len, ids_len, out_len;
  int64_t inner, segments;
  if (!LMKIT_ARGS(env, info, "segmentSumRows", lmkit_f32("x", &x, &x_len),
                  lmkit_i32("segmentIds", &ids, &ids_len), lmkit_f32("out", &out, &out_len),
                  lmkit_int("inner", &inner), lmkit_int("numSegments", &segments))) {
    return NULL;
  }
  if (inner < 0 || segments < 0 || ids_len * (size_t)inner != x_len ||
      out_len < (size_t)segments * (size_t)inner) {
    LMKIT_THROW(env, "segmentSumRows: x must be (ids, inner) and out (numSegments, inner)");
  }
  memset(out, 0, (size_t)segments * (size_t)inner * sizeof(float));
  for (size_t i = 0; i < ids_len; i++) {
    if (ids[i] < 0 || ids[i] >= segments) continue;
    lmkit_add_into(out + (size_t)ids[i] * inner, x + i * inner, (size_t)inner);
  }
  return NULL;
}

void lmkit_register_gather(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "gatherRows", gather_rows);
  lmkit_define(env, exports, "segmentSumRows", segment_sum_rows);
}
