// Bit-exact block layouts of the GGML quantized types, shared by the reference
// (de)quantizers, the CPU kernels and the CUDA kernels. Plain C++ (no STL beyond
// <cstdint>) so that nvcc can include it. Every 16-bit scale is an IEEE half
// stored as its raw bits (see core/half.h for the conversions).
//
// Element order inside a block (what each kernel must reproduce):
//   Q4_0/Q4_1:  qs[j] low nibble = element j, high nibble = element j+16 (j < 16).
//   Q5_0/Q5_1:  as Q4_x for the low 4 bits; bit 4 of element e is bit e of qh (little-endian u32).
//   Q8_0:       qs[e] = element e.
//   Q2_K:       element 128*h + 32*k + l (h<2, k<4, l<32) is bits 2k..2k+1 of qs[32*h + l];
//               its sub-block (16 elements) is e/16; scales[s] = scale(low 4 bits) | min(high 4 bits).
//               value = d * scale * q - dmin * min.
//   Q3_K:       low 2 bits as Q2_K; bit 2 is bit (4*h + k) of hmask[l]; value = d * (s6 - 32) * (q - 4),
//               s6 = 6-bit scale of sub-block e/16: low 4 bits are scales[s] (s<8) low nibble or
//               scales[s-8] high nibble (s>=8), high 2 bits are bits 2*(s/4).. of scales[8 + s%4].
//   Q4_K:       element 64*c + l (c<4, l<32) is the low nibble of qs[32*c + l], element 64*c + 32 + l the
//               high nibble; sub-block (32 elements) is e/32; value = d * sc * q - dmin * m, with the
//               6-bit sc/m packed in 12 bytes (see k_scale_min below).
//   Q5_K:       as Q4_K plus bit 4: element 64*c + l -> bit 2c of qh[l], 64*c + 32 + l -> bit 2c+1.
//   Q6_K:       element 128*h + 32*k + l (h<2, k<4, l<32): low 4 bits are the low (k<2) or high (k>=2)
//               nibble of ql[64*h + 32*(k%2) + l], high 2 bits are bits 2k.. of qh[32*h + l];
//               value = d * scales[e/16] * (q - 32).
#pragma once

#include <cstdint>

namespace akunu {

constexpr int QK4_0 = 32;
constexpr int QK4_1 = 32;
constexpr int QK5_0 = 32;
constexpr int QK5_1 = 32;
constexpr int QK8_0 = 32;
constexpr int QK_K = 256;       // super-block size of the K quants
constexpr int K_SCALE_SIZE = 12;  // bytes of packed 6-bit scales (Q3_K, Q4_K, Q5_K)

struct block_q4_0 {
    uint16_t d;              // scale (half)
    uint8_t qs[QK4_0 / 2];   // 4-bit quants, value = (q - 8) * d
};
static_assert(sizeof(block_q4_0) == 18, "block_q4_0 size");

struct block_q4_1 {
    uint16_t d;              // scale (half)
    uint16_t m;              // min (half), value = q * d + m
    uint8_t qs[QK4_1 / 2];
};
static_assert(sizeof(block_q4_1) == 20, "block_q4_1 size");

struct block_q5_0 {
    uint16_t d;              // value = (q - 16) * d
    uint8_t qh[4];           // 5th bits, little-endian u32, bit e = element e
    uint8_t qs[QK5_0 / 2];
};
static_assert(sizeof(block_q5_0) == 22, "block_q5_0 size");

struct block_q5_1 {
    uint16_t d;              // value = q * d + m
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[QK5_1 / 2];
};
static_assert(sizeof(block_q5_1) == 24, "block_q5_1 size");

struct block_q8_0 {
    uint16_t d;              // value = q * d
    int8_t qs[QK8_0];
};
static_assert(sizeof(block_q8_0) == 34, "block_q8_0 size");

struct block_q2_K {
    uint8_t scales[QK_K / 16];  // per 16 elements: scale (low nibble) | min (high nibble)
    uint8_t qs[QK_K / 4];       // 2-bit quants
    uint16_t d;                 // super-block scale of the scales (half)
    uint16_t dmin;              // super-block scale of the mins (half)
};
static_assert(sizeof(block_q2_K) == 84, "block_q2_K size");

struct block_q3_K {
    uint8_t hmask[QK_K / 8];        // bit 2 of each quant
    uint8_t qs[QK_K / 4];           // bits 0..1 of each quant
    uint8_t scales[K_SCALE_SIZE];   // 16 signed 6-bit scales, stored + 32
    uint16_t d;                     // super-block scale (half)
};
static_assert(sizeof(block_q3_K) == 110, "block_q3_K size");

struct block_q4_K {
    uint16_t d;                     // super-block scale of the scales (half)
    uint16_t dmin;                  // super-block scale of the mins (half)
    uint8_t scales[K_SCALE_SIZE];   // 8 scales + 8 mins, 6 bits each
    uint8_t qs[QK_K / 2];           // 4-bit quants
};
static_assert(sizeof(block_q4_K) == 144, "block_q4_K size");

struct block_q5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qh[QK_K / 8];           // bit 4 of each quant
    uint8_t qs[QK_K / 2];           // bits 0..3 of each quant
};
static_assert(sizeof(block_q5_K) == 176, "block_q5_K size");

struct block_q6_K {
    uint8_t ql[QK_K / 2];           // bits 0..3 of each quant
    uint8_t qh[QK_K / 4];           // bits 4..5 of each quant
    int8_t scales[QK_K / 16];       // 8-bit signed scales, one per 16 elements
    uint16_t d;                     // super-block scale (half)
};
static_assert(sizeof(block_q6_K) == 210, "block_q6_K size");

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block, from its 12 packed bytes.
//   j < 4:  sc = q[j] & 63, m = q[j+4] & 63
//   j >= 4: sc = (q[j+4] & 15) | (q[j-4] >> 6) << 4, m = (q[j+4] >> 4) | (q[j] >> 6) << 4
#if defined(__CUDACC__)
__host__ __device__
#endif
inline void k_scale_min(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
    if (j < 4) {
        *sc = (uint8_t)(q[j] & 63);
        *m = (uint8_t)(q[j + 4] & 63);
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// The 6-bit stored scale (0..63, i.e. signed scale + 32) of sub-block j (0..15) of a Q3_K block.
#if defined(__CUDACC__)
__host__ __device__
#endif
inline int q3k_scale6(int j, const uint8_t* s) {
    const int low = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
    const int high = (s[8 + (j & 3)] >> (2 * (j >> 2))) & 3;
    return low | (high << 4);
}

// Reference row (de)quantizers, one per type (n = elements, a multiple of the block size).
// They are what dtype_traits() hands out; declared here for kernels that test against them.
namespace ref {
void dequantize_row_f32(const void* src, float* dst, int64_t n);
void dequantize_row_f16(const void* src, float* dst, int64_t n);
void dequantize_row_bf16(const void* src, float* dst, int64_t n);
void quantize_row_f32(const float* src, void* dst, int64_t n);
void quantize_row_f16(const float* src, void* dst, int64_t n);
void quantize_row_bf16(const float* src, void* dst, int64_t n);

void dequantize_row_q4_0(const void* src, float* dst, int64_t n);
void dequantize_row_q4_1(const void* src, float* dst, int64_t n);
void dequantize_row_q5_0(const void* src, float* dst, int64_t n);
void dequantize_row_q5_1(const void* src, float* dst, int64_t n);
void dequantize_row_q8_0(const void* src, float* dst, int64_t n);
void quantize_row_q4_0(const float* src, void* dst, int64_t n);
void quantize_row_q4_1(const float* src, void* dst, int64_t n);
void quantize_row_q5_0(const float* src, void* dst, int64_t n);
void quantize_row_q5_1(const float* src, void* dst, int64_t n);
void quantize_row_q8_0(const float* src, void* dst, int64_t n);

void dequantize_row_q2_K(const void* src, float* dst, int64_t n);
void dequantize_row_q3_K(const void* src, float* dst, int64_t n);
void dequantize_row_q4_K(const void* src, float* dst, int64_t n);
void dequantize_row_q5_K(const void* src, float* dst, int64_t n);
void dequantize_row_q6_K(const void* src, float* dst, int64_t n);
void quantize_row_q2_K(const float* src, void* dst, int64_t n);
void quantize_row_q3_K(const float* src, void* dst, int64_t n);
void quantize_row_q4_K(const float* src, void* dst, int64_t n);
void quantize_row_q5_K(const float* src, void* dst, int64_t n);
void quantize_row_q6_K(const float* src, void* dst, int64_t n);
}  // namespace ref

}  // namespace akunu
