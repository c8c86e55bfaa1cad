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

/* One argument of an N-API function: its kind, its name in error messages and where to store it
 * (typed arrays are read in place: data pointer and element count). Build them with lmkit_f32 …
 * lmkit_bool below, which check the destination types. */
typedef enum {
  LMKIT_ARG_F32, LMKIT_ARG_I32, LMKIT_ARG_U8, LMKIT_ARG_INT, LMKIT_ARG_FLOAT, LMKIT_ARG_BOOL
} lmkit_arg_kind;

typedef struct {
  lmkit_arg_kind kind;
  const char *name;
  void *out;      /* float **, int32_t **, uint8_t **, int64_t *, double * or int * */
  size_t *length; /* typed arrays: element count; NULL otherwise */
} lmkit_arg;

static inline lmkit_arg lmkit_f32(const char *name, float **data, size_t *length) {
  return (lmkit_arg){LMKIT_ARG_F32, name, data, length};
}
static inline lmkit_arg lmkit_i32(const char *name, int32_t **data, size_t *length) {
  return (lmkit_arg){LMKIT_ARG_I32, name, data, length};
}
static inline lmkit_arg lmkit_u8(const char *name, uint8_t **data, size_t *length) {
  return (lmkit_arg){LMKIT_ARG_U8, name, data, length};
}
static inline lmkit_arg lmkit_int(const char *name, int64_t *value) {
  return (lmkit_arg){LMKIT_ARG_INT, name, value, NULL};
}
static inline lmkit_arg lmkit_float(const char *name, double *value) {
  return (lmkit_arg){LMKIT_ARG_FLOAT, name, value, NULL};
}
static inline lmkit_arg lmkit_bool(const char *name, int *value) {
  return (lmkit_arg){LMKIT_ARG_BOOL, name, value, NULL};
}

/* Most arguments an addon function takes (decodeBlock's 19). */
enum { LMKIT_MAX_ARGS = 20 };

/* The calling function's arguments, exactly `count` of them, into argv. Returns 0 with a JS
 * TypeError pending ("fn: expected 5 arguments, got 4") on another count. */
int lmkit_argv(napi_env env, napi_callback_info info, const char *fn, napi_value *argv, size_t count);

/* argv[i] read as args[i] says, for i < count. Returns 0 with a JS TypeError pending
 * ("fn: argument 'x' must be a Float32Array") at the first mismatch. */
int lmkit_unpack(napi_env env, const char *fn, const napi_value *argv, const lmkit_arg *args,
                 size_t count);

/* Both: the calling function takes exactly `count` arguments, read as args says. */
int lmkit_args(napi_env env, napi_callback_info info, const char *fn, const lmkit_arg *args,
               size_t count);

/* LMKIT_ARGS(env, info, "gatherRows", lmkit_f32("x", &x, &x_len), lmkit_int("rows", &rows)):
 * lmkit_args over the listed arguments; LMKIT_UNPACK(env, fn, argv, …) likewise for lmkit_unpack. */
#define LMKIT_ARG_LIST(...) ((const lmkit_arg[]){__VA_ARGS__})
#define LMKIT_ARG_COUNT(...) (sizeof LMKIT_ARG_LIST(__VA_ARGS__) / sizeof(lmkit_arg))
#define LMKIT_ARGS(env, info, fn, ...) \
  lmkit_args((env), (info), (fn), LMKIT_ARG_LIST(__VA_ARGS__), LMKIT_ARG_COUNT(__VA_ARGS__))
#define LMKIT_UNPACK(env, fn, argv, ...) \
  lmkit_unpack((env), (fn), (argv), LMKIT_ARG_LIST(__VA_ARGS__), LMKIT_ARG_COUNT(__VA_ARGS__))

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
