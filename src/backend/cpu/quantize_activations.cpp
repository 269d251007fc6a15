#include "backend/cpu/quantize_activations.h"

#include <cmath>
#include <cstring>

namespace akunu {
namespace {

size_t round64(size_t b) { return (b + 63) / 64 * 64; }

// Quantizes one block of n values; returns its scale.
float quantize_block(const float* x, int n, int8_t* q) {
    float amax = 0.0f;
    for (int i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
    const float d = amax / 127.0f;
    const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int i = 0; i < n; ++i) {
        float v = std::nearbyint(x[i] * id);
        v = std::fmin(127.0f, std::fmax(-127.0f, v));
        q[i] = (int8_t)v;
    }
    return d;
}

}  // namespace

QActLayout qact_layout(QActFormat format, int64_t k) {
    QActLayout l;
    l.format = format;
    l.k = k;
    l.d_offset = round64((size_t)k);
    if (format == QActFormat::Q8_32) {
        l.aux_offset = l.d_offset + round64((size_t)(k / kQ8BlockSize) * sizeof(float));
        l.sum_offset = l.aux_offset + round64((size_t)(k / 4) * sizeof(int32_t));
    } else {
        l.aux_offset = l.d_offset + round64((size_t)(k / kQ8KBlockSize) * sizeof(float));
        l.sum_offset = l.aux_offset + round64((size_t)(k / 16) * sizeof(int16_t));
    }
    l.row_bytes = l.sum_offset + round64((size_t)(k / 32) * 4);
    return l;
}

void quantize_act_q8_32_scalar(const float* x, int64_t k, uint8_t* row, const QActLayout& l) {
    int8_t* q = reinterpret_cast<int8_t*>(row);
    float* d = reinterpret_cast<float*>(row + l.d_offset);
    int32_t* c = reinterpret_cast<int32_t*>(row + l.aux_offset);
    for (int64_t b = 0; b < k / kQ8BlockSize; ++b) {
        d[b] = quantize_block(x + b * kQ8BlockSize, kQ8BlockSize, q + b * kQ8BlockSize);
    }
    for (int64_t g = 0; g < k / 4; ++g) c[g] = -8 * (q[4 * g] + q[4 * g + 1] + q[4 * g + 2] + q[4 * g + 3]);
    int32_t* sums = reinterpret_cast<int32_t*>(row + l.sum_offset);
    for (int64_t b = 0; b < k / kQ8BlockSize; ++b) {
        int32_t sum = 0;
        for (int i = 0; i < kQ8BlockSize; ++i) sum += q[b * kQ8BlockSize + i];
        sums[b] = sum;
    }
}

void quantize_act_q8_k_scalar(const float* x, int64_t k, uint8_t* row, const QActLayout& l) {
    int8_t* q = reinterpret_cast<int8_t*>(row);
    float* d = reinterpret_cast<float*>(row + l.d_offset);
    int16_t* s = reinterpret_cast<int16_t*>(row + l.aux_offset);
    for (int64_t b = 0; b < k / kQ8KBlockSize; ++b) {
        d[b] = quantize_block(x + b * kQ8KBlockSize, kQ8KBlockSize, q + b * kQ8KBlockSize);
    }
    for (int64_t g = 0; g < k / 16; ++g) {
        int sum = 0;
        for (int i = 0; i < 16; ++i) sum += q[16 * g + i];
        s[g] = (int16_t)sum;
    }
    float* ds = reinterpret_cast<float*>(row + l.sum_offset);
    for (int64_t j = 0; j < k / 32; ++j) ds[j] = d[j / 8] * (float)(s[2 * j] + s[2 * j + 1]);
}

}  // namespace akunu
