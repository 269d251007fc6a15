// The jinja2 filters transformers' environment offers, with Python's results (tojson is
// transformers' own: json.dumps without HTML escaping and with ensure_ascii off).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "chat/builtins.h"
#include "chat/call_args.h"
#include "chat/methods.h"
#include "chat/python_text.h"
#include "chat/template_error.h"
#include "chat/value_format.h"
#include "chat/value_ops.h"

namespace akunu::chat {

namespace {

using FilterFn = Value (*)(const Value& v, CallArgs& args, const BuiltinContext& ctx);

// jinja2's attribute getter for filters: "a.b.0" looks up each dotted part with item access,
// integer parts as indexes.
Value lookup_path(const Value& item, const std::string& path) {
    Value cur = item;
    size_t pos = 0;
    while (true) {
        size_t dot = path.find('.', pos);
        std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        bool numeric = !part.empty() && part.size() < 18 && part.find_first_not_of("0123456789") == std::string::npos;
        cur = ops::get_item(cur, numeric ? Value((int64_t)std::stoll(part)) : Value(part));
        if (dot == std::string::npos) return cur;
        pos = dot + 1;
    }
}

Value attribute_or_self(const Value& item, const BoundArgs& a, size_t attr_index) {
    if (!a.present(attr_index)) return item;
    const Value& attr = a.get(attr_index);
    if (attr.is_integral()) return ops::get_item(item, attr);
    return lookup_path(item, to_str(attr));
}

Value ignore_case(const Value& v, bool case_sensitive) {
    if (!case_sensitive && v.is_string()) return Value(text::lower(v.as_string()));
    return v;
}

// Python's sorted(): stable, ordered by "<" on the keys, failing on mixed types.
std::vector<Value> sorted_by(std::vector<Value> items, const std::vector<Value>& keys, bool reverse) {
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        return reverse ? ops::compare(keys[y], keys[x], "<") : ops::compare(keys[x], keys[y], "<");
    });
    std::vector<Value> out;
    out.reserve(items.size());
    for (size_t i : order) out.push_back(items[i]);
    return out;
}

Value f_abs(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "abs", {});
    if (v.is_integral()) return v.as_int() < 0 ? ops::negate(v) : Value(v.as_int());
    if (v.is_float()) return Value(std::fabs(v.as_double()));
    if (v.is_undefined()) ops::fail_undefined(v);
    throw_runtime(std::string("bad operand type for abs(): '") + v.type_name() + "'");
}

// Python's getattr only: unlike obj.name in a template, a dict's keys are not attributes.
Value f_attr(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "attr", {"name"});
    const std::string& name = a.string_at(0);
    if (v.is_undefined()) ops::fail_undefined(v);
    if (v.is_namespace() && !name.empty() && name[0] != '_') {
        if (const Value* found = v.object().find(name)) return *found;
    } else if (!name.empty() && name[0] != '_') {
        if (auto method = find_method(v, name)) return *method;
    }
    std::string hint = "'";
    hint += v.type_name();
    hint += " object' has no attribute '";
    hint += name;
    hint += "'";
    return Value::undefined(std::move(hint));
}

Value f_capitalize(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "capitalize", {});
    return Value(text::capitalize(to_str(v)));
}

Value f_center(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "center", {"width"});
    std::string s = to_str(v);
    int64_t width = a.has(0) ? a.int_at(0) : 80;
    int64_t len = (int64_t)text::length(s);
    if (width <= len) return Value(s);
    int64_t marg = width - len;
    int64_t left = marg / 2 + (marg & width & 1);
    return Value(std::string((size_t)left, ' ') + s + std::string((size_t)(marg - left), ' '));
}

Value f_length(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "length", {});
    return Value(ops::length(v));
}

Value f_default(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "default", {"default_value", "boolean"});
    if (v.is_undefined() || (a.get(1).truthy() && !v.truthy())) return a.get_or(0, Value(""));
    return v;
}

Value f_dictsort(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "dictsort", {"case_sensitive", "by", "reverse"});
    if (!v.is_object()) throw_runtime("You can only sort by either \"key\" or \"value\" of a dict");
    std::string by = a.has(1) ? a.string_at(1) : "key";
    if (by != "key" && by != "value") throw_runtime("You can only sort by either \"key\" or \"value\"");
    std::vector<Value> pairs, keys;
    for (const auto& [k, val] : v.object().entries) {
        pairs.push_back(Value::array({Value(k), val}, true));
        keys.push_back(ignore_case(by == "key" ? Value(k) : val, a.get(0).truthy()));
    }
    return Value::array(sorted_by(std::move(pairs), keys, a.get(2).truthy()));
}

Value f_escape(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "escape", {});
    std::string out;
    for (char c : to_str(v)) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&#34;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return Value(out);
}

Value f_first(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "first", {});
    std::vector<Value> items = ops::iterate(v);
    if (items.empty()) return Value::undefined("No first item, sequence was empty.");
    return items.front();
}

Value f_last(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "last", {});
    std::vector<Value> items = ops::iterate(v);
    if (items.empty()) return Value::undefined("No last item, sequence was empty.");
    return items.back();
}

// Python's float(str): surrounding whitespace, underscores between digits, inf/nan spellings.
std::optional<double> parse_python_float(const std::string& raw) {
    std::string s = text::strip(raw, std::nullopt, true, true);
    std::string clean;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '_') {
            bool between = i > 0 && i + 1 < s.size() && std::isdigit((unsigned char)s[i - 1]) && std::isdigit((unsigned char)s[i + 1]);
            if (!between) return std::nullopt;
            continue;
        }
        clean.push_back(s[i]);
    }
    std::string body = clean;
    double sign = 1;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        if (body[0] == '-') sign = -1;
        body.erase(0, 1);
    }
    std::string low = text::lower(body);
    if (low == "inf" || low == "infinity") return sign * HUGE_VAL;
    if (low == "nan") return std::nan("");
    if (body.empty() || body.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;
    size_t used = 0;
    try {
        double d = std::stod(body, &used);
        if (used != body.size()) return std::nullopt;
        return sign * d;
    } catch (const std::out_of_range&) {
        return body.find("e-") != std::string::npos || body.find("E-") != std::string::npos ? 0.0 * sign : sign * HUGE_VAL;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Python's int(str, base): whitespace, sign, underscores, and a 0x/0o/0b prefix when base is 0 or matches.
std::optional<int64_t> parse_python_int(const std::string& raw, int64_t base) {
    std::string s = text::strip(raw, std::nullopt, true, true);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.erase(0, 1);
    }
    if (s.size() > 1 && s[0] == '0') {
        char p = (char)(s[1] | 0x20);
        int prefix_base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
        if (prefix_base && (base == 0 || base == prefix_base)) {
            s.erase(0, 2);
            if (!s.empty() && s[0] == '_') s.erase(0, 1);
            base = prefix_base;
        }
    }
    if (base == 0) base = 10;
    if (base < 2 || base > 36 || s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
    unsigned __int128 v = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_') {
            if (s[i - 1] == '_') return std::nullopt;
            continue;
        }
        int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10 : 99;
        if (d >= base) return std::nullopt;
        v = v * (unsigned)base + (unsigned)d;
        if (v > (unsigned __int128)INT64_MAX + 1) throw TemplateError(TemplateErrorKind::Limit, "integer beyond 64 bits");
    }
    if (!negative && v > (unsigned __int128)INT64_MAX) throw TemplateError(TemplateErrorKind::Limit, "integer beyond 64 bits");
    return negative ? -(int64_t)(v - 1) - 1 : (int64_t)v;
}

Value f_float(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "float", {"default"});
    Value fallback = a.get_or(0, Value(0.0));
    if (v.is_undefined()) ops::fail_undefined(v);
    if (v.is_number()) return Value(v.as_double());
    if (v.is_string()) {
        if (auto d = parse_python_float(v.as_string())) return Value(*d);
    }
    return fallback;
}

Value f_int(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "int", {"default", "base"});
    Value fallback = a.get_or(0, Value((int64_t)0));
    int64_t base = a.has(1) ? a.int_at(1) : 10;
    if (v.is_undefined()) ops::fail_undefined(v);
    if (v.is_integral()) return Value(v.as_int());
    if (v.is_float()) {
        double d = v.as_double();
        if (std::isnan(d) || std::isinf(d)) return fallback;
        if (std::fabs(d) >= 9.2e18) throw TemplateError(TemplateErrorKind::Limit, "integer beyond 64 bits");
        return Value((int64_t)std::trunc(d));
    }
    if (v.is_string()) {
        if (auto i = parse_python_int(v.as_string(), base)) return Value(*i);
        if (auto d = parse_python_float(v.as_string())) {
            if (std::isnan(*d) || std::isinf(*d)) return fallback;
            if (std::fabs(*d) >= 9.2e18) throw TemplateError(TemplateErrorKind::Limit, "integer beyond 64 bits");
            return Value((int64_t)std::trunc(*d));
        }
    }
    return fallback;
}

Value f_format(const Value& v, CallArgs& args, const BuiltinContext&) {
    if (!args.named.empty()) throw_unsupported("keyword arguments to the format filter");
    return Value(ops::percent_format(to_str(v), Value::array(args.positional, true)));
}

Value f_indent(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "indent", {"width", "first", "blank"});
    std::string indention;
    if (a.has(0) && a.get(0).is_string())
        indention = a.get(0).as_string();
    else
        indention = std::string((size_t)std::max<int64_t>(0, a.has(0) ? a.int_at(0) : 4), ' ');
    // jinja2 appends "\n" to the value itself (so splitlines keeps a trailing empty line), which
    // only strings allow.
    if (v.is_undefined()) ops::fail_undefined(v);
    if (!v.is_string())
        throw_runtime(std::string("unsupported operand type(s) for +=: '") + v.type_name() + "' and 'str'");
    std::string s = v.as_string() + "\n";
    std::vector<std::string> lines = text::splitlines(s, false);
    std::string out;
    if (a.get(2).truthy()) {
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i) out += "\n" + indention;
            out += lines[i];
        }
    } else {
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i) {
                out += "\n";
                if (!lines[i].empty()) out += indention;
            }
            out += lines[i];
        }
    }
    if (a.get(1).truthy()) out = indention + out;
    return Value(out);
}

Value f_items(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "items", {});
    if (v.is_undefined()) return Value::array({});
    if (!v.is_object()) throw_runtime("Can only get item pairs from a mapping.");
    std::vector<Value> pairs;
    for (const auto& [k, val] : v.object().entries) pairs.push_back(Value::array({Value(k), val}, true));
    return Value::array(std::move(pairs));
}

Value f_join(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "join", {"d", "attribute"});
    std::string sep = a.has(0) ? to_str(a.get(0)) : "";
    std::string out;
    bool first = true;
    for (const Value& item : ops::iterate(v)) {
        if (!first) out += sep;
        first = false;
        out += to_str(attribute_or_self(item, a, 1));
    }
    return Value(out);
}

Value f_list(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "list", {});
    return Value::array(ops::iterate(v));
}

Value f_lower(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "lower", {});
    return Value(text::lower(to_str(v)));
}

Value f_upper(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "upper", {});
    return Value(text::upper(to_str(v)));
}

// jinja2's do_title: words begin after whitespace or one of - ( { [ <.
Value f_title(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "title", {});
    std::u32string cps = text::decode(to_str(v));
    auto is_break = [](char32_t c) { return text::is_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<'; };
    std::string out;
    bool word_start = true;
    for (char32_t c : cps) {
        std::string one;
        text::append_utf8(one, c);
        if (is_break(c)) {
            out += one;
            word_start = true;
        } else {
            out += word_start ? text::upper(one) : text::lower(one);
            word_start = false;
        }
    }
    return Value(out);
}

Value f_map(const Value& v, CallArgs& args, const BuiltinContext& ctx) {
    std::vector<Value> out;
    const Value* attribute = nullptr;
    const Value* fallback = nullptr;
    for (const auto& [k, val] : args.named) {
        if (k == "attribute") attribute = &val;
        else if (k == "default") fallback = &val;
    }
    if (attribute) {
        for (const auto& [k, val] : args.named)
            if (k != "attribute" && k != "default") throw_runtime("Unexpected keyword argument '" + k + "'");
        if (!args.positional.empty()) throw_runtime("Unexpected positional arguments to map with attribute=");
        for (const Value& item : ops::iterate(v)) {
            Value got = attribute->is_integral() ? ops::get_item(item, *attribute) : lookup_path(item, to_str(*attribute));
            if (got.is_undefined() && fallback) got = *fallback;
            out.push_back(got);
        }
        return Value::array(std::move(out));
    }
    if (args.positional.empty()) throw_runtime("map requires a filter argument");
    if (!args.positional[0].is_string()) throw_runtime("map's filter name must be a string");
    std::string name = args.positional[0].as_string();
    if (filter_status(name) != BuiltinStatus::Available) throw_runtime("No filter named '" + name + "'");
    CallArgs rest;
    rest.positional.assign(args.positional.begin() + 1, args.positional.end());
    rest.named = args.named;
    for (const Value& item : ops::iterate(v)) {
        CallArgs copy = rest;
        out.push_back(ctx.filter(name, item, copy));
    }
    return Value::array(std::move(out));
}

Value aggregate(const Value& v, CallArgs& args, const char* name, bool want_max) {
    BoundArgs a(args, name, {"case_sensitive", "attribute"});
    std::vector<Value> items = ops::iterate(v);
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    size_t best = 0;
    Value best_key = ignore_case(attribute_or_self(items[0], a, 1), a.get(0).truthy());
    for (size_t i = 1; i < items.size(); ++i) {
        Value key = ignore_case(attribute_or_self(items[i], a, 1), a.get(0).truthy());
        if (want_max ? ops::compare(key, best_key, ">") : ops::compare(key, best_key, "<")) {
            best = i;
            best_key = key;
        }
    }
    return items[best];
}

Value f_max(const Value& v, CallArgs& args, const BuiltinContext&) { return aggregate(v, args, "max", true); }
Value f_min(const Value& v, CallArgs& args, const BuiltinContext&) { return aggregate(v, args, "min", false); }

// select / reject / selectattr / rejectattr: keep items whose (attribute's) test result is `keep`.
Value select_items(const Value& v, CallArgs& args, const BuiltinContext& ctx, bool by_attribute, bool keep) {
    size_t next = 0;
    std::string attribute;
    if (by_attribute) {
        if (args.positional.empty()) throw_runtime("selectattr/rejectattr need an attribute name");
        attribute = to_str(args.positional[0]);
        next = 1;
    }
    std::optional<std::string> test;
    if (args.positional.size() > next) {
        if (!args.positional[next].is_string()) throw_runtime("the test name must be a string");
        test = args.positional[next].as_string();
        if (test_status(*test) != BuiltinStatus::Available) throw_runtime("No test named '" + *test + "'");
        ++next;
    }
    CallArgs test_args;
    test_args.positional.assign(args.positional.begin() + (long)std::min(next, args.positional.size()), args.positional.end());
    test_args.named = args.named;
    std::vector<Value> out;
    for (const Value& item : ops::iterate(v)) {
        Value subject = by_attribute ? lookup_path(item, attribute) : item;
        bool result;
        if (test) {
            CallArgs copy = test_args;
            result = ctx.test(*test, subject, copy);
        } else {
            result = subject.truthy();
        }
        if (result == keep) out.push_back(item);
    }
    return Value::array(std::move(out));
}

Value f_select(const Value& v, CallArgs& a, const BuiltinContext& c) { return select_items(v, a, c, false, true); }
Value f_reject(const Value& v, CallArgs& a, const BuiltinContext& c) { return select_items(v, a, c, false, false); }
Value f_selectattr(const Value& v, CallArgs& a, const BuiltinContext& c) { return select_items(v, a, c, true, true); }
Value f_rejectattr(const Value& v, CallArgs& a, const BuiltinContext& c) { return select_items(v, a, c, true, false); }

Value f_replace(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "replace", {"old", "new", "count"});
    int64_t count = a.present(2) ? a.int_at(2) : -1;
    return Value(text::replace(to_str(v), to_str(a.get(0)), to_str(a.get(1)), count));
}

Value f_reverse(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "reverse", {});
    if (v.is_string()) {
        std::u32string cps = text::decode(v.as_string());
        std::reverse(cps.begin(), cps.end());
        return Value(text::encode(cps));
    }
    std::vector<Value> items = ops::iterate(v);
    std::reverse(items.begin(), items.end());
    return Value::array(std::move(items));
}

// Python's round(x, n): the decimal nearest the exact binary value, ties to even. glibc's
// printf rounds exactly that way, so 2.675 (really 2.67499999...) rounds to 2.67.
double python_round(double x, int64_t digits) {
    if (std::isnan(x) || std::isinf(x)) return x;
    if (digits >= 0) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%.*f", (int)std::min<int64_t>(digits, 340), x);
        return std::strtod(buf, nullptr);
    }
    if (digits < -308) return 0.0 * x;
    double scale = std::pow(10.0, (double)-digits);
    return std::nearbyint(x / scale) * scale;
}

Value f_round(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "round", {"precision", "method"});
    int64_t precision = a.has(0) ? a.int_at(0) : 0;
    std::string method = a.has(1) ? a.string_at(1) : "common";
    if (v.is_undefined()) ops::fail_undefined(v);
    if (!v.is_number()) throw_runtime(std::string("type ") + v.type_name() + " doesn't define __round__ method");
    if (method != "common" && method != "ceil" && method != "floor")
        throw_runtime("method must be 'common', 'ceil' or 'floor'");
    double x = v.as_double();
    if (method == "common") {
        if (v.is_integral() && precision >= 0) return Value(v.as_int());  // round(int, n) stays an int
        if (v.is_integral()) {
            double r = python_round(x, precision);
            if (std::fabs(r) >= 9.2e18) throw TemplateError(TemplateErrorKind::Limit, "integer beyond 64 bits");
            return Value((int64_t)r);
        }
        return Value(python_round(x, precision));
    }
    double scale = std::pow(10.0, (double)precision);
    return Value((method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale)) / scale);
}

Value f_safe(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "safe", {});
    return Value(to_str(v));
}

Value f_sort(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "sort", {"reverse", "case_sensitive", "attribute"});
    std::vector<Value> items = ops::iterate(v);
    std::vector<Value> keys;
    for (const Value& item : items) keys.push_back(ignore_case(attribute_or_self(item, a, 2), a.get(1).truthy()));
    return Value::array(sorted_by(std::move(items), keys, a.get(0).truthy()));
}

Value f_string(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs(args, "string", {});
    return Value(to_str(v));
}

Value f_sum(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "sum", {"attribute", "start"});
    Value total = a.get_or(1, Value((int64_t)0));
    for (const Value& item : ops::iterate(v)) total = ops::add(total, attribute_or_self(item, a, 0));
    return total;
}

Value f_tojson(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "tojson", {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonOptions opt;
    opt.ensure_ascii = a.get(0).truthy();
    if (a.present(1)) {
        const Value& indent = a.get(1);
        if (indent.is_string())
            opt.indent = indent.as_string();
        else if (indent.is_integral())
            opt.indent = std::string((size_t)std::clamp<int64_t>(indent.as_int(), 0, 4096), ' ');
        else
            throw_runtime(std::string("tojson indent must be an int or a str, not ") + indent.type_name());
    }
    if (a.present(2)) {
        const Value& sep = a.get(2);
        if (!sep.is_array() || sep.items().size() != 2 || !sep.items()[0].is_string() || !sep.items()[1].is_string())
            throw_runtime("tojson separators must be a pair of strings");
        opt.item_separator = sep.items()[0].as_string();
        opt.key_separator = sep.items()[1].as_string();
    }
    opt.sort_keys = a.get(3).truthy();
    return Value(to_json(v, opt));
}

Value f_trim(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "trim", {"chars"});
    std::optional<std::string> chars;
    if (a.present(0)) chars = to_str(a.get(0));
    return Value(text::strip(to_str(v), chars, true, true));
}

Value f_unique(const Value& v, CallArgs& args, const BuiltinContext&) {
    BoundArgs a(args, "unique", {"case_sensitive", "attribute"});
    std::vector<Value> out, seen;
    for (const Value& item : ops::iterate(v)) {
        Value key = ignore_case(attribute_or_self(item, a, 1), a.get(0).truthy());
        bool dup = false;
        for (const Value& s : seen)
            if (ops::equals(s, key)) dup = true;
        if (dup) continue;
        seen.push_back(key);
        out.push_back(item);
    }
    return Value::array(std::move(out));
}

const std::unordered_map<std::string, FilterFn>& filter_table() {
    static const std::unordered_map<std::string, FilterFn> table = {
        {"abs", f_abs},         {"attr", f_attr},         {"capitalize", f_capitalize}, {"center", f_center},
        {"count", f_length},    {"d", f_default},         {"default", f_default},       {"dictsort", f_dictsort},
        {"e", f_escape},        {"escape", f_escape},     {"first", f_first},           {"float", f_float},
        {"forceescape", f_escape}, {"format", f_format},  {"indent", f_indent},         {"int", f_int},
        {"items", f_items},     {"join", f_join},         {"last", f_last},             {"length", f_length},
        {"list", f_list},       {"lower", f_lower},       {"map", f_map},               {"max", f_max},
        {"min", f_min},         {"reject", f_reject},     {"rejectattr", f_rejectattr}, {"replace", f_replace},
        {"reverse", f_reverse}, {"round", f_round},       {"safe", f_safe},             {"select", f_select},
        {"selectattr", f_selectattr}, {"sort", f_sort},   {"string", f_string},         {"sum", f_sum},
        {"title", f_title},     {"tojson", f_tojson},     {"trim", f_trim},             {"unique", f_unique},
        {"upper", f_upper},
    };
    return table;
}

// jinja2 builtins left out: a template naming one gets an "unsupported" error, not "unknown".
const char* const kUnsupportedFilters[] = {"batch", "filesizeformat", "groupby", "pprint", "random", "slice",
                                           "striptags", "truncate", "urlencode", "urlize", "wordcount",
                                           "wordwrap", "xmlattr"};

}  // namespace

BuiltinStatus filter_status(const std::string& name) {
    if (filter_table().count(name)) return BuiltinStatus::Available;
    for (const char* u : kUnsupportedFilters)
        if (name == u) return BuiltinStatus::Unsupported;
    return BuiltinStatus::Unknown;
}

Value apply_filter(const std::string& name, const Value& operand, CallArgs& args, const BuiltinContext& ctx) {
    auto it = filter_table().find(name);
    if (it == filter_table().end()) throw_runtime("No filter named '" + name + "'");
    return it->second(operand, args, ctx);
}

}  // namespace akunu::chat
