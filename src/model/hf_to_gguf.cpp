#include "model/hf_to_gguf.h"

#include <cmath>
#include <cstring>
#include <numbers>
#include <set>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "format/gguf_writer.h"
#include "model/hf_tensor_map.h"

namespace akunu {

namespace {

[[noreturn]] void bad(ErrorKind kind, const std::string& file, const std::string& tensor, const std::string& what) {
    fail(kind, "hf-convert", file + ": tensor '" + tensor + "': " + what);
}

// general.file_type (llama_ftype) of a model whose weights are mostly `t`.
uint32_t file_type_of(DType t) {
    switch (t) {
        case DType::F32: return 0;
        case DType::F16: return 1;
        case DType::Q4_0: return 2;
        case DType::Q4_1: return 3;
        case DType::Q8_0: return 7;
        case DType::Q5_0: return 8;
        case DType::Q5_1: return 9;
        case DType::Q2_K: return 10;
        case DType::Q3_K: return 12;  // Q3_K_M
        case DType::Q4_K: return 14;  // Q4_K_S: every weight Q4_K
        case DType::Q5_K: return 16;  // Q5_K_S
        case DType::Q6_K: return 18;
        case DType::BF16: return 32;
    }
    return 0;
}

DType stored_type(StDType t) {
    switch (t) {
        case StDType::F16: return DType::F16;
        case StDType::BF16: return DType::BF16;
        default: return DType::F32;
    }
}

// `n` elements starting at element `first`, as floats. memcpy: safetensors data is not aligned
// to the element size.
void read_floats(const SafetensorsTensor& t, uint64_t first, int64_t n, float* out) {
    if (t.dtype == StDType::F32) {
        std::memcpy(out, t.data + first * 4, (size_t)n * 4);
        return;
    }
    const uint8_t* p = t.data + first * 2;
    const bool f16 = t.dtype == StDType::F16;
    for (int64_t i = 0; i < n; ++i, p += 2) {
        uint16_t h;
        std::memcpy(&h, p, 2);
        out[i] = f16 ? fp16_to_fp32(h) : bf16_to_fp32(h);
    }
}

// The source row an output row comes from under GGUF's interleaved RoPE layout: per head, HF's
// rows [x_0..x_{h-1}, y_0..y_{h-1}] become [x_0, y_0, x_1, y_1, ...].
int64_t permuted_source(int64_t row, int64_t rows, uint32_t heads) {
    const int64_t per_head = rows / heads, half = per_head / 2;
    const int64_t h = row / per_head, within = row % per_head;
    return h * per_head + (within % 2) * half + within / 2;
}

struct Plan {
    const SafetensorsTensor* src;
    HfTransform transform;
    uint32_t permute_heads = 0;
    DType type;
    std::vector<int64_t> ne;  // ggml order
};

// Converts row by row and emits each row as it is made.
void convert(const Plan& p, const GgufWriter::ByteEmitter& emit) {
    const int64_t cols = p.ne[0];
    int64_t rows = 1;
    for (size_t d = 1; d < p.ne.size(); ++d) rows *= p.ne[d];
    const DTypeTraits& traits = dtype_traits(p.type);
    std::vector<uint8_t> out(dtype_row_bytes(p.type, cols));
    std::vector<float> row((size_t)cols);
    const bool permute = p.transform == HfTransform::PermuteQ || p.transform == HfTransform::PermuteK;
    for (int64_t r = 0; r < rows; ++r) {
        if (permute && rows == 1) {  // a bias: its elements are the rows being reordered
            for (int64_t i = 0; i < cols; ++i) {
                read_floats(*p.src, (uint64_t)permuted_source(i, cols, p.permute_heads), 1, &row[(size_t)i]);
            }
        } else {
            const int64_t s = permute ? permuted_source(r, rows, p.permute_heads) : r;
            read_floats(*p.src, (uint64_t)s * (uint64_t)cols, cols, row.data());
        }
        if (p.transform == HfTransform::AddOne) {
            for (float& v : row) v += 1.0f;
        }
        traits.quantize_row(row.data(), out.data(), cols);
        emit(out.data(), out.size());
    }
}

// Llama 3's per-dimension RoPE frequency divisors, computed in float32 step for step as
// llama.cpp's converter does (so the tensor matches its bytes).
std::vector<float> llama3_rope_factors(const HfRope& rope, uint32_t head_dim) {
    const float base = (float)rope.theta, factor = (float)rope.factor;
    const float low = (float)rope.low_freq_factor, high = (float)rope.high_freq_factor;
    const float old_ctx = (float)rope.original_max_position_embeddings;
    const float low_wavelen = old_ctx / low, high_wavelen = old_ctx / high;
    std::vector<float> out;
    for (uint32_t i = 0; i < head_dim; i += 2) {
        const float freq = 1.0f / std::pow(base, (float)i / (float)head_dim);
        const float wavelen = (float)(2 * std::numbers::pi) / freq;
        if (wavelen < high_wavelen) {
            out.push_back(1.0f);
        } else if (wavelen > low_wavelen) {
            out.push_back(factor);
        } else {
            const float smooth = (old_ctx / wavelen - low) / (high - low);
            out.push_back(1.0f / ((1.0f - smooth) / factor + smooth));
        }
    }
    return out;
}

DType choose_type(const HfWeightOptions& o, const SafetensorsTensor& t, int64_t cols) {
    if (t.shape.size() < 2) return DType::F32;
    if (!o.weight_type) return stored_type(t.dtype);
    const DTypeTraits& want = dtype_traits(*o.weight_type);
    if (cols % want.block_size == 0) return *o.weight_type;
    if (want.block_size > 32 && cols % 32 == 0) return DType::Q5_0;
    return DType::F16;
}

void add_metadata(const HfConfig& c, const std::string& name, DType main_type, GgufWriter& w) {
    const std::string a = c.gguf_arch;
    auto key = [&](const char* k) { return a + "." + k; };
    w.set_string("general.architecture", a);
    w.set_string("general.type", "model");
    w.set_string("general.name", name);
    w.set_u32(key("block_count"), c.n_layers);
    w.set_u32(key("context_length"), c.max_position_embeddings);
    w.set_u32(key("embedding_length"), c.hidden_size);
    w.set_u32(key("feed_forward_length"), c.intermediate_size);
    w.set_u32(key("attention.head_count"), c.n_heads);
    w.set_u32(key("attention.head_count_kv"), c.n_kv_heads);
    w.set_f32(key("rope.freq_base"), (float)c.rope.theta);
    w.set_f32(key("attention.layer_norm_rms_epsilon"), (float)c.rms_norm_eps);
    const bool gemma = c.arch == HfArch::Gemma2 || c.arch == HfArch::Gemma3;
    if (c.head_dim_given || gemma) {
        w.set_u32(key("attention.key_length"), c.head_dim);
        w.set_u32(key("attention.value_length"), c.head_dim);
    }
    if (c.rope.type == "linear") {
        w.set_string(key("rope.scaling.type"), "linear");
        w.set_f32(key("rope.scaling.factor"), (float)c.rope.factor);
    }
    w.set_u32("general.file_type", file_type_of(main_type));
    w.set_u32("general.quantization_version", 2);

    switch (c.arch) {
        case HfArch::Llama:
        case HfArch::Mistral:
            w.set_u32(key("vocab_size"), c.vocab_size);
            w.set_u32(key("rope.dimension_count"), c.head_dim);
            break;
        case HfArch::Phi3:
            w.set_u32(key("rope.dimension_count"),
                      (uint32_t)(c.rope.partial_rotary_factor * c.hidden_size) / c.n_heads);
            w.set_u32(key("rope.scaling.original_context_length"), (uint32_t)c.rope.original_max_position_embeddings);
            // 0 marks "no window" (Phi-4 keeps 0 here too).
            w.set_u32(key("attention.sliding_window"), c.sliding_window.value_or(0));
            break;
        case HfArch::Gemma2:
            w.set_f32(key("attn_logit_softcapping"), (float)c.attn_logit_softcapping.value_or(50.0));
            w.set_f32(key("final_logit_softcapping"), (float)c.final_logit_softcapping.value_or(30.0));
            w.set_u32(key("attention.sliding_window"), *c.sliding_window);
            break;
        case HfArch::Gemma3:
            if (c.rope_local_theta) w.set_f32(key("rope.freq_base_swa"), (float)*c.rope_local_theta);
            if (c.final_logit_softcapping && *c.final_logit_softcapping != 0) {
                w.set_f32(key("final_logit_softcapping"), (float)*c.final_logit_softcapping);
            }
            w.set_u32(key("attention.sliding_window"), *c.sliding_window);
            break;
        case HfArch::Qwen2:
        case HfArch::Qwen3:
            break;
    }
    // llama.cpp derives Gemma's query scale from the head size (or, for the 27B models, from
    // hidden / heads); where query_pre_attn_scalar says something else, the scale is recorded
    // explicitly (llama.cpp's {arch}.attention.scale, a factor on q·k) so the model stays exact.
    if (gemma && c.query_pre_attn_scalar && *c.query_pre_attn_scalar != (double)c.head_dim) {
        if (!(*c.query_pre_attn_scalar > 0)) {
            fail(ErrorKind::Format, "hf-config", c.source + ": query_pre_attn_scalar must be positive");
        }
        w.set_f32(key("attention.scale"), (float)(1.0 / std::sqrt(*c.query_pre_attn_scalar)));
    }
}

}  // namespace

void check_hf_weight_type(DType type) {
    if (dtype_traits(type).quantize_row == nullptr) {
        fail(ErrorKind::InvalidArgument, "hf-convert",
             std::string("weight type ") + dtype_name(type) + " has no quantizer in the registry");
    }
}

void add_hf_model(const HfConfig& c, std::shared_ptr<const HfCheckpoint> ck, const HfWeightOptions& options,
                  uint32_t vocab_size, const std::string& name, GgufWriter& out) {
    if (options.weight_type) check_hf_weight_type(*options.weight_type);
    std::vector<std::pair<std::string, Plan>> plans;
    std::set<std::string> seen;
    for (const auto& [hf_name, t] : ck->tensors()) {
        const std::optional<HfTensorTarget> target = map_hf_tensor(c, hf_name);
        if (!target) continue;
        const std::string& file = ck->file_of(hf_name);
        if (t->dtype != StDType::F32 && t->dtype != StDType::F16 && t->dtype != StDType::BF16) {
            bad(ErrorKind::Unsupported, file, hf_name,
                std::string("dtype ") + st_dtype_name(t->dtype) + " is not supported (F32, F16 and BF16 are)");
        }
        if (t->shape.empty() || t->shape.size() > 2 || t->n_elements == 0) {
            bad(ErrorKind::Format, file, hf_name, "must be a non-empty vector or matrix");
        }
        if (!seen.insert(target->gguf_name).second) {
            bad(ErrorKind::Format, file, hf_name, "maps to '" + target->gguf_name + "' a second time");
        }
        Plan p{t, target->transform, 0, DType::F32, {}};
        for (auto it = t->shape.rbegin(); it != t->shape.rend(); ++it) p.ne.push_back(*it);
        if (target->gguf_name == "token_embd.weight" && c.arch == HfArch::Gemma3 && p.ne.size() == 2 &&
            vocab_size > 0 && vocab_size < p.ne[1]) {
            p.ne[1] = vocab_size;  // rows past the tokenizer's vocabulary are padding
        }
        if (p.transform == HfTransform::PermuteQ || p.transform == HfTransform::PermuteK) {
            p.permute_heads = p.transform == HfTransform::PermuteQ ? c.n_heads : c.n_kv_heads;
            const int64_t rows = t->shape[0];
            if (rows % (2 * (int64_t)p.permute_heads) != 0) {
                bad(ErrorKind::Format, file, hf_name,
                    std::to_string(rows) + " rows do not split into " + std::to_string(p.permute_heads) +
                        " heads of rotary pairs");
            }
        }
        p.type = choose_type(options, *t, p.ne[0]);
        plans.emplace_back(target->gguf_name, std::move(p));
    }
    for (const char* required : {"token_embd.weight", "output_norm.weight"}) {
        if (!seen.count(required)) {
            fail(ErrorKind::Format, "hf-convert",
                 c.source + ": the checkpoint has no tensor for '" + required + "'");
        }
    }
    for (uint32_t l = 0; l < c.n_layers; ++l) {
        const std::string norm = "blk." + std::to_string(l) + ".attn_norm.weight";
        if (!seen.count(norm)) {
            fail(ErrorKind::Format, "hf-convert",
                 c.source + ": the checkpoint has no layer " + std::to_string(l) + " (no input_layernorm)");
        }
    }

    DType main_type = options.weight_type.value_or(DType::F32);
    if (!options.weight_type) {
        for (const auto& [n, p] : plans) {
            if (n == "token_embd.weight") main_type = p.type;
        }
    }
    add_metadata(c, name, main_type, out);

    if (c.rope.type == "llama3") {
        const std::vector<float> f = llama3_rope_factors(c.rope, c.head_dim);
        std::vector<uint8_t> bytes(f.size() * sizeof(float));
        std::memcpy(bytes.data(), f.data(), bytes.size());
        out.add_tensor("rope_freqs.weight", DType::F32, {(int64_t)f.size()}, std::move(bytes));
    }
    for (auto& [gguf_name, p] : plans) {
        // The producer owns a reference to the checkpoint, so the mapped shards outlive the writer's use.
        out.add_tensor_lazy(gguf_name, p.type, p.ne,
                            [ck, plan = p](const GgufWriter::ByteEmitter& emit) { convert(plan, emit); });
    }
}

}  // namespace akunu
