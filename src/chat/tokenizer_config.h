// What a chat template needs from a Hugging Face tokenizer_config.json: the template itself
// (a string, or a list of named templates of which "default" is used) and the named special
// tokens (a string or an AddedToken object {"content": ...}), which transformers hands to the
// template as variables (its special_tokens_map).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"

namespace akunu::chat {

struct TokenizerChatConfig {
    std::string chat_template;  // the one apply_chat_template uses by default
    std::vector<std::pair<std::string, std::string>> named_templates;  // the list form, in file order
    std::optional<std::string> bos_token;
    std::optional<std::string> eos_token;
    // unk/sep/pad/cls/mask tokens and additional_special_tokens, where set and non-empty.
    nlohmann::ordered_json special_tokens = nlohmann::ordered_json::object();

    // A context carrying these special tokens, ready for messages.
    RenderContext make_context() const;
};

// Throws akunu::Error (Format) naming what is missing or malformed.
TokenizerChatConfig parse_tokenizer_config(const nlohmann::ordered_json& config);
// Reads the file; a directory means its tokenizer_config.json. Where the config has no
// chat_template, a chat_template.jinja beside it (where newer transformers saves it) is used.
TokenizerChatConfig load_tokenizer_config(const std::string& path);

}  // namespace akunu::chat
