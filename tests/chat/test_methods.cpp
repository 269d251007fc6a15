// Python methods templates call on strings, dicts and lists; the list and dict methods that
// mutate are refused as the immutable sandbox refuses them. Expected strings are jinja2's.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(StringMethods, PrefixSuffix) {
    EXPECT_EQ(render("{{ s.startswith('<tool') }} {{ s.endswith(('x', '>')) }} {{ s.startswith('tool', 1) }}", {{"s", "<tool_response>"}}),
              "True True True");
}

TEST(StringMethods, Strip) {
    EXPECT_EQ(render("{{ '  a b  '.strip() }}|{{ '\\n\\nx\\n'.lstrip('\\n') }}|{{ 'x\\n\\n'.rstrip() }}|{{ 'abcba'.strip('ab') }}|"),
              "a b|x\n|x|c|");
}

TEST(StringMethods, Split) {
    EXPECT_EQ(render("{{ 'a<b>c<b>d'.split('<b>') }} {{ ' a  b \\t c '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} "
                     "{{ 'a\\nb\\r\\nc'.splitlines() }}"),
              "['a', 'c', 'd'] ['a', 'b', 'c'] ['a', 'b,c'] ['a,b', 'c'] ['a', 'b', 'c']");
    EXPECT_EQ(render("{{ 'x</think>\\n\\ny'.split('</think>')[-1].lstrip('\\n') }}"), "y");
    EXPECT_EQ(render_error("{{ 'a'.split('') }}").detail(), "empty separator");
}

TEST(StringMethods, CaseReplaceSearch) {
    EXPECT_EQ(render("{{ 'MiXed'.upper() }} {{ 'MiXed'.lower() }} {{ \"they're bill's\".title() }} {{ 'hELLO wORLD'.capitalize() }} "
                     "{{ 'aaa'.replace('a', 'b', 2) }}"),
              "MIXED mixed They'Re Bill'S Hello world bba");
    EXPECT_EQ(render("{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'hello'.count('l') }} "
                     "{{ '-'.join(['a', 'b']) }} {{ 'héllo'.index('l') }}"),
              "2 3 -1 2 a-b 2");
    EXPECT_EQ(render("{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ' '.isspace() }} {{ 'ABC'.isupper() }} {{ 'abc'.islower() }} {{ ''.isdigit() }}"),
              "True True True True True False");
    EXPECT_EQ(render_error("{{ ''.join([1]) }}").detail(), "sequence item 0: expected str instance, int found");
}

TEST(StringMethods, Format) {
    EXPECT_EQ(render("{{ '{} + {} = {sum}'.format(1, 2, sum=3) }} {{ '{0}{0}'.format('ab') }}"), "1 + 2 = 3 abab");
}

TEST(DictMethods, GetKeysValuesItems) {
    EXPECT_EQ(render("{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }}",
                     {{"d", {{"a", 1}, {"b", {2}}}}}),
              "1 None dflt ['a', 'b'] [1, [2]] [('a', 1), ('b', [2])]");
}

TEST(ListMethods, ReadOnlyOnes) {
    EXPECT_EQ(render("{{ [1, 2, 2].count(2) }} {{ ['a', 'b'].index('b') }}"), "2 1");
}

TEST(Sandbox, MutatingMethodsAreRefused) {
    TemplateError e = render_error("{{ [1].append(2) }}");
    EXPECT_NE(e.detail().find("access to attribute 'append' of 'list' object is unsafe"), std::string::npos) << e.detail();
    e = render_error("{{ d.update({}) }}", {{"d", Json::object()}});
    EXPECT_NE(e.detail().find("'update' of 'dict' object is unsafe"), std::string::npos) << e.detail();
}

}  // namespace
}  // namespace akunu::chat::test
