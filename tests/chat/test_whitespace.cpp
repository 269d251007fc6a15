// jinja2's whitespace handling as transformers configures it: trim_blocks, lstrip_blocks, the
// "-" and "+" markers, comments, raw blocks, newline normalization and the dropped final newline.
// Expected strings are what jinja2 3.1 renders.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(Whitespace, TrimBlocksEatsTheNewlineAfterABlockTag) {
    EXPECT_EQ(render("{% if true %}\nx\n{% endif %}\ny"), "x\ny");
    EXPECT_EQ(render("{% if true %}x{% endif %}\n\ny"), "x\ny");  // one newline only
}

TEST(Whitespace, PrintTagsKeepTheirNewline) {
    EXPECT_EQ(render("{{ 'a' }}\nb"), "a\nb");
    EXPECT_EQ(render("{{ x }}\n{% if true %}y{% endif %}", {{"x", 1}}), "1\ny");
}

TEST(Whitespace, LstripBlocksRemovesIndentationOfBlockTagsOnTheirOwnLine) {
    EXPECT_EQ(render("  {% if true %}\n  x\n  {% endif %}\n"), "  x\n");
    EXPECT_EQ(render("a\n\t \t{% if true %}b{% endif %}"), "a\nb");
    EXPECT_EQ(render("{% for i in range(2) %}\n  {{ i }}\n{% endfor %}\n"), "  0\n  1\n");
}

TEST(Whitespace, LstripBlocksTakesAnyUnicodeWhitespace) {  // jinja2 matches the indentation with \s+
    EXPECT_EQ(render("a\n\u00a0\u3000{% if true %}b{% endif %}"), "a\nb");
    EXPECT_EQ(render("\u00a0{# c #}\n\n\n"), "\n");
}

TEST(Whitespace, LstripBlocksLeavesTextBeforeATagOnTheSameLine) {
    EXPECT_EQ(render("a  {% if true %}b{% endif %}"), "a  b");
    EXPECT_EQ(render("x{{ '' }}   {% if true %}y{% endif %}"), "x   y");
    EXPECT_EQ(render("a\n  {{ 'b' }}"), "a\n  b");  // never for print tags
}

TEST(Whitespace, PlusMarkerDisablesLstripAndTrim) {
    EXPECT_EQ(render("a\n  {%+ if true %}b{% endif %}"), "a\n  b");
    EXPECT_EQ(render("{% if true +%}\nb{% endif %}"), "\nb");
}

TEST(Whitespace, MinusMarkerStripsAllWhitespaceOnItsSide) {
    EXPECT_EQ(render("a   {%- if true %}b{% endif %}"), "ab");
    EXPECT_EQ(render("a \n\n {%- if true %}b{% endif %}"), "ab");
    EXPECT_EQ(render("{% if true -%}\n\n   b{% endif %}"), "b");
    EXPECT_EQ(render("a {{- 'b' -}} \n c"), "abc");
    EXPECT_EQ(render("{%- for i in range(2) -%}\n  {{ i }}\n{%- endfor -%}\n"), "01");
    EXPECT_EQ(render("<\n  {%- if true %}\n    a\n  {%- endif %}\n>"), "<    a>");
}

TEST(Whitespace, MinusMarkerStripsUnicodeWhitespaceLikePython) {
    EXPECT_EQ(render("a\u00a0\u3000 {%- if true %}b{% endif %}"), "ab");
}

TEST(Whitespace, CommentsFollowTheBlockRules) {
    EXPECT_EQ(render("a\n  {# note #}\nb"), "a\nb");
    EXPECT_EQ(render("a {#- note -#} b"), "ab");
    EXPECT_EQ(render("a\n  {#+ note #}\nb"), "a\n  b");
    EXPECT_EQ(render("{# multi\nline {{ not a tag }} #}x"), "x");
}

TEST(Whitespace, RawBlocksAreNotInterpreted) {
    EXPECT_EQ(render("{% raw %}{{ not_rendered }}{% endraw %}"), "{{ not_rendered }}");
    EXPECT_EQ(render("{% raw %}\n{{ x }}{% endraw %}\nz"), "\n{{ x }}z");
    EXPECT_EQ(render("a  {%- raw -%}  {{ x }}  {%- endraw -%}  z"), "a{{ x }}z");
}

TEST(Whitespace, NewlinesAreNormalizedAndTheLastOneDropped) {
    EXPECT_EQ(render("line\n"), "line");
    EXPECT_EQ(render("line\n\n"), "line\n");
    EXPECT_EQ(render("a\r\nb\rc"), "a\nb\nc");
}

TEST(Whitespace, IndentedTemplateLikeQwenRendersFlat) {
    const char* tmpl =
        "{%- for m in messages %}\n"
        "    {%- if m.role == 'user' %}\n"
        "        {{- '<u>' + m.content }}\n"
        "    {%- else %}\n"
        "        {{- '<a>' + m.content }}\n"
        "    {%- endif %}\n"
        "{%- endfor %}\n";
    Json messages = Json::array({{{"role", "user"}, {"content", "hi"}}, {{"role", "assistant"}, {"content", "yo"}}});
    EXPECT_EQ(render(tmpl, {{"messages", messages}}), "<u>hi<a>yo");
}

}  // namespace
}  // namespace akunu::chat::test
