// The SIMD elementwise kernels (elementwise_x86.inc at avx2 and avx512) against the reference
// kernels, through ElementwiseDispatch (so also the split across the pool), at lengths that are
// not whole vectors or grains, 1 and 2 threads; and the shared RoPE table against cpu_rope.
//
// Tolerances: SwiGLU 6e-7 relative to max(|y|, 1e-30) per element: the polynomial exp (~1e-7)
// against expf, and the products and quotient in another order (seen 2.6e-7, ~2 ulp; the op
// harness holds both to 1e-6 against f64). RMSNorm 2.5e-7 relative: the same f64 sum of
// squares in another order, which moves the f32 scale by at most 1 ulp (seen: identical). RoPE
// through the table: identical (the same function computes the values). Argmax: identical.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/elementwise_dispatch.h"
#include "backend/cpu/rope_table.h"
#include "backend/cpu/thread_pool.h"

using namespace akunu;

namespace {

std::vector<CpuIsa> levels() {
    std::vector<CpuIsa> out = {CpuIsa::Scalar};
    if (cpu_supports(CpuIsa::Avx2)) out.push_back(CpuIsa::Avx2);
    if (cpu_supports(CpuIsa::Avx512)) out.push_back(CpuIsa::Avx512);
    return out;
}

std::vector<float> uniform(size_t n, uint32_t seed, float lo, float hi) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& f : v) f = u(g);
    return v;
}

double worst_rel(const std::vector<float>& got, const std::vector<float>& want) {
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double e = std::fabs((double)got[i] - want[i]) / std::max(std::fabs((double)want[i]), 1e-30);
        if (!(e <= worst)) worst = e;
    }
    return worst;
}

}  // namespace

TEST(SimdElementwise, SwiGluMatchesReference) {
    double worst = 0;
    for (int64_t n : {1, 7, 16, 33, 1000, 40000, 100003}) {
        // Gates past +-88 reach the exp's clamps (silu -> 0 and -> g).
        std::vector<float> gate = uniform((size_t)n, 1, -12.0f, 12.0f), up = uniform((size_t)n, 2, -2.0f, 2.0f);
        if (n > 2) {
            gate[0] = -100.0f;
            gate[1] = 100.0f;
        }
        std::vector<float> want((size_t)n);
        cpu_swiglu(gate.data(), up.data(), want.data(), n);
        for (CpuIsa isa : levels()) {
            for (int threads : {1, 2}) {
                ThreadPool pool(threads);
                std::vector<float> got((size_t)n, NAN);
                ElementwiseDispatch(isa).swiglu(gate.data(), up.data(), got.data(), n, pool);
                const double e = worst_rel(got, want);
                worst = std::max(worst, e);
                ASSERT_LE(e, 1e-5) << cpu_isa_name(isa) << " n " << n << " threads " << threads;
            }
        }
    }
    std::printf("[ simd ] swiglu: worst relative error against the reference %.2e\n", worst);
}

// GeGLU's SIMD kernels against the scalar kernel, with gates far past the points where exp
// saturates (gelu -> 0 below about -10, -> g above).
TEST(SimdElementwise, GeGluMatchesReference) {
    double worst = 0;
    for (int64_t n : {1, 7, 16, 33, 1000, 40000, 100003}) {
        std::vector<float> gate = uniform((size_t)n, 12, -6.0f, 6.0f), up = uniform((size_t)n, 13, -2.0f, 2.0f);
        if (n > 3) {
            gate[0] = -100.0f;
            gate[1] = 100.0f;
            gate[2] = -1e-30f;
        }
        std::vector<float> want((size_t)n);
        cpu_geglu(gate.data(), up.data(), want.data(), n);
        for (CpuIsa isa : levels()) {
            for (int threads : {1, 2}) {
                ThreadPool pool(threads);
                std::vector<float> got((size_t)n, NAN);
                ElementwiseDispatch(isa).geglu(gate.data(), up.data(), got.data(), n, pool);
                // 1e-5: the exponent -2u (up to ~30 for |g| <= 6) is rounded differently in each (FMAs in
                // SIMD), and exp turns an absolute error of |2u| * 6e-8 into that relative error in each
                // kernel (up to ~4e-6 apiece; seen: 3e-6), while a wrong constant or tail shows as 1e-3.
                // Relative to max(|want|, 1e-6 |up|): where exp(-2u) passes the SIMD exp's clamp (88)
                // gelu(g) is below 1e-37 of g in both; the relative difference of such tiny values is
                // meaningless.
                double e = 0;
                for (size_t i = 0; i < got.size(); ++i) {
                    const double d = std::fabs((double)got[i] - want[i]);
                    const double ref = std::max(std::fabs((double)want[i]), 1e-6 * std::fabs((double)up[i]));
                    const double r = ref > 0 ? d / ref : d;
                    if (!(r <= e)) e = r;
                }
                worst = std::max(worst, e);
                ASSERT_LE(e, 1e-5) << cpu_isa_name(isa) << " n " << n << " threads " << threads;
            }
        }
    }
    std::printf("[ simd ] geglu: worst relative error against the reference %.2e\n", worst);
}

TEST(SimdElementwise, RmsNormMatchesReference) {
    double worst = 0;
    for (int64_t k : {1, 5, 16, 48, 130, 1024}) {
        for (int64_t rows : {1, 3, 40, 300}) {
            const std::vector<float> x = uniform((size_t)(rows * k), 3, -3.0f, 3.0f), w = uniform((size_t)k, 4, 0.5f, 1.5f);
            std::vector<float> want((size_t)(rows * k));
            cpu_rmsnorm(x.data(), w.data(), want.data(), rows, k, 1e-6f);
            for (CpuIsa isa : levels()) {
                for (int threads : {1, 2}) {
                    ThreadPool pool(threads);
                    std::vector<float> got((size_t)(rows * k), NAN);
                    ElementwiseDispatch(isa).rmsnorm(x.data(), w.data(), got.data(), rows, k, 1e-6f, pool);
                    const double e = worst_rel(got, want);
                    worst = std::max(worst, e);
                    ASSERT_LE(e, 2.5e-7) << cpu_isa_name(isa) << " k " << k << " rows " << rows << " threads " << threads;
                    // In place, as the model's QK norms run it.
                    std::vector<float> inplace = x;
                    ElementwiseDispatch(isa).rmsnorm(inplace.data(), w.data(), inplace.data(), rows, k, 1e-6f, pool);
                    ASSERT_EQ(0, std::memcmp(inplace.data(), got.data(), got.size() * sizeof(float)));
                }
            }
        }
    }
    std::printf("[ simd ] rmsnorm: worst relative error against the reference %.2e\n", worst);
}

TEST(RopeTable, SameValuesAsCpuRope) {
    ThreadPool pool(2);
    RopeTable table;
    table.reserve(77, 128);
    for (int32_t rope_dim : {8, 64, 128}) {
        for (int32_t style : {0, 2}) {
            for (int32_t m : {1, 5, 77}) {
                for (int32_t pos0 : {0, 13, 4000}) {
                    const int32_t heads = 3, head_dim = 128, half = rope_dim / 2;
                    const std::vector<float> x = uniform((size_t)m * heads * head_dim, 5, -1.0f, 1.0f);
                    std::vector<float> want = x, got = x, cs((size_t)rope_dim);
                    cpu_rope(want.data(), m, pos0, heads, head_dim, rope_dim, style, 10000.0f, cs.data());
                    const float* t = table.get(m, pos0, rope_dim, 10000.0f, nullptr, pool);
                    for (int32_t i = 0; i < m; ++i) {
                        const float* row = t + (size_t)i * rope_dim;
                        rope_rotate(got.data() + (size_t)i * heads * head_dim, heads, head_dim, rope_dim, style, row,
                                    row + half);
                    }
                    ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
                        << "rope_dim " << rope_dim << " style " << style << " m " << m << " pos0 " << pos0;
                }
            }
        }
    }
}

// With frequency divisors (Llama 3.1), and a table reused across calls that differ only in them.
TEST(RopeTable, FrequencyFactorsAsCpuRope) {
    ThreadPool pool(2);
    RopeTable table;
    table.reserve(5, 64);
    const int32_t heads = 2, head_dim = 64, rope_dim = 64, half = rope_dim / 2;
    const std::vector<float> f1 = uniform(half, 14, 1.0f, 8.0f), f2 = uniform(half, 15, 1.0f, 8.0f);
    for (const std::vector<float>* f : {&f1, &f2, &f1}) {
        const std::vector<float> x = uniform((size_t)5 * heads * head_dim, 16, -1.0f, 1.0f);
        std::vector<float> want = x, got = x, cs((size_t)rope_dim);
        cpu_rope(want.data(), 5, 300, heads, head_dim, rope_dim, 1, 500000.0f, cs.data(), f->data());
        const float* t = table.get(5, 300, rope_dim, 500000.0f, f->data(), pool);
        for (int32_t i = 0; i < 5; ++i) {
            const float* row = t + (size_t)i * rope_dim;
            rope_rotate(got.data() + (size_t)i * heads * head_dim, heads, head_dim, rope_dim, 1, row, row + half);
        }
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)));
    }
}

TEST(SimdElementwise, ArgmaxMatchesReference) {
    for (int64_t n : {1, 2, 15, 16, 17, 100, 151936}) {
        std::vector<std::vector<float>> cases;
        cases.push_back(uniform((size_t)n, 8, -5.0f, 5.0f));
        std::vector<float> ties((size_t)n, 1.0f);  // all equal: index 0
        cases.push_back(ties);
        if (n > 3) {
            std::vector<float> late = uniform((size_t)n, 9, -5.0f, 5.0f);
            late[(size_t)n - 1] = 7.0f;  // the maximum in the scalar tail
            late[(size_t)n / 2] = 7.0f;  // and an earlier tie, which wins
            cases.push_back(late);
            std::vector<float> nan = uniform((size_t)n, 10, -5.0f, 5.0f);
            nan[1] = NAN;  // never wins
            nan[(size_t)n - 2] = NAN;
            cases.push_back(nan);
            std::vector<float> nan0 = nan;
            nan0[0] = NAN;  // the reference's quirk: 0
            cases.push_back(nan0);
            std::vector<float> zeros((size_t)n, -1.0f);
            zeros[2] = -0.0f;
            zeros[3] = 0.0f;  // equal to -0: the first one wins
            cases.push_back(zeros);
            std::vector<float> inf = uniform((size_t)n, 11, -5.0f, 5.0f);
            inf[(size_t)n / 3] = INFINITY;
            cases.push_back(inf);
        }
        for (size_t c = 0; c < cases.size(); ++c) {
            const int32_t want = cpu_argmax(cases[c].data(), n);
            for (CpuIsa isa : levels()) {
                EXPECT_EQ(ElementwiseDispatch(isa).argmax(cases[c].data(), n), want)
                    << cpu_isa_name(isa) << " n " << n << " case " << c;
            }
        }
    }
}

// The f16 KV store of every level against cpu_kv_store's (fp32_to_fp16) bytes, for awkward head
// dims (vector tails) and values that exercise the rounding: exact ties (even and odd), the
// subnormal range, the largest finite half and past it (inf), zeros of both signs.
TEST(SimdElementwise, KvStoreF16MatchesReferenceBytes) {
    const int32_t kv_heads = 3, max_ctx = 9, m = 4, pos0 = 2;
    for (int32_t hd : {1, 7, 8, 20, 64}) {
        std::vector<float> k = uniform((size_t)m * kv_heads * hd, 31, -70000.0f, 70000.0f);
        std::vector<float> v = uniform((size_t)m * kv_heads * hd, 32, -1.0f, 1.0f);
        const float special[] = {0.0f, -0.0f, 1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 6.0e-8f, -3.0e-5f, 65504.0f,
                                 65520.0f, -65519.0f, 1.0e-9f, 2.98e-8f};
        for (size_t i = 0; i < v.size(); ++i) v[i] = i % 3 ? v[i] : special[(i / 3) % (sizeof special / sizeof *special)];
        const size_t cache = (size_t)kv_heads * max_ctx * hd;
        std::vector<uint16_t> kw(cache, 0xABCD), vw(cache, 0xABCD);
        cpu_kv_store(k.data(), v.data(), kw.data(), vw.data(), m, pos0, kv_heads, hd, max_ctx);
        for (CpuIsa isa : levels()) {
            std::vector<uint16_t> kg(cache, 0xABCD), vg(cache, 0xABCD);
            ElementwiseDispatch(isa).kv_store_f16(k.data(), v.data(), kg.data(), vg.data(), m, pos0, kv_heads, hd,
                                                  max_ctx);
            EXPECT_EQ(kg, kw) << cpu_isa_name(isa) << " head_dim " << hd;
            EXPECT_EQ(vg, vw) << cpu_isa_name(isa) << " head_dim " << hd;
        }
    }
}
