/* Decoding kernels (one new position at a time against a KV cache). */
#include "common.h"

void lmkit_register_decode(napi_env env, napi_value exports) { (void)env; (void)exports; }
