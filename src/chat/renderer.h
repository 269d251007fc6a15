// Executes a parsed template: jinja2's scoping (a for loop's body gets a fresh scope each
// iteration, so only namespace attributes carry state out of a loop), macros and call blocks,
// loop controls, and limits that keep a hostile template from running away.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <unordered_map>

#include "chat/ast.h"
#include "chat/value.h"

namespace akunu::chat {

struct RenderLimits {
    size_t max_output_bytes = size_t(64) << 20;  // of the result and of any captured block
    uint64_t max_steps = 5'000'000;              // statements, loop iterations and calls
    int max_call_depth = 100;                    // nested macro calls
};

// `variables` become the template's top-level names, shadowing the globals (range, namespace,
// raise_exception, strftime_now, ...). `now` is strftime_now's clock (wall clock when empty).
std::string render_body(const Body& body, std::unordered_map<std::string, Value> variables, const RenderLimits& limits,
                        std::function<std::time_t()> now);

}  // namespace akunu::chat
