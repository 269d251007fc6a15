// What a Hugging Face config.json says about a decoder-only model, for the architectures the
// converter maps to GGUF. Both config styles are read: transformers 4.x (rope_theta,
// rope_scaling, rope_local_base_freq) and 5.x (rope_parameters, per layer type for Gemma 3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akunu {

enum class HfArch { Llama, Mistral, Qwen2, Qwen3, Gemma2, Gemma3, Phi3 };

// RoPE scaling as config.json states it. "default" and "llama3" are converted; "linear" is
// written as GGUF keys (as llama.cpp does); any other type is rejected by name.
struct HfRope {
    double theta = 10000.0;
    std::string type = "default";
    double factor = 1.0;
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
    uint64_t original_max_position_embeddings = 0;
    double partial_rotary_factor = 1.0;
};

struct HfConfig {
    std::string source;        // the file, for messages
    std::string class_name;    // architectures[0], e.g. "LlamaForCausalLM"
    HfArch arch = HfArch::Llama;
    std::string gguf_arch;     // general.architecture: Mistral is "llama"
    uint32_t hidden_size = 0;
    uint32_t n_layers = 0;
    uint32_t n_heads = 0;
    uint32_t n_kv_heads = 0;
    uint32_t head_dim = 0;
    bool head_dim_given = false;  // config.json names head_dim (llama.cpp then writes key_length)
    uint32_t intermediate_size = 0;
    uint32_t vocab_size = 0;
    uint32_t max_position_embeddings = 0;
    double rms_norm_eps = 1e-6;
    bool tie_word_embeddings = false;
    HfRope rope;                          // the global (full attention) layers'
    std::optional<double> rope_local_theta;  // Gemma 3's sliding-window layers
    std::optional<uint32_t> sliding_window;
    std::optional<double> attn_logit_softcapping;
    std::optional<double> final_logit_softcapping;
    std::optional<double> query_pre_attn_scalar;
    std::vector<std::string> layer_types;  // "sliding_attention" / "full_attention", where given
};

// Throws Format naming `source` and the field for missing or out-of-range values, and
// Unsupported naming the architecture or RoPE type we do not convert.
HfConfig parse_hf_config(std::string_view json_text, const std::string& source);
HfConfig read_hf_config(const std::string& path);

const char* hf_supported_architectures();  // for messages

}  // namespace akunu
