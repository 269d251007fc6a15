// The "is" tests with Python's answers: booleans are numbers but not integers, undefined is
// iterable, a key whose value is null is defined. Expected strings are jinja2's.
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(Tests, Types) {
    EXPECT_EQ(render("{{ none is none }} {{ 0 is none }} {{ 'a' is string }} {{ 1 is string }} {{ {} is mapping }} {{ [] is mapping }} "
                     "{{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ 'x' is number }}"),
              "True False True False True False True True True False");
    EXPECT_EQ(render("{{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ 1 is boolean }} "
                     "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}"),
              "True False True True False True False True False");
    EXPECT_EQ(render("{{ [] is iterable }} {{ 'a' is iterable }} {{ {} is iterable }} {{ missing is iterable }} {{ 3 is iterable }} "
                     "{{ none is iterable }} {{ [] is sequence }} {{ 'a' is sequence }} {{ 3 is sequence }}"),
              "True True True True False False True True False");
}

TEST(Tests, DefinedOnMissingKeysAndNullValues) {
    EXPECT_EQ(render("{{ x is defined }} {{ x is undefined }} {{ d.k is defined }} {{ d.z is defined }} {{ d.k is not none }}",
                     {{"x", 1}, {"d", {{"k", nullptr}}}}),
              "True False True False False");
}

TEST(Tests, ComparisonsAndArithmetic) {
    EXPECT_EQ(render("{{ 2 is even }} {{ 3 is odd }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 2 is in [1, 2] }} "
                     "{{ 'x' is equalto 'x' }} {{ 1 is eq 1 }} {{ 1 is ne 1 }} {{ 1 is lt 2 }} {{ 2 is ge 3 }} {{ 3 is gt 2 }} {{ 2 is le 2 }}"),
              "True True True False True True True False True False True True");
}

TEST(Tests, CaseIdentityAndNames) {
    EXPECT_EQ(render("{{ 'abc' is lower }} {{ 'aBc' is lower }} {{ 'ABC' is upper }} {{ none is sameas none }} {{ range is callable }} "
                     "{{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }}"),
              "True False True True True True True False");
}

TEST(Tests, NegationBindsToTheTest) {
    EXPECT_EQ(render("{{ x is not defined and true }} {{ not x is defined }}"), "True True");
}

}  // namespace
}  // namespace akunu::chat::test
