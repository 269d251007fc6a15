// What RenderContext puts into the template, as transformers' apply_chat_template does:
// messages, add_generation_prompt, tools and documents (None when not given), the special
// tokens, then the caller's variables; plus strftime_now on a fixed clock.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(RenderContext, ToolsAndDocumentsAreNoneWhenAbsent) {
    ChatTemplate t = ChatTemplate::parse("{{ tools is none }} {{ documents is none }} {{ add_generation_prompt }} {{ messages|length }}");
    RenderContext ctx;
    EXPECT_EQ(t.render(ctx), "True True False 0");
    ctx.tools = Json::array({{{"name", "f"}}});
    ctx.documents = Json::array();
    ctx.add_generation_prompt = true;
    ctx.messages = Json::array({{{"role", "user"}, {"content", "x"}}});
    EXPECT_EQ(t.render(ctx), "False False True 1");
}

TEST(RenderContext, VariablesOverrideSpecialTokens) {
    ChatTemplate t = ChatTemplate::parse("{{ bos_token }}|{{ eos_token }}|{{ unk_token }}|{{ enable_thinking }}");
    RenderContext ctx;
    ctx.bos_token = "<s>";
    ctx.eos_token = "</s>";
    ctx.special_tokens = {{"unk_token", "<unk>"}};
    ctx.variables = {{"eos_token", "<override>"}, {"enable_thinking", false}};
    EXPECT_EQ(t.render(ctx), "<s>|<override>|<unk>|False");
}

TEST(RenderContext, ReservedNamesCannotBeVariables) {
    RenderContext ctx;
    ctx.variables = {{"messages", Json::array()}};
    try {
        ChatTemplate::parse("x").render(ctx);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    }
}

TEST(RenderContext, StrftimeNowUsesTheGivenClock) {
    RenderContext ctx;
    ctx.now = 1700000000;  // 2023-11-14 22:13:20 UTC: November 2023 in every time zone
    const char* llama31_date =
        "{%- if not date_string is defined %}\n"
        "    {%- set date_string = strftime_now('%Y-%m') %}\n"
        "{%- endif %}\n"
        "Today Date: {{ date_string }}";
    EXPECT_EQ(ChatTemplate::parse(llama31_date).render(ctx), "Today Date: 2023-11");
    ctx.variables = {{"date_string", "26 Jul 2024"}};
    EXPECT_EQ(ChatTemplate::parse(llama31_date).render(ctx), "Today Date: 26 Jul 2024");
}

TEST(RenderContext, MessageKeysKeepTheirOrderInToJson) {
    RenderContext ctx;
    ctx.messages = Json::array({{{"role", "assistant"}, {"content", ""}, {"tool_calls", {{{"zeta", 1}, {"alpha", 2}}}}}});
    EXPECT_EQ(ChatTemplate::parse("{{ messages[0].tool_calls[0]|tojson }}").render(ctx), "{\"zeta\": 1, \"alpha\": 2}");
}

TEST(RenderContext, ATemplateRendersManyTimesAndIsCopyable) {
    ChatTemplate t = ChatTemplate::parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
    ChatTemplate copy = t;
    RenderContext ctx;
    ctx.messages = Json::array({1, 2, 3});
    EXPECT_EQ(t.render(ctx), "3");
    EXPECT_EQ(copy.render(ctx), "3");
    EXPECT_EQ(copy.source(), t.source());
}

}  // namespace
}  // namespace akunu::chat::test
