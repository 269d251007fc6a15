#include "chat/methods.h"

#include <functional>
#include <unordered_map>

#include "chat/call_args.h"
#include "chat/python_text.h"
#include "chat/template_error.h"
#include "chat/value_format.h"
#include "chat/value_ops.h"

namespace akunu::chat {

namespace {

using Method = std::function<Value(const Value& self, const CallArgs& args)>;

std::optional<std::string> optional_string(const BoundArgs& a, size_t i) {
    if (!a.present(i)) return std::nullopt;
    return a.string_at(i);
}

// startswith/endswith: a str or a tuple of str, optionally within [start:end].
Value affix_test(const Value& self, const CallArgs& args, const char* name, bool prefix) {
    BoundArgs a(args, name, {"affix", "start", "end"});
    std::string s = self.as_string();
    if (a.present(1) || a.present(2)) {
        std::optional<int64_t> start, end;
        if (a.present(1)) start = a.int_at(1);
        if (a.present(2)) end = a.int_at(2);
        s = ops::slice(self, start, end, std::nullopt).as_string();
    }
    std::vector<Value> candidates = a.get(0).is_tuple() ? a.get(0).items() : std::vector<Value>{a.get(0)};
    for (const Value& c : candidates) {
        if (!c.is_string())
            throw_runtime(std::string(name) + " first arg must be str or a tuple of str, not " + c.type_name());
        const std::string& x = c.as_string();
        if (x.size() > s.size()) continue;
        if (prefix ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0) return Value(true);
    }
    return Value(false);
}

Value string_list(std::vector<std::string> parts) {
    std::vector<Value> items;
    items.reserve(parts.size());
    for (auto& p : parts) items.emplace_back(std::move(p));
    return Value::array(std::move(items));
}

Value split_method(const Value& self, const CallArgs& args, const char* name, bool from_right) {
    BoundArgs a(args, name, {"sep", "maxsplit"});
    std::optional<std::string> sep = optional_string(a, 0);
    if (sep && sep->empty()) throw_runtime("empty separator");
    int64_t maxsplit = a.has(1) ? a.int_at(1) : -1;
    return string_list(from_right ? text::rsplit(self.as_string(), sep, maxsplit)
                                  : text::split(self.as_string(), sep, maxsplit));
}

bool all_chars(const std::string& s, bool (*pred)(char32_t)) {
    std::u32string cps = text::decode(s);
    if (cps.empty()) return false;
    for (char32_t c : cps)
        if (!pred(c)) return false;
    return true;
}

// str.format with automatic ({}), numbered ({0}) and named ({name}) fields; format specs
// and conversions are refused rather than guessed.
std::string str_format(const std::string& fmt, const CallArgs& args) {
    std::string out;
    size_t auto_index = 0;
    for (size_t i = 0; i < fmt.size(); ++i) {
        char c = fmt[i];
        if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out.push_back('{');
            ++i;
            continue;
        }
        if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
            out.push_back('}');
            ++i;
            continue;
        }
        if (c == '}') throw_runtime("Single '}' encountered in format string");
        if (c != '{') {
            out.push_back(c);
            continue;
        }
        size_t close = fmt.find('}', i);
        if (close == std::string::npos) throw_runtime("Single '{' encountered in format string");
        std::string field = fmt.substr(i + 1, close - i - 1);
        if (field.find_first_of(":!.[") != std::string::npos)
            throw_unsupported("format spec or conversion in str.format field '{" + field + "}'");
        const Value* v = nullptr;
        if (field.empty()) {
            if (auto_index >= args.positional.size()) throw_runtime("Replacement index out of range for str.format");
            v = &args.positional[auto_index++];
        } else if (field.find_first_not_of("0123456789") == std::string::npos) {
            size_t idx = field.size() > 6 ? args.positional.size() : std::stoul(field);
            if (idx >= args.positional.size()) throw_runtime("Replacement index out of range for str.format");
            v = &args.positional[idx];
        } else {
            for (const auto& [k, val] : args.named)
                if (k == field) v = &val;
            if (!v) throw_runtime("KeyError: '" + field + "'");
        }
        out += to_str(*v);
        i = close;
    }
    return out;
}

const std::unordered_map<std::string, Method>& string_methods() {
    static const std::unordered_map<std::string, Method> table = {
        {"startswith", [](const Value& s, const CallArgs& a) { return affix_test(s, a, "startswith", true); }},
        {"endswith", [](const Value& s, const CallArgs& a) { return affix_test(s, a, "endswith", false); }},
        {"strip",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "strip", {"chars"});
             return Value(text::strip(s.as_string(), optional_string(a, 0), true, true));
         }},
        {"lstrip",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "lstrip", {"chars"});
             return Value(text::strip(s.as_string(), optional_string(a, 0), true, false));
         }},
        {"rstrip",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "rstrip", {"chars"});
             return Value(text::strip(s.as_string(), optional_string(a, 0), false, true));
         }},
        {"split", [](const Value& s, const CallArgs& a) { return split_method(s, a, "split", false); }},
        {"rsplit", [](const Value& s, const CallArgs& a) { return split_method(s, a, "rsplit", true); }},
        {"splitlines",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "splitlines", {"keepends"});
             return string_list(text::splitlines(s.as_string(), a.get(0).truthy()));
         }},
        {"upper", [](const Value& s, const CallArgs& a) { BoundArgs(a, "upper", {}); return Value(text::upper(s.as_string())); }},
        {"lower", [](const Value& s, const CallArgs& a) { BoundArgs(a, "lower", {}); return Value(text::lower(s.as_string())); }},
        {"casefold", [](const Value& s, const CallArgs& a) { BoundArgs(a, "casefold", {}); return Value(text::lower(s.as_string())); }},
        {"title", [](const Value& s, const CallArgs& a) { BoundArgs(a, "title", {}); return Value(text::title(s.as_string())); }},
        {"capitalize",
         [](const Value& s, const CallArgs& a) { BoundArgs(a, "capitalize", {}); return Value(text::capitalize(s.as_string())); }},
        {"replace",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "replace", {"old", "new", "count"});
             int64_t count = a.has(2) ? a.int_at(2) : -1;
             return Value(text::replace(s.as_string(), a.string_at(0), a.string_at(1), count));
         }},
        {"find",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "find", {"sub"});
             return Value(text::find(s.as_string(), a.string_at(0), false));
         }},
        {"rfind",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "rfind", {"sub"});
             return Value(text::find(s.as_string(), a.string_at(0), true));
         }},
        {"index",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "index", {"sub"});
             int64_t i = text::find(s.as_string(), a.string_at(0), false);
             if (i < 0) throw_runtime("substring not found");
             return Value(i);
         }},
        {"count",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "count", {"sub"});
             return Value(text::count(s.as_string(), a.string_at(0)));
         }},
        {"join",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "join", {"iterable"});
             std::string out;
             size_t i = 0;
             for (const Value& item : ops::iterate(a.get(0))) {
                 if (!item.is_string())
                     throw_runtime("sequence item " + std::to_string(i) + ": expected str instance, " +
                                   item.type_name() + " found");
                 if (i++) out += s.as_string();
                 out += item.as_string();
             }
             return Value(out);
         }},
        {"removeprefix",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "removeprefix", {"prefix"});
             const std::string &x = s.as_string(), &p = a.string_at(0);
             return Value(x.compare(0, p.size(), p) == 0 ? x.substr(p.size()) : x);
         }},
        {"removesuffix",
         [](const Value& s, const CallArgs& args) {
             BoundArgs a(args, "removesuffix", {"suffix"});
             const std::string &x = s.as_string(), &p = a.string_at(0);
             bool ends = !p.empty() && x.size() >= p.size() && x.compare(x.size() - p.size(), p.size(), p) == 0;
             return Value(ends ? x.substr(0, x.size() - p.size()) : x);
         }},
        {"isdigit", [](const Value& s, const CallArgs& a) { BoundArgs(a, "isdigit", {}); return Value(all_chars(s.as_string(), text::is_digit)); }},
        {"isalpha", [](const Value& s, const CallArgs& a) { BoundArgs(a, "isalpha", {}); return Value(all_chars(s.as_string(), text::is_alpha)); }},
        {"isalnum",
         [](const Value& s, const CallArgs& a) {
             BoundArgs(a, "isalnum", {});
             return Value(all_chars(s.as_string(), [](char32_t c) { return text::is_alpha(c) || text::is_digit(c); }));
         }},
        {"isspace", [](const Value& s, const CallArgs& a) { BoundArgs(a, "isspace", {}); return Value(all_chars(s.as_string(), text::is_space)); }},
        {"isupper",
         [](const Value& s, const CallArgs& a) {
             BoundArgs(a, "isupper", {});
             bool cased = false;
             for (char32_t c : text::decode(s.as_string())) {
                 if (text::is_lower(c)) return Value(false);
                 cased = cased || text::is_upper(c);
             }
             return Value(cased);
         }},
        {"islower",
         [](const Value& s, const CallArgs& a) {
             BoundArgs(a, "islower", {});
             bool cased = false;
             for (char32_t c : text::decode(s.as_string())) {
                 if (text::is_upper(c)) return Value(false);
                 cased = cased || text::is_lower(c);
             }
             return Value(cased);
         }},
        {"format", [](const Value& s, const CallArgs& a) { return Value(str_format(s.as_string(), a)); }},
    };
    return table;
}

const std::unordered_map<std::string, Method>& dict_methods() {
    static const std::unordered_map<std::string, Method> table = {
        {"items",
         [](const Value& d, const CallArgs& a) {
             BoundArgs(a, "items", {});
             std::vector<Value> pairs;
             for (const auto& [k, v] : d.object().entries) pairs.push_back(Value::array({Value(k), v}, true));
             return Value::array(std::move(pairs));
         }},
        {"keys",
         [](const Value& d, const CallArgs& a) {
             BoundArgs(a, "keys", {});
             return Value::array(ops::iterate(d));
         }},
        {"values",
         [](const Value& d, const CallArgs& a) {
             BoundArgs(a, "values", {});
             std::vector<Value> values;
             for (const auto& e : d.object().entries) values.push_back(e.second);
             return Value::array(std::move(values));
         }},
        {"get",
         [](const Value& d, const CallArgs& args) {
             BoundArgs a(args, "get", {"key", "default"});
             if (a.get(0).is_string()) {
                 if (const Value* v = d.object().find(a.get(0).as_string())) return *v;
             }
             return a.get_or(1, Value::none());
         }},
        {"copy", [](const Value& d, const CallArgs& a) {
             BoundArgs(a, "copy", {});
             return Value::object(std::make_shared<ObjectData>(d.object()));
         }},
    };
    return table;
}

const std::unordered_map<std::string, Method>& list_methods() {
    static const std::unordered_map<std::string, Method> table = {
        {"index",
         [](const Value& l, const CallArgs& args) {
             BoundArgs a(args, "index", {"value"});
             const auto& items = l.items();
             for (size_t i = 0; i < items.size(); ++i)
                 if (ops::equals(items[i], a.get(0))) return Value((int64_t)i);
             throw_runtime(to_repr(a.get(0)) + " is not in list");
         }},
        {"count",
         [](const Value& l, const CallArgs& args) {
             BoundArgs a(args, "count", {"value"});
             int64_t n = 0;
             for (const Value& v : l.items()) n += ops::equals(v, a.get(0)) ? 1 : 0;
             return Value(n);
         }},
    };
    return table;
}

bool is_mutator(const Value& receiver, const std::string& name) {
    static const char* list_mutators[] = {"append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"};
    static const char* dict_mutators[] = {"pop", "popitem", "setdefault", "update", "clear"};
    if (receiver.is_array() && !receiver.is_tuple()) {
        for (const char* m : list_mutators)
            if (name == m) return true;
    }
    if (receiver.is_object()) {
        for (const char* m : dict_mutators)
            if (name == m) return true;
    }
    return false;
}

Value bind(const Value& receiver, const std::string& name, const Method& method) {
    return Value::function(name, [receiver, method](CallArgs& args) { return method(receiver, args); });
}

}  // namespace

std::optional<Value> find_method(const Value& receiver, const std::string& name) {
    const std::unordered_map<std::string, Method>* table = nullptr;
    if (receiver.is_string())
        table = &string_methods();
    else if (receiver.is_object())
        table = &dict_methods();
    else if (receiver.is_array())
        table = &list_methods();
    if (table) {
        auto it = table->find(name);
        if (it != table->end()) return bind(receiver, name, it->second);
    }
    if (is_mutator(receiver, name)) {
        std::string message = "access to attribute '" + name + "' of '" + receiver.type_name() +
                              "' object is unsafe (the sandbox keeps lists and dicts immutable)";
        return Value::function(name, [message](CallArgs&) -> Value { throw_runtime(message); });
    }
    return std::nullopt;
}

}  // namespace akunu::chat
