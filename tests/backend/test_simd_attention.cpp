// The SIMD attention kernels (attention_x86.inc at avx2 and avx512, each form of scores) against
// the scalar kernel cpu_attention, on every level this machine supports, at awkward shapes: head
// dims that are and are not whole vectors, 1-3 KV heads with GQA ratios 1-3, contexts of 1 to 517
// positions reached by runs (chunks) of 1, 5, 64 and 77 tokens, 1 and 2 threads.
//
// Tolerances, absolute per output element (outputs are convex combinations of values in [-1, 1]):
//   against the scalar kernel 1.5e-5, and against the f64 reference (op_reference) 1e-5.
// Both kernels form scores as f32 dot products, whose rounding a sharp softmax (scale 3: scores
// up to ~40) turns into output error: the scalar kernel's own worst against f64 is 2.9e-6, the
// SIMD kernels' 4.9e-6 (RowLanes; RowDots 3.4e-6), their worst difference 7.3e-6; flat softmaxes
// (scale 1/sqrt(head_dim)) stay below 1e-6. The SIMD exp is a polynomial (~1e-7 relative). A wrong
// mask, a missed key tile or a GQA slip shows as 1e-2 or more.
//
// Cache positions past the context hold NaN, so a kernel that reads a key or value it must not
// see poisons its output; outputs start as NaN, so a row left unwritten fails too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "backend/cpu/attention_dispatch.h"
#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/thread_pool.h"
#include "backend/op_reference.h"
#include "core/half.h"

using namespace akunu;

namespace {

constexpr double kVsScalar = 1.5e-5;
constexpr double kVsF64 = 1e-5;

std::vector<CpuIsa> simd_levels() {
    std::vector<CpuIsa> out;
    if (cpu_supports(CpuIsa::Avx2)) out.push_back(CpuIsa::Avx2);
    if (cpu_supports(CpuIsa::Avx512)) out.push_back(CpuIsa::Avx512);
    return out;
}

struct Shape {
    int32_t n_heads, n_kv, head_dim, m, ctx;  // ctx = pos0 + m: positions the last token sees
    float scale;
    int32_t window = 0;    // sliding window (0: causal over everything)
    float softcap = 0.0f;  // attention logit soft-cap (0: none)
};

std::string describe(const Shape& s) {
    char b[200];
    std::snprintf(b, sizeof b, "heads %d/%d head_dim %d m %d ctx %d scale %.3g window %d softcap %.3g", s.n_heads,
                  s.n_kv, s.head_dim, s.m, s.ctx, s.scale, s.window, s.softcap);
    return b;
}

struct Problem {
    Shape s;
    int32_t max_ctx;
    std::vector<float> q, k, v;
};

Problem make_problem(const Shape& s, uint32_t seed) {
    Problem p;
    p.s = s;
    p.max_ctx = s.ctx + 3;
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    p.q.resize((size_t)s.m * s.n_heads * s.head_dim);
    for (float& x : p.q) x = u(g);
    const size_t cache = (size_t)s.n_kv * p.max_ctx * s.head_dim;
    p.k.assign(cache, std::numeric_limits<float>::quiet_NaN());
    p.v.assign(cache, std::numeric_limits<float>::quiet_NaN());
    for (int32_t h = 0; h < s.n_kv; ++h) {
        for (int32_t pos = 0; pos < s.ctx; ++pos) {
            const size_t at = ((size_t)h * p.max_ctx + pos) * s.head_dim;
            for (int32_t d = 0; d < s.head_dim; ++d) {
                p.k[at + d] = u(g);
                p.v[at + d] = u(g);
            }
        }
    }
    return p;
}

AttentionArgs args_of(const Problem& p, float* out) {
    AttentionArgs a;
    a.q = p.q.data();
    a.k_cache = p.k.data();
    a.v_cache = p.v.data();
    a.out = out;
    a.m = p.s.m;
    a.pos0 = p.s.ctx - p.s.m;
    a.n_heads = p.s.n_heads;
    a.n_kv_heads = p.s.n_kv;
    a.head_dim = p.s.head_dim;
    a.max_ctx = p.max_ctx;
    a.scale = p.s.scale;
    a.window = p.s.window;
    a.softcap = p.s.softcap;
    return a;
}

// k16 / v16: run on f16 caches (kv_type f16) instead of p.k / p.v.
std::vector<float> run(const AttentionDispatch& d, const Problem& p, int threads, const uint16_t* k16 = nullptr,
                       const uint16_t* v16 = nullptr) {
    ThreadPool pool(threads);
    const size_t stride = d.scratch_floats(p.s.head_dim, p.max_ctx);
    std::vector<float> scores((size_t)threads * stride);
    CpuScratch scratch;
    scratch.scores = scores.data();
    scratch.scores_stride = stride;
    std::vector<float> out((size_t)p.s.m * p.s.n_heads * p.s.head_dim, std::numeric_limits<float>::quiet_NaN());
    AttentionArgs a = args_of(p, out.data());
    if (k16) {
        a.k_cache = a.v_cache = nullptr;
        a.k_half = k16;
        a.v_half = v16;
    }
    d.run(a, pool, scratch);
    return out;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double e = std::fabs((double)a[i] - (double)b[i]);
        if (!(e <= worst)) worst = e;  // NaN wins
    }
    return worst;
}

std::vector<Shape> shapes() {
    const int32_t heads[][2] = {{1, 1}, {2, 1}, {3, 1}, {2, 2}, {6, 3}, {6, 2}, {9, 3}};
    const int32_t dims[] = {48, 64, 80, 128, 20};
    const int32_t chunk[] = {1, 5, 64, 77};
    const int32_t ctx[] = {1, 7, 33, 130, 517};
    std::vector<Shape> out;
    for (const auto& h : heads) {
        for (int32_t d : dims) {
            for (int32_t m : chunk) {
                for (int32_t c : ctx) {
                    if (c < m) continue;
                    // A flat softmax (the model's 1/sqrt(d)) and a sharp one (exp far below 0).
                    const float flat = 1.0f / std::sqrt((float)d), sharp = 3.0f;
                    out.push_back({h[0], h[1], d, m, c, (m + c + d) % 2 ? flat : sharp});
                }
            }
        }
    }
    return out;
}

}  // namespace

std::vector<float> reference_f64(const Problem& p) {
    const Shape& s = p.s;
    std::vector<double> q(p.q.begin(), p.q.end()), k(p.k.begin(), p.k.end()), v(p.v.begin(), p.v.end());
    std::vector<double> out(p.q.size());
    optest::ref_attention(q.data(), k.data(), v.data(), out.data(), s.m, s.ctx - s.m, s.n_heads, s.n_kv, s.head_dim,
                          p.max_ctx, s.scale, nullptr, s.window, s.softcap);
    return std::vector<float>(out.begin(), out.end());
}

// Sliding windows (Gemma 2/3, Mistral-style) and logit soft-capping (Gemma 2): windows shorter than
// a unit's span of tokens, than a key tile, and longer than the context; runs that start before,
// inside and past the first window; caps that bind hard (sharp scale) and barely.
std::vector<Shape> window_shapes() {
    const int32_t heads[][2] = {{2, 1}, {6, 2}, {3, 3}};
    const int32_t dims[] = {20, 64};
    const int32_t chunk[] = {1, 5, 77};
    const int32_t ctx[] = {1, 9, 130, 517};
    const int32_t windows[] = {1, 3, 8, 70, 600};
    const float caps[] = {0.0f, 4.0f, 50.0f};
    std::vector<Shape> out;
    int32_t i = 0;
    for (const auto& h : heads) {
        for (int32_t d : dims) {
            for (int32_t m : chunk) {
                for (int32_t c : ctx) {
                    if (c < m) continue;
                    for (int32_t w : windows) {
                        const float cap = caps[i % 3], scale = i % 2 ? 1.0f / std::sqrt((float)d) : 3.0f;
                        ++i;
                        out.push_back({h[0], h[1], d, m, c, scale, w, cap});
                    }
                }
            }
        }
    }
    // Soft-cap without a window.
    out.push_back({6, 2, 64, 77, 130, 3.0f, 0, 4.0f});
    out.push_back({6, 2, 64, 1, 517, 3.0f, 0, 4.0f});
    return out;
}

void check_against_scalar(const std::vector<Shape>& all, const char* what) {
    const AttentionDispatch oracle(CpuIsa::Scalar);
    double worst_scalar = 0, worst_f64 = 0, worst_oracle = 0;
    uint32_t seed = 1;
    for (const Shape& s : all) {
        const Problem p = make_problem(s, seed++);
        const std::vector<float> want = run(oracle, p, 1), exact = reference_f64(p);
        const double e_oracle = max_abs_diff(want, exact);
        ASSERT_LE(e_oracle, kVsF64) << "scalar kernel: " << describe(s);
        worst_oracle = std::max(worst_oracle, e_oracle);
        for (CpuIsa isa : simd_levels()) {
            for (AttentionForm form : {AttentionForm::Auto, AttentionForm::RowDots, AttentionForm::RowLanes}) {
                const AttentionDispatch d(isa, form);
                for (int threads : {1, 2}) {
                    const std::vector<float> got = run(d, p, threads);
                    const double e = max_abs_diff(got, want), e64 = max_abs_diff(got, exact);
                    ASSERT_LE(e, kVsScalar) << cpu_isa_name(isa) << " form " << (int)form << " threads " << threads
                                            << ": " << describe(s);
                    ASSERT_LE(e64, kVsF64) << cpu_isa_name(isa) << " form " << (int)form << " threads " << threads
                                           << ": " << describe(s);
                    worst_scalar = std::max(worst_scalar, e);
                    worst_f64 = std::max(worst_f64, e64);
                }
            }
        }
    }
    std::printf("[ simd ] attention %s: scalar kernel against f64 %.2e; SIMD against the scalar kernel %.2e, "
                "against f64 %.2e\n",
                what, worst_oracle, worst_scalar, worst_f64);
}

TEST(SimdAttention, WindowAndSoftCapMatchScalarKernel) {
    // The scalar kernel is checked against f64 here even without a SIMD level: it is the oracle.
    check_against_scalar(window_shapes(), "window / soft-cap");
}

TEST(SimdAttention, MatchesScalarKernel) {
    if (simd_levels().empty()) GTEST_SKIP() << "no SIMD level on this CPU";
    const AttentionDispatch oracle(CpuIsa::Scalar);
    double worst_scalar = 0, worst_f64 = 0;
    uint32_t seed = 1;
    for (const Shape& s : shapes()) {
        const Problem p = make_problem(s, seed++);
        const std::vector<float> want = run(oracle, p, 1), exact = reference_f64(p);
        for (CpuIsa isa : simd_levels()) {
            for (AttentionForm form : {AttentionForm::Auto, AttentionForm::RowDots, AttentionForm::RowLanes}) {
                const AttentionDispatch d(isa, form);
                for (int threads : {1, 2}) {
                    const std::vector<float> got = run(d, p, threads);
                    const double e = max_abs_diff(got, want), e64 = max_abs_diff(got, exact);
                    ASSERT_LE(e, kVsScalar) << cpu_isa_name(isa) << " form " << (int)form << " threads " << threads
                                            << ": " << describe(s);
                    ASSERT_LE(e64, kVsF64) << cpu_isa_name(isa) << " form " << (int)form << " threads " << threads
                                           << ": " << describe(s);
                    worst_scalar = std::max(worst_scalar, e);
                    worst_f64 = std::max(worst_f64, e64);
                }
            }
        }
    }
    std::printf("[ simd ] attention: worst abs error against the scalar kernel %.2e, against f64 %.2e\n", worst_scalar,
                worst_f64);
}

// Decode (one token) with more threads than KV heads: the rows of a head are cut into several
// units, so the threads share one head.
TEST(SimdAttention, DecodeWithFewerHeadsThanThreads) {
    const AttentionDispatch oracle(CpuIsa::Scalar);
    for (CpuIsa isa : simd_levels()) {
        const AttentionDispatch d(isa);
        for (int32_t ctx : {1, 100, 700}) {
            const Problem p = make_problem({8, 1, 64, 1, ctx, 0.125f}, 99);
            EXPECT_LE(max_abs_diff(run(d, p, 3), run(oracle, p, 1)), kVsScalar) << cpu_isa_name(isa) << " ctx " << ctx;
        }
    }
}

// f16 caches (kv_type f16): the problem's keys and values rounded to f16 once. Every kernel widens
// each element to f32 as it reads it, so on the same halves the SIMD kernels hold the f32
// tolerances against the scalar kernel, and the scalar kernel holds kVsF64 against the f64
// reference on the rounded values; positions past the context stay NaN (f16 NaN).
TEST(SimdAttention, F16CachesMatchScalarKernel) {
    const AttentionDispatch oracle(CpuIsa::Scalar);
    std::vector<Shape> all = window_shapes();
    for (const Shape& s : shapes()) {
        if (s.n_kv <= 2 && (s.head_dim == 64 || s.head_dim == 20)) all.push_back(s);
    }
    double worst_scalar = 0, worst_oracle = 0, worst_vs_f32 = 0;
    uint32_t seed = 7;
    for (const Shape& s : all) {
        Problem p = make_problem(s, seed++);
        const std::vector<float> f32_out = run(oracle, p, 1);
        std::vector<uint16_t> k16(p.k.size()), v16(p.v.size());
        for (size_t i = 0; i < p.k.size(); ++i) {
            k16[i] = fp32_to_fp16(p.k[i]);
            v16[i] = fp32_to_fp16(p.v[i]);
            p.k[i] = fp16_to_fp32(k16[i]);
            p.v[i] = fp16_to_fp32(v16[i]);
        }
        const std::vector<float> want = run(oracle, p, 1, k16.data(), v16.data());
        const double e_oracle = max_abs_diff(want, reference_f64(p));
        ASSERT_LE(e_oracle, kVsF64) << "scalar kernel: " << describe(s);
        worst_oracle = std::max(worst_oracle, e_oracle);
        // The rounding itself: outputs move by about 2^-11 of the values' scale, not more.
        const double e_round = max_abs_diff(want, f32_out);
        ASSERT_LE(e_round, 1e-2) << describe(s);  // worst seen 3.5e-3 (scale 3 sharpens the rounding of keys)
        worst_vs_f32 = std::max(worst_vs_f32, e_round);
        for (CpuIsa isa : simd_levels()) {
            for (AttentionForm form : {AttentionForm::Auto, AttentionForm::RowDots, AttentionForm::RowLanes}) {
                const AttentionDispatch d(isa, form);
                for (int threads : {1, 2}) {
                    const double e = max_abs_diff(run(d, p, threads, k16.data(), v16.data()), want);
                    ASSERT_LE(e, kVsScalar) << cpu_isa_name(isa) << " form " << (int)form << " threads " << threads
                                            << ": " << describe(s);
                    worst_scalar = std::max(worst_scalar, e);
                }
            }
        }
    }
    std::printf("[ simd ] attention, f16 caches: scalar kernel against f64 %.2e; SIMD against the scalar kernel "
                "%.2e; f16 against f32 caches %.2e\n",
                worst_oracle, worst_scalar, worst_vs_f32);
}

TEST(SimdAttention, ScratchPerLevel) {
    // The scalar kernel keeps a whole score row (and one widened key row for f16 caches); the tiled
    // kernels need the same few tiles at any context.
    EXPECT_EQ(AttentionDispatch(CpuIsa::Scalar).scratch_floats(128, 4096), 4096u + 128u);
    for (CpuIsa isa : simd_levels()) {
        const AttentionDispatch d(isa);
        EXPECT_EQ(d.scratch_floats(128, 4096), d.scratch_floats(128, 1 << 20));
        EXPECT_GT(d.scratch_floats(128, 1), d.scratch_floats(64, 1));
    }
}

