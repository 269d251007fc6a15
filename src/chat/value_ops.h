// Python's operators, comparisons, lookups and iteration over template values, with jinja2's
// sandboxed attribute/item rules: a missing key or index gives undefined, and only using an
// undefined value (arithmetic, attribute access, calling it) is an error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/value.h"

namespace akunu::chat::ops {

// The UndefinedError jinja2 raises when an undefined value is used.
[[noreturn]] void fail_undefined(const Value& undefined);

bool equals(const Value& a, const Value& b);
// Python's <, <=, >, >= (`op` is the operator's spelling, for the error message).
bool compare(const Value& a, const Value& b, const std::string& op);

Value add(const Value& a, const Value& b);
Value subtract(const Value& a, const Value& b);
Value multiply(const Value& a, const Value& b);
Value divide(const Value& a, const Value& b);        // /
Value floor_divide(const Value& a, const Value& b);  // //
Value modulo(const Value& a, const Value& b);        // % (printf-style formatting for strings)
Value power(const Value& a, const Value& b);
Value negate(const Value& a);
Value positive(const Value& a);

bool contains(const Value& container, const Value& item);  // item in container

// The jinja2 sandbox's getattr (methods first, then keys) and getitem (keys first, then methods).
Value get_attribute(const Value& obj, const std::string& name);
Value get_item(const Value& obj, const Value& key);
Value slice(const Value& obj, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
            const std::optional<int64_t>& step);

// for-loop iteration: list items, dict keys, string characters; undefined iterates as empty.
std::vector<Value> iterate(const Value& v);
int64_t length(const Value& v);  // len()

// Python's "%" formatting of a string with one value or a tuple of values.
std::string percent_format(const std::string& format, const Value& args);

}  // namespace akunu::chat::ops
