// Activations quantized to 8 bits for the integer MatMul paths (the role of llama.cpp's Q8_0 and
// Q8_K): each f32 row becomes int8 values with one f32 scale per block, plus what the weight
// type's dot product needs besides (sums), laid out in one contiguous row:
//
//   Q8_32 (for Q4_0, Q8_0 weights): blocks of 32.
//     [0, k)                int8 q[k]       x[i] ~= d[i/32] * q[i]
//     [d_offset, ...)       float d[k/32]   amax/127 of the block (0 for an all-zero block)
//     [aux_offset, ...)     int32 c[k/4]    -8 * (q[4l] + q[4l+1] + q[4l+2] + q[4l+3]): the Q4_0
//                                           offset of 8, folded in 4-element groups (one per
//                                           32-bit lane of an integer dot product)
//     [sum_offset, ...)     int32 s[k/32]   sum of the block's q (weight offsets of the packed GEMM)
//   Q8_K (for Q4_K, Q6_K weights): blocks of 256.
//     [0, k)                int8 q[k]
//     [d_offset, ...)       float d[k/256]
//     [aux_offset, ...)     int16 bsums[k/16]  sum of each 16 consecutive q
//     [sum_offset, ...)     float ds[k/32]  d * (sum of each 32 consecutive q): the activation sum
//                                           that a 32-element sub-block's min multiplies
//
// Offsets are multiples of 64, so every SIMD load of a section is aligned when the row is.
// q = nearbyint(x * (127 / amax)), round-to-nearest-even, |q| <= 127: the scalar quantizers below
// are the definition; the SIMD ones must produce identical bytes (tested).
#pragma once

#include <cstddef>
#include <cstdint>

namespace akunu {

enum class QActFormat : uint8_t { Q8_32, Q8_K };

struct QActLayout {
    QActFormat format = QActFormat::Q8_32;
    int64_t k = 0;          // elements per row (multiple of 32 / 256)
    size_t d_offset = 0;    // bytes from the row start to the scales
    size_t aux_offset = 0;  // bytes to the sums
    size_t sum_offset = 0;  // bytes to the per-32 sums
    size_t row_bytes = 0;   // bytes between two rows (multiple of 64)
};

constexpr int kQ8BlockSize = 32;
constexpr int kQ8KBlockSize = 256;

QActLayout qact_layout(QActFormat format, int64_t k);

// One row, reference implementations.
void quantize_act_q8_32_scalar(const float* x, int64_t k, uint8_t* row, const QActLayout& l);
void quantize_act_q8_k_scalar(const float* x, int64_t k, uint8_t* row, const QActLayout& l);

}  // namespace akunu
