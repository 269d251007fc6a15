// Hugging Face tensor names -> the GGUF names and layouts llama.cpp's converter writes.
#pragma once

#include <optional>
#include <string>

#include "model/hf_config.h"

namespace akunu {

// How a tensor's values change on the way to GGUF.
enum class HfTransform {
    None,
    // LLaMA's q/k rows reordered from Hugging Face's half-split RoPE layout to GGUF's interleaved
    // pairs, per head (n_heads for q, n_kv_heads for k).
    PermuteQ,
    PermuteK,
    AddOne,  // Gemma's RMSNorm scales by (1 + w); GGUF stores 1 + w
};

struct HfTensorTarget {
    std::string gguf_name;
    HfTransform transform = HfTransform::None;
};

// nullopt: the tensor is dropped on purpose (rotary caches; Gemma's and tied models' lm_head).
// Throws Unsupported naming the tensor when it has no GGUF counterpart for this architecture.
std::optional<HfTensorTarget> map_hf_tensor(const HfConfig& config, const std::string& hf_name);

}  // namespace akunu
