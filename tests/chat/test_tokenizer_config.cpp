// Reading chat templates and special tokens from tokenizer_config.json: the real Qwen3 and
// Llama 3 files in shared/, and the other forms transformers accepts (AddedToken objects, a
// list of named templates, chat_template.jinja beside the config).
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "chat/tokenizer_config.h"
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

TEST(TokenizerConfig, Qwen3HasNoBosToken) {
    TokenizerChatConfig c = load_tokenizer_config(shared_path("testdata/tokenizers/qwen3/tokenizer_config.json"));
    EXPECT_EQ(c.chat_template.rfind("{%- if tools %}", 0), 0u);
    EXPECT_FALSE(c.bos_token.has_value());
    EXPECT_EQ(c.eos_token, "<|im_end|>");
    EXPECT_EQ(c.special_tokens["pad_token"], "<|endoftext|>");
    EXPECT_EQ(c.special_tokens["additional_special_tokens"].size(), 13u);
    EXPECT_FALSE(c.special_tokens.contains("unk_token"));  // null in the file
    RenderContext ctx = c.make_context();
    EXPECT_EQ(ChatTemplate::parse("{{ bos_token is defined }} {{ eos_token }} {{ pad_token }}").render(ctx),
              "False <|im_end|> <|endoftext|>");
}

TEST(TokenizerConfig, Llama3FromItsDirectory) {
    TokenizerChatConfig c = load_tokenizer_config(shared_path("testdata/tokenizers/llama3"));
    EXPECT_EQ(c.bos_token, "<|begin_of_text|>");
    EXPECT_EQ(c.eos_token, "<|end_of_text|>");
    RenderContext ctx = c.make_context();
    ctx.messages = Json::array({{{"role", "user"}, {"content", " Hi "}}});
    EXPECT_EQ(ChatTemplate::parse(c.chat_template).render(ctx),
              "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(TokenizerConfig, AddedTokenObjectsAndNamedTemplates) {
    Json config = {
        {"bos_token", {{"__type", "AddedToken"}, {"content", "<s>"}, {"lstrip", false}}},
        {"eos_token", "</s>"},
        {"unk_token", ""},
        {"additional_special_tokens", {{{"content", "<tool>"}}, "<x>"}},
        {"chat_template", {{{"name", "tool_use"}, {"template", "T"}}, {{"name", "default"}, {"template", "D"}}}},
    };
    TokenizerChatConfig c = parse_tokenizer_config(config);
    EXPECT_EQ(c.bos_token, "<s>");
    EXPECT_EQ(c.chat_template, "D");
    ASSERT_EQ(c.named_templates.size(), 2u);
    EXPECT_EQ(c.named_templates[0].first, "tool_use");
    EXPECT_FALSE(c.special_tokens.contains("unk_token"));  // empty tokens are not in special_tokens_map
    EXPECT_EQ(c.special_tokens["additional_special_tokens"], Json::array({"<tool>", "<x>"}));
}

TEST(TokenizerConfig, MalformedConfigsAreFormatErrors) {
    auto kind_of = [](const Json& config) {
        try {
            parse_tokenizer_config(config);
        } catch (const Error& e) {
            return e.kind();
        }
        return ErrorKind::Internal;
    };
    EXPECT_EQ(kind_of(Json::array()), ErrorKind::Format);
    EXPECT_EQ(kind_of({{"chat_template", {{{"name", "tool_use"}, {"template", "T"}}}}}), ErrorKind::Format);
    EXPECT_EQ(kind_of({{"chat_template", 5}}), ErrorKind::Format);
    EXPECT_EQ(kind_of({{"bos_token", 5}}), ErrorKind::Format);
    try {
        load_tokenizer_config("/nonexistent/tokenizer_config.json");
        ADD_FAILURE() << "expected an i/o error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
    }
}

TEST(TokenizerConfig, ChatTemplateJinjaBesideTheConfig) {
    auto dir = std::filesystem::temp_directory_path() / ("akunu_chat_cfg_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tokenizer_config.json") << R"({"eos_token": "<e>"})";
    std::ofstream(dir / "chat_template.jinja") << "{{ messages|length }}{{ eos_token }}";
    TokenizerChatConfig c = load_tokenizer_config(dir.string());
    EXPECT_EQ(ChatTemplate::parse(c.chat_template).render(c.make_context()), "0<e>");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace akunu::chat::test
