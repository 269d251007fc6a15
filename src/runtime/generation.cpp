#include "runtime/generation.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "runtime/engine.h"
#include "tokenizer/tokenizer.h"

namespace akunu {

uint64_t peak_rss_bytes() {
    struct rusage usage {};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return (uint64_t)usage.ru_maxrss * 1024;  // Linux reports KiB
}

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Turns tokens into text for the callback, applying stop strings; remembers why it stopped.
class TextSink {
public:
    TextSink(const Tokenizer& tok, const GenerateParams& p, const TextCallback& cb)
        : detok_(tok), stops_(p.stop), cb_(cb) {}

    // Returns false when generation must stop (stop string or callback).
    bool push(int32_t token) {
        bool hit = false;
        const std::string safe = stops_.push(detok_.push(token), &hit);
        if (!emit(safe)) return false;
        if (hit) {
            reason_ = StopReason::StopString;
            return false;
        }
        return true;
    }
    void finish() {
        if (reason_ == StopReason::StopString || reason_ == StopReason::Callback) return;
        bool hit = false;
        std::string rest = stops_.push(detok_.flush(), &hit);
        if (!hit) rest += stops_.flush();
        emit(rest);
    }
    bool stopped_by_text() const { return reason_set_; }
    StopReason reason() const { return reason_; }

private:
    bool emit(const std::string& text) {
        if (text.empty() || !cb_) return true;
        if (!cb_(text)) {
            reason_ = StopReason::Callback;
            reason_set_ = true;
            return false;
        }
        return true;
    }

    StreamingDetokenizer detok_;
    StopMatcher stops_;
    const TextCallback& cb_;
    StopReason reason_ = StopReason::MaxTokens;
    bool reason_set_ = false;
};

}  // namespace

GenerationStats generate(Engine& engine, std::string_view prompt, const GenerateParams& params,
                         const TextCallback& on_text) {
    if (params.max_tokens < 0) fail(ErrorKind::InvalidArgument, "generate", "max_tokens must be >= 0");
    const Tokenizer& tok = engine.tokenizer();
    const Vocab& vocab = tok.vocab();
    Sampler sampler(params.sampling, (int32_t)engine.config().vocab_size);
    const bool greedy = params.sampling.temperature <= 0 && params.sampling.repeat_penalty == 1.0f;

    if (params.reset) engine.reset();
    std::vector<int32_t> ids = tok.encode(prompt, params.add_bos && vocab.add_bos, params.parse_special);
    if (ids.empty()) fail(ErrorKind::InvalidArgument, "generate", "the prompt is empty and the vocabulary adds no BOS");

    GenerationStats st;
    st.prompt_tokens = (int32_t)ids.size();
    if ((int64_t)engine.position() + (int64_t)ids.size() > (int64_t)engine.max_context()) {
        fail(ErrorKind::ContextFull, "generate",
             "prompt of " + std::to_string(ids.size()) + " tokens at position " + std::to_string(engine.position()) +
                 " does not fit max_context " + std::to_string(engine.max_context()));
    }

    std::vector<int32_t> history(ids.begin(), ids.end());
    const auto t_start = Clock::now();
    int32_t next = engine.prefill(ids.data(), (int32_t)ids.size());
    if (!greedy) {
        next = sampler.sample(engine.logits().data(), history.data(), (int32_t)history.size());
    }
    st.prefill_ms = ms_since(t_start);

    TextSink sink(tok, params, on_text);
    int32_t decode_steps = 0;
    const auto t_decode = Clock::now();
    bool first_step_timed = false;
    auto note_first_step = [&] {
        if (!first_step_timed && decode_steps > 0) {
            st.ttft_ms = st.prefill_ms + ms_since(t_decode) / decode_steps;
            first_step_timed = true;
        }
    };

    // Greedy: chain-decode ahead in chunks and consume the tokens one by one; if a stop lands
    // mid-chunk, the cache is truncated back to the last consumed token.
    std::vector<int32_t> ahead;
    size_t ahead_pos = 0;
    const int32_t chunk = std::max<int32_t>(1, (int32_t)engine.device().chain_chunk);
    st.stop_reason = StopReason::MaxTokens;
    for (;;) {
        if (vocab.is_end_of_generation(next)) {
            st.stop_reason = StopReason::EndOfGeneration;
            break;
        }
        st.tokens.push_back(next);
        st.generated_tokens++;
        history.push_back(next);
        if (!sink.push(next)) {
            st.stop_reason = sink.reason();
            break;
        }
        if (st.generated_tokens >= params.max_tokens) break;
        // Chain-decoded tokens not yet consumed are already in the cache; they do not count.
        const int64_t consumed = (int64_t)engine.position() - (int64_t)(ahead.size() - ahead_pos);
        if (consumed >= (int64_t)engine.max_context()) {
            st.stop_reason = StopReason::ContextFull;
            break;
        }
        if (greedy) {
            if (ahead_pos >= ahead.size()) {
                const int32_t room = (int32_t)engine.max_context() - engine.position();
                const int32_t want = std::min({chunk, params.max_tokens - st.generated_tokens, room});
                ahead.resize((size_t)want);
                engine.chain_decode(next, want, ahead.data());
                ahead_pos = 0;
                decode_steps += want;
                note_first_step();
            }
            next = ahead[ahead_pos++];
        } else {
            engine.decode_step(next);
            decode_steps++;
            note_first_step();
            next = sampler.sample(engine.logits().data(), history.data(), (int32_t)history.size());
        }
    }
    st.decode_ms = ms_since(t_decode);
    // Tokens chain-decoded past the stop were fed to the cache; drop them.
    const int32_t unused = (int32_t)(ahead.size() - ahead_pos);
    if (greedy && unused > 0) engine.truncate(engine.position() - unused);
    sink.finish();

    if (!first_step_timed) st.ttft_ms = st.prefill_ms;
    st.prefill_tok_s = st.prefill_ms > 0 ? st.prompt_tokens / (st.prefill_ms / 1000.0) : 0;
    st.decode_tok_s = st.decode_ms > 0 && decode_steps > 0 ? decode_steps / (st.decode_ms / 1000.0) : 0;
    st.peak_memory_bytes = peak_rss_bytes();
    return st;
}

}  // namespace akunu
