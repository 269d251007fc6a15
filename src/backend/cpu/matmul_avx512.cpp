// MatMul kernels for AVX-512 F/BW/VL + VNNI (+ F16C, FMA; compiled with -mavx512f -mavx512bw
// -mavx512vl -mavx512vnni -mavx512bf16 -mf16c -mfma; only reached when cpu_features() reports
// F/BW/VL/VNNI). Integer dot products: _mm512_dpbusd_epi32 (u8 x s8, four products summed into each
// s32 lane). Decode (few tokens): Q4_0 and Q8_0 take two 32-blocks per 512-bit register, the
// K-quants and the quantizers are the shared 256-bit code (matmul_x86_common.inc). Prefill (from
// kPackMinTokens tokens): Q4_0, Q8_0, Q4_K and Q6_K rows are repacked 16 at a time so that the
// lanes hold rows (the packed GEMM below). BF16 weights are widened with a shift, never with
// dpbf16 (that would round the activations to bf16).
#if defined(__x86_64__) || defined(__i386__)
// GCC 12 reports the deliberately undefined upper halves inside its own AVX-512 intrinsics
// (_mm512_undefined_*) as uninitialized (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>
#include <cstddef>
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
inline VF vadd(VF a, VF b) { return _mm512_add_ps(a, b); }
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

// ---------------------------------------------------------------- prefill: packed GEMM
// With many tokens, the per-64-MAC float work of the tiles above (convert, scale, accumulate)
// dominates. Here the 16 lanes of a register hold 16 weight ROWS instead: each 32-bit lane holds
// 4 consecutive u8 weights of its row, dpbusd against 4 activation bytes broadcast to every lane,
// so a lane sums a whole 32-element block of one output and the float work per block is shared
// by 16 outputs. Weights are repacked once per 16-row block into the thread's scratch and reused
// by every token:
//   per 32-element sub-block: 8 x 64 bytes  V[h] lane r = u8 weights 4h..4h+3 of row r
//                             16 f32 S, 16 f32 M (value = S * u - M; M unused for integer offsets)
// Q4_0: u = nibble, value = d (u - 8); Q8_0: u = q + 128, value = d (u - 128): the offset is taken
// off exactly in the integer sum (- off * sum of the activation block). Q4_K: u = nibble,
// value = (d sc) u - (dmin m) per 32-element sub-block, the min against the activation block sums.
// Q6_K: sub-blocks of 16, u = 6-bit value, value = (d sc) (u - 32), offset off the integer sum.
constexpr int kPackRows = 16;
constexpr size_t kPackSub = 8 * 64 + 2 * 64;  // bytes per 32-element sub-block
static_assert(kPackSub / 32 <= kPackBytesPerK, "kPackBytesPerK (matmul_kernels.h) is too small");
constexpr int32_t kPackMinTokens = 6;  // from here packing pays for itself (Q4_0, Q4_K at 3072 x 1024: measured)

// out[h] lane r = dword h (bytes 4h..4h+3) of the 16 bytes at rows[r] + off.
inline void transpose16x4(const uint8_t* const* rows, size_t off, __m512i out[4]) {
    const __m512i tidx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    __m512i z[4];
    for (int q = 0; q < 4; ++q) {
        const __m256i lo = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[4 * q] + off))),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[4 * q + 1] + off)), 1);
        const __m256i hi = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[4 * q + 2] + off))),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[4 * q + 3] + off)), 1);
        // [row 4q | 4q+1 | 4q+2 | 4q+3] (4 dwords each) -> [dword 0 of the 4 rows | dword 1 | ...]
        z[q] = _mm512_permutexvar_epi32(tidx, _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1));
    }
    const __m512i a01l = _mm512_shuffle_i32x4(z[0], z[1], _MM_SHUFFLE(1, 0, 1, 0));
    const __m512i a23l = _mm512_shuffle_i32x4(z[2], z[3], _MM_SHUFFLE(1, 0, 1, 0));
    const __m512i a01h = _mm512_shuffle_i32x4(z[0], z[1], _MM_SHUFFLE(3, 2, 3, 2));
    const __m512i a23h = _mm512_shuffle_i32x4(z[2], z[3], _MM_SHUFFLE(3, 2, 3, 2));
    out[0] = _mm512_shuffle_i32x4(a01l, a23l, _MM_SHUFFLE(2, 0, 2, 0));
    out[1] = _mm512_shuffle_i32x4(a01l, a23l, _MM_SHUFFLE(3, 1, 3, 1));
    out[2] = _mm512_shuffle_i32x4(a01h, a23h, _MM_SHUFFLE(2, 0, 2, 0));
    out[3] = _mm512_shuffle_i32x4(a01h, a23h, _MM_SHUFFLE(3, 1, 3, 1));
}

// The f16 at rows[r] + off for the 16 rows, as f32 lanes.
inline __m512 gather_half(const uint8_t* const* rows, __m512i idx, size_t off) {
    const __m512i g = _mm512_i32gather_epi32(idx, rows[0] + off, 1);
    return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(g));
}

inline __m512i row_offsets(const uint8_t* const* rows) {
    alignas(64) int32_t o[16];
    for (int r = 0; r < 16; ++r) o[r] = (int32_t)(rows[r] - rows[0]);
    return _mm512_load_si512(o);
}

void pack_q4_0(const uint8_t* const* rows, int64_t k, uint8_t* pack) {
    const __m512i idx = row_offsets(rows), m4 = _mm512_set1_epi8(0xF);
    for (int64_t b = 0; b < k / 32; ++b) {
        uint8_t* p = pack + (size_t)b * kPackSub;
        __m512i r[4];
        transpose16x4(rows, 18 * (size_t)b + 2, r);
        for (int h = 0; h < 4; ++h) {
            _mm512_store_si512(p + 64 * h, _mm512_and_si512(r[h], m4));  // elements 4h.. (low nibbles)
            _mm512_store_si512(p + 64 * (h + 4), _mm512_and_si512(_mm512_srli_epi32(r[h], 4), m4));  // 16+4h..
        }
        _mm512_store_ps(p + 512, gather_half(rows, idx, 18 * (size_t)b));
    }
}

void pack_q8_0(const uint8_t* const* rows, int64_t k, uint8_t* pack) {
    const __m512i idx = row_offsets(rows), flip = _mm512_set1_epi8((char)0x80);
    for (int64_t b = 0; b < k / 32; ++b) {
        uint8_t* p = pack + (size_t)b * kPackSub;
        __m512i r[8];
        transpose16x4(rows, 34 * (size_t)b + 2, r);
        transpose16x4(rows, 34 * (size_t)b + 18, r + 4);
        for (int h = 0; h < 8; ++h) _mm512_store_si512(p + 64 * h, _mm512_xor_si512(r[h], flip));  // q + 128
        _mm512_store_ps(p + 512, gather_half(rows, idx, 34 * (size_t)b));
    }
}

void pack_q4_k(const uint8_t* const* rows, int64_t k, uint8_t* pack) {
    const __m512i m4 = _mm512_set1_epi8(0xF);
    for (int64_t i = 0; i < k / 256; ++i) {
        const size_t base = sizeof(block_q4_K) * (size_t)i;
        for (int c = 0; c < 4; ++c) {
            __m512i r[8];
            transpose16x4(rows, base + 16 + 32 * (size_t)c, r);
            transpose16x4(rows, base + 16 + 32 * (size_t)c + 16, r + 4);
            uint8_t* lo = pack + (size_t)(8 * i + 2 * c) * kPackSub;
            uint8_t* hi = lo + kPackSub;
            for (int h = 0; h < 8; ++h) {
                _mm512_store_si512(lo + 64 * h, _mm512_and_si512(r[h], m4));
                _mm512_store_si512(hi + 64 * h, _mm512_and_si512(_mm512_srli_epi32(r[h], 4), m4));
            }
        }
        for (int rr = 0; rr < kPackRows; ++rr) {
            const block_q4_K* blk = reinterpret_cast<const block_q4_K*>(rows[rr] + base);
            uint32_t u[4];
            std::memcpy(u, blk->scales, 12);
            u[3] = ((u[2] >> 4) & 0x0f0f0f0fu) | (((u[1] >> 6) & 0x03030303u) << 4);
            const uint32_t aux = u[1] & 0x3f3f3f3fu;
            u[1] = (u[2] & 0x0f0f0f0fu) | (((u[0] >> 6) & 0x03030303u) << 4);
            u[2] = aux;
            u[0] &= 0x3f3f3f3fu;
            uint8_t sm[16];
            std::memcpy(sm, u, 16);
            const float d = half_at(reinterpret_cast<const uint8_t*>(&blk->d));
            const float dmin = half_at(reinterpret_cast<const uint8_t*>(&blk->dmin));
            for (int sb = 0; sb < 8; ++sb) {
                float* sp = reinterpret_cast<float*>(pack + (size_t)(8 * i + sb) * kPackSub + 512);
                sp[rr] = d * sm[sb];
                sp[16 + rr] = dmin * sm[8 + sb];
            }
        }
    }
}

// Q6_K: sub-blocks of 16 (int8 scale each), 320 bytes per sub-block: 4 x 64 bytes V, 16 f32 S.
// u = the 6-bit value, value = (d sc) (u - 32).
void pack_q6_k(const uint8_t* const* rows, int64_t k, uint8_t* pack) {
    constexpr size_t kSub16 = kPackSub / 2;
    const __m512i m4 = _mm512_set1_epi8(0xF), m3 = _mm512_set1_epi8(3);
    for (int64_t i = 0; i < k / 256; ++i) {
        const size_t base = sizeof(block_q6_K) * (size_t)i;
        for (int s16 = 0; s16 < 16; ++s16) {
            const int e0 = 16 * s16, hh = e0 / 128, kk = (e0 % 128) / 32, l0 = e0 % 32;
            __m512i ql[4], qh[4];
            transpose16x4(rows, base + offsetof(block_q6_K, ql) + 64 * hh + 32 * (kk % 2) + l0, ql);
            transpose16x4(rows, base + offsetof(block_q6_K, qh) + 32 * hh + l0, qh);
            uint8_t* p = pack + (size_t)(16 * i + s16) * kSub16;
            for (int h = 0; h < 4; ++h) {
                const __m512i lo = kk < 2 ? _mm512_and_si512(ql[h], m4) : _mm512_and_si512(_mm512_srli_epi32(ql[h], 4), m4);
                const __m512i hi = _mm512_and_si512(_mm512_srli_epi32(qh[h], 2 * kk), m3);
                _mm512_store_si512(p + 64 * h, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 4)));
            }
        }
        for (int rr = 0; rr < kPackRows; ++rr) {
            const block_q6_K* blk = reinterpret_cast<const block_q6_K*>(rows[rr] + base);
            const float d = half_at(reinterpret_cast<const uint8_t*>(&blk->d));
            for (int s16 = 0; s16 < 16; ++s16) {
                reinterpret_cast<float*>(pack + (size_t)(16 * i + s16) * kSub16 + 256)[rr] = d * blk->scales[s16];
            }
        }
    }
}

// How a packed format meets its activations.
enum PackKind {
    kOffset32,  // Q8_32 activations; integer offset Off per 32 (the activation block sums)
    kMin32,     // Q8_K activations; float min per 32 (against d * sum of 32)
    kOffset16,  // Q8_K activations; integer offset Off per 16 (bsums)
};

// T tokens x the 16 packed rows.
template <int T, int Kind, int Off>
void packed_tile(const uint8_t* pack, const QMatMulArgs& a, int64_t t0, int64_t j, int nr) {
    constexpr int kSubLen = Kind == kOffset16 ? 16 : 32;
    constexpr int kH = kSubLen / 4;
    constexpr size_t kStride = Kind == kOffset16 ? kPackSub / 2 : kPackSub;
    const int64_t nsb = a.xl.k / kSubLen;
    QRows x[T];
    const uint8_t* sums[T];
    for (int t = 0; t < T; ++t) {
        x[t] = qrow(a, t0 + t);
        sums[t] = a.xq + (size_t)(t0 + t) * a.xl.row_bytes + a.xl.sum_offset;
    }
    __m512 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t sb = 0; sb < nsb; ++sb) {
        const uint8_t* p = pack + (size_t)sb * kStride;
        __m512i ia[T];
        for (int t = 0; t < T; ++t) {
            if constexpr (Kind == kOffset32) {
                ia[t] = _mm512_set1_epi32(-Off * reinterpret_cast<const int32_t*>(sums[t])[sb]);
            } else if constexpr (Kind == kOffset16) {
                ia[t] = _mm512_set1_epi32(-Off * reinterpret_cast<const int16_t*>(x[t].aux)[sb]);
            } else {
                ia[t] = _mm512_setzero_si512();
            }
        }
        for (int h = 0; h < kH; ++h) {
            const __m512i v = _mm512_load_si512(p + 64 * h);
            for (int t = 0; t < T; ++t) {
                int32_t xw;
                std::memcpy(&xw, x[t].q + kSubLen * sb + 4 * h, 4);
                ia[t] = _mm512_dpbusd_epi32(ia[t], v, _mm512_set1_epi32(xw));
            }
        }
        const __m512 sv = _mm512_load_ps(p + 64 * kH);
        for (int t = 0; t < T; ++t) {
            const float dx = Kind == kOffset32 ? x[t].d[sb] : Kind == kMin32 ? x[t].d[sb >> 3] : x[t].d[sb >> 4];
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ia[t]), _mm512_mul_ps(sv, _mm512_set1_ps(dx)), acc[t]);
        }
        if constexpr (Kind == kMin32) {
            const __m512 mv = _mm512_load_ps(p + 64 * kH + 64);
            for (int t = 0; t < T; ++t) {
                acc[t] = _mm512_fnmadd_ps(mv, _mm512_set1_ps(reinterpret_cast<const float*>(sums[t])[sb]), acc[t]);
            }
        }
    }
    const __mmask16 mask = (__mmask16)((1u << nr) - 1);
    for (int t = 0; t < T; ++t) {
        float* y = a.y + (size_t)(t0 + t) * a.ldy + j;
        __m512 v = acc[t];
        if (a.accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, y));
        _mm512_mask_storeu_ps(y, mask, v);
    }
}

using PackFn = void (*)(const uint8_t* const* rows, int64_t k, uint8_t* pack);

template <int Kind, int Off>
void packed_gemm(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t* pack, PackFn pack_rows) {
    using Tile = void (*)(const uint8_t*, const QMatMulArgs&, int64_t, int64_t, int);
    static const Tile tiles[8] = {packed_tile<1, Kind, Off>, packed_tile<2, Kind, Off>, packed_tile<3, Kind, Off>,
                                  packed_tile<4, Kind, Off>, packed_tile<5, Kind, Off>, packed_tile<6, Kind, Off>,
                                  packed_tile<7, Kind, Off>, packed_tile<8, Kind, Off>};
    for (int64_t j = j0; j < j1; j += kPackRows) {
        const int nr = (int)min64(kPackRows, j1 - j);
        const uint8_t* rows[kPackRows];
        for (int r = 0; r < kPackRows; ++r) rows[r] = a.w + (size_t)min64(j + r, j1 - 1) * a.w_row_bytes;
        pack_rows(rows, a.xl.k, pack);
        for (int64_t t = 0; t < a.m; t += 8) {
            const int nt = (int)min64(8, a.m - t);
            tiles[nt - 1](pack, a, t, j, nr);
        }
    }
}

void q4_0(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t* pack) {
    if (pack && a.m >= kPackMinTokens) {
        packed_gemm<kOffset32, 8>(a, j0, j1, pack, pack_q4_0);
    } else if (a.m == 1) {
        static const TileFn<QMatMulArgs> one[4][1] = AKUNU_TILES_4x1(q4_0_tile);
        run_tiles(a, j0, j1, one);
    } else {
        static const TileFn<QMatMulArgs> many[4][4] = AKUNU_TILES_4x4(q4_0_tile);
        run_tiles(a, j0, j1, many);
    }
}

void q8_0(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t* pack) {
    if (pack && a.m >= kPackMinTokens) {
        packed_gemm<kOffset32, 128>(a, j0, j1, pack, pack_q8_0);
    } else if (a.m == 1) {
        static const TileFn<QMatMulArgs> one[4][1] = AKUNU_TILES_4x1(q8_0_tile);
        run_tiles(a, j0, j1, one);
    } else {
        static const TileFn<QMatMulArgs> many[4][4] = AKUNU_TILES_4x4(q8_0_tile);
        run_tiles(a, j0, j1, many);
    }
}

void q4_k(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t* pack) {
    if (pack && a.m >= kPackMinTokens) {
        packed_gemm<kMin32, 0>(a, j0, j1, pack, pack_q4_k);
    } else {
        q4_k_tiles(a, j0, j1, pack);
    }
}

void q6_k_packed(const QMatMulArgs& a, int64_t j0, int64_t j1, uint8_t* pack) {
    if (pack && a.m >= kPackMinTokens) {
        packed_gemm<kOffset16, 32>(a, j0, j1, pack, pack_q6_k);
    } else {
        q6_k(a, j0, j1, pack);
    }
}

}  // namespace

const MatMulKernels* matmul_kernels_avx512() {
    static const MatMulKernels k = {
        "avx512", quantize_q8_32, quantize_q8_k, q4_0, q8_0, q4_k, q6_k_packed, f32, f16, bf16,
        dequant_q4_0, dequant_q8_0, dequant_q4_k, dequant_q6_k, dot,
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
