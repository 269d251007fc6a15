// if / for (loop variables, filters, else, unpacking, break/continue) / set (names, tuples,
// namespaces, blocks) / macro / call / filter blocks, and jinja2's scoping: a for loop's body
// starts from the outer values on every iteration and nothing it sets leaks out, except through
// a namespace. Expected strings are jinja2's.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(If, ElifElseAndPythonTruthiness) {
    const char* t = "{% if x %}a{% elif y %}b{% else %}c{% endif %}";
    EXPECT_EQ(render(t, {{"x", 1}}), "a");
    EXPECT_EQ(render(t, {{"y", 1}}), "b");
    EXPECT_EQ(render(t), "c");
    EXPECT_EQ(render("{% if 0 %}a{% endif %}|{% if [] %}b{% elif {} %}c{% endif %}|{% if 'x' and [0] %}d{% endif %}"), "||d");
}

TEST(For, LoopVariables) {
    EXPECT_EQ(render("{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/"
                     "{{ loop.first }}/{{ loop.last }}/{{ loop.length }} {% endfor %}",
                     {{"xs", {"a", "b", "c"}}}),
              "1/0/3/2/True/False/3 2/1/2/1/False/False/3 3/2/1/0/False/True/3 ");
    EXPECT_EQ(render("{% for x in xs %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }};{% endfor %}", {{"xs", {1, 2, 3}}}),
              "<1>2;1<2>3;2<3>;");
    EXPECT_EQ(render("{% for x in xs %}{{ loop.cycle('odd', 'even') }}{% if loop.changed(x) %}!{% endif %} {% endfor %}",
                     {{"xs", {1, 1, 2}}}),
              "odd! even odd! ");
}

TEST(For, FilterCountsOnlyKeptItems) {
    EXPECT_EQ(render("{% for x in xs if x is odd %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}", {{"xs", {1, 2, 3, 4, 5}}}),
              "1:1/3 2:3/3 3:5/3 ");
}

TEST(For, ElseRunsWhenNothingWasIterated) {
    EXPECT_EQ(render("{% for x in [] %}never{% else %}empty{% endfor %}|{% for x in [0] if x %}never{% else %}filtered away{% endfor %}"),
              "empty|filtered away");
}

TEST(For, DictsStringsAndUnpacking) {
    EXPECT_EQ(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k in d %}{{ k }}{% endfor %}|"
                     "{% for (a, b) in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}",
                     {{"d", {{"z", 1}, {"a", {2}}}}}),
              "z=1;a=[2];|za|37");
    EXPECT_EQ(render("{% for c in 'héé' %}[{{ c }}]{% endfor %}"), "[h][é][é]");
}

TEST(For, BreakAndContinue) {
    EXPECT_EQ(render("{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}",
                     {{"xs", {1, 2, 3, 4, 5}}}),
              "13");
    EXPECT_EQ(render("{% for i in range(2) %}{% for j in range(3) %}{% if j == 1 %}{% break %}{% endif %}{{ i }}{{ j }} {% endfor %}{% endfor %}"),
              "00 10 ");
}

TEST(For, InnerLoopShadowsOuterLoopVariable) {
    EXPECT_EQ(render("{% for i in range(2) %}{% for j in 'ab' %}{{ loop.index }}{{ j }}{% endfor %}{{ loop.index }};{% endfor %}"),
              "1a2b1;1a2b2;");
}

TEST(Scoping, EachIterationStartsFromTheOuterValue) {
    EXPECT_EQ(render("{% set x = 0 %}{% for i in range(3) %}{{ x }}{% set x = x + 1 %}{{ x }},{% endfor %}{{ x }}"), "01,01,01,0");
    EXPECT_EQ(render("{% for i in range(2) %}{% set inner = i %}{% endfor %}{{ inner is defined }}"), "False");
}

TEST(Scoping, IfBlocksDoNotOpenAScope) {
    EXPECT_EQ(render("{% set x = 'outer' %}{% if true %}{% set x = 'if-body' %}{% endif %}{{ x }}"), "if-body");
}

TEST(Scoping, NamespacesCarryStateOutOfLoops) {
    EXPECT_EQ(render("{% set ns = namespace(count=0, last=none) %}{% for x in xs %}{% set ns.count = ns.count + 1 %}"
                     "{% set ns.last = x %}{% endfor %}{{ ns.count }} {{ ns.last }}",
                     {{"xs", {"a", "b"}}}),
              "2 b");
    EXPECT_EQ(render("{% set ns = namespace() %}{% set ns.a = 1 %}{{ ns.a }} {{ ns.b }}| {{ ns }}"), "1 | <Namespace {'a': 1}>");
    EXPECT_EQ(render("{{ namespace({'a': 1}, b=2).b }}"), "2");
}

TEST(Scoping, MacrosSeeTheLatestTopLevelValues) {
    EXPECT_EQ(render("{% set x = 1 %}{% macro show() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ show() }}"), "2");
}

TEST(Set, TuplesAndBlocks) {
    EXPECT_EQ(render("{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set c, d = 'xy' %}{{ c }}{{ d }}"), "12 xy");
    EXPECT_EQ(render("{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting }}]", {{"name", "Ann"}}), "[Hello Ann!]");
    EXPECT_EQ(render("{% set shout | upper | trim %}  hello  {% endset %}[{{ shout }}]"), "[HELLO]");
}

TEST(Set, UnpackingTheWrongNumberOfValuesFails) {
    EXPECT_EQ(render_error("{% set a, b = [1] %}").detail(), "not enough values to unpack (expected 2, got 1)");
    EXPECT_EQ(render_error("{% set a, b = [1, 2, 3] %}").detail(), "too many values to unpack (expected 2)");
    EXPECT_EQ(render_error("{% set x = 1 %}{% set x.y = 2 %}").detail(), "cannot assign attribute on non-namespace object");
}

TEST(Macro, DefaultsKeywordsAndMissingArguments) {
    EXPECT_EQ(render("{% macro tag(name, value='x', sep=': ') %}<{{ name }}{{ sep }}{{ value }}>{% endmacro %}"
                     "{{ tag('a') }}{{ tag('b', 2) }}{{ tag('c', sep='=', value=3) }}"),
              "<a: x><b: 2><c=3>");
    EXPECT_EQ(render("{% macro m(a, b) %}{{ a }}|{{ b }}|{{ b is defined }}{% endmacro %}{{ m(1) }}"), "1||False");
    EXPECT_EQ(render("{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, k=3) }}"), "(1, 2){'k': 3}");
}

TEST(Macro, RecursionAndNesting) {
    EXPECT_EQ(render("{% macro rec(n) %}{% if n > 0 %}{{ n }}{{ rec(n - 1) }}{% endif %}{% endmacro %}{{ rec(3) }}"), "321");
    EXPECT_EQ(render("{% macro outer() %}{% macro inner() %}in{% endmacro %}{{ inner() }}{% endmacro %}{{ outer() }}"), "in");
}

TEST(Macro, CallBlocksPassTheirBodyAsCaller) {
    EXPECT_EQ(render("{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}inside{% endcall %}"), "[inside]");
    EXPECT_EQ(render("{% macro list(items) %}<ul>{% for i in items %}<li>{{ caller(i) }}</li>{% endfor %}</ul>{% endmacro %}"
                     "{% call(item) list([1, 2]) %}item {{ item }}{% endcall %}"),
              "<ul><li>item 1</li><li>item 2</li></ul>");
}

TEST(FilterBlock, AppliesTheChainToTheRenderedBody) {
    EXPECT_EQ(render("{% filter upper %}hello {{ 'world' }}{% endfilter %}"), "HELLO WORLD");
    EXPECT_EQ(render("{% filter trim | replace('a', 'o') %}  banana  {% endfilter %}"), "bonono");
}

TEST(Extensions, GenerationMarksRenderTheirBody) {  // transformers' assistant-mask tag
    EXPECT_EQ(render("{% generation %}assistant text{% endgeneration %}"), "assistant text");
}

TEST(Extensions, DoEvaluatesAndDiscards) {
    EXPECT_EQ(render("{% do xs.count(1) %}done", {{"xs", {1}}}), "done");
}

}  // namespace
}  // namespace akunu::chat::test
