#include "runtime/chat_session.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/error.h"
#include "runtime/chat_end_tokens.h"
#include "runtime/engine.h"
#include "tokenizer/tokenizer.h"

namespace akunu {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::optional<std::string> token_text(const Vocab& vocab, int32_t id) {
    if (id < 0 || id >= vocab.size()) return std::nullopt;
    return vocab.tokens[(size_t)id];
}

nlohmann::ordered_json message(const char* role, const std::string& content) {
    return {{"role", role}, {"content", content}};
}

const ChatOptions& checked(const ChatOptions& options) {
    if (options.max_reply_tokens < 1) fail(ErrorKind::InvalidArgument, "chat", "max_reply_tokens must be >= 1");
    return options;
}

}  // namespace

size_t common_prefix_length(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

ChatSession::ChatSession(Engine& engine, chat::ChatTemplate tmpl, ChatOptions options)
    : engine_(engine),
      template_(std::move(tmpl)),
      options_(checked(options)),
      sampler_(options_.sampling, (int32_t)engine.config().vocab_size) {
    const Vocab& vocab = engine_.tokenizer().vocab();
    // transformers hands the template the tokenizer's bos/eos texts; GGUF keeps them as ids.
    base_context_.bos_token = token_text(vocab, vocab.bos_id);
    base_context_.eos_token = token_text(vocab, vocab.eos_id);
    end_tokens_ = chat_end_tokens(engine_.tokenizer(), template_, base_context_);
    reset();
}

void ChatSession::reset() {
    messages_ = nlohmann::ordered_json::array();
    if (options_.system) messages_.push_back(message("system", *options_.system));
    engine_.reset();
    cached_.clear();
    sampler_.reseed(options_.sampling.seed);
}

chat::RenderContext ChatSession::context_for(const nlohmann::ordered_json& messages) const {
    chat::RenderContext ctx = base_context_;
    ctx.messages = messages;
    ctx.add_generation_prompt = true;
    return ctx;
}

std::string ChatSession::render_prompt() const { return template_.render(context_for(messages_)); }

std::vector<int32_t> ChatSession::tokenize(const std::string& rendered) const {
    const Tokenizer& tok = engine_.tokenizer();
    const Vocab& vocab = tok.vocab();
    // Most templates write the BOS text themselves; adding another would double it.
    const std::optional<std::string>& bos = base_context_.bos_token;
    const bool template_wrote_bos = bos && !bos->empty() && rendered.rfind(*bos, 0) == 0;
    return tok.encode(rendered, vocab.add_bos && !template_wrote_bos, true);
}

std::vector<int32_t> ChatSession::prompt_tokens() const { return tokenize(render_prompt()); }

bool ChatSession::is_end_token(int32_t id) const {
    return std::binary_search(end_tokens_.begin(), end_tokens_.end(), id);
}

bool ChatSession::greedy() const {
    return options_.sampling.temperature <= 0 && options_.sampling.repeat_penalty == 1.0f;
}

void ChatSession::check_fits(const std::vector<int32_t>& tokens) const {
    if (tokens.empty()) fail(ErrorKind::InvalidArgument, "chat", "the chat template rendered an empty prompt");
    if (tokens.size() >= (size_t)engine_.max_context()) {
        fail(ErrorKind::ContextFull, "chat",
             "the conversation is " + std::to_string(tokens.size()) + " tokens and the context holds " +
                 std::to_string(engine_.max_context()) + " (leaving no room for a reply); /reset starts a new one");
    }
}

int32_t ChatSession::sync_cache(const std::vector<int32_t>& tokens, ChatReplyStats& stats) {
    size_t keep = common_prefix_length(cached_, tokens);
    // The reply needs the logits of the prompt's last token, so that one is always computed.
    if (keep == tokens.size()) --keep;
    engine_.truncate((int32_t)keep);
    cached_.resize(keep);

    const int32_t n = (int32_t)(tokens.size() - keep);
    const auto t0 = Clock::now();
    int32_t next = engine_.prefill(tokens.data() + keep, n);
    cached_.insert(cached_.end(), tokens.begin() + (std::ptrdiff_t)keep, tokens.end());
    if (!greedy()) next = sampler_.sample(engine_.logits().data(), cached_.data(), (int32_t)cached_.size());
    stats.prefill_ms = ms_since(t0);
    stats.reused_tokens = (int32_t)keep;
    stats.prefilled_tokens = n;
    stats.prefill_tok_s = stats.prefill_ms > 0 ? n / (stats.prefill_ms / 1000.0) : 0;
    return next;
}

void ChatSession::decode_reply(int32_t first, const ChatPieceCallback& on_piece, const std::atomic<bool>* stop,
                               std::string& text, ChatReplyStats& stats) {
    StreamingDetokenizer detok(engine_.tokenizer());
    auto emit = [&](const std::string& piece) {
        if (piece.empty()) return;
        text += piece;
        if (on_piece) on_piece(piece);
    };
    int32_t next = first;
    int32_t steps = 0;
    const auto t_decode = Clock::now();
    stats.ttft_ms = stats.prefill_ms;
    for (;;) {
        // The end-of-turn token is not fed to the cache: the next rendering writes the template's
        // own end of turn there, which the next reply prefills.
        if (is_end_token(next)) {
            stats.stop_reason = ChatStopReason::EndOfTurn;
            break;
        }
        stats.generated_tokens++;
        emit(detok.push(next));
        if (stop && stop->load(std::memory_order_relaxed)) {
            stats.stop_reason = ChatStopReason::Interrupted;
            break;
        }
        if (stats.generated_tokens >= options_.max_reply_tokens) {
            stats.stop_reason = ChatStopReason::MaxTokens;
            break;
        }
        if (engine_.position() >= (int32_t)engine_.max_context()) {
            stats.stop_reason = ChatStopReason::ContextFull;
            break;
        }
        const auto t_step = Clock::now();
        const int32_t argmax_next = engine_.decode_step(next);
        cached_.push_back(next);
        if (steps++ == 0) stats.ttft_ms = stats.prefill_ms + ms_since(t_step);
        next = greedy() ? argmax_next
                        : sampler_.sample(engine_.logits().data(), cached_.data(), (int32_t)cached_.size());
    }
    stats.decode_ms = ms_since(t_decode);
    stats.decode_tok_s = stats.decode_ms > 0 && steps > 0 ? steps / (stats.decode_ms / 1000.0) : 0;
    emit(detok.flush());
}

ChatReplyStats ChatSession::reply(const std::string& user_text, const ChatPieceCallback& on_piece,
                                  const std::atomic<bool>* stop) {
    messages_.push_back(message("user", user_text));
    ChatReplyStats stats;
    std::string text;
    bool cache_touched = false;
    try {
        const std::vector<int32_t> tokens = prompt_tokens();
        stats.prompt_tokens = (int32_t)tokens.size();
        check_fits(tokens);
        cache_touched = true;
        const int32_t first = sync_cache(tokens, stats);
        decode_reply(first, on_piece, stop, text, stats);
    } catch (...) {
        messages_.erase(messages_.size() - 1);
        // A failure mid-prefill or mid-decode leaves the cache's contents unknown.
        if (cache_touched) {
            engine_.reset();
            cached_.clear();
        }
        throw;
    }
    messages_.push_back(message("assistant", text));
    return stats;
}

}  // namespace akunu
