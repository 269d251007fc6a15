#include "backend/cpu/rope_table.h"

#include <string>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/thread_pool.h"
#include "core/error.h"

namespace akunu {

void RopeTable::reserve(int32_t max_tokens, int32_t max_rope_dim) {
    const size_t need = (size_t)max_tokens * (size_t)max_rope_dim;
    if (need > values_.size()) {
        values_.assign(need, 0.0f);
        m_ = -1;  // nothing cached survives the move
    }
}

const float* RopeTable::get(int32_t m, int32_t pos0, int32_t rope_dim, float theta, const float* freq_factors,
                            ThreadPool& pool) {
    if (m == m_ && pos0 == pos0_ && rope_dim == rope_dim_ && theta == theta_ && freq_factors == freq_factors_) {
        return values_.data();
    }
    if ((size_t)m * (size_t)rope_dim > values_.size()) {
        fail(ErrorKind::Internal, "cpu", "RoPE table of " + std::to_string(m) + " tokens was not reserved (prepare())");
    }
    const int32_t half = rope_dim / 2;
    float* v = values_.data();
    pool.parallel_for(m, 16, [&](int64_t b, int64_t e, int) {
        for (int64_t t = b; t < e; ++t) {
            float* row = v + (size_t)t * rope_dim;
            rope_cos_sin(pos0 + (int32_t)t, rope_dim, theta, row, row + half, freq_factors);
        }
    });
    m_ = m;
    pos0_ = pos0;
    rope_dim_ = rope_dim;
    theta_ = theta;
    freq_factors_ = freq_factors;
    return v;
}

}  // namespace akunu
