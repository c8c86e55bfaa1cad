/* Run-time dispatch for the elementwise kernels: GCC/Clang build each marked function for
 * baseline x86-64, AVX2 and AVX-512 and pick one at load time (no -march=native needed).
 * Elsewhere (arm64, other compilers) the marker is empty and the baseline build is used. */
#ifndef LMKIT_TFJS_NATIVE_SIMD_H
#define LMKIT_TFJS_NATIVE_SIMD_H

#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define LMKIT_DISPATCH __attribute__((target_clones("default", "avx2", "avx512f")))
#endif
#endif
#ifndef LMKIT_DISPATCH
#define LMKIT_DISPATCH
#endif

#endif
