// The Python methods templates call on strings, dicts and lists (message.content.startswith(...),
// tool.items(), ...), bound to their receiver. Methods that would mutate a list or dict are
// refused as the immutable sandbox refuses them.
#pragma once

#include <optional>
#include <string>

#include "chat/value.h"

namespace akunu::chat {

// The bound method `name` of `receiver`, or nothing if its type has no such method.
std::optional<Value> find_method(const Value& receiver, const std::string& name);

}  // namespace akunu::chat
