// akunu_benchmark's measurement: real prompts through the whole akunu_generate() path (tokenize,
// prefill, sample, decode, detokenize), the seed's complement to akunu_bench's synthetic BOS
// prompts, plus a standalone greedy chain decode for the raw decode ceiling. Printing lives in
// e2e_report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "profile/bench_runner.h"
#include "profile/benchmark_prompts.h"

namespace akunu {

struct E2ESettings {
    int32_t n_predict = 128;     // tokens generated per prompt
    float temperature = 0;       // <= 0: greedy (akunu_generate then chain-decodes ahead)
    uint64_t seed = 0;           // sampler seed, the same every rep so reps are comparable
    int reps = 3;                // timed repetitions, each from an empty cache
    int32_t chain_tokens = 128;  // the standalone chain decode's length (the seed's tg128)
};

// One repetition of one prompt: the library's own stats plus the wall time around the call.
struct E2ESample {
    akunu_generation_stats stats{};
    double total_s = 0;
};

struct PromptResult {
    std::string name;
    int32_t prompt_tokens = 0;  // as generated (BOS included when the vocabulary adds one)
    bool skipped = false;
    std::string note;  // why it was skipped, or why fewer than n_predict tokens came out
    // Means over the samples (0 when skipped).
    double generated_tokens = 0;
    double prefill_tok_s = 0;
    double decode_tok_s = 0;
    double ttft_ms = 0;
    double prefill_ms = 0;
    double decode_ms = 0;
    double total_s = 0;
    std::vector<E2ESample> samples;
};

struct ChainDecodeResult {
    bool skipped = false;
    std::string note;
    int32_t n_tokens = 0;
    int reps = 0;
    double mean_ms = 0;  // the chain decode call alone, steady clock
    double tok_s = 0;
    double stddev_tok_s = 0;
    double bytes_per_token = 0;  // weights + mean KV read per step
    double gbs = 0;              // effective read bandwidth
    double pct_peak = 0;         // of BenchContext::peak_gbs (0: peak unknown)
};

struct E2EReport {
    std::string build_commit;
    std::string timestamp;  // ISO 8601, UTC, at the start
    BenchContext ctx;       // model, device, memory, peak bandwidth
    E2ESettings settings;
    std::string system_state;  // describe_snapshot() before the run
    std::vector<PromptResult> prompts;
    ChainDecodeResult chain;
    uint64_t peak_memory_bytes = 0;  // process peak RSS after the prompts (akunu_generation_stats)
    std::vector<std::string> warnings;
};

// Tokens `text` takes with the model's tokenizer, BOS included: an upper bound by one of what
// akunu_generate feeds (it adds BOS only when the vocabulary asks), good enough to decide what fits.
int32_t count_prompt_tokens(akunu_model* model, const std::string& text);

// The context the default run needs: the longest prompt plus n_predict, and room for the chain
// decode (one BOS + chain_tokens), capped by the model's trained context.
uint32_t needed_context(const std::vector<int32_t>& prompt_tokens, const E2ESettings& s, uint32_t model_context);

// needed_context() for `prompts` encoded with the loaded model's tokenizer.
uint32_t needed_context(akunu_model* model, const std::vector<BenchmarkPrompt>& prompts, const E2ESettings& s);

// Runs one prompt s.reps times (after no warm-up of its own). A prompt longer than the context is
// skipped with a note instead of failing. Throws akunu::Error when an API call fails.
PromptResult run_prompt(akunu_model* model, const BenchmarkPrompt& prompt, const E2ESettings& s);

// Prefill one BOS, then chain-decode min(s.chain_tokens, context - 1) tokens, timed, mean of reps.
ChainDecodeResult run_chain_decode(akunu_model* model, const BenchContext& ctx, const E2ESettings& s);

// The whole benchmark: one warm-up generation (not counted), every prompt, the chain decode, and
// the system's state around it all.
E2EReport run_e2e_benchmark(akunu_model* model, const BenchContext& ctx, const std::vector<BenchmarkPrompt>& prompts,
                            const E2ESettings& s);

// Records the device's peak read bandwidth and the chain decode's % of it. Called after the run:
// measuring the peak streams a buffer far larger than a small model, which would otherwise be the
// process peak RSS that the report gives as the run's peak memory.
void set_peak_bandwidth(E2EReport& report, double gbs, const std::string& source);

}  // namespace akunu
