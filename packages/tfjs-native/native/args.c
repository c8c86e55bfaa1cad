/* Argument unpacking for the addon's N-API functions: typed arrays are read in place (zero
 * copy: the pointer is the tensor's own memory, in the wasm heap or a JS typed array). */
#include <stdarg.h>
#include <stdio.h>
#include "common.h"

/* Throws a JS TypeError (code ERR_LMKIT_NATIVE_ARG) with a printf-style message; returns 0. */
static int throw_type(napi_env env, const char *format, ...) {
  char message[200];
  va_list values;
  va_start(values, format);
  vsnprintf(message, sizeof message, format, values);
  va_end(values);
  napi_throw_type_error(env, "ERR_LMKIT_NATIVE_ARG", message);
  return 0;
}

static int get_typed(napi_env env, napi_value value, napi_typedarray_type want, void **data,
                     size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) == napi_ok &&
         type == want;
}

static int get_one(napi_env env, napi_value value, const lmkit_arg *arg) {
  switch (arg->kind) {
    case LMKIT_ARG_F32: return get_typed(env, value, napi_float32_array, arg->out, arg->length);
    case LMKIT_ARG_I32: return get_typed(env, value, napi_int32_array, arg->out, arg->length);
    case LMKIT_ARG_U8: return get_typed(env, value, napi_uint8_array, arg->out, arg->length);
    case LMKIT_ARG_INT: return napi_get_value_int64(env, value, arg->out) == napi_ok;
    case LMKIT_ARG_FLOAT: return napi_get_value_double(env, value, arg->out) == napi_ok;
    case LMKIT_ARG_BOOL: {
      bool flag = false;
      if (napi_get_value_bool(env, value, &flag) != napi_ok) return 0;
      *(int *)arg->out = flag ? 1 : 0;
      return 1;
    }
  }
  return 0;
}

static const char *expected_of(lmkit_arg_kind kind) {
  switch (kind) {
    case LMKIT_ARG_F32: return "a Float32Array";
    case LMKIT_ARG_I32: return "an Int32Array";
    case LMKIT_ARG_U8: return "a Uint8Array";
    case LMKIT_ARG_BOOL: return "a boolean";
    default: return "a number";
  }
}

int lmkit_argv(napi_env env, napi_callback_info info, const char *fn, napi_value *argv,
               size_t count) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == count) return 1;
  return throw_type(env, "%s: expected %zu arguments, got %zu", fn, count, argc);
}

int lmkit_unpack(napi_env env, const char *fn, const napi_value *argv, const lmkit_arg *args,
                 size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (!get_one(env, argv[i], &args[i])) {
      return throw_type(env, "%s: argument '%s' must be %s", fn, args[i].name,
                        expected_of(args[i].kind));
    }
  }
  return 1;
}

int lmkit_args(napi_env env, napi_callback_info info, const char *fn, const lmkit_arg *args,
               size_t count) {
  napi_value argv[LMKIT_MAX_ARGS];
  if (count > LMKIT_MAX_ARGS) {
    napi_throw_error(env, "ERR_LMKIT_NATIVE", "lmkit_args: raise LMKIT_MAX_ARGS in common.h");
    return 0;
  }
  return lmkit_argv(env, info, fn, argv, count) && lmkit_unpack(env, fn, argv, args, count);
}
