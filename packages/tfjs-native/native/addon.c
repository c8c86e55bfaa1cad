/* Entry point of the lmkit tfjs-native addon: exports the native kernels as plain functions
 * that read and write Float32Array views of tensor memory in place. */
#include "common.h"

void lmkit_define(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &value);
  napi_set_named_property(env, exports, name, value);
}

NAPI_MODULE_INIT() {
  lmkit_define(env, exports, "sgemmBatched", lmkit_sgemm_batched);
  lmkit_define(env, exports, "unary", lmkit_unary);
  lmkit_define(env, exports, "geluGrad", lmkit_gelu_grad);
  lmkit_define(env, exports, "layerNorm", lmkit_layer_norm);
  lmkit_define(env, exports, "layerNormGrad", lmkit_layer_norm_grad);
  lmkit_define(env, exports, "binary", lmkit_binary);
  lmkit_define(env, exports, "sum", lmkit_sum);
  lmkit_define(env, exports, "setThreads", lmkit_set_threads);
  lmkit_define(env, exports, "getThreads", lmkit_get_threads);
  lmkit_define(env, exports, "blasInfo", lmkit_blas_info);
  lmkit_register_attention(env, exports);
  lmkit_register_optimizer(env, exports);
  lmkit_register_cross_entropy(env, exports);
  lmkit_register_decode(env, exports);
  lmkit_register_gather(env, exports);
  lmkit_register_linear(env, exports);
  return exports;
}
