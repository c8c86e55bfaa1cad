/* Shared helpers for the lmkit tfjs-native addon: argument unpacking and errors for N-API
 * functions, plus the few OpenBLAS declarations we use (declared here so no particular
 * cblas.h layout is needed; only libopenblas has to be linked). */
#ifndef LMKIT_TFJS_NATIVE_COMMON_H
#define LMKIT_TFJS_NATIVE_COMMON_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* CBLAS constants (the values are fixed by the CBLAS standard). */
enum { LMKIT_CBLAS_ROW_MAJOR = 101, LMKIT_CBLAS_NO_TRANS = 111, LMKIT_CBLAS_TRANS = 112 };

void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

/* Throws a JS TypeError/RangeError and returns NULL from the calling N-API function. */
#define LMKIT_THROW(env, message)                    \
  do {                                               \
    napi_throw_error((env), "ERR_LMKIT_NATIVE", (message)); \
    return NULL;                                     \
  } while (0)

/* Read a JS value as the named type; return 0 (with a JS exception pending) on a mismatch. */
int lmkit_get_f32(napi_env env, napi_value value, float **data, size_t *length, const char *name);
int lmkit_get_i32(napi_env env, napi_value value, int32_t **data, size_t *length, const char *name);
int lmkit_get_u8(napi_env env, napi_value value, uint8_t **data, size_t *length, const char *name);
int lmkit_get_int(napi_env env, napi_value value, int64_t *out, const char *name);
int lmkit_get_bool(napi_env env, napi_value value, int *out, const char *name);
int lmkit_get_float(napi_env env, napi_value value, double *out, const char *name);

/* Number of worker threads our own (non-BLAS) kernels use; set with setThreads. */
int lmkit_kernel_threads(void);

/* Runs fn(ctx, begin, end) over contiguous chunks of [0, n) on up to lmkit_kernel_threads()
 * threads (the caller's included), each chunk at least min_per_thread long; returns when all
 * chunks are done. Jobs from several calling threads run one after another. */
typedef void (*lmkit_range_fn)(void *ctx, size_t begin, size_t end);
void lmkit_parallel_for(size_t n, size_t min_per_thread, lmkit_range_fn fn, void *ctx);

/* out[i] += x[i] for i < n, vectorised (reduce.c). */
void lmkit_add_into(float *out, const float *x, size_t n);

/* out[c] = Σ_r x[r, c] for x (rows, cols), column blocks split across the kernel threads
 * (linear.c); the bias gradient of dense layers and of LayerNorm. */
void lmkit_column_sum(const float *x, float *out, size_t rows, size_t cols);

/* Each kernel family defines its N-API functions on the addon's exports object. */
void lmkit_define(napi_env env, napi_value exports, const char *name, napi_callback fn);
void lmkit_register_attention(napi_env env, napi_value exports);
void lmkit_register_optimizer(napi_env env, napi_value exports);
void lmkit_register_cross_entropy(napi_env env, napi_value exports);
void lmkit_register_decode(napi_env env, napi_value exports);
void lmkit_register_gather(napi_env env, napi_value exports);
void lmkit_register_linear(napi_env env, napi_value exports);

napi_value lmkit_sgemm_batched(napi_env env, napi_callback_info info);
napi_value lmkit_unary(napi_env env, napi_callback_info info);
napi_value lmkit_gelu_grad(napi_env env, napi_callback_info info);
napi_value lmkit_layer_norm(napi_env env, napi_callback_info info);
napi_value lmkit_layer_norm_grad(napi_env env, napi_callback_info info);
napi_value lmkit_binary(napi_env env, napi_callback_info info);
napi_value lmkit_sum(napi_env env, napi_callback_info info);
napi_value lmkit_set_threads(napi_env env, napi_callback_info info);
napi_value lmkit_get_threads(napi_env env, napi_callback_info info);
napi_value lmkit_blas_info(napi_env env, napi_callback_info info);

#endif
