// F32 / F16 / BF16 rows: "quantize" is a conversion (round to nearest even), dequantize widens.
#include <cstring>

#include "core/half.h"
#include "format/quant_blocks.h"

namespace akunu::ref {

void dequantize_row_f32(const void* src, float* dst, int64_t n) {
    if (n > 0) std::memcpy(dst, src, (size_t)n * sizeof(float));
}

void quantize_row_f32(const float* src, void* dst, int64_t n) {
    if (n > 0) std::memcpy(dst, src, (size_t)n * sizeof(float));
}

void dequantize_row_f16(const void* src, float* dst, int64_t n) {
    const uint8_t* p = static_cast<const uint8_t*>(src);
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        dst[i] = fp16_to_fp32(h);
    }
}

void quantize_row_f16(const float* src, void* dst, int64_t n) {
    uint8_t* p = static_cast<uint8_t*>(dst);
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = fp32_to_fp16(src[i]);
        std::memcpy(p + 2 * i, &h, 2);
    }
}

void dequantize_row_bf16(const void* src, float* dst, int64_t n) {
    const uint8_t* p = static_cast<const uint8_t*>(src);
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        dst[i] = bf16_to_fp32(h);
    }
}

void quantize_row_bf16(const float* src, void* dst, int64_t n) {
    uint8_t* p = static_cast<uint8_t*>(dst);
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = fp32_to_bf16(src[i]);
        std::memcpy(p + 2 * i, &h, 2);
    }
}

}  // namespace akunu::ref
