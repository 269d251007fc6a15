// The functions a template can call by name: jinja2's range, dict, namespace and joiner, and
// the two transformers adds, raise_exception(message) and strftime_now(format).
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "chat/value.h"

namespace akunu::chat {

struct GlobalsHooks {
    std::function<std::time_t()> now;  // strftime_now's clock
    // Every namespace a render creates, so the render can break reference cycles through them
    // ({% set ns.self = ns %}) when it ends.
    std::function<void(const std::shared_ptr<ObjectData>&)> track_namespace;
};

std::unordered_map<std::string, Value> make_globals(const GlobalsHooks& hooks);

}  // namespace akunu::chat
