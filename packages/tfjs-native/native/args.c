/* Argument unpacking for the addon's N-API functions: typed arrays are read in place (zero
 * copy: the pointer is the tensor's own memory, in the wasm heap or a JS typed array). */
#include <stdio.h>
#include "common.h"

static int throw_arg(napi_env env, const char *name, const char *expected) {
  char message[160];
  snprintf(message, sizeof message, "argument '%s' must be %s", name, expected);
  napi_throw_type_error(env, "ERR_LMKIT_NATIVE_ARG", message);
  return 0;
}

static int get_typed(napi_env env, napi_value value, napi_typedarray_type want, void **data,
                     size_t *length, const char *name, const char *expected) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) {
    return throw_arg(env, name, expected);
  }
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok ||
      type != want) {
    return throw_arg(env, name, expected);
  }
  return 1;
}

int lmkit_get_f32(napi_env env, napi_value value, float **data, size_t *length, const char *name) {
  return get_typed(env, value, napi_float32_array, (void **)data, length, name, "a Float32Array");
}

int lmkit_get_i32(napi_env env, napi_value value, int32_t **data, size_t *length,
                  const char *name) {
  return get_typed(env, value, napi_int32_array, (void **)data, length, name, "an Int32Array");
}

int lmkit_get_u8(napi_env env, napi_value value, uint8_t **data, size_t *length, const char *name) {
  return get_typed(env, value, napi_uint8_array, (void **)data, length, name, "a Uint8Array");
}

int lmkit_get_int(napi_env env, napi_value value, int64_t *out, const char *name) {
  if (napi_get_value_int64(env, value, out) != napi_ok) return throw_arg(env, name, "a number");
  return 1;
}

int lmkit_get_float(napi_env env, napi_value value, double *out, const char *name) {
  if (napi_get_value_double(env, value, out) != napi_ok) return throw_arg(env, name, "a number");
  return 1;
}

int lmkit_get_bool(napi_env env, napi_value value, int *out, const char *name) {
  bool flag = false;
  if (napi_get_value_bool(env, value, &flag) != napi_ok) return throw_arg(env, name, "a boolean");
  *out = flag ? 1 : 0;
  return 1;
}
