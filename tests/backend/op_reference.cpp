// Scalar double-precision reference of every Op. Deliberately naive: one loop nest per op, straight
// from the definitions in plan/command.h, no blocking, no threads, sequential double sums.
#include "op_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace akunu::optest {
namespace {

[[noreturn]] void bad(const Command& c, const std::string& why) {
    throw std::logic_error(std::string("reference: ") + op_name(c.op) + ": " + why);
}

std::vector<double> dequantize_row(const uint8_t* src, DType type, int64_t k) {
    const DTypeTraits& t = dtype_traits(type);
    std::vector<float> tmp((size_t)k);
    t.dequantize_row(src, tmp.data(), k);
    return std::vector<double>(tmp.begin(), tmp.end());
}

// Bounds-checked access to the interpreter's memory. Element indices are relative to the BufRef.
class Access {
public:
    Access(const Command& c, RefMemory& mem) : c_(c), mem_(mem) {}

    RefTensor& tensor(const BufRef& r, Elem want, const char* what) {
        if (r.buf == kNoBuffer || r.buf >= mem_.tensors.size()) bad(c_, std::string(what) + ": no such buffer");
        RefTensor& t = mem_.tensors[r.buf];
        if (t.elem != want) {
            bad(c_, std::string(what) + ": buffer holds " + elem_name(t.elem) + ", op wants " + elem_name(want));
        }
        if (want != Elem::Raw && r.offset % 4 != 0) bad(c_, std::string(what) + ": misaligned offset");
        return t;
    }
    size_t base(const BufRef& r, const RefTensor& t, size_t first, size_t count, const char* what) {
        const size_t unit = t.elem == Elem::Raw ? 1 : 4;
        const size_t b = (size_t)r.offset / unit + first;
        if (b > t.elements() || count > t.elements() - b) {
            bad(c_, std::string(what) + ": elements [" + std::to_string(b) + ", " + std::to_string(b + count) +
                        ") outside a buffer of " + std::to_string(t.elements()));
        }
        return b;
    }
    std::vector<double> read_f32(const BufRef& r, size_t first, size_t count, const char* what) {
        RefTensor& t = tensor(r, Elem::F32, what);
        const size_t b = base(r, t, first, count, what);
        return std::vector<double>(t.f.begin() + (ptrdiff_t)b, t.f.begin() + (ptrdiff_t)(b + count));
    }
    void write_f32(const BufRef& r, size_t first, const std::vector<double>& v, const char* what,
                   const std::vector<double>* term_norm = nullptr) {
        RefTensor& t = tensor(r, Elem::F32, what);
        const size_t b = base(r, t, first, v.size(), what);
        for (size_t i = 0; i < v.size(); ++i) {
            t.f[b + i] = v[i];
            t.term_norm[b + i] = term_norm ? (*term_norm)[i] : 0.0;
            t.written[b + i] = 1;
        }
    }
    std::vector<int32_t> read_i32(const BufRef& r, size_t first, size_t count, const char* what) {
        RefTensor& t = tensor(r, Elem::I32, what);
        const size_t b = base(r, t, first, count, what);
        std::vector<int32_t> v(count);
        if (count) std::memcpy(v.data(), t.bytes.data() + b * 4, count * 4);
        return v;
    }
    void write_i32(const BufRef& r, size_t index, int32_t value, const char* what) {
        RefTensor& t = tensor(r, Elem::I32, what);
        const size_t b = base(r, t, index, 1, what);
        std::memcpy(t.bytes.data() + b * 4, &value, 4);
        t.written[b] = 1;
    }
    const uint8_t* raw(const BufRef& r, size_t bytes, const char* what) {
        RefTensor& t = tensor(r, Elem::Raw, what);
        const size_t b = base(r, t, 0, bytes, what);
        return t.bytes.data() + b;
    }
    size_t raw_available(const BufRef& r, const char* what) {
        RefTensor& t = tensor(r, Elem::Raw, what);
        const size_t b = base(r, t, 0, 0, what);
        return t.bytes.size() - b;
    }

private:
    const Command& c_;
    RefMemory& mem_;
};

}  // namespace

const char* elem_name(Elem e) {
    switch (e) {
        case Elem::F32: return "f32";
        case Elem::I32: return "i32";
        case Elem::Raw: return "raw";
    }
    return "?";
}

uint32_t RefMemory::add(Elem elem, std::vector<uint8_t> bytes) {
    RefTensor t;
    t.elem = elem;
    t.bytes = std::move(bytes);
    if (elem != Elem::Raw) {
        if (t.bytes.size() % 4 != 0) throw std::logic_error("reference: f32/i32 buffer size not a multiple of 4");
        t.written.assign(t.bytes.size() / 4, 0);
    }
    if (elem == Elem::F32) {
        t.f.resize(t.bytes.size() / 4);
        t.term_norm.assign(t.f.size(), 0.0);
        for (size_t i = 0; i < t.f.size(); ++i) {
            float v;
            std::memcpy(&v, t.bytes.data() + 4 * i, 4);
            t.f[i] = v;
        }
    }
    tensors.push_back(std::move(t));
    return (uint32_t)(tensors.size() - 1);
}

// ---------------------------------------------------------------- scalar ops

void ref_embed_lookup(const int32_t* tokens, int64_t m, const uint8_t* table, DType type, int64_t k, double* out) {
    const size_t row_bytes = dtype_row_bytes(type, k);
    for (int64_t t = 0; t < m; ++t) {
        const std::vector<double> row = dequantize_row(table + (size_t)tokens[t] * row_bytes, type, k);
        for (int64_t i = 0; i < k; ++i) out[t * k + i] = row[(size_t)i];
    }
}

void ref_rmsnorm(const double* x, const double* w, double* y, int64_t rows, int64_t k, double eps) {
    for (int64_t r = 0; r < rows; ++r) {
        double sum_sq = 0;
        for (int64_t i = 0; i < k; ++i) sum_sq += x[r * k + i] * x[r * k + i];
        const double inv_rms = 1.0 / std::sqrt(sum_sq / (double)k + eps);
        for (int64_t i = 0; i < k; ++i) y[r * k + i] = x[r * k + i] * inv_rms * w[i];
    }
}

void ref_matmul(const uint8_t* w, DType type, int64_t n, int64_t k, const double* x, int64_t m, double* y,
                bool accumulate, double* term_norm) {
    const size_t row_bytes = dtype_row_bytes(type, k);
    for (int64_t j = 0; j < n; ++j) {
        const std::vector<double> wj = dequantize_row(w + (size_t)j * row_bytes, type, k);
        for (int64_t t = 0; t < m; ++t) {
            double sum = 0, sq = accumulate ? y[t * n + j] * y[t * n + j] : 0.0;
            for (int64_t i = 0; i < k; ++i) {
                const double term = wj[(size_t)i] * x[t * k + i];
                sum += term;
                sq += term * term;
            }
            y[t * n + j] = accumulate ? y[t * n + j] + sum : sum;
            if (term_norm) term_norm[t * n + j] = std::sqrt(sq);
        }
    }
}

void ref_rope(double* x, int64_t m, int64_t pos0, int64_t heads, int64_t head_dim, int64_t rope_dim, int style,
              double theta, const double* freq_factors) {
    const int64_t half = rope_dim / 2;
    for (int64_t t = 0; t < m; ++t) {
        const double pos = (double)(pos0 + t);
        for (int64_t h = 0; h < heads; ++h) {
            double* v = x + (t * heads + h) * head_dim;
            for (int64_t i = 0; i < half; ++i) {
                const double angle = pos * std::pow(theta, -2.0 * (double)i / (double)rope_dim) /
                                     (freq_factors ? freq_factors[i] : 1.0);
                const double c = std::cos(angle), s = std::sin(angle);
                const int64_t a = style == 0 ? 2 * i : i;
                const int64_t b = style == 0 ? 2 * i + 1 : i + half;
                const double x0 = v[a], x1 = v[b];
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
            }
        }
    }
}

void ref_attention(const double* q, const double* k_cache, const double* v_cache, double* out, int64_t m,
                   int64_t pos0, int64_t n_heads, int64_t n_kv, int64_t head_dim, int64_t max_ctx, double scale,
                   double* term_norm, int64_t window, double softcap) {
    const int64_t group = n_heads / n_kv;
    std::vector<double> w;
    for (int64_t t = 0; t < m; ++t) {
        const int64_t first = window > 0 ? std::max<int64_t>(0, pos0 + t - window + 1) : 0;
        const int64_t visible = pos0 + t + 1 - first;
        for (int64_t h = 0; h < n_heads; ++h) {
            const double* qh = q + (t * n_heads + h) * head_dim;
            const double* kh = k_cache + ((h / group) * max_ctx + first) * head_dim;
            const double* vh = v_cache + ((h / group) * max_ctx + first) * head_dim;
            w.assign((size_t)visible, 0.0);
            double best = -INFINITY;
            for (int64_t p = 0; p < visible; ++p) {
                double dot = 0;
                for (int64_t d = 0; d < head_dim; ++d) dot += qh[d] * kh[p * head_dim + d];
                w[(size_t)p] = softcap > 0 ? softcap * std::tanh(dot * scale / softcap) : dot * scale;
                if (w[(size_t)p] > best) best = w[(size_t)p];
            }
            double total = 0;
            for (int64_t p = 0; p < visible; ++p) total += (w[(size_t)p] = std::exp(w[(size_t)p] - best));
            double* oh = out + (t * n_heads + h) * head_dim;
            for (int64_t d = 0; d < head_dim; ++d) {
                double acc = 0, sq = 0;
                for (int64_t p = 0; p < visible; ++p) {
                    const double term = w[(size_t)p] * vh[p * head_dim + d];
                    acc += term;
                    sq += term * term;
                }
                oh[d] = acc / total;
                if (term_norm) term_norm[(t * n_heads + h) * head_dim + d] = std::sqrt(sq) / total;
            }
        }
    }
}

double ref_silu(double x) { return x / (1.0 + std::exp(-x)); }

double ref_gelu_tanh(double x) {
    const double pi = 3.14159265358979323846;
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / pi) * (x + 0.044715 * x * x * x)));
}

int64_t ref_argmax(const double* x, int64_t n, double* margin) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i) {
        if (x[i] > x[best]) best = i;
    }
    if (margin) {
        double second = -INFINITY, scale = 0;
        for (int64_t i = 0; i < n; ++i) {
            if (i != best && x[i] > second) second = x[i];
            scale = std::max(scale, std::fabs(x[i]));
        }
        *margin = n < 2 ? INFINITY : (x[best] - second) / (scale > 0 ? scale : 1.0);
    }
    return best;
}

// ---------------------------------------------------------------- interpreter

void ref_execute(const Command& c, const RunState& s, RefMemory& mem, RefStats* stats) {
    Access a(c, mem);
    const uint16_t known = kAccumulate | kLastRowOnly | kSingleRow;
    if (c.flags & ~known) bad(c, "unknown flag bits");
    if ((c.flags & kAccumulate) && c.op != Op::MatMul) bad(c, "kAccumulate is a MatMul flag");
    const bool last_row = (c.flags & kLastRowOnly) != 0;
    if (last_row && c.op != Op::MatMul && c.op != Op::RmsNorm) bad(c, "kLastRowOnly is defined for MatMul/RmsNorm");
    if (last_row && (c.flags & kSingleRow)) bad(c, "kLastRowOnly and kSingleRow together");
    if (s.n_tokens < 1) bad(c, "n_tokens < 1");
    const int64_t m = (last_row || (c.flags & kSingleRow)) ? 1 : s.n_tokens;
    const int64_t skip = last_row ? s.n_tokens - 1 : 0;  // rows skipped in the input
    const int64_t n = c.n, k = c.k;
    const int64_t pos0 = s.pos;

    switch (c.op) {
        case Op::EmbedLookup: {
            const size_t row_bytes = dtype_row_bytes(c.wtype, k);
            const std::vector<int32_t> tok = a.read_i32(c.in[0], 0, (size_t)m, "tokens");
            const size_t vocab = row_bytes ? a.raw_available(c.in[1], "table") / row_bytes : 0;
            for (int32_t t : tok) {
                if (t < 0 || (size_t)t >= vocab) bad(c, "token " + std::to_string(t) + " outside the table");
            }
            const uint8_t* table = a.raw(c.in[1], vocab * row_bytes, "table");
            std::vector<double> out((size_t)(m * k));
            ref_embed_lookup(tok.data(), m, table, c.wtype, k, out.data());
            a.write_f32(c.out[0], 0, out, "out");
            break;
        }
        case Op::RmsNorm: {
            const int64_t rows_per_token = c.p[0];
            if (rows_per_token < 1 || k < 1) bad(c, "p0 (rows per token) and k must be >= 1");
            const std::vector<double> x =
                a.read_f32(c.in[0], (size_t)(skip * rows_per_token * k), (size_t)(m * rows_per_token * k), "x");
            const std::vector<double> w = a.read_f32(c.in[1], 0, (size_t)k, "weight");
            std::vector<double> y(x.size());
            ref_rmsnorm(x.data(), w.data(), y.data(), m * rows_per_token, k, (double)c.f0);
            a.write_f32(c.out[0], 0, y, "out");
            break;
        }
        case Op::MatMul: {
            if (n < 1 || k < 1) bad(c, "n and k must be >= 1");
            const size_t row_bytes = dtype_row_bytes(c.wtype, k);
            const uint8_t* w = a.raw(c.in[0], row_bytes * (size_t)n, "weight");
            const std::vector<double> x = a.read_f32(c.in[1], (size_t)(skip * k), (size_t)(m * k), "x");
            std::vector<double> y((size_t)(m * n), 0.0), size(y.size());
            const bool acc = (c.flags & kAccumulate) != 0;
            if (acc) y = a.read_f32(c.out[0], 0, (size_t)(m * n), "out (accumulated)");
            ref_matmul(w, c.wtype, n, k, x.data(), m, y.data(), acc, size.data());
            a.write_f32(c.out[0], 0, y, "out", &size);
            break;
        }
        case Op::Rope: {
            const int64_t heads = c.p[0], head_dim = c.p[1], rope_dim = c.p[2];
            if (heads < 1 || head_dim < 1) bad(c, "p0 heads and p1 head_dim must be >= 1");
            if (rope_dim < 2 || rope_dim % 2 || rope_dim > head_dim) bad(c, "p2 rope_dim must be even, in [2, p1]");
            if (c.p[3] > 1) bad(c, "p3 style must be 0 (interleaved) or 1 (NeoX)");
            if (pos0 < 0) bad(c, "negative position");
            std::vector<double> x = a.read_f32(c.out[0], 0, (size_t)(m * heads * head_dim), "x");
            std::vector<double> factors;
            if (c.in[0].buf != kNoBuffer) factors = a.read_f32(c.in[0], 0, (size_t)(rope_dim / 2), "freq factors");
            ref_rope(x.data(), m, pos0, heads, head_dim, rope_dim, (int)c.p[3], (double)c.f0,
                     factors.empty() ? nullptr : factors.data());
            // Only the rotated elements count as written; the rest must come back bit for bit.
            const int64_t half = rope_dim / 2;
            for (int64_t row = 0; row < m * heads; ++row) {
                for (int64_t i = 0; i < half; ++i) {
                    for (int64_t e : {c.p[3] == 0 ? 2 * i : i, c.p[3] == 0 ? 2 * i + 1 : i + half}) {
                        a.write_f32(c.out[0], (size_t)(row * head_dim + e), {x[(size_t)(row * head_dim + e)]}, "x");
                    }
                }
            }
            break;
        }
        case Op::KvStore: {
            const int64_t kv_heads = c.p[0], head_dim = c.p[1], max_ctx = c.p[2];
            if (kv_heads < 1 || head_dim < 1) bad(c, "p0 kv heads and p1 head_dim must be >= 1");
            if (pos0 < 0 || pos0 + m > max_ctx) bad(c, "positions outside p2 max_ctx");
            const std::vector<double> kk = a.read_f32(c.in[0], 0, (size_t)(m * kv_heads * head_dim), "k");
            const std::vector<double> vv = a.read_f32(c.in[1], 0, (size_t)(m * kv_heads * head_dim), "v");
            a.read_f32(c.out[0], 0, (size_t)(kv_heads * max_ctx * head_dim), "k cache");  // bounds
            a.read_f32(c.out[1], 0, (size_t)(kv_heads * max_ctx * head_dim), "v cache");
            for (int64_t t = 0; t < m; ++t) {
                for (int64_t h = 0; h < kv_heads; ++h) {
                    const size_t src = (size_t)((t * kv_heads + h) * head_dim);
                    const size_t dst = (size_t)((h * max_ctx + pos0 + t) * head_dim);
                    a.write_f32(c.out[0], dst, {kk.begin() + (ptrdiff_t)src, kk.begin() + (ptrdiff_t)(src + head_dim)},
                                "k cache");
                    a.write_f32(c.out[1], dst, {vv.begin() + (ptrdiff_t)src, vv.begin() + (ptrdiff_t)(src + head_dim)},
                                "v cache");
                }
            }
            break;
        }
        case Op::Attention: {
            const int64_t n_heads = c.p[0], n_kv = c.p[1], head_dim = c.p[2], max_ctx = c.p[3];
            if (n_heads < 1 || n_kv < 1 || head_dim < 1) bad(c, "heads, kv heads, head_dim must be >= 1");
            if (n_heads % n_kv) bad(c, "p0 heads not a multiple of p1 kv heads");
            if (pos0 < 0 || pos0 + m > max_ctx) bad(c, "positions outside p3 max_ctx");
            const std::vector<double> q = a.read_f32(c.in[0], 0, (size_t)(m * n_heads * head_dim), "q");
            const std::vector<double> kc = a.read_f32(c.in[1], 0, (size_t)(n_kv * max_ctx * head_dim), "k cache");
            const std::vector<double> vc = a.read_f32(c.in[2], 0, (size_t)(n_kv * max_ctx * head_dim), "v cache");
            std::vector<double> out(q.size()), size(q.size());
            if (c.f1 < 0) bad(c, "negative soft-cap f1");
            ref_attention(q.data(), kc.data(), vc.data(), out.data(), m, pos0, n_heads, n_kv, head_dim, max_ctx,
                          (double)c.f0, size.data(), (int64_t)c.k, (double)c.f1);
            a.write_f32(c.out[0], 0, out, "out", &size);
            break;
        }
        case Op::Add:
        case Op::SwiGlu: {
            const size_t count = (size_t)(m * n);
            const std::vector<double> x0 = a.read_f32(c.in[0], 0, count, "in0");
            const std::vector<double> x1 = a.read_f32(c.in[1], 0, count, "in1");
            std::vector<double> y(count);
            for (size_t i = 0; i < count; ++i) y[i] = c.op == Op::Add ? x0[i] + x1[i] : ref_silu(x0[i]) * x1[i];
            a.write_f32(c.out[0], 0, y, "out");
            break;
        }
        case Op::GeluGlu: {
            const size_t count = (size_t)(m * n);
            const std::vector<double> x0 = a.read_f32(c.in[0], 0, count, "gate");
            const std::vector<double> x1 = a.read_f32(c.in[1], 0, count, "up");
            std::vector<double> y(count);
            for (size_t i = 0; i < count; ++i) y[i] = ref_gelu_tanh(x0[i]) * x1[i];
            a.write_f32(c.out[0], 0, y, "out");
            break;
        }
        case Op::AddBias: {
            if (n < 1) bad(c, "n must be >= 1");
            const std::vector<double> x = a.read_f32(c.in[0], 0, (size_t)(m * n), "x");
            const std::vector<double> bias = a.read_f32(c.in[1], 0, (size_t)n, "bias");
            std::vector<double> y(x.size());
            for (size_t i = 0; i < y.size(); ++i) y[i] = x[i] + bias[i % (size_t)n];
            a.write_f32(c.out[0], 0, y, "out");
            break;
        }
        case Op::Scale:
        case Op::SoftCap: {
            if (c.op == Op::SoftCap && !(c.f0 > 0)) bad(c, "soft-cap f0 must be > 0");
            std::vector<double> x = a.read_f32(c.in[0], 0, (size_t)(m * n), "x");
            for (double& v : x) v = c.op == Op::Scale ? v * (double)c.f0 : (double)c.f0 * std::tanh(v / (double)c.f0);
            a.write_f32(c.out[0], 0, x, "out");
            break;
        }
        case Op::Argmax: {
            if (n < 1) bad(c, "n must be >= 1");
            const std::vector<double> x = a.read_f32(c.in[0], 0, (size_t)n, "logits");
            double margin = 0;
            const int32_t tok = (int32_t)ref_argmax(x.data(), n, &margin);
            if (stats && margin < stats->min_argmax_margin) stats->min_argmax_margin = margin;
            a.write_i32(c.out[0], 0, tok, "token");
            if (c.out[1].buf != kNoBuffer) {
                if (s.step < 0) bad(c, "negative step");
                a.write_i32(c.out[1], (size_t)s.step, tok, "chain out");
            }
            break;
        }
        case Op::Count:
            bad(c, "Op::Count is not an op");
    }
}

void ref_run(const DispatchTable& table, const RunState& s, RefMemory& mem, RefStats* stats) {
    for (const Command& c : table.commands) ref_execute(c, s, mem, stats);
}

void ref_run_chain(const DispatchTable& table, const RunState& first, int32_t n_steps, RefMemory& mem,
                   RefStats* stats) {
    for (int32_t i = 0; i < n_steps; ++i) {
        RunState s = first;
        s.pos = first.pos + i;
        s.step = first.step + i;
        ref_run(table, s, mem, stats);
    }
}

}  // namespace akunu::optest
