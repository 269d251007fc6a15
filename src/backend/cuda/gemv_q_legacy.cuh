// GEMV (one token) for the 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0: a lane takes a whole
// block (18-34 bytes), multiplies the integer levels by x in f32 and applies the block scale once:
// d * sum(q * x) (+ m * sum(x) for the _1 types). Equal to the reference's dequantize-then-dot up to
// f32 summation order.
#pragma once

#include "backend/cuda/gemv_common.cuh"

namespace akunu::cuda {

template <>
struct DotUnit<DType::Q4_0> {
    static constexpr int kElems = 32;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)u * 18;
        uint8_t q[16];
        load_bytes<2>(b + 2, q);
        float xs[32];
        load_f32(x + 32 * u, xs);
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            s += (float)((q[j] & 0x0F) - 8) * xs[j];
            s += (float)((q[j] >> 4) - 8) * xs[j + 16];
        }
        return h2f(ld_u16(b)) * s;
    }
};

template <>
struct DotUnit<DType::Q4_1> {
    static constexpr int kElems = 32;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)u * 20;
        const uint32_t dm = ld_u32(b);
        uint8_t q[16];
        load_bytes<4>(b + 4, q);
        float xs[32];
        load_f32(x + 32 * u, xs);
        float s = 0.0f, sx = 0.0f;
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            s += (float)(q[j] & 0x0F) * xs[j];
            s += (float)(q[j] >> 4) * xs[j + 16];
            sx += xs[j] + xs[j + 16];
        }
        return h2f((uint16_t)dm) * s + h2f((uint16_t)(dm >> 16)) * sx;
    }
};

template <>
struct DotUnit<DType::Q5_0> {
    static constexpr int kElems = 32;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)u * 22;
        const uint32_t qh = (uint32_t)ld_u16(b + 2) | ((uint32_t)ld_u16(b + 4) << 16);
        uint8_t q[16];
        load_bytes<2>(b + 6, q);
        float xs[32];
        load_f32(x + 32 * u, xs);
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            s += (float)(((q[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4)) - 16) * xs[j];
            s += (float)(((q[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4)) - 16) * xs[j + 16];
        }
        return h2f(ld_u16(b)) * s;
    }
};

template <>
struct DotUnit<DType::Q5_1> {
    static constexpr int kElems = 32;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)u * 24;
        const uint32_t dm = ld_u32(b);
        const uint32_t qh = ld_u32(b + 4);
        uint8_t q[16];
        load_bytes<8>(b + 8, q);
        float xs[32];
        load_f32(x + 32 * u, xs);
        float s = 0.0f, sx = 0.0f;
#pragma unroll
        for (int j = 0; j < 16; ++j) {
            s += (float)((q[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4)) * xs[j];
            s += (float)((q[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4)) * xs[j + 16];
            sx += xs[j] + xs[j + 16];
        }
        return h2f((uint16_t)dm) * s + h2f((uint16_t)(dm >> 16)) * sx;
    }
};

template <>
struct DotUnit<DType::Q8_0> {
    static constexpr int kElems = 32;
    AKUNU_HD static float dot(const uint8_t* __restrict__ row, int u, const float* __restrict__ x) {
        const uint8_t* b = row + (size_t)u * 34;
        uint8_t q[32];
        load_bytes<2>(b + 2, q);
        float xs[32];
        load_f32(x + 32 * u, xs);
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 32; ++j) s += (float)(int8_t)q[j] * xs[j];
        return h2f(ld_u16(b)) * s;
    }
};

}  // namespace akunu::cuda
