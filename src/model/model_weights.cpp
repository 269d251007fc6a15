#include "model/model_weights.h"

#include <cmath>
#include <map>

#include "core/error.h"
#include "format/gguf_file.h"

namespace akunu {
namespace {

std::string shape_str(int64_t a, int64_t b) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

WeightView bind(const GgufFile& file, const std::string& name, int64_t cols, int64_t rows, bool norm) {
    const GgufTensorInfo& t = file.tensor(name);
    const bool is_1d = rows == 1;
    const bool shape_ok = t.ne[0] == cols && t.ne[1] == rows && t.ne[2] == 1 && t.ne[3] == 1 &&
                          (is_1d ? t.n_dims >= 1 : t.n_dims >= 2);
    if (!shape_ok) {
        std::string actual = "[" + std::to_string(t.ne[0]);
        for (uint32_t d = 1; d < t.n_dims; ++d) actual += ", " + std::to_string(t.ne[d]);
        actual += "]";
        fail(ErrorKind::Format, "model",
             file.name() + ": tensor '" + name + "' has shape " + actual + ", the model config needs " +
                 (is_1d ? "[" + std::to_string(cols) + "]" : shape_str(cols, rows)));
    }
    if (norm && t.type != DType::F32) {
        fail(ErrorKind::Unsupported, "model",
             file.name() + ": norm tensor '" + name + "' is " + dtype_name(t.type) + ", only F32 is supported");
    }
    WeightView w;
    w.name = name;
    w.type = t.type;
    w.cols = cols;
    w.rows = rows;
    w.data = t.data;
    w.bytes = t.n_bytes;
    return w;
}

// Rows [row0, row0 + rows) of a bound matrix, as a matrix of its own (the bytes of a row range of a
// row-major tensor are contiguous).
WeightView row_range(const WeightView& whole, int64_t row0, int64_t rows, const char* part) {
    const size_t row_bytes = dtype_row_bytes(whole.type, whole.cols);
    WeightView w = whole;
    w.name = whole.name + "[" + part + "]";
    w.rows = rows;
    w.data = static_cast<const uint8_t*>(whole.data) + (size_t)row0 * row_bytes;
    w.bytes = (size_t)rows * row_bytes;
    return w;
}

}  // namespace

ModelWeights bind_weights(const GgufFile& file, const ModelConfig& c) {
    ModelWeights w;
    const int64_t dim = c.dim, q = c.q_dim(), kv = c.kv_dim(), ffn = c.ffn_dim, vocab = c.vocab_size;
    w.token_embd = bind(file, "token_embd.weight", dim, vocab, false);
    w.output_norm = bind(file, "output_norm.weight", dim, 1, true);
    w.output = c.tied_output ? w.token_embd : bind(file, "output.weight", dim, vocab, false);
    if (c.has_rope_freqs) {
        w.rope_freqs = bind(file, "rope_freqs.weight", c.rope_dim / 2, 1, true);
        const float* f = static_cast<const float*>(w.rope_freqs.data);
        for (int64_t i = 0; i < w.rope_freqs.cols; ++i) {
            if (!std::isfinite(f[i]) || f[i] <= 0) {
                fail(ErrorKind::Format, "model",
                     file.name() + ": rope_freqs.weight[" + std::to_string(i) + "] = " + std::to_string(f[i]) +
                         " is not a positive frequency divisor");
            }
        }
    }
    w.layers.resize(c.n_layers);
    for (uint32_t l = 0; l < c.n_layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights& L = w.layers[l];
        L.attn_norm = bind(file, p + "attn_norm.weight", dim, 1, true);
        if (c.fused_qkv) {
            const WeightView qkv = bind(file, p + "attn_qkv.weight", dim, q + 2 * kv, false);
            L.wq = row_range(qkv, 0, q, "q");
            L.wk = row_range(qkv, q, kv, "k");
            L.wv = row_range(qkv, q + kv, kv, "v");
        } else {
            L.wq = bind(file, p + "attn_q.weight", dim, q, false);
            L.wk = bind(file, p + "attn_k.weight", dim, kv, false);
            L.wv = bind(file, p + "attn_v.weight", dim, kv, false);
        }
        if (c.has_qkv_bias) {
            // Biases are added as f32 vectors (Op::AddBias), whatever the weights' type.
            L.bq = bind(file, p + "attn_q.bias", q, 1, true);
            L.bk = bind(file, p + "attn_k.bias", kv, 1, true);
            L.bv = bind(file, p + "attn_v.bias", kv, 1, true);
        }
        L.wo = bind(file, p + "attn_output.weight", q, dim, false);
        if (c.has_qk_norm) {
            L.q_norm = bind(file, p + "attn_q_norm.weight", c.head_dim, 1, true);
            L.k_norm = bind(file, p + "attn_k_norm.weight", c.head_dim, 1, true);
        }
        L.ffn_norm = bind(file, p + "ffn_norm.weight", dim, 1, true);
        if (c.fused_gate_up) {
            const WeightView gate_up = bind(file, p + "ffn_up.weight", dim, 2 * ffn, false);
            L.ffn_gate = row_range(gate_up, 0, ffn, "gate");
            L.ffn_up = row_range(gate_up, ffn, ffn, "up");
        } else {
            L.ffn_gate = bind(file, p + "ffn_gate.weight", dim, ffn, false);
            L.ffn_up = bind(file, p + "ffn_up.weight", dim, ffn, false);
        }
        L.ffn_down = bind(file, p + "ffn_down.weight", ffn, dim, false);
        if (c.has_post_norms) {
            L.post_attn_norm = bind(file, p + "post_attention_norm.weight", dim, 1, true);
            L.post_ffn_norm = bind(file, p + "post_ffw_norm.weight", dim, 1, true);
        }
    }
    return w;
}

uint64_t ModelWeights::total_bytes() const {
    uint64_t total = 0;
    for_each([&](const WeightView& v) { total += v.bytes; });
    return total;
}

uint64_t ModelWeights::n_params() const {
    uint64_t total = 0;
    for_each([&](const WeightView& v) { total += (uint64_t)(v.cols * v.rows); });
    return total;
}

DType ModelWeights::dominant_type() const {
    std::map<DType, uint64_t> bytes;
    for_each([&](const WeightView& v) { bytes[v.type] += v.bytes; });
    DType best = DType::F32;
    uint64_t most = 0;
    for (auto& [type, b] : bytes) {
        if (b > most) {
            most = b;
            best = type;
        }
    }
    return best;
}

}  // namespace akunu
