// Acceptance: bad arguments to the C API return the right status with a message naming what is
// wrong, change no state, and leave the handle usable (the next valid call succeeds).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "api/api_test_util.h"
#include "api/gguf_image.h"

using namespace api_test;

namespace {

const int32_t kPrompt[5] = {1, 403, 407, 261, 378};  // BOS "Once upon a time"

class BadArgs : public ::testing::Test {
protected:
    void SetUp() override { model_.m = load_stories(); }

    akunu_model* m() const { return model_.m; }

    // The handle still works after an error: a fresh prefill of the prompt predicts 432.
    void expect_works() {
        ASSERT_EQ(akunu_reset(m()), AKUNU_OK) << akunu_last_error();
        int32_t next = -1;
        EXPECT_EQ(akunu_prefill(m(), kPrompt, 5, &next), AKUNU_OK) << akunu_last_error();
        EXPECT_EQ(next, kFirstGenerated);
        EXPECT_EQ(akunu_position(m()), 5);
        EXPECT_STREQ(akunu_last_error(), "");
    }

    Model model_;
};

TEST(BadArgsNoModel, NullModelEverywhere) {
    int32_t toks[8] = {0};
    int32_t n = -1;
    char buf[64];
    float logits[512];
    akunu_model_info info;
    akunu_memory mem;
    EXPECT_API_ERROR(akunu_get_model_info(nullptr, &info), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_model_memory(nullptr, &mem), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_tokenize(nullptr, "hi", true, false, toks, 8, &n), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_detokenize(nullptr, toks, 1, buf, sizeof buf, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_prefill(nullptr, kPrompt, 5, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_decode_step(nullptr, 1, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_chain_decode(nullptr, 1, 4, toks), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_reset(nullptr), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_get_logits(nullptr, logits, 512), AKUNU_ERR_INVALID_ARGUMENT, "model");
    EXPECT_API_ERROR(akunu_generate(nullptr, "hi", nullptr, nullptr, nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT,
                     "model");
    EXPECT_EQ(akunu_position(nullptr), -1);
    float timing[4];
    EXPECT_EQ(akunu_profile_decode_step(nullptr, 1, 0, timing, 4), -1);
    EXPECT_NE(std::string(akunu_last_error()).find("model"), std::string::npos) << akunu_last_error();
    EXPECT_EQ(akunu_profile_label(nullptr, 0), nullptr);
    akunu_free_model(nullptr);  // a no-op, like free(NULL)
}

TEST(BadArgsNoModel, NullPathAndOut) {
    akunu_model* m = reinterpret_cast<akunu_model*>(&m);  // must be cleared on failure
    EXPECT_API_ERROR(akunu_load_model(nullptr, nullptr, &m), AKUNU_ERR_INVALID_ARGUMENT, "path");
    EXPECT_EQ(m, nullptr);
    EXPECT_API_ERROR(akunu_load_model(stories_path().c_str(), nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "out");
    m = reinterpret_cast<akunu_model*>(&m);
    EXPECT_API_ERROR(akunu_load_synthetic(nullptr, nullptr, &m), AKUNU_ERR_INVALID_ARGUMENT, "spec");
    EXPECT_EQ(m, nullptr);
    EXPECT_API_ERROR(akunu_load_synthetic("stories260k", nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "out");
    EXPECT_API_ERROR(akunu_write_synthetic(nullptr, "/tmp/x.gguf"), AKUNU_ERR_INVALID_ARGUMENT, "spec");
    EXPECT_API_ERROR(akunu_write_synthetic("stories260k", nullptr), AKUNU_ERR_INVALID_ARGUMENT, "path");
}

TEST(BadArgsNoModel, BadLoadParams) {
    akunu_load_params p = akunu_default_load_params();
    p.n_threads = -1;
    akunu_model* m = nullptr;
    EXPECT_API_ERROR(akunu_load_model(stories_path().c_str(), &p, &m), AKUNU_ERR_INVALID_ARGUMENT, "n_threads");
    EXPECT_EQ(m, nullptr);
    p = akunu_default_load_params();
    p.backend = (akunu_backend_kind)99;
    EXPECT_API_ERROR(akunu_load_model(stories_path().c_str(), &p, &m), AKUNU_ERR_INVALID_ARGUMENT, "backend", "99");
    EXPECT_EQ(m, nullptr);
    // And a valid load right after.
    p = akunu_default_load_params();
    ASSERT_EQ(akunu_load_model(stories_path().c_str(), &p, &m), AKUNU_OK) << akunu_last_error();
    akunu_free_model(m);
}

TEST(BadArgsNoModel, BadSyntheticSpec) {
    akunu_model* m = reinterpret_cast<akunu_model*>(&m);
    EXPECT_API_ERROR(akunu_load_synthetic("nope", nullptr, &m), AKUNU_ERR_INVALID_ARGUMENT, "'nope'", "stories260k",
                     "tiny", "qwen3-0.6b", "llama-3-8b");
    EXPECT_EQ(m, nullptr);
    m = reinterpret_cast<akunu_model*>(&m);
    EXPECT_API_ERROR(akunu_load_synthetic("tiny:q9_9", nullptr, &m), AKUNU_ERR_INVALID_ARGUMENT, "'q9_9'", "Q4_0",
                     "Q8_0", "F32");
    EXPECT_EQ(m, nullptr);
    gguf_image::TempDir dir;
    const std::string out = dir.file("x.gguf");
    EXPECT_API_ERROR(akunu_write_synthetic("nope", out.c_str()), AKUNU_ERR_INVALID_ARGUMENT, "'nope'", "stories260k");
    EXPECT_API_ERROR(akunu_write_synthetic("stories260k:q9_9", out.c_str()), AKUNU_ERR_INVALID_ARGUMENT, "'q9_9'",
                     "Q4_0");
    // The valid spec works right after.
    ASSERT_EQ(akunu_load_synthetic("stories260k:q8_0", nullptr, &m), AKUNU_OK) << akunu_last_error();
    akunu_model_info info;
    ASSERT_EQ(akunu_get_model_info(m, &info), AKUNU_OK);
    EXPECT_STREQ(info.weight_type, "Q8_0");
    akunu_free_model(m);
}

TEST_F(BadArgs, NullArguments) {
    int32_t toks[8];
    int32_t n = -1;
    float logits[512];
    EXPECT_API_ERROR(akunu_get_model_info(m(), nullptr), AKUNU_ERR_INVALID_ARGUMENT, "out");
    EXPECT_API_ERROR(akunu_model_memory(m(), nullptr), AKUNU_ERR_INVALID_ARGUMENT, "out");
    EXPECT_API_ERROR(akunu_tokenize(m(), nullptr, true, false, toks, 8, &n), AKUNU_ERR_INVALID_ARGUMENT, "text");
    EXPECT_API_ERROR(akunu_tokenize(m(), "Once", true, false, toks, 8, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "n_tokens");
    EXPECT_API_ERROR(akunu_tokenize(m(), "Once", true, false, nullptr, 8, &n), AKUNU_ERR_INVALID_ARGUMENT, "tokens");
    EXPECT_API_ERROR(akunu_detokenize(m(), nullptr, 3, nullptr, 0, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "token");
    EXPECT_API_ERROR(akunu_prefill(m(), nullptr, 3, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "tokens");
    EXPECT_EQ(akunu_position(m()), 0);
    EXPECT_API_ERROR(akunu_chain_decode(m(), 1, 4, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "out_tokens");
    EXPECT_EQ(akunu_position(m()), 0);
    EXPECT_API_ERROR(akunu_get_logits(m(), nullptr, 512), AKUNU_ERR_INVALID_ARGUMENT, "out");
    EXPECT_API_ERROR(akunu_generate(m(), nullptr, nullptr, nullptr, nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT,
                     "prompt");
    akunu_sampling_params sp = akunu_default_sampling_params();
    const char* stops[2] = {", she", nullptr};
    sp.stop = stops;
    sp.n_stop = 2;
    EXPECT_API_ERROR(akunu_generate(m(), "Once", &sp, nullptr, nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "stop");
    (void)logits;
    expect_works();
}

TEST_F(BadArgs, NegativeCounts) {
    int32_t toks[8];
    int32_t n = -1;
    char buf[32];
    ASSERT_EQ(akunu_prefill(m(), kPrompt, 5, nullptr), AKUNU_OK);
    EXPECT_API_ERROR(akunu_prefill(m(), kPrompt, -1, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "prefill");
    EXPECT_API_ERROR(akunu_prefill(m(), kPrompt, 0, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "prefill");
    EXPECT_API_ERROR(akunu_chain_decode(m(), 432, -1, toks), AKUNU_ERR_INVALID_ARGUMENT, "chain_decode");
    EXPECT_API_ERROR(akunu_tokenize(m(), "Once", true, false, toks, -1, &n), AKUNU_ERR_INVALID_ARGUMENT, "capacity");
    EXPECT_API_ERROR(akunu_detokenize(m(), kPrompt, -1, buf, sizeof buf, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "token");
    float timing[4];
    EXPECT_EQ(akunu_profile_decode_step(m(), 432, 5, timing, -1), -1);
    EXPECT_NE(std::string(akunu_last_error()).find("max"), std::string::npos) << akunu_last_error();
    EXPECT_EQ(akunu_position(m()), 5) << "a rejected call must not move the position";
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.max_tokens = -1;
    EXPECT_API_ERROR(akunu_generate(m(), "Once", &sp, nullptr, nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT,
                     "max_tokens");
    sp = akunu_default_sampling_params();
    sp.n_stop = -1;
    EXPECT_API_ERROR(akunu_generate(m(), "Once", &sp, nullptr, nullptr, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "stop");
    expect_works();
}

TEST_F(BadArgs, TokenIdsOutOfRange) {
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m(), kPrompt, 5, &next), AKUNU_OK);
    ASSERT_EQ(next, kFirstGenerated);

    const int32_t bad1[3] = {1, 512, 3};
    EXPECT_API_ERROR(akunu_prefill(m(), bad1, 3, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "512", "index 1", "vocabulary");
    const int32_t bad2[2] = {-1, 5};
    EXPECT_API_ERROR(akunu_prefill(m(), bad2, 2, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "-1", "index 0");
    EXPECT_API_ERROR(akunu_decode_step(m(), 512, &next), AKUNU_ERR_INVALID_ARGUMENT, "512");
    EXPECT_API_ERROR(akunu_decode_step(m(), -7, &next), AKUNU_ERR_INVALID_ARGUMENT, "-7");
    int32_t out[4];
    EXPECT_API_ERROR(akunu_chain_decode(m(), 600, 4, out), AKUNU_ERR_INVALID_ARGUMENT, "600");
    EXPECT_API_ERROR(akunu_chain_decode(m(), std::numeric_limits<int32_t>::min(), 4, out), AKUNU_ERR_INVALID_ARGUMENT,
                     std::to_string(std::numeric_limits<int32_t>::min()));
    const int32_t bad3[2] = {5, 9999};
    char buf[64];
    EXPECT_API_ERROR(akunu_detokenize(m(), bad3, 2, buf, sizeof buf, nullptr), AKUNU_ERR_INVALID_ARGUMENT, "9999",
                     "index 1");
    float timing[128];
    EXPECT_EQ(akunu_profile_decode_step(m(), 512, 5, timing, 128), -1);
    EXPECT_NE(std::string(akunu_last_error()).find("512"), std::string::npos) << akunu_last_error();

    // None of that moved the cache: the next step continues the greedy sequence.
    EXPECT_EQ(akunu_position(m()), 5);
    ASSERT_EQ(akunu_decode_step(m(), kFirstGenerated, &next), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(next, 383);  // the second greedy id after "Once upon a time"
    EXPECT_EQ(akunu_position(m()), 6);
    expect_works();
}

TEST(BadArgsContext, PromptPastTheContext) {
    Model m(load_stories(16));
    akunu_model_info info;
    ASSERT_EQ(akunu_get_model_info(m, &info), AKUNU_OK);
    ASSERT_EQ(info.max_context, 16u);

    std::vector<int32_t> twenty(20);
    for (int i = 0; i < 20; ++i) twenty[i] = kPrompt[i % 5];
    EXPECT_API_ERROR(akunu_prefill(m, twenty.data(), 20, nullptr), AKUNU_ERR_CONTEXT_FULL, "max_context 16", "20");
    EXPECT_EQ(akunu_position(m), 0);

    ASSERT_EQ(akunu_prefill(m, twenty.data(), 10, nullptr), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(akunu_position(m), 10);
    EXPECT_API_ERROR(akunu_prefill(m, twenty.data(), 7, nullptr), AKUNU_ERR_CONTEXT_FULL, "max_context 16",
                     "position 10");
    EXPECT_EQ(akunu_position(m), 10);
    ASSERT_EQ(akunu_prefill(m, twenty.data(), 6, nullptr), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(akunu_position(m), 16);
    EXPECT_API_ERROR(akunu_decode_step(m, 1, nullptr), AKUNU_ERR_CONTEXT_FULL, "max_context 16");
    EXPECT_EQ(akunu_position(m), 16);

    // generate: a prompt longer than the context is refused before anything runs.
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.temperature = 0;
    sp.max_tokens = 4;
    const std::string long_prompt =
        "Once upon a time there was a little girl named Lily. She loved to play outside in the park.";
    EXPECT_API_ERROR(akunu_generate(m, long_prompt.c_str(), &sp, nullptr, nullptr, nullptr), AKUNU_ERR_CONTEXT_FULL,
                     "max_context 16");

    // The handle still works.
    ASSERT_EQ(akunu_reset(m), AKUNU_OK);
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m, kPrompt, 5, &next), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(next, kFirstGenerated);
}

TEST(BadArgsContext, ChainDecodePastTheContext) {
    Model m(load_stories(16));
    const GreedyCase ref = f32_once_upon_a_time_32();
    int32_t next = -1;
    ASSERT_EQ(akunu_prefill(m, kPrompt, 5, &next), AKUNU_OK);
    ASSERT_EQ(next, kFirstGenerated);
    std::vector<int32_t> out(32, -1);
    EXPECT_API_ERROR(akunu_chain_decode(m, next, 12, out.data()), AKUNU_ERR_CONTEXT_FULL, "max_context 16");
    EXPECT_EQ(akunu_position(m), 5);
    // Exactly filling the context works and gives the greedy ids.
    ASSERT_EQ(akunu_chain_decode(m, next, 11, out.data()), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(akunu_position(m), 16);
    for (int i = 0; i < 11; ++i) EXPECT_EQ(out[i], ref.gen_ids[i + 1]) << "step " << i;
    EXPECT_API_ERROR(akunu_chain_decode(m, out[10], 1, out.data()), AKUNU_ERR_CONTEXT_FULL, "max_context 16");
    EXPECT_EQ(akunu_position(m), 16);
}

TEST(BadArgsContext, GenerateStopsAtTheContextEnd) {
    Model m(load_stories(16));
    const GreedyCase ref = f32_once_upon_a_time_32();
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.temperature = 0;
    sp.max_tokens = 32;
    std::string text;
    auto cb = [](const char* t, size_t n, void* user) {
        static_cast<std::string*>(user)->append(t, n);
        return true;
    };
    akunu_generation_stats stats;
    ASSERT_EQ(akunu_generate(m, "Once upon a time", &sp, cb, &text, &stats), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(stats.stop_reason, AKUNU_STOP_CONTEXT_FULL);
    // 11 positions are left after the 5 prompt tokens; the 12th token comes from the last logits.
    EXPECT_EQ(stats.generated_tokens, 12);
    EXPECT_EQ(akunu_position(m), 16);
    char expected[256];
    size_t len = 0;
    ASSERT_EQ(akunu_detokenize(m, ref.gen_ids.data(), stats.generated_tokens, expected, sizeof expected, &len),
              AKUNU_OK);
    EXPECT_EQ(text, std::string(expected, len));
    EXPECT_EQ(ref.gen_text.rfind(text, 0), 0u) << "not a prefix of the greedy text: " << text;
}

TEST_F(BadArgs, TokenizeCapacityTooSmall) {
    int32_t toks[8] = {-5, -5, -5, -5, -5, -5, -5, -5};
    int32_t n = -1;
    EXPECT_API_ERROR(akunu_tokenize(m(), "Once upon a time", true, false, toks, 2, &n), AKUNU_ERR_BUFFER_TOO_SMALL,
                     "5", "2");
    EXPECT_EQ(n, 5);
    n = -1;
    // A size query: no buffer, capacity 0.
    EXPECT_API_ERROR(akunu_tokenize(m(), "Once upon a time", true, false, nullptr, 0, &n), AKUNU_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(n, 5);
    EXPECT_EQ(toks[2], -5) << "nothing may be written past the capacity";
    ASSERT_EQ(akunu_tokenize(m(), "Once upon a time", true, false, toks, 5, &n), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(n, 5);
    EXPECT_EQ(std::vector<int32_t>(toks, toks + 5), std::vector<int32_t>(kPrompt, kPrompt + 5));
    expect_works();
}

TEST_F(BadArgs, DetokenizeCapacityTooSmall) {
    const int32_t ids[5] = {432, 383, 286, 261, 376};  // ", there was a little"
    const std::string want = ", there was a little";
    size_t len = 12345;
    EXPECT_API_ERROR(akunu_detokenize(m(), ids, 5, nullptr, 0, &len), AKUNU_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(len, want.size());
    char buf[64];
    std::memset(buf, '#', sizeof buf);
    len = 0;
    // Room for the text but not its NUL.
    EXPECT_API_ERROR(akunu_detokenize(m(), ids, 5, buf, want.size(), &len), AKUNU_ERR_BUFFER_TOO_SMALL,
                     std::to_string(want.size() + 1));
    EXPECT_EQ(len, want.size());
    EXPECT_EQ(buf[want.size()], '#') << "nothing may be written past the capacity";
    ASSERT_EQ(akunu_detokenize(m(), ids, 5, buf, want.size() + 1, &len), AKUNU_OK) << akunu_last_error();
    EXPECT_EQ(len, want.size());
    EXPECT_STREQ(buf, want.c_str());
    expect_works();
}

TEST_F(BadArgs, GetLogitsBeforeAnythingRan) {
    float logits[512];
    EXPECT_API_ERROR(akunu_get_logits(m(), logits, 512), AKUNU_ERR_INVALID_ARGUMENT, "logits");
    ASSERT_EQ(akunu_prefill(m(), kPrompt, 5, nullptr), AKUNU_OK);
    ASSERT_EQ(akunu_get_logits(m(), logits, 512), AKUNU_OK) << akunu_last_error();
    // After a reset there is nothing again.
    ASSERT_EQ(akunu_reset(m()), AKUNU_OK);
    EXPECT_API_ERROR(akunu_get_logits(m(), logits, 512), AKUNU_ERR_INVALID_ARGUMENT, "logits");
    expect_works();
}

TEST_F(BadArgs, GetLogitsCapacityTooSmall) {
    ASSERT_EQ(akunu_prefill(m(), kPrompt, 5, nullptr), AKUNU_OK);
    std::vector<float> logits(512, -1234.5f);
    EXPECT_API_ERROR(akunu_get_logits(m(), logits.data(), 511), AKUNU_ERR_BUFFER_TOO_SMALL, "512", "511");
    EXPECT_EQ(logits[0], -1234.5f) << "a failed call must not write";
    ASSERT_EQ(akunu_get_logits(m(), logits.data(), 512), AKUNU_OK);
    EXPECT_NE(logits[0], -1234.5f);
    expect_works();
}

TEST_F(BadArgs, ProfileBeyondThePosition) {
    ASSERT_EQ(akunu_prefill(m(), kPrompt, 5, nullptr), AKUNU_OK);
    std::vector<float> timing(512);
    EXPECT_EQ(akunu_profile_decode_step(m(), 432, 6, timing.data(), 512), -1);
    EXPECT_NE(std::string(akunu_last_error()).find("6"), std::string::npos) << akunu_last_error();
    EXPECT_EQ(akunu_position(m()), 5);
    EXPECT_EQ(akunu_profile_decode_step(m(), 432, -1, timing.data(), 512), -1);
    EXPECT_EQ(akunu_position(m()), 5);
    // Valid: at the position itself.
    const int n = akunu_profile_decode_step(m(), 432, 5, timing.data(), 512);
    ASSERT_GT(n, 0) << akunu_last_error();
    EXPECT_EQ(akunu_position(m()), 6);
    EXPECT_NE(akunu_profile_label(m(), 0), nullptr);
    EXPECT_NE(akunu_profile_label(m(), n - 1), nullptr);
    EXPECT_EQ(akunu_profile_label(m(), n), nullptr);
    EXPECT_EQ(akunu_profile_label(m(), -1), nullptr);
    EXPECT_EQ(akunu_profile_label(m(), 1 << 30), nullptr);
    expect_works();
}

TEST_F(BadArgs, GenerateStopArrayNull) {
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.n_stop = 1;
    sp.stop = nullptr;
    EXPECT_API_ERROR(akunu_generate(m(), "Once upon a time", &sp, nullptr, nullptr, nullptr),
                     AKUNU_ERR_INVALID_ARGUMENT, "stop");
    expect_works();
}

TEST_F(BadArgs, InvalidSamplingParams) {
    ASSERT_EQ(akunu_prefill(m(), kPrompt, 5, nullptr), AKUNU_OK);
    akunu_sampling_params sp = akunu_default_sampling_params();
    sp.temperature = std::nanf("");
    EXPECT_API_ERROR(akunu_generate(m(), "Once upon a time", &sp, nullptr, nullptr, nullptr),
                     AKUNU_ERR_INVALID_ARGUMENT, "temperature");
    EXPECT_EQ(akunu_position(m()), 5) << "rejected parameters must not reset the cache";
    sp = akunu_default_sampling_params();
    sp.top_p = -0.5f;
    EXPECT_API_ERROR(akunu_generate(m(), "Once upon a time", &sp, nullptr, nullptr, nullptr),
                     AKUNU_ERR_INVALID_ARGUMENT, "top_p");
    sp = akunu_default_sampling_params();
    sp.top_p = std::nanf("");
    EXPECT_API_ERROR(akunu_generate(m(), "Once upon a time", &sp, nullptr, nullptr, nullptr),
                     AKUNU_ERR_INVALID_ARGUMENT, "top_p");
    sp = akunu_default_sampling_params();
    sp.repeat_penalty = 0.0f;
    EXPECT_API_ERROR(akunu_generate(m(), "Once upon a time", &sp, nullptr, nullptr, nullptr),
                     AKUNU_ERR_INVALID_ARGUMENT, "repeat_penalty");
    sp = akunu_default_sampling_params();
    sp.repeat_last_n = -3;
    EXPECT_API_ERROR(akunu_generate(m(), "Once upon a time", &sp, nullptr, nullptr, nullptr),
                     AKUNU_ERR_INVALID_ARGUMENT, "repeat_last_n");
    EXPECT_EQ(akunu_position(m()), 5);
    expect_works();
}

}  // namespace
