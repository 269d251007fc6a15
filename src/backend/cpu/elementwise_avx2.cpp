// Elementwise kernels for AVX2 + FMA (compiled with -mavx2 -mfma -mf16c; only reached when
// cpu_features() reports them): elementwise_x86.inc on 8-lane vectors.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "backend/cpu/elementwise_kernels.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "elementwise_avx2.cpp must be compiled with -mavx2 -mfma (see CMakeLists.txt)"
#endif

namespace akunu {
namespace {

#include "backend/cpu/simd_f32_avx2.inc"

inline VF vdiv(VF a, VF b) { return _mm256_div_ps(a, b); }
using VD = __m256d;
inline VD vdzero() { return _mm256_setzero_pd(); }
inline VD vd_widen_lo(VF v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline VD vd_widen_hi(VF v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
inline VD vdfma(VD a, VD b, VD c) { return _mm256_fmadd_pd(a, b, c); }
inline double vdhsum(VD v) {
    __m128d x = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    x = _mm_add_sd(x, _mm_unpackhi_pd(x, x));
    return _mm_cvtsd_f64(x);
}

inline uint32_t vfind_eq(VF v, float x) {
    return (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_set1_ps(x), _CMP_EQ_OQ));
}

#include "backend/cpu/elementwise_x86.inc"

}  // namespace

const ElementwiseKernels* elementwise_kernels_avx2() {
    static const ElementwiseKernels k = {"avx2", swiglu, geglu, rmsnorm, argmax, to_f16};
    return &k;
}

}  // namespace akunu

#else  // not x86: the level does not exist

#include "backend/cpu/elementwise_kernels.h"

namespace akunu {
const ElementwiseKernels* elementwise_kernels_avx2() { return nullptr; }
}  // namespace akunu

#endif
