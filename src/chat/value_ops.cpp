#include "chat/value_ops.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "chat/methods.h"
#include "chat/python_text.h"
#include "chat/template_error.h"
#include "chat/value_format.h"

namespace akunu::chat::ops {

namespace {

// A single string or list built by * may not exceed this; Python would try and exhaust memory.
constexpr size_t kMaxBuiltSize = size_t(64) << 20;

std::string quoted(const Value& v) { return std::string("'") + v.type_name() + "'"; }

[[noreturn]] void fail_operands(const char* op, const Value& a, const Value& b) {
    throw_runtime(std::string("unsupported operand type(s) for ") + op + ": " + quoted(a) + " and " + quoted(b));
}

void reject_undefined(const Value& a, const Value& b) {
    if (a.is_undefined()) fail_undefined(a);
    if (b.is_undefined()) fail_undefined(b);
}

[[noreturn]] void fail_overflow() { throw TemplateError(TemplateErrorKind::Limit, "integer overflow (beyond 64 bits)"); }

int64_t checked_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) fail_overflow();
    return r;
}

int64_t checked_sub(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) fail_overflow();
    return r;
}

int64_t checked_mul(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) fail_overflow();
    return r;
}

std::string object_type_repr(const Value& obj) {
    if (obj.is_none()) return "None";
    return std::string(obj.type_name()) + " object";
}

Value missing_attribute(const Value& obj, const std::string& name) {
    std::string hint = "'";
    hint += object_type_repr(obj);
    hint += "' has no attribute '";
    hint += name;
    hint += "'";
    return Value::undefined(std::move(hint));
}

Value missing_element(const Value& obj, const Value& key) {
    if (key.is_string()) return missing_attribute(obj, key.as_string());
    return Value::undefined("'" + object_type_repr(obj) + "' has no element " + to_repr(key));
}

// Python's slice.indices(): clamps start/stop and yields the selected positions.
std::vector<size_t> slice_positions(size_t length, const std::optional<int64_t>& start_in,
                                    const std::optional<int64_t>& stop_in, const std::optional<int64_t>& step_in) {
    int64_t step = step_in.value_or(1);
    if (step == 0) throw_runtime("slice step cannot be zero");
    int64_t len = (int64_t)length;
    auto adjust = [&](const std::optional<int64_t>& v, int64_t dflt) {
        if (!v) return dflt;
        int64_t x = *v;
        if (x < 0) {
            x += len;
            if (x < 0) x = step < 0 ? -1 : 0;
        } else if (x >= len) {
            x = step < 0 ? len - 1 : len;
        }
        return x;
    };
    int64_t start = adjust(start_in, step < 0 ? len - 1 : 0);
    int64_t stop = adjust(stop_in, step < 0 ? -1 : len);
    std::vector<size_t> out;
    if (step > 0)
        for (int64_t i = start; i < stop; i += step) out.push_back((size_t)i);
    else
        for (int64_t i = start; i > stop; i += step) out.push_back((size_t)i);
    return out;
}

int compare_numbers(const Value& a, const Value& b) {
    if (a.is_integral() && b.is_integral()) {
        int64_t x = a.as_int(), y = b.as_int();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = a.as_double(), y = b.as_double();
    if (std::isnan(x) || std::isnan(y)) return 2;  // unordered: every comparison is false
    return x < y ? -1 : x > y ? 1 : 0;
}

// -1/0/1, or 2 when unordered (NaN); throws for types Python cannot order.
int order(const Value& a, const Value& b, const std::string& op) {
    if (a.is_undefined() || b.is_undefined()) reject_undefined(a, b);
    if (a.is_number() && b.is_number()) return compare_numbers(a, b);
    if (a.is_string() && b.is_string()) {
        int c = a.as_string().compare(b.as_string());  // UTF-8 byte order is code point order
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is_array() && b.is_array() && a.is_tuple() == b.is_tuple()) {
        const auto &x = a.items(), &y = b.items();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (equals(x[i], y[i])) continue;
            return order(x[i], y[i], op);
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    throw_runtime("'" + op + "' not supported between instances of " + quoted(a) + " and " + quoted(b));
}

std::string repeat(const std::string& s, int64_t n) {
    if (n <= 0 || s.empty()) return "";
    if ((size_t)n > kMaxBuiltSize / s.size()) throw TemplateError(TemplateErrorKind::Limit, "string repetition too large");
    std::string out;
    out.reserve(s.size() * (size_t)n);
    for (int64_t i = 0; i < n; ++i) out += s;
    return out;
}

Value repeat_items(const Value& list, int64_t n) {
    const auto& items = list.items();
    std::vector<Value> out;
    if (n > 0 && !items.empty()) {
        if ((size_t)n > kMaxBuiltSize / items.size())
            throw TemplateError(TemplateErrorKind::Limit, "list repetition too large");
        for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
    }
    return Value::array(std::move(out), list.is_tuple());
}

double python_fmod(double a, double b) {
    double m = std::fmod(a, b);
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    return m;
}

std::string pad(std::string s, int width, bool left_align, char fill) {
    int len = (int)text::length(s);
    if (len >= width) return s;
    std::string padding((size_t)(width - len), fill);
    if (left_align) return s + std::string((size_t)(width - len), ' ');
    if (fill == '0' && !s.empty() && (s[0] == '-' || s[0] == '+')) return s.substr(0, 1) + padding + s.substr(1);
    return padding + s;
}

}  // namespace

void fail_undefined(const Value& undefined) {
    const std::string& hint = undefined.undefined_hint();
    throw_runtime(hint.empty() ? "undefined value used" : hint);
}

bool equals(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case Value::Type::Undefined:
        case Value::Type::None: return true;
        case Value::Type::String: return a.as_string() == b.as_string();
        case Value::Type::Array: {
            if (a.is_tuple() != b.is_tuple()) return false;
            const auto &x = a.items(), &y = b.items();
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i)
                if (!equals(x[i], y[i])) return false;
            return true;
        }
        case Value::Type::Object: {
            const auto &x = a.object().entries, &y = b.object().entries;
            if (x.size() != y.size()) return false;
            for (const auto& [k, v] : x) {
                const Value* other = b.object().find(k);
                if (!other || !equals(v, *other)) return false;
            }
            return true;
        }
        case Value::Type::Namespace: return a.object_ptr() == b.object_ptr();
        case Value::Type::Function: return &a.function() == &b.function();
        default: return false;
    }
}

bool compare(const Value& a, const Value& b, const std::string& op) {
    int c = order(a, b, op);
    if (c == 2) return false;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
}

Value add(const Value& a, const Value& b) {
    reject_undefined(a, b);
    if (a.is_integral() && b.is_integral()) {
        return Value(checked_add(a.as_int(), b.as_int()));
    }
    if (a.is_number() && b.is_number()) return Value(a.as_double() + b.as_double());
    if (a.is_string() && b.is_string()) {
        if (a.as_string().size() + b.as_string().size() > kMaxBuiltSize)
            throw TemplateError(TemplateErrorKind::Limit, "string concatenation too large");
        return Value(a.as_string() + b.as_string());
    }
    if (a.is_array() && b.is_array() && a.is_tuple() == b.is_tuple()) {
        if (a.items().size() + b.items().size() > kMaxBuiltSize / sizeof(Value))
            throw TemplateError(TemplateErrorKind::Limit, "list concatenation too large");
        std::vector<Value> items = a.items();
        items.insert(items.end(), b.items().begin(), b.items().end());
        return Value::array(std::move(items), a.is_tuple());
    }
    if (a.is_string()) throw_runtime(std::string("can only concatenate str (not \"") + b.type_name() + "\") to str");
    if (a.is_array() && !a.is_tuple())
        throw_runtime(std::string("can only concatenate list (not \"") + b.type_name() + "\") to list");
    fail_operands("+", a, b);
}

Value subtract(const Value& a, const Value& b) {
    reject_undefined(a, b);
    if (a.is_integral() && b.is_integral()) {
        return Value(checked_sub(a.as_int(), b.as_int()));
    }
    if (a.is_number() && b.is_number()) return Value(a.as_double() - b.as_double());
    fail_operands("-", a, b);
}

Value multiply(const Value& a, const Value& b) {
    reject_undefined(a, b);
    if (a.is_integral() && b.is_integral()) {
        return Value(checked_mul(a.as_int(), b.as_int()));
    }
    if (a.is_number() && b.is_number()) return Value(a.as_double() * b.as_double());
    if (a.is_string() && b.is_integral()) return Value(repeat(a.as_string(), b.as_int()));
    if (a.is_integral() && b.is_string()) return Value(repeat(b.as_string(), a.as_int()));
    if (a.is_array() && b.is_integral()) return repeat_items(a, b.as_int());
    if (a.is_integral() && b.is_array()) return repeat_items(b, a.as_int());
    fail_operands("*", a, b);
}

Value divide(const Value& a, const Value& b) {
    reject_undefined(a, b);
    if (!a.is_number() || !b.is_number()) fail_operands("/", a, b);
    if (b.as_double() == 0.0) throw_runtime("division by zero");
    return Value(a.as_double() / b.as_double());
}

Value floor_divide(const Value& a, const Value& b) {
    reject_undefined(a, b);
    if (!a.is_number() || !b.is_number()) fail_operands("//", a, b);
    if (a.is_integral() && b.is_integral()) {
        int64_t x = a.as_int(), y = b.as_int();
        if (y == 0) throw_runtime("integer division or modulo by zero");
        if (x == std::numeric_limits<int64_t>::min() && y == -1)
            fail_overflow();
        int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
        return Value(q);
    }
    if (b.as_double() == 0.0) throw_runtime("float floor division by zero");
    return Value(std::floor(a.as_double() / b.as_double()));
}

Value modulo(const Value& a, const Value& b) {
    if (a.is_string()) return Value(percent_format(a.as_string(), b));
    reject_undefined(a, b);
    if (!a.is_number() || !b.is_number()) fail_operands("%", a, b);
    if (a.is_integral() && b.is_integral()) {
        int64_t x = a.as_int(), y = b.as_int();
        if (y == 0) throw_runtime("integer division or modulo by zero");
        if (y == -1) return Value((int64_t)0);
        int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return Value(m);
    }
    if (b.as_double() == 0.0) throw_runtime("float modulo");
    return Value(python_fmod(a.as_double(), b.as_double()));
}

Value power(const Value& a, const Value& b) {
    reject_undefined(a, b);
    if (!a.is_number() || !b.is_number()) fail_operands("** or pow()", a, b);
    if (a.is_integral() && b.is_integral() && b.as_int() >= 0) {
        int64_t base = a.as_int(), e = b.as_int(), r = 1;
        while (e > 0) {
            if (e & 1) r = checked_mul(r, base);
            e >>= 1;
            if (e > 0) base = checked_mul(base, base);
        }
        return Value(r);
    }
    if (a.as_double() == 0.0 && b.as_double() < 0) throw_runtime("0.0 cannot be raised to a negative power");
    return Value(std::pow(a.as_double(), b.as_double()));
}

Value negate(const Value& a) {
    if (a.is_undefined()) fail_undefined(a);
    if (a.is_integral()) {
        return Value(checked_sub(0, a.as_int()));
    }
    if (a.is_float()) return Value(-a.as_double());
    throw_runtime(std::string("bad operand type for unary -: '") + a.type_name() + "'");
}

Value positive(const Value& a) {
    if (a.is_undefined()) fail_undefined(a);
    if (a.is_integral()) return Value(a.as_int());
    if (a.is_float()) return a;
    throw_runtime(std::string("bad operand type for unary +: '") + a.type_name() + "'");
}

bool contains(const Value& container, const Value& item) {
    switch (container.type()) {
        case Value::Type::String:
            if (!item.is_string()) {
                if (item.is_undefined()) fail_undefined(item);
                throw_runtime(std::string("'in <string>' requires string as left operand, not ") + item.type_name());
            }
            return container.as_string().find(item.as_string()) != std::string::npos;
        case Value::Type::Array:
            for (const Value& v : container.items())
                if (equals(v, item)) return true;
            return false;
        case Value::Type::Object:
            if (item.is_array() && !item.is_tuple()) throw_runtime("unhashable type: 'list'");
            return item.is_string() && container.object().find(item.as_string()) != nullptr;
        case Value::Type::Undefined: return false;  // Python falls back to iterating, which yields nothing
        default:
            throw_runtime(std::string("argument of type '") + container.type_name() + "' is not iterable");
    }
}

Value get_attribute(const Value& obj, const std::string& name) {
    if (obj.is_undefined()) fail_undefined(obj);
    // Names starting with '_' reach Python internals; the sandbox never hands them out.
    if (!name.empty() && name[0] == '_') {
        if (obj.is_object()) {
            if (const Value* v = obj.object().find(name)) return *v;
        }
        return missing_attribute(obj, name);
    }
    if (obj.is_namespace()) {
        if (const Value* v = obj.object().find(name)) return *v;
        return missing_attribute(obj, name);
    }
    if (auto method = find_method(obj, name)) return *method;
    if (obj.is_object()) {
        if (const Value* v = obj.object().find(name)) return *v;
    }
    return missing_attribute(obj, name);
}

Value get_item(const Value& obj, const Value& key) {
    if (obj.is_undefined()) fail_undefined(obj);
    switch (obj.type()) {
        case Value::Type::Object:
            if (key.is_string()) {
                if (const Value* v = obj.object().find(key.as_string())) return *v;
            }
            break;
        case Value::Type::Array:
            if (key.is_integral()) {
                int64_t i = key.as_int(), n = (int64_t)obj.items().size();
                if (i < 0) i += n;
                if (i >= 0 && i < n) return obj.items()[(size_t)i];
                return missing_element(obj, key);
            }
            break;
        case Value::Type::String:
            if (key.is_integral()) {
                std::u32string cps = text::decode(obj.as_string());
                int64_t i = key.as_int(), n = (int64_t)cps.size();
                if (i < 0) i += n;
                if (i >= 0 && i < n) return Value(text::encode(cps.substr((size_t)i, 1)));
                return missing_element(obj, key);
            }
            break;
        default: break;
    }
    // Python's obj[key] failed; jinja2 then tries the attribute of that name.
    if (key.is_string()) return get_attribute(obj, key.as_string());
    return missing_element(obj, key);
}

Value slice(const Value& obj, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
            const std::optional<int64_t>& step) {
    // jinja2 compiles a slice to Python's own obj[a:b:c], so failures are Python's TypeErrors
    // rather than undefined results.
    if (obj.is_undefined()) fail_undefined(obj);
    if (obj.is_string()) {
        std::u32string cps = text::decode(obj.as_string());
        std::u32string out;
        for (size_t i : slice_positions(cps.size(), start, stop, step)) out.push_back(cps[i]);
        return Value(text::encode(out));
    }
    if (obj.is_array()) {
        std::vector<Value> out;
        for (size_t i : slice_positions(obj.items().size(), start, stop, step)) out.push_back(obj.items()[i]);
        return Value::array(std::move(out), obj.is_tuple());
    }
    if (obj.is_object()) throw_runtime("unhashable type: 'slice'");
    throw_runtime(std::string("'") + obj.type_name() + "' object is not subscriptable");
}

std::vector<Value> iterate(const Value& v) {
    switch (v.type()) {
        case Value::Type::Undefined: return {};
        case Value::Type::Array: return v.items();
        case Value::Type::Object: {
            std::vector<Value> keys;
            for (const auto& [k, val] : v.object().entries) keys.emplace_back(k);
            return keys;
        }
        case Value::Type::String: {
            std::vector<Value> chars;
            for (char32_t c : text::decode(v.as_string())) {
                std::string s;
                text::append_utf8(s, c);
                chars.emplace_back(std::move(s));
            }
            return chars;
        }
        default: throw_runtime(std::string("'") + v.type_name() + "' object is not iterable");
    }
}

int64_t length(const Value& v) {
    switch (v.type()) {
        case Value::Type::Undefined: return 0;
        case Value::Type::String: return (int64_t)text::length(v.as_string());
        case Value::Type::Array: return (int64_t)v.items().size();
        case Value::Type::Object: return (int64_t)v.object().entries.size();
        default: throw_runtime(std::string("object of type '") + v.type_name() + "' has no len()");
    }
}

std::string percent_format(const std::string& format, const Value& args) {
    std::vector<Value> values = args.is_tuple() ? args.items() : std::vector<Value>{args};
    size_t next = 0;
    std::string out;
    for (size_t i = 0; i < format.size(); ++i) {
        char c = format[i];
        if (c != '%') {
            out.push_back(c);
            continue;
        }
        if (++i >= format.size()) throw_runtime("incomplete format");
        bool left = false, zero = false, plus = false;
        for (; i < format.size() && (format[i] == '-' || format[i] == '0' || format[i] == '+' || format[i] == ' '); ++i) {
            if (format[i] == '-') left = true;
            if (format[i] == '0') zero = true;
            if (format[i] == '+') plus = true;
        }
        int width = 0, precision = -1;
        for (; i < format.size() && format[i] >= '0' && format[i] <= '9'; ++i) width = std::min(width * 10 + (format[i] - '0'), 4096);
        if (i < format.size() && format[i] == '.') {
            precision = 0;
            for (++i; i < format.size() && format[i] >= '0' && format[i] <= '9'; ++i)
                precision = std::min(precision * 10 + (format[i] - '0'), 400);
        }
        if (i >= format.size()) throw_runtime("incomplete format");
        char type = format[i];
        if (type == '%') {
            out.push_back('%');
            continue;
        }
        if (next >= values.size()) throw_runtime("not enough arguments for format string");
        const Value& v = values[next++];
        std::string piece;
        switch (type) {
            case 's': piece = to_str(v); break;
            case 'r': piece = to_repr(v); break;
            case 'd':
            case 'i':
                if (!v.is_number()) throw_runtime(std::string("%d format: a real number is required, not ") + v.type_name());
                piece = std::to_string(v.is_integral() ? v.as_int() : (int64_t)std::trunc(v.as_double()));
                if (plus && piece[0] != '-') piece = "+" + piece;
                break;
            case 'f':
            case 'F': {
                if (!v.is_number()) throw_runtime(std::string("must be real number, not ") + v.type_name());
                char buf[512];
                std::snprintf(buf, sizeof buf, plus ? "%+.*f" : "%.*f", precision < 0 ? 6 : precision, v.as_double());
                piece = buf;
                break;
            }
            case 'x':
            case 'X': {
                if (!v.is_integral()) throw_runtime(std::string("%x format: an integer is required, not ") + v.type_name());
                char buf[32];
                int64_t n = v.as_int();
                unsigned long long magnitude = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
                std::snprintf(buf, sizeof buf, type == 'x' ? "%s%llx" : "%s%llX", n < 0 ? "-" : "", magnitude);
                piece.assign(buf);
                break;
            }
            default: throw_unsupported(std::string("format character '") + type + "' in % formatting");
        }
        if (type == 's' || type == 'r') {
            if (precision >= 0) piece = text::encode(text::decode(piece).substr(0, (size_t)precision));
            zero = false;
        }
        out += pad(piece, width, left, zero ? '0' : ' ');
    }
    // Python lets a lone argument that supports item lookup (dict, list) go unused, since it
    // could feed %(name)s fields; any other leftover is an error.
    bool lookup_arg = !args.is_tuple() && (args.is_object() || args.is_array() || args.is_undefined());
    if (next < values.size() && !lookup_arg)
        throw_runtime("not all arguments converted during string formatting");
    return out;
}

}  // namespace akunu::chat::ops
