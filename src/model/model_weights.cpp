#include "model/model_weights.h"

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

}  // namespace

ModelWeights bind_weights(const GgufFile& file, const ModelConfig& c) {
    ModelWeights w;
    const int64_t dim = c.dim, q = c.q_dim(), kv = c.kv_dim(), ffn = c.ffn_dim, vocab = c.vocab_size;
    w.token_embd = bind(file, "token_embd.weight", dim, vocab, false);
    w.output_norm = bind(file, "output_norm.weight", dim, 1, true);
    w.output = c.tied_output ? w.token_embd : bind(file, "output.weight", dim, vocab, false);
    w.layers.resize(c.n_layers);
    for (uint32_t l = 0; l < c.n_layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights& L = w.layers[l];
        L.attn_norm = bind(file, p + "attn_norm.weight", dim, 1, true);
        L.wq = bind(file, p + "attn_q.weight", dim, q, false);
        L.wk = bind(file, p + "attn_k.weight", dim, kv, false);
        L.wv = bind(file, p + "attn_v.weight", dim, kv, false);
        L.wo = bind(file, p + "attn_output.weight", q, dim, false);
        if (c.has_qk_norm) {
            L.q_norm = bind(file, p + "attn_q_norm.weight", c.head_dim, 1, true);
            L.k_norm = bind(file, p + "attn_k_norm.weight", c.head_dim, 1, true);
        }
        L.ffn_norm = bind(file, p + "ffn_norm.weight", dim, 1, true);
        L.ffn_gate = bind(file, p + "ffn_gate.weight", dim, ffn, false);
        L.ffn_up = bind(file, p + "ffn_up.weight", dim, ffn, false);
        L.ffn_down = bind(file, p + "ffn_down.weight", ffn, dim, false);
    }
    return w;
}

namespace {
template <typename F>
void for_each_weight(const ModelWeights& w, F&& f) {
    f(w.token_embd);
    f(w.output_norm);
    if (w.output.data != w.token_embd.data) f(w.output);
    for (const LayerWeights& L : w.layers) {
        for (const WeightView* v : {&L.attn_norm, &L.wq, &L.wk, &L.wv, &L.wo, &L.q_norm, &L.k_norm, &L.ffn_norm,
                                    &L.ffn_gate, &L.ffn_up, &L.ffn_down}) {
            if (v->present()) f(*v);
        }
    }
}
}  // namespace

uint64_t ModelWeights::total_bytes() const {
    uint64_t total = 0;
    for_each_weight(*this, [&](const WeightView& v) { total += v.bytes; });
    return total;
}

uint64_t ModelWeights::n_params() const {
    uint64_t total = 0;
    for_each_weight(*this, [&](const WeightView& v) { total += (uint64_t)(v.cols * v.rows); });
    return total;
}

DType ModelWeights::dominant_type() const {
    std::map<DType, uint64_t> bytes;
    for_each_weight(*this, [&](const WeightView& v) { bytes[v.type] += v.bytes; });
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
