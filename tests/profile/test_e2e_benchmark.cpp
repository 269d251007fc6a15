// akunu_benchmark: the shipped prompts have the sizes the seed's short/medium/long categories mean,
// the measurement on a real model gives self-consistent numbers and skips what does not fit, and
// the tool's JSON and markdown are what scripts and people read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "format/gguf_file.h"
#include "profile/benchmark_prompts.h"
#include "profile/e2e_benchmark.h"
#include "profile/tool_runner.h"
#include "tokenizer/tokenizer.h"

namespace akunu {
namespace {

const std::string kLlamaVocab = std::string(AKUNU_SHARED_DIR) + "/testdata/vocab/ggml-vocab-llama-spm.gguf";
const std::string kStories = std::string(AKUNU_SHARED_DIR) + "/models/stories260K.gguf";

// --- the prompts ---

TEST(BenchmarkPrompts, ShortMediumLongInOrder) {
    const std::vector<BenchmarkPrompt>& p = benchmark_prompts();
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].name, "short");
    EXPECT_EQ(p[1].name, "medium");
    EXPECT_EQ(p[2].name, "long");
    for (const BenchmarkPrompt& x : p) {
        ASSERT_FALSE(x.text.empty()) << x.name;
        // Leading or trailing whitespace would add tokens that are not part of the prose.
        EXPECT_NE(x.text.front(), '\n') << x.name;
        EXPECT_NE(x.text.back(), '\n') << x.name;
        EXPECT_NE(x.text.back(), ' ') << x.name;
    }
}

TEST(BenchmarkPrompts, TokenCountsWithLlamaSpmVocab) {
    std::unique_ptr<GgufFile> file = GgufFile::open(kLlamaVocab);
    std::unique_ptr<Tokenizer> tok = Tokenizer::from_gguf(*file);
    struct Range {
        size_t lo, hi;
    };
    const Range ranges[] = {{5, 20}, {150, 260}, {1200, 1800}};
    const std::vector<BenchmarkPrompt>& p = benchmark_prompts();
    for (size_t i = 0; i < p.size(); ++i) {
        const size_t n = tok->encode(p[i].text, tok->vocab().add_bos, false).size();
        EXPECT_GE(n, ranges[i].lo) << p[i].name;
        EXPECT_LE(n, ranges[i].hi) << p[i].name;
    }
}

// --- context sizing ---

TEST(E2EContext, LongestPromptPlusGeneration) {
    E2ESettings s;
    s.n_predict = 128;
    EXPECT_EQ(needed_context({12, 197, 1477}, s, 4096), 1477u + 128u);
}

TEST(E2EContext, CappedByTheModel) {
    E2ESettings s;
    EXPECT_EQ(needed_context({31, 530, 3963}, s, 128), 128u);
}

TEST(E2EContext, RoomForTheChainDecode) {
    E2ESettings s;
    s.n_predict = 8;
    s.chain_tokens = 128;
    EXPECT_EQ(needed_context({5}, s, 4096), 129u);  // one BOS + 128 chain-decoded tokens
}

// --- the measurement on stories260K (context 128: only the short prompt fits) ---

class StoriesE2E : public ::testing::Test {
protected:
    void SetUp() override {
        if (!tool_test::file_exists(kStories)) GTEST_SKIP() << kStories << " missing";
        akunu_load_params lp = akunu_default_load_params();
        lp.n_threads = 1;  // the numbers' consistency does not depend on threads; one is fastest here
        ASSERT_EQ(akunu_load_model(kStories.c_str(), &lp, &model_), AKUNU_OK) << akunu_last_error();
    }
    void TearDown() override { akunu_free_model(model_); }
    akunu_model* model_ = nullptr;
};

TEST_F(StoriesE2E, StatsAreSaneAndLongPromptsSkipped) {
    E2ESettings s;
    s.n_predict = 16;
    s.reps = 2;
    const BenchContext ctx = make_bench_context(model_, kStories);
    ASSERT_EQ(ctx.info.max_context, 128u);
    const E2EReport r = run_e2e_benchmark(model_, ctx, benchmark_prompts(), s);

    ASSERT_EQ(r.prompts.size(), 3u);
    const PromptResult& shortp = r.prompts[0];
    ASSERT_FALSE(shortp.skipped) << shortp.note;
    EXPECT_GT(shortp.prompt_tokens, 0);
    ASSERT_EQ(shortp.samples.size(), 2u);
    for (const E2ESample& x : shortp.samples) {
        EXPECT_EQ(x.stats.prompt_tokens, shortp.prompt_tokens);
        EXPECT_GT(x.stats.generated_tokens, 0);
        EXPECT_LE(x.stats.generated_tokens, s.n_predict);
        EXPECT_GT(x.stats.prefill_ms, 0);
        EXPECT_GE(x.stats.ttft_ms, x.stats.prefill_ms);  // TTFT = prefill + one decode step
        EXPECT_GE(x.total_s * 1000.0, x.stats.prefill_ms + x.stats.decode_ms);
        EXPECT_NEAR(x.stats.prefill_tok_s, x.stats.prompt_tokens / (x.stats.prefill_ms / 1000.0),
                    1e-6 * x.stats.prefill_tok_s);
        EXPECT_GT(x.stats.peak_memory_bytes, 0u);
    }
    // Greedy from an empty cache each rep: the same generation every time.
    EXPECT_EQ(shortp.samples[0].stats.generated_tokens, shortp.samples[1].stats.generated_tokens);
    EXPECT_GT(shortp.generated_tokens, 0);
    EXPECT_GE(shortp.ttft_ms, shortp.prefill_ms);
    EXPECT_GE(shortp.total_s * 1000.0, shortp.prefill_ms + shortp.decode_ms);
    EXPECT_NEAR(shortp.prefill_ms, (shortp.samples[0].stats.prefill_ms + shortp.samples[1].stats.prefill_ms) / 2, 1e-9);

    for (size_t i : {1u, 2u}) {
        const PromptResult& p = r.prompts[i];
        EXPECT_TRUE(p.skipped) << p.name;
        EXPECT_GT(p.prompt_tokens, 128) << p.name;
        EXPECT_EQ(p.note, "skipped: " + std::to_string(p.prompt_tokens) + " tokens exceed the context 128");
        EXPECT_TRUE(p.samples.empty());
    }

    // One BOS fills a slot, so the 128-token chain is capped at 127.
    EXPECT_FALSE(r.chain.skipped);
    EXPECT_EQ(r.chain.n_tokens, 127);
    EXPECT_GT(r.chain.tok_s, 0);
    EXPECT_GT(r.chain.gbs, 0);
    EXPECT_EQ(r.chain.pct_peak, 0);  // no peak given
    EXPECT_NEAR(r.chain.tok_s * r.chain.bytes_per_token / 1e9, r.chain.gbs, 1e-9 * r.chain.gbs + 1e-12);
    EXPECT_GT(r.peak_memory_bytes, 0u);
    EXPECT_FALSE(r.build_commit.empty());
    EXPECT_FALSE(r.system_state.empty());
}

TEST(E2EReport, PeakBandwidthGivesPercent) {
    E2EReport r;
    r.chain.gbs = 5;
    set_peak_bandwidth(r, 20, "measured");
    EXPECT_DOUBLE_EQ(r.chain.pct_peak, 25.0);
    EXPECT_EQ(r.ctx.peak_source, "measured");
}

// --- the tool ---

class BenchmarkTool : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(tool_test::is_executable(tool_test::tool_path("akunu_benchmark")))
            << "build the akunu_benchmark target first: " << tool_test::tool_path("akunu_benchmark");
    }
};

TEST_F(BenchmarkTool, JsonParsesWithEveryField) {
    const tool_test::ToolResult t = tool_test::run_tool("akunu_benchmark", {"--synthetic", "tiny", "-n", "8", "-r", "1", "-o", "json"});
    ASSERT_TRUE(t.ok()) << t.describe();
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(t.out)) << t.describe();
    EXPECT_EQ(j["tool"], "akunu_benchmark");
    EXPECT_FALSE(j["build_commit"].get<std::string>().empty());
    EXPECT_EQ(j["model"]["file"], "synthetic:tiny");
    EXPECT_GT(j["model"]["n_params"].get<uint64_t>(), 0u);
    EXPECT_GT(j["device"]["threads"].get<int>(), 0);
    EXPECT_TRUE(j["device"]["isa"].is_string());
    EXPECT_TRUE(j["system_state"].is_string());
    EXPECT_EQ(j["settings"]["n_predict"], 8);
    EXPECT_EQ(j["settings"]["reps"], 1);
    EXPECT_EQ(j["settings"]["temperature"], 0.0);
    EXPECT_GT(j["settings"]["max_context"].get<int>(), 0);

    ASSERT_EQ(j["prompts"].size(), 3u);
    const char* names[] = {"short", "medium", "long"};
    int ran = 0;
    for (size_t i = 0; i < 3; ++i) {
        const nlohmann::json& p = j["prompts"][i];
        EXPECT_EQ(p["name"], names[i]);
        EXPECT_GT(p["tokens"].get<int>(), 0);
        if (p["skipped"].get<bool>()) {
            EXPECT_TRUE(p["prefill_tok_s"].is_null());
            EXPECT_NE(p["note"].get<std::string>().find("exceed the context"), std::string::npos);
            continue;
        }
        ++ran;
        for (const char* k : {"prefill_tok_s", "decode_tok_s", "ttft_ms", "prefill_ms", "decode_ms", "total_s"}) {
            ASSERT_TRUE(p[k].is_number()) << names[i] << " " << k;
            EXPECT_GT(p[k].get<double>(), 0) << names[i] << " " << k;
        }
        EXPECT_GE(p["ttft_ms"].get<double>(), p["prefill_ms"].get<double>());
        EXPECT_EQ(p["reps"].size(), 1u);
        EXPECT_LE(p["generated_tokens"].get<double>(), 8);
    }
    EXPECT_GE(ran, 1);
    const nlohmann::json& c = j["chain_decode"];
    EXPECT_EQ(c["n_tokens"], 128);
    EXPECT_GT(c["tok_s"].get<double>(), 0);
    EXPECT_GT(c["gbs"].get<double>(), 0);
    EXPECT_GT(c["pct_peak"].get<double>(), 0);  // the peak was measured (into the test's own cache)
    EXPECT_GT(j["peak_memory_bytes"].get<uint64_t>(), 0u);
    EXPECT_TRUE(j["warnings"].is_array());
}

TEST_F(BenchmarkTool, MarkdownOnStoriesShowsTheSeedTableAndSkips) {
    if (!tool_test::file_exists(tool_test::stories_path())) GTEST_SKIP() << "stories260K missing";
    const tool_test::ToolResult t =
        tool_test::run_tool("akunu_benchmark", {tool_test::stories_path(), "-n", "8", "-r", "1", "--no-peak", "-t", "1"});
    ASSERT_TRUE(t.ok()) << t.describe();
    const std::vector<std::string> lines = tool_test::split_lines(t.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].rfind("akunu_benchmark ", 0), 0u) << lines[0];
    EXPECT_TRUE(tool_test::contains(lines[0], "threads, isa ")) << lines[0];
    std::vector<std::vector<std::string>> rows;
    for (const std::string& l : lines) {
        std::vector<std::string> cells = report_parse::markdown_cells(l);
        if (!cells.empty()) rows.push_back(cells);
    }
    ASSERT_GE(rows.size(), 5u) << t.out;
    EXPECT_EQ(rows[0], (std::vector<std::string>{"Prompt", "Tokens", "Prefill t/s", "Decode t/s", "First-tok ms",
                                                  "Prefill ms", "Total s"}));
    EXPECT_EQ(rows[2][0], "short");
    EXPECT_GT(std::stod(rows[2][2]), 0);
    EXPECT_EQ(rows[3][0], "medium");
    EXPECT_EQ(rows[3][2], "skipped: " + rows[3][1] + " tokens exceed the context 128");
    EXPECT_EQ(rows[4][0], "long");
    EXPECT_EQ(rows[4][2], "skipped: " + rows[4][1] + " tokens exceed the context 128");
    EXPECT_TRUE(tool_test::contains(t.out, "| Chain decode")) << t.out;
    EXPECT_TRUE(tool_test::contains(t.out, "peak memory: ")) << t.out;
}

TEST_F(BenchmarkTool, BadArgumentsExitNonZero) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--synthetic", "tiny", "--bogus"},
             {"--synthetic", "tiny", "-o", "xml"},
             {"--synthetic", "tiny", "-r", "0"},
             {"--synthetic", "tiny", "--backend", "metal"},
             {},
         }) {
        const tool_test::ToolResult t = tool_test::run_tool("akunu_benchmark", args);
        ASSERT_TRUE(t.exited()) << t.describe();
        EXPECT_NE(t.exit_code, 0) << t.describe();
        EXPECT_FALSE(t.err.empty() && t.out.empty()) << t.describe();
    }
}

TEST_F(BenchmarkTool, MissingModelPrintsTheLibraryError) {
    const tool_test::ToolResult t = tool_test::run_tool("akunu_benchmark", {"/nonexistent/model.gguf"});
    ASSERT_TRUE(t.exited()) << t.describe();
    EXPECT_EQ(t.exit_code, 1) << t.describe();
    EXPECT_TRUE(tool_test::contains(t.err, "/nonexistent/model.gguf")) << t.describe();
}

}  // namespace
}  // namespace akunu
