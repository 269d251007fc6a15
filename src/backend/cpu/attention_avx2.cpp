// Attention kernels for AVX2 + FMA (compiled with -mavx2 -mfma -mf16c; only reached when
// cpu_features() reports them). The algorithm is attention_x86.inc, on the 8-lane vectors of
// simd_f32_avx2.inc; this file picks its register tiles.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "backend/cpu/attention_kernels.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "attention_avx2.cpp must be compiled with -mavx2 -mfma (see CMakeLists.txt)"
#endif

namespace akunu {
namespace {

#include "backend/cpu/simd_f32_avx2.inc"

inline VF vdiv(VF a, VF b) { return _mm256_div_ps(a, b); }

constexpr int kLaneKeys = 8;   // RowLanes: 8 accumulators (e.g. 2 keys x 4 row vectors) of 16 ymm
constexpr int kMinLaneRows = 4;
constexpr int kPvRows = 4;     // P.V: 4 rows x 2 vectors = 8 accumulators
constexpr int kPvVecs = 2;

#include "backend/cpu/attention_x86.inc"

}  // namespace

const AttentionKernels* attention_kernels_avx2() {
    static const AttentionKernels k = {"avx2", kMaxRows, kMinLaneRows, scratch_floats, attention_unit};
    return &k;
}

}  // namespace akunu

#else  // not x86: the level does not exist

#include "backend/cpu/attention_kernels.h"

namespace akunu {
const AttentionKernels* attention_kernels_avx2() { return nullptr; }
}  // namespace akunu

#endif
