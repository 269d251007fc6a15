// The values a template computes with, shaped like the Python objects jinja2 sees: undefined,
// None, bool, int, float, str, list/tuple, dict (insertion-ordered), namespace and callables.
// Lists and dicts are shared, not copied, as in Python; only namespaces are mutable (the sandbox
// forbids mutating lists and dicts).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace akunu::chat {

class Value;

struct ArrayData {
    std::vector<Value> items;
    bool tuple = false;  // prints as (a, b) instead of [a, b]
};

struct ObjectData {
    std::vector<std::pair<std::string, Value>> entries;  // insertion order, keys unique

    const Value* find(std::string_view key) const;
    void set(const std::string& key, Value value);
};

struct CallArgs {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> named;
};

struct FunctionData {
    std::string name;
    std::function<Value(CallArgs&)> call;
};

class Value {
public:
    enum class Type : uint8_t { Undefined, None, Bool, Int, Float, String, Array, Object, Namespace, Function };

    Value() = default;  // undefined without a hint
    Value(bool b) : type_(Type::Bool), data_(b) {}
    Value(int i) : type_(Type::Int), data_((int64_t)i) {}
    Value(int64_t i) : type_(Type::Int), data_(i) {}
    Value(double d) : type_(Type::Float), data_(d) {}
    Value(std::string s) : type_(Type::String), data_(std::move(s)) {}
    Value(const char* s) : type_(Type::String), data_(std::string(s)) {}

    // `hint` is the jinja2-style explanation shown when the value is used where that fails,
    // e.g. "'x' is undefined" or "'dict object' has no attribute 'role'".
    static Value undefined(std::string hint);
    static Value none();
    static Value array(std::vector<Value> items, bool tuple = false);
    static Value object(std::shared_ptr<ObjectData> data);
    static Value empty_object();
    static Value namespace_object(std::shared_ptr<ObjectData> data);
    static Value function(std::string name, std::function<Value(CallArgs&)> call);

    Type type() const { return type_; }
    bool is_undefined() const { return type_ == Type::Undefined; }
    bool is_none() const { return type_ == Type::None; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_int() const { return type_ == Type::Int; }
    bool is_float() const { return type_ == Type::Float; }
    bool is_number() const { return type_ == Type::Int || type_ == Type::Float || type_ == Type::Bool; }
    bool is_integral() const { return type_ == Type::Int || type_ == Type::Bool; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_tuple() const { return type_ == Type::Array && std::get<std::shared_ptr<ArrayData>>(data_)->tuple; }
    bool is_object() const { return type_ == Type::Object; }
    bool is_namespace() const { return type_ == Type::Namespace; }
    bool is_function() const { return type_ == Type::Function; }

    bool as_bool() const { return std::get<bool>(data_); }
    int64_t as_int() const;     // int or bool
    double as_double() const;   // int, bool or float
    const std::string& as_string() const { return std::get<std::string>(data_); }
    const std::string& undefined_hint() const;
    const std::vector<Value>& items() const { return std::get<std::shared_ptr<ArrayData>>(data_)->items; }
    const ObjectData& object() const { return *std::get<std::shared_ptr<ObjectData>>(data_); }
    const std::shared_ptr<ObjectData>& object_ptr() const { return std::get<std::shared_ptr<ObjectData>>(data_); }
    const FunctionData& function() const { return *std::get<std::shared_ptr<FunctionData>>(data_); }

    bool truthy() const;
    // Python's name for the type, as error messages quote it: 'str', 'int', 'dict', 'NoneType'.
    const char* type_name() const;

private:
    using Data = std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<ArrayData>,
                              std::shared_ptr<ObjectData>, std::shared_ptr<FunctionData>>;
    Value(Type type, Data data) : type_(type), data_(std::move(data)) {}

    Type type_ = Type::Undefined;
    Data data_;
};

}  // namespace akunu::chat
