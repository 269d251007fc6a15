// MatMul kernels for AVX2 + FMA + F16C (compiled with -mavx2 -mfma -mf16c; only reached when
// cpu_features() reports them). Integer dot products: _mm256_maddubs_epi16 (u8 x s8 -> s16 pairs)
// then _mm256_madd_epi16 (-> s32).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "backend/cpu/matmul_kernels.h"
#include "format/quant_blocks.h"

#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__)
#error "matmul_avx2.cpp must be compiled with -mavx2 -mfma -mf16c (see CMakeLists.txt)"
#endif

namespace akunu {
namespace {

using VF = __m256;
constexpr int kVF = 8;
inline VF vzero() { return _mm256_setzero_ps(); }
inline VF vloadu(const float* p) { return _mm256_loadu_ps(p); }
inline VF vload_f16(const uint8_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
inline VF vload_bf16(const uint8_t* p) {
    const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}
inline VF vfma(VF a, VF b, VF c) { return _mm256_fmadd_ps(a, b, c); }
inline VF vadd(VF a, VF b) { return _mm256_add_ps(a, b); }
inline float vhsum(VF v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

constexpr int kFloatTileT = 2;  // 4 rows x 2 tokens: 8 accumulators of the 16 ymm registers
#define FLOAT_TILES AKUNU_TILES_4x2

#include "backend/cpu/matmul_x86_common.inc"

// ---------------------------------------------------------------- Q4_0 x Q8_32
// Per block: nibbles as u8 (0..15) against the int8 activations; the -8 offset comes in through
// the activations' precomputed -8 * (4-sums), added to the 32-bit lanes.

template <int R, int T>
void q4_0_tile(const QMatMulArgs& a, int64_t j, int64_t t0) {
    const int64_t nb = a.xl.k / 32;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (size_t)(j + r) * a.w_row_bytes;
    QRows x[T];
    for (int t = 0; t < T; ++t) x[t] = qrow(a, t0 + t);
    __m256 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0xF), ones = _mm256_set1_epi16(1);
    RowPrefetch<T == 1> pf(w[0], R * a.w_row_bytes, R * 18);
    for (int64_t b = 0; b < nb; ++b) {
        pf.next();
        __m256i qv[R];
        __m256 dw[R];
        for (int r = 0; r < R; ++r) {
            const uint8_t* bp = w[r] + 18 * b;
            const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bp + 2));
            qv[r] = _mm256_and_si256(_mm256_inserti128_si256(_mm256_castsi128_si256(raw), _mm_srli_epi16(raw, 4), 1), m4);
            dw[r] = _mm256_set1_ps(half_at(bp));
        }
        for (int t = 0; t < T; ++t) {
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].q + 32 * b));
            const __m256i cv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].aux) + b);
            const __m256 dx = _mm256_broadcast_ss(x[t].d + b);
            for (int r = 0; r < R; ++r) {
                const __m256i p = _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(qv[r], xv), ones), cv);
                acc[r][t] = _mm256_fmadd_ps(_mm256_mul_ps(dw[r], dx), _mm256_cvtepi32_ps(p), acc[r][t]);
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) store_y(a.y + (size_t)(t0 + t) * a.ldy + j + r, hsum8(acc[r][t]), a.accumulate);
}

// ---------------------------------------------------------------- Q8_0 x Q8_32
// Signs moved onto the activations: |w| (u8) x sign(w) * x (s8).

template <int R, int T>
void q8_0_tile(const QMatMulArgs& a, int64_t j, int64_t t0) {
    const int64_t nb = a.xl.k / 32;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (size_t)(j + r) * a.w_row_bytes;
    QRows x[T];
    for (int t = 0; t < T; ++t) x[t] = qrow(a, t0 + t);
    __m256 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    RowPrefetch<T == 1> pf(w[0], R * a.w_row_bytes, R * 34);
    for (int64_t b = 0; b < nb; ++b) {
        pf.next();
        __m256i wv[R], aw[R];
        __m256 dw[R];
        for (int r = 0; r < R; ++r) {
            const uint8_t* bp = w[r] + 34 * b;
            wv[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 2));
            aw[r] = _mm256_sign_epi8(wv[r], wv[r]);
            dw[r] = _mm256_set1_ps(half_at(bp));
        }
        for (int t = 0; t < T; ++t) {
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].q + 32 * b));
            const __m256 dx = _mm256_broadcast_ss(x[t].d + b);
            for (int r = 0; r < R; ++r) {
                const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(aw[r], _mm256_sign_epi8(xv, wv[r])), ones);
                acc[r][t] = _mm256_fmadd_ps(_mm256_mul_ps(dw[r], dx), _mm256_cvtepi32_ps(p), acc[r][t]);
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) store_y(a.y + (size_t)(t0 + t) * a.ldy + j + r, hsum8(acc[r][t]), a.accumulate);
}

void q4_0(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t*) {
    if (a.m == 1) {
        static const TileFn<QMatMulArgs> one[4][1] = AKUNU_TILES_4x1(q4_0_tile);
        run_tiles(a, j0, j1, one);
    } else {
        static const TileFn<QMatMulArgs> many[4][2] = AKUNU_TILES_4x2(q4_0_tile);
        run_tiles(a, j0, j1, many);
    }
}

void q8_0(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t*) {
    if (a.m == 1) {
        static const TileFn<QMatMulArgs> one[4][1] = AKUNU_TILES_4x1(q8_0_tile);
        run_tiles(a, j0, j1, one);
    } else {
        static const TileFn<QMatMulArgs> many[4][2] = AKUNU_TILES_4x2(q8_0_tile);
        run_tiles(a, j0, j1, many);
    }
}

}  // namespace

const MatMulKernels* matmul_kernels_avx2() {
    static const MatMulKernels k = {
        "avx2", quantize_q8_32, quantize_q8_k, q4_0, q8_0, q4_k_tiles, q6_k, f32, f16, bf16,
        dequant_q4_0, dequant_q8_0, dequant_q4_k, dequant_q6_k, dot,
    };
    return &k;
}

}  // namespace akunu

#else  // not x86: the level does not exist

#include "backend/cpu/matmul_kernels.h"

namespace akunu {
const MatMulKernels* matmul_kernels_avx2() { return nullptr; }
}  // namespace akunu

#endif
