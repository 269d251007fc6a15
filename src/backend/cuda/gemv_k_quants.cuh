// GEMV (one token) for the K-quants (256-element super-blocks). A lane's unit is the part of a
// super-block whose quant bytes nothing else shares, so each byte is loaded once:
//   Q2_K, Q3_K, Q6_K: one half (128 elements: 32 quant bytes hold 4 x 32 elements, 2 bits or
//                     4+2 bits each), 2 units per super-block;
//   Q4_K, Q5_K:       one 64-element chunk (32 quant bytes, low nibbles then high nibbles),
//                     4 units per super-block.
// Within a unit, each 16- or 32-element sub-block is summed as scale * sum(q * x) - min * sum(x).
#pragma once

#include "backend/cuda/gemv_common.cuh"

namespace akunu::cuda {

template <>
struct DotUnit<DType::Q2_K> {
    static constexpr int kElems = 128;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)(u >> 1) * 84;
        const int h = u & 1;
        const uint32_t dd = ld_u32(b + 80);
        const float d = h2f((uint16_t)dd), dmin = h2f((uint16_t)(dd >> 16));
        uint8_t sc[8], q[32];
        load_bytes<4>(b + 8 * h, sc);
        load_bytes<4>(b + 16 + 32 * h, q);
        const float* x0 = x + (size_t)(u >> 1) * 256 + 128 * h;
        float total = 0.0f;
#pragma unroll
        for (int k = 0; k < 4; ++k) {
            float xs[32];
            load_f32(x0 + 32 * k, xs);
#pragma unroll
            for (int half = 0; half < 2; ++half) {
                float sq = 0.0f, sx = 0.0f;
#pragma unroll
                for (int l = 16 * half; l < 16 * half + 16; ++l) {
                    sq += (float)((q[l] >> (2 * k)) & 3) * xs[l];
                    sx += xs[l];
                }
                const uint8_t s = sc[2 * k + half];
                total += d * (float)(s & 0xF) * sq - dmin * (float)(s >> 4) * sx;
            }
        }
        return total;
    }
};

template <int H>
AKUNU_HD float q3k_half_dot(const uint8_t* __restrict__ b, const float* __restrict__ x0) {
    const float d = h2f(ld_u16(b + 108));
    uint8_t hm[32], q[32], sc[12];
    load_bytes<2>(b, hm);
    load_bytes<2>(b + 32 + 32 * H, q);
    load_bytes<2>(b + 96, sc);
    float total = 0.0f;
#pragma unroll
    for (int k = 0; k < 4; ++k) {
        float xs[32];
        load_f32(x0 + 32 * k, xs);
#pragma unroll
        for (int half = 0; half < 2; ++half) {
            float sq = 0.0f;
#pragma unroll
            for (int l = 16 * half; l < 16 * half + 16; ++l) {
                const int v = ((q[l] >> (2 * k)) & 3) - (((hm[l] >> (4 * H + k)) & 1) ? 0 : 4);
                sq += (float)v * xs[l];
            }
            total += d * (float)(q3k_scale6(8 * H + 2 * k + half, sc) - 32) * sq;
        }
    }
    return total;
}

template <>
struct DotUnit<DType::Q3_K> {
    static constexpr int kElems = 128;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)(u >> 1) * 110;
        const float* x0 = x + (size_t)(u >> 1) * 256 + 128 * (u & 1);
        return (u & 1) ? q3k_half_dot<1>(b, x0) : q3k_half_dot<0>(b, x0);
    }
};

// Q4_K and Q5_K: chunk c of a super-block = sub-blocks 2c (low nibbles) and 2c+1 (high nibbles).
template <bool FIVE>
AKUNU_HD float q45k_chunk_dot(const uint8_t* __restrict__ b, int c, const float* __restrict__ x0) {
    const uint32_t dd = ld_u32(b);
    const float d = h2f((uint16_t)dd), dmin = h2f((uint16_t)(dd >> 16));
    const uint32_t w0 = ld_u32(b + 4), w1 = ld_u32(b + 8), w2 = ld_u32(b + 12);
    float sc1, m1, sc2, m2;
    k_scale_min_regs(2 * c, w0, w1, w2, &sc1, &m1);
    k_scale_min_regs(2 * c + 1, w0, w1, w2, &sc2, &m2);
    uint8_t q[32], qh[32];
    load_bytes<16>(b + (FIVE ? 48 : 16) + 32 * c, q);
    if constexpr (FIVE) load_bytes<16>(b + 16, qh);
    float sq1 = 0.0f, sx1 = 0.0f, sq2 = 0.0f, sx2 = 0.0f;
#pragma unroll
    for (int part = 0; part < 2; ++part) {
        float xa[16], xb[16];
        load_f32(x0 + 16 * part, xa);
        load_f32(x0 + 32 + 16 * part, xb);
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            const int l = 16 * part + j;
            int lo = q[l] & 0xF, hi = q[l] >> 4;
            if constexpr (FIVE) {
                lo += ((qh[l] >> (2 * c)) & 1) << 4;
                hi += ((qh[l] >> (2 * c + 1)) & 1) << 4;
            }
            sq1 += (float)lo * xa[j];
            sx1 += xa[j];
            sq2 += (float)hi * xb[j];
            sx2 += xb[j];
        }
    }
    return d * sc1 * sq1 - dmin * m1 * sx1 + d * sc2 * sq2 - dmin * m2 * sx2;
}

template <>
struct DotUnit<DType::Q4_K> {
    static constexpr int kElems = 64;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const int c = u & 3;
        return q45k_chunk_dot<false>(row + (size_t)(u >> 2) * 144, c, x + (size_t)(u >> 2) * 256 + 64 * c);
    }
};

template <>
struct DotUnit<DType::Q5_K> {
    static constexpr int kElems = 64;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const int c = u & 3;
        return q45k_chunk_dot<true>(row + (size_t)(u >> 2) * 176, c, x + (size_t)(u >> 2) * 256 + 64 * c);
    }
};

template <>
struct DotUnit<DType::Q6_K> {
    static constexpr int kElems = 128;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)(u >> 1) * 210;
        const int h = u & 1;
        const float d = h2f(ld_u16(b + 208));
        uint8_t sc[8], qh[32];
        load_bytes<2>(b + 192 + 8 * h, sc);
        load_bytes<2>(b + 128 + 32 * h, qh);
        const float* x0 = x + (size_t)(u >> 1) * 256 + 128 * h;
        float total = 0.0f;
#pragma unroll
        for (int kk = 0; kk < 2; ++kk) {
            uint8_t ql[32];
            load_bytes<2>(b + 64 * h + 32 * kk, ql);
#pragma unroll
            for (int k = kk; k < 4; k += 2) {
                float xs[32];
                load_f32(x0 + 32 * k, xs);
                const int shift = 4 * (k >> 1);
#pragma unroll
                for (int half = 0; half < 2; ++half) {
                    float sq = 0.0f;
#pragma unroll
                    for (int l = 16 * half; l < 16 * half + 16; ++l) {
                        const int v = (((ql[l] >> shift) & 0xF) | (((qh[l] >> (2 * k)) & 3) << 4)) - 32;
                        sq += (float)v * xs[l];
                    }
                    total += d * (float)(int8_t)sc[2 * k + half] * sq;
                }
            }
        }
        return total;
    }
};

}  // namespace akunu::cuda
