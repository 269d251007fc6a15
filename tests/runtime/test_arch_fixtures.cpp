// Every architecture beyond plain LLaMA against Hugging Face transformers: the tiny random models
// of tests/model/fixtures/hf/<arch>/ (make_hf_fixtures.py), converted by llama.cpp's own converter
// (llamacpp-f32.gguf), run on the CPU backend's exact path, must reproduce reference.json: the f64
// logits after the prompt and after each greedy token (1e-4 relative L2), and the greedy tokens.
// Prompts are 24 tokens and sliding windows 8, so the windowed layers drop keys in prefill and in
// decode alike.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "runtime/arch_fixture_util.h"
#include "runtime/engine.h"

namespace akunu {
namespace {

using namespace archtest;

class ArchFixture : public testing::TestWithParam<std::string> {};

// Each kernel level (the scalar oracle and the best SIMD level) and prefill both whole and in
// chunks of 5 tokens, whose runs start inside a sliding window.
TEST_P(ArchFixture, MatchesTransformers) {
    const std::string arch = GetParam();
    const Reference r = load_reference(arch);
    ASSERT_EQ(r.prompt.size(), 24u);
    ASSERT_EQ(r.logits.size(), r.greedy.size());
    for (const char* isa : {"scalar", "auto"}) {
        for (uint32_t chunk : {0u, 5u}) {
            EngineOptions o;
            o.exact_activations = true;
            o.isa = isa;
            o.prefill_chunk = chunk;
            std::unique_ptr<Engine> e = Engine::load(open_gguf(arch, arch_patch(arch)), o);
            ASSERT_EQ(e->config().vocab_size, r.logits[0].size());
            const PathRun run = run_reference_path(*e, r);
            for (size_t i = 0; i < run.logits.size(); ++i) {
                EXPECT_LE(rel_l2(run.logits[i], r.logits[i]), kLogitTol)
                    << arch << " isa " << isa << " chunk " << chunk << ": logits after greedy[:" << i << "]";
            }
            EXPECT_EQ(run.picks, r.greedy) << arch << " isa " << isa << " chunk " << chunk;
            std::cout << "[arch] " << arch << " isa " << isa << " chunk " << chunk << ": worst rel L2 "
                      << worst_error(run, r) << std::endl;
        }
    }
}

// Greedy decoding on its own (each step fed its own pick, through the chained decode) gives the
// reference's continuation.
TEST_P(ArchFixture, GreedyDecodeMatches) {
    const std::string arch = GetParam();
    const Reference r = load_reference(arch);
    std::unique_ptr<Engine> e = Engine::load(open_gguf(arch, arch_patch(arch)), EngineOptions{});
    const int32_t first = e->prefill(r.prompt.data(), (int32_t)r.prompt.size());
    std::vector<int32_t> got = {first};
    std::vector<int32_t> rest(r.greedy.size() - 1, -1);
    e->chain_decode(first, (int32_t)rest.size(), rest.data());
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, r.greedy) << arch;
}

INSTANTIATE_TEST_SUITE_P(Hf, ArchFixture, testing::ValuesIn(hf_fixtures::archs()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// The features the fixtures exercise are not inert: taking one away moves the logits far past the
// tolerance, so the test above could not pass with it broken.
double error_with(const std::string& arch, Patch patch) {
    const Reference r = load_reference(arch);
    std::unique_ptr<Engine> e = Engine::load(open_gguf(arch, patch), EngineOptions{});
    return worst_error(run_reference_path(*e, r), r);
}

TEST(ArchFixtureFeatures, SlidingWindowMatters) {
    for (const char* arch : {"gemma2", "gemma3"}) {
        Patch p = arch_patch(arch);
        p.set[std::string(arch) + ".attention.sliding_window"] = GgufValue::make_u32(0);
        EXPECT_GT(error_with(arch, p), 100 * kLogitTol) << arch;
    }
}

TEST(ArchFixtureFeatures, Llama3RopeFrequencyFactorsMatter) {
    Patch p;
    p.drop_tensors.insert("rope_freqs.weight");
    EXPECT_GT(error_with("llama3", p), 100 * kLogitTol);
}

TEST(ArchFixtureFeatures, Gemma2AsConvertedUsesHeadDimScale) {
    std::unique_ptr<Engine> e = Engine::load(open_gguf("gemma2"), EngineOptions{});
    EXPECT_FLOAT_EQ(e->config().attention_scale(), 0.25f);  // 1/sqrt(key_length 16), as llama.cpp
    EXPECT_GT(error_with("gemma2", {}), 100 * kLogitTol);
}

TEST(ArchFixtureFeatures, Gemma2SoftCapsMatter) {
    for (const char* key : {"gemma2.attn_logit_softcapping", "gemma2.final_logit_softcapping"}) {
        Patch p = arch_patch("gemma2");
        p.set[key] = GgufValue::make_f32(0.0f);
        EXPECT_GT(error_with("gemma2", p), 100 * kLogitTol) << key;
    }
}

TEST(ArchFixtureFeatures, ConfigFromTheFiles) {
    auto config = [](const std::string& arch) {
        return Engine::load(open_gguf(arch, arch_patch(arch)), EngineOptions{})->config();
    };
    const ModelConfig g2 = config("gemma2");
    EXPECT_EQ(g2.sliding_window, 8u);
    EXPECT_TRUE(g2.is_sliding(0));
    EXPECT_FALSE(g2.is_sliding(1));
    EXPECT_TRUE(g2.is_sliding(2));
    EXPECT_FLOAT_EQ(g2.attn_softcap, 4.0f);
    EXPECT_FLOAT_EQ(g2.final_softcap, 6.0f);
    EXPECT_FLOAT_EQ(g2.embed_scale, 8.0f);
    EXPECT_EQ(g2.activation, Activation::GeluTanhGated);
    const ModelConfig g3 = config("gemma3");
    for (uint32_t l = 0; l < 6; ++l) EXPECT_EQ(g3.is_sliding(l), l != 5) << "gemma3 layer " << l;
    EXPECT_FLOAT_EQ(g3.layer_rope_theta(0), 10000.0f);
    EXPECT_FLOAT_EQ(g3.layer_rope_theta(5), 1000000.0f);
    const ModelConfig phi = config("phi3");
    EXPECT_TRUE(phi.fused_qkv && phi.fused_gate_up);
    EXPECT_EQ(phi.sliding_window, 0u);
    EXPECT_TRUE(config("qwen2").has_qkv_bias);
    EXPECT_TRUE(config("llama3").has_rope_freqs);
    EXPECT_FALSE(config("mistral").has_rope_freqs);
}

// What the engine does not implement is refused by name, not run wrongly.
void expect_unsupported(const std::string& arch, const Patch& patch, const std::string& needle) {
    try {
        Engine::load(open_gguf(arch, patch), EngineOptions{});
        ADD_FAILURE() << "loaded; expected Unsupported naming '" << needle << "'";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

TEST(ArchFixtureFeatures, RejectsWhatItDoesNotImplement) {
    Patch yarn;
    yarn.set["llama.rope.scaling.type"] = GgufValue::make_string("yarn");
    expect_unsupported("mistral", yarn, "'yarn'");
    Patch moe;
    moe.set["qwen2.expert_count"] = GgufValue::make_u32(8);
    expect_unsupported("qwen2", moe, "qwen2.expert_count 8");
    Patch other;
    other.set["general.architecture"] = GgufValue::make_string("qwen2moe");
    expect_unsupported("qwen2", other, "'qwen2moe'");
    Patch longrope;
    longrope.add_f32["rope_factors_long.weight"] = std::vector<float>(8, 2.0f);
    expect_unsupported("phi3", longrope, "LongRoPE");
}

TEST(ArchFixtureFeatures, RejectsBadFrequencyFactors) {
    Patch p;
    p.drop_tensors.insert("rope_freqs.weight");
    p.add_f32["rope_freqs.weight"] = {1, 1, 1, 0, 2, 4, 8, 8};
    try {
        Engine::load(open_gguf("llama3", p), EngineOptions{});
        ADD_FAILURE() << "loaded a zero frequency divisor";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format) << e.what();
        EXPECT_NE(std::string(e.what()).find("rope_freqs.weight[3]"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace akunu
