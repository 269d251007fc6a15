// Functional acceptance of the C API on stories260K against the llama.cpp reference vectors
// (shared/testdata/stories260K): tokenizer, prefill logits, greedy generation, stop handling,
// chain decode, model info and memory, profiling.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "api/api_test_util.h"
#include "format/gguf_file.h"

using namespace api_test;

namespace {

struct Collected {
    std::string text;
    int calls = 0;
    int stop_after = -1;  // return false on this call (1-based); -1: never
};

bool collect(const char* text, size_t length, void* user) {
    auto* c = static_cast<Collected*>(user);
    c->text.append(text, length);
    c->calls++;
    return c->stop_after < 0 || c->calls < c->stop_after;
}

akunu_sampling_params greedy(int max_tokens) {
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.temperature = 0.0f;
    sp.max_tokens = max_tokens;
    return sp;
}

class Stories : public ::testing::Test {
protected:
    void SetUp() override { model_.m = load_stories(); }
    akunu_model* m() const { return model_.m; }
    Model model_;
};

TEST_F(Stories, ModelInfo) {
    akunu_model_info info;
    ASSERT_EQ(akunu_get_model_info(m(), &info), AKUNU_OK) << akunu_last_error();
    EXPECT_STREQ(info.architecture, "llama");
    EXPECT_EQ(info.dim, 64u);
    EXPECT_EQ(info.n_layers, 5u);
    EXPECT_EQ(info.n_heads, 8u);
    EXPECT_EQ(info.n_kv_heads, 4u);
    EXPECT_EQ(info.head_dim, 8u);
    EXPECT_EQ(info.q_dim, 64u);
    EXPECT_EQ(info.kv_dim, 32u);
    EXPECT_EQ(info.ffn_dim, 172u);
    EXPECT_EQ(info.vocab_size, 512u);
    EXPECT_EQ(info.context_length, 128u);
    EXPECT_EQ(info.max_context, 128u);  // 0 asks for the model's context (capped at 4096)
    EXPECT_STREQ(info.weight_type, "F32");
    EXPECT_STREQ(info.backend, "cpu");
    EXPECT_EQ(info.bos_id, 1);
    EXPECT_EQ(info.eos_id, 2);
    EXPECT_GT(std::strlen(info.name), 0u);
    EXPECT_NE(std::string(akunu_build_commit()), "");
}

TEST_F(Stories, MemoryWeightBytesAreTheTensorBytes) {
    auto file = akunu::GgufFile::open(stories_path());
    uint64_t sum = 0, params = 0;
    for (const auto& t : file->tensors()) {
        sum += t.n_bytes;
        params += (uint64_t)t.n_elements();
    }
    akunu_memory mem;
    ASSERT_EQ(akunu_model_memory(m(), &mem), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(mem.weight_bytes, sum);
    // F32 KV cache: 2 (K and V) x 5 layers x kv_dim 32 x 128 positions x 4 bytes.
    EXPECT_EQ(mem.kv_cache_bytes, 2ull * 5 * 32 * 128 * 4);
    EXPECT_GT(mem.scratch_bytes, 0u);
    EXPECT_EQ(mem.total_bytes, mem.weight_bytes + mem.kv_cache_bytes + mem.scratch_bytes);
    akunu_model_info info;
    ASSERT_EQ(akunu_get_model_info(m(), &info), AKUNU_OK);
    EXPECT_EQ(info.n_params, params);
}

TEST_F(Stories, Tokenize) {
    int32_t toks[16];
    int32_t n = -1;
    ASSERT_EQ(akunu_tokenize(m(), "Once upon a time", true, false, toks, 16, &n), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(std::vector<int32_t>(toks, toks + n), (std::vector<int32_t>{1, 403, 407, 261, 378}));
    ASSERT_EQ(akunu_tokenize(m(), "Once upon a time", false, false, toks, 16, &n), AKUNU_OK);
    EXPECT_EQ(std::vector<int32_t>(toks, toks + n), (std::vector<int32_t>{403, 407, 261, 378}));
    char buf[64];
    size_t len = 0;
    ASSERT_EQ(akunu_detokenize(m(), toks, n, buf, sizeof buf, &len), AKUNU_OK);
    EXPECT_STREQ(buf, " Once upon a time");
    EXPECT_EQ(len, std::strlen(buf));
}

TEST_F(Stories, PrefillLogitsMatchTheReference) {
    const GreedyCase ref = f32_once_upon_a_time_32();
    ASSERT_EQ(ref.prompt_ids, (std::vector<int32_t>{1, 403, 407, 261, 378}));
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m(), ref.prompt_ids.data(), 5, &next), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(next, 432);
    EXPECT_EQ(akunu_position(m()), 5);
    std::vector<float> got(512, NAN);
    ASSERT_EQ(akunu_get_logits(m(), got.data(), 512), AKUNU_OK) << akunu_last_error();
    const std::vector<float> want = reference_logits(4);  // the 5th position predicts token 6
    double diff = 0, norm = 0;
    for (int i = 0; i < 512; ++i) {
        ASSERT_TRUE(std::isfinite(got[i])) << "logit " << i;
        diff += ((double)got[i] - want[i]) * ((double)got[i] - want[i]);
        norm += (double)want[i] * want[i];
    }
    EXPECT_LE(std::sqrt(diff / norm), 1e-4) << "relative L2 error of the last position's logits";
    EXPECT_EQ(std::max_element(got.begin(), got.end()) - got.begin(), 432);

    // Token by token through decode_step gives the same logits.
    ASSERT_EQ(akunu_reset(m()), AKUNU_OK);
    for (int i = 0; i < 5; ++i) ASSERT_EQ(akunu_decode_step(m(), ref.prompt_ids[i], &next), AKUNU_OK);
    EXPECT_EQ(next, 432);
    std::vector<float> got2(512);
    ASSERT_EQ(akunu_get_logits(m(), got2.data(), 512), AKUNU_OK);
    double diff2 = 0;
    for (int i = 0; i < 512; ++i) diff2 += ((double)got2[i] - want[i]) * ((double)got2[i] - want[i]);
    EXPECT_LE(std::sqrt(diff2 / norm), 1e-4) << "decode_step path";
}

TEST_F(Stories, GenerateGreedyMatchesTheReference) {
    const GreedyCase ref = f32_once_upon_a_time_32();
    ASSERT_EQ(ref.gen_text,
              ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw");
    const akunu_sampling_params sp = greedy(32);
    Collected c;
    akunu_generation_stats stats;
    std::memset(&stats, 0xff, sizeof stats);
    ASSERT_EQ(akunu_generate(m(), "Once upon a time", &sp, collect, &c, &stats), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(c.text, ref.gen_text);
    EXPECT_GT(c.calls, 1) << "text must stream, not arrive in one piece";
    EXPECT_EQ(stats.prompt_tokens, 5);
    EXPECT_EQ(stats.generated_tokens, 32);
    EXPECT_EQ(stats.stop_reason, AKUNU_STOP_MAX_TOKENS);
    EXPECT_GT(stats.prefill_ms, 0.0);
    EXPECT_GT(stats.decode_ms, 0.0);
    EXPECT_GE(stats.ttft_ms, stats.prefill_ms);
    EXPECT_GT(stats.prefill_tok_s, 0.0);
    EXPECT_GT(stats.decode_tok_s, 0.0);
    EXPECT_GT(stats.peak_memory_bytes, 0u);
    EXPECT_LT(stats.peak_memory_bytes, 1ull << 40);
    // The last generated token is not fed back: 5 prompt + 31 decoded positions.
    EXPECT_EQ(akunu_position(m()), 36);

    // The same again (reset is the default) gives the same text.
    Collected c2;
    ASSERT_EQ(akunu_generate(m(), "Once upon a time", &sp, collect, &c2, nullptr), AKUNU_OK);
    EXPECT_EQ(c2.text, ref.gen_text);
}

TEST_F(Stories, GenerateStopString) {
    const GreedyCase ref = f32_once_upon_a_time_32();
    akunu_sampling_params sp = greedy(32);
    const char* stops[1] = {", she"};
    sp.stop = stops;
    sp.n_stop = 1;
    Collected c;
    akunu_generation_stats stats;
    ASSERT_EQ(akunu_generate(m(), "Once upon a time", &sp, collect, &c, &stats), AKUNU_OK) << akunu_last_error();
    const size_t at = ref.gen_text.find(", she");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(c.text, ref.gen_text.substr(0, at));
    EXPECT_EQ(c.text, ", there was a little girl named Lily. She loved to play outside in the park. One day");
    EXPECT_EQ(stats.stop_reason, AKUNU_STOP_STRING);
    EXPECT_LT(stats.generated_tokens, 32);
    // The cache holds only what was consumed: generating on from here continues the text.
    EXPECT_LE(akunu_position(m()), 5 + stats.generated_tokens);
}

TEST_F(Stories, GenerateCallbackStops) {
    const akunu_sampling_params sp = greedy(32);
    Collected c;
    c.stop_after = 1;
    akunu_generation_stats stats;
    ASSERT_EQ(akunu_generate(m(), "Once upon a time", &sp, collect, &c, &stats), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(c.calls, 1);
    EXPECT_EQ(stats.stop_reason, AKUNU_STOP_CALLBACK);
    EXPECT_LT(stats.generated_tokens, 32);
    EXPECT_EQ(c.text, ",");

    Collected c3;
    c3.stop_after = 3;
    ASSERT_EQ(akunu_generate(m(), "Once upon a time", &sp, collect, &c3, &stats), AKUNU_OK);
    EXPECT_EQ(c3.calls, 3);
    EXPECT_EQ(c3.text, ", there was");
    EXPECT_EQ(stats.stop_reason, AKUNU_STOP_CALLBACK);
    EXPECT_EQ(stats.generated_tokens, 3);
}

TEST_F(Stories, ChainDecodeEqualsTheGreedyIds) {
    const GreedyCase ref = f32_once_upon_a_time_32();
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m(), ref.prompt_ids.data(), 5, &next), AKUNU_OK);
    ASSERT_EQ(next, ref.gen_ids[0]);
    std::vector<int32_t> out(31, -1);
    ASSERT_EQ(akunu_chain_decode(m(), next, 31, out.data()), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(out, std::vector<int32_t>(ref.gen_ids.begin() + 1, ref.gen_ids.end()));
    EXPECT_EQ(akunu_position(m()), 36);
    // n = 0 is a no-op.
    ASSERT_EQ(akunu_chain_decode(m(), next, 0, nullptr), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(akunu_position(m()), 36);
}

TEST_F(Stories, DecodeStepEqualsTheGreedyIds) {
    const GreedyCase ref = f32_once_upon_a_time_32();
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m(), ref.prompt_ids.data(), 5, &next), AKUNU_OK);
    std::vector<int32_t> got{next};
    for (int i = 1; i < 32; ++i) {
        ASSERT_EQ(akunu_decode_step(m(), next, &next), AKUNU_OK) << akunu_last_error();
        got.push_back(next);
    }
    EXPECT_EQ(got, ref.gen_ids);
}

TEST_F(Stories, ProfileDecodeStep) {
    int32_t next = -1;
    const int32_t prompt[5] = {1, 403, 407, 261, 378};
    ASSERT_EQ(akunu_prefill(m(), prompt, 5, &next), AKUNU_OK);
    std::vector<float> timing(1024, -1.0f);
    const int n = akunu_profile_decode_step(m(), next, 5, timing.data(), (int)timing.size());
    ASSERT_GT(n, 2) << akunu_last_error();
    ASSERT_LE(n, 1024);
    EXPECT_EQ(akunu_position(m()), 6);
    int gemv = 0;
    for (int i = 0; i < n; ++i) {
        const char* label = akunu_profile_label(m(), i);
        ASSERT_NE(label, nullptr) << "label " << i;
        EXPECT_GT(std::strlen(label), 0u);
        if (std::strstr(label, "GEMV")) gemv++;
        EXPECT_GE(timing[i], 0.0f) << label;
        EXPECT_TRUE(std::isfinite(timing[i])) << label;
    }
    EXPECT_EQ(akunu_profile_label(m(), n), nullptr) << "n is the number of labels";
    EXPECT_EQ(std::string(akunu_profile_label(m(), 0)).rfind("Embedding ", 0), 0u) << akunu_profile_label(m(), 0);
    EXPECT_STREQ(akunu_profile_label(m(), n - 1), "Argmax");
    EXPECT_GE(gemv, 5 + 1) << "at least one GEMV per layer and the output projection";
    EXPECT_EQ(timing[n], -1.0f) << "nothing written past n";

    // max smaller than n: still returns n, writes only max.
    std::vector<float> few(4, -1.0f);
    EXPECT_EQ(akunu_profile_decode_step(m(), 383, 6, few.data(), 2), n);
    EXPECT_GE(few[0], 0.0f);
    EXPECT_EQ(few[2], -1.0f);
    // The profiled step is a real step: it predicts the greedy continuation.
    ASSERT_EQ(akunu_reset(m()), AKUNU_OK);
    ASSERT_EQ(akunu_prefill(m(), prompt, 5, &next), AKUNU_OK);
    ASSERT_EQ(akunu_profile_decode_step(m(), 432, 5, nullptr, 0), n);
    float logits[512];
    ASSERT_EQ(akunu_get_logits(m(), logits, 512), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(std::max_element(logits, logits + 512) - logits, 383);
}

}  // namespace
