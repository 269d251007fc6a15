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

    const std::string scaling = file.get_string_or(key("rope.scaling.type"), "none");
    if (scaling != "none") {
        fail(ErrorKind::Unsupported, "model",
             file.name() + ": RoPE scaling type '" + scaling + "' (" + key("rope.scaling.type") +
                 ") is not supported yet");
    }
    if (file.find_tensor("rope_freqs.weight")) {
        fail(ErrorKind::Unsupported, "model",
             file.name() + ": RoPE frequency factors (tensor 'rope_freqs.weight', Llama 3.1 'llama3' "
                           "scaling) are not supported yet");
    }
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
}

}  // namespace akunu
