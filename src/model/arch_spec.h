// Architectures as data: what a family's forward pass contains, read by the table builder,
// which never branches on an architecture name. Adding a family = one row + its tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace akunu {

enum class RopeStyle {
    Interleaved,  // rotate adjacent pairs (x[2i], x[2i+1]): LLaMA GGUF convention
    NeoX,         // rotate halves (x[i], x[i + rot/2]): HF / Qwen convention
};

enum class Activation {
    SiluGated,      // SwiGLU: down(silu(gate x) * up x)
    GeluTanhGated,  // GeGLU: down(gelu_tanh(gate x) * up x) (Gemma's gelu_pytorch_tanh)
};

struct ArchSpec {
    const char* name;           // general.architecture
    RopeStyle rope_style;
    Activation activation;
    bool has_qk_norm;           // per-head RMSNorm of Q and K before RoPE (attn_q_norm/attn_k_norm)
    bool head_dim_from_key;     // head_dim read from {arch}.attention.key_length when present
    bool output_may_be_tied;    // output.weight absent -> reuse token_embd
    bool has_qkv_bias;          // attn_{q,k,v}.bias added after the projections (Qwen2)
    bool fused_qkv;             // one attn_qkv.weight holding the Q, K and V rows in that order (Phi-3)
    bool fused_gate_up;         // ffn_up.weight holds the gate rows, then the up rows (Phi-3)
    bool has_post_norms;        // post_attention_norm / post_ffw_norm on each block's output before
                                // its residual add (Gemma 2/3)
    bool scale_embeddings;      // token embeddings multiplied by sqrt(dim) (Gemma)
    // Which layers use {arch}.attention.sliding_window (when the file sets it > 0): with period P, layer
    // l slides iff l % P < P - 1 (Gemma 2: P = 2, every even layer; Gemma 3: P = 6, five local to one
    // global), P = 1: every layer; 0: the family has no sliding window and the key is ignored, as
    // llama.cpp does (Mistral 7B v0.1's 4096-token window is plain causal attention below 4096).
    // {arch}.attention.sliding_window_pattern (u32), when present, replaces the period.
    uint32_t swa_period;
};

// nullptr when the family is not one we implement.
const ArchSpec* find_arch_spec(std::string_view name);

// Comma-separated list of supported families, for error messages.
std::string supported_arch_names();

const char* rope_style_name(RopeStyle style);
const char* activation_name(Activation activation);

}  // namespace akunu
