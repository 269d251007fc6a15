#include "chat/globals.h"

#include "chat/call_args.h"
#include "chat/template_error.h"
#include "chat/value_format.h"

namespace akunu::chat {

namespace {

// jinja2's sandbox refuses larger ranges (MAX_RANGE), which also bounds loops over them.
constexpr int64_t kMaxRange = 100000;

Value range_fn(CallArgs& args) {
    if (!args.named.empty()) throw_runtime("range() takes no keyword arguments");
    if (args.positional.empty() || args.positional.size() > 3)
        throw_runtime("range expected 1 to 3 arguments, got " + std::to_string(args.positional.size()));
    for (const Value& v : args.positional)
        if (!v.is_integral()) throw_runtime(std::string("'") + v.type_name() + "' object cannot be interpreted as an integer");
    int64_t start = 0, stop, step = 1;
    if (args.positional.size() == 1) {
        stop = args.positional[0].as_int();
    } else {
        start = args.positional[0].as_int();
        stop = args.positional[1].as_int();
        if (args.positional.size() == 3) step = args.positional[2].as_int();
    }
    if (step == 0) throw_runtime("range() arg 3 must not be zero");
    // Count in 128 bits: the span of two int64 values can exceed 64 bits.
    __int128 span = (__int128)stop - start;
    __int128 count = 0;
    if (step > 0 && span > 0) count = (span + step - 1) / step;
    if (step < 0 && span < 0) count = (-span + (-(__int128)step) - 1) / (-(__int128)step);
    if (count > kMaxRange)
        throw_runtime("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    std::vector<Value> items;
    items.reserve((size_t)count);
    for (__int128 i = 0; i < count; ++i) items.emplace_back((int64_t)(start + i * step));
    return Value::array(std::move(items));
}

// dict(...) and namespace(...) both take an optional mapping then keyword arguments.
std::shared_ptr<ObjectData> mapping_from_args(const CallArgs& args, const char* name) {
    auto data = std::make_shared<ObjectData>();
    if (args.positional.size() > 1) throw_runtime(std::string(name) + "() takes at most 1 positional argument");
    if (!args.positional.empty()) {
        const Value& m = args.positional[0];
        if (m.is_object() || m.is_namespace()) {
            data->entries = m.object().entries;
        } else if (m.is_array()) {
            for (const Value& pair : m.items()) {
                if (!pair.is_array() || pair.items().size() != 2 || !pair.items()[0].is_string())
                    throw_runtime(std::string(name) + "() needs a mapping or (key, value) pairs with string keys");
                data->set(pair.items()[0].as_string(), pair.items()[1]);
            }
        } else {
            throw_runtime(std::string("'") + m.type_name() + "' object is not iterable");
        }
    }
    for (const auto& [k, v] : args.named) data->set(k, v);
    return data;
}

std::string format_time(const std::string& format, std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    if (format.empty()) return "";
    // strftime cannot tell an empty result from a short buffer; a marker character can.
    std::string fmt = format + "\x01";
    for (size_t cap = 256; cap <= (size_t(1) << 20); cap *= 4) {
        std::string buf(cap, '\0');
        size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &tm);
        if (n > 0) return buf.substr(0, n - 1);
    }
    throw TemplateError(TemplateErrorKind::Limit, "strftime_now result too long");
}

}  // namespace

std::unordered_map<std::string, Value> make_globals(const GlobalsHooks& hooks) {
    std::unordered_map<std::string, Value> g;
    g["range"] = Value::function("range", range_fn);
    g["dict"] = Value::function("dict", [](CallArgs& args) { return Value::object(mapping_from_args(args, "dict")); });
    auto track = hooks.track_namespace;
    g["namespace"] = Value::function("namespace", [track](CallArgs& args) {
        auto data = mapping_from_args(args, "namespace");
        if (track) track(data);
        return Value::namespace_object(std::move(data));
    });
    g["joiner"] = Value::function("joiner", [](CallArgs& args) {
        BoundArgs a(args, "joiner", {"sep"});
        std::string sep = a.has(0) ? to_str(a.get(0)) : ", ";
        auto used = std::make_shared<bool>(false);
        return Value::function("joiner", [sep, used](CallArgs&) {
            if (!*used) {
                *used = true;
                return Value("");
            }
            return Value(sep);
        });
    });
    g["raise_exception"] = Value::function("raise_exception", [](CallArgs& args) -> Value {
        BoundArgs a(args, "raise_exception", {"message"});
        throw TemplateError(TemplateErrorKind::Raised, to_str(a.get(0)));
    });
    auto now = hooks.now;
    g["strftime_now"] = Value::function("strftime_now", [now](CallArgs& args) {
        BoundArgs a(args, "strftime_now", {"format"});
        std::time_t t = now ? now() : std::time(nullptr);
        return Value(format_time(a.string_at(0), t));
    });
    return g;
}

}  // namespace akunu::chat
