/* Fused optimizer update kernels (AdamW). */
#include "common.h"

void lmkit_register_optimizer(napi_env env, napi_value exports) { (void)env; (void)exports; }
