// Device-side decoding of every registry type, bit-exact with the reference dequantizers
// (format/dtype_*.cpp): the same formulas with the same rounding (explicit __fmul_rn / __fadd_rn
// where the reference does a multiply then an add, so nvcc cannot fuse them into an FMA).
// Element orders are the ones documented in format/quant_blocks.h.
//
//   dense_elem<T>(row, i)     element i of an F32 / F16 / BF16 row
//   deq32<T>(row, u, out)     elements 32u .. 32u+31 of a quantized row (a 32-block, or one
//                             32-element sub-block of a K-quant super-block)
//
// Alignment: the backend checks in prepare() that every weight tensor starts 16-byte aligned, so a
// block at a multiple of its size is as aligned as its size allows (Q4_K/Q5_K 16, Q5_1 8, Q4_1/Q2_K 4,
// the others 2); load_bytes<ALIGN> uses the widest load that alignment permits.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "format/dtype.h"
#include "backend/cuda/cuda_common.cuh"
#include "core/half.h"
#include "format/quant_blocks.h"

namespace akunu::cuda {

AKUNU_HD float h2f(uint16_t h) {
#ifdef __CUDA_ARCH__
    return __half2float(__ushort_as_half(h));
#else
    return fp16_to_fp32(h);
#endif
}
AKUNU_HD float bf2f(uint16_t b) {
#ifdef __CUDA_ARCH__
    return __uint_as_float((uint32_t)b << 16);
#else
    return bf16_to_fp32(b);
#endif
}
AKUNU_HD uint16_t ld_u16(const uint8_t* p) { return *reinterpret_cast<const uint16_t*>(p); }
AKUNU_HD uint32_t ld_u32(const uint8_t* p) { return *reinterpret_cast<const uint32_t*>(p); }

// N bytes at p (N a multiple of ALIGN) into registers, with loads of ALIGN bytes.
template <int ALIGN, int N>
AKUNU_HD void load_bytes(const uint8_t* __restrict__ p, uint8_t (&dst)[N]) {
    static_assert(N % ALIGN == 0, "whole loads only");
    if constexpr (ALIGN >= 16) {
#pragma unroll
        for (int i = 0; i < N / 16; ++i) {
            const uint4 v = reinterpret_cast<const uint4*>(p)[i];
            const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
            for (int j = 0; j < 16; ++j) dst[16 * i + j] = (uint8_t)(w[j / 4] >> (8 * (j % 4)));
        }
    } else if constexpr (ALIGN >= 8) {
#pragma unroll
        for (int i = 0; i < N / 8; ++i) {
            const uint2 v = reinterpret_cast<const uint2*>(p)[i];
#pragma unroll
            for (int j = 0; j < 8; ++j) dst[8 * i + j] = (uint8_t)((j < 4 ? v.x : v.y) >> (8 * (j % 4)));
        }
    } else if constexpr (ALIGN >= 4) {
#pragma unroll
        for (int i = 0; i < N / 4; ++i) {
            const uint32_t v = ld_u32(p + 4 * i);
#pragma unroll
            for (int j = 0; j < 4; ++j) dst[4 * i + j] = (uint8_t)(v >> (8 * j));
        }
    } else {
#pragma unroll
        for (int i = 0; i < N / 2; ++i) {
            const uint16_t v = ld_u16(p + 2 * i);
            dst[2 * i] = (uint8_t)v;
            dst[2 * i + 1] = (uint8_t)(v >> 8);
        }
    }
}

template <DType T>
struct TypeInfo;
#define AKUNU_TYPE_INFO(T, BLOCK, BYTES, ALIGN) \
    template <>                                 \
    struct TypeInfo<DType::T> {                 \
        static constexpr int kBlock = BLOCK;    \
        static constexpr int kBytes = BYTES;    \
        static constexpr int kAlign = ALIGN;    \
    };
AKUNU_TYPE_INFO(F32, 1, 4, 4)
AKUNU_TYPE_INFO(F16, 1, 2, 2)
AKUNU_TYPE_INFO(BF16, 1, 2, 2)
AKUNU_TYPE_INFO(Q4_0, 32, 18, 2)
AKUNU_TYPE_INFO(Q4_1, 32, 20, 4)
AKUNU_TYPE_INFO(Q5_0, 32, 22, 2)
AKUNU_TYPE_INFO(Q5_1, 32, 24, 8)
AKUNU_TYPE_INFO(Q8_0, 32, 34, 2)
AKUNU_TYPE_INFO(Q2_K, 256, 84, 4)
AKUNU_TYPE_INFO(Q3_K, 256, 110, 2)
AKUNU_TYPE_INFO(Q4_K, 256, 144, 16)
AKUNU_TYPE_INFO(Q5_K, 256, 176, 16)
AKUNU_TYPE_INFO(Q6_K, 256, 210, 2)
#undef AKUNU_TYPE_INFO

static_assert(TypeInfo<DType::Q4_0>::kBytes == sizeof(block_q4_0) && TypeInfo<DType::Q4_1>::kBytes == sizeof(block_q4_1) &&
                  TypeInfo<DType::Q5_0>::kBytes == sizeof(block_q5_0) &&
                  TypeInfo<DType::Q5_1>::kBytes == sizeof(block_q5_1) &&
                  TypeInfo<DType::Q8_0>::kBytes == sizeof(block_q8_0) &&
                  TypeInfo<DType::Q2_K>::kBytes == sizeof(block_q2_K) &&
                  TypeInfo<DType::Q3_K>::kBytes == sizeof(block_q3_K) &&
                  TypeInfo<DType::Q4_K>::kBytes == sizeof(block_q4_K) &&
                  TypeInfo<DType::Q5_K>::kBytes == sizeof(block_q5_K) &&
                  TypeInfo<DType::Q6_K>::kBytes == sizeof(block_q6_K),
              "block sizes agree with format/quant_blocks.h");

template <DType T>
constexpr bool kIsDense = TypeInfo<T>::kBlock == 1;

// ---------------------------------------------------------------- dense rows

template <DType T>
AKUNU_HD float dense_elem(const uint8_t* __restrict__ row, int i) {
    if constexpr (T == DType::F32) return reinterpret_cast<const float*>(row)[i];
    if constexpr (T == DType::F16) return h2f(reinterpret_cast<const uint16_t*>(row)[i]);
    if constexpr (T == DType::BF16) return bf2f(reinterpret_cast<const uint16_t*>(row)[i]);
    return 0.0f;
}

// ---------------------------------------------------------------- 32-element decoders

template <DType T>
AKUNU_HD void deq32(const uint8_t* __restrict__ row, int u, float (&out)[32]);

template <>
AKUNU_HD void deq32<DType::Q4_0>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)u * 18;
    const float d = h2f(ld_u16(b));
    uint8_t q[16];
    load_bytes<2>(b + 2, q);
#pragma unroll
    for (int j = 0; j < 16; ++j) {
        out[j] = (float)((q[j] & 0x0F) - 8) * d;
        out[j + 16] = (float)((q[j] >> 4) - 8) * d;
    }
}

template <>
AKUNU_HD void deq32<DType::Q4_1>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)u * 20;
    const uint32_t dm = ld_u32(b);
    const float d = h2f((uint16_t)dm), m = h2f((uint16_t)(dm >> 16));
    uint8_t q[16];
    load_bytes<4>(b + 4, q);
#pragma unroll
    for (int j = 0; j < 16; ++j) {
        out[j] = fadd_rn(fmul_rn((float)(q[j] & 0x0F), d), m);
        out[j + 16] = fadd_rn(fmul_rn((float)(q[j] >> 4), d), m);
    }
}

template <>
AKUNU_HD void deq32<DType::Q5_0>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)u * 22;
    const float d = h2f(ld_u16(b));
    const uint32_t qh = (uint32_t)ld_u16(b + 2) | ((uint32_t)ld_u16(b + 4) << 16);
    uint8_t q[16];
    load_bytes<2>(b + 6, q);
#pragma unroll
    for (int j = 0; j < 16; ++j) {
        const int v0 = ((q[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4)) - 16;
        const int v1 = ((q[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4)) - 16;
        out[j] = (float)v0 * d;
        out[j + 16] = (float)v1 * d;
    }
}

template <>
AKUNU_HD void deq32<DType::Q5_1>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)u * 24;
    const uint32_t dm = ld_u32(b);
    const float d = h2f((uint16_t)dm), m = h2f((uint16_t)(dm >> 16));
    const uint32_t qh = ld_u32(b + 4);
    uint8_t q[16];
    load_bytes<8>(b + 8, q);
#pragma unroll
    for (int j = 0; j < 16; ++j) {
        const int v0 = (q[j] & 0x0F) | (int)(((qh >> j) & 1u) << 4);
        const int v1 = (q[j] >> 4) | (int)(((qh >> (j + 16)) & 1u) << 4);
        out[j] = fadd_rn(fmul_rn((float)v0, d), m);
        out[j + 16] = fadd_rn(fmul_rn((float)v1, d), m);
    }
}

template <>
AKUNU_HD void deq32<DType::Q8_0>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)u * 34;
    const float d = h2f(ld_u16(b));
    uint8_t q[32];
    load_bytes<2>(b + 2, q);
#pragma unroll
    for (int j = 0; j < 32; ++j) out[j] = (float)(int8_t)q[j] * d;
}

// K-quants: sub-block s = u % 8 of super-block u / 8.

template <>
AKUNU_HD void deq32<DType::Q2_K>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)(u >> 3) * 84;
    const int s = u & 7, h = s >> 2, k = s & 3;
    const uint32_t dd = ld_u32(b + 80);
    const float d = h2f((uint16_t)dd), dmin = h2f((uint16_t)(dd >> 16));
    uint8_t q[32];
    load_bytes<4>(b + 16 + 32 * h, q);
    const uint16_t sc2 = ld_u16(b + 8 * h + 2 * k);  // scales of l < 16 and l >= 16
#pragma unroll
    for (int half = 0; half < 2; ++half) {
        const uint8_t sc = (uint8_t)(sc2 >> (8 * half));
        const float dl = d * (float)(sc & 0xF);
        const float ml = dmin * (float)(sc >> 4);
#pragma unroll
        for (int l = 16 * half; l < 16 * half + 16; ++l) {
            out[l] = fsub_rn(fmul_rn(dl, (float)((q[l] >> (2 * k)) & 3)), ml);
        }
    }
}

template <>
AKUNU_HD void deq32<DType::Q3_K>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)(u >> 3) * 110;
    const int s = u & 7, h = s >> 2, k = s & 3;
    const float d = h2f(ld_u16(b + 108));
    uint8_t hm[32], q[32], sc[12];
    load_bytes<2>(b, hm);
    load_bytes<2>(b + 32 + 32 * h, q);
    load_bytes<2>(b + 96, sc);
    const int bit = 4 * h + k;
#pragma unroll
    for (int half = 0; half < 2; ++half) {
        const float dl = d * (float)(q3k_scale6(8 * h + 2 * k + half, sc) - 32);
#pragma unroll
        for (int l = 16 * half; l < 16 * half + 16; ++l) {
            const int v = ((q[l] >> (2 * k)) & 3) - (((hm[l] >> bit) & 1) ? 0 : 4);
            out[l] = dl * (float)v;
        }
    }
}

template <>
AKUNU_HD void deq32<DType::Q4_K>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)(u >> 3) * 144;
    const int s = u & 7, c = s >> 1, hi = s & 1;
    const uint32_t dd = ld_u32(b);
    const float d = h2f((uint16_t)dd), dmin = h2f((uint16_t)(dd >> 16));
    uint8_t q[32];
    load_bytes<16>(b + 16 + 32 * c, q);
    float sc, m;
    k_scale_min_regs(s, ld_u32(b + 4), ld_u32(b + 8), ld_u32(b + 12), &sc, &m);
    const float d1 = d * sc, m1 = dmin * m;
#pragma unroll
    for (int l = 0; l < 32; ++l) {
        const int v = hi ? (q[l] >> 4) : (q[l] & 0xF);
        out[l] = fsub_rn(fmul_rn(d1, (float)v), m1);
    }
}

template <>
AKUNU_HD void deq32<DType::Q5_K>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)(u >> 3) * 176;
    const int s = u & 7, c = s >> 1, hi = s & 1;
    const uint32_t dd = ld_u32(b);
    const float d = h2f((uint16_t)dd), dmin = h2f((uint16_t)(dd >> 16));
    uint8_t qh[32], q[32];
    load_bytes<16>(b + 16, qh);
    load_bytes<16>(b + 48 + 32 * c, q);
    float sc, m;
    k_scale_min_regs(s, ld_u32(b + 4), ld_u32(b + 8), ld_u32(b + 12), &sc, &m);
    const float d1 = d * sc, m1 = dmin * m;
    const int bit = 2 * c + hi;
#pragma unroll
    for (int l = 0; l < 32; ++l) {
        const int v = (hi ? (q[l] >> 4) : (q[l] & 0xF)) + (((qh[l] >> bit) & 1) ? 16 : 0);
        out[l] = fsub_rn(fmul_rn(d1, (float)v), m1);
    }
}

template <>
AKUNU_HD void deq32<DType::Q6_K>(const uint8_t* __restrict__ row, int u, float (&out)[32]) {
    const uint8_t* b = row + (size_t)(u >> 3) * 210;
    const int s = u & 7, h = s >> 2, k = s & 3;
    const float d = h2f(ld_u16(b + 208));
    uint8_t ql[32], qh[32];
    load_bytes<2>(b + 64 * h + 32 * (k & 1), ql);
    load_bytes<2>(b + 128 + 32 * h, qh);
    const uint16_t sc2 = ld_u16(b + 192 + 8 * h + 2 * k);
    const int shift = 4 * (k >> 1);
#pragma unroll
    for (int half = 0; half < 2; ++half) {
        const float ds = d * (float)(int8_t)(sc2 >> (8 * half));
#pragma unroll
        for (int l = 16 * half; l < 16 * half + 16; ++l) {
            const int v = (((ql[l] >> shift) & 0xF) | (((qh[l] >> (2 * k)) & 3) << 4)) - 32;
            out[l] = ds * (float)v;
        }
    }
}

// ---------------------------------------------------------------- type dispatch

// Calls F.template operator()<DType::X>() for the runtime type; returns false for an unknown type.
template <class F>
bool dispatch_dtype(DType t, F&& f) {
    switch (t) {
        case DType::F32: f.template operator()<DType::F32>(); return true;
        case DType::F16: f.template operator()<DType::F16>(); return true;
        case DType::BF16: f.template operator()<DType::BF16>(); return true;
        case DType::Q4_0: f.template operator()<DType::Q4_0>(); return true;
        case DType::Q4_1: f.template operator()<DType::Q4_1>(); return true;
        case DType::Q5_0: f.template operator()<DType::Q5_0>(); return true;
        case DType::Q5_1: f.template operator()<DType::Q5_1>(); return true;
        case DType::Q8_0: f.template operator()<DType::Q8_0>(); return true;
        case DType::Q2_K: f.template operator()<DType::Q2_K>(); return true;
        case DType::Q3_K: f.template operator()<DType::Q3_K>(); return true;
        case DType::Q4_K: f.template operator()<DType::Q4_K>(); return true;
        case DType::Q5_K: f.template operator()<DType::Q5_K>(); return true;
        case DType::Q6_K: f.template operator()<DType::Q6_K>(); return true;
    }
    return false;
}

}  // namespace akunu::cuda
