// The filters with jinja2's results (tojson with transformers' definition). Expected strings
// are what jinja2 3.1 renders in transformers' environment.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(Filters, StringCase) {
    EXPECT_EQ(render("{{ '  hi \\n'|trim }}|{{ 'xxhixx'|trim('x') }}|{{ 'hello WORLD'|capitalize }}|{{ 'Hello'|lower }}|"
                     "{{ 'straße'|upper }}|{{ 'hello big-world (x) o\\'neil'|title }}"),
              "hi|hi|Hello world|hello|STRASSE|Hello Big-World (X) O'neil");
    EXPECT_EQ(render("{{ 'ÀÉÎ ñ Ωμέγα ПРИВЕТ'|lower }} {{ 'àéî ñ ωμέγα привет'|upper }} {{ 'élan vital'|title }}"),
              "àéî ñ ωμέγα привет ÀÉÎ Ñ ΩΜΈΓΑ ПРИВЕТ Élan Vital");
}

TEST(Filters, LengthCountsCodePoints) {
    EXPECT_EQ(render("{{ 'héllo'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }} {{ missing|length }}"), "5 2 1 0");
}

TEST(Filters, FirstLastJoinReverse) {
    EXPECT_EQ(render("{{ xs|first }} {{ xs|last }} {{ 'abc'|first }} {{ []|first }}|{{ xs|join(', ') }} {{ xs|join }} "
                     "{{ xs|reverse|list }} {{ 'abc'|reverse }}",
                     {{"xs", {1, 2, 3}}}),
              "1 3 a |1, 2, 3 123 [3, 2, 1] cba");
    EXPECT_EQ(render("{{ users|join(', ', attribute='name') }}", {{"users", {{{"name", "a"}}, {{"name", "b"}}}}}), "a, b");
}

TEST(Filters, DefaultOnlyReplacesUndefinedUnlessBoolean) {
    EXPECT_EQ(render("{{ missing|default('fallback') }} {{ none|default('x') }} {{ ''|default('empty', true) }} "
                     "{{ 0|d(5, boolean=true) }} {{ 'set'|d('x') }}"),
              "fallback None empty 5 set");
}

TEST(Filters, Conversions) {
    EXPECT_EQ(render("{{ 5|string ~ '!' }} {{ '42'|int + 1 }} {{ ' 7 '|int }} {{ '3.9'|int }} {{ 'x'|int }} {{ 'x'|int(-1) }} "
                     "{{ 3.99|int }} {{ 'ff'|int(base=16) }} {{ '2.5'|float }} {{ 'x'|float }} {{ 3|float }}"),
              "5! 43 7 3 0 -1 3 255 2.5 0.0 3.0");
    EXPECT_EQ(render("{{ 'abc'|list }} {{ {'a': 1, 'b': 2}|list }} {{ {'b': 1, 'a': 2}|items|list }} {{ {'b': 1, 'a': 2}|dictsort }} "
                     "{{ {'b': 1, 'a': 2}|dictsort(by='value', reverse=true) }}"),
              "['a', 'b', 'c'] ['a', 'b'] [('b', 1), ('a', 2)] [('a', 2), ('b', 1)] [('a', 2), ('b', 1)]");
}

TEST(Filters, ReplaceEscapeSafe) {
    EXPECT_EQ(render("{{ 'a-b-c'|replace('-', '+') }} {{ 'a-b-c'|replace('-', '', 1) }} {{ 5|replace('5', 'five') }}"), "a+b+c ab-c five");
    EXPECT_EQ(render("{{ '<b>&\"x\\'</b>'|e }} {{ '<i>'|safe }}"), "&lt;b&gt;&amp;&#34;x&#39;&lt;/b&gt; <i>");
}

TEST(Filters, Indent) {
    EXPECT_EQ(render("{{ 'one\\ntwo\\n\\nthree'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|"
                     "{{ 'a\\nb'|indent('> ') }}"),
              "one\n    two\n\n    three|  a\n  b|a\n  \n  b|a\n> b");
}

TEST(Filters, MapSelectReject) {
    Json users = {{{"name", "a"}, {"age", 3}}, {{"name", "b"}}};
    EXPECT_EQ(render("{{ users|map(attribute='name')|list }} {{ users|map(attribute='age', default=0)|list }} "
                     "{{ ['a', 'b']|map('upper')|join }} {{ [1.5, 2.5]|map('int')|list }}",
                     {{"users", users}}),
              "['a', 'b'] [3, 0] AB [1, 2]");
    Json admins = {{{"name", "a"}, {"admin", true}, {"age", 1}}, {{"name", "b"}, {"admin", false}}};
    EXPECT_EQ(render("{{ users|selectattr('admin')|map(attribute='name')|list }} {{ users|rejectattr('admin')|map(attribute='name')|list }} "
                     "{{ users|selectattr('name', 'equalto', 'b')|list|length }} {{ users|selectattr('age', 'defined')|list|length }}",
                     {{"users", admins}}),
              "['a'] ['b'] 1 1");
    EXPECT_EQ(render("{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} {{ [0, 1, '', 'x']|select|list }} "
                     "{{ [1, 5, 3]|select('>', 2)|list }}"),
              "[1, 3] [2, 4] [1, 'x'] [5, 3]");
}

TEST(Filters, SortUniqueAggregates) {
    Json users = {{{"name", "old"}, {"age", 90}}, {{"name", "young"}, {"age", 9}}};
    EXPECT_EQ(render("{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} "
                     "{{ [3, 1, 2]|sort(reverse=true) }} {{ users|sort(attribute='age')|map(attribute='name')|join }}",
                     {{"users", users}}),
              "[1, 2, 3] ['A', 'b', 'c'] ['A', 'b', 'c'] [3, 2, 1] youngold");
    EXPECT_EQ(render("{{ ['a', 'A', 'b', 'a']|unique|list }} {{ [1, 2, 3]|sum }} {{ users|sum(attribute='age') }} {{ [3, 9, 2]|max }} "
                     "{{ ['b', 'A']|min }} {{ users|max(attribute='age') }}",
                     {{"users", {{{"age", 1}}, {{"age", 2}}}}}),
              "['a', 'b'] 6 3 9 A {'age': 2}");
}

TEST(Filters, NumbersAndFormatting) {
    EXPECT_EQ(render("{{ -3|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 2.1|round(method='ceil') }} {{ 2.9|round(0, 'floor') }}"),
              "3 2.0 4.0 2.67 3.0 2.0");
    EXPECT_EQ(render("{{ '%s has %d items (%.2f)'|format('cart', 3, 1.5) }} {{ 'x'|center(5) }}| {{ d|attr('k') }}", {{"d", {{"k", "v"}}}}),
              "cart has 3 items (1.50)   x  | ");
}

TEST(Filters, ToJsonIsTransformersJsonDumps) {
    Json d = {{"s", "é\"\\\n\x01"}, {"n", {1, 2.5, nullptr, true, false}}, {"e", Json::object()}, {"l", Json::array()}};
    EXPECT_EQ(render("{{ d|tojson }}", {{"d", d}}),
              "{\"s\": \"é\\\"\\\\\\n\\u0001\", \"n\": [1, 2.5, null, true, false], \"e\": {}, \"l\": []}");
    Json nested = {{"a", {1, {{"b", nullptr}}}}, {"e", Json::array()}};
    EXPECT_EQ(render("{{ d|tojson(indent=2) }}", {{"d", nested}}),
              "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": []\n}");
    Json mixed = {{"z", "é😀"}, {"a", 1}};
    EXPECT_EQ(render("{{ d|tojson(ensure_ascii=true) }} {{ d|tojson(sort_keys=true) }} {{ d|tojson(separators=(',', ':')) }} "
                     "{{ [1]|tojson(indent='\\t') }}",
                     {{"d", mixed}}),
              "{\"z\": \"\\u00e9\\ud83d\\ude00\", \"a\": 1} {\"a\": 1, \"z\": \"é😀\"} {\"z\":\"é😀\",\"a\":1} [\n\t1\n]");
    EXPECT_EQ(render("{{ 1.0|tojson }} {{ 1e20|tojson }} {{ 'x'|tojson }} {{ none|tojson }}"), "1.0 1e+20 \"x\" null");
    EXPECT_EQ(render_error("{{ missing|tojson }}").detail(), "Object of type Undefined is not JSON serializable");
}

}  // namespace
}  // namespace akunu::chat::test
