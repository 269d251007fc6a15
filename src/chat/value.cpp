#include "chat/value.h"

namespace akunu::chat {

const Value* ObjectData::find(std::string_view key) const {
    for (const auto& [k, v] : entries)
        if (k == key) return &v;
    return nullptr;
}

void ObjectData::set(const std::string& key, Value value) {
    for (auto& [k, v] : entries) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    entries.emplace_back(key, std::move(value));
}

Value Value::undefined(std::string hint) { return Value(Type::Undefined, std::move(hint)); }

Value Value::none() {
    Value v;  // the data is already std::monostate
    v.type_ = Type::None;
    return v;
}

Value Value::array(std::vector<Value> items, bool tuple) {
    auto data = std::make_shared<ArrayData>();
    data->items = std::move(items);
    data->tuple = tuple;
    return Value(Type::Array, std::move(data));
}

Value Value::object(std::shared_ptr<ObjectData> data) { return Value(Type::Object, std::move(data)); }

Value Value::empty_object() { return object(std::make_shared<ObjectData>()); }

Value Value::namespace_object(std::shared_ptr<ObjectData> data) { return Value(Type::Namespace, std::move(data)); }

Value Value::function(std::string name, std::function<Value(CallArgs&)> call) {
    auto data = std::make_shared<FunctionData>();
    data->name = std::move(name);
    data->call = std::move(call);
    return Value(Type::Function, std::move(data));
}

int64_t Value::as_int() const {
    if (type_ == Type::Bool) return std::get<bool>(data_) ? 1 : 0;
    return std::get<int64_t>(data_);
}

double Value::as_double() const {
    if (type_ == Type::Float) return std::get<double>(data_);
    return (double)as_int();
}

const std::string& Value::undefined_hint() const {
    static const std::string empty;
    if (auto* s = std::get_if<std::string>(&data_)) return *s;
    return empty;
}

bool Value::truthy() const {
    switch (type_) {
        case Type::Undefined:
        case Type::None: return false;
        case Type::Bool: return as_bool();
        case Type::Int: return as_int() != 0;
        case Type::Float: return as_double() != 0.0;
        case Type::String: return !as_string().empty();
        case Type::Array: return !items().empty();
        case Type::Object: return !object().entries.empty();
        case Type::Namespace:
        case Type::Function: return true;
    }
    return false;
}

const char* Value::type_name() const {
    switch (type_) {
        case Type::Undefined: return "Undefined";
        case Type::None: return "NoneType";
        case Type::Bool: return "bool";
        case Type::Int: return "int";
        case Type::Float: return "float";
        case Type::String: return "str";
        case Type::Array: return is_tuple() ? "tuple" : "list";
        case Type::Object: return "dict";
        case Type::Namespace: return "Namespace";
        case Type::Function: return "function";
    }
    return "object";
}

}  // namespace akunu::chat
