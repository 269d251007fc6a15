#include "model/hf_tensor_map.h"

#include <cstdlib>
#include <string_view>

#include "core/error.h"

namespace akunu {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct LayerRow {
    const char* hf;    // after "model.layers.N."
    const char* gguf;  // after "blk.N."
};

// Names every supported family shares.
constexpr LayerRow kCommon[] = {
    {"input_layernorm", "attn_norm"},   {"self_attn.q_proj", "attn_q"},  {"self_attn.k_proj", "attn_k"},
    {"self_attn.v_proj", "attn_v"},     {"self_attn.o_proj", "attn_output"}, {"self_attn.q_norm", "attn_q_norm"},
    {"self_attn.k_norm", "attn_k_norm"}, {"mlp.gate_proj", "ffn_gate"},   {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"},
};
// Gemma normalizes around both sub-blocks.
constexpr LayerRow kGemma[] = {
    {"post_attention_layernorm", "post_attention_norm"},
    {"pre_feedforward_layernorm", "ffn_norm"},
    {"post_feedforward_layernorm", "post_ffw_norm"},
};
constexpr LayerRow kPlain[] = {{"post_attention_layernorm", "ffn_norm"}};
// Phi-3 keeps q/k/v and gate/up fused.
constexpr LayerRow kPhi3[] = {{"self_attn.qkv_proj", "attn_qkv"}, {"mlp.gate_up_proj", "ffn_up"}};

template <size_t N>
const char* lookup(const LayerRow (&rows)[N], std::string_view base) {
    for (const LayerRow& r : rows) {
        if (base == r.hf) return r.gguf;
    }
    return nullptr;
}

[[noreturn]] void unmapped(const HfConfig& c, const std::string& name) {
    fail(ErrorKind::Unsupported, "hf-convert",
         c.source + ": tensor '" + name + "' has no GGUF counterpart for " + c.class_name);
}

}  // namespace

std::optional<HfTensorTarget> map_hf_tensor(const HfConfig& c, const std::string& name) {
    const bool gemma = c.arch == HfArch::Gemma2 || c.arch == HfArch::Gemma3;
    const bool llama = c.arch == HfArch::Llama || c.arch == HfArch::Mistral;
    HfTensorTarget t;
    if (gemma && ends_with(name, "norm.weight")) t.transform = HfTransform::AddOne;
    if (ends_with(name, "rotary_emb.inv_freq")) return std::nullopt;  // recomputed from rope_theta
    if (name == "model.embed_tokens.weight") {
        t.gguf_name = "token_embd.weight";
        return t;
    }
    if (name == "model.norm.weight") {
        t.gguf_name = "output_norm.weight";
        return t;
    }
    if (name == "lm_head.weight") {
        // Gemma and tied models read the output projection from the embedding.
        if (gemma || c.tie_word_embeddings) return std::nullopt;
        t.gguf_name = "output.weight";
        return t;
    }

    constexpr std::string_view kLayers = "model.layers.";
    if (name.compare(0, kLayers.size(), kLayers) != 0) unmapped(c, name);
    const size_t dot = name.find('.', kLayers.size());
    const std::string index = name.substr(kLayers.size(), dot == std::string::npos ? std::string::npos : dot - kLayers.size());
    if (dot == std::string::npos || index.empty() || index.size() > 6 ||
        index.find_first_not_of("0123456789") != std::string::npos || (index.size() > 1 && index[0] == '0')) {
        unmapped(c, name);
    }
    if (std::strtoul(index.c_str(), nullptr, 10) >= c.n_layers) {
        fail(ErrorKind::Format, "hf-convert",
             c.source + ": tensor '" + name + "' is for layer " + index + ", but the model has " +
                 std::to_string(c.n_layers) + " layers");
    }
    const std::string rest = name.substr(dot + 1);
    std::string suffix;
    for (const char* s : {".weight", ".bias"}) {
        if (ends_with(rest, s)) suffix = s;
    }
    if (suffix.empty()) unmapped(c, name);
    const std::string_view base = std::string_view(rest).substr(0, rest.size() - suffix.size());

    const char* gguf = nullptr;
    if (c.arch == HfArch::Phi3) gguf = lookup(kPhi3, base);
    if (!gguf) gguf = gemma ? lookup(kGemma, base) : lookup(kPlain, base);
    if (!gguf) gguf = lookup(kCommon, base);
    if (!gguf) unmapped(c, name);
    t.gguf_name = "blk." + index + "." + gguf + suffix;
    if (llama && base == "self_attn.q_proj") t.transform = HfTransform::PermuteQ;
    if (llama && base == "self_attn.k_proj") t.transform = HfTransform::PermuteK;
    return t;
}

}  // namespace akunu
