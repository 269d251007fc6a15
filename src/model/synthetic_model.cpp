#include "model/synthetic_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/half.h"
#include "format/gguf_writer.h"
#include "model/arch_spec.h"

namespace akunu {
namespace {

struct Preset {
    const char* name;
    const char* arch;
    uint32_t dim, n_layers, n_heads, n_kv_heads, head_dim, ffn_dim, vocab, context;
    float rope_theta, norm_eps;
    bool tied;
};

// Shapes of the real models (their config.json / GGUF headers); "tiny" is ours, for quick runs.
const Preset kPresets[] = {
    {"stories260k", "llama", 64, 5, 8, 4, 8, 172, 512, 512, 10000.0f, 1e-5f, false},
    {"tiny", "llama", 256, 4, 8, 2, 32, 704, 2048, 2048, 10000.0f, 1e-5f, false},
    {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 3072, 151936, 40960, 1000000.0f, 1e-6f, true},
    {"qwen3-4b", "qwen3", 2560, 36, 32, 8, 128, 9728, 151936, 40960, 1000000.0f, 1e-6f, true},
    {"llama-3-8b", "llama", 4096, 32, 32, 8, 128, 14336, 128256, 8192, 500000.0f, 1e-5f, false},
    {"tinyllama-1.1b", "llama", 2048, 22, 32, 4, 64, 5632, 32000, 2048, 10000.0f, 1e-5f, false},
    {"llama-3.2-1b", "llama", 2048, 16, 32, 8, 64, 8192, 128256, 131072, 500000.0f, 1e-5f, true},
};

const Preset& find_preset(const std::string& name) {
    for (const Preset& p : kPresets) {
        if (name == p.name) return p;
    }
    std::string names;
    for (const Preset& p : kPresets) names += std::string(names.empty() ? "" : ", ") + p.name;
    fail(ErrorKind::InvalidArgument, "synthetic", "unknown preset '" + name + "' (presets: " + names + ")");
}

// SplitMix64: fast, seedable per tensor, identical on every platform.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    float uniform() { return (float)((next() >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f; }  // [-1, 1)
};

uint64_t hash_name(const std::string& s, uint64_t seed) {
    uint64_t h = 1469598103934665603ull ^ seed;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

// Uniform weights with standard deviation `std`; rows quantized in parallel.
std::vector<uint8_t> make_tensor(const std::string& name, DType type, int64_t cols, int64_t rows, float std,
                                 float mean, uint64_t seed) {
    const DTypeTraits& t = dtype_traits(type);
    const size_t row_bytes = dtype_row_bytes(type, cols);
    std::vector<uint8_t> out(row_bytes * (size_t)rows);
    const float amp = std * std::sqrt(3.0f);
    const int n_threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    std::vector<std::thread> threads;
    for (int th = 0; th < n_threads; ++th) {
        threads.emplace_back([&, th] {
            std::vector<float> row((size_t)cols);
            for (int64_t r = th; r < rows; r += n_threads) {
                Rng rng{hash_name(name, seed) + (uint64_t)r * 0x632be59bd9b4e019ull};
                for (int64_t i = 0; i < cols; ++i) row[i] = mean + amp * rng.uniform();
                uint8_t* dst = out.data() + (size_t)r * row_bytes;
                if (type == DType::F32) {
                    std::memcpy(dst, row.data(), (size_t)cols * 4);
                } else {
                    t.quantize_row(row.data(), dst, cols);
                }
            }
        });
    }
    for (std::thread& th : threads) th.join();
    return out;
}

// Pieces that are unique and look like SentencePiece output: "▁" + letters, or letters alone.
std::string synthetic_piece(uint32_t i) {
    std::string letters;
    uint32_t v = i;
    do {
        letters += (char)('a' + v % 26);
        v /= 26;
    } while (v > 0);
    return (i % 2 == 0) ? "\xE2\x96\x81" + letters : letters;
}

}  // namespace

std::vector<std::string> synthetic_preset_names() {
    std::vector<std::string> names;
    for (const Preset& p : kPresets) names.push_back(p.name);
    return names;
}

SyntheticSpec parse_synthetic_spec(const std::string& text) {
    SyntheticSpec spec;
    const size_t colon = text.find(':');
    spec.preset = text.substr(0, colon);
    std::transform(spec.preset.begin(), spec.preset.end(), spec.preset.begin(),
                   [](unsigned char c) { return (char)std::tolower(c); });
    find_preset(spec.preset);
    if (colon != std::string::npos) {
        const std::string type = text.substr(colon + 1);
        if (!parse_dtype(type, &spec.type) || !dtype_traits(spec.type).quantize_row) {
            std::string names;
            size_t n = 0;
            const DTypeTraits* table = dtype_table(&n);
            for (size_t i = 0; i < n; ++i) {
                if (table[i].quantize_row) names += std::string(names.empty() ? "" : ", ") + table[i].name;
            }
            fail(ErrorKind::InvalidArgument, "synthetic", "unknown weight type '" + type + "' (types: " + names + ")");
        }
    }
    return spec;
}

ModelConfig synthetic_config(const std::string& preset) {
    const Preset& p = find_preset(preset);
    ModelConfig c;
    c.architecture = p.arch;
    c.name = std::string("synthetic-") + p.name;
    c.dim = p.dim;
    c.n_layers = p.n_layers;
    c.n_heads = p.n_heads;
    c.n_kv_heads = p.n_kv_heads;
    c.head_dim = p.head_dim;
    c.ffn_dim = p.ffn_dim;
    c.vocab_size = p.vocab;
    c.context_length = p.context;
    c.rope_dim = p.head_dim;
    c.rope_theta = p.rope_theta;
    c.norm_eps = p.norm_eps;
    c.tied_output = p.tied;
    const ArchSpec* arch = find_arch_spec(p.arch);
    c.rope_style = arch->rope_style;
    c.has_qk_norm = arch->has_qk_norm;
    return c;
}

void build_synthetic_gguf(const SyntheticSpec& spec, GgufWriter& w) {
    ModelConfig c = synthetic_config(spec.preset);
    c.name += std::string("-") + dtype_name(spec.type);
    build_synthetic_gguf(c, spec.type, spec.seed, w);
}

void build_synthetic_gguf(const ModelConfig& c, DType type, uint64_t seed, GgufWriter& w) {
    validate_model_config(c, "synthetic " + c.name);
    const std::string a = c.architecture;
    const ArchSpec* arch = find_arch_spec(a);
    if (!arch) fail(ErrorKind::InvalidArgument, "synthetic", "unknown architecture '" + a + "'");
    const DTypeTraits& traits = dtype_traits(type);
    if (!traits.quantize_row) fail(ErrorKind::InvalidArgument, "synthetic", std::string("no quantizer for ") + traits.name);
    w.set_string("general.architecture", a);
    w.set_string("general.name", c.name);
    w.set_u32("general.quantization_version", 2);
    w.set_u32(a + ".context_length", c.context_length);
    w.set_u32(a + ".embedding_length", c.dim);
    w.set_u32(a + ".block_count", c.n_layers);
    w.set_u32(a + ".feed_forward_length", c.ffn_dim);
    w.set_u32(a + ".attention.head_count", c.n_heads);
    w.set_u32(a + ".attention.head_count_kv", c.n_kv_heads);
    w.set_u32(a + ".attention.key_length", c.head_dim);
    w.set_u32(a + ".attention.value_length", c.head_dim);
    w.set_u32(a + ".rope.dimension_count", c.rope_dim);
    w.set_f32(a + ".rope.freq_base", c.rope_theta);
    w.set_f32(a + ".attention.layer_norm_rms_epsilon", c.norm_eps);

    // A SentencePiece-style vocabulary of the real size: unk, BOS, EOS, 256 byte tokens, pieces.
    // Vocabularies smaller than 259 keep only the byte tokens that fit.
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
    tokens.reserve(c.vocab_size);
    auto add = [&](std::string piece, float score, int32_t ttype) {
        if (tokens.size() >= c.vocab_size) return;
        tokens.push_back(std::move(piece));
        scores.push_back(score);
        types.push_back(ttype);
    };
    add("<unk>", 0.0f, 2);
    add("<s>", 0.0f, 3);
    add("</s>", 0.0f, 3);
    for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "<0x%02X>", b);
        add(buf, 0.0f, 6);
    }
    for (uint32_t i = 0; tokens.size() < c.vocab_size; ++i) add(synthetic_piece(i), -(float)i, 1);
    w.set_string("tokenizer.ggml.model", "llama");
    w.set_string_array("tokenizer.ggml.tokens", tokens);
    w.set_f32_array("tokenizer.ggml.scores", scores);
    w.set_i32_array("tokenizer.ggml.token_type", types);
    w.set_u32("tokenizer.ggml.unknown_token_id", 0);
    w.set_u32("tokenizer.ggml.bos_token_id", 1);
    w.set_u32("tokenizer.ggml.eos_token_id", 2);
    w.set_bool("tokenizer.ggml.add_bos_token", true);

    // Quantized types need whole blocks per row; other rows stay F32, as llama-quantize does.
    auto type_for = [&](int64_t cols) { return cols % traits.block_size == 0 ? type : DType::F32; };
    auto matrix = [&](const std::string& name, int64_t cols, int64_t rows, float std) {
        const DType t = type_for(cols);
        w.add_tensor(name, t, {cols, rows}, make_tensor(name, t, cols, rows, std, 0.0f, seed));
    };
    auto norm = [&](const std::string& name, int64_t n) {
        // Around 1 with some spread, so a wrong norm weight shows in the output.
        w.add_tensor(name, DType::F32, {n}, make_tensor(name, DType::F32, n, 1, 0.1f, 1.0f, seed));
    };
    const int64_t dim = c.dim, q = c.q_dim(), kv = c.kv_dim(), ffn = c.ffn_dim;
    // Projections with std 1/sqrt(fan_in) keep unit-variance activations; the embedding is unit variance.
    matrix("token_embd.weight", dim, c.vocab_size, 1.0f);
    norm("output_norm.weight", dim);
    if (!c.tied_output) matrix("output.weight", dim, c.vocab_size, 1.0f / std::sqrt((float)dim));
    for (uint32_t l = 0; l < c.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        norm(b + "attn_norm.weight", dim);
        matrix(b + "attn_q.weight", dim, q, 1.0f / std::sqrt((float)dim));
        matrix(b + "attn_k.weight", dim, kv, 1.0f / std::sqrt((float)dim));
        matrix(b + "attn_v.weight", dim, kv, 1.0f / std::sqrt((float)dim));
        matrix(b + "attn_output.weight", q, dim, 0.5f / std::sqrt((float)q));
        if (arch->has_qk_norm) {
            norm(b + "attn_q_norm.weight", c.head_dim);
            norm(b + "attn_k_norm.weight", c.head_dim);
        }
        norm(b + "ffn_norm.weight", dim);
        matrix(b + "ffn_gate.weight", dim, ffn, 1.0f / std::sqrt((float)dim));
        matrix(b + "ffn_up.weight", dim, ffn, 1.0f / std::sqrt((float)dim));
        matrix(b + "ffn_down.weight", ffn, dim, 0.5f / std::sqrt((float)ffn));
    }
    // llama_ftype of the dominant type, so tools print "Q4_0" for the file.
    uint32_t ftype = 0;
    switch (type) {
        case DType::F32: ftype = 0; break;
        case DType::F16: ftype = 1; break;
        case DType::Q4_0: ftype = 2; break;
        case DType::Q4_1: ftype = 3; break;
        case DType::Q8_0: ftype = 7; break;
        case DType::Q5_0: ftype = 8; break;
        case DType::Q5_1: ftype = 9; break;
        case DType::Q2_K: ftype = 10; break;
        case DType::Q3_K: ftype = 12; break;  // Q3_K_M
        case DType::Q4_K: ftype = 15; break;  // Q4_K_M
        case DType::Q5_K: ftype = 17; break;  // Q5_K_M
        case DType::Q6_K: ftype = 18; break;
        case DType::BF16: ftype = 32; break;
    }
    w.set_u32("general.file_type", ftype);
}

}  // namespace akunu
