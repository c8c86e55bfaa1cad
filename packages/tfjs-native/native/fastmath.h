/* Branch-free float32 exp (range reduction to 2^n · e^r, degree-6 polynomial, about 2 ulp) that
 * compilers vectorise inside loops; shared by the elementwise, cross-entropy and attention
 * kernels. */
#ifndef LMKIT_TFJS_NATIVE_FASTMATH_H
#define LMKIT_TFJS_NATIVE_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float exp_approx(float x) {
  const float log2e = 1.44269504088896341f, ln2_hi = 0.693145751953125f, ln2_lo = 1.428606765330187e-06f;
  const float magic = 12582912.0f; /* 1.5 · 2^23: adding it rounds to an integer */
  float xc = x > 88.0f ? 88.0f : (x < -87.0f ? -87.0f : x);
  float n = (xc * log2e + magic) - magic;
  float r = xc - n * ln2_hi - n * ln2_lo;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  float y = p * scale;
  y = x > 88.72283f ? INFINITY : y;
  y = x < -87.33654f ? 0.0f : y;
  return x != x ? x : y;
}

#endif
