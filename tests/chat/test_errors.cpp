// Errors name what went wrong and where (line, column); unsupported jinja2 constructs are named
// as such; raise_exception's message comes through unchanged; and no input, however broken or
// hostile, crashes the interpreter or keeps it running.
#include <random>

#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(SyntaxErrors, UnknownFilterAndTestAreNamedAtParseTime) {
    TemplateError e = render_error("{{ 'x' }}\n{{ x | nosuchfilter }}");
    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Syntax);
    EXPECT_EQ(e.detail(), "no filter named 'nosuchfilter'");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 8);
    // Even in a branch that never runs: jinja2 rejects it when compiling.
    EXPECT_EQ(render_error("{% if false %}{{ x | nosuchfilter }}{% endif %}").detail(), "no filter named 'nosuchfilter'");
    EXPECT_EQ(render_error("{% if x is nosuchtest %}{% endif %}").detail(), "no test named 'nosuchtest'");
}

TEST(SyntaxErrors, UnterminatedTagsAndBlocks) {
    TemplateError e = render_error("{{ x ");
    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Syntax);
    EXPECT_NE(e.detail().find("expected '}}'"), std::string::npos) << e.detail();
    e = render_error("a\n{% if x %}\nb");
    EXPECT_NE(e.detail().find("'if' block opened at line 2 needs {% elif %} or {% else %} or {% endif %}"), std::string::npos)
        << e.detail();
    EXPECT_NE(render_error("{% for x in y %}").detail().find("{% endfor %}"), std::string::npos);
    EXPECT_NE(render_error("{# unterminated").detail().find("missing end of comment"), std::string::npos);
    EXPECT_NE(render_error("{{ 'unterminated }}").detail().find("unterminated string"), std::string::npos);
    EXPECT_NE(render_error("{% raw %}never closed").detail().find("endraw"), std::string::npos);
}

TEST(SyntaxErrors, BadExpressions) {
    TemplateError e = render_error("{{ 1 + }}");
    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Syntax);
    EXPECT_EQ(e.detail(), "unexpected end of print statement '}}'");
    EXPECT_EQ(e.column(), 8);
    EXPECT_EQ(render_error("{{ (1 }}").detail(), "unexpected '}'");
    EXPECT_EQ(render_error("{{ 1 ]}}").detail(), "unexpected ']'");
    EXPECT_EQ(render_error("{{ @ }}").detail(), "unexpected character '@'");
    EXPECT_EQ(render_error("{% macro m(a=1, b) %}{% endmacro %}").detail(), "non-default argument follows default argument");
    EXPECT_EQ(render_error("{{ f(a=1, 2) }}").detail(), "positional argument follows keyword argument");
    EXPECT_EQ(render_error("{% break %}").detail(), "'break' outside of a for loop");
    EXPECT_EQ(render_error("{% endif %}").detail(), "unknown or misplaced tag 'endif'");
    EXPECT_EQ(render_error("{% frobnicate %}").detail(), "unknown or misplaced tag 'frobnicate'");
}

TEST(UnsupportedConstructs, AreNamedWithTheirLocation) {
    TemplateError e = render_error("ok\n  {% include 'x' %}");
    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Unsupported);
    EXPECT_EQ(e.detail(), "the {% include %} tag is not supported");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(render_error("{{ x | truncate(3) }}").detail(), "the filter 'truncate' is not supported");
    EXPECT_EQ(render_error("{% for x in xs recursive %}{% endfor %}").detail(), "recursive for loops are not supported");
    EXPECT_EQ(render_error("{{ a[1, 2] }}").template_kind(), TemplateErrorKind::Unsupported);
    EXPECT_EQ(render_error("{% extends 'base' %}").template_kind(), TemplateErrorKind::Unsupported);
    EXPECT_EQ(render_error("{{ f(*args) }}").template_kind(), TemplateErrorKind::Unsupported);
}

TEST(RuntimeErrors, CarryTheLocationOfTheFailingExpression) {
    TemplateError e = render_error("line1\nline2 {{ x.y.z }}");
    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Runtime);
    EXPECT_EQ(e.detail(), "'x' is undefined");
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
    EXPECT_EQ(render_error("{{ range(200000)|length }}").detail(),
              "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    EXPECT_EQ(render_error("{% for x in none %}{% endfor %}").detail(), "'NoneType' object is not iterable");
}

TEST(RaiseException, SurfacesTheTemplatesMessage) {
    TemplateError e = render_error("{% if messages|length == 0 %}\n  {{ raise_exception('No messages: ' ~ 0) }}\n{% endif %}");
    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Raised);
    EXPECT_EQ(e.detail(), "No messages: 0");
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("No messages: 0"), std::string::npos);
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
}

TEST(Limits, RunawayTemplatesStop) {
    RenderContext ctx;
    ctx.limits.max_steps = 10000;
    try {
        ChatTemplate::parse("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}").render(ctx);
        ADD_FAILURE() << "expected the step limit";
    } catch (const TemplateError& err) {
        EXPECT_EQ(err.template_kind(), TemplateErrorKind::Limit);
    }
    EXPECT_EQ(render_error("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").template_kind(), TemplateErrorKind::Limit);
    EXPECT_EQ(render_error("{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}")
                  .template_kind(),
              TemplateErrorKind::Limit);
    EXPECT_EQ(render_error("{{ 'x' * 100000000000 }}").template_kind(), TemplateErrorKind::Limit);
}

TEST(Limits, DeepNestingIsRefusedNotAStackOverflow) {
    std::string deep(5000, '(');
    EXPECT_EQ(render_error("{{ " + deep + "1 }}").template_kind(), TemplateErrorKind::Syntax);
    std::string ifs;
    for (int i = 0; i < 1000; ++i) ifs += "{% if true %}";
    EXPECT_EQ(render_error(ifs).template_kind(), TemplateErrorKind::Syntax);
    std::string nots;
    for (int i = 0; i < 5000; ++i) nots += "not ";
    EXPECT_EQ(render_error("{{ " + nots + "x }}").template_kind(), TemplateErrorKind::Syntax);
}

TEST(Limits, SelfReferencingNamespacesDoNotHangOrLeak) {
    EXPECT_EQ(render_error("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}").template_kind(), TemplateErrorKind::Limit);
    EXPECT_EQ(render("{% set ns = namespace() %}{% set ns.me = [ns] %}{% macro m() %}{% endmacro %}{% set ns.m = m %}ok"), "ok");
}

// Every prefix of a real template, and random byte damage to it, parses and renders to a result
// or a TemplateError; nothing else escapes and nothing hangs.
void expect_contained(const std::string& source, const RenderContext& ctx) {
    try {
        ChatTemplate::parse(source).render(ctx);
    } catch (const TemplateError&) {
    } catch (const std::exception& e) {
        ADD_FAILURE() << "non-template error " << e.what() << " for: " << source;
    }
}

TEST(Robustness, TruncatedAndDamagedRealTemplates) {
    Json config = Json::parse(read_file(shared_path("testdata/tokenizers/qwen3/tokenizer_config.json")));
    std::string qwen = config["chat_template"];
    std::string gemma = Json::parse(read_file(fixture_path("gemma3_tokenizer_config.json")))["chat_template"];
    RenderContext ctx;
    ctx.messages = Json::array({{{"role", "system"}, {"content", "s"}},
                                {{"role", "user"}, {"content", "u"}},
                                {{"role", "assistant"}, {"content", "<think>r</think>a"}}});
    ctx.add_generation_prompt = true;
    ctx.limits.max_steps = 100000;
    for (const std::string* t : {&qwen, &gemma}) {
        for (size_t n = 0; n <= t->size(); n += 3) expect_contained(t->substr(0, n), ctx);
        std::mt19937 rng(1234);
        const char alphabet[] = "{}%#-+()[]'\"|.:,=~ \nabcifendforsetx0\\";
        for (int round = 0; round < 300; ++round) {
            std::string damaged = *t;
            for (int k = 0; k < 4; ++k) {
                size_t at = rng() % damaged.size();
                switch (rng() % 3) {
                    case 0: damaged[at] = alphabet[rng() % (sizeof alphabet - 1)]; break;
                    case 1: damaged.erase(at, 1 + rng() % 8); break;
                    default: damaged.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]); break;
                }
            }
            expect_contained(damaged, ctx);
        }
    }
}

TEST(Robustness, MalformedUtf8PassesThroughUnchanged) {
    std::string bad = "a\xff\xfe b\xc3";
    EXPECT_EQ(render("{{ s }}|{{ s|length }}|{{ s|upper }}", {{"s", "x"}}), "x|1|X");
    EXPECT_EQ(render(bad + "{{ 1 }}"), bad + "1");
}

}  // namespace
}  // namespace akunu::chat::test
