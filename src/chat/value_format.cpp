#include "chat/value_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "chat/python_text.h"
#include "chat/template_error.h"

namespace akunu::chat {

namespace {

// Deeper than any real message or tool schema; a self-containing namespace stops here instead
// of exhausting the stack.
constexpr int kMaxNesting = 512;

void check_depth(int depth) {
    if (depth > kMaxNesting) throw TemplateError(TemplateErrorKind::Limit, "value nested too deeply to print");
}

// Code points Python's repr() escapes beyond ASCII controls: C1 controls, separators,
// format characters, surrogates (our stand-ins for stray bytes) and private use.
bool repr_escapes(char32_t c) {
    if (c < 0x20 || c == 0x7F) return true;
    if (c < 0x80) return false;
    return (c >= 0x80 && c <= 0xA0) || c == 0xAD || c == 0x61C || c == 0x180E || (c >= 0x2000 && c <= 0x200F) ||
           (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F) || c == 0x3000 ||
           (c >= 0xD800 && c <= 0xDFFF) || (c >= 0xE000 && c <= 0xF8FF) || c == 0xFEFF ||
           (c >= 0xFFF9 && c <= 0xFFFB) || c == 0xFFFE || c == 0xFFFF;
}

void append_hex(std::string& out, const char* prefix, uint32_t v, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*x", digits, v);
    out += prefix;
    out += buf;
}

std::string string_repr(const std::string& s) {
    char quote = '\'';
    if (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) quote = '"';
    std::string out(1, quote);
    for (char32_t c : text::decode(s)) {
        if (c == (char32_t)quote || c == '\\') {
            out.push_back('\\');
            out.push_back((char)c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (repr_escapes(c)) {
            if (c < 0x100)
                append_hex(out, "\\x", c, 2);
            else if (c < 0x10000)
                append_hex(out, "\\u", c, 4);
            else
                append_hex(out, "\\U", c, 8);
        } else {
            text::append_utf8(out, c);
        }
    }
    out.push_back(quote);
    return out;
}

void append_repr(std::string& out, const Value& v, int depth);

void append_items(std::string& out, const Value& v, int depth) {
    const auto& items = v.items();
    bool tuple = v.is_tuple();
    out.push_back(tuple ? '(' : '[');
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        append_repr(out, items[i], depth + 1);
    }
    if (tuple && items.size() == 1) out.push_back(',');
    out.push_back(tuple ? ')' : ']');
}

void append_dict(std::string& out, const ObjectData& obj, int depth) {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, val] : obj.entries) {
        if (!first) out += ", ";
        first = false;
        out += string_repr(k);
        out += ": ";
        append_repr(out, val, depth + 1);
    }
    out.push_back('}');
}

void append_repr(std::string& out, const Value& v, int depth) {
    check_depth(depth);
    switch (v.type()) {
        case Value::Type::Undefined: out += "Undefined"; return;
        case Value::Type::String: out += string_repr(v.as_string()); return;
        case Value::Type::Array: append_items(out, v, depth); return;
        case Value::Type::Object: append_dict(out, v.object(), depth); return;
        case Value::Type::Namespace:
            out += "<Namespace ";
            append_dict(out, v.object(), depth);
            out += ">";
            return;
        default: out += to_str(v); return;
    }
}

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
    out.push_back('"');
    auto escape_unit = [&](uint32_t u) { append_hex(out, "\\u", u, 4); };
    for (char32_t c : text::decode(s)) {
        switch (c) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            default: break;
        }
        if (c < 0x20) {
            escape_unit(c);
        } else if (ensure_ascii && c >= 0x80) {
            if (c >= 0x10000) {
                char32_t v = c - 0x10000;
                escape_unit(0xD800 + (v >> 10));
                escape_unit(0xDC00 + (v & 0x3FF));
            } else {
                escape_unit(c);
            }
        } else {
            text::append_utf8(out, c);
        }
    }
    out.push_back('"');
}

struct JsonWriter {
    const JsonOptions& opt;
    std::string item_sep, key_sep;
    std::string out;

    void newline(int level) {
        out.push_back('\n');
        for (int i = 0; i < level; ++i) out += *opt.indent;
    }

    void write(const Value& v, int level) {
        check_depth(level);
        switch (v.type()) {
            case Value::Type::None: out += "null"; return;
            case Value::Type::Bool: out += v.as_bool() ? "true" : "false"; return;
            case Value::Type::Int: out += std::to_string(v.as_int()); return;
            case Value::Type::Float: {
                double d = v.as_double();
                if (std::isnan(d))
                    out += "NaN";
                else if (std::isinf(d))
                    out += d > 0 ? "Infinity" : "-Infinity";
                else
                    out += float_repr(d);
                return;
            }
            case Value::Type::String: append_json_string(out, v.as_string(), opt.ensure_ascii); return;
            case Value::Type::Array: {
                const auto& items = v.items();
                if (items.empty()) {
                    out += "[]";
                    return;
                }
                out.push_back('[');
                for (size_t i = 0; i < items.size(); ++i) {
                    if (i) out += item_sep;
                    if (opt.indent) newline(level + 1);
                    write(items[i], level + 1);
                }
                if (opt.indent) newline(level);
                out.push_back(']');
                return;
            }
            case Value::Type::Object: {
                std::vector<const std::pair<std::string, Value>*> entries;
                for (const auto& e : v.object().entries) entries.push_back(&e);
                if (entries.empty()) {
                    out += "{}";
                    return;
                }
                if (opt.sort_keys)
                    std::stable_sort(entries.begin(), entries.end(),
                                     [](auto* a, auto* b) { return a->first < b->first; });
                out.push_back('{');
                for (size_t i = 0; i < entries.size(); ++i) {
                    if (i) out += item_sep;
                    if (opt.indent) newline(level + 1);
                    append_json_string(out, entries[i]->first, opt.ensure_ascii);
                    out += key_sep;
                    write(entries[i]->second, level + 1);
                }
                if (opt.indent) newline(level);
                out.push_back('}');
                return;
            }
            default:
                throw_runtime(std::string("Object of type ") + v.type_name() + " is not JSON serializable");
        }
    }
};

}  // namespace

std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    std::string sign;
    if (!sci.empty() && sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    size_t e = sci.find('e');
    std::string mantissa = sci.substr(0, e);
    int exp = std::stoi(sci.substr(e + 1));
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits.push_back(c);
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();

    if (exp < -4 || exp >= 16) {
        std::string out = sign + digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        out += exp < 0 ? "e-" : "e+";
        int a = exp < 0 ? -exp : exp;
        if (a < 10) out += "0";
        return out + std::to_string(a);
    }
    if (exp < 0) return sign + "0." + std::string((size_t)(-exp - 1), '0') + digits;
    std::string int_part = digits.substr(0, std::min(digits.size(), (size_t)exp + 1));
    while (int_part.size() < (size_t)exp + 1) int_part.push_back('0');
    std::string frac = digits.size() > (size_t)exp + 1 ? digits.substr((size_t)exp + 1) : "0";
    return sign + int_part + "." + frac;
}

std::string to_str(const Value& v) {
    switch (v.type()) {
        case Value::Type::Undefined: return "";
        case Value::Type::None: return "None";
        case Value::Type::Bool: return v.as_bool() ? "True" : "False";
        case Value::Type::Int: return std::to_string(v.as_int());
        case Value::Type::Float: return float_repr(v.as_double());
        case Value::Type::String: return v.as_string();
        case Value::Type::Function: return "<function " + v.function().name + ">";
        default: {
            std::string out;
            append_repr(out, v, 0);
            return out;
        }
    }
}

std::string to_repr(const Value& v) {
    std::string out;
    append_repr(out, v, 0);
    return out;
}

std::string to_json(const Value& v, const JsonOptions& options) {
    JsonWriter w{options, {}, {}, {}};
    w.item_sep = options.item_separator.value_or(options.indent ? "," : ", ");
    w.key_sep = options.key_separator.value_or(": ");
    w.write(v, 0);
    return std::move(w.out);
}

}  // namespace akunu::chat
