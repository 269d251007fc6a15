// stories260K's 512-token SPM vocab against the llama.cpp reference in testdata/stories260K.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "format/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

struct GreedyCase {
    std::string header;  // the "case:" line
    std::string model;
    std::string prompt;
    std::vector<int32_t> prompt_ids, gen_ids;
    std::string gen_text;
};

// greedy.txt: blocks of "key: value" lines; '#' lines are comments.
std::vector<GreedyCase> read_greedy() {
    bool ok = false;
    std::string data = test::read_file(test::shared_path("testdata/stories260K/greedy.txt"), &ok);
    EXPECT_TRUE(ok);
    std::vector<GreedyCase> cases;
    std::istringstream in(data);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        size_t colon = line.find(": ");
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, colon), value = line.substr(colon + 2);
        if (key == "case") {
            cases.emplace_back();
            cases.back().header = value;
            size_t p = value.find("prompt=");
            bool json_ok = false;
            if (p != std::string::npos) cases.back().prompt = test::parse_json_string(value, p + 7, &json_ok);
            EXPECT_TRUE(json_ok) << line;
            continue;
        }
        if (cases.empty()) continue;
        GreedyCase& c = cases.back();
        if (key == "model") c.model = value;
        if (key == "prompt_ids") c.prompt_ids = test::parse_ids(value);
        if (key == "gen_ids") c.gen_ids = test::parse_ids(value);
        if (key == "gen_text") {
            bool json_ok = false;
            c.gen_text = test::parse_json_string(value, 0, &json_ok);
            EXPECT_TRUE(json_ok) << line;
        }
    }
    return cases;
}

TEST(Stories260K, VocabLoads) {
    auto file = GgufFile::open(test::shared_path("models/stories260K.gguf"));
    auto tok = Tokenizer::from_gguf(*file);
    const Vocab& v = tok->vocab();
    EXPECT_EQ(v.model, "llama");
    EXPECT_EQ(v.size(), 512);
    EXPECT_EQ(v.bos_id, 1);
    EXPECT_EQ(v.eos_id, 2);
    EXPECT_EQ(v.unk_id, 0);
    EXPECT_EQ(v.pad_id, -1);  // stored as the 0xFFFFFFFF "none" sentinel
    EXPECT_EQ(v.eot_id, -1);
    EXPECT_TRUE(v.add_bos);  // no add_bos_token key: SPM defaults to adding BOS
    EXPECT_FALSE(v.add_eos);
    EXPECT_TRUE(v.add_space_prefix);
    EXPECT_TRUE(v.is_end_of_generation(2));
}

TEST(Stories260K, OnceUponATime) {
    auto file = GgufFile::open(test::shared_path("models/stories260K.gguf"));
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_EQ(tok->encode("Once upon a time", tok->vocab().add_bos, false),
              (std::vector<int32_t>{1, 403, 407, 261, 378}));
}

TEST(Stories260K, GreedyReferencePromptsAndText) {
    std::vector<GreedyCase> cases = read_greedy();
    ASSERT_EQ(cases.size(), 6u);
    for (const GreedyCase& c : cases) {
        SCOPED_TRACE(c.header);
        ASSERT_FALSE(c.gen_ids.empty());
        auto file = GgufFile::open(test::shared_path(c.model));
        auto tok = Tokenizer::from_gguf(*file);
        EXPECT_EQ(tok->encode(c.prompt, tok->vocab().add_bos, false), c.prompt_ids);
        EXPECT_EQ(tok->decode(c.gen_ids), c.gen_text);

        // The same text, streamed one token at a time.
        StreamingDetokenizer s(*tok);
        std::string streamed;
        for (int32_t id : c.gen_ids) streamed += s.push(id);
        streamed += s.flush();
        EXPECT_EQ(streamed, c.gen_text);
    }
}

}  // namespace
}  // namespace akunu
