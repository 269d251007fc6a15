// A multi-turn conversation with one Engine: holds the messages, renders them with the model's
// chat template, and keeps the engine's KV cache in step with the rendering so each turn
// prefills only the tokens after the longest common prefix with what the cache already holds.
//
//   ChatSession chat(engine, ChatTemplate::parse(load_chat_template_source(engine.file(), "")), {});
//   ChatReplyStats s = chat.reply("Hello", [](std::string_view piece) { print(piece); }, &stop_flag);
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "runtime/sampler.h"

namespace akunu {

class Engine;

struct ChatOptions {
    SamplingParams sampling;
    int32_t max_reply_tokens = 512;
    std::optional<std::string> system;  // the system message every conversation starts with
};

enum class ChatStopReason { EndOfTurn, MaxTokens, Interrupted, ContextFull };

struct ChatReplyStats {
    int32_t prompt_tokens = 0;     // the whole rendered conversation
    int32_t reused_tokens = 0;     // of those, already in the cache
    int32_t prefilled_tokens = 0;  // of those, prefilled for this reply
    int32_t generated_tokens = 0;  // the end-of-turn token not counted
    double prefill_ms = 0;
    double decode_ms = 0;
    double ttft_ms = 0;  // prefill + one decode step (the definition `akunu run` reports)
    double prefill_tok_s = 0;
    double decode_tok_s = 0;
    ChatStopReason stop_reason = ChatStopReason::MaxTokens;
};

// Receives the reply as it decodes, in whole UTF-8 characters.
using ChatPieceCallback = std::function<void(std::string_view piece)>;

class ChatSession {
public:
    // The engine must outlive the session; the session owns its position (it resets it now).
    ChatSession(Engine& engine, chat::ChatTemplate tmpl, ChatOptions options);

    // Adds the user message, prefills what the cache lacks, and decodes until an end-of-turn
    // token, max_reply_tokens, a full context, or `stop` turning true (checked after each token,
    // so the reply ends after the token being shown). The reply so far is kept as the assistant
    // message either way. On an error the user message is dropped and the error propagates: a
    // template that raises or a prompt past the context (ContextFull) leaves the cache as it was;
    // a failure mid-prefill or mid-decode clears it.
    ChatReplyStats reply(const std::string& user_text, const ChatPieceCallback& on_piece,
                         const std::atomic<bool>* stop = nullptr);

    // Forgets the conversation (the system message stays) and clears the cache; the sampler
    // starts again from its seed, so a greedy or seeded conversation replays identically.
    void reset();

    // The conversation rendered with the generation prompt, as the next reply would see it.
    std::string render_prompt() const;
    // render_prompt() tokenized as reply() tokenizes it (control tokens parsed).
    std::vector<int32_t> prompt_tokens() const;

    const nlohmann::ordered_json& messages() const { return messages_; }
    // The tokens whose keys and values the engine holds, in order (engine.position() of them).
    const std::vector<int32_t>& cached_tokens() const { return cached_; }
    const std::vector<int32_t>& end_tokens() const { return end_tokens_; }
    const ChatOptions& options() const { return options_; }
    Engine& engine() { return engine_; }

private:
    chat::RenderContext context_for(const nlohmann::ordered_json& messages) const;
    std::vector<int32_t> tokenize(const std::string& rendered) const;
    bool is_end_token(int32_t id) const;
    bool greedy() const;
    // Throws ContextFull when the prompt leaves no room for a reply (the cache is left as it is).
    void check_fits(const std::vector<int32_t>& tokens) const;
    // Truncates the cache to the common prefix with `tokens`, prefills the rest, and returns the
    // first reply token.
    int32_t sync_cache(const std::vector<int32_t>& tokens, ChatReplyStats& stats);
    // Streams from `first` on; appends the reply's text to `text`.
    void decode_reply(int32_t first, const ChatPieceCallback& on_piece, const std::atomic<bool>* stop,
                      std::string& text, ChatReplyStats& stats);

    Engine& engine_;
    chat::ChatTemplate template_;
    ChatOptions options_;
    chat::RenderContext base_context_;  // special tokens only
    std::vector<int32_t> end_tokens_;
    nlohmann::ordered_json messages_;
    std::vector<int32_t> cached_;
    Sampler sampler_;
};

// Index of the first element where a and b differ (the length of their common prefix).
size_t common_prefix_length(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

}  // namespace akunu
