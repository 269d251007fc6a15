// The benchmark methodology of the seed (llama-bench's, with chain decode): synthetic prompts of
// BOS tokens, prefill timed with a steady clock, decode through chain decode (or decode_step for
// comparison), akunu_reset before every repetition, one warm-up run not counted.
#pragma once

#include <cstdint>
#include <string>

#include "akunu/akunu.h"
#include "profile/bench_record.h"

namespace akunu {

struct BenchTest {
    int64_t n_prompt = 0;  // pp: tokens prefilled
    int64_t n_gen = 0;     // tg: tokens decoded
    int64_t depth = 0;     // tokens in the KV cache before the test (not timed)
    bool step_decode = false;  // decode with akunu_decode_step instead of akunu_chain_decode
};

// What the runner copies into every record (model, device, build).
struct BenchContext {
    std::string model_file;
    std::string model_desc;
    akunu_model_info info{};
    akunu_memory memory{};
    akunu_device_info device{};
    double peak_gbs = 0;
    std::string peak_source;
    uint64_t kv_bytes_per_position = 0;  // sum over the decode table's attention commands
};

// Fills the context from a loaded model (peak bandwidth is left to the caller).
BenchContext make_bench_context(akunu_model* model, const std::string& model_file);

// "qwen3 0.6B Q4_0", as llama-bench names models.
std::string describe_model(const akunu_model_info& info);

// "pp512", "tg128", "pp512+tg128", with " @ d4096" and " (step)" as needed.
std::string test_name(const BenchTest& t);

// Runs one test `reps` times after a warm-up and returns the record. Throws akunu::Error when an
// API call fails (the message of akunu_last_error).
BenchRecord run_bench_test(akunu_model* model, const BenchContext& ctx, const BenchTest& test, int reps);

}  // namespace akunu
