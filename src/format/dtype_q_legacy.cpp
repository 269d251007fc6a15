// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0: 32-element blocks with one half scale (and a half min for _1).
//
// The quantizers are the plain round-to-nearest scheme that GGML's reference path (and so
// llama-quantize without an importance matrix) uses, so files we write are byte-identical:
//   _0 types: the element of largest magnitude, with its sign, maps to the lowest level
//             (d = max / -8 for Q4_0, max / -16 for Q5_0); level = trunc(x / d + offset + 0.5).
//   _1 types: d = (max - min) / (levels - 1), m = min; level = trunc((x - min) / d + 0.5).
//   Q8_0:     d = amax / 127, level = round-half-away(x / d).
// The reciprocal 1/d is taken in fp32 before d is rounded to half, as the reference does.
// One deliberate difference: a scale or min beyond the half range is stored as +-65504 rather
// than as infinity (the reference would write inf and every value would decode to inf/NaN);
// inside the half range the bytes are identical.
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "format/quant_blocks.h"

namespace akunu::ref {

namespace {

// float -> int truncating toward zero, like a C cast, but defined for NaN/huge values
// (which only occur for non-finite input): those give 0 or the nearest bound.
inline int trunc_int(float v, int lo, int hi) {
    if (!(v == v)) return lo;  // NaN
    if (v <= (float)lo) return lo;
    if (v >= (float)hi) return hi;
    return (int)v;
}

// Largest |x| and the signed value that has it (the first one on ties).
inline void signed_absmax(const float* x, int n, float* amax_out, float* max_out) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; ++j) {
        const float v = x[j];
        if (amax < std::fabs(v)) {
            amax = std::fabs(v);
            max = v;
        }
    }
    *amax_out = amax;
    *max_out = max;
}

// d or m as stored: half, saturated to the finite half range.
inline uint16_t to_half(float v) {
    if (v > 65504.0f) v = 65504.0f;
    if (v < -65504.0f) v = -65504.0f;
    return fp32_to_fp16(v);
}

inline void min_max(const float* x, int n, float* mn, float* mx) {
    float lo = x[0], hi = x[0];
    for (int j = 1; j < n; ++j) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

}  // namespace

// ---------------------------------------------------------------- Q4_0

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
    const block_q4_0* b = static_cast<const block_q4_0*>(src);
    const int64_t nb = n / QK4_0;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        float* y = dst + i * QK4_0;
        for (int j = 0; j < QK4_0 / 2; ++j) {
            const int v0 = (b[i].qs[j] & 0x0F) - 8;
            const int v1 = (b[i].qs[j] >> 4) - 8;
            y[j] = v0 * d;
            y[j + QK4_0 / 2] = v1 * d;
        }
    }
}

void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
    block_q4_0* b = static_cast<block_q4_0*>(dst);
    const int64_t nb = n / QK4_0;
    for (int64_t i = 0; i < nb; ++i) {
        const float* x = src + i * QK4_0;
        float amax, max;
        signed_absmax(x, QK4_0, &amax, &max);
        const float d = max / -8;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = to_half(d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            const int q0 = trunc_int(x[j] * id + 8.5f, 0, 15);
            const int q1 = trunc_int(x[j + QK4_0 / 2] * id + 8.5f, 0, 15);
            b[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

// ---------------------------------------------------------------- Q4_1

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
    const block_q4_1* b = static_cast<const block_q4_1*>(src);
    const int64_t nb = n / QK4_1;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        const float m = fp16_to_fp32(b[i].m);
        float* y = dst + i * QK4_1;
        for (int j = 0; j < QK4_1 / 2; ++j) {
            const int v0 = b[i].qs[j] & 0x0F;
            const int v1 = b[i].qs[j] >> 4;
            y[j] = v0 * d + m;
            y[j + QK4_1 / 2] = v1 * d + m;
        }
    }
}

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
    block_q4_1* b = static_cast<block_q4_1*>(dst);
    const int64_t nb = n / QK4_1;
    for (int64_t i = 0; i < nb; ++i) {
        const float* x = src + i * QK4_1;
        float mn, mx;
        min_max(x, QK4_1, &mn, &mx);
        const float d = (mx - mn) / 15;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = to_half(d);
        b[i].m = to_half(mn);
        for (int j = 0; j < QK4_1 / 2; ++j) {
            const int q0 = trunc_int((x[j] - mn) * id + 0.5f, 0, 15);
            const int q1 = trunc_int((x[j + QK4_1 / 2] - mn) * id + 0.5f, 0, 15);
            b[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

// ---------------------------------------------------------------- Q5_0

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
    const block_q5_0* b = static_cast<const block_q5_0*>(src);
    const int64_t nb = n / QK5_0;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        uint32_t qh;
        std::memcpy(&qh, b[i].qh, 4);
        float* y = dst + i * QK5_0;
        for (int j = 0; j < QK5_0 / 2; ++j) {
            const int h0 = (int)((qh >> j) & 1u) << 4;
            const int h1 = (int)((qh >> (j + QK5_0 / 2)) & 1u) << 4;
            const int v0 = ((b[i].qs[j] & 0x0F) | h0) - 16;
            const int v1 = ((b[i].qs[j] >> 4) | h1) - 16;
            y[j] = v0 * d;
            y[j + QK5_0 / 2] = v1 * d;
        }
    }
}

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
    block_q5_0* b = static_cast<block_q5_0*>(dst);
    const int64_t nb = n / QK5_0;
    for (int64_t i = 0; i < nb; ++i) {
        const float* x = src + i * QK5_0;
        float amax, max;
        signed_absmax(x, QK5_0, &amax, &max);
        const float d = max / -16;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = to_half(d);
        uint32_t qh = 0;
        for (int j = 0; j < QK5_0 / 2; ++j) {
            const int q0 = trunc_int(x[j] * id + 16.5f, 0, 31);
            const int q1 = trunc_int(x[j + QK5_0 / 2] * id + 16.5f, 0, 31);
            b[i].qs[j] = (uint8_t)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= (uint32_t)((q0 >> 4) & 1) << j;
            qh |= (uint32_t)((q1 >> 4) & 1) << (j + QK5_0 / 2);
        }
        std::memcpy(b[i].qh, &qh, 4);
    }
}

// ---------------------------------------------------------------- Q5_1

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
    const block_q5_1* b = static_cast<const block_q5_1*>(src);
    const int64_t nb = n / QK5_1;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        const float m = fp16_to_fp32(b[i].m);
        uint32_t qh;
        std::memcpy(&qh, b[i].qh, 4);
        float* y = dst + i * QK5_1;
        for (int j = 0; j < QK5_1 / 2; ++j) {
            const int h0 = (int)((qh >> j) & 1u) << 4;
            const int h1 = (int)((qh >> (j + QK5_1 / 2)) & 1u) << 4;
            const int v0 = (b[i].qs[j] & 0x0F) | h0;
            const int v1 = (b[i].qs[j] >> 4) | h1;
            y[j] = v0 * d + m;
            y[j + QK5_1 / 2] = v1 * d + m;
        }
    }
}

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
    block_q5_1* b = static_cast<block_q5_1*>(dst);
    const int64_t nb = n / QK5_1;
    for (int64_t i = 0; i < nb; ++i) {
        const float* x = src + i * QK5_1;
        float mn, mx;
        min_max(x, QK5_1, &mn, &mx);
        const float d = (mx - mn) / 31;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = to_half(d);
        b[i].m = to_half(mn);
        uint32_t qh = 0;
        for (int j = 0; j < QK5_1 / 2; ++j) {
            const int q0 = trunc_int((x[j] - mn) * id + 0.5f, 0, 31);
            const int q1 = trunc_int((x[j + QK5_1 / 2] - mn) * id + 0.5f, 0, 31);
            b[i].qs[j] = (uint8_t)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= (uint32_t)((q0 >> 4) & 1) << j;
            qh |= (uint32_t)((q1 >> 4) & 1) << (j + QK5_1 / 2);
        }
        std::memcpy(b[i].qh, &qh, 4);
    }
}

// ---------------------------------------------------------------- Q8_0

void dequantize_row_q8_0(const void* src, float* dst, int64_t n) {
    const block_q8_0* b = static_cast<const block_q8_0*>(src);
    const int64_t nb = n / QK8_0;
    for (int64_t i = 0; i < nb; ++i) {
        const float d = fp16_to_fp32(b[i].d);
        float* y = dst + i * QK8_0;
        for (int j = 0; j < QK8_0; ++j) y[j] = b[i].qs[j] * d;
    }
}

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
    block_q8_0* b = static_cast<block_q8_0*>(dst);
    const int64_t nb = n / QK8_0;
    for (int64_t i = 0; i < nb; ++i) {
        const float* x = src + i * QK8_0;
        float amax = 0.0f;
        for (int j = 0; j < QK8_0; ++j) amax = std::fmax(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = to_half(d);
        for (int j = 0; j < QK8_0; ++j) {
            const float r = std::round(x[j] * id);  // half away from zero
            b[i].qs[j] = (int8_t)trunc_int(r, -127, 127);
        }
    }
}

}  // namespace akunu::ref
