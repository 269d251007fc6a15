// Elementwise kernels for AVX-512 F (compiled with the AVX-512 flags, see CMakeLists.txt; only
// reached when cpu_features() reports the avx512 level): elementwise_x86.inc on 16-lane vectors.
#if defined(__x86_64__) || defined(__i386__)
// GCC 12 reports the deliberately undefined upper halves inside its own AVX-512 intrinsics as
// uninitialized (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "backend/cpu/elementwise_kernels.h"

#if !defined(__AVX512F__) || !defined(__FMA__)
#error "elementwise_avx512.cpp must be compiled with the AVX-512 flags (see CMakeLists.txt)"
#endif

namespace akunu {
namespace {

#include "backend/cpu/simd_f32_avx512.inc"

inline VF vdiv(VF a, VF b) { return _mm512_div_ps(a, b); }
using VD = __m512d;
inline VD vdzero() { return _mm512_setzero_pd(); }
inline VD vd_widen_lo(VF v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
inline VD vd_widen_hi(VF v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}
inline VD vdfma(VD a, VD b, VD c) { return _mm512_fmadd_pd(a, b, c); }
inline double vdhsum(VD v) {
    const __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    __m128d x = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    x = _mm_add_sd(x, _mm_unpackhi_pd(x, x));
    return _mm_cvtsd_f64(x);
}

inline uint32_t vfind_eq(VF v, float x) { return _mm512_cmp_ps_mask(v, _mm512_set1_ps(x), _CMP_EQ_OQ); }

#include "backend/cpu/elementwise_x86.inc"

}  // namespace

const ElementwiseKernels* elementwise_kernels_avx512() {
    static const ElementwiseKernels k = {"avx512", swiglu, geglu, rmsnorm, argmax, to_f16};
    return &k;
}

}  // namespace akunu

#else  // not x86: the level does not exist

#include "backend/cpu/elementwise_kernels.h"

namespace akunu {
const ElementwiseKernels* elementwise_kernels_avx512() { return nullptr; }
}  // namespace akunu

#endif
