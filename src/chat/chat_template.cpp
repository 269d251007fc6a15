#include "chat/chat_template.h"

#include "chat/parser.h"
#include "chat/value_json.h"

namespace akunu::chat {

struct ParsedTemplate {
    Body body;
};

namespace {

// The names transformers passes itself; a caller's variable of the same name would be a
// duplicate keyword argument in Python.
const char* const kReservedNames[] = {"messages", "tools", "documents", "add_generation_prompt"};

}  // namespace

ChatTemplate ChatTemplate::parse(const std::string& source) {
    auto parsed = std::make_shared<ParsedTemplate>();
    parsed->body = parse_template(source);
    ChatTemplate t;
    t.source_ = std::make_shared<const std::string>(source);
    t.parsed_ = std::move(parsed);
    return t;
}

std::string ChatTemplate::render(const RenderContext& ctx) const {
    if (!ctx.special_tokens.is_object()) fail(ErrorKind::InvalidArgument, "chat", "special_tokens must be a JSON object");
    if (!ctx.variables.is_object()) fail(ErrorKind::InvalidArgument, "chat", "variables must be a JSON object");
    for (const char* name : kReservedNames) {
        if (ctx.variables.contains(name))
            fail(ErrorKind::InvalidArgument, "chat", std::string("'") + name + "' is set by RenderContext, not by variables");
    }

    // transformers: render(messages=..., tools=..., documents=..., add_generation_prompt=...,
    // **{**special_tokens_map, **kwargs})
    std::unordered_map<std::string, Value> vars;
    for (auto it = ctx.special_tokens.begin(); it != ctx.special_tokens.end(); ++it) vars[it.key()] = from_json(it.value());
    if (ctx.bos_token) vars["bos_token"] = Value(*ctx.bos_token);
    if (ctx.eos_token) vars["eos_token"] = Value(*ctx.eos_token);
    for (auto it = ctx.variables.begin(); it != ctx.variables.end(); ++it) vars[it.key()] = from_json(it.value());
    vars["messages"] = from_json(ctx.messages);
    vars["tools"] = ctx.tools ? from_json(*ctx.tools) : Value::none();
    vars["documents"] = ctx.documents ? from_json(*ctx.documents) : Value::none();
    vars["add_generation_prompt"] = Value(ctx.add_generation_prompt);

    std::function<std::time_t()> clock;
    if (ctx.now) {
        std::time_t fixed = *ctx.now;
        clock = [fixed] { return fixed; };
    }
    return render_body(parsed_->body, std::move(vars), ctx.limits, std::move(clock));
}

}  // namespace akunu::chat
