#include "chat/value_json.h"

#include "chat/template_error.h"

namespace akunu::chat {

namespace {

constexpr int kMaxDepth = 512;

template <typename Json>
Value convert(const Json& j, int depth) {
    if (depth > kMaxDepth) throw TemplateError(TemplateErrorKind::Limit, "JSON input nested too deeply");
    switch (j.type()) {
        case nlohmann::json::value_t::null: return Value::none();
        case nlohmann::json::value_t::boolean: return Value(j.template get<bool>());
        case nlohmann::json::value_t::number_integer: return Value(j.template get<int64_t>());
        case nlohmann::json::value_t::number_unsigned: {
            uint64_t u = j.template get<uint64_t>();
            // Python keeps big integers exact; beyond int64 the closest we hold is a float.
            if (u > (uint64_t)INT64_MAX) return Value((double)u);
            return Value((int64_t)u);
        }
        case nlohmann::json::value_t::number_float: return Value(j.template get<double>());
        case nlohmann::json::value_t::string: return Value(j.template get<std::string>());
        case nlohmann::json::value_t::array: {
            std::vector<Value> items;
            items.reserve(j.size());
            for (const auto& e : j) items.push_back(convert(e, depth + 1));
            return Value::array(std::move(items));
        }
        case nlohmann::json::value_t::object: {
            auto obj = std::make_shared<ObjectData>();
            obj->entries.reserve(j.size());
            for (auto it = j.begin(); it != j.end(); ++it) obj->entries.emplace_back(it.key(), convert(it.value(), depth + 1));
            return Value::object(std::move(obj));
        }
        default: return Value::none();  // binary and discarded values do not occur in parsed JSON text
    }
}

}  // namespace

Value from_json(const nlohmann::ordered_json& j) { return convert(j, 0); }
Value from_json(const nlohmann::json& j) { return convert(j, 0); }

}  // namespace akunu::chat
