// Runs the light per-element ops of a command at one kernel level (cpu_features.h), split across
// the pool when there is enough work to pay for the hand-off (a prefill chunk; a decode step's
// few thousand elements stay on the calling thread). The scalar level runs the reference kernels
// (cpu_kernels.h) on the same split, so its results do not change.
#pragma once

#include <cstdint>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/elementwise_kernels.h"

namespace akunu {

class ThreadPool;

class ElementwiseDispatch {
public:
    explicit ElementwiseDispatch(CpuIsa isa);

    CpuIsa isa() const { return isa_; }

    // y = silu(gate) * up, count elements.
    void swiglu(const float* gate, const float* up, float* y, int64_t count, ThreadPool& pool) const;
    // y = gelu_tanh(gate) * up, count elements.
    void geglu(const float* gate, const float* up, float* y, int64_t count, ThreadPool& pool) const;
    // rows of k: y = x / sqrt(mean(x^2) + eps) * w (in place allowed).
    void rmsnorm(const float* x, const float* w, float* y, int64_t rows, int64_t k, float eps, ThreadPool& pool) const;
    // First index of the largest of n logits (cpu_argmax's answer); on the calling thread.
    int32_t argmax(const float* x, int64_t n) const;
    // cpu_kv_store into f16 caches (its bytes exactly), m tokens from pos0, on the calling thread.
    void kv_store_f16(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache, int32_t m, int32_t pos0,
                      int32_t kv_heads, int32_t head_dim, int32_t max_ctx) const;

private:
    CpuIsa isa_;
    const ElementwiseKernels* kernels_;  // nullptr at the scalar level
};

}  // namespace akunu
