// ChatSession on a tiny random model: rendering, KV-cache reuse across turns, /reset, the stop
// flag, greedy determinism, and where the template comes from.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "chat_cli/chat_test_model.h"
#include "core/error.h"
#include "profile/tool_runner.h"
#include "runtime/chat_session.h"
#include "runtime/chat_template_source.h"
#include "runtime/engine.h"

namespace akunu {
namespace {

using chat_test::kTemplate;
using chat_test::tiny_engine;

ChatOptions greedy_options(int32_t max_tokens = 8) {
    ChatOptions o;
    o.sampling.temperature = 0.0f;
    o.max_reply_tokens = max_tokens;
    return o;
}

ChatSession session_for(Engine& engine, ChatOptions options = greedy_options()) {
    return ChatSession(engine, chat::ChatTemplate::parse(load_chat_template_source(engine.file(), "")), options);
}

std::string collect(ChatSession& s, const std::string& text, ChatReplyStats* stats = nullptr,
                    const std::atomic<bool>* stop = nullptr) {
    std::string out;
    ChatReplyStats st = s.reply(text, [&](std::string_view piece) { out.append(piece); }, stop);
    if (stats) *stats = st;
    return out;
}

TEST(ChatSession, RendersOneAndTwoTurns) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine);
    EXPECT_EQ(s.render_prompt(), "<s><assistant>");
    const Tokenizer& tok = engine->tokenizer();
    auto prompt_of = [&](const ChatReplyStats& st) {
        const std::vector<int32_t>& c = s.cached_tokens();
        return std::vector<int32_t>(c.begin(), c.begin() + std::min<size_t>(c.size(), (size_t)st.prompt_tokens));
    };
    ChatReplyStats st1, st2;
    const std::string reply = collect(s, "Hi", &st1);
    EXPECT_EQ(prompt_of(st1), tok.encode("<s><user>Hi</s><assistant>", false, true));
    ASSERT_EQ(s.messages().size(), 2u);
    EXPECT_EQ(s.messages()[1]["content"].get<std::string>(), reply);
    // The reply goes back into the rendering exactly as it was streamed.
    st2 = s.reply("Again", nullptr);
    EXPECT_EQ(prompt_of(st2), tok.encode("<s><user>Hi</s><assistant>" + reply + "</s><user>Again</s><assistant>", false, true));
    const std::string reply2 = s.messages()[3]["content"].get<std::string>();
    EXPECT_EQ(s.render_prompt(), "<s><user>Hi</s><assistant>" + reply + "</s><user>Again</s><assistant>" + reply2 +
                                     "</s><assistant>");
}

TEST(ChatSession, FirstTurnPromptIsTheTemplateWithControlTokens) {
    auto engine = tiny_engine();
    ChatOptions o = greedy_options();
    o.system = "Be brief.";
    ChatSession s = session_for(*engine, o);
    EXPECT_EQ(s.render_prompt(), "<s><system>Be brief.</s><assistant>");
    const std::vector<int32_t> ids = s.prompt_tokens();
    const Vocab& v = engine->tokenizer().vocab();
    // The template's <s> and </s> became the control tokens, and no second BOS was added.
    ASSERT_GE(ids.size(), 3u);
    EXPECT_EQ(ids[0], v.bos_id);
    EXPECT_NE(ids[1], v.bos_id);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), v.eos_id), 1);
}

TEST(ChatSession, SecondTurnPrefillsOnlyTheNewTokens) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine);
    ChatReplyStats first;
    collect(s, "Hi", &first);
    EXPECT_EQ(first.reused_tokens, 0);
    EXPECT_EQ(first.prefilled_tokens, first.prompt_tokens);
    EXPECT_EQ((size_t)engine->position(), s.cached_tokens().size());

    const std::vector<int32_t> cached_before = s.cached_tokens();
    const int32_t position_before = engine->position();
    EXPECT_GE(position_before, first.prompt_tokens);
    ChatReplyStats second;
    collect(s, "Again", &second);
    const std::vector<int32_t>& cached_after = s.cached_tokens();
    ASSERT_GE(cached_after.size(), (size_t)second.prompt_tokens);
    const std::vector<int32_t> prompt2(cached_after.begin(), cached_after.begin() + second.prompt_tokens);

    // Everything up to where the new rendering departs from the cache is reused, at least the
    // first turn's whole prompt; only the rest is prefilled.
    EXPECT_EQ((size_t)second.reused_tokens, common_prefix_length(cached_before, prompt2));
    EXPECT_GE(second.reused_tokens, first.prompt_tokens);
    EXPECT_EQ(second.prefilled_tokens, second.prompt_tokens - second.reused_tokens);
    EXPECT_LT(second.prefilled_tokens, second.prompt_tokens);
    EXPECT_EQ((size_t)engine->position(), cached_after.size());
}

TEST(ChatSession, LastReplyTokenIsNotInTheCache) {
    // The next rendering decides what follows the reply, so the reply's last token waits for it.
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine, greedy_options(1));
    ChatReplyStats st;
    collect(s, "Hi", &st);
    EXPECT_EQ(st.generated_tokens == 0 ? ChatStopReason::EndOfTurn : ChatStopReason::MaxTokens, st.stop_reason);
    // One generated token, not fed to the cache: the cache is exactly the first prompt.
    EXPECT_EQ(engine->position(), st.prompt_tokens);
}

TEST(ChatSession, ResetForgetsHistoryAndCache) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine);
    collect(s, "Hi");
    ASSERT_GT(engine->position(), 0);
    s.reset();
    EXPECT_TRUE(s.messages().empty());
    EXPECT_TRUE(s.cached_tokens().empty());
    EXPECT_EQ(engine->position(), 0);
    EXPECT_EQ(s.render_prompt(), "<s><assistant>");
    ChatReplyStats st;
    collect(s, "Hi", &st);
    EXPECT_EQ(st.reused_tokens, 0);

    ChatOptions o = greedy_options();
    o.system = "sys";
    ChatSession with_system = session_for(*engine, o);
    collect(with_system, "Hi");
    with_system.reset();
    ASSERT_EQ(with_system.messages().size(), 1u);  // the system message is configuration, not history
    EXPECT_EQ(with_system.messages()[0]["role"].get<std::string>(), "system");
    EXPECT_EQ(engine->position(), 0);
}

TEST(ChatSession, StopFlagEndsTheReplyAfterTheCurrentToken) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine, greedy_options(16));
    ChatReplyStats free_run;
    collect(s, "Hi", &free_run);
    ASSERT_GE(free_run.generated_tokens, 2) << "the random model must say something for this test";
    s.reset();

    std::atomic<bool> stop{true};
    ChatReplyStats st;
    collect(s, "Hi", &st, &stop);
    EXPECT_EQ(st.stop_reason, ChatStopReason::Interrupted);
    EXPECT_EQ(st.generated_tokens, 1);
    // The partial reply stays in the conversation.
    ASSERT_EQ(s.messages().size(), 2u);
    EXPECT_EQ(s.messages()[1]["role"].get<std::string>(), "assistant");

    // Set from the callback, as the SIGINT handler does mid-stream.
    s.reset();
    std::atomic<bool> stop_later{false};
    int pieces = 0;
    const ChatReplyStats st2 = s.reply("Hi", [&](std::string_view) {
        if (++pieces == 1) stop_later.store(true);
    }, &stop_later);
    EXPECT_EQ(st2.stop_reason, ChatStopReason::Interrupted);
    EXPECT_LT(st2.generated_tokens, free_run.generated_tokens);
}

TEST(ChatSession, GreedyRepliesAreDeterministic) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine, greedy_options(12));
    const std::string a1 = collect(s, "Hi");
    const std::string a2 = collect(s, "Again");
    const std::vector<int32_t> cache1 = s.cached_tokens();
    s.reset();
    EXPECT_EQ(collect(s, "Hi"), a1);
    EXPECT_EQ(collect(s, "Again"), a2);
    EXPECT_EQ(s.cached_tokens(), cache1);
}

TEST(ChatSession, SeededSamplingReplaysAfterReset) {
    auto engine = tiny_engine();
    ChatOptions o = greedy_options(12);
    o.sampling.temperature = 0.9f;
    o.sampling.seed = 42;
    ChatSession s = session_for(*engine, o);
    const std::string a1 = collect(s, "Hi");
    s.reset();
    EXPECT_EQ(collect(s, "Hi"), a1);
}

TEST(ChatSession, EndTokensIncludeTheVocabularyEos) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine);
    const std::vector<int32_t>& ends = s.end_tokens();
    EXPECT_NE(std::find(ends.begin(), ends.end(), engine->tokenizer().vocab().eos_id), ends.end());
    EXPECT_EQ(std::find(ends.begin(), ends.end(), engine->tokenizer().vocab().bos_id), ends.end());
}

TEST(ChatSession, TemplateEndOfTurnTokenEndsReplies) {
    // A ChatML-like template whose end-of-turn token the vocabulary marks neither EOS nor EOT
    // (its text is not one detect_eot_by_text knows).
    const std::string chatml =
        "{% for m in messages %}<|turn|>{{ m['role'] }}\n{{ m['content'] }}<|turn_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|turn|>assistant\n{% endif %}";
    auto engine = chat_test::engine_for(chat_test::tiny_model_file(chatml, {"<|turn|>", "<|turn_end|>"}));
    const Vocab& v = engine->tokenizer().vocab();
    const int32_t turn = v.token_to_id.at("<|turn|>");
    const int32_t turn_end = v.token_to_id.at("<|turn_end|>");
    ASSERT_NE(v.eot_id, turn_end);
    ChatSession s = session_for(*engine);
    const std::vector<int32_t>& ends = s.end_tokens();
    EXPECT_NE(std::find(ends.begin(), ends.end(), turn_end), ends.end());
    EXPECT_NE(std::find(ends.begin(), ends.end(), v.eos_id), ends.end());
    EXPECT_EQ(std::find(ends.begin(), ends.end(), turn), ends.end());

    // The rendered prompt's special texts became those control tokens; the vocabulary asks for
    // BOS and this template writes none, so it is prepended.
    s.reply("Hi", nullptr);
    const std::vector<int32_t> ids = s.prompt_tokens();
    ASSERT_TRUE(v.add_bos);
    ASSERT_GE(ids.size(), 2u);
    EXPECT_EQ(ids[0], v.bos_id);
    EXPECT_EQ(ids[1], turn);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), turn), 3);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), turn_end), 2);
}

TEST(ChatSession, ConversationPastTheContextIsRefusedAndDropped) {
    auto engine = tiny_engine();
    ChatSession s = session_for(*engine);
    collect(s, "Hi");
    const std::vector<int32_t> cached = s.cached_tokens();
    const std::string huge(2000, 'x');
    try {
        s.reply(huge, nullptr);
        FAIL() << "a prompt past the context was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::ContextFull);
        EXPECT_NE(std::string(e.what()).find("/reset"), std::string::npos) << e.what();
    }
    // The conversation and the cache are as they were before the refused message.
    EXPECT_EQ(s.messages().size(), 2u);
    EXPECT_EQ(s.cached_tokens(), cached);
    EXPECT_EQ((size_t)engine->position(), cached.size());
    ChatReplyStats st;
    collect(s, "Again", &st);
    EXPECT_GT(st.reused_tokens, 0);
    EXPECT_EQ(s.messages().size(), 4u);
}

TEST(ChatTemplateSource, ModelWithoutTemplateNeedsTemplateFile) {
    auto engine = tiny_engine(/*with_template=*/false);
    try {
        load_chat_template_source(engine->file(), "");
        FAIL() << "no error for a model without a chat template";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_NE(msg.find("no chat template"), std::string::npos) << msg;
        EXPECT_NE(msg.find("--template"), std::string::npos) << msg;
    }
    tool_test::TempDir dir;
    ASSERT_TRUE(dir.ok());
    tool_test::write_file(dir.file("t.jinja"), kTemplate);
    EXPECT_EQ(load_chat_template_source(engine->file(), dir.file("t.jinja")), kTemplate);
    ChatSession s(*engine, chat::ChatTemplate::parse(load_chat_template_source(engine->file(), dir.file("t.jinja"))),
                  greedy_options());
    EXPECT_EQ(s.render_prompt(), "<s><assistant>");
    EXPECT_THROW(load_chat_template_source(engine->file(), dir.file("missing.jinja")), Error);
}

}  // namespace
}  // namespace akunu
