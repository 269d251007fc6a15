// The shape and hyper-parameters of a decoder-only transformer, read from GGUF metadata.
#pragma once

#include <cmath>
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
    // The defaults below are plain LLaMA; read_model_config sets them from the ArchSpec and the file.
    Activation activation = Activation::SiluGated;
    bool has_qkv_bias = false;
    bool fused_qkv = false;
    bool fused_gate_up = false;
    bool has_post_norms = false;
    bool has_rope_freqs = false;    // rope_freqs.weight: per-pair frequency divisors (Llama 3.1 scaling)
    float embed_scale = 1.0f;       // token embeddings are multiplied by this (Gemma: sqrt(dim))
    float attn_scale = 0.0f;        // attention logit scale; 0: 1 / sqrt(head_dim)
    float attn_softcap = 0.0f;      // cap · tanh(logit / cap) on attention logits; 0: none
    float final_softcap = 0.0f;     // the same on the output logits; 0: none
    uint32_t sliding_window = 0;    // keys a sliding layer's query sees (itself included); 0: none
    uint32_t swa_period = 0;        // which layers slide (ArchSpec::swa_period)
    float rope_theta_swa = 0.0f;    // RoPE base of sliding layers; 0: rope_theta

    uint32_t q_dim() const { return n_heads * head_dim; }
    uint32_t kv_dim() const { return n_kv_heads * head_dim; }
    bool is_sliding(uint32_t layer) const {
        if (sliding_window == 0 || swa_period == 0) return false;
        return swa_period == 1 || layer % swa_period < swa_period - 1;
    }
    float layer_rope_theta(uint32_t layer) const {
        return is_sliding(layer) && rope_theta_swa > 0 ? rope_theta_swa : rope_theta;
    }
    float attention_scale() const {
        return attn_scale > 0 ? attn_scale : (float)(1.0 / std::sqrt((double)head_dim));
    }
};

// Reads {arch}.* keys. Throws Format naming the file and key for missing or absurd values, and
// Unsupported naming what we do not implement: RoPE scaling types (other than Llama 3.1's
// rope_freqs.weight), LongRoPE factor tensors, mixture-of-experts layers.
ModelConfig read_model_config(const GgufFile& file, const ArchSpec& spec);

// Checks the invariants the engine relies on (non-zero dims, heads divide, limits); throws Format.
void validate_model_config(const ModelConfig& config, const std::string& source);

}  // namespace akunu
