// The cos/sin of every (token, frequency) of a run, computed once and shared by all its RoPE
// commands (Q and K of every layer: 2 x n_layers commands that would each recompute the same
// pow/cos/sin), with the reference's formula (rope_cos_sin), so results are unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace akunu {

class ThreadPool;

class RopeTable {
public:
    // Room for runs of up to max_tokens at rope_dim up to max_rope_dim (so that get() never allocates).
    void reserve(int32_t max_tokens, int32_t max_rope_dim);

    // Row t (rope_dim floats: rope_dim / 2 cos, then as many sin) for position pos0 + t, t < m.
    // Recomputed only when the arguments differ from the previous call's (freq_factors by address:
    // it is a model weight, constant while the table lives).
    const float* get(int32_t m, int32_t pos0, int32_t rope_dim, float theta, const float* freq_factors,
                     ThreadPool& pool);

    size_t bytes() const { return values_.size() * sizeof(float); }

private:
    std::vector<float> values_;
    int32_t m_ = -1, pos0_ = -1, rope_dim_ = -1;
    float theta_ = 0;
    const float* freq_factors_ = nullptr;
};

}  // namespace akunu
