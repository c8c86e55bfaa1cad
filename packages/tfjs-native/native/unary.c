/* Elementwise float32 functions (exp, tanh, GPT-2's tanh-GELU and its derivative) in branch-free
 * form so the compiler vectorises them: exp by range reduction to 2^n · e^r with a degree-6
 * polynomial (about 2 ulp), tanh from exp. */
#include <math.h>
#include <string.h>
#include "common.h"
#include "simd.h"
#include "fastmath.h"

enum { UNARY_EXP = 0, UNARY_TANH = 1, UNARY_GELU = 2 };

static const float gelu_k = 0.7978845608028654f, gelu_c = 0.044715f; /* sqrt(2/pi) */

LMKIT_DISPATCH static void exp_loop(const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = exp_approx(x[i]);
}

static inline float tanh_approx(float v) {
  float a = v < 0.0f ? -v : v;
  float e = exp_approx(2.0f * a);
  float t = 1.0f - 2.0f / (e + 1.0f);
  float small = a * (1.0f - a * a * (1.0f / 3.0f)); /* series below 0.004: error < 1e-12 */
  t = a < 0.004f ? small : t;
  t = v < 0.0f ? -t : t;
  return v != v ? v : t;
}

LMKIT_DISPATCH static void gelu_loop(const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    float t = tanh_approx(gelu_k * (v + gelu_c * v * v * v));
    out[i] = 0.5f * v * (1.0f + t);
  }
}

/* d/dx of 0.5·x·(1 + tanh(u)), u = k·(x + c·x³), times dy. */
LMKIT_DISPATCH static void gelu_grad_loop(const float *x, const float *dy, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    float t = tanh_approx(gelu_k * (v + gelu_c * v * v * v));
    float du = gelu_k * (1.0f + 3.0f * gelu_c * v * v);
    out[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * du);
  }
}

LMKIT_DISPATCH static void tanh_loop(const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = tanh_approx(x[i]);
}

/* unary(op, x, out) */
napi_value lmkit_unary(napi_env env, napi_callback_info info) {
  int64_t op;
  float *x, *out;
  size_t x_len, out_len;
  if (!LMKIT_ARGS(env, info, "unary", lmkit_int("op", &op), lmkit_f32("x", &x, &x_len),
                  lmkit_f32("out", &out, &out_len))) {
    return NULL;
  }
  if (out_len < x_len) LMKIT_THROW(env, "unary: out is smaller than x");
  switch (op) {
    case UNARY_EXP: exp_loop(x, out, x_len); break;
    case UNARY_TANH: tanh_loop(x, out, x_len); break;
    case UNARY_GELU: gelu_loop(x, out, x_len); break;
    default: LMKIT_THROW(env, "unary: unknown op");
  }
  return NULL;
}

/* geluGrad(x, dy, out) */
napi_value lmkit_gelu_grad(napi_env env, napi_callback_info info) {
  float *x, *dy, *out;
  size_t x_len, dy_len, out_len;
  if (!LMKIT_ARGS(env, info, "geluGrad", lmkit_f32("x", &x, &x_len), lmkit_f32("dy", &dy, &dy_len),
                  lmkit_f32("out", &out, &out_len))) {
    return NULL;
  }
  if (dy_len != x_len || out_len < x_len) LMKIT_THROW(env, "geluGrad: x, dy and out differ in size");
  gelu_grad_loop(x, dy, out, x_len);
  return NULL;
}
