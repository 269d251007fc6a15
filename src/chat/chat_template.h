// A model's chat template (the jinja2 `chat_template` of tokenizer_config.json) parsed once and
// rendered into a prompt the way Hugging Face transformers' apply_chat_template renders it:
// jinja2 with trim_blocks and lstrip_blocks, loop controls, transformers' tojson, and the
// raise_exception / strftime_now globals.
//
//   auto config = akunu::chat::load_tokenizer_config("tokenizer_config.json");
//   auto tmpl = akunu::chat::ChatTemplate::parse(config.chat_template);
//   akunu::chat::RenderContext ctx = config.make_context();
//   ctx.messages = {{{"role", "user"}, {"content", "Hello"}}};
//   ctx.add_generation_prompt = true;
//   std::string prompt = tmpl.render(ctx);
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/renderer.h"
#include "chat/template_error.h"

namespace akunu::chat {

struct RenderContext {
    // [{"role": ..., "content": ..., optional "tool_calls", "reasoning_content", ...}]
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    bool add_generation_prompt = false;
    // Absent means None, which is what transformers passes when the caller gives no tools.
    std::optional<nlohmann::ordered_json> tools;
    std::optional<nlohmann::ordered_json> documents;
    // Named special tokens (transformers' special_tokens_map). An absent token is undefined in
    // the template, as it is for a tokenizer whose config sets it to null.
    std::optional<std::string> bos_token;
    std::optional<std::string> eos_token;
    nlohmann::ordered_json special_tokens = nlohmann::ordered_json::object();  // unk_token, pad_token, ...
    // Further template variables (enable_thinking, date_string, ...); they override special tokens.
    nlohmann::ordered_json variables = nlohmann::ordered_json::object();
    std::optional<std::time_t> now;  // strftime_now's clock; the wall clock when absent
    RenderLimits limits;
};

struct ParsedTemplate;

class ChatTemplate {
public:
    // Throws TemplateError (Syntax or Unsupported) with the line and column of the problem.
    static ChatTemplate parse(const std::string& source);

    // Safe to call from several threads at once. Throws TemplateError: Raised (with the
    // template's own message) when the template calls raise_exception, Runtime for an operation
    // jinja2 would also fail, Limit for a runaway render; and akunu::Error (InvalidArgument)
    // when `variables` tries to replace messages, tools, documents or add_generation_prompt.
    std::string render(const RenderContext& ctx) const;

    const std::string& source() const { return *source_; }

private:
    ChatTemplate() = default;  // only parse() makes one, so every instance holds a parsed template

    std::shared_ptr<const std::string> source_;
    std::shared_ptr<const ParsedTemplate> parsed_;
};

}  // namespace akunu::chat
