// The jinja2 tests ("x is defined", "x is string", ...) with Python's answers, including the
// ones that surprise: undefined is iterable and a sequence, and booleans are numbers.
#include <unordered_map>

#include "chat/builtins.h"
#include "chat/call_args.h"
#include "chat/python_text.h"
#include "chat/template_error.h"
#include "chat/value_format.h"
#include "chat/value_ops.h"

namespace akunu::chat {

namespace {

using TestFn = bool (*)(const Value& v, CallArgs& args);

const Value& only_arg(CallArgs& args, const char* name) {
    if (args.positional.size() != 1 || !args.named.empty())
        throw_runtime(std::string("the test '") + name + "' takes exactly one argument");
    return args.positional[0];
}

void no_args(CallArgs& args, const char* name) { BoundArgs(args, name, {}); }

bool t_defined(const Value& v, CallArgs& a) { no_args(a, "defined"); return !v.is_undefined(); }
bool t_undefined(const Value& v, CallArgs& a) { no_args(a, "undefined"); return v.is_undefined(); }
bool t_none(const Value& v, CallArgs& a) { no_args(a, "none"); return v.is_none(); }
bool t_boolean(const Value& v, CallArgs& a) { no_args(a, "boolean"); return v.is_bool(); }
bool t_true(const Value& v, CallArgs& a) { no_args(a, "true"); return v.is_bool() && v.as_bool(); }
bool t_false(const Value& v, CallArgs& a) { no_args(a, "false"); return v.is_bool() && !v.as_bool(); }
bool t_integer(const Value& v, CallArgs& a) { no_args(a, "integer"); return v.is_int(); }
bool t_float(const Value& v, CallArgs& a) { no_args(a, "float"); return v.is_float(); }
bool t_number(const Value& v, CallArgs& a) { no_args(a, "number"); return v.is_number(); }
bool t_string(const Value& v, CallArgs& a) { no_args(a, "string"); return v.is_string(); }
bool t_mapping(const Value& v, CallArgs& a) { no_args(a, "mapping"); return v.is_object(); }
bool t_callable(const Value& v, CallArgs& a) { no_args(a, "callable"); return v.is_function() || v.is_undefined(); }
bool t_escaped(const Value&, CallArgs& a) { no_args(a, "escaped"); return false; }

bool t_iterable(const Value& v, CallArgs& a) {
    no_args(a, "iterable");
    return v.is_undefined() || v.is_string() || v.is_array() || v.is_object();
}

bool t_sequence(const Value& v, CallArgs& a) {
    no_args(a, "sequence");
    return v.is_undefined() || v.is_string() || v.is_array() || v.is_object();
}

bool t_odd(const Value& v, CallArgs& a) {
    no_args(a, "odd");
    return ops::modulo(v, Value((int64_t)2)).truthy();
}

bool t_even(const Value& v, CallArgs& a) {
    no_args(a, "even");
    return !ops::modulo(v, Value((int64_t)2)).truthy();
}

bool t_divisibleby(const Value& v, CallArgs& a) { return !ops::modulo(v, only_arg(a, "divisibleby")).truthy(); }
bool t_eq(const Value& v, CallArgs& a) { return ops::equals(v, only_arg(a, "eq")); }
bool t_ne(const Value& v, CallArgs& a) { return !ops::equals(v, only_arg(a, "ne")); }
bool t_lt(const Value& v, CallArgs& a) { return ops::compare(v, only_arg(a, "lt"), "<"); }
bool t_le(const Value& v, CallArgs& a) { return ops::compare(v, only_arg(a, "le"), "<="); }
bool t_gt(const Value& v, CallArgs& a) { return ops::compare(v, only_arg(a, "gt"), ">"); }
bool t_ge(const Value& v, CallArgs& a) { return ops::compare(v, only_arg(a, "ge"), ">="); }
bool t_in(const Value& v, CallArgs& a) { return ops::contains(only_arg(a, "in"), v); }

// Python's "is": singletons and CPython's cached small ints are identical; containers only to themselves.
bool t_sameas(const Value& v, CallArgs& a) {
    const Value& other = only_arg(a, "sameas");
    if (v.type() != other.type()) return false;
    switch (v.type()) {
        case Value::Type::None:
        case Value::Type::Undefined: return v.is_none() || false;
        case Value::Type::Bool: return v.as_bool() == other.as_bool();
        case Value::Type::Int: return v.as_int() == other.as_int() && v.as_int() >= -5 && v.as_int() <= 256;
        case Value::Type::String: return v.as_string() == other.as_string();
        case Value::Type::Array: return &v.items() == &other.items();
        case Value::Type::Object:
        case Value::Type::Namespace: return v.object_ptr() == other.object_ptr();
        case Value::Type::Function: return &v.function() == &other.function();
        default: return false;
    }
}

bool t_lower(const Value& v, CallArgs& a) {
    no_args(a, "lower");
    std::string s = to_str(v);
    bool cased = false;
    for (char32_t c : text::decode(s)) {
        if (text::is_upper(c)) return false;
        cased = cased || text::is_lower(c);
    }
    return cased;
}

bool t_upper(const Value& v, CallArgs& a) {
    no_args(a, "upper");
    std::string s = to_str(v);
    bool cased = false;
    for (char32_t c : text::decode(s)) {
        if (text::is_lower(c)) return false;
        cased = cased || text::is_upper(c);
    }
    return cased;
}

bool t_filter(const Value& v, CallArgs& a) {
    no_args(a, "filter");
    return v.is_string() && filter_status(v.as_string()) == BuiltinStatus::Available;
}

bool t_test(const Value& v, CallArgs& a) {
    no_args(a, "test");
    return v.is_string() && test_status(v.as_string()) == BuiltinStatus::Available;
}

const std::unordered_map<std::string, TestFn>& test_table() {
    static const std::unordered_map<std::string, TestFn> table = {
        {"boolean", t_boolean},   {"callable", t_callable}, {"defined", t_defined},   {"divisibleby", t_divisibleby},
        {"eq", t_eq},             {"equalto", t_eq},        {"==", t_eq},             {"escaped", t_escaped},
        {"even", t_even},         {"false", t_false},       {"filter", t_filter},     {"float", t_float},
        {"ge", t_ge},             {">=", t_ge},             {"gt", t_gt},             {">", t_gt},
        {"greaterthan", t_gt},    {"in", t_in},             {"integer", t_integer},   {"iterable", t_iterable},
        {"le", t_le},             {"<=", t_le},             {"lower", t_lower},       {"lt", t_lt},
        {"<", t_lt},              {"lessthan", t_lt},       {"mapping", t_mapping},   {"ne", t_ne},
        {"!=", t_ne},             {"none", t_none},         {"number", t_number},     {"odd", t_odd},
        {"sameas", t_sameas},     {"sequence", t_sequence}, {"string", t_string},     {"test", t_test},
        {"true", t_true},         {"undefined", t_undefined}, {"upper", t_upper},
    };
    return table;
}

}  // namespace

BuiltinStatus test_status(const std::string& name) {
    return test_table().count(name) ? BuiltinStatus::Available : BuiltinStatus::Unknown;
}

bool apply_test(const std::string& name, const Value& operand, CallArgs& args, const BuiltinContext&) {
    auto it = test_table().find(name);
    if (it == test_table().end()) throw_runtime("No test named '" + name + "'");
    return it->second(operand, args);
}

}  // namespace akunu::chat
