// An independent float64 forward pass of a decoder-only transformer (llama / qwen3), written from
// scratch for the whole-model correctness tests. It shares nothing with the engine's dispatch
// table or CPU kernels: it reads the metadata keys and tensors of a GgufFile itself, turns every
// weight into doubles with the dtype registry's dequantize_row, and runs one token at a time over
// a float64 KV cache.
//
//   x = embd[token]
//   per layer:  h = rmsnorm(x) * attn_norm
//               q = Wq h, k = Wk h, v = Wv h            (per head: optional RMSNorm of q and k)
//               rope(q), rope(k)                        (angle pos * theta^(-2i/rope_dim))
//               cache k, v;  o = softmax(q.K / sqrt(head_dim)) V  per head (GQA groups)
//               x += Wo o
//               h = rmsnorm(x) * ffn_norm
//               x += Wdown (silu(Wgate h) * Wup h)
//   logits = Wout (rmsnorm(x) * output_norm)            (Wout = embd when tied)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace akunu {

class GgufFile;

namespace reftest {

// The shapes and hyper-parameters read straight from the file's metadata keys (not through
// read_model_config): "llama" = interleaved RoPE, no QK-norm; "qwen3" = NeoX RoPE and QK-norm.
ModelConfig reference_config(const GgufFile& file);

class ReferenceModel {
public:
    // Reads the config with reference_config() and every weight as float64.
    explicit ReferenceModel(const GgufFile& file);
    // With an explicit config (tests override e.g. the rope style); tensors are read by its shapes.
    ReferenceModel(const GgufFile& file, const ModelConfig& config);

    const ModelConfig& config() const { return c_; }
    int32_t position() const { return pos_; }

    // Empties the KV cache.
    void reset() { pos_ = 0; }
    // Drops cached positions >= position.
    void truncate(int32_t position);
    // Appends one token at the current position; returns the logits of that position.
    std::vector<double> step(int32_t token);
    // reset(), then the logits at every position of `tokens`.
    std::vector<std::vector<double>> forward(const std::vector<int32_t>& tokens);
    // reset(), feed `prompt`, then n_predict greedy (argmax) tokens; returns the generated ids.
    std::vector<int32_t> greedy(const std::vector<int32_t>& prompt, int32_t n_predict);

private:
    using Vec = std::vector<double>;
    struct Matrix {
        int64_t rows = 0, cols = 0;
        Vec w;  // row-major [rows][cols]
    };
    struct Layer {
        Vec attn_norm, q_norm, k_norm, ffn_norm;
        Matrix wq, wk, wv, wo, gate, up, down;
        std::vector<Vec> k_cache, v_cache;  // [position][kv_dim]
    };

    static Matrix read_matrix(const GgufFile& file, const std::string& name, int64_t cols, int64_t rows);
    static Vec read_vector(const GgufFile& file, const std::string& name, int64_t n);
    static Vec matvec(const Matrix& m, const Vec& x);
    Vec rmsnorm(const Vec& x, const Vec& w) const;
    void rope(double* head, int32_t pos) const;

    ModelConfig c_;
    Matrix embd_, output_;
    Vec output_norm_;
    std::vector<Layer> layers_;
    int32_t pos_ = 0;
};

// ||a - ref|| / ||ref|| (L2), computed in double.
double rel_l2(const float* a, const std::vector<double>& ref);
double rel_l2(const std::vector<float>& a, const std::vector<double>& ref);
double rel_l2(const std::vector<float>& a, const std::vector<float>& ref);
double max_abs_diff(const std::vector<float>& a, const std::vector<double>& ref);

template <class T>
int32_t argmax_of(const std::vector<T>& v) {
    int32_t best = 0;
    for (int32_t i = 1; i < (int32_t)v.size(); ++i) {
        if (v[i] > v[best]) best = i;
    }
    return best;
}

// AKUNU_SHARED_DIR + "/" + rel.
std::string shared_file(const std::string& rel);

}  // namespace reftest
}  // namespace akunu
