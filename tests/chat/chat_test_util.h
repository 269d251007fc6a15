// Helpers shared by the chat template tests: rendering a template with variables, catching its
// error, and the paths of shared/ and of this folder's fixtures.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"

namespace akunu::chat::test {

using Json = nlohmann::ordered_json;

inline std::string shared_path(const std::string& rel) { return std::string(AKUNU_SHARED_DIR) + "/" + rel; }
inline std::string fixture_path(const std::string& rel) { return std::string(AKUNU_CHAT_FIXTURES) + "/" + rel; }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Renders `source` with `vars` as template variables ("messages" goes to its own field).
// strftime_now sees 2023-11-14 22:13:20 UTC.
inline std::string render(const std::string& source, Json vars = Json::object()) {
    RenderContext ctx;
    if (vars.contains("messages")) {
        ctx.messages = vars["messages"];
        vars.erase("messages");
    }
    ctx.variables = vars;
    ctx.now = 1700000000;
    return ChatTemplate::parse(source).render(ctx);
}

// The TemplateError that parsing or rendering `source` raises; fails the test if none does.
inline TemplateError render_error(const std::string& source, Json vars = Json::object()) {
    try {
        std::string out = render(source, std::move(vars));
        ADD_FAILURE() << "expected an error, rendered: " << out;
    } catch (const TemplateError& e) {
        return e;
    }
    return TemplateError(TemplateErrorKind::Runtime, "no error");
}

}  // namespace akunu::chat::test
