// Per-layer handles to the weight tensors of a model (views into the mapped file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "model/model_config.h"

namespace akunu {

class GgufFile;

struct WeightView {
    std::string name;  // GGUF tensor name, e.g. "blk.3.ffn_down.weight"
    DType type = DType::F32;
    int64_t cols = 0;  // ne[0]: elements per row (the input dimension of a projection)
    int64_t rows = 1;  // ne[1]: rows (the output dimension)
    const void* data = nullptr;
    size_t bytes = 0;

    bool present() const { return data != nullptr; }
};

// Where a family stores Q, K, V (or gate and up) in one tensor, the views here are row ranges of
// it: rows are contiguous, so each part is a plain matrix at an offset (no copy, no new op).
struct LayerWeights {
    WeightView attn_norm, wq, wk, wv, wo;
    WeightView bq, bk, bv;      // f32 biases; present only when the arch has them (Qwen2)
    WeightView q_norm, k_norm;  // present only when the arch has QK-norm
    WeightView post_attn_norm;  // present only with post norms (Gemma 2/3)
    WeightView ffn_norm, ffn_gate, ffn_up, ffn_down;
    WeightView post_ffn_norm;

    // Every view of the layer, present or not, in a fixed order.
    std::vector<const WeightView*> views() const {
        return {&attn_norm, &wq,       &wk,       &wv,     &wo,       &bq,           &bk,    &bv,
                &q_norm,    &k_norm,   &post_attn_norm,   &ffn_norm, &ffn_gate, &ffn_up, &ffn_down, &post_ffn_norm};
    }
};

struct ModelWeights {
    WeightView token_embd;
    WeightView output_norm;
    WeightView output;      // == token_embd when tied
    WeightView rope_freqs;  // f32[rope_dim / 2] frequency divisors; present only when the file has them
    std::vector<LayerWeights> layers;

    // Calls f(view) for every present view, a tied output once.
    template <typename F>
    void for_each(F&& f) const {
        f(token_embd);
        f(output_norm);
        if (output.data != token_embd.data) f(output);
        if (rope_freqs.present()) f(rope_freqs);
        for (const LayerWeights& L : layers) {
            for (const WeightView* v : L.views()) {
                if (v->present()) f(*v);
            }
        }
    }

    uint64_t total_bytes() const;   // each tensor counted once (a tied output is not counted twice)
    uint64_t n_params() const;
    DType dominant_type() const;    // the type holding most weight bytes
};

// Binds every tensor the config needs and checks its shape and type; throws Format naming the
// tensor with expected and actual shape, or naming a missing tensor. Norm weights must be F32.
ModelWeights bind_weights(const GgufFile& file, const ModelConfig& config);

}  // namespace akunu
