// MatMul kernels for AVX-512 F/BW/VL + VNNI (+ F16C, FMA; compiled with -mavx512f -mavx512bw
// -mavx512vl -mavx512vnni -mavx512bf16 -mf16c -mfma; only reached when cpu_features() reports
// F/BW/VL/VNNI). Integer dot products: _mm512_dpbusd_epi32 (u8 x s8, four products summed into each
// s32 lane). Q4_0 and Q8_0 take two 32-blocks per 512-bit register; the K-quants and the
// quantizers are the shared 256-bit code (matmul_x86_common.inc). BF16 weights are widened with a
// shift, never with dpbf16 (that would round the activations to bf16).
#if defined(__x86_64__) || defined(__i386__)
// GCC 12 reports the deliberately undefined upper halves inside its own AVX-512 intrinsics
// (_mm512_undefined_*) as uninitialized (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "backend/cpu/matmul_kernels.h"
#include "format/quant_blocks.h"

#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VL__) || !defined(__AVX512VNNI__)
#error "matmul_avx512.cpp must be compiled with the AVX-512 flags (see CMakeLists.txt)"
#endif

namespace akunu {
namespace {

using VF = __m512;
constexpr int kVF = 16;
inline VF vzero() { return _mm512_setzero_ps(); }
inline VF vloadu(const float* p) { return _mm512_loadu_ps(p); }
inline VF vload_f16(const uint8_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
inline VF vload_bf16(const uint8_t* p) {
    const __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}
inline VF vfma(VF a, VF b, VF c) { return _mm512_fmadd_ps(a, b, c); }
// (Not _mm512_reduce_add_ps: GCC 12 warns about the undefined upper half it extracts.)
inline float vhsum(VF v) {
    const __m512 s = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));
    const __m256 h = _mm512_castps512_ps256(s);
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

constexpr int kFloatTileT = 4;  // 4 rows x 4 tokens: 16 accumulators of the 32 zmm registers
#define FLOAT_TILES AKUNU_TILES_4x4

#include "backend/cpu/matmul_x86_common.inc"

// Two consecutive halves (f16) at p and p + stride, broadcast to lanes 0-7 and 8-15.
inline __m512 half_pair(const uint8_t* p, int stride, __m512i pidx) {
    uint16_t h0, h1;
    std::memcpy(&h0, p, 2);
    std::memcpy(&h1, p + stride, 2);
    const __m128 d2 = _mm_cvtph_ps(_mm_cvtsi32_si128((int)((uint32_t)h0 | ((uint32_t)h1 << 16))));
    return _mm512_permutexvar_ps(pidx, _mm512_castps128_ps512(d2));
}

inline __m512 float_pair(const float* p, __m512i pidx) {
    const __m128 d2 = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    return _mm512_permutexvar_ps(pidx, _mm512_castps128_ps512(d2));
}

inline float hsum_epi32_256(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return (float)_mm_cvtsi128_si32(s);
}

// ---------------------------------------------------------------- Q4_0 x Q8_32
// Two blocks per register: lanes [lo0 | hi0 | lo1 | hi1] (16 bytes each) match 64 consecutive
// activations. dpbusd(-8*(4-sums), nibbles, x) is then exactly the sum of (q - 8) * x per lane.

template <int R, int T>
void q4_0_tile(const QMatMulArgs& a, int64_t j, int64_t t0) {
    const int64_t nb = a.xl.k / 32;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (size_t)(j + r) * a.w_row_bytes;
    QRows x[T];
    for (int t = 0; t < T; ++t) x[t] = qrow(a, t0 + t);
    __m512 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    const __m512i perm = _mm512_setr_epi64(0, 1, 0, 1, 2, 3, 2, 3);
    const __m512i shifts = _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4);
    const __m512i m4 = _mm512_set1_epi8(0xF);
    const __m512i pidx = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    int64_t b = 0;
    RowPrefetch<T == 1> pf(w[0], R * a.w_row_bytes, R * 36);
    for (; b + 2 <= nb; b += 2) {
        __m512i qv[R];
        __m512 dw[R];
        pf.next();
        for (int r = 0; r < R; ++r) {
            const uint8_t* bp = w[r] + 18 * b;
            const __m256i q01 = _mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bp + 2))),
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(bp + 20)), 1);
            const __m512i v = _mm512_permutexvar_epi64(perm, _mm512_castsi256_si512(q01));
            qv[r] = _mm512_and_si512(_mm512_srlv_epi64(v, shifts), m4);
            dw[r] = half_pair(bp, 18, pidx);
        }
        for (int t = 0; t < T; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t].q + 32 * b);
            const __m512i cv = _mm512_loadu_si512(reinterpret_cast<const int32_t*>(x[t].aux) + 8 * b);
            const __m512 dx = float_pair(x[t].d + b, pidx);
            for (int r = 0; r < R; ++r) {
                const __m512i p = _mm512_dpbusd_epi32(cv, qv[r], xv);
                acc[r][t] = _mm512_fmadd_ps(_mm512_mul_ps(dw[r], dx), _mm512_cvtepi32_ps(p), acc[r][t]);
            }
        }
    }
    float tail[R][T] = {};
    if (b < nb) {  // an odd last block, 256 bits wide
        const __m256i m4y = _mm256_set1_epi8(0xF);
        for (int r = 0; r < R; ++r) {
            const uint8_t* bp = w[r] + 18 * b;
            const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bp + 2));
            const __m256i q = _mm256_and_si256(_mm256_inserti128_si256(_mm256_castsi128_si256(raw), _mm_srli_epi16(raw, 4), 1), m4y);
            const float dwf = half_at(bp);
            for (int t = 0; t < T; ++t) {
                const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].q + 32 * b));
                const __m256i cv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].aux) + b);
                tail[r][t] = (dwf * x[t].d[b]) * hsum_epi32_256(_mm256_dpbusd_epi32(cv, q, xv));
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t)
            store_y(a.y + (size_t)(t0 + t) * a.ldy + j + r, vhsum(acc[r][t]) + tail[r][t], a.accumulate);
}

// ---------------------------------------------------------------- Q8_0 x Q8_32
// dpbusd wants u8 x s8: |w| against x with w's sign (x negated where w < 0).

template <int R, int T>
void q8_0_tile(const QMatMulArgs& a, int64_t j, int64_t t0) {
    const int64_t nb = a.xl.k / 32;
    const uint8_t* w[R];
    for (int r = 0; r < R; ++r) w[r] = a.w + (size_t)(j + r) * a.w_row_bytes;
    QRows x[T];
    for (int t = 0; t < T; ++t) x[t] = qrow(a, t0 + t);
    __m512 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    const __m512i pidx = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    const __m512i zero = _mm512_setzero_si512();
    RowPrefetch<T == 1> pf(w[0], R * a.w_row_bytes, R * 68);
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        pf.next();
        __m512i aw[R];
        __mmask64 neg[R];
        __m512 dw[R];
        for (int r = 0; r < R; ++r) {
            const uint8_t* bp = w[r] + 34 * b;
            const __m512i wv = _mm512_inserti64x4(
                _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 2))),
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 36)), 1);
            aw[r] = _mm512_abs_epi8(wv);
            neg[r] = _mm512_movepi8_mask(wv);
            dw[r] = half_pair(bp, 34, pidx);
        }
        for (int t = 0; t < T; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t].q + 32 * b);
            const __m512 dx = float_pair(x[t].d + b, pidx);
            for (int r = 0; r < R; ++r) {
                const __m512i xs = _mm512_mask_sub_epi8(xv, neg[r], zero, xv);
                const __m512i p = _mm512_dpbusd_epi32(zero, aw[r], xs);
                acc[r][t] = _mm512_fmadd_ps(_mm512_mul_ps(dw[r], dx), _mm512_cvtepi32_ps(p), acc[r][t]);
            }
        }
    }
    float tail[R][T] = {};
    if (b < nb) {
        for (int r = 0; r < R; ++r) {
            const uint8_t* bp = w[r] + 34 * b;
            const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 2));
            const __m256i aw = _mm256_sign_epi8(wv, wv);
            const float dwf = half_at(bp);
            for (int t = 0; t < T; ++t) {
                const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].q + 32 * b));
                const __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), aw, _mm256_sign_epi8(xv, wv));
                tail[r][t] = (dwf * x[t].d[b]) * hsum_epi32_256(p);
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t)
            store_y(a.y + (size_t)(t0 + t) * a.ldy + j + r, vhsum(acc[r][t]) + tail[r][t], a.accumulate);
}

void q4_0(const QMatMulArgs& a, int64_t j0, int64_t j1) {
    if (a.m == 1) {
        static const TileFn<QMatMulArgs> one[4][1] = AKUNU_TILES_4x1(q4_0_tile);
        run_tiles(a, j0, j1, one);
    } else {
        static const TileFn<QMatMulArgs> many[4][4] = AKUNU_TILES_4x4(q4_0_tile);
        run_tiles(a, j0, j1, many);
    }
}

void q8_0(const QMatMulArgs& a, int64_t j0, int64_t j1) {
    if (a.m == 1) {
        static const TileFn<QMatMulArgs> one[4][1] = AKUNU_TILES_4x1(q8_0_tile);
        run_tiles(a, j0, j1, one);
    } else {
        static const TileFn<QMatMulArgs> many[4][4] = AKUNU_TILES_4x4(q8_0_tile);
        run_tiles(a, j0, j1, many);
    }
}

}  // namespace

const MatMulKernels* matmul_kernels_avx512() {
    static const MatMulKernels k = {
        "avx512", quantize_q8_32, quantize_q8_k, q4_0, q8_0, q4_k, q6_k, f32, f16, bf16,
        dequant_q4_0, dequant_q8_0, dequant_q4_k, dequant_q6_k,
    };
    return &k;
}

}  // namespace akunu

#else  // not x86: the level does not exist

#include "backend/cpu/matmul_kernels.h"

namespace akunu {
const MatMulKernels* matmul_kernels_avx512() { return nullptr; }
}  // namespace akunu

#endif
