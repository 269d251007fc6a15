// The light ops: embedding lookup, RMSNorm, RoPE, residual add, SwiGLU / GeGLU, bias, scale,
// soft-cap, argmax.
#include <cmath>

#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace akunu {

void cpu_embed_lookup(const int32_t* tokens, int32_t m, const uint8_t* table, DType type, int64_t k, float* out) {
    const DTypeTraits& traits = dtype_traits(type);
    const size_t row_bytes = dtype_row_bytes(type, k);
    for (int32_t t = 0; t < m; ++t) {
        traits.dequantize_row(table + (size_t)tokens[t] * row_bytes, out + (size_t)t * k, k);
    }
}

void cpu_rmsnorm(const float* x, const float* w, float* y, int64_t rows, int64_t k, float eps) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * k;
        float* yr = y + r * k;
        double ss = 0;
        for (int64_t i = 0; i < k; ++i) ss += (double)xr[i] * xr[i];
        const float scale = (float)(1.0 / std::sqrt(ss / (double)k + (double)eps));
        for (int64_t i = 0; i < k; ++i) yr[i] = xr[i] * scale * w[i];
    }
}

void rope_cos_sin(int32_t pos, int32_t rope_dim, float theta, float* cos_t, float* sin_t, const float* freq_factors) {
    const int32_t half = rope_dim / 2;
    for (int32_t i = 0; i < half; ++i) {
        double angle = (double)pos * std::pow((double)theta, -2.0 * i / rope_dim);
        if (freq_factors) angle /= (double)freq_factors[i];
        cos_t[i] = (float)std::cos(angle);
        sin_t[i] = (float)std::sin(angle);
    }
}

void rope_rotate(float* x, int32_t heads, int32_t head_dim, int32_t rope_dim, int32_t style, const float* cos_t,
                 const float* sin_t) {
    const int32_t half = rope_dim / 2;
    for (int32_t h = 0; h < heads; ++h) {
        float* v = x + (size_t)h * head_dim;
        for (int32_t i = 0; i < half; ++i) {
            // Interleaved rotates (v[2i], v[2i+1]); NeoX rotates (v[i], v[i + half]).
            const int32_t a = style == (int32_t)0 ? 2 * i : i;
            const int32_t b = style == (int32_t)0 ? 2 * i + 1 : i + half;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * cos_t[i] - x1 * sin_t[i];
            v[b] = x0 * sin_t[i] + x1 * cos_t[i];
        }
    }
}

void cpu_rope(float* x, int32_t m, int32_t pos0, int32_t heads, int32_t head_dim, int32_t rope_dim, int32_t style,
              float theta, float* cs, const float* freq_factors) {
    const int32_t half = rope_dim / 2;
    for (int32_t t = 0; t < m; ++t) {
        rope_cos_sin(pos0 + t, rope_dim, theta, cs, cs + half, freq_factors);
        rope_rotate(x + (size_t)t * heads * head_dim, heads, head_dim, rope_dim, style, cs, cs + half);
    }
}

void cpu_add(const float* a, const float* b, float* y, int64_t count) {
    for (int64_t i = 0; i < count; ++i) y[i] = a[i] + b[i];
}

void cpu_swiglu(const float* gate, const float* up, float* y, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
        const float g = gate[i];
        y[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

// 0.5 g (1 + tanh(u)) written as g / (1 + exp(-2u)), the same number: in f32 the tanh form loses
// all precision where tanh(u) nears -1 (1 + tanh(u) cancels: 2e-4 relative error at g = -4).
void cpu_geglu(const float* gate, const float* up, float* y, int64_t count) {
    const float k = 0.7978845608028654f;  // sqrt(2 / pi)
    for (int64_t i = 0; i < count; ++i) {
        const float g = gate[i];
        const float u = k * (g + 0.044715f * g * g * g);
        y[i] = g / (1.0f + std::exp(-2.0f * u)) * up[i];
    }
}

void cpu_add_bias(const float* x, const float* bias, float* y, int64_t rows, int64_t n) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t i = 0; i < n; ++i) y[r * n + i] = x[r * n + i] + bias[i];
    }
}

void cpu_scale(const float* x, float* y, int64_t count, float s) {
    for (int64_t i = 0; i < count; ++i) y[i] = x[i] * s;
}

void cpu_softcap(const float* x, float* y, int64_t count, float cap) {
    for (int64_t i = 0; i < count; ++i) y[i] = cap * std::tanh(x[i] / cap);
}

int32_t cpu_argmax(const float* x, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i) {
        if (x[i] > x[best]) best = i;
    }
    return (int32_t)best;
}

}  // namespace akunu
