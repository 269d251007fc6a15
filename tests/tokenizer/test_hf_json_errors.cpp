// Broken or unsupported tokenizer.json / tokenizer_config.json: each gives an error of the right
// kind that names the file and the field, never a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "tokenizer/hf_tokenizer_json.h"
#include "tokenizer_test_util.h"

namespace akunu {
namespace {

// A valid byte-level BPE tokenizer.json whose parts the cases below replace.
std::string bpe_json(const std::string& model = "", const std::string& pre = "", const std::string& added = "[]",
                     const std::string& normalizer = "null") {
    const std::string m = !model.empty() ? model : R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";
    const std::string p = !pre.empty() ? pre : R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})";
    return R"({"added_tokens": )" + added + R"(, "normalizer": )" + normalizer + R"(, "pre_tokenizer": )" + p +
           R"(, "model": )" + m + "}";
}

void expect_error(const std::string& json, const std::string& config, ErrorKind kind,
                  const std::vector<std::string>& needles) {
    try {
        tokenizer_from_hf_json(json, config, "t.json");
        ADD_FAILURE() << "no error for " << json;
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        for (const std::string& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
    }
}

TEST(HfJsonErrors, ValidBaselineLoads) {
    auto tok = tokenizer_from_hf_json(bpe_json(), "", "t.json");
    EXPECT_EQ(tok->encode("ab", false, false), (std::vector<int32_t>{2}));
}

TEST(HfJsonErrors, NotJsonOrWrongShape) {
    expect_error("{", "", ErrorKind::Format, {"t.json", "not valid JSON"});
    expect_error("", "", ErrorKind::Format, {"not valid JSON"});
    expect_error("[1, 2]", "", ErrorKind::Format, {"must be an object"});
    expect_error("{}", "", ErrorKind::Format, {"model is missing"});
    expect_error(R"({"model": 3})", "", ErrorKind::Format, {"model must be an object"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": [1, 2], "merges": []})"), "", ErrorKind::Format,
                 {"model.vocab must be an object"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": "zero"}, "merges": []})"), "", ErrorKind::Format,
                 {"model.vocab[\"a\"] must be an integer"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": -1}, "merges": []})"), "", ErrorKind::Format,
                 {"model.vocab[\"a\"]", "outside"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 99999999999}, "merges": []})"), "", ErrorKind::Format,
                 {"outside"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0, "b": 3000000}, "merges": []})"), "", ErrorKind::Format,
                 {"would be unused"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0, "b": 0}, "merges": []})"), "", ErrorKind::Format,
                 {"gives id 0 to both"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {}, "merges": []})"), "", ErrorKind::Format, {"is empty"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": 5})"), "", ErrorKind::Format,
                 {"model.merges must be an array"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": [["a"]]})"), "", ErrorKind::Format,
                 {"model.merges[0]"});
    expect_error(bpe_json("", "", R"([{"id": 0}])"), "", ErrorKind::Format, {"added_tokens[0].content is missing"});
    expect_error(bpe_json("", "", R"([{"id": 7, "content": ""}])"), "", ErrorKind::Format, {"added_tokens[0].content is empty"});
    expect_error(bpe_json("", "", R"([{"id": 3, "content": "<x>", "special": "yes"}])"), "", ErrorKind::Format,
                 {"added_tokens[0].special must be a bool"});
}

TEST(HfJsonErrors, MergesNamingUnknownTokens) {
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]})"), "", ErrorKind::Format,
                 {"t.json", "merge 0 'a b' needs 'ab'"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0, "ab": 1}, "merges": [["a", "c"]]})"), "",
                 ErrorKind::Format, {"needs 'c'"});
}

TEST(HfJsonErrors, UnsupportedPartsAreNamed) {
    expect_error(bpe_json(R"({"type": "Unigram", "vocab": [["a", 0.0]]})"), "", ErrorKind::Unsupported,
                 {"model.type", "'Unigram'"});
    expect_error(bpe_json("", R"({"type": "Metaspace", "replacement": "_"})"), "", ErrorKind::Unsupported,
                 {"pre_tokenizer", "'Metaspace'"});
    expect_error(bpe_json("", R"({"type": "Split", "pattern": {"Regex": " "}, "behavior": "Isolated"})"), "",
                 ErrorKind::Unsupported, {"no ByteLevel step"});
    expect_error(bpe_json("", R"({"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(a"},
                                  "behavior": "Isolated"}, {"type": "ByteLevel"}]})"),
                 "", ErrorKind::Unsupported, {"pre_tokenizer.pretokenizers[0].pattern.Regex", "does not compile"});
    expect_error(bpe_json("", R"({"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways"})"), "",
                 ErrorKind::Unsupported, {"'Sideways'"});
    expect_error(bpe_json("", "", "[]", R"({"type": "Precompiled", "precompiled_charsmap": ""})"), "",
                 ErrorKind::Unsupported, {"normalizer", "'Precompiled'"});
    expect_error(bpe_json(R"({"type": "BPE", "vocab": {"a": 0}, "merges": [], "continuing_subword_prefix": "##"})"), "",
                 ErrorKind::Unsupported, {"continuing_subword_prefix"});
}

TEST(HfJsonErrors, ConfigProblems) {
    expect_error(bpe_json(), "{oops", ErrorKind::Format, {"tokenizer_config.json", "not valid JSON"});
    expect_error(bpe_json(), R"({"bos_token": "<s>"})", ErrorKind::Format, {"bos_token", "'<s>' is not a token"});
    expect_error(bpe_json(), R"({"bos_token": 5})", ErrorKind::Format, {"bos_token must be a string"});
    expect_error(bpe_json(), R"({"add_bos_token": "true"})", ErrorKind::Format, {"add_bos_token must be a bool"});
    // A config that names the token and asks for it.
    auto tok = tokenizer_from_hf_json(bpe_json("", "", R"([{"id": 3, "content": "<s>", "special": true}])"),
                                      R"({"bos_token": {"content": "<s>"}, "add_bos_token": true})", "t.json");
    EXPECT_EQ(tok->vocab().bos_id, 3);
    EXPECT_TRUE(tok->vocab().add_bos);
    EXPECT_EQ(tok->encode("ab", true, false), (std::vector<int32_t>{3, 2}));
}

TEST(HfJsonErrors, MissingFilesAreIoErrors) {
    try {
        tokenizer_from_hf_files("/nonexistent/tokenizer.json", "");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/tokenizer.json"), std::string::npos);
    }
}

// Random damage to a valid file: every outcome is a tokenizer or an akunu::Error.
TEST(HfJsonErrors, DamagedFilesNeverCrash) {
    const std::string good = bpe_json("", "", R"([{"id": 3, "content": "<s>", "special": true}])");
    uint64_t state = 0x243F6A8885A308D3ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    int loaded = 0, refused = 0;
    for (int iter = 0; iter < 2000; ++iter) {
        std::string s = good;
        const int edits = 1 + (int)(next() % 3);
        for (int k = 0; k < edits; ++k) {
            const size_t pos = next() % s.size();
            switch (next() % 3) {
                case 0: s[pos] = "{}[]\":,0123456789abnlt \\"[next() % 25]; break;
                case 1: s.erase(pos, 1 + next() % 8); break;
                default: s.insert(pos, 1, (char)(next() % 256)); break;
            }
        }
        try {
            auto tok = tokenizer_from_hf_json(s, "", "damaged.json");
            tok->encode("ab<s>a\xFF", true, true);
            ++loaded;
        } catch (const Error&) {
            ++refused;
        }
    }
    EXPECT_EQ(loaded + refused, 2000);
    EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace akunu
