#include "runtime/reference_forward.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "format/dtype.h"
#include "format/gguf_file.h"

namespace akunu::reftest {

ModelConfig reference_config(const GgufFile& f) {
    ModelConfig c;
    c.architecture = f.get_string("general.architecture");
    const std::string a = c.architecture;
    if (a == "llama") {
        c.rope_style = RopeStyle::Interleaved;
        c.has_qk_norm = false;
    } else if (a == "qwen3") {
        c.rope_style = RopeStyle::NeoX;
        c.has_qk_norm = true;
    } else {
        throw std::runtime_error("reference: unknown architecture " + a);
    }
    c.name = f.get_string_or("general.name", "");
    c.dim = f.get_u32(a + ".embedding_length");
    c.n_layers = f.get_u32(a + ".block_count");
    c.n_heads = f.get_u32(a + ".attention.head_count");
    c.n_kv_heads = f.get_u32_or(a + ".attention.head_count_kv", c.n_heads);
    c.head_dim = f.get_u32_or(a + ".attention.key_length", c.dim / c.n_heads);
    c.ffn_dim = f.get_u32(a + ".feed_forward_length");
    c.context_length = f.get_u32_or(a + ".context_length", 2048);
    c.rope_dim = f.get_u32_or(a + ".rope.dimension_count", c.head_dim);
    c.rope_theta = f.get_f32_or(a + ".rope.freq_base", 10000.0f);
    c.norm_eps = f.get_f32(a + ".attention.layer_norm_rms_epsilon");
    c.vocab_size = (uint32_t)f.tensor("token_embd.weight").ne[1];
    c.tied_output = f.find_tensor("output.weight") == nullptr;
    return c;
}

ReferenceModel::Matrix ReferenceModel::read_matrix(const GgufFile& file, const std::string& name, int64_t cols,
                                                   int64_t rows) {
    const GgufTensorInfo& t = file.tensor(name);
    if (t.ne[0] != cols || t.n_rows() != rows) {
        throw std::runtime_error("reference: tensor " + name + " has shape [" + std::to_string(t.ne[0]) + ", " +
                                 std::to_string(t.n_rows()) + "], expected [" + std::to_string(cols) + ", " +
                                 std::to_string(rows) + "]");
    }
    const DTypeTraits& traits = dtype_traits(t.type);
    const size_t row_bytes = dtype_row_bytes(t.type, cols);
    Matrix m;
    m.rows = rows;
    m.cols = cols;
    m.w.resize((size_t)rows * cols);
    std::vector<float> row((size_t)cols);
    for (int64_t r = 0; r < rows; ++r) {
        traits.dequantize_row(t.data + (size_t)r * row_bytes, row.data(), cols);
        for (int64_t i = 0; i < cols; ++i) m.w[(size_t)r * cols + i] = (double)row[i];
    }
    return m;
}

ReferenceModel::Vec ReferenceModel::read_vector(const GgufFile& file, const std::string& name, int64_t n) {
    return read_matrix(file, name, n, 1).w;
}

ReferenceModel::ReferenceModel(const GgufFile& file) : ReferenceModel(file, reference_config(file)) {}

ReferenceModel::ReferenceModel(const GgufFile& file, const ModelConfig& config) : c_(config) {
    const int64_t dim = c_.dim, q = (int64_t)c_.n_heads * c_.head_dim, kv = (int64_t)c_.n_kv_heads * c_.head_dim,
                  ffn = c_.ffn_dim, vocab = c_.vocab_size;
    embd_ = read_matrix(file, "token_embd.weight", dim, vocab);
    output_norm_ = read_vector(file, "output_norm.weight", dim);
    output_ = c_.tied_output ? embd_ : read_matrix(file, "output.weight", dim, vocab);
    layers_.resize(c_.n_layers);
    for (uint32_t l = 0; l < c_.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        Layer& L = layers_[l];
        L.attn_norm = read_vector(file, b + "attn_norm.weight", dim);
        L.wq = read_matrix(file, b + "attn_q.weight", dim, q);
        L.wk = read_matrix(file, b + "attn_k.weight", dim, kv);
        L.wv = read_matrix(file, b + "attn_v.weight", dim, kv);
        L.wo = read_matrix(file, b + "attn_output.weight", q, dim);
        if (c_.has_qk_norm) {
            L.q_norm = read_vector(file, b + "attn_q_norm.weight", c_.head_dim);
            L.k_norm = read_vector(file, b + "attn_k_norm.weight", c_.head_dim);
        }
        L.ffn_norm = read_vector(file, b + "ffn_norm.weight", dim);
        L.gate = read_matrix(file, b + "ffn_gate.weight", dim, ffn);
        L.up = read_matrix(file, b + "ffn_up.weight", dim, ffn);
        L.down = read_matrix(file, b + "ffn_down.weight", ffn, dim);
    }
}

ReferenceModel::Vec ReferenceModel::matvec(const Matrix& m, const Vec& x) {
    Vec y((size_t)m.rows, 0.0);
    for (int64_t r = 0; r < m.rows; ++r) {
        const double* w = m.w.data() + (size_t)r * m.cols;
        double s = 0;
        for (int64_t i = 0; i < m.cols; ++i) s += w[i] * x[i];
        y[r] = s;
    }
    return y;
}

ReferenceModel::Vec ReferenceModel::rmsnorm(const Vec& x, const Vec& w) const {
    double ss = 0;
    for (double v : x) ss += v * v;
    const double inv = 1.0 / std::sqrt(ss / (double)x.size() + (double)c_.norm_eps);
    Vec y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * inv * w[i];
    return y;
}

// Rotates the first rope_dim dimensions of one head by pos * theta^(-2i/rope_dim) for pair i.
void ReferenceModel::rope(double* h, int32_t pos) const {
    const int32_t rot = (int32_t)c_.rope_dim, half = rot / 2;
    for (int32_t i = 0; i < half; ++i) {
        const double angle = (double)pos * std::pow((double)c_.rope_theta, -2.0 * i / (double)rot);
        const double cs = std::cos(angle), sn = std::sin(angle);
        // Interleaved (GGUF llama): the pair (2i, 2i+1). NeoX (qwen3): the pair (i, i + rot/2).
        const int32_t a = c_.rope_style == RopeStyle::Interleaved ? 2 * i : i;
        const int32_t b = c_.rope_style == RopeStyle::Interleaved ? 2 * i + 1 : i + half;
        const double x0 = h[a], x1 = h[b];
        h[a] = x0 * cs - x1 * sn;
        h[b] = x0 * sn + x1 * cs;
    }
}

void ReferenceModel::truncate(int32_t position) {
    if (position < 0 || position > pos_) throw std::runtime_error("reference: bad truncate position");
    pos_ = position;
}

std::vector<double> ReferenceModel::step(int32_t token) {
    if (token < 0 || (uint32_t)token >= c_.vocab_size) throw std::runtime_error("reference: token out of range");
    const int32_t pos = pos_;
    const size_t dim = c_.dim, hd = c_.head_dim, nh = c_.n_heads, nkv = c_.n_kv_heads, group = nh / nkv;
    const double scale = 1.0 / std::sqrt((double)hd);

    Vec x(embd_.w.begin() + (size_t)token * dim, embd_.w.begin() + (size_t)(token + 1) * dim);
    for (Layer& L : layers_) {
        // Attention block.
        const Vec h = rmsnorm(x, L.attn_norm);
        Vec q = matvec(L.wq, h), k = matvec(L.wk, h), v = matvec(L.wv, h);
        for (size_t head = 0; head < nh; ++head) {
            double* qh = q.data() + head * hd;
            if (c_.has_qk_norm) {
                const Vec n = rmsnorm(Vec(qh, qh + hd), L.q_norm);
                std::copy(n.begin(), n.end(), qh);
            }
            rope(qh, pos);
        }
        for (size_t head = 0; head < nkv; ++head) {
            double* kh = k.data() + head * hd;
            if (c_.has_qk_norm) {
                const Vec n = rmsnorm(Vec(kh, kh + hd), L.k_norm);
                std::copy(n.begin(), n.end(), kh);
            }
            rope(kh, pos);
        }
        L.k_cache.resize((size_t)pos + 1);
        L.v_cache.resize((size_t)pos + 1);
        L.k_cache[pos] = k;
        L.v_cache[pos] = v;

        Vec att(nh * hd, 0.0);
        for (size_t head = 0; head < nh; ++head) {
            const size_t kvh = head / group;
            const double* qh = q.data() + head * hd;
            std::vector<double> scores((size_t)pos + 1);
            double mx = -INFINITY;
            for (int32_t p = 0; p <= pos; ++p) {
                const double* kp = L.k_cache[p].data() + kvh * hd;
                double s = 0;
                for (size_t d = 0; d < hd; ++d) s += qh[d] * kp[d];
                scores[p] = s * scale;
                mx = std::max(mx, scores[p]);
            }
            double sum = 0;
            for (double& s : scores) {
                s = std::exp(s - mx);
                sum += s;
            }
            double* oh = att.data() + head * hd;
            for (int32_t p = 0; p <= pos; ++p) {
                const double* vp = L.v_cache[p].data() + kvh * hd;
                const double wgt = scores[p] / sum;
                for (size_t d = 0; d < hd; ++d) oh[d] += wgt * vp[d];
            }
        }
        const Vec o = matvec(L.wo, att);
        for (size_t i = 0; i < dim; ++i) x[i] += o[i];

        // Feed-forward block (SwiGLU).
        const Vec h2 = rmsnorm(x, L.ffn_norm);
        Vec g = matvec(L.gate, h2);
        const Vec u = matvec(L.up, h2);
        for (size_t i = 0; i < g.size(); ++i) g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
        const Vec d = matvec(L.down, g);
        for (size_t i = 0; i < dim; ++i) x[i] += d[i];
    }
    pos_ = pos + 1;
    return matvec(output_, rmsnorm(x, output_norm_));
}

std::vector<std::vector<double>> ReferenceModel::forward(const std::vector<int32_t>& tokens) {
    reset();
    std::vector<std::vector<double>> out;
    out.reserve(tokens.size());
    for (int32_t t : tokens) out.push_back(step(t));
    return out;
}

std::vector<int32_t> ReferenceModel::greedy(const std::vector<int32_t>& prompt, int32_t n_predict) {
    reset();
    std::vector<double> logits;
    for (int32_t t : prompt) logits = step(t);
    std::vector<int32_t> out;
    for (int32_t i = 0; i < n_predict; ++i) {
        const int32_t next = argmax_of(logits);
        out.push_back(next);
        if (i + 1 < n_predict) logits = step(next);
    }
    return out;
}

double rel_l2(const float* a, const std::vector<double>& ref) {
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double d = (double)a[i] - ref[i];
        num += d * d;
        den += ref[i] * ref[i];
    }
    if (den == 0) return num == 0 ? 0.0 : INFINITY;
    const double r = std::sqrt(num / den);
    return std::isnan(r) ? INFINITY : r;
}

double rel_l2(const std::vector<float>& a, const std::vector<double>& ref) {
    if (a.size() != ref.size()) return INFINITY;
    return rel_l2(a.data(), ref);
}

double rel_l2(const std::vector<float>& a, const std::vector<float>& ref) {
    return rel_l2(a, std::vector<double>(ref.begin(), ref.end()));
}

double max_abs_diff(const std::vector<float>& a, const std::vector<double>& ref) {
    if (a.size() != ref.size()) return INFINITY;
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = std::fabs((double)a[i] - ref[i]);
        if (std::isnan(d)) return INFINITY;
        m = std::max(m, d);
    }
    return m;
}

std::string shared_file(const std::string& rel) { return std::string(AKUNU_SHARED_DIR) + "/" + rel; }

}  // namespace akunu::reftest
