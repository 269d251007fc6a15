// Binding a call's positional and keyword arguments to parameter names, as Python does for the
// builtin filters, tests, methods and globals: too many arguments or an unknown keyword is an error.
#pragma once

#include <string>
#include <vector>

#include "chat/value.h"

namespace akunu::chat {

class BoundArgs {
public:
    BoundArgs(const CallArgs& args, std::string callee, std::vector<std::string> names);

    bool has(size_t i) const { return given_[i]; }
    const Value& get(size_t i) const { return values_[i]; }  // undefined when not given
    Value get_or(size_t i, Value fallback) const { return given_[i] ? values_[i] : std::move(fallback); }
    // Given and not None (Python's "param is not None").
    bool present(size_t i) const { return given_[i] && !values_[i].is_none(); }
    const std::string& callee() const { return callee_; }

    // The argument as a str/int/bool, with a TypeError naming the parameter otherwise.
    const std::string& string_at(size_t i) const;
    int64_t int_at(size_t i) const;

private:
    std::string callee_;
    std::vector<std::string> names_;
    std::vector<Value> values_;
    std::vector<bool> given_;
};

}  // namespace akunu::chat
