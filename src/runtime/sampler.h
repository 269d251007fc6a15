// CPU sampler: repetition penalty, temperature, top-k, min-p, top-p, seeded draw.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace akunu {

struct SamplingParams {
    float temperature = 0.0f;     // <= 0: greedy (argmax)
    int32_t top_k = 40;           // <= 0: off
    float top_p = 0.95f;          // >= 1: off
    float min_p = 0.05f;          // <= 0: off
    float repeat_penalty = 1.0f;  // 1: off
    int32_t repeat_last_n = 64;   // how many recent tokens the penalty looks at
    uint64_t seed = 0;
};

// Order of the steps (the one llama.cpp-like engines use), see sampler.cpp for details:
//   repetition penalty -> greedy if temperature <= 0 -> top-k -> temperature + softmax -> min-p
//   -> top-p -> renormalise and draw (one 64-bit mt19937_64 output per draw).
class Sampler {
public:
    Sampler(const SamplingParams& params, int32_t vocab_size);  // throws InvalidArgument on bad params
    // `logits` has vocab_size entries and is not modified. `recent` are the latest tokens (oldest first);
    // ids outside [0, vocab_size) in `recent` are ignored. NaN logits are never picked.
    int32_t sample(const float* logits, const int32_t* recent, int32_t n_recent);
    void reseed(uint64_t seed) { rng_.seed(seed); }
    const SamplingParams& params() const { return params_; }

private:
    std::pair<float, int32_t> top_p_cut(int32_t n, double total);

    SamplingParams params_;
    int32_t vocab_size_;
    std::mt19937_64 rng_;
    std::vector<float> work_;              // scratch, sized once
    std::vector<std::pair<float, int32_t>> candidates_;
    std::vector<uint8_t> seen_;            // repetition penalty: tokens already penalised (all 0 between calls)
    std::vector<std::pair<float, int32_t>> bucket_items_;  // top-p: the candidates of the bucket at the cut
    std::vector<double> bucket_mass_;      // top-p: probability mass per log-probability bucket
};

// First index of the maximum; NaN entries are ignored (all NaN -> 0). Throws InvalidArgument if n <= 0.
int32_t argmax(const float* logits, int32_t n);

// Watches generated text for stop strings. Text that could be the start of a stop string is held
// back so a streaming caller never sees part of a stop string.
class StopMatcher {
public:
    explicit StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}
    // Appends text; returns the part now safe to emit. Sets *stopped when a stop string completed
    // (the returned text then ends just before it).
    std::string push(const std::string& text, bool* stopped);
    // After a stop, further pushes return "" (and set *stopped) until reset().
    std::string flush();  // held-back text when generation ends without a stop
    bool stopped() const { return stopped_; }
    void reset() { held_.clear(); stopped_ = false; }

private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

}  // namespace akunu
