// Literals, operators, precedence, attribute and item access, slices, and jinja2's Undefined:
// printing it gives "", testing it is fine, using it is an error. Expected strings are jinja2's.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(Literals, StringsWithEscapesAndAdjacentConcatenation) {
    EXPECT_EQ(render("{{ 'it''s' }}|{{ \"a\\\"b\" }}|{{ 'tab\\there' }}|{{ '\\u00e9\\x41\\101' }}|{{ 'keep\\d' }}"),
              "its|a\"b|tab\there|éAA|keep\\d");
}

TEST(Literals, NumbersPrintAsPython) {
    EXPECT_EQ(render("{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 3.0 }} {{ 2.5e3 }} {{ 1e16 }} {{ 1.5e-5 }}"),
              "42 -7 1000 31 15 5 3.0 2500.0 1e+16 1.5e-05");
}

TEST(Literals, ContainersPrintAsPythonRepr) {
    EXPECT_EQ(render("{{ [1, 'a', none, true, 2.5] }} {{ {'k': [1, {'n': none}]} }} {{ (1,) }} {{ () }} {{ 1, 2 }}"),
              "[1, 'a', None, True, 2.5] {'k': [1, {'n': None}]} (1,) () (1, 2)");
    EXPECT_EQ(render("{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'nl\\n'] }}"),
              "[\"it's\", 'say \"hi\"', 'both \\' \"', 'nl\\n']");
}

TEST(Literals, BothSpellingsOfConstants) {
    EXPECT_EQ(render("{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}"), "True True False False None None");
}

TEST(Operators, ArithmeticWithPythonSemantics) {
    EXPECT_EQ(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} "
                     "{{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }}"),
              "7 9 3.5 3 -4 1 2 1024 64 4");
    EXPECT_EQ(render("{{ 1 + 1.5 }} {{ true + 1 }} {{ 0.1 + 0.2 }} {{ 10 / 5 }} {{ 'ab' + 'cd' }} {{ [1] + [2] }} "
                     "{{ 'ab' * 2 }} {{ [0] * 3 }}"),
              "2.5 2 0.30000000000000004 2.0 abcd [1, 2] abab [0, 0, 0]");
}

TEST(Operators, TildeConcatenatesStringForms) {
    EXPECT_EQ(render("{{ 'n=' ~ 3 ~ ' ' ~ none ~ ' ' ~ true ~ '|' ~ missing ~ '|' }}"), "n=3 None True||");
}

TEST(Operators, ComparisonsChainLikePython) {
    EXPECT_EQ(render("{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'abc' < 'abd' }} {{ [1, 2] < [1, 3] }} "
                     "{{ 2 >= 2 }} {{ 1 <= 0 }}"),
              "True True True False True True True False");
}

TEST(Operators, Membership) {
    EXPECT_EQ(render("{{ 'ell' in 'hello' }} {{ 'z' not in 'hello' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} "
                     "{{ 'v' in {'k': 'v'} }} {{ not 1 in [2] }}"),
              "True True True True False True");
}

TEST(Operators, AndOrReturnOperandsNotReturnsBool) {
    EXPECT_EQ(render("{{ 0 or 'fallback' }} {{ 'first' or 'second' }} {{ 1 and 'both' }} {{ '' and 'never' }}| {{ not '' }} {{ not 'x' }}"),
              "fallback first both | True False");
}

TEST(Operators, ConditionalExpression) {
    EXPECT_EQ(render("{{ 'yes' if 1 > 0 else 'no' }} {{ 'a' if false }}| {{ 1 if false else 2 if false else 3 }}"), "yes | 3");
}

TEST(Operators, FiltersBindTighterThanOperators) {
    EXPECT_EQ(render("{{ -5|abs }} {{ 'a' + 'b'|upper }} {{ 1 + [1, 2]|length }} {{ not none is none }}"), "5 aB 3 False");
}

TEST(Access, AttributesItemsAndDottedIndexes) {
    Json d = {{"name", "x"}, {"nested", {{"list", {1, 2, 3}}}}};
    EXPECT_EQ(render("{{ d.name }} {{ d['name'] }} {{ d.missing }}| {{ d.nested.list[1] }} {{ d.nested['list'][-1] }} {{ d.nested.list.0 }}",
                     {{"d", d}}),
              "x x | 2 3 1");
}

TEST(Access, Slices) {
    EXPECT_EQ(render("{{ xs[1:] }} {{ xs[:2] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ xs[10:] }} {{ 'héllo'[1:4] }} {{ 'abc'[::-1] }}",
                     {{"xs", {1, 2, 3, 4}}}),
              "[2, 3, 4] [1, 2] [4, 3, 2, 1] [1, 3] [3, 4] [] éll cba");
}

TEST(Access, MissingItemsAreUndefinedNotErrors) {
    EXPECT_EQ(render("{{ xs[10] }}|{{ 'abc'[5] }}|{{ d[0] }}|{{ none.attr }}|", {{"xs", {1}}, {"d", Json::object()}}), "||||");
    EXPECT_EQ(render("{{ 'x'.nope }}|{{ ['a'].nope }}|"), "||");
}

TEST(Access, DictMethodsShadowKeysForDotButNotForSubscript) {
    EXPECT_EQ(render("{{ m['items'] }}", {{"m", {{"items", "key"}}}}), "key");
    EXPECT_EQ(render("{{ m.items()|list }}", {{"m", {{"items", "key"}}}}), "[('items', 'key')]");
}

TEST(Undefined, PrintsEmptyAndIsFalsyAndEmpty) {
    EXPECT_EQ(render("{{ missing }}|{{ missing is defined }}|{{ missing is undefined }}|{{ d.k is defined }}|{{ missing | length }}|"
                     "{% for x in missing %}never{% endfor %}|{{ missing == missing }}|{{ 'x' in missing }}|{{ 'a' if missing else 'b' }}",
                     {{"d", Json::object()}}),
              "|False|True|False|0||True|False|b");
}

TEST(Undefined, UsingItIsAnErrorNamingTheVariable) {
    for (const char* t : {"{{ missing.attribute }}", "{{ missing[0] }}", "{{ missing + 1 }}", "{{ missing() }}", "{{ -missing }}",
                          "{{ missing < 1 }}"}) {
        TemplateError e = render_error(t);
        EXPECT_EQ(e.template_kind(), TemplateErrorKind::Runtime) << t;
        EXPECT_EQ(e.detail(), "'missing' is undefined") << t;
    }
    EXPECT_EQ(render_error("{{ d.a.b }}", {{"d", Json::object()}}).detail(), "'dict object' has no attribute 'a'");
}

TEST(Operators, TypeErrorsUsePythonsMessages) {
    EXPECT_EQ(render_error("{{ 'a' + 1 }}").detail(), "can only concatenate str (not \"int\") to str");
    EXPECT_EQ(render_error("{{ 1 + 'a' }}").detail(), "unsupported operand type(s) for +: 'int' and 'str'");
    EXPECT_EQ(render_error("{{ 1 < 'a' }}").detail(), "'<' not supported between instances of 'int' and 'str'");
    EXPECT_EQ(render_error("{{ 1 / 0 }}").detail(), "division by zero");
    EXPECT_EQ(render_error("{{ 5 // 0 }}").detail(), "integer division or modulo by zero");
    EXPECT_EQ(render_error("{{ 1 in 5 }}").detail(), "argument of type 'int' is not iterable");
}

TEST(Operators, IntegerOverflowIsALimitNotWrapAround) {
    EXPECT_EQ(render_error("{{ 9223372036854775807 + 1 }}").template_kind(), TemplateErrorKind::Limit);
    EXPECT_EQ(render_error("{{ 2 ** 64 }}").template_kind(), TemplateErrorKind::Limit);
    EXPECT_EQ(render("{{ 2 ** 62 }}"), "4611686018427387904");
}

}  // namespace
}  // namespace akunu::chat::test
