// Values written as Python writes them: repr(float), repr(str) quoting and escapes, json.dumps,
// and the code-point string operations underneath (expected values from CPython 3.11).
#include <cmath>
#include <limits>

#include "chat/python_text.h"
#include "chat/value_format.h"
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(FloatRepr, MatchesPython) {
    struct Case {
        double value;
        const char* text;
    } cases[] = {
        {0.0, "0.0"}, {-0.0, "-0.0"}, {1.0, "1.0"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
        {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {123456789.123, "123456789.123"}, {1e-4, "0.0001"},
        {1e-5, "1e-05"}, {2.5e-7, "2.5e-07"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {5e-324, "5e-324"},
        {100.0, "100.0"}, {1234567890123456.0, "1234567890123456.0"}, {12345678901234567.0, "1.2345678901234568e+16"},
    };
    for (const auto& c : cases) EXPECT_EQ(float_repr(c.value), c.text);
    EXPECT_EQ(float_repr(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(float_repr(-std::numeric_limits<double>::infinity()), "-inf");
    EXPECT_EQ(float_repr(std::nan("")), "nan");
}

TEST(Repr, StringQuotingAndEscapes) {
    EXPECT_EQ(to_repr(Value("a'b\"c\\ " + std::string(1, '\0') + "\x7f\u0085\u00a0\u2028é😀")),
              "'a\\'b\"c\\\\ \\x00\\x7f\\x85\\xa0\\u2028é😀'");
    EXPECT_EQ(to_repr(Value("it's")), "\"it's\"");
    EXPECT_EQ(to_repr(Value::array({Value(1), Value("x"), Value::none()}, true)), "(1, 'x', None)");
    EXPECT_EQ(to_str(Value()), "");
    EXPECT_EQ(to_repr(Value()), "Undefined");
}

TEST(Json, PythonJsonDumpsLayout) {
    auto obj = std::make_shared<ObjectData>();
    obj->set("b", Value::array({Value(1), Value(2.0)}));
    obj->set("a", Value::empty_object());
    Value v = Value::object(obj);
    EXPECT_EQ(to_json(v, {}), "{\"b\": [1, 2.0], \"a\": {}}");
    JsonOptions indented;
    indented.indent = "  ";
    EXPECT_EQ(to_json(v, indented), "{\n  \"b\": [\n    1,\n    2.0\n  ],\n  \"a\": {}\n}");
    JsonOptions sorted;
    sorted.sort_keys = true;
    EXPECT_EQ(to_json(v, sorted), "{\"a\": {}, \"b\": [1, 2.0]}");
    EXPECT_EQ(to_json(Value(std::nan("")), {}), "NaN");
    EXPECT_EQ(to_json(Value(-std::numeric_limits<double>::infinity()), {}), "-Infinity");
}

TEST(PythonText, CodePointOperations) {
    EXPECT_EQ(text::length("héllo 😀"), 7u);
    EXPECT_EQ(text::strip("\u3000 x \u00a0\n", std::nullopt, true, true), "x");
    EXPECT_EQ(text::split("  a b  c ", std::nullopt, 1), (std::vector<std::string>{"a", "b  c "}));
    EXPECT_EQ(text::rsplit("  a b  c ", std::nullopt, 1), (std::vector<std::string>{"  a b", "c"}));
    EXPECT_EQ(text::splitlines("a\nb\r\nc\u2028d\n", false), (std::vector<std::string>{"a", "b", "c", "d"}));
    EXPECT_EQ(text::replace("abc", "", "-", -1), "-a-b-c-");
    EXPECT_EQ(text::title("hello wORLD 2nd"), "Hello World 2Nd");
    EXPECT_EQ(text::find("héllo", "l", true), 3);
}

TEST(PythonText, MalformedBytesRoundTrip) {
    std::string bad = "ok\xff\xc3(\xe2\x82";
    EXPECT_EQ(text::encode(text::decode(bad)), bad);
    EXPECT_EQ(text::length(bad), 7u);
}

}  // namespace
}  // namespace akunu::chat::test
