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

struct LayerWeights {
    WeightView attn_norm, wq, wk, wv, wo;
    WeightView q_norm, k_norm;  // present only when the arch has QK-norm
    WeightView ffn_norm, ffn_gate, ffn_up, ffn_down;
};

struct ModelWeights {
    WeightView token_embd;
    WeightView output_norm;
    WeightView output;  // == token_embd when tied
    std::vector<LayerWeights> layers;

    uint64_t total_bytes() const;   // each tensor counted once (a tied output is not counted twice)
    uint64_t n_params() const;
    DType dominant_type() const;    // the type holding most weight bytes
};

// Binds every tensor the config needs and checks its shape and type; throws Format naming the
// tensor with expected and actual shape, or naming a missing tensor. Norm weights must be F32.
ModelWeights bind_weights(const GgufFile& file, const ModelConfig& config);

}  // namespace akunu
