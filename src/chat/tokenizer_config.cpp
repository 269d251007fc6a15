#include "chat/tokenizer_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace akunu::chat {

namespace {

[[noreturn]] void malformed(const std::string& msg) { fail(ErrorKind::Format, "chat", "tokenizer config: " + msg); }

// A special token is written either as its text or as an AddedToken {"content": text, ...}.
std::optional<std::string> token_text(const nlohmann::ordered_json& v, const std::string& key) {
    if (v.is_null()) return std::nullopt;
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    malformed("'" + key + "' is neither a string nor an AddedToken object");
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

RenderContext TokenizerChatConfig::make_context() const {
    RenderContext ctx;
    ctx.bos_token = bos_token;
    ctx.eos_token = eos_token;
    ctx.special_tokens = special_tokens;
    return ctx;
}

TokenizerChatConfig parse_tokenizer_config(const nlohmann::ordered_json& config) {
    if (!config.is_object()) malformed("not a JSON object");
    TokenizerChatConfig out;
    if (config.contains("chat_template") && !config["chat_template"].is_null()) {
        const auto& t = config["chat_template"];
        if (t.is_string()) {
            out.chat_template = t.get<std::string>();
        } else if (t.is_array()) {
            for (const auto& entry : t) {
                if (!entry.is_object() || !entry.contains("name") || !entry.contains("template") ||
                    !entry["name"].is_string() || !entry["template"].is_string())
                    malformed("chat_template list entries need string 'name' and 'template'");
                out.named_templates.emplace_back(entry["name"].get<std::string>(), entry["template"].get<std::string>());
            }
            bool found = false;
            for (const auto& [name, text] : out.named_templates) {
                if (name == "default") {
                    out.chat_template = text;
                    found = true;
                }
            }
            if (!found) malformed("chat_template lists several templates but none named 'default'");
        } else {
            malformed("chat_template is neither a string nor a list of named templates");
        }
    }
    if (config.contains("bos_token")) out.bos_token = token_text(config["bos_token"], "bos_token");
    if (config.contains("eos_token")) out.eos_token = token_text(config["eos_token"], "eos_token");
    // transformers' special_tokens_map keeps only attributes that are set and non-empty.
    if (out.bos_token && out.bos_token->empty()) out.bos_token.reset();
    if (out.eos_token && out.eos_token->empty()) out.eos_token.reset();
    for (const char* key : {"unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}) {
        if (!config.contains(key)) continue;
        auto text = token_text(config[key], key);
        if (text && !text->empty()) out.special_tokens[key] = *text;
    }
    if (config.contains("additional_special_tokens") && !config["additional_special_tokens"].is_null()) {
        const auto& list = config["additional_special_tokens"];
        if (!list.is_array()) malformed("additional_special_tokens is not a list");
        nlohmann::ordered_json texts = nlohmann::ordered_json::array();
        for (const auto& t : list) {
            auto text = token_text(t, "additional_special_tokens");
            if (text) texts.push_back(*text);
        }
        if (!texts.empty()) out.special_tokens["additional_special_tokens"] = texts;
    }
    return out;
}

TokenizerChatConfig load_tokenizer_config(const std::string& path) {
    std::filesystem::path p(path);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) p /= "tokenizer_config.json";
    auto text = read_text(p);
    if (!text) fail(ErrorKind::Io, "chat", "cannot read " + p.string());
    nlohmann::ordered_json config = nlohmann::ordered_json::parse(*text, nullptr, false);
    if (config.is_discarded()) fail(ErrorKind::Format, "chat", p.string() + " is not valid JSON");
    TokenizerChatConfig out = parse_tokenizer_config(config);
    if (out.chat_template.empty()) {
        if (auto jinja = read_text(p.parent_path() / "chat_template.jinja")) out.chat_template = *jinja;
    }
    return out;
}

}  // namespace akunu::chat
