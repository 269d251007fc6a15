// The chat templates real models ship (Qwen3, Llama 3, Gemma 3, Mistral 7B Instruct, Mixtral
// 8x22B Instruct, Phi-3 mini) rendered over the conversations of fixtures/make_fixtures.py and
// compared byte for byte with what transformers (or its jinja2 environment) rendered.
#include <map>
#include <set>

#include "chat/tokenizer_config.h"
#include "chat_test_util.h"

namespace akunu::chat::test {
namespace {

std::string config_path(const std::string& name) {
    if (name == "qwen3" || name == "llama3") return shared_path("testdata/tokenizers/" + name + "/tokenizer_config.json");
    return fixture_path(name + "_tokenizer_config.json");
}

class RealTemplates : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        expected_ = new Json(Json::parse(read_file(fixture_path("expected_renders.json"))));
    }
    static void TearDownTestSuite() {
        delete expected_;
        expected_ = nullptr;
    }
    static const Json& conversation(const std::string& name) {
        for (const auto& c : (*expected_)["conversations"])
            if (c["name"] == name) return c;
        throw std::runtime_error("no conversation " + name);
    }
    static Json* expected_;
};
Json* RealTemplates::expected_ = nullptr;

TEST_F(RealTemplates, EveryTemplateHasCases) {
    std::map<std::string, int> rendered;
    for (const auto& c : (*expected_)["cases"])
        if (c.contains("expected")) rendered[c["template"].get<std::string>()]++;
    for (const char* name : {"qwen3", "llama3", "gemma3", "mistral", "mixtral", "phi3"}) EXPECT_GE(rendered[name], 10) << name;
}

TEST_F(RealTemplates, RenderLikeTransformers) {
    std::map<std::string, ChatTemplate> templates;
    std::map<std::string, TokenizerChatConfig> configs;
    int compared = 0;
    for (const auto& c : (*expected_)["cases"]) {
        std::string name = c["template"], conv = c["conversation"];
        bool agp = c["add_generation_prompt"];
        SCOPED_TRACE(name + " / " + conv + (agp ? " / add_generation_prompt" : ""));
        if (!configs.count(name)) {
            configs[name] = load_tokenizer_config(config_path(name));
            templates.emplace(name, ChatTemplate::parse(configs[name].chat_template));
        }
        const Json& conversation = RealTemplates::conversation(conv);
        RenderContext ctx = configs[name].make_context();
        ctx.messages = conversation["messages"];
        if (!conversation["tools"].is_null()) ctx.tools = conversation["tools"];
        ctx.variables = conversation["variables"];
        ctx.add_generation_prompt = agp;
        const ChatTemplate& tmpl = templates.at(name);
        if (c.contains("expected")) {
            std::string out;
            EXPECT_NO_THROW(out = tmpl.render(ctx));
            EXPECT_EQ(out, c["expected"].get<std::string>());
        } else {
            try {
                std::string out = tmpl.render(ctx);
                ADD_FAILURE() << "expected an error, rendered: " << out;
            } catch (const TemplateError& e) {
                if (c.contains("raised")) {
                    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Raised);
                    EXPECT_EQ(e.detail(), c["raised"].get<std::string>());
                } else {
                    EXPECT_EQ(e.template_kind(), TemplateErrorKind::Runtime) << e.what();
                }
            }
        }
        ++compared;
    }
    EXPECT_GT(compared, 100);
}

TEST_F(RealTemplates, GeneratorIsRecorded) {
    std::string generator = (*expected_)["generator"];
    EXPECT_TRUE(generator.rfind("transformers", 0) == 0 || generator.rfind("jinja2", 0) == 0) << generator;
}

}  // namespace
}  // namespace akunu::chat::test
