/* Thread settings: OpenBLAS's thread count and the count our own kernels use, plus a report of
 * the OpenBLAS build (config string and the CPU core it dispatched to at run time). */
#include "common.h"

static int kernel_threads = 1;

int lmkit_kernel_threads(void) { return kernel_threads; }

napi_value lmkit_set_threads(napi_env env, napi_callback_info info) {
  int64_t threads;
  if (!LMKIT_ARGS(env, info, "setThreads", lmkit_int("threads", &threads))) return NULL;
  if (threads < 1 || threads > 1024) LMKIT_THROW(env, "setThreads: threads must be in [1, 1024]");
  openblas_set_num_threads((int)threads);
  kernel_threads = (int)threads;
  return NULL;
}

napi_value lmkit_get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

napi_value lmkit_blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, config, core;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &core);
  napi_set_named_property(env, result, "config", config);
  napi_set_named_property(env, result, "core", core);
  return result;
}
