/* Row gathers and their gradient: x viewed as (outer, rows, inner) gathered along the middle axis
 * by int32 indices (embedding lookups), and an unsorted segment sum of rows (the embedding
 * gradient). Plain memcpy / vector adds; indices are checked first. */
#include <stdio.h>
#include <string.h>
#include "common.h"

/* gatherRows(x, indices, out, outer, rows, inner) */
static napi_value gather_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *out;
  int32_t *indices;
  size_t x_len, idx_len, out_len;
  int64_t outer, rows, inner;
  if (argc != 6 || !lmkit_get_f32(env, argv[0], &x, &x_len, "x") ||
      !lmkit_get_i32(env, argv[1], &indices, &idx_len, "indices") ||
      !lmkit_get_f32(env, argv[2], &out, &out_len, "out") ||
      !lmkit_get_int(env, argv[3], &outer, "outer") || !lmkit_get_int(env, argv[4], &rows, "rows") ||
      !lmkit_get_int(env, argv[5], &inner, "inner")) {
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
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x, *out;
  int32_t *ids;
  size_t x_len, ids_len, out_len;
  int64_t inner, segments;
  if (argc != 5 || !lmkit_get_f32(env, argv[0], &x, &x_len, "x") ||
      !lmkit_get_i32(env, argv[1], &ids, &ids_len, "segmentIds") ||
      !lmkit_get_f32(env, argv[2], &out, &out_len, "out") ||
      !lmkit_get_int(env, argv[3], &inner, "inner") ||
      !lmkit_get_int(env, argv[4], &segments, "numSegments")) {
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
