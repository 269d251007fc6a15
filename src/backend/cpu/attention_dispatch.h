// Runs an Attention command on the CPU at one kernel level (cpu_features.h): the scalar level is
// cpu_attention (the oracle); avx2 / avx512 split the query rows of each KV head into units
// (attention_kernels.h) and hand them to the pool's threads on demand, longest first.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backend/cpu/attention_kernels.h"
#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"

namespace akunu {

class ThreadPool;

class AttentionDispatch {
public:
    // form: how the SIMD units form their scores (tests force each; Auto otherwise).
    explicit AttentionDispatch(CpuIsa isa, AttentionForm form = AttentionForm::Auto);

    CpuIsa isa() const { return isa_; }

    // Floats of CpuScratch::scores each thread needs for this head_dim and context.
    size_t scratch_floats(int32_t head_dim, int32_t max_ctx) const;

    // scratch.scores: scratch_floats() floats per thread, scores_stride apart.
    void run(const AttentionArgs& a, ThreadPool& pool, const CpuScratch& scratch) const;

private:
    CpuIsa isa_;
    AttentionForm form_;
    const AttentionKernels* kernels_;  // nullptr at the scalar level
};

}  // namespace akunu
