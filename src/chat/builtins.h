// The filters, tests and global functions a template can name, as transformers' jinja2
// environment provides them. Each lookup says whether the name exists, so the parser can refuse
// unknown names and name the jinja2 builtins this interpreter does not implement.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "chat/value.h"

namespace akunu::chat {

// Calls a filter, test or global by name on already evaluated arguments. `filter` and `test`
// let map/select/selectattr apply other filters and tests by name.
struct BuiltinContext {
    std::function<Value(const std::string& name, const Value& operand, CallArgs& args)> filter;
    std::function<bool(const std::string& name, const Value& operand, CallArgs& args)> test;
};

enum class BuiltinStatus { Available, Unsupported, Unknown };

BuiltinStatus filter_status(const std::string& name);
BuiltinStatus test_status(const std::string& name);

// The operand is the value before the "|"; `args` the filter's own arguments.
Value apply_filter(const std::string& name, const Value& operand, CallArgs& args, const BuiltinContext& ctx);
bool apply_test(const std::string& name, const Value& operand, CallArgs& args, const BuiltinContext& ctx);

}  // namespace akunu::chat
