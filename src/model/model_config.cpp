#include "model/model_config.h"

#include <cmath>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {
namespace {

// Bounds well past any real model; they exist so that an absurd header cannot make us allocate
// terabytes or overflow 32-bit index arithmetic in kernels.
constexpr uint32_t kMaxDim = 65536;
constexpr uint32_t kMaxLayers = 1024;
constexpr uint32_t kMaxHeads = 1024;
constexpr uint32_t kMaxHeadDim = 1024;
constexpr uint32_t kMaxFfn = 1u << 20;
constexpr uint32_t kMaxVocab = 1u << 22;

[[noreturn]] void bad(const std::string& source, const std::string& what) {
    fail(ErrorKind::Format, "model", source + ": " + what);
}

[[noreturn]] void unsupported(const GgufFile& file, const std::string& what) {
    fail(ErrorKind::Unsupported, "model", file.name() + ": " + what + " is not supported");
}

// Plain RoPE, or Llama 3.1's scaling as llama.cpp's converter writes it: no scaling type, the
// per-pair frequency divisors of transformers' _compute_llama3_parameters precomputed into the
// rope_freqs.weight tensor. Every other scheme changes the angles in ways the table cannot express.
void read_rope_scaling(const GgufFile& file, const std::string& a, ModelConfig& c) {
    const std::string type_key = a + ".rope.scaling.type";
    const std::string scaling = file.get_string_or(type_key, "none");
    if (scaling != "none") unsupported(file, "RoPE scaling type '" + scaling + "' (" + type_key + ")");
    for (const char* longrope : {"rope_factors_long.weight", "rope_factors_short.weight"}) {
        if (file.find_tensor(longrope)) {
            unsupported(file, std::string("LongRoPE scaling (tensor '") + longrope + "')");
        }
    }
    c.has_rope_freqs = file.find_tensor("rope_freqs.weight") != nullptr;
}

// Mixture-of-experts families are separate architectures in GGUF (rejected by name before this),
// but a dense family's file that carries experts would otherwise load with them silently ignored.
void reject_experts(const GgufFile& file, const std::string& a) {
    const uint32_t experts = file.get_u32_or(a + ".expert_count", 0);
    if (experts > 0) {
        unsupported(file, "mixture of experts (" + a + ".expert_count " + std::to_string(experts) + ")");
    }
}

}  // namespace

ModelConfig read_model_config(const GgufFile& file, const ArchSpec& spec) {
    const std::string a = spec.name;
    auto key = [&](const char* suffix) { return a + "." + suffix; };

    ModelConfig c;
    c.architecture = a;
    c.name = file.get_string_or("general.name", "");
    c.dim = file.get_u32(key("embedding_length"));
    c.n_layers = file.get_u32(key("block_count"));
    c.n_heads = file.get_u32(key("attention.head_count"));
    c.n_kv_heads = file.get_u32_or(key("attention.head_count_kv"), c.n_heads);
    c.ffn_dim = file.get_u32(key("feed_forward_length"));
    c.context_length = file.get_u32_or(key("context_length"), 2048);
    c.norm_eps = file.get_f32(key("attention.layer_norm_rms_epsilon"));
    c.rope_theta = file.get_f32_or(key("rope.freq_base"), 10000.0f);
    if (c.n_heads == 0) bad(file.name(), key("attention.head_count") + " is 0");
    c.head_dim = c.dim / c.n_heads;
    if (spec.head_dim_from_key && file.has(key("attention.key_length"))) {
        c.head_dim = file.get_u32(key("attention.key_length"));
        const uint32_t v_len = file.get_u32_or(key("attention.value_length"), c.head_dim);
        if (v_len != c.head_dim) {
            fail(ErrorKind::Unsupported, "model",
                 file.name() + ": " + key("attention.value_length") + " " + std::to_string(v_len) +
                     " differs from key_length " + std::to_string(c.head_dim));
        }
    }
    c.rope_dim = file.get_u32_or(key("rope.dimension_count"), c.head_dim);
    c.rope_style = spec.rope_style;
    c.has_qk_norm = spec.has_qk_norm;
    c.activation = spec.activation;
    c.has_qkv_bias = spec.has_qkv_bias;
    c.fused_qkv = spec.fused_qkv;
    c.fused_gate_up = spec.fused_gate_up;
    c.has_post_norms = spec.has_post_norms;
    if (spec.scale_embeddings) c.embed_scale = (float)std::sqrt((double)c.dim);
    // llama.cpp's key for an explicit attention scale; without it 1/sqrt(head_dim), which is what
    // llama.cpp uses for Gemma too (its converter does not write query_pre_attn_scalar).
    c.attn_scale = file.get_f32_or(key("attention.scale"), 0.0f);
    c.attn_softcap = file.get_f32_or(key("attn_logit_softcapping"), 0.0f);
    c.final_softcap = file.get_f32_or(key("final_logit_softcapping"), 0.0f);
    if (spec.swa_period > 0) {
        c.sliding_window = file.get_u32_or(key("attention.sliding_window"), 0);
        c.swa_period = file.get_u32_or(key("attention.sliding_window_pattern"), spec.swa_period);
        c.rope_theta_swa = file.get_f32_or(key("rope.freq_base_swa"), 0.0f);
    }
    read_rope_scaling(file, a, c);
    reject_experts(file, a);

    const GgufTensorInfo& embd = file.tensor("token_embd.weight");
    c.vocab_size = (uint32_t)std::min<int64_t>(embd.ne[1], (int64_t)kMaxVocab + 1);
    c.tied_output = file.find_tensor("output.weight") == nullptr;
    if (c.tied_output && !spec.output_may_be_tied) bad(file.name(), "missing tensor 'output.weight'");

    validate_model_config(c, file.name());
    return c;
}

void validate_model_config(const ModelConfig& c, const std::string& source) {
    auto check = [&](bool ok, const std::string& what) {
        if (!ok) bad(source, what);
    };
    auto n = [](uint64_t v) { return std::to_string(v); };
    // The GGUF key each value comes from ("llama.embedding_length"), so the message names it.
    const std::string a = c.architecture.empty() ? std::string() : c.architecture + ".";
    check(c.dim > 0 && c.dim <= kMaxDim, a + "embedding_length " + n(c.dim) + " outside 1.." + n(kMaxDim));
    check(c.n_layers > 0 && c.n_layers <= kMaxLayers, a + "block_count " + n(c.n_layers) + " outside 1.." + n(kMaxLayers));
    check(c.n_heads > 0 && c.n_heads <= kMaxHeads, a + "attention.head_count " + n(c.n_heads) + " outside 1.." + n(kMaxHeads));
    check(c.n_kv_heads > 0 && c.n_kv_heads <= c.n_heads && c.n_heads % c.n_kv_heads == 0,
          a + "attention.head_count_kv " + n(c.n_kv_heads) + " must divide head_count " + n(c.n_heads));
    check(c.head_dim > 0 && c.head_dim <= kMaxHeadDim && c.head_dim % 2 == 0,
          "head dimension " + n(c.head_dim) + " must be even and at most " + n(kMaxHeadDim));
    check(c.rope_dim > 0 && c.rope_dim <= c.head_dim && c.rope_dim % 2 == 0,
          a + "rope.dimension_count " + n(c.rope_dim) + " must be even and at most the head dimension " + n(c.head_dim));
    check(c.ffn_dim > 0 && c.ffn_dim <= kMaxFfn, a + "feed_forward_length " + n(c.ffn_dim) + " outside 1.." + n(kMaxFfn));
    check(c.vocab_size > 0 && c.vocab_size <= kMaxVocab, "vocabulary size " + n(c.vocab_size) + " outside 1.." + n(kMaxVocab));
    check(c.context_length > 0, a + "context_length is 0");
    check(std::isfinite(c.norm_eps) && c.norm_eps > 0 && c.norm_eps < 1,
          a + "attention.layer_norm_rms_epsilon " + std::to_string(c.norm_eps) + " must be in (0, 1)");
    check(std::isfinite(c.rope_theta) && c.rope_theta > 0, a + "rope.freq_base " + std::to_string(c.rope_theta) + " must be positive");
    check(std::isfinite(c.rope_theta_swa) && c.rope_theta_swa >= 0,
          a + "rope.freq_base_swa " + std::to_string(c.rope_theta_swa) + " must be positive");
    check(std::isfinite(c.embed_scale) && c.embed_scale > 0, "embedding scale " + std::to_string(c.embed_scale) + " must be positive");
    check(std::isfinite(c.attn_scale) && c.attn_scale >= 0, a + "attention.scale " + std::to_string(c.attn_scale) + " must be positive");
    check(std::isfinite(c.attn_softcap) && c.attn_softcap >= 0,
          a + "attn_logit_softcapping " + std::to_string(c.attn_softcap) + " must be positive");
    check(std::isfinite(c.final_softcap) && c.final_softcap >= 0,
          a + "final_logit_softcapping " + std::to_string(c.final_softcap) + " must be positive");
    check(c.sliding_window == 0 || c.swa_period > 0, a + "attention.sliding_window_pattern is 0");
}

}  // namespace akunu
