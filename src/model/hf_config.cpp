#include "model/hf_config.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace akunu {

namespace {

using json = nlohmann::json;

struct ArchRow {
    const char* class_name;
    HfArch arch;
    const char* gguf_arch;
};

constexpr ArchRow kArchs[] = {
    {"LlamaForCausalLM", HfArch::Llama, "llama"},     {"MistralForCausalLM", HfArch::Mistral, "llama"},
    {"Qwen2ForCausalLM", HfArch::Qwen2, "qwen2"},     {"Qwen3ForCausalLM", HfArch::Qwen3, "qwen3"},
    {"Gemma2ForCausalLM", HfArch::Gemma2, "gemma2"},  {"Gemma3ForCausalLM", HfArch::Gemma3, "gemma3"},
    {"Phi3ForCausalLM", HfArch::Phi3, "phi3"},
};

// Hidden sizes, layer counts and the like beyond these are not a model but a corrupt file.
constexpr uint64_t kMaxDim = 1u << 20;

class Reader {
public:
    Reader(const json& root, const std::string& source) : root_(root), source_(source) {}

    [[noreturn]] void bad(const std::string& field, const std::string& what) const {
        fail(ErrorKind::Format, "hf-config", source_ + ": " + field + " " + what);
    }
    [[noreturn]] void unsupported(const std::string& what) const {
        fail(ErrorKind::Unsupported, "hf-config", source_ + ": " + what);
    }

    // A present, non-null value; nullptr otherwise.
    static const json* find(const json& obj, const char* key) {
        if (!obj.is_object()) return nullptr;
        const auto it = obj.find(key);
        return it == obj.end() || it->is_null() ? nullptr : &*it;
    }
    const json* find(const char* key) const { return find(root_, key); }

    uint32_t dim(const json& v, const std::string& field) const {
        if (!v.is_number_integer() || v.get<int64_t>() < 1 || (uint64_t)v.get<int64_t>() > kMaxDim) {
            bad(field, "must be an integer in 1.." + std::to_string(kMaxDim) + ", got " + v.dump());
        }
        return (uint32_t)v.get<int64_t>();
    }
    uint32_t required_dim(const char* key) const {
        const json* v = find(key);
        if (!v) bad(key, "is missing");
        return dim(*v, key);
    }
    double number(const json& v, const std::string& field) const {
        if (!v.is_number() || !std::isfinite(v.get<double>())) bad(field, "must be a finite number, got " + v.dump());
        return v.get<double>();
    }
    std::optional<double> optional_number(const json& obj, const char* key, const std::string& path) const {
        const json* v = find(obj, key);
        if (!v) return std::nullopt;
        return number(*v, path + key);
    }
    std::string string(const json& v, const std::string& field) const {
        if (!v.is_string()) bad(field, "must be a string, got " + v.dump());
        return v.get<std::string>();
    }

private:
    const json& root_;
    const std::string& source_;
};

// One rope_parameters / rope_scaling object. `base` holds what is already known (the theta of
// 4.x's top-level rope_theta).
HfRope read_rope(const Reader& r, const json& p, const std::string& path, HfRope rope) {
    if (!p.is_object()) r.bad(path, "must be an object, got " + p.dump());
    if (auto theta = r.optional_number(p, "rope_theta", path + ".")) rope.theta = *theta;
    // Older configs call the type "type".
    if (const json* t = Reader::find(p, "rope_type")) {
        rope.type = r.string(*t, path + ".rope_type");
    } else if (const json* t2 = Reader::find(p, "type")) {
        rope.type = r.string(*t2, path + ".type");
    }
    if (auto v = r.optional_number(p, "factor", path + ".")) rope.factor = *v;
    if (auto v = r.optional_number(p, "low_freq_factor", path + ".")) rope.low_freq_factor = *v;
    if (auto v = r.optional_number(p, "high_freq_factor", path + ".")) rope.high_freq_factor = *v;
    if (auto v = r.optional_number(p, "partial_rotary_factor", path + ".")) rope.partial_rotary_factor = *v;
    if (const json* v = Reader::find(p, "original_max_position_embeddings")) {
        rope.original_max_position_embeddings = r.dim(*v, path + ".original_max_position_embeddings");
    }
    if (rope.type != "default" && rope.type != "llama3" && rope.type != "linear") {
        r.unsupported("RoPE type '" + rope.type + "' (" + path +
                      ") is not supported (default, llama3 and linear are)");
    }
    if (rope.type == "llama3" && rope.original_max_position_embeddings == 0) {
        r.bad(path + ".original_max_position_embeddings", "is missing for RoPE type 'llama3'");
    }
    if (!(rope.theta > 0)) r.bad(path + ".rope_theta", "must be positive");
    if (!(rope.factor > 0)) r.bad(path + ".factor", "must be positive");
    if (rope.type == "llama3" && !(rope.high_freq_factor > rope.low_freq_factor && rope.low_freq_factor > 0)) {
        r.bad(path, "needs 0 < low_freq_factor < high_freq_factor");
    }
    if (!(rope.partial_rotary_factor > 0 && rope.partial_rotary_factor <= 1)) {
        r.bad(path + ".partial_rotary_factor", "must be in (0, 1]");
    }
    return rope;
}

void read_rope_fields(const Reader& r, const json& root, HfConfig& c) {
    HfRope base;
    if (auto theta = r.optional_number(root, "rope_theta", "")) base.theta = *theta;
    if (auto prf = r.optional_number(root, "partial_rotary_factor", "")) base.partial_rotary_factor = *prf;
    if (const json* params = Reader::find(root, "rope_parameters")) {
        // 5.x: one object, or (Gemma 3) one per layer type.
        const json* full = Reader::find(*params, "full_attention");
        const json* sliding = Reader::find(*params, "sliding_attention");
        if (full || sliding) {
            if (!full) r.bad("rope_parameters.full_attention", "is missing");
            c.rope = read_rope(r, *full, "rope_parameters.full_attention", base);
            if (sliding) {
                const HfRope local = read_rope(r, *sliding, "rope_parameters.sliding_attention", base);
                if (local.type != "default") {
                    r.unsupported("RoPE type '" + local.type + "' for the sliding-window layers is not supported");
                }
                c.rope_local_theta = local.theta;
            }
        } else {
            c.rope = read_rope(r, *params, "rope_parameters", base);
        }
    } else if (const json* scaling = Reader::find(root, "rope_scaling")) {
        c.rope = read_rope(r, *scaling, "rope_scaling", base);
    } else {
        c.rope = read_rope(r, json::object(), "rope", base);
    }
    if (auto local = r.optional_number(root, "rope_local_base_freq", "")) c.rope_local_theta = *local;
    if (const json* omp = Reader::find(root, "original_max_position_embeddings")) {
        if (c.rope.original_max_position_embeddings == 0) {
            c.rope.original_max_position_embeddings = r.dim(*omp, "original_max_position_embeddings");
        }
    }
}

// llama.cpp fixes which layers use the sliding window (Gemma 2: every other layer starting with
// the first; Gemma 3: all but every sixth); a config that says otherwise cannot be written as GGUF.
void check_layer_pattern(const Reader& r, const HfConfig& c, uint32_t period) {
    if (c.layer_types.empty()) return;
    if (c.layer_types.size() != c.n_layers) {
        r.bad("layer_types", "has " + std::to_string(c.layer_types.size()) + " entries for " +
                                 std::to_string(c.n_layers) + " layers");
    }
    for (uint32_t i = 0; i < c.n_layers; ++i) {
        const bool full = (i + 1) % period == 0;
        const std::string want = full ? "full_attention" : "sliding_attention";
        if (c.layer_types[i] != want) {
            r.unsupported("layer_types[" + std::to_string(i) + "] is '" + c.layer_types[i] + "', but GGUF's " +
                          c.gguf_arch + " has layer " + std::to_string(i) + " " + want);
        }
    }
}

}  // namespace

const char* hf_supported_architectures() {
    return "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Gemma2ForCausalLM, "
           "Gemma3ForCausalLM, Phi3ForCausalLM";
}

HfConfig parse_hf_config(std::string_view json_text, const std::string& source) {
    json root;
    try {
        root = json::parse(json_text.begin(), json_text.end());
    } catch (const json::exception& e) {
        fail(ErrorKind::Format, "hf-config", source + ": not valid JSON: " + e.what());
    }
    const Reader r(root, source);
    if (!root.is_object()) r.bad("the document", "must be a JSON object");

    HfConfig c;
    c.source = source;
    const json* archs = r.find("architectures");
    if (!archs || !archs->is_array() || archs->empty()) r.bad("architectures", "is missing or empty");
    c.class_name = r.string((*archs)[0], "architectures[0]");
    const ArchRow* row = nullptr;
    for (const ArchRow& a : kArchs) {
        if (c.class_name == a.class_name) row = &a;
    }
    if (!row) {
        r.unsupported("architecture '" + c.class_name + "' is not supported (supported: " +
                      hf_supported_architectures() + ")");
    }
    c.arch = row->arch;
    c.gguf_arch = row->gguf_arch;

    c.hidden_size = r.required_dim("hidden_size");
    c.n_layers = r.required_dim("num_hidden_layers");
    c.n_heads = r.required_dim("num_attention_heads");
    c.n_kv_heads = r.find("num_key_value_heads") ? r.dim(*r.find("num_key_value_heads"), "num_key_value_heads") : c.n_heads;
    c.intermediate_size = r.required_dim("intermediate_size");
    c.vocab_size = r.required_dim("vocab_size");
    c.max_position_embeddings = r.required_dim("max_position_embeddings");
    if (const json* hd = r.find("head_dim")) {
        c.head_dim = r.dim(*hd, "head_dim");
        c.head_dim_given = true;
    } else {
        if (c.hidden_size % c.n_heads != 0) {
            r.bad("hidden_size", std::to_string(c.hidden_size) + " is not a multiple of num_attention_heads " +
                                     std::to_string(c.n_heads) + " (and head_dim is not given)");
        }
        c.head_dim = c.hidden_size / c.n_heads;
    }
    if (c.n_heads % c.n_kv_heads != 0) {
        r.bad("num_key_value_heads", std::to_string(c.n_kv_heads) + " does not divide num_attention_heads " +
                                         std::to_string(c.n_heads));
    }
    if (const json* eps = r.find("rms_norm_eps")) c.rms_norm_eps = r.number(*eps, "rms_norm_eps");
    if (!(c.rms_norm_eps > 0 && c.rms_norm_eps < 1)) r.bad("rms_norm_eps", "must be in (0, 1)");

    // transformers' default differs per class: Gemma ties, the others do not.
    const bool gemma = c.arch == HfArch::Gemma2 || c.arch == HfArch::Gemma3;
    c.tie_word_embeddings = gemma;
    if (const json* tie = r.find("tie_word_embeddings")) {
        if (!tie->is_boolean()) r.bad("tie_word_embeddings", "must be true or false");
        c.tie_word_embeddings = tie->get<bool>();
    }

    read_rope_fields(r, root, c);
    if (c.rope.type == "linear" && c.arch == HfArch::Gemma2) {
        r.unsupported("RoPE type 'linear' is not supported for Gemma 2");
    }
    if (const json* sw = r.find("sliding_window")) c.sliding_window = r.dim(*sw, "sliding_window");
    c.attn_logit_softcapping = r.optional_number(root, "attn_logit_softcapping", "");
    c.final_logit_softcapping = r.optional_number(root, "final_logit_softcapping", "");
    c.query_pre_attn_scalar = r.optional_number(root, "query_pre_attn_scalar", "");
    if (const json* lt = r.find("layer_types")) {
        if (!lt->is_array()) r.bad("layer_types", "must be an array");
        for (size_t i = 0; i < lt->size(); ++i) c.layer_types.push_back(r.string((*lt)[i], "layer_types[" + std::to_string(i) + "]"));
    }

    if (c.arch == HfArch::Gemma2) {
        if (!c.sliding_window) r.bad("sliding_window", "is missing (Gemma 2 alternates sliding and global layers)");
        check_layer_pattern(r, c, 2);
    }
    if (c.arch == HfArch::Gemma3) {
        if (c.attn_logit_softcapping) r.unsupported("attn_logit_softcapping is set, which Gemma 3 in GGUF does not have");
        if (!c.sliding_window) r.bad("sliding_window", "is missing (Gemma 3 has sliding-window layers)");
        check_layer_pattern(r, c, 6);
    }
    if (c.arch == HfArch::Phi3) {
        if (c.rope.original_max_position_embeddings == 0) {
            r.bad("original_max_position_embeddings", "is missing (Phi-3 records it)");
        }
        if (c.hidden_size % c.n_heads != 0) r.bad("hidden_size", "is not a multiple of num_attention_heads");
    }
    if (c.rope.type == "llama3" && c.arch != HfArch::Llama && c.arch != HfArch::Mistral) {
        r.unsupported("RoPE type 'llama3' is not supported for " + c.class_name);
    }
    return c;
}

HfConfig read_hf_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(ErrorKind::Io, "hf-config", path + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_hf_config(text.str(), path);
}

}  // namespace akunu
