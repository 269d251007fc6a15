// JSON documents (messages, tools, tokenizer_config.json values) as template values. Object key
// order is kept, so tojson writes a tool schema in the order it was given, as Python does.
#pragma once

#include <nlohmann/json.hpp>

#include "chat/value.h"

namespace akunu::chat {

Value from_json(const nlohmann::ordered_json& j);
Value from_json(const nlohmann::json& j);

}  // namespace akunu::chat
