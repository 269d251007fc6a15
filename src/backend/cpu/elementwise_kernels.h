// The light ops that run over every element of a prefill chunk (SwiGLU, GeGLU, RMSNorm) or of the
// vocabulary (argmax) at one ISA level, as a table of plain functions (split as matmul_kernels.h; elementwise_dispatch.cpp picks
// the level and splits the work across the pool). Each computes the same values as its reference
// in cpu_kernels.h: RMSNorm up to the order of its f64 sum of squares (the f32 scale may differ in
// the last bit, in rare cases), SwiGLU up to the polynomial exp (~1e-7 relative), argmax exactly.
//
// Only POD types and declarations here (see matmul_kernels.h for why).
#pragma once

#include <cstdint>

namespace akunu {

struct ElementwiseKernels {
    const char* name;
    // y[i] = silu(gate[i]) * up[i] for i < count
    void (*swiglu)(const float* gate, const float* up, float* y, int64_t count);
    // y[i] = gelu_tanh(gate[i]) * up[i] (cpu_geglu's values up to the polynomial exp, ~1e-7 relative)
    void (*geglu)(const float* gate, const float* up, float* y, int64_t count);
    // rows of k: y = x / sqrt(mean(x^2) + eps) * w
    void (*rmsnorm)(const float* x, const float* w, float* y, int64_t rows, int64_t k, float eps);
    // cpu_argmax's answer exactly: the first index of the largest value, NaNs never winning unless
    // x[0] is NaN (then 0), -0 and +0 equal.
    int32_t (*argmax)(const float* x, int64_t n);
    // y[i] = x[i] rounded to f16, nearest even (core/half.h's fp32_to_fp16 bit for bit, NaN payloads
    // aside): an f16 KV cache's stores.
    void (*to_f16)(const float* x, uint16_t* y, int64_t count);
};

// nullptr where the level is not compiled in (non-x86 builds). The scalar level has no table: it
// runs the reference kernels (cpu_swiglu, cpu_geglu, cpu_rmsnorm, cpu_argmax).
const ElementwiseKernels* elementwise_kernels_avx2();
const ElementwiseKernels* elementwise_kernels_avx512();

}  // namespace akunu
