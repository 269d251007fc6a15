// The engine's ways of reaching the same position agree: prefill vs decode steps, chain decode vs
// greedy steps, reset and truncate vs a fresh run, and the context limit is exact. On a random
// model of odd shape and on stories260K.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/gguf_file.h"
#include "format/gguf_writer.h"
#include "model/synthetic_model.h"
#include "runtime/engine.h"
#include "runtime/reference_forward.h"

namespace akunu {
namespace {

using reftest::rel_l2;

constexpr double kSameTol = 1e-5;

struct ModelSource {
    const char* name;
    std::function<std::unique_ptr<GgufFile>()> open;
};

std::function<std::unique_ptr<GgufFile>()> synthetic(const char* arch, uint32_t dim, uint32_t heads, uint32_t kv,
                                                     uint32_t head_dim, uint32_t rope_dim) {
    return [=] {
        ModelConfig c;
        c.architecture = arch;
        c.name = std::string("decode-paths-") + arch;
        c.dim = dim;
        c.n_layers = 2;
        c.n_heads = heads;
        c.n_kv_heads = kv;
        c.head_dim = head_dim;
        c.ffn_dim = 200;
        c.vocab_size = 300;
        c.context_length = 160;
        c.rope_dim = rope_dim;
        c.rope_theta = 10000.0f;
        c.norm_eps = 1e-5f;
        const ArchSpec* spec = find_arch_spec(arch);
        c.rope_style = spec->rope_style;
        c.has_qk_norm = spec->has_qk_norm;
        c.tied_output = spec->has_qk_norm;
        GgufWriter w;
        build_synthetic_gguf(c, DType::F32, 99, w);
        const std::vector<uint8_t> bytes = w.to_bytes();
        return GgufFile::from_memory(bytes.data(), bytes.size(), c.name);
    };
}

std::vector<ModelSource> sources() {
    return {
        {"random_llama", synthetic("llama", 96, 6, 3, 48, 32)},
        {"random_qwen3", synthetic("qwen3", 160, 4, 2, 48, 48)},
        {"stories260K", [] { return GgufFile::open(reftest::shared_file("models/stories260K.gguf")); }},
        {"stories260K_Q8_0", [] { return GgufFile::open(reftest::shared_file("models/stories260K-Q8_0.gguf")); }},
    };
}

class DecodePaths : public testing::TestWithParam<ModelSource> {
protected:
    std::unique_ptr<Engine> load(EngineOptions o = {}) { return Engine::load(GetParam().open(), o); }

    // 11 prompt tokens: "Once upon a time ..." ids on stories260K, random ids otherwise.
    std::vector<int32_t> prompt(const Engine& e) const {
        std::vector<int32_t> t = e.tokenizer().encode("Once upon a time, there was a big dog", true, false);
        std::mt19937 rng(4);
        std::uniform_int_distribution<int32_t> dist(3, (int32_t)e.config().vocab_size - 1);
        if (std::string(GetParam().name).rfind("random", 0) == 0) {
            for (int32_t& x : t) x = dist(rng);
        }
        t.resize(11, 300 % (int32_t)e.config().vocab_size);
        return t;
    }
};

// Prefill of N tokens then decode == N single decode steps then decode (prefill chunked by 4 too).
TEST_P(DecodePaths, PrefillEqualsDecodeSteps) {
    for (uint32_t chunk : {0u, 4u}) {
        EngineOptions o;
        o.prefill_chunk = chunk;
        auto e = load(o);
        const std::vector<int32_t> p = prompt(*e);
        const std::vector<int32_t> more = {5, 17, 42, 100, 7};

        std::vector<std::vector<float>> a, b;
        std::vector<int32_t> a_ids, b_ids;
        a_ids.push_back(e->prefill(p.data(), (int32_t)p.size()));
        a.push_back(e->logits());
        for (int32_t t : more) {
            a_ids.push_back(e->decode_step(t));
            a.push_back(e->logits());
        }
        e->reset();
        int32_t last = -1;
        for (int32_t t : p) last = e->decode_step(t);
        b_ids.push_back(last);
        b.push_back(e->logits());
        for (int32_t t : more) {
            b_ids.push_back(e->decode_step(t));
            b.push_back(e->logits());
        }
        EXPECT_EQ(a_ids, b_ids) << "chunk " << chunk;
        double worst = 0;
        for (size_t i = 0; i < a.size(); ++i) {
            const double err = rel_l2(a[i], b[i]);
            EXPECT_LE(err, kSameTol) << "chunk " << chunk << ", logits " << i;
            worst = std::max(worst, err);
        }
        std::cout << "[decode-paths] " << GetParam().name << " chunk " << chunk << ": prefill vs steps max rel L2 "
                  << worst << std::endl;
    }
}

// chain_decode(token, n) == n greedy decode steps: same ids, same final logits, same position.
// n = 70 crosses the CPU chain chunk (64).
TEST_P(DecodePaths, ChainEqualsGreedySteps) {
    auto e = load();
    const std::vector<int32_t> p = prompt(*e);
    const int32_t n = 70;
    ASSERT_GE((int32_t)e->max_context(), (int32_t)p.size() + n);

    e->prefill(p.data(), (int32_t)p.size() - 1);
    std::vector<int32_t> chain(n, -1);
    e->chain_decode(p.back(), n, chain.data());
    const std::vector<float> chain_logits = e->logits();
    const int32_t chain_pos = e->position();

    e->reset();
    e->prefill(p.data(), (int32_t)p.size() - 1);
    std::vector<int32_t> steps;
    int32_t tok = p.back();
    for (int32_t i = 0; i < n; ++i) {
        tok = e->decode_step(tok);
        steps.push_back(tok);
    }
    EXPECT_EQ(chain, steps);
    EXPECT_EQ(chain_pos, e->position());
    EXPECT_EQ(chain_pos, (int32_t)p.size() - 1 + n);
    EXPECT_LE(rel_l2(chain_logits, e->logits()), kSameTol);
    // The last chained token is the argmax of the final logits.
    EXPECT_EQ(chain.back(), reftest::argmax_of(chain_logits));

    // chain_decode with n = 0 does nothing.
    const int32_t pos = e->position();
    e->chain_decode(1, 0, nullptr);
    EXPECT_EQ(e->position(), pos);
}

// reset() then the same calls give bit-identical logits and ids.
TEST_P(DecodePaths, ResetRepeatsExactly) {
    auto e = load();
    const std::vector<int32_t> p = prompt(*e);
    auto run = [&](std::vector<std::vector<float>>& logits, std::vector<int32_t>& ids) {
        int32_t tok = e->prefill(p.data(), (int32_t)p.size());
        logits.push_back(e->logits());
        ids.push_back(tok);
        for (int i = 0; i < 10; ++i) {
            tok = e->decode_step(tok);
            logits.push_back(e->logits());
            ids.push_back(tok);
        }
        std::vector<int32_t> chain(8);
        e->chain_decode(tok, 8, chain.data());
        ids.insert(ids.end(), chain.begin(), chain.end());
        logits.push_back(e->logits());
    };
    std::vector<std::vector<float>> l1, l2;
    std::vector<int32_t> i1, i2;
    run(l1, i1);
    e->reset();
    EXPECT_EQ(e->position(), 0);
    run(l2, i2);
    EXPECT_EQ(i1, i2);
    ASSERT_EQ(l1.size(), l2.size());
    for (size_t i = 0; i < l1.size(); ++i) EXPECT_EQ(l1[i], l2[i]) << "logits " << i;
}

// truncate(position) then decoding again reproduces the logits of the first time.
TEST_P(DecodePaths, TruncateThenRedecode) {
    auto e = load();
    const std::vector<int32_t> p = prompt(*e);
    const int32_t n = (int32_t)p.size();
    const std::vector<int32_t> more = {9, 10, 11, 12, 13, 14};
    e->prefill(p.data(), n);
    const std::vector<float> after_prompt = e->logits();
    std::vector<std::vector<float>> first;
    for (int32_t t : more) {
        e->decode_step(t);
        first.push_back(e->logits());
    }
    ASSERT_EQ(e->position(), n + 6);

    // Back to n + 2: positions n+2.. are decoded again (with other tokens in between first).
    e->truncate(n + 2);
    EXPECT_EQ(e->position(), n + 2);
    e->decode_step(200 % (int32_t)e->config().vocab_size);  // overwrite position n+2 with something else
    e->truncate(n + 2);
    for (size_t i = 2; i < more.size(); ++i) {
        e->decode_step(more[i]);
        EXPECT_LE(rel_l2(e->logits(), first[i]), kSameTol) << "step " << i;
    }

    // Back into the prompt: re-prefill its tail.
    e->truncate(n - 4);
    e->prefill(p.data() + n - 4, 4);
    EXPECT_LE(rel_l2(e->logits(), after_prompt), kSameTol);
    for (size_t i = 0; i < more.size(); ++i) {
        e->decode_step(more[i]);
        EXPECT_LE(rel_l2(e->logits(), first[i]), kSameTol) << "after re-prefill, step " << i;
    }

    // truncate(0) is a reset; truncating forward or below 0 is refused.
    e->truncate(0);
    EXPECT_EQ(e->position(), 0);
    try {
        e->truncate(1);
        ADD_FAILURE() << "truncate past the position did not throw";
    } catch (const Error& err) {
        EXPECT_EQ(err.kind(), ErrorKind::InvalidArgument);
    }
    EXPECT_THROW(e->truncate(-1), Error);
    e->prefill(p.data(), n);
    EXPECT_LE(rel_l2(e->logits(), after_prompt), kSameTol);
}

ErrorKind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& err) {
        return err.kind();
    }
    ADD_FAILURE() << "did not throw";
    return ErrorKind::Internal;
}

// Decoding up to max_context exactly works; one more throws ContextFull and changes nothing.
TEST_P(DecodePaths, ContextLimitIsExact) {
    EngineOptions o;
    o.max_context = 16;
    o.prefill_chunk = 3;
    auto e = load(o);
    ASSERT_EQ(e->max_context(), 16u);
    const std::vector<int32_t> p = prompt(*e);

    // 16 single steps from empty.
    std::vector<int32_t> toks;
    int32_t tok = p[0];
    for (int i = 0; i < 16; ++i) {
        toks.push_back(tok);
        tok = e->decode_step(tok);
    }
    EXPECT_EQ(e->position(), 16);
    const std::vector<float> last = e->logits();
    EXPECT_EQ(kind_of([&] { e->decode_step(tok); }), ErrorKind::ContextFull);
    EXPECT_EQ(e->position(), 16);
    EXPECT_EQ(e->logits(), last);
    EXPECT_EQ(kind_of([&] { e->prefill(p.data(), 1); }), ErrorKind::ContextFull);
    int32_t out = 0;
    EXPECT_EQ(kind_of([&] { e->chain_decode(tok, 1, &out); }), ErrorKind::ContextFull);
    EXPECT_EQ(e->position(), 16);

    // The last position's logits agree with the float64 reference (the cache's last slot is right).
    reftest::ReferenceModel ref(*GetParam().open());
    const auto want = ref.forward(toks);
    EXPECT_LE(rel_l2(last, want.back()), 1e-4);

    // Prefill + chain to exactly the limit; chain one past it is refused before running.
    e->reset();
    e->prefill(p.data(), 10);
    EXPECT_EQ(kind_of([&] { std::vector<int32_t> o7(7); e->chain_decode(p[10], 7, o7.data()); }),
              ErrorKind::ContextFull);
    EXPECT_EQ(e->position(), 10);
    std::vector<int32_t> o6(6);
    e->chain_decode(p[10], 6, o6.data());
    EXPECT_EQ(e->position(), 16);

    // A prefill longer than the room left is refused; one that fills it exactly works.
    e->reset();
    std::vector<int32_t> long_prompt(17, p[1]);
    EXPECT_EQ(kind_of([&] { e->prefill(long_prompt.data(), 17); }), ErrorKind::ContextFull);
    EXPECT_EQ(e->position(), 0);
    e->prefill(long_prompt.data(), 16);
    EXPECT_EQ(e->position(), 16);
    // After truncating, there is room again.
    e->truncate(15);
    e->decode_step(p[2]);
    EXPECT_EQ(e->position(), 16);
}

INSTANTIATE_TEST_SUITE_P(Models, DecodePaths, testing::ValuesIn(sources()),
                         [](const testing::TestParamInfo<ModelSource>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace akunu
