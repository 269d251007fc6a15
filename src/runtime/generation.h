// Prompt -> text: tokenize, prefill, sample or chain-decode, stream whole UTF-8 characters,
// stop at EOS / stop strings / max tokens / context end, and measure it all.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampler.h"

namespace akunu {

class Engine;

struct GenerateParams {
    SamplingParams sampling;
    int32_t max_tokens = 128;
    std::vector<std::string> stop;
    bool add_bos = true;  // only when the vocabulary asks for BOS
    bool parse_special = false;
    bool reset = true;
};

enum class StopReason { MaxTokens, EndOfGeneration, StopString, Callback, ContextFull };

struct GenerationStats {
    int32_t prompt_tokens = 0;
    int32_t generated_tokens = 0;
    double prefill_ms = 0;
    double decode_ms = 0;
    double ttft_ms = 0;  // prefill + one decode step (the seed's definition)
    double prefill_tok_s = 0;
    double decode_tok_s = 0;
    uint64_t peak_memory_bytes = 0;
    StopReason stop_reason = StopReason::MaxTokens;
    std::vector<int32_t> tokens;  // the generated ids
};

// Returns false to stop.
using TextCallback = std::function<bool(std::string_view text)>;

GenerationStats generate(Engine& engine, std::string_view prompt, const GenerateParams& params,
                         const TextCallback& on_text);

// Peak resident set of this process in bytes.
uint64_t peak_rss_bytes();

}  // namespace akunu
