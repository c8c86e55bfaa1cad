/* Entry point of the lmkit tfjs-native addon: exports the native kernels as plain functions
 * that read and write Float32Array views of tensor memory in place. */
#include "common.h"

static void define(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &value);
  napi_set_named_property(env, exports, name, value);
}

NAPI_MODULE_INIT() {
  define(env, exports, "sgemmBatched", lmkit_sgemm_batched);
  define(env, exports, "unary", lmkit_unary);
  define(env, exports, "geluGrad", lmkit_gelu_grad);
  define(env, exports, "layerNorm", lmkit_layer_norm);
  define(env, exports, "layerNormGrad", lmkit_layer_norm_grad);
  define(env, exports, "binary", lmkit_binary);
  define(env, exports, "sum", lmkit_sum);
  define(env, exports, "setThreads", lmkit_set_threads);
  define(env, exports, "getThreads", lmkit_get_threads);
  define(env, exports, "blasInfo", lmkit_blas_info);
  return exports;
}
