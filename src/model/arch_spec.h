// Architectures as data: what a family's forward pass contains, read by the table builder,
// which never branches on an architecture name. Adding a family = one row + its tests.
#pragma once

#include <string>
#include <string_view>

namespace akunu {

enum class RopeStyle {
    Interleaved,  // rotate adjacent pairs (x[2i], x[2i+1]): LLaMA GGUF convention
    NeoX,         // rotate halves (x[i], x[i + rot/2]): HF / Qwen convention
};

enum class Activation {
    SiluGated,  // SwiGLU: down(silu(gate x) * up x)
};

struct ArchSpec {
    const char* name;           // general.architecture
    RopeStyle rope_style;
    Activation activation;
    bool has_qk_norm;           // per-head RMSNorm of Q and K before RoPE (attn_q_norm/attn_k_norm)
    bool head_dim_from_key;     // head_dim read from {arch}.attention.key_length when present
    bool output_may_be_tied;    // output.weight absent -> reuse token_embd
};

// nullptr when the family is not one we implement.
const ArchSpec* find_arch_spec(std::string_view name);

// Comma-separated list of supported families, for error messages.
std::string supported_arch_names();

const char* rope_style_name(RopeStyle style);

}  // namespace akunu
