#include "op_cases_arch.h"

#include <cmath>
#include <string>

namespace akunu::optest {
namespace {

std::string str(int64_t v) { return std::to_string(v); }

RunState state(int32_t pos, int32_t n_tokens) {
    RunState s;
    s.pos = pos;
    s.n_tokens = n_tokens;
    return s;
}

// Gate values where exp / tanh saturate or underflow in f32, for GeGLU.
const std::vector<float> kExtremes = {-1000.f, -100.f, -89.f, -20.f, -10.f, -3.f, -1e-30f, 0.f,
                                      1e-30f,  3.f,    10.f,  20.f,  89.f,  100.f, 1000.f, -0.5f, 0.5f};

OpCase add_bias_case(int64_t n, int32_t m, bool in_place, const Target& tg) {
    CaseBuilder b("AddBias", "n" + str(n) + "_m" + str(m) + (in_place ? "_inplace" : ""), tg);
    const uint32_t x = b.f32("x", (size_t)(m * n), Fill::Gauss, 0, 1);
    const uint32_t bias = b.f32("bias", (size_t)n, Fill::Gauss, 0, 1);
    b.spec(bias).imported = true;  // a model tensor
    const uint32_t y = in_place ? x : b.out_f32("out", (size_t)(m * n));
    Command c;
    c.op = Op::AddBias;
    c.in[0] = CaseBuilder::ref(x);
    c.in[1] = CaseBuilder::ref(bias);
    c.out[0] = CaseBuilder::ref(y);
    c.n = (uint32_t)n;
    b.add(c);
    return b.build(state(0, m));
}

OpCase geglu_case(int64_t n, int32_t m, bool in_place, double sigma, const Target& tg, bool extremes = false) {
    std::string name = extremes ? "extremes_n" + str(n) : "n" + str(n) + "_m" + str(m) + (in_place ? "_inplace" : "");
    if (sigma != 1.0) name += "_sigma" + str((int64_t)sigma);
    CaseBuilder b("GeluGlu", name, tg);
    const uint32_t g = extremes ? b.f32_values("gate", kExtremes) : b.f32("gate", (size_t)(m * n), Fill::Gauss, 0, sigma);
    const uint32_t u = b.f32("up", (size_t)(m * n), Fill::Gauss, 0, 1);
    const uint32_t y = in_place ? g : b.out_f32("out", (size_t)(m * n));
    Command c;
    c.op = Op::GeluGlu;
    c.in[0] = CaseBuilder::ref(g);
    c.in[1] = CaseBuilder::ref(u);
    c.out[0] = CaseBuilder::ref(y);
    c.n = (uint32_t)n;
    b.add(c);
    return b.build(state(0, m));
}

// Scale and SoftCap: one input, in place or not; kSingleRow where the builder uses it (logits).
OpCase unary_case(Op op, int64_t n, int32_t m, bool in_place, float f0, double sigma, uint16_t flags,
                  const Target& tg) {
    std::string name = "n" + str(n) + "_m" + str(m) + (in_place ? "_inplace" : "") + "_f" + str((int64_t)(f0 * 100));
    if (sigma != 1.0) name += "_sigma" + str((int64_t)sigma);
    if (flags & kSingleRow) name += "_singlerow";
    CaseBuilder b(op == Op::Scale ? "Scale" : "SoftCap", name, tg);
    const uint32_t x = b.f32("x", (size_t)(m * n), Fill::Gauss, 0, sigma);
    const uint32_t y = in_place ? x : b.out_f32("out", (size_t)((flags & kSingleRow) ? n : m * n));
    Command c;
    c.op = op;
    c.flags = flags;
    c.in[0] = CaseBuilder::ref(x);
    c.out[0] = CaseBuilder::ref(y);
    c.n = (uint32_t)n;
    c.f0 = f0;
    b.add(c);
    return b.build(state(0, m));
}

OpCase window_case(int64_t n_heads, int64_t n_kv, int64_t head_dim, int32_t pos, int32_t m, uint32_t window,
                   float softcap, bool sharp, const Target& tg) {
    return attention_op_case("AttentionWindow", "_w" + str(window) + "_cap" + str((int64_t)softcap), n_heads, n_kv,
                             head_dim, pos, m, window, softcap, sharp, tg);
}

OpCase rope_factor_case(int64_t head_dim, int64_t rope_dim, int style, int32_t pos, int32_t m, const Target& tg) {
    const int64_t heads = 3;
    CaseBuilder b("RopeFreqFactors",
                  std::string(style == 0 ? "interleaved" : "neox") + "_hd" + str(head_dim) + "_rd" + str(rope_dim) +
                      "_m" + str(m) + "_pos" + str(pos),
                  tg);
    const uint32_t x = b.f32("x", (size_t)(m * heads * head_dim), Fill::Gauss, 0, 1);
    // Divisors as Llama 3.1's: 1 for the fast pairs, up to 8 for the slow ones, smooth between.
    const uint32_t f = b.f32("freq_factors", (size_t)(rope_dim / 2), Fill::Uniform, 1.0, 8.0);
    b.spec(f).imported = true;
    Command c;
    c.op = Op::Rope;
    c.in[0] = CaseBuilder::ref(f);
    c.out[0] = CaseBuilder::ref(x);
    c.p[0] = (uint32_t)heads;
    c.p[1] = (uint32_t)head_dim;
    c.p[2] = (uint32_t)rope_dim;
    c.p[3] = (uint32_t)style;
    c.f0 = 500000.0f;
    b.add(c);
    return b.build(state(pos, m));
}

}  // namespace

OpCase attention_op_case(const std::string& suite, const std::string& name_suffix, int64_t n_heads, int64_t n_kv,
                         int64_t head_dim, int32_t pos, int32_t m, uint32_t window, float softcap, bool sharp,
                         const Target& tg) {
    // Three slots past the last visible position, filled like the rest: attending to them (a broken
    // causal mask) changes the output; with a window, keys before it, equally filled, catch a broken
    // window.
    const int64_t max_ctx = pos + m + 3;
    CaseBuilder b(suite,
                  "h" + str(n_heads) + "_kv" + str(n_kv) + "_hd" + str(head_dim) + "_pos" + str(pos) + "_m" + str(m) +
                      name_suffix + (sharp ? "_sharp" : ""),
                  tg);
    const size_t qsz = (size_t)(m * n_heads * head_dim), cache = (size_t)(n_kv * max_ctx * head_dim);
    const uint32_t q = b.f32("q", qsz, Fill::Gauss, 0, 1);
    const uint32_t kc = b.f32("k_cache", cache, Fill::Gauss, 0, 1);
    const uint32_t vc = b.f32("v_cache", cache, Fill::Gauss, 0, 1);
    const uint32_t o = b.out_f32("out", qsz);
    Command c;
    c.op = Op::Attention;
    c.in[0] = CaseBuilder::ref(q);
    c.in[1] = CaseBuilder::ref(kc);
    c.in[2] = CaseBuilder::ref(vc);
    c.out[0] = CaseBuilder::ref(o);
    c.p[0] = (uint32_t)n_heads;
    c.p[1] = (uint32_t)n_kv;
    c.p[2] = (uint32_t)head_dim;
    c.p[3] = (uint32_t)max_ctx;
    c.k = window;
    // Sharp: scores of order +-100, whose exp overflows f32 unless the max is subtracted first (and,
    // with a cap, far beyond it, so that the cap decides the softmax).
    c.f0 = sharp ? 2.0f : (float)(1.0 / std::sqrt((double)head_dim));
    c.f1 = softcap;
    b.add(c);
    return b.build(state(pos, m));
}


std::vector<OpCase> add_bias_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t n : {1, 31, 4097}) {
            for (int32_t m : {1, 3}) {
                for (bool ip : {false, true}) out.push_back(add_bias_case(n, m, ip, tg));
            }
        }
    }
    return out;
}

std::vector<OpCase> geglu_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t n : {1, 31, 4097}) {
            for (int32_t m : {1, 3}) {
                for (bool ip : {false, true}) out.push_back(geglu_case(n, m, ip, 1.0, tg));
            }
        }
        out.push_back(geglu_case(4097, 1, false, 30.0, tg));
        out.push_back(geglu_case((int64_t)kExtremes.size(), 1, false, 1.0, tg, true));
    }
    return out;
}

std::vector<OpCase> scale_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t n : {1, 31, 4097}) {
            for (int32_t m : {1, 3}) {
                for (bool ip : {false, true}) out.push_back(unary_case(Op::Scale, n, m, ip, 8.0f, 1.0, 0, tg));
            }
        }
        out.push_back(unary_case(Op::Scale, 33, 2, true, 0.125f, 1.0, 0, tg));
    }
    return out;
}

std::vector<OpCase> softcap_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int64_t n : {1, 31, 4097}) {
            for (int32_t m : {1, 3}) {
                for (bool ip : {false, true}) out.push_back(unary_case(Op::SoftCap, n, m, ip, 6.0f, 10.0, 0, tg));
            }
        }
        // The logits row of a prefill: one row whatever the run's token count.
        out.push_back(unary_case(Op::SoftCap, 260, 5, true, 30.0f, 50.0, kSingleRow, tg));
        out.push_back(unary_case(Op::SoftCap, 260, 5, false, 6.0f, 1.0, kSingleRow, tg));
    }
    return out;
}

std::vector<OpCase> attention_window_cases() {
    std::vector<OpCase> out;
    const int64_t shapes[][2] = {{8, 4}, {6, 3}, {4, 4}};
    for (const auto& s : shapes) {
        for (int64_t hd : {8, 48}) {
            for (int32_t pos : {0, 5, 100}) {
                for (int32_t m : {1, 4, 40}) {
                    for (uint32_t w : {1u, 8u}) {
                        for (const Target& tg : targets(true)) {
                            out.push_back(window_case(s[0], s[1], hd, pos, m, w, 0.0f, false, tg));
                        }
                    }
                }
            }
        }
    }
    for (const Target& tg : targets(true)) {
        out.push_back(window_case(8, 4, 48, 100, 4, 0, 4.0f, true, tg));    // soft-cap alone
        out.push_back(window_case(8, 4, 48, 100, 40, 8, 4.0f, true, tg));   // both, the Gemma 2 layer
        out.push_back(window_case(6, 3, 8, 0, 40, 200, 50.0f, false, tg));  // window past the context
    }
    return out;
}

std::vector<OpCase> rope_freq_factor_cases() {
    std::vector<OpCase> out;
    for (const Target& tg : targets(false)) {
        for (int style : {0, 1}) {
            for (int32_t pos : {0, 1000}) {
                for (int32_t m : {1, 3}) out.push_back(rope_factor_case(48, 48, style, pos, m, tg));
            }
            out.push_back(rope_factor_case(64, 32, style, 77, 2, tg));
        }
    }
    return out;
}

}  // namespace akunu::optest
