// Attention kernels for AVX-512 F (+ FMA; compiled with the AVX-512 flags of matmul_avx512.cpp; only
// reached when cpu_features() reports the avx512 level). The algorithm is attention_x86.inc, on the
// 16-lane vectors of simd_f32_avx512.inc; this file picks its register tiles.
#if defined(__x86_64__) || defined(__i386__)
// GCC 12 reports the deliberately undefined upper halves inside its own AVX-512 intrinsics as
// uninitialized (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "backend/cpu/attention_kernels.h"

#if !defined(__AVX512F__) || !defined(__FMA__)
#error "attention_avx512.cpp must be compiled with the AVX-512 flags (see CMakeLists.txt)"
#endif

namespace akunu {
namespace {

#include "backend/cpu/simd_f32_avx512.inc"

inline VF vdiv(VF a, VF b) { return _mm512_div_ps(a, b); }

constexpr int kLaneKeys = 16;  // RowLanes: 16 accumulators (8 keys x 2 row vectors) of 32 zmm
constexpr int kMinLaneRows = 8;
constexpr int kPvRows = 4;     // P.V: 4 rows x 4 vectors = 16 accumulators
constexpr int kPvVecs = 4;

#include "backend/cpu/attention_x86.inc"

}  // namespace

const AttentionKernels* attention_kernels_avx512() {
    static const AttentionKernels k = {"avx512", kMaxRows, kMinLaneRows, scratch_floats, attention_unit};
    return &k;
}

}  // namespace akunu

#else  // not x86: the level does not exist

#include "backend/cpu/attention_kernels.h"

namespace akunu {
const AttentionKernels* attention_kernels_avx512() { return nullptr; }
}  // namespace akunu

#endif
