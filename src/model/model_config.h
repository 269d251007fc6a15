// The shape and hyper-parameters of a decoder-only transformer, read from GGUF metadata.
#pragma once

#include <cstdint>
#include <string>

#include "model/arch_spec.h"

namespace akunu {

class GgufFile;

struct ModelConfig {
    std::string architecture;
    std::string name;
    uint32_t dim = 0;
    uint32_t n_layers = 0;
    uint32_t n_heads = 0;
    uint32_t n_kv_heads = 0;
    uint32_t head_dim = 0;
    uint32_t ffn_dim = 0;
    uint32_t vocab_size = 0;
    uint32_t context_length = 0;
    uint32_t rope_dim = 0;  // leading dims of each head that are rotated
    float rope_theta = 10000.0f;
    float norm_eps = 1e-5f;
    RopeStyle rope_style = RopeStyle::Interleaved;
    bool has_qk_norm = false;
    bool tied_output = false;

    uint32_t q_dim() const { return n_heads * head_dim; }
    uint32_t kv_dim() const { return n_kv_heads * head_dim; }
};

// Reads {arch}.* keys. Throws Format naming the file and key for missing or absurd values, and
// Unsupported naming the value for RoPE scaling types we do not implement.
ModelConfig read_model_config(const GgufFile& file, const ArchSpec& spec);

// Checks the invariants the engine relies on (non-zero dims, heads divide, limits); throws Format.
void validate_model_config(const ModelConfig& config, const std::string& source);

}  // namespace akunu
