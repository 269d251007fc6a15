// Attention and KvStore over f16 (and long f32) KV caches on the CUDA backend, against the scalar
// double reference (op_reference.h). The op harness's own Attention suites hold f32 caches of at
// most ~100 positions; these cases add what the split-context decode kernels meet in real use:
// contexts past one chunk (1000, 4099), head_dim 64 / 80 / 128, GQA ratios 1 / 4 / 8, sliding
// windows and soft-capping, and the f16 cache type, on both decode kernels (head_dim 36 with an f16
// cache is the per-head kernel's; the rest the GQA kernel's).
//
// The cache values are generated as f16 numbers (each float rounded once to f16), so the f16 and
// f32 caches hold the same values and the reference sees exactly what the kernel reads; what is
// left is f32 arithmetic: products and sums in f32, softmax with an f32 running max.
// Tolerance 2e-5 (normalized L2, the harness's cancellation-aware norm): the harness's f32 row is
// 1e-5 for <= 104 positions; sums over 4099 positions with an online softmax (per-chunk partials
// combined in f32) round a few more times.
// KvStore F16 must round to nearest even: compared bit for bit with the host's fp32_to_fp16.
//
// Without a GPU (or without the CUDA backend compiled in) every case skips, saying so.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/error.h"
#include "core/half.h"
#include "op_reference.h"
#include "plan/dispatch_table.h"

namespace akunu::optest {
namespace {

constexpr double kTol = 2e-5;

std::unique_ptr<Backend> cuda_or_skip(std::string* why) {
    try {
        return create_backend(BackendKind::Cuda, BackendOptions{});
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Unsupported) throw;
        *why = e.what();
        return nullptr;
    }
}

#define AKUNU_CUDA_OR_SKIP(be)                                                  \
    std::string why_;                                                          \
    std::unique_ptr<Backend> be = cuda_or_skip(&why_);                         \
    if (!be) {                                                                 \
        std::cout << "[kv-cache-type] skipped, no CUDA: " << why_ << std::endl; \
        GTEST_SKIP() << why_;                                                  \
    }

struct AttnShape {
    int heads, kv_heads, head_dim, ctx;  // ctx: visible positions of the last token
    int m;                               // tokens in the run (1: decode, > 1: prefill)
    int window;
    float softcap;
    DType kv;
};

std::string shape_name(const AttnShape& s) {
    return std::string(dtype_name(s.kv)) + "_h" + std::to_string(s.heads) + "_kv" + std::to_string(s.kv_heads) + "_d" +
           std::to_string(s.head_dim) + "_ctx" + std::to_string(s.ctx) + "_m" + std::to_string(s.m) + "_w" +
           std::to_string(s.window) + "_cap" + std::to_string((int)s.softcap);
}

// Normalized L2 error with each element's share of the denominator at least its term norm.
double normalized_error(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& terms) {
    double num = 0, den = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const double d = (double)got[i] - want[i];
        const double w = std::max(std::fabs(want[i]), terms[i]);
        num += d * d;
        den += w * w;
    }
    return std::sqrt(num / den);
}

class AttentionKvCacheType : public testing::TestWithParam<AttnShape> {};

TEST_P(AttentionKvCacheType, MatchesReference) {
    AKUNU_CUDA_OR_SKIP(be);
    const AttnShape& s = GetParam();
    const int max_ctx = s.ctx + 5;  // room past the run, poisoned: never read
    const int pos0 = s.ctx - s.m;   // the run's first token
    const size_t q_elems = (size_t)s.m * s.heads * s.head_dim;
    const size_t cache_elems = (size_t)s.kv_heads * max_ctx * s.head_dim;
    const size_t esize = s.kv == DType::F16 ? 2 : 4;

    std::mt19937 rng(1234u + (uint32_t)s.ctx * 7u + (uint32_t)s.head_dim);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> q(q_elems);
    for (float& x : q) x = gauss(rng);
    // Keys scaled so that scores spread over a few units: a sharp but not one-hot softmax.
    std::vector<double> kd(cache_elems), vd(cache_elems);
    std::vector<uint8_t> kb(cache_elems * esize), vb(cache_elems * esize);
    for (size_t i = 0; i < cache_elems; ++i) {
        const bool past = (i / s.head_dim) % max_ctx >= (size_t)s.ctx;
        const uint16_t kh = past ? 0x7e00 : fp32_to_fp16(2.0f * gauss(rng));  // NaN past the context
        const uint16_t vh = past ? 0x7e00 : fp32_to_fp16(gauss(rng));
        kd[i] = fp16_to_fp32(kh);
        vd[i] = fp16_to_fp32(vh);
        if (s.kv == DType::F16) {
            std::memcpy(&kb[2 * i], &kh, 2);
            std::memcpy(&vb[2 * i], &vh, 2);
        } else {
            const float kf = fp16_to_fp32(kh), vf = fp16_to_fp32(vh);
            std::memcpy(&kb[4 * i], &kf, 4);
            std::memcpy(&vb[4 * i], &vf, 4);
        }
    }

    const BufferId bq = be->create_buffer(q_elems * 4, "q");
    const BufferId bk = be->create_buffer(kb.size(), "K");
    const BufferId bv = be->create_buffer(vb.size(), "V");
    const BufferId bo = be->create_buffer(q_elems * 4, "out");
    be->write(bq, 0, q.data(), q.size() * 4);
    be->write(bk, 0, kb.data(), kb.size());
    be->write(bv, 0, vb.data(), vb.size());

    Command c;
    c.op = Op::Attention;
    c.wtype = s.kv;
    c.in[0].buf = bq;
    c.in[1].buf = bk;
    c.in[2].buf = bv;
    c.out[0].buf = bo;
    c.p[0] = (uint32_t)s.heads;
    c.p[1] = (uint32_t)s.kv_heads;
    c.p[2] = (uint32_t)s.head_dim;
    c.p[3] = (uint32_t)max_ctx;
    c.f0 = 1.0f / std::sqrt((float)s.head_dim);
    c.k = (uint32_t)s.window;
    c.f1 = s.softcap;
    DispatchTable table;
    table.max_tokens = (uint32_t)s.m;
    table.add(c, {"Attention", 0, 0, 0, 0, 0});
    be->prepare(table);
    RunState st;
    st.pos = pos0;
    st.n_tokens = s.m;
    std::vector<float> got(q_elems);
    // Twice: the split kernels' counters must be left ready for the next run (graph replay).
    for (int rep = 0; rep < 2; ++rep) {
        be->run(table, st);
        be->read(bo, 0, got.data(), got.size() * 4);
    }

    std::vector<double> qd(q.begin(), q.end()), want(q_elems), terms(q_elems);
    ref_attention(qd.data(), kd.data(), vd.data(), want.data(), s.m, pos0, s.heads, s.kv_heads, s.head_dim, max_ctx,
                  (double)c.f0, terms.data(), s.window, s.softcap);
    for (float x : got) ASSERT_TRUE(std::isfinite(x)) << "non-finite output (read past the context?)";
    const double err = normalized_error(got, want, terms);
    EXPECT_LE(err, kTol) << shape_name(s);
    std::cout << "[kv-cache-type] " << shape_name(s) << ": normalized error " << err << std::endl;
}

std::vector<AttnShape> attention_shapes() {
    std::vector<AttnShape> out;
    for (DType kv : {DType::F16, DType::F32}) {
        for (int hd : {64, 80, 128}) {
            for (int group : {1, 4, 8}) {
                for (int ctx : {1, 37, 1000, 4099}) out.push_back({2 * group, 2, hd, ctx, 1, 0, 0.0f, kv});
            }
        }
        // Windows (shorter than, equal to and longer than the context) and soft-capping; GQA 4.
        for (int window : {1, 64, 1000, 5000}) out.push_back({16, 4, 128, 4099, 1, window, 0.0f, kv});
        out.push_back({16, 4, 128, 1000, 1, 0, 30.0f, kv});
        out.push_back({16, 4, 64, 4099, 1, 512, 50.0f, kv});
        // Odd shapes: a group of 6 (two subgroups of 4), head_dim 48 and 96, MQA with 32 heads.
        out.push_back({12, 2, 128, 1000, 1, 0, 0.0f, kv});
        out.push_back({4, 2, 48, 300, 1, 0, 0.0f, kv});
        out.push_back({6, 3, 96, 777, 1, 0, 0.0f, kv});
        out.push_back({32, 1, 128, 4099, 1, 0, 0.0f, kv});
        // head_dim 36: not a multiple of 16 bytes of f16, so the f16 cache takes the per-head kernel.
        out.push_back({4, 2, 36, 1000, 1, 0, 0.0f, kv});
        out.push_back({4, 2, 36, 4099, 1, 300, 30.0f, kv});
        // Prefill runs (m > 1) over the same caches.
        out.push_back({8, 2, 128, 1000, 7, 0, 0.0f, kv});
        out.push_back({8, 8, 80, 37, 5, 16, 30.0f, kv});
    }
    return out;
}

INSTANTIATE_TEST_SUITE_P(Cuda, AttentionKvCacheType, testing::ValuesIn(attention_shapes()),
                         [](const testing::TestParamInfo<AttnShape>& info) { return shape_name(info.param); });

// KvStore into an f16 cache: each value rounded to nearest even (bit-exact with the host), at
// positions pos .. pos + m - 1 of every KV head; every other element untouched.
TEST(KvStoreF16, RoundsToNearestEvenAndTouchesNothingElse) {
    AKUNU_CUDA_OR_SKIP(be);
    const int kv_heads = 3, hd = 40, max_ctx = 50, m = 4, pos = 17;
    const size_t row = (size_t)kv_heads * hd, cache = (size_t)kv_heads * max_ctx * hd;
    std::mt19937 rng(99);
    std::normal_distribution<float> gauss(0.0f, 3.0f);
    std::vector<float> k(m * row), v(m * row);
    for (float& x : k) x = gauss(rng);
    for (float& x : v) x = gauss(rng);
    // Halfway cases: ties go to the even mantissa, which a truncating or round-half-up store misses.
    k[0] = 1.0f + 1.0f / 2048.0f;
    k[1] = 1.0f + 3.0f / 2048.0f;
    v[0] = 65519.0f;  // rounds to 65504, not to infinity
    const std::vector<uint16_t> poison(cache, 0x5555);
    const BufferId bk = be->create_buffer(k.size() * 4, "k");
    const BufferId bv = be->create_buffer(v.size() * 4, "v");
    const BufferId kc = be->create_buffer(cache * 2, "K cache");
    const BufferId vc = be->create_buffer(cache * 2, "V cache");
    be->write(bk, 0, k.data(), k.size() * 4);
    be->write(bv, 0, v.data(), v.size() * 4);
    be->write(kc, 0, poison.data(), cache * 2);
    be->write(vc, 0, poison.data(), cache * 2);
    Command c;
    c.op = Op::KvStore;
    c.wtype = DType::F16;
    c.in[0].buf = bk;
    c.in[1].buf = bv;
    c.out[0].buf = kc;
    c.out[1].buf = vc;
    c.p[0] = kv_heads;
    c.p[1] = hd;
    c.p[2] = max_ctx;
    DispatchTable table;
    table.max_tokens = m;
    table.add(c, {"KV store", 0, 0, 0, 0, 0});
    be->prepare(table);
    RunState st;
    st.pos = pos;
    st.n_tokens = m;
    be->run(table, st);
    std::vector<uint16_t> gk(cache), gv(cache);
    be->read(kc, 0, gk.data(), cache * 2);
    be->read(vc, 0, gv.data(), cache * 2);
    size_t mismatches = 0;
    for (int h = 0; h < kv_heads; ++h) {
        for (int p = 0; p < max_ctx; ++p) {
            for (int d = 0; d < hd; ++d) {
                const size_t at = ((size_t)h * max_ctx + p) * hd + d;
                uint16_t wk = 0x5555, wv = 0x5555;
                if (p >= pos && p < pos + m) {
                    const size_t src = (size_t)(p - pos) * row + (size_t)h * hd + d;
                    wk = fp32_to_fp16(k[src]);
                    wv = fp32_to_fp16(v[src]);
                }
                if (gk[at] != wk || gv[at] != wv) ++mismatches;
            }
        }
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(gk[((size_t)0 * max_ctx + pos) * hd + 0], 0x3c00);  // 1 + 2^-11: tie, to even (1.0)
    EXPECT_EQ(gk[((size_t)0 * max_ctx + pos) * hd + 1], 0x3c02);  // 1 + 3 * 2^-11: tie, to even
    EXPECT_EQ(gv[((size_t)0 * max_ctx + pos) * hd + 0], 0x7bff);  // 65504
}

// A cache type the CUDA kernels do not read is refused when the table is prepared.
TEST(KvCacheTypeCuda, OtherTypesAreUnsupported) {
    AKUNU_CUDA_OR_SKIP(be);
    const BufferId b = be->create_buffer(1 << 16, "buf");
    for (Op op : {Op::Attention, Op::KvStore}) {
        Command c;
        c.op = op;
        c.wtype = DType::Q8_0;
        c.in[0].buf = c.in[1].buf = c.in[2].buf = c.out[0].buf = c.out[1].buf = b;
        c.p[0] = 2;
        c.p[1] = op == Op::Attention ? 2 : 16;
        c.p[2] = 16;
        c.p[3] = 16;
        DispatchTable table;
        table.add(c, {"cmd", 0, 0, 0, 0, 0});
        try {
            be->prepare(table);
            ADD_FAILURE() << op_name(op) << " with a Q8_0 cache was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << e.what();
            EXPECT_NE(std::string(e.what()).find("KV cache type"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace akunu::optest
